"""Re-read of the employer routes, POE and VAE funders against their sources (issue 21, review of 2026-12:
docs/review-2026-12/employer-routes-poe-vae.md). Expected values are written from the sources named there,
the day before and the day of each dated change."""

import datetime as dt

from fundrules.case import case_from_data

EA_WORKER = {
    # a disabled worker employed by an entreprise adaptée, not registered as a job seeker
    "date_demande": "2023-12-01",
    "operateur": "cap_emploi",
    "region": "24",
    "beneficiaire": {
        "statut": "salarie",
        "inscrit_pole_emploi": False,
        "contrat": "cdi",
        "secteur_public": False,
        "entreprise_adaptee": True,
    },
    "projet": {
        "type_action": "non_certifiante",
        "duree_heures": 200,
        "offre_deposee_france_travail": True,
        "contrat_vise": "cdi",
        "duree_contrat_vise_mois": 0,
        "action_poec": False,
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
        "type_action": "non_certifiante",
        "duree_heures": 300,
        "offre_deposee_france_travail": True,
        "contrat_vise": "cdd",
        "duree_contrat_vise_mois": 8,
        "action_poec": True,
    },
}


def result(engine, data, day, funder):
    return engine.evaluate(case_from_data(data), as_of=day).result(funder)


def promised(contract, months):
    projet = {**JOB_SEEKER["projet"], "contrat_vise": contract, "duree_contrat_vise_mois": months}
    return {**JOB_SEEKER, "projet": projet}


def blockers(res):
    return sorted(b.criterion for b in res.blockers)


def test_poei_opens_to_entreprise_adaptee_workers_on_2024_01_01(python_engine):
    # L6326-1 as amended by loi 2023-1196 art. 8: "ces dispositions entrent en vigueur le 1er janvier 2024" (Légifrance)
    before = result(python_engine, EA_WORKER, dt.date(2023, 12, 31), "poei")
    assert "demandeur_inscrit" in blockers(before) or before.in_scope is False
    on = result(python_engine, EA_WORKER, dt.date(2024, 1, 1), "poei")
    assert on.status == "eligible" and "demandeur_inscrit" not in on.unverified_criteria


def test_afpr_cdd_of_more_than_six_months_or_professionalisation_contract(python_engine):
    # Pôle emploi's AFPR page (2014): "CDD de plus de six mois à moins de douze mois, contrat de professionnalisation
    # à durée déterminée"; Défi métiers (2016): professionalisation contract of 6 to under 12 months
    day = dt.date(2016, 1, 4)
    six = result(python_engine, promised("cdd", 6), day, "afpr")
    assert "contrat_vise" in blockers(six) or six.in_scope is False
    assert result(python_engine, promised("cdd", 7), day, "afpr").status == "eligible"
    pro = result(python_engine, promised("professionnalisation", 8), day, "afpr")
    assert pro.status == "eligible" and "contrat_vise" not in pro.unverified_criteria
    # the same promise is below the 12 months of the POEI before 2024 (old L6326-1)
    poei = result(python_engine, promised("professionnalisation", 8), day, "poei")
    assert "contrat_vise" in blockers(poei) or poei.in_scope is False


def test_poec_rules_read_in_centre_inffo_and_cap_metiers(python_engine):
    for day in (dt.date(2016, 1, 4), dt.date(2019, 4, 1), dt.date(2024, 1, 1)):
        poec = result(python_engine, JOB_SEEKER, day, "poec")
        assert poec.status == "eligible"
        assert not {"demandeur_inscrit", "session_poec", "duree_maximale"} & set(poec.unverified_criteria)
    too_long = {**JOB_SEEKER, "projet": {**JOB_SEEKER["projet"], "duree_heures": 401}}
    assert blockers(result(python_engine, too_long, dt.date(2024, 1, 1), "poec")) == ["duree_maximale"]


def test_widened_poei_lasts_up_to_450_hours_unconfirmed(python_engine):
    # 400 h before the renewed POEI (C2RP, Pôle emploi); 450 h in the general case from 2024-06-21 (délibération
    # n° 2024-29 as quoted by the GIP FTLV de Bourgogne; the délibération's article itself not read: "à confirmer")
    long = {**promised("cdd", 6), "projet": {**promised("cdd", 6)["projet"], "duree_heures": 450}}
    before = result(python_engine, long, dt.date(2024, 6, 20), "poei")
    assert "duree_maximale" in blockers(before) and "duree_maximale" not in before.unverified_criteria
    on = result(python_engine, long, dt.date(2024, 6, 21), "poei")
    assert on.status == "eligible" and "duree_maximale" in on.unverified_criteria
    longer = {**long, "projet": {**long["projet"], "duree_heures": 451}}
    assert "duree_maximale" in blockers(result(python_engine, longer, dt.date(2024, 6, 21), "poei"))


def test_opca_plan_funds_below_300_staff_are_confirmed(python_engine):
    employee = {
        "date_demande": "2016-01-04",
        "operateur": "apec",
        "region": "24",
        "beneficiaire": {"statut": "salarie", "contrat": "cdi", "secteur_public": False, "accord_employeur": True},
        "projet": {"type_action": "certification_rncp", "duree_heures": 100},
    }
    small = {**employee, "beneficiaire": {**employee["beneficiaire"], "effectif_entreprise": 299}}
    large = {**employee, "beneficiaire": {**employee["beneficiaire"], "effectif_entreprise": 300}}
    ok = result(python_engine, small, dt.date(2018, 12, 31), "opco_pme")
    assert ok.status == "eligible" and "petite_entreprise" not in ok.unverified_criteria
    assert result(python_engine, large, dt.date(2018, 12, 31), "opco_pme").in_scope is False


def test_vae_aid_admissibility_condition_is_unconfirmed(python_engine):
    vae = {
        **JOB_SEEKER,
        "beneficiaire": {**JOB_SEEKER["beneficiaire"], "experience_mois_certification": 40},
        "projet": {**JOB_SEEKER["projet"], "type_action": "vae", "recevabilite_vae": False},
    }
    res = result(python_engine, vae, dt.date(2016, 1, 4), "aide_vae_france_travail")
    assert blockers(res) == ["recevabilite"] and res.blockers[0].verified is False
