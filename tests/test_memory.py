"""Memory bounded by construction (issue 20), measured in a fresh process: many random days × every
region, then many Engines created and dropped, each on both backends. Before, on durable-rules:
2,000 calls grew a process from 37 MB to 2.9 GB (rules compiled per date and region in an LRU,
each rebuild leaving durable-rules' state behind) and each Engine dropped kept about 1 MB."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from tests.conftest import ROOT

# What the process may grow by once warm (allocator noise, the cache filling to its bound), and
# the most it may hold: the README's figures.
MARGIN_MB = 15
CEILING_MB = 150

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
            engine.outcome(case(day, region)).explained()
    gc.collect()
    warm = rss()
    for _ in range(calls):
        day = dt.date(2014, 1, 1) + dt.timedelta(days=rng.randrange(14 * 365))
        engine.outcome(case(day, rng.choice(regions))).explained()
    gc.collect()
    days = rss()
    del engine
    for _ in range(engines):
        day = dt.date(2014, 1, 1) + dt.timedelta(days=rng.randrange(14 * 365))
        Engine(backend=backend).outcome(case(day, rng.choice(regions))).explained()
    gc.collect()
    print(json.dumps({"warm": warm, "days": days, "engines": rss()}))
""")


@pytest.mark.parametrize("backend", ["python", "durable"])
def test_memory_stays_flat_over_days_regions_and_engines(backend):
    if backend == "durable":
        from fundrules.engine import durable_backend

        if not durable_backend.available():
            pytest.skip("durable-rules is not importable on this interpreter")
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, backend, "1500", "60"], capture_output=True, text=True, cwd=ROOT, timeout=600
    )
    assert done.returncode == 0, done.stderr
    rss = json.loads(done.stdout)
    assert rss["days"] - rss["warm"] < MARGIN_MB, rss  # 1,500 random days × regions after the warm-up
    assert rss["engines"] - rss["warm"] < MARGIN_MB, rss  # 60 Engines created, used and dropped
    assert max(rss.values()) < CEILING_MB, rss
