import os
import shutil
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RULESETS = ROOT / "rulesets"
EXAMPLES = ROOT / "cases" / "examples"


def _working_tree_first() -> None:
    """Tests (and the CLI subprocesses they start) import fundrules and the CLI (`cli/`, installed as
    fundrules_cli) from this working tree, never from a stale installed copy."""
    shim = Path(tempfile.mkdtemp(prefix="fundrules-tree-"))
    (shim / "fundrules_cli").symlink_to(ROOT / "cli", target_is_directory=True)
    paths = [str(shim), str(ROOT)]
    sys.path[:0] = paths
    os.environ["PYTHONPATH"] = os.pathsep.join(paths + [p for p in [os.environ.get("PYTHONPATH")] if p])


_working_tree_first()
# The catalog cache (fundrules/rulesets/cache.py) is off for the suite, CLI subprocesses included:
# nothing is written to the user's cache directory, and a test that patches the loader reads the
# rulesets again. tests/test_catalog_cache.py turns it on in temporary folders; setting
# FUNDRULES_NO_CACHE=0 (with FUNDRULES_CACHE_DIR) runs the whole suite through it.
os.environ.setdefault("FUNDRULES_NO_CACHE", "1")


@pytest.fixture(scope="session")
def python_engine():
    from fundrules import Engine

    return Engine(RULESETS, backend="python")


@pytest.fixture(scope="session")
def durable_engine():
    from fundrules import Engine
    from fundrules.engine import durable_backend

    if not durable_backend.available():
        pytest.skip("durable-rules is not importable on this interpreter")
    return Engine(RULESETS, backend="durable")


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    """The ruleset cache turned on, in a private folder of this test."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("FUNDRULES_NO_CACHE", "0")
    monkeypatch.setenv("FUNDRULES_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def ruleset_dir(tmp_path):
    """A copy of the bundled rulesets to break on purpose; returns a writer helper."""
    target = tmp_path / "rulesets"
    shutil.copytree(RULESETS, target, ignore=shutil.ignore_patterns("__pycache__", "__init__.py"))

    class Writer:
        root = target

        def write(self, relative: str, text: str) -> Path:
            path = target / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
            return path

        def edit(self, relative: str, old: str, new: str) -> Path:
            path = target / relative
            text = path.read_text(encoding="utf-8")
            assert old in text, f"{old!r} not in {relative}"
            path.write_text(text.replace(old, new, 1), encoding="utf-8")
            return path

    return Writer()


# --- test setup shared by several test files ---------------------------------------------------

FUNDRULES = [sys.executable, "-m", "fundrules_cli.app"]


def run_cli(*args, stdin=None, env=None):
    """The CLI of this working tree in a subprocess, warnings silenced; `env` adds variables."""
    import subprocess

    return subprocess.run(
        FUNDRULES + list(args),
        capture_output=True,
        text=True,
        input=stdin,
        cwd=ROOT,
        env={**os.environ, "PYTHONWARNINGS": "ignore", **(env or {})},
    )


# The course funders of issue 15 (employees, pre-hire training, VAE), checked on the examples in
# tests/test_funders_examples.py; older tests leave them out of their expectations.
ISSUE_15_COURSE_FUNDERS = frozenset(
    {
        "plan_employeur",
        "opco_pme",
        "periode_professionnalisation",
        "pro_a",
        "periode_reconversion",
        "poei",
        "afpr",
        "poec",
        "france_vae",
        "aide_vae_france_travail",
    }
)


def cdi_employee(operateur="fongecif", **projet):
    """A private-sector CDI employee in region 24, 40 months salaried and 20 in the firm, not BOETH, for a
    certifying course positioned beforehand (the CDI route of the CIF / CPF de transition holds); `projet` adds
    or replaces course facts. No `date_demande`: each test gives its own."""
    return {
        "operateur": operateur,
        "region": "24",
        "beneficiaire": {
            "statut": "salarie",
            "contrat": "cdi",
            "anciennete_salariee_mois": 40,
            "anciennete_entreprise_mois": 20,
            "secteur_public": False,
            "boeth": False,
        },
        "projet": {"type_action": "certification_rncp", "positionnement_prealable": True, **projet},
    }
