"""Every dated change, the day before and the day of (docs/rules.md lists each date with its source)."""

import datetime as dt

import pytest

from fundrules.case import case_from_data

ONE_DAY = dt.timedelta(days=1)

CDI = {
    "operateur": "fongecif",
    "region": "24",
    "beneficiaire": {
        "statut": "salarie",
        "contrat": "cdi",
        "anciennete_salariee_mois": 0,
        "anciennete_entreprise_mois": 0,
        "boeth": False,
        "licenciement_economique": False,
        "licenciement_inaptitude": False,
        "maladie_professionnelle": True,
        "absence_longue_24_mois": False,
        "secteur_public": False,
        "inscrit_pole_emploi": False,
    },
    "projet": {
        "type_action": "permis",
        "categorie_permis": "C",
        "eligible_cpf": False,
        "positionnement_prealable": True,
        "temps_plein": False,
        "duree_mois": 3,
        "duree_heures": 140,
        "date_debut": "2026-01-01",
    },
}


def evaluate(engine, data, day):
    case = case_from_data({**data, "date_demande": "2016-01-01"})
    return engine.evaluate(case, as_of=day)


def field(result, name):
    if name == "blockers":
        return sorted(b.criterion for b in result.blockers)
    return getattr(result, name)


BOUNDARIES = [
    # (date of change, funder, field, value the day before, value on the day)
    (dt.date(2015, 1, 1), "cpf", "status", "not_in_force", "blocked"),
    (dt.date(2017, 3, 15), "cpf", "ruleset_version", "2015-heures", "2015-heures"),
    (dt.date(2018, 10, 30), "cif", "ruleset_version", "2015", "2018-fin"),
    (dt.date(2019, 1, 1), "cif", "status", "blocked", "not_in_force"),
    (dt.date(2019, 1, 1), "cpf", "ruleset_version", "2015-heures", "2019-euros"),
    # no seniority; the occupational-disease waiver only comes in 2022, so blocked from the first day
    (dt.date(2019, 1, 1), "cpf_transition", "status", "not_in_force", "blocked"),
    (dt.date(2019, 1, 1), "prf", "status", "a_verifier", "blocked"),
    (dt.date(2019, 11, 21), "cpf", "ruleset_version", "2019-euros", "2019-11-21"),
    (
        dt.date(2020, 1, 1),
        "cpf_transition",
        "decided_by",
        "Fongecif agissant comme commission paritaire interprofessionnelle régionale (CPIR)",
        "Transitions Pro de la région",
    ),
    # heavy licence (C): L6323-6 and décret 2018-1338 open the heavy group with the euro regime
    (dt.date(2019, 1, 1), "cpf", "status", "blocked", "eligible"),
    # (2022-03-31, cpf_transition): in test_cpf_transition_waiver_added_on_2022_03_31, with a certifying course
    (dt.date(2024, 1, 1), "aif", "decided_by", "Pôle emploi", "France Travail (ex-Pôle emploi)"),
]


@pytest.mark.parametrize("day, funder, name, before, on", BOUNDARIES, ids=[f"{b[0]}-{b[1]}-{b[2]}" for b in BOUNDARIES])
def test_dated_change(python_engine, day, funder, name, before, on):
    assert field(evaluate(python_engine, CDI, day - ONE_DAY).result(funder), name) == before
    assert field(evaluate(python_engine, CDI, day).result(funder), name) == on


def test_cpf_transition_waiver_added_on_2022_03_31(python_engine):
    # Occupational disease, no seniority: blocked by seniority before, the waiver applies from 2022-03-31.
    # The CPF de transition pays only a certifying course (L6323-17-1): the licence C of CDI would block it.
    data = {**CDI, "projet": {**CDI["projet"], "type_action": "certification_rncp"}}
    before = evaluate(python_engine, data, dt.date(2022, 3, 30)).result("cpf_transition")
    assert sorted(b.criterion for b in before.blockers) == [
        "cdd.dernier_contrat_cdd",
        "cdi.anciennete_entreprise",
        "cdi.anciennete_salariee",
        "interim.contrat_interim",
    ]
    assert evaluate(python_engine, data, dt.date(2022, 3, 31)).result("cpf_transition").status == "eligible"


@pytest.mark.parametrize(
    "day, before, on",
    [
        (dt.date(2017, 3, 15), "blocked", "eligible"),  # licence B enters the CPF (decree 2017-273)
    ],
)
def test_licence_b(python_engine, day, before, on):
    data = {**CDI, "projet": {**CDI["projet"], "categorie_permis": "B"}}
    assert evaluate(python_engine, data, day - ONE_DAY).result("cpf").status == before
    assert evaluate(python_engine, data, day).result("cpf").status == on


@pytest.mark.parametrize(
    "day, eligible_cpf, before, on",
    [
        # not in the CPF before 2017-01-01, then eligible as of right (loi 2016-1088 art. 39, V)
        (dt.date(2017, 1, 1), True, "blocked", "eligible"),
        # head-of-business skills only from 2020-10-10 (décret 2020-1228, D6323-7)
        (dt.date(2020, 10, 10), False, "eligible", "blocked"),
        # exclusively head-of-business skills from 2022-04-27 (décret 2022-649): same facts, same answer
        (dt.date(2022, 4, 27), True, "eligible", "eligible"),
        # only courses leading to an RNCP/RS certification from 2025-02-16 (loi de finances pour 2025)
        (dt.date(2025, 2, 16), True, "eligible", "blocked"),
    ],
)
def test_business_creation_by_date(python_engine, day, eligible_cpf, before, on):
    data = {**CDI, "projet": {"type_action": "creation_entreprise", "eligible_cpf": eligible_cpf}}
    assert evaluate(python_engine, data, day - ONE_DAY).result("cpf").status == before
    assert evaluate(python_engine, data, day).result("cpf").status == on


def test_bilan_de_competences_enters_the_cpf_on_2017_01_01(python_engine):
    # loi 2016-1088 art. 39 and décret 2016-1367, in force 2017-01-01
    data = {**CDI, "projet": {"type_action": "bilan_competences", "eligible_cpf": True}}
    before = evaluate(python_engine, data, dt.date(2016, 12, 31)).result("cpf")
    assert before.status == "blocked" and [b.criterion for b in before.blockers] == ["action_eligible"]
    assert evaluate(python_engine, data, dt.date(2017, 1, 1)).result("cpf").status == "eligible"


def test_light_vehicle_licence_2024_05_19(python_engine):
    data = {
        **CDI,
        "beneficiaire": {**CDI["beneficiaire"], "permis_valide": True},
        "projet": {"type_action": "permis", "categorie_permis": "B"},
    }
    assert evaluate(python_engine, data, dt.date(2024, 5, 18)).result("cpf").status == "eligible"
    assert evaluate(python_engine, data, dt.date(2024, 5, 19)).result("cpf").status == "blocked"


def participation_notices(result):
    return [n for n in result.notices if n.startswith("Participation forfaitaire")]


def test_flat_participation_from_2024_05_02_and_its_indexation(python_engine):
    covered = {
        **CDI,
        "beneficiaire": {**CDI["beneficiaire"], "solde_cpf_euros": 3000},
        "projet": {**CDI["projet"], "cout_pedagogique": 2000},
    }
    assert evaluate(python_engine, covered, dt.date(2024, 5, 1)).result("cpf").notices == ()
    notice = evaluate(python_engine, covered, dt.date(2024, 5, 2)).result("cpf").notices
    assert len(notice) == 1 and "100 EUR" in notice[0]
    # décret 2024-394: 100 EUR; arrêté of 2024-12-26: 102.23 EUR; arrêté of 2025-12-30: 103.20 EUR
    for day, amount in [
        (dt.date(2024, 12, 31), "100 EUR"),
        (dt.date(2025, 1, 1), "102,23 EUR"),
        (dt.date(2025, 12, 31), "102,23 EUR"),
        (dt.date(2026, 1, 1), "103,2 EUR"),
    ]:
        assert amount in participation_notices(evaluate(python_engine, covered, day).result("cpf"))[0], day
    registered = {**covered, "beneficiaire": {**covered["beneficiaire"], "inscrit_pole_emploi": True}}
    assert evaluate(python_engine, registered, dt.date(2024, 5, 2)).result("cpf").notices == ()
    assert evaluate(python_engine, registered, dt.date(2026, 1, 1)).result("cpf").notices == ()


def test_regional_plan_refocus_on_shortage_occupations_in_2017(python_engine):
    data = {
        "operateur": "mission_locale",
        "region": "etude-territorialisee",
        "beneficiaire": {"statut": "demandeur_emploi"},
        "projet": {"session_achetee_region": True, "places_disponibles": True, "metier_en_tension": False},
    }
    before = evaluate(python_engine, data, dt.date(2016, 12, 31)).result("prf")
    on = evaluate(python_engine, data, dt.date(2017, 1, 1)).result("prf")
    assert before.status == "eligible" and before.illustrative
    assert on.status == "blocked" and [b.criterion for b in on.blockers] == ["metier_en_tension"]
    assert "illustratives" in on.message


def test_every_funder_answers_every_date_from_2015_to_today(python_engine):
    case = case_from_data({**CDI, "date_demande": "2016-01-01"})
    day = dt.date(2015, 1, 1)
    while day <= dt.date.today():
        results = python_engine.evaluate(case, as_of=day).results
        assert [r.funder for r in results if r.kind == "course"] == [
            "afpr",
            "agefiph",
            "aide_vae_france_travail",
            "aif",
            "cif",
            "conge_bilan",
            "cpf",
            "cpf_transition",
            "france_vae",
            "opco_pme",
            "periode_professionnalisation",
            "periode_reconversion",
            "plan_employeur",
            "poec",
            "poei",
            "prf",
            "pro_a",
        ]
        assert sorted(r.funder for r in results) == sorted(python_engine.catalog.funders)
        day += dt.timedelta(days=17)
