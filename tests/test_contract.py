"""The contract an embedding application relies on: provenance, trace, schemas, JSON errors, types."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from fundrules import SCHEMA_VERSION, Engine, __version__, load_case
from fundrules.case import CaseInput, dynamic_case_model
from fundrules.coherence import LINKED_COURSE
from fundrules.engine import durable_backend

from .conftest import EXAMPLES, ROOT, RULESETS


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fundrules", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def expected_digest(directory: Path) -> str:
    """The documented recipe (README, "Provenance"), written independently of the library."""
    files = sorted(
        p
        for p in directory.rglob("*")
        if p.suffix in (".yaml", ".yml")
        and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(directory).parts)
    )
    lines = "".join(f"{p.relative_to(directory).as_posix()}\t{sha256(p.read_bytes())}\n" for p in files)
    return sha256(lines.encode())


# -- provenance -------------------------------------------------------------------------------


def test_provenance_names_versions_backend_and_the_rule_files(python_engine):
    evaluation = python_engine.evaluate(load_case(EXAMPLES / "salarie-cdi-2019.yaml"))
    p = evaluation.provenance
    assert (p.fundrules_version, p.schema_version, p.backend) == (__version__, SCHEMA_VERSION, "python")
    assert p.rulesets_digest == expected_digest(RULESETS)
    cpf = evaluation.result("cpf")  # 2019-06-17: the hours-to-euros version of 2019-01-01
    assert cpf.ruleset_file == "cpf/2019-01-01.yaml"
    assert cpf.ruleset_digest == sha256((RULESETS / "cpf" / "2019-01-01.yaml").read_bytes())
    cif = evaluation.result("cif")  # abolished on that date: no file applied
    assert (cif.status, cif.ruleset_file, cif.ruleset_digest) == ("not_in_force", None, None)


def test_a_stored_answer_tells_edited_rules_apart(ruleset_dir, tmp_path):
    case = load_case(EXAMPLES / "salarie-cdi-2019.yaml")
    before = Engine(ruleset_dir.root, backend="python").evaluate(case)
    ruleset_dir.edit("cpf/2019-01-01.yaml", "verified: false", "verified: true")
    after = Engine(ruleset_dir.root, backend="python").evaluate(case)
    assert before.provenance.rulesets_digest != after.provenance.rulesets_digest
    assert before.result("cpf").ruleset_digest != after.result("cpf").ruleset_digest
    assert before.result("aif").ruleset_digest == after.result("aif").ruleset_digest
    moved = tmp_path / "elsewhere"
    shutil.copytree(ruleset_dir.root, moved)
    assert Engine(moved, backend="python").evaluate(case).provenance == after.provenance


def test_provenance_names_the_backend_that_actually_ran(monkeypatch, durable_engine):
    case = load_case(EXAMPLES / "salarie-cdi-2019.yaml")
    assert durable_engine.evaluate(case).provenance.backend == "durable"
    monkeypatch.setattr(durable_backend, "available", lambda: False)
    fallback = Engine(RULESETS, backend="durable")
    assert fallback.backend == "python"
    assert fallback.evaluate(case).provenance.backend == "python"


def test_plans_replay_and_meeting_packs_carry_provenance(python_engine, tmp_path):
    plan = python_engine.plan(load_case(EXAMPLES / "ancien-cdd-2018.yaml"))
    assert plan.provenance == python_engine.provenance
    replay = run("replay", "cases/24", "--format", "json", "--engine", "python")
    replayed = json.loads(replay.stdout)
    assert replayed["provenance"]["rulesets_digest"] == expected_digest(RULESETS)
    assert replayed["results"] and all("provenance" not in r["plan"] for r in replayed["results"] if r["plan"])
    made = run(
        "meeting",
        "prepare",
        "--region",
        "etude-territorialisee",
        "--quarter",
        "2018-T2",
        "--out",
        str(tmp_path),
        "--engine",
        "python",
    )
    assert made.returncode == 0, made.stderr
    for suffix in (".md", ".html"):
        text = (tmp_path / f"reunion-etude-territorialisee-2018-T2{suffix}").read_text(encoding="utf-8")
        assert expected_digest(RULESETS) in text and f"fundrules {__version__}" in text


# -- trace ------------------------------------------------------------------------------------


def test_without_explain_the_answer_is_unchanged_and_has_no_trace(python_engine):
    for path in sorted(EXAMPLES.glob("*.yaml")):
        case = load_case(path)
        plain = python_engine.evaluate(case)
        assert plain.model_dump_json() == python_engine.evaluate(case, explain=False).model_dump_json()
        assert '"trace"' not in plain.model_dump_json()
        explained = json.loads(python_engine.evaluate(case, explain=True).model_dump_json())
        for result in explained["results"]:
            assert isinstance(result.pop("trace"), list)
        assert explained == json.loads(plain.model_dump_json())


def entry(evaluation: Any, funder: str, criterion: str) -> Any:
    return next(e for e in evaluation.result(funder).trace if e.criterion == criterion)


def test_trace_gives_each_criterion_its_outcome_and_what_it_read(python_engine):
    ev = python_engine.evaluate(load_case(EXAMPLES / "salarie-cdi-2019.yaml"), explain=True)
    # An employee: the CPF balance rule holds by its first branch (statut is not demandeur_emploi).
    balance = entry(ev, "cpf", "solde_ou_accord_pole_emploi")
    assert (balance.outcome, balance.verified, balance.route) == ("holds", False, None)
    assert {r.name: (r.value, r.source) for r in balance.reads}["beneficiaire.statut"] == ("salarie", "cas")
    # The case does not say whether the person is a BOETH: unknown, read as null.
    boeth = entry(ev, "agefiph", "boeth")
    assert boeth.outcome == "unknown" and [(r.name, r.value, r.source) for r in boeth.reads] == [
        ("beneficiaire.boeth", None, None)
    ]
    # AIF: 9,800 EUR and 1,100 h are above the 3,200 EUR / 400 h thresholds of the 2015 version.
    commission = entry(ev, "aif", "commission")
    assert (commission.outcome, commission.blocking) == ("fails", False)
    params = {r.name: r.value for r in commission.reads if r.kind == "parameter"}
    assert params == {"seuil_commission_euros": 3200, "seuil_commission_heures": 400}
    assert all(r.source for r in commission.reads if r.kind == "parameter")
    # Route gates: the CDI route's gate holds, the CDD and interim gates fail.
    gates = {e.route: e.outcome for e in ev.result("cpf_transition").trace if e.gate}
    assert gates == {"cdi": "holds", "cdd": "fails", "interim": "fails"}


def test_trace_agrees_with_the_answer_on_every_library_case(python_engine):
    from fundrules.library import find_case_files, load_library_case

    for path in find_case_files([ROOT / "cases"]):
        case = load_library_case(path)
        ev = python_engine.evaluate(case.case, case.meeting.date, explain=True)
        for result in ev.results:
            assert result.trace is not None
            fails = {e.criterion for e in result.trace if e.outcome == "fails"}
            unknown = {e.criterion for e in result.trace if e.outcome == "unknown"}
            # but the blocker of a pay whose course is blocked, which no criterion of the pay says
            assert {b.criterion for b in result.blockers} - {LINKED_COURSE} <= fails, path
            # or that fails only while its answer is awaited ("en cours"): a fact to collect (coherence.py)
            assert {p.criterion for p in result.pending} <= unknown | fails, path
            if result.status == "eligible":
                assert not any(e.blocking and e.route is None and e.outcome != "holds" for e in result.trace)
            if result.ruleset_version is None:
                assert result.trace == ()


def test_trace_of_a_derived_fact_says_it_was_computed(tmp_path):
    engine = Engine(demo_rulesets(tmp_path), backend="python")
    ev = engine.evaluate({"date_demande": "2017-03-01", "beneficiaire": {"date_naissance": "1996-03-02"}}, explain=True)
    jeune = entry(ev, "demo", "jeune")  # 20 years old the day before her 21st birthday; 25 at most in 2017
    assert jeune.outcome == "holds"
    assert [(r.name, r.kind, r.value, r.source) for r in jeune.reads] == [
        ("beneficiaire.age", "fact", 20, "calculé"),
        ("age_max", "parameter", 25, "Délibération du conseil régional (exemple)"),
    ]


def test_check_explain_prints_a_tree_and_json_trace():
    text = run("check", str(EXAMPLES / "salarie-cdi-2019.yaml"), "--explain", "--engine", "python")
    assert text.returncode == 0, text.stderr
    assert "Trace des critères" in text.stdout
    assert re.search(r"\[rempli\] solde_ou_accord_pole_emploi \(à confirmer\) : beneficiaire.statut", text.stdout)
    assert re.search(r"voie cdd\n\s+\[non rempli\] cdd.dernier_contrat_cdd \(porte\)", text.stdout)
    plain = run("check", str(EXAMPLES / "salarie-cdi-2019.yaml"), "--engine", "python")
    assert "Trace des critères" not in plain.stdout
    data = json.loads(run("check", str(EXAMPLES / "salarie-cdi-2019.yaml"), "--explain", "--format", "json").stdout)
    assert all("trace" in r for r in data["results"])


# -- unverified criteria: only those the decision rests on ----------------------------------------


def demo_rulesets(tmp_path: Path) -> Path:
    """The demo funder of rulesets/README.md: two routes, the second one unverified."""
    readme = (RULESETS / "README.md").read_text(encoding="utf-8")
    root = tmp_path / "rulesets"
    for name, text in re.findall(r"```yaml\n# rulesets/demo/(\S+)\n(.*?)```", readme, re.S):
        (root / "demo").mkdir(parents=True, exist_ok=True)
        (root / "demo" / name).write_text(text, encoding="utf-8")
    return root


def test_unverified_criteria_of_a_route_that_did_not_decide_are_left_out(tmp_path):
    engine = Engine(demo_rulesets(tmp_path), backend="python")
    both = {
        "date_demande": "2017-03-01",
        "beneficiaire": {
            "age": 20,
            "statut": "demandeur_emploi",
            "inscrit_pole_emploi": True,
            "contrat": "contrat_aide",
        },
    }
    result = engine.evaluate(both).result("demo")
    assert [r.status for r in result.routes] == ["eligible", "eligible"]
    assert (result.status, result.unverified_criteria) == ("eligible", ())
    only_unverified = {**both, "beneficiaire": {**both["beneficiaire"], "inscrit_pole_emploi": False}}
    result = engine.evaluate(only_unverified).result("demo")
    assert (result.status, result.unverified_criteria) == ("eligible", ("salarie.contrat_aide",))


# -- schemas and errors -----------------------------------------------------------------------


def undescribed(schema: dict[str, Any]) -> list[str]:
    missing = []
    for name, model in [("", schema), *schema.get("$defs", {}).items()]:
        for prop, spec in model.get("properties", {}).items():
            if not spec.get("description"):
                missing.append(f"{name}.{prop}")
    return missing


@pytest.mark.parametrize("output", ["case", "evaluation", "plan"])
def test_schema_prints_and_every_field_is_described(output):
    result = run("schema", "--output", output)
    assert result.returncode == 0, result.stderr
    schema = json.loads(result.stdout)
    assert undescribed(schema) == []
    if output == "evaluation":
        assert {"results", "provenance"} <= set(schema["required"])
        assert "trace" in schema["$defs"]["FunderResult"]["properties"]
    if output == "plan":
        assert "provenance" in schema["required"]


def test_schema_without_output_is_still_the_case():
    assert json.loads(run("schema").stdout) == CaseInput.model_json_schema()


def test_json_errors_go_to_stdout_with_a_stable_code(tmp_path):
    missing = run("check", str(tmp_path / "absent.yaml"), "--format", "json")
    assert missing.returncode == 2
    error = json.loads(missing.stdout)["error"]
    assert error["code"] == "file_not_found" and error["file"].endswith("absent.yaml")
    undated = tmp_path / "sans-date.yaml"
    undated.write_text("beneficiaire:\n  age: 30\n", encoding="utf-8")
    result = run("check", str(undated), "--format", "json")
    assert result.returncode == 2
    error = json.loads(result.stdout)["error"]
    assert (error["code"], error["field"]) == ("cannot_evaluate", "date_demande")
    assert "--as-of" in error["message"]  # the CLI adds its own wording
    usage = run("check", "--format", "json", "--bogus")
    assert usage.returncode == 2 and json.loads(usage.stdout)["error"]["code"] == "usage_error"
    table = run("check", str(undated))
    assert table.returncode == 2 and table.stdout == "" and "Erreur" in table.stderr


@pytest.mark.parametrize(
    "name, content, code",
    [
        ("typo.yaml", "date_demande: 2019-06-17\nbeneficiare:\n  age: 30\n", "unknown_fact"),
        ("broken.yaml", "date_demande: [2019-06-17\n", "yaml_syntax"),
        ("broken.json", '{"date_demande": ', "json_syntax"),
        ("big.yaml", "# " + "x" * 1_000_001 + "\n", "file_too_large"),
        ("bad-value.yaml", "date_demande: 2019-06-17\nbeneficiaire:\n  age: -1\n", "invalid_input"),
    ],
)
def test_specific_error_codes(tmp_path, name, content, code):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    result = run("check", str(path), "--format", "json")
    assert result.returncode == 2, result.stderr
    error = json.loads(result.stdout)["error"]
    assert error["code"] == code and error["file"] == str(path)


def test_library_errors_speak_of_the_library(python_engine):
    from fundrules.errors import EvaluationError

    with pytest.raises(EvaluationError) as caught:
        python_engine.evaluate({"beneficiaire": {"age": 30}})
    assert "as_of" in str(caught.value) and "--as-of" not in str(caught.value)
    assert caught.value.payload()["error"]["code"] == "cannot_evaluate"


# -- version, entry points --------------------------------------------------------------------


def test_version_and_python_dash_m():
    result = run("--version")
    assert result.returncode == 0 and result.stdout.strip() == (
        f"fundrules {__version__} (contrat JSON version {SCHEMA_VERSION})"
    )
    check = run("check", str(EXAMPLES / "ancien-cdd-2018.yaml"), "--engine", "python")
    assert check.returncode == 0 and "[OK] CIF : éligible" in check.stdout  # the synthesis, first


def test_the_version_has_one_source():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "fundrules.__version__"}


def test_tests_use_the_working_tree():
    code = "import fundrules, fundrules_cli.app as a; print(fundrules.__file__); print(a.__file__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd="/").stdout.split()
    assert [Path(p).resolve().is_relative_to(ROOT) for p in out] == [True, True], out


# -- typed API --------------------------------------------------------------------------------


def test_static_case_model_is_generated_from_the_fact_table():
    from fundrules.case_codegen import TARGET, render

    assert TARGET.read_text(encoding="utf-8") == render(), "run: python -m fundrules.case_codegen"
    static, dynamic = CaseInput.model_json_schema(), dynamic_case_model().model_json_schema()
    for definition in static["$defs"].values():
        definition.pop("description", None)  # the generated sections have a docstring
    assert static == dynamic
    assert CaseInput.model_config["frozen"] and CaseInput.model_config["extra"] == "forbid"


def test_typed_client_passes_mypy_strict():
    pytest.importorskip("mypy")
    client = Path(__file__).with_name("typed_client.py")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--config-file", os.devnull, str(client)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    ran = subprocess.run([sys.executable, str(client)], capture_output=True, text=True, cwd=ROOT)
    assert ran.returncode == 0 and ran.stdout.startswith("cpf eligible"), ran.stderr


def test_py_typed_is_shipped():
    assert (ROOT / "fundrules" / "py.typed").exists()
    import tomllib

    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert "py.typed" in data["package-data"]["fundrules"]


def test_day_type():  # the contract's dates are dates, not strings
    ev = Engine(RULESETS, backend="python").evaluate(load_case(EXAMPLES / "ancien-cdd-2018.yaml"))
    assert isinstance(ev.as_of, dt.date)


def test_no_library_error_names_a_command_line_option():
    import ast

    offenders = []
    for path in sorted((ROOT / "fundrules").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise):
                for const in ast.walk(node):
                    if (
                        isinstance(const, ast.Constant)
                        and isinstance(const.value, str)
                        and re.search(r"(^|[\s(«])--[a-z]", const.value)
                    ):
                        offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: {const.value}")
    assert offenders == []


@pytest.mark.parametrize(
    "error, code, exit_code",
    [("backend", "backend_failure", 3), ("bug", "internal_error", 70)],
)
def test_backend_failures_and_bugs_are_json_too(monkeypatch, error, code, exit_code):
    from typer.testing import CliRunner

    from fundrules.errors import BackendError
    from fundrules_cli.app import app

    def fail(*args: Any, **kwargs: Any) -> None:
        raise BackendError("durable-rules a échoué") if error == "backend" else RuntimeError("boom")

    monkeypatch.setattr(Engine, "evaluate", fail)
    result = CliRunner().invoke(app, ["check", str(EXAMPLES / "ancien-cdd-2018.yaml"), "--format", "json"])
    assert result.exit_code == exit_code
    payload = json.loads(result.stdout)["error"]
    assert payload["code"] == code and payload["message"]
