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

from .facts import BOOL, FACTS
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
    paired: Optional[Mapping[str, list[str]]] = None,
) -> list[FunderResult]:
    """The results made consistent with each other (same order; unchanged results are the same
    objects). Idempotent: results already made consistent come back equal. With `facts` (those the
    results were computed from), a case none of whose values waits for an answer is not searched
    for blockers waiting; `paired` is `paired_map(catalog)` when the caller keeps it."""
    if facts is None or _some_value_waits(facts):
        results = [_pending_is_not_blocking(r) for r in results]
    if catalog is not None and facts is not None and day is not None:
        results = [_known_gaps(r, catalog, facts, day) for r in results]
    if catalog is not None:
        results = _pay_follows_course(results, catalog, paired_map(catalog) if paired is None else paired)
    return results


def cohere_funder(result: FunderResult, active: Any, facts: Mapping[str, Any]) -> FunderResult:
    """The rules of `cohere` that read one funder's answer alone (waiting answers, known gaps), with
    the rules `active` it was computed from: what the Engine keeps per answer (engine/core.py), so
    the facts it reads are those its criteria read. `cohere_across` then makes the funders agree."""
    return _gaps(_pending_is_not_blocking(result), active, facts)


def cohere_across(
    results: list[FunderResult], catalog: Any, paired: Optional[Mapping[str, list[str]]] = None
) -> list[FunderResult]:
    """The rule of `cohere` across funders: pay tied to a course never more favourable than it."""
    return _pay_follows_course(results, catalog, paired_map(catalog) if paired is None else paired)


def paired_map(catalog: Any) -> dict[str, list[str]]:
    """{income scheme: the courses it pays during} for the schemes of `catalog` tied to a course."""
    return {fid: courses for fid in catalog.funders if (courses := paired_courses(catalog, fid))}


def _some_value_waits(facts: Mapping[str, Any]) -> bool:
    """A fact of the case says "asked for, not answered yet": only then can a blocker be waiting."""
    return any(type(v) is str and v in PENDING_VALUES for v in facts.values())


def cohere_outcomes(
    funders: tuple, catalog: Any, facts: Mapping[str, Any], paired: Optional[Mapping[str, list[str]]] = None
) -> tuple:
    """The same rules on the compact answers (`Engine.outcome`), so that `CaseOutcome` says what the
    explained Evaluation says. A changed answer is a new immutable copy (never the shared decision,
    which answers other cases); the explanation of a copy is cached by its values (explain.frame_key)."""
    from .engine.decide import copy_with as changed  # a decision's copy (dataclasses.replace, quicker)

    if _some_value_waits(facts):
        out = []
        for f in funders:
            waiting = [c for c in f.failing if _waits(tuple(facts.get(p) for p in c.facts))]
            if waiting:
                keys = {c.key for c in waiting}
                blockers = tuple(k for k in f.blockers if k not in keys)
                missing = tuple(dict.fromkeys([*f.missing_facts, *(p for c in waiting for p in c.facts)]))
                status = "a_verifier" if f.status == "blocked" and not blockers else f.status
                f = changed(f, status=status, blockers=blockers, missing_facts=missing)
            out.append(f)
    else:
        out = list(funders)
    if paired is None:
        paired = paired_map(catalog)
    by_id = {f.funder: f for f in out}
    for i, f in enumerate(out):
        if f.funder not in paired:
            continue
        best = _best_course(f.funder, f.status, by_id, paired)
        if best is None:
            continue
        if best == "blocked" and (f.status != "blocked" or LINKED_COURSE not in f.blockers):
            blockers = f.blockers if LINKED_COURSE in f.blockers else (LINKED_COURSE, *f.blockers)
            out[i] = changed(f, status="blocked", blockers=blockers)
        elif best == "a_verifier" and f.status == "eligible":
            out[i] = changed(f, status="a_verifier")
    return tuple(out)


def paired_courses(catalog: Any, funder: str) -> list[str]:
    """The courses an income scheme pays during (`income.paired_with`), [] for any other scheme."""
    info = getattr(catalog.funders.get(funder), "income", None) or {}
    return list(info.get("paired_with") or [])


def _best_course(funder: str, status: str, by_id: Mapping[str, Any], paired: Mapping[str, list[str]]) -> Optional[str]:
    """The most favourable status of the courses this pay is tied to (in force), None if none."""
    if status not in RANK:
        return None
    courses = [by_id[c].status for c in paired.get(funder, ()) if c in by_id]
    courses = [c for c in courses if c in RANK]
    return max(courses, key=RANK.__getitem__) if courses else None


def _pay_follows_course(
    results: list[FunderResult], catalog: Any, paired: Mapping[str, list[str]]
) -> list[FunderResult]:
    by_id = {r.funder: r for r in results}
    out = []
    for r in results:
        if r.funder not in paired:
            out.append(r)
            continue
        best = _best_course(r.funder, r.status, by_id, paired)
        course = short_name(by_id[paired[r.funder][0]].funder_name) if best else ""
        if best == "blocked" and not any(b.criterion == LINKED_COURSE for b in r.blockers):
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
            r = r.model_copy(update={"status": "blocked", "blockers": (blocker, *r.blockers)})
        elif best == "a_verifier" and r.status in ("eligible", "a_verifier"):
            notice = f"Seulement si le {course} est accordé : il est encore à vérifier."
            if notice not in r.notices:
                r = r.model_copy(update={"status": "a_verifier", "notices": (notice, *r.notices)})
        out.append(r)
    return out


def _waits(values: tuple) -> bool:
    """Values read by a failed criterion that only wait for an answer ("en cours")."""
    seen = [v for v in values if v is not None]
    return bool(seen) and all(isinstance(v, str) and v in PENDING_VALUES for v in seen)


def _is_pending(blocker: Blocker) -> bool:
    return _waits(tuple(blocker.observed.values()))


def _pending_is_not_blocking(r: FunderResult) -> FunderResult:
    """Blockers that only wait for an answer become facts to collect; blocked only by them, the
    funder is "à vérifier"."""
    waiting = [b for b in r.blockers if _is_pending(b)]
    if not waiting:
        return r
    blockers = [b for b in r.blockers if not _is_pending(b)]
    pending = [
        PendingCheck(criterion=b.criterion, route=b.route, missing_facts=list(b.observed), verified=b.verified)
        for b in waiting
    ]
    missing = list(dict.fromkeys([*r.missing_facts, *(p for b in waiting for p in b.observed)]))
    status = "a_verifier" if r.status == "blocked" and not blockers else r.status
    notices = [f"En attente : {b.message.rstrip('.')} (à suivre, pas un refus)." for b in waiting]
    return r.model_copy(
        update={
            "status": status,
            "blockers": tuple(blockers),
            "pending": (*r.pending, *pending),
            "missing_facts": tuple(missing),
            "notices": (*r.notices, *notices),
        }
    )


def _known_gaps(r: FunderResult, catalog: Any, facts: Mapping[str, Any], day: dt.date) -> FunderResult:
    """For a funder still to check: the criteria that already fail unless a yes/no fact still unknown
    turns out "oui" (an exception), said as the gap with the value seen and the value required."""
    if not _may_have_gaps(r):
        return r  # the rules in force are not even looked up
    return _gaps(r, _active(catalog, r.funder, facts, day), facts)


def _may_have_gaps(r: FunderResult) -> bool:
    """Still to check, and some check waits only for yes/no facts (the others cannot make a gap)."""
    if r.status != "a_verifier" or not r.pending:
        return False
    return any(check.missing_facts and all(map(_is_yes_no, check.missing_facts)) for check in r.pending)


def _gaps(r: FunderResult, active: Any, facts: Mapping[str, Any]) -> FunderResult:
    """`_known_gaps` with the rules the answer was computed from."""
    if active is None or not _may_have_gaps(r):
        return r
    from .engine.explain import failed_blocker  # the engine's own wording of a failed criterion

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
        # the facts known must take part in the failure ("15 mois" where 24 are required), not merely
        # leave the unknown yes/no to decide alone ("accord de l'employeur" still to ask)
        known = [p for p in criterion.facts if p not in check.missing_facts]
        without_known = {k: v for k, v in assumed.items() if k not in known}
        if criterion.evaluator(without_known, params) is False:
            continue
        blocker = failed_blocker(active, criterion, facts)
        if value_fr(None) in blocker.message:
            continue  # its own sentence is about the fact still unknown ("sur la liste : inconnu")
        where = f"voie {labels.get(check.route, check.route)} : " if check.route else ""
        unless = ", ".join(fact_label(p) for p in check.missing_facts)
        gaps.append(f"{where}{blocker.message.rstrip('.')} ; reste possible seulement si : {unless} = oui.")
    if not gaps:
        return r
    return r.model_copy(update={"notices": (*r.notices, *gaps)})


def _is_yes_no(path: str) -> bool:
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
