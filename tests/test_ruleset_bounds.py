"""Issue 20, item 6: a ruleset value the engine would overflow on later is refused at load, with its
file and line (exit 2), and a ruleset beyond the documented size bounds is refused before its
criteria are built (rulesets/README.md, "Bounds")."""

from __future__ import annotations

import pytest

from fundrules import InputError, load_catalog
from fundrules.rulesets import loader
from fundrules.rulesets.schema import VersionFile

from .conftest import EXAMPLES, run_cli

CIF = "cif/2015-01-01.yaml"
CASE = str(EXAMPLES / "ancien-cdd-2018.yaml")


def refused(root) -> InputError:
    with pytest.raises(InputError) as info:
        load_catalog(root, cache=False)
    return info.value


@pytest.mark.parametrize("command", [["check", CASE], ["plan", CASE], ["rulesets", "lint"]])
def test_a_review_date_the_engine_cannot_add_months_to_is_exit_2_with_its_line(ruleset_dir, command):
    # Exit 70 before: the review period (months) was added to 9999-12-31.
    path = ruleset_dir.edit("cpf/funder.yaml", "reviewed_on: 2026-11-27", "reviewed_on: 9999-12-31")
    done = run_cli(*command, "--rulesets", str(ruleset_dir.root), env={"FUNDRULES_NO_CACHE": "1"})
    assert done.returncode == 2, done.stdout + done.stderr
    line = 1 + path.read_text(encoding="utf-8").splitlines().index("reviewed_on: 9999-12-31")
    assert f"{path}, ligne {line} : reviewed_on : date 9999-12-31 hors des bornes admises" in done.stderr
    assert "du 01/01/1900 au 31/12/2100" in done.stderr and "Traceback" not in done.stderr


def test_a_date_literal_beyond_the_bounds_in_a_condition_is_refused_at_load(ruleset_dir):
    old = 'condition: projet.type_action != "bilan_competences"'
    new = old + " and days_between(date_demande, 9999-12-31) > 0"
    path = ruleset_dir.edit(CIF, old, new)
    error = refused(ruleset_dir.root)
    assert error.file == str(path)
    assert error.line == 1 + path.read_text(encoding="utf-8").splitlines().index("    " + new)
    assert "date 9999-12-31 hors des bornes admises" in error.reason
    done = run_cli("rulesets", "lint", "--rulesets", str(ruleset_dir.root), env={"FUNDRULES_NO_CACHE": "1"})
    assert done.returncode == 2 and "hors des bornes" in done.stderr, done.stderr


def test_the_last_day_of_the_bounds_is_accepted(ruleset_dir):
    old = 'condition: projet.type_action != "bilan_competences"'
    ruleset_dir.edit(CIF, old, old + " and days_between(date_demande, 2100-12-31) > 0")
    ruleset_dir.edit("cpf/funder.yaml", "reviewed_on: 2026-11-27", "reviewed_on: 2100-12-31")
    assert "cif" in load_catalog(ruleset_dir.root, cache=False).funders
    done = run_cli("check", CASE, "--rulesets", str(ruleset_dir.root), env={"FUNDRULES_NO_CACHE": "1"})
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    "old, new, field",
    [
        ("valid_to: 2018-10-29", "valid_to: 9999-12-31", "valid_to"),  # a version's end
        ("2015-01-01: {value: 24, source: cif_cdi}", '"0001-01-01": {value: 24, source: cif_cdi}', "parameters"),
        ("{value: 24, source: cif_cdi}", "{value: 9999-12-31, source: cif_cdi}", "parameters"),  # a date value
        ("{value: 24, source: cif_cdi}", "{value: 1.0e+300, source: cif_cdi}", "parameters"),
    ],
)
def test_every_date_or_number_of_a_version_file_is_bounded(ruleset_dir, old, new, field):
    path = ruleset_dir.edit(CIF, old, new)
    error = refused(ruleset_dir.root)
    assert error.file == str(path) and error.line is not None
    assert "hors des bornes admises" in error.reason
    assert error.field is not None and error.field.startswith(field)


def test_a_quoted_date_is_bounded_too(ruleset_dir):
    path = ruleset_dir.edit("cpf/funder.yaml", "reviewed_on: 2026-11-27", 'reviewed_on: "9999-12-31"')
    error = refused(ruleset_dir.root)
    assert (error.file, error.field) == (str(path), "reviewed_on")


def test_plan_rules_dates_are_bounded(ruleset_dir):
    plan = sorted((ruleset_dir.root / "_plan").glob("*.yaml"))[-1]
    text = plan.read_text(encoding="utf-8")
    start = next(line for line in text.splitlines() if line.startswith("valid_from:"))
    plan.write_text(text.replace(start, "valid_from: 1800-01-01", 1), encoding="utf-8")
    done = run_cli("plan", CASE, "--rulesets", str(ruleset_dir.root), env={"FUNDRULES_NO_CACHE": "1"})
    assert done.returncode == 2, done.stdout + done.stderr
    assert "date 1800-01-01 hors des bornes admises" in done.stderr and str(plan) in done.stderr


# -- size bounds -----------------------------------------------------------------------------------


def version_with_criteria(count: int, start: str = "2030-01-01", end: str | None = None) -> str:
    criteria = "".join(
        f"  - id: critere_{index}\n"
        f"    condition: projet.duree_heures > {index}\n"
        "    message: durée trop courte pour ce critère\n"
        "    sources: [loi]\n"
        "    verified: false\n"
        for index in range(count)
    )
    return (
        f"version: essai\nvalid_from: {start}\n"
        + (f"valid_to: {end}\n" if end else "")
        + "sources:\n  - id: loi\n    title: une loi\ncriteria:\n"
        + criteria
    )


FUNDER = """\
id: {id}
name: Financeur d'essai
category: droit_commun
kind: course
decided_by: personne
mobilised_by: [pole_emploi]
"""


def test_a_funder_beyond_the_bound_of_criteria_is_refused_with_its_file(ruleset_dir):
    assert loader.MAX_CRITERIA_PER_FUNDER == 500
    ruleset_dir.write("essai/funder.yaml", FUNDER.format(id="essai"))
    ruleset_dir.write("essai/2030-01-01.yaml", version_with_criteria(300, end="2030-12-31"))
    ruleset_dir.write("essai/2031-01-01.yaml", version_with_criteria(201, start="2031-01-01"))
    error = refused(ruleset_dir.root)
    assert error.file == str(ruleset_dir.root / "essai" / "2031-01-01.yaml")  # the file that crosses it
    assert "trop de critères pour le financeur essai" in error.reason and "au plus 500" in error.reason
    ruleset_dir.write("essai/2031-01-01.yaml", version_with_criteria(200, start="2031-01-01"))
    assert len(load_catalog(ruleset_dir.root, cache=False).funders["essai"].versions) == 2  # 500: accepted


def test_a_catalog_beyond_the_total_bound_is_refused(ruleset_dir, monkeypatch):
    assert loader.MAX_CRITERIA_TOTAL == 5_000
    bundled = sum(
        loader.criteria_count(VersionFile.model_validate(loader.read_document(path).data))
        for path in ruleset_dir.root.glob("*/**/*.yaml")
        if path.name not in ("funder.yaml", "variant.yaml") and "_plan" not in path.parts
    )
    assert 400 < bundled < loader.MAX_CRITERIA_TOTAL  # the bundled rules are well within it
    monkeypatch.setattr(loader, "MAX_CRITERIA_TOTAL", bundled - 1)
    error = refused(ruleset_dir.root)
    assert "trop de critères pour l'ensemble des financeurs" in error.reason and error.line is not None
    monkeypatch.setattr(loader, "MAX_CRITERIA_TOTAL", bundled)
    load_catalog(ruleset_dir.root, cache=False)


def test_three_funders_of_ten_thousand_criteria_are_refused_quickly(ruleset_dir):
    """The issue's attack: refused at the first file, before anything is compiled (exit 2)."""
    for name in ("essai_a", "essai_b", "essai_c"):  # 10 yearly versions of 1,000 criteria (files under 1 MB)
        ruleset_dir.write(f"{name}/funder.yaml", FUNDER.format(id=name))
        for year in range(2030, 2040):
            end = f"{year}-12-31" if year < 2039 else None
            ruleset_dir.write(f"{name}/{year}-01-01.yaml", version_with_criteria(1_000, f"{year}-01-01", end))
    done = run_cli("rulesets", "lint", "--rulesets", str(ruleset_dir.root), env={"FUNDRULES_NO_CACHE": "1"})
    assert done.returncode == 2, done.stderr
    assert "trop de critères pour le financeur essai_a" in done.stderr
