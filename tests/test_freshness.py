"""Freshness in every answer (issue 9): the day each funder's rules were last checked against their
sources, the review period, French warnings when the date evaluated is after the review or past the
review period, `rulesets list` and `rulesets lint`."""

import datetime as dt
import json

import pytest

from fundrules import Engine
from fundrules.errors import InputError
from fundrules.freshness import add_months, review_due
from fundrules.report.text import render_text
from fundrules.rulesets.loader import load_catalog

from .conftest import RULESETS, cdi_employee
from .conftest import run_cli as run

TODAY_REVIEW = dt.date(2026, 11, 27)
CDI = cdi_employee(temps_plein=True, duree_mois=10, date_debut="2027-09-06")


def evaluate(day, engine=None):
    engine = engine or Engine(RULESETS, backend="python")
    return engine.evaluate({**CDI, "date_demande": day.isoformat()})


def test_calendar_months():
    assert add_months(dt.date(2026, 11, 27), 12) == dt.date(2027, 11, 27)
    assert add_months(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)
    assert review_due(None, 12) is None and review_due(TODAY_REVIEW, None) is None


def test_every_bundled_funder_and_variant_records_its_review():
    catalog = load_catalog(RULESETS)
    for funder in catalog.funders.values():
        assert funder.reviewed_on is not None and funder.review_every_months, funder.id
        for variant in funder.variants.values():
            assert variant.reviewed_on is not None, f"{funder.id}/{variant.id}"
    # Reviewed against their sources on 2026-11-27 (issue 9); the CPF by the CPF branch of the same day.
    for funder_id in ("cpf", "cpf_transition", "cif", "conge_bilan", "aif", "agefiph"):
        assert catalog.funders[funder_id].reviewed_on == TODAY_REVIEW, funder_id
    assert catalog.funders["prf"].variants["24"].reviewed_on == TODAY_REVIEW


def test_every_result_carries_reviewed_on_and_no_warning_on_the_review_day():
    evaluation = evaluate(TODAY_REVIEW)
    assert all(r.reviewed_on is not None for r in evaluation.results)
    assert evaluation.result("cpf_transition").reviewed_on == TODAY_REVIEW
    assert evaluation.warnings == ()


def test_a_later_date_warns_for_each_funder_in_force_but_not_for_abolished_schemes():
    evaluation = evaluate(TODAY_REVIEW + dt.timedelta(days=1))
    text = "\n".join(evaluation.warnings)
    assert (
        "Règles revues le 27/11/2026 pour CPF de transition professionnelle (projet de transition "
        "professionnelle) : à revérifier auprès de Transitions Pro de la région pour une date postérieure."
    ) in evaluation.warnings
    assert "France Travail" in text
    # CIF and congé de bilan ended on 2018-12-31: no rules to re-check on that date.
    assert "Congé individuel de formation" not in text and "bilan de compétences" not in text
    in_force = [r for r in evaluation.results if r.status != "not_in_force"]
    assert len(evaluation.warnings) == len(in_force)


def test_past_the_review_period_the_warning_says_the_review_is_overdue():
    # CPF: reviewed 2026-11-27, every 6 months -> holds until 2027-05-27 included.
    on_due = evaluate(dt.date(2027, 5, 27))
    after_due = evaluate(dt.date(2027, 5, 28))
    cpf = "Compte personnel de formation"
    assert not any("échéance" in w for w in on_due.warnings if cpf in w)
    overdue = [w for w in after_due.warnings if cpf in w]
    assert len(overdue) == 1 and "à revoir tous les 6 mois" in overdue[0] and "27/05/2027" in overdue[0]
    # Transition: every 12 months -> 2027-11-27 is still covered, 2027-11-28 is not.
    assert not any("échéance" in w for w in evaluate(dt.date(2027, 11, 27)).warnings if "transition" in w)
    assert any("échéance du 27/11/2027" in w for w in evaluate(dt.date(2027, 11, 28)).warnings if "transition" in w)


def test_both_backends_give_the_same_warnings(durable_engine, python_engine):
    day = dt.date(2027, 6, 1)
    assert evaluate(day, durable_engine).warnings == evaluate(day, python_engine).warnings


def test_text_output_shows_the_warnings_first():
    text = render_text(evaluate(dt.date(2027, 1, 4)))
    lines = text.splitlines()
    assert lines[1].startswith("Attention : Règles revues le ")
    first_result = next(i for i, line in enumerate(lines) if line.startswith("["))
    assert max(i for i, line in enumerate(lines) if line.startswith("Attention :")) < first_result


def test_json_carries_reviewed_on_and_warnings():
    result = run("check", "-", "--format", "json", stdin=json.dumps({**CDI, "date_demande": "2027-01-04"}))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["warnings"] and all("à revérifier" in w for w in data["warnings"])
    assert {r["funder"]: r["reviewed_on"] for r in data["results"]}["cpf_transition"] == "2026-11-27"


def test_rulesets_list_shows_the_review_date():
    result = run("rulesets", "list")
    assert result.returncode == 0
    assert "cpf_transition — " in result.stdout
    block = result.stdout.split("cpf_transition — ", 1)[1].split("\n\n", 1)[0]  # wrapped to 80 columns
    line = " ".join(block.split())
    assert "revu le 27/11/2026" in line and "à revoir tous les 12 mois" in line


def test_lint_reports_an_overdue_review_without_failing(ruleset_dir):
    ruleset_dir.edit("aif/funder.yaml", "reviewed_on: 2026-11-27", "reviewed_on: 2020-01-15")
    result = run("rulesets", "lint", "--rulesets", str(ruleset_dir.root))
    assert result.returncode == 0, result.stderr
    assert (
        "Revue échue : aif revu le 15/01/2020, à revoir tous les 12 mois — échéance du 15/01/2021 dépassée."
        in result.stdout
    )
    assert "Revue échue : cpf_transition" not in result.stdout  # reviewed today: not overdue


def test_review_period_must_be_a_whole_number_of_months(ruleset_dir):
    ruleset_dir.edit("aif/funder.yaml", "review_every_months: 12", 'review_every_months: "un an"')
    with pytest.raises(InputError) as err:
        load_catalog(ruleset_dir.root)
    assert "review_every_months" in str(err.value) and "funder.yaml" in str(err.value)


def test_a_variant_review_overrides_the_funder_one(ruleset_dir):
    ruleset_dir.edit("prf/24/variant.yaml", "reviewed_on: 2026-11-27", "reviewed_on: 2025-03-01")
    catalog = load_catalog(ruleset_dir.root)
    evaluation = Engine(catalog, backend="python").evaluate({**CDI, "date_demande": "2025-06-02"})
    assert evaluation.result("prf").reviewed_on == dt.date(2025, 3, 1)
    assert any("Programme régional" in w and "01/03/2025" in w for w in evaluation.warnings)


def test_whom_to_ask_reads_as_french():
    warnings = evaluate(dt.date(2027, 1, 4)).warnings
    prf = next(w for w in warnings if "Programme régional" in w)
    assert "auprès du Conseil régional Centre-Val de Loire" in prf and "auprès de le" not in " ".join(warnings)
