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
        "jeune-metier-en-tension", "metier-non-prioritaire-2017", "permis-b-avant-mars",
        "salarie-cdi-anciennete-courte", "session-complete"]
    first = pack.agenda[0]
    assert first.profile[0] == ("Demandeur d'emploi, inscrit à Pôle emploi, 20 ans, dernier contrat : aucun ; "
                                "suivi par : Mission locale.")
    assert "prf (éligible)" in render_markdown(pack)


def test_cases_grouped_by_blocker_and_counts(pack):
    assert pack.by_blocker["prf · metier_en_tension"] == ["metier-non-prioritaire-2017"]
    # the three job seekers without a CDI, CDD or temp contract all stop at the CIF gates
    assert len(pack.by_blocker["cif · cdi.en_cdi"]) == 4
    assert pack.counts["cif"] == sum(len(v) for k, v in pack.by_blocker.items() if k.startswith("cif"))


def test_history_covers_the_last_four_quarters(pack):
    assert list(pack.history) == ["2016-T2", "2016-T4", "2017-T1"]
    assert pack.history["2016-T4"]["cpf · action_eligible"] == 2


def test_earlier_case_unblocked_by_the_2017_licence_rule(pack):
    assert [(u.case.id, u.funders) for u in pack.unblocked] == [("etude-territorialisee/2016-T4/permis-b-2016", ["cpf"])]


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
    ok = subprocess.run(run + ["--quarter", "2018-T2", "--out", str(tmp_path)], cwd=ROOT, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert (tmp_path / "reunion-etude-territorialisee-2018-T2.html").stat().st_size > 2000
    assert (tmp_path / "reunion-etude-territorialisee-2018-T2.md").read_text().startswith("# Réunion de niveau 3")
    missing = subprocess.run(run + ["--quarter", "2015-T1"], cwd=ROOT, capture_output=True, text=True)
    assert missing.returncode == 2 and "aucun cas soumis pour la réunion" in missing.stderr
    bad = subprocess.run(run + ["--quarter", "2018T2"], cwd=ROOT, capture_output=True, text=True)
    assert bad.returncode == 2 and "AAAA-Tn" in bad.stderr
