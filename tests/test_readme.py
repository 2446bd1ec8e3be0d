import re
import subprocess
import sys

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def shell_blocks():
    return re.findall(r"```sh\n(.*?)\n```", README, re.S)


def test_quick_start_is_two_commands_and_ci_runs_the_test_one():
    blocks = shell_blocks()
    assert len(blocks) == 2 and all("\n" not in b for b in blocks)
    assert "fundrules check cases/examples/" in blocks[0]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert blocks[1] in ci.splitlines()


def test_python_example_runs_as_written(tmp_path):
    code = re.search(r"```python\n(.*?)\n```", README, re.S).group(1)
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "cif eligible []" in result.stdout and "cpf blocked ['solde_ou_accord_pole_emploi']" in result.stdout


def test_installed_console_script_finds_bundled_rulesets(tmp_path):
    script = __import__("shutil").which("fundrules")
    if script is None:
        import pytest

        pytest.skip("fundrules is not installed as a console script here")
    case = ROOT / "cases" / "examples" / "salarie-cdi-2019.yaml"
    result = subprocess.run(
        [script, "check", str(case), "--format", "json"], cwd=tmp_path, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert '"funder": "cpf"' in result.stdout


def test_every_subpackage_is_listed_for_installation():
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "fundrules").rglob("__init__.py")}
    assert found - listed == set()
