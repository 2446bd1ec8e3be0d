"""Issue 24, documentation: the French guide for counsellors shows real outputs of the commands it
names (allowed to drift slightly as texts evolve, as the guide says), and the README points to it
and describes the YAML it really reads."""

from __future__ import annotations

import re
import shlex

import pytest

from .conftest import ROOT, run_cli

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


@pytest.mark.parametrize("verb", ["check", "plan"])
def test_the_outputs_in_the_guide_are_those_of_the_commands(verb):
    command = f"fundrules {verb} cases/examples/ancien-cdd-2018.yaml"
    done = run_cli(*shlex.split(command)[1:], "--engine", "python")
    assert done.returncode == 0, done.stderr
    shown = shown_after(command)
    for part in shown.split("[…]"):
        if part.strip():
            mostly_in(part, done.stdout)


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
