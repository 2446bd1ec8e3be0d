"""The repository is self-contained (issue 9): no tracked file points outside it, the fact vocabulary
is documented in docs/facts.md (checked against fundrules/facts.py), and the case library says
which cases are reconstructed from the Céreq study and which are illustrative."""

import subprocess
from pathlib import Path

import pytest

from fundrules import facts_doc
from fundrules.facts import FACTS

from .conftest import ROOT

FACTS_DOC = ROOT / "docs" / "facts.md"
STUDY_URL = "https://halshs.archives-ouvertes.fr/halshs-02890304"
PUBLIC_AGENT_CASES = {"agent-public.yaml", "agent-public-transition.yaml"}  # owned by the CPF branch


def tracked_files():
    try:
        out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    return [ROOT / name for name in out.decode().split("\0") if name]


def test_no_tracked_file_points_outside_the_repository():
    offenders = []
    for path in tracked_files():
        if not path.is_file() or path.suffix in (".png", ".svg") or path == Path(__file__):
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        if "../shared" in text or "shared/domain" in text or "shared/seed" in text:
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_facts_doc_follows_the_vocabulary():
    """docs/facts.md is byte for byte what `python -m fundrules.facts_doc` writes from fundrules/facts.py."""
    assert FACTS_DOC.read_bytes() == facts_doc.render().encode("utf-8")


def test_facts_doc_command_writes_the_page(tmp_path, capsys):
    target = tmp_path / "facts.md"
    assert facts_doc.main([str(target)]) == 0
    assert target.read_bytes() == FACTS_DOC.read_bytes()
    assert facts_doc.main(["-"]) == 0
    assert capsys.readouterr().out == FACTS_DOC.read_text(encoding="utf-8")
    assert facts_doc.main([str(tmp_path / "absent" / "facts.md")]) == 2  # writes nothing where no folder is
    assert not (tmp_path / "absent").exists()


def test_facts_doc_lists_every_fact_with_its_label():
    text = FACTS_DOC.read_text(encoding="utf-8")
    for fact in FACTS.values():
        assert f"| `{fact.path}` | {fact.kind} | {fact.label} |" in text


def library_cases(folder):
    return [p for p in sorted((ROOT / "cases" / folder).glob("*/*.yaml")) if p.name not in PUBLIC_AGENT_CASES]


def test_study_cases_say_they_are_reconstructed_with_the_public_reference():
    cases = library_cases("etude-territorialisee")
    assert len(cases) >= 30
    for path in cases:
        header = "".join(line for line in path.read_text(encoding="utf-8").splitlines(True) if line.startswith("#"))
        assert header.startswith("# Cas reconstitué d'après l'étude Céreq"), path.name
        assert "Céreq Études n° 22, mai 2019" in header and STUDY_URL in header and "p. " in header, path.name


def test_region_24_cases_say_they_are_illustrative():
    for path in library_cases("24"):
        assert path.read_text(encoding="utf-8").startswith("# Cas illustratif, non tiré de l'étude"), path.name


def test_every_bundled_funder_is_summarised_in_docs_rules():
    from fundrules import load_catalog

    summary = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    missing = [fid for fid in load_catalog().funders if f"`{fid}`" not in summary]
    assert missing == []
