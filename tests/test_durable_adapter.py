"""The durable-rules traps, each shown to be handled by the adapter."""

import pytest

durable = pytest.importorskip("durable.engine")

from fundrules import BackendError, Engine, load_case  # noqa: E402
from fundrules.engine import durable_backend  # noqa: E402
from fundrules.engine.durable_compile import GUARD, encode  # noqa: E402

from .conftest import EXAMPLES, RULESETS  # noqa: E402


def raw_host(rule_condition):
    fired = []
    host = durable_backend._QuietHost()
    name = f"trap_{id(fired)}"
    host.register_rulesets({name: {"r": {"all": [{"m": rule_condition}], "run": lambda c: fired.append(1)}}})
    return host, name, fired


def assert_fact(host, name, fact):
    try:
        host.assert_fact(name, fact)
    except durable.MessageNotHandledException:
        pass


def test_durable_compares_loosely_and_typed_encoding_prevents_it():
    host, name, fired = raw_host({"v": "26"})
    assert_fact(host, name, {"sid": "a", "v": 26})
    assert fired == [1]  # the trap: a rule's "26" matches the number 26 in durable-rules
    host, name, fired = raw_host({"v": encode("26")})
    assert_fact(host, name, {"sid": "a", "v": encode(26)})
    assert fired == []
    assert encode(True) != encode(1) and encode("b:1") != encode(True)


def test_many_evaluations_leave_no_session_or_fact_behind(durable_engine):
    case = load_case(EXAMPLES / "jeune-mission-locale-2017.yaml")
    expected = durable_engine.evaluate(case)
    for _ in range(2500):  # well over the 1,024 live sessions that crash durable-rules
        assert durable_engine.evaluate(case) == expected
    backend = durable_engine._backend
    for compiled in backend._compiled.values():
        for chunk in compiled.chunks:
            assert backend._host.get_facts(chunk.name, durable_backend.SESSION) == []


def test_every_rule_is_guarded_and_state_documents_never_match(durable_engine):
    durable_engine.evaluate(load_case(EXAMPLES / "ancien-cdd-2018.yaml"))
    backend = durable_engine._backend
    compiled = next(c for c in backend._compiled.values() if c.rules)
    definition = backend._host.get_ruleset(compiled.chunks[0].name).get_definition()
    for rule in definition.values():
        assert rule["all"][0]["m"]["$and"][0] == {"$ex": {GUARD: 1}}
    backend._fired.clear()
    # a document without the guard (as a state document is) matches nothing, even with no facts
    assert_fact(backend._host, compiled.chunks[0].name, {"sid": "other", "x": 1})
    assert backend._fired == []


def test_exception_in_an_action_is_raised_not_swallowed(monkeypatch):
    def exploding_recorder(self, rule):
        def record(c):
            raise RuntimeError("boom")

        return record

    monkeypatch.setattr(durable_backend.DurableBackend, "_recorder", exploding_recorder)
    durable_backend.clear_cache()  # compiled rules are shared: compile anew with the exploding actions
    try:
        engine = Engine(RULESETS, backend="durable")
        with pytest.raises(BackendError, match="boom"):
            engine.evaluate(load_case(EXAMPLES / "jeune-mission-locale-2017.yaml"))
    finally:
        durable_backend.clear_cache()


def test_two_engines_in_one_process_do_not_collide():
    case = load_case(EXAMPLES / "ancien-cdd-2018.yaml")
    first, second = Engine(RULESETS), Engine(RULESETS)
    assert first.evaluate(case) == second.evaluate(case)


def test_engine_falls_back_to_reference_when_durable_is_missing(monkeypatch, caplog):
    monkeypatch.setattr(durable_backend, "_durable_engine", None)
    monkeypatch.setattr(durable_backend, "IMPORT_ERROR", ImportError("no module"))
    from fundrules.engine import core

    caplog.set_level("INFO", logger="fundrules")
    core._warned.clear()
    engine = Engine(RULESETS, backend="durable")
    Engine(RULESETS, backend="durable")
    assert engine.backend == "python"
    assert [r.message for r in caplog.records].count(
        "durable-rules ne s'importe pas ici (no module) : le moteur de référence Python est utilisé."
    ) == 1


def test_cli_without_durable_rules_says_nothing_on_stderr_and_records_the_backend():
    # before: every CLI call printed a warning on stderr where durable-rules cannot be imported
    # (Python 3.13), and the hardening test expecting "Erreur : " first then failed
    import subprocess
    import sys

    script = (
        "import sys; sys.modules['durable'] = None; sys.modules['durable.engine'] = None\n"
        "from fundrules import Engine\n"
        "assert Engine(backend='durable').backend == 'python'\n"
        "from fundrules_cli.app import main\n"
        f"sys.argv = ['fundrules', 'check', {str(EXAMPLES / 'ancien-cdd-2018.yaml')!r}]\n"
        "main()\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=RULESETS.parent)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "[OK] Congé individuel de formation (CIF) : éligible" in result.stdout
