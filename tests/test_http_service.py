"""A service that cannot be starved (issue 20, item 3), tried against `fundrules serve` on a loopback port.

Each attack is bounded in sockets and in time and stops by itself; while it runs, a `/healthz` probe
must answer in under a second, and once the bound of the attack has passed, the service must have
let go of every attacking connection and answer an ordinary request. Only 127.0.0.1 is used. Every
test of the running service runs once per HTTP parser (FUNDRULES_HTTP_PARSER: h11, httptools), as
both carry the same bounds (fundrules/http/connections.py, httptools_connections.py).
"""

from __future__ import annotations

import json
import os
import re
import select
import socket
import threading
import time

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")

from .http_support import Served, example, request  # noqa: E402

HEADER_TIMEOUT, BODY_TIMEOUT, SEND_TIMEOUT = 2.0, 2.0, 2.0
MAX_IN_FLIGHT, MAX_CONNECTIONS = 16, 400
SOCKETS = 150
CASE = example("ancien-cdd-2018")


PARSERS = ["h11", "httptools"]


@pytest.fixture(scope="module", params=PARSERS)
def served(request, tmp_path_factory):
    if request.param == "httptools":
        pytest.importorskip("httptools")
    running = Served(
        "--engine",
        "python",
        "--header-timeout",
        str(HEADER_TIMEOUT),
        "--body-timeout",
        str(BODY_TIMEOUT),
        "--send-timeout",
        str(SEND_TIMEOUT),
        "--max-in-flight",
        str(MAX_IN_FLIGHT),
        "--max-connections",
        str(MAX_CONNECTIONS),
        log=tmp_path_factory.mktemp("serve") / "server.log",
        env={"FUNDRULES_HTTP_PARSER": request.param},
    )
    running.parser = request.param
    yield running
    running.stop()


class Probe:
    """GET /healthz every 100 ms in a thread; `worst` is the longest answer time seen, in seconds."""

    def __init__(self, port: int):
        self.port, self.times, self.failures = port, [], []
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.done.is_set():
            started = time.monotonic()
            try:
                status = request(self.port, "GET", "/healthz", timeout=5)[0]
                if status != 200:
                    self.failures.append(status)
            except OSError as err:
                self.failures.append(repr(err))
            self.times.append(time.monotonic() - started)
            self.done.wait(0.1)

    def stop(self) -> float:
        self.done.set()
        self.thread.join(10)
        return max(self.times)


def connect(port: int, count: int) -> list[socket.socket]:
    socks = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.setblocking(False)
        socks.append(sock)
    return socks


def trickle(socks, head: bytes, seconds: float, every: float = 0.3) -> dict[socket.socket, bytes]:
    """Send `head`, then one more byte (a space of a header value) every `every` seconds for `seconds`
    at most, to every socket; return what each received (b"" and closed when the server hung up)."""
    received = {s: b"" for s in socks}
    closed: set = set()
    for sock in socks:
        sock.sendall(head)
    end = time.monotonic() + seconds
    while time.monotonic() < end and len(closed) < len(socks):
        readable, _, _ = select.select([s for s in socks if s not in closed], [], [], every)
        for sock in readable:
            try:
                data = sock.recv(65536)
            except (ConnectionResetError, BlockingIOError):
                data = b""
            received[sock] += data
            if not data:
                closed.add(sock)
        for sock in socks:
            if sock not in closed:
                try:
                    sock.send(b"x")
                except (BrokenPipeError, ConnectionResetError, BlockingIOError):
                    closed.add(sock)
    for sock in socks:
        if sock not in closed:
            received.pop(sock)  # still open: absent from the answer
    return received


def close_all(socks):
    for sock in socks:
        sock.close()


def test_slow_headers_do_not_starve_the_service(served):
    """150 connections each sending a header byte every 0.3 s: all are closed after the header
    deadline (2 s here), the probe answers in under a second throughout."""
    probe = Probe(served.port)
    socks = connect(served.port, SOCKETS)
    try:
        head = b"POST /v1/evaluate HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
        started = time.monotonic()
        closed = trickle(socks, head, seconds=HEADER_TIMEOUT + 6)
        elapsed = time.monotonic() - started
    finally:
        close_all(socks)
        worst = probe.stop()
    print(f"slow headers: {len(closed)}/{SOCKETS} closed in {elapsed:.1f} s; probe worst {worst * 1000:.0f} ms")
    assert len(closed) == SOCKETS  # every one, within the deadline and a margin
    assert not probe.failures and worst < 1.0
    assert request(served.port, "POST", "/v1/evaluate", CASE)[0] == 200


def test_a_connection_that_sends_nothing_is_closed(served):
    socks = connect(served.port, 20)
    try:
        closed = trickle(socks, b"", seconds=HEADER_TIMEOUT + 6, every=10)  # never a byte
    finally:
        close_all(socks)
    assert len(closed) == 20


def test_a_kept_alive_connection_trickling_its_next_request_is_closed(served):
    """uvicorn's keep-alive timer stops at the first byte: the header deadline is armed again after each answer."""
    sock = socket.create_connection(("127.0.0.1", served.port), timeout=10)
    try:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert sock.recv(65536).startswith(b"HTTP/1.1 200 ")
        sock.setblocking(False)
        closed = trickle([sock], b"GET /healthz HTTP/1.1\r\nX-Slow: ", seconds=HEADER_TIMEOUT + 6)
    finally:
        sock.close()
    assert len(closed) == 1


MAX_HEAD = 16 * 1024  # README: request line and headers at most 16 KB, else 431 headers_too_large


def send_head(port: int, pieces: list[bytes], pause: float = 0.005) -> bytes:
    """Send `pieces` one by one on a new connection (stopping when the server hangs up), then return all
    that the server sent until it closed (or 5 s of silence)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    try:
        for piece in pieces:
            try:
                sock.sendall(piece)
            except (BrokenPipeError, ConnectionResetError):
                break
            time.sleep(pause)  # separate reads on the server (not guaranteed, so each test holds either way)
        got = b""
        try:
            while chunk := sock.recv(65536):
                got += chunk
        except (TimeoutError, ConnectionResetError):
            pass
        return got
    finally:
        sock.close()


def assert_too_large(answer: bytes):
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 431 "), answer[:200]
    assert b"connection: close" in head.lower()
    error = json.loads(body)["error"]
    assert error["code"] == "headers_too_large" and "16 Ko" in error["message"]
    assert set(error) == {"code", "message", "file", "line", "field"}


def test_headers_beyond_16_kb_are_refused_431(served):
    """40 headers of 500 bytes sent one by one (20 KB, no blank line yet): the server stops reading at the
    bound; the service then answers ordinary requests."""
    pieces = [b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"]
    pieces += [b"X-Pad-%d: %s\r\n" % (i, b"a" * 500) for i in range(40)]
    assert_too_large(send_head(served.port, pieces))
    assert request(served.port, "GET", "/healthz")[0] == 200


def test_many_small_headers_beyond_16_kb_are_refused_431(served):
    """The number of headers is bounded by the same count: 5,000 headers `a: b` (35 KB) are refused."""
    pieces = [b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"]
    pieces += [b"a%d: b\r\n" % i * 500 for i in range(10)]
    assert_too_large(send_head(served.port, pieces))


def test_a_request_line_beyond_16_kb_is_refused(served):
    """A 40 KB URL, sent in pieces: refused (431) before it is complete, as the headers are."""
    pieces = [b"GET /healthz?q="] + [b"x" * 4000] * 10
    assert_too_large(send_head(served.port, pieces))


def test_headers_just_under_16_kb_are_accepted(served):
    status = request(served.port, "GET", "/healthz", headers={"X-Pad": "a" * (MAX_HEAD - 1000)})[0]
    assert status == 200


def test_a_pipelined_request_after_a_large_body_is_answered(served):
    """The bytes of a 200 KB body are not counted as the next request's head: two requests in one send,
    the first with a large body (a case padded with spaces), both answered 200."""
    body = json.dumps(CASE).encode() + b" " * 200_000
    first = (
        b"POST /v1/evaluate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n" % len(body)
    ) + body
    second = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: " + b"a" * 8000 + b"\r\nConnection: close\r\n\r\n"
    answer = send_head(served.port, [first + second])
    statuses = re.findall(rb"HTTP/1\.1 (\d{3}) ", answer)
    assert statuses == [b"200", b"200"], answer[:300]


def test_httptools_refuses_a_complete_head_beyond_16_kb_in_one_read(served):
    """A complete 20 KB head sent at once is measured from what the parser gave (h11 checks only what it
    buffers while a head is incomplete, so it may take such a head when it arrives in one read)."""
    if served.parser != "httptools":
        pytest.skip("h11 bounds only an incomplete head")
    head = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 20_000 + b"\r\n\r\n"
    assert_too_large(send_head(served.port, [head]))


def test_slow_bodies_are_refused_and_let_go(served):
    """150 requests whose bodies trickle: at most MAX_IN_FLIGHT are taken (the others get 503 busy at
    once), each of those gets 408 after the body deadline; the probe answers throughout."""
    probe = Probe(served.port)
    socks = connect(served.port, SOCKETS)
    try:
        head = (
            b"POST /v1/evaluate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: 100000\r\n\r\n{"
        )
        started = time.monotonic()
        answers = trickle(socks, head, seconds=BODY_TIMEOUT + 8)
        elapsed = time.monotonic() - started
    finally:
        close_all(socks)
        worst = probe.stop()
    statuses = sorted(int(a.split(b" ", 2)[1]) for a in answers.values() if a)
    print(
        f"slow bodies: {len(answers)}/{SOCKETS} answered and closed in {elapsed:.1f} s "
        f"({statuses.count(408)} × 408, {statuses.count(503)} × 503); probe worst {worst * 1000:.0f} ms"
    )
    assert len(answers) == SOCKETS and set(statuses) <= {408, 503}
    assert 1 <= statuses.count(408) <= MAX_IN_FLIGHT
    timed_out = next(a for a in answers.values() if a.startswith(b"HTTP/1.1 408"))
    assert b'"body_timeout"' in timed_out
    busy = next(a for a in answers.values() if a.startswith(b"HTTP/1.1 503"))
    assert b'"busy"' in busy and b"retry-after: 1" in busy.lower()
    assert not probe.failures and worst < 1.0
    assert request(served.port, "POST", "/v1/evaluate", CASE)[0] == 200


def test_connections_beyond_the_cap_are_refused_at_once(served):
    socks = connect(served.port, MAX_CONNECTIONS + 30)
    try:
        time.sleep(0.5)
        refused = 0
        for sock in socks:
            try:
                if sock.recv(65536).startswith(b"HTTP/1.1 503 "):
                    refused += 1
            except BlockingIOError:
                pass
    finally:
        close_all(socks)
    assert 30 <= refused <= 40  # the probe thread of no other test runs here; a few may still be closing
    deadline = time.monotonic() + 10
    while request(served.port, "GET", "/healthz")[0] != 200:
        assert time.monotonic() < deadline


def _rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs /proc")
def test_a_batch_answer_nobody_reads_is_neither_held_nor_kept(served):
    """A batch of 1,000 cases answers about 50 MB of JSON; 6 clients that never read it: the answer is
    streamed with back-pressure, so the server holds a few parts per client, and drops each connection
    once a part stays unread SEND_TIMEOUT seconds."""
    minimal = {"date_demande": "2018-03-12", "beneficiaire": {"statut": "salarie"}}
    body = json.dumps({"cases": [minimal] * 1000}).encode()
    head = (
        b"POST /v1/evaluate/batch HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n" % len(body)
    )
    before = _rss_kb(served.process.pid)
    socks = []
    try:
        for _ in range(6):
            sock = socket.create_connection(("127.0.0.1", served.port), timeout=10)
            sock.sendall(head + body)
            socks.append(sock)
        time.sleep(SEND_TIMEOUT + 3)
        peak = _rss_kb(served.process.pid)
        probe_status = request(served.port, "GET", "/healthz", timeout=1)[0]
        received = []
        for sock in socks:  # now read: the answer stops short (connection dropped), never 50 MB
            total = 0
            try:
                while chunk := sock.recv(1 << 20):
                    total += len(chunk)
            except ConnectionResetError:  # aborted: what the kernel had buffered, then the reset
                pass
            received.append(total)
    finally:
        close_all(socks)
    grown = (peak - before) / 1024
    print(f"6 unread batch answers: server RSS +{grown:.0f} MB; bytes each client got {received}")
    assert probe_status == 200
    assert grown < 60  # 6 × 50 MB if the answers were built whole
    assert all(0 < got < 20_000_000 for got in received)


# --- what a web page could make a local service do --------------------------------------------------


@pytest.fixture(scope="module")
def local():
    from fundrules import Engine
    from fundrules.http import create_app

    from .conftest import RULESETS
    from .http_support import Server

    running = Server(create_app(Engine(RULESETS, backend="python"), token=None, allowed_hosts=[]))
    yield running
    running.stop()


@pytest.mark.parametrize(
    "content_type",
    [None, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonx"],
)
def test_a_post_that_is_not_declared_json_is_refused_415(local, content_type):
    from .http_support import assert_error

    body = json.dumps(CASE)
    if content_type is None:  # a page's fetch() of a Blob without type sends none
        status, got, data = _post_without_content_type(local.port, body)
    else:
        status, got, data = local.request("POST", "/v1/evaluate", body, {"Content-Type": content_type})
    assert_error(status, got, data, 415, "unsupported_media_type")


def _post_without_content_type(port, body: str):
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        conn.putrequest("POST", "/v1/evaluate")
        conn.putheader("Content-Length", str(len(body.encode())))
        conn.endheaders(body.encode())
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, json.loads(response.read())
    finally:
        conn.close()


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8", "Application/JSON"])
def test_json_in_any_spelling_is_accepted(local, content_type):
    assert local.request("POST", "/v1/evaluate", CASE, {"Content-Type": content_type})[0] == 200


@pytest.mark.parametrize("host", ["localhost", "localhost:8000", "127.0.0.1:8000", "[::1]:8000", "LOCALHOST."])
def test_loopback_hosts_are_admitted_on_a_loopback_address(local, host):
    assert local.request("GET", "/v1/rulesets", headers={"Host": host})[0] == 200


@pytest.mark.parametrize("host", ["attacker.example", "attacker.example:8000", "127.0.0.1.nip.io", "localhost.evil"])
def test_other_hosts_are_refused_on_a_loopback_address(local, host):
    """A page of attacker.example whose name now resolves to 127.0.0.1 (DNS rebinding) reads nothing."""
    from .http_support import assert_error

    status, headers, data = local.request("POST", "/v1/evaluate", CASE, {"Host": host})
    assert_error(status, headers, data, 400, "host_not_allowed")
    assert data["error"]["field"] == "Host"


def test_allowed_hosts_come_from_the_option_and_the_environment(monkeypatch):
    from fundrules import Engine
    from fundrules.http import create_app

    from .conftest import RULESETS
    from .http_support import Server

    monkeypatch.setenv("FUNDRULES_ALLOWED_HOSTS", "fundrules.intranet, autre.intranet")
    running = Server(create_app(Engine(RULESETS, backend="python"), token=None))
    try:
        assert running.request("GET", "/healthz", headers={"Host": "fundrules.intranet:8000"})[0] == 200
        assert running.request("GET", "/healthz", headers={"Host": "autre.intranet"})[0] == 200
        assert running.request("GET", "/healthz", headers={"Host": "localhost"})[0] == 200
        assert running.request("GET", "/healthz", headers={"Host": "attacker.example"})[0] == 400
    finally:
        running.stop()


# --- which parser `fundrules serve` hands to uvicorn ------------------------------------------------


def test_serve_parses_with_httptools_when_it_imports(monkeypatch):
    pytest.importorskip("httptools")
    from uvicorn.importer import import_from_string
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    from fundrules.http.serve import PARSER_ENV, protocol

    monkeypatch.delenv(PARSER_ENV, raising=False)
    assert issubclass(import_from_string(protocol()), HttpToolsProtocol)


def test_serve_falls_back_to_h11_and_says_so_at_info(monkeypatch, caplog):
    import logging
    import sys

    from uvicorn.importer import import_from_string

    from fundrules.http.connections import GuardedH11Protocol
    from fundrules.http.serve import PARSER_ENV, protocol

    monkeypatch.delenv(PARSER_ENV, raising=False)
    monkeypatch.setitem(sys.modules, "httptools", None)  # `import httptools` raises ImportError
    with caplog.at_level(logging.INFO, logger="fundrules"):
        assert import_from_string(protocol()) is GuardedH11Protocol
    assert any(r.levelno == logging.INFO and "h11" in r.getMessage() for r in caplog.records)


def test_the_parser_can_be_forced_and_a_wrong_name_is_refused_in_french(monkeypatch):
    from fundrules.errors import InputError
    from fundrules.http.serve import PARSER_ENV, protocol

    monkeypatch.setenv(PARSER_ENV, "h11")
    assert protocol() == "fundrules.http.connections:GuardedH11Protocol"
    monkeypatch.setenv(PARSER_ENV, "picohttp")
    with pytest.raises(InputError) as refused:
        protocol()
    assert "analyseur HTTP inconnu « picohttp »" in str(refused.value) and "httptools, h11" in str(refused.value)
