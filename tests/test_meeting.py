import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from fundrules import Engine
from fundrules.report.meeting import chart_svg, prepare_meeting, render_html, render_markdown

from .conftest import ROOT

CASES = ROOT / "cases"


@pytest.fixture(scope="module")
def pack():
    return prepare_meeting(Engine(backend="python"), CASES, "etude-territorialisee", "2017-T1")


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
    assert "**Candidats :** PRF (éligible)" in render_markdown(pack)


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
    assert "Bloquants les plus fréquents" in page and "permis-b-2016" in page


def test_cli_writes_both_files_and_refuses_an_unknown_meeting(tmp_path):
    run = [sys.executable, "-m", "fundrules_cli.app", "meeting", "prepare", "--region", "etude-territorialisee"]
    ok = subprocess.run(
        run + ["--quarter", "2018-T2", "--out", str(tmp_path)], cwd=ROOT, capture_output=True, text=True
    )
    assert ok.returncode == 0, ok.stderr
    assert (tmp_path / "reunion-etude-territorialisee-2018-T2.html").stat().st_size > 2000
    assert (tmp_path / "reunion-etude-territorialisee-2018-T2.md").read_text().startswith("# Réunion de niveau 3")
    missing = subprocess.run(run + ["--quarter", "2015-T1"], cwd=ROOT, capture_output=True, text=True)
    assert missing.returncode == 2 and "aucun cas soumis pour la réunion" in missing.stderr
    bad = subprocess.run(run + ["--quarter", "2018T2"], cwd=ROOT, capture_output=True, text=True)
    assert bad.returncode == 2 and "AAAA-Tn" in bad.stderr


@pytest.fixture(scope="module")
def pack_2018():
    return prepare_meeting(Engine(backend="python"), CASES, "etude-territorialisee", "2018-T2")


def test_2018_pack_counts_only_blockers_of_schemes_the_person_belongs_to(pack_2018):
    # Agefiph is for BOETH (L5212-13): people with boeth false are outside its public, not blocked by it
    assert not any(key.startswith("agefiph · boeth") for key in pack_2018.by_blocker)
    for quarter in pack_2018.history.values():
        assert quarter["agefiph · boeth"] == 0 and quarter["aif · inscrit_pole_emploi"] == 0
    # the CDD job seeker: AIF (registered, project not validated) is a real dead end
    assert "cdd-avant-reforme" in pack_2018.by_blocker["aif · projet_valide"]


def test_markdown_and_html_say_the_same_per_case(pack_2018):
    markdown, page = render_markdown(pack_2018), render_html(pack_2018)
    for title in ("Question", "Situation", "Candidats", "Impasse", "Plan", "Ce qui débloquerait"):
        assert f"**{title} :**" in markdown and f"<dt>{title}</dt>" in page
    # nine cases in 2018-T2: the five of the study's meeting, the promise of hiring (issue 15), one
    # income case (issue 14) and two situations of issue 22
    assert markdown.count("Hors public : ") == page.count("Hors public : ") == 9
    assert "Hors public : AFPR (demandeurs d'emploi inscrits, sur une offre d'emploi déposée), Agefiph" in markdown
    # every case heading of the Markdown is an article of the page
    assert markdown.count("\n### ") == page.count("<article>") == len(pack_2018.agenda)


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
    assert not re.search(r'(src|href)="(?!https?://)', page)  # no local resource either


def test_chart_scales_down_and_names_blockers_by_their_labels(pack_2018):
    root = ET.fromstring(chart_svg(pack_2018))
    # Chromium at 390 px clipped the chart until it had a viewBox the page could shrink
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    texts = ["".join(t.itertext()) for t in root.iter() if t.tag.endswith("text")]
    assert any(t.startswith("PRF · Session achetée par la Région") for t in texts)
    assert not any("_" in t for t in texts)  # no criterion code
