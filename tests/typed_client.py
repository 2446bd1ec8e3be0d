"""A small application embedding fundrules, checked by `mypy --strict` without the pydantic plugin (and
by pyright when it runs here) in tests/test_contract.py: what a case-management vendor's code sees."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import assert_never

from fundrules import CaseInput, Engine, Evaluation, FunderResult, Plan, Provenance, TraceEntry, load_case
from fundrules.case_model import Beneficiaire, Projet
from fundrules.plan.model import IncomeEntry, PlanStep

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "cases" / "examples" / "salarie-cdi-2019.yaml"
LIBRARY_CASE = ROOT / "cases" / "24" / "2024-T3" / "promesse-cdd-huit-mois-poei-elargie.yaml"


def eligible(evaluation: Evaluation) -> list[FunderResult]:
    return [r for r in evaluation.results if r.status == "eligible"]


def built_by_the_application() -> CaseInput:
    """A case built in code: every fact left out is optional (Field(default=None, ...))."""
    return CaseInput(
        date_demande=dt.date(2024, 7, 15),
        beneficiaire=Beneficiaire(statut="demandeur_emploi", inscrit_pole_emploi=True, age=30),
        projet=Projet(duree_heures=120, date_debut=dt.date(2024, 10, 7)),
    )


def step_label(step: PlanStep) -> str:
    if step.status == "eligible":
        return "éligible"
    if step.status == "a_verifier":
        return "à vérifier"
    assert_never(step.status)  # a closed set: a new status would be a type error here


def income_label(entry: IncomeEntry) -> str:
    if entry.status == "eligible":
        return "éligible"
    if entry.status == "a_verifier":
        return "à vérifier"
    if entry.status == "aucune":
        return "aucune"
    assert_never(entry.status)


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
    built = engine.plan(built_by_the_application())
    labels = [step_label(step) for funding in built.plans for step in funding.steps]
    labels += [income_label(entry) for entry in built.income]
    library: CaseInput = load_case(LIBRARY_CASE)  # a library file, as `fundrules check` reads it
    print(len(labels), library.projet.duree_heures)


if __name__ == "__main__":
    main()
