"""The HTTP service, through a real uvicorn server on a loopback port and a real HTTP client.

Expected answers come from the library itself (the service must add nothing to them) and, for
errors, from the issue's contract: status, `error.code`, the CLI's French message, field and line.
"""

import datetime as dt
import http.client
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from .conftest import ROOT, RULESETS

pytest.importorskip("fastapi")
uvicorn = pytest.importorskip("uvicorn")

import fundrules  # noqa: E402
from fundrules import Engine, load_case  # noqa: E402
from fundrules.errors import BackendError, InputError  # noqa: E402

from .http_support import Server, assert_error, example  # noqa: E402

BODY = "corps de la requête"
TOKEN = "jeton-de-test-7f3a"
LIMIT = 1_000_000


CDD, JEUNE, CDI = example("ancien-cdd-2018"), example("jeune-mission-locale-2017"), example("salarie-cdi-2019")


@pytest.fixture(scope="module")
def engine():
    return Engine(RULESETS)


@pytest.fixture(scope="module")
def server(engine):
    from fundrules.http import create_app

    running = Server(create_app(engine, token=None))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def guarded(engine):
    from fundrules.http import create_app

    running = Server(create_app(engine, token=TOKEN))
    yield running
    running.stop()


def library(engine, case, as_of=None):
    return json.loads(engine.evaluate(case, as_of).model_dump_json())


# --- packaging -------------------------------------------------------------------------------------


def test_the_library_does_not_import_the_web_stack():
    code = (
        "import sys, fundrules; from fundrules import Engine; print('fastapi' in sys.modules, 'uvicorn' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.stdout.split() == ["False", "False"], result.stderr


def test_serve_without_the_extra_says_how_to_install_it():
    code = (
        "import sys; sys.modules['fastapi'] = None; sys.modules['uvicorn'] = None; "
        "sys.argv = ['fundrules', 'serve']; from fundrules_cli.app import main; main()"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 2
    assert "pip install 'fundrules[http]'" in result.stderr and "Traceback" not in result.stderr


# --- evaluate, plan, batch -------------------------------------------------------------------------


def test_evaluate_answers_what_the_library_answers(server, engine):
    status, headers, data = server.request("POST", "/v1/evaluate", CDD)
    assert status == 200 and headers["fundrules-version"] == fundrules.__version__
    assert data == library(engine, CDD)
    by_funder = {r["funder"]: r for r in data["results"]}
    # README's example: the former fixed-term employee is eligible to the CIF, blocked for the CPF.
    assert by_funder["cif"]["status"] == "eligible"
    assert [b["criterion"] for b in by_funder["cpf"]["blockers"]] == ["solde_ou_accord_pole_emploi"]


def test_evaluate_as_of_applies_the_rules_of_that_date(server, engine):
    status, _, data = server.request("POST", "/v1/evaluate?as_of=2019-06-01", CDD)
    assert status == 200 and data["as_of"] == "2019-06-01" and data["date_demande"] == "2018-03-12"
    assert data == library(engine, CDD, dt.date(2019, 6, 1))
    # the CIF ended on 2018-12-31 (README, bundled funders)
    assert {r["funder"]: r["status"] for r in data["results"]}["cif"] == "not_in_force"


def test_provenance_is_returned_as_the_library_gives_it(server, engine):
    _, _, data = server.request("POST", "/v1/evaluate", CDD)
    assert data["provenance"] == json.loads(engine.provenance.model_dump_json())
    expected = {"fundrules_version", "schema_version", "backend", "rulesets_digest", "code_digest"}
    assert set(data["provenance"]) == expected


def test_explain_adds_the_trace_and_only_then(server):
    status, headers, data = server.request("POST", "/v1/evaluate?explain=true", CDD)
    assert status == 200
    assert all(isinstance(r["trace"], list) for r in data["results"])
    _, _, plain = server.request("POST", "/v1/evaluate", CDD)
    assert all("trace" not in r for r in plain["results"])


def test_plan_answers_what_the_library_answers(server, engine):
    status, headers, data = server.request("POST", "/v1/plan", CDI)
    assert status == 200 and headers["fundrules-version"] == fundrules.__version__
    assert data == json.loads(engine.plan(CDI).model_dump_json())
    assert {"as_of", "plans", "impasse"} <= set(data)


def test_batch_returns_the_evaluations_in_order(server, engine):
    status, _, data = server.request("POST", "/v1/evaluate/batch?as_of=2019-06-01", {"cases": [CDI, CDD, JEUNE, CDD]})
    assert status == 200
    day = dt.date(2019, 6, 1)
    assert data == {"evaluations": [library(engine, c, day) for c in (CDI, CDD, JEUNE, CDD)]}


def test_batch_of_1000_is_served_and_1001_refused(server):
    small = {"date_demande": "2018-03-12", "beneficiaire": {"statut": "salarie"}}
    status, _, data = server.request("POST", "/v1/evaluate/batch", {"cases": [small] * 1000})
    assert status == 200 and len(data["evaluations"]) == 1000
    status, headers, data = server.request("POST", "/v1/evaluate/batch", {"cases": [small] * 1001})
    assert_error(status, headers, data, 413, "batch_too_large")
    assert "1001" in data["error"]["message"] and "au plus 1000" in data["error"]["message"]


def test_a_refused_case_in_a_batch_names_its_index_field_and_line(server):
    bad = {**JEUNE, "beneficiaire": {**JEUNE["beneficiaire"], "age": "19"}}
    text = json.dumps({"cases": [CDD, CDI, bad]}, indent=2)
    # the third "age" key of the body (the first two cases have none; JEUNE's is the bad one)
    expected_line = next(i for i, line in enumerate(text.splitlines(), 1) if '"age": "19"' in line)
    status, headers, data = server.request("POST", "/v1/evaluate/batch", text)
    assert_error(status, headers, data, 422, "invalid_input")
    assert data["error"]["field"] == "cases[2].beneficiaire.age"
    assert data["error"]["line"] == expected_line and data["error"]["file"] == BODY


def test_a_batch_case_without_a_date_names_its_index(server):
    status, headers, data = server.request("POST", "/v1/evaluate/batch", {"cases": [CDD, {"beneficiaire": {}}]})
    assert_error(status, headers, data, 422, "cannot_evaluate")
    assert data["error"]["field"] == "cases[1].date_demande" and "date_demande" in data["error"]["message"]


def test_a_batch_must_be_an_object_with_cases(server):
    for body in ([CDD], {"cas": [CDD]}, {"cases": [CDD], "as_of": "2019-01-01"}):
        status, headers, data = server.request("POST", "/v1/evaluate/batch", body)
        assert_error(status, headers, data, 422, "invalid_input")


# --- errors ----------------------------------------------------------------------------------------


def test_invalid_case_gives_the_cli_message_field_and_line(server, tmp_path):
    bad = {**CDD, "beneficiaire": {**CDD["beneficiaire"], "mois_cdd_12_mois": "9"}}
    text = json.dumps(bad, indent=2, ensure_ascii=False)
    expected_line = next(i for i, line in enumerate(text.splitlines(), 1) if '"mois_cdd_12_mois"' in line)
    path = tmp_path / "cas.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as cli:
        load_case(path)
    status, headers, data = server.request("POST", "/v1/evaluate", text.encode())
    assert_error(status, headers, data, 422, "invalid_input")
    error = data["error"]
    assert (error["field"], error["line"], error["file"]) == ("beneficiaire.mois_cdd_12_mois", expected_line, BODY)
    assert error["message"] == str(cli.value).replace(str(path), BODY)
    assert "nombre entier attendu" in error["message"]


def test_unknown_fact_suggests_the_known_one(server):
    status, headers, data = server.request("POST", "/v1/plan", {**CDD, "beneficiaire": {"anciennete_mois": 3}})
    assert_error(status, headers, data, 422, "unknown_fact")
    assert data["error"]["field"] == "beneficiaire.anciennete_mois"
    assert "anciennete_salariee_mois" in data["error"]["message"]


def test_case_without_date_cannot_be_evaluated(server):
    status, headers, data = server.request("POST", "/v1/evaluate", {"beneficiaire": {"statut": "salarie"}})
    assert_error(status, headers, data, 422, "cannot_evaluate")
    assert "date_demande" in data["error"]["message"] and "as_of" in data["error"]["message"]
    assert data["error"]["field"] == "date_demande"  # the engine's field, as the CLI gives it


@pytest.mark.parametrize(
    "body, line",
    [
        (b'{\n  "date_demande": "2018-03-12",\n  "beneficiaire": {,\n}', 3),
        (b"", None),
        (b"   ", None),
        (b'{"date_demande": NaN}', None),
        (b'{"a": "\xff"}', None),
        (b"[" * 100_000, None),
        (b'{\n "date_demande": "2018-03-12",\n "date_demande": "2019-03-12"}', 3),  # the CLI refuses it too
        (b'{"beneficiaire": {"age": ' + b"9" * 5000 + b"}}", None),  # was a 500
        (b'{"date_demande": "2018-03-12", "projet": {"intitule": "\\ud800"}}', None),  # no line, as the CLI
    ],
)
def test_broken_json_is_400(server, body, line):
    status, headers, data = server.request("POST", "/v1/evaluate", body)
    assert_error(status, headers, data, 400, "invalid_json")
    assert data["error"]["file"] == BODY and data["error"]["line"] == line


def test_a_json_document_that_is_not_a_case_is_422(server):
    status, headers, data = server.request("POST", "/v1/evaluate", [1, 2])
    assert_error(status, headers, data, 422, "invalid_input")


def test_bad_as_of_is_422_in_french(server):
    for query in ("as_of=2018-13-01", "as_of=hier", "as_of=20180312", "explain=peut-etre"):
        status, headers, data = server.request("POST", f"/v1/evaluate?{query}", CDD)
        assert_error(status, headers, data, 422, "invalid_input")
        assert data["error"]["field"] == query.split("=")[0]


def test_unknown_route_and_wrong_method_have_the_common_shape(server):
    status, headers, data = server.request("GET", "/v2/evaluate")
    assert_error(status, headers, data, 404, "not_found")
    assert "/v2/evaluate" in data["error"]["message"]
    status, headers, data = server.request("GET", "/v1/evaluate")
    assert_error(status, headers, data, 405, "method_not_allowed")
    assert headers["allow"] == "POST"


def _broken(kind):
    class Broken:
        def __init__(self, real):
            self.catalog, self.backend, self.real = real.catalog, real.backend, real

        def evaluate(self, case, as_of=None):
            if kind == "bug":
                raise RuntimeError(f"plantage sur {case.projet.intitule}")  # a message quoting the case
            raise BackendError("le moteur durable-rules a échoué")

        def plan(self, case, as_of=None):
            return self.real.plan(case, as_of)

    return Broken


@pytest.mark.parametrize("kind, code", [("bug", "internal_error"), ("backend", "backend_failure")])
def test_server_errors_are_500_without_traceback_nor_case_data(engine, kind, code, caplog):
    from fundrules.http import create_app

    running = Server(create_app(_broken(kind)(engine), token=None))
    try:
        with caplog.at_level("DEBUG"):
            status, headers, data = running.request("POST", "/v1/evaluate", CDD)
    finally:
        running.stop()
    assert_error(status, headers, data, 500, code)
    assert "Titre professionnel" not in json.dumps(data) and "File " not in data["error"]["message"]
    assert "Titre professionnel" not in caplog.text
    if kind == "bug":
        assert "RuntimeError" in caplog.text  # the operator still learns what failed, and where


# --- size limit ------------------------------------------------------------------------------------


def _padded(size: int) -> bytes:
    text = json.dumps(CDD).encode()
    return text[:-1] + b" " * (size - len(text)) + b"}"


def test_a_body_of_exactly_the_limit_is_served_and_one_byte_more_refused(server):
    status, _, data = server.request("POST", "/v1/evaluate", _padded(LIMIT))
    assert status == 200 and data["date_demande"] == "2018-03-12"
    status, headers, data = server.request("POST", "/v1/evaluate", _padded(LIMIT + 1))
    assert_error(status, headers, data, 413, "body_too_large")
    assert str(LIMIT + 1) in data["error"]["message"]


def _answer_while_sending(port, head: bytes, chunks, budget: int):
    """Send `head` then chunks until the server answers; returns (bytes of body sent, answer)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sent, answer = 0, b""
    try:
        sock.sendall(head)
        for chunk in chunks:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable or sent >= budget:
                break
            try:
                sock.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(chunk)
        sock.settimeout(10)
        while True:
            try:
                data = sock.recv(65536)
            except ConnectionResetError:
                break
            if not data:
                break
            answer += data
            if b"\r\n\r\n" in answer and answer.endswith(b"}}"):
                break
    finally:
        sock.close()
    return sent, answer


def test_a_declared_oversize_body_is_refused_before_it_is_sent(server):
    head = (
        b"POST /v1/evaluate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: 50000000\r\n\r\n"
    )
    sent, answer = _answer_while_sending(server.port, head, [], 0)
    assert sent == 0 and answer.startswith(b"HTTP/1.1 413 ")
    assert b'"body_too_large"' in answer and b"50000000 octets" in answer


def test_a_chunked_oversize_body_is_refused_without_reading_it_all(server):
    head = (
        b"POST /v1/evaluate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n"
    )
    piece = b" " * 65536
    chunk = b"%x\r\n" % len(piece) + piece + b"\r\n"
    budget = 50_000_000
    sent, answer = _answer_while_sending(server.port, head, iter(lambda: chunk, None), budget)
    assert answer.startswith(b"HTTP/1.1 413 ") and b'"body_too_large"' in answer
    assert sent < budget / 2  # answered long before the client could send it all
    assert b"\r\nconnection: close\r\n" in answer.lower()  # and the server stops reading there


# --- token -----------------------------------------------------------------------------------------


def test_token_is_required_on_v1_when_set(guarded, engine):
    for headers in (
        {},
        {"Authorization": "Bearer mauvais"},
        {"Authorization": TOKEN},
        {"Authorization": f"Basic {TOKEN}"},
    ):
        status, got, data = guarded.request("POST", "/v1/evaluate", CDD, headers)
        assert_error(status, got, data, 401, "unauthorized")
        assert got["www-authenticate"] == "Bearer"
    status, _, data = guarded.request("POST", "/v1/evaluate", CDD, {"Authorization": f"Bearer {TOKEN}"})
    assert status == 200 and data == library(engine, CDD)
    status, got, data = guarded.request("GET", "/v1/rulesets")
    assert_error(status, got, data, 401, "unauthorized")
    status, got, data = guarded.request("GET", "/v1/inconnu")  # no hint of which routes exist
    assert_error(status, got, data, 401, "unauthorized")


def test_probes_stay_open_and_the_description_needs_the_token(guarded):
    for path in ("/healthz", "/readyz"):
        assert guarded.request("GET", path)[0] == 200
    for path in ("/openapi.json", "/docs"):
        status, headers, data = guarded.request("GET", path)
        assert_error(status, headers, data, 401, "unauthorized")
        assert guarded.request("GET", path, headers={"Authorization": f"Bearer {TOKEN}"})[0] == 200


def test_token_comes_from_the_environment(engine, monkeypatch):
    from fundrules.http import create_app

    monkeypatch.setenv("FUNDRULES_API_TOKEN", TOKEN)
    running = Server(create_app(engine))
    try:
        assert running.request("GET", "/v1/rulesets")[0] == 401
        assert running.request("GET", "/v1/rulesets", headers={"Authorization": f"Bearer {TOKEN}"})[0] == 200
    finally:
        running.stop()


# --- rules, schemas, description, health -----------------------------------------------------------


def test_rulesets_list_says_what_the_cli_says(server, engine):
    from fundrules.rulesets.describe import list_rulesets

    status, _, data = server.request("GET", "/v1/rulesets")
    assert status == 200 and [f["id"] for f in data["funders"]] == sorted(engine.catalog.funders)
    assert data["text"] == list_rulesets(engine.catalog, None)
    cif = next(f for f in data["funders"] if f["id"] == "cif")
    assert cif["tracks"][0]["versions"]  # all versions without a date
    _, _, later = server.request("GET", "/v1/rulesets?as_of=2020-01-01")
    cif = next(f for f in later["funders"] if f["id"] == "cif")
    assert cif["tracks"][0]["versions"] == []  # the CIF ended on 2018-12-31


def test_rulesets_show_gives_the_criteria_in_force(server, engine):
    from fundrules.rulesets.describe import show_ruleset

    day = dt.date(2018, 3, 1)
    status, _, data = server.request("GET", "/v1/rulesets/cpf?as_of=2018-03-01")
    assert status == 200 and data["id"] == "cpf" and data["as_of"] == "2018-03-01"
    funder = engine.catalog.funders["cpf"]
    active = engine.catalog.active(funder, day)
    version = data["tracks"][0]["version"]
    assert version["label"] == active.version.label and version["valid_from"] == "2015-01-01"
    assert [c["key"] for c in version["criteria"]] == [c.key for c in active.criteria]
    assert data["text"] == show_ruleset(engine.catalog, "cpf", day)
    status, headers, data = server.request("GET", "/v1/rulesets/cpff")
    assert_error(status, headers, data, 404, "not_found")
    assert "vouliez-vous dire cpf" in data["error"]["message"]


def test_schemas_are_the_library_models(server):
    from fundrules.case import CaseInput

    status, _, data = server.request("GET", "/v1/schema/case")
    assert status == 200 and data == CaseInput.model_json_schema()
    assert "results" in server.request("GET", "/v1/schema/evaluation")[2]["properties"]
    assert "plans" in server.request("GET", "/v1/schema/plan")[2]["properties"]
    status, headers, data = server.request("GET", "/v1/schema/dossier")
    assert_error(status, headers, data, 404, "not_found")


def test_openapi_describes_every_route_and_the_case(server):
    status, _, spec = server.request("GET", "/openapi.json")
    assert status == 200
    assert {
        "/v1/evaluate",
        "/v1/plan",
        "/v1/evaluate/batch",
        "/v1/rulesets",
        "/v1/rulesets/{funder}",
        "/v1/schema/{kind}",
        "/healthz",
        "/readyz",
    } <= set(spec["paths"])
    body = spec["paths"]["/v1/evaluate"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/CaseInput"}
    assert {"CaseInput", "Beneficiaire", "Projet", "Evaluation", "BatchRequest"} <= set(spec["components"]["schemas"])
    status, headers, page = server.request("GET", "/docs")
    assert status == 200 and headers["content-type"].startswith("text/html")


def test_health_and_readiness(server, engine):
    assert server.request("GET", "/healthz")[:3:2] == (200, {"status": "ok"})
    status, _, data = server.request("GET", "/readyz")
    assert status == 200 and data["backend"] == engine.backend
    assert data["funders"] == sorted(engine.catalog.funders)


# --- concurrency -----------------------------------------------------------------------------------


def test_concurrent_requests_each_get_their_own_answer(server, engine):
    days = [dt.date(2016, 1, 1) + dt.timedelta(days=97 * i) for i in range(32)]
    jobs = [(case, day) for day in days for case in (CDD, JEUNE, CDI)]
    expected = [library(engine, case, day) for case, day in jobs]

    def call(job):
        case, day = job
        return server.request("POST", f"/v1/evaluate?as_of={day}", case)

    with ThreadPoolExecutor(32) as pool:
        answers = list(pool.map(call, jobs))
    assert [a[0] for a in answers] == [200] * len(jobs)
    assert [a[2] for a in answers] == expected


def test_a_slow_evaluation_does_not_block_the_event_loop(engine):
    from fundrules.http import create_app

    release, entered = threading.Event(), threading.Event()

    class Slow:
        catalog, backend = engine.catalog, engine.backend

        def evaluate(self, case, as_of=None):
            entered.set()
            release.wait(20)
            return engine.evaluate(case, as_of)

    running = Server(create_app(Slow(), token=None))
    try:
        with ThreadPoolExecutor(1) as pool:
            slow = pool.submit(running.request, "POST", "/v1/evaluate", CDD)
            assert entered.wait(10)
            status, _, data = running.request("GET", "/readyz", timeout=5)  # while the evaluation waits
            assert status == 200 and not slow.done()
            release.set()
            assert slow.result(20)[0] == 200
    finally:
        release.set()
        running.stop()


# --- the command -----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_fundrules_serve_with_two_workers_serves_and_logs_no_case(tmp_path):
    port = _free_port()
    log = open(tmp_path / "server.log", "w+b")
    env = {**os.environ, "FUNDRULES_API_TOKEN": ""}
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from fundrules_cli.app import main; main()",
            "serve",
            "--port",
            str(port),
            "--workers",
            "2",
            "--engine",
            "python",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
        cwd=tmp_path,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, open(tmp_path / "server.log").read()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/readyz")
                response = conn.getresponse()
                ready = json.loads(response.read())
                conn.close()
                break
            except OSError:
                assert time.monotonic() < deadline, "fundrules serve did not start"
                time.sleep(0.2)
        assert ready["backend"] == "python" and ready["status"] == "ready"
        private = {**CDD, "projet": {**CDD["projet"], "intitule": "XYZZY-PRIVE"}}
        for body in (private, {**private, "beneficiaire": {"age": "XYZZY-AGE"}}):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("POST", "/v1/evaluate", body=json.dumps(body), headers={"Content-Type": "application/json"})
            assert conn.getresponse().status in (200, 422)
            conn.close()
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    output = open(tmp_path / "server.log", encoding="utf-8", errors="replace").read()
    assert "XYZZY" not in output and "127.0.0.1" in output


def _serve(*args, cwd):
    return subprocess.run(
        [sys.executable, "-c", "from fundrules_cli.app import main; main()", "serve", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
    )


def test_serve_refuses_a_bad_rulesets_folder_before_starting(tmp_path):
    result = _serve("--port", str(_free_port()), "--rulesets", str(tmp_path / "absent"), cwd=tmp_path)
    assert result.returncode == 2 and result.stderr.startswith("Erreur : ")
    assert "Traceback" not in result.stderr and "Service fundrules sur" not in result.stderr


def test_serve_says_in_french_when_the_port_is_taken(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _serve("--port", str(port), "--engine", "python", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert f"impossible d'écouter sur 127.0.0.1:{port}" in result.stderr and "Traceback" not in result.stderr
