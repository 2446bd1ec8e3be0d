"""The specification of the engine's answers, on both backends: what the Engine remembers never
changes an answer (issue 23), and an answer never depends on what was evaluated before (issue 20).

For the whole case library, the examples and 2,000 generated cases, the JSON of every answer is
byte-identical whether the Engine's cache is on or off, on the reference backend and on durable-rules,
and to the answer of a tree-walking evaluator that reads each condition's syntax tree directly
(`kleene.evaluate`, no compiled program, no bit numbers): the three ways to compute an outcome and
the two ways to remember must agree. This replaced a 77 MB golden master of recorded answers.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from fundrules import Engine
from fundrules.conditions.kleene import evaluate as walk
from fundrules.engine.backend import code_of
from fundrules.rulesets.catalog import ActiveRules
from tests.conftest import RULESETS
from tests.spec_inputs import spec_inputs

GENERATED = 2_000


class TreeWalking:
    """A backend that evaluates every criterion by walking its condition's tree (the meaning the
    compiled backends must reproduce), with this date's parameter values."""

    name = "python"

    def run_coded(self, actives: Sequence[ActiveRules], facts: Mapping[str, Any]) -> list[int]:
        codes = []
        for active in actives:
            params = dict(active.params)
            outcomes = {}
            for criterion in active.criteria:
                value = walk(criterion.condition, facts, params)
                if value is not True:
                    outcomes[criterion.key] = None if value is None else False
            codes.append(code_of(active, outcomes))
        return codes

    def check(self, catalog: Any, plan_rules: Any = ()) -> None:
        pass

    def close(self) -> None:
        pass


@pytest.fixture(scope="module")
def inputs():
    found = spec_inputs(GENERATED)
    assert len(found) > GENERATED + 60  # the library (71 cases today) and the 3 examples are there
    return found


def _durable_available() -> bool:
    from fundrules.engine import durable_backend

    return durable_backend.available()


def _answers(engine: Engine, inputs) -> list[str]:
    """Each case's JSON (one case in four, chosen by its key, with its trace), provenance's backend masked."""
    texts = []
    for key, case, as_of in inputs:
        text = engine.evaluate(case, as_of, explain=zlib.crc32(key.encode()) % 4 == 0).model_dump_json()
        texts.append(text.replace('"backend":"durable"', '"backend":"python"', 1))
    return texts


@pytest.fixture(scope="module")
def reference(inputs):
    """The tree-walking answers, with nothing remembered."""
    return _answers(Engine(RULESETS, backend=TreeWalking(), cache=False), inputs)


def _first_difference(inputs, expected: list[str], got: list[str]) -> str:
    for (key, _case, _as_of), a, b in zip(inputs, expected, got, strict=True):
        if a != b:
            at = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
            return f"{key} at {at}: expected …{a[max(0, at - 80) : at + 80]}… got …{b[max(0, at - 80) : at + 80]}…"
    return "no difference"


@pytest.mark.parametrize("backend", ["python", "durable"])
@pytest.mark.parametrize("cache", [True, False], ids=["cache-on", "cache-off"])
def test_answers_are_those_of_the_tree_walking_reference(inputs, reference, backend, cache):
    if backend == "durable" and not _durable_available():
        pytest.skip("durable-rules is not importable on this interpreter")
    engine = Engine(RULESETS, backend=backend, cache=cache)
    got = _answers(engine, inputs)
    assert got == reference, _first_difference(inputs, reference, got)
    stats = engine.cache.stats()
    if cache:  # the cache was used, and stayed within its bound
        assert stats["kinds"]["decision"]["hits"] > 0 and 0 < stats["entries"] <= stats["max_entries"]
    else:
        assert stats["entries"] == 0


def test_a_small_cache_bound_changes_no_answer(inputs, reference):
    """Emptied whole when full (here every 50 entries), the cache still gives the same answers."""
    engine = Engine(RULESETS, backend="python", cache=50)
    got = _answers(engine, inputs)
    assert got == reference, _first_difference(inputs, reference, got)
    assert engine.cache.stats()["clears"] > 10


# -- an answer never depends on what was evaluated before ----------------------------------------------

# Values a cache keyed by equal values would confuse: -0.0 == 0.0, 1 == 1.0, "24" is not 24.
_TWINS = [
    {"date_demande": "2024-03-01", "beneficiaire": {"statut": "demandeur_emploi"}, "projet": {"duree_mois": 0.0}},
    {"date_demande": "2024-03-01", "beneficiaire": {"statut": "demandeur_emploi"}, "projet": {"duree_mois": -0.0}},
    {"date_demande": "2024-03-01", "beneficiaire": {"statut": "demandeur_emploi"}, "projet": {"duree_mois": 1}},
    {"date_demande": "2024-03-01", "beneficiaire": {"statut": "demandeur_emploi"}, "projet": {"duree_mois": 1.0}},
    {"date_demande": "2019-06-01", "beneficiaire": {"solde_cpf_heures": 0}, "projet": {"duree_heures": 0.0}},
    {"date_demande": "2019-06-01", "beneficiaire": {"solde_cpf_heures": -0.0}, "projet": {"duree_heures": -0.0}},
    {"date_demande": "2019-06-01", "beneficiaire": {"solde_cpf_heures": 12.5}, "projet": {"duree_heures": 12}},
]


@pytest.mark.parametrize("backend", ["python", "durable"])
def test_an_answer_never_depends_on_the_cases_evaluated_before(inputs, backend):
    if backend == "durable" and not _durable_available():
        pytest.skip("durable-rules is not importable on this interpreter")
    cases = [(str(i), case, None) for i, case in enumerate(_TWINS + _TWINS)] + list(inputs[:300])
    forward = dict(zip([k for k, _c, _a in cases], _answers(Engine(RULESETS, backend=backend), cases), strict=True))
    backward_cases = cases[::-1]
    backward = dict(
        zip(
            [k for k, _c, _a in backward_cases],
            _answers(Engine(RULESETS, backend=backend), backward_cases),
            strict=True,
        )
    )
    assert forward == backward
    # and each of the twins is what a fresh Engine says of it alone
    for i, case in enumerate(_TWINS):
        alone = _answers(Engine(RULESETS, backend=backend, cache=False), [(str(i), case, None)])[0]
        assert forward[str(i)] == alone


def _duration_blocker(evaluation):
    return next(b for b in evaluation.result("cff").blockers if "projet.duree_mois" in b.observed)


def test_the_observed_value_is_the_one_given_not_an_equal_one(python_engine):
    """Issue 20: after 0.0 twice, a case with -0.0 reported `observed 0.0` (a text cache keyed by
    equal values). The CFF needs at least its minimum number of months: 0 months blocks it."""
    for _ in range(2):
        python_engine.evaluate(_TWINS[0])
    blocker = next(
        b for b in python_engine.evaluate(_TWINS[1]).result("cff").blockers if "duree_mois" in str(b.observed)
    )
    value = blocker.observed["projet.duree_mois"]
    assert str(value) == "-0.0" and type(value) is float
    blocker = next(
        b for b in python_engine.evaluate(_TWINS[2]).result("cff").blockers if "duree_mois" in str(b.observed)
    )
    assert type(blocker.observed["projet.duree_mois"]) is int


def test_evaluate_accepts_an_iso_date_for_as_of(python_engine):
    case = {"date_demande": "2018-03-12", "beneficiaire": {"statut": "salarie"}}
    by_text = python_engine.evaluate(case, as_of="2019-06-01")
    assert by_text.as_of == dt.date(2019, 6, 1)
    assert by_text == python_engine.evaluate(case, as_of=dt.date(2019, 6, 1))


# -- the explanation's cache key names every value the cached part is built from ---------------------


def test_the_frame_key_names_everything_the_frame_reads(inputs):
    """`explain.frame_key` keeps the part of an answer that does not read the case's values by the
    rules, the outcome pattern, the status and the facts to collect (not by the decision object: the
    coherence pass and `narrowed` make copies). For every funder of every case, the part built from
    the decision the Engine used equals the part built from a fresh decision of the same rules and
    pattern with only the key's status and facts to collect: nothing else of the decision counts."""
    from dataclasses import replace

    from fundrules.engine.backend import outcomes_of
    from fundrules.engine.decide import _decide
    from fundrules.engine.explain import _frame, param_texts

    engine = Engine(RULESETS, backend="python", cache=False)
    copies = 0
    for _key, case, as_of in inputs[:600]:
        outcome = engine.outcome(case, as_of)
        for f in outcome.funders:
            if f.active is None:
                continue
            fresh = _decide(f.active, outcomes_of(f.active, f.pattern), f.pattern)
            copies += (fresh.status, fresh.blockers, fresh.missing_facts) != (f.status, f.blockers, f.missing_facts)
            keyed = replace(fresh, status=f.status, missing_facts=f.missing_facts)
            params = param_texts(f.active)
            assert _frame(f.active, f, params) == _frame(f.active, keyed, params), (f.funder, _key)
    assert copies > 100, copies  # the copies (coherence, narrowed facts to collect) are among them
