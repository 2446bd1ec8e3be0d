"""`fundrules interview` end to end with piped answers (one per line), and Ctrl-C writing nothing."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import time

import pytest
import yaml

from fundrules.intake.answers import AnswerError, parse_answer
from fundrules.intake.model import Choice, Question

from .conftest import FUNDRULES, ROOT, run_cli

START = """\
date_demande: 2018-03-12
operateur: mission_locale
region: "24"
beneficiaire:
  statut: demandeur_emploi
projet:
  type_action: certification_rncp
  duree_heures: 300
  cout_pedagogique: 2900
  date_debut: 2018-05-14
"""


@pytest.fixture
def start(tmp_path):
    path = tmp_path / "depart.yaml"
    path.write_text(START, encoding="utf-8")
    return path


def test_scripted_session(start, tmp_path):
    saved = tmp_path / "recueilli.yaml"
    answers = "peut-être\nnon\nje ne sais pas\nretour\nje ne sais pas\nfin\n"
    result = run_cli("interview", str(start), "--enregistrer", str(saved), stdin=answers)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    # registration is a triage fact and the only one unknown: asked first
    assert "1. La personne est-elle inscrite comme demandeuse d'emploi" in out
    # a wrong value: refused with the allowed values, asked again
    assert "Réponse refusée : « peut-être » n'est ni oui ni non. Réponses possibles : oui ou non." in out
    # the AIF is for registered job seekers (its scope): "non" puts the person outside its public
    assert "  AIF : hors public" in out
    second = [line for line in out.splitlines() if line.startswith("2. ")]
    assert len(second) == 2 and second[0] == second[1]  # "retour" undid the skip: the same question again
    assert out.count("Laissé inconnu.") == 2 and "Retour à la question précédente." in out
    # the check text of the case collected follows the questions, the same as `fundrules check` prints
    check = run_cli("check", str(saved))
    assert check.returncode == 0, check.stderr
    body = "\nRégion :" + check.stdout.split("\nRégion :", 1)[1]  # the heading names the file checked
    assert "QUI PEUT PAYER" in body and out.split("Cas écrit : ")[0].rstrip("\n").endswith(body.rstrip("\n"))
    written = yaml.safe_load(saved.read_text(encoding="utf-8"))
    assert written["beneficiaire"] == {"statut": "demandeur_emploi", "inscrit_pole_emploi": False}
    assert written["projet"]["duree_heures"] == 300 and written["date_demande"] == dt.date(2018, 3, 12)


def test_values_in_french(start):
    # the start case without its date: the date is asked first, as JJ/MM/AAAA
    text = START.replace("date_demande: 2018-03-12\n", "")
    start.write_text(text, encoding="utf-8")
    result = run_cli("interroger", str(start), stdin="31/02/2018\n12/03/2018\nfin\n")
    assert result.returncode == 0, result.stderr
    assert "1. À quelle date la demande de financement est-elle faite ? (JJ/MM/AAAA)" in result.stdout
    assert "« 31/02/2018 » n'est pas une date du calendrier" in result.stdout
    assert "Évaluation au 12/03/2018" in result.stdout


def test_end_of_input_ends_the_session_and_nothing_is_written_without_the_option(start, tmp_path):
    result = run_cli("interview", str(start), stdin="")
    assert result.returncode == 0, result.stderr
    assert "(fin des réponses)" in result.stdout and "QUI PEUT PAYER" in result.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["depart.yaml"]


def test_existing_file_refused_before_any_question(start, tmp_path):
    saved = tmp_path / "deja.yaml"
    saved.write_text("x: 1\n", encoding="utf-8")
    result = run_cli("interview", str(start), "--enregistrer", str(saved), stdin="non\n")
    assert result.returncode == 2
    assert "existe déjà" in result.stderr and "1. " not in result.stdout
    assert saved.read_text(encoding="utf-8") == "x: 1\n"
    result = run_cli("interview", "-", stdin="non\n")
    assert result.returncode == 2 and "entrée standard" in result.stderr


def _terminal_interrupt() -> None:
    """The child as a terminal starts it: Ctrl-C kills by default. A test run started in the background
    by a non-interactive shell inherits SIGINT ignored (POSIX), and Python then keeps it ignored."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_writes_nothing(start, tmp_path):
    saved = tmp_path / "recueilli.yaml"
    process = subprocess.Popen(
        FUNDRULES + ["interview", str(start), "--enregistrer", str(saved)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
        preexec_fn=_terminal_interrupt,
    )
    assert process.stdin and process.stdout
    process.stdin.write("non\n")  # one answer given, then the counsellor presses Ctrl-C
    process.stdin.flush()
    seen = ""
    deadline = time.monotonic() + 60
    while "2. " not in seen and time.monotonic() < deadline:
        seen += process.stdout.readline()
    assert "2. " in seen  # waiting for the second answer
    process.send_signal(signal.SIGINT)
    # stdin stays open until the process has ended: `communicate()` would close it at once, and an
    # interview that read the end of its input before handling the signal would end normally
    process.wait(timeout=30)
    err = process.stderr.read() if process.stderr else ""
    process.stdin.close()
    assert process.returncode == 130, err
    assert "Interrompu." in err and "Traceback" not in err
    assert not saved.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["depart.yaml"]


NUMBER = Question(
    fact="projet.cout_pedagogique",
    question="?",
    type="number",
    unit="euros",
    minimum=0,
    funders=[],
    triage=True,
    jointly=False,
    reason="",
)


def test_parse_answers():
    assert parse_answer(NUMBER, "1 234,5") == 1234.5
    assert parse_answer(NUMBER, "7\u202f200") == 7200
    with pytest.raises(AnswerError):
        parse_answer(NUMBER, "-3")
    with pytest.raises(AnswerError):
        parse_answer(NUMBER, "douze")
    months = NUMBER.model_copy(update={"type": "int", "maximum": 12})
    assert parse_answer(months, "12") == 12
    for bad in ("12,5", "13"):
        with pytest.raises(AnswerError):
            parse_answer(months, bad)
    status = NUMBER.model_copy(
        update={
            "type": "enum",
            "choices": [Choice(value="salarie", label="salarié"), Choice(value="agent_public", label="agent public")],
        }
    )
    assert parse_answer(status, "2") == "agent_public"
    assert parse_answer(status, "Salarie") == "salarie"
    assert parse_answer(status, "agent_public") == "agent_public"
    yes_no = NUMBER.model_copy(update={"type": "bool"})
    assert parse_answer(yes_no, " OUI ") is True and parse_answer(yes_no, "n") is False
    date = NUMBER.model_copy(update={"type": "date"})
    assert parse_answer(date, "1/3/2018") == dt.date(2018, 3, 1)


def test_text_answers_refuse_control_characters_and_personal_data():
    from fundrules import Engine
    from fundrules.errors import InputError
    from fundrules.intake.session import Interview

    text = NUMBER.model_copy(update={"type": "string", "unit": None, "minimum": None})
    with pytest.raises(AnswerError):
        parse_answer(text, "B\x1b[2J")
    with pytest.raises(AnswerError):
        parse_answer(text, "B\u202e")
    interview = Interview(Engine(backend="python"), {"date_demande": "2024-03-12"})
    with pytest.raises(InputError):
        interview.answer("projet.categorie_permis", "jean.dupont@exemple.fr")
    assert "projet" not in interview.data  # refused: nothing kept
    assert interview.answer("projet.categorie_permis", "B") is not None
    assert interview.data["projet"] == {"categorie_permis": "B"}
