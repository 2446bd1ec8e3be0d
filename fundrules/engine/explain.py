"""Explain: a funder's decision (engine/decide.py) and the case's values → its French answer.

Why apart from the decision: the texts a counsellor reads (blockers with the value seen and the
value required, notices, next steps, what to collect) change far more often than the rules that
decide, and cost most of an answer; written here, from a finished decision, they can never change
it. This is the only engine module that writes French (with fundrules/french.py); the direction is
one way: explain reads decide, decide never reads explain.

Pure: what depends on the decision and the operator only (the answer's "frame") is kept in the
Engine's cache (engine/cache.py) under a key naming every value it is built from; the texts that
read the case's values are written each time. Results are built with `construct` from values the
rulesets' validation already checked: the pydantic validation of the output models stays at the API
boundary, not on every answer.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Mapping
from typing import Any, Optional

from ..french import date_fr, fact_label, fact_value_fr, fill, value_fr
from ..results import Blocker, FrozenDict, FunderResult, PendingCheck, RouteResult, SourceRef, construct
from ..rulesets.catalog import ActiveRules, Criterion, Funder, Variant
from .cache import AnswerCache
from .decide import FunderOutcome


def _placeholders(criterion: Criterion, facts: Mapping[str, Any], params: Mapping[str, str]) -> dict[str, str]:
    """The values a criterion's French texts name: its parameters, the facts it read, observed, required."""
    values = {name: params[name] for name in criterion.params + criterion.text_params}
    for path in criterion.facts:
        values[path.rsplit(".", 1)[-1]] = value_fr(facts.get(path), path)
    values["observed"] = ", ".join(fact_value_fr(path, facts.get(path)) for path in criterion.facts) or "—"
    values["required"] = fill(criterion.required, values)
    return values


def _sources(criterion: Criterion) -> tuple[SourceRef, ...]:
    """The criterion's sources as output models: derived from the rules alone, so built once per
    criterion (held weakly: they go with the rules) and shared, immutable, by every answer."""
    refs = _SOURCES.get(criterion)
    if refs is None:
        refs = _SOURCES[criterion] = tuple(
            construct(SourceRef, title=s.title, url=s.url, article=s.article) for s in criterion.sources
        )
    return refs


_SOURCES: weakref.WeakKeyDictionary[Criterion, tuple[SourceRef, ...]] = weakref.WeakKeyDictionary()


def _blocker(criterion: Criterion, facts: Mapping[str, Any], values: Mapping[str, str]) -> Blocker:
    message = fill(criterion.message, values)
    if not criterion.verified:
        message += " (à confirmer : aucune source ne confirme ce critère)"
    return construct(
        Blocker,
        criterion=criterion.key,
        route=criterion.route,
        message=message,
        observed=FrozenDict({path: facts.get(path) for path in criterion.facts}),
        required=values["required"],
        sources=_sources(criterion),
        verified=criterion.verified,
        unlock=criterion.unlock,
    )


def failed_blocker(active: ActiveRules, criterion: Criterion, facts: Mapping[str, Any]) -> Blocker:
    """The blocker a failing criterion of `active` gives on `facts`, worded as in every answer
    (fundrules/coherence.py words a known gap with it)."""
    texts = {name: value_fr(value) for name, value in active.params}
    return _blocker(criterion, facts, _placeholders(criterion, facts, texts))


def variant_missing(funder: Funder, value: Any) -> FunderResult:
    """A funder selected by a fact (the regional plan by region) when that fact gives no rules."""
    fact = funder.variant_by or ""  # only funders with variants get here
    common = dict(
        funder=funder.id,
        funder_name=funder.name,
        category=funder.category,
        kind=funder.kind,
        ruleset_version=None,
        decided_by=funder.decided_by,
        status="a_verifier",
        scope_label=funder.scope_label,
    )
    if value is None:
        return FunderResult(
            message=f"Règles propres à chaque valeur du fait « {fact_label(fact)} » : il est inconnu.",
            missing_facts=[funder.variant_by],
            next_steps=[f"Recueillir : {fact_label(fact)}."],
            **common,
        )
    return FunderResult(
        message=(
            f"Aucune règle encodée pour {fact_value_fr(fact, value)} : à vérifier auprès de : {funder.decided_by}."
        ),
        next_steps=[f"Vérifier les critères auprès de : {funder.decided_by}."],
        **common,
    )


def not_in_force(funder: Funder, day: dt.date, variant: Optional[Variant] = None) -> FunderResult:
    """The answer for a date no version covers: not created yet, abolished, or not encoded."""
    versions = funder.versions_of(variant)
    first, last = versions[0], versions[-1]
    decided_by = (variant.decided_by if variant else None) or funder.decided_by
    common = dict(
        funder=funder.id,
        funder_name=funder.name,
        category=funder.category,
        kind=funder.kind,
        ruleset_version=None,
        decided_by=decided_by,
        illustrative=bool(variant and variant.illustrative),
        scope_label=funder.scope_of(variant)[1],
    )
    if day < first.valid_from:
        if funder.in_force_from and day < funder.in_force_from:
            message = funder.before_start or (
                f"Dispositif pas encore créé à cette date (en vigueur à partir du {date_fr(funder.in_force_from)})."
            )
            return FunderResult(status="not_in_force", message=message, **common)
        return FunderResult(
            status="a_verifier",
            message=(
                f"Aucune règle encodée pour cette date : la première version encodée commence le "
                f"{date_fr(first.valid_from)}. À vérifier auprès de : {decided_by}."
            ),
            next_steps=[f"Vérifier les critères en vigueur à cette date auprès de : {decided_by}."],
            **common,
        )
    message = funder.replaced_by or f"Dispositif supprimé après le {date_fr(last.valid_to)}."
    return FunderResult(status="not_in_force", message=message, **common)


def _frame(
    active: ActiveRules, decision: FunderOutcome, operator: Optional[str]
) -> tuple[dict[str, Any], tuple[Criterion, ...], tuple[Criterion, ...], tuple[str, ...], dict[str, str]]:
    """What a funder's answer holds that depends on its decision and the operator only, not on the
    values its texts read (`build_result` adds the texts): fields of FunderResult, criteria giving
    notices, criteria giving a next step, later steps, the French text of each parameter value."""
    funder, version, variant = active.funder, active.version, active.variant
    _common, by_route = active.partition
    outcomes = decision.outcomes
    notice_criteria = tuple(c for c in active.criteria if not c.blocking and c.key in outcomes)
    status, route_status = decision.status, decision.route_status
    failing, unknown = decision.failing, decision.unknown
    missing = decision.missing_facts
    missing_set = set(missing)
    # facts missing for each unknown criterion: exactly those of the decision's facts to collect it reads
    pending = tuple(
        construct(
            PendingCheck,
            criterion=c.key,
            route=c.route,
            missing_facts=tuple(path for path in c.facts if path in missing_set),
            verified=c.verified,
        )
        for c in unknown
    )

    # Criteria on which the answer rests and that no source confirms. Eligible: the common
    # criteria and one route that holds, the one resting on the fewest unverified criteria (first
    # in file order on a tie); another route that also holds did not decide. A criterion is one
    # unit: `verified` covers its whole condition, whichever branch of an `or` inside it held.
    if status == "eligible":
        holding_routes = [rid for rid, s in route_status.items() if s == "eligible"]
        deciding = min(holding_routes, key=lambda rid: sum(not c.verified for c in by_route[rid]), default=None)
        decisive = _common + (by_route[deciding] if deciding is not None else [])
    else:
        decisive = list(failing + unknown)
    unverified = tuple(c.key for c in decisive if not c.verified)

    can_mobilise = None if operator is None else operator in funder.mobilised_by
    decided_by = version.decided_by or (variant.decided_by if variant else None) or funder.decided_by
    later: list[str] = []  # after the criteria's own next steps (duplicates are dropped then)
    if missing:
        later.append("Recueillir : " + ", ".join(fact_label(p) for p in missing) + ".")
    orientation_step = version.orientation_step or funder.orientation_step
    if status != "blocked" and can_mobilise is False and orientation_step:
        later.append(orientation_step)
    if status != "blocked" and version.advice:
        later.append(version.advice)
    if status == "eligible" and can_mobilise is not False:
        later.append(f"Constituer la demande auprès de : {decided_by}.")
    label = f"{variant.id}/{version.label}" if variant else version.label
    message = None
    if variant and variant.illustrative:
        message = (
            f"{variant.name} : règles illustratives (aucune source publique ne les confirme), "
            f"à confirmer auprès de : {decided_by}."
        )
    fields: dict[str, Any] = dict(
        funder=funder.id,
        funder_name=funder.name,
        category=funder.category,
        kind=funder.kind,
        status=status,
        ruleset_version=label,
        valid_from=version.valid_from,
        valid_to=version.valid_to,
        message=message,
        blockers=None,
        missing_facts=missing,
        pending=pending,
        routes=tuple(
            construct(
                RouteResult, route=r.id, label=r.label, status=route_status[r.id], in_scope=decision.route_scope[r.id]
            )
            for r in version.routes
        ),
        unverified_criteria=unverified,
        notices=None,
        illustrative=bool(variant and variant.illustrative),
        next_steps=None,
        decided_by=decided_by,
        operator_can_mobilise=can_mobilise,
        ruleset_file=None,
        ruleset_digest=None,
        trace=None,
        reviewed_on=None,
        in_scope=decision.in_scope,
        scope_label=funder.scope_of(variant)[1],
    )
    step_criteria = tuple(c for c in failing + unknown if c.next_step)
    params = {name: value_fr(value) for name, value in active.params}  # the parameters' French texts
    return fields, notice_criteria, step_criteria, tuple(later), params


def build_result(
    decision: FunderOutcome,
    facts: Mapping[str, Any],
    operator: Optional[str],
    cache: AnswerCache,
    **extra: Any,
) -> FunderResult:
    """The funder's French answer from its decision (`decide`); `extra` sets the fields the engine
    adds (ruleset_file, ruleset_digest, trace, reviewed_on). What depends on the decision and the
    operator only is kept in the cache; the texts that read the case's values are written each time."""
    active = decision.active
    assert active is not None  # an answer without rules is `decision.early`
    key = (decision, operator)
    frame = cache.get("frame", key)
    if frame is None:
        frame = cache.put("frame", key, _frame(active, decision, operator))
    fixed, notice_criteria, step_criteria, later_steps, params = frame

    texts = {c.key: _placeholders(c, facts, params) for c in decision.failing + decision.unknown + notice_criteria}
    notices = tuple(fill(c.message, texts[c.key]) + ("" if c.verified else " (à confirmer)") for c in notice_criteria)
    blockers = tuple(_blocker(c, facts, texts[c.key]) for c in decision.failing)
    steps: dict[str, None] = {}
    for c in step_criteria:
        steps.setdefault(fill(c.next_step, texts[c.key]), None)
    for step in later_steps:
        steps.setdefault(step, None)

    fields: dict[str, Any] = dict(fixed)
    fields.update(blockers=blockers, notices=notices, next_steps=tuple(steps))
    fields.update(extra)
    return construct(FunderResult, **fields)
