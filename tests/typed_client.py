"""A small application embedding fundrules, checked by `mypy --strict` in tests/test_contract.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from fundrules import CaseInput, Engine, Evaluation, FunderResult, Plan, Provenance, TraceEntry, load_case

EXAMPLE = Path(__file__).resolve().parents[1] / "cases" / "examples" / "salarie-cdi-2019.yaml"


def eligible(evaluation: Evaluation) -> list[FunderResult]:
    return [r for r in evaluation.results if r.status == "eligible"]


def main() -> None:
    engine = Engine(backend="python")
    case: CaseInput = load_case(EXAMPLE)
    age: int | None = case.beneficiaire.age
    start: dt.date | None = case.projet.date_debut
    evaluation = engine.evaluate(case, explain=True)
    provenance: Provenance = evaluation.provenance
    plan: Plan = engine.plan(case)
    for result in eligible(evaluation):
        trace: Sequence[TraceEntry] = result.trace or ()
        print(result.funder, result.status, len(trace), age, start)
    print(provenance.backend, len(plan.plans))


if __name__ == "__main__":
    main()
