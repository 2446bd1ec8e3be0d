"""The revaluations of 2026 (issue 21): the amount shown the day before and the day of each one encoded,
and lint listing only the one no source gives. Expected values are written from the sources, not read
back from the rulesets:
- coefficient of art. L161-25 CSS on 2026-04-01: +0.9 % (Journal du Net, 11/03/2026; Ces de France and
  C-fait-maison concur; secondary pages, no official text read), so every amount below is computed and
  shown « à confirmer »;
- trainee scale (rfpe, region, State): revalued each 1 April by that coefficient (C. trav. R6341-24-8):
  224.68 x 1.009 = 226.70, 561.68 x 1.009 = 566.74, 769.49 x 1.009 = 776.42 (rounded to the cent);
- RFF monthly cap: the 26-and-over trainee amount (France Travail's RFF page): 776.42;
- CEJ allowance: revalued each 1 April by that coefficient (C. trav. D5131-19, IV): 566.74 / 340.03
  (337 x 1.009) / 226.70; on 2023-04-01, +5.6 % over the 2022-04-01 amounts (the 4 % of 2022-07-01
  included): 300 x 1.056 = 316.80 and 200 x 1.056 = 211.20;
- PACEA monthly cap: the CEJ amount (secondary page): 566.74;
- ARE-F daily floor on 2026-07-01: no Unédic decision found: not encoded, shown « à confirmer ».
"""

import datetime as dt

import pytest

from fundrules.freshness import overdue_revaluations
from fundrules.rulesets.loader import load_catalog

from .conftest import RULESETS
from .test_amounts_law import TRAINEE_PAY, cej_case, rff_case, trainee
from .test_income import income

D = dt.date
BEFORE, ON = D(2026, 3, 31), D(2026, 4, 1)


@pytest.mark.parametrize("funder", TRAINEE_PAY)
@pytest.mark.parametrize(
    "facts,route,before,on",
    [
        ({"age": 17}, "moins_18", 224.68, 226.70),
        ({"age": 22}, "de_18_a_25", 561.68, 566.74),
        ({"age": 29}, "plus_26", 769.49, 776.42),
        ({"age": 22, "situation_familiale": "parent_isole"}, "parent_isole_ou_mere", 769.49, 776.42),
        ({"age": 22, "heures_salariees_12_mois": 910}, "jeune_ancien_salarie", 769.49, 776.42),
        ({"age": 21, "boeth": True}, "travailleur_handicape", 769.49, 776.42),
    ],
)
def test_trainee_scale_on_2026_04_01(python_engine, funder, facts, route, before, on):
    for day, expected in ((BEFORE, before), (ON, on)):
        entry = income(python_engine, trainee(str(day), funder, **facts), day)[funder]
        assert (entry.status, entry.route, entry.monthly, entry.verified) == ("eligible", route, expected, False)


@pytest.mark.parametrize("funder", TRAINEE_PAY)
def test_the_whole_trainee_scale_is_encoded_for_2026_or_none_of_it(funder):
    """Every revalued amount of the scale has its 2026-04-01 value, computed and unverified."""
    version = load_catalog(RULESETS).funders[funder].version_at(ON)
    revalued = {name: p for name, p in version.parameters.items() if p.revalued is not None}
    assert set(revalued) == {
        "montant_moins_18",
        "montant_de_18_a_25",
        "montant_plus_26",
        "montant_jeune_ancien_salarie",
        "montant_parent_isole_ou_mere",
        "montant_travailleur_handicape",
    }
    for parameter in revalued.values():
        assert parameter.start_at(ON) == ON and parameter.verified_at(ON) is False
        assert parameter.start_at(BEFORE) == D(2025, 4, 1)


def test_rff_cap_on_2026_04_01(python_engine):
    # 40 EUR x 30 days = 1,200 EUR a month: capped at the 26-and-over trainee amount
    before = income(python_engine, rff_case(str(BEFORE)), BEFORE)["rff"]
    on = income(python_engine, rff_case(str(ON)), ON)["rff"]
    assert (before.monthly, on.monthly, on.verified) == (769.49, 776.42, False)


@pytest.mark.parametrize(
    "foyer,age,parameter,before,on",
    [
        ("non_imposable", 20, "montant_majeur_non_imposable", 561.68, 566.74),
        ("tranche_1", 20, "montant_majeur_tranche_1", 337, 340.03),
        ("non_imposable", 17, "montant_mineur", 224.68, 226.70),
    ],
)
def test_cej_allowance_on_2026_04_01(python_engine, foyer, age, parameter, before, on):
    shown = [
        income(python_engine, cej_case(str(day), foyer=foyer, age=age), day)["allocation_cej"].monthly
        for day in (BEFORE, ON)
    ]
    assert shown == [before, on]
    version = load_catalog(RULESETS).funders["allocation_cej"].version_at(ON)
    assert version.parameters[parameter].verified_at(ON) is False


@pytest.mark.parametrize(
    "foyer,age,before,on",
    [
        ("tranche_1", 20, 312, 316.80),  # 300 + 4 % (2022-07-01), then 300 x 1.056
        ("non_imposable", 17, 208, 211.20),  # 200 + 4 %, then 200 x 1.056
    ],
)
def test_cej_2022_version_lines_on_2023_04_01(python_engine, foyer, age, before, on):
    shown = [
        income(python_engine, cej_case(str(day), foyer=foyer, age=age), day)["allocation_cej"].monthly
        for day in (D(2023, 3, 31), D(2023, 4, 1))
    ]
    assert shown == [before, on]
    # the 2024 version holds the same value from 2024-01-01 until the next revaluation
    assert (
        income(python_engine, cej_case("2024-01-02", foyer=foyer, age=age), D(2024, 1, 2))["allocation_cej"].monthly
        == on
    )


def test_pacea_cap_on_2026_04_01():
    cap = load_catalog(RULESETS).funders["allocation_pacea"].version_at(ON).parameters["montant_mensuel_max"]
    assert (cap.value_at(BEFORE), cap.value_at(ON), cap.verified_at(ON)) == (561.68, 566.74, False)


def test_aref_floor_of_2026_07_01_is_not_encoded():
    floor = load_catalog(RULESETS).funders["aref"].version_at(D(2026, 7, 1)).parameters["plancher_journalier"]
    assert floor.value_at(D(2026, 6, 30)) == 22.99
    assert floor.missing_revaluation(D(2026, 6, 30)) is None
    assert floor.missing_revaluation(D(2026, 7, 1)) == D(2026, 7, 1)


def test_lint_no_longer_lists_the_encoded_revaluations():
    catalog = load_catalog(RULESETS)
    on_2026_12_05 = overdue_revaluations(catalog, D(2026, 12, 5))
    assert len(on_2026_12_05) == 1 and "aref version 2024, plancher_journalier" in on_2026_12_05[0]
    assert "01/07/2026" in on_2026_12_05[0]
    for encoded in ("rfpe", "remuneration_stagiaire", "rff version", "allocation_cej", "allocation_pacea"):
        assert not any(encoded in line for line in on_2026_12_05), encoded
    # the next 1 April brings them back: the schedule still runs
    on_2027_04_01 = overdue_revaluations(catalog, D(2027, 4, 1))
    assert any("rff version 2024, plafond_mensuel" in line and "01/04/2027" in line for line in on_2027_04_01)
