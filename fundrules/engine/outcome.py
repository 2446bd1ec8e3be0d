"""From criterion outcomes to a funder's answer: status, blockers, facts to collect, next steps.

Outcomes come from a backend as {criterion key: False | None}; a criterion not listed held.
Common criteria must all hold; when a version has routes, at least one route must hold whole.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Optional

from ..french import date_fr, fact_label, fact_value_fr, fill, value_fr
from ..results import Blocker, FunderResult, PendingCheck, RouteResult, SourceRef
from ..rulesets.catalog import ActiveRules, Criterion, Funder, Variant

Outcomes = Mapping[str, Optional[bool]]


def _placeholders(criterion: Criterion, facts: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, str]:
    values = {name: value_fr(params[name]) for name in criterion.params + criterion.text_params}
    for path in criterion.facts:
        values[path.rsplit(".", 1)[-1]] = value_fr(facts.get(path), path)
    values["observed"] = ", ".join(fact_value_fr(path, facts.get(path)) for path in criterion.facts) or "—"
    values["required"] = fill(criterion.required, values)
    return values


def _sources(criterion: Criterion) -> list[SourceRef]:
    return [SourceRef(title=s.title, url=s.url, article=s.article) for s in criterion.sources]


def _blocker(criterion: Criterion, facts: Mapping[str, Any], values: Mapping[str, str]) -> Blocker:
    message = fill(criterion.message, values)
    if not criterion.verified:
        message += " (à confirmer : aucune source ne confirme ce critère)"
    return Blocker(
        criterion=criterion.key,
        route=criterion.route,
        message=message,
        observed={path: facts.get(path) for path in criterion.facts},
        required=values["required"],
        sources=_sources(criterion),
        verified=criterion.verified,
        unlock=criterion.unlock,
    )


def _missing(criterion: Criterion, facts: Mapping[str, Any]) -> list[str]:
    return [path for path in criterion.facts if path not in facts]


def _status_of(criteria: list[Criterion], outcomes: Outcomes) -> str:
    values = [outcomes.get(c.key, True) for c in criteria]
    if any(v is False for v in values):
        return "blocked"
    if any(v is None for v in values):
        return "a_verifier"
    return "eligible"


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


def _and(values) -> Optional[bool]:
    values = list(values)
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


def _or(values) -> Optional[bool]:
    values = list(values)
    if any(v is True for v in values):
        return True
    return None if any(v is None for v in values) else False


def _scope(
    active: ActiveRules, common: list[Criterion], by_route: dict[str, list[Criterion]], outcomes: Outcomes
) -> tuple[Optional[bool], dict[str, Optional[bool]]]:
    """Is the person whom the scheme is for? The funder's scope criteria must hold, and at least one
    route must be for them (its gates and scope criteria hold). Unknown stays unknown."""
    scope_ids, _label = active.funder.scope_of(active.variant)
    route_scope = {
        rid: _and(outcomes.get(c.key, True) for c in crits if c.gate or c.id in scope_ids)
        for rid, crits in by_route.items()
    }
    parts = [outcomes.get(c.key, True) for c in common if c.id in scope_ids]
    if route_scope:
        parts.append(_or(route_scope.values()))
    return _and(parts), route_scope


def build_result(
    active: ActiveRules, facts: Mapping[str, Any], outcomes: Outcomes, operator: Optional[str]
) -> FunderResult:
    funder, version, variant = active.funder, active.version, active.variant
    params = active.param_values()
    common, by_route = active.partition
    notice_criteria = [c for c in active.criteria if not c.blocking and c.key in outcomes]
    route_status = {rid: _status_of(crits, outcomes) for rid, crits in by_route.items()}

    common_status = _status_of(common, outcomes)
    in_scope, route_scope = _scope(active, common, by_route, outcomes)
    if by_route:
        open_routes = [rid for rid, s in route_status.items() if s != "blocked"]
        routes_status = (
            "eligible" if "eligible" in route_status.values() else "a_verifier" if open_routes else "blocked"
        )
    else:
        open_routes, routes_status = [], "eligible"

    if "blocked" in (common_status, routes_status):
        status = "blocked"
    elif "a_verifier" in (common_status, routes_status):
        status = "a_verifier"
    else:
        status = "eligible"

    # Blockers: failing common criteria, and every route's failures when no route is left; a route
    # whose gate fails (the person is not whom it is for) reports its gate only.
    failing = [c for c in common if outcomes.get(c.key, True) is False]
    if routes_status == "blocked":
        for crits in by_route.values():
            route_failing = [c for c in crits if outcomes.get(c.key, True) is False]
            gates = [c for c in route_failing if c.gate]
            failing += gates or route_failing
    # What to collect: unknown common criteria, and unknown criteria of routes still open.
    if routes_status == "eligible":
        relevant_routes: list[str] = []
    else:
        relevant_routes = open_routes
    unknown = [c for c in common if c.key in outcomes and outcomes[c.key] is None]
    unknown += [c for rid in relevant_routes for c in by_route[rid] if c.key in outcomes and outcomes[c.key] is None]

    texts = {c.key: _placeholders(c, facts, params) for c in failing + unknown + notice_criteria}
    notices = [fill(c.message, texts[c.key]) + ("" if c.verified else " (à confirmer)") for c in notice_criteria]
    blockers = [_blocker(c, facts, texts[c.key]) for c in failing]
    pending = [
        PendingCheck(criterion=c.key, route=c.route, missing_facts=_missing(c, facts), verified=c.verified)
        for c in unknown
    ]
    missing: dict[str, None] = {}
    for c in unknown:
        for path in _missing(c, facts):
            missing.setdefault(path, None)

    # Criteria on which the answer rests and that no source confirms. Eligible: the common
    # criteria and one route that holds, the one resting on the fewest unverified criteria (first
    # in file order on a tie); another route that also holds did not decide. A criterion is one
    # unit: `verified` covers its whole condition, whichever branch of an `or` inside it held.
    if status == "eligible":
        holding_routes = [rid for rid, s in route_status.items() if s == "eligible"]
        deciding = min(holding_routes, key=lambda rid: sum(not c.verified for c in by_route[rid]), default=None)
        decisive = common + (by_route[deciding] if deciding is not None else [])
    else:
        decisive = failing + unknown
    unverified = [c.key for c in decisive if not c.verified]

    can_mobilise = None if operator is None else operator in funder.mobilised_by
    decided_by = version.decided_by or (variant.decided_by if variant else None) or funder.decided_by
    steps: dict[str, None] = {}
    for c in failing + unknown:
        if c.next_step:
            steps.setdefault(fill(c.next_step, texts[c.key]), None)
    if missing:
        steps.setdefault("Recueillir : " + ", ".join(fact_label(p) for p in missing) + ".", None)
    orientation_step = version.orientation_step or funder.orientation_step
    if status != "blocked" and can_mobilise is False and orientation_step:
        steps.setdefault(orientation_step, None)
    if status != "blocked" and version.advice:
        steps.setdefault(version.advice, None)
    if status == "eligible" and can_mobilise is not False:
        steps.setdefault(f"Constituer la demande auprès de : {decided_by}.", None)
    label = f"{variant.id}/{version.label}" if variant else version.label
    message = None
    if variant and variant.illustrative:
        message = (
            f"{variant.name} : règles illustratives (aucune source publique ne les confirme), "
            f"à confirmer auprès de : {decided_by}."
        )

    return FunderResult(
        funder=funder.id,
        funder_name=funder.name,
        category=funder.category,
        kind=funder.kind,
        status=status,
        message=message,
        ruleset_version=label,
        valid_from=version.valid_from,
        valid_to=version.valid_to,
        blockers=blockers,
        missing_facts=list(missing),
        pending=pending,
        routes=[
            RouteResult(route=r.id, label=r.label, status=route_status[r.id], in_scope=route_scope[r.id])
            for r in version.routes
        ],
        unverified_criteria=unverified,
        notices=notices,
        illustrative=bool(variant and variant.illustrative),
        next_steps=list(steps),
        decided_by=decided_by,
        operator_can_mobilise=can_mobilise,
        in_scope=in_scope,
        scope_label=funder.scope_of(variant)[1],
    )
