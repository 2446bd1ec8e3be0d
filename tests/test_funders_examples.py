"""Issue 15 done-criteria, and the new course funders on the bundled examples. Expectations are
written from the rulesets' sources (plan/OPCO thresholds, POEI/AFPR contracts, VAE dates)."""

import datetime as dt
import json
import os
import subprocess
import sys

import pytest

from fundrules import load_case
from fundrules.case import case_from_data

from .conftest import EXAMPLES, ROOT

NEW = [
    "afpr",
    "aide_vae_france_travail",
    "france_vae",
    "opco_pme",
    "periode_professionnalisation",
    "periode_reconversion",
    "plan_employeur",
    "poec",
    "poei",
    "pro_a",
]


def check_json(path, *options):
    result = subprocess.run(
        [sys.executable, "-m", "fundrules_cli.app", "check", str(path), "--format", "json", *options],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    assert result.returncode == 0, result.stderr
    return {r["funder"]: r for r in json.loads(result.stdout)["results"]}


def test_an_employee_case_names_the_employer_plan_and_the_opco_beside_the_cpf_routes():
    results = check_json(
        ROOT / "cases/etude-territorialisee/2017-T2/salarie-tpe-plan-et-opca.yaml", "--as-of", "2017-06-15"
    )
    # the employer agrees and the firm has 12 staff (< 300 until 2018): plan and OPCA are open
    assert results["plan_employeur"]["status"] == "eligible"
    assert results["opco_pme"]["status"] == "eligible"
    assert results["opco_pme"]["decided_by"] == "L'OPCA de l'entreprise, sur demande de l'employeur"
    assert {"cpf", "cif"} <= set(results)
    # an Apec counsellor cannot file with the employer's OPCA: the next step says who does
    assert results["opco_pme"]["operator_can_mobilise"] is False
    assert any("Seul l'employeur demande la prise en charge" in s for s in results["opco_pme"]["next_steps"])
    # the same employee in 2019: CPF de transition instead of the CIF, OPCO only below 50 staff
    later = check_json(
        ROOT / "cases/etude-territorialisee/2017-T2/salarie-tpe-plan-et-opca.yaml", "--as-of", "2019-06-03"
    )
    assert {"cpf", "cpf_transition", "plan_employeur", "opco_pme"} <= set(later)
    assert later["opco_pme"]["status"] == "eligible" and later["opco_pme"]["ruleset_version"] == "2019-04-opco"
    assert later["cif"]["status"] == "not_in_force"


PROMISE = {
    "date_demande": "2017-03-06",
    "operateur": "mission_locale",
    "region": "etude-territorialisee",
    "beneficiaire": {
        "statut": "demandeur_emploi",
        "inscrit_pole_emploi": True,
        "contrat": "aucun",
        "promesse_embauche": True,
    },
    "projet": {
        "type_action": "non_certifiante",
        "duree_heures": 250,
        "offre_deposee_france_travail": True,
        "contrat_vise": "cdd",
        "duree_contrat_vise_mois": 12,
    },
}


@pytest.mark.parametrize("engine_name", ["python_engine", "durable_engine"])
def test_a_job_seeker_with_a_promise_of_hiring_gets_the_poei_and_the_afpr_before_its_end(request, engine_name):
    engine = request.getfixturevalue(engine_name)
    twelve = engine.evaluate(case_from_data(PROMISE))
    assert twelve.result("poei").status == "eligible"  # CDD of 12 months: POEI before 2024
    assert twelve.result("afpr").status == "blocked"  # the AFPR is for CDD under 12 months
    eight = {**PROMISE, "projet": {**PROMISE["projet"], "duree_contrat_vise_mois": 8}}
    before = engine.evaluate(case_from_data(eight))
    assert (before.result("afpr").status, before.result("poei").status) == ("eligible", "blocked")
    after = engine.evaluate(case_from_data({**eight, "date_demande": "2025-03-03"}))
    assert (after.result("afpr").status, after.result("poei").status) == ("not_in_force", "eligible")
    assert "POEI" in after.result("afpr").message


VAE = {
    "operateur": "pole_emploi",
    "region": "24",
    "beneficiaire": {
        "statut": "demandeur_emploi",
        "inscrit_pole_emploi": True,
        "contrat": "aucun",
        "experience_mois_certification": 14,
    },
    "projet": {"type_action": "vae", "recevabilite_vae": True},
}


@pytest.mark.parametrize(
    "day, eligible",
    [
        ("2016-05-02", set()),  # 36 months needed before 2017-10-01
        ("2018-05-02", {"aide_vae_france_travail"}),  # 12 months from 2017-10-01
        ("2024-05-02", {"aide_vae_france_travail", "france_vae"}),
        ("2025-09-01", set()),  # both reported stopped (unverified): the CPF remains
    ],
)
def test_a_vae_project_gets_its_funders_by_date(python_engine, durable_engine, day, eligible):
    case = case_from_data({**VAE, "date_demande": day})
    for engine in (python_engine, durable_engine):
        found = {r.funder for r in engine.evaluate(case).results if r.funder in NEW and r.status == "eligible"}
        assert found == eligible, (engine, day)


@pytest.mark.parametrize(
    "name, as_of, expected",
    [
        # job seekers: not salaried (plan, OPCO, période de professionnalisation), courses longer than 400 h
        (
            "ancien-cdd-2018.yaml",
            None,
            {
                "plan_employeur": ("blocked", ["salarie"]),
                "opco_pme": ("blocked", ["salarie"]),
                "periode_professionnalisation": ("blocked", ["contrat", "salarie"]),
                "pro_a": ("not_in_force", []),
                "periode_reconversion": ("not_in_force", []),
                "poei": ("blocked", ["duree_maximale"]),
                "afpr": ("blocked", ["duree_maximale"]),
                "poec": ("blocked", ["duree_maximale"]),
                "france_vae": ("not_in_force", []),
                "aide_vae_france_travail": ("blocked", ["projet_vae"]),
            },
        ),
        (
            "jeune-mission-locale-2017.yaml",
            None,
            {
                "plan_employeur": ("blocked", ["salarie"]),
                "poei": ("blocked", ["duree_maximale"]),
                "periode_professionnalisation": ("blocked", ["contrat", "salarie"]),
            },
        ),
        # CDI employee in 2019: the employer's answer and the firm's size are unknown
        (
            "salarie-cdi-2019.yaml",
            None,
            {
                "plan_employeur": ("a_verifier", []),
                "opco_pme": ("a_verifier", []),
                "pro_a": ("a_verifier", []),
                "periode_professionnalisation": ("not_in_force", []),
                "poei": ("blocked", ["duree_maximale"]),
            },
        ),
        (
            "salarie-cdi-2019.yaml",
            dt.date(2018, 6, 1),
            {"periode_professionnalisation": ("a_verifier", []), "pro_a": ("not_in_force", [])},
        ),
    ],
)
def test_new_funders_on_the_examples(python_engine, name, as_of, expected):
    ev = python_engine.evaluate(load_case(EXAMPLES / name), as_of)
    got = {f: (ev.result(f).status, sorted(b.criterion for b in ev.result(f).blockers)) for f in expected}
    assert got == expected
    if name == "salarie-cdi-2019.yaml" and as_of is None:
        assert list(ev.result("opco_pme").missing_facts) == [
            "beneficiaire.effectif_entreprise",
            "beneficiaire.accord_employeur",
        ]
        assert list(ev.result("pro_a").missing_facts) == [
            "beneficiaire.niveau_qualification",
            "beneficiaire.accord_employeur",
        ]
