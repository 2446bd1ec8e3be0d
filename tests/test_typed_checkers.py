"""Issue 24: the types a case-management application sees, read by pyright (VS Code's checker) as
tests/test_contract.py reads them with plain `mypy --strict`: optional facts are optional
(`Field(default=None, …)`), plan statuses are closed sets, a library case file loads."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

CLIENT = Path(__file__).with_name("typed_client.py")


def _pyright() -> list[str]:
    """The pyright command, or a skip: it needs node and its package (fetched once, then offline)."""
    pyright = shutil.which("pyright") or str(Path(sys.executable).with_name("pyright"))
    if not os.path.exists(pyright):
        pytest.skip("pyright is not installed (pip install pyright)")
    try:
        probe = subprocess.run([pyright, "--version"], capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        probe = None
    if probe is None or probe.returncode != 0:
        pytest.skip("pyright cannot start here (no node, or its package cannot be fetched offline)")
    return [pyright]


def test_typed_client_passes_pyright():
    command = _pyright() + ["--pythonpath", sys.executable, str(CLIENT)]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 errors" in result.stdout
