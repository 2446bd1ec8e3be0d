"""The French table a counsellor reads in a terminal."""

from __future__ import annotations

from ..french import date_fr, fact_label, period_fr, value_fr
from ..results import STATUS_FR, Evaluation, FunderResult

MARK = {"eligible": "[OK]", "blocked": "[X] ", "a_verifier": "[?] ", "not_in_force": "[--]"}


def _period(result: FunderResult) -> str:
    if not result.ruleset_version:
        return ""
    return f"version {result.ruleset_version} ({period_fr(result.valid_from, result.valid_to)})"


def _funder_block(result: FunderResult) -> list[str]:
    lines = [f"{MARK[result.status]} {result.funder_name} [{result.funder}] : {STATUS_FR[result.status].upper()}"]
    if result.ruleset_version:
        lines.append(f"     Règles : {_period(result)}")
    if result.message:
        lines.append(f"     {result.message}")
    if result.routes:
        routes = " · ".join(f"{r.label} {STATUS_FR[r.status]}" for r in result.routes)
        lines.append(f"     Voies : {routes}")
    for blocker in result.blockers:
        lines.append(f"     - Bloquant ({blocker.criterion}) : {blocker.message}")
        seen = ", ".join(f"{fact_label(k)} = {value_fr(v)}" for k, v in blocker.observed.items())
        if seen:
            lines.append(f"         vu : {seen}")
        lines.append(f"         requis : {blocker.required}")
        for source in blocker.sources:
            lines.append(f"         source : {source.title}" + (f" <{source.url}>" if source.url else ""))
    for notice in result.notices:
        lines.append(f"     Note : {notice}")
    if result.missing_facts:
        lines.append("     À vérifier, faits manquants : " + ", ".join(result.missing_facts))
    if result.unverified_criteria and result.status != "not_in_force":
        lines.append("     À confirmer (aucune source ne confirme) : " + ", ".join(result.unverified_criteria))
    if result.status != "not_in_force":
        lines.append(f"     Décide : {result.decided_by}")
    for step in result.next_steps:
        lines.append(f"     -> {step}")
    return lines


def render_text(evaluation: Evaluation, source: str | None = None) -> str:
    head = f"Évaluation au {date_fr(evaluation.as_of)}"
    if evaluation.date_demande and evaluation.date_demande != evaluation.as_of:
        head += f" (demande du {date_fr(evaluation.date_demande)}, règles d'une autre date)"
    if source:
        head += f" — {source}"
    lines = [head]
    for derived in evaluation.derived_facts:
        lines.append(f"  Calculé : {fact_label(derived.fact)} = {value_fr(derived.value)} "
                     f"(à partir de {', '.join(derived.derived_from)})")
    counts = {s: sum(1 for r in evaluation.results if r.status == s) for s in MARK}
    lines.append("  " + " · ".join(f"{STATUS_FR[s]} : {n}" for s, n in counts.items()))
    for result in evaluation.results:
        if result.kind == "course":
            lines.append("")
            lines.extend(_funder_block(result))
    income = [r for r in evaluation.results if r.kind == "income"]
    if income:  # issue 14: schemes that pay the person, after those that pay the course
        lines += ["", "Ressources pendant la formation (dispositifs qui rémunèrent la personne)"]
        for result in income:
            lines.append("")
            lines.extend(_funder_block(result))
    return "\n".join(lines) + "\n"
