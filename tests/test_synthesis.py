"""The first screen (issue 22): for every example and library case, `check` and `plan` give a
synthesis of at most 40 lines within 80 columns, and its parts say what the evaluation and the plan
say (candidates with what they cover, blockers of funders for the person only, at most three actions
of funders that can still pay, at most three facts, one line "Hors public")."""

from __future__ import annotations

import pytest

from fundrules import load_case
from fundrules.library import find_case_files, load_library_case
from fundrules.report.synthesis import next_actions, render_synthesis, synthesis_of

from .conftest import EXAMPLES, ROOT

LIBRARY = sorted(find_case_files([ROOT / "cases"]))
MAX_LINES, WIDTH = 40, 80


def all_cases():
    cases = [(p, load_case(p), None) for p in sorted(EXAMPLES.glob("*.yaml"))]
    cases += [(p, c.case, c.meeting.date) for p in LIBRARY for c in [load_library_case(p)]]
    return cases


@pytest.fixture(scope="module")
def screens(python_engine):
    out = []
    for path, case, day in all_cases():
        evaluation, plan, amounts = synthesis_of(python_engine, case, day)
        for plans_first in (False, True):
            text = render_synthesis(
                evaluation, plan, amounts, source=str(path), width=WIDTH, region=case.region, plans_first=plans_first
            )
            out.append((path, plans_first, text, evaluation, plan))
    return out


def test_no_code_none_or_broken_punctuation_in_any_text_a_counsellor_reads(screens):
    """Synthesis and --detail, check and plan, over the whole library: no `None`, no identifier of
    the engine (snake_case), no ". ;" (issue 22: `[asp_csp]`, `en_cours`, `(are)`, a step `None`)."""
    import re

    from fundrules.report.plan import render_plan_text
    from fundrules.report.text import render_text
    from fundrules.rulesets.text_lint import text_problems

    for path, plans_first, text, evaluation, plan in screens:
        texts = [text] + ([] if plans_first else [render_text(evaluation, width=80), render_plan_text(plan, width=80)])
        for shown in texts:
            for line in re.sub(r"\n +", " ", shown).splitlines():
                assert text_problems(line) == [], (path, line)


def test_every_synthesis_fits_one_screen(screens):
    assert len(screens) >= 2 * 50
    for path, plans_first, text, _, _ in screens:
        lines = text.splitlines()
        assert len(lines) <= MAX_LINES, (path, plans_first, len(lines))
        assert [line for line in lines if len(line) > WIDTH] == [], path


def test_synthesis_sections_are_bounded_and_ordered(screens):
    for path, _, text, _, _ in screens:
        lines = text.splitlines()
        actions = _section(lines, "PROCHAINES ACTIONS")
        assert sum(1 for line in actions if line.startswith("  -> ")) <= 3, path
        facts = _section(lines, "À RECUEILLIR EN PRIORITÉ")
        assert sum(1 for line in facts if line.startswith("  - ")) <= 3, path
        assert sum(1 for line in lines if line.startswith("Hors public")) <= 1, path
        assert sum(1 for line in lines if line.startswith("Attention")) <= 1, path
        assert "None" not in text and ". ;" not in text, path


def test_actions_are_only_of_funders_that_can_still_pay(screens):
    """Steps of blocked or out-of-scope funders are not next actions (issue 22: "register at France
    Travail" for an employee in a CDI, the CSP's 21-day delay for everyone); at most three."""
    seen = 0
    for path, _, _, evaluation, _ in screens:
        actions = next_actions(evaluation)
        assert len(actions) <= 3, path
        for funders, step in actions:
            seen += 1
            assert not step.startswith("Recueillir"), path  # facts have their own section
            for r in funders:
                assert r.status in ("eligible", "a_verifier") and r.in_scope is not False, (path, r.funder, step)
    assert seen > 50


def test_facts_are_ranked_by_answers_they_change(screens):
    """Most answers of funders surely for the person first (in_scope true), then most answers."""
    from fundrules.report.synthesis import deciding_facts

    for path, _, _, evaluation, _ in screens:
        sure = {r.funder_name for r in evaluation.results if r.in_scope is True and r.status == "a_verifier"}
        ranked = deciding_facts(evaluation)
        keys = []
        for fact, _names in ranked:
            funders = [r for r in evaluation.results if r.status == "a_verifier" and r.in_scope is not False]
            changed = [r for r in funders if fact in r.missing_facts]
            keys.append((sum(r.funder_name in sure for r in changed), len(changed)))
        assert keys == sorted(keys, reverse=True), path


def _section(lines, title):
    out, inside = [], False
    for line in lines:
        if line.startswith(title):
            inside = True
            continue
        if inside and (not line.strip() or not line.startswith(" ")):
            break
        if inside:
            out.append(line)
    return out


def _items(lines, mark):
    """Wrapped items joined back: "  -> A, B : step" continued on indented lines."""
    items: list[str] = []
    for line in lines:
        if line.startswith(mark):
            items.append(line[len(mark) :])
        elif items:
            items[-1] += " " + line.strip()
    return items


def test_the_commands_print_the_synthesis_first_and_the_detail_on_demand():
    from .conftest import run_cli

    case = str(EXAMPLES / "ancien-cdd-2018.yaml")
    first = run_cli("check", case, "--as-of", "12/03/2018")  # the date as the tool prints it
    assert first.returncode == 0, first.stderr
    assert "QUI PEUT PAYER" in first.stdout and "CANDIDATS" not in first.stdout
    assert len(first.stdout.splitlines()) <= MAX_LINES
    detail = run_cli("check", case, "--detail")
    assert "CANDIDATS" in detail.stdout and "QUI PEUT PAYER" not in detail.stdout
    planned = run_cli("plan", case)
    assert "PLANS DE FINANCEMENT" in planned.stdout and "QUI PEUT PAYER" not in planned.stdout
    assert "Plan 1 : " in run_cli("plan", case, "--detail").stdout
