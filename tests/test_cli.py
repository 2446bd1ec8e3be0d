import json

import pytest

from .conftest import EXAMPLES, ISSUE_15_COURSE_FUNDERS, ROOT
from .conftest import run_cli as run


def test_check_prints_a_french_table():
    result = run("check", str(EXAMPLES / "ancien-cdd-2018.yaml"), "--detail")
    assert result.returncode == 0, result.stderr
    candidates, blocked = result.stdout.split("CANDIDATS", 1)[1].split("BLOQUÉS", 1)
    assert "[OK] Congé individuel de formation (CIF) : éligible" in candidates
    assert "[X]  Compte personnel de formation (CPF) : bloqué" in blocked
    assert "Pôle emploi" in result.stdout


def test_check_json_follows_the_contract_and_both_engines_agree():
    outputs = []
    for engine in ("durable", "python"):
        result = run("check", str(EXAMPLES / "salarie-cdi-2019.yaml"), "--format", "json", "--engine", engine)
        assert result.returncode == 0, result.stderr
        outputs.append(result.stdout)
        data = json.loads(result.stdout)
        assert data["as_of"] == "2019-06-17"
        found = {r["funder"]: r["status"] for r in data["results"] if r["kind"] == "course"}
        assert set(found) == {"cif", "conge_bilan", "cpf", "cpf_transition", "prf", "agefiph", "aif"} | set(
            ISSUE_15_COURSE_FUNDERS
        )
        assert (found["cif"], found["cpf"]) == ("not_in_force", "eligible")
        from fundrules.engine import durable_backend

        ran = engine if engine == "python" or durable_backend.available() else "python"  # 3.13: the fallback
        assert data.pop("provenance")["backend"] == ran
        outputs[-1] = data
    assert outputs[0] == outputs[1]


def test_as_of_changes_the_rules_used():
    result = run("check", str(EXAMPLES / "salarie-cdi-2019.yaml"), "--as-of", "2018-06-01", "--format", "json")
    data = json.loads(result.stdout)
    versions = {r["funder"]: r["ruleset_version"] for r in data["results"]}
    assert (versions["cif"], versions["cpf"], versions["cpf_transition"]) == ("2015", "2015-heures", None)


def test_case_from_standard_input():
    text = (EXAMPLES / "ancien-cdd-2018.yaml").read_text()
    result = run("check", "-", "--format", "json", stdin=text)
    assert result.returncode == 0 and json.loads(result.stdout)["as_of"] == "2018-03-12"


def test_bad_case_exits_2_with_one_french_message(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("date_demande: 2018-03-12\nbeneficiaire:\n  anciennete_mois: 3\n")
    result = run("check", str(bad))
    assert result.returncode == 2
    assert result.stdout == ""
    assert "ligne 3 : beneficiaire.anciennete_mois : fait inconnu" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_ruleset_exits_2(tmp_path, ruleset_dir):
    ruleset_dir.edit("cif/2015-01-01.yaml", "valid_to: 2018-10-29", "valid_to: 2018-10-20")
    result = run("check", str(EXAMPLES / "ancien-cdd-2018.yaml"), "--rulesets", str(ruleset_dir.root))
    assert result.returncode == 2 and "trou entre la version 2015" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_date_option_exits_2():
    result = run("check", str(EXAMPLES / "ancien-cdd-2018.yaml"), "--as-of", "31-12-2018")
    assert result.returncode == 2 and "--as-of : date attendue au format AAAA-MM-JJ ou JJ/MM/AAAA" in result.stderr


def test_schema_is_json_schema():
    result = run("schema")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    assert schema["title"] == "CaseInput" and "beneficiaire" in schema["properties"]


def lint(root):
    return run("rulesets", "lint", "--rulesets", str(root))


def test_rulesets_lint_passes_on_the_shipped_rulesets():
    result = run("rulesets", "lint")
    shipped = sum(1 for p in (ROOT / "rulesets").glob("*/funder.yaml"))
    assert (
        shipped >= 6 and result.returncode == 0 and result.stdout.startswith(f"Règles valides : {shipped} financeurs")
    )


def test_rulesets_lint_fails_on_gap_overlap_and_missing_source(ruleset_dir):
    path = ruleset_dir.edit("cpf/2019-01-01.yaml", "valid_to: 2019-11-20", "valid_to: 2019-11-18")
    gap = lint(ruleset_dir.root)
    assert gap.returncode == 2 and "trou entre la version 2019-euros" in gap.stderr
    assert "aucune règle du 19/11/2019 au 20/11/2019" in gap.stderr
    path.write_text(path.read_text().replace("valid_to: 2019-11-18", "valid_to: 2019-11-25"))
    overlap = lint(ruleset_dir.root)
    assert overlap.returncode == 2 and "chevauche" in overlap.stderr
    path.write_text(path.read_text().replace("valid_to: 2019-11-25", "valid_to: 2019-11-20"))
    ruleset_dir.edit("aif/2015-01-01.yaml", "sources: [cap_metiers_aif]\n", "sources: []\n")
    unsourced = lint(ruleset_dir.root)
    assert unsourced.returncode == 2 and "critère sans source" in unsourced.stderr
    assert "Traceback" not in gap.stderr + overlap.stderr + unsourced.stderr


def test_rulesets_lint_reports_a_criterion_that_can_never_fail(ruleset_dir):
    ruleset_dir.edit(
        "aif/2015-01-01.yaml",
        "condition: not projet.session_achetee_region",
        "condition: projet.session_achetee_region or not projet.session_achetee_region",
    )
    result = lint(ruleset_dir.root)
    assert result.returncode == 1
    assert "aif version 2015, critère dernier_recours : jamais faux" in result.stderr


def test_rulesets_show_and_diff():
    show = run("rulesets", "show", "cpf_transition", "--as-of", "2022-04-01")
    assert show.returncode == 0 and "Version 2022 depuis le 31/03/2022" in show.stdout
    diff = run("rulesets", "diff", "cpf", "2024-05-01", "2025-01-01")
    assert "+ critère ajouté : participation_forfaitaire" in diff.stdout
    indexed = run("rulesets", "diff", "cpf", "2024-06-01", "2025-01-01")
    assert "~ paramètre : participation_forfaitaire : 100 → 102,23" in indexed.stdout
    unknown = run("rulesets", "show", "cpx")
    assert unknown.returncode == 2 and "vouliez-vous dire cpf" in unknown.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["check"], "argument manquant : CAS"),
        (["check", "x.yaml", "--formt", "json"], "option inconnue --formt — vouliez-vous dire --format ?"),
        (["chek", "x"], "commande inconnue « chek »"),
        (["check", "x.yaml", "--format", "xml"], "valeur invalide pour --format : « xml » n'est pas parmi"),
        (["replay", "--jobs", "0"], "valeur invalide pour --jobs : au moins 1 attendu"),
        (["check", "a", "b"], "argument en trop : b"),
    ],
)
def test_usage_errors_are_french_with_exit_2(args, message):
    result = run(*args)
    assert result.returncode == 2
    assert result.stderr.startswith("Erreur : ") and message in result.stderr
    assert "Traceback" not in result.stderr
