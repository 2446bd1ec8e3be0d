"""Compiles typed conditions into durable-rules rules: flat conjunctions for "false" and "unknown".

durable-rules knows only two-valued logic, no dates and loose equality, and allows at most 31
expressions in one rule (every nested `$and`/`$or` costs two). So:
- every fact is encoded with its type (dates as ordinals, strings as "s:…", booleans as
  "b:1"/"b:0"), so values of different types never compare equal;
- an absent fact is an absent field, and every comparison carries an existence test, so an
  unknown fact never reads as false;
- Kleene logic is expanded: for a condition C we build T(C), F(C) and U(C), three two-valued
  formulas of which exactly one holds, each in disjunctive normal form (a list of conjunctions);
  each conjunction of F and U becomes one flat durable rule. Contradictory conjunctions (a field
  both absent and compared, x < 6 and x >= 6, …) are dropped at compile time;
- arithmetic and date functions (months_between, …) cannot be written in durable rules: the
  adapter computes each such term once per evaluation into a field of its own; comparisons and
  logic stay in the Rete network.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Mapping

from ..conditions.ast import And, Arith, Call, Compare, FactRef, In, Literal, Node, Not, Or, ParamRef
from ..conditions.kleene import COMPARE, evaluate
from ..errors import InputError

GUARD = "_fundrules_case"
MAX_CONJUNCTIONS = 512  # per criterion and outcome; beyond, the loader refuses the condition
MAX_FIELD_COMPARISONS = 25  # durable-rules allows 31 beta expressions per rule, $and costs 2
MAX_MESSAGE_FIELDS = 250  # durable-rules allows 255 properties per message (sid and the guard included)

_OPS = {"==": None, "!=": "$neq", "<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte"}
_NEGATE = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}
_FLIP = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}

# Atoms: ("ex", f) | ("nex", f) | ("cmp", op, f, encoded constant) | ("cmpf", op, f, g)
Atom = tuple
Conj = frozenset
DNF = tuple  # tuple of Conj; () is false, (frozenset(),) is true
TRUE: DNF = (frozenset(),)
FALSE: DNF = ()


class ConditionTooComplex(InputError):
    pass


def encode(value: Any) -> Any:
    """Typed encoding shared by facts and constants, so values of different types never match."""
    if isinstance(value, bool):
        return "b:1" if value else "b:0"
    if isinstance(value, dt.date):
        return value.toordinal()
    if isinstance(value, str):
        return "s:" + value
    return value


def _satisfiable(conj: Conj) -> bool:
    present: set[str] = set()
    absent: set[str] = set()
    bounds: dict[str, list[Atom]] = {}
    for atom in conj:
        if atom[0] == "nex":
            absent.add(atom[1])
        else:
            present.add(atom[1] if atom[0] == "ex" else atom[2])
            if atom[0] == "cmpf":
                present.add(atom[3])
            if atom[0] == "cmp":
                bounds.setdefault(atom[2], []).append(atom)
    if present & absent:
        return False
    for atoms in bounds.values():
        values = {a[3] for a in atoms}
        candidates = set(values)
        numeric = [v for v in values if isinstance(v, (int, float))]
        if numeric and len(numeric) == len(values):
            # Between and around the constants lie all the distinct cases of these comparisons.
            ordered = sorted(numeric)
            candidates |= {ordered[0] - 1, ordered[-1] + 1}
            candidates |= {(a + b) / 2 for a, b in zip(ordered, ordered[1:])}
        elif len(values) == len(atoms) and all(a[1] == "!=" for a in atoms):
            continue
        else:
            candidates.add(object())  # a value equal to none of the constants
        if not any(all(_holds(a[1], c, a[3]) for a in atoms) for c in candidates):
            return False
    return True


def _holds(op: str, left: Any, right: Any) -> bool:
    try:
        return COMPARE[op](left, right)
    except TypeError:
        return op == "!="


def dnf_and(*parts: DNF) -> DNF:
    result: list[Conj] = [frozenset()]
    for part in parts:
        result = [a | b for a in result for b in part]
        result = [c for c in dict.fromkeys(result) if _satisfiable(c)]
        if len(result) > MAX_CONJUNCTIONS:
            raise ConditionTooComplex(
                f"condition trop complexe pour durable-rules (plus de {MAX_CONJUNCTIONS} cas)")
        if not result:
            return FALSE
    return tuple(result)


def dnf_or(*parts: DNF) -> DNF:
    result = tuple(dict.fromkeys(c for part in parts for c in part))
    if frozenset() in result:
        return TRUE
    if len(result) > MAX_CONJUNCTIONS:
        raise ConditionTooComplex(f"condition trop complexe pour durable-rules (plus de {MAX_CONJUNCTIONS} cas)")
    return result


@dataclass
class Tri:
    """DNF formulas for "true", "false" and "unknown"."""
    true: DNF
    false: DNF
    unknown: DNF


@dataclass
class FieldNames:
    """Names of the message fields: one per fact, one per computed term."""
    facts: dict[str, str] = field(default_factory=dict)
    terms: dict[tuple[str, tuple], tuple[str, Node, tuple]] = field(default_factory=dict)

    def fact(self, path: str) -> str:
        return self.facts.setdefault(path, f"f{len(self.facts)}")

    def term(self, node: Node, params: Mapping[str, Any]) -> str:
        frozen = tuple(sorted(params.items()))
        key = (node.text(), frozen)
        if key not in self.terms:
            self.terms[key] = (f"t{len(self.terms)}", node, frozen)
        return self.terms[key][0]


def _has_fact(node: Node) -> bool:
    if isinstance(node, FactRef):
        return True
    if isinstance(node, Arith):
        return _has_fact(node.left) or _has_fact(node.right)
    if isinstance(node, Call):
        return any(_has_fact(a) for a in node.args)
    return False


class Compiler:
    def __init__(self, names: FieldNames, params: Mapping[str, Any]):
        self.names = names
        self.params = params

    def operand(self, node: Node) -> tuple[str, Any]:
        """('field', name) for a value read from the message, ('const', value) otherwise."""
        if isinstance(node, Literal):
            return "const", node.value
        if isinstance(node, ParamRef):
            return "const", self.params[node.name]
        if isinstance(node, FactRef):
            return "field", self.names.fact(node.path)
        if not _has_fact(node):
            return "const", evaluate(node, {}, self.params)
        return "field", self.names.term(node, self.params)

    def comparison(self, op: str, left: Node, right: Node) -> Tri:
        lk, lv = self.operand(left)
        rk, rv = self.operand(right)
        if lk == "const" and rk == "const":
            holds = COMPARE[op](lv, rv)
            return Tri(TRUE if holds else FALSE, FALSE if holds else TRUE, FALSE)
        if lk == "const":
            op, lk, lv, rk, rv = _FLIP[op], rk, rv, lk, lv
        if rk == "const":
            value = encode(rv)
            return Tri((frozenset({("ex", lv), ("cmp", op, lv, value)}),),
                       (frozenset({("ex", lv), ("cmp", _NEGATE[op], lv, value)}),),
                       (frozenset({("nex", lv)}),))
        both = {("ex", lv), ("ex", rv)}
        return Tri((frozenset(both | {("cmpf", op, lv, rv)}),),
                   (frozenset(both | {("cmpf", _NEGATE[op], lv, rv)}),),
                   (frozenset({("nex", lv)}), frozenset({("nex", rv)})))

    def compile(self, node: Node) -> Tri:
        if isinstance(node, Literal):
            return Tri(TRUE, FALSE, FALSE) if node.value else Tri(FALSE, TRUE, FALSE)
        if isinstance(node, ParamRef):
            return self.compile(Literal(self.params[node.name]))
        if isinstance(node, FactRef):  # a boolean fact used as a condition
            return self.comparison("==", node, Literal(True))
        if isinstance(node, Compare):
            return self.comparison(node.op, node.left, node.right)
        if isinstance(node, In):
            parts = [self.comparison("==", node.left, item) for item in node.items]
            return Tri(dnf_or(*(p.true for p in parts)), dnf_and(*(p.false for p in parts)),
                       parts[0].unknown)
        if isinstance(node, Not):
            inner = self.compile(node.item)
            return Tri(inner.false, inner.true, inner.unknown)
        if isinstance(node, (And, Or)):
            parts = [self.compile(i) for i in node.items]
            if isinstance(node, Or):  # or(x) = not and(not x)
                parts = [Tri(p.false, p.true, p.unknown) for p in parts]
            true = dnf_and(*(p.true for p in parts))
            false = dnf_or(*(p.false for p in parts))
            # unknown: the first non-true item is unknown, and no later item is false
            unknown = dnf_or(*(
                dnf_and(*(p.true for p in parts[:i]), parts[i].unknown,
                        *(dnf_or(p.true, p.unknown) for p in parts[i + 1:]))
                for i in range(len(parts))))
            if isinstance(node, Or):
                return Tri(false, true, unknown)
            return Tri(true, false, unknown)
        raise TypeError(f"cannot compile {node!r}")


def atom_json(atom: Atom) -> dict:
    kind = atom[0]
    if kind == "ex":
        return {"$ex": {atom[1]: 1}}
    if kind == "nex":
        return {"$nex": {atom[1]: 1}}
    op, name, right = atom[1], atom[2], atom[3]
    if kind == "cmpf":
        right = {"$m": right}
    operator = _OPS[op]
    return {name: right} if operator is None else {operator: {name: right}}


def conjunction_json(conj: Conj) -> dict:
    """One flat `$and`, guarded so that no rule can ever match a state document."""
    if sum(1 for a in conj if a[0] == "cmpf") > MAX_FIELD_COMPARISONS:
        raise ConditionTooComplex("condition trop complexe pour durable-rules (trop de comparaisons entre faits)")
    atoms = sorted(conj, key=repr)
    return {"$and": [{"$ex": {GUARD: 1}}] + [atom_json(a) for a in atoms]}
