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
  logic stay in the Rete network;
- numbers: durable-rules cannot parse a JSON number in exponent form (1e-05, 1e+16: error 204)
  and reads integers as 64-bit; so every number is sent as the 64-bit integer that orders like
  its IEEE double (`number_key`), which durable compares exactly. Integers beyond 2**53 have no
  exact double: literals, parameters and the bounds of every computed term are checked before
  the rules run (`check_condition`).

Limits of durable-rules 2.0.28, measured on this machine (`durable_rules_engine` called directly,
one ruleset per trial, one fact asserted then retracted):
- MAX_FIRED_RULES: with 64 distinct rules matching one fact the 64 actions run; with 65, whatever
  their conditions (1 to 24 tests each), the assert fails with error 303;
- MAX_RULES_PER_RULESET: 512 one-test rules register in 0.03 s; 513 make `create_ruleset` spin
  (killed after 20 s), and 270 criteria of two rules each (540 rules) fail with error 108;
- MAX_MESSAGE_FIELDS: a message of 256 properties fails with error 302 (255 pass);
- MAX_FIELD_COMPARISONS: 27 fact-to-fact comparisons in one rule crash at registration.
The adapter splits the rules in force on a date into several durable rulesets, each within these
limits, so only one criterion beyond them can be refused.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Optional

from ..conditions.ast import And, Arith, Call, Compare, FactRef, In, Literal, Node, Not, Or, ParamRef
from ..conditions.kleene import COMPARE, evaluate
from ..errors import InputError
from ..facts import FACTS, INT
from .durable_encode import GUARD, MAX_EXACT_INT, NumberNotExact, encode, number_key  # noqa: F401 (names of this module)

MAX_CONJUNCTIONS = 512  # per criterion and outcome while compiling; the final limits are below
MAX_FIELD_COMPARISONS = 25  # durable-rules allows 31 beta expressions per rule, $and costs 2
MAX_MESSAGE_FIELDS = 250  # durable-rules allows 255 properties per message (sid and the guard included)
MAX_FIRED_RULES = 64  # measured: the 65th rule matching one fact fails the assert (error 303)
MAX_RULES_PER_RULESET = 512  # measured: 513 rules hang create_ruleset, 540 fail with error 108
# Bounds of the facts a case can hold (fundrules/case.py refuses more) and of derived facts:
NUMBER_FACT_LIMIT = 1e12  # case._number
INT_FACT_LIMIT = 1_000_000_000  # case.MAX_INT_FACT
DERIVED_LIMITS = {
    "beneficiaire.solde_cpf_euros": 15 * NUMBER_FACT_LIMIT,  # derived.hours_to_euros
    "beneficiaire.age": 201,
}  # whole years between two dates of 1900-2100
DATE_SPAN_DAYS = (dt.date(2100, 12, 31) - dt.date(1900, 1, 1)).days  # case.EARLIEST_DATE..LATEST_DATE
CALL_LIMITS = {
    "days_between": DATE_SPAN_DAYS,
    "months_between": DATE_SPAN_DAYS // 28 + 1,
    "years_between": DATE_SPAN_DAYS // 365 + 1,
}

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
        if all(a[1] == "!=" for a in atoms):
            continue  # infinitely many numbers and texts differ from a finite list
        if all(isinstance(a[3], int) for a in atoms):
            if not _numeric_satisfiable(atoms):
                return False
            continue
        values = {a[3] for a in atoms}
        candidates = set(values)
        numeric = [v for v in values if isinstance(v, (int, float))]
        if numeric and len(numeric) == len(values):
            # Between and around the constants lie all the distinct cases of these comparisons.
            ordered = sorted(numeric)
            candidates |= {ordered[0] - 1, ordered[-1] + 1}
            candidates |= {(a + b) / 2 for a, b in zip(ordered, ordered[1:], strict=False)}
        elif len(values) == len(atoms) and all(a[1] == "!=" for a in atoms):
            continue
        else:
            candidates.add(object())  # a value equal to none of the constants
        if not any(all(_holds(a[1], c, a[3]) for a in atoms) for c in candidates):
            return False
    return True


def _numeric_satisfiable(atoms: list[Atom]) -> bool:
    """Whether some integer key meets every comparison: linear in the number of atoms."""
    low, high = -math.inf, math.inf
    equal: set[int] = set()
    different: set[int] = set()
    for _kind, op, _name, value in atoms:
        if op == "==":
            equal.add(value)
        elif op == "!=":
            different.add(value)
        elif op == ">":
            low = max(low, value + 1)
        elif op == ">=":
            low = max(low, value)
        elif op == "<":
            high = min(high, value - 1)
        else:
            high = min(high, value)
    if len(equal) > 1:
        return False
    if equal:
        value = next(iter(equal))
        return low <= value <= high and value not in different
    if low > high:
        return False
    if low == -math.inf or high == math.inf:
        return True
    if high - low + 1 > len(different):
        return True
    return any(value not in different for value in range(int(low), int(high) + 1))


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
            raise ConditionTooComplex(f"condition trop complexe pour durable-rules (plus de {MAX_CONJUNCTIONS} cas)")
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
            return Tri(
                (frozenset({("ex", lv), ("cmp", op, lv, value)}),),
                (frozenset({("ex", lv), ("cmp", _NEGATE[op], lv, value)}),),
                (frozenset({("nex", lv)}),),
            )
        both = {("ex", lv), ("ex", rv)}
        return Tri(
            (frozenset(both | {("cmpf", op, lv, rv)}),),
            (frozenset(both | {("cmpf", _NEGATE[op], lv, rv)}),),
            (frozenset({("nex", lv)}), frozenset({("nex", rv)})),
        )

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
            falses = [p.false for p in parts]
            if all(len(f) == 1 for f in falses):  # one conjunction of n tests: built in linear time
                conj = frozenset().union(*(f[0] for f in falses))
                false = (conj,) if _satisfiable(conj) else FALSE
            else:
                false = dnf_and(*falses)
            return Tri(dnf_or(*(p.true for p in parts)), false, parts[0].unknown)
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
            unknown = dnf_or(
                *(
                    dnf_and(
                        *(p.true for p in parts[:i]),
                        parts[i].unknown,
                        *(dnf_or(p.true, p.unknown) for p in parts[i + 1 :]),
                    )
                    for i in range(len(parts))
                )
            )
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


# -- what one criterion costs in durable-rules, and the checks made before any rule runs -------


def rule_formulas(tri: Tri) -> tuple[tuple[Optional[bool], DNF], ...]:
    """The formulas compiled to rules: "false", and the smaller of "unknown" and "true".

    An "or" of n facts is unknown in about 2**n ways but true in n; when "true" is compiled,
    "unknown" is "neither fired". On a tie (a single comparison: one rule either way) "true" is
    compiled: unknown is the commonest outcome (about half the criteria evaluated on the case
    library and on the bench mix, against a quarter each for true and false), and every rule
    that fires costs an action, so leaving "unknown" unfired fires fewer."""
    if len(tri.true) <= len(tri.unknown):
        return (False, tri.false), (True, tri.true)
    return (False, tri.false), (None, tri.unknown)


def max_fired(formula: DNF) -> int:
    """At most how many conjunctions of `formula` one fact can match at once.

    Conjunctions that test one field for equality with different constants exclude each other;
    otherwise every conjunction is counted."""
    if len(formula) <= 1:
        return len(formula)
    shared = None
    for conj in formula:
        fields = {a[2] for a in conj if a[0] == "cmp" and a[1] == "=="}
        shared = fields if shared is None else shared & fields
        if not shared:
            return len(formula)
    if shared is None:  # no conjunction: nothing to share
        return len(formula)
    name = min(shared)
    groups: dict[Any, int] = {}
    for conj in formula:
        for atom in conj:
            if atom[0] == "cmp" and atom[1] == "==" and atom[2] == name:
                groups[atom[3]] = groups.get(atom[3], 0) + 1
                break
    return max(groups.values())


def fields_of(conj: Conj) -> set[str]:
    names = set()
    for atom in conj:
        if atom[0] in ("ex", "nex"):
            names.add(atom[1])
        else:
            names.add(atom[2])
            if atom[0] == "cmpf":
                names.add(atom[3])
    return names


@dataclass
class Cost:
    """What one criterion needs from durable-rules."""

    rules: int
    fired: int
    fields: set[str]


def cost(tri: Tri) -> Cost:
    formulas = rule_formulas(tri)
    fields: set[str] = set()
    for _outcome, formula in formulas:
        for conj in formula:
            fields |= fields_of(conj)
    return Cost(sum(len(f) for _o, f in formulas), max(max_fired(f) for _o, f in formulas), fields)


def fact_limit(path: str) -> float:
    """Largest magnitude a number fact can hold in a case (refused beyond by fundrules/case.py)."""
    fact = FACTS.get(path)
    if path in DERIVED_LIMITS:
        return DERIVED_LIMITS[path]
    if fact is None:
        return MAX_EXACT_INT
    default = INT_FACT_LIMIT if fact.kind == INT else NUMBER_FACT_LIMIT
    bounds = [abs(b) for b in (fact.minimum, fact.maximum) if b is not None]
    if fact.maximum is None:
        bounds.append(default)
    if fact.minimum is None:
        bounds.append(default)
    return max(bounds)


def magnitude(node: Node, params: Mapping[str, Any]) -> float:
    """An upper bound of |value| over every case: the interval arithmetic of the term."""
    if isinstance(node, Literal):
        return abs(node.value) if isinstance(node.value, (int, float)) and not isinstance(node.value, bool) else 0
    if isinstance(node, ParamRef):
        value = params[node.name]
        return abs(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0
    if isinstance(node, FactRef):
        return fact_limit(node.path)
    if isinstance(node, Arith):
        left, right = magnitude(node.left, params), magnitude(node.right, params)
        return left * right if node.op == "*" else left + right
    if isinstance(node, Call):
        return CALL_LIMITS.get(node.function, MAX_EXACT_INT)
    return 0


def _arith_terms(node: Node) -> Iterable[Node]:
    if isinstance(node, (Arith, Call)):
        yield node
    for child in _children(node):
        yield from _arith_terms(child)


def _children(node: Node) -> tuple:
    if isinstance(node, (And, Or)):
        return node.items
    if isinstance(node, Not):
        return (node.item,)
    if isinstance(node, (Compare, Arith)):
        return (node.left, node.right)
    if isinstance(node, In):
        return (node.left,)
    if isinstance(node, Call):
        return tuple(node.args)
    return ()


def check_condition(node: Node, params: Mapping[str, Any]) -> Cost:
    """Refuse (ConditionTooComplex) what durable-rules could not run or compare exactly.

    Returns the cost of the criterion. Called once per criterion and distinct parameter values."""
    for term in _arith_terms(node):
        if magnitude(term, params) > MAX_EXACT_INT:
            raise ConditionTooComplex(
                f"calcul « {term.text()} » : sa valeur peut dépasser 2**53 ({MAX_EXACT_INT}), que "
                "durable-rules ne compare plus exactement ; bornez-le ou reformulez la condition"
            )
    tri = Compiler(FieldNames(), params).compile(node)
    for _outcome, formula in rule_formulas(tri):
        for conjunction in formula:
            conjunction_json(conjunction)
    result = cost(tri)
    if result.rules > MAX_RULES_PER_RULESET or result.fired > MAX_FIRED_RULES:
        raise ConditionTooComplex(
            f"condition trop complexe pour durable-rules ({result.rules} règles dont {result.fired} "
            f"peuvent s'appliquer ensemble ; au plus {MAX_RULES_PER_RULESET} et {MAX_FIRED_RULES})"
        )
    if len(result.fields) + 2 > MAX_MESSAGE_FIELDS:
        raise ConditionTooComplex(
            f"trop de faits et de calculs distincts pour durable-rules "
            f"({len(result.fields)}, au plus {MAX_MESSAGE_FIELDS - 2} par critère)"
        )
    return result


# -- what one funder's rules in force compile to, as plain data ---------------------------------

# A blueprint: everything the adapter registers and reads for one funder's rules in force, as plain
# values that the ruleset cache can keep (its restricted unpickler builds only tuples, strings,
# numbers, dates and condition nodes). Computed from the ActiveRules alone, and the same for every
# ActiveRules of one `key` (funder, variant, version, criteria and their conditions, parameter values).
#   (chunks, facts, terms, rules, by_truth) with
#   chunks: ((definition as the JSON text durable-rules parses, message fields its rules read, rules), ...)
#   facts: ((fact path, field name), ...)
#   terms: ((field name, term node, its parameters), ...)
#   rules: ((funder id, criterion key, outcome), ...): rule `r<i>` is the i-th
#   by_truth: ((funder id, (criterion keys compiled as "false" and "true" rules, ...)), ...)
Blueprint = tuple


class OutOfLimits(ValueError):
    """A criterion beyond durable-rules' limits (refused at load time: reaching here is a bug)."""


def blueprint(actives: Iterable[Any]) -> Blueprint:
    """Compile the criteria of `actives` (ActiveRules) into durable rulesets within the limits."""
    names = FieldNames()
    by_truth: dict[str, list[str]] = {}
    rules: list[tuple[str, str, Optional[bool]]] = []
    chunks: list[tuple[dict, set[str]]] = []  # (definition, fields)
    fired = 0
    for active in actives:
        compiler = Compiler(names, active.param_values())
        for criterion in active.criteria:
            tri = compiler.compile(criterion.condition)
            need = cost(tri)
            if (
                need.fired > MAX_FIRED_RULES
                or need.rules > MAX_RULES_PER_RULESET
                or len(need.fields) + 2 > MAX_MESSAGE_FIELDS
            ):
                raise OutOfLimits(f"{active.funder.id}/{criterion.key}")
            if (
                not chunks
                or fired + need.fired > MAX_FIRED_RULES
                or len(chunks[-1][0]) + need.rules > MAX_RULES_PER_RULESET
                or len(chunks[-1][1] | need.fields) + 2 > MAX_MESSAGE_FIELDS
            ):
                chunks.append(({}, set()))
                fired = 0
            definition, fields = chunks[-1]
            fired += need.fired
            fields |= need.fields
            formulas = rule_formulas(tri)
            if formulas[1][0] is True:
                by_truth.setdefault(active.funder.id, []).append(criterion.key)
            for outcome, formula in formulas:
                for conjunction in formula:
                    definition[f"r{len(rules)}"] = {"all": [{"m": conjunction_json(conjunction)}]}
                    rules.append((active.funder.id, criterion.key, outcome))
    texts = tuple(
        (json.dumps(definition, ensure_ascii=False), tuple(sorted(fields)), len(definition))
        for definition, fields in chunks
        if definition
    )
    return (
        texts,
        tuple(names.facts.items()),
        tuple(names.terms.values()),
        tuple(rules),
        tuple((funder, tuple(keys)) for funder, keys in by_truth.items()),
    )
