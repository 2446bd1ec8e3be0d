"""Resolves names to facts or parameters and checks types before any rule runs.

A date compared to a number, an unknown fact or an enum value that does not exist is a
ruleset error found at load time, with a suggestion, never a silent "false" at run time.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Mapping

from ..errors import InputError
from ..facts import BOOL, DATE, FACTS, NUMBER, STRING
from .ast import And, Arith, Call, Compare, FactRef, In, Literal, Name, Node, Not, Or, ParamRef

# name -> (argument types, result type)
FUNCTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "days_between": ((DATE, DATE), NUMBER),
    "months_between": ((DATE, DATE), NUMBER),
    "years_between": ((DATE, DATE), NUMBER),
}

TYPE_NAMES = {BOOL: "booléen", NUMBER: "nombre", DATE: "date", STRING: "texte"}


class ConditionTypeError(InputError):
    pass


def literal_type(value) -> str:
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, (int, float)):
        return NUMBER
    if isinstance(value, dt.date):
        return DATE
    return STRING


def _suggest(name: str, candidates) -> str:
    guess = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f" — vouliez-vous dire {guess[0]} ?" if guess else ""


class _Checker:
    def __init__(self, params: Mapping[str, str], extra_facts: Mapping[str, str] | None = None):
        self.params = params  # parameter name -> value type
        self.extra_facts = extra_facts or {}  # facts produced by an earlier stage (plan rules)

    def resolve(self, node: Name) -> tuple[Node, str]:
        if node.name in FACTS:
            return FactRef(node.name), FACTS[node.name].value_type
        if node.name in self.extra_facts:
            return FactRef(node.name), self.extra_facts[node.name]
        if node.name in self.params:
            return ParamRef(node.name), self.params[node.name]
        known = list(FACTS) + list(self.extra_facts) + list(self.params)
        kind = "fait" if "." in node.name else "fait ou paramètre"
        raise ConditionTypeError(f"{kind} inconnu « {node.name} »{_suggest(node.name, known)}")

    def check(self, node: Node) -> tuple[Node, str]:
        if isinstance(node, Literal):
            return node, literal_type(node.value)
        if isinstance(node, Name):
            return self.resolve(node)
        if isinstance(node, (FactRef, ParamRef)):
            return self.check(Name(node.path if isinstance(node, FactRef) else node.name))
        if isinstance(node, Call):
            if node.function not in FUNCTIONS:
                raise ConditionTypeError(f"fonction inconnue {node.function}(){_suggest(node.function, FUNCTIONS)}")
            arg_types, result = FUNCTIONS[node.function]
            if len(node.args) != len(arg_types):
                raise ConditionTypeError(f"{node.function}() prend {len(arg_types)} arguments")
            args = []
            for arg, expected in zip(node.args, arg_types, strict=False):
                arg, got = self.check(arg)
                if got != expected:
                    raise ConditionTypeError(
                        f"{node.function}() attend des {TYPE_NAMES[expected]}s, reçu {TYPE_NAMES[got]} ({arg.text()})"
                    )
                args.append(arg)
            return Call(node.function, tuple(args), node.column), result
        if isinstance(node, Arith):
            left, lt = self.check(node.left)
            right, rt = self.check(node.right)
            if lt != NUMBER or rt != NUMBER:
                raise ConditionTypeError(
                    f"« {node.op} » s'applique à des nombres : {left.text()} est {TYPE_NAMES[lt]}, "
                    f"{right.text()} est {TYPE_NAMES[rt]}"
                )
            return Arith(node.op, left, right), NUMBER
        if isinstance(node, Compare):
            left, lt = self.check(node.left)
            right, rt = self.check(node.right)
            if lt != rt:
                raise ConditionTypeError(
                    f"comparaison impossible entre {left.text()} ({TYPE_NAMES[lt]}) et "
                    f"{right.text()} ({TYPE_NAMES[rt]})"
                )
            if node.op not in ("==", "!=") and lt not in (NUMBER, DATE):
                raise ConditionTypeError(f"« {node.op} » compare des nombres ou des dates, pas des {TYPE_NAMES[lt]}s")
            self.check_enum(left, right)
            self.check_enum(right, left)
            return Compare(node.op, left, right, node.column), BOOL
        if isinstance(node, In):
            left, lt = self.check(node.left)
            for item in node.items:
                it = literal_type(item.value)
                if it != lt:
                    raise ConditionTypeError(
                        f"liste de {left.text()} : {item.text()} est {TYPE_NAMES[it]}, {TYPE_NAMES[lt]} attendu"
                    )
                self.check_enum(left, item)
            return In(left, node.items, node.column), BOOL
        if isinstance(node, Not):
            operand = self.boolean(node.item)
            return Not(operand), BOOL
        if isinstance(node, (And, Or)):
            return type(node)(tuple(self.boolean(i) for i in node.items)), BOOL
        raise ConditionTypeError(f"élément de condition inattendu {node!r}")

    def boolean(self, node: Node) -> Node:
        node, t = self.check(node)
        if t != BOOL:
            raise ConditionTypeError(f"{node.text()} est {TYPE_NAMES[t]}, une condition vraie/fausse est attendue")
        return node

    @staticmethod
    def check_enum(fact: Node, other: Node) -> None:
        if isinstance(fact, FactRef) and isinstance(other, Literal) and fact.path in FACTS:
            choices = FACTS[fact.path].choices
            if choices and other.value not in choices:
                raise ConditionTypeError(
                    f"valeur {other.text()} impossible pour {fact.path} (valeurs : {', '.join(choices)})"
                    f"{_suggest(str(other.value), choices)}"
                )


def check(node: Node, params: Mapping[str, str], extra_facts: Mapping[str, str] | None = None) -> Node:
    """Return the resolved tree of a boolean condition, or raise ConditionTypeError."""
    return _Checker(params, extra_facts).boolean(node)


def check_number(node: Node, params: Mapping[str, str]) -> Node:
    """Return the resolved tree of a numeric expression (an amount), or raise ConditionTypeError."""
    node, kind = _Checker(params).check(node)
    if kind != NUMBER:
        raise ConditionTypeError(f"{node.text()} est {TYPE_NAMES[kind]}, un montant (nombre) est attendu")
    return node


def walk(node: Node, visit: Callable[[Node], None]) -> None:
    visit(node)
    for child in children(node):
        walk(child, visit)


def children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, (And, Or)):
        return node.items
    if isinstance(node, Not):
        return (node.item,)
    if isinstance(node, (Compare, Arith)):
        return (node.left, node.right)
    if isinstance(node, In):
        return (node.left,) + node.items
    if isinstance(node, Call):
        return node.args
    return ()
