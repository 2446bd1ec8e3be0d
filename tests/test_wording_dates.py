"""Wording follows the date (issue 9, items 9 and 10): "Pôle emploi" until 2023-12-31, "France Travail"
from 2024-01-01 (loi 2023-1196, art. 6); Fongecif until 2019, Transitions Pro from 2020-01-01; the
Centre-Val de Loire plan has one next step: the training provider selects the trainees (Region's FAQ)."""

import datetime as dt
import re

import pytest

from fundrules.rulesets.loader import load_catalog

from .conftest import RULESETS, cdi_employee

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
    data = cdi_employee("apec", temps_plein=False, duree_mois=4, date_debut="2020-09-07")
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
OPCO_START = dt.date(2019, 4, 1)  # OPCO approved from 1 April 2019 (loi 2018-771 « avenir professionnel »)
MCF_START = dt.date(2019, 11, 21)  # Mon Compte Formation opened on 21 November 2019
RENAMED = (("Pôle emploi", "France Travail", FT_START), ("Fongecif", "Transitions Pro", TP_START))


def _names(text: str, name: str) -> bool:
    """The text names `name` as the body of its time ("ex-Pôle emploi", "ex-Fongecif" look back, allowed)."""
    return re.search(rf"(?<!ex-)\b{name}\b", text) is not None


def dated_texts(funder, variant, version):
    """(what, text, first day, last day) of every sentence a counsellor reads during this version: the name and
    payer it dates, summary, who decides, orientation step, advice, parameter descriptions, and each criterion's
    message, requirement, next step and unlock over the criterion's own period. The funder's (or variant's)
    decided_by and orientation_step apply when the version does not override them. Citations keep their titles."""
    first, last = version.valid_from, version.valid_to or dt.date.max
    decided_by = version.decided_by or (variant.decided_by if variant and variant.decided_by else funder.decided_by)
    texts = [
        ("name", version.name or "", first, last),  # the funder file's are checked by funder_errors below
        ("payer", version.payer or "", first, last),
        ("summary", version.summary or "", first, last),
        ("decided_by", decided_by or "", first, last),
        ("orientation_step", version.orientation_step or funder.orientation_step or "", first, last),
        ("advice", version.advice or "", first, last),
    ]
    texts += [(f"parameter {p.name}", p.description, first, last) for p in version.parameters.values()]
    for c in version.criteria:
        start, end = max(first, c.valid_from or first), min(last, c.valid_to or last)
        for what in ("message", "required", "next_step", "unlock"):
            texts.append((f"{c.key}.{what}", getattr(c, what) or "", start, end))
    return texts


def wording_errors(catalog):
    """Texts naming a body outside its time; the checked text count."""
    errors, checked = [], 0
    for funder_id, funder in catalog.funders.items():  # every funder, course and income
        tracks = list(funder.variants.values()) if funder.variant_by else [None]
        for variant in tracks:
            for version in funder.versions_of(variant):
                for what, text, first, last in dated_texts(funder, variant, version):
                    checked += 1
                    where = (funder_id, variant.id if variant else None, version.label, what, text)
                    # Pôle emploi / France Travail and Fongecif / Transitions Pro: one name per period, a version
                    # spanning the change names neither (it is split at the change when its text names them)
                    for old, new, switch in RENAMED:
                        if first < switch and _names(text, new):
                            errors.append(("avant", switch, *where))
                        if last >= switch and _names(text, old):
                            errors.append(("après", switch, *where))
                    # OPCA / OPCO: over a period spanning 1 April 2019, only "OPCA (OPCO depuis le 01/04/2019)"
                    opca, opco = _names(text, "OPCA"), _names(text, "OPCO")
                    if last < OPCO_START and opco or first >= OPCO_START and opca:
                        errors.append(("OPCA/OPCO", OPCO_START, *where))
                    if first < OPCO_START <= last and (opca or opco) and not (opca and opco and "01/04/2019" in text):
                        errors.append(("OPCA/OPCO non daté", OPCO_START, *where))
                    if first < MCF_START and "Mon Compte Formation" in text:
                        errors.append(("avant", MCF_START, *where))
    return errors, checked


def test_every_text_names_the_bodies_of_its_time():
    """Issue 9 item 10, extended to every text a counsellor reads: summaries, parameter descriptions, who decides,
    orientation steps, advice, messages, requirements, next steps and unlocks."""
    errors, checked = wording_errors(load_catalog(RULESETS))
    assert errors == []
    assert checked >= 1500


def test_the_wording_check_finds_an_anachronism(ruleset_dir):
    """The check above can fail: France Travail deciding in 2015, an undated OPCO in a version spanning April 2019."""
    ruleset_dir.edit("aif/2015-01-01.yaml", "decided_by: Pôle emploi", "decided_by: France Travail")
    ruleset_dir.edit("cpf/2019-01-01.yaml", "(OPCA (OPCO depuis le 01/04/2019)", "(OPCO")
    errors, _ = wording_errors(load_catalog(ruleset_dir.root))
    found = {(e[2], e[0]) for e in errors}
    assert found == {("aif", "avant"), ("cpf", "OPCA/OPCO non daté")}


def test_poec_names_the_opca_then_the_opco(python_engine):
    """POEC next steps: the OPCA until 31 March 2019, the OPCO from 1 April 2019 (loi 2018-771)."""
    data = {
        "operateur": "apec",
        "region": "24",
        "beneficiaire": {"statut": "demandeur_emploi", "inscrit_pole_emploi": True},
        "projet": {"duree_heures": 300, "action_poec": True},
    }
    before = evaluate(python_engine, data, dt.date(2019, 3, 31)).result("poec")
    after = evaluate(python_engine, data, dt.date(2019, 4, 1)).result("poec")
    assert before.status == after.status == "eligible"
    assert "l'OPCA de la branche" in " ".join(before.next_steps) and "OPCO" not in texts(before)
    assert "l'OPCO de la branche" in " ".join(after.next_steps) and "OPCA" not in texts(after)


def funder_errors(catalog):
    """Funder-wide texts (name, description, who pays, whom the scheme is for, who decides, orientation step)
    are read on every date of the funder: one that names a body of one period only is wrong on the other side
    of the change, so over a period spanning it they name both ("Pôle emploi (France Travail depuis le
    01/01/2024)", "OPCA / OPCO"). A name or payer that every version dates (`name:`, `payer:` in the version
    files) is read on no date: the funder file's is then today's, for the lists that evaluate no date."""
    errors = []
    for funder_id, funder in catalog.funders.items():
        versions = funder.versions or tuple(v for variant in funder.variants.values() for v in variant.versions)
        first = min(v.valid_from for v in versions)
        last = max(v.valid_to or dt.date.max for v in versions)
        fields = {
            "name": funder.name,
            "description": funder.description,
            "payer": (funder.income or {}).get("payer"),
            "scope_label": funder.scope_label,
            "decided_by": funder.decided_by,
            "orientation_step": funder.orientation_step,
        }
        dated = {what for what in ("name", "payer") if all(getattr(v, what) is not None for v in versions)}
        for what, text in fields.items():
            if what in dated:
                continue
            for old, new, switch in RENAMED + (("OPCA", "OPCO", OPCO_START),):
                said_old, said_new = _names(text or "", old), _names(text or "", new)
                if first < switch and said_new and not said_old or last >= switch and said_old and not said_new:
                    errors.append((funder_id, what, old, new, text))
    return errors


def test_funder_wide_texts_name_the_bodies_of_every_period():
    assert funder_errors(load_catalog(RULESETS)) == []
