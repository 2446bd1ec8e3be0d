"""The compact outcome of one case, returned before any explanation is written.

Batch callers (replays, statistics, services that only need statuses) read per funder its status,
the criteria that block, the facts to collect and whether the person is in scope; building the
French texts and the pydantic models of the full `Evaluation` costs most of an answer, so it is done
by `CaseOutcome.explained()`, once, on demand, byte for byte what `Engine.evaluate` returns.
(`Outcome` already names a criterion's holds/fails/unknown in `results`: hence these names.)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Optional, Protocol

from ..results import Evaluation
from .decide import FunderOutcome

__all__ = ["CaseOutcome", "Explainer", "FunderOutcome"]


class Explainer(Protocol):
    """What writes an outcome's explanation (an Engine: `Engine.explain`)."""

    def explain(self, outcome: CaseOutcome, explain: bool = False) -> Evaluation: ...


class CaseOutcome:
    """Every funder's compact answer for one case on one date, in funder id order."""

    __slots__ = ("as_of", "date_demande", "funders", "_engine", "_facts", "_derived", "_operator", "_explained")

    def __init__(
        self,
        engine: Explainer,
        as_of: dt.date,
        date_demande: Optional[dt.date],
        funders: tuple[FunderOutcome, ...],
        facts: Mapping[str, Any],
        derived: list[dict[str, Any]],
        operator: Optional[str],
    ):
        self.as_of = as_of
        self.date_demande = date_demande
        self.funders = funders
        self._engine = engine
        self._facts = facts
        self._derived = derived
        self._operator = operator
        self._explained: dict[bool, Evaluation] = {}

    def result(self, funder: str) -> FunderOutcome:
        """The compact answer of one funder; KeyError when the catalog has no such funder."""
        for f in self.funders:
            if f.funder == funder:
                return f
        raise KeyError(funder)

    def statuses(self) -> dict[str, str]:
        """{funder id: status}."""
        return {f.funder: f.status for f in self.funders}

    def explained(self, explain: bool = False) -> Evaluation:
        """The full Evaluation (with each criterion's trace when `explain`), built on first call and
        kept: exactly what `Engine.evaluate(case, as_of, explain)` returns."""
        evaluation = self._explained.get(explain)
        if evaluation is None:
            evaluation = self._explained[explain] = self._engine.explain(self, explain)
        return evaluation

    @property
    def evaluation(self) -> Evaluation:
        """`explained()` without traces."""
        return self.explained()
