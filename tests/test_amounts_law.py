"""Amounts that follow the law (issue 21): the twelve definite errors of the legal review of 2026-12-05,
each tested from its source the day before / the day of where the source dates it, and staleness made
visible (an amount the law revalues on a schedule, past a revaluation day with no value encoded, is shown
« à confirmer » and the answer's warnings say so). Expected values are those the sources state:
- R6341-24-8 (décret 2022-477): trainee pay revalued every 1 April from 2023; France Travail BO,
  instruction 2024-6 (211.20 / 528 / 723.36 EUR from 2023-04-01; 220.92 / 552.29 / 756.63 from 2024-04-01);
  RFFT page of 2025 (224.68 / 561.68 / 769.49, secondary);
- ASP / FT BO: a disabled trainee (BOETH) without prior work gets the 26-and-over amount whatever the age;
- France Travail's RFF page: cap 756.63 EUR a month, relays ARE-F, ASP-F or ATI-F;
- Unédic ARE-F fiche: also a course outside the PPAE funded by the CPF;
- France Travail's démission-reconversion page: public agents excluded, not private-law CDIs at public employers;
- CEJ: 500 (2022-03), 528 (2023-04-01), 552.29 (2024-04-01, France Travail), 561.68 (2025-04-01);
- décret 2025-1228: SMIC 1,823.03 EUR a month from 2026-01-01 (2 SMIC = 3,646.06);
- décret 2024-561 (JORF of 2024-06-20, in force the next day): POEI widened and AFPR ended on 2024-06-21;
- décret 2019-1439: from 2020 the employer pays the PTP pay in every firm;
- loi 2025-989 art. 3: entretien de parcours professionnel from 2025-10-26;
- Centre Inffo 13/01/2025: the GIP France VAE was not created.
"""

import datetime as dt

import pytest

from fundrules.case import case_from_data
from fundrules.errors import InputError
from fundrules.freshness import overdue_revaluations
from fundrules.plan.income import income_chain
from fundrules.report.plan import render_plan_text
from fundrules.rulesets.catalog import Revaluation, Source
from fundrules.rulesets.loader import load_catalog

from .conftest import RULESETS
from .test_income import income, indemnified_until_june_2024, job_seeker, ptp_case, resigning

D = dt.date
TRAINEE_PAY = ("rfpe", "remuneration_stagiaire_region", "remuneration_stagiaire_etat")


def trainee(day, funder, **beneficiaire):
    data = job_seeker(day, **beneficiaire)
    data["projet"]["agrement_remuneration"] = {
        "rfpe": "france_travail",
        "remuneration_stagiaire_region": "region",
        "remuneration_stagiaire_etat": "etat",
    }[funder]
    return data


@pytest.mark.parametrize("funder", TRAINEE_PAY)
@pytest.mark.parametrize(
    "day,age,expected,verified",
    [
        # R6341-24-8: first revaluation on 2023-04-01 (FT BO instruction 2024-6: 211.20 / 528 / 723.36)
        (D(2023, 3, 31), 17, 208, False),  # +4 % of loi 2022-1158 from 2022-07-01 (computed: à confirmer)
        (D(2023, 4, 1), 17, 211.20, True),
        (D(2023, 4, 1), 22, 528, True),
        (D(2023, 4, 1), 40, 723.36, True),
        (D(2024, 3, 31), 40, 723.36, True),
        # délibération 2024-36 (FT BO, May 2024 update): 220.92 / 552.29 / 756.63 from 2024-04-01
        (D(2024, 4, 1), 17, 220.92, False),  # re-read 2026-12: computed by the coefficient, not read
        (D(2024, 4, 1), 22, 552.29, True),
        (D(2024, 4, 1), 40, 756.63, True),
        (D(2025, 3, 31), 22, 552.29, True),
        # 2025-04-01: 224.68 / 561.68 / 769.49 (secondary page: à confirmer)
        (D(2025, 4, 1), 17, 224.68, False),
        (D(2025, 4, 1), 22, 561.68, False),
        (D(2025, 4, 1), 40, 769.49, False),
        (D(2026, 3, 31), 40, 769.49, False),
    ],
)
def test_trainee_pay_revalued_every_1_april(python_engine, funder, day, age, expected, verified):
    if funder == "remuneration_stagiaire_etat" and age > 29:
        age = 29  # the State programme is for 16-29 year-olds: the 26+ line at 29
    entry = income(python_engine, trainee(str(day), funder, age=age), day)[funder]
    assert (entry.status, entry.monthly, entry.verified) == ("eligible", expected, verified)


@pytest.mark.parametrize("funder", TRAINEE_PAY)
def test_trainee_pay_past_an_unencoded_revaluation_is_shown_a_confirmer(python_engine, funder):
    """Past a revaluation day with no value encoded (2027-04-01; the 2026 scale is encoded, computed, see
    test_revaluations_2026): the amount is not shown, the answer says why."""
    day = D(2027, 4, 1)
    entry = income(python_engine, trainee(str(day), funder, age=22), day)[funder]
    assert entry.monthly is None and entry.verified is False
    assert entry.rule.startswith("à confirmer : revalorisation du 01/04/2027 non encodée")
    assert "566,74" in entry.rule  # the last value encoded, with its date
    warnings = python_engine.evaluate(case_from_data(trainee(str(day), funder, age=22))).warnings
    name = python_engine.catalog.funders[funder].name
    assert f"Montant de {name} à confirmer : revalorisation du 01/04/2027 non encodée." in warnings


@pytest.mark.parametrize("funder", TRAINEE_PAY)
def test_disabled_trainee_without_prior_work_gets_the_26_plus_amount_whatever_the_age(python_engine, funder):
    day = D(2024, 6, 3)
    young = income(python_engine, trainee(str(day), funder, age=21, boeth=True), day)[funder]
    assert (young.route, young.monthly) == ("travailleur_handicape", 756.63)  # not 552.29
    assert income(python_engine, trainee(str(day), funder, age=21), day)[funder].monthly == 552.29
    # with 6 months of work in 12: salary-based between that floor and the ceiling, not computed here
    worked = income(python_engine, trainee(str(day), funder, age=21, boeth=True, heures_salariees_12_mois=910), day)
    assert (worked[funder].route, worked[funder].monthly) == ("travailleur_handicape_activite_anterieure", None)


def rff_case(day, allocation="are"):
    data = job_seeker(
        day,
        allocation_chomage=allocation,
        are_journaliere=40,
        date_fin_droits_are="2024-06-15",
        date_fin_contrat="2023-01-31",
    )
    data["projet"].update(date_debut="2024-03-01", date_fin="2024-12-20", duree_mois=10, metier_en_tension=True)
    return data


def test_rff_cap_is_the_26_plus_trainee_amount(python_engine):
    # France Travail RFF page: 756.63 EUR a month (the 26+ amount of 2024-04-01); 40 EUR x 30 = 1,200 capped
    assert income(python_engine, rff_case("2024-03-31"), D(2024, 3, 31))["rff"].monthly == 652.02
    on = income(python_engine, rff_case("2024-04-01"), D(2024, 4, 1))["rff"]
    assert (on.monthly, on.verified) == (756.63, True)
    later = income(python_engine, rff_case("2025-04-01"), D(2025, 4, 1))["rff"]
    assert (later.monthly, later.verified) == (769.49, False)


def test_rff_relays_the_ati_too(python_engine):
    result = python_engine.evaluate(case_from_data(rff_case("2024-04-01", allocation="ati"))).result("rff")
    assert "indemnise" not in [b.criterion for b in result.blockers]
    blocked = python_engine.evaluate(case_from_data(rff_case("2024-04-01", allocation="aucune"))).result("rff")
    assert "indemnise" in [b.criterion for b in blocked.blockers]


def test_aref_outside_the_ppae_with_the_cpf(python_engine):
    data = job_seeker(
        "2024-01-10",
        allocation_chomage="are",
        are_journaliere=30,
        date_fin_droits_are="2024-12-31",
        solde_cpf_euros=800,
    )
    data["projet"].update(date_debut="2024-03-01", date_fin="2024-10-31", valide_conseiller_pe=False, eligible_cpf=True)
    assert python_engine.evaluate(case_from_data(data)).result("aref").status == "eligible"
    data["projet"]["eligible_cpf"] = False
    blocked = python_engine.evaluate(case_from_data(data)).result("aref")
    assert [b.criterion for b in blocked.blockers] == ["formation_validee"]


def test_resignation_from_a_private_law_cdi_at_a_public_employer(python_engine):
    public_employer = python_engine.evaluate(case_from_data(resigning(secteur_public=True)))
    assert "cdi" not in [b.criterion for b in public_employer.result("demission_reconversion").blockers]
    agent = python_engine.evaluate(case_from_data(resigning(statut="agent_public", secteur_public=True)))
    assert "cdi" in [b.criterion for b in agent.result("demission_reconversion").blockers]


def cej_case(day, foyer="non_imposable", age=20):
    return {
        "date_demande": day,
        "operateur": "mission_locale",
        "beneficiaire": {
            "statut": "sans_activite",
            "age": age,
            "soutien_financier_parents": False,
            "ressources_mensuelles": 0,
            "foyer_fiscal": foyer,
            "rqth": False,
            "accompagnement_jeune": "cej",
        },
        "projet": {},
    }


@pytest.mark.parametrize(
    "day,expected,verified",
    [
        (D(2022, 6, 30), 500, True),
        (D(2022, 7, 1), 520, False),  # +4 % (loi 2022-1158), secondary pages
        (D(2023, 3, 31), 520, False),
        (D(2023, 4, 1), 528, False),
        (D(2024, 3, 31), 528, False),
        (D(2024, 4, 1), 552.29, True),  # France Travail's ACEJ page, "montant au 1er avril 2024"
        (D(2025, 3, 31), 552.29, True),
        (D(2025, 4, 1), 561.68, True),  # "montant au 1er avril 2025" (France Travail agency sheet on Dora)
        (D(2026, 3, 31), 561.68, True),
    ],
)
def test_cej_allowance_by_date(python_engine, day, expected, verified):
    entry = income(python_engine, cej_case(str(day)), day)["allocation_cej"]
    parameter = (
        python_engine.catalog.funders["allocation_cej"].version_at(day).parameters["montant_majeur_non_imposable"]
    )
    assert (entry.monthly, parameter.verified_at(day)) == (expected, verified)
    assert entry.verified is False  # other criteria of the CEJ rest on secondary pages


def test_cej_allowance_past_an_unencoded_revaluation_is_a_confirmer(python_engine):
    after = income(python_engine, cej_case("2027-04-01"), D(2027, 4, 1))["allocation_cej"]
    assert after.monthly is None and "revalorisation du 01/04/2027 non encodée" in after.rule
    # the minors' amount of 2023-04-01 is computed (200 x 1.056, no page read gives it): shown, à confirmer
    minor = income(python_engine, cej_case("2023-04-01", age=17), D(2023, 4, 1))["allocation_cej"]
    assert (minor.monthly, minor.verified) == (211.20, False)
    assert income(python_engine, cej_case("2024-04-01", age=17), D(2024, 4, 1))["allocation_cej"].monthly == 220.92


def ptp_pay(engine, salary, day):
    data = ptp_case(salary, str(day))
    data["projet"].update(date_debut=str(day + dt.timedelta(days=60)), date_fin=str(day + dt.timedelta(days=300)))
    evaluation = engine.evaluate(case_from_data(data))
    chain = income_chain(engine, evaluation, {"beneficiaire.salaire_moyen_reference": salary}, ["cpf_transition"])
    return {e.id: e for e in chain}["maintien_ptp"]


@pytest.mark.parametrize(
    "day,salary,expected",
    [
        # 2025: 2 SMIC = 2 x 1,801.80 = 3,603.60 (no revaluation on 2025-01-01)
        (D(2025, 12, 31), 3620, 3603.60),  # above 2 SMIC: 90 % = 3,258, never below 2 SMIC
        # décret 2025-1228: 1,823.03 EUR from 2026-01-01, 2 SMIC = 3,646.06
        (D(2026, 1, 1), 3620, 3620.0),  # under 2 SMIC: 100 %
        (D(2026, 1, 1), 3700, 3646.06),  # 90 % = 3,330: the floor of 2 SMIC
        (D(2026, 1, 1), 5000, 4500.0),
    ],
)
def test_ptp_pay_with_the_2026_smic(python_engine, day, salary, expected):
    entry = ptp_pay(python_engine, salary, day)
    assert entry.monthly == expected


def test_ptp_pay_is_paid_by_the_employer_in_every_firm(python_engine):
    entry = ptp_pay(python_engine, 3000, D(2024, 6, 3))
    assert entry.payer.startswith("l'employeur, dans toutes les entreprises depuis le 01/01/2020")
    assert "Transitions Pro directement" not in entry.payer


def test_poei_widened_and_afpr_ended_on_2024_06_21():
    catalog = load_catalog(RULESETS)
    poei, afpr = catalog.funders["poei"], catalog.funders["afpr"]
    assert poei.version_at(D(2024, 6, 20)).label == "2024-france-travail"
    assert poei.version_at(D(2024, 6, 21)).label == "2024-06-poei-elargie"
    assert afpr.version_at(D(2024, 6, 20)) is not None and afpr.version_at(D(2024, 6, 21)) is None


def test_entretien_de_parcours_professionnel_from_2025_10_26():
    plan = load_catalog(RULESETS).funders["plan_employeur"]
    assert "entretien professionnel (tous les 2 ans" in plan.version_at(D(2025, 10, 25)).advice
    assert "entretien de parcours professionnel" in plan.version_at(D(2025, 10, 26)).advice


def test_france_vae_is_not_said_decided_by_a_gip_that_did_not_exist():
    funder = load_catalog(RULESETS).funders["france_vae"]
    for text in (funder.decided_by, funder.version_at(D(2024, 6, 3)).decided_by):
        assert text.startswith("L'État (service public France VAE") and "pas créé" in text


# --- staleness made visible ---------------------------------------------------------------------------


def test_revaluation_days():
    april = Revaluation(4, 1, D(2023, 4, 1), None, Source("s", "source"))
    assert april.last_day(D(2023, 3, 31)) is None  # before the first revaluation
    assert april.last_day(D(2023, 4, 1)) == D(2023, 4, 1)
    assert april.last_day(D(2026, 3, 31)) == D(2025, 4, 1)
    assert april.last_day(D(2026, 12, 5)) == D(2026, 4, 1)
    ended = Revaluation(4, 1, D(2023, 4, 1), D(2024, 4, 1), Source("s", "source"))
    assert ended.last_day(D(2026, 12, 5)) == D(2024, 4, 1)
    leap = Revaluation(2, 29, D(2024, 2, 29), None, Source("s", "source"))
    assert leap.last_day(D(2025, 3, 1)) == D(2025, 2, 28)


def test_lint_lists_only_the_revaluations_no_source_gives():
    """Every indexed amount has its schedule; on 2026-12-05 the only overdue revaluation is the one no
    source read gives: the ARE-F floor of 2026-07-01 (the 2026-04-01 scales and the CEJ lines of
    2023-04-01 are encoded, computed from a coefficient: see test_revaluations_2026)."""
    lines = overdue_revaluations(load_catalog(RULESETS), D(2026, 12, 5))
    found = {(line.split(" : ", 1)[1].split(" (")[0], line.rsplit("— ", 1)[1].split(" :")[0]) for line in lines}
    assert found == {("aref version 2024, plancher_journalier", "01/07/2026")}


def test_every_indexed_amount_declares_its_schedule():
    catalog = load_catalog(RULESETS)
    indexed = {
        ("maintien_ptp", "smic_mensuel"),
        ("maintien_cif", "smic_mensuel"),
        ("aref", "plancher_journalier"),
        ("rff", "plafond_mensuel"),
        ("allocation_cej", "montant_majeur_non_imposable"),
        ("rfpe", "montant_plus_26"),
        ("remuneration_stagiaire_region", "montant_plus_26"),
        ("remuneration_stagiaire_etat", "montant_moins_18"),
    }
    for funder_id, name in indexed:
        latest = catalog.funders[funder_id].versions[-1]
        assert latest.parameters[name].revalued is not None, (funder_id, name)


def test_revaluation_rule_is_checked_at_load(ruleset_dir):
    ruleset_dir.edit(
        "rff/2024-01-01.yaml", "      source: r6341_24_8\n      note:", "      source: inconnue\n      note:"
    )
    with pytest.raises(InputError) as err:
        load_catalog(ruleset_dir.root)
    assert "source inconnue « inconnue »" in str(err.value) and "2024-01-01.yaml" in str(err.value)
    ruleset_dir.edit(
        "rff/2024-01-01.yaml", "      source: inconnue\n      note:", "      source: r6341_24_8\n      note:"
    )
    ruleset_dir.edit("rff/2024-01-01.yaml", "rule: yearly on 04-01", "rule: tous les ans")
    with pytest.raises(InputError) as err:
        load_catalog(ruleset_dir.root)
    assert "revalued" in str(err.value)


def test_rulesets_show_marks_unverified_dates_and_unencoded_revaluations():
    from fundrules.rulesets.describe import list_rulesets, show_ruleset

    catalog = load_catalog(RULESETS)
    reconversion = show_ruleset(catalog, "periode_reconversion", D(2026, 3, 2))
    assert "Version 2026 depuis le 01/01/2026 (début le 01/01/2026 à confirmer)" in reconversion
    assert "(début le 01/01/2026 à confirmer)" in list_rulesets(catalog)
    rff_2025 = show_ruleset(catalog, "rff", D(2025, 6, 2))
    assert "  plafond_mensuel : 769,49 EUR/mois (à confirmer) — revalorisé chaque année le 01/04" in rff_2025
    rff_2027 = show_ruleset(catalog, "rff", D(2027, 6, 2))
    assert (
        "  plafond_mensuel : à confirmer : revalorisation du 01/04/2027 non encodée (dernier montant 776,42 EUR/mois "
        "au 01/04/2026)"
    ) in rff_2027


# --- CFF: residents of the DROM-COM (Unédic CFF fiche, review rows 19 and 29) ------------------------------------


@pytest.mark.parametrize("outre_mer,status", [(False, "eligible"), (True, "blocked"), (None, "a_verifier")])
def test_cff_excludes_residents_outre_mer(python_engine, outre_mer, status):
    """« Ne sont pas concernés … les demandeurs d'emploi résidant dans les départements et régions d'outre-mer et
    collectivités d'outre-mer » (their duration is not reduced by 25 %); unknown residence: to check."""
    data = indemnified_until_june_2024(metier_en_tension=True)
    if outre_mer is None:
        del data["beneficiaire"]["residence_outre_mer"]
    else:
        data["beneficiaire"]["residence_outre_mer"] = outre_mer
    result = python_engine.evaluate(case_from_data(data)).result("cff")
    assert result.status == status
    if status == "blocked":
        assert [b.criterion for b in result.blockers] == ["hors_outre_mer"]
        assert "outre-mer" in result.blockers[0].message
    if status == "a_verifier":
        assert result.missing_facts == ("beneficiaire.residence_outre_mer",)
    # the income chain: CFF after the ARE-Formation only where the person lives in metropolitan France
    chain = {e.id: e.status for e in python_engine.plan(case_from_data(data)).income}
    assert chain.get("cff") == (None if status == "blocked" else status)


# --- CPF 2025-2026: VAE on France VAE (décret 2025-663), bilans (décret 2026-126) --------------------------------


def cpf_employee(type_action, **projet):
    """A private-sector employee with 3,000 EUR of CPF rights buying an action of 1,200 EUR."""
    return {
        "date_demande": "2025-06-02",
        "operateur": "apec",
        "region": "24",
        "beneficiaire": {
            "statut": "salarie",
            "contrat": "cdi",
            "secteur_public": False,
            "inscrit_pole_emploi": False,
            "solde_cpf_euros": 3000,
        },
        "projet": {"type_action": type_action, "eligible_cpf": True, "cout_pedagogique": 1200, **projet},
    }


def cpf_blockers(engine, data, day):
    result = engine.evaluate(case_from_data(data), as_of=day).result("cpf")
    return result.status, sorted(b.criterion for b in result.blockers)


def test_vae_needs_registration_on_france_vae_from_2025_08_01(python_engine):
    """D6323-7 (décret 2025-663, JO of 2025-07-19, in force 2025-08-01): the holder registers on France VAE
    first when the certification is offered there; otherwise nothing changes."""
    unregistered = cpf_employee("vae", certification_sur_france_vae=True, inscription_france_vae=False)
    assert cpf_blockers(python_engine, unregistered, D(2025, 7, 31)) == ("eligible", [])
    assert cpf_blockers(python_engine, unregistered, D(2025, 8, 1)) == ("blocked", ["vae_inscription_france_vae"])
    registered = cpf_employee("vae", certification_sur_france_vae=True, inscription_france_vae=True)
    assert cpf_blockers(python_engine, registered, D(2025, 8, 1)) == ("eligible", [])
    not_offered = cpf_employee("vae", certification_sur_france_vae=False)
    assert cpf_blockers(python_engine, not_offered, D(2025, 8, 1)) == ("eligible", [])
    unknown = python_engine.evaluate(case_from_data(cpf_employee("vae")), as_of=D(2025, 8, 1)).result("cpf")
    assert unknown.status == "a_verifier" and "projet.certification_sur_france_vae" in unknown.missing_facts
    blocked = python_engine.evaluate(case_from_data(unregistered), as_of=D(2025, 8, 1)).result("cpf")
    assert blocked.blockers[0].unlock == "inscription de la personne sur le portail France VAE"
    assert not blocked.blockers[0].verified  # presentations of the décret only: « à confirmer »


@pytest.mark.parametrize(
    "projet,beneficiaire,blockers",
    [
        ({"duree_heures": 18}, {"bilan_competences_5_ans": True}, ["bilan_carence_5_ans"]),
        ({"duree_heures": 12}, {"bilan_competences_5_ans": False}, ["bilan_duree_minimale"]),
        ({"duree_heures": 13}, {"bilan_competences_5_ans": False}, []),
    ],
)
def test_bilan_rules_of_decree_2026_126(python_engine, projet, beneficiaire, blockers):
    """Décret 2026-126 (JO of 2026-02-25): no CPF bilan within 5 years of a funded one, at least 13 hours of
    effective accompaniment (R6313-4); neither applies the day before, 2026-02-25."""
    data = cpf_employee("bilan_competences", **projet)
    data["beneficiaire"].update(beneficiaire)
    assert cpf_blockers(python_engine, data, D(2026, 2, 25)) == ("eligible", [])
    assert cpf_blockers(python_engine, data, D(2026, 2, 26)) == ("blocked" if blockers else "eligible", blockers)


# --- the CPF participation in plans past its revaluation day (décret 2024-394: revalued every 1 January) ---------


def test_plan_cpf_participation_on_2026_12_31_and_2027_01_01(python_engine):
    """Arrêté of 30/12/2025: 103.20 EUR for 2026; no value encoded for 2027-01-01: the plan says so instead
    of charging 103.20 EUR again."""
    data = cpf_employee("certification_rncp", duree_heures=70)
    step = next(s for s in python_engine.plan(data, as_of=D(2026, 12, 31)).plans[0].steps if s.funder == "cpf")
    assert (step.amount, step.holder_share, step.holder_share_note) == (1096.8, 103.2, None)

    plan = python_engine.plan(data, as_of=D(2027, 1, 1))
    step = next(s for s in plan.plans[0].steps if s.funder == "cpf")
    assert step.holder_share is None and step.amount is None
    assert step.holder_share_note.startswith("à confirmer : revalorisation du 01/01/2027 non encodée")
    assert "103,2" in step.holder_share_note and "01/01/2026" in step.holder_share_note  # the last value encoded
    assert plan.plans[0].holder_pays == 0 and plan.plans[0].covers_cost is None
    text = render_plan_text(plan, width=200)
    assert "revalorisation du 01/01/2027 non encodée" in text
    assert "participation de la personne : 103,2 EUR" not in text
    # a registered job seeker is exempt (decree 2024-394): nothing to confirm
    exempt = cpf_employee("certification_rncp", duree_heures=70)
    exempt["beneficiaire"].update(statut="demandeur_emploi", inscrit_pole_emploi=True, contrat="aucun")
    steps = [s for p in python_engine.plan(exempt, as_of=D(2027, 1, 1)).plans for s in p.steps if s.funder == "cpf"]
    assert steps and all((s.amount, s.holder_share, s.holder_share_note) == (1200.0, None, None) for s in steps)


@pytest.mark.parametrize("backend", ["python", "durable"])
def test_a_text_showing_an_amount_past_its_revaluation_says_it_is_last_years(backend):
    """The CPF notice shows the participation (arrêté of 30/12/2025: 103.20 EUR for 2026, revalued every
    1 January, décret 2024-394): on 2026-12-31 the figure, on 2027-01-01 the same figure said to be
    unconfirmed, never last year's figure as if it were this year's."""
    from fundrules import Engine

    if backend == "durable":
        pytest.importorskip("durable")
    engine = Engine(RULESETS, backend=backend)
    data = cpf_employee("certification_rncp", duree_heures=70)

    def notice(day):
        (text,) = [n for n in engine.evaluate(case_from_data(data), as_of=day).result("cpf").notices if "103,2" in n]
        return text

    assert "103,2 EUR à la charge du titulaire" in notice(D(2026, 12, 31))
    assert "non encodée" not in notice(D(2026, 12, 31))
    assert "103,2 (à confirmer : revalorisation du 01/01/2027 non encodée) EUR" in notice(D(2027, 1, 1))
    assert "revalorisation du 01/01/2028 non encodée" in notice(D(2028, 3, 1))
