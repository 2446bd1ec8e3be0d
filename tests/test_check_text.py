"""`check` text (issue 11, 80 columns): a next step shared by several funders is printed once, naming each of
them; the steps left to the JSON are counted in one line; the versions applied are grouped by period. Nothing a
counsellor could read before is lost, and the JSON keeps every funder's own steps."""

import json
import re

from fundrules import load_case
from fundrules.french import short_name
from fundrules.report import render_text
from fundrules.report.text import STEPS_SHOWN, is_candidate, is_dead_end

from .conftest import EXAMPLES
from .test_counsellor import run

EMPLOYEE = EXAMPLES / "salarie-cdi-2019.yaml"
# AFPR and POEI are both pre-hire training prescribed by Pôle emploi for registered job seekers (L6326-1, L6326-2):
# an employee must first register, and both rulesets say so in the same words
REGISTER = "Inscrire la personne à Pôle emploi avant l'entrée en formation."


def steps_section(text):
    return text.split("PROCHAINES ÉTAPES\n", 1)[1].split("\n\n", 1)[0]


def unwrapped(section):
    """The steps one per line, whatever the width."""
    return [" ".join(chunk.split()) for chunk in re.split(r"\n  -> ", "\n" + section)[1:]]


def test_a_step_shared_by_two_funders_is_printed_once_naming_both(python_engine):
    case = load_case(EMPLOYEE)
    evaluation = python_engine.evaluate(case)
    assert REGISTER in evaluation.result("afpr").next_steps and REGISTER in evaluation.result("poei").next_steps
    text = render_text(evaluation, width=80, region=case.region)
    steps = unwrapped(steps_section(text))
    assert [line for line in steps if line.endswith(REGISTER)] == [f"AFPR, POEI : {REGISTER}"]


def test_each_funder_keeps_its_steps_printed_or_counted(python_engine):
    """Every step of every funder of the section is printed once, on a line naming that funder, or counted for it
    in the last line: nothing is lost by the grouping."""
    for path in sorted(EXAMPLES.glob("*.yaml")):
        case = load_case(path)
        evaluation = python_engine.evaluate(case)
        section = steps_section(render_text(evaluation, width=80, region=case.region))
        body, _, more = section.partition("     Autres étapes dans --format json : ")
        lines = unwrapped(body)
        more = " ".join(more.split())
        for result in evaluation.results:
            if not (is_candidate(result) or is_dead_end(result)):
                continue
            name = short_name(result.funder_name)
            steps = [" ".join(s.split()) for s in dict.fromkeys(result.next_steps) if not s.startswith("Recueillir")]
            printed = [s for s in steps if any(line.endswith(" : " + s) for line in lines)]
            for step in printed:
                (line,) = [line for line in lines if line.endswith(" : " + step)]  # once
                assert name in line[: -len(step) - 3].split(", "), (path, name, step)
            hidden = len(steps) - len(printed)
            assert (f"{name} {hidden}" in more) == (hidden > 0), (path, name, hidden, more)


def test_at_most_the_steps_shown_per_funder_then_a_count(python_engine):
    """A funder with STEPS_SHOWN + 2 steps of its own: STEPS_SHOWN printed, "CIF 2" counted, in order."""
    case = load_case(EXAMPLES / "ancien-cdd-2018.yaml")
    evaluation = python_engine.evaluate(case)
    own = [f"Étape propre numéro {i}." for i in range(STEPS_SHOWN + 2)]
    results = [
        r.model_copy(update={"next_steps": own}) if r.funder == "cif" else r.model_copy(update={"next_steps": []})
        for r in evaluation.results
    ]
    text = render_text(evaluation.model_copy(update={"results": results}), width=80)
    section = steps_section(text)
    assert unwrapped(section.split("     Autres")[0]) == [f"CIF : {s}" for s in own[:STEPS_SHOWN]]
    assert section.rstrip().endswith("Autres étapes dans --format json : CIF 2.")


def test_versions_applied_are_grouped_by_period(python_engine):
    """The 2015 versions that end on 31/12/2023 (Pôle emploi until then, loi 2023-1196) share one period."""
    case = load_case(EXAMPLES / "ancien-cdd-2018.yaml")
    evaluation = python_engine.evaluate(case)
    text = render_text(evaluation, width=80, region=case.region)
    rules = " ".join(text.split("Règles appliquées : ", 1)[1].split())
    period = "du 01/01/2015 au 31/12/2023 : "
    assert rules.count(period) == 1
    group = rules.split(period, 1)[1].split(" ; ", 1)[0]
    for funder in ("afpr", "aif", "poei", "aref"):
        result = evaluation.result(funder)
        assert (result.valid_from.isoformat(), result.valid_to.isoformat()) == ("2015-01-01", "2023-12-31")
        assert f" {result.ruleset_version}" in group
    applied = [r for r in evaluation.results if r.ruleset_version]
    assert all(r.ruleset_version in rules for r in applied)


def test_json_output_keeps_each_funders_steps():
    out = run("check", str(EMPLOYEE), "--format", "json", "--engine", "python")
    assert out.returncode == 0, out.stderr
    results = {r["funder"]: r for r in json.loads(out.stdout)["results"]}
    assert REGISTER in results["afpr"]["next_steps"] and REGISTER in results["poei"]["next_steps"]
