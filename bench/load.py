"""Load test of the HTTP service: `python bench/load.py` (needs the `http` extra). Not a test.

Starts `fundrules serve` (this checkout's code, as bench/run.py does) on a free port of 127.0.0.1
(loopback only) with 1 then 2 workers, sends POST /v1/evaluate from N concurrent keep-alive clients
(threads with http.client) on the seeded case mix of bench/cases.py, bounded in count and time, and
prints requests/s, p50/p99 latency and errors, at concurrency 1 and N, and the server's CPU per
request (user + system of the server's processes, read from /proc before and after each run).
Then the library's own work for the same requests, in this process: `Service.evaluate(body)`
(strict JSON parsing, validation, evaluation, the answer's JSON: what the route runs), its CPU per
case (process CPU time over all the cases) and its wall p50; the ratios of the issue 27 targets
are printed against it (server CPU per request / library CPU per case; p50 at one client / library
p50).

Options: --requests 10000, --concurrency 32, --serial 1000 (requests at concurrency 1),
--workers 1,2, --engine durable, --max-seconds 300 (per run), --quick (small numbers).
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


def load(port: int, payloads: list[bytes], requests: int, concurrency: int, max_seconds: float) -> dict:
    """`requests` POSTs from `concurrency` keep-alive clients; stops early at `max_seconds`."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    counter = iter(range(requests))
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


def library_times(payloads: list[bytes], engine: str, count: int) -> dict:
    """The library's own work for the same requests: `Service.evaluate(body)`, what the route runs in
    its thread (strict JSON parsing, validation, evaluation, the answer's JSON), on one Engine."""
    from fundrules import Engine
    from fundrules.http.service import Service

    service = Service(Engine(backend=engine), max_batch=1)
    for body in payloads:
        service.evaluate(body, None, False)  # warm: the rules of every period, as the service's warm-up does
    times = []
    cpu_start = time.process_time()
    for i in range(count):
        t = time.perf_counter()
        service.evaluate(payloads[i % len(payloads)], None, False)
        times.append(1000 * (time.perf_counter() - t))
    cpu_ms = 1000 * (time.process_time() - cpu_start) / count
    times.sort()
    return {
        "p50_ms": statistics.median(times),
        "mean_ms": statistics.fmean(times),
        "p99_ms": times[min(len(times) - 1, int(len(times) * 0.99))],
        "cpu_ms": cpu_ms,
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
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.requests, args.serial, args.cases = 500, 100, 100
    payloads = bodies(args.cases)
    rows = []
    for workers in [int(w) for w in args.workers.split(",")]:
        process, port = start(workers, args.engine)
        try:
            # warm-up: each worker compiles the rules of each period on first use
            load(port, payloads, 3 * len(payloads), max(2, workers * 2), args.max_seconds)
            for concurrency, count in ((1, args.serial), (args.concurrency, args.requests)):
                cpu_before = server_cpu(process.pid)
                result = load(port, payloads, count, concurrency, args.max_seconds)
                result["server_cpu_ms"] = 1000 * (server_cpu(process.pid) - cpu_before) / max(1, result["requests"])
                rows.append((workers, concurrency, result))
                print(
                    f"workers={workers} concurrency={concurrency}: {result['requests']} requests in "
                    f"{result['seconds']:.1f} s, {result['rps']:.0f} req/s, p50 {result['p50_ms']:.2f} ms, "
                    f"p99 {result['p99_ms']:.2f} ms, server CPU {result['server_cpu_ms']:.2f} ms per request, "
                    f"errors {result['errors']} {result['error_kinds'] or ''}",
                    flush=True,
                )
        finally:
            stop(process)
    lib = library_times(payloads, args.engine, max(args.serial, 2000))
    own, own_cpu = lib["p50_ms"], lib["cpu_ms"]
    print(
        f"\nlibrary Service.evaluate(body) (parse, evaluate, JSON) on the same cases ({args.engine}): "
        f"p50 {own:.2f} ms, mean {lib['mean_ms']:.2f} ms, p99 {lib['p99_ms']:.2f} ms, CPU {own_cpu:.2f} ms per case\n"
    )
    print(
        "| workers | concurrent clients | requests | requests/s | p50 (ms) | p99 (ms) | errors "
        "| server CPU per request (ms) | / library CPU per case | p50 / library p50 |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for workers, concurrency, r in rows:
        print(
            f"| {workers} | {concurrency} | {r['requests']:,} | {r['rps']:,.0f} | {r['p50_ms']:.2f} | "
            f"{r['p99_ms']:.2f} | {r['errors']} | {r['server_cpu_ms']:.2f} | {r['server_cpu_ms'] / own_cpu:.2f}× | "
            f"{r['p50_ms'] / own:.2f}× |"
        )


if __name__ == "__main__":
    main()
