import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from fundrules import InputError
from fundrules.library import lint_privacy, load_library_case

from .conftest import ROOT

CASES = ROOT / "cases"
SAMPLE = CASES / "etude-territorialisee" / "2016-T2" / "ancienne-cdd-fongecif.yaml"


def fundrules(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "fundrules_cli.app", *args], capture_output=True, text=True, cwd=cwd)


@pytest.mark.parametrize(
    "text, kind",
    [
        ("problem: appeler au 06 12 34 56 78", "numéro de téléphone"),
        ("problem: joindre +33 6 12 34 56 78", "numéro de téléphone"),
        ("problem: écrire à prenom.nom@example.org", "adresse e-mail"),
        ("problem: NIR 1 84 06 75 123 456 78", "numéro de sécurité sociale"),
        ("problem: habite 12 rue des Lilas", "adresse postale"),
        ("problem: domicile 45000 Orléans", "code postal et commune"),
        ("problem: reçu Mme Dupont ce matin", "civilité suivie d'un nom"),
    ],
)
def test_privacy_linter_finds_identifiers_with_line(tmp_path, text, kind):
    path = tmp_path / "c.yaml"
    path.write_text("meeting: {}\n" + text + "\n", encoding="utf-8")
    findings = lint_privacy(path)
    assert [(f.line, f.kind) for f in findings] == [(2, kind)]


def test_privacy_linter_leaves_dates_amounts_and_codes_alone(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text('date: 2018-03-15\ncout: 7200\nheures: 1600\nregion: "24"\nnote: CIF-CDD, 38 mois sur 5 ans\n')
    assert lint_privacy(path) == []


def test_shipped_library_has_no_identifier():
    assert [f.render() for p in CASES.rglob("*.yaml") for f in lint_privacy(p)] == []


def test_case_with_identifier_is_refused_at_load(tmp_path):
    text = SAMPLE.read_text(encoding="utf-8").replace("quel financeur", "tél. 06 12 34 56 78, quel financeur")
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match="numéro de téléphone à retirer") as info:
        load_library_case(path)
    # the line of the problem sentence (the header comment says where the case comes from)
    assert info.value.line == next(i for i, line in enumerate(text.splitlines(), 1) if "quel financeur" in line)


def test_library_spans_enough_cases_and_quarters():
    cases = [load_library_case(p, root=CASES) for p in CASES.rglob("*.yaml") if "examples" not in p.parts]
    assert len(cases) >= 40
    assert len({c.meeting.quarter for c in cases}) >= 6
    years = {c.meeting.date.year for c in cases}
    assert min(years) == 2016 and max(years) >= 2019


def library_size():
    """Cases of the library (every helper's branch adds some: count them rather than hard-code)."""
    return sum(1 for p in CASES.rglob("*.yaml") if "examples" not in p.parts)


def test_replay_of_the_library_matches():
    result = fundrules("replay", "cases")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{library_size()} conformes à l'attendu, 0 avec des écarts" in result.stdout


def test_replay_names_case_funder_and_criterion_of_a_difference(tmp_path):
    copy = tmp_path / "cases"
    shutil.copytree(CASES, copy, ignore=shutil.ignore_patterns("examples", "conftest.py", "__pycache__"))
    target = copy / "etude-territorialisee" / "2016-T2" / "ancienne-cdd-fongecif.yaml"
    text = target.read_text(encoding="utf-8")
    target.write_text(
        text.replace(
            "  cif:\n    status: eligible", "  cif:\n    status: blocked\n    blockers:\n    - cdd.mois_cdd_12_mois", 1
        ),
        encoding="utf-8",
    )
    result = fundrules("replay", str(copy))
    assert result.returncode == 1
    assert "etude-territorialisee/2016-T2/ancienne-cdd-fongecif" in result.stdout
    flat = re.sub(r"\n +", " ", result.stdout)
    assert "CIF : statut attendu bloqué, obtenu éligible" in flat
    assert "critère cdd.mois_cdd_12_mois (vu : mois en CDD sur les 12 derniers mois = 8" in flat


def test_replay_as_of_2019_shows_cif_routes_becoming_transition_routes():
    result = fundrules("replay", "cases", "--as-of", "2019-06-01", "--format", "json")
    assert result.returncode == 0
    data = json.loads(result.stdout)
    routes = {r["case"]: c["successor_routes"] for r in data["results"] for c in r["changes"] if c["successor_routes"]}
    # The CIF-CDD was open after the CDD ended; the CPF de transition is asked while the CDD runs
    # (Code du travail, R6323-11-1): the former CDD holder of 2016 is blocked under the 2019 rules.
    assert routes["etude-territorialisee/2016-T2/ancienne-cdd-fongecif"] == [
        "CIF-CDD (éligible) → CPF de transition professionnelle (projet de transition professionnelle) : "
        "Salarié en CDD (demande pendant le contrat) (bloqué)"
    ]
    assert "etude-territorialisee/2016-T2/interimaire-faftt" in routes


def test_replay_markdown():
    result = fundrules("replay", "cases", "--as-of", "2017-01-01", "--format", "markdown")
    assert result.returncode == 0 and result.stdout.startswith(
        f"# Rejeu de {library_size()} cas aux règles du 01/01/2017"
    )
    # the 2016 non-priority training loses the regional plan under the 2017 rules
    assert "## etude-territorialisee/2016-T4/jeune-metier-non-prioritaire" in result.stdout


def test_case_new_writes_once_atomically_and_reads_back(tmp_path):
    source = ROOT / "cases" / "examples" / "jeune-mission-locale-2017.yaml"
    args = [
        "case",
        "new",
        "--from",
        str(source),
        "--meeting",
        "etude-territorialisee/2017-T4",
        "--cases",
        str(tmp_path),
        "--problem",
        "Jeune sans droits suivi par la Mission locale.",
    ]
    first = fundrules(*args)
    assert first.returncode == 0, first.stderr
    written = tmp_path / "etude-territorialisee" / "2017-T4" / "jeune-mission-locale-2017.yaml"
    before = written.read_bytes()
    case = load_library_case(written)
    assert case.meeting.date.isoformat() == "2017-10-02"
    assert case.expected["cpf"].blockers == ["solde_ou_accord_pole_emploi"]
    second = fundrules(*args)
    assert second.returncode == 2 and "existe déjà" in second.stderr
    assert written.read_bytes() == before
    assert [p.name for p in written.parent.iterdir()] == [written.name]  # no temporary file left
    assert oct(written.stat().st_mode & 0o777) == oct(0o666 & ~current_umask())


def current_umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_case_new_refuses_a_meeting_outside_the_quarter(tmp_path):
    source = ROOT / "cases" / "examples" / "jeune-mission-locale-2017.yaml"
    result = fundrules(
        "case",
        "new",
        "--from",
        str(source),
        "--meeting",
        "etude-territorialisee/2017-T4",
        "--date",
        "2018-01-05",
        "--cases",
        str(tmp_path),
    )
    assert result.returncode == 2 and "n'est pas dans le trimestre 2017-T4" in result.stderr


def test_replay_with_two_jobs_gives_the_same_report():
    one = fundrules("replay", "cases", "--format", "json")
    two = fundrules("replay", "cases", "--format", "json", "--jobs", "2")
    assert one.returncode == two.returncode == 0
    assert one.stdout == two.stdout
    later = fundrules("replay", "cases", "--as-of", "2019-06-01", "--format", "json", "--jobs", "2")
    assert later.stdout == fundrules("replay", "cases", "--as-of", "2019-06-01", "--format", "json").stdout
