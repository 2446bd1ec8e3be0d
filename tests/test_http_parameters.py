"""The case routes read their own query parameters (fundrules/http/routes/common.py, PlainRoute):
`explain` accepted and refused as FastAPI reads a `bool` query parameter (pydantic's words: true,
1, yes, on... in any case), `as_of` the last one given, both documented in the OpenAPI document as
the other routes' parameters are, and the work done outside the event loop's thread."""

from __future__ import annotations

import threading

import pytest

from .conftest import RULESETS

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")

from fundrules import Engine  # noqa: E402

from .http_support import Server, assert_error, example  # noqa: E402

CDD = example("ancien-cdd-2018")


@pytest.fixture(scope="module")
def server():
    from fundrules.http import create_app

    running = Server(create_app(Engine(RULESETS, backend="python"), token=None))
    yield running
    running.stop()


def _has_trace(data: dict) -> bool:
    return all(isinstance(result.get("trace"), list) for result in data["results"])


@pytest.mark.parametrize("path", ["/v1/evaluate", "/v1/evaluate/batch"])
def test_explain_takes_the_words_of_a_boolean_and_refuses_others_in_french(server, path):
    body = CDD if path == "/v1/evaluate" else {"cases": [CDD]}

    def answer(query):
        status, headers, data = server.request("POST", f"{path}?{query}", body)
        if status == 200:
            data = data if path == "/v1/evaluate" else data["evaluations"][0]
        return status, headers, data

    for word in ("true", "TRUE", "1", "yes", "on"):
        status, _, data = answer(f"explain={word}")
        assert status == 200 and _has_trace(data), word
    for word in ("false", "0", "no", "off"):
        status, _, data = answer(f"explain={word}")
        assert status == 200 and not _has_trace(data), word
    for query, seen in (("explain=peut-etre", "'peut-etre'"), ("explain=", "''"), ("explain=true&explain=x", "'x'")):
        status, headers, data = answer(query)
        assert_error(status, headers, data, 422, "invalid_input")
        assert data["error"]["field"] == "explain"
        assert data["error"]["message"] == f"explain : booléen attendu (true ou false, oui ou non), reçu {seen}"


def test_as_of_is_the_last_one_given_and_checked_before_the_body(server):
    status, headers, data = server.request("POST", "/v1/evaluate?as_of=2019-01-01&as_of=hier", CDD)
    assert_error(status, headers, data, 422, "invalid_input")
    assert data["error"]["message"] == "as_of : date attendue au format AAAA-MM-JJ, reçu « hier »"
    status, headers, data = server.request("POST", "/v1/plan?as_of=hier", b"{not json")  # the query first
    assert_error(status, headers, data, 422, "invalid_input")
    assert data["error"]["field"] == "as_of"
    status, _, data = server.request("POST", "/v1/evaluate?as_of=hier&as_of=2016-06-01", CDD)
    assert status == 200 and data["as_of"] == "2016-06-01"


def test_the_case_routes_document_their_parameters(server):
    status, _, spec = server.request("GET", "/openapi.json")
    assert status == 200
    for path, names in (
        ("/v1/evaluate", ["as_of", "explain"]),
        ("/v1/evaluate/batch", ["as_of", "explain"]),
        ("/v1/plan", ["as_of"]),
    ):
        parameters = spec["paths"][path]["post"]["parameters"]
        assert [p["name"] for p in parameters] == names
        assert all(p["in"] == "query" and p["required"] is False for p in parameters)
        as_of = parameters[0]["schema"]["anyOf"][0]
        assert as_of["format"] == "date" and as_of["pattern"] == r"^\d{4}-\d{2}-\d{2}$"
        if "explain" in names:
            assert parameters[1]["schema"]["type"] == "boolean" and parameters[1]["schema"]["default"] is False
        assert spec["paths"][path]["post"]["requestBody"]["required"] is True


def test_the_evaluation_runs_in_the_applications_worker_threads():
    from fundrules.http import create_app

    engine = Engine(RULESETS, backend="python")
    seen: list[str] = []

    class Recording:
        catalog, backend = engine.catalog, engine.backend

        def evaluate(self, case, as_of=None):
            seen.append(threading.current_thread().name)
            return engine.evaluate(case, as_of)

    running = Server(create_app(Recording(), token=None))
    try:
        status, _, _ = running.request("POST", "/v1/evaluate", CDD)
    finally:
        running.stop()
    assert status == 200 and len(seen) == 1
    assert seen[0].startswith("fundrules-http")  # not the event loop's thread
