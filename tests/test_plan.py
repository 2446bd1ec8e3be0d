"""Funding plans, with amounts written from the sources (docs/rules.md: CPF euros, AIF, Agefiph)."""

import datetime as dt
import json
import re
import subprocess
import sys

from fundrules import load_case
from fundrules.library import load_library_case

from .conftest import EXAMPLES, ROOT


def first(plan):
    return [(s.funder, s.amount) for s in plan.plans[0].steps]


def cpf_case(**beneficiaire):
    b = {
        "statut": "salarie",
        "contrat": "cdi",
        "secteur_public": False,
        "boeth": False,
        "inscrit_pole_emploi": False,
        "solde_cpf_euros": 1500,
    }
    b.update(beneficiaire)
    return {
        "date_demande": "2024-06-03",
        "operateur": "autre",
        "region": "24",
        "beneficiaire": b,
        "projet": {
            "type_action": "certification_rs",
            "duree_heures": 70,
            "duree_mois": 1,
            "temps_plein": False,
            "date_debut": "2024-09-02",
            "cout_pedagogique": 1200,
            "session_achetee_region": False,
            "positionnement_prealable": False,
        },
    }


def test_cpf_euro_balance_covers_the_cost_less_the_2024_flat_participation(python_engine):
    plan = python_engine.plan(cpf_case())
    step = plan.plans[0].steps[0]
    # 1,500 EUR balance, 1,200 EUR course, 100 EUR paid by the holder from 2024-05-02
    assert (step.funder, step.amount, step.holder_share) == ("cpf", 1100.0, 100.0)
    assert plan.plans[0].remaining == 0 and plan.plans[0].covers_cost is True and not plan.impasse


def test_flat_participation_is_indexed_in_2025(python_engine):
    plan = python_engine.plan(cpf_case(), as_of=dt.date(2025, 2, 3))
    step = plan.plans[0].steps[0]
    assert (step.amount, step.holder_share) == (1097.77, 102.23)


def test_registered_job_seekers_are_exempt(python_engine):
    data = cpf_case(statut="demandeur_emploi", inscrit_pole_emploi=True, solde_cpf_euros=5000)
    step = python_engine.plan(data).plans[0].steps[0]
    assert (step.funder, step.amount, step.holder_share) == ("cpf", 1200.0, None)


def test_before_2024_05_02_nothing_is_left_to_the_holder(python_engine):
    step = python_engine.plan(cpf_case(), as_of=dt.date(2024, 5, 1)).plans[0].steps[0]
    assert (step.amount, step.holder_share) == (1200.0, None)


def test_hours_convert_at_15_eur_in_the_plan(python_engine):
    data = cpf_case(solde_cpf_euros=None, solde_cpf_heures=60)
    del data["beneficiaire"]["solde_cpf_euros"]
    data["date_demande"] = "2019-03-04"
    data["projet"]["cout_pedagogique"] = 1200
    plan = python_engine.plan(data)
    assert first(plan)[0] == ("cpf", 900.0)  # 60 h x 15 EUR
    assert plan.plans[0].remaining == 300.0


def test_cpf_in_the_hours_regime_gives_hours_not_euros(python_engine):
    plan = python_engine.plan(load_case(EXAMPLES / "ancien-cdd-2018.yaml"), as_of=dt.date(2018, 3, 12))
    assert all(s.funder != "cpf" for p in plan.plans for s in p.steps)  # blocked: 62 h for 840 h
    data = cpf_case()
    data.update(date_demande="2017-06-01")
    data["beneficiaire"] = {"statut": "salarie", "solde_cpf_heures": 120}
    data["projet"].update(eligible_cpf=True)
    step = next(s for s in python_engine.plan(data).plans[0].steps if s.funder == "cpf")
    assert (step.amount, step.amount_hours) == (None, 120.0)


def test_agefiph_comes_last_as_a_complement_and_aif_after_common_law(python_engine):
    case = load_library_case(ROOT / "cases/etude-territorialisee/2016-T4/boeth-cofinancement.yaml").case
    plan = python_engine.plan(case, as_of=dt.date(2016, 12, 8))
    steps = plan.plans[0].steps
    assert [(s.funder, s.complement) for s in steps] == [("aif", False), ("agefiph", True)]
    assert plan.plans[0].covers_cost is None  # both amounts are decided by the funders


def test_aif_is_only_a_last_resort_when_the_regional_plan_can_pay(python_engine):
    data = {
        "date_demande": "2016-05-02",
        "operateur": "pole_emploi",
        "region": "etude-territorialisee",
        "beneficiaire": {
            "statut": "demandeur_emploi",
            "inscrit_pole_emploi": True,
            "boeth": False,
            "secteur_public": False,
            "contrat": "aucun",
        },
        "projet": {
            "type_action": "certification_rncp",
            "eligible_cpf": False,
            "duree_heures": 300,
            "duree_mois": 3,
            "temps_plein": True,
            "date_debut": "2016-09-05",
            "cout_pedagogique": 2500,
            "session_achetee_region": True,
            "places_disponibles": True,
            "valide_conseiller_pe": True,
            # no employer promising to hire, no collective pre-hire session (POEI, AFPR, POEC)
            "offre_deposee_france_travail": False,
            "action_poec": False,
        },
    }
    # the session is a regional one: the AIF's own criterion already blocks it
    plan = python_engine.plan(data)
    assert first(plan) == [("prf", 2500.0)] and plan.plans[0].covers_cost
    data["projet"].pop("session_achetee_region")  # unknown: both the PRF and the AIF remain possible
    plan = python_engine.plan(data)
    assert [e.funder for e in plan.excluded] == ["aif"]
    assert [[s.funder for s in p.steps] for p in plan.plans] == [["prf"], ["aif"]]


def test_impasse_names_what_would_unlock_it(python_engine):
    case = load_library_case(ROOT / "cases/etude-territorialisee/2016-T2/cadre-cpf-sans-delegation.yaml").case
    plan = python_engine.plan(case, as_of=dt.date(2016, 6, 16))
    assert plan.impasse and plan.plans == ()
    # boeth is false and no health condition is stated: an RQTH request is no action for this person
    assert [(u.funder, u.what) for u in plan.unlock] == [
        ("aif", "validation du projet par le conseiller Pôle emploi"),
        ("cpf", "accord de Pôle emploi pour l'abondement du CPF"),
    ]
    assert "accord de Pôle emploi pour l'abondement du CPF (CPF)" in plan.message


def test_rqth_is_offered_only_when_a_health_condition_is_stated(python_engine):
    case = load_library_case(ROOT / "cases/etude-territorialisee/2016-T2/cadre-cpf-sans-delegation.yaml").case
    data = case.model_dump(mode="json", exclude_none=True)
    data["beneficiaire"]["licenciement_inaptitude"] = True
    plan = python_engine.plan(data, as_of=dt.date(2016, 6, 16))
    assert ("agefiph", "reconnaissance de la qualité de travailleur handicapé (RQTH) par la MDPH") in [
        (u.funder, u.what) for u in plan.unlock
    ]


def test_both_backends_give_the_same_plans(python_engine, durable_engine):
    for path in sorted((ROOT / "cases").rglob("*.yaml")):
        if "examples" in path.parts:
            continue
        case = load_library_case(path)
        a = python_engine.plan(case.case, as_of=case.meeting.date).model_dump_json(exclude={"provenance"})
        b = durable_engine.plan(case.case, as_of=case.meeting.date).model_dump_json(exclude={"provenance"})
        assert a == b, path


def test_plan_cli_json_and_library_case_files():
    path = ROOT / "cases/etude-territorialisee/2016-T2/cadre-cpf-sans-delegation.yaml"
    result = subprocess.run(
        [sys.executable, "-m", "fundrules_cli.app", "plan", str(path), "--format", "json", "--as-of", "2016-06-16"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["impasse"] is True and data["unlock"][1]["funder"] == "cpf"
    text = subprocess.run(
        [sys.executable, "-m", "fundrules_cli.app", "plan", str(EXAMPLES / "salarie-cdi-2019.yaml"), "--detail"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    flat = re.sub(r"[ \n]+", " ", text.stdout)
    assert "Plan 1 : CPF 2\u202f250 EUR" in flat and "reste à financer : 7\u202f550 EUR" in flat
