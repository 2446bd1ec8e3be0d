"""No import circle in the package and the layers in one direction (issue 23): before, case.py,
case_model.py and derived.py imported each other, engine/compact.py and engine/core.py too, and the
rules layer imported a backend (rulesets/durable_check.py, then rulesets/lint.py running the durable
checks). Circles between modules: tests/import_graph.py (`python -m tests.import_graph`). Layers:
import-linter's contracts in pyproject.toml (`lint-imports`), run here through its Python API."""

from __future__ import annotations

import copy
import os
from pathlib import Path

import pytest

from tests.import_graph import ROOT, circles, graph

importlinter = pytest.importorskip("importlinter", reason="import-linter (the test extra) is not installed")


def test_the_package_has_no_import_circle():
    edges = graph()
    assert "fundrules.case_types" in edges["fundrules.case_model"]  # the reader sees real imports
    assert "fundrules.engine.core" in edges["fundrules.engine"]
    assert "fundrules.engine.decide" in edges["fundrules.engine.explain"]  # explain reads decide...
    assert "fundrules.engine.explain" not in edges["fundrules.engine.decide"]  # ...never the other way
    assert "fundrules.french" not in edges["fundrules.engine.decide"]  # deciding writes no French
    assert circles(edges) == []


def test_a_circle_is_found_when_there_is_one():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def _report(extra_import: tuple[str, str] | None = None):
    """import-linter's report on this checkout's package (its graph built without a cache folder)."""
    from importlinter import configuration
    from importlinter.application import use_cases
    from importlinter.application.app_config import settings

    configuration.configure()
    here = os.getcwd()
    os.chdir(ROOT)  # the contracts are read from this checkout's pyproject.toml
    try:
        options = use_cases.read_user_options(str(Path(ROOT, "pyproject.toml")))
        use_cases._register_contract_types(options)
        graph = settings.GRAPH_BUILDER.build(
            root_package_names=options.session_options["root_packages"],
            include_external_packages=False,
            exclude_type_checking_imports=True,
            cache_dir=None,
        )
    finally:
        os.chdir(here)
    assert graph.find_modules_directly_imported_by("fundrules.engine.explain") >= {"fundrules.engine.decide"}
    if extra_import:
        graph = copy.deepcopy(graph)
        graph.add_import(importer=extra_import[0], imported=extra_import[1])
    return use_cases._build_report(graph, 0, options, (), False, False)


def test_the_layers_contract_holds():
    report = _report()
    assert report.contains_failures is False
    assert report.kept_count >= 1


def test_the_layers_contract_refuses_the_rules_layer_importing_a_backend():
    report = _report(("fundrules.rulesets.lint", "fundrules.engine.durable_check"))
    assert report.contains_failures is True
