"""Parts of one answer that must not contradict each other (issue 22), applied to the funders'
results before anything reads them, so that the text, the JSON, the plans and the HTTP service all
say the same thing:

- an income scheme tied to a course (`income.paired_with` in its funder.yaml: the pay during a CIF,
  during a PTP) is never more favourable than that course: pay during a blocked CIF is blocked, pay
  during a CIF still to check is itself still to check;
- a request still being decided (`en_cours`, an attestation asked for and not yet given) is a fact to
  collect, not a blocker: the funder is "à vérifier", not "bloqué";
- a funder "à vérifier" says the gap already known on a route that cannot hold without an unusual
  fact (15 months of seniority where 24 are required unless re-hired after an economic dismissal):
  a notice, so that the counsellor is not left to believe that only a fact is missing.

Pure functions over the results: no state, no cache; the same input always gives the same answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Optional

from .french import fact_label, short_name, value_fr
from .results import Blocker, FunderResult, PendingCheck

# Values of a fact that say "asked for, not answered yet": waiting for them is collecting a fact.
PENDING_VALUES = frozenset({"en_cours"})
RANK = {"blocked": 0, "a_verifier": 1, "eligible": 2}
LINKED_COURSE = "formation_liee"  # criterion key of the blocker added to pay whose course is blocked


def cohere(
    results: list[FunderResult],
    catalog: Any = None,
    facts: Optional[Mapping[str, Any]] = None,
    day: Optional[dt.date] = None,
) -> list[FunderResult]:
    """The results made consistent with each other (same order; unchanged results are the same objects)."""
    results = [_pending_is_not_blocking(r) for r in results]
    if catalog is not None and facts is not None and day is not None:
        results = [_known_gaps(r, catalog, facts, day) for r in results]
    if catalog is not None:
        results = _pay_follows_course(results, catalog)
    return results


def paired_courses(catalog: Any, funder: str) -> list[str]:
    """The courses an income scheme pays during (`income.paired_with`), [] for any other scheme."""
    info = getattr(catalog.funders.get(funder), "income", None) or {}
    return list(info.get("paired_with") or [])


def _pay_follows_course(results: list[FunderResult], catalog: Any) -> list[FunderResult]:
    by_id = {r.funder: r for r in results}
    out = []
    for r in results:
        courses = [by_id[c] for c in paired_courses(catalog, r.funder) if c in by_id]
        courses = [c for c in courses if c.status != "not_in_force"]
        if r.kind != "income" or r.status not in RANK or not courses:
            out.append(r)
            continue
        best = max(courses, key=lambda c: RANK[c.status])
        if RANK[best.status] >= RANK[r.status]:
            out.append(r)
            continue
        course = short_name(best.funder_name)
        if best.status == "blocked":
            blocker = Blocker(
                criterion=LINKED_COURSE,
                route=None,
                message=f"Le {course} lui-même est bloqué : pas de rémunération sans lui.",
                observed={},
                required=f"{course} accepté",
                sources=[],
                verified=True,
                unlock=None,
            )
            out.append(r.model_copy(update={"status": "blocked", "blockers": [blocker, *r.blockers]}))
        else:  # eligible pay, course still to check: the pay waits for the course
            notice = f"Seulement si le {course} est accordé : il est encore à vérifier."
            out.append(r.model_copy(update={"status": "a_verifier", "notices": [notice, *r.notices]}))
    return out


def _is_pending(blocker: Blocker) -> bool:
    values = [v for v in blocker.observed.values() if v is not None]
    return bool(values) and all(isinstance(v, str) and v in PENDING_VALUES for v in values)


def _pending_is_not_blocking(r: FunderResult) -> FunderResult:
    """Blockers that only wait for an answer become checks to make; the status follows."""
    if r.status != "blocked" or not any(_is_pending(b) for b in r.blockers):
        return r
    waiting = [b for b in r.blockers if _is_pending(b)]
    blockers = [b for b in r.blockers if not _is_pending(b)]
    pending = [
        PendingCheck(criterion=b.criterion, route=b.route, missing_facts=list(b.observed), verified=b.verified)
        for b in waiting
    ]
    missing = list(dict.fromkeys([*r.missing_facts, *(p for b in waiting for p in b.observed)]))
    routes_failing = {b.route for b in blockers}
    common_fails = None in routes_failing
    waiting_routes = {b.route for b in waiting}
    routes = [
        route.model_copy(update={"status": "a_verifier"})
        if route.status == "blocked" and route.route not in routes_failing and route.route in waiting_routes
        else route
        for route in r.routes
    ]
    route_open = not r.routes or any(route.status != "blocked" for route in routes)
    status = "blocked" if common_fails or not route_open else "a_verifier"
    notices = [f"En attente : {b.message.rstrip('.')} (à suivre, pas un refus)." for b in waiting]
    return r.model_copy(
        update={
            "status": status,
            "blockers": blockers,
            "pending": [*r.pending, *pending],
            "missing_facts": missing,
            "routes": routes,
            "notices": [*r.notices, *notices],
        }
    )


def _known_gaps(r: FunderResult, catalog: Any, facts: Mapping[str, Any], day: dt.date) -> FunderResult:
    """For a funder still to check: the criteria that already fail unless a yes/no fact still unknown
    turns out "oui" (an exception), said as the gap with the value seen and the value required."""
    if r.status != "a_verifier" or not r.pending:
        return r
    active = _active(catalog, r.funder, facts, day)
    if active is None:
        return r
    from .engine.outcome import _blocker, _placeholders  # the engine's own wording of a failed criterion

    criteria = {c.key: c for c in active.criteria}
    params = active.param_values()
    outside = {route.route for route in r.routes if route.in_scope is False}
    labels = {route.route: route.label for route in r.routes}
    gaps = []
    for check in r.pending:
        criterion = criteria.get(check.criterion)
        if criterion is None or check.route in outside or not check.missing_facts:
            continue
        if not all(_is_yes_no(path) for path in check.missing_facts):
            continue
        if all(facts.get(path) is None for path in criterion.facts):
            continue  # nothing known yet: a fact to collect, not a gap
        assumed = {**facts, **{path: False for path in check.missing_facts}}
        if criterion.evaluator(assumed, params) is not False:
            continue
        texts = {name: value_fr(value) for name, value in active.params}
        blocker = _blocker(criterion, facts, _placeholders(criterion, facts, texts))
        where = f"voie {labels.get(check.route, check.route)} : " if check.route else ""
        unless = ", ".join(fact_label(p) for p in check.missing_facts)
        gaps.append(f"{where}{blocker.message.rstrip('.')} ; reste possible seulement si : {unless} = oui.")
    if not gaps:
        return r
    return r.model_copy(update={"notices": [*r.notices, *gaps]})


def _is_yes_no(path: str) -> bool:
    from .facts import BOOL, FACTS

    fact = FACTS.get(path)
    return fact is not None and fact.kind == BOOL


def _active(catalog: Any, funder_id: str, facts: Mapping[str, Any], day: dt.date):
    funder = catalog.funders.get(funder_id)
    if funder is None:
        return None
    variant = funder.variants.get(facts.get(funder.variant_by)) if funder.variant_by else None
    return catalog.active(funder, day, variant)


def is_coherence_notice(text: str) -> bool:
    """A notice written here (a known gap, a pending answer, pay waiting for its course)."""
    return "reste possible seulement si" in text or text.startswith(("En attente : ", "Seulement si le "))
