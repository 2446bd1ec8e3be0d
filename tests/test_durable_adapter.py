"""The durable-rules traps, each shown to be handled by the adapter."""

import json

import pytest

durable = pytest.importorskip("durable.engine")

from fundrules import BackendError, Engine, load_case  # noqa: E402
from fundrules.case import case_facts  # noqa: E402
from fundrules.derived import add_derived  # noqa: E402
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
    case = load_case(EXAMPLES / "ancien-cdd-2018.yaml")
    backend = durable_engine._backend
    # the CPF's rules, compiled on their own: blocked for this case (its balance), so a rule fires
    active = durable_engine.outcome(case).result("cpf").active
    assert durable_engine.outcome(case).result("cpf").status == "blocked"
    compiled = backend._compile(active)
    (chunk,) = compiled.chunks
    definition = backend._host.get_ruleset(chunk.name).get_definition()
    for rule in definition.values():
        assert rule["all"][0]["m"]["$and"][0] == {"$ex": {GUARD: 1}}
    # the case's own document fires rules; the same document without the guard (as a state
    # document is) matches nothing
    facts = case_facts(case)
    add_derived(facts, case.date_demande)
    values = backend._values(compiled, facts)
    document = {"sid": "other", **{f: values[f] for f in chunk.fields if f in values}}
    guarded = json.dumps({**document, GUARD: 1})
    unguarded = json.dumps(document)
    try:
        assert backend._drain(chunk, guarded) != []
        assert backend._drain(chunk, unguarded) == []
    finally:
        for text in (guarded, unguarded):
            durable_backend._rules_c.retract_fact(chunk.handle, text)


class _FailingEngine:
    """The C engine, with one of its functions replaced."""

    def __init__(self, **replaced):
        self.replaced = replaced

    def __getattr__(self, name):
        return self.replaced.get(name) or getattr(durable.durable_rules_engine, name)


def test_an_error_between_two_actions_is_raised_and_the_rules_are_not_reused(monkeypatch):
    # before: durable-rules' Python layer swallowed what went wrong in an action into the state;
    # now the C engine is called directly: an error mid-chain must refuse the evaluation, and the
    # session it leaves (its lease held) must never answer again
    case = load_case(EXAMPLES / "jeune-mission-locale-2017.yaml")
    engine = Engine(RULESETS, backend="durable")
    python = Engine(RULESETS, backend="python")
    expected = python.evaluate(case).model_dump_json(exclude={"provenance"})
    assert engine.evaluate(case).model_dump_json(exclude={"provenance"}) == expected
    names = set(engine._backend._registered)

    def explode(handle, state):
        raise RuntimeError("boom")

    monkeypatch.setattr(durable_backend, "_rules_c", _FailingEngine(complete_and_start_action=explode))
    with pytest.raises(BackendError, match="boom"):
        engine.evaluate(case)
    monkeypatch.undo()
    assert not names <= set(engine._backend._registered)  # the rules that failed were dropped
    assert engine.evaluate(case).model_dump_json(exclude={"provenance"}) == expected
    for compiled in engine._backend._compiled.values():
        for chunk in compiled.chunks:
            assert engine._backend._host.get_facts(chunk.name, durable_backend.SESSION) == []


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
        f"sys.argv = ['fundrules', 'check', {str(EXAMPLES / 'ancien-cdd-2018.yaml')!r}, '--detail']\n"
        "main()\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=RULESETS.parent)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "[OK] Congé individuel de formation (CIF) : éligible" in result.stdout
