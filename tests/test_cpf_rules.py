"""CPF rules by date, with expected answers written from the sources cited in rulesets/cpf/:
public agents (ordonnance 2017-53, décrets 2017-928 and 2019-1392), a job seeker's short balance
before and after Mon Compte Formation, the loi de finances pour 2026 on driving licences, and the
wording of who decides (Pôle emploi until 2023-12-31, France Travail from 2024-01-01)."""

import datetime as dt

import pytest

from fundrules.case import case_from_data

ONE_DAY = dt.timedelta(days=1)


def person(**beneficiaire):
    b = {
        "statut": "salarie",
        "contrat": "cdi",
        "secteur_public": False,
        "boeth": False,
        "inscrit_pole_emploi": False,
        "permis_valide": False,
    }
    b.update(beneficiaire)
    return b


def cpf(engine, day, beneficiaire=None, **projet):
    p = {
        "type_action": "certification_rncp",
        "eligible_cpf": True,
        "duree_heures": 400,
        "cout_pedagogique": 4000,
        "temps_plein": True,
        "duree_mois": 4,
        "date_debut": "2027-01-04",
    }
    p.update(projet)
    case = case_from_data(
        {
            "date_demande": "2016-01-04",
            "operateur": "mission_locale",
            "region": "24",
            "beneficiaire": beneficiaire or person(),
            "projet": p,
        }
    )
    return engine.evaluate(case, as_of=day).result("cpf")


def texts(result):
    """Every sentence a counsellor reads for this funder (not the source titles)."""
    parts = [result.decided_by or "", result.message or "", *result.next_steps, *result.notices]
    for b in result.blockers:
        parts += [b.message, b.required, b.unlock or ""]
    return " ".join(parts)


AGENT = person(statut="agent_public", contrat="aucun", secteur_public=True)


def test_public_agent_before_and_from_2017_01_01(python_engine):
    before = cpf(python_engine, dt.date(2016, 12, 31), AGENT)
    on = cpf(python_engine, dt.date(2017, 1, 1), AGENT)
    for result in (before, on):
        assert result.status == "blocked"
        assert [b.criterion for b in result.blockers] == ["hors_fonction_publique"]
    assert "n'existe qu'à partir du 01/01/2017" in before.blockers[0].message
    assert before.blockers[0].unlock is None
    assert "employeur public" in on.blockers[0].message and "heures" in on.blockers[0].message
    assert on.blockers[0].unlock == "accord écrit de l'employeur public (CPF des agents publics, en heures)"
    assert "employeur public" in on.decided_by


def test_public_agent_is_never_sent_to_mon_compte_formation_before_2019_11_21(python_engine):
    assert "Mon Compte Formation" not in texts(cpf(python_engine, dt.date(2019, 11, 20), AGENT))
    on = cpf(python_engine, dt.date(2019, 11, 21), AGENT)
    assert "pas d'achat direct sur Mon Compte Formation" in on.blockers[0].message
    assert "2019-1392" in on.blockers[0].message


def test_private_law_contract_of_a_public_employer_and_former_public_agents(python_engine):
    # DGCL: private-law contracts of public employers follow the public agents' regime
    assert cpf(python_engine, dt.date(2020, 3, 2), person(secteur_public=True)).status == "blocked"
    # a job seeker uses the common regime whatever their last employer
    seeker = person(
        statut="demandeur_emploi", contrat="aucun", secteur_public=True, inscrit_pole_emploi=True, solde_cpf_euros=5000
    )
    assert cpf(python_engine, dt.date(2020, 3, 2), seeker).status == "eligible"


def test_private_law_employee_of_a_public_employer_around_2017_01_01(python_engine):
    contract = person(secteur_public=True)
    before = cpf(python_engine, dt.date(2016, 12, 31), contract)
    on = cpf(python_engine, dt.date(2017, 1, 1), contract)
    assert [(b.criterion, b.verified) for b in before.blockers] == [("salarie_employeur_public", False)]
    assert [(b.criterion, b.verified) for b in on.blockers] == [("hors_fonction_publique", True)]


def test_cpf_de_transition_is_closed_to_public_agents(python_engine):
    case = case_from_data(
        {
            "date_demande": "2020-02-10",
            "operateur": "autre",
            "region": "24",
            "beneficiaire": {
                **AGENT,
                "contrat": "cdi",
                "anciennete_salariee_mois": 60,
                "anciennete_entreprise_mois": 60,
            },
            "projet": {
                "type_action": "certification_rncp",
                "positionnement_prealable": True,
                "temps_plein": True,
                "duree_mois": 6,
                "date_debut": "2020-09-07",
            },
        }
    )
    result = python_engine.evaluate(case).result("cpf_transition")
    assert result.status == "blocked"
    assert "salarie_droit_prive" in [b.criterion for b in result.blockers]


SEEKER = person(statut="demandeur_emploi", contrat="aucun", inscrit_pole_emploi=True, solde_cpf_euros=800)


def test_job_seeker_short_balance_is_a_dead_end_only_before_mon_compte_formation(python_engine):
    before = cpf(python_engine, dt.date(2019, 11, 20), SEEKER)
    assert before.status == "blocked"
    assert [b.criterion for b in before.blockers] == ["solde_ou_accord_pole_emploi"]
    assert before.blockers[0].unlock == "accord de Pôle emploi pour l'abondement du CPF"
    on = cpf(python_engine, dt.date(2019, 11, 21), SEEKER)
    assert on.status == "eligible" and on.blockers == ()
    assert any("payer lui-même le reste" in n for n in on.notices)


def test_pole_emploi_top_up_inside_the_service_from_2020_07_06(python_engine):
    before = " ".join(cpf(python_engine, dt.date(2020, 7, 5), SEEKER).notices)
    on = " ".join(cpf(python_engine, dt.date(2020, 7, 6), SEEKER).notices)
    assert "directement dans Mon Compte" not in before
    assert "abondement de Pôle emploi directement dans Mon Compte" in on
    assert "sans réponse dans le délai, la demande est acceptée" in on
    assert "Région, l'Agefiph ou l'employeur" in on


@pytest.mark.parametrize("beneficiaire", [SEEKER, AGENT, person(solde_cpf_euros=100)])
def test_pole_emploi_until_2023_12_31_france_travail_from_2024_01_01(python_engine, beneficiaire):
    before = texts(cpf(python_engine, dt.date(2023, 12, 31), beneficiaire))
    on = texts(cpf(python_engine, dt.date(2024, 1, 1), beneficiaire))
    assert "France Travail" not in before
    assert "Pôle emploi" not in on
    if beneficiaire is SEEKER:
        assert "Pôle emploi" in before and "France Travail" in on


@pytest.mark.parametrize("day", [dt.date(2015, 1, 1), dt.date(2017, 3, 15), dt.date(2019, 1, 1), dt.date(2019, 11, 20)])
@pytest.mark.parametrize("beneficiaire", [SEEKER, AGENT, person(solde_cpf_heures=10)])
def test_mon_compte_formation_is_never_named_before_2019_11_21(python_engine, day, beneficiaire):
    result = cpf(python_engine, day, beneficiaire, type_action="permis", categorie_permis="A")
    assert "Mon Compte Formation" not in result.model_dump_json()
    assert "moncompteformation" not in result.model_dump_json()


LICENCE_B = {"type_action": "permis", "categorie_permis": "B"}


def test_light_vehicle_licence_after_the_loi_de_finances_pour_2026(python_engine):
    employee = person()
    alone = {**LICENCE_B, "abondement_tiers": False}
    assert cpf(python_engine, dt.date(2026, 2, 20), employee, **alone).status == "eligible"
    on = cpf(python_engine, dt.date(2026, 2, 21), employee, **alone)
    assert on.status == "blocked"
    blocker = on.blockers[0]
    assert blocker.criterion == "permis_leger_demandeur_ou_tiers" and blocker.verified is False
    assert blocker.unlock.startswith("cofinancement du permis par un tiers")
    assert "permis_leger_demandeur_ou_tiers" in on.unverified_criteria
    # a job seeker, or a third party's co-funding, keeps the licence in the CPF
    seeker = person(statut="demandeur_emploi", contrat="aucun", inscrit_pole_emploi=True)
    assert cpf(python_engine, dt.date(2026, 2, 21), seeker, **LICENCE_B).status == "eligible"
    assert cpf(python_engine, dt.date(2026, 2, 21), employee, abondement_tiers=True, **LICENCE_B).status == "eligible"
    # heavy licences are not affected
    heavy = cpf(python_engine, dt.date(2026, 2, 21), employee, type_action="permis", categorie_permis="CE")
    assert heavy.status == "eligible"


def test_third_party_cofunding_unknown_is_asked_not_assumed(python_engine):
    result = cpf(python_engine, dt.date(2026, 3, 2), person(), **LICENCE_B)
    assert result.status == "a_verifier"
    assert "projet.abondement_tiers" in result.missing_facts


def test_caps_from_2026_02_26(python_engine):
    employee = person(solde_cpf_euros=5000)

    def caps(day, **projet):
        notices = cpf(python_engine, day, employee, **projet).notices
        return [n for n in notices if "décret 2026-127" in n]

    assert caps(dt.date(2026, 2, 25), type_action="bilan_competences", cout_pedagogique=2000) == []
    [bilan] = caps(dt.date(2026, 2, 26), type_action="bilan_competences", cout_pedagogique=2000)
    assert "1\u202f600 EUR au plus" in bilan  # French thousands separator (narrow no-break space)
    assert caps(dt.date(2026, 2, 26), type_action="certification_rs", cout_pedagogique=1500) == []
    [rs] = caps(dt.date(2026, 2, 26), type_action="certification_rs", cout_pedagogique=1500.5)
    assert "1\u202f500 EUR au plus" in rs
    seeker = person(statut="demandeur_emploi", contrat="aucun", inscrit_pole_emploi=True, solde_cpf_euros=5000)
    notices = cpf(python_engine, dt.date(2026, 2, 26), seeker, cout_pedagogique=1200, **LICENCE_B).notices
    assert any("900 EUR au plus" in n for n in notices)


def test_plan_leaves_the_2026_participation_to_the_holder(python_engine):
    # arrêté of 2024-12-26: 102.23 EUR in 2025; arrêté of 2025-12-30: 103.20 EUR from 2026-01-01
    data = {
        "date_demande": "2025-12-01",
        "operateur": "autre",
        "region": "24",
        "beneficiaire": person(solde_cpf_euros=1500),
        "projet": {
            "type_action": "certification_rncp",
            "duree_heures": 70,
            "duree_mois": 1,
            "temps_plein": False,
            "date_debut": "2026-03-02",
            "cout_pedagogique": 1200,
            "session_achetee_region": False,
            "positionnement_prealable": False,
        },
    }
    for day, share in [(dt.date(2025, 12, 31), 102.23), (dt.date(2026, 1, 1), 103.2)]:
        step = next(s for s in python_engine.plan(data, as_of=day).plans[0].steps if s.funder == "cpf")
        assert (step.amount, step.holder_share) == (round(1200 - share, 2), share), day


def test_hours_convert_at_15_eur_citing_decret_2018_1153(python_engine):
    case = case_from_data({"date_demande": "2019-03-04", "beneficiaire": {"solde_cpf_heures": 60}})
    evaluation = python_engine.evaluate(case)
    [derived] = [d for d in evaluation.derived_facts if d.fact == "beneficiaire.solde_cpf_euros"]
    assert derived.value == 900.0 and "2018-1153" in derived.explanation


@pytest.mark.parametrize(
    "day",
    [
        dt.date(2016, 12, 31),
        dt.date(2017, 1, 1),
        dt.date(2019, 11, 20),
        dt.date(2019, 11, 21),
        dt.date(2020, 7, 6),
        dt.date(2024, 1, 1),
        dt.date(2026, 2, 20),
        dt.date(2026, 2, 21),
        dt.date(2026, 2, 26),
    ],
)
@pytest.mark.parametrize(
    "beneficiaire, projet",
    [
        (AGENT, {}),
        (SEEKER, {}),
        (person(), LICENCE_B),
        (person(), {**LICENCE_B, "abondement_tiers": False}),
        (person(solde_cpf_euros=5000), {"type_action": "bilan_competences", "cout_pedagogique": 2000}),
    ],
)
def test_both_backends_agree_on_the_dated_cpf_rules(python_engine, durable_engine, day, beneficiaire, projet):
    assert (
        cpf(python_engine, day, beneficiaire, **projet).model_dump_json()
        == cpf(durable_engine, day, beneficiaire, **projet).model_dump_json()
    )
