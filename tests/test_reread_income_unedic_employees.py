"""Re-read of the verified items of the Unédic / employee income schemes (issue 21, review file
docs/review-2026-12/income-unedic-employees.md): each correction and upgrade tested from its source, the day
before / the day of where the source dates it. Expected values are those the sources state:
- Cap Métiers, « Nouvelles règles pour l'ARE versée en cours de formation » (circulaire Unédic 2019-12): from the
  unemployment insurance rules in force on 2019-11-01, the ARE-F is also paid during a course outside the PPAE
  funded in whole or part by the CPF;
- Centre Inffo on instruction 2020-25 (RFF of 2020 relays the ARE-F or ASP-F) and Pôle emploi instruction 2021-23
  of 2021-07-12 (the RFF relays the ARE-F, ASP-F or ATI-F);
- Unédic communiqués: ARE-F floor 21.04 from 2020-07-01 (20.96 before), 21.78 from 2022-07-01 (21.17 before),
  22.88 from 2024-07-01 (22.61 before); Centre Inffo: 22.19 from 2023-04-01 (décret 2023-228);
- SMIC: 1,645.58 EUR a month from 2022-05-01, 1,678.95 from 2022-08-01 (arrêté of 2022-07-29);
- Code du travail L1231-1: the rules on ending a CDI, resignation included, do not apply during the trial period.
"""

import datetime as dt

import pytest

from fundrules.case import case_from_data

from .test_amounts_law import ptp_pay
from .test_income import income, job_seeker, resigning

D = dt.date


def aref_outside_ppae_with_cpf(day, eligible_cpf=True):
    """An ARE recipient whose course is not in the PPAE but is CPF-eligible and funded from her CPF balance."""
    data = job_seeker(
        day,
        allocation_chomage="are",
        are_journaliere=30,
        date_fin_droits_are="2020-12-31",
        solde_cpf_euros=800,
    )
    data["projet"].update(
        date_debut="2019-12-02", date_fin="2020-06-30", valide_conseiller_pe=False, eligible_cpf=eligible_cpf
    )
    return data


def test_aref_cpf_route_starts_with_the_rules_of_2019_11_01(python_engine):
    before = python_engine.evaluate(case_from_data(aref_outside_ppae_with_cpf("2019-10-31")), as_of=D(2019, 10, 31))
    assert [b.criterion for b in before.result("aref").blockers] == ["formation_validee"]
    on = python_engine.evaluate(case_from_data(aref_outside_ppae_with_cpf("2019-11-01")), as_of=D(2019, 11, 1))
    assert on.result("aref").status == "eligible"
    assert "formation_validee" not in on.result("aref").unverified_criteria
    # outside the PPAE and not funded by the CPF: still no ARE-F
    no_cpf = aref_outside_ppae_with_cpf("2019-11-01", eligible_cpf=False)
    blocked = python_engine.evaluate(case_from_data(no_cpf), as_of=D(2019, 11, 1)).result("aref")
    assert [b.criterion for b in blocked.blockers] == ["formation_validee"]


def test_aref_cpf_route_same_on_both_backends(python_engine, durable_engine):
    for day in (D(2019, 10, 31), D(2019, 11, 1)):
        data = aref_outside_ppae_with_cpf(str(day))
        a = python_engine.evaluate(case_from_data(data), as_of=day).result("aref")
        b = durable_engine.evaluate(case_from_data(data), as_of=day).result("aref")
        assert (a.status, [x.criterion for x in a.blockers]) == (b.status, [x.criterion for x in b.blockers])


def ati_recipient(day):
    data = job_seeker(
        day,
        allocation_chomage="ati",
        are_journaliere=30,
        date_fin_droits_are="2021-03-15",
        date_fin_contrat="2020-06-30",
    )
    data["projet"].update(date_debut="2020-11-02", date_fin="2021-10-29", duree_mois=12, metier_en_tension=True)
    return data


def test_rff_relays_the_ati_from_instruction_2021_23(python_engine):
    def rff(day):
        return python_engine.evaluate(case_from_data(ati_recipient(str(day))), as_of=day).result("rff")

    # 2020 (délibération 2020-04, instruction 2020-25): ARE-F or ASP-F only
    assert "indemnise" in [b.criterion for b in rff(D(2020, 12, 31)).blockers]
    # between 2021-01-01 and 2021-07-11 the text was not re-read: the ATI holds, « à confirmer »
    gap = rff(D(2021, 3, 1))
    assert "indemnise" not in [b.criterion for b in gap.blockers]
    assert "indemnise" in gap.unverified_criteria
    # instruction 2021-23 of 2021-07-12 names the ATI-F
    on = rff(D(2021, 7, 12))
    assert "indemnise" not in [b.criterion for b in on.blockers]
    assert "indemnise" not in on.unverified_criteria
    # an ARE recipient is covered on every date
    are = ati_recipient("2020-12-31")
    are["beneficiaire"]["allocation_chomage"] = "are"
    result = python_engine.evaluate(case_from_data(are), as_of=D(2020, 12, 31)).result("rff")
    assert "indemnise" not in [b.criterion for b in result.blockers]


def floor_case(day):
    data = job_seeker(day, allocation_chomage="are", are_journaliere=15, date_fin_droits_are="2026-12-31")
    data["projet"].update(date_debut="2019-01-07", date_fin="2026-10-30")
    return data


@pytest.mark.parametrize(
    "day,floor,verified",
    [
        (D(2020, 6, 30), 20.96, True),  # Unédic 2020: « contre 20,96 € actuellement »
        (D(2020, 7, 1), 21.04, True),
        (D(2022, 6, 30), 21.17, True),  # Unédic 2022: « contre 21,17 € actuellement »
        (D(2022, 7, 1), 21.78, True),
        (D(2023, 3, 31), 21.78, True),
        (D(2023, 4, 1), 22.19, True),  # Centre Inffo, décret 2023-228
        (D(2024, 6, 30), 22.61, True),
        (D(2024, 7, 1), 22.88, True),  # Unédic 2024
        (D(2025, 7, 1), 22.99, False),  # secondary pages only: à confirmer
    ],
)
def test_aref_daily_floor_by_date(python_engine, day, floor, verified):
    entry = income(python_engine, floor_case(str(day)), day)["aref"]
    assert (entry.daily, entry.verified) == (floor, verified)


@pytest.mark.parametrize(
    "day,salary,expected,verified",
    [
        # 2 SMIC = 2 x 1,645.58 = 3,291.16 until 2022-07-31: 3,300 is above, 90 % = 2,970, never below 2 SMIC
        (D(2022, 7, 31), 3300, 3291.16, True),
        # 2 SMIC = 2 x 1,678.95 = 3,357.90 from 2022-08-01: 3,300 is under, 100 %
        (D(2022, 8, 1), 3300, 3300.0, True),
        # 2023-01-01 (1,709.28) not re-read: the floor of 2 SMIC (3,418.56) is still « à confirmer »
        (D(2023, 1, 2), 3500, 3418.56, False),
    ],
)
def test_ptp_two_smic_threshold_in_2022(python_engine, day, salary, expected, verified):
    entry = ptp_pay(python_engine, salary, day)
    assert (entry.monthly, entry.verified) == (expected, verified)


def test_breaking_the_trial_period_is_not_a_resignation(python_engine):
    data = resigning(rupture_contrat="rupture_periode_essai")
    result = python_engine.evaluate(case_from_data(data)).result("demission_reconversion")
    assert [b.criterion for b in result.blockers] == ["pas_rupture_essai"]
    assert python_engine.evaluate(case_from_data(resigning())).result("demission_reconversion").status == "eligible"


def test_registration_delay_is_shown_a_confirmer(python_engine):
    """The 6 months rest on secondary pages only: the parameter is no longer marked verified."""
    for day in (D(2019, 11, 1), D(2020, 1, 1), D(2024, 1, 1)):
        version = python_engine.catalog.funders["demission_reconversion"].version_at(day)
        parameter = version.parameters["delai_inscription_mois"]
        assert (parameter.value_at(day), parameter.verified_at(day)) == (6, False)
