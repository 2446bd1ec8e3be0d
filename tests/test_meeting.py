import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from fundrules import Engine
from fundrules.escape import escape_html
from fundrules.report.meeting import chart_svg, prepare_meeting, render_html, render_markdown

from .conftest import ROOT

CASES = ROOT / "cases"


@pytest.fixture(scope="module")
def pack():
    return prepare_meeting(Engine(ROOT / "rulesets", backend="python"), CASES, "etude-territorialisee", "2017-T1")


def test_agenda_lists_the_submitted_cases_with_profile_and_possible_funders(pack):
    assert [i.case.id.rsplit("/", 1)[1] for i in pack.agenda] == [
        "jeune-metier-en-tension",
        "metier-non-prioritaire-2017",
        "permis-b-avant-mars",
        "salarie-cdi-anciennete-courte",
        "session-complete",
    ]
    first = pack.agenda[0]
    assert first.profile[0] == (
        "Demandeur d'emploi, inscrit à Pôle emploi, 20 ans, dernier contrat : aucun ; suivi par : Mission locale."
    )
    card = render_markdown(pack).split("### 1. ", 1)[1].split("### 2. ", 1)[0]
    assert "- ✔ Éligibles : PRF" in card


def test_cases_grouped_by_blocker_and_counts(pack):
    assert pack.by_blocker["prf · metier_en_tension"] == ["metier-non-prioritaire-2017"]
    # job seekers without a CDI, CDD or temp contract are outside every CIF route's public: no dead end
    assert not any(key.startswith("cif · cdi.en_cdi") for key in pack.by_blocker)
    assert pack.counts["cif"] == sum(len(v) for k, v in pack.by_blocker.items() if k.startswith("cif"))


def test_history_covers_the_last_four_quarters(pack):
    assert list(pack.history) == ["2016-T2", "2016-T4", "2017-T1"]
    assert pack.history["2016-T4"]["cpf · action_eligible"] == 2


def test_earlier_case_unblocked_by_the_2017_licence_rule(pack):
    assert [(u.case.id, u.funders) for u in pack.unblocked] == [
        ("etude-territorialisee/2016-T4/permis-b-2016", ["cpf"])
    ]


def test_html_is_self_contained_and_the_chart_is_valid_svg(pack):
    page = render_html(pack)
    assert "<script" not in page and "<link" not in page and not re.search(r'src="https?:', page)
    svg = chart_svg(pack)
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    assert len([e for e in root.iter() if e.tag.endswith("rect")]) > 3
    assert "Bloquants récurrents" in page and "permis-b-2016" in page


def test_cli_writes_both_files_and_refuses_an_unknown_meeting(tmp_path):
    run = [sys.executable, "-m", "fundrules_cli.app", "meeting", "prepare", "--region", "etude-territorialisee"]
    ok = subprocess.run(
        run + ["--quarter", "2018-T2", "--out", str(tmp_path)], cwd=ROOT, capture_output=True, text=True
    )
    assert ok.returncode == 0, ok.stderr
    assert (tmp_path / "reunion-etude-territorialisee-2018-T2.html").stat().st_size > 2000
    assert (tmp_path / "reunion-etude-territorialisee-2018-T2.md").read_text().startswith("# Réunion de niveau 3")
    # the region by name, never its folder's slug
    assert (
        "# Réunion de niveau 3 — région « territorialisée » de l'étude Céreq, 2018-T2"
        in (tmp_path / "reunion-etude-territorialisee-2018-T2.md").read_text()
    )
    missing = subprocess.run(run + ["--quarter", "2015-T1"], cwd=ROOT, capture_output=True, text=True)
    assert missing.returncode == 2 and "aucun cas soumis pour la réunion" in missing.stderr
    bad = subprocess.run(run + ["--quarter", "2018T2"], cwd=ROOT, capture_output=True, text=True)
    assert bad.returncode == 2 and "AAAA-Tn" in bad.stderr


@pytest.fixture(scope="module")
def pack_2018():
    return prepare_meeting(Engine(ROOT / "rulesets", backend="python"), CASES, "etude-territorialisee", "2018-T2")


def test_2018_pack_counts_only_blockers_of_schemes_the_person_belongs_to(pack_2018):
    # Agefiph is for BOETH (L5212-13): people with boeth false are outside its public, not blocked by it
    assert not any(key.startswith("agefiph · boeth") for key in pack_2018.by_blocker)
    for quarter in pack_2018.history.values():
        assert quarter["agefiph · boeth"] == 0 and quarter["aif · inscrit_pole_emploi"] == 0
    # the CDD job seeker: AIF (registered, project not validated) is a real dead end
    assert "cdd-avant-reforme" in pack_2018.by_blocker["aif · projet_valide"]


def test_markdown_and_html_say_the_same_per_case(pack_2018):
    markdown, page = render_markdown(pack_2018), render_html(pack_2018)
    for title in (
        "Situation",
        "Candidats",
        "Impasse",
        "Bloqués",
        "Issue proposée",
        "Qui décide",
        "Prochaines actions",
        "Ce qui débloquerait",
        "Ressources pendant la formation",
    ):
        assert f"**{title} :**" in markdown and f"<dt>{title}</dt>" in page
    # nine cases in 2018-T2: the five of the study's meeting, the promise of hiring (issue 15), one
    # income case (issue 14) and two situations of issue 22
    assert markdown.count("_Hors public : ") == page.count("Hors public : ") == 9
    assert "Hors public : AFPR (demandeurs d'emploi inscrits, sur une offre d'emploi déposée), Agefiph" in markdown
    # every case heading of the Markdown is an article of the page
    assert markdown.split("## Fiches", 1)[1].count("\n### ") == page.count("<article ") == len(pack_2018.agenda)


def test_html_escapes_values_and_fits_a_phone(pack_2018, tmp_path):
    import dataclasses

    item = pack_2018.agenda[0]
    case = item.case.model_copy(update={"problem": "<script>alert(1)</script> & *gras* [lien](x)"})
    hostile = dataclasses.replace(pack_2018, agenda=[dataclasses.replace(item, case=case)])
    page, markdown = render_html(hostile), render_markdown(hostile)
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp;" in page
    assert r"\*gras\*" in markdown and r"\[lien\](x)" in markdown and "<script>" not in markdown
    # seen at 390 px in Chromium: without a viewport the page was drawn at 980 px and shrunk; the chart
    # overflowed the screen; long source titles pushed the page sideways
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "svg{max-width:100%" in page and "overflow-wrap:anywhere" in page
    assert not re.search(
        r'(src|href)="(?!https?://|#cas-\d+")', page
    )  # no local resource either (links within the page)


def test_chart_scales_down_and_names_blockers_by_their_labels(pack_2018):
    root = ET.fromstring(chart_svg(pack_2018))
    # Chromium at 390 px clipped the chart until it had a viewBox the page could shrink
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    texts = ["".join(t.itertext()) for t in root.iter() if t.tag.endswith("text")]
    assert any(t.startswith("PRF · Session achetée par la Région") for t in texts)
    assert not any("_" in t for t in texts)  # no criterion code


# --- issue 26: a pack that leads to decisions ----------------------------------------------------


def _sections(text: str, heads: list[str]) -> list[int]:
    return [text.index(h) for h in heads]


def test_agenda_comes_first_then_the_summary_then_the_cards(pack_2018):
    markdown, page = render_markdown(pack_2018), render_html(pack_2018)
    positions = _sections(markdown, ["## Ordre du jour", "## Synthèse du trimestre", "## Fiches"])
    assert positions == sorted(positions)
    positions = _sections(page, ['id="ordre-du-jour"', 'id="synthese"', 'id="fiches"'])
    assert positions == sorted(positions) and page.index("<article") > positions[-1]
    agenda = markdown.split("## Ordre du jour", 1)[1].split("## Synthèse", 1)[0]
    lines = [line for line in agenda.splitlines() if line.strip()]
    assert len(lines) == len(pack_2018.agenda)  # one line per case
    # the case whose regional session is full and whose CPF balance is short: no plan, an impasse
    full = next(line for line in lines if "Session régionale métier en tension mais complète" in line)
    assert "issue proposée : impasse" in full and "décide : " in full
    # the CDD job seeker of 2018: the CIF-CDD, decided by the Fongecif (or OPACIF)
    cdd = next(line for line in lines if "le CIF existe-t-il encore" in line)
    assert "issue proposée : CIF" in cdd and "décide : CIF : Fongecif ou OPACIF" in cdd


def test_each_card_is_titled_by_its_question_and_has_every_field_and_an_empty_decision_block(pack_2018):
    page = render_html(pack_2018)
    articles = page.split("<article ")[1:]
    assert len(articles) == len(pack_2018.agenda)
    for n, (item, article) in enumerate(zip(pack_2018.agenda, articles, strict=True), 1):
        assert f"<h3>{n}. {escape_html(item.case.problem)}</h3>" in article
        for field in ("Situation", "Candidats", "Issue proposée", "Qui décide", "Prochaines actions"):
            assert f"<dt>{field}</dt>" in article
        assert "<dt>Ressources pendant la formation</dt>" in article
        assert '<div class="decision"><strong>Décision de la réunion / qui fait quoi</strong>' in article
    markdown = render_markdown(pack_2018)
    assert markdown.count("**Décision de la réunion / qui fait quoi :**") == len(pack_2018.agenda)
    assert "### 1. boeth-salarie-cdi" not in markdown  # no longer titled by file name


def test_eligible_and_to_check_candidates_look_different(pack_2018):
    page = render_html(pack_2018)
    # the BOETH employee in CDI: CPF and Agefiph eligible; the employer's plan needs the employer's consent
    card = page.split("<article ")[1]
    assert '<span class="st eligible">CPF (✔ éligible)</span>' in card
    assert '<span class="st verifier">Plan de formation de l' in card and "(? à vérifier)" in card
    css = dict(re.findall(r"\.(eligible|verifier)\{([^}]*)\}", page))
    assert css["eligible"] != css["verifier"] and "dashed" in css["verifier"]


def test_no_blocker_of_a_scheme_the_person_is_not_for(pack_2018):
    # no hiring promise (AFPR, POEI), no POEC session, no employer (employer's plan): out of scope or
    # scope to establish, never counted as a blocker of the case
    for key in list(pack_2018.by_blocker) + [k for q in pack_2018.history.values() for k in q]:
        # an employee whose employer refuses is in the employer plan's public: that blocker counts
        assert key.split(" · ")[0] not in ("afpr", "poei", "poec"), key
        assert key not in ("plan_employeur · salarie", "plan_employeur · secteur_prive"), key


def test_2018_top_blockers_are_the_study_subjects(pack_2018):
    from fundrules.report.meeting import INCOME, _top

    top = [key for key, _count in _top(pack_2018)]
    # Céreq study (2019): CPF of job seekers only Pôle emploi can mobilise; CIF seniority; the regional
    # plan's places; no income during a long course
    for subject in ("cpf · solde_ou_accord_pole_emploi", "cif · cdi.anciennete_salariee", INCOME):
        assert subject in top, subject
    assert any(key.startswith("prf · ") for key in top[:3])
    # the 400-hour limits of pre-hire training are gone (the CIF's own maximum length may stay)
    assert not any(key.split(" · ")[0] in ("afpr", "poei", "poec") for key in top)


def test_what_changed_in_the_rules_since_the_last_meeting(pack):
    # the 2017 regional plan of the study's region refocused on shortage occupations (study, 3038-3044)
    assert pack.previous_date.isoformat() == "2016-12-08"
    prf = next(c for c in pack.rule_changes if c.funder == "PRF")
    assert "critère ajouté : Métier en tension" in prf.lines
    assert not any("etude-fusionnee" in line for line in prf.lines)  # other regions' plans are not ours
    markdown = render_markdown(pack)
    assert "### Ce qui a changé dans les règles depuis la dernière réunion (08/12/2016 → 16/03/2017)" in markdown


def test_a_region_is_named_and_the_first_meeting_says_there_is_nothing_to_compare():
    pack = prepare_meeting(Engine(ROOT / "rulesets", backend="python"), CASES, "24", "2019-T2")
    markdown = render_markdown(pack)
    assert markdown.startswith("# Réunion de niveau 3 — Centre-Val de Loire, 2019-T2 (20/06/2019)")
    assert "pas de réunion précédente" in markdown


def test_page_prints_one_card_per_page_and_loads_nothing(pack_2018):
    page = render_html(pack_2018)
    assert "@media print" in page
    print_css = page.split("@media print", 1)[1]
    assert re.search(r"article\{[^}]*break-before:page", print_css)
    for resource in ("<script", "<link", "<img", "<iframe", "@import", "url(", " src="):
        assert resource not in page


def test_chart_fits_a_phone_with_full_labels(pack_2018):
    from fundrules.report.meeting import _blocker_label, _top

    root = ET.fromstring(chart_svg(pack_2018))
    assert int(root.get("width")) <= 360  # at 390 px the page leaves about 360 px: drawn at full size
    texts = [" ".join(t.itertext()) for t in root.iter() if t.tag.endswith("text")]
    joined = " ".join(texts)
    for key, _count in _top(pack_2018):
        assert _blocker_label(pack_2018, key) in joined  # wrapped over lines, never cut
    assert "…" not in joined
