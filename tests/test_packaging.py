"""Issue 24, packaging: the sdist holds every file the suite and the documentation need, and a wheel
installed in a fresh virtualenv, outside the checkout, runs the README's first command and finds
the bundled case library (`meeting prepare`).

The build-and-install test takes a few minutes (a virtualenv, the build backend, the dependencies,
durable-rules compiled when pip has no wheel of it cached) and needs the package index: it runs
when FUNDRULES_PACKAGING_TEST=1 (CI sets it); the fast checks below always run.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tarfile
import tomllib
import venv
from pathlib import Path

import pytest

from fundrules import bundled

from .conftest import ROOT

README_FIRST = re.compile(r"pip install \. && (fundrules check \S+)")
SLOW = pytest.mark.skipif(
    os.environ.get("FUNDRULES_PACKAGING_TEST") != "1",
    reason="builds and installs the package (minutes, package index): set FUNDRULES_PACKAGING_TEST=1",
)
NOT_IN_SDIST = {".gitignore"}  # tracked files an sdist does not need


def readme_first_command() -> list[str]:
    match = README_FIRST.search((ROOT / "README.md").read_text(encoding="utf-8"))
    assert match, "the README's quick start no longer installs with `pip install . && fundrules check …`"
    return match.group(1).split()


def tracked_files() -> list[str]:
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout (an unpacked sdist): nothing to compare the sdist with")
    done = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True)
    return [name for name in done.stdout.decode().split("\0") if name and (ROOT / name).is_file()]


def test_the_bundled_library_is_found_in_a_checkout():
    assert bundled.cases_dir() == ROOT / "cases"
    assert (bundled.examples_dir() / "ancien-cdd-2018.yaml").is_file()
    assert bundled.bundled_case("cases/examples/ancien-cdd-2018.yaml") == ROOT / "cases/examples/ancien-cdd-2018.yaml"
    for outside in ("cases/../pyproject.toml", "/etc/passwd", "examples/ancien-cdd-2018.yaml", "cases/absent.yaml"):
        assert bundled.bundled_case(outside) is None


def test_the_wheel_declares_the_bundled_cases_and_the_sdist_the_docs():
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert "fundrules.bundled_cases" in setuptools["packages"]
    assert setuptools["package-dir"]["fundrules.bundled_cases"] == "cases"
    assert "**/*.yaml" in setuptools["package-data"]["fundrules.bundled_cases"]
    manifest = (ROOT / "MANIFEST.in").read_text(encoding="utf-8")
    assert "recursive-include docs *.md" in manifest


def test_the_readme_first_command_names_a_bundled_case():
    command = readme_first_command()
    assert bundled.bundled_case(command[-1]) is not None


def test_a_case_named_as_in_the_readme_is_read_from_the_bundle_outside_a_checkout(tmp_path):
    """From any folder, `fundrules check cases/examples/…` reads the bundled copy and says so."""
    from .conftest import FUNDRULES

    done = subprocess.run(
        FUNDRULES + readme_first_command()[1:] + ["--engine", "python"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    assert done.returncode == 0, done.stderr
    assert "Cas livré avec fundrules" in done.stderr and "ancien-cdd-2018.yaml" in done.stderr
    assert "Évaluation au 12/03/2018" in done.stdout
    own = tmp_path / "cases" / "examples"
    own.mkdir(parents=True)
    (own / "ancien-cdd-2018.yaml").write_text("date_demande: 2019-01-02\n", encoding="utf-8")
    done = subprocess.run(
        FUNDRULES + readme_first_command()[1:] + ["--engine", "python"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and "Cas livré" not in done.stderr  # a file of the user's always wins
    assert "Évaluation au 02/01/2019" in done.stdout


def _run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    # The suite's conftest puts the checkout on PYTHONPATH: pip would then find the checkout's
    # fundrules.egg-info and skip the install ("already satisfied"), so no run here inherits it.
    kwargs.setdefault("env", {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "FUNDRULES_RULESETS")})
    done = subprocess.run(command, capture_output=True, text=True, timeout=1800, **kwargs)
    assert done.returncode == 0, f"{command}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@SLOW
def test_wheel_in_a_fresh_virtualenv_runs_the_readme_and_the_sdist_is_complete(tmp_path):
    tracked = tracked_files()
    source = tmp_path / "source"  # the tracked files only: nothing built lands in the checkout
    for name in tracked:
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    builder = tmp_path / "builder"
    venv.create(builder, with_pip=True)
    _run([str(builder / "bin" / "python"), "-m", "pip", "install", "-q", "build"])
    dist = tmp_path / "dist"
    _run([str(builder / "bin" / "python"), "-m", "build", "--outdir", str(dist), str(source)])  # sdist, wheel from it

    (sdist,) = dist.glob("fundrules-*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    missing = sorted(set(tracked) - names - NOT_IN_SDIST)
    assert missing == [], f"tracked files missing from the sdist: {missing[:20]}"

    target = tmp_path / "fresh"
    venv.create(target, with_pip=True)
    (wheel,) = dist.glob("fundrules-*.whl")
    _run([str(target / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)])
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "FUNDRULES_RULESETS")}
    command = readme_first_command()
    done = _run([str(target / "bin" / command[0]), *command[1:]], cwd=elsewhere, env=env)
    assert "Évaluation au 12/03/2018" in done.stdout and "Cas livré avec fundrules" in done.stderr
    where = _run([str(target / "bin" / "python"), "-m", "fundrules.bundled"], cwd=elsewhere, env=env).stdout.strip()
    assert Path(where).is_relative_to(target) and (Path(where) / "24").is_dir()
    _run(
        [str(target / "bin" / "fundrules"), "meeting", "prepare", "--region", "24", "--quarter", "2019-T2"]
        + ["--out", str(elsewhere / "reunion"), "--cases", where, "--engine", "python"],
        cwd=elsewhere,
        env=env,
    )
    assert list((elsewhere / "reunion").rglob("*.md")) and list((elsewhere / "reunion").rglob("*.html"))

    unpacked = tmp_path / "unpacked"
    with tarfile.open(sdist) as archive:
        archive.extractall(unpacked, filter="data")
    (root,) = unpacked.iterdir()
    docs_tests = [  # the tests that read the documentation and the files around the code
        "tests/test_self_contained.py",
        "tests/test_readme.py",
        "tests/test_format_doc.py",
        "tests/test_docs.py",
        "tests/test_api_reference.py",
        "tests/test_months_and_bounds.py",
    ]
    _run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *docs_tests], cwd=root, env=env)
