"""The meeting's decisions go back into the library: recorded, linted, replayed, shown in the next pack."""

import datetime as dt
import json
import shutil
import subprocess
import sys

import pytest

from fundrules import Engine, InputError
from fundrules.library import load_library_case
from fundrules.library.decisions import record_decision
from fundrules.library.replay import replay_case
from fundrules.report.meeting import prepare_meeting, render_html, render_markdown
from fundrules.report.replay import render_replay_text

from .conftest import ROOT

RULESETS = ROOT / "rulesets"
STUDY = ROOT / "cases" / "etude-territorialisee"


def fundrules(*args, cwd=ROOT):
    env_args = [sys.executable, "-m", "fundrules_cli.app", *args]
    return subprocess.run(env_args, capture_output=True, text=True, cwd=cwd)


@pytest.fixture(scope="module")
def engine():
    return Engine(RULESETS, backend="python")


@pytest.fixture
def library(tmp_path):
    """A copy of the study's 2018-T1 and 2018-T2 meetings, to write decisions into."""
    root = tmp_path / "cases"
    for quarter in ("2018-T1", "2018-T2"):
        shutil.copytree(STUDY / quarter, root / "etude-territorialisee" / quarter)
    return root


def test_a_recorded_decision_round_trips_through_lint_replay_and_the_next_pack(library, engine):
    # 2018-T1: the CDI nurse whose CIF was blocked; the meeting decided to try the CPF
    path = library / "etude-territorialisee" / "2018-T1" / "infirmiere-cif-un-an.yaml"
    before = path.read_text(encoding="utf-8")
    run = fundrules(
        "meeting",
        "record",
        str(path),
        "--decided",
        "Mobiliser le CPF de transition avec l'employeur",
        "--by",
        "Fongecif",
        "--funder",
        "cpf",
        "--rulesets",
        str(RULESETS),
    )
    assert run.returncode == 0, run.stderr
    text = path.read_text(encoding="utf-8")
    assert text.startswith(before.rstrip("\n"))  # comments and fields kept, the decision appended
    case = load_library_case(path, root=library)
    assert case.decision.decided == "Mobiliser le CPF de transition avec l'employeur"
    assert case.decision.date == case.meeting.date and case.decision.funders == ["cpf"]
    # case lint reads it
    lint = fundrules("case", "lint", str(library), "--rulesets", str(RULESETS))
    assert lint.returncode == 0, lint.stderr
    # the result known later, added on its own
    later = fundrules(
        "meeting", "record", str(path), "--result", "Formation financée par le CPF", "--rulesets", str(RULESETS)
    )
    assert later.returncode == 0, later.stderr
    case = load_library_case(path, root=library)
    assert case.decision.result == "Formation financée par le CPF" and case.decision.funders == ["cpf"]
    assert path.read_text(encoding="utf-8").count("decision:") == 1
    # replay at the 2018-T2 meeting's rules: the CPF was eligible for her then (expected of the case)
    replay = replay_case(engine, case, dt.date(2018, 6, 14))
    assert replay.decision.still_allowed and not replay.decision.contradicted
    report = render_replay_text([replay], dt.date(2018, 6, 14))
    assert "2018-T1 : 1 issue(s) décidée(s), dont 1 encore possible(s)" in report
    # the next meeting's pack lists it
    pack = prepare_meeting(engine, library, "etude-territorialisee", "2018-T2")
    assert [(c.id, check.still_allowed) for c, check in pack.decisions] == [
        ("etude-territorialisee/2018-T1/infirmiere-cif-un-an", True)
    ]
    assert "Mobiliser le CPF de transition avec l&#x27;employeur" in render_html(pack)
    assert "Toujours possible aux règles du 14/06/2018" in render_markdown(pack)


def test_replay_flags_a_decision_the_current_rules_contradict(library, engine):
    # the CIF disappeared on 31/12/2018 (loi du 5 septembre 2018): a decision to go to the CIF is
    # contradicted by the rules of 2019
    path = library / "etude-territorialisee" / "2018-T2" / "cdi-avant-reforme.yaml"
    record_decision(path, engine.catalog, decided="Déposer un CIF-CDI au Fongecif", by="Fongecif", funders=["cif"])
    case = load_library_case(path, root=library)
    replay = replay_case(engine, case, dt.date(2019, 6, 1))
    assert replay.decision.contradicted and [c.funder for c in replay.decision.closed] == ["cif"]
    assert replay.decision.closed[0].reason == "plus en vigueur"
    report = render_replay_text([replay], dt.date(2019, 6, 1))
    assert "Décisions contredites par les règles du 01/06/2019 (1 cas)" in report
    assert "2018-T2 : 1 issue(s) décidée(s), dont 0 encore possible(s)" in report
    json_run = fundrules("replay", str(path), "--as-of", "2019-06-01", "--format", "json", "--rulesets", str(RULESETS))
    document = json.loads(json_run.stdout)
    assert document["decisions"] == {"2018-T2": {"ways_out": 1, "still_allowed": 0}}
    assert document["results"][0]["decision"]["closed"][0]["funder"] == "cif"


def test_record_refuses_without_losing_the_file(library, engine):
    path = library / "etude-territorialisee" / "2018-T2" / "region-sans-places.yaml"
    before = path.read_bytes()
    for kwargs, message in [
        ({"decided": "Attendre la session", "by": "Région", "funders": ["prff"]}, "financeur inconnu : prff"),
        ({"decided": "Appeler Mme Dupont demain", "by": "Région"}, "civilité suivie d'un nom"),
        ({"decided": "Attendre", "by": "Région", "date": dt.date(2018, 1, 1)}, "antérieure à la réunion"),
        ({"decided": "Attendre"}, "manque : by"),
    ]:
        with pytest.raises(InputError, match=message):
            record_decision(path, engine.catalog, **kwargs)
        assert path.read_bytes() == before
    record_decision(path, engine.catalog, decided="Attendre la session suivante", by="Région", funders=["prf"])
    recorded = path.read_bytes()
    with pytest.raises(InputError, match="déjà enregistrée"):
        record_decision(path, engine.catalog, decided="Autre chose", by="Région")
    assert path.read_bytes() == recorded
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")]  # no temporary file left


def test_case_lint_refuses_a_hand_edited_decision(library):
    path = library / "etude-territorialisee" / "2018-T2" / "region-sans-places.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "decision:\n  date: 2018-06-14\n  decided: Attendre\n  by: Région\n  funders: [prff]\n")
    lint = fundrules("case", "lint", str(path), "--rulesets", str(RULESETS))
    assert lint.returncode == 1
    assert "ligne" in lint.stderr and "financeur inconnu « prff »" in lint.stderr
    path.write_text(text + "decision:\n  date: 2018-06-14\n  decidedd: Attendre\n  by: Région\n")
    lint = fundrules("case", "lint", str(path), "--rulesets", str(RULESETS))
    assert lint.returncode == 1 and "decidedd" in lint.stderr


def test_prepare_outside_a_checkout(tmp_path, library):
    run = [
        "meeting",
        "prepare",
        "--region",
        "etude-territorialisee",
        "--quarter",
        "2018-T2",
        "--rulesets",
        str(RULESETS),
    ]
    elsewhere = tmp_path / "ailleurs"  # a folder with no cases/ in it
    elsewhere.mkdir()
    missing = fundrules(*run, "--out", str(tmp_path / "out"), cwd=elsewhere)
    assert missing.returncode == 2
    assert "aucune bibliothèque de cas à cet endroit" in missing.stderr and "--cases" in missing.stderr
    assert str(ROOT / "cases") in missing.stderr  # where the bundled library is
    assert not (tmp_path / "out").exists()
    # any folder of cases: files not sorted by region and quarter
    loose = tmp_path / "mes-cas"
    loose.mkdir()
    for file in (library / "etude-territorialisee" / "2018-T2").glob("*.yaml"):
        shutil.copy(file, loose / file.name)
    ok = fundrules(*run, "--cases", str(loose), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert f"{len(list(loose.glob('*.yaml')))} cas" in ok.stdout  # every case of the folder, none other
    other = fundrules(*run[:2], "--region", "24", "--quarter", "2018-T2", "--cases", str(loose), cwd=tmp_path)
    assert other.returncode == 2 and "régions présentes : etude-territorialisee" in other.stderr


def test_replacing_a_decision_written_by_hand_in_the_middle_keeps_the_rest(library, engine):
    path = library / "etude-territorialisee" / "2018-T2" / "region-sans-places.yaml"
    text = path.read_text(encoding="utf-8")
    head, tail = text.split("expected:", 1)
    hand = "decision:\n  # noted during the meeting\n  date: 2018-06-14\n  decided: Attendre\n  by: Région\n"
    path.write_text(head + hand + "expected:" + tail, encoding="utf-8")
    record_decision(
        path, engine.catalog, decided="Session de janvier", by="Conseil régional", funders=["prf"], replace=True
    )
    case = load_library_case(path, root=library)
    assert case.decision.decided == "Session de janvier" and case.decision.funders == ["prf"]
    assert case.expected == load_library_case(STUDY / "2018-T2" / "region-sans-places.yaml").expected
    assert path.read_text(encoding="utf-8").count("decision:") == 1
