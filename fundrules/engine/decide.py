"""Decide: from the criteria outcomes a backend gives to each funder's decision, with no text.

Why apart from the explanation (engine/explain.py): most callers need only the decision (batch
statistics, replays, the guided intake's probes, the compact outcome), and the decision is what the
rules say — status, failing and unknown criteria, routes, scope, facts to collect — while the French
texts are how it is said. Keeping the two apart lets each change alone: a new wording never touches
a decision, and this module imports no French text (fundrules/french.py) nor output wording.

A backend gives the outcomes as one number per funder's rules (engine/backend.py; read as
{criterion key: False | None}, a criterion not listed held). Common criteria must all hold; when a
version has routes, at least one route must hold whole. Pure functions: the Engine's cache
(engine/cache.py) keeps decisions per rules and number, and nothing here keeps state of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from itertools import filterfalse
from types import MappingProxyType
from typing import Any, Optional

from ..results import FunderResult
from ..rulesets.catalog import ActiveRules, Criterion
from .backend import outcomes_of
from .cache import AnswerCache

Outcomes = Mapping[str, Optional[bool]]


@dataclass(frozen=True, slots=True, eq=False)
class FunderOutcome:
    """One funder's answer without its explanation (statuses, blockers' criteria, facts to collect,
    scope), agreeing with the FunderResult that `explain.build_result` writes from it.

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
    # the facts an answer written from this decision can read: those of its failing and unknown
    # criteria and of the notes (non-blocking criteria) that do not hold (engine/explain.py)
    reads: tuple[str, ...] = field(default=(), repr=False)

    @property
    def rules_apply(self) -> bool:
        """False when no version of the rules applies (not in force, not encoded, no rules for the
        value of the fact that selects a variant): the explanation is then a fixed answer."""
        return self.active is not None


_EMPTY: Mapping[str, Any] = MappingProxyType({})
_FIELD_NAMES = tuple(f.name for f in fields(FunderOutcome))


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
    return narrowed(found, facts)


def narrowed(found: FunderOutcome, facts: Mapping[str, Any]) -> FunderOutcome:
    """The decision with, as facts to collect, only those this case lacks: a copy (a few µs), not
    kept in the cache — kept, these copies took an eighth of the entries on the bench's mix and
    pushed it past its bound, emptying it every 2,000 answers or so, for nothing measurable."""
    if not found.missing_facts or facts.keys().isdisjoint(found.missing_facts):
        return found
    missing = tuple(filterfalse(facts.__contains__, found.missing_facts))
    if len(missing) == len(found.missing_facts):
        return found
    return copy_with(found, missing_facts=missing)


def copy_with(decision: FunderOutcome, **changes: Any) -> FunderOutcome:
    """`dataclasses.replace` for a decision, without its per-call field inspection and `__init__`
    (a third of the compact answer's time went there): the same fields, `changes` applied."""
    copy = object.__new__(FunderOutcome)
    for name in _FIELD_NAMES:
        object.__setattr__(copy, name, changes[name] if name in changes else getattr(decision, name))
    return copy


def notes_of(active: ActiveRules, outcomes: Outcomes) -> tuple[Criterion, ...]:
    """The notes of an answer: its non-blocking criteria that do not hold (the status never reads
    them; the explanation shows them, so the facts they read are among those an answer reads)."""
    return tuple(c for c in active.criteria if not c.blocking and c.key in outcomes)


def _status_of(criteria: list[Criterion], outcomes: Outcomes) -> str:
    values = [outcomes.get(c.key, True) for c in criteria]
    if any(v is False for v in values):
        return "blocked"
    if any(v is None for v in values):
        return "a_verifier"
    return "eligible"


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
    reads = dict.fromkeys(read)
    for c in (*failing, *notes_of(active, outcomes)):
        reads.update(dict.fromkeys(c.facts))
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
        reads=tuple(reads),
    )
