"""Schemes named as they are called on the date evaluated (issue 21, « the scheme names by date »).

Loi n° 2023-1196 du 18 décembre 2023 pour le plein emploi: Pôle emploi becomes the operator France Travail
on 2024-01-01; the trainee pay it funds is then the « rémunération des formations de France Travail (RFFT) »
(France Travail's RFFT page, instruction n° 2024-6 of 7 February 2024), before it the « rémunération des
formations de Pôle emploi (RFPE) ». Expected strings are written from those names, not from the program.
"""

import datetime as dt
import re

import pytest

from fundrules.case import case_from_data
from fundrules.errors import InputError
from fundrules.report.plan import render_plan_text
from fundrules.rulesets.loader import load_catalog

from .conftest import RULESETS
from .test_income import job_seeker

D = dt.date
RFPE = "Rémunération des formations de Pôle emploi (RFPE)"
RFFT = "Rémunération des formations de France Travail (RFFT)"


def trainee(day):
    """A registered job seeker without allowance, on a course approved by Pôle emploi / France Travail."""
    data = job_seeker(str(day), age=30)
    data["projet"].update(date_debut="2024-03-04", date_fin="2024-10-31", duree_mois=8)
    return data


@pytest.mark.parametrize(
    "day,name,payer", [(D(2023, 12, 31), RFPE, "Pôle emploi"), (D(2024, 1, 1), RFFT, "France Travail")]
)
def test_rfpe_is_named_and_paid_as_on_the_date(python_engine, day, name, payer):
    case = case_from_data(trainee(day))
    result = python_engine.evaluate(case, as_of=day).result("rfpe")
    assert result.funder_name == name
    entry = {e.id: e for e in python_engine.plan(case, as_of=day).income}["rfpe"]
    assert (entry.name, entry.payer) == (name, payer)
    other = RFFT if name == RFPE else RFPE
    assert other not in python_engine.evaluate(case, as_of=day).model_dump_json()


def test_plan_text_names_the_pay_of_its_date(python_engine):
    """The text of `plan`: RFPE paid by Pôle emploi on 31/12/2023, RFFT by France Travail on 01/01/2024."""
    for day, shown, not_shown in ((D(2023, 12, 31), "RFPE", "RFFT"), (D(2024, 1, 1), "RFFT", "RFPE")):
        text = render_plan_text(python_engine.plan(case_from_data(trainee(day)), as_of=day), width=200)
        assert shown in text and not_shown not in text and "RFPE / RFFT" not in text


def test_durable_backend_names_it_the_same(durable_engine):
    for day, name in ((D(2023, 12, 31), RFPE), (D(2024, 1, 1), RFFT)):
        assert durable_engine.evaluate(case_from_data(trainee(day)), as_of=day).result("rfpe").funder_name == name


def test_payers_of_income_schemes_by_date(python_engine):
    """ARE-Formation: paid by Pôle emploi for the Unédic until 2023-12-31, by France Travail from 2024-01-01."""
    for day, payer in ((D(2023, 12, 31), "Pôle emploi pour l'Unédic"), (D(2024, 1, 1), "France Travail pour l'Unédic")):
        data = job_seeker(str(day), allocation_chomage="are", are_journaliere=40, date_fin_droits_are="2025-06-15")
        data["projet"].update(date_debut="2024-03-04", date_fin="2024-10-31", duree_mois=8)
        entry = {e.id: e for e in python_engine.plan(case_from_data(data), as_of=day).income}["aref"]
        assert entry.payer == payer


def test_vae_aid_named_as_on_the_date(python_engine):
    data = {"operateur": "pole_emploi", "beneficiaire": {"statut": "demandeur_emploi"}, "projet": {}}
    names = {
        day: python_engine.evaluate({**data, "date_demande": str(day)}).result("aide_vae_france_travail").funder_name
        for day in (D(2023, 12, 31), D(2024, 1, 1))
    }
    assert names == {D(2023, 12, 31): "Aide à la VAE de Pôle emploi", D(2024, 1, 1): "Aide à la VAE de France Travail"}


def test_a_date_before_the_first_version_takes_the_first_versions_name(python_engine):
    """2014: no rules encoded (the RFPE versions start in 2015), the scheme is still called as then."""
    result = python_engine.evaluate(case_from_data(trainee(D(2014, 6, 2))), as_of=D(2014, 6, 2)).result("rfpe")
    assert result.ruleset_version is None and result.funder_name == RFPE


def test_rulesets_show_and_list_name_the_scheme_of_the_date():
    from fundrules.rulesets.describe import list_rulesets, show_ruleset

    catalog = load_catalog(RULESETS)
    assert show_ruleset(catalog, "rfpe", D(2023, 12, 31)).startswith(RFPE + " [rfpe]")
    assert show_ruleset(catalog, "rfpe", D(2024, 1, 1)).startswith(RFFT + " [rfpe]")
    assert f"rfpe — {RFPE} (" in list_rulesets(catalog, D(2023, 12, 31))
    assert f"rfpe — {RFFT} (" in list_rulesets(catalog, D(2024, 1, 1))


def test_http_answers_with_the_name_of_the_date(python_engine):
    pytest.importorskip("fastapi")
    pytest.importorskip("uvicorn")
    from fundrules.http import create_app

    from .http_support import Server

    running = Server(create_app(python_engine, token=None))
    try:
        for day, name in ((D(2023, 12, 31), RFPE), (D(2024, 1, 1), RFFT)):
            status, _, data = running.request("POST", f"/v1/plan?as_of={day}", trainee(day))
            assert status == 200
            assert [e["name"] for e in data["income"] if e["id"] == "rfpe"] == [name]
            status, _, data = running.request("POST", f"/v1/evaluate?as_of={day}", trainee(day))
            assert [r["funder_name"] for r in data["results"] if r["funder"] == "rfpe"] == [name]
    finally:
        running.stop()


def test_a_payer_in_a_course_funders_version_is_refused(ruleset_dir):
    ruleset_dir.edit(
        "aif/2015-01-01.yaml", "decided_by: Pôle emploi\n", "decided_by: Pôle emploi\npayer: Pôle emploi\n"
    )
    with pytest.raises(InputError) as err:
        load_catalog(ruleset_dir.root)
    assert "payer" in str(err.value) and "kind: income" in str(err.value)


# --- the contrat d'engagement (loi 2023-1196, in force 2025-01-01) ------------------------------------------------

CE_START = D(2025, 1, 1)
_CE = re.compile(r"contrat d'engagement(?! jeune)")
_PPAE = re.compile(r"\bPPAE\b|projet personnalisé")


def ppae_wording_errors(catalog):
    """Texts a counsellor reads naming the contrat d'engagement before 2025, or the PPAE alone from 2025 (the PPAE
    runs on until the contract is signed, so from 2025 a text may name it beside the contrat d'engagement)."""
    from .test_wording_dates import dated_texts

    errors = []
    for funder_id, funder in catalog.funders.items():
        for variant in list(funder.variants.values()) if funder.variant_by else [None]:
            for version in funder.versions_of(variant):
                for what, text, _first, last in dated_texts(funder, variant, version):
                    if last < CE_START and _CE.search(text):
                        errors.append(("avant", funder_id, version.label, what, text))
                    if last >= CE_START and _PPAE.search(text) and not _CE.search(text):
                        errors.append(("après", funder_id, version.label, what, text))
    return errors


def test_the_ppae_becomes_the_contrat_d_engagement_in_2025():
    assert ppae_wording_errors(load_catalog(RULESETS)) == []


def test_the_ppae_check_can_fail(ruleset_dir):
    ruleset_dir.edit(
        "aif/2025-01-01.yaml", "pour validation dans le contrat d'engagement.", "pour validation dans le PPAE."
    )
    assert [e[:4] for e in ppae_wording_errors(load_catalog(ruleset_dir.root))] == [
        ("après", "aif", "2025", "projet_valide.next_step")
    ]


@pytest.mark.parametrize(
    "funder,key,day,said",
    [
        ("aif", "projet_valide", D(2024, 12, 31), "dans le PPAE"),
        ("aif", "projet_valide", CE_START, "dans le contrat d'engagement"),
        ("aref", "formation_validee", D(2024, 12, 31), "dans le projet personnalisé"),
        ("aref", "formation_validee", CE_START, "dans le contrat d'engagement"),
        ("cff", "inscrite_ppae", D(2024, 12, 31), "au projet personnalisé (PPAE)"),
        ("cff", "inscrite_ppae", CE_START, "au contrat d'engagement"),
    ],
)
def test_blocker_names_the_ppae_then_the_contrat_d_engagement(python_engine, funder, key, day, said):
    """The same person, whose project is not validated, the day before and the day of 2025-01-01."""
    data = job_seeker(str(day), allocation_chomage="are", are_journaliere=40, date_fin_droits_are="2025-03-31")
    data["projet"].update(
        date_debut="2025-01-20", date_fin="2025-10-31", duree_mois=9, valide_conseiller_pe=False, eligible_cpf=False
    )
    data["beneficiaire"]["date_fin_contrat"] = "2024-06-30"
    result = python_engine.evaluate(data, as_of=day).result(funder)
    messages = [b.message for b in result.blockers if b.criterion == key]
    assert len(messages) == 1 and said in messages[0]


def test_automatic_registration_lists_the_four_publics_of_l5411_1(python_engine):
    """L5411-1 (loi 2023-1196 art. 1) from 2025-01-01: RSA applicants and their partner, young people asking a
    Mission locale's support, people asking Cap emploi's support (and whoever asks to be registered)."""
    data = job_seeker("2025-01-01", inscrit_pole_emploi=False, statut="sans_activite")
    steps = " ".join(python_engine.evaluate(data).result("aif").next_steps)
    for public in ("demande le RSA", "partenaire de Pacs", "Mission locale", "Cap emploi"):
        assert public in steps


def test_the_intake_names_schemes_as_on_the_date_of_the_case(python_engine):
    """The guided intake's reasons (CLI, page, POST /v1/questions) name the schemes as the answers do:
    RFPE (Pôle emploi) until 2023-12-31, RFFT (France Travail) from 2024-01-01 (loi 2023-1196)."""
    from fundrules.case import case_from_data
    from fundrules.intake import next_questions
    from fundrules.intake.rank import funder_names

    assert funder_names(python_engine, ["rfpe", "aif"], dt.date(2023, 12, 31)) == "RFPE, AIF"
    assert funder_names(python_engine, ["rfpe", "aif"], dt.date(2024, 1, 1)) == "RFFT, AIF"
    for day, named, other in (("2023-12-31", "RFPE", "RFFT"), ("2024-01-02", "RFFT", "RFPE")):
        seeker = {"date_demande": day, "beneficiaire": {"statut": "demandeur_emploi", "inscrit_pole_emploi": True}}
        reasons = " ".join(q.reason for q in next_questions(python_engine, case_from_data(seeker)).questions)
        assert named in reasons and other not in reasons
