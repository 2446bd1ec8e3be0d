"""Freshness in every answer (issue 9): the day each funder's rules were last checked against their
sources, the review period, French warnings when the date evaluated is after the review or past the
review period, `rulesets list` and `rulesets lint`."""

import datetime as dt
import json

import pytest

from fundrules import Engine, freshness
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


@pytest.fixture
def today_is(monkeypatch):
    """Sets the day the answer is made (freshness.today)."""

    def set_today(day):
        monkeypatch.setattr(freshness, "today", lambda: day)

    return set_today


def test_every_result_carries_reviewed_on_and_no_warning_on_the_review_day(today_is):
    today_is(TODAY_REVIEW)
    evaluation = evaluate(TODAY_REVIEW)
    assert all(r.reviewed_on is not None for r in evaluation.results)
    assert evaluation.result("cpf_transition").reviewed_on == TODAY_REVIEW
    assert evaluation.warnings == ()


def test_a_date_after_the_review_day_is_the_normal_case_not_a_warning(today_is):
    """Issue 22: 25 lines "Règles revues le … pour une date postérieure", one per funder, were the first
    screen of every case dated today; a date after the review day, before the review is due, is normal."""
    today_is(dt.date(2027, 1, 4))
    evaluation = evaluate(dt.date(2027, 1, 4))
    assert not any("revu" in w.lower() for w in evaluation.warnings)


def test_an_overdue_review_is_one_line_naming_the_funders(today_is):
    # CPF: reviewed 2026-11-27, every 6 months -> holds until 2027-05-27 included (at today's date).
    today_is(dt.date(2027, 5, 27))
    assert not any("Revue des règles échue" in w for w in evaluate(dt.date(2027, 5, 27)).warnings)
    today_is(dt.date(2027, 5, 28))
    warnings = evaluate(dt.date(2027, 5, 28)).warnings
    overdue = [w for w in warnings if "Revue des règles échue" in w]
    assert len(overdue) == 1  # one line, not one per funder
    # the CPF participation of 2027-01-01 is not encoded: the eligible CPF says so, in its own line
    assert (
        "Montant de Compte personnel de formation (CPF) à confirmer : revalorisation du 01/01/2027 non encodée."
        in warnings
    )
    assert "au 28/05/2027" in overdue[0] and "Compte personnel de formation" in overdue[0]
    assert "CPF de transition" not in overdue[0]  # every 12 months: due on 2027-11-27
    # the review is overdue at today's date, whatever the date asked: an old date warns too
    old = evaluate(dt.date(2026, 1, 5)).warnings
    assert any("Revue des règles échue" in w and "Compte personnel de formation" in w for w in old)
    # funders not in force on the date asked (the CIF ended in 2018) are not named
    today_is(dt.date(2030, 1, 1))
    line = next(w for w in evaluate(dt.date(2026, 1, 5)).warnings if "Revue des règles échue" in w)
    assert "Congé individuel de formation" not in line and "CPF de transition" in line


def test_a_date_beyond_today_warns_once(today_is):
    today_is(dt.date(2026, 12, 5))
    assert evaluate(dt.date(2026, 12, 5)).warnings == ()
    warnings = evaluate(dt.date(2026, 12, 6)).warnings
    assert warnings == (
        "Date évaluée (06/12/2026) postérieure à aujourd'hui (05/12/2026) : les règles sont celles connues "
        "aujourd'hui, elles peuvent changer d'ici là.",
    )


def test_both_backends_give_the_same_warnings(durable_engine, python_engine, today_is):
    today_is(dt.date(2027, 6, 1))
    day = dt.date(2027, 6, 1)
    assert evaluate(day, durable_engine).warnings == evaluate(day, python_engine).warnings


def test_text_output_shows_the_warnings_first(today_is):
    today_is(dt.date(2026, 12, 5))
    text = render_text(evaluate(dt.date(2027, 1, 4)))
    lines = text.splitlines()
    assert lines[1].startswith("Attention : Date évaluée (04/01/2027) postérieure")
    first_result = next(i for i, line in enumerate(lines) if line.startswith("["))
    assert max(i for i, line in enumerate(lines) if line.startswith("Attention :")) < first_result


def test_json_carries_reviewed_on_and_warnings():
    result = run("check", "-", "--format", "json", stdin=json.dumps({**CDI, "date_demande": "2099-01-04"}))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert any("postérieure à aujourd'hui" in w for w in data["warnings"])
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


def test_a_variant_review_overrides_the_funder_one(ruleset_dir, today_is):
    ruleset_dir.edit("prf/24/variant.yaml", "reviewed_on: 2026-11-27", "reviewed_on: 2025-03-01")
    catalog = load_catalog(ruleset_dir.root)
    today_is(dt.date(2026, 12, 5))
    evaluation = Engine(catalog, backend="python").evaluate({**CDI, "date_demande": "2025-06-02"})
    assert evaluation.result("prf").reviewed_on == dt.date(2025, 3, 1)
    assert any("Revue des règles échue" in w and "Programme régional" in w for w in evaluation.warnings)


def test_lint_lists_overdue_revaluations_and_unverified_version_dates():
    result = run("rulesets", "lint", "--rulesets", str(RULESETS))
    assert result.returncode == 0, result.stderr
    assert "Revalorisation non encodée : aref version 2024, plancher_journalier" in result.stdout
    assert "Date à confirmer : periode_reconversion version" in result.stdout
