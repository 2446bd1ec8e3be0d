"""CPF de transition (issue 9, item 6), expected values written from the Code du travail.

L6323-17-1: a certifying course; R6323-11-1: a CDD holder files while the contract runs;
R6323-14-1: the course starts within 6 months of the CDD's end; R6323-9-1 (décret 2019-1549, in
force 2020-01-01): temp workers need 1,600 h over 18 months, 600 h in the agency; D6323-9 I (décret
2022-373, in force 2022-03-31): seniority waived, whatever the contract, after an absence due to an
occupational disease or of at least 6 months in the 24 months before the request.
"""

import datetime as dt

import pytest

from fundrules.case import case_from_data

ONE_DAY = dt.timedelta(days=1)
PROJECT = {
    "type_action": "certification_rncp",
    "positionnement_prealable": True,
    "temps_plein": True,
    "duree_mois": 10,
    "duree_heures": 900,
}
NO_WAIVER = {
    "boeth": False,
    "licenciement_economique": False,
    "licenciement_inaptitude": False,
    "maladie_professionnelle": False,
    "absence_longue_24_mois": False,
    "secteur_public": False,
}


@pytest.fixture(params=["python_engine", "durable_engine"])
def engine(request):
    return request.getfixturevalue(request.param)


def transition(engine, beneficiaire, projet, day):
    case = case_from_data(
        {
            "date_demande": day.isoformat(),
            "operateur": "fongecif",
            "region": "24",
            "beneficiaire": {"statut": "salarie", **NO_WAIVER, **beneficiaire},
            "projet": {**PROJECT, **projet},
        }
    )
    return engine.evaluate(case).result("cpf_transition")


def blockers(result):
    return sorted(b.criterion for b in result.blockers)


CDD = {"contrat": "cdd", "mois_salarie_5_ans": 30, "mois_cdd_12_mois": 6}


def test_cdd_request_filed_on_the_last_day_of_the_contract_passes_the_day_after_blocks(engine):
    end = dt.date(2023, 5, 31)
    start = {"date_debut": "2023-10-02"}
    on_last_day = transition(engine, {**CDD, "date_fin_contrat": end.isoformat()}, start, end)
    assert on_last_day.status == "eligible"
    day_after = transition(engine, {**CDD, "date_fin_contrat": end.isoformat()}, start, end + ONE_DAY)
    assert day_after.status == "blocked"
    assert "cdd.demande_pendant_cdd" in blockers(day_after)
    blocker = next(b for b in day_after.blockers if b.criterion == "cdd.demande_pendant_cdd")
    assert any(s.article == "R6323-11-1" for s in blocker.sources)


def test_cdd_course_starts_at_most_six_months_after_the_contract(engine):
    base = {**CDD, "date_fin_contrat": "2023-05-31"}
    six = transition(engine, base, {"date_debut": "2023-11-30"}, dt.date(2023, 5, 2))
    seven = transition(engine, base, {"date_debut": "2024-01-02"}, dt.date(2023, 5, 2))
    assert six.status == "eligible"
    assert blockers(seven) == ["cdd.debut_apres_cdd", "cdi.en_cdi", "interim.contrat_interim"]


@pytest.mark.parametrize("action", ["non_certifiante", "bilan_competences", "permis"])
def test_only_a_certifying_course(engine, action):
    result = transition(
        engine,
        {"contrat": "cdi", "anciennete_salariee_mois": 40, "anciennete_entreprise_mois": 20},
        {"type_action": action, "date_debut": "2024-09-02"},
        dt.date(2024, 1, 10),
    )
    assert result.status == "blocked"
    assert blockers(result) == ["formation_certifiante"]


def test_occupational_disease_waiver_applies_to_a_cdd_from_2022_03_31(engine):
    # Seniority too short on every count; the absence waiver lifts both CDD seniority criteria.
    short = {
        "contrat": "cdd",
        "mois_salarie_5_ans": 10,
        "mois_cdd_12_mois": 2,
        "date_fin_contrat": "2022-06-30",
        "absence_longue_24_mois": True,
    }
    before = transition(engine, short, {"date_debut": "2022-09-01"}, dt.date(2022, 3, 30))
    on = transition(engine, short, {"date_debut": "2022-09-01"}, dt.date(2022, 3, 31))
    assert {"cdd.mois_salarie_5_ans", "cdd.mois_cdd_12_mois"} <= set(blockers(before))
    assert on.status == "eligible"


def test_temp_worker_thresholds_sourced_from_r6323_9_1_from_2020(engine):
    interim = {"contrat": "interim", "heures_interim_18_mois": 1599, "heures_interim_agence": 599}
    late_2019 = transition(engine, interim, {"date_debut": "2020-09-01"}, dt.date(2019, 12, 31))
    first_2020 = transition(engine, interim, {"date_debut": "2020-09-01"}, dt.date(2020, 1, 1))
    for result in (late_2019, first_2020):
        assert {"interim.heures_18_mois", "interim.heures_agence"} <= set(blockers(result))
    old, new = (next(b for b in r.blockers if b.criterion == "interim.heures_18_mois") for r in (late_2019, first_2020))
    assert old.verified is False  # no 2019 text found: "à confirmer"
    assert new.verified is True
    assert "1600" in new.required.replace("\u202f", "").replace(" ", "")
    assert any(s.article == "R6323-9-1" for s in new.sources)
    enough = {"contrat": "interim", "heures_interim_18_mois": 1600, "heures_interim_agence": 600}
    assert transition(engine, enough, {"date_debut": "2020-09-01"}, dt.date(2020, 1, 1)).status == "eligible"


def test_decided_by_follows_the_date():
    from fundrules import Engine

    engine = Engine(backend="python")
    cdi = {"contrat": "cdi", "anciennete_salariee_mois": 40, "anciennete_entreprise_mois": 20}
    assert "Fongecif" in transition(engine, cdi, {"date_debut": "2020-09-01"}, dt.date(2019, 12, 31)).decided_by
    assert (
        "Transitions Pro" not in transition(engine, cdi, {"date_debut": "2020-09-01"}, dt.date(2019, 12, 31)).decided_by
    )
    assert "Transitions Pro" in transition(engine, cdi, {"date_debut": "2020-09-01"}, dt.date(2020, 1, 1)).decided_by


def test_fact_labels_say_24_months_before_the_request():
    from fundrules.facts import FACTS

    for path in ("beneficiaire.maladie_professionnelle", "beneficiaire.absence_longue_24_mois"):
        assert "24 mois précédant la demande" in FACTS[path].label
    assert "maladie professionnelle" in FACTS["beneficiaire.maladie_professionnelle"].label


BILAN = {"type_action": "bilan_competences", "date_debut": "2019-02-04"}
FIVE_YEARS = {"contrat": "cdi", "anciennete_salariee_mois": 60, "anciennete_entreprise_mois": 12}


def test_conge_bilan_is_its_own_funder_until_2018_12_31(engine):
    def result(day, funder, beneficiaire=FIVE_YEARS):
        case = case_from_data(
            {
                "date_demande": "2018-11-05",
                "operateur": "fongecif",
                "region": "24",
                "beneficiaire": {"statut": "salarie", **NO_WAIVER, **beneficiaire},
                "projet": {**PROJECT, **BILAN},
            }
        )
        return engine.evaluate(case, as_of=day).result(funder)

    assert result(dt.date(2018, 12, 31), "conge_bilan").status == "eligible"
    gone = result(dt.date(2019, 1, 1), "conge_bilan")
    assert gone.status == "not_in_force" and "CPF" in gone.message
    short = result(dt.date(2018, 12, 31), "conge_bilan", {**FIVE_YEARS, "anciennete_salariee_mois": 59})
    assert blockers(short) == ["cdd.dernier_contrat_cdd", "salarie.anciennete_salariee"]
    # The CIF does not fund a bilan: the blocker names the right leave.
    cif = result(dt.date(2018, 12, 31), "cif")
    assert cif.status == "blocked" and "pas_un_bilan" in blockers(cif)
    assert "congé de bilan de compétences" in next(b.message for b in cif.blockers if b.criterion == "pas_un_bilan")


def test_cif_longer_than_a_year_is_blocked_unless_an_agreement_allows_it(engine):
    # Old L6322-12: at most 1 year full time or 1,200 hours part time, longer courses by agreement.
    def cif(months, full_time=True, hours=None):
        case = case_from_data(
            {
                "date_demande": "2017-01-10",
                "operateur": "fongecif",
                "beneficiaire": {
                    "statut": "salarie",
                    "contrat": "cdi",
                    "anciennete_salariee_mois": 60,
                    "anciennete_entreprise_mois": 30,
                    "secteur_public": False,
                    "entreprise_artisanale": False,
                },
                "projet": {
                    "type_action": "certification_rncp",
                    "temps_plein": full_time,
                    "duree_mois": months,
                    "duree_heures": hours or months * 140,
                    "date_debut": "2017-09-04",
                },
            }
        )
        return engine.evaluate(case).result("cif")

    assert cif(12).status == "eligible"
    longer = cif(13)
    assert blockers(longer) == ["duree_maximale"]
    blocker = longer.blockers[0]
    assert blocker.verified is True and "accord" in blocker.unlock and "L6322-12" in blocker.unlock
    assert cif(20, full_time=False, hours=1200).status == "eligible"
    assert blockers(cif(20, full_time=False, hours=1201)) == ["duree_maximale"]


def test_boeth_waiver_applies_to_a_cdd_from_2019(engine):
    # L6323-17-2 I: no seniority condition for a BOETH employee, whatever the contract.
    short = {"contrat": "cdd", "mois_salarie_5_ans": 10, "mois_cdd_12_mois": 2, "date_fin_contrat": "2019-09-30"}
    without = transition(engine, short, {"date_debut": "2019-11-04"}, dt.date(2019, 6, 3))
    assert {"cdd.mois_salarie_5_ans", "cdd.mois_cdd_12_mois"} <= set(blockers(without))
    assert all(b.verified for b in without.blockers if b.criterion.startswith("cdd."))
    assert (
        transition(engine, {**short, "boeth": True}, {"date_debut": "2019-11-04"}, dt.date(2019, 6, 3)).status
        == "eligible"
    )
