"""What a counsellor reads: 80 columns, French help and numbers, "hors public" from the law, plans
without empty or contradictory steps, a case template. Expected values come from the law cited in
the rulesets (AIF: registered job seekers; Agefiph: BOETH of L5212-13, private sector; PRF: job
seekers, L6121-1; CIF and CPF de transition: private-sector employees, each route its contract)."""

import datetime as dt
import os
import re
import subprocess
import sys
import types

import pytest
import yaml

from fundrules import load_case
from fundrules.facts import BOOL, DATE, FACTS, INT, NUMBER
from fundrules.french import find_bad_date, number_fr, value_fr
from fundrules.library import find_case_files, load_library_case, replay_cases
from fundrules.plan.model import PlanStep
from fundrules.plan.planner import _reconcile_timing, make_plan
from fundrules.report import render_text
from fundrules.report.plan import render_plan_text
from fundrules.report.replay import render_replay_text
from fundrules.report.template import case_template

from .conftest import EXAMPLES, ROOT

FUNDRULES = [sys.executable, "-m", "fundrules_cli.app"]
LIBRARY = sorted(find_case_files([ROOT / "cases"]))


def run(*args, columns=80):
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "COLUMNS": str(columns)}
    return subprocess.run(FUNDRULES + list(args), capture_output=True, text=True, cwd=ROOT, env=env)


def too_long(text, width=80):
    return [line for line in text.splitlines() if len(line) > width]


# --- 80 columns ---------------------------------------------------------------------------------


def test_check_and_plan_of_every_example_and_library_case_fit_80_columns(python_engine):
    cases = [(p, load_case(p), None) for p in sorted(EXAMPLES.glob("*.yaml"))]
    cases += [(p, c.case, c.meeting.date) for p in LIBRARY for c in [load_library_case(p)]]
    assert len(cases) >= 47
    for path, case, day in cases:
        evaluation = python_engine.evaluate(case, as_of=day)
        assert too_long(render_text(evaluation, source=str(path), width=80, region=case.region)) == [], path
        plan = make_plan(python_engine, case, day, evaluation=evaluation)
        assert too_long(render_plan_text(plan, source=str(path), width=80)) == [], path


def test_replay_text_fits_80_columns(python_engine):
    cases = [load_library_case(p, root=ROOT / "cases") for p in LIBRARY]
    for day in (None, dt.date(2019, 6, 1)):
        replays = replay_cases(python_engine, cases, day)
        assert too_long(render_replay_text(replays, day, width=80)) == []
    # a job seeker with no CDI, CDD or temp contract is outside every CPF de transition route: the
    # 2019 replay says so instead of listing the route gates as dead ends
    text = render_replay_text(replays, dt.date(2019, 6, 1), width=200)
    block = text.split("2016-T2/boeth-formation-courte", 1)[1].split("\n\n", 1)[0]
    assert "cpf_transition : pas en vigueur → bloqué (hors public)" in block
    assert "bloquant apparu" not in block


@pytest.mark.parametrize(
    "args",
    [
        ("rulesets", "list"),
        ("rulesets", "show", "cif", "--as-of", "2018-06-01"),
        ("rulesets", "show", "prf", "--as-of", "2018-06-01"),
        ("rulesets", "diff", "cpf", "2018-12-31", "2019-01-01"),
    ],
)
def test_rulesets_commands_fit_the_terminal(args):
    for columns in (80, 60):
        result = run(*args, columns=columns)
        assert result.returncode == 0, result.stderr
        assert too_long(result.stdout, columns) == []


def test_check_wraps_to_the_columns_variable():
    narrow = run("check", "cases/examples/ancien-cdd-2018.yaml", columns=60)
    assert narrow.returncode == 0 and too_long(narrow.stdout, 60) == []
    assert max(len(line) for line in narrow.stdout.splitlines()) > 50


# --- what check says, in what order ----------------------------------------------------------------


def test_check_puts_the_decision_first_and_says_no_code():
    text = run("check", "cases/examples/ancien-cdd-2018.yaml", "--detail").stdout
    order = [text.index(title) for title in ("CANDIDATS", "BLOQUÉS", "À RECUEILLIR", "PROCHAINES ÉTAPES")]
    assert order == sorted(order)
    flat = re.sub(r"\n +", " ", text)
    assert "situation à la date de la demande = demandeur d'emploi" in flat  # the CPF blocker, seen value
    assert "requis : solde CPF au moins égal à la durée de la formation" in flat
    for code in ("demandeur_emploi", "beneficiaire.", "projet.", "sans fin", "specifique", "[cif]"):
        assert code not in text
    as_json = run("check", "cases/examples/ancien-cdd-2018.yaml", "--format", "json").stdout
    assert '"demandeur_emploi"' in as_json and '"beneficiaire.statut"' in as_json  # JSON keeps codes


def test_hors_public_is_one_line_and_routes_not_for_the_person_too():
    text = run("check", "cases/etude-territorialisee/2018-T2/cdi-avant-reforme.yaml", "--detail").stdout
    # new funders for job seekers (POEI, AFPR, POEC, the VAE aid) are out of scope for an employee too
    assert (
        "Hors public : AFPR (demandeurs d'emploi inscrits, sur une offre d'emploi déposée), Agefiph (BOETH du "
        "secteur privé), Aide à la VAE de Pôle emploi (demandeurs d'emploi inscrits, en VAE), AIF (demandeurs "
        "d'emploi inscrits), Congé de bilan de compétences (bilans de compétences de salariés du privé), POEC "
        "(demandeurs d'emploi inscrits, sur une session de POEC), POEI (demandeurs d'emploi inscrits, sur une "
        "offre d'emploi déposée), PRF (demandeurs d'emploi)." in re.sub(r"\n +", " ", text)
    )
    assert "Voies hors public : CIF : CIF-CDD, CIF-intérim (FAF.TT)" in re.sub(r"\n +", " ", text)
    assert "BOETH : non" not in text  # Agefiph's blocker is not shown to someone outside its public


def test_freshness_warnings_come_first(python_engine):
    evaluation = python_engine.evaluate(load_case(EXAMPLES / "ancien-cdd-2018.yaml"))
    with_warning = types.SimpleNamespace(
        **{**dict(evaluation), "warnings": ["Règles revues le 01/01/2026 : date future."]}
    )
    lines = render_text(with_warning, width=80).splitlines()
    assert lines[1] == "Attention : Règles revues le 01/01/2026 : date future."


def test_region_by_name_or_unquoted_code(tmp_path):
    source = (EXAMPLES / "salarie-cdi-2019.yaml").read_text(encoding="utf-8")
    for written in ("Centre-Val de Loire", "24", "centre val de loire"):
        path = tmp_path / "cas.yaml"
        path.write_text(source.replace('region: "24"', f"region: {written}"), encoding="utf-8")
        assert load_case(path).region == "24"
        assert "Région : Centre-Val de Loire (code 24)" in run("check", str(path)).stdout


# --- French numbers, dates and errors ---------------------------------------------------------------


def test_numbers_read_the_french_way():
    assert number_fr(10.001) == "10" and number_fr(39.999) == "40"
    assert (
        number_fr(7200) == "7\u202f200"
        and number_fr(1.5) == "1,5"
        and number_fr(1234567.891) == "1\u202f234\u202f567,89"
    )
    assert value_fr(0.1 + 0.2) == "0,3" and value_fr(-2.5) == "-2,5"


def test_parse_errors_are_french_with_line_and_column(tmp_path):
    samples = {
        "cle.yaml": "date_demande: 2018-03-12\nprojet: intitule: BTS\n",
        "date.yaml": "date_demande: 2018-03-12\nprojet:\n  date_debut: 2018-02-30\n",
        "cas.json": '{"date_demande": "2018-03-12",,}',
    }
    expected = {
        "cle.yaml": ("ligne 2", "colonne 17", "« : » inattendu"),
        "date.yaml": ("ligne 3", "colonne 15", "date impossible"),
        "cas.json": ("ligne 1", "colonne 31", "nom de clé entre guillemets"),
    }
    for name, text in samples.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        result = run("check", str(tmp_path / name))
        assert result.returncode == 2
        for part in expected[name]:
            assert part in result.stderr, (name, result.stderr)
        assert not re.search(r"mapping values|out of range|Expecting", result.stderr)
    assert find_bad_date("a: 2018-02-28\nb: 2019-13-01\n") == (2, 4)


# --- help ------------------------------------------------------------------------------------------

COMMANDS = [
    [],
    ["check"],
    ["plan"],
    ["schema"],
    ["replay"],
    ["case"],
    ["case", "new"],
    ["case", "lint"],
    ["case", "template"],
    ["meeting"],
    ["meeting", "prepare"],
    ["rulesets"],
    ["rulesets", "list"],
    ["rulesets", "show"],
    ["rulesets", "diff"],
    ["rulesets", "lint"],
]
ENGLISH = re.compile(
    r"Usage|Options:|Commands|Arguments:|Show this message|\[required\]|\[default|<bool>|<str>|"
    r"<path>|<int|COMMAND\b|\bARGS\b|\{[a-z]+\}|\b(FUNDER|DATE1 <|CASE)\b"
)


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "fundrules")
def test_help_is_french_with_examples_and_fits(command):
    result = run(*command, "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Utilisation : fundrules")
    assert not ENGLISH.search(result.stdout), ENGLISH.search(result.stdout)
    assert "Afficher cette aide et quitter." in result.stdout
    assert too_long(result.stdout) == []
    if len(command) == 2 or command in (["check"], ["plan"], ["schema"], ["replay"]):
        assert re.search(r"Exemples? :\n +fundrules ", result.stdout)
    assert run(*command, "-h").stdout == result.stdout


def test_arguments_have_french_names():
    assert (
        "Utilisation : fundrules rulesets diff [OPTIONS] FINANCEUR DATE1 DATE2\n"
        in run("rulesets", "diff", "-h").stdout
    )
    assert "Utilisation : fundrules check [OPTIONS] CAS\n" in run("check", "-h").stdout


# --- hors public, from the law --------------------------------------------------------------------


def scopes(engine, beneficiaire, day="2018-06-04", region="etude-territorialisee", **projet):
    case = {
        "date_demande": day,
        "region": region,
        "beneficiaire": beneficiaire,
        "projet": {"type_action": "certification_rncp", **projet},
    }
    evaluation = engine.evaluate(case)
    return {r.funder: r.in_scope for r in evaluation.results}, {
        (r.funder, route.route): route.in_scope for r in evaluation.results for route in r.routes
    }


def test_employee_in_cdi_is_outside_the_job_seekers_schemes(python_engine):
    funders, routes = scopes(
        python_engine,
        {"statut": "salarie", "contrat": "cdi", "inscrit_pole_emploi": False, "boeth": False, "secteur_public": False},
    )
    assert (funders["aif"], funders["prf"], funders["agefiph"]) == (False, False, False)
    assert funders["cif"] is True and funders["cpf"] is True
    assert (routes[("cif", "cdi")], routes[("cif", "cdd")], routes[("cif", "interim")]) == (True, False, False)


def test_former_cdd_job_seeker_is_in_the_cif_cdd_route_and_the_job_seekers_schemes(python_engine):
    funders, routes = scopes(
        python_engine, {"statut": "demandeur_emploi", "contrat": "cdd", "inscrit_pole_emploi": True, "boeth": False}
    )
    assert (funders["aif"], funders["prf"], funders["agefiph"]) == (True, True, False)
    assert routes[("cif", "cdd")] is True and routes[("cif", "cdi")] is False
    # secteur_public unknown: the CIF (private sector) cannot say yet
    assert funders["cif"] is None


def test_agefiph_is_for_boeth_of_the_private_sector_and_job_seekers(python_engine):
    public_agent, _ = scopes(python_engine, {"statut": "agent_public", "secteur_public": True, "boeth": True})
    assert public_agent["agefiph"] is False and public_agent["cif"] is False  # FIPHFP; no CIF for agents
    job_seeker, _ = scopes(python_engine, {"statut": "demandeur_emploi", "boeth": True})
    assert job_seeker["agefiph"] is True
    unknown, _ = scopes(python_engine, {"statut": "salarie", "secteur_public": False})
    assert unknown["agefiph"] is None


def test_cpf_transition_routes_follow_the_last_contract(python_engine):
    funders, routes = scopes(
        python_engine,
        {"statut": "salarie", "contrat": "interim", "secteur_public": False},
        day="2020-03-02",
        region="24",
    )
    assert funders["cpf_transition"] is True
    assert [routes[("cpf_transition", r)] for r in ("cdi", "cdd", "interim")] == [False, False, True]
    sans_activite, _ = scopes(
        python_engine,
        {"statut": "sans_activite", "contrat": "aucun", "secteur_public": False},
        day="2020-03-02",
        region="24",
    )
    assert sans_activite["cpf_transition"] is False and sans_activite["prf"] is False


def test_in_scope_is_in_the_json_of_every_result():
    import json

    data = json.loads(run("check", "cases/examples/salarie-cdi-2019.yaml", "--format", "json").stdout)
    assert all("in_scope" in r and "scope_label" in r for r in data["results"])
    assert all("in_scope" in route for r in data["results"] for route in r["routes"])


# --- plans -----------------------------------------------------------------------------------------


def job_seeker_2020(**projet):
    return {
        "date_demande": "2020-03-02",
        "operateur": "pole_emploi",
        "region": "24",
        "beneficiaire": {
            "statut": "demandeur_emploi",
            "inscrit_pole_emploi": True,
            "boeth": False,
            "secteur_public": False,
            "solde_cpf_euros": 1000,
            "contrat": "aucun",
        },
        "projet": {
            "type_action": "certification_rncp",
            "eligible_cpf": True,
            "cout_pedagogique": 3000,
            "duree_heures": 300,
            "date_debut": "2020-06-01",
            "valide_conseiller_pe": True,
            **projet,
        },
    }


def test_no_step_once_the_regional_session_covers_the_cost(python_engine):
    plan = python_engine.plan(job_seeker_2020(session_achetee_region=True, places_disponibles=True))
    assert [(s.funder, s.amount) for s in plan.plans[0].steps] == [("prf", 3000.0)]
    assert plan.plans[0].remaining == 0


def test_no_out_of_scope_funder_and_no_zero_euro_step(python_engine):
    employee = {
        "date_demande": "2024-06-03",
        "operateur": "autre",
        "region": "24",
        "beneficiaire": {
            "statut": "salarie",
            "contrat": "cdi",
            "secteur_public": False,
            "boeth": False,
            "inscrit_pole_emploi": False,
            "solde_cpf_euros": 0,
        },
        "projet": {
            "type_action": "certification_rs",
            "duree_heures": 70,
            "cout_pedagogique": 1200,
            "date_debut": "2024-09-02",
            "session_achetee_region": False,
        },
    }
    plan = python_engine.plan(employee)
    funders = [s.funder for p in plan.plans for s in p.steps]
    assert "aif" not in funders and "prf" not in funders and "agefiph" not in funders
    # an empty CPF balance is no step, and the 2024 flat participation is not asked for nothing
    assert all(s.amount != 0 for p in plan.plans for s in p.steps)
    assert all(p.holder_pays == 0 for p in plan.plans)


def step(funder, next_step):
    return PlanStep(
        order=1,
        funder=funder,
        funder_name=funder.upper(),
        status="a_verifier",
        amount=None,
        decided_by="x",
        next_step=next_step,
    )


def test_opposite_timing_steps_become_one_sentence():
    steps = _reconcile_timing(
        [
            step("aif", "Demander à l'organisme une entrée sur une session plus tardive."),
            step("cif", "Chercher une session qui commence plus tôt."),
            step("cpf", "Autre."),
        ]
    )
    assert steps[0].next_step == steps[1].next_step
    assert "AIF demande une session plus tardive, CIF une session qui commence plus tôt" in steps[0].next_step
    assert steps[2].next_step == "Autre."


def test_agefiph_next_step_for_a_job_seeker_is_not_the_public_agent_one(python_engine):
    case = job_seeker_2020()
    case["beneficiaire"].update(boeth=True)
    del case["beneficiaire"]["secteur_public"]
    result = python_engine.evaluate(case).result("agefiph")
    assert not any("agent public" in s or "FIPHFP" in s for s in result.next_steps)


# --- case template -----------------------------------------------------------------------------------

SAMPLE = {DATE: "2020-03-02", INT: "12", NUMBER: "1500.5", BOOL: "true"}


def test_template_names_every_fact_in_french_and_loads_once_filled(tmp_path):
    text = case_template()
    assert too_long(text) == []
    data = yaml.safe_load(text)
    assert set(data) == {"date_demande", "operateur", "region", "beneficiaire", "projet"}
    keys = {k for k in data if not isinstance(data[k], dict)} | {
        f"{s}.{k}" for s in ("beneficiaire", "projet") for k in data[s]
    }
    assert keys == set(FACTS)
    flat = re.sub(r"\n *#   ", " ", text)
    for fact in FACTS.values():
        assert fact.label[1:] in flat  # each fact is explained by its French label
    empty = tmp_path / "vide.yaml"
    empty.write_text(text, encoding="utf-8")
    assert load_case(empty).beneficiaire.statut is None

    def value(match):
        indent, name = match.group(1), match.group(2)
        path = f"{'beneficiaire' if indent and name in data['beneficiaire'] else 'projet'}.{name}" if indent else name
        fact = FACTS[path]
        if path == "beneficiaire.age":
            return f"{indent}{name}: ~"  # derived from date_naissance: giving both must agree
        if path == "beneficiaire.rupture_contrat":  # would contradict one of the dismissal flags, all true here
            return f"{indent}{name}: ~"
        if fact.kind == "enum":
            return f"{indent}{name}: {fact.choices[0]}"
        if fact.kind == INT:
            return f"{indent}{name}: {min(int(fact.minimum or 0) + 2, int(fact.maximum or 99))}"
        if path == "region":
            return f"{indent}{name}: Centre-Val de Loire"
        return f"{indent}{name}: {SAMPLE.get(fact.kind, 'texte libre')}"

    filled = re.sub(r"^( *)(\w+): ~$", value, text, flags=re.M)
    path = tmp_path / "rempli.yaml"
    path.write_text(filled, encoding="utf-8")
    case = load_case(path)
    assert (case.region, case.beneficiaire.statut, case.projet.duree_heures) == ("24", "demandeur_emploi", 1500.5)
    assert run("check", str(path)).returncode == 0


def test_template_writes_a_new_file_only(tmp_path):
    target = tmp_path / "cas.yaml"
    assert run("case", "template", str(target)).returncode == 0
    assert target.read_text(encoding="utf-8") == case_template()
    again = run("case", "template", str(target))
    assert again.returncode == 2 and "existe déjà" in again.stderr


def test_aif_is_in_no_plan_of_an_employee_even_when_registration_is_unknown(python_engine, durable_engine):
    # salarie-cdi-2019 does not say whether the person is registered: the AIF stays "à vérifier" in
    # the evaluation, but a plan for a person in employment does not count on it (instruction 2013-9)
    case = load_case(EXAMPLES / "salarie-cdi-2019.yaml")
    assert python_engine.evaluate(case).result("aif").status == "a_verifier"
    for engine in (python_engine, durable_engine):
        plan = engine.plan(case)
        assert "aif" not in [s.funder for p in plan.plans for s in p.steps]
        assert [e.rule for e in plan.excluded] == ["aif_demandeurs_emploi"]
