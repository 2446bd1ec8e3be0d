"""From criterion outcomes to a funder's answer: decide, then explain, in that one direction.

A backend gives the outcomes as one number per funder's rules (engine/backend.py; read as
{criterion key: False | None}, a criterion not listed held). Common criteria must all hold; when a
version has routes, at least one route must hold whole.

*Decide* (`decide`, pure, no text): status, failing and unknown criteria, facts to collect, scope —
what batch callers read. *Explain* (`build_result`, pure): a decision and the case's values → the
French FunderResult, only when asked. Both take the Engine's cache (engine/cache.py) for what cases
repeat; nothing here keeps state of its own besides the sources of each criterion (held weakly).
Results are built with `construct` from values the rulesets' validation already checked: the
pydantic validation of the output models stays at the API boundary, not on every answer.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from itertools import filterfalse
from types import MappingProxyType
from typing import Any, Optional

from ..french import date_fr, fact_label, fact_value_fr, fill, value_fr
from ..results import Blocker, FrozenDict, FunderResult, PendingCheck, RouteResult, SourceRef, construct
from ..rulesets.catalog import ActiveRules, Criterion, Funder, Variant
from .backend import outcomes_of
from .cache import AnswerCache

Outcomes = Mapping[str, Optional[bool]]


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
        funder_name=funder.name_at(day, variant),
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


@dataclass(frozen=True, slots=True, eq=False)
class FunderOutcome:
    """One funder's answer without its explanation (statuses, blockers' criteria, facts to collect,
    scope), agreeing with the FunderResult that `build_result` explains from it.

    Immutable (tuples and read-only mappings), so the same object may answer every case of a
    stretch of days whose criteria outcomes are the same (the Engine's cache shares it)."""

    funder: str
    status: str  # eligible, blocked, a_verifier or not_in_force, as FunderResult.status
    blockers: tuple[str, ...]  # criterion keys of the blockers (FunderResult.blockers[].criterion)
    missing_facts: tuple[str, ...]  # facts to collect (FunderResult.missing_facts)
    in_scope: Optional[bool]  # FunderResult.in_scope
    active: Optional[ActiveRules] = field(default=None, repr=False)  # None: no rules apply on that date
    outcomes: Mapping[str, Optional[bool]] = field(default_factory=lambda: _EMPTY, repr=False)
    failing: tuple[Criterion, ...] = field(default=(), repr=False)  # the blockers' criteria
    unknown: tuple[Criterion, ...] = field(default=(), repr=False)  # criteria the missing facts would settle
    route_status: Mapping[str, str] = field(default_factory=lambda: _EMPTY, repr=False)
    route_scope: Mapping[str, Optional[bool]] = field(default_factory=lambda: _EMPTY, repr=False)
    early: Optional[FunderResult] = field(default=None, repr=False)  # the whole answer when no rules apply
    pattern: Any = field(default=None, repr=False)  # the outcome pattern (run_coded's number) decided

    @property
    def rules_apply(self) -> bool:
        """False when no version of the rules applies (not in force, not encoded, no rules for the
        value of the fact that selects a variant): the explanation is then a fixed answer."""
        return self.active is not None


_EMPTY: Mapping[str, Any] = MappingProxyType({})


def early_outcome(result: FunderResult) -> FunderOutcome:
    """The compact form of an answer given without rules (not in force, variant missing)."""
    return FunderOutcome(result.funder, result.status, (), tuple(result.missing_facts), result.in_scope, early=result)


def decide(active: ActiveRules, facts: Mapping[str, Any], code: int, cache: AnswerCache) -> FunderOutcome:
    """Status, blockers' criteria, facts to collect and scope of one funder (no text, no model),
    from the number in which a backend gives the criteria outcomes (`Backend.run_coded`).

    The decision depends on that number only, facts to collect aside: it is kept per rules and
    number, and the facts the case lacks are then picked from those its unknown criteria read."""
    key = (active, code)
    found = cache.get("decision", key)
    if found is None:
        found = cache.put("decision", key, _decide(active, outcomes_of(active, code), code))
    return narrowed(found, facts, cache)


def narrowed(found: FunderOutcome, facts: Mapping[str, Any], cache: AnswerCache) -> FunderOutcome:
    """The decision with, as facts to collect, only those this case lacks."""
    if not found.missing_facts or facts.keys().isdisjoint(found.missing_facts):
        return found
    missing = tuple(filterfalse(facts.__contains__, found.missing_facts))
    if len(missing) == len(found.missing_facts):
        return found
    key = (found, missing)  # the same decision, fewer facts to collect
    kept = cache.get("narrowed", key)
    if kept is None:
        kept = cache.put("narrowed", key, replace(found, missing_facts=missing))
    return kept


def _decide(active: ActiveRules, outcomes: Outcomes, pattern: Any = None) -> FunderOutcome:
    """The decision, with every fact read by the unknown criteria as missing (`decide` filters)."""
    common, by_route = active.partition
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
    read: dict[str, None] = {}
    for c in unknown:
        for path in c.facts:
            read.setdefault(path, None)
    return FunderOutcome(
        funder=active.funder.id,
        status=status,
        blockers=tuple(c.key for c in failing),
        missing_facts=tuple(read),
        in_scope=in_scope,
        active=active,
        outcomes=MappingProxyType(dict(outcomes)),
        failing=tuple(failing),
        unknown=tuple(unknown),
        route_status=MappingProxyType(route_status),
        route_scope=MappingProxyType(route_scope),
        pattern=pattern,
    )


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
