"""The durable rules kept with the ruleset cache (issue 27): the blueprints an earlier process compiled
are exactly what the compiler gives, a start that uses them answers as the reference engine, and a
damaged, foreign or unguarded blueprint is never used."""

from __future__ import annotations

import pickle

import pytest

from fundrules import BackendError, Engine, load_case
from fundrules.engine import durable_backend, durable_check, durable_compile, durable_encode
from fundrules.library import find_case_files, load_library_case
from fundrules.rulesets import cache
from fundrules.rulesets.loader import load_catalog

from .conftest import EXAMPLES, ROOT, RULESETS

pytestmark = pytest.mark.skipif(not durable_backend.available(), reason="durable-rules is not importable here")


@pytest.fixture
def fresh_durable():
    """No rules compiled in this process before or after the test: what a new process starts with."""
    durable_backend.clear_cache()
    yield
    durable_backend.clear_cache()


def _stretches(engine: Engine) -> list:
    """The ActiveRules of every funder on every stretch of days, and of the plan rules."""
    catalog, found = engine.catalog, {}
    for funder in catalog.funders.values():
        for variant in funder.variants.values() if funder.variant_by else [None]:
            for day in catalog.change_days(funder, variant):
                active = catalog.select(funder, day, variant)
                if active is not None:
                    found.setdefault(active.key, active)
    for plan in engine.plan_rules:
        found.setdefault(plan.active.key, plan.active)
    return list(found.values())


def test_the_kept_blueprints_are_what_the_compiler_gives(cache_dir, fresh_durable):
    engine = Engine(RULESETS, backend="durable")  # the catalog cached, then checked: blueprints kept
    kept = cache.read_durable(load_catalog(RULESETS))
    actives = _stretches(engine)
    assert len(actives) > 100 and len(kept) == len(actives)
    for active in actives:
        assert durable_check.kept_blueprint(kept, active.key) == durable_compile.blueprint((active,)), active.key
    assert engine._backend._kept == kept  # the Engine that compiled them uses them too
    assert Engine(RULESETS, backend="durable")._backend._kept == kept  # read back


def _cases():
    cases = [load_case(path) for path in sorted(EXAMPLES.glob("*.yaml"))]
    cases += [load_library_case(path).case for path in find_case_files([ROOT / "cases"])]
    assert len(cases) > 50
    return cases


def test_rules_registered_from_kept_blueprints_answer_as_the_reference_engine(cache_dir, fresh_durable, monkeypatch):
    Engine(RULESETS, backend="durable")  # writes the catalog and the blueprints
    durable_backend.clear_cache()  # a new process: nothing compiled

    def refuse(actives):
        raise AssertionError("compiled although a blueprint was kept")

    monkeypatch.setattr(durable_compile, "blueprint", refuse)
    kept = Engine(RULESETS, backend="durable")
    python = Engine(RULESETS, backend="python")
    for case in _cases():
        for explain in (False, True):
            assert kept.evaluate(case, explain=explain).model_dump_json(exclude={"provenance"}) == python.evaluate(
                case, explain=explain
            ).model_dump_json(exclude={"provenance"})
    for path in sorted(EXAMPLES.glob("*.yaml")):
        case = load_case(path)
        assert kept.plan(case).model_dump_json(exclude={"provenance"}) == python.plan(case).model_dump_json(
            exclude={"provenance"}
        )
    monkeypatch.undo()
    durable_backend.clear_cache()
    off = Engine(load_catalog(RULESETS, cache=False), backend="durable")  # compiled here, as without a cache
    for path in sorted(EXAMPLES.glob("*.yaml")):
        case = load_case(path)
        assert kept.evaluate(case, explain=True).model_dump_json() == off.evaluate(case, explain=True).model_dump_json()


def test_a_damaged_durable_entry_is_checked_and_compiled_again(cache_dir, fresh_durable, monkeypatch):
    case = load_case(EXAMPLES / "ancien-cdd-2018.yaml")
    expected = Engine(RULESETS, backend="durable").evaluate(case).model_dump_json()
    [entry] = cache_dir.glob("*.durable")
    data = bytearray(entry.read_bytes())
    data[-20] ^= 0xFF  # the checksum no longer matches
    entry.write_bytes(bytes(data))
    durable_backend.clear_cache()
    calls: list = []
    real = durable_check.check_condition
    monkeypatch.setattr(durable_check, "check_condition", lambda node, params: calls.append(node) or real(node, params))
    engine = Engine(RULESETS, backend="durable")
    assert len(calls) > 150 and engine._backend._kept  # checked again, kept again
    assert entry.read_bytes() != bytes(data)  # written again
    assert engine.evaluate(case).model_dump_json() == expected


def test_a_blueprint_kept_under_another_key_or_without_the_guard_is_not_used(cache_dir, fresh_durable):
    engine = Engine(RULESETS, backend="durable")
    kept = cache.read_durable(engine.catalog)
    first, second = _stretches(engine)[:2]
    digest = durable_check.key_digest(first.key)
    swapped = {digest: kept[durable_check.key_digest(second.key)]}  # another key's blueprint at this place
    assert durable_check.kept_blueprint(swapped, first.key) is None
    assert durable_check.kept_blueprint({digest: b"not a pickle"}, first.key) is None
    texts, *rest = durable_check.kept_blueprint(kept, first.key)
    text, fields, count = texts[0]
    unguarded = text.replace(f'{{"$ex": {{"{durable_compile.GUARD}": 1}}}}, ', "", 1)
    assert unguarded != text and not durable_encode.guarded(unguarded, count)
    forged = ((unguarded, fields, count), *texts[1:]), *rest
    durable_backend.clear_cache()
    backend = Engine(RULESETS, backend="durable")._backend
    backend._kept = {digest: pickle.dumps((first.key, forged))}
    with pytest.raises(BackendError, match="sans garde"):
        backend._compile(first)
