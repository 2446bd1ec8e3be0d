"""The guided intake (fundrules.intake): which facts it asks, in which order, and that answering its
questions from a library case's own facts reaches that case's statuses."""

from __future__ import annotations

import datetime as dt
import statistics

import pytest

from fundrules import Engine
from fundrules.fact_questions import QUESTIONS
from fundrules.facts import FACTS
from fundrules.intake import TRIAGE, next_questions
from fundrules.intake.measure import run_intake
from fundrules.intake.rank import with_fact
from fundrules.library import CaseFiles


@pytest.fixture(scope="module")
def engine():
    return Engine(backend="python")


def _facts_read(engine) -> set[str]:
    read = set()
    for funder in engine.catalog.funders.values():
        if funder.variant_by:
            read.add(funder.variant_by)
        for track in funder.variants.values() if funder.variant_by else [None]:
            for version in funder.versions_of(track):
                for criterion in version.criteria:
                    read.update(criterion.facts)
    return read


def test_every_fact_a_rule_reads_has_a_question(engine):
    missing = sorted((_facts_read(engine) | set(TRIAGE) | {"date_demande"}) - set(QUESTIONS))
    assert missing == []
    assert sorted(set(QUESTIONS) - set(FACTS)) == []  # no question for a fact the vocabulary lost


def test_every_choice_has_a_french_label():
    for path, fact in FACTS.items():
        if fact.kind == "enum":
            labels = QUESTIONS[path].labels
            assert sorted(labels) == sorted(fact.choices), path
            assert all(label and label != "" for label in labels.values())


def test_questions_end_with_a_question_mark():
    for path, asked in QUESTIONS.items():
        assert asked.text.endswith(" ?"), path


def test_without_a_date_the_date_is_asked_first(engine):
    questions = next_questions(engine, {"beneficiaire": {"statut": "salarie"}}).questions
    assert [q.fact for q in questions] == ["date_demande"]
    assert next_questions(engine, {}, as_of=dt.date(2018, 3, 12)).questions[0].fact != "date_demande"


JOB_SEEKER = {"date_demande": "2018-03-12", "beneficiaire": {"statut": "demandeur_emploi"}}


def test_triage_first_and_registration_decides_the_aif(engine):
    questions = next_questions(engine, JOB_SEEKER).questions
    facts = [q.fact for q in questions]
    triage = [f for f in facts if f in TRIAGE]
    assert facts[: len(triage)] == triage  # triage facts first, in TRIAGE order
    assert triage == [f for f in TRIAGE if f in triage]
    first = questions[0]
    assert first.fact == "beneficiaire.inscrit_pole_emploi"
    assert "aif" in first.funders  # the AIF is for registered job seekers (its scope criterion)
    assert first.type == "bool" and [c.label for c in first.choices] == ["oui", "non"]
    assert first.question.startswith("La personne est-elle inscrite")
    # answering "non" puts the AIF out of its public: it is no longer open
    after = next_questions(
        engine, {**JOB_SEEKER, "beneficiaire": {**JOB_SEEKER["beneficiaire"], "inscrit_pole_emploi": False}}
    )
    assert "aif" not in after.open_funders
    assert "beneficiaire.inscrit_pole_emploi" not in [q.fact for q in after.questions]


def test_each_question_is_pending_for_the_funders_it_names(engine):
    answer = next_questions(engine, JOB_SEEKER)
    evaluation = engine.evaluate(JOB_SEEKER)
    for q in answer.questions:
        if q.fact == "operateur":
            continue  # changes who can mobilise a funder, not a status
        assert q.funders, q.fact
        for funder in q.funders:
            result = evaluation.result(funder)
            assert result.status == "a_verifier" and result.in_scope is not False
            assert q.fact in result.missing_facts, (q.fact, funder)


def test_facts_no_rule_reads_are_never_asked(engine):
    asked = {q.fact for q in next_questions(engine, JOB_SEEKER).questions}
    assert not asked & {"projet.intitule", "beneficiaire.idcc", "projet.code_certification", "beneficiaire.opco"}


def test_a_blocked_funder_asks_nothing_more(engine):
    # a job seeker who is not registered: the AIF is out of its public whatever else is said
    case = {"date_demande": "2018-03-12", "beneficiaire": {"statut": "demandeur_emploi", "inscrit_pole_emploi": False}}
    for q in next_questions(engine, case).questions:
        assert "aif" not in q.funders


def test_order_is_deterministic_and_skip_and_limit_apply(engine):
    first = next_questions(engine, JOB_SEEKER)
    again = next_questions(Engine(backend="python"), JOB_SEEKER)
    assert [q.fact for q in first.questions] == [q.fact for q in again.questions]
    skipped = next_questions(engine, JOB_SEEKER, skip=["beneficiaire.inscrit_pole_emploi"], limit=3)
    assert len(skipped.questions) == 3
    assert skipped.questions[0].fact == first.questions[1].fact
    assert engine.next_questions(JOB_SEEKER, limit=1)[0].fact == first.questions[0].fact


def test_unknown_fact_in_skip_is_refused(engine):
    from fundrules.errors import InputError

    with pytest.raises(InputError) as raised:
        next_questions(engine, JOB_SEEKER, skip=["beneficiaire.anciennete"])
    assert raised.value.field == "skip"


def test_library_cases_reach_the_same_statuses_with_fewer_questions_than_facts(engine):
    """Start from the triage facts of each library case, answer the intake from the case's facts
    ("je ne sais pas" when it does not hold one): the final statuses are those of the whole case,
    for every case, and the median number of questions is below the median number of facts."""
    runs = []
    for library_case in CaseFiles(["cases"]):
        run = run_intake(engine, library_case.case, library_case.meeting.date)
        assert run.same_final_statuses, (library_case.path, run.differences)
        runs.append(run)
    assert len(runs) >= 50
    assert statistics.median(r.to_same_statuses for r in runs) < statistics.median(r.facts for r in runs)
    assert all(r.answered_to_same <= r.facts for r in runs)


def _answer(result) -> tuple:
    return result.status, result.in_scope, sorted(p.criterion for p in result.pending)


@pytest.mark.parametrize(
    "case",
    [
        JOB_SEEKER,
        {"date_demande": "2024-03-12", "beneficiaire": {"statut": "salarie", "contrat": "cdi"}},
        {"date_demande": "2019-06-03", "region": "24", "projet": {"type_action": "certification_rncp"}},
    ],
)
def test_every_question_with_choices_can_change_an_answer(engine, case):
    """Checked from the full public evaluation, not from the intake's own probes: for each yes/no or
    choice question, some answer changes the status, the public or the pending checks of a funder
    it names; and its `moves` funders are among them."""
    before = engine.evaluate(case)
    for q in next_questions(engine, case).questions:
        if q.fact == "operateur" or q.jointly or not q.choices:
            continue
        assert set(q.moves) <= set(q.funders)
        changed, moved = set(), set()
        for choice in q.choices:
            after = engine.evaluate(with_fact(case, q.fact, choice.value))
            changed |= {f for f in q.funders if _answer(after.result(f)) != _answer(before.result(f))}
            moved |= {f for f in q.funders if _answer(after.result(f))[:2] != _answer(before.result(f))[:2]}
        assert changed == set(q.funders), q.fact
        assert moved == set(q.moves), q.fact
