"""Income during training (issue 14): dated amounts the day before / the day of each change, the
chain ARE-Formation -> CFF / RFF, `aucune` with what would open an income, démission-reconversion
and the Mission locale, the CSP and young people's schemes. Expected values come from the sources
cited in the rulesets (décrets 2021-522 and 2021-672, Unédic CFF fiche, travail-emploi.gouv.fr
PTP and CSP pages, L5422-1-1), never from the program's output."""

import datetime as dt

import pytest

from fundrules.case import case_from_data

D = dt.date


def job_seeker(day="2021-04-15", **beneficiaire):
    b = {
        "statut": "demandeur_emploi",
        "inscrit_pole_emploi": True,
        "allocation_chomage": "aucune",
        "age": 22,
        "boeth": False,
        "situation_familiale": "autre",
        "heures_salariees_12_mois": 0,
        "heures_salariees_24_mois": 0,
        "contrat": "aucun",
        "secteur_public": False,
    }
    b.update(beneficiaire)
    return {
        "date_demande": day,
        "operateur": "pole_emploi",
        "region": "24",
        "beneficiaire": b,
        "projet": {
            "type_action": "certification_rncp",
            "duree_mois": 8,
            "temps_plein": True,
            "date_debut": "2021-09-01",
            "date_fin": "2022-04-30",
            "valide_conseiller_pe": True,
            "agrement_remuneration": "france_travail",
            "formation_qualifiante": True,
        },
    }


def indemnified_until_june_2024(date_fin_contrat="2023-05-31", **projet):
    """A job seeker paid 40 EUR of ARE a day until 2024-06-15, for a 10-month course from 2024-03-01 to
    2024-12-20 (the ARE ends during the course); `projet` adds course facts."""
    data = job_seeker(
        "2024-01-10",
        allocation_chomage="are",
        are_journaliere=40,
        date_fin_droits_are="2024-06-15",
        date_fin_contrat=date_fin_contrat,
        residence_outre_mer=False,  # the CFF excludes residents of the DROM-COM (Unédic CFF fiche)
    )
    data["projet"].update(date_debut="2024-03-01", date_fin="2024-12-20", duree_mois=10, **projet)
    return data


def nursing_trainee():
    """The study's nursing trainee in 2017: the Region pays the course; she is not registered, has no ARE, is
    not in a young people's programme, and the course is not approved for trainee pay."""
    data = job_seeker(
        "2017-03-01",
        inscrit_pole_emploi=False,
        statut="sans_activite",
        age=30,
        accompagnement_jeune="aucun",
        licenciement_economique=False,
    )
    data["projet"].update(agrement_remuneration="aucun", valide_conseiller_pe=False, hors_temps_travail=True)
    return data


def income(engine, data, day):
    return {e.id: e for e in engine.plan(case_from_data(data), as_of=day).income}


@pytest.mark.parametrize(
    "day,age,hours,expected",
    [
        # to 2021-04-30: 21-25 year-olds 339.35; former employees (910 h in 12 months) 652.02
        (D(2021, 4, 30), 22, 0, ("de_21_a_25", 339.35)),
        (D(2021, 4, 30), 22, 910, ("ancien_salarie", 652.02)),
        (D(2021, 4, 30), 19, 0, ("de_18_a_20", 310.39)),
        (D(2021, 4, 30), 17, 0, ("moins_18", 130.34)),
        (D(2021, 4, 30), 40, 0, ("plus_26", 401.09)),
        # décret 2021-522, from 2021-05-01: 18-25 500, under 18 200, 26+ 685
        (D(2021, 5, 1), 22, 0, ("de_18_a_25", 500)),
        (D(2021, 5, 1), 17, 0, ("moins_18", 200)),
        (D(2021, 5, 1), 40, 0, ("plus_26", 685)),
        # the former-employee rate for under-26 waits for décret 2021-672 (2021-06-01)
        (D(2021, 5, 31), 22, 910, ("de_18_a_25", 500)),
        (D(2021, 6, 1), 22, 910, ("jeune_ancien_salarie", 685)),
        (D(2021, 6, 1), 22, 909, ("de_18_a_25", 500)),
    ],
)
def test_trainee_scale_by_date(python_engine, day, age, hours, expected):
    entry = income(python_engine, job_seeker(str(day), age=age, heures_salariees_12_mois=hours), day)["rfpe"]
    assert entry.status == "eligible"
    assert (entry.route, entry.monthly) == expected
    assert entry.start == D(2021, 9, 1) and entry.end == D(2022, 4, 30)


def test_single_parent_gets_685_from_may_2021(python_engine):
    data = job_seeker(age=22, situation_familiale="parent_isole")
    assert income(python_engine, data, D(2021, 5, 1))["rfpe"].monthly == 685
    assert income(python_engine, data, D(2021, 4, 30))["rfpe"].monthly == 652.02


def test_state_programme_pay_starts_on_2021_05_01(python_engine):
    data = job_seeker(age=20)
    data["projet"]["agrement_remuneration"] = "etat"
    before = python_engine.evaluate(case_from_data(data), as_of=D(2021, 4, 30)).result("remuneration_stagiaire_etat")
    on = income(python_engine, data, D(2021, 5, 1))["remuneration_stagiaire_etat"]
    assert before.status == "not_in_force"
    assert (on.status, on.monthly, on.payer) == ("eligible", 500, "État, paiement par l'ASP")


def test_indemnified_job_seeker_gets_no_trainee_pay_but_aref(python_engine):
    data = job_seeker(
        "2024-01-10",
        allocation_chomage="are",
        are_journaliere=15,
        date_fin_droits_are="2024-12-31",
        date_fin_contrat="2023-05-31",
    )
    data["projet"].update(date_debut="2024-03-01", date_fin="2024-10-31")
    got = income(python_engine, data, D(2024, 1, 10))
    assert "rfpe" not in got
    # ARE-Formation floor 22.61 EUR/day from 2023-07-01 (Unédic communiqué), 22.19 from 2023-04-01 (décret 2023-228)
    assert got["aref"].daily == 22.61 and got["aref"].end == D(2024, 10, 31)
    assert got["aref"].verified is True
    before = income(python_engine, data, D(2023, 6, 30))["aref"]
    assert before.daily == 22.19 and before.verified is True  # Centre Inffo on décret 2023-228 (re-read 2026-12)
    # 20.81 from 2018-07-01 (service-public.fr A12777), 20.67 the day before (EFL, 2017-07-01)
    assert income(python_engine, data, D(2018, 6, 30))["aref"].daily == 20.67
    assert income(python_engine, data, D(2018, 7, 1))["aref"].daily == 20.81


def test_chain_aref_then_cff_when_rights_end_during_a_qualifying_course(python_engine):
    data = indemnified_until_june_2024(metier_en_tension=True)
    chain = python_engine.plan(case_from_data(data)).income
    eligible = [(e.id, e.start, e.end) for e in chain if e.status == "eligible"]
    # Unédic: CFF for ends of contract from 2023-02-01; it comes first, the RFF is not added after it
    assert eligible == [("aref", D(2024, 3, 1), D(2024, 6, 15)), ("cff", D(2024, 6, 16), D(2024, 12, 20))]


def test_end_of_contract_before_february_2023_gives_rff_not_cff(python_engine):
    data = indemnified_until_june_2024("2023-01-31", metier_en_tension=True)
    chain = {e.id: e for e in python_engine.plan(case_from_data(data)).income}
    assert python_engine.evaluate(case_from_data(data)).result("cff").status == "blocked"
    # RFF: last daily ARE x 30 = 1,200, capped at 652.02 EUR per month (instruction 2011-90)
    assert (chain["rff"].status, chain["rff"].start, chain["rff"].monthly) == ("eligible", D(2024, 6, 16), 652.02)


def test_cff_not_in_force_the_day_before_2023_02_01(python_engine):
    data = job_seeker("2023-01-31")
    assert python_engine.evaluate(case_from_data(data)).result("cff").status == "not_in_force"
    assert python_engine.evaluate(case_from_data(data), as_of=D(2023, 2, 1)).result("cff").status != "not_in_force"


def test_nothing_applies_is_said_with_what_would_open_an_income(python_engine):
    data = nursing_trainee()
    chain = python_engine.plan(case_from_data(data)).income
    # 2017: the operator was Pôle emploi (France Travail from 2024-01-01, loi 2023-1196)
    assert [e.id for e in chain] == ["aucune"]
    assert "inscription à Pôle emploi avant l'entrée en formation" in chain[0].would_open
    assert "agrément de la session par la Région au titre de la rémunération" in chain[0].would_open


def test_income_schemes_never_become_funding_steps(python_engine):
    data = job_seeker("2022-01-10")
    plan = python_engine.plan(case_from_data(data))
    kinds = {r.funder: r.kind for r in python_engine.evaluate(case_from_data(data)).results}
    assert all(kinds[s.funder] == "course" for p in plan.plans for s in p.steps)
    assert [e.id for e in plan.income if e.status == "eligible"] == ["rfpe"]


def ptp_case(salary, day="2019-06-10"):
    return {
        "date_demande": day,
        "operateur": "fongecif",
        "region": "24",
        "beneficiaire": {
            "statut": "salarie",
            "contrat": "cdi",
            "secteur_public": False,
            "boeth": False,
            "salaire_moyen_reference": salary,
            "inscrit_pole_emploi": False,
        },
        "projet": {"hors_temps_travail": False, "date_debut": "2019-09-02", "date_fin": "2020-06-30"},
    }


@pytest.mark.parametrize(
    "salary,expected",
    [
        (3000, 3000.0),  # under 2 SMIC (2 x 1,521.22 = 3,042.44 in 2019): 100 %
        (3042.44, 3042.44),  # at 2 SMIC: still 100 %
        (4000, 3600.0),  # above: 90 % the first year
        (3200, 3042.44),  # 90 % would be 2,880: never below 2 SMIC
    ],
)
def test_ptp_pay_percentages(python_engine, salary, expected):
    ev = python_engine.evaluate(case_from_data(ptp_case(salary)))
    from fundrules.plan.income import income_chain

    chain = {
        e.id: e
        for e in income_chain(python_engine, ev, {"beneficiaire.salaire_moyen_reference": salary}, ["cpf_transition"])
    }
    assert chain["maintien_ptp"].monthly == expected


def test_ptp_pay_only_with_the_cpf_de_transition(python_engine):
    from fundrules.plan.income import income_chain

    ev = python_engine.evaluate(case_from_data(ptp_case(3000)))
    ids = [e.id for e in income_chain(python_engine, ev, {"beneficiaire.salaire_moyen_reference": 3000}, ["cpf"])]
    assert "maintien_ptp" not in ids


def test_cif_pay_ends_with_the_cif(python_engine):
    data = ptp_case(3000, "2018-12-31")
    assert python_engine.evaluate(case_from_data(data)).result("maintien_cif").status != "not_in_force"
    assert (
        python_engine.evaluate(case_from_data(data), as_of=D(2019, 1, 1)).result("maintien_cif").status
        == "not_in_force"
    )


def csp_case(day, **b):
    base = {
        "statut": "demandeur_emploi",
        "licenciement_economique": True,
        "effectif_entreprise": 40,
        "adhesion_csp": True,
        "anciennete_entreprise_mois": 30,
        "inscrit_pole_emploi": True,
    }
    base.update(b)
    return {"date_demande": day, "operateur": "apec", "region": "24", "beneficiaire": base, "projet": {}}


def test_csp_dates_and_size(python_engine):
    ok = python_engine.evaluate(case_from_data(csp_case("2026-12-31"))).result("asp_csp")
    assert ok.status == "eligible" and [r.route for r in ok.routes if r.status == "eligible"] == ["anciennete_12_mois"]
    assert python_engine.evaluate(case_from_data(csp_case("2027-01-01"))).result("asp_csp").status == "not_in_force"
    big = python_engine.evaluate(
        case_from_data(csp_case("2020-01-10", effectif_entreprise=1000, redressement_liquidation=False))
    ).result("asp_csp")
    assert [b.criterion for b in big.blockers] == ["entreprise_eligible"]


def test_young_people_schemes_hand_over_on_2022_03_01(python_engine):
    base = {
        "statut": "sans_activite",
        "age": 20,
        "soutien_financier_parents": False,
        "ressources_mensuelles": 0,
        "foyer_fiscal": "non_imposable",
        "rqth": False,
    }
    gj = {
        "date_demande": "2022-02-28",
        "operateur": "mission_locale",
        "beneficiaire": {**base, "accompagnement_jeune": "garantie_jeunes"},
        "projet": {},
    }
    cej = {
        "date_demande": "2022-03-01",
        "operateur": "mission_locale",
        "beneficiaire": {**base, "accompagnement_jeune": "cej"},
        "projet": {},
    }
    assert python_engine.evaluate(case_from_data(gj)).result("allocation_gj").status == "eligible"
    assert (
        python_engine.evaluate(case_from_data(gj), as_of=D(2022, 3, 1)).result("allocation_gj").status == "not_in_force"
    )
    assert (
        python_engine.evaluate(case_from_data(cej), as_of=D(2022, 2, 28)).result("allocation_cej").status
        == "not_in_force"
    )
    assert income(python_engine, cej, D(2022, 3, 1))["allocation_cej"].monthly == 500


def resigning(day="2021-03-10", operateur="apec", **b):
    base = {
        "statut": "salarie",
        "contrat": "cdi",
        "secteur_public": False,
        "jours_travailles_60_mois": 1500,
        "employeur_auto_assurance": False,
        "rupture_contrat": "demission",
        "date_demande_cep": "2021-01-05",
        "date_demission": "2021-02-01",
        "operateur_cep": "apec",
        "attestation_projet_reconversion": "obtenue",
        "date_attestation_projet": "2021-01-25",
        "date_inscription_pe": "2021-03-01",
    }
    base.update(b)
    return {"date_demande": day, "operateur": operateur, "region": "24", "beneficiaire": base, "projet": {}}


def test_demission_reconversion_from_2019_11_01(python_engine):
    before = python_engine.evaluate(case_from_data(resigning()), as_of=D(2019, 10, 31)).result("demission_reconversion")
    assert before.status == "not_in_force" and "n'ouvre pas droit à l'ARE" in before.message
    on = python_engine.evaluate(case_from_data(resigning()), as_of=D(2019, 11, 1)).result("demission_reconversion")
    assert on.status == "eligible" and on.kind == "income"


def test_cep_requested_after_resigning_blocks(python_engine):
    r = python_engine.evaluate(case_from_data(resigning(date_demande_cep="2021-02-01"))).result(
        "demission_reconversion"
    )
    assert [b.criterion for b in r.blockers] == ["cep_avant_demission"]


def test_mission_locale_counsellor_can_only_refer_on(python_engine):
    # A young employee in CDI who has not resigned yet, followed by a Mission locale.
    data = resigning(
        operateur="mission_locale",
        date_demission=None,
        operateur_cep=None,
        attestation_projet_reconversion="non_demandee",
    )
    data["beneficiaire"] = {k: v for k, v in data["beneficiaire"].items() if v is not None}
    r = python_engine.evaluate(case_from_data(data)).result("demission_reconversion")
    assert r.operator_can_mobilise is False
    assert any("L5422-1-1" in s and "Mission locale" in s for s in r.next_steps), r.next_steps
    cep_by_ml = python_engine.evaluate(case_from_data(resigning(operateur_cep="mission_locale"))).result(
        "demission_reconversion"
    )
    assert [b.criterion for b in cep_by_ml.blockers] == ["operateur_cep_habilite"]
    assert "Mission locale" in cep_by_ml.blockers[0].message


def test_both_backends_give_the_same_income(python_engine, durable_engine):
    data = indemnified_until_june_2024(metier_en_tension=True)
    for case in (data, resigning(), csp_case("2020-01-10"), job_seeker("2021-06-01", heures_salariees_12_mois=910)):
        python_plan, durable_plan = python_engine.plan(case_from_data(case)), durable_engine.plan(case_from_data(case))
        assert python_plan.model_dump(exclude={"provenance"}) == durable_plan.model_dump(exclude={"provenance"})


def test_are_based_income_shows_the_daily_are(python_engine):
    # Unédic: the CFF extends the ARE itself, so its amount is the person's daily ARE.
    data = indemnified_until_june_2024()
    chain = {e.id: e for e in python_engine.plan(case_from_data(data)).income}
    assert (chain["aref"].daily, chain["cff"].daily) == (40, 40)
    assert chain["aref"].verified and chain["cff"].verified  # the ARE itself, above the floor


def test_plan_text_says_plainly_that_nothing_applies(python_engine):
    from fundrules.report.plan import render_plan_text

    data = nursing_trainee()
    text = render_plan_text(python_engine.plan(case_from_data(data)))
    section = text.split("Ressources pendant la formation", 1)[1]
    assert "Aucune ressource identifiée" in section
    assert (
        "Ce qui ouvrirait une ressource : " in section and "inscription à Pôle emploi" in section
    )  # 2017: Pôle emploi


def test_income_field_and_pairing_are_checked_at_load(ruleset_dir):
    from fundrules import load_catalog
    from fundrules.errors import InputError

    ruleset_dir.edit("maintien_ptp/funder.yaml", "- cpf_transition", "- aref")
    with pytest.raises(InputError) as err:
        load_catalog(ruleset_dir.root)
    assert "paired_with" in str(err.value) and "aref" in str(err.value)
    ruleset_dir.edit("maintien_ptp/funder.yaml", "- aref", "- cpf_transition")
    ruleset_dir.edit("cif/funder.yaml", "kind: course", "kind: course\nincome: {payer: employeur}")
    with pytest.raises(InputError) as err:
        load_catalog(ruleset_dir.root)
    assert "income" in str(err.value)


def test_meeting_pack_and_replay_show_income_dead_ends(python_engine):
    # The study's dismissed person on sick leave cannot register: no ARE-Formation, no RFPE, and
    # her course is not approved for trainee pay: nothing to live on, nothing left to check.
    from fundrules.library import load_library_case
    from fundrules.library.replay import replay_case
    from fundrules.report.meeting import income_dead_ends, prepare_meeting, render_html, render_markdown
    from fundrules.report.replay import render_replay_text

    from .conftest import ROOT

    pack = prepare_meeting(python_engine, ROOT / "cases", "etude-territorialisee", "2017-T4")
    assert income_dead_ends(pack) == ["licenciee-en-arret-maladie"]
    assert "1 cas sans ressource identifiée : licenciee-en-arret-maladie" in render_markdown(pack)
    assert "Impasses de ressources pendant la formation" in render_html(pack)
    case = load_library_case(
        ROOT / "cases/etude-territorialisee/2017-T4/licenciee-en-arret-maladie.yaml", root=ROOT / "cases"
    )
    text = render_replay_text([replay_case(python_engine, case)], None)
    assert "Impasses de ressources pendant la formation (1 cas)" in text
    assert "inscription à Pôle emploi avant l'entrée en formation" in " ".join(text.split())


def test_income_facts_must_agree():
    from fundrules.errors import InputError

    data = job_seeker()
    data["projet"].update(date_debut="2021-09-01", date_fin="2021-08-31")
    with pytest.raises(InputError) as err:
        case_from_data(data)
    assert err.value.field == "projet.date_fin" and "avant sa date de début" in str(err.value)
    data = job_seeker(rupture_contrat="licenciement_economique", licenciement_economique=False)
    with pytest.raises(InputError) as err:
        case_from_data(data)
    assert err.value.field == "beneficiaire.rupture_contrat"
    case_from_data(job_seeker(rupture_contrat="licenciement_economique", licenciement_economique=True))
