"""The person's income over the course (issue 14): which `kind: income` schemes apply, chained by date.

Income schemes are evaluated like course funders (same rulesets, both backends); this module only
orders the eligible or to-be-checked ones into a chain (ARE-Formation until rights end, then the
first of CFF / RFF; pay that lasts the course), attaches amounts from their dated parameters, and
says plainly `aucune` — with why and what would open one — when none applies. `aucune` is an entry
of this chain, not a funder: it has no rules of its own, it is the absence of any.

Amount conventions read from a version's parameters (documented in rulesets/README.md):
`montant_<route>` / `taux_<route>` for the first holding route, else `montant_mensuel` / `taux`
(percent of `beneficiaire.salaire_moyen_reference`, never below 2 x `smic_mensuel` when that
parameter exists), `plancher_journalier` (floor of the daily ARE) and `plafond_mensuel` (cap); funder.yaml
`income.are_based: true` makes the daily ARE the amount (AREF, CFF, RFF, démission-reconversion).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, Optional

from ..french import date_fr, value_fr
from ..months import months_end
from ..results import Evaluation, FunderResult
from .model import IncomeEntry

INCOME_STATUSES = ("eligible", "a_verifier")
DAYS_PER_MONTH = 30  # ARE is paid per day; a month of ARE-based income is shown as 30 days


def course_end(facts: dict[str, Any]) -> Optional[dt.date]:
    """`projet.date_fin`, else start + `duree_mois` whole months (the day before the same day;
    fundrules/months.py)."""
    end = facts.get("projet.date_fin")
    if end is not None:
        return end
    start, months = facts.get("projet.date_debut"), facts.get("projet.duree_mois")
    if start is None or months is None:
        return None
    return months_end(start, int(months))


def _route(result: FunderResult) -> Optional[str]:
    for wanted in ("eligible", "a_verifier"):
        for r in result.routes:
            if r.status == wanted:
                return r.route
    return None


def _amounts(params: dict[str, Any], route: Optional[str], facts: dict[str, Any], are_based: bool = False):
    """(monthly, daily, parameters used) from the conventions above; None where a decision sets it."""
    salary = facts.get("beneficiaire.salaire_moyen_reference")
    monthly = daily = None
    used: list[str] = []

    def first(*names):
        for name in names:
            if name and params.get(name) is not None:
                return name
        return None

    fixed = first(f"montant_{route}" if route else None, "montant_mensuel")
    rate = first(f"taux_{route}" if route else None, "taux")
    if fixed:
        monthly, used = float(params[fixed]), [fixed]
    elif rate and salary is not None:
        monthly, used = float(salary) * float(params[rate]) / 100, [rate]
        if "smic_mensuel" in params and float(params[rate]) < 100:
            monthly = max(monthly, 2 * float(params["smic_mensuel"]))
            used.append("smic_mensuel")
    are = facts.get("beneficiaire.are_journaliere")
    if are is not None and (are_based or "plancher_journalier" in params or "plafond_mensuel" in params):
        daily = max(float(are), float(params.get("plancher_journalier") or 0))
        used += [n for n in ("plancher_journalier",) if n in params and float(params[n]) > float(are)]
        if "plafond_mensuel" in params:
            monthly = min(daily * DAYS_PER_MONTH, float(params["plafond_mensuel"]))
            used.append("plafond_mensuel")
    return (None if monthly is None else round(monthly, 2)), (None if daily is None else round(daily, 2)), used


def missing_revaluations(parameters: dict[str, Any], used: Iterable[str], day: dt.date) -> dict[str, dt.date]:
    """Parameters used for an amount whose last revaluation (on or before `day`) is not encoded."""
    found = {}
    for name in used:
        missing = parameters[name].missing_revaluation(day)
        if missing is not None:
            found[name] = missing
    return found


def stale_text(stale: dict[str, dt.date], parameters: dict[str, Any]) -> str:
    """« à confirmer : revalorisation du JJ/MM/AAAA non encodée » and the last value encoded."""
    days = sorted(set(stale.values()))
    parts = []
    for name in stale:
        parameter = parameters[name]
        start = parameter.start_at(days[-1])
        unit = f" {parameter.unit}" if parameter.unit else ""
        parts.append(f"{parameter.description} : {value_fr(parameter.value_at(days[-1]))}{unit} au {date_fr(start)}")
    when = ", ".join(date_fr(d) for d in days)
    return f"à confirmer : revalorisation du {when} non encodée (dernier montant encodé : {' ; '.join(parts)})"


def _entry(
    engine, result: FunderResult, facts: dict[str, Any], day: dt.date, start: Optional[dt.date], end: Optional[dt.date]
) -> IncomeEntry:
    funder = engine.catalog.funders[result.funder]
    active = engine.catalog.active(funder, day)
    # every parameter of the version (param_values() holds only those the criteria read)
    parameters = active.version.parameters if active else {}
    params = {name: p.value_at(day) for name, p in parameters.items()}
    route = _route(result)
    info = (active.funder if active else funder).income or {}  # the payer as named on that day
    monthly, daily, used = _amounts(params, route, facts, bool(info.get("are_based")))
    amount_verified = all(parameters[name].verified_at(day) for name in used)
    rule = active.version.summary if active else None
    stale = missing_revaluations(parameters, used, day)
    if stale:  # the law revalued an amount used here and the new value is not encoded: no figure
        monthly = daily = None
        amount_verified = False
        rule = stale_text(stale, parameters) + (f" — {rule}" if rule else "")
    return IncomeEntry(
        id=result.funder,
        name=result.funder_name,
        status=result.status,
        payer=info.get("payer"),
        decided_by=result.decided_by,
        start=start,
        end=end,
        monthly=monthly,
        daily=daily,
        rule=rule,
        route=route,
        verified=not result.unverified_criteria and amount_verified,
        next_step=result.next_steps[0] if result.next_steps else None,
    )


def _none_entry(income: list[FunderResult], checking: list[FunderResult]) -> IncomeEntry:
    """`aucune`: why (each blocked scheme's first reason) and what would open one (their unlocks)."""
    blocked = [r for r in income if r.status == "blocked" and r.blockers]
    reasons = [f"{r.funder_name} : {r.blockers[0].message.rstrip('.')}" for r in blocked]
    opens: dict[str, None] = {}
    for r in blocked:
        # only schemes that these agreements or steps would actually open (every blocker has one)
        if all(b.unlock for b in r.blockers):
            for b in r.blockers:
                if b.unlock:
                    opens.setdefault(b.unlock, None)
    reason = "aucun dispositif de rémunération ne s'applique"
    if checking:
        reason = f"aucune ressource confirmée à ce stade ({len(checking)} dispositif(s) à vérifier, ci-dessous)"
    if reasons:
        reason += ". " + " ; ".join(reasons[:4])
    return IncomeEntry(
        id="aucune",
        name="Aucune ressource identifiée",
        status="aucune",
        reason=reason,
        would_open=list(opens),
        to_check=[r.funder for r in checking],
        verified=all(not r.unverified_criteria for r in blocked),
    )


def income_chain(
    engine, evaluation: Evaluation, facts: dict[str, Any], course_funders: Optional[Iterable[str]] = None
) -> list[IncomeEntry]:
    """The person's income over the course; `course_funders`: the plan's funders (None: any)."""
    chosen = None if course_funders is None else set(course_funders)
    income = sorted(
        (r for r in evaluation.results if r.kind == "income"),
        key=lambda r: ((engine.catalog.funders[r.funder].income or {}).get("rank", 100), r.funder),
    )
    start, end = facts.get("projet.date_debut"), course_end(facts)
    rights_end = facts.get("beneficiaire.date_fin_droits_are")
    entries: list[IncomeEntry] = []
    after_rights_taken = False
    applicable = []
    for result in income:
        info = engine.catalog.funders[result.funder].income or {}
        if result.status not in INCOME_STATUSES:
            continue
        paired = info.get("paired_with") or []
        if paired and chosen is not None and not (set(paired) & chosen):
            continue
        applicable.append(result)
        period = info.get("period", "course")
        if period == "until_rights_end":
            stop = min(d for d in (end, rights_end) if d is not None) if (end or rights_end) else None
            entries.append(_entry(engine, result, facts, evaluation.as_of, start, stop))
        elif period == "after_rights_end":
            if after_rights_taken:
                continue
            after_rights_taken = result.status == "eligible"
            begin = rights_end + dt.timedelta(days=1) if rights_end else None
            entries.append(_entry(engine, result, facts, evaluation.as_of, begin, end))
        else:
            entries.append(_entry(engine, result, facts, evaluation.as_of, start, end))
    if not any(e.status == "eligible" for e in entries):
        checking = [r for r in applicable if r.status == "a_verifier"]
        entries.append(_none_entry(income, checking))
    return entries
