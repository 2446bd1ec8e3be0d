"""Streaming replay and evaluation: the same answers and the same report bytes as the list versions,
one case at a time (memory growth is measured by bench/run.py, not here)."""

import datetime as dt
import json
import os
import shutil
import subprocess
import sys

import pytest

from fundrules import InputError
from fundrules.library import CaseFiles, iter_replays, load_library_case, replay_cases
from fundrules.library.cases import LibraryCase, Meeting
from fundrules.library.replay import CaseReplay, Change, Difference
from fundrules.report.replay import ReplayJson, ReplayText, render_replay_text, replay_json

from .conftest import ROOT

CASES = ROOT / "cases"
T2 = CASES / "etude-territorialisee" / "2016-T2"


def fundrules(*args):
    env = {**os.environ, "COLUMNS": "80"}  # the text report fits this width
    command = [sys.executable, "-m", "fundrules_cli.app", *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env)


def _library():
    return [load_library_case(p, root=T2) for p in sorted(T2.glob("*.yaml"))]


@pytest.mark.parametrize("jobs", [1, 2])
def test_iter_replays_yields_every_case_in_order_without_the_full_evaluations(python_engine, jobs):
    files = CaseFiles([T2])
    replays = list(iter_replays(python_engine, files, dt.date(2019, 6, 1), jobs=jobs))
    assert [r.case.id for r in replays] == sorted(p.stem for p in T2.glob("*.yaml"))
    assert all(r.evaluation is None and r.meeting_evaluation is None for r in replays)
    listed = replay_cases(python_engine, _library(), dt.date(2019, 6, 1))
    assert [(r.statuses, r.changes) for r in replays] == [(r.statuses, r.changes) for r in listed]
    assert all(r.evaluation is not None for r in listed)  # the sequential list keeps them, as before


def test_case_files_read_each_case_only_when_asked(tmp_path):
    shutil.copy(T2 / "ancienne-cdd-fongecif.yaml", tmp_path / "a.yaml")
    (tmp_path / "b.yaml").write_text("meeting: [\n", encoding="utf-8")
    cases = CaseFiles([tmp_path])  # finding the files reads none of them
    assert len(cases) == 2
    assert cases[0].id == "a"
    with pytest.raises(InputError) as error:
        cases[1]
    assert error.value.file == str(tmp_path / "b.yaml") and error.value.line == 2


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_json_replay_stopped_by_an_invalid_case_still_parses_and_names_it(tmp_path, jobs):
    for path in sorted(T2.glob("*.yaml"))[:3]:
        shutil.copy(path, tmp_path / path.name)
    (tmp_path / "zz-illisible.yaml").write_text("meeting: [\n", encoding="utf-8")
    result = fundrules("replay", str(tmp_path), "--engine", "python", "--format", "json", "--jobs", jobs)
    assert result.returncode == 2
    document = json.loads(result.stdout)
    assert document["cases"] == 4 and len(document["results"]) == 3
    assert document["error"]["file"] == str(tmp_path / "zz-illisible.yaml") and document["error"]["line"] == 2
    text = fundrules("replay", str(tmp_path), "--engine", "python", "--jobs", jobs)
    assert text.returncode == 2 and text.stdout == ""  # the text report starts with counts: nothing was written
    assert text.stderr.startswith(f"Erreur : {tmp_path / 'zz-illisible.yaml'}, ligne 2")


@pytest.mark.parametrize("as_of, jobs", [(None, "1"), ("2019-06-01", "2")])
def test_streamed_json_is_one_json_dumps_of_the_whole_replay(python_engine, as_of, jobs):
    args = ["--as-of", as_of] if as_of else []
    result = fundrules("replay", str(T2), "--engine", "python", "--format", "json", "--jobs", jobs, *args)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert result.stdout == json.dumps(document, ensure_ascii=False, indent=2) + "\n"  # what was written at once
    day = dt.date.fromisoformat(as_of) if as_of else None
    listed = json.loads(replay_json(replay_cases(python_engine, _library(), day), day))
    assert document["results"] == listed["results"] and document["cases"] == len(listed["results"]) == 6
    assert document.get("matches") == (6 if as_of is None else None)


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_streamed_text_report_is_the_list_report(python_engine, fmt):
    result = fundrules("replay", str(T2), "--engine", "python", "--format", fmt, "--as-of", "2019-06-01", "--jobs", "2")
    assert result.returncode == 0, result.stderr
    from fundrules.french import short_name
    from fundrules.report.meeting import criterion_labels

    names = {fid: short_name(f.name) for fid, f in python_engine.catalog.funders.items()}
    replays = replay_cases(python_engine, _library(), dt.date(2019, 6, 1))
    expected = render_replay_text(
        replays, dt.date(2019, 6, 1), fmt == "markdown", names, criterion_labels(python_engine.catalog), width=80
    )
    assert result.stdout == expected


def _case(case_id: str) -> LibraryCase:
    meeting = Meeting(region="test", quarter="2016-T2", date=dt.date(2016, 6, 16))
    conclusion = {"outcome": "en_attente", "note": "test"}
    return LibraryCase(
        id=case_id, path="", meeting=meeting, problem="cas de test", case=None, conclusion=conclusion, expected={}
    )


def test_text_report_gives_counts_known_only_at_the_end():
    day = dt.date(2016, 6, 16)
    report = ReplayText(None, markdown=True, names={"cif": "CIF"})
    chunks = [report.start()]
    chunks.append(report.add(CaseReplay(_case("a"), day, {"cif": "eligible"})))
    difference = Difference("cif", "status", "blocked", "eligible", ["k (vu : x ; tient : True)"])
    chunks.append(report.add(CaseReplay(_case("b"), day, {"cif": "eligible"}, differences=[difference])))
    assert chunks == ["", "", ""] and report.mismatched == 1
    assert report.end() == (
        "# Rejeu de 2 cas aux règles de la date de leur réunion\n"
        "1 conformes à l'attendu, 1 avec des écarts.\n"
        "\n"
        "## b (réunion du 16/06/2016)\n"
        "- CIF : statut attendu bloqué, obtenu éligible\n"
        "  - critère k (vu : x ; tient : True)\n"
    )


def test_text_report_at_another_date_counts_gains_and_losses():
    later = dt.date(2019, 6, 1)
    report = ReplayText(later, markdown=True, names={"cif": "CIF"}, labels={"cif · x": "CIF · ancienneté"})
    gained = Change("cif", "blocked", "eligible", blockers_disappeared=["x"])
    lost = Change("cif", "eligible", "blocked", blockers_appeared=["x"])
    for case_id, changes in [("a", [gained]), ("b", []), ("c", [lost])]:
        report.add(CaseReplay(_case(case_id), later, {}, changes=changes))
    assert report.end() == (
        "# Rejeu de 3 cas aux règles du 01/06/2019\n"
        "2 cas changent : 1 financeurs gagnés, 1 financeurs perdus.\n"
        "\n"
        "## a (réunion du 16/06/2016 → 01/06/2019)\n"
        "- CIF : bloqué → éligible — gagné\n"
        "  - bloquant levé : ancienneté\n"
        "\n"
        "## c (réunion du 16/06/2016 → 01/06/2019)\n"
        "- CIF : éligible → bloqué — perdu\n"
        "  - bloquant apparu : ancienneté\n"
    )


def test_json_report_of_no_case_is_the_empty_summary():
    report = ReplayJson(0, None)
    assert report.start() + report.end() == json.dumps(
        {"cases": 0, "as_of": None, "results": [], "matches": 0}, ensure_ascii=False, indent=2
    )


def test_iter_evaluate_takes_streams_and_answers_as_evaluate_many(python_engine):
    library = _library()
    inputs, days = [c.case for c in library], [c.meeting.date for c in library]
    expected = python_engine.evaluate_many(inputs, as_of_each=days)
    streamed = python_engine.iter_evaluate((c for c in inputs), as_of_each=(d for d in days))
    assert next(streamed) == expected[0]  # one at a time
    assert [expected[0], *streamed] == expected
    assert list(python_engine.iter_evaluate(iter(inputs), jobs=2, as_of_each=iter(days))) == expected


def test_iter_evaluate_counts_dates_and_cases_of_streams(python_engine):
    case = _library()[0].case
    with pytest.raises(InputError, match="as_of_each : 2 dates pour 3 cas"):
        list(python_engine.iter_evaluate(iter([case] * 3), as_of_each=iter([dt.date(2016, 6, 1)] * 2)))
    with pytest.raises(InputError, match="as_of_each : 4 dates pour 2 cas"):
        list(python_engine.iter_evaluate(iter([case] * 2), as_of_each=iter([dt.date(2016, 6, 1)] * 4)))
