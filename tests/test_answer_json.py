"""An answer's JSON written from its results' kept JSON (issue 27) is pydantic's own, byte for byte,
and nothing kept can outlive a change: a copy, a pickle or a validated answer writes its own.

The engine keeps a funder's answer under every value it is built from (engine/core.py,
`_kept_answer`) and each answer keeps its JSON once written (`FunderResult.json_text`); an
Evaluation's `model_dump_json()` joins them (`Evaluation.model_dump_json`). These tests hold that join to
pydantic's serializer over the whole case library, the examples and generated cases, with and without
the Engine's cache and with traces.
"""

from __future__ import annotations

import copy
import pickle
import zlib

import pytest

from fundrules import Engine
from fundrules.results import Evaluation, FunderResult
from tests.conftest import RULESETS
from tests.spec_inputs import spec_inputs


def _pydantic(model) -> str:
    """The JSON pydantic itself writes for `model` (its serializer, nothing kept)."""
    return type(model).__pydantic_serializer__.to_json(model).decode()


@pytest.fixture(scope="module")
def inputs():
    return spec_inputs(600)


@pytest.mark.parametrize("cache", [True, False], ids=["cache-on", "cache-off"])
def test_the_joined_json_is_pydantics_own(inputs, cache):
    engine = Engine(RULESETS, backend="python", cache=cache)
    for _round in range(2):  # the second time, every result of the cache-on engine is a kept one
        for key, case, as_of in inputs:
            explain = zlib.crc32(key.encode()) % 5 == 0
            evaluation = engine.evaluate(case, as_of, explain=explain)
            text = evaluation.model_dump_json()
            assert text == _pydantic(evaluation), key
            assert evaluation.json_bytes() == text.encode()
    if cache:
        assert engine.cache.stats()["kinds"]["result"]["hits"] > len(inputs) * 10


def test_options_still_go_to_pydantic(python_engine):
    evaluation = python_engine.evaluate({"date_demande": "2024-03-01", "beneficiaire": {"statut": "salarie"}})
    evaluation.model_dump_json()
    assert evaluation.model_dump_json(indent=2) == Evaluation.model_validate_json(
        evaluation.model_dump_json()
    ).model_dump_json(indent=2)
    assert '\n  "as_of"' in evaluation.model_dump_json(indent=2)
    trimmed = evaluation.model_dump_json(exclude={"results"})
    assert '"results"' not in trimmed
    assert trimmed == Evaluation.__pydantic_serializer__.to_json(evaluation, exclude={"results"}).decode()


def test_a_copy_writes_its_own_json(python_engine):
    """`model_copy(update=...)` copies the fields, not the kept JSON: the copy says what it holds."""
    evaluation = python_engine.evaluate({"date_demande": "2024-03-01", "beneficiaire": {"statut": "salarie"}})
    result = evaluation.results[0]
    before = result.json_text()
    changed = result.model_copy(update={"funder_name": "Autre nom"})
    assert '"funder_name":"Autre nom"' in changed.json_text() and changed.json_text() != before
    assert result.json_text() == before  # the original keeps its own
    for twin in (copy.copy(result), copy.deepcopy(result), pickle.loads(pickle.dumps(result))):
        assert not hasattr(twin, "_text")  # nothing kept came along: the twin writes its own
        assert twin == result and twin.json_text() == before
    other = evaluation.model_copy(update={"results": (changed, *evaluation.results[1:])})
    assert other.model_dump_json() == _pydantic(other)
    assert '"funder_name":"Autre nom"' in other.model_dump_json()


def test_an_answer_read_back_from_json_writes_the_same_json(python_engine):
    evaluation = python_engine.evaluate(
        {"date_demande": "2019-06-01", "beneficiaire": {"statut": "demandeur_emploi", "age": 30}}
    )
    text = evaluation.model_dump_json()
    again = Evaluation.model_validate_json(text)
    assert again.model_dump_json() == text and again == evaluation


def test_a_hand_made_answer_with_foreign_results_is_serialised_by_pydantic(python_engine):
    """An Evaluation built without validation (`model_construct`) with a result that is not a
    FunderResult (a subclass here) is written by pydantic itself, not by the join."""

    class Tagged(FunderResult):
        pass

    evaluation = python_engine.evaluate({"date_demande": "2024-03-01", "beneficiaire": {"statut": "salarie"}})
    tagged = Tagged.model_validate(evaluation.results[0].model_dump())
    built = Evaluation.model_construct(**{**dict(evaluation), "results": (tagged, *evaluation.results[1:])})
    assert built.model_dump_json() == _pydantic(built)


def test_the_shared_fields_set_cannot_be_changed(python_engine):
    """Answers the engine builds share one read-only "fields set" per model class (pydantic's
    bookkeeping); changing it through one answer would change it for all: refused. pydantic's own
    `model_copy(update=...)` still works, on a set of the copy's own."""
    evaluation = python_engine.evaluate({"date_demande": "2024-03-01", "beneficiaire": {"statut": "salarie"}})
    a, b = evaluation.results[0], evaluation.results[1]
    assert a.model_fields_set == set(FunderResult.model_fields)
    for change in (lambda s: s.add("x"), lambda s: s.discard("funder"), lambda s: s.update({"x"}), lambda s: s.clear()):
        with pytest.raises(TypeError):
            change(a.model_fields_set)
    assert b.model_fields_set == set(FunderResult.model_fields)
    copied = a.model_copy(update={"message": "m"})
    assert copied.message == "m" and type(copied.model_fields_set) is set
    assert a.model_dump(exclude_unset=True) == a.model_dump()
    assert type(pickle.loads(pickle.dumps(a)).model_fields_set) is set


def test_cases_that_differ_only_in_facts_a_funder_does_not_read_share_its_answer():
    """The kept answer of a funder is keyed by the facts its texts read: a case changing only a fact
    the CPF's answer does not read gets the very same CPF answer (and its JSON) — and a change in a
    fact it shows gives another."""
    engine = Engine(RULESETS, backend="python")
    base = {
        "date_demande": "2024-03-01",
        "beneficiaire": {"statut": "salarie", "solde_cpf_euros": 500, "age": 30},
        "projet": {"type_action": "certification_rncp", "cout_pedagogique": 1200, "eligible_cpf": True},
    }
    first = engine.evaluate(base).result("cpf")
    other_age = engine.evaluate({**base, "beneficiaire": {**base["beneficiaire"], "age": 41}}).result("cpf")
    assert other_age is first
    other_cost = engine.evaluate({**base, "projet": {**base["projet"], "cout_pedagogique": 1300}}).result("cpf")
    assert other_cost is not first
