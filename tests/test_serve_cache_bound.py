"""The service's memory bound is the operator's to set: `fundrules serve --cache-entries N` bounds the
cache of each worker's Engine (engine/cache.py: 40,000 entries by default, about 125 MB once full;
0: no cache), passed to the workers as FUNDRULES_HTTP_CACHE_ENTRIES, which `create_app_from_env`
reads and refuses in French when it is not a whole number."""

from __future__ import annotations

import json

import pytest

from .conftest import RULESETS, run_cli

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")

from fundrules.engine.cache import DEFAULT_ENTRIES  # noqa: E402
from fundrules.errors import InputError  # noqa: E402
from fundrules.http.app import CACHE_ENTRIES_ENV, ENGINE_ENV, RULESETS_ENV, cache_bound, create_app_from_env  # noqa: E402

from .http_support import AsgiRequest, asgi_answer  # noqa: E402


@pytest.mark.parametrize(
    ("text", "expected"), [(None, True), ("", True), ("  ", True), ("500", 500), (" 7 ", 7), ("0", False)]
)
def test_the_bound_read_from_the_environment(text, expected):
    assert cache_bound(text) is expected if isinstance(expected, bool) else cache_bound(text) == expected


@pytest.mark.parametrize("text", ["-3", "abc", "1e5", "2.5", "10000000000", "+4"])
def test_anything_but_a_whole_number_is_refused_in_french(text):
    with pytest.raises(InputError) as caught:
        cache_bound(text)
    assert caught.value.field == CACHE_ENTRIES_ENV
    assert "nombre entier d'entrées attendu" in caught.value.reason


def _app(monkeypatch, entries):
    monkeypatch.setenv(RULESETS_ENV, str(RULESETS))
    monkeypatch.setenv(ENGINE_ENV, "python")
    if entries is None:
        monkeypatch.delenv(CACHE_ENTRIES_ENV, raising=False)
    else:
        monkeypatch.setenv(CACHE_ENTRIES_ENV, entries)
    return create_app_from_env()


def _evaluate(app, case: dict) -> bytes:
    """POST /v1/evaluate to the ASGI application, its body (status 200 required)."""
    status, _headers, body = asgi_answer(app, AsgiRequest(body=json.dumps(case).encode()))
    assert status == 200, body
    return body


CASES = [
    {"date_demande": f"2024-0{month}-15", "region": region, "beneficiaire": {"statut": statut, "age": age}}
    for month in (3, 9)
    for region in ("bretagne", "occitanie")
    for statut in ("demandeur_emploi", "salarie")
    for age in (24, 51)
]


def test_each_worker_engine_gets_the_bound_asked(monkeypatch):
    default = _app(monkeypatch, None).state.engine.cache
    assert default.enabled and default.max_entries == DEFAULT_ENTRIES
    small = _app(monkeypatch, "40").state.engine
    assert small.cache.enabled and small.cache.max_entries == 40
    none = _app(monkeypatch, "0").state.engine
    assert not none.cache.enabled


def test_a_small_bound_holds_and_answers_as_no_cache(monkeypatch):
    """16 cases through a cache of 40 entries (emptied whole several times) and through no cache:
    the same bytes, and never more than 40 entries kept."""
    small, none = _app(monkeypatch, "40"), _app(monkeypatch, "0")
    for case in CASES:
        assert _evaluate(small, case) == _evaluate(none, case)
        assert small.state.engine.cache.stats()["entries"] <= 40
    assert small.state.engine.cache.clears > 0
    assert not any(none.state.engine.cache.stores.values())


def test_a_bad_bound_in_the_environment_stops_the_worker_with_a_french_error(monkeypatch):
    with pytest.raises(InputError) as caught:
        _app(monkeypatch, "beaucoup")
    assert caught.value.field == CACHE_ENTRIES_ENV


def test_serve_passes_the_option_to_its_workers(monkeypatch):
    """`run` (what `fundrules serve` calls) puts the bound where each worker's factory reads it."""
    import uvicorn

    from fundrules.http import serve

    seen = {}

    class Recorded:
        def __init__(self, config):
            pass

        def run(self, sockets):
            seen["entries"] = serve.os.environ.get(CACHE_ENTRIES_ENV)

    monkeypatch.setattr(uvicorn, "Server", Recorded)
    monkeypatch.delenv(CACHE_ENTRIES_ENV, raising=False)
    serve.run("127.0.0.1", 0, 1, RULESETS, "python", limits=serve.Limits(cache_entries=1234))
    assert seen["entries"] == "1234"
    serve.run("127.0.0.1", 0, 1, RULESETS, "python")
    assert seen["entries"] == str(DEFAULT_ENTRIES)


@pytest.mark.parametrize("value", ["-1", "dix"])
def test_the_option_refuses_what_is_not_a_bound(value):
    result = run_cli("serve", "--cache-entries", value)
    assert result.returncode == 2
    assert "--cache-entries" in result.stderr and "Traceback" not in result.stderr
