"""fundrules benchmark: prints a table of its figures. Not a test: run `python bench/run.py`.

Options: --cases N (mix size, 2000), --memory-evals N (100,000), --replay N (10,000), --stream N
(cases streamed through the replay for its memory, 100,000), --cold-runs N (11), --quick (small
numbers, for a smoke run).

After the table it prints each target of issue 13 with its figure and "met" / "not met", and a
calibration figure (a fixed pure-Python loop timed in the same process) so that figures from
different machines can be compared: divide a time by the calibration time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
# The fundrules measured: this tree's, or another checkout's given by PYTHONPATH (a before/after run).
if not os.environ.get("PYTHONPATH"):
    sys.path.insert(0, str(ROOT))

from cases import generated_cases  # noqa: E402
from fundrules import Engine  # noqa: E402
from fundrules.case import case_from_data  # noqa: E402


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def throughput(engine: Engine, cases, seconds: float = 3.0) -> tuple[float, list[float]]:
    for case in cases[:200]:
        engine.evaluate(case)  # warm: compile the rules of every period
    latencies = []
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for case in cases:
            t = time.perf_counter_ns()
            engine.evaluate(case)
            latencies.append((time.perf_counter_ns() - t) / 1000)
        done += len(cases)
    return done / (time.perf_counter() - start), latencies


def compact_latencies(engine: Engine, cases, seconds: float) -> list[float]:
    """Per-case µs of `engine.outcome(case)`: statuses, blockers' criteria and facts to collect,
    without the explained Evaluation (issue 13's 50 µs target)."""
    for case in cases[:200]:
        engine.outcome(case)
    latencies = []
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        for case in cases:
            t = time.perf_counter_ns()
            engine.outcome(case)
            latencies.append((time.perf_counter_ns() - t) / 1000)
    return latencies


def serialised_latencies(engine: Engine, cases, seconds: float) -> list[float]:
    """Per-case µs of an evaluation followed by its full JSON (`model_dump_json()`)."""
    for case in cases[:200]:
        engine.evaluate(case).model_dump_json()
    latencies = []
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        for case in cases:
            t = time.perf_counter_ns()
            engine.evaluate(case).model_dump_json()
            latencies.append((time.perf_counter_ns() - t) / 1000)
    return latencies


_BYTECODE: dict[str, str] = {}  # the folder of compiled bytecode, made once per bench run


def _compiled_env() -> dict[str, str]:
    """The environment of a user of the README's `pip install .`: every module imported from bytecode
    compiled beforehand. The bytecode goes to a temporary PYTHONPYCACHEPREFIX (removed at exit), so
    nothing is written into the repository nor into site-packages, even where
    PYTHONDONTWRITEBYTECODE is set (this VM, an editable install: there every start compiles
    fundrules from source)."""
    import atexit
    import shutil

    import fundrules
    import fundrules_cli

    if "folder" not in _BYTECODE:
        folder = tempfile.mkdtemp(prefix="fundrules-bytecode-")
        atexit.register(shutil.rmtree, folder, True)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = folder
        packages = [str(Path(m.__file__).parent) for m in (fundrules, fundrules_cli)]  # type: ignore[arg-type]
        subprocess.run([sys.executable, "-m", "compileall", "-q", *packages], env=env, check=True, capture_output=True)
        for extra in ((), ("--engine", "python")):  # the dependencies and stdlib modules each command imports
            subprocess.run(_check_command(*extra), env=env, check=True, capture_output=True)
        _BYTECODE["folder"] = folder
    # the current environment (FUNDRULES_CACHE_DIR may be set), reading the bytecode, writing none
    return {**os.environ, "PYTHONPYCACHEPREFIX": _BYTECODE["folder"], "PYTHONDONTWRITEBYTECODE": "1"}


def _check_command(*extra: str) -> list[str]:
    exe = Path(sys.executable).with_name("fundrules")  # this interpreter's, not another one on PATH
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "fundrules_cli.app"]
    return command + ["check", str(ROOT / "cases" / "examples" / "ancien-cdd-2018.yaml"), *extra]


def cold_check(runs: int, *extra: str) -> float:
    """Median wall time of `runs` cold `fundrules check` processes, bytecode compiled as `pip install .`
    leaves it (the figure returned). With more than one run, the same check compiling fundrules from
    source at every start (an editable install under PYTHONDONTWRITEBYTECODE) is timed too, alternating
    run by run so that both see the same load, and printed beside it."""
    compiled_env = _compiled_env()
    source_env = {k: v for k, v in os.environ.items() if k != "PYTHONPYCACHEPREFIX"}
    source_env["PYTHONDONTWRITEBYTECODE"] = "1"
    command = _check_command(*extra)
    times: dict[str, list[float]] = {"compiled": [], "source": []}
    for _ in range(runs):
        for name, env in (("compiled", compiled_env), ("source", source_env)):
            if name == "source" and runs == 1:
                continue
            t = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True, env=env)
            times[name].append(time.perf_counter() - t)
    compiled = statistics.median(times["compiled"])
    if runs > 1:
        cache = "cache on" if os.environ.get("FUNDRULES_CACHE_DIR") else "no cache"
        print(
            f"cold check {' '.join(extra) or '(default engine)'}, {cache}, median of {runs}: "
            f"{compiled:.3f} s bytecode compiled (pip install .), "
            f"{statistics.median(times['source']):.3f} s from source (editable, PYTHONDONTWRITEBYTECODE)",
            flush=True,
        )
    return compiled


CALIBRATION_LOOP = 2_000_000


def calibration_ms() -> float:
    """Median of 5 timings of a fixed pure-Python loop (`_spin(2,000,000)`), in ms: the unit in
    which figures from different machines (or busy moments) can be compared."""
    times = []
    for _ in range(5):
        start = time.perf_counter()
        _spin(CALIBRATION_LOOP)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


# Durable p50 on the example cases at this branch's starting point (main d68c3fe, 31 funders), in
# calibration units (p50 / calibration time), measured with this script: the "today" of the
# target "durable p50 at least 2x better than today".
DURABLE_P50_BEFORE_CAL = 0.0235  # 2,380 µs / 101.1 ms, --quick run of 2026-11-27


def replay(cases, processes: int) -> float:
    """Wall time of the library replay (evaluate, compare, plan) over generated cases, each filed as
    a case of a meeting on its request date, with 1 or more processes."""
    from fundrules.library.cases import LibraryCase, Meeting, quarter_of
    from fundrules.library.replay import replay_cases

    start = time.perf_counter()
    engine = Engine()
    library = []
    for i, raw in enumerate(cases):
        case = case_from_data(raw)
        meeting = Meeting(region="bench", quarter=quarter_of(case.date_demande), date=case.date_demande)
        library.append(
            LibraryCase(
                id=f"bench/{i}",
                path="",
                meeting=meeting,
                problem="cas généré",
                case=case,
                conclusion={"outcome": "en_attente", "note": "généré"},
                expected={},
            )
        )
    replay_cases(engine, library, jobs=processes)
    return time.perf_counter() - start


def replay_rss_growth(n: int, seed: int = 7, warm: int = 2000) -> tuple[float, float]:
    """Resident memory (MB) before and after streaming `n` generated cases, made one at a time, through
    the library replay as `fundrules replay --format json` runs it (`iter_replays`: evaluate, compare,
    plan; then `ReplayJson` writes each case's item, here to nowhere); python backend, one process.
    `warm` cases replayed first fill the bounded caches (compiled rules per period), which is not growth."""
    from cases import iter_generated_cases
    from fundrules.library.cases import LibraryCase, Meeting, quarter_of
    from fundrules.library.replay import iter_replays
    from fundrules.report.replay import ReplayJson

    def library(count: int):
        for i, raw in enumerate(iter_generated_cases(count, seed)):
            case = case_from_data(raw)
            meeting = Meeting(region="bench", quarter=quarter_of(case.date_demande), date=case.date_demande)
            done = {"outcome": "en_attente", "note": "généré"}
            yield LibraryCase(
                id=f"bench/{i}", path="", meeting=meeting, problem="-", case=case, conclusion=done, expected={}
            )

    engine = Engine(backend="python")
    for _ in iter_replays(engine, library(warm)):
        pass
    before = rss_mb()
    report = ReplayJson(n, None, engine.provenance)
    report.start()
    for replay in iter_replays(engine, library(n)):
        report.add(replay)
    report.end()
    return before, rss_mb()


def fresh_replay_rss_growth(n: int) -> tuple[float, float]:
    """`replay_rss_growth(n)` in a process of its own: measured after the rest of the run, in a heap
    that had already peaked above 2 GB, freed memory was reused and the growth read +0.0 MB."""
    command = [sys.executable, __file__, "--stream-only", str(n)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout.split()
    return float(output[0]), float(output[1])


def durable_memory(engines: int, years: int) -> list[tuple[str, str]]:
    """RSS of durable Engines created, used once and dropped; RSS and cache size over many periods."""
    import datetime as dt
    import gc

    from fundrules.engine import durable_backend
    from fundrules.rulesets.loader import load_catalog

    if not durable_backend.available():
        return [("durable memory rows", "skipped (durable-rules not importable)")]
    catalog = load_catalog()
    case = {
        "date_demande": "2019-06-01",
        "beneficiaire": {"statut": "salarie", "anciennete_salariee_mois": 30},
        "projet": {"duree_heures": 100},
    }
    Engine(catalog, backend="durable").evaluate(case)
    gc.collect()
    before = rss_mb()
    for _ in range(engines):
        Engine(catalog, backend="durable").evaluate(case)
    gc.collect()
    after = rss_mb()
    rows = [
        (
            f"resident memory before / after {engines} durable Engines used once and dropped (MB)",
            f"{before:.1f} / {after:.1f} (+{(after - before) / engines * 1000:.0f} kB per Engine)",
        )
    ]
    regions = sorted({v for f in catalog.funders.values() for v in f.variants})[:5] or ["11"]
    engine = Engine(catalog, backend="durable")
    before = rss_mb()
    for region in regions:
        for year in range(2026 - years, 2026):
            for month in (1, 7):
                engine.evaluate({**case, "region": region, "date_demande": dt.date(year, month, 2).isoformat()})
    after = rss_mb()
    held = len(engine._backend._compiled)
    rows.append(
        (
            f"durable, {len(regions)} regions x {years} years: compiled rulesets held (bound "
            f"{_cache_size()}), resident memory (MB)",
            f"{held}, {before:.1f} / {after:.1f} (+{after - before:.1f})",
        )
    )
    engine.close()
    return rows


def _spin(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i % 7
    return total


def machine_parallelism() -> float:
    """Speed-up of a pure CPU loop on 2 processes: the ceiling for any 2-process figure here."""
    n = 4_000_000
    start = time.perf_counter()
    _spin(n), _spin(n)
    one = time.perf_counter() - start
    start = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(2) as pool:
        pool.map(_spin, [n, n])
    return one / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--memory-evals", type=int, default=100_000)
    parser.add_argument("--replay", type=int, default=10_000)
    parser.add_argument("--stream", type=int, default=100_000)
    parser.add_argument("--cold-runs", type=int, default=11)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--stream-only", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stream_only:  # the fresh process of fresh_replay_rss_growth
        print(*replay_rss_growth(args.stream_only))
        return
    if args.quick:
        args.cases, args.memory_evals, args.replay, args.cold_runs, args.seconds = 300, 20_000, 1000, 3, 1.0
        args.stream = 5_000

    calibration = calibration_ms()
    cases = [case_from_data(c) for c in generated_cases(args.cases)]
    from fundrules import load_case

    examples = [load_case(p) for p in sorted((ROOT / "cases" / "examples").glob("*.yaml"))]
    rows = []
    p50: dict[str, float] = {}
    for backend in ("python", "durable"):
        rate, latencies = throughput(Engine(backend=backend), examples, args.seconds)
        p50[f"examples {backend}"] = statistics.median(latencies)
        rows.append((f"evaluations/s on the {len(examples)} example cases, {backend}", f"{rate:,.0f}"))
    rows.append(
        ("latency p50 on the example cases, durable (µs)", f"{p50['examples durable']:,.0f}"),
    )
    rates = {}
    for backend in ("python", "durable"):
        engine = Engine(backend=backend)
        rate, latencies = throughput(engine, cases, args.seconds)
        rates[backend] = rate
        q = statistics.quantiles(latencies, n=100)
        p50[backend] = q[49]
        rows.append((f"evaluations/s, {backend} backend (1 core)", f"{rate:,.0f}"))
        rows.append((f"latency p50 / p99, {backend} (µs)", f"{q[49]:,.0f} / {q[98]:,.0f}"))
    rows.append(("ratio python / durable", f"{rates['python'] / rates['durable']:.2f}x"))
    p50["python json"] = statistics.median(serialised_latencies(Engine(backend="python"), cases, args.seconds))
    p50["python compact"] = statistics.median(compact_latencies(Engine(backend="python"), cases, args.seconds))
    rows.append(("latency p50, python, compact outcome `Engine.outcome()` (µs)", f"{p50['python compact']:,.0f}"))
    rows.append(("latency p50, python, evaluation + model_dump_json() (µs)", f"{p50['python json']:,.0f}"))
    cold_python = cold_check(args.cold_runs, "--engine", "python")
    cold_default = cold_check(args.cold_runs)
    with tempfile.TemporaryDirectory() as folder:  # the opt-in catalogue cache, in a folder of its own
        os.environ["FUNDRULES_CACHE_DIR"] = folder
        cold_check(1), cold_check(1, "--engine", "python")  # fill it (and its durable-checks marker)
        cached_python = cold_check(args.cold_runs, "--engine", "python")
        cached_default = cold_check(args.cold_runs)
        del os.environ["FUNDRULES_CACHE_DIR"]
    rows.append(
        (
            "cold `fundrules check`, FUNDRULES_CACHE_DIR set, python / default (median, s)",
            f"{cached_python:.3f} / {cached_default:.3f}",
        )
    )
    rows.append(("cold `fundrules check --engine python` (median, s)", f"{cold_python:.3f}"))
    rows.append(("cold `fundrules check` (median, s)", f"{cold_default:.3f}"))

    engine = Engine()
    engine.evaluate(cases[0])
    for case in cases:
        engine.evaluate(case)
    before = rss_mb()
    for i in range(args.memory_evals):
        engine.evaluate(cases[i % len(cases)])
    after = rss_mb()
    rows.append(
        (
            f"resident memory before / after {args.memory_evals:,} evaluations, {engine.backend} (MB)",
            f"{before:.1f} / {after:.1f} (+{after - before:.1f})",
        )
    )

    memory_rows = durable_memory(30 if args.quick else 200, 12)
    rows.extend(memory_rows)

    raw = generated_cases(args.replay, seed=7)
    one = replay(raw, 1)
    two = replay(raw, 2)
    rows.append((f"replay (evaluate, compare, plan) of {args.replay:,} generated cases, 1 process (s)", f"{one:.2f}"))
    rows.append(
        (
            f"replay (evaluate, compare, plan) of {args.replay:,} generated cases, 2 processes (s)",
            f"{two:.2f} ({one / two:.2f}x)",
        )
    )
    start = time.perf_counter()
    stream_before, stream_after = fresh_replay_rss_growth(args.stream)
    stream_growth = stream_after - stream_before
    rows.append(
        (
            f"resident memory before / after streaming {args.stream:,} cases through the replay, own process (MB)",
            f"{stream_before:.1f} / {stream_after:.1f} (+{stream_growth:.1f}, {time.perf_counter() - start:.0f} s)",
        )
    )
    ceiling = machine_parallelism()
    rows.append(("pure CPU loop on 2 processes (this machine's ceiling)", f"{ceiling:.2f}x"))
    rows.append(
        (f"calibration: pure-Python loop of {CALIBRATION_LOOP:,} steps (median of 5, ms)", f"{calibration:.1f}")
    )

    width = max(len(r[0]) for r in rows)
    print(
        f"fundrules benchmark — Python {sys.version.split()[0]}, {os.cpu_count()} cores, {len(cases)} cases in the mix"
    )
    for name, value in rows:
        print(f"{name:<{width}}  {value}")

    durable_cal = p50["examples durable"] / 1000 / calibration
    if DURABLE_P50_BEFORE_CAL:
        durable_gain = DURABLE_P50_BEFORE_CAL / durable_cal
        durable_target = (
            f"{durable_gain:.2f}x better ({durable_cal:.4f} vs {DURABLE_P50_BEFORE_CAL:.4f} calibration units)",
            durable_gain >= 2,
        )
    else:
        durable_target = (f"{durable_cal:.4f} calibration units (no baseline recorded)", False)
    held_ok = all("held" not in name or int(value.split(",")[0]) <= _cache_size() for name, value in memory_rows)
    targets = [
        (
            "python p50 <= 50 µs, compact outcome (generated mix)",
            f"{p50['python compact']:,.0f} µs ({p50['python']:,.0f} µs explained)",
            p50["python compact"] <= 50,
        ),
        (
            "python p50 <= 100 µs with the full JSON serialised",
            f"{p50['python json']:,.0f} µs",
            p50["python json"] <= 100,
        ),
        ("durable p50 at least 2x better than at d68c3fe (example cases)", *durable_target),
        (
            "cold `fundrules check --engine python` median <= 0.2 s",
            f"{cold_python:.3f} s ({cached_python:.3f} s with the cache)",
            cold_python <= 0.2,
        ),
        (
            "cold `fundrules check` (default engine) median <= 0.2 s",
            f"{cold_default:.3f} s ({cached_default:.3f} s with the cache)",
            cold_default <= 0.2,
        ),
        (
            "replay RSS growth < 50 MB over 100,000 cases",
            f"+{stream_growth:.1f} MB over {args.stream:,} cases streamed"
            + ("" if args.stream >= 100_000 else f" ({stream_growth * 100_000 / args.stream:+.0f} MB extrapolated)"),
            stream_growth * max(1, 100_000 / args.stream) < 50,
        ),
        (
            f"replay --jobs 2 faster than --jobs 1 on {args.replay:,} cases",
            f"{one / two:.2f}x (machine ceiling {ceiling:.2f}x)",
            two < one,
        ),
        ("compiled durable rules held in a bounded cache", f"cache of {_cache_size()}", held_ok),
    ]
    print(f"\ntargets of issue 13 (calibration {calibration:.1f} ms)")
    width = max(len(t[0]) for t in targets)
    for name, figure, met in targets:
        print(f"{name:<{width}}  {figure}  {'met' if met else 'not met'}")


def _cache_size() -> int:
    """The most compiled durable entries held: the LRU's size before issue 20, then one entry per
    distinct content of a funder's rules in force (the bundled rules over every date and region)."""
    from fundrules.engine import durable_backend

    size = getattr(durable_backend, "COMPILED_CACHE_SIZE", None)
    if size is not None:
        return int(size)
    from fundrules.rulesets.catalog import catalog_change_days
    from fundrules.rulesets.loader import load_catalog

    catalog = load_catalog()
    funders = list(catalog.funders.values())
    keys = set()
    for day in [dt.date(1900, 1, 1), *catalog_change_days(catalog, funders)]:
        for funder in funders:
            for variant in list(funder.variants.values()) or [None]:
                active = catalog.active(funder, day, variant)
                if active is not None:
                    keys.add(active.key)
    return len(keys)


if __name__ == "__main__":
    main()
