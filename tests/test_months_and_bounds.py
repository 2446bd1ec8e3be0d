"""Issue 24: month arithmetic that keeps the day when it exists (fundrules/months.py), and a maximum for
every number fact, so that a case the schema accepts can never crash the plan (exit 70 / HTTP 500)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from fundrules import InputError
from fundrules.case import case_from_data
from fundrules.facts import FACTS, INT, NUMBER
from fundrules.french import number_fr
from fundrules.months import add_months, months_end
from fundrules.plan.income import course_end

from .conftest import ROOT, run_cli

D = dt.date
NUMBER_FACTS = [fact for fact in FACTS.values() if fact.kind in (INT, NUMBER)]


@pytest.mark.parametrize(
    "day, months, expected",
    [
        (D(2024, 5, 30), 1, D(2024, 6, 30)),  # June has a 30th: kept
        (D(2024, 5, 31), 1, D(2024, 6, 30)),  # June has no 31st: its last day
        (D(2024, 1, 29), 1, D(2024, 2, 29)),  # leap year: the 29th exists
        (D(2023, 1, 29), 1, D(2023, 2, 28)),
        (D(2024, 1, 31), 1, D(2024, 2, 29)),
        (D(2024, 11, 30), 3, D(2025, 2, 28)),  # across a year
        (D(2024, 3, 31), -1, D(2024, 2, 29)),  # backwards
        (D(2024, 12, 15), 0, D(2024, 12, 15)),
        (D(2100, 12, 31), 120, D(2110, 12, 31)),  # the latest start plus the longest course
    ],
)
def test_add_months_keeps_the_day_when_it_exists(day, months, expected):
    assert add_months(day, months) == expected


def test_add_months_outside_the_calendar_is_an_overflow_error_not_a_value_error():
    with pytest.raises(OverflowError):
        add_months(D(9999, 12, 1), 1)


@pytest.mark.parametrize(
    "start, months, end",
    [
        (D(2024, 5, 30), 1, D(2024, 6, 29)),  # the issue: 2024-06-27 before
        (D(2024, 5, 29), 1, D(2024, 6, 28)),  # 2024-06-27 before
        (D(2024, 5, 31), 1, D(2024, 6, 29)),  # no 31 June: the period runs to the day before 30 June
        (D(2024, 3, 1), 1, D(2024, 3, 31)),
        (D(2024, 9, 1), 10, D(2025, 6, 30)),
        (D(2023, 12, 31), 2, D(2024, 2, 28)),
    ],
)
def test_a_course_of_whole_months_ends_the_day_before_the_same_day(start, months, end):
    assert months_end(start, months) == end
    assert course_end({"projet.date_debut": start, "projet.duree_mois": months}) == end


def test_course_end_prefers_the_stated_end_date():
    facts = {"projet.date_debut": D(2024, 5, 30), "projet.duree_mois": 1, "projet.date_fin": D(2024, 7, 1)}
    assert course_end(facts) == D(2024, 7, 1)


def test_income_of_a_course_starting_on_the_30th_ends_on_the_29th(python_engine):
    case = case_from_data(
        {
            "date_demande": "2024-04-10",
            "operateur": "pole_emploi",
            "region": "24",
            "beneficiaire": {
                "statut": "demandeur_emploi",
                "inscrit_pole_emploi": True,
                "allocation_chomage": "aucune",
                "age": 22,
                "contrat": "aucun",
            },
            "projet": {
                "type_action": "certification_rncp",
                "duree_mois": 1,
                "temps_plein": True,
                "date_debut": "2024-05-30",
                "valide_conseiller_pe": True,
                "agrement_remuneration": "france_travail",
                "formation_qualifiante": True,
            },
        }
    )
    entries = [entry for entry in python_engine.plan(case).income if entry.start is not None]
    assert entries, "an income entry with dates was expected"
    assert {entry.end for entry in entries} == {D(2024, 6, 29)}


# -- a maximum for every number fact -----------------------------------------------------------------


def test_every_number_fact_has_a_maximum_in_the_fact_table_the_schema_and_the_docs():
    from fundrules.schemas import json_schema

    schema = json_schema("case")
    facts_md = (ROOT / "docs" / "facts.md").read_text(encoding="utf-8")
    assert len(NUMBER_FACTS) >= 20
    for fact in NUMBER_FACTS:
        assert fact.maximum is not None and fact.minimum is not None, fact.path
        assert fact.maximum <= 1e12  # within what the case model accepts for any number
        node = schema
        if fact.section:
            node = _resolve(schema, schema["properties"][fact.section])
        prop = _resolve(schema, node["properties"][fact.name])
        assert _maximum(prop) == fact.maximum, fact.path
        assert (
            f"| `{fact.path}` | {fact.kind} |" in facts_md
            and f"à {number_fr(fact.maximum)}" in facts_md.split(f"| `{fact.path}` |")[1].split("\n")[0]
        )


def _resolve(schema: dict, node: dict) -> dict:
    if "$ref" in node:
        return schema["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _maximum(prop: dict):
    if "maximum" in prop:
        return prop["maximum"]
    for option in prop.get("anyOf", []):
        if "maximum" in option:
            return option["maximum"]
    return None


@pytest.mark.parametrize("fact", NUMBER_FACTS, ids=lambda fact: fact.path)
def test_a_number_beyond_its_maximum_is_refused_with_its_path(fact):
    data: dict = {"date_demande": "2024-04-10"}
    value = int(fact.maximum) + 1
    if fact.section:
        data[fact.section] = {fact.name: value}
    else:
        data[fact.name] = value
    with pytest.raises(InputError) as info:
        case_from_data(data)
    assert info.value.field == fact.path
    if fact.section:
        data[fact.section] = {fact.name: int(fact.maximum)}
    else:
        data[fact.name] = int(fact.maximum)
    case_from_data(data)  # the maximum itself is accepted


def test_the_issue_case_is_exit_2_and_the_longest_course_is_planned(tmp_path):
    case = {
        "date_demande": "2024-04-10",
        "beneficiaire": {"statut": "demandeur_emploi", "inscrit_pole_emploi": True},
        "projet": {"date_debut": "2100-12-31", "duree_mois": 100000},
    }
    path = tmp_path / "cas.json"
    path.write_text(json.dumps(case), encoding="utf-8")
    done = run_cli("plan", str(path), "--format", "json")
    assert done.returncode == 2, done.stdout + done.stderr  # was exit 70 (year 10434 is out of range)
    assert json.loads(done.stdout)["error"]["field"] == "projet.duree_mois" and "Traceback" not in done.stderr
    case["projet"]["duree_mois"] = 120  # the maximum, from the latest start: plans
    path.write_text(json.dumps(case), encoding="utf-8")
    done = run_cli("plan", str(path), "--format", "json")
    assert done.returncode == 0, done.stderr
