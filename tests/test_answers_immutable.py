"""Answers cannot be corrupted (issue 23): an Evaluation holds tuples and read-only mappings, so what
integration code does to one ("add our own step", "redact the sources", "sort the blockers") fails
loudly instead of changing another person's answer; and an explained answer reads back from its JSON
equal to itself, trace values included."""

from __future__ import annotations

import copy
import datetime as dt
import pickle

import pytest
from pydantic import ValidationError

from fundrules import Engine, Evaluation, load_case
from tests.conftest import EXAMPLES, RULESETS

# Two cases that share answers: the same CIF-CDD blockers' sources, the same steps of the AIF…
CASE_A = EXAMPLES / "ancien-cdd-2018.yaml"
CASE_B = {
    "date_demande": "2018-03-12",
    "region": "24",
    "beneficiaire": {"statut": "demandeur_emploi", "date_naissance": "1990-05-02", "solde_cpf_heures": 10},
    "projet": {"type_action": "certification_rncp", "duree_heures": 840, "date_debut": "2018-09-01"},
}


def _mutations(evaluation: Evaluation):
    """(name, action) pairs: every way a caller might change an answer in place."""
    results = evaluation.results
    with_blockers = next(r for r in results if r.blockers)
    blocker = with_blockers.blockers[0]
    with_steps = next(r for r in results if r.next_steps)
    with_missing = next(r for r in results if r.missing_facts)
    with_pending = next(r for r in results if r.pending)
    with_routes = next(r for r in results if r.routes)
    with_sources = next(b for r in results for b in r.blockers if b.sources)
    return [
        ("append a step", lambda: with_steps.next_steps.append("Notre étape.")),
        ("extend the steps", lambda: with_steps.next_steps.extend(["x"])),
        ("replace a step", lambda: with_steps.next_steps.__setitem__(0, "x")),
        ("sort the blockers", lambda: with_blockers.blockers.sort(key=lambda b: b.criterion)),
        ("drop a blocker", lambda: with_blockers.blockers.pop()),
        ("clear the missing facts", lambda: with_missing.missing_facts.clear()),
        ("append a pending fact", lambda: with_pending.pending[0].missing_facts.append("x")),
        ("reverse the routes", lambda: with_routes.routes.reverse()),
        ("add an observed value", lambda: blocker.observed.__setitem__("x", 1)),
        ("redact an observed value", lambda: blocker.observed.__delitem__(next(iter(blocker.observed)))),
        ("update observed", lambda: blocker.observed.update({"x": 1})),
        ("pop observed", lambda: blocker.observed.pop(next(iter(blocker.observed)))),
        ("clear observed", lambda: blocker.observed.clear()),
        ("setdefault observed", lambda: blocker.observed.setdefault("x", 1)),
        ("merge into observed", lambda: blocker.observed.__ior__({"x": 1})),
        ("redact the sources", lambda: with_sources.sources.clear()),
        ("edit a source", lambda: setattr(with_sources.sources[0], "url", None)),
        ("edit a blocker", lambda: setattr(blocker, "message", "x")),
        ("edit a result", lambda: setattr(with_blockers, "status", "eligible")),
        ("drop a result", lambda: evaluation.results.remove(with_blockers)),
        ("append a warning", lambda: evaluation.warnings.append("x")),
        ("edit a derived fact", lambda: evaluation.derived_facts.append(None)),
    ]


@pytest.fixture(params=["python", "durable"])
def engine(request):
    if request.param == "durable":
        from fundrules.engine import durable_backend

        if not durable_backend.available():
            pytest.skip("durable-rules is not importable on this interpreter")
    return Engine(RULESETS, backend=request.param)


@pytest.mark.parametrize("explain", [False, True])
def test_no_mutation_of_an_answer_reaches_another_answer(engine, explain):
    case_a = load_case(CASE_A)
    fresh = Engine(RULESETS, backend="python", cache=False)
    expected_a = fresh.evaluate(case_a, explain=explain).model_dump_json()
    expected_b = fresh.evaluate(CASE_B, explain=explain).model_dump_json()
    first = engine.evaluate(case_a, explain=explain)
    engine.evaluate(CASE_B, explain=explain)  # fills the cache with parts the two answers share
    refused = []
    for name, mutate in _mutations(first):
        with pytest.raises((AttributeError, TypeError, ValidationError)):
            mutate()
        refused.append(name)
    assert len(refused) == 22
    mask = '"backend":"python"'
    assert first.model_dump_json().replace('"backend":"durable"', mask) == expected_a
    for case, expected in ((case_a, expected_a), (CASE_B, expected_b)):
        again = engine.evaluate(case, explain=explain).model_dump_json().replace('"backend":"durable"', mask)
        assert again == expected


def test_a_copy_is_the_callers_to_change(python_engine):
    evaluation = python_engine.evaluate(load_case(CASE_A))
    result = next(r for r in evaluation.results if r.blockers)
    mine = result.model_copy(update={"next_steps": (*result.next_steps, "Notre étape.")})
    observed = dict(result.blockers[0].observed)
    observed["x"] = 1
    assert mine.next_steps[-1] == "Notre étape." and "Notre étape." not in result.next_steps
    assert "x" not in result.blockers[0].observed
    assert copy.deepcopy(evaluation) == evaluation
    assert pickle.loads(pickle.dumps(evaluation)) == evaluation  # what forked workers send back


@pytest.mark.parametrize("explain", [False, True])
def test_an_answer_reads_back_from_its_json_equal_to_itself(python_engine, explain):
    cases = [load_case(path) for path in sorted(EXAMPLES.glob("*.yaml"))] + [CASE_B]
    dates_seen = 0
    for case in cases:
        evaluation = python_engine.evaluate(case, explain=explain)
        again = Evaluation.model_validate_json(evaluation.model_dump_json())
        assert again == evaluation
        assert again.model_dump_json() == evaluation.model_dump_json()
        for result in again.results:
            for blocker in result.blockers:
                dates_seen += sum(isinstance(v, dt.date) for v in blocker.observed.values())
            for entry in result.trace or ():
                dates_seen += sum(isinstance(r.value, dt.date) for r in entry.reads)
        with pytest.raises(TypeError):  # read back, the mappings are read-only too
            next(b for r in again.results for b in r.blockers).observed["x"] = 1
    if explain:  # the trace reads date facts: they came back as dates, not as their text
        assert dates_seen > 0


@pytest.mark.parametrize("backend", ["python", "durable"])
def test_a_plan_cannot_be_changed_in_place_and_reads_back_equal(backend):
    from fundrules.engine import durable_backend
    from fundrules.plan.model import Plan

    if backend == "durable" and not durable_backend.available():
        pytest.skip("durable-rules is not importable on this interpreter")
    engine = Engine(RULESETS, backend=backend)
    plan = engine.plan(load_case(CASE_A))
    before = plan.model_dump_json()
    main = plan.plans[0]
    attempts = [
        lambda: plan.plans.append(main),
        lambda: main.steps.append(main.steps[0]),
        lambda: main.income.append(main.income[0]),
        lambda: plan.income.append(plan.income[0]),
        lambda: plan.unlock.append(None),
        lambda: setattr(main, "remaining", 0),
        lambda: setattr(main.steps[0], "amount", 0),
    ]
    for attempt in attempts:
        with pytest.raises((AttributeError, TypeError, ValidationError)):
            attempt()
    assert engine.plan(load_case(CASE_A)).model_dump_json() == before == plan.model_dump_json()
    assert Plan.model_validate_json(before) == plan
