"""Condition coverage, as the public employment service checks its rules: for every criterion of
the shipped rulesets, a case where it holds, one where it fails (values at the boundary the source
states, in tests/criteria/*.yaml) and one where its facts are missing (unknown)."""

from pathlib import Path

import pytest
import yaml

from fundrules import load_catalog
from fundrules.engine.reference import PythonBackend

from .conftest import RULESETS

VECTORS = [
    v
    for path in sorted((Path(__file__).parent / "criteria").glob("*.yaml"))
    for v in yaml.safe_load(path.read_text(encoding="utf-8"))
]
CATALOG = load_catalog(RULESETS)


def backends():
    found = [PythonBackend()]
    from fundrules.engine import durable_backend

    if durable_backend.available():
        found.append(durable_backend.DurableBackend())
    return found


BACKENDS = backends()


def active_for(vector):
    funder = CATALOG.funders[vector["funder"]]
    variant = funder.variants[vector["variant"]] if "variant" in vector else None
    active = CATALOG.active(funder, vector["date"], variant)
    criterion = next(c for c in active.criteria if c.key == vector["criterion"])
    return active, criterion


def outcome(backend, active, criterion, facts):
    """True, False or None for one criterion, through a backend (a missing key means it held)."""
    result = backend.run([active], facts)[active.funder.id]
    return result.get(criterion.key, True)


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: f"{v['funder']}-{v['date']}-{v['criterion']}")
def test_criterion_holds_fails_and_is_unknown_without_facts(vector):
    active, criterion = active_for(vector)
    for backend in BACKENDS:
        for facts in vector["holds"]:
            assert outcome(backend, active, criterion, facts) is True, (backend.name, facts)
        for facts in vector["fails"]:
            assert outcome(backend, active, criterion, facts) is False, (backend.name, facts)
        assert outcome(backend, active, criterion, {}) is None, backend.name


def test_every_shipped_criterion_has_vectors():
    covered = set()
    for vector in VECTORS:
        _active, criterion = active_for(vector)
        covered.add((vector["funder"], " ".join(criterion.condition_text.split())))
    missing = []
    for funder in CATALOG.funders.values():
        tracks = list(funder.variants.values()) if funder.variant_by else [None]
        for variant in tracks:
            for version in funder.versions_of(variant):
                for c in version.criteria:
                    if (funder.id, " ".join(c.condition_text.split())) not in covered:
                        missing.append(f"{funder.id} {version.label} {c.key}")
    assert not missing, missing
