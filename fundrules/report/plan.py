"""The funding plan in French, for the terminal and the meeting pack."""

from __future__ import annotations

from ..french import date_fr, value_fr
from ..plan.model import FundingPlan, Plan
from ..results import STATUS_FR


def _eur(value) -> str:
    return "à déterminer par le financeur" if value is None else f"{value_fr(round(value, 2))} EUR"


def plan_summary(plan: FundingPlan) -> str:
    """One line: the funders in order and what remains."""
    parts = []
    for step in plan.steps:
        label = step.funder + (" (complément)" if step.complement else "")
        if step.amount is not None:
            label += f" {value_fr(round(step.amount, 2))} EUR"
        if step.status == "a_verifier":
            label += " [à vérifier]"
        parts.append(label)
    tail = ("reste à financer : inconnu (coût non renseigné)" if plan.remaining is None
            else f"reste à financer : {value_fr(max(plan.remaining, 0))} EUR"
            + (" si les montants à déterminer ne le couvrent pas" if plan.covers_cost is None and plan.remaining > 0 else ""))
    if plan.holder_pays:
        tail += f", à la charge de la personne : {value_fr(plan.holder_pays)} EUR"
    return " → ".join(parts) + f" ; {tail}"


def render_plan_text(plan: Plan, source: str | None = None) -> str:
    lines = [f"Plans de financement au {date_fr(plan.as_of)}" + (f" — {source}" if source else "")]
    if plan.message:
        lines.append(plan.message)
    for n, p in enumerate(plan.plans, 1):
        lines += ["", f"Plan {n} : {plan_summary(p)}"]
        for step in p.steps:
            amount = _eur(step.amount)
            if step.amount_hours is not None:
                amount += f" ; solde de {value_fr(step.amount_hours)} h"
            lines.append(f"  {step.order}. {step.funder_name} [{step.funder}] — {STATUS_FR[step.status]}"
                         f"{' (en complément)' if step.complement else ''} : {amount}")
            if step.holder_share:
                lines.append(f"     participation de la personne : {value_fr(step.holder_share)} EUR")
            lines.append(f"     décide : {step.decided_by}")
            if step.next_step:
                lines.append(f"     -> {step.next_step}")
    for e in plan.excluded:
        lines.append(f"Écarté du plan principal : {e.funder} — {e.message}")
    if plan.unlock and not plan.impasse:
        lines += ["", "Pistes : " + "; ".join(f"{u.what} ({u.funder})" for u in plan.unlock)]
    return "\n".join(lines) + "\n"
