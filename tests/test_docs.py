"""Issue 24, documentation: the French guide for counsellors shows real outputs of the commands it
names (allowed to drift slightly as texts evolve, as the guide says), and the README points to it
and describes the YAML it really reads."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess

import pytest

from .conftest import FUNDRULES, ROOT, run_cli

GUIDE = ROOT / "docs" / "conseillers.md"


def blocks(text: str) -> list[tuple[str, str]]:
    return re.findall(r"```(\w+)\n(.*?)\n```", text, re.S)


def shown_after(command: str) -> str:
    """The first ```text block after the ```sh block that runs `command`."""
    found = blocks(GUIDE.read_text(encoding="utf-8"))
    for index, (kind, body) in enumerate(found):
        if kind == "sh" and body.strip() == command:
            return next(b for k, b in found[index + 1 :] if k == "text")
    raise AssertionError(f"{command!r} is not in the guide")


def shown_all_after(command: str) -> list[str]:
    """Every output block (text, markdown) between the ```sh block that runs `command` and the next one."""
    found = blocks(GUIDE.read_text(encoding="utf-8"))
    for index, (kind, body) in enumerate(found):
        if kind == "sh" and body.strip() == command:
            shown = []
            for k, b in found[index + 1 :]:
                if k == "sh":
                    break
                if k in ("text", "markdown"):
                    shown.append(b)
            assert shown, f"no output shown after {command!r}"
            return shown
    raise AssertionError(f"{command!r} is not in the guide")


def commands(prefix: str) -> list[str]:
    found = blocks(GUIDE.read_text(encoding="utf-8"))
    return [b.strip() for k, b in found if k == "sh" and b.strip().startswith(prefix)]


def all_shown_in(command: str, output: str) -> None:
    for shown in shown_all_after(command):
        for part in shown.split("[…]"):
            if part.strip():
                mostly_in(part, output)


def mostly_in(shown: str, output: str) -> None:
    """Every line shown is in the output, but for a few (texts evolve; the guide says so)."""
    lines = [line for line in shown.splitlines() if line.strip() and line.strip() != "[…]"]
    missing = [line for line in lines if line not in output]
    assert len(missing) <= max(2, len(lines) // 5), missing
    assert lines[0] in output  # the heading at least


def test_the_guide_is_in_french_and_warns_that_outputs_may_differ():
    text = GUIDE.read_text(encoding="utf-8")
    assert text.startswith("# Guide pour les conseillères et conseillers")
    assert "peuvent différer légèrement" in text
    for section in ("Décrire la personne", "Lire la réponse", "bloqué", "vu", "requis", "à vérifier", "hors public"):
        assert section in text, section
    assert "réunion trimestrielle" in text and "fundrules meeting prepare" in text
    for told in (
        "fundrules interview",
        "fundrules interroger",
        "--enregistrer",
        "fundrules serve",
        "http://127.0.0.1:8000/",
        "](page-conseiller.png)",
        "fundrules meeting record",
        "fundrules replay",
        "--detail",
        "0 EUR si PRF accepte",
        "non encodée",
        "JJ/MM/AAAA",
        "virgule",
    ):
        assert told in text, told
    assert (ROOT / "docs" / "page-conseiller.png").is_file()


@pytest.mark.parametrize("verb", ["check", "plan"])
def test_the_outputs_in_the_guide_are_those_of_the_commands(verb):
    command = f"fundrules {verb} cases/examples/ancien-cdd-2018.yaml"
    done = run_cli(*shlex.split(command)[1:], "--engine", "python")
    assert done.returncode == 0, done.stderr
    shown = shown_after(command)
    for part in shown.split("[…]"):
        if part.strip():
            mostly_in(part, done.stdout)


@pytest.mark.parametrize("command", commands("fundrules check ") + commands("fundrules plan "))
def test_every_check_and_plan_shown_is_what_the_command_prints(command):
    """Every output block after a check or plan command of the guide (synthesis, --detail, other cases)."""
    done = run_cli(*shlex.split(command)[1:], "--engine", "python")
    assert done.returncode == 0, done.stderr
    all_shown_in(command, done.stdout)
    # the lines the guide explains word by word never drift
    explained = ("requis :", "vu :", " accepte", "non encodée", "couvre ", "QUI PEUT PAYER", "PLANS DE FINANCEMENT")
    for shown in shown_all_after(command):
        for line in shown.splitlines():
            if any(word in line for word in explained):
                assert line in done.stdout, line


def test_the_interview_shown_is_the_interview():
    (command,) = [c for c in commands("printf ") if "| fundrules interview" in c]
    answers, _, verb = command.partition(" | ")
    stdin = shlex.split(answers)[1].replace("\\n", "\n")
    assert stdin.count("\n") == 7 and stdin.endswith("fin\n")
    done = run_cli(*shlex.split(verb)[1:], "--engine", "python", stdin=stdin)
    assert done.returncode == 0, done.stderr
    all_shown_in(command, done.stdout)
    assert "> 12/03/2018" in done.stdout and "Évaluation au 12/03/2018" in done.stdout


def test_the_meeting_pack_shown_is_the_pack(tmp_path):
    (command,) = commands("fundrules meeting prepare ")
    args = shlex.split(command)[1:]
    args[args.index("--out") + 1] = str(tmp_path / "reunion")
    done = run_cli(*args, "--engine", "python")
    assert done.returncode == 0, done.stderr
    (pack,) = (tmp_path / "reunion").glob("*.md")
    text = pack.read_text(encoding="utf-8")
    all_shown_in(command, text)
    assert text.index("## Ordre du jour") < text.index("## Fiches") < text.index("Décision de la réunion")


def test_the_decision_recorded_and_replayed_as_shown(tmp_path):
    """On a copy of the quarter: the record command writes the decision, replay then counts it."""
    (record,) = commands("fundrules meeting record ")
    (replay,) = commands("fundrules replay ")
    quarter = tmp_path / "cases" / "24" / "2019-T2"
    shutil.copytree(ROOT / "cases" / "24" / "2019-T2", quarter)

    def run(command: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            FUNDRULES + shlex.split(command)[1:] + (["--engine", "python"] if "replay" in command else []),
            capture_output=True,
            text=True,
            cwd=tmp_path,
        )

    done = run(record)
    assert done.returncode == 0, done.stderr
    all_shown_in(record, done.stdout)
    written = (quarter / "cdd-transition-delai.yaml").read_text(encoding="utf-8")
    # the meeting of that case file is on 2019-06-20: the decision takes its date
    assert "decision:\n  date: 2019-06-20\n  decided: Demander l'abondement du CPF\n  by: Pôle emploi\n" in written
    done = run(replay)
    assert done.returncode == 0, done.stderr
    all_shown_in(replay, done.stdout)
    assert "2019-T2 : 1 issue(s) décidée(s)" in done.stdout


def test_the_template_shown_is_the_template():
    done = run_cli("case", "template")
    assert done.returncode == 0
    for kind, body in blocks(GUIDE.read_text(encoding="utf-8")):
        if kind == "text" and ("case template" in body or "duree_heures: ~" in body):
            for part in body.split("[…]"):
                if part.strip():
                    mostly_in(part, done.stdout)


def test_the_error_shown_is_the_error(tmp_path):
    text = GUIDE.read_text(encoding="utf-8")
    (error,) = [b for k, b in blocks(text) if k == "text" and b.startswith("Erreur :")]
    (tmp_path / "cas.yaml").write_text(
        "date_demande: 2018-03-12\nbeneficiaire:\n  statut: salarie\n  anciennete_mois: 30\n", encoding="utf-8"
    )
    done = run_cli("check", str(tmp_path / "cas.yaml"))
    assert done.returncode == 2
    assert done.stderr.strip() == error.replace("cas.yaml", str(tmp_path / "cas.yaml"), 1)


def test_the_readme_links_the_guides_and_describes_the_yaml_it_reads():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for link in ("docs/conseillers.md", "docs/api.md", "docs/compatibility.md"):
        assert f"]({link})" in readme, link
    assert "follows the 1.2 core schema" not in readme
    assert "`0o17`" in readme  # an octal number of the 1.2 core schema is text here
    from fundrules.source import parse_text

    for text in ("0o17", "0x1F40", "010", "1_200"):
        assert parse_text(f"a: {text}", "x.yaml").data == {"a": text}
