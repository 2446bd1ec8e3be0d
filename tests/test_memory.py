"""Memory bounded by construction (issue 20), measured in a fresh process: many random days × every
region, then many Engines created and dropped, each on both backends. Before, on durable-rules:
2,000 calls grew a process from 37 MB to 2.9 GB (rules compiled per date and region in an LRU,
each rebuild leaving durable-rules' state behind) and each Engine dropped kept about 1 MB.

Since issue 27 the Engine's cache keeps answers and their JSON: it fills up to its bound (40,000
entries, README "What an Engine remembers") and is then emptied. The random cases here are written
as JSON, enough of them to fill it past its bound at least twice: the process must grow by at most
what the README states for a full cache, and no more after (flat from one half to the other)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from tests.conftest import ROOT

# What a full cache may hold (README: about 140 MB at 40,000 entries), what the process may grow by
# once the cache has been full (allocator noise), and the most it may hold: the README's figures.
CACHE_MB = 150
MARGIN_MB = 15
CEILING_MB = 300

SCRIPT = textwrap.dedent("""
    import datetime as dt, gc, json, random, sys
    from fundrules import Engine
    from fundrules.rulesets.catalog import catalog_change_days

    def rss():
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * 4096 / 1e6

    backend, calls, engines = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rng = random.Random(7)
    engine = Engine(backend=backend)
    regions = sorted({v for f in engine.catalog.funders.values() for v in f.variants}) + ["11", None]
    def case(day, region):
        data = {"date_demande": day.isoformat(), "beneficiaire": {"statut": rng.choice(["salarie", "demandeur_emploi"]),
                "age": rng.randrange(16, 65)}, "projet": {"duree_heures": rng.randrange(1, 2000)}}
        if region:
            data["region"] = region
        return data
    # warm: every stretch of days and region once (durable-rules compiles each funder's rules once)
    for day in catalog_change_days(engine.catalog, list(engine.catalog.funders.values())) + [dt.date(2014, 1, 1)]:
        for region in regions:
            engine.outcome(case(day, region)).explained().model_dump_json()
    gc.collect()
    warm = rss()
    at_clear = []  # RSS each time the cache has just been emptied: what it held when full
    for i in range(calls):
        day = dt.date(2014, 1, 1) + dt.timedelta(days=rng.randrange(14 * 365))
        engine.outcome(case(day, rng.choice(regions))).explained().model_dump_json()
        if engine.cache.clears > len(at_clear):
            at_clear.append(rss())
    gc.collect()
    days = rss()
    clears = engine.cache.stats()["clears"]
    del engine
    for _ in range(engines):
        day = dt.date(2014, 1, 1) + dt.timedelta(days=rng.randrange(14 * 365))
        Engine(backend=backend).outcome(case(day, rng.choice(regions))).explained()
    gc.collect()
    print(json.dumps({"warm": warm, "full": at_clear[0], "refilled": at_clear[-1], "days": days,
                      "engines": rss(), "clears": clears}))
""")


@pytest.mark.parametrize("backend", ["python", "durable"])
def test_memory_stays_flat_over_days_regions_and_engines(backend):
    if backend == "durable":
        from fundrules.engine import durable_backend

        if not durable_backend.available():
            pytest.skip("durable-rules is not importable on this interpreter")
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, backend, "9000", "60"], capture_output=True, text=True, cwd=ROOT, timeout=900
    )
    assert done.returncode == 0, done.stderr
    rss = json.loads(done.stdout)
    clears = rss.pop("clears")
    assert clears >= 2, rss  # the cache was filled past its bound (else this measures nothing)
    assert max(rss.values()) - rss["warm"] < CACHE_MB, rss  # 9,000 random days × regions after the warm-up
    assert rss["refilled"] - rss["full"] < MARGIN_MB, rss  # flat once the cache has been full
    assert rss["engines"] - rss["days"] < MARGIN_MB, rss  # 60 Engines created, used and dropped
    assert max(rss.values()) < CEILING_MB, rss
