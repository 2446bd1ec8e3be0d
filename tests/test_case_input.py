import datetime as dt
import json

import pytest

from fundrules import InputError, load_case
from fundrules.case import CaseInput, case_from_data


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_unknown_key_names_path_line_and_closest_fact(tmp_path):
    path = write(
        tmp_path, "c.yaml", "date_demande: 2018-03-12\nbeneficiaire:\n  statut: salarie\n  anciennete_mois: 12\n"
    )
    with pytest.raises(InputError) as info:
        load_case(path)
    err = info.value
    assert (err.line, err.field) == (4, "beneficiaire.anciennete_mois")
    assert "fait inconnu — vouliez-vous dire anciennete_salariee_mois ?" in err.reason


def test_absent_facts_are_unknown_not_false():
    case = case_from_data({"date_demande": "2018-03-12"})
    assert case.beneficiaire.boeth is None and case.projet.duree_heures is None


@pytest.mark.parametrize(
    "field, value, fragment",
    [
        ("age", "26", "nombre entier attendu"),
        ("age", 26.5, "nombre entier attendu"),
        ("boeth", 1, "booléen attendu"),
        ("boeth", "Oui", "booléen attendu"),  # oui and non, exactly (issue 22); nothing else
        ("boeth", "yes", "booléen attendu"),
        ("solde_cpf_heures", float("nan"), "nombre fini attendu"),
        ("solde_cpf_heures", True, "nombre attendu"),
        ("solde_cpf_heures", -3, "au moins 0"),
        ("niveau_qualification", 9, "au plus 8"),
        ("date_naissance", "12-03-1990", "AAAA-MM-JJ ou JJ/MM/AAAA"),
        ("date_naissance", "31/02/1990", "AAAA-MM-JJ ou JJ/MM/AAAA"),  # no such day
        ("date_naissance", "1/3/1990", "AAAA-MM-JJ ou JJ/MM/AAAA"),
        ("date_naissance", "1850-01-01", "hors de la plage"),
        ("date_naissance", 19900101, "AAAA-MM-JJ"),
        ("statut", "salariee", "vouliez-vous dire salarie"),
    ],
)
def test_strict_types(field, value, fragment):
    with pytest.raises(InputError) as info:
        case_from_data({"date_demande": "2018-03-12", "beneficiaire": {field: value}})
    assert fragment in str(info.value)
    assert info.value.field == f"beneficiaire.{field}"


def test_json_case_with_line_numbers(tmp_path):
    data = {"date_demande": "2018-03-12", "projet": {"duree_heures": 10, "typ_action": "vae"}}
    path = write(tmp_path, "c.json", json.dumps(data, indent=2))
    with pytest.raises(InputError) as info:
        load_case(path)
    assert info.value.line == 5 and "type_action" in info.value.reason


def test_json_and_yaml_give_the_same_case(tmp_path):
    data = {"date_demande": "2018-03-12", "operateur": "apec", "beneficiaire": {"date_naissance": "1990-05-01"}}
    from_json = load_case(write(tmp_path, "c.json", json.dumps(data)))
    from_yaml = load_case(
        write(
            tmp_path,
            "c.yaml",
            "date_demande: 2018-03-12\noperateur: apec\nbeneficiaire:\n  date_naissance: 1990-05-01\n",
        )
    )
    assert from_json == from_yaml
    assert from_yaml.beneficiaire.date_naissance == dt.date(1990, 5, 1)


@pytest.mark.parametrize(
    "content, fragment",
    [
        ("", "vide"),
        ("a: &x [1]\nb: *x\n", "alias"),
        ("date_demande: [\n", "illisible"),
        ("- 1\n- 2\n", "bloc de champs"),
    ],
)
def test_bad_files(tmp_path, content, fragment):
    with pytest.raises(InputError) as info:
        load_case(write(tmp_path, "c.yaml", content))
    assert fragment in str(info.value)


def test_binary_and_oversized_files_are_refused(tmp_path):
    binary = tmp_path / "b.yaml"
    binary.write_bytes(b"date_demande: 2018-03-12\x00\xff")
    with pytest.raises(InputError, match="binaire"):
        load_case(binary)
    big = tmp_path / "big.yaml"
    big.write_text("# " + "x" * 1_100_000)
    with pytest.raises(InputError, match="trop gros"):
        load_case(big)


def test_nfd_text_is_normalised_to_nfc():
    case = case_from_data({"date_demande": "2018-03-12", "projet": {"intitule": "Me\u0301canique"}})
    assert case.projet.intitule == "M\u00e9canique"


def test_age_inconsistent_with_birth_date_is_refused():
    with pytest.raises(InputError, match="incohérente"):
        case_from_data({"date_demande": "2018-03-12", "beneficiaire": {"date_naissance": "1990-01-01", "age": 40}})


def test_schema_lists_every_fact():
    schema = CaseInput.model_json_schema()
    assert "anciennete_salariee_mois" in schema["$defs"]["Beneficiaire"]["properties"]
    assert "date_demande" in schema["properties"]


# --- French input (issue 22) ----------------------------------------------------------------------


def test_oui_non_are_booleans_and_true_false_still_are(tmp_path):
    text = (
        "date_demande: 2018-03-12\noperateur: france_travail\nbeneficiaire:\n  boeth: oui\n"
        "  inscrit_pole_emploi: non\n  secteur_public: false\n  date_naissance: 01/05/1990\n"
        "  operateur_cep: pole_emploi\n"
    )
    case = load_case(write(tmp_path, "c.yaml", text))
    b = case.beneficiaire
    assert (b.boeth, b.inscrit_pole_emploi, b.secteur_public) == (True, False, False)
    assert b.date_naissance == dt.date(1990, 5, 1)  # JJ/MM/AAAA, as the tool prints dates
    # one name for one body in every fact: France Travail is Pôle emploi's name since 2024
    assert case.operateur == "pole_emploi" and b.operateur_cep == "france_travail"
    same = load_case(
        write(tmp_path, "c.json", json.dumps({"date_demande": "12/03/2018", "beneficiaire": {"boeth": "oui"}}))
    )
    assert same.date_demande == dt.date(2018, 3, 12) and same.beneficiaire.boeth is True


def test_a_french_word_for_a_non_boolean_fact_is_still_refused():
    with pytest.raises(InputError) as info:
        case_from_data({"date_demande": "2018-03-12", "beneficiaire": {"age": "oui"}})
    assert "nombre entier attendu" in str(info.value)
    with pytest.raises(InputError):
        case_from_data({"date_demande": "2018-03-12", "operateur": "france-travail"})


def test_as_of_accepts_the_french_date():
    from fundrules_cli.app import parse_date

    assert parse_date("05/12/2026", "--as-of") == dt.date(2026, 12, 5) == parse_date("2026-12-05", "--as-of")
    with pytest.raises(InputError):
        parse_date("5/12/2026", "--as-of")


def test_a_nearly_empty_case_says_so():
    from fundrules.triage import missing_triage, triage_line

    empty = case_from_data({"date_demande": "2026-12-05", "beneficiaire": {"date_naissance": "1990-02-01"}})
    assert len(missing_triage(empty)) == 6 and triage_line(empty).startswith("Cas presque vide")
    employee = case_from_data(
        {
            "date_demande": "2026-12-05",
            "beneficiaire": {"statut": "salarie"},
            "projet": {"type_action": "vae", "cout_pedagogique": 900, "duree_heures": 24, "date_debut": "2027-01-04"},
        }
    )
    assert missing_triage(employee) == [] and triage_line(employee) is None  # registration: not for the employed
