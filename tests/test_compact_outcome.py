"""The compact outcome (`Engine.outcome`) agrees with the explained Evaluation it builds, and that
Evaluation is the one `Engine.evaluate` returns (issue 13): over the library, the examples and
generated cases, every funder's status, blockers' criteria, facts to collect and scope."""

from __future__ import annotations

import datetime as dt

import pytest

from fundrules import Engine
from fundrules.engine.compact import CaseOutcome
from fundrules.errors import EvaluationError, InputError
from tests.conftest import RULESETS
from tests.spec_inputs import generated, spec_inputs


@pytest.fixture(scope="module")
def inputs():
    return spec_inputs(300)


def _agree(outcome: CaseOutcome, explained) -> None:
    assert [f.funder for f in outcome.funders] == [r.funder for r in explained.results]
    for compact, result in zip(outcome.funders, explained.results, strict=True):
        assert compact.status == result.status, result.funder
        assert list(compact.blockers) == [b.criterion for b in result.blockers], result.funder
        assert compact.missing_facts == result.missing_facts, result.funder
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


def test_the_cache_stays_within_its_bound_and_changes_no_answer():
    # Kept per rules in module globals, the stores grew with the periods and regions a long replay
    # met, and outlived the Engine. One store per Engine, bounded in entries for all kinds together,
    # emptied whole when full: the answers are those of an Engine that keeps nothing.
    cases = generated(150, seed=5)
    expected = [Engine(RULESETS, backend="python", cache=False).evaluate(c).model_dump_json() for c in cases]
    engine = Engine(RULESETS, backend="python", cache=200)
    seen = []
    for case in cases:
        seen.append(engine.evaluate(case).model_dump_json())
        assert engine.cache.stats()["entries"] <= 200
    assert seen == expected
    stats = engine.cache.stats()
    assert stats["clears"] > 0 and stats["kinds"]["decision"]["hits"] + stats["kinds"]["early"]["hits"] > 0


def test_the_cache_can_be_turned_off_and_keeps_nothing():
    engine = Engine(RULESETS, backend="python", cache=False)
    for case in generated(20, seed=7):
        engine.outcome(case).explained()
    stats = engine.cache.stats()
    assert stats["enabled"] is False and stats["entries"] == 0
    assert stats["kinds"]["decision"]["misses"] > 0 and stats["kinds"]["decision"]["hits"] == 0
    with pytest.raises(InputError):
        Engine(RULESETS, backend="python", cache=0)


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
