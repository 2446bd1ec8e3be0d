"""Load test of the HTTP service: `python bench/load.py` (needs the `http` extra). Not a test.

Starts `fundrules serve` (this checkout's code, as bench/run.py does) on a free port of 127.0.0.1
(loopback only) with 1 then 2 workers, sends POST /v1/evaluate from N concurrent keep-alive clients
(threads with http.client) on the seeded case mix of bench/cases.py, bounded in count and time, and
prints requests/s, p50/p99 latency and errors, at concurrency 1 and N, and the server's CPU per
request (user + system of the server's processes, read from /proc before and after each run).
Each run is cut in `--rounds` chunks, each followed by the library's own work for the same cases
in this process, `Service.evaluate(body)` (strict JSON parsing, validation, evaluation, the answer's
JSON: what the route runs): its CPU per case (process CPU time over the chunk) and its wall p50.
The ratios of the issue 27 targets (server CPU per request / library CPU per case; p50 at one
client / library p50) are the medians of the per-round ratios: both legs meet the same load.

Options: --requests 10000, --concurrency 32, --serial 1000 (requests at concurrency 1),
--workers 1,2, --engine durable, --rounds 5, --max-seconds 300 (per run), --quick (small numbers).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from run import TREE  # noqa: E402,F401 - this checkout (or PYTHONPATH's) first on the path, here and in the server

from cases import generated_cases  # noqa: E402

HOST = "127.0.0.1"  # never any other address


def _plain(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def bodies(n: int) -> list[bytes]:
    return [json.dumps(case, default=_plain).encode() for case in generated_cases(n)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start(workers: int, engine: str) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "FUNDRULES_API_TOKEN"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from fundrules_cli.app import main; main()",
            "serve",
            "--host",
            HOST,
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--engine",
            engine,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            raise SystemExit(f"fundrules serve s'est arrêté (code {process.returncode})")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/readyz")
            if conn.getresponse().status == 200:
                conn.close()
                return process, port
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                raise SystemExit("fundrules serve n'a pas démarré en 60 s") from None
            time.sleep(0.2)


def _tree_pids(pid: int) -> list[int]:
    """`pid` and its descendants (uvicorn's worker processes with --workers N)."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    pending.extend(int(child) for child in handle.read().split())
        except OSError:
            continue
    return found


def server_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by the server's processes (Linux /proc)."""
    total = 0
    for current in _tree_pids(pid):
        try:
            with open(f"/proc/{current}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / os.sysconf("SC_CLK_TCK")


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def load(port: int, payloads: list[bytes], requests: int, concurrency: int, max_seconds: float, first: int = 0) -> dict:
    """`requests` POSTs from `concurrency` keep-alive clients, cases `first`, `first + 1`... of
    `payloads` (cycling); stops early at `max_seconds`."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    counter = iter(range(first, first + requests))
    deadline = time.monotonic() + max_seconds

    def client():
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        mine, failed = [], []
        while time.monotonic() < deadline:
            with lock:
                index = next(counter, None)
            if index is None:
                break
            body = payloads[index % len(payloads)]
            t = time.perf_counter()
            try:
                conn.request("POST", "/v1/evaluate", body=body, headers={"Content-Type": "application/json"})
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    failed.append(f"HTTP {response.status}")
            except (OSError, http.client.HTTPException) as error:
                failed.append(type(error).__name__)
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=30)
            mine.append(time.perf_counter() - t)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors.extend(failed)

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    start_time = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start_time
    latencies.sort()
    return {
        "requests": len(latencies),
        "seconds": elapsed,
        "rps": len(latencies) / elapsed,
        "p50_ms": 1000 * latencies[len(latencies) // 2] if latencies else None,
        "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else None,
        "errors": len(errors),
        "error_kinds": sorted(set(errors)),
    }


def library_service(engine: str):
    """The library's own work for a request: `Service.evaluate(body)`, what the route runs in its
    thread (strict JSON parsing, validation, evaluation, the answer's JSON), on one Engine."""
    from fundrules import Engine
    from fundrules.http.service import Service

    return Service(Engine(backend=engine), max_batch=1)


def library_chunk(service, payloads: list[bytes], first: int, count: int) -> dict:
    """The library on the same cases as a chunk of requests: CPU per case (process CPU time over the
    chunk) and each case's wall time (ms)."""
    times = []
    cpu_start = time.process_time()
    for index in range(first, first + count):
        t = time.perf_counter()
        service.evaluate(payloads[index % len(payloads)], None, False)
        times.append(1000 * (time.perf_counter() - t))
    return {"cpu_ms": 1000 * (time.process_time() - cpu_start) / count, "times": times}


def alternated(process, port, service, payloads, count, concurrency, rounds, max_seconds) -> dict:
    """`count` requests at `concurrency` in `rounds` chunks, each chunk followed by the library on the
    same cases, so that both legs meet the same load (the method of bench/README.md, round 3): the
    ratios are the medians of the per-round ratios."""
    per = max(1, count // rounds)
    legs: dict[str, list] = {"server_cpu": [], "library_cpu": [], "cpu_ratio": [], "p50_ratio": [], "results": []}
    for round_index in range(rounds):
        first = round_index * per
        cpu_before = server_cpu(process.pid)
        result = load(port, payloads, per, concurrency, max_seconds, first)
        server_ms = 1000 * (server_cpu(process.pid) - cpu_before) / max(1, result["requests"])
        library = library_chunk(service, payloads, first, per)
        legs["server_cpu"].append(server_ms)
        legs["library_cpu"].append(library["cpu_ms"])
        legs["cpu_ratio"].append(server_ms / library["cpu_ms"])
        legs["p50_ratio"].append(result["p50_ms"] / statistics.median(library["times"]))
        legs["results"].append(result)
    results = legs["results"]
    return {
        "requests": sum(r["requests"] for r in results),
        "seconds": sum(r["seconds"] for r in results),
        "rps": sum(r["requests"] for r in results) / sum(r["seconds"] for r in results),
        "p50_ms": statistics.median(r["p50_ms"] for r in results),
        "p99_ms": max(r["p99_ms"] for r in results),
        "errors": sum(r["errors"] for r in results),
        "error_kinds": sorted({k for r in results for k in r["error_kinds"]}),
        "server_cpu_ms": statistics.median(legs["server_cpu"]),
        "library_cpu_ms": statistics.median(legs["library_cpu"]),
        "cpu_ratio": statistics.median(legs["cpu_ratio"]),
        "p50_ratio": statistics.median(legs["p50_ratio"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--serial", type=int, default=1_000)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--engine", default="durable", choices=["durable", "python"])
    parser.add_argument("--cases", type=int, default=500)
    parser.add_argument("--max-seconds", type=float, default=300)
    parser.add_argument("--rounds", type=int, default=5, help="chunks alternated with the library")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.requests, args.serial, args.cases = 500, 100, 100
    payloads = bodies(args.cases)
    service = library_service(args.engine)
    for body in payloads:
        service.evaluate(body, None, False)  # warm: the rules of every period, as the server's warm-up does
    rows = []
    for workers in [int(w) for w in args.workers.split(",")]:
        process, port = start(workers, args.engine)
        try:
            # warm-up: each worker compiles the rules of each period on first use
            load(port, payloads, 3 * len(payloads), max(2, workers * 2), args.max_seconds)
            for concurrency, count in ((1, args.serial), (args.concurrency, args.requests)):
                result = alternated(process, port, service, payloads, count, concurrency, args.rounds, args.max_seconds)
                rows.append((workers, concurrency, result))
                print(
                    f"workers={workers} concurrency={concurrency}: {result['requests']} requests in "
                    f"{result['seconds']:.1f} s, {result['rps']:.0f} req/s, p50 {result['p50_ms']:.2f} ms, "
                    f"p99 {result['p99_ms']:.2f} ms, errors {result['errors']} {result['error_kinds'] or ''}; "
                    f"server CPU {result['server_cpu_ms']:.2f} ms per request, library {result['library_cpu_ms']:.2f} "
                    f"ms per case: {result['cpu_ratio']:.2f}x; p50 / library p50 {result['p50_ratio']:.2f}x",
                    flush=True,
                )
        finally:
            stop(process)
    print(
        f"\nlibrary: Service.evaluate(body) (parse, evaluate, JSON) on the same cases ({args.engine}), in "
        f"{args.rounds} rounds alternated with the requests; ratios: medians of the per-round ratios\n"
    )
    print(
        "| workers | concurrent clients | requests | requests/s | p50 (ms) | p99 (ms) | errors "
        "| server CPU per request (ms) | library CPU per case (ms) | CPU ratio | p50 / library p50 |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for workers, concurrency, r in rows:
        print(
            f"| {workers} | {concurrency} | {r['requests']:,} | {r['rps']:,.0f} | {r['p50_ms']:.2f} | "
            f"{r['p99_ms']:.2f} | {r['errors']} | {r['server_cpu_ms']:.2f} | {r['library_cpu_ms']:.2f} | "
            f"{r['cpu_ratio']:.2f}× | {r['p50_ratio']:.2f}× |"
        )


if __name__ == "__main__":
    main()
