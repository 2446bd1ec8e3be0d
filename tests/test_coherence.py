"""Parts of one answer agree (issue 22), checked over the WHOLE library and the examples, and on the
six situations of the issue (library cases written from the rules):

- pay tied to a course (`income.paired_with`: the pay during a CIF, during a PTP) is never more
  favourable than that course, in the evaluation and in every plan's income;
- no two identical plans; a remaining cost of 0 EUR on a funder "à vérifier" says "si … accepte";
- a request still being decided ("en cours") is a fact to collect, never a blocker;
- a funder "à vérifier" says the gap already known (15 months of seniority where 24 are required)."""

from __future__ import annotations

import datetime as dt

import pytest

from fundrules import load_case
from fundrules.coherence import PENDING_VALUES, cohere, paired_courses
from fundrules.library import find_case_files, load_library_case
from fundrules.plan.planner import make_plan
from fundrules.report.plan import plan_summary
from fundrules.report.synthesis import render_synthesis, synthesis_of

from .conftest import EXAMPLES, ROOT

LIBRARY = sorted(find_case_files([ROOT / "cases"]))
RANK = {"blocked": 0, "a_verifier": 1, "eligible": 2}
SIX = ROOT / "cases"


@pytest.fixture(scope="module")
def answers(python_engine):
    cases = [(p, load_case(p), None) for p in sorted(EXAMPLES.glob("*.yaml"))]
    cases += [(p, c.case, c.meeting.date) for p in LIBRARY for c in [load_library_case(p)]]
    out = []
    for path, case, day in cases:
        evaluation = python_engine.evaluate(case, day)
        out.append((path, evaluation, make_plan(python_engine, case, day, evaluation)))
    assert len(out) >= 50
    return out


def test_pay_is_never_more_favourable_than_its_course(python_engine, answers):
    checked = 0
    for path, evaluation, plan in answers:
        by_id = {r.funder: r for r in evaluation.results}
        for r in evaluation.results:
            courses = [by_id[c] for c in paired_courses(python_engine.catalog, r.funder) if c in by_id]
            courses = [c for c in courses if c.status != "not_in_force"]
            if r.status not in RANK or not courses:
                continue
            checked += 1
            assert RANK[r.status] <= max(RANK[c.status] for c in courses), (path, r.funder, r.status)
        # check and plan agree: the plan's income says what the evaluation says, scheme by scheme
        statuses = {r.funder: r.status for r in evaluation.results}
        for entries in [plan.income, *(p.income for p in plan.plans)]:
            for e in entries:
                if e.id != "aucune":
                    assert e.status == statuses[e.id], (path, e.id)
    assert checked >= 20  # the CIF's and the PTP's pay, in force, across the library


def test_no_two_identical_plans(answers):
    for path, _, plan in answers:
        keys = [tuple((s.funder, s.amount, s.holder_share) for s in p.steps) for p in plan.plans]
        assert len(keys) == len(set(keys)), path


def test_a_covered_cost_on_funders_still_to_check_is_conditional(answers):
    seen = 0
    for path, _, plan in answers:
        for p in plan.plans:
            unsure = [s for s in p.steps if s.status != "eligible" and s.amount]
            if p.remaining is not None and p.remaining <= 0 and unsure:
                seen += 1
                summary = plan_summary(p)
                assert "reste à financer : 0 EUR si " in summary and "accepte" in summary, (path, summary)
    assert seen >= 1


def test_a_pending_answer_is_never_a_blocker(answers):
    for path, evaluation, _ in answers:
        for r in evaluation.results:
            for b in r.blockers:
                seen = [v for v in b.observed.values() if v is not None]
                assert not (seen and all(v in PENDING_VALUES for v in seen)), (path, r.funder, b.criterion)


def test_cohere_is_idempotent_and_pure(python_engine, answers):
    for _, evaluation, _ in answers[:20]:
        before = [r.model_dump() for r in evaluation.results]
        again = cohere(list(evaluation.results), python_engine.catalog)
        assert [r.model_dump() for r in again] == before
        assert [r.model_dump() for r in evaluation.results] == before


# --- the six situations of issue 22 ---------------------------------------------------------------


def _library(relative):
    case = load_library_case(SIX / relative)
    return case.case, case.meeting.date


def test_nursing_trainee_pay_of_a_blocked_cif_is_blocked(python_engine):
    """The CIF lasts at most 12 months full time (former L6322-12); a 34-month school blocks it,
    so its pay is blocked too, and the income line says there is nothing to live on."""
    case, day = _library("etude-territorialisee/2018-T1/infirmiere-sans-ressources-2018.yaml")
    evaluation, plan, amounts = synthesis_of(python_engine, case, day)
    assert evaluation.result("cif").status == "blocked"
    pay = evaluation.result("maintien_cif")
    assert pay.status == "blocked" and pay.blockers[0].criterion == "formation_liee"
    assert all(e.id != "maintien_cif" for e in plan.income)
    text = render_synthesis(evaluation, plan, amounts, width=80)
    assert "POUR VIVRE PENDANT LA FORMATION : aucune ressource identifiée" in text


def test_cif_after_15_months_says_the_gap_already_known(python_engine):
    """CIF-CDI: 24 months of salaried work unless re-hired after an economic dismissal. With the
    dismissal unknown the CIF is "à vérifier", and the answer still says 15 < 24."""
    case, day = _library("etude-territorialisee/2018-T1/cif-quinze-mois.yaml")
    unknown_dismissal = case.model_copy(
        update={"beneficiaire": case.beneficiaire.model_copy(update={"licenciement_economique": None})}
    )
    cif = python_engine.evaluate(unknown_dismissal, day).result("cif")
    assert cif.status == "a_verifier"
    gap = [n for n in cif.notices if "CIF-CDI" in n]
    assert gap and "15 mois" in gap[0] and "24" in gap[0] and "licencié pour motif économique" in gap[0]
    evaluation, plan, amounts = synthesis_of(python_engine, unknown_dismissal, day)
    assert "15 mois : il en faut 24" in render_synthesis(evaluation, plan, amounts, width=80).replace("\n  ", " ")
    # with the dismissal known (no), the CIF is blocked on that very criterion
    assert python_engine.evaluate(case, day).result("cif").status == "blocked"


def test_disabled_job_seeker_actions_are_only_of_funders_for_him(python_engine):
    case, day = _library("etude-territorialisee/2018-T2/demandeur-boeth-cap-emploi.yaml")
    evaluation, plan, amounts = synthesis_of(python_engine, case, day)
    text = render_synthesis(evaluation, plan, amounts, width=80)
    assert evaluation.result("agefiph").status != "blocked" and evaluation.result("aref").status == "eligible"
    assert "CSP" not in text.split("PROCHAINES ACTIONS", 1)[1].split("À RECUEILLIR", 1)[0]
    assert evaluation.result("cif").in_scope is False  # a job seeker, employed by nobody
    assert "Hors public (" in text and "CIF" in text.split("Hors public (", 1)[1]


def test_young_person_without_registration_has_no_aif(python_engine):
    case, day = _library("etude-territorialisee/2018-T2/jeune-dix-neuf-ans-mission-locale.yaml")
    evaluation = python_engine.evaluate(case, day)
    assert evaluation.result("aif").status == "blocked"
    assert evaluation.result("prf").status in ("eligible", "a_verifier")


def test_light_licence_2026_shows_what_the_cpf_covers_and_a_conditional_plan(python_engine):
    """A job seeker keeps the CPF for a light-vehicle licence (loi de finances pour 2026), but an
    empty balance covers nothing: said beside the status; the PRF's plan holds only if it accepts."""
    case, day = _library("24/2026-T4/permis-b-demandeur-2026.yaml")
    evaluation, plan, amounts = synthesis_of(python_engine, case, day)
    assert evaluation.result("cpf").status == "eligible"
    text = render_synthesis(evaluation, plan, amounts, width=80)
    assert "CPF : éligible — couvre 0 EUR sur 1\u202f600 EUR" in text
    planned = render_synthesis(evaluation, plan, amounts, width=80, plans_first=True)
    assert "reste à financer : 0 EUR si PRF accepte" in planned.replace("\n    ", " ")
    assert len({tuple(s.funder for s in p.steps) for p in plan.plans}) == len(plan.plans)


def test_resignation_2026_pending_attestation_is_to_collect(python_engine):
    case, day = _library("24/2026-T4/demission-reconversion-2026.yaml")
    result = python_engine.evaluate(case, day).result("demission_reconversion")
    assert result.status == "a_verifier"
    assert all("attestation" not in b.criterion for b in result.blockers)
    assert "beneficiaire.attestation_projet_reconversion" in result.missing_facts
    assert any("en cours" in n for n in result.notices)


def test_today_is_a_normal_date(python_engine):
    case, _ = _library("24/2026-T4/demission-reconversion-2026.yaml")
    evaluation, plan, amounts = synthesis_of(python_engine, case, dt.date(2026, 12, 5))
    text = render_synthesis(evaluation, plan, amounts, width=80)
    assert sum(1 for line in text.splitlines() if line.startswith("Attention")) <= 1
