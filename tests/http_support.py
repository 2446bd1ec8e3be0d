"""What the HTTP tests share: a uvicorn server in a thread on a free loopback port, raw requests,
the example cases as JSON, the common error shape, and `fundrules serve` in a subprocess."""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import uvicorn
import yaml

import fundrules

from .conftest import EXAMPLES

JSON = {"Content-Type": "application/json"}


def example(name: str) -> dict:
    data = yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8"))
    return json.loads(json.dumps(data, default=str))


def request(port, method, path, body=None, headers=None, timeout=20):
    """(status, headers in lower case, JSON body or raw bytes); a body is sent as JSON unless the
    headers name another Content-Type."""
    if isinstance(body, (dict, list)):
        body = json.dumps(body)
    sent = dict(headers or {})
    if body is not None and not any(k.lower() == "content-type" for k in sent):
        sent.update(JSON)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=sent)
        response = conn.getresponse()
        raw = response.read()
        got = {k.lower(): v for k, v in response.getheaders()}
        data = json.loads(raw) if got.get("content-type", "").startswith("application/json") else raw
        return response.status, got, data
    finally:
        conn.close()


class Server:
    """A uvicorn server in a thread, on a socket bound to a free loopback port, parsing HTTP with the
    protocol `fundrules serve` uses (httptools' when it imports, else h11's: uvicorn's own choice would
    change with what happens to be installed)."""

    def __init__(self, app, **config):
        from fundrules.http.serve import listen, protocol

        self.sock = listen("127.0.0.1", 0)  # declared TCP, as `fundrules serve` does (TCP_NODELAY)
        self.port = self.sock.getsockname()[1]
        config.setdefault("http", protocol())
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, **config))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.01)

    def request(self, method, path, body=None, headers=None, timeout=20):
        return request(self.port, method, path, body, headers, timeout)

    def stop(self):
        self.server.should_exit = True
        self.thread.join(10)


def assert_error(status, headers, data, expected_status, code):
    assert status == expected_status, data
    assert headers["content-type"].startswith("application/json")
    assert set(data) == {"error"} and set(data["error"]) >= {"code", "message", "file", "line", "field"}
    assert data["error"]["code"] == code, data
    assert "Traceback" not in data["error"]["message"]
    assert headers["fundrules-version"] == fundrules.__version__


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Served:
    """`fundrules serve` in a subprocess on a free loopback port, its output in `log`; stopped by SIGINT."""

    def __init__(self, *args: str, log, env=None, cwd=None, ready_timeout: float = 60):
        self.port = free_port()
        self.log = log
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from fundrules_cli.app import main; main()",
                "serve",
                "--port",
                str(self.port),
                *args,
            ],
            stdout=open(log, "w+b"),
            stderr=subprocess.STDOUT,
            env={**os.environ, "FUNDRULES_API_TOKEN": "", **(env or {})},
            cwd=cwd,
        )
        deadline = time.monotonic() + ready_timeout
        while True:
            assert self.process.poll() is None, self.output()
            try:
                if request(self.port, "GET", "/readyz", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "fundrules serve did not start: " + self.output()
            time.sleep(0.2)

    def output(self) -> str:
        return open(self.log, encoding="utf-8", errors="replace").read()

    def request(self, method, path, body=None, headers=None, timeout=20):
        return request(self.port, method, path, body, headers, timeout)

    def stop(self):
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class AsgiRequest:
    """One request as ASGI gives it to an application: its body in `chunks` (by default `body` in one
    message with its Content-Length; "never": the client never sends it; "gone": it disconnects).
    Headers by default: `default_headers` (a subclass adds its token), Host and Content-Length."""

    default_headers: tuple = ((b"content-type", b"application/json"),)

    def __init__(
        self, path="/v1/evaluate", body=b"", *, method="POST", query=b"", headers=None, chunks=None, host=None
    ):
        self.path, self.method, self.query = path, method, query
        self.chunks = [body] if chunks is None else chunks
        declared = [(b"content-length", str(len(body)).encode())] if chunks is None else []
        given = list(self.default_headers) if headers is None else headers
        self.headers = [(b"host", host or b"127.0.0.1:8000"), *given, *declared]

    def scope(self) -> dict:
        return {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": self.method,
            "scheme": "http",
            "path": self.path,
            "raw_path": self.path.encode(),
            "root_path": "",
            "query_string": self.query,
            "headers": list(self.headers),
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8000),
            "state": {},
        }


async def call_asgi(app, sent: AsgiRequest):
    messages = []
    pending = list(sent.chunks)

    async def receive():
        if sent.chunks == "gone":
            return {"type": "http.disconnect"}
        if sent.chunks == "never":
            await asyncio.sleep(30)  # never sent: the body timeout must fire first
        if pending:
            chunk = pending.pop(0)
            return {"type": "http.request", "body": chunk, "more_body": bool(pending)}
        await asyncio.sleep(30)  # after the body, only a disconnection would come
        return {"type": "http.disconnect"}

    async def send(message):
        messages.append(message)

    await app(sent.scope(), receive, send)
    start = [m for m in messages if m["type"] == "http.response.start"]
    assert len(start) == 1, messages
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    return start[0]["status"], [(bytes(k), bytes(v)) for k, v in start[0]["headers"]], body


def asgi_answer(app, sent: AsgiRequest):
    """(status, headers, body) of one request sent straight to an ASGI application."""
    return asyncio.run(call_asgi(app, sent))
