"""Replay: evaluate library cases again, under the rules of their meeting or of another date.

At the meeting date the evaluation is compared with what the case expects; at another date it
is compared with the evaluation at the meeting date, to show which dead ends a change of the
rules opened or closed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from dataclasses import field as default
from typing import Any, Optional

from ..case import case_facts
from ..derived import add_derived
from ..french import fact_value_fr
from ..parallel import can_fork, forked_slices
from ..results import STATUS_FR, Evaluation, FunderResult
from .cases import LibraryCase
from .decisions import DecisionCheck, check_decision


@dataclass
class Difference:
    """A funder whose evaluation differs from what the case expects."""

    funder: str
    field: str  # status, blockers or missing_facts
    expected: Any
    got: Any
    criteria: list[str] = default(default_factory=list)  # each criterion involved, with both values


@dataclass
class Change:
    """What another date's rules change for one funder."""

    funder: str
    status_before: str
    status_after: str
    blockers_appeared: list[str] = default(default_factory=list)
    blockers_disappeared: list[str] = default(default_factory=list)
    successor_routes: list[str] = default(default_factory=list)
    in_scope_after: Optional[bool] = None  # false: the person is not whom the scheme is for (hors public)

    @property
    def gained(self) -> bool:
        return self.status_after == "eligible" and self.status_before != "eligible"

    @property
    def lost(self) -> bool:
        return self.status_before == "eligible" and self.status_after != "eligible"


@dataclass
class CaseReplay:
    case: LibraryCase
    as_of: dt.date
    statuses: dict[str, str]  # funder -> status at the replay date
    differences: list[Difference] = default(default_factory=list)
    changes: list[Change] = default(default_factory=list)
    plan: Any = None  # the funding plan at the replay date
    # The full evaluations; left out (None) by a parallel replay, which returns only the above.
    evaluation: Optional[Evaluation] = None
    meeting_evaluation: Optional[Evaluation] = None
    # The meeting's recorded decision under the rules of the replay date (today without --as-of)
    decision: Optional[DecisionCheck] = None

    @property
    def matches(self) -> bool:
        return not self.differences


def _criterion_text(engine, result: FunderResult, case: LibraryCase, key: str, day: dt.date) -> str:
    for blocker in result.blockers:
        if blocker.criterion == key:
            seen = ", ".join(fact_value_fr(k, v) for k, v in blocker.observed.items())
            return f"{key} (vu : {seen} ; requis : {blocker.required})"
    funder = engine.catalog.funders.get(result.funder)
    if funder is None:
        return f"{key} (financeur inconnu)"
    facts = case_facts(case.case)
    add_derived(facts, day)
    variant = funder.variants.get(facts.get(funder.variant_by)) if funder.variant_by else None
    active = engine.catalog.active(funder, day, variant)
    criterion = next((c for c in active.criteria if c.key == key), None) if active else None
    if criterion is None:
        return f"{key} (critère absent des règles du {day.strftime('%d/%m/%Y')})"
    seen = ", ".join(fact_value_fr(p, facts.get(p)) for p in criterion.facts)
    return f"{key} (vu : {seen} ; tient : {criterion.evaluator(facts, active.param_values())})"


def compare(engine, case: LibraryCase, evaluation: Evaluation) -> list[Difference]:
    differences = []
    for funder_id, expected in sorted(case.expected.items()):
        try:
            result = evaluation.result(funder_id)
        except KeyError:
            differences.append(Difference(funder_id, "status", expected.status, "financeur inconnu"))
            continue
        day = evaluation.as_of
        if result.status != expected.status:
            involved = sorted(set(expected.blockers or []) | {b.criterion for b in result.blockers})
            differences.append(
                Difference(
                    funder_id,
                    "status",
                    expected.status,
                    result.status,
                    [_criterion_text(engine, result, case, k, day) for k in involved],
                )
            )
        got_blockers = sorted(b.criterion for b in result.blockers)
        if expected.blockers is not None and sorted(expected.blockers) != got_blockers:
            involved = sorted(set(expected.blockers) ^ set(got_blockers))
            differences.append(
                Difference(
                    funder_id,
                    "blockers",
                    sorted(expected.blockers),
                    got_blockers,
                    [_criterion_text(engine, result, case, k, day) for k in involved],
                )
            )
        if expected.missing_facts is not None and sorted(expected.missing_facts) != sorted(result.missing_facts):
            differences.append(
                Difference(funder_id, "missing_facts", sorted(expected.missing_facts), sorted(result.missing_facts))
            )
    return differences


def changes_between(engine, before: Evaluation, after: Evaluation) -> list[Change]:
    changes = []
    after_by_id = {r.funder: r for r in after.results}
    for old in before.results:
        new = after_by_id.get(old.funder)
        if new is None:
            continue
        old_blockers = {b.criterion for b in old.scoped_blockers()}  # hors public is no dead end
        new_blockers = {b.criterion for b in new.scoped_blockers()}
        lifted = sorted(old_blockers - new_blockers) if new.status != "not_in_force" else []
        change = Change(
            old.funder, old.status, new.status, sorted(new_blockers - old_blockers), lifted, in_scope_after=new.in_scope
        )
        funder = engine.catalog.funders.get(old.funder)
        if funder and funder.successor and new.status == "not_in_force" and old.status != "not_in_force":
            successor = after_by_id.get(funder.successor)
            if successor:
                next_routes = {r.route: r for r in successor.routes}
                for route in old.routes:
                    if route.status != "blocked" and route.route in next_routes:
                        target = next_routes[route.route]
                        change.successor_routes.append(
                            f"{route.label} ({STATUS_FR[route.status]}) → {successor.funder_name} : "
                            f"{target.label} ({STATUS_FR[target.status]})"
                        )
        if (
            change.status_before != change.status_after
            or change.blockers_appeared
            or change.blockers_disappeared
            or change.successor_routes
        ):
            changes.append(change)
    return changes


def today() -> dt.date:
    """The date whose rules a recorded decision is checked against when no --as-of is given."""
    return dt.date.today()


def replay_case(engine, case: LibraryCase, as_of: Optional[dt.date] = None) -> CaseReplay:
    from ..plan import make_plan

    at_meeting = engine.evaluate(case.case, as_of=case.meeting.date)
    if as_of is None:
        decision = None
        if case.decision is not None:
            decision = check_decision(case, engine.evaluate(case.case, as_of=today()))
        return CaseReplay(
            case,
            case.meeting.date,
            {r.funder: r.status for r in at_meeting.results},
            differences=compare(engine, case, at_meeting),
            plan=make_plan(engine, case.case, case.meeting.date, evaluation=at_meeting),
            evaluation=at_meeting,
            decision=decision,
        )
    other = engine.evaluate(case.case, as_of=as_of)
    return CaseReplay(
        case,
        as_of,
        {r.funder: r.status for r in other.results},
        changes=changes_between(engine, at_meeting, other),
        plan=make_plan(engine, case.case, as_of, evaluation=other),
        evaluation=other,
        meeting_evaluation=at_meeting,
        decision=check_decision(case, other),
    )


def _replay_slice(
    state: tuple[Any, Optional[dt.date], Sequence[LibraryCase]], start: int, end: int
) -> list[CaseReplay]:
    """In a worker: the whole replay of each case of the slice, returned without the bulky evaluations.

    Cases are taken one at a time: from `CaseFiles` each is read here, in the worker."""
    engine, as_of, cases = state
    results = []
    for index in range(start, end):
        replay = replay_case(engine, cases[index], as_of)
        replay.evaluation = replay.meeting_evaluation = None
        results.append(replay)
    return results


def iter_replays(
    engine,
    cases: Iterable[LibraryCase],
    as_of: Optional[dt.date] = None,
    jobs: int = 1,
    keep_evaluations: bool = False,
) -> Iterator[CaseReplay]:
    """Each case's replay, in the order of `cases`, as soon as it is known: memory stays flat over
    any number of cases when the caller does not keep them (the report is written as they come).

    The full evaluations are dropped once compared (the report needs only statuses, differences,
    changes and plan) unless `keep_evaluations`, which a parallel replay ignores. With `jobs` > 1,
    forked workers inherit the engine and `cases` (a sequence: `CaseFiles` lets them read the files).
    """
    if jobs > 1 and can_fork():
        if not isinstance(cases, Sequence):
            cases = list(cases)
        if len(cases) >= 2:
            size = max(1, min(100, len(cases) // (jobs * 4)))
            for chunk in forked_slices(_replay_slice, (engine, as_of, cases), len(cases), jobs, size):
                yield from chunk
            return
    for case in cases:
        replay = replay_case(engine, case, as_of)
        if not keep_evaluations:
            replay.evaluation = replay.meeting_evaluation = None
        yield replay


def replay_cases(
    engine,
    cases: Iterable[LibraryCase],
    as_of: Optional[dt.date] = None,
    progress: Optional[Callable[[LibraryCase], None]] = None,
    jobs: int = 1,
) -> list[CaseReplay]:
    """Every replay in a list (the sequential one keeps the full evaluations); `iter_replays` streams."""
    results = []
    for replay in iter_replays(engine, cases, as_of, jobs=jobs, keep_evaluations=True):
        results.append(replay)
        if progress:
            progress(replay.case)
    return results
