"""Building funding plans from an evaluation: which funders, in what order, for how much, and what
remains to pay. Plan rules (stage two) run through the engine's backend, like the funders' rules."""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from ..case import case_facts
from ..conditions.kleene import compile_condition
from ..derived import add_derived
from ..french import short_name
from ..results import Evaluation, FunderResult
from .income import income_chain, missing_revaluations, stale_text
from .model import Exclusion, FundingPlan, Plan, PlanStep, Unlock
from .rules import PlanVersion, candidate_fact

CANDIDATE_STATUSES = ("eligible", "a_verifier")
MAX_PLANS = 4


def _number(node, facts, params) -> Optional[float]:
    if node is None:
        return None
    value = compile_condition(node)(facts, params)
    return None if value is None else float(value)


def _exclusions(engine, rules: PlanVersion, chosen: set[str], case_facts_: Optional[dict] = None) -> dict[str, str]:
    """{rule id: funder it excludes} for the plan rules that fail on this set of funders (rules may
    also read the case's facts: the AIF is for job seekers, not in an employee's plan)."""
    facts = {**(case_facts_ or {}), **{candidate_fact(fid): fid in chosen for fid in engine.catalog.funders}}
    outcomes = engine.criteria_outcomes(rules.active, facts)
    return {
        rule: rules.excludes[rule]
        for rule, value in outcomes.items()
        if value is False and rules.excludes[rule] in chosen
    }


class _Amounts:
    """What each funder can cover for this case on this date, from the `amount` fields of its rules."""

    def __init__(self, engine, facts: dict[str, Any], day: dt.date):
        self.engine, self.facts, self.day = engine, facts, day

    def of(self, result: FunderResult) -> tuple[Optional[float], Optional[float], Optional[float], Optional[str]]:
        """(amount, hours, holder's share, why the share is not known): past a revaluation day of the share
        with no value encoded for it (the CPF participation on 2027-01-01), no figure but « à confirmer »."""
        funder = self.engine.catalog.funders[result.funder]
        variant = funder.variants.get(self.facts.get(funder.variant_by)) if funder.variant_by else None
        active = self.engine.catalog.active(funder, self.day, variant)
        if active is None:
            return None, None, None, None
        version, params = active.version, active.param_values()
        amount = _number(version.amount, self.facts, params)
        hours = _number(version.amount_hours, self.facts, params)
        share, unknown_share = None, None
        if version.holder_share:
            parameter, exempting = version.holder_share
            criterion = next((c for c in active.criteria if c.id == exempting), None)
            if criterion is not None and criterion.evaluator(self.facts, params) is not True:
                stale = missing_revaluations(version.parameters, [parameter], self.day)
                if stale:
                    unknown_share = stale_text(stale, version.parameters)
                else:
                    share = float(params.get(parameter) or version.parameters[parameter].value_at(self.day))
        return amount, hours, share, unknown_share


def _build(
    engine,
    evaluation: Evaluation,
    chosen: list[str],
    rules: Optional[PlanVersion],
    amounts: _Amounts,
    cost: Optional[float],
) -> FundingPlan:
    results = {r.funder: r for r in evaluation.results}
    complements = set(rules.complements) if rules else set()
    steps: list[PlanStep] = []
    covered, holder, undetermined = 0.0, 0.0, False
    for fid in chosen:
        if cost is not None and cost - covered - holder <= 0:
            break  # the cost is covered: no funder is asked for nothing
        result = results[fid]
        amount, hours, share, unknown_share = amounts.of(result) if fid not in complements else (None, None, None, None)
        if unknown_share is not None:
            amount = None  # the funder pays the cost less a share whose amount for this date is not encoded
        if amount is not None:
            if cost is not None:
                amount = max(0.0, min(amount, cost - covered - holder - (share or 0.0)))
            if amount <= 0:
                continue  # a zero-euro step (an empty balance) is no step, and costs the holder nothing
            covered += amount
        else:
            undetermined = True
        holder += share or 0.0
        steps.append(
            PlanStep(
                order=len(steps) + 1,
                funder=fid,
                funder_name=result.funder_name,
                status=result.status,
                amount=amount,
                amount_hours=hours,
                holder_share=share,
                holder_share_note=unknown_share,
                complement=fid in complements,
                in_scope=result.in_scope,
                scope_label=result.scope_label,
                decided_by=result.decided_by,
                next_step=result.next_steps[0] if result.next_steps else None,
            )
        )
    steps = _reconcile_timing(steps)
    remaining = None if cost is None else round(cost - covered - holder, 2)
    if remaining is None:
        covers = None
    elif remaining <= 0:
        covers = True
    else:
        covers = None if undetermined else False
    return FundingPlan(
        steps=steps,
        cost=cost,
        covered=round(covered, 2),
        holder_pays=round(holder, 2),
        remaining=remaining,
        covers_cost=covers,
    )


LATER, EARLIER = "plus tardive", "plus tôt"


def _reconcile_timing(steps: list[PlanStep]) -> list[PlanStep]:
    """One funder asks for a later session, another for an earlier one: say it once, as a window to
    find, rather than two contradictory instructions."""
    later = [s for s in steps if s.next_step and LATER in s.next_step]
    earlier = [s for s in steps if s.next_step and EARLIER in s.next_step]
    if not (later and earlier):
        return steps
    names = lambda group: ", ".join(s.funder_name for s in group)  # noqa: E731
    sentence = (
        f"Délais à concilier : {names(later)} demande une session plus tardive, {names(earlier)} "
        "une session qui commence plus tôt ; chercher une date de début qui respecte les deux, "
        "sinon choisir entre ces financeurs."
    )
    return [s.model_copy(update={"next_step": sentence}) if s in later or s in earlier else s for s in steps]


def _offered_unlocks(evaluation: Evaluation, rules: Optional[PlanVersion], facts: dict) -> list[Unlock]:
    """Agreements or facts that alone would lift a blocker, and that the counsellor can act on for
    this person: never for a funder whose public excludes them, unless a plan rule says the unlock is
    plausible here (an RQTH request when a health condition is stated)."""
    guards = {(f, c): cond for f, c, cond in (rules.unlock_only_if if rules else ())}
    unlock = []
    for result in evaluation.results:
        if (
            result.kind != "course"
            or result.status != "blocked"
            or len(result.blockers) != 1
            or not result.blockers[0].unlock
        ):
            continue
        blocker = result.blockers[0]
        guard = guards.get((result.funder, blocker.criterion))
        if guard is not None:
            if guard(facts, {}) is not True:
                continue
        elif result.in_scope is False:
            continue
        unlock.append(
            Unlock(
                funder=result.funder, funder_name=result.funder_name, criterion=blocker.criterion, what=blocker.unlock
            )
        )
    return unlock


def _ordered(ids: set[str], rules: Optional[PlanVersion]) -> list[str]:
    order = list(rules.order) + [c for c in rules.complements if c not in rules.order] if rules else []
    return [f for f in order if f in ids] + sorted(ids - set(order))


def _distinct(plans: list[FundingPlan]) -> list[FundingPlan]:
    """Each plan once: two sets of funders can end in the same steps (the cost covered before the
    funders that differ), and the same plan twice reads as two options where there is one."""
    seen: set[tuple] = set()
    out = []
    for p in plans:
        key = tuple((s.funder, s.amount, s.holder_share) for s in p.steps)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def make_plan(engine, case, as_of: Optional[dt.date] = None, evaluation: Optional[Evaluation] = None) -> Plan:
    """Plans for `case`; pass the case's `evaluation` at `as_of` when it is already known."""
    if evaluation is None:
        evaluation = engine.evaluate(case, as_of)
    day = evaluation.as_of
    facts = case_facts(case)
    add_derived(facts, day)
    rules = next((v for v in engine.plan_rules if v.covers(day)), None)
    cost = facts.get("projet.cout_pedagogique")
    cost = float(cost) if cost is not None else None
    # Only course funders go into funding steps; income schemes (kind: income) go to the income chain.
    candidates = {
        r.funder
        for r in evaluation.results
        if r.status in CANDIDATE_STATUSES and r.in_scope is not False and r.kind == "course"
    }
    amounts = _Amounts(engine, facts, day)
    names = {r.funder: r.funder_name for r in evaluation.results}

    exclusions: list[Exclusion] = []
    sets: list[set[str]] = []
    if candidates and rules is None:
        sets.append(set(candidates))
    elif candidates and rules is not None:
        excluded = _exclusions(engine, rules, candidates, facts)
        for rule, fid in sorted(excluded.items()):
            message = next(c.message for c in rules.active.criteria if c.id == rule)
            exclusions.append(Exclusion(funder=fid, funder_name=names[fid], rule=rule, message=message))
        sets.append(candidates - set(excluded.values()))
        # Each excluded funder gives an alternative: the plan without the funders its rule objects to.
        for rule, fid in sorted(excluded.items()):
            criterion = next(c for c in rules.active.criteria if c.id == rule)
            others = {p.split(".", 1)[1] for p in criterion.facts if p.startswith("candidat.")} - {fid}
            alternative = candidates - others
            alternative -= set(_exclusions(engine, rules, alternative, facts).values())
            if alternative and alternative not in sets:
                sets.append(alternative)
    plans = _distinct([_build(engine, evaluation, _ordered(s, rules), rules, amounts, cost) for s in sets])[:MAX_PLANS]
    impasse = not plans or all(p.covers_cost is False for p in plans)

    unlock = _offered_unlocks(evaluation, rules, facts)
    message = None
    if impasse:
        if unlock:
            message = (
                "Impasse : aucun plan ne couvre le coût. Ce qui débloquerait un financeur : "
                + " ; ".join(f"{u.what} ({short_name(u.funder_name or u.funder)})" for u in unlock)
                + "."
            )
        else:
            message = (
                "Impasse : aucun plan ne couvre le coût, et aucun accord ou fait isolé ne débloquerait un financeur."
            )
    plans = [
        p.model_copy(update={"income": tuple(income_chain(engine, evaluation, facts, [s.funder for s in p.steps]))})
        for p in plans
    ]
    return Plan(
        as_of=day,
        ruleset_version=rules.label if rules else None,
        plans=plans,
        excluded=exclusions,
        impasse=impasse,
        unlock=unlock,
        message=message,
        provenance=evaluation.provenance,
        income=income_chain(engine, evaluation, facts, candidates),
    )


def funder_amounts(engine, case, evaluation: Evaluation) -> dict[str, Optional[float]]:
    """What each course funder still in the running could cover alone (its rules' `amount`: the CPF
    balance…), None when the funder decides: shown beside its status, before any plan is chosen."""
    facts = case_facts(case)
    add_derived(facts, evaluation.as_of)
    amounts = _Amounts(engine, facts, evaluation.as_of)
    return {
        r.funder: amounts.of(r)[0]
        for r in evaluation.results
        if r.kind == "course" and r.status in CANDIDATE_STATUSES and r.in_scope is not False
    }
