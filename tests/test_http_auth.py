"""The bearer token is checked on the route path, whatever the prefix the application is served under.

Issue 20, item 2: under `--root-path /api` or mounted in another application, `scope["path"]` carries
the prefix, and a check on it let `/v1/evaluate` through without the token. Every request here is
sent raw (the path exactly as written, encoded or doubled), and every one that does not carry the
token must be refused 401 unless its route is a probe.
"""

from __future__ import annotations

import json
import socket

import pytest

from .conftest import RULESETS

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")

from fundrules import Engine  # noqa: E402

from .http_support import Server, assert_error, example  # noqa: E402

TOKEN = "jeton-de-test-auth-91c2"
CASE = json.dumps(example("ancien-cdd-2018")).encode()


def raw(port: int, method: str, target: str, headers: dict | None = None, body: bytes = b"") -> tuple[int, bytes]:
    """(status, body) of one request whose target is sent byte for byte (no client normalises it)."""
    head = {"Host": "127.0.0.1", "Content-Type": "application/json", "Connection": "close", **(headers or {})}
    if body or method == "POST":
        head["Content-Length"] = str(len(body))
    lines = [f"{method} {target} HTTP/1.1", *(f"{k}: {v}" for k, v in head.items()), "", ""]
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        sock.sendall("\r\n".join(lines).encode("latin-1") + body)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    status = int(answer.split(b" ", 2)[1])
    return status, answer.partition(b"\r\n\r\n")[2]


@pytest.fixture(scope="module")
def engine():
    return Engine(RULESETS, backend="python")


@pytest.fixture(scope="module")
def under_root_path(engine):
    """As `uvicorn --root-path /api`: a proxy strips /api and uvicorn puts it back in the scope."""
    from fundrules.http import create_app

    running = Server(create_app(engine, token=TOKEN), root_path="/api")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def mounted(engine):
    """The service mounted under /api in another application."""
    from starlette.applications import Starlette
    from starlette.routing import Mount

    from fundrules.http import create_app

    running = Server(Starlette(routes=[Mount("/api", app=create_app(engine, token=TOKEN))]))
    yield running
    running.stop()


BEARER = {"Authorization": f"Bearer {TOKEN}"}


def test_under_a_root_path_the_token_is_required(under_root_path):
    port = under_root_path.port
    assert raw(port, "POST", "/v1/evaluate", body=CASE)[0] == 401
    status, body = raw(port, "POST", "/v1/evaluate", BEARER, CASE)
    assert status == 200 and json.loads(body)["date_demande"] == "2018-03-12"
    assert raw(port, "GET", "/v1/rulesets")[0] == 401
    assert raw(port, "GET", "/healthz")[0] == 200  # the probes stay open


def test_mounted_in_another_app_the_token_is_required(mounted):
    port = mounted.port
    assert raw(port, "POST", "/api/v1/evaluate", body=CASE)[0] == 401
    status, body = raw(port, "POST", "/api/v1/evaluate", BEARER, CASE)
    assert status == 200 and json.loads(body)["date_demande"] == "2018-03-12"
    assert raw(port, "GET", "/api/v1/schema/case")[0] == 401
    assert raw(port, "GET", "/api/openapi.json")[0] == 401
    assert raw(port, "GET", "/api/healthz")[0] == 200


@pytest.mark.parametrize(
    "target",
    [
        "/v1/evaluate",
        "/v1%2Fevaluate",
        "%2Fv1/evaluate",
        "//v1/evaluate",
        "/V1/evaluate",
        "/v1/./evaluate",
        "/x/../v1/evaluate",
        "/v1/evaluate/",
        "/v1",
        "/openapi.json",
        "/docs",
        "/redoc",
        "/healthz/../v1/evaluate",
        "//healthz",
        "/healthz/",
        "/HEALTHZ",
    ],
)
@pytest.mark.parametrize("prefix", ["", "/api"])
def test_no_spelling_of_a_path_passes_without_the_token(under_root_path, mounted, target, prefix):
    """Without a prefix under --root-path (the proxy stripped it), with /api when mounted."""
    running = mounted if prefix else under_root_path
    status, body = raw(running.port, "POST", prefix + target, body=CASE)
    if not (prefix + target).startswith("/") and status == 400:
        # not a path (RFC 9112 §3.2.1): httptools' parser refuses it before the application (h11 passes it on)
        assert body == b"Invalid HTTP request received."
        return
    assert status == 401, body
    assert json.loads(body)["error"]["code"] == "unauthorized"


@pytest.mark.parametrize("prefix", ["", "/api"])
def test_the_page_checks_the_token_itself(under_root_path, mounted, prefix):
    """The counsellors' page (fundrules/web/) passes the bearer middleware and applies the same token
    itself: without it, its address sends to the login form and a form post is refused."""
    running = mounted if prefix else under_root_path
    status, _ = raw(running.port, "POST", prefix + "/", body=CASE)
    assert status == 405  # no route answers a POST there: nothing evaluated
    status, _ = raw(running.port, "GET", prefix + "/")
    assert status == 303  # to /connexion


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER", "bEaReR"])
def test_the_scheme_is_case_insensitive(under_root_path, scheme):
    status, _ = raw(under_root_path.port, "POST", "/v1/evaluate", {"Authorization": f"{scheme} {TOKEN}"}, CASE)
    assert status == 200


@pytest.mark.parametrize(
    "value",
    [f"Basic {TOKEN}", TOKEN, f"Bearer{TOKEN}", f"Bearer {TOKEN}x", f"Bearer {TOKEN[:-1]}", "Bearer ", "Bearer"],
)
def test_a_wrong_credential_is_refused(under_root_path, value):
    status, headers, data = under_root_path.request("POST", "/v1/evaluate", json.loads(CASE), {"Authorization": value})
    assert_error(status, headers, data, 401, "unauthorized")
    assert headers["www-authenticate"] == "Bearer"
