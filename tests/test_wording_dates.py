"""Wording follows the date (issue 9, items 9 and 10): "Pôle emploi" until 2023-12-31, "France Travail"
from 2024-01-01 (loi 2023-1196, art. 6); Fongecif until 2019, Transitions Pro from 2020-01-01; the
Centre-Val de Loire plan has one next step: the training provider selects the trainees (Region's FAQ)."""

import datetime as dt

import pytest

ONE_DAY = dt.timedelta(days=1)


def texts(result):
    """Every sentence a counsellor reads for this funder, except the citations."""
    parts = [result.decided_by, result.message or ""] + list(result.next_steps) + list(result.notices)
    for blocker in result.blockers:
        parts += [blocker.message, blocker.required, blocker.unlock or ""]
    return " | ".join(parts)


def evaluate(engine, data, day):
    return engine.evaluate({**data, "date_demande": day.isoformat()})


JOB_SEEKER = {
    "operateur": "apec",
    "region": "24",
    "beneficiaire": {
        "statut": "demandeur_emploi",
        "inscrit_pole_emploi": False,
        "boeth": True,
        "secteur_public": False,
    },
    "projet": {
        "valide_conseiller_pe": False,
        "session_achetee_region": False,
        "places_disponibles": True,
        "duree_heures": 300,
        "cout_pedagogique": 2000,
    },
}


@pytest.mark.parametrize("funder", ["aif", "agefiph"])
def test_pole_emploi_until_2023_then_france_travail(python_engine, funder):
    data = {**JOB_SEEKER, "projet": {**JOB_SEEKER["projet"], "date_debut": "2024-03-04"}}
    before = texts(evaluate(python_engine, data, dt.date(2023, 12, 31)).result(funder))
    after = texts(evaluate(python_engine, data, dt.date(2024, 1, 1)).result(funder))
    assert "Pôle emploi" in before and "France Travail" not in before
    assert "France Travail" in after
    assert "Pôle emploi" not in after.replace("ex-Pôle emploi", "")


def test_aif_from_2025_names_the_automatic_registration(python_engine):
    data = {**JOB_SEEKER, "projet": {**JOB_SEEKER["projet"], "date_debut": "2025-03-03"}}
    before = evaluate(python_engine, data, dt.date(2024, 12, 31)).result("aif")
    after = evaluate(python_engine, data, dt.date(2025, 1, 1)).result("aif")
    assert "inscrits automatiquement" not in " ".join(before.next_steps)
    assert "inscrits automatiquement" in " ".join(after.next_steps)


def test_fongecif_in_2019_transitions_pro_from_2020(python_engine):
    data = {
        "operateur": "apec",
        "region": "24",
        "beneficiaire": {
            "statut": "salarie",
            "contrat": "cdi",
            "anciennete_salariee_mois": 40,
            "anciennete_entreprise_mois": 20,
            "secteur_public": False,
            "boeth": False,
        },
        "projet": {
            "type_action": "certification_rncp",
            "positionnement_prealable": True,
            "temps_plein": False,
            "duree_mois": 4,
            "date_debut": "2020-09-07",
        },
    }
    before = evaluate(python_engine, data, dt.date(2019, 12, 31)).result("cpf_transition")
    after = evaluate(python_engine, data, dt.date(2020, 1, 1)).result("cpf_transition")
    assert before.status == after.status == "eligible"
    assert "Fongecif" in texts(before) and "Transitions Pro" not in texts(before)
    assert "Transitions Pro" in texts(after) and "Fongecif" not in texts(after)


def test_centre_val_de_loire_plan_has_one_next_step(python_engine):
    data = {**JOB_SEEKER, "projet": {**JOB_SEEKER["projet"], "session_achetee_region": True}}
    prf = evaluate(python_engine, data, dt.date(2026, 11, 27)).result("prf")
    assert prf.status == "eligible"
    assert len(prf.next_steps) == 1
    assert prf.next_steps[0].startswith("L'organisme de formation sélectionne les stagiaires")
    assert "prescripteur" not in texts(prf)


FT_START = dt.date(2024, 1, 1)
TP_START = dt.date(2020, 1, 1)


def version_texts(funder, version):
    """Sentences a counsellor reads during this version (citations excluded: they keep their titles);
    the funder's decided_by and orientation_step apply when the version does not override them."""
    parts = [
        version.decided_by or funder.decided_by or "",
        version.orientation_step or funder.orientation_step or "",
        version.advice or "",
    ]  # not the summary: it tells the change
    for criterion in version.criteria:
        parts += [criterion.message, criterion.required, criterion.next_step or "", criterion.unlock or ""]
    return " | ".join(parts)


def test_each_version_names_the_operator_of_its_time():
    from fundrules.rulesets.loader import load_catalog

    from .conftest import RULESETS

    catalog = load_catalog(RULESETS)
    checked = 0
    for funder_id, funder in catalog.funders.items():  # every funder, course and income
        tracks = list(funder.variants.values()) if funder.variant_by else [None]
        for variant in tracks:
            for version in funder.versions_of(variant):
                text = version_texts(funder, version)
                ends = version.valid_to or dt.date.max
                if ends < FT_START:
                    assert "France Travail" not in text, (funder_id, version.label)
                if version.valid_from >= FT_START:
                    assert "Pôle emploi" not in text.replace("ex-Pôle emploi", ""), (funder_id, version.label)
                if ends < TP_START:
                    assert "Transitions Pro" not in text, (funder_id, version.label)
                if version.valid_from >= TP_START:
                    assert "Fongecif" not in text, (funder_id, version.label)
                checked += 1
    assert checked >= 50
