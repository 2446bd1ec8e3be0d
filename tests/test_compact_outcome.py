"""The compact outcome (`Engine.outcome`) agrees with the explained Evaluation it builds, and that
Evaluation is the one `Engine.evaluate` returns (issue 13): over the library, the examples and
generated cases, every funder's status, blockers' criteria, facts to collect and scope."""

from __future__ import annotations

import datetime as dt

import pytest

from fundrules import Engine
from fundrules.engine.compact import CaseOutcome
from fundrules.errors import EvaluationError, InputError
from tests.conftest import ROOT, RULESETS
from tests.snapshot_inputs import extract_inputs, snapshot_inputs


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    root = extract_inputs(tmp_path_factory.mktemp("compact"))
    return list(snapshot_inputs(root))


def _agree(outcome: CaseOutcome, explained) -> None:
    assert [f.funder for f in outcome.funders] == [r.funder for r in explained.results]
    for compact, result in zip(outcome.funders, explained.results, strict=True):
        assert compact.status == result.status, result.funder
        assert list(compact.blockers) == [b.criterion for b in result.blockers], result.funder
        assert list(compact.missing_facts) == result.missing_facts, result.funder
        assert compact.in_scope == result.in_scope, result.funder
        assert compact.rules_apply == (result.ruleset_version is not None), result.funder


@pytest.mark.parametrize("backend", ["python", "durable"])
def test_compact_outcome_agrees_with_the_explained_answer(inputs, backend):
    engine = Engine(backend=backend)
    for _key, case, as_of in inputs:
        outcome = engine.outcome(case, as_of)
        explained = outcome.explained()
        _agree(outcome, explained)
        assert explained.model_dump_json() == engine.evaluate(case, as_of).model_dump_json()


def test_the_same_case_on_many_days_agrees(inputs):
    """Cached decisions are shared by cases of a stretch of days: one case across 2015-2026."""
    engine = Engine(backend="python")
    _key, case, _ = next(i for i in inputs if i[0] == "examples/ancien-cdd-2018.yaml")
    for day in (dt.date(2014, 12, 31) + dt.timedelta(days=61 * n) for n in range(70)):
        outcome = engine.outcome(case, day)
        _agree(outcome, outcome.explained())
        fresh = Engine(backend="python").evaluate(case, day)  # nothing cached from other days
        assert outcome.explained().model_dump_json() == fresh.model_dump_json()


def test_explained_is_built_once_and_kept():
    engine = Engine(backend="python")
    outcome = engine.outcome({"date_demande": "2019-03-01", "beneficiaire": {"statut": "salarie"}})
    assert outcome.explained() is outcome.explained()
    assert outcome.evaluation is outcome.explained()
    with_trace = outcome.explained(explain=True)
    assert with_trace is not outcome.explained()
    assert all(r.trace is not None for r in with_trace.results)
    assert all(r.trace is None for r in outcome.explained().results)


def test_a_known_case_reads_the_same_in_both_forms():
    """A salaried person with a CPF balance on 2019-03-01 and no project. CPF (rulesets/cpf/2019-01-01):
    `hors_fonction_publique` needs secteur_public for a salarié, `action_eligible` the action and the
    licence category, the balance rule concerns job seekers only: à vérifier, those three facts to
    collect in that order, nothing blocks. The CIF ended on 2018-12-31: not in force."""
    engine = Engine(backend="python")
    outcome = engine.outcome(
        {"date_demande": "2019-03-01", "beneficiaire": {"statut": "salarie", "solde_cpf_euros": 500}}
    )
    assert outcome.result("cif").status == "not_in_force"
    assert outcome.result("cif").rules_apply is False
    cpf = outcome.result("cpf")
    assert cpf.status == "a_verifier"
    assert cpf.missing_facts == ("beneficiaire.secteur_public", "projet.type_action", "projet.categorie_permis")
    assert cpf.blockers == ()
    assert outcome.statuses()["cif"] == "not_in_force"
    with pytest.raises(KeyError):
        outcome.result("nope")


def test_outcome_raises_what_evaluate_raises():
    engine = Engine(backend="python")
    with pytest.raises(EvaluationError):
        engine.outcome({"beneficiaire": {"statut": "salarie"}})
    with pytest.raises(InputError):
        engine.outcome(42)  # type: ignore[arg-type]


def test_texts_and_answers_kept_per_values_read_stay_within_their_bound(monkeypatch):
    # Kept per rules they grew with every period met (RSS +92 MB over 5,000 streamed cases): one
    # bounded store for all rules keeps a long replay or service flat; answers do not change.
    import sys

    from fundrules.engine import outcome

    sys.path.insert(0, str(ROOT / "bench"))
    from cases import generated_cases

    monkeypatch.setattr(outcome, "BY_VALUES_SIZE", 50)
    monkeypatch.setattr(outcome, "_BY_VALUES", {})
    engine = Engine(RULESETS, backend="python")
    cases = generated_cases(120, seed=3)
    first = [engine.evaluate(c).model_dump_json() for c in cases]
    assert 0 < len(outcome._BY_VALUES) <= 50
    assert [Engine(RULESETS, backend="python").evaluate(c).model_dump_json() for c in cases] == first


def test_rules_chosen_once_per_stretch_of_days_are_those_the_day_itself_gets(python_engine):
    """`Engine.outcome` chooses every funder's rules once per stretch between two change days and per
    value of the facts selecting a variant (the region): on each change day, the day before, and for
    several regions, what it keeps is what choosing for that very day gives."""
    from fundrules.rulesets.catalog import catalog_change_days

    engine = Engine(python_engine.catalog, backend="python")  # a cache of its own, empty
    funders = [engine.catalog.funders[k] for k in sorted(engine.catalog.funders)]
    selecting = sorted({f.variant_by for f in funders if f.variant_by})
    assert selecting, "the regional plan is chosen by the region"
    regions = [None, "24", "11", "zz"] + sorted({v for f in funders for v in f.variants})[:3]
    days = catalog_change_days(engine.catalog, funders)
    assert dt.date(2026, 1, 1) in days  # CPF participation 103.20 EUR (arrêté of 30 Dec 2025)
    checked = 0
    for change in days:
        for day in (change - dt.timedelta(days=1), change):
            for region in regions:
                facts = {path: region for path in selecting if region is not None}
                assert engine._selection(day, facts) == engine._select(day, facts), (day, region)
                checked += 1
    assert checked > 100


def kept_with_decisions(filled) -> int:
    """Decisions, their narrowed forms (fewer facts to collect) and the frames of their answers."""

    def count(decision) -> int:
        return 1 + len(decision.frames) + sum(count(narrowed) for narrowed in decision.narrowed.values())

    return sum(count(decision) for decisions in filled for decision in decisions.values())


def test_decisions_kept_for_all_rules_stay_within_their_bound(monkeypatch):
    # Kept per rules without a common bound they grew with the periods and regions a long replay
    # meets; past the bound every rules' decisions are dropped at once, and answers do not change.
    import sys

    from fundrules.engine import outcome

    sys.path.insert(0, str(ROOT / "bench"))
    from cases import generated_cases

    cases = generated_cases(150, seed=5)
    expected = [Engine(RULESETS, backend="python").outcome(c).statuses() for c in cases]
    monkeypatch.setattr(outcome, "DECISIONS_SIZE", 30)
    monkeypatch.setattr(outcome, "_FILLED", [])
    monkeypatch.setattr(outcome, "_kept", [0])
    engine = Engine(RULESETS, backend="python")
    seen = []
    for case in cases:
        answer = engine.outcome(case)
        seen.append(answer.statuses())
        assert kept_with_decisions(outcome._FILLED) <= 30
        assert answer.explained() == engine.evaluate(case)
    assert seen == expected
    assert outcome._kept[0] > 0


def test_an_answer_is_kept_from_the_second_time_its_values_are_met(monkeypatch):
    # Keeping the answer of every case met once made the cyclic GC traverse them all for hits that
    # never come in a long replay of distinct cases: the first time only the key is remembered.
    import sys

    from fundrules.engine import outcome

    sys.path.insert(0, str(ROOT / "bench"))
    from cases import generated_cases

    monkeypatch.setattr(outcome, "_BY_VALUES", {})
    monkeypatch.setattr(outcome, "_SEEN", {})
    engine = Engine(RULESETS, backend="python")
    case = generated_cases(1, seed=11)[0]
    first = engine.evaluate(case)
    assert outcome._BY_VALUES == {} and outcome._SEEN
    second = engine.evaluate(case)
    assert outcome._BY_VALUES
    third = engine.evaluate(case)
    with_rules = [i for i, f in enumerate(engine.outcome(case).funders) if f.rules_apply]
    # answers made consistent with another funder's (fundrules/coherence.py) are copies, equal
    from fundrules.coherence import LINKED_COURSE, is_coherence_notice

    untouched = [
        i
        for i in with_rules
        if not any(is_coherence_notice(n) for n in third.results[i].notices)
        and not any(b.criterion == LINKED_COURSE for b in third.results[i].blockers)
    ]
    assert untouched and all(third.results[i] is second.results[i] for i in untouched)
    assert first.model_dump_json() == second.model_dump_json() == third.model_dump_json()
