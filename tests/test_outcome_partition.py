"""The criteria partition (common / by route) is computed once per rules in force and shared by
every case: it must split as the rule says (blocking criteria; common = no route), and sharing it
must not let one case's answer leak into another's (same JSON in any evaluation order)."""

import datetime as dt
from pathlib import Path

import pytest

from fundrules import Engine, load_case, load_catalog
from fundrules.library.cases import find_case_files, load_library_case

ROOT = Path(__file__).resolve().parents[1]


def _cases():
    cases = [load_library_case(p, ROOT / "cases").case for p in find_case_files([ROOT / "cases"])]
    cases += [load_case(p) for p in sorted((ROOT / "cases" / "examples").glob("*.yaml"))]
    return cases


def test_partition_splits_blocking_criteria_into_common_and_routes():
    catalog = load_catalog()
    checked = 0
    for funder in catalog.funders.values():
        for variant in [None, *funder.variants.values()]:
            for year in (2015, 2019, 2023, 2026):
                active = catalog.active(funder, dt.date(year, 6, 1), variant)
                if active is None:
                    continue
                common, by_route = active.partition
                assert common == [c for c in active.criteria if c.blocking and c.route is None]
                assert set(by_route) == {r.id for r in active.version.routes}
                for rid, crits in by_route.items():
                    assert crits == [c for c in active.criteria if c.blocking and c.route == rid]
                parts = common + [c for crits in by_route.values() for c in crits]
                assert sorted(c.key for c in parts) == sorted(c.key for c in active.criteria if c.blocking)
                checked += 1
    assert checked > 31


@pytest.mark.parametrize("backend", ["python"])
def test_shared_partition_gives_the_same_json_in_any_order(backend):
    cases = _cases()
    assert len(cases) > 40
    fresh = [Engine(backend=backend).evaluate(case).model_dump_json() for case in cases[:5]]
    engine = Engine(backend=backend)
    forward = [engine.evaluate(case).model_dump_json() for case in cases]
    backward = [engine.evaluate(case).model_dump_json() for case in reversed(cases)][::-1]
    assert forward == backward
    assert forward[:5] == fresh
