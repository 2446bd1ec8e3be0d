import pytest

from fundrules import InputError, load_catalog

CIF = "cif/2015-01-01.yaml"


def refused(writer):
    with pytest.raises(InputError) as info:
        load_catalog(writer.root)
    return info.value


def refused_for_durable(writer):
    """Loads for the python backend; refused by `rulesets lint` and by a durable Engine."""
    from fundrules import Engine
    from fundrules.engine import durable_backend
    from fundrules.lint import lint_catalog

    catalog = load_catalog(writer.root)
    with pytest.raises(InputError) as info:
        lint_catalog(catalog)
    if durable_backend.available():
        with pytest.raises(InputError) as by_engine:
            Engine(load_catalog(writer.root), backend="durable")
        assert str(by_engine.value) == str(info.value)
    return info.value


def test_bundled_rulesets_load():
    catalog = load_catalog()
    assert {"cif", "cpf"} <= set(catalog.funders)


def test_unknown_fact_names_file_line_and_criterion(ruleset_dir):
    path = ruleset_dir.edit(
        CIF,
        "condition: beneficiaire.mois_cdd_12_mois >= mois_cdd_12_mois_min",
        "condition: beneficiaire.mois_cdd_12 >= mois_cdd_12_mois_min",
    )
    err = refused(ruleset_dir)
    lines = path.read_text().splitlines()
    assert err.file == str(path)
    assert "beneficiaire.mois_cdd_12 " in lines[err.line - 1]
    assert err.field == "critère cdd.mois_cdd_12_mois.condition"
    assert "vouliez-vous dire beneficiaire.mois_cdd_12_mois" in err.reason


def test_type_mismatch_date_against_number(ruleset_dir):
    ruleset_dir.edit(
        CIF,
        "condition: beneficiaire.mois_salarie_5_ans >= mois_salarie_5_ans_min",
        "condition: projet.date_debut >= mois_salarie_5_ans_min",
    )
    err = refused(ruleset_dir)
    assert "comparaison impossible" in err.reason and "(date)" in err.reason
    assert err.field == "critère cdd.mois_salarie_5_ans.condition"


def test_empty_route_is_refused(ruleset_dir):
    ruleset_dir.write(
        "demo/funder.yaml",
        """
        id: demo
        name: Démo
        category: specifique
        kind: course
        decided_by: personne
        mobilised_by: []
    """,
    )
    ruleset_dir.write(
        "demo/2015-01-01.yaml",
        """
        version: "1"
        valid_from: 2015-01-01
        sources: [{id: s, title: source de test}]
        routes:
          - id: vide
            label: Voie vide
            criteria: []
    """,
    )
    err = refused(ruleset_dir)
    assert "voie sans critère" in err.reason and err.line == 7


def test_overlapping_versions_are_refused(ruleset_dir):
    ruleset_dir.edit("cpf/2019-01-01.yaml", "valid_from: 2019-01-01\n", "valid_from: 2018-12-01\n")
    err = refused(ruleset_dir)
    assert "chevauche" in err.reason and err.file.endswith("2019-01-01.yaml")


def test_gap_between_versions_is_refused(ruleset_dir):
    ruleset_dir.edit("cpf/2019-01-01.yaml", "valid_from: 2019-01-01\n", "valid_from: 2019-01-05\n")
    err = refused(ruleset_dir)
    assert "trou" in err.reason and "du 01/01/2019 au 04/01/2019" in err.reason


def test_criterion_without_source_is_refused(ruleset_dir):
    ruleset_dir.edit(
        CIF,
        "    sources: [code_cif_l]\n    verified: true\n  - id: duree_maximale",
        "    sources: []\n    verified: true\n  - id: duree_maximale",
    )
    err = refused(ruleset_dir)
    assert "sans source" in err.reason and err.field == "critère secteur_prive.sources"


def test_unknown_source_and_placeholder_are_refused(ruleset_dir):
    ruleset_dir.edit(
        CIF,
        "sources: [cif_interim]\n        verified: true\n      - id: heures_agence",
        "sources: [faftt]\n        verified: true\n      - id: heures_agence",
    )
    assert "source inconnue « faftt »" in refused(ruleset_dir).reason


def test_unknown_placeholder_in_message(ruleset_dir):
    ruleset_dir.edit(CIF, "il en faut {heures_interim_agence_min}.", "il en faut {heures_min}.")
    err = refused(ruleset_dir)
    assert "repère {heures_min} inconnu" in err.reason and err.field == "critère interim.heures_agence.message"


def test_duplicate_criterion_in_same_period(ruleset_dir):
    ruleset_dir.edit("cpf/2015-01-01.yaml", "    valid_from: 2017-03-15\n", "    valid_from: 2017-03-14\n")
    err = refused(ruleset_dir)
    assert "critère action_eligible en double" in err.reason


def test_shape_errors_have_lines(ruleset_dir):
    path = ruleset_dir.edit(
        CIF, "    verified: true\n  - id: duree_maximale", "    verified: oui\n  - id: duree_maximale"
    )
    err = refused(ruleset_dir)
    assert err.field == "criteria.0.verified" and "booléen" in err.reason
    assert "verified: oui" in path.read_text().splitlines()[err.line - 1]


def test_funder_folder_must_match_id(ruleset_dir):
    ruleset_dir.edit("cif/funder.yaml", "id: cif\n", "id: cif2\n")
    assert "doit être le nom du dossier" in refused(ruleset_dir).reason


def test_parameter_must_cover_version_start(ruleset_dir):
    ruleset_dir.edit(
        CIF, "      2015-01-01: {value: 4, source: cif_cdi}", "      2016-01-01: {value: 4, source: cif_cdi}"
    )
    err = refused(ruleset_dir)
    assert "n'a pas de valeur avant le 01/01/2016" in err.reason
    assert err.field == "critère cdd.mois_cdd_12_mois.condition"


def test_python_tags_are_refused_by_the_safe_loader(ruleset_dir):
    ruleset_dir.edit("cif/funder.yaml", "id: cif\n", "id: !!python/object/apply:os.system ['true']\n")
    assert "illisible" in refused(ruleset_dir).reason


def test_condition_too_complex_for_durable_rules_is_refused_at_load(ruleset_dir):
    # 10 independent "or" pairs: 2**10 cases in normal form, beyond what one criterion may compile to
    pairs = " and ".join(f"(beneficiaire.age > {i} or projet.duree_heures < {i})" for i in range(10))
    path = ruleset_dir.edit(
        CIF, "condition: not beneficiaire.secteur_public", f"condition: not beneficiaire.secteur_public and {pairs}"
    )
    err = refused_for_durable(ruleset_dir)
    assert "trop complexe pour durable-rules" in err.reason
    assert err.field == "critère secteur_prive.condition"
    assert (
        "condition: not beneficiaire.secteur_public and (beneficiaire.age > 0"
        in path.read_text().splitlines()[err.line - 1]
    )


def test_too_many_fact_to_fact_comparisons_are_refused(ruleset_dir):
    many = " and ".join(f"beneficiaire.solde_cpf_heures >= projet.duree_heures + {i}" for i in range(30))
    ruleset_dir.edit(
        CIF, "condition: not beneficiaire.secteur_public", f"condition: not beneficiaire.secteur_public and {many}"
    )
    assert "trop complexe pour durable-rules" in refused_for_durable(ruleset_dir).reason


def test_more_message_fields_than_one_durable_message_holds_are_split_and_agree(ruleset_dir):
    # each "projet.duree_heures * i" is a distinct computed term, i.e. one more field: 259 of them
    # exceed the 255 properties of one durable-rules message, so the adapter splits the rules
    criteria = "".join(
        f"""
  - id: c{i}
    condition: projet.duree_heures * {i} >= {i * 10}
    message: "critère de test {i}"
    sources: [s]
    verified: true"""
        for i in range(1, 260)
    )
    ruleset_dir.write(
        "demo/funder.yaml",
        "id: demo\nname: Démo\ncategory: specifique\nkind: course\ndecided_by: x\nmobilised_by: []\n",
    )
    ruleset_dir.write(
        "demo/2015-01-01.yaml",
        "version: '1'\nvalid_from: 2015-01-01\nsources: [{id: s, title: source de test}]\ncriteria:" + criteria,
    )
    from fundrules import Engine
    from fundrules.engine import durable_backend

    if not durable_backend.available():
        pytest.skip("durable-rules is not importable on this interpreter")
    catalog = load_catalog(ruleset_dir.root)
    case = {"date_demande": "2016-01-01", "projet": {"duree_heures": 5}}
    python, durable = (
        Engine(catalog, backend="python").evaluate(case),
        Engine(catalog, backend="durable").evaluate(case),
    )
    demo = next(r for r in durable.results if r.funder == "demo")
    assert python.model_dump_json(exclude={"provenance"}) == durable.model_dump_json(exclude={"provenance"})
    # 5 * i >= 10 * i fails for every i >= 1: the 259 criteria all block, none is lost
    assert len(demo.blockers) == 259


def test_aliases_are_refused_in_ruleset_files_too(ruleset_dir):
    ruleset_dir.edit(
        "cif/funder.yaml", "mobilised_by: [fongecif, opacif]", "mobilised_by: &ops [fongecif, opacif]\nx: *ops"
    )
    assert "alias" in refused(ruleset_dir).reason
