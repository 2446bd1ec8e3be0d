"""The plain-Python reference backend: evaluates compiled criteria directly in Kleene logic.

It defines the meaning the durable-rules backend must reproduce, and is used when
durable-rules cannot be imported.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Optional

from ..rulesets.catalog import ActiveRules


class PythonBackend:
    name = "python"

    def run(self, actives: Sequence[ActiveRules], facts: Mapping[str, Any]) -> dict[str, dict[str, Optional[bool]]]:
        """{funder id: {criterion key: False or None}} for criteria that do not hold."""
        return {
            active.funder.id: outcomes_of(active, code)
            for active, code in zip(actives, self.run_coded(actives, facts), strict=True)
        }

    def run_coded(self, actives: Sequence[ActiveRules], facts: Mapping[str, Any]) -> list[int]:
        """Per rules, in order, the outcomes of their criteria as one number: a bit per criterion
        failing, another per criterion unknown (`outcomes_of` reads it). The engine keys its
        decisions by it; no mapping is built for a pattern of outcomes already decided."""
        codes = []
        get = facts.get
        for active in actives:
            code = 0
            plain, negated, compared, compiled = active.program
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


def outcomes_of(active: ActiveRules, code: int) -> dict[str, Optional[bool]]:
    """{criterion key: False or None} of the criteria that do not hold, from `run_coded`'s number."""
    return {key: not (code & fails) and None for key, fails, unknown in active.bits if code & (fails | unknown)}
