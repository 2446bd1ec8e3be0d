"""The lean path of the case routes (fundrules/http/lean.py) answers exactly as the FastAPI routes do.

Each request is sent, as ASGI messages, to an application with the lean path (`create_app(...)`) and
to one without it (`create_app(..., lean=False)`), over the same Engine: the status, the headers (in
order: content-length, content-type, the identity headers, those of a refusal) and the body must be
the same bytes, for successes (the example cases, the case library, generated cases) and for every
refusal (Host, Content-Type, token, in-flight bound, declared and streamed size, body timeout, query
parameters, JSON, case validation with its line, no date, explain unavailable, internal errors,
a client gone). A last test checks that these requests really took the lean path, and one sends
requests through a real server on the parser `fundrules serve` uses.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import ROOT, RULESETS

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")

from fundrules import Engine  # noqa: E402
from fundrules.errors import BackendError  # noqa: E402

from .http_support import AsgiRequest, Server, asgi_answer, call_asgi, example  # noqa: E402
from .strategies import case_data, dates  # noqa: E402

TOKEN = "jeton-de-test-lean-51"
AUTH = (b"authorization", b"Bearer " + TOKEN.encode())
CDD, JEUNE, CDI = example("ancien-cdd-2018"), example("jeune-mission-locale-2017"), example("salarie-cdi-2019")
LIBRARY = sorted((ROOT / "cases" / "etude-territorialisee").glob("*/*.yaml"))


def _plain(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def as_body(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, default=_plain).encode()


def library_case(path: Path) -> dict:
    import yaml

    return yaml.safe_load(path.read_text(encoding="utf-8"))["case"]


class Sent(AsgiRequest):
    default_headers = ((b"content-type", b"application/json"), AUTH)


answer = asgi_answer


def same(pair, sent: Sent, status: int | None = None):
    """The request answered identically by both applications (and with `status`, when given)."""
    lean, full = pair
    got, expected = answer(lean, sent), answer(full, sent)
    assert got == expected
    if status is not None:
        assert got[0] == status, got
    return got


@pytest.fixture(scope="module")
def engine():
    return Engine(RULESETS)


def both(engine, **options):
    from fundrules.http import create_app

    return create_app(engine, **options), create_app(engine, lean=False, **options)


@pytest.fixture(scope="module")
def apps(engine):
    return both(engine, token=TOKEN)


@pytest.fixture(scope="module")
def open_apps(engine):
    return both(engine, token=None)


# --- successes --------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", [CDD, JEUNE, CDI], ids=["cdd", "jeune", "cdi"])
@pytest.mark.parametrize("path", ["/v1/evaluate", "/v1/plan"])
@pytest.mark.parametrize("query", [b"", b"as_of=2019-06-01", b"as_of=2016-01-01&as_of=2018-06-01", b"as_of="])
def test_the_example_cases_are_answered_alike(apps, case, path, query):
    status, headers, body = same(apps, Sent(path, as_body(case), query=query), 200)
    names = [name for name, _ in headers]
    assert names == [b"content-length", b"content-type", b"fundrules-version", b"fundrules-digests"]
    assert dict(headers)[b"content-length"] == str(len(body)).encode()
    assert dict(headers)[b"content-type"] == b"application/json"
    assert json.loads(body)  # an answer, not an error
    assert "error" not in json.loads(body)


@pytest.mark.parametrize("path", LIBRARY[:12], ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_the_case_library_is_answered_alike(apps, path):
    body = as_body(library_case(path))
    same(apps, Sent("/v1/evaluate", body), 200)
    same(apps, Sent("/v1/plan", body), 200)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(data=case_data(), as_of=st.one_of(st.none(), dates), route=st.sampled_from(["/v1/evaluate", "/v1/plan"]))
def test_generated_cases_are_answered_alike(apps, data, as_of, route):
    query = b"" if as_of is None else b"as_of=" + as_of.isoformat().encode()
    same(apps, Sent(route, as_body(data), query=query))  # an answer or a refusal, the same


def test_explain_and_a_body_in_several_parts_are_answered_alike(apps):
    raw = as_body(CDD)
    same(apps, Sent(body=raw, query=b"explain=false"), 200)
    same(apps, Sent(body=raw, query=b"explain=true"))  # the answer with its explanation, or the 422
    same(apps, Sent(body=raw, chunks=[raw[:10], b"", raw[10:50], raw[50:]]), 200)
    typed = [(b"content-type", b"Application/JSON ; charset=utf-8"), AUTH]
    same(apps, Sent(body=raw, headers=typed), 200)


# --- refusals ---------------------------------------------------------------------------------------


def _error(got):
    status, _headers, body = got
    return status, json.loads(body)["error"]["code"]


def test_a_request_refused_by_the_guards_is_refused_alike(apps):
    raw = as_body(CDD)
    assert _error(same(apps, Sent(body=raw, host=b"evil.example:8000"))) == (400, "host_not_allowed")
    assert _error(same(apps, Sent(body=raw, headers=[AUTH]))) == (415, "unsupported_media_type")
    assert _error(same(apps, Sent(body=raw, headers=[(b"content-type", b"text/plain"), AUTH]))) == (
        415,
        "unsupported_media_type",
    )
    json_only = [(b"content-type", b"application/json")]
    assert _error(same(apps, Sent(body=raw, headers=json_only))) == (401, "unauthorized")
    wrong = [(b"content-type", b"application/json"), (b"authorization", b"Bearer autre-jeton")]
    assert _error(same(apps, Sent(body=raw, headers=wrong))) == (401, "unauthorized")
    basic = [(b"content-type", b"application/json"), (b"authorization", b"Basic " + TOKEN.encode())]
    assert _error(same(apps, Sent("/v1/plan", raw, headers=basic))) == (401, "unauthorized")
    lower = [(b"content-type", b"application/json"), (b"authorization", b"bearer " + TOKEN.encode())]
    same(apps, Sent(body=raw, headers=lower), 200)
    bad_length = [(b"content-type", b"application/json"), AUTH, (b"content-length", b"douze")]
    assert _error(same(apps, Sent(body=raw, headers=bad_length, chunks=[raw]))) == (400, "invalid_request")


def test_a_refused_body_is_refused_alike(engine, apps):
    assert _error(same(apps, Sent(body=b"{"))) == (400, "invalid_json")
    assert _error(same(apps, Sent(body=b"  "))) == (400, "invalid_json")
    assert _error(same(apps, Sent(body=b'{"date_demande": "2018-03-12", "date_demande": "2018-03-13"}'))) == (
        400,
        "invalid_json",
    )
    located = '{\n  "date_demande": "2018-03-12",\n  "beneficiaire": {\n    "statut": "astronaute"\n  }\n}'
    status, headers, body = same(apps, Sent("/v1/plan", located.encode()))
    assert status == 422 and json.loads(body)["error"]["line"] == 4  # the line of the refused field
    same(apps, Sent(body=located.encode()), 422)
    undated = as_body({"beneficiaire": {"statut": "salarie"}})
    got = same(apps, Sent(body=undated))  # no date to evaluate at: the engine's refusal, located
    assert _error(got) == (422, "cannot_evaluate") and json.loads(got[2])["error"]["field"] == "date_demande"
    same(apps, Sent("/v1/plan", undated))
    same(apps, Sent(body=undated, query=b"as_of=2019-01-01"), 200)


@pytest.mark.parametrize(
    "query",
    [b"as_of=2018-3-12", b"as_of=20180312", b"as_of=demain", b"explain=peut-etre", b"explain=", b"as_of=x&explain=z"],
)
@pytest.mark.parametrize("path", ["/v1/evaluate", "/v1/plan"])
def test_a_refused_query_is_refused_alike(apps, path, query):
    got = same(apps, Sent(path, as_body(CDD), query=query))
    assert got[0] in (200, 422)  # explain is not read by the plan route


def test_explain_unavailable_is_refused_alike(engine):
    class WithoutExplain:  # an engine whose evaluate takes no `explain` (an older library)
        catalog, backend, provenance = engine.catalog, engine.backend, engine.provenance

        def evaluate(self, case, as_of=None):
            return engine.evaluate(case, as_of)

    pair = both(WithoutExplain(), token=None)
    got = same(pair, Sent(body=as_body(CDD), query=b"explain=true", headers=[(b"content-type", b"application/json")]))
    assert _error(got) == (422, "invalid_input") and json.loads(got[2])["error"]["field"] == "explain"


def test_size_and_time_bounds_are_enforced_alike(engine):
    pair = both(engine, token=None, max_body=2_000, body_timeout=0.2)
    typed = [(b"content-type", b"application/json")]
    big = b'{"date_demande": "2018-03-12", "x": "' + b"a" * 3_000 + b'"}'
    status, headers, _ = same(pair, Sent(body=big, headers=typed))
    assert status == 413 and b"connection" not in dict(headers)  # declared: the body is discarded
    status, headers, _ = same(pair, Sent(body=big, headers=typed, chunks=[big[:1500], big[1500:]]))
    assert status == 413 and dict(headers)[b"connection"] == b"close"  # streamed: no end to wait for
    status, headers, _ = same(pair, Sent(body=b"{}", headers=typed, chunks="never"))
    assert status == 408 and dict(headers)[b"connection"] == b"close"


def test_too_many_in_flight_is_refused_alike(engine):
    pair = both(engine, token=None, max_in_flight=0)
    assert _error(same(pair, Sent(body=as_body(CDD), headers=[(b"content-type", b"application/json")]))) == (
        503,
        "busy",
    )


def test_the_lean_path_and_the_routes_share_one_in_flight_count(engine):
    """A lean request waiting for its body holds the only slot: a request FastAPI answers is refused 503."""
    from fundrules.http import create_app

    app = create_app(engine, token=None, max_in_flight=1, body_timeout=5)

    async def scenario():
        waiting = asyncio.create_task(
            call_asgi(app, Sent(body=b"{}", headers=[(b"content-type", b"application/json")], chunks="never"))
        )
        await asyncio.sleep(0.05)
        refused = await call_asgi(app, Sent("/v1/rulesets", method="GET", headers=[]))
        waiting.cancel()
        return refused

    status, _, body = asyncio.run(scenario())
    assert status == 503 and json.loads(body)["error"]["code"] == "busy"


SECRET = "texte du cas : salarie-secret"


def test_internal_errors_are_answered_alike_without_the_case(engine, caplog):
    class Broken:
        catalog, backend, provenance = engine.catalog, engine.backend, engine.provenance

        def evaluate(self, case, as_of=None, explain=False):
            raise RuntimeError(SECRET)

        def plan(self, case, as_of=None):
            raise BackendError("durable a échoué")

    pair = both(Broken(), token=None)
    typed = [(b"content-type", b"application/json")]
    with caplog.at_level(logging.ERROR, logger="fundrules.http"):
        got = same(pair, Sent(body=as_body(CDD), headers=typed))
        assert _error(got) == (500, "internal_error") and b"salarie-secret" not in got[2]
        assert b"Traceback" not in got[2]
        got = same(pair, Sent("/v1/plan", as_body(CDD), headers=typed))
        assert _error(got) == (500, "backend_failure")
    assert SECRET not in caplog.text
    assert caplog.text.count("erreur interne (RuntimeError) sur POST /v1/evaluate") == 2  # each app logs once
    assert caplog.text.count("échec du moteur de règles (BackendError) sur /v1/plan") == 2


def test_a_client_gone_before_its_body_is_answered_alike(apps, caplog):
    with caplog.at_level(logging.ERROR, logger="fundrules.http"):
        got = same(apps, Sent(body=b"", chunks="gone"))
    assert got[0] == 500


# --- what falls through, and which path answered -----------------------------------------------------


@pytest.mark.parametrize(
    "sent",
    [
        Sent("/v1/evaluate", method="GET", headers=[AUTH]),
        Sent("/v1/evaluate", method="HEAD", headers=[AUTH]),
        Sent("/v1/evaluate", method="OPTIONS", headers=[AUTH]),
        Sent("/v1/evaluate/", as_body(CDD)),
        Sent("/V1/evaluate", as_body(CDD)),
        Sent("/v1/evaluate/batch", as_body({"cases": [CDD, CDI]})),
        Sent("/v1/questions", as_body(CDD), query=b"limit=3"),
        Sent("/v1/plan", method="PUT", body=as_body(CDD)),
        Sent("/healthz", method="GET", headers=[]),
    ],
    ids=["get", "head", "options", "slash", "case", "batch", "questions", "put", "healthz"],
)
def test_other_requests_are_answered_by_fastapi_alike(apps, sent):
    same(apps, sent)


def test_the_case_routes_take_the_lean_path(engine):
    """An application that answered only case routes never built FastAPI's middleware stack (Starlette
    builds it on the first request it handles); one request elsewhere builds it."""
    from fundrules.http import create_app

    app = create_app(engine, token=TOKEN)
    for sent in (Sent(body=as_body(CDD)), Sent("/v1/plan", as_body(CDI)), Sent(body=b"{"), Sent(headers=[AUTH])):
        answer(app, sent)
    assert app.middleware_stack is None
    answer(app, Sent("/v1/evaluate/", as_body(CDD)))
    assert app.middleware_stack is not None
    full = create_app(engine, token=TOKEN, lean=False)
    answer(full, Sent(body=as_body(CDD)))
    assert full.middleware_stack is not None


def test_the_openapi_document_is_the_same(apps):
    lean, full = apps
    assert lean.openapi() == full.openapi()
    assert {"/v1/evaluate", "/v1/plan"} <= set(lean.openapi()["paths"])


def test_a_real_server_answers_alike(engine):
    """Through uvicorn and the parser `fundrules serve` uses: the same headers (but the date) and body."""
    from fundrules.http import create_app

    servers = [Server(create_app(engine, token=None)), Server(create_app(engine, token=None, lean=False))]
    try:
        for path, body, headers in (
            ("/v1/evaluate", as_body(CDD), {"Content-Type": "application/json"}),
            ("/v1/plan", as_body(JEUNE), {"Content-Type": "application/json"}),
            ("/v1/evaluate", b"{", {"Content-Type": "application/json"}),
            ("/v1/evaluate", as_body(CDD), {"Content-Type": "text/plain"}),
        ):
            seen = []
            for server in servers:
                status, got, data = server.request("POST", path, body, headers=headers)
                got.pop("date", None)
                seen.append((status, got, data))
            assert seen[0] == seen[1]
    finally:
        for server in servers:
            server.stop()
