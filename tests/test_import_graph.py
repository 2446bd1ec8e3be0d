"""No import circle in the package and the layers in one direction (issue 23): before, case.py,
case_model.py and derived.py imported each other, engine/compact.py and engine/core.py too, and the
rules layer imported a backend (rulesets/durable_check.py). `python -m tests.import_graph` shows it."""

from __future__ import annotations

from tests.import_graph import against_layers, circles, graph


def test_the_package_has_no_import_circle():
    edges = graph()
    assert "fundrules.case_types" in edges["fundrules.case_model"]  # the reader sees real imports
    assert "fundrules.engine.core" in edges["fundrules.engine"]
    assert circles(edges) == []


def test_the_rules_layer_imports_neither_the_engine_nor_a_backend():
    assert against_layers(graph()) == []


def test_a_circle_is_found_when_there_is_one():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []
