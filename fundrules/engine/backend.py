"""What a backend is: it runs the rules in force on the case's facts and says which criteria hold.

Both backends (the plain-Python reference, durable-rules) give, per funder's rules, one number
naming the outcome of every criterion: a "fails" bit and an "unknown" bit per criterion, in the
rules' file order (`ActiveRules.bits`); a criterion with neither bit set holds. Deciding and
explaining read that number only, so both backends give the same answers whenever they give the
same numbers (the differential tests check it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Optional, Protocol

from ..rulesets.catalog import ActiveRules


class Backend(Protocol):
    name: str  # "python" or "durable": what the answers' provenance names

    def run_coded(self, actives: Sequence[ActiveRules], facts: Mapping[str, Any]) -> list[int]:
        """Per rules, in order, the number naming the outcomes of their criteria."""
        ...

    def check(self, catalog: Any, plan_rules: Any = ()) -> None:
        """Refuse, with file and line, rules this backend could not run (nothing to refuse: pass)."""
        ...

    def close(self) -> None:
        """Release what the backend holds for one Engine."""
        ...


class Outcomes:
    """`run` for a backend that has `run_coded`: the outcomes as mappings (tests, the planner)."""

    def run(self, actives: Sequence[ActiveRules], facts: Mapping[str, Any]) -> dict[str, dict[str, Optional[bool]]]:
        """{funder id: {criterion key: False or None}} for the criteria that do not hold."""
        codes = self.run_coded(actives, facts)  # type: ignore[attr-defined]
        return {active.funder.id: outcomes_of(active, code) for active, code in zip(actives, codes, strict=True)}


def outcomes_of(active: ActiveRules, code: int) -> dict[str, Optional[bool]]:
    """{criterion key: False or None} of the criteria that do not hold, from `run_coded`'s number."""
    return {key: not (code & fails) and None for key, fails, unknown in active.bits if code & (fails | unknown)}


def code_of(active: ActiveRules, outcomes: Mapping[str, Optional[bool]]) -> int:
    """`run_coded`'s number from {criterion key: False or None} (the inverse of `outcomes_of`)."""
    code = 0
    for key, fails, unknown in active.bits:
        if key in outcomes:
            code |= fails if outcomes[key] is False else unknown
    return code
