"""Memory of the engine over many dates, regions and Engines (issue 20). Not a test: run
`python bench/memory.py [--backend durable|python] [--calls 2000] [--engines 200]`; with
FUNDRULES_TREE=/other/checkout it measures that tree's fundrules (a before/after on one machine).

Prints RSS (MB) before and after: (1) `Engine().outcome()` on random days 2014–2027 × the
bundled regions; (2) many Engines created, evaluating once each and dropped; (3) `evaluate()` and
its JSON for generated cases on random days and regions (a replay). Each part runs in its
own process so that one does not inherit the other's memory.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import random
import subprocess
import sys
from pathlib import Path

ROOT = Path(os.environ.get("FUNDRULES_TREE") or Path(__file__).resolve().parents[1])  # the code measured
sys.path.insert(0, str(ROOT))
REGIONS = ("24", "etude-fusionnee", "etude-experimentatrice", "etude-territorialisee")


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def random_case(rng: random.Random) -> tuple[dict, dt.date]:
    day = dt.date(2014, 1, 1) + dt.timedelta(days=rng.randrange(14 * 365))
    case = {
        "date_demande": day.isoformat(),
        "region": rng.choice(REGIONS),
        "beneficiaire": {"statut": rng.choice(["salarie", "demandeur_emploi"]), "age": rng.randrange(16, 65)},
    }
    return case, day


def days(backend: str, calls: int, seed: int = 1) -> None:
    from fundrules import Engine

    rng = random.Random(seed)
    engine = Engine(backend=backend)
    case, _ = random_case(rng)
    engine.outcome(case)
    gc.collect()
    before = rss_mb()
    checkpoints = []
    for i in range(calls):
        case, _ = random_case(rng)
        engine.outcome(case)
        if (i + 1) % max(1, calls // 4) == 0:
            checkpoints.append(round(rss_mb(), 1))
    gc.collect()
    print(f"days×regions {backend}: {calls} outcome() calls: RSS {before:.1f} → {rss_mb():.1f} MB {checkpoints}")


def engines(backend: str, count: int, seed: int = 1) -> None:
    from fundrules import Engine
    from fundrules.rulesets.loader import load_catalog

    rng = random.Random(seed)
    catalog = load_catalog(None)
    Engine(catalog, backend=backend).outcome(random_case(rng)[0])
    gc.collect()
    before = rss_mb()
    checkpoints = []
    for i in range(count):
        Engine(backend=backend).outcome(random_case(rng)[0])
        if (i + 1) % max(1, count // 4) == 0:
            gc.collect()
            checkpoints.append(round(rss_mb(), 1))
    gc.collect()
    print(f"engines {backend}: {count} Engines, one outcome() each: RSS {before:.1f} → {rss_mb():.1f} MB {checkpoints}")


def replay(backend: str, count: int, seed: int = 1) -> None:
    """Explained answers (what `replay` and the service build) for generated cases each on a random
    day and region: the cache fills to its bound, then stays there."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from cases import generated_cases
    from fundrules import Engine

    rng = random.Random(seed)
    engine = Engine(backend=backend)
    cases = generated_cases(count, seed=seed)
    engine.evaluate(cases[0]).model_dump_json()
    gc.collect()
    before = rss_mb()
    checkpoints = []
    for i, case in enumerate(cases):
        case = {**case, "region": rng.choice(REGIONS)}
        day = dt.date(2014, 1, 1) + dt.timedelta(days=rng.randrange(14 * 365))
        engine.evaluate(case, day).model_dump_json()
        if (i + 1) % max(1, count // 4) == 0:
            checkpoints.append(round(rss_mb(), 1))
    gc.collect()
    print(
        f"replay {backend}: {count} evaluate()+JSON, days×regions: RSS {before:.1f} → {rss_mb():.1f} MB {checkpoints}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", choices=["durable", "python", "both"], default="both")
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--engines", type=int, default=200)
    parser.add_argument("--replay", type=int, default=1500)
    parser.add_argument("--part", choices=["days", "engines", "replay"])
    args = parser.parse_args()
    if args.part:
        size = {"days": args.calls, "engines": args.engines, "replay": args.replay}[args.part]
        {"days": days, "engines": engines, "replay": replay}[args.part](args.backend, size)
        return
    for backend in ("durable", "python") if args.backend == "both" else (args.backend,):
        for part in ("days", "engines", "replay"):
            subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--part",
                    part,
                    "--backend",
                    backend,
                    "--calls",
                    str(args.calls),
                    "--engines",
                    str(args.engines),
                ],
                check=True,
                cwd=ROOT,
                env={**os.environ, "PYTHONPATH": str(ROOT), "FUNDRULES_NO_CACHE": "1"},
            )


if __name__ == "__main__":
    main()
