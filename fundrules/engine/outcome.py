"""From criterion outcomes to a funder's answer: status, blockers, facts to collect, next steps.

Outcomes come from a backend as {criterion key: False | None}; a criterion not listed held.
Common criteria must all hold; when a version has routes, at least one route must hold whole.

`decide` gives what batch callers read (status, failing and unknown criteria, facts to collect,
in scope), fast; `build_result` turns a decision into the French FunderResult, only when asked.
Results are built with `model_construct` from values the rulesets' validation already checked: the
pydantic validation of the output models stays at the API boundary, not on every answer.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from itertools import filterfalse
from typing import Any, Optional

from ..french import date_fr, fact_label, fact_value_fr, fill, value_fr
from ..results import Blocker, FunderResult, PendingCheck, RouteResult, SourceRef, construct
from ..rulesets.catalog import ActiveRules, Criterion, Funder, Variant

Outcomes = Mapping[str, Optional[bool]]


_PARAM_TEXTS = "param_texts"  # active.memo key: the French text of each parameter value in force


def _placeholders(criterion: Criterion, facts: Mapping[str, Any], params: Mapping[str, str]) -> dict[str, str]:
    values = {name: params[name] for name in criterion.params + criterion.text_params}
    for path in criterion.facts:
        values[path.rsplit(".", 1)[-1]] = value_fr(facts.get(path), path)
    values["observed"] = ", ".join(fact_value_fr(path, facts.get(path)) for path in criterion.facts) or "—"
    values["required"] = fill(criterion.required, values)
    return values


def _explained(
    active: ActiveRules, criterion: Criterion, facts: Mapping[str, Any], params: Mapping[str, str]
) -> list[Any]:
    """[placeholder texts, Blocker or None] of a criterion for the values it reads: kept in a bounded
    store, since cases repeat the same few values (Blocker built on first need)."""
    read = tuple(facts.get(path) for path in criterion.facts)
    key = (_token(active), criterion, tuple(map(type, read)), read)  # types too: 1, 1.0 and True are equal keys
    try:
        found = _BY_VALUES.get(key)
    except TypeError:  # a value that cannot be a key: computed every time
        return [_placeholders(criterion, facts, params), None]
    if found is None:
        found = _keep(key, [_placeholders(criterion, facts, params), None])
    return found


# Texts and answers per values read vary with every case: one store for all rules, bounded in entries
# so that a long replay or service keeps flat memory (per-rules stores grew with the number of periods).
BY_VALUES_SIZE = 8_192  # about 2 kB each: ~16 MB at most
_BY_VALUES: dict = {}
_TOKEN = "token"  # active.memo key: identifies the rules in _BY_VALUES keys (kept alive by them)


def _token(active: ActiveRules) -> object:
    token = active.memo.get(_TOKEN)
    if token is None:
        token = active.memo[_TOKEN] = object()
    return token


def _keep(key: tuple, value: Any) -> Any:
    """Keep `value` under `key` from the second time the key is met. A case never seen again (most
    of a long replay) leaves only its key, in a bounded set: storing every answer made the cyclic GC
    traverse them again and again (objects kept are objects it scans), for hits that never come."""
    if key not in _SEEN:
        if len(_SEEN) >= SEEN_SIZE:
            _SEEN.clear()
        _SEEN[key] = None
        return value
    if len(_BY_VALUES) >= BY_VALUES_SIZE:
        _BY_VALUES.clear()
    _BY_VALUES[key] = value
    return value


SEEN_SIZE = 16_384  # keys met once (tuples of plain values: a few hundred bytes each)
_SEEN: dict = {}


def _sources(criterion: Criterion) -> list[SourceRef]:
    refs = _SOURCES.get(criterion)
    if refs is None:
        refs = _SOURCES[criterion] = tuple(
            construct(SourceRef, title=s.title, url=s.url, article=s.article) for s in criterion.sources
        )
    return list(refs)


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
        observed={path: facts.get(path) for path in criterion.facts},
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


@dataclass(frozen=True, slots=True, eq=False)
class FunderOutcome:
    """One funder's answer without its explanation (statuses, blockers' criteria, facts to collect,
    scope), agreeing with the FunderResult that `build_result` explains from it.

    Shared and immutable: the same object answers every case of a stretch of days whose criteria
    outcomes are the same (and, when facts are missing, that misses the same ones)."""

    funder: str
    status: str  # eligible, blocked, a_verifier or not_in_force, as FunderResult.status
    blockers: tuple[str, ...]  # criterion keys of the blockers (FunderResult.blockers[].criterion)
    missing_facts: tuple[str, ...]  # facts to collect (FunderResult.missing_facts)
    in_scope: Optional[bool]  # FunderResult.in_scope
    active: Optional[ActiveRules] = field(default=None, repr=False)  # None: no rules apply on that date
    outcomes: Mapping[str, Optional[bool]] = field(default_factory=dict, repr=False)
    failing: tuple[Criterion, ...] = field(default=(), repr=False)  # the blockers' criteria
    unknown: tuple[Criterion, ...] = field(default=(), repr=False)  # criteria the missing facts would settle
    route_status: Mapping[str, str] = field(default_factory=dict, repr=False)
    route_scope: Mapping[str, Optional[bool]] = field(default_factory=dict, repr=False)
    early: Optional[FunderResult] = field(default=None, repr=False)  # the whole answer when no rules apply
    pattern: Any = field(default=None, repr=False)  # the outcome pattern this decision is kept under
    reads: tuple[str, ...] = field(default=(), repr=False)  # facts the explanation's texts read
    narrowed: dict = field(default_factory=dict, repr=False)  # {facts still missing: this decision with them}
    frames: dict = field(default_factory=dict, repr=False)  # {operator: what its answer holds besides texts}

    @property
    def rules_apply(self) -> bool:
        """False when no version of the rules applies (not in force, not encoded, no rules for the
        value of the fact that selects a variant): the explanation is then a fixed answer."""
        return self.active is not None


def early_outcome(result: FunderResult) -> FunderOutcome:
    """The compact form of an answer given without rules (not in force, variant missing)."""
    return FunderOutcome(result.funder, result.status, (), tuple(result.missing_facts), result.in_scope, early=result)


# Decisions are kept per rules (a dict on each ActiveRules: one lookup on the hot path) and bounded
# for all rules together: when DECISIONS_SIZE are kept (decisions, their narrowed forms and the
# frames of their answers counted together), every rules' decisions are dropped at once.
DECISIONS_SIZE = 8_192  # about 1-3 kB each
_FILLED: list[dict] = []  # the decision dicts holding something
_kept = [0]  # decisions kept in them (approximate under threads: a race only delays the clearing)


def decide(active: ActiveRules, facts: Mapping[str, Any], outcomes: Outcomes) -> FunderOutcome:
    """Status, blockers' criteria, facts to collect and scope of one funder (no text, no model).

    The decision depends on the criteria outcomes only, facts to collect aside: it is kept per
    outcome pattern on the rules (`active.decisions`), and the facts the case lacks are then picked
    from the facts its unknown criteria read."""
    # Two flat tuples hash quicker than one of pairs; a backend lists the criteria in a fixed order
    key = (tuple(outcomes), tuple(outcomes.values())) if outcomes else None
    return _narrowed(_decision(active, key, outcomes), facts)


def decide_coded(active: ActiveRules, facts: Mapping[str, Any], code: int) -> FunderOutcome:
    """`decide` from the number in which PythonBackend.run_coded gives the outcomes."""
    found = active.decisions.get(code)
    if found is None:
        from .reference import outcomes_of

        found = _decision(active, code, outcomes_of(active, code))
    return _narrowed(found, facts)


def _decision(active: ActiveRules, key: Any, outcomes: Outcomes) -> FunderOutcome:
    decisions = active.decisions
    found = decisions.get(key)
    if found is None:
        _count_one()
        if not decisions:
            _FILLED.append(decisions)
        found = decisions[key] = _decide(active, outcomes, key)
    return found


def _count_one() -> None:
    """Count one more thing kept with the decisions (a decision, a narrowed one, the frame of an
    answer); past DECISIONS_SIZE, drop every rules' decisions and what hangs on them."""
    if _kept[0] >= DECISIONS_SIZE:
        for kept in _FILLED:
            kept.clear()
        _FILLED.clear()
        _kept[0] = 0
    _kept[0] += 1


def _narrowed(found: FunderOutcome, facts: Mapping[str, Any]) -> FunderOutcome:
    """The decision with, as facts to collect, only those this case lacks."""
    if not found.missing_facts or facts.keys().isdisjoint(found.missing_facts):
        return found
    missing = tuple(filterfalse(facts.__contains__, found.missing_facts))
    if len(missing) == len(found.missing_facts):
        return found
    narrowed = found.narrowed.get(missing)  # the same decision, fewer facts to collect: kept on it
    if narrowed is None:
        _count_one()
        narrowed = found.narrowed[missing] = replace(found, missing_facts=missing, narrowed={}, frames={})
    return narrowed


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
    texts: dict[str, None] = {}
    for c in failing + unknown + [c for c in active.criteria if not c.blocking and c.key in outcomes]:
        for path in c.facts:
            texts.setdefault(path, None)
    return FunderOutcome(
        funder=active.funder.id,
        status=status,
        blockers=tuple(c.key for c in failing),
        missing_facts=tuple(read),
        in_scope=in_scope,
        active=active,
        outcomes=dict(outcomes),
        failing=tuple(failing),
        unknown=tuple(unknown),
        route_status=route_status,
        route_scope=route_scope,
        pattern=pattern,
        reads=tuple(texts),
    )


def cached_result(
    decision: FunderOutcome, facts: Mapping[str, Any], operator: Optional[str], **extra: Any
) -> FunderResult:
    """`build_result` without trace, kept in a bounded store: the answer depends only on the outcome
    pattern, the operator, the values its texts read and the facts missing, which cases repeat."""
    active = decision.active
    assert active is not None
    values = tuple(facts.get(path) for path in decision.reads)
    key = (_token(active), decision.pattern, operator, decision.missing_facts, tuple(map(type, values)), values)
    try:
        found = _BY_VALUES.get(key)
    except TypeError:  # a value that cannot be a key
        return build_result(active, facts, decision.outcomes, operator, decision, **extra)
    if found is None:
        found = _keep(key, build_result(active, facts, decision.outcomes, operator, decision, **extra))
    return found


def _frame(
    active: ActiveRules, decision: FunderOutcome, operator: Optional[str]
) -> tuple[dict[str, Any], tuple[Criterion, ...], tuple[Criterion, ...], tuple[str, ...]]:
    """What a funder's answer holds that depends on its decision and the operator only, not on the
    values its texts read: built once per decision and operator (`build_result` adds the texts).
    (fields of FunderResult, criteria giving notices, criteria giving a next step, later steps)."""
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
            missing_facts=[path for path in c.facts if path in missing_set],
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
    return fields, notice_criteria, step_criteria, tuple(later)


def build_result(
    active: ActiveRules,
    facts: Mapping[str, Any],
    outcomes: Outcomes,
    operator: Optional[str],
    decision: Optional[FunderOutcome] = None,
    **extra: Any,
) -> FunderResult:
    """The funder's French answer from its decision (`decide`, computed here when not given);
    `extra` sets the fields the engine adds (ruleset_file, ruleset_digest, trace, reviewed_on)."""
    if decision is None:
        decision = decide(active, facts, outcomes)
    frame = decision.frames.get(operator)
    if frame is None:
        _count_one()
        frame = decision.frames[operator] = _frame(active, decision, operator)
    fixed, notice_criteria, step_criteria, later_steps = frame
    failing = decision.failing

    params = active.memo.get(_PARAM_TEXTS)
    if params is None:
        params = active.memo[_PARAM_TEXTS] = {name: value_fr(value) for name, value in active.params}
    explained = {c.key: _explained(active, c, facts, params) for c in failing + decision.unknown + notice_criteria}
    texts = {key: entry[0] for key, entry in explained.items()}
    notices = [fill(c.message, texts[c.key]) + ("" if c.verified else " (à confirmer)") for c in notice_criteria]
    blockers = []
    for c in failing:
        entry = explained[c.key]
        if entry[1] is None:
            entry[1] = _blocker(c, facts, entry[0])
        blockers.append(entry[1])
    steps: dict[str, None] = {}
    for c in step_criteria:
        steps.setdefault(fill(c.next_step, texts[c.key]), None)  # type: ignore[arg-type]
    for step in later_steps:
        steps.setdefault(step, None)

    fields: dict[str, Any] = dict(fixed)
    fields.update(
        blockers=blockers,
        missing_facts=list(fixed["missing_facts"]),
        pending=list(fixed["pending"]),
        routes=list(fixed["routes"]),
        unverified_criteria=list(fixed["unverified_criteria"]),
        notices=notices,
        next_steps=list(steps),
    )
    fields.update(extra)
    return construct(FunderResult, **fields)
