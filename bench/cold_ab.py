"""Cold `fundrules check` of two (or more) checkouts, alternated in one process tree: the before/after
method of bench/README.md (round 3). Not a test.

    python bench/cold_ab.py --rounds 11 before=/tmp/shim:/tmp/before after=/tmp/shim2:/path/to/checkout

Each leg is `NAME=PYTHONPATH` (the checkout, preceded by a folder holding a link `fundrules_cli` to
its `cli/`, as bench/run.py makes for this checkout; `,VAR=VALUE` after it adds an environment
variable to that leg); `--extra '--engine python'` adds arguments to every check. For each leg:
its packages compiled to bytecode in a temporary PYTHONPYCACHEPREFIX (as `pip install .` leaves
them), its own rulesets (FUNDRULES_RULESETS) and ruleset cache folder, filled by two warm-up runs
(the cache as installed); then the legs run in turn, round after round, with the calibration loop
timed (its CPU time) between rounds. Printed per leg: the medians of the wall time, of the child's
CPU time (user + system, getrusage), of CPU / calibration, and of its CPU over the first leg's in
the same round.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EXAMPLE = "cases/examples/ancien-cdd-2018.yaml"


def _spin() -> float:
    """CPU seconds of bench/run.py's calibration loop (`_spin(2,000,000)`)."""
    start = time.process_time()
    total = 0
    for i in range(2_000_000):
        total += i * i % 7
    return time.process_time() - start


def _command(tree: str, extra: list[str]) -> list[str]:
    exe = Path(sys.executable).with_name("fundrules")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "fundrules_cli.app"]
    return [*command, "check", os.path.join(tree, EXAMPLE), *extra]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=11)
    parser.add_argument("--extra", default="", help="arguments added to every check, e.g. '--engine python'")
    parser.add_argument("legs", nargs="+", help="NAME=PYTHONPATH[,VAR=VALUE...]")
    args = parser.parse_args()
    extra = args.extra.split()
    folders: list[str] = []
    legs: dict[str, tuple[dict[str, str], list[str]]] = {}
    try:
        for spec in args.legs:
            name, _, rest = spec.partition("=")
            path, *settings = rest.split(",")
            tree = path.split(os.pathsep)[-1]
            bytecode, cache = tempfile.mkdtemp(prefix="cold-pyc-"), tempfile.mkdtemp(prefix="cold-cache-")
            folders += [bytecode, cache]
            env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "FUNDRULES_RULESETS")}
            env.update(PYTHONPATH=path, PYTHONPYCACHEPREFIX=bytecode, FUNDRULES_CACHE_DIR=cache)
            # the leg's own rulesets: an editable install of another checkout in the same virtualenv
            # would otherwise give every leg that checkout's bundled rulesets (cached all the same:
            # FUNDRULES_CACHE_DIR caches the rulesets it is given)
            env["FUNDRULES_RULESETS"] = os.path.join(tree, "rulesets")
            env.update(dict(setting.split("=", 1) for setting in settings))
            packages = [os.path.join(tree, "fundrules"), os.path.join(tree, "cli")]
            compile_all = [sys.executable, "-m", "compileall", "-q", *packages]
            subprocess.run(compile_all, env=env, check=True, capture_output=True)
            for _ in range(2):  # the dependencies' bytecode, then the ruleset cache entry
                subprocess.run(_command(tree, extra), env=env, check=True, capture_output=True)
            env["PYTHONDONTWRITEBYTECODE"] = "1"
            legs[name] = (env, _command(tree, extra))
        times: dict[str, dict[str, list[float]]] = {name: {"wall": [], "cpu": [], "cal": []} for name in legs}
        for _ in range(args.rounds):
            calibration = _spin()
            for name, (env, command) in legs.items():
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                start = time.perf_counter()
                subprocess.run(command, env=env, check=True, capture_output=True)
                wall = time.perf_counter() - start
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
                times[name]["wall"].append(wall)
                times[name]["cpu"].append(cpu)
                times[name]["cal"].append(cpu / calibration)
    finally:
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)
    print(f"{args.rounds} alternated rounds, load average {os.getloadavg()[0]:.2f}, check {' '.join(extra)}".rstrip())
    first = next(iter(times))
    for name, measured in times.items():
        wall, cpu, units = (statistics.median(measured[kind]) for kind in ("wall", "cpu", "cal"))
        # the median of the round-by-round ratios to the first leg: both met the same load in a round
        paired = statistics.median(a / b for a, b in zip(measured["cpu"], times[first]["cpu"], strict=True))
        print(
            f"{name}: wall {wall:.3f} s, CPU {cpu:.3f} s ({units:.2f} calibration units), "
            f"CPU / {first}'s in the same round {paired:.3f}"
        )


if __name__ == "__main__":
    main()
