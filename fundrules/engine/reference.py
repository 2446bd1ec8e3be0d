"""The plain-Python reference backend: evaluates compiled criteria directly in Kleene logic.

It defines the meaning the durable-rules backend must reproduce, and is used when
durable-rules cannot be imported.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..conditions.ast import FactRef, Not
from ..conditions.kleene import compile_condition, fact_compared
from ..rulesets.catalog import ActiveRules
from .backend import Outcomes


class PythonBackend(Outcomes):
    """The reference backend (a `Backend`): holds no state, so one may serve every thread."""

    name = "python"

    def check(self, catalog: Any, plan_rules: Any = ()) -> None:
        """Every rule the loader accepts runs here: nothing more to refuse."""

    def __init__(self) -> None:
        # each rules' program (`program`), built on first use for the ActiveRules of this Engine's
        # catalog (one per funder and stretch of days met): bounded, dropped with the Engine
        self._programs: dict[ActiveRules, tuple[tuple, tuple, tuple, tuple]] = {}

    def close(self) -> None:
        """Forget the programs built."""
        self._programs.clear()

    def run_coded(self, actives: Sequence[ActiveRules], facts: Mapping[str, Any]) -> list[int]:
        """Per rules, in order, the outcomes of their criteria as one number: a bit per criterion
        failing, another per criterion unknown (`outcomes_of` reads it). The engine keys its
        decisions by it; no mapping is built for a pattern of outcomes already decided."""
        codes = []
        get = facts.get
        programs = self._programs
        for active in actives:
            code = 0
            found = programs.get(active)
            if found is None:
                if len(programs) >= PROGRAMS_SIZE:
                    programs.clear()
                found = programs[active] = program(active)
            plain, negated, compared, compiled = found
            for path, fails, unknown in plain:  # a boolean fact: holds when true
                value = get(path)
                if value is not True:
                    code |= fails if value is False else unknown
            for path, fails, unknown in negated:  # `not fact`: holds when false
                value = get(path)
                if value is not False:
                    code |= fails if value is True else unknown
            for path, op, constant, fails, unknown in compared:  # `fact <op> constant`
                value = get(path)
                if value is None:
                    code |= unknown
                elif not op(value, constant):
                    code |= fails
            for holds, fails, unknown in compiled:
                value = holds(facts, None)
                if value is not True:
                    code |= fails if value is False else unknown
            codes.append(code)
        return codes


PROGRAMS_SIZE = 4_096  # the bundled rulesets have 108 ActiveRules over all dates and regions


def program(active: ActiveRules) -> tuple[tuple, tuple, tuple, tuple]:
    """What the reference backend runs for every case of the stretch of days: per criterion the
    bits that say "fails" and "unknown" in a number naming the outcomes of all the criteria, with
    (1) a fact named alone, read directly; (2) `not fact`, likewise; (3) `fact <op> constant`
    (literal or parameter), compared directly; (4) any other condition, compiled with this date's
    parameter values fixed. The order does not change the number."""
    params = active.param_values()
    facts, negated, compared, compiled = [], [], [], []
    for c, (_key, *bits) in zip(active.criteria, active.bits, strict=True):
        if isinstance(c.condition, FactRef):
            facts.append((c.condition.path, *bits))
        elif isinstance(c.condition, Not) and isinstance(c.condition.item, FactRef):
            negated.append((c.condition.item.path, *bits))
        elif (leaf := fact_compared(c.condition, params)) is not None:
            compared.append((*leaf, *bits))
        else:
            compiled.append((compile_condition(c.condition, params), *bits))
    return tuple(facts), tuple(negated), tuple(compared), tuple(compiled)
