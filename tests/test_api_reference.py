"""Issue 24: the API reference is generated from the docstrings by a standard tool (pdoc), offline,
with the very command docs/api.md gives."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys

import pytest

from .conftest import ROOT


def documented_command() -> list[str]:
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    (line,) = re.findall(r"^python -m pdoc .*$", text, re.M)
    return shlex.split(line)


def test_the_api_reference_builds_offline_from_the_docstrings(tmp_path):
    pytest.importorskip("pdoc")
    command = documented_command()
    assert command[-2] == "-o"
    out = tmp_path / "api"
    done = subprocess.run(
        [sys.executable, *command[1:-1], str(out)], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    for module in command[3:-2]:
        page = out / (module.replace(".", "/") + ".html")
        assert page.is_file(), f"{page} missing"
    main = (out / "fundrules.html").read_text(encoding="utf-8")
    for name in ("Engine", "load_case", "CaseInput", "Evaluation", "FunderResult", "Plan", "InputError"):
        assert f'id="{name}"' in main, name
    assert "Load a case from a YAML or JSON file" in main  # load_case's docstring
    bundled = (out / "fundrules" / "bundled.html").read_text(encoding="utf-8")
    assert "cases_dir" in bundled
    for page in out.rglob("*.html"):  # nothing to fetch to read it
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"<(script|link|img)[^>]+(src|href)=\"(https?:)?//", text), page
