"""What a cold `fundrules check` imports: the durable backend and the plan models only when used."""

import json
import subprocess
import sys

from .conftest import EXAMPLES

_RUN = """
import json, sys
sys.argv = ["fundrules", *json.loads(sys.argv[1])]
from fundrules_cli.app import main
try:
    main()
except SystemExit as stop:
    code = stop.code
print("\\n@@" + json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def _modules_after(*args: str) -> tuple[int, set[str]]:
    done = subprocess.run(
        [sys.executable, "-c", _RUN, json.dumps(list(args))], capture_output=True, text=True, timeout=120
    )
    report = json.loads(done.stdout.rsplit("\n@@", 1)[1])
    return report["code"], set(report["modules"])


def test_check_with_the_python_engine_imports_neither_durable_rules_nor_the_plan_models():
    # the detail needs no plan; the synthesis (the default) shows what each funder covers: it plans
    code, modules = _modules_after("check", str(EXAMPLES / "ancien-cdd-2018.yaml"), "--engine", "python", "--detail")
    assert code == 0
    assert "fundrules.engine.core" in modules  # it did evaluate
    for unused in ("durable", "durable.engine", "fundrules.engine.durable_backend", "fundrules.plan.model"):
        assert unused not in modules, unused


def test_plan_still_finds_its_models_and_the_durable_engine_its_backend():
    code, modules = _modules_after("plan", str(EXAMPLES / "ancien-cdd-2018.yaml"), "--format", "json")
    assert code == 0 and "fundrules.plan.model" in modules and "fundrules.plan.planner" in modules
    from fundrules.engine import durable_backend

    if durable_backend.available():  # Python 3.13: the fallback, said in the README
        code, modules = _modules_after("check", str(EXAMPLES / "ancien-cdd-2018.yaml"))
        assert code == 0 and "fundrules.engine.durable_backend" in modules


def test_plan_package_names_are_imported_on_first_use():
    import fundrules.plan as plan

    assert plan.make_plan is __import__("fundrules.plan.planner", fromlist=["make_plan"]).make_plan
    assert plan.Plan.__name__ == "Plan" and "make_plan" in dir(plan)
    try:
        plan.nothing_here  # noqa: B018
    except AttributeError as err:
        assert "nothing_here" in str(err)
    else:  # pragma: no cover
        raise AssertionError("an unknown name must raise AttributeError")


def test_rulesets_are_read_once_without_the_cache(monkeypatch):
    """The catalog carries the digests of the very bytes it was built from: the Engine does not read
    every ruleset file a second time for its provenance."""
    from fundrules import Engine, load_catalog
    from fundrules.engine import core
    from fundrules.provenance import ruleset_files

    from .conftest import RULESETS

    monkeypatch.setenv("FUNDRULES_NO_CACHE", "1")
    catalog = load_catalog(RULESETS)
    assert catalog.files == ruleset_files(RULESETS) and len(catalog.files) > 100

    def second_read(directory):
        raise AssertionError("ruleset files read again")

    monkeypatch.setattr(core, "ruleset_files", second_read)
    engine = Engine(RULESETS, backend="python")
    assert engine.provenance.rulesets_digest == core.rulesets_digest(ruleset_files(RULESETS))


_GC_RUN = """
import gc, json, sys
from fundrules.engine import core
seen = []
evaluate = core.Engine.evaluate
def watched(self, *args, **kwargs):
    seen.append(("evaluate", gc.isenabled()))
    return evaluate(self, *args, **kwargs)
core.Engine.evaluate = watched
load = core.load_catalog
def loading(*args, **kwargs):
    seen.append(("load", gc.isenabled()))
    return load(*args, **kwargs)
core.load_catalog = loading
sys.argv = ["fundrules", *json.loads(sys.argv[1])]
from fundrules_cli.app import main
frozen_before = gc.get_freeze_count()  # not 0 on Python 3.12: the interpreter freezes objects of its own
try:
    main()
except SystemExit as stop:
    seen.append(("exit", stop.code))
seen.append(("after", gc.isenabled()))
seen.append(("frozen", gc.get_freeze_count() > frozen_before))
print("\\n@@" + json.dumps(seen))
"""


def _gc_seen(*args: str) -> list:
    done = subprocess.run(
        [sys.executable, "-c", _GC_RUN, json.dumps(list(args))], capture_output=True, text=True, timeout=120
    )
    return [tuple(x) for x in json.loads(done.stdout.rsplit("\n@@", 1)[1])]


def test_check_loads_without_the_cyclic_gc_and_evaluates_with_it():
    seen = _gc_seen("check", str(EXAMPLES / "ancien-cdd-2018.yaml"), "--engine", "python")
    assert seen == [("load", False), ("evaluate", True), ("exit", 0), ("after", True), ("frozen", True)]


def test_the_gc_is_resumed_when_check_fails_and_untouched_by_other_commands():
    seen = _gc_seen("check", str(EXAMPLES / "absent.yaml"), "--engine", "python")
    assert seen == [("exit", 2), ("after", True), ("frozen", False)]  # a failed start only resumes it
    seen = _gc_seen("rulesets", "show", "cpf")
    assert seen[-3:] == [("exit", 0), ("after", True), ("frozen", False)] and ("load", False) not in seen


def test_reads_are_bounded_and_complete(tmp_path):
    import os
    import threading

    from fundrules.source import MAX_FILE_BYTES, _read_at_most

    big = tmp_path / "big.bin"
    big.write_bytes(b"x" * (3 * MAX_FILE_BYTES))
    empty = tmp_path / "empty.yaml"
    empty.write_bytes(b"")
    for path, expected in ((big, MAX_FILE_BYTES + 1), (empty, 0)):
        descriptor = os.open(path, os.O_RDONLY)
        try:
            assert len(_read_at_most(descriptor, MAX_FILE_BYTES + 1)) == expected
        finally:
            os.close(descriptor)
    reader, writer = os.pipe()  # a pipe hands its data in pieces: every piece is kept, in order
    data = bytes(range(256)) * 600

    def write() -> None:
        with os.fdopen(writer, "wb") as stream:
            for start in range(0, len(data), 50_000):
                stream.write(data[start : start + 50_000])
                stream.flush()

    thread = threading.Thread(target=write)
    thread.start()
    try:
        assert _read_at_most(reader, len(data) + 10) == data
    finally:
        thread.join()
        os.close(reader)


def test_check_and_plan_build_only_their_own_command_and_say_the_same(monkeypatch, capsys):
    import gc

    import pytest

    from fundrules_cli import app as cli

    commands, groups = list(cli.app.registered_commands), list(cli.app.registered_groups)
    case = str(EXAMPLES / "ancien-cdd-2018.yaml")

    def run(entry, args):
        monkeypatch.setattr(sys, "argv", ["fundrules", *args])
        with pytest.raises(SystemExit) as stop:
            entry()
        out = capsys.readouterr()
        return stop.value.code, out.out, out.err

    for args in (
        ["check", "--help"],
        ["plan", "-h"],
        ["check", case, "--bogus"],
        ["check", case, "--format", "xml"],
        ["check", case, "--engine", "python"],
    ):
        built_alone = run(cli.main, args)
        gc.unfreeze()  # main() froze what a successful check loaded: meant for its own process
        assert cli.app.registered_commands == commands and cli.app.registered_groups == groups
        assert gc.isenabled()
        assert built_alone == run(cli._main, args), args  # _main: every command and sub-app built
    assert len(commands) >= 5 and len(groups) >= 3


def test_ctrl_c_while_the_command_line_is_imported_ends_in_french_without_a_traceback():
    # A cold start imports for a few hundred milliseconds before app.main can catch a Ctrl-C; the
    # installed entry point catches it around the import (simulated here at the import itself).
    code = """
import importlib.abc, sys
class Interrupt(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name == "fundrules_cli.app":
            raise KeyboardInterrupt
sys.meta_path.insert(0, Interrupt())
from fundrules_cli.entry import main
main()
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stderr, done.stdout) == (130, "Interrompu.\n", "")


def test_the_installed_command_and_python_m_fundrules_use_that_entry_point():
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    scripts = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert scripts == {"fundrules": "fundrules_cli.entry:main"}
    assert "from fundrules_cli.entry import main" in (root / "fundrules" / "__main__.py").read_text(encoding="utf-8")


_ENTRY_GC_RUN = """
import gc, importlib.abc, json, sys
seen = []
class Watch(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name == "typer":
            seen.append(("typer imported", gc.isenabled()))
        return None
sys.meta_path.insert(0, Watch())
sys.argv = ["fundrules", *json.loads(sys.argv[1])]
from fundrules_cli.entry import main
try:
    main()
except SystemExit as stop:
    seen.append(("exit", stop.code))
seen.append(("after", gc.isenabled()))
print("\\n@@" + json.dumps(seen))
"""


def test_the_installed_entry_point_pauses_the_gc_before_the_command_line_is_imported():
    def seen(*args: str) -> list:
        done = subprocess.run(
            [sys.executable, "-c", _ENTRY_GC_RUN, json.dumps(list(args))], capture_output=True, text=True, timeout=120
        )
        return [tuple(x) for x in json.loads(done.stdout.rsplit("\n@@", 1)[1])]

    case = str(EXAMPLES / "ancien-cdd-2018.yaml")
    assert seen("check", case, "--engine", "python") == [("typer imported", False), ("exit", 0), ("after", True)]
    assert seen("check", str(EXAMPLES / "absent.yaml")) == [("typer imported", False), ("exit", 2), ("after", True)]
    assert seen("schema") == [("typer imported", True), ("exit", 0), ("after", True)]
