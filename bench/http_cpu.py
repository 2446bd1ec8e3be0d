"""CPU per `POST /v1/evaluate` inside the ASGI application vs the library's own work for it.

`python bench/http_cpu.py` (needs the `http` extra): the application of `fundrules serve` (FastAPI,
its middlewares, the hop to the thread pool) is called in-process, without a socket or uvicorn, on
300 cases of the seeded mix, alternated round by round with `Service.evaluate(body)` (strict JSON
parsing, validation, evaluation, the answer's JSON: what the route runs in its thread). Both are
timed in process CPU time (all threads), medians of 5 rounds; the difference is the web layer's CPU
per request, less what uvicorn's HTTP parsing and the socket add in a real server (bench/load.py).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from cases import generated_cases  # noqa: E402
from fundrules import Engine  # noqa: E402
from fundrules.http.app import create_app  # noqa: E402


def main(rounds: int = 5, count: int = 300) -> None:
    bodies = [json.dumps(c, default=lambda d: d.isoformat()).encode() for c in generated_cases(count, seed=3)]
    app = create_app(Engine(backend="durable"), token=None)
    service = app.state.service

    async def call(body: bytes) -> None:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": "/v1/evaluate",
            "raw_path": b"/v1/evaluate",
            "query_string": b"",
            "root_path": "",
            "headers": [
                (b"host", b"127.0.0.1:8000"),
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
            "client": ("127.0.0.1", 5000),
            "server": ("127.0.0.1", 8000),
            "state": {},
        }
        sent, status = False, []

        async def receive() -> dict:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await asyncio.sleep(3600)  # the client stays connected
            return {"type": "http.disconnect"}

        async def send(message: dict) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])

        await app(scope, receive, send)
        if status != [200]:
            raise SystemExit(f"réponse {status} pour {body[:80]!r}")

    async def run() -> None:
        for body in bodies:  # warm: rules compiled for every period met
            await call(body)
            service.evaluate(body, None, False)
        legs: dict[str, list[float]] = {"app": [], "library": []}
        for _ in range(rounds):
            start = time.process_time()
            for body in bodies:
                await call(body)
            legs["app"].append((time.process_time() - start) / len(bodies) * 1e6)
            start = time.process_time()
            for body in bodies:
                service.evaluate(body, None, False)
            legs["library"].append((time.process_time() - start) / len(bodies) * 1e6)
        app_us, library_us = statistics.median(legs["app"]), statistics.median(legs["library"])
        print(
            f"CPU per /v1/evaluate, {count} cases, median of {rounds} alternated rounds: ASGI app {app_us:,.0f} µs, "
            f"library (parse, evaluate, JSON) {library_us:,.0f} µs: {app_us / library_us:.2f}x, "
            f"web layer {app_us - library_us:,.0f} µs"
        )

    asyncio.run(run())


if __name__ == "__main__":
    main()
