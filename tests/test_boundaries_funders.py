"""The new course funders (issue 15), the day before and the day of each dated change. Expected
values come from the sources cited in the rulesets (dates marked unverified there are flagged here)."""

import datetime as dt

import pytest

from fundrules.case import case_from_data

ONE_DAY = dt.timedelta(days=1)

EMPLOYEE = {
    "date_demande": "2016-01-04",
    "operateur": "apec",
    "region": "24",
    "beneficiaire": {
        "statut": "salarie",
        "contrat": "cdi",
        "secteur_public": False,
        "accord_employeur": True,
        "effectif_entreprise": 100,
        "niveau_qualification": 4,
        "inscrit_pole_emploi": False,
    },
    "projet": {
        "type_action": "certification_rncp",
        "duree_heures": 300,
        "hors_temps_travail": False,
        "certification_liste_pro_a": False,
        "type_reconversion": "interne",
    },
}

JOB_SEEKER = {
    "date_demande": "2016-01-04",
    "operateur": "mission_locale",
    "region": "24",
    "beneficiaire": {
        "statut": "demandeur_emploi",
        "inscrit_pole_emploi": True,
        "contrat": "aucun",
        "secteur_public": False,
        "entreprise_adaptee": False,
    },
    "projet": {
        "type_action": "certification_rncp",
        "duree_heures": 300,
        "offre_deposee_france_travail": True,
        "contrat_vise": "cdd",
        "duree_contrat_vise_mois": 8,
        "action_poec": False,
    },
}


def with_(data, **sections):
    out = {**data}
    for section, values in sections.items():
        out[section] = {**data[section], **values} if isinstance(values, dict) else values
    return out


def result(engine, data, day, funder):
    return engine.evaluate(case_from_data(data), as_of=day).result(funder)


def blockers(res):
    return sorted(b.criterion for b in res.blockers)


BOUNDARIES = [
    # (date of change, case, funder, field, value the day before, value on the day)
    (
        dt.date(2019, 1, 1),
        EMPLOYEE,
        "plan_employeur",
        "ruleset_version",
        "2015-plan-de-formation",
        "2019-plan-de-developpement",
    ),
    (
        dt.date(2025, 10, 26),  # loi 2025-989 art. 3 (C2RP): entretien de parcours professionnel from 2025-10-26
        EMPLOYEE,
        "plan_employeur",
        "ruleset_version",
        "2024-plan-de-developpement",
        "2025-10-entretien-de-parcours",
    ),
    # 100 staff: below 300 (OPCA, 2015-2018), not below 50 (from 2019)
    (dt.date(2019, 1, 1), EMPLOYEE, "opco_pme", "status", "eligible", "blocked"),
    (
        dt.date(2019, 4, 1),
        EMPLOYEE,
        "opco_pme",
        "decided_by",
        "L'OPCA agissant comme opérateur de compétences provisoire, sur demande de l'employeur",
        "L'OPCO de la branche, sur demande de l'employeur",
    ),
    (dt.date(2019, 1, 1), EMPLOYEE, "periode_professionnalisation", "status", "eligible", "not_in_force"),
    (dt.date(2019, 1, 1), EMPLOYEE, "pro_a", "status", "not_in_force", "eligible"),
    # the branch list is required from the day after the ordonnance of 21 August 2019 (day unverified)
    (dt.date(2019, 8, 23), EMPLOYEE, "pro_a", "status", "eligible", "blocked"),
    (dt.date(2026, 1, 1), EMPLOYEE, "periode_reconversion", "status", "not_in_force", "eligible"),
    # a CDD of 8 months: AFPR before the décret n° 2024-561 (JORF of 2024-06-20, in force the next day), POEI after
    (dt.date(2024, 6, 21), JOB_SEEKER, "poei", "status", "blocked", "eligible"),
    (dt.date(2024, 6, 21), JOB_SEEKER, "afpr", "status", "eligible", "not_in_force"),
    (
        dt.date(2024, 1, 1),
        JOB_SEEKER,
        "poei",
        "decided_by",
        "Pôle emploi, avec l'employeur qui recrute",
        "France Travail (ex-Pôle emploi), avec l'employeur qui recrute",
    ),
    (
        dt.date(2024, 1, 1),
        JOB_SEEKER,
        "afpr",
        "decided_by",
        "Pôle emploi, avec l'employeur qui recrute",
        "France Travail, avec l'employeur qui recrute",
    ),
    (
        dt.date(2019, 4, 1),
        JOB_SEEKER,
        "poec",
        "decided_by",
        "L'OPCA de la branche, avec Pôle emploi",
        "L'OPCO de la branche, avec Pôle emploi",
    ),
    (
        dt.date(2024, 1, 1),
        JOB_SEEKER,
        "poec",
        "decided_by",
        "L'OPCO de la branche, avec Pôle emploi",
        "L'OPCO de la branche, avec France Travail",
    ),
]


@pytest.mark.parametrize(
    "day, data, funder, name, before, on", BOUNDARIES, ids=[f"{b[0]}-{b[2]}-{b[3]}" for b in BOUNDARIES]
)
def test_dated_change(python_engine, day, data, funder, name, before, on):
    assert getattr(result(python_engine, data, day - ONE_DAY, funder), name) == before
    assert getattr(result(python_engine, data, day, funder), name) == on


def test_pro_a_avenants_signed_before_2026_run_on(python_engine):
    listed = with_(EMPLOYEE, projet={"certification_liste_pro_a": True, "date_avenant": "2025-12-15"})
    assert result(python_engine, listed, dt.date(2026, 3, 1), "pro_a").status == "eligible"
    late = with_(listed, projet={"date_avenant": "2026-01-05"})
    assert result(python_engine, late, dt.date(2025, 12, 31), "pro_a").status == "eligible"
    on = result(python_engine, late, dt.date(2026, 1, 1), "pro_a")
    assert on.status == "blocked" and blockers(on) == ["avenant_avant_2026"]
    # loi 2025-989 art. 11 (Lexia conseil, Artemis paie): confirmed in the 2026-12 re-read
    assert "avenant_avant_2026" not in on.unverified_criteria


def test_afpr_end_day_and_poei_widening_follow_the_jorf(python_engine):
    # décret 2024-561, JORF n° 0144 of 2024-06-20, in force the next day (Légifrance)
    poei = result(python_engine, JOB_SEEKER, dt.date(2024, 6, 21), "poei")
    # EA workers: L6326-1 as amended by loi 2023-1196, in force 2024-01-01 (Légifrance), confirmed in the re-read
    assert poei.status == "eligible" and "demandeur_inscrit" not in poei.unverified_criteria
    assert "depuis le 21/06/2024" in python_engine.catalog.funders["afpr"].replaced_by


VAE = with_(
    JOB_SEEKER,
    projet={"type_action": "vae", "recevabilite_vae": True},
    beneficiaire={"experience_mois_certification": 20},
)


def test_vae_experience_36_then_12_months_then_no_minimum(python_engine):
    # décret 2017-1135: 12 months from 2017-10-01 (36 before); loi 2022-1598 / décret 2023-1275: none from 2024
    before = result(python_engine, VAE, dt.date(2017, 9, 30), "aide_vae_france_travail")
    assert before.status == "blocked" and blockers(before) == ["experience_vae"]
    assert result(python_engine, VAE, dt.date(2017, 10, 1), "aide_vae_france_travail").status == "eligible"
    none = with_(VAE, beneficiaire={"experience_mois_certification": 2}, date_demande="2024-06-03")
    assert blockers(result(python_engine, none, dt.date(2023, 12, 31), "aide_vae_france_travail")) == ["experience_vae"]
    assert result(python_engine, none, dt.date(2024, 1, 1), "aide_vae_france_travail").status == "eligible"
    employee = with_(EMPLOYEE, projet={"type_action": "vae"}, beneficiaire={"experience_mois_certification": 2})
    assert blockers(result(python_engine, employee, dt.date(2023, 12, 31), "plan_employeur")) == ["experience_vae"]
    assert result(python_engine, employee, dt.date(2024, 1, 1), "plan_employeur").status == "eligible"


def test_vae_funders_by_date(python_engine):
    day = dt.date(2024, 1, 1)
    assert result(python_engine, VAE, day - ONE_DAY, "france_vae").status == "not_in_force"
    requested = with_(VAE, date_demande="2024-01-02")
    assert result(python_engine, requested, day, "france_vae").status == "eligible"
    # reported stops, not confirmed: blocked, and the output says "à confirmer"
    late = with_(VAE, date_demande="2024-10-01")
    stopped = result(python_engine, late, dt.date(2024, 10, 1), "france_vae")
    assert blockers(stopped) == ["financement_ouvert"] and stopped.blockers[0].verified is False
    assert (
        result(
            python_engine, with_(VAE, date_demande="2024-12-31"), dt.date(2024, 12, 31), "aide_vae_france_travail"
        ).status
        == "eligible"
    )
    ended = result(python_engine, with_(VAE, date_demande="2025-01-02"), dt.date(2025, 1, 2), "aide_vae_france_travail")
    assert blockers(ended) == ["aide_en_vigueur"] and ended.blockers[0].verified is False
