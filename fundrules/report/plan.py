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
    return f"{plan_steps(plan)} ; {plan_remaining(plan)}"


def plan_steps(plan: FundingPlan) -> str:
    """The funders in order, with their amounts: "CPF 2 250 EUR → PRF [à vérifier]"."""
    parts = []
    for step in plan.steps:
        label = _step_name(step) + (" (complément)" if step.complement else "")
        if step.amount is not None:
            label += f" {eur(step.amount)}"
        if step.status == "a_verifier":
            label += " [à vérifier]"
        parts.append(label)
    return " → ".join(parts) or "aucun financeur"


def plan_remaining(plan: FundingPlan) -> str:
    """What remains to pay, and on what condition: "reste à financer : 0 EUR si PRF accepte"."""
    if plan.remaining is None:
        tail = "reste à financer : inconnu (coût non renseigné)"
    else:
        tail = f"reste à financer : {number_fr(max(plan.remaining, 0))} EUR"
        if plan.covers_cost is None and plan.remaining > 0:
            tail += " si les montants à déterminer ne le couvrent pas"
        tail += conditional(plan)
    if plan.holder_pays:
        tail += f", à la charge de la personne : {number_fr(plan.holder_pays)} EUR"
    if any(s.holder_share_note for s in plan.steps):
        tail += ", participation de la personne à confirmer"
    return tail


def conditional(plan: FundingPlan) -> str:
    """ " si PRF accepte": what remains holds only if the funders still to check say yes (a remaining
    cost of 0 EUR on a funder "à vérifier" is a hope, not a plan)."""
    pending = [_step_name(s) for s in plan.steps if s.status != "eligible" and s.amount]
    if not pending:
        return ""
    if len(pending) == 1:
        return f" si {pending[0]} accepte"
    return f" si {', '.join(pending[:-1])} et {pending[-1]} acceptent"


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
        amount = (
            f"{value_fr(e.monthly)} EUR par mois"
            if e.monthly is not None
            else f"{value_fr(e.daily)} EUR par jour"
            if e.daily is not None
            else (e.rule or "montant à déterminer")
        )
        lines.append(f"{indent}- {e.name} {_period(e)} : {amount}" + ("" if e.verified else " (à confirmer)"))
        lines.append(f"{indent}  payé par : {e.payer or e.decided_by} ; à demander à : {e.decided_by}")
        if e.monthly is not None and e.rule:
            lines.append(f"{indent}  règle : {e.rule}")
        if e.next_step:
            lines.append(f"{indent}  -> {e.next_step}")
    for e in checking:
        lines.append(f"{indent}- à vérifier : {e.name}" + (f" — {e.next_step}" if e.next_step else ""))
    return lines


def income_summary(plan: Plan) -> str:
    """The person's income over the course in one line, or the income dead end said plainly."""
    parts = []
    names = {e.id: short_name(e.name) for e in plan.income}
    for entry in plan.income:
        if entry.status == "eligible":
            parts.append(f"{short_name(entry.name)} ({entry.payer or entry.decided_by})")
        elif entry.status == "aucune":
            opens = f" ; ce qui ouvrirait une ressource : {'; '.join(entry.would_open)}" if entry.would_open else ""
            checks = f" (à vérifier : {', '.join(names.get(i, i) for i in entry.to_check)})" if entry.to_check else ""
            parts.append(f"aucune ressource {'confirmée' if entry.to_check else 'identifiée'}{checks}{opens}")
    return " → ".join(parts) or "à vérifier"


def income_dead_end(plan: Plan) -> bool:
    """No income during the course and no scheme left to check: an income dead end."""
    return any(e.status == "aucune" and not e.to_check for e in plan.income)


def render_plan_text(plan: Plan, source: str | None = None, width: int | None = None) -> str:
    width = width or terminal_width()
    lines = wrap(f"Plans de financement au {date_fr(plan.as_of)}" + (f" — {source}" if source else ""), width)
    if plan.message:
        lines += wrap(plan.message, width, "", "  ")
    for n, p in enumerate(plan.plans, 1):
        lines += [""] + wrap(f"Plan {n} : {plan_summary(p)}", width, "", "  ")
        for step in p.steps:
            amount = (
                "montant à confirmer (part de la personne non connue)" if step.holder_share_note else eur(step.amount)
            )
            if step.amount_hours is not None:
                amount += f" ; solde de {value_fr(step.amount_hours)} h"
            status = STATUS_FR[step.status] + (" (en complément)" if step.complement else "")
            lines += wrap(f"{step.funder_name} — {status} : {amount}", width, f"  {step.order}. ", "     ")
            if step.in_scope is None and step.scope_label:
                lines += wrap(f"public à vérifier : {step.scope_label}", width, "     ")
            if step.holder_share:
                lines += wrap(f"participation de la personne : {number_fr(step.holder_share)} EUR", width, "     ")
            if step.holder_share_note:
                lines += wrap(f"participation de la personne : {step.holder_share_note}", width, "     ", "       ")
            lines += wrap(f"décide : {step.decided_by}", width, "     ", "       ")
            if step.next_step:
                lines += wrap(step.next_step, width, "     -> ", "        ")
        if p.income and p.income != plan.income:
            lines.append("  Ressources pendant la formation avec ce plan :")
            lines += income_lines(p.income, "    ")
    if plan.excluded:
        lines.append("")
    for e in plan.excluded:
        lines += wrap(
            f"Écarté du plan principal : {short_name(e.funder_name or e.funder)} — {e.message}", width, "", "  "
        )
    if plan.unlock and not plan.impasse:
        lines += [""] + wrap(
            "Pistes : " + " ; ".join(f"{u.what} ({short_name(u.funder_name or u.funder)})" for u in plan.unlock),
            width,
            "",
            "  ",
        )
    if plan.income:
        lines += ["", "Ressources pendant la formation"]
        lines += income_lines(plan.income)
    return "\n".join(fit(lines, width)) + "\n"
