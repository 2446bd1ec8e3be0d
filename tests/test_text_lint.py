"""`rulesets lint` checks the texts a counsellor reads (issue 22): a step printing `None`, a raw
identifier, ". ;", a pay named like its scheme. The bundled rulesets pass; each fault is named with
its file and line."""

from __future__ import annotations

from fundrules.rulesets.text_lint import lint_texts, text_problems

from .conftest import RULESETS, run_cli


def test_each_kind_of_fault_is_found_and_placeholders_and_addresses_are_not():
    assert text_problems("None") and text_problems("Orienter vers None.")
    assert text_problems("la saisir comme certification_rncp")
    assert text_problems("Attestation refusée. ; voir plus bas")
    assert text_problems("Solde de {solde_cpf_euros} EUR (https://www.service-public.fr/a_b)") == []
    assert text_problems("Rémunération du CIF : l'employeur, remboursé par le Fongecif.") == []


def test_the_bundled_rulesets_are_clean():
    assert lint_texts(RULESETS) == []


def test_lint_names_the_file_and_line_of_a_bad_text(ruleset_dir):
    ruleset_dir.edit(
        "remuneration_stagiaire_etat/funder.yaml",
        "orientation_step: >-\n  Demander",
        "orientation_step: >-\n  None ; Demander",
    )
    ruleset_dir.edit(
        "maintien_cif/funder.yaml",
        "name: Rémunération du congé individuel de formation (CIF)",
        "name: Congé rémunéré (CIF)",
    )
    problems = {(p.funder, p.criterion, p.reason.split(" :")[0].split(" (")[0]) for p in lint_texts(ruleset_dir.root)}
    assert (
        "remuneration_stagiaire_etat",
        "orientation_step",
        "« None » dans un texte lu par le conseiller",
    ) in problems
    assert ("maintien_cif", "name", "même nom court que le dispositif qu'il rémunère") in problems
    result = run_cli("rulesets", "lint", "--rulesets", str(ruleset_dir.root))
    assert (
        result.returncode != 0 and "remuneration_stagiaire_etat/funder.yaml, ligne 11" in result.stdout + result.stderr
    )
