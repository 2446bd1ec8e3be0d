"""Expected results are written from the rules' sources (cited in the rulesets, summarised in docs/rules.md)."""

import datetime as dt
import json

import pytest

from fundrules import Engine, EvaluationError, load_case
from fundrules.case import case_from_data

from .conftest import EXAMPLES, ISSUE_15_COURSE_FUNDERS

# The course funders of issue 15 are checked on these examples in tests/test_funders_examples.py.
NEW_COURSE_FUNDERS = ISSUE_15_COURSE_FUNDERS


def statuses(evaluation):
    """Course funders only: income schemes (kind: income) are tested in test_income.py."""
    return {r.funder: r.status for r in evaluation.results if r.kind == "course" and r.funder not in NEW_COURSE_FUNDERS}


def base_cdi(**beneficiaire):
    """A CDI employee in 2017 who meets every CIF-CDI criterion (24/12 months, 120-day notice)."""
    b = {
        "statut": "salarie",
        "contrat": "cdi",
        "anciennete_salariee_mois": 60,
        "anciennete_entreprise_mois": 30,
        "secteur_public": False,
        "entreprise_artisanale": False,
    }
    b.update(beneficiaire)
    return {
        "date_demande": "2017-01-10",
        "operateur": "fongecif",
        "beneficiaire": b,
        "projet": {
            "type_action": "certification_rncp",
            "eligible_cpf": True,
            "temps_plein": True,
            "duree_mois": 10,
            "duree_heures": 1200,
            "date_debut": "2017-09-04",
        },
    }


def test_former_cdd_job_seeker_2018(python_engine):
    ev = python_engine.evaluate(load_case(EXAMPLES / "ancien-cdd-2018.yaml"))
    # CIF-CDD: 38 >= 24 months in 5 years, 9 >= 4 months of CDD, start 8 months after the CDD.
    # CPF: 62 h for 840 h, job seeker: Pôle emploi must agree. PTP: not before 2019. PRF (region
    # 24): encoded from 2019 only. Agefiph: BOETH unknown. AIF: PE validation and regional session unknown.
    assert statuses(ev) == {
        "cif": "eligible",
        "cpf": "blocked",
        "cpf_transition": "not_in_force",
        "prf": "a_verifier",
        "agefiph": "a_verifier",
        "aif": "a_verifier",
        "conge_bilan": "blocked",
    }
    assert ev.result("aif").missing_facts == ("projet.valide_conseiller_pe", "projet.session_achetee_region")
    assert ev.result("agefiph").missing_facts == ("beneficiaire.boeth",)
    assert "commission" in ev.result("aif").notices[0]  # 7,200 EUR > 3,200 EUR
    cif = ev.result("cif")
    assert {r.route: r.status for r in cif.routes} == {"cdi": "blocked", "cdd": "eligible", "interim": "blocked"}
    assert cif.operator_can_mobilise is False  # Apec cannot fund a CIF
    cpf = ev.result("cpf")
    assert [b.criterion for b in cpf.blockers] == ["solde_ou_accord_pole_emploi"]
    assert cpf.blockers[0].observed == {
        "beneficiaire.statut": "demandeur_emploi",
        "beneficiaire.solde_cpf_heures": 62,
        "projet.duree_heures": 840,
    }
    assert "Pôle emploi" in cpf.next_steps[0]


def test_young_person_without_work_history(python_engine):
    ev = python_engine.evaluate(load_case(EXAMPLES / "jeune-mission-locale-2017.yaml"))
    assert statuses(ev) == {
        "cif": "blocked",
        "cpf": "blocked",
        "cpf_transition": "not_in_force",
        "prf": "a_verifier",
        "agefiph": "a_verifier",
        "aif": "a_verifier",
        "conge_bilan": "blocked",
    }
    blockers = [b.criterion for b in ev.result("cif").blockers]
    # the CDI and temp-work routes are not for this person: only their gate is reported
    assert blockers == ["cdi.en_cdi", "cdd.mois_salarie_5_ans", "interim.contrat_interim"]


def test_after_2019_the_cif_is_replaced(python_engine):
    ev = python_engine.evaluate(load_case(EXAMPLES / "salarie-cdi-2019.yaml"))
    # PTP CDI route holds (150/64 months, 168 days' notice >= 120) but the positioning is unknown;
    # the regional plan of Centre-Val de Loire is for job seekers.
    assert statuses(ev) == {
        "cif": "not_in_force",
        "cpf": "eligible",
        "cpf_transition": "a_verifier",
        "prf": "blocked",
        "agefiph": "a_verifier",
        "aif": "a_verifier",
        "conge_bilan": "not_in_force",
    }
    assert ev.result("cpf_transition").missing_facts == ("projet.positionnement_prealable",)
    assert ev.result("cpf_transition").decided_by.startswith("Fongecif agissant comme")
    assert "CPF de transition professionnelle" in ev.result("cif").message
    assert ev.result("cpf").ruleset_version == "2019-euros"


def test_cif_version_is_keyed_on_the_request_date(python_engine):
    case = case_from_data(base_cdi())
    assert python_engine.evaluate(case, as_of=dt.date(2018, 12, 31)).result("cif").status == "eligible"
    assert python_engine.evaluate(case, as_of=dt.date(2019, 1, 1)).result("cif").status == "not_in_force"
    assert python_engine.evaluate(case, as_of=dt.date(2018, 10, 29)).result("cif").ruleset_version == "2015"
    assert python_engine.evaluate(case, as_of=dt.date(2018, 10, 30)).result("cif").ruleset_version == "2018-fin"


def test_before_coverage_is_a_verifier_not_a_false_not_in_force(python_engine):
    case = case_from_data(base_cdi())
    ev = python_engine.evaluate(case, as_of=dt.date(2014, 6, 1))
    assert ev.result("cif").status == "a_verifier" and "Aucune règle encodée" in ev.result("cif").message
    assert ev.result("cpf").status == "not_in_force" and "DIF" in ev.result("cpf").message


def test_cif_cdi_seniority_boundary(python_engine):
    assert python_engine.evaluate(base_cdi(anciennete_salariee_mois=24)).result("cif").status == "eligible"
    ev = python_engine.evaluate(base_cdi(anciennete_salariee_mois=23, licenciement_economique=False))
    cif = ev.result("cif")
    assert cif.status == "blocked"
    assert "cdi.anciennete_salariee" in [b.criterion for b in cif.blockers]
    assert cif.blockers[0].required.startswith("24 mois")


def test_unknown_fact_gives_a_verifier_with_the_fact_to_collect(python_engine):
    data = base_cdi()
    del data["beneficiaire"]["anciennete_entreprise_mois"]
    cif = python_engine.evaluate(data).result("cif")
    assert cif.status == "a_verifier"
    # the economic-dismissal waiver could also decide it: both facts are worth collecting
    assert cif.missing_facts == ("beneficiaire.licenciement_economique", "beneficiaire.anciennete_entreprise_mois")
    assert cif.pending[0].criterion == "cdi.anciennete_entreprise"


def test_false_and_unknown_is_false(python_engine):
    data = base_cdi(anciennete_salariee_mois=10, licenciement_economique=False)
    del data["beneficiaire"]["anciennete_entreprise_mois"]
    data["beneficiaire"]["contrat"] = "cdi"
    cif = python_engine.evaluate(data).result("cif")
    assert cif.status == "blocked"  # 10 months < 24: no missing fact can change that


def test_unverified_criterion_says_a_confirmer(python_engine):
    # Temp-worker hours in 2019: no 2019 text found (R6323-9-1 dates from 2020-01-01), so "à confirmer".
    data = {
        "date_demande": "2019-06-03",
        "operateur": "fongecif",
        "beneficiaire": {
            "statut": "salarie",
            "contrat": "interim",
            "heures_interim_18_mois": 1000,
            "heures_interim_agence": 700,
            "boeth": False,
            "licenciement_economique": False,
            "licenciement_inaptitude": False,
            "secteur_public": False,
        },
        "projet": {"type_action": "certification_rncp", "positionnement_prealable": True},
    }
    transition = python_engine.evaluate(data).result("cpf_transition")
    assert transition.status == "blocked"
    blocker = [b for b in transition.blockers if b.criterion == "interim.heures_18_mois"][0]
    assert blocker.verified is False and "à confirmer" in blocker.message
    assert "interim.heures_18_mois" in transition.unverified_criteria


def test_cif_artisan_threshold_settled_by_l6322_4(python_engine):
    # Old L6322-4: "entreprise artisanale de moins de dix salariés" — 36 months below 10 employees.
    nine = python_engine.evaluate(
        base_cdi(entreprise_artisanale=True, effectif_entreprise=9, anciennete_salariee_mois=30)
    ).result("cif")
    ten = python_engine.evaluate(
        base_cdi(entreprise_artisanale=True, effectif_entreprise=10, anciennete_salariee_mois=30)
    ).result("cif")
    blocker = [b for b in nine.blockers if b.criterion == "cdi.anciennete_artisanat"][0]
    assert blocker.verified is True and any(s.article == "L6322-4" for s in blocker.sources)
    assert "cdi.anciennete_artisanat" not in [b.criterion for b in ten.blockers]


def test_cpf_licence_b_became_eligible_on_2017_03_15(python_engine):
    data = {
        "date_demande": "2017-03-14",
        "beneficiaire": {"statut": "salarie", "secteur_public": False},
        "projet": {"type_action": "permis", "categorie_permis": "B", "eligible_cpf": False},
    }
    assert python_engine.evaluate(data).result("cpf").status == "blocked"
    data["date_demande"] = "2017-03-15"
    assert python_engine.evaluate(data).result("cpf").status == "eligible"


def test_missing_request_date_is_an_error_not_a_partial_answer(python_engine):
    with pytest.raises(EvaluationError, match="date_demande absente"):
        python_engine.evaluate({"beneficiaire": {"age": 30}})
    assert python_engine.evaluate({"beneficiaire": {"age": 30}}, as_of=dt.date(2018, 1, 1)).as_of == dt.date(2018, 1, 1)


def test_json_contract(python_engine):
    ev = python_engine.evaluate(load_case(EXAMPLES / "ancien-cdd-2018.yaml"))
    data = json.loads(ev.model_dump_json())
    assert set(data) >= {"as_of", "results"}
    for result in data["results"]:
        assert set(result) >= {
            "funder",
            "status",
            "ruleset_version",
            "blockers",
            "missing_facts",
            "next_steps",
            "decided_by",
        }
        for blocker in result["blockers"]:
            assert set(blocker) >= {"criterion", "message", "observed", "required"}
    assert data["as_of"] == "2018-03-12"


def test_unknown_backend_is_refused():
    from fundrules import InputError

    with pytest.raises(InputError, match="moteur inconnu"):
        Engine(backend="drools")


def test_hours_convert_to_euros_at_15_per_hour_from_2019(python_engine):
    data = {
        "date_demande": "2018-11-05",
        "beneficiaire": {"statut": "demandeur_emploi", "solde_cpf_heures": 100},
        "projet": {"type_action": "certification_rs", "duree_heures": 120, "cout_pedagogique": 1500},
    }
    before = python_engine.evaluate(data, as_of=dt.date(2018, 12, 31))
    assert before.result("cpf").status == "blocked"  # 100 h < 120 h
    assert [d.fact for d in before.derived_facts] == []
    after = python_engine.evaluate(data, as_of=dt.date(2019, 1, 1))
    assert after.result("cpf").status == "eligible"  # 100 h x 15 = 1,500 EUR >= 1,500 EUR
    assert [(d.fact, d.value) for d in after.derived_facts] == [("beneficiaire.solde_cpf_euros", 1500)]
    data["projet"]["cout_pedagogique"] = 1500.01
    assert python_engine.evaluate(data, as_of=dt.date(2019, 1, 1)).result("cpf").status == "blocked"


def test_evaluate_many_in_two_processes_matches_sequential(python_engine):
    from fundrules.library import find_case_files, load_library_case

    from .conftest import ROOT

    cases = [load_library_case(p) for p in find_case_files([ROOT / "cases"])]
    inputs, days = [c.case for c in cases], [c.meeting.date for c in cases]
    sequential = [python_engine.evaluate(c, d) for c, d in zip(inputs, days, strict=False)]
    assert python_engine.evaluate_many(inputs, jobs=2, as_of_each=days) == sequential
