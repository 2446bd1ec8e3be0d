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


def _period(entry) -> str:
    if entry.start and entry.end:
        return f"du {date_fr(entry.start)} au {date_fr(entry.end)}"
    if entry.start:
        return f"à partir du {date_fr(entry.start)}"
    if entry.end:
        return f"jusqu'au {date_fr(entry.end)}"
    return "dates à préciser"


def income_lines(entries, indent: str = "  ") -> list[str]:
    """« Ressources pendant la formation »: the chain, or plainly that nothing applies and what would."""
    lines = []
    checking = [e for e in entries if e.status == "a_verifier"]
    for e in entries:
        if e.status == "aucune":
            lines.append(f"{indent}Aucune ressource identifiée : {e.reason}.")
            if e.would_open:
                lines.append(f"{indent}  Ce qui ouvrirait une ressource : " + " ; ".join(e.would_open) + ".")
            continue
        if e.status != "eligible":
            continue
        amount = (f"{value_fr(e.monthly)} EUR par mois" if e.monthly is not None
                  else f"{value_fr(e.daily)} EUR par jour" if e.daily is not None else (e.rule or "montant à déterminer"))
        lines.append(f"{indent}- {e.name} [{e.id}] {_period(e)} : {amount}"
                     + ("" if e.verified else " (à confirmer)"))
        lines.append(f"{indent}  payé par : {e.payer or e.decided_by} ; à demander à : {e.decided_by}")
        if e.monthly is not None and e.rule:
            lines.append(f"{indent}  règle : {e.rule}")
        if e.next_step:
            lines.append(f"{indent}  -> {e.next_step}")
    for e in checking:
        lines.append(f"{indent}- à vérifier : {e.name} [{e.id}]" + (f" — {e.next_step}" if e.next_step else ""))
    return lines


def income_summary(plan: Plan) -> str:
    """The person's income over the course in one line, or the income dead end said plainly."""
    parts = []
    for entry in plan.income:
        if entry.status == "eligible":
            parts.append(f"{entry.id} ({entry.payer or entry.decided_by})")
        elif entry.status == "aucune":
            opens = f" ; ce qui ouvrirait une ressource : {'; '.join(entry.would_open)}" if entry.would_open else ""
            checks = f" (à vérifier : {', '.join(entry.to_check)})" if entry.to_check else ""
            parts.append(f"aucune ressource {'confirmée' if entry.to_check else 'identifiée'}{checks}{opens}")
    return " → ".join(parts) or "à vérifier"


def income_dead_end(plan: Plan) -> bool:
    """No income during the course and no scheme left to check: an income dead end."""
    return any(e.status == "aucune" and not e.to_check for e in plan.income)


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
        if p.income and p.income != plan.income:
            lines.append("  Ressources pendant la formation avec ce plan :")
            lines += income_lines(p.income, "    ")
    for e in plan.excluded:
        lines.append(f"Écarté du plan principal : {e.funder} — {e.message}")
    if plan.unlock and not plan.impasse:
        lines += ["", "Pistes : " + "; ".join(f"{u.what} ({u.funder})" for u in plan.unlock)]
    if plan.income:
        lines += ["", "Ressources pendant la formation"]
        lines += income_lines(plan.income)
    return "\n".join(lines) + "\n"
