"""POST /v1/questions against a real server: `fundrules serve` in a subprocess on a free loopback port."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import time

import pytest

from .conftest import FUNDRULES, ROOT

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def port():
    port = _free_port()
    process = subprocess.Popen(
        FUNDRULES + ["serve", "--port", str(port), "--engine", "python"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONWARNINGS": "ignore", "FUNDRULES_API_TOKEN": ""},
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _request(port, "GET", "/readyz")[0] == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"server did not start: {process.stderr.read().decode() if process.stderr else ''}")
            time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=20)


def _request(port: int, method: str, path: str, body: bytes | None = None) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers={"Content-Type": "application/json"} if body else {})
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        conn.close()


JOB_SEEKER = {"date_demande": "2018-03-12", "beneficiaire": {"statut": "demandeur_emploi"}}


def test_questions_ranked_for_a_partial_case(port):
    status, data = _request(port, "POST", "/v1/questions", json.dumps(JOB_SEEKER).encode())
    assert status == 200
    assert data["as_of"] == "2018-03-12"
    first = data["questions"][0]
    assert first["fact"] == "beneficiaire.inscrit_pole_emploi"  # triage, and it decides the AIF's public
    assert first["type"] == "bool" and "aif" in first["funders"] and first["triage"] is True
    assert {"value": True, "label": "oui"} in first["choices"]
    assert "aif" in data["open_funders"]


def test_skip_limit_and_as_of(port):
    query = "/v1/questions?limit=2&skip=beneficiaire.inscrit_pole_emploi&as_of=2018-03-12"
    status, data = _request(port, "POST", query, json.dumps({"beneficiaire": {"statut": "demandeur_emploi"}}).encode())
    assert status == 200
    assert len(data["questions"]) == 2
    assert "beneficiaire.inscrit_pole_emploi" not in [q["fact"] for q in data["questions"]]


def test_without_a_date_the_date_is_asked(port):
    status, data = _request(port, "POST", "/v1/questions", b"{}")
    assert status == 200 and [q["fact"] for q in data["questions"]] == ["date_demande"]


def test_bad_input_is_a_french_error(port):
    status, data = _request(port, "POST", "/v1/questions", b'{"beneficiaire": {"age": "26"}}')
    assert status == 422 and data["error"]["field"] == "beneficiaire.age"
    status, data = _request(port, "POST", "/v1/questions?skip=nimporte.quoi", b"{}")
    assert status == 422 and data["error"]["field"] == "skip"
    status, data = _request(port, "POST", "/v1/questions", b"{")
    assert status == 400 and data["error"]["code"] == "invalid_json"


def test_the_route_and_its_answer_are_in_the_openapi_document(port):
    status, spec = _request(port, "GET", "/openapi.json")
    assert status == 200
    route = spec["paths"]["/v1/questions"]["post"]
    assert route["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/Questions")
    assert "Question" in spec["components"]["schemas"]
    assert "funders" in spec["components"]["schemas"]["Question"]["properties"]
