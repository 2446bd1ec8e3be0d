"""The funding plan in French, for the terminal and the meeting pack; fits the terminal."""

from __future__ import annotations

from ..french import date_fr, number_fr, short_name, value_fr
from ..plan.model import FundingPlan, Plan, PlanStep
from ..results import STATUS_FR
from .layout import fit, terminal_width, wrap


def eur(value) -> str:
    return "à déterminer par le financeur" if value is None else f"{number_fr(value)} EUR"


def _step_name(step: PlanStep) -> str:
    return short_name(step.funder_name)


def plan_summary(plan: FundingPlan) -> str:
    """One line: the funders in order and what remains."""
    parts = []
    for step in plan.steps:
        label = _step_name(step) + (" (complément)" if step.complement else "")
        if step.amount is not None:
            label += f" {eur(step.amount)}"
        if step.status == "a_verifier":
            label += " [à vérifier]"
        parts.append(label)
    if plan.remaining is None:
        tail = "reste à financer : inconnu (coût non renseigné)"
    else:
        tail = f"reste à financer : {number_fr(max(plan.remaining, 0))} EUR"
        if plan.covers_cost is None and plan.remaining > 0:
            tail += " si les montants à déterminer ne le couvrent pas"
    if plan.holder_pays:
        tail += f", à la charge de la personne : {number_fr(plan.holder_pays)} EUR"
    return (" → ".join(parts) or "aucun financeur") + f" ; {tail}"


def render_plan_text(plan: Plan, source: str | None = None, width: int | None = None) -> str:
    width = width or terminal_width()
    lines = wrap(f"Plans de financement au {date_fr(plan.as_of)}" + (f" — {source}" if source else ""), width)
    if plan.message:
        lines += wrap(plan.message, width, "", "  ")
    for n, p in enumerate(plan.plans, 1):
        lines += [""] + wrap(f"Plan {n} : {plan_summary(p)}", width, "", "  ")
        for step in p.steps:
            amount = eur(step.amount)
            if step.amount_hours is not None:
                amount += f" ; solde de {value_fr(step.amount_hours)} h"
            status = STATUS_FR[step.status] + (" (en complément)" if step.complement else "")
            lines += wrap(f"{step.funder_name} — {status} : {amount}", width, f"  {step.order}. ", "     ")
            if step.in_scope is None and step.scope_label:
                lines += wrap(f"public à vérifier : {step.scope_label}", width, "     ")
            if step.holder_share:
                lines += wrap(f"participation de la personne : {number_fr(step.holder_share)} EUR", width, "     ")
            lines += wrap(f"décide : {step.decided_by}", width, "     ", "       ")
            if step.next_step:
                lines += wrap(step.next_step, width, "     -> ", "        ")
    if plan.excluded:
        lines.append("")
    for e in plan.excluded:
        lines += wrap(f"Écarté du plan principal : {short_name(e.funder_name or e.funder)} — {e.message}",
                      width, "", "  ")
    if plan.unlock and not plan.impasse:
        lines += [""] + wrap("Pistes : " + " ; ".join(
            f"{u.what} ({short_name(u.funder_name or u.funder)})" for u in plan.unlock), width, "", "  ")
    return "\n".join(fit(lines, width)) + "\n"
