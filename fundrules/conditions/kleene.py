"""Three-valued (Kleene) evaluation: None is "unknown", decided only when the known part decides.

This is the reference semantics; the durable-rules backend is checked against it.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Optional

from ..derived import days_between, whole_months_between, whole_years_between
from .ast import And, Arith, Call, Compare, FactRef, In, Literal, Node, Not, Or, ParamRef
from .typecheck import walk

COMPARE = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
ARITH = {"+": operator.add, "-": operator.sub, "*": operator.mul}
CALLS = {"days_between": days_between, "months_between": whole_months_between, "years_between": whole_years_between}


def evaluate(node: Node, facts: Mapping[str, Any], params: Mapping[str, Any]) -> Any:
    """Value of a resolved node; None when unknown."""
    if isinstance(node, FactRef):
        return facts.get(node.path)
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, ParamRef):
        return params[node.name]
    if isinstance(node, And):
        unknown = False
        for item in node.items:
            value = evaluate(item, facts, params)
            if value is False:
                return False
            unknown = unknown or value is None
        return None if unknown else True
    if isinstance(node, Or):
        unknown = False
        for item in node.items:
            value = evaluate(item, facts, params)
            if value is True:
                return True
            unknown = unknown or value is None
        return None if unknown else False
    if isinstance(node, Not):
        value = evaluate(node.item, facts, params)
        return None if value is None else not value
    if isinstance(node, Compare):
        left = evaluate(node.left, facts, params)
        right = evaluate(node.right, facts, params)
        if left is None or right is None:
            return None
        return COMPARE[node.op](left, right)
    if isinstance(node, In):
        left = evaluate(node.left, facts, params)
        if left is None:
            return None
        return any(left == item.value for item in node.items)
    if isinstance(node, Arith):
        left = evaluate(node.left, facts, params)
        right = evaluate(node.right, facts, params)
        if left is None or right is None:
            return None
        return ARITH[node.op](left, right)
    if isinstance(node, Call):
        args = [evaluate(a, facts, params) for a in node.args]
        if any(a is None for a in args):
            return None
        return CALLS[node.function](*args)
    raise TypeError(f"unresolved node {node!r}")


def facts_of(node: Node) -> tuple[str, ...]:
    """Fact paths a condition reads, in order of first appearance."""
    seen: dict[str, None] = {}
    walk(node, lambda n: seen.setdefault(n.path, None) if isinstance(n, FactRef) else None)
    return tuple(seen)


def params_of(node: Node) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    walk(node, lambda n: seen.setdefault(n.name, None) if isinstance(n, ParamRef) else None)
    return tuple(seen)


def compile_condition(
    node: Node, bound: Optional[Mapping[str, Any]] = None
) -> Callable[[Mapping[str, Any], Mapping[str, Any]], Any]:
    """The same semantics as `evaluate`, compiled once into closures (no eval: built from the tree).

    With `bound`, the parameters' values are fixed at compile time (the rules in force on a date
    have one value each): the closures then ignore their `params` argument and read no mapping for
    them, the usual `fact <op> parameter` shape becoming `fact <op> constant`."""
    if isinstance(node, FactRef):
        path = node.path
        return lambda facts, params: facts.get(path)
    if _is_constant(node, bound):
        value = _constant(node, bound)
        return lambda facts, params: value
    if isinstance(node, ParamRef):
        name = node.name
        return lambda facts, params: params[name]
    if isinstance(node, (And, Or)):
        return _junction(node.items, bound, decisive=isinstance(node, Or))
    if isinstance(node, Not):
        if isinstance(node.item, FactRef):  # `not fact`: one lookup
            path = node.item.path

            def not_fact(facts, params):
                value = facts.get(path)
                return None if value is None else not value

            return not_fact
        inner = compile_condition(node.item, bound)

        def not_(facts, params):
            value = inner(facts, params)
            return None if value is None else not value

        return not_
    if isinstance(node, (Compare, Arith)):
        return _binary(node, bound)
    if isinstance(node, In):
        values = tuple(item.value for item in node.items)
        if isinstance(node.left, FactRef):  # the usual shape: one lookup, no inner closure
            path = node.left.path

            def fact_in(facts, params):
                value = facts.get(path)
                if value is None:
                    return None
                return value in values  # == on each item, as any(value == v ...)

            return fact_in
        left = compile_condition(node.left, bound)

        def in_(facts, params):
            value = left(facts, params)
            if value is None:
                return None
            return any(value == v for v in values)

        return in_
    if isinstance(node, Call):
        function = CALLS[node.function]
        if len(node.args) == 2 and all(isinstance(a, FactRef) for a in node.args):  # between two dates
            first, second = (a.path for a in node.args)  # type: ignore[union-attr]

            def call_facts(facts, params):
                a = facts.get(first)
                if a is None:
                    return None
                b = facts.get(second)
                if b is None:
                    return None
                return function(a, b)

            return call_facts
        args = [compile_condition(a, bound) for a in node.args]

        def call(facts, params):
            values = [a(facts, params) for a in args]
            if any(v is None for v in values):
                return None
            return function(*values)

        return call
    raise TypeError(f"unresolved node {node!r}")


def _junction(items: Sequence[Node], bound: Optional[Mapping[str, Any]], decisive: bool):
    """`and` (an item false decides: `decisive` False) or `or` (an item true decides) in Kleene logic:
    the decisive value if an item has it, else unknown if an item is unknown, else the other value.
    Facts named alone (booleans) and `fact <op> constant` are read in the loop, without a closure,
    before the other items: the result does not depend on the order of items without side effects."""
    paths, compared, others = _split_items(items, bound)

    def junction(facts, params):
        unknown = False
        for path in paths:
            value = facts.get(path)
            if value is decisive:
                return decisive
            if value is None:
                unknown = True
        for path, op, constant in compared:
            value = facts.get(path)
            if value is None:
                unknown = True
            elif op(value, constant) == decisive:
                return decisive
        for item in others:
            value = item(facts, params)
            if value is decisive:
                return decisive
            if value is None:
                unknown = True
        return None if unknown else not decisive

    return junction


def fact_compared(
    node: Node, bound: Optional[Mapping[str, Any]]
) -> Optional[tuple[str, Callable[[Any, Any], bool], Any]]:
    """(fact path, comparison, constant) when `node` compares a fact with a literal or a fixed
    parameter (not null): the shape most conditions have, which a loop can read without a closure.
    Its Kleene value: unknown when the fact is, else the comparison. None for any other shape."""
    if not (isinstance(node, Compare) and isinstance(node.left, FactRef)):
        return None
    if not _is_constant(node.right, bound):
        return None
    constant = _constant(node.right, bound)
    if constant is None:
        return None
    return node.left.path, COMPARE[node.op], constant


def _split_items(
    items: Sequence[Node], bound: Optional[Mapping[str, Any]]
) -> tuple[tuple[str, ...], tuple[tuple[str, Callable[[Any, Any], bool], Any], ...], tuple[Callable, ...]]:
    """The items of an and/or as facts named alone, fact-constant comparisons, and other closures."""
    paths, compared, others = [], [], []
    for item in items:
        leaf = fact_compared(item, bound)
        if isinstance(item, FactRef):
            paths.append(item.path)
        elif leaf is not None:
            compared.append(leaf)
        else:
            others.append(compile_condition(item, bound))
    return tuple(paths), tuple(compared), tuple(others)


def _constant(node: Node, bound: Optional[Mapping[str, Any]]) -> Any:
    """The value of a literal, or of a parameter whose value is fixed (`bound`)."""
    if isinstance(node, Literal):
        return node.value
    assert isinstance(node, ParamRef) and bound is not None
    return bound[node.name]


def _binary(node: Compare | Arith, bound: Optional[Mapping[str, Any]]):
    """A comparison or an arithmetic term: unknown when a side is. A fact, or any term, against a
    constant (the usual shapes) reads no closure for the constant nor, for a fact, for the fact."""
    op = COMPARE[node.op] if isinstance(node, Compare) else ARITH[node.op]
    left, right = node.left, node.right
    if _is_constant(right, bound) and (constant := _constant(right, bound)) is not None:
        if isinstance(left, FactRef):
            path = left.path

            def fact_constant(facts, params):
                a = facts.get(path)
                if a is None:
                    return None
                return op(a, constant)

            return fact_constant
        term = compile_condition(left, bound)

        def against_constant(facts, params):
            a = term(facts, params)
            if a is None:
                return None
            return op(a, constant)

        return against_constant
    if isinstance(left, FactRef) and isinstance(right, ParamRef):  # parameters not fixed (`bound` None)
        path, name = left.path, right.name

        def fact_param(facts, params):
            a = facts.get(path)
            if a is None:
                return None
            b = params[name]
            if b is None:
                return None
            return op(a, b)

        return fact_param
    first, second = compile_condition(left, bound), compile_condition(right, bound)

    def binary(facts, params):
        a = first(facts, params)
        if a is None:
            return None
        b = second(facts, params)
        if b is None:
            return None
        return op(a, b)

    return binary


def _is_constant(node: Node, bound: Optional[Mapping[str, Any]]) -> bool:
    """A literal, or a parameter whose value is fixed (`bound`)."""
    return isinstance(node, Literal) or (bound is not None and isinstance(node, ParamRef))
