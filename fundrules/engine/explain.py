"""Explain: a funder's decision (engine/decide.py) and the case's values → its French answer.

Why apart from the decision: the texts a counsellor reads (blockers with the value seen and the
value required, notices, next steps, what to collect) change far more often than the rules that
decide, and cost most of an answer; written here, from a finished decision, they can never change
it. With the trace (engine/trace.py), the engine's only module that writes French; the direction is
one way: explain reads decide, decide never reads explain.

Pure: what depends on the decision only (the answer's "frame") is kept in the
Engine's cache (engine/cache.py) under a key naming every value it is built from; the texts that
read the case's values are written each time. Results are built with `construct` from values the
rulesets' validation already checked: the pydantic validation of the output models stays at the API
boundary, not on every answer.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Optional

from ..french import date_fr, fact_label, fact_value_fr, fill, value_fr
from ..results import (
    Blocker,
    FrozenDict,
    FunderResult,
    PendingCheck,
    RouteResult,
    SourceRef,
    construct,
    construct_from,
)
from ..rulesets.catalog import ActiveRules, Criterion, Funder, Variant
from .cache import AnswerCache, exact
from .decide import FunderOutcome, notes_of


class _Texts:
    """The values a criterion's French texts name — its parameters, the facts it reads (by the last
    part of their path), `observed` and `required` —, each written when a text first reads it: most
    answers read a few of them, and writing a value in French costs more than filling a text.
    A name none of them gives is left as written by `fill`."""

    __slots__ = ("criterion", "facts", "params", "written", "_filling_required")

    def __init__(self, criterion: Criterion, facts: Mapping[str, Any], params: Mapping[str, str]) -> None:
        self.criterion = criterion
        self.facts = facts
        self.params = params  # the French text of each parameter value of the rules in force
        self.written: dict[str, str] = {}
        self._filling_required = False

    def get(self, name: str, default: Optional[str] = None) -> Optional[str]:
        found = self.written.get(name)
        if found is None:
            found = self._write(name)
            if found is None:
                return default
            self.written[name] = found
        return found

    def __getitem__(self, name: str) -> str:
        found = self.get(name)
        if found is None:
            raise KeyError(name)
        return found

    def _write(self, name: str) -> Optional[str]:
        criterion, facts = self.criterion, self.facts
        if name == "observed":
            return ", ".join(fact_value_fr(path, facts.get(path)) for path in criterion.facts) or "—"
        if name == "required":
            if self._filling_required:
                return None  # `required` is written from the other values only
            self._filling_required = True
            try:
                return fill(criterion.required, self)  # type: ignore[arg-type]
            finally:
                self._filling_required = False
        for path in reversed(criterion.facts):  # the last fact of that name, as a dict would keep it
            if path.rsplit(".", 1)[-1] == name:
                return value_fr(facts.get(path), path)
        if name in criterion.params or name in criterion.text_params:
            return self.params[name]
        return None


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


def _blocker(criterion: Criterion, facts: Mapping[str, Any], values: _Texts) -> Blocker:
    message = fill(criterion.message, values)  # type: ignore[arg-type]
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
    return _blocker(criterion, facts, _Texts(criterion, facts, param_texts(active)))


def param_texts(active: ActiveRules) -> dict[str, str]:
    """The French text of each parameter value of the rules in force; a value whose revaluation day
    has passed with no new value encoded (last year's) says so, wherever a text shows it."""
    params = {name: value_fr(value) for name, value in active.params}
    for name, revalued_on in active.stale:
        params[name] += f" (à confirmer : revalorisation du {date_fr(revalued_on)} non encodée)"
    return params


class _Written:
    """A criterion's texts in one answer (its blocker, its note, its next step), each kept in the
    cache under the rules, the criterion and the exact values of the facts it reads — all a text
    reads (`_Texts`: the criterion's facts, the rules' parameters) —, so that answers differing
    elsewhere share them."""

    __slots__ = ("active", "facts", "params", "cache")

    def __init__(self, active: Any, facts: Mapping[str, Any], params: Mapping[str, str], cache: AnswerCache) -> None:
        self.active, self.facts, self.params, self.cache = active, facts, params, cache

    def text(self, role: str, criterion: Criterion) -> Any:
        facts = self.facts
        key = (role, self.active, criterion.key, tuple([exact(facts.get(path)) for path in criterion.facts]))
        found = self.cache.get("text", key)
        if found is None:
            found = self.cache.put("text", key, self._write(role, criterion))
        return found

    def _write(self, role: str, c: Criterion) -> Any:
        texts = _Texts(c, self.facts, self.params)
        if role == "blocker":
            return _blocker(c, self.facts, texts)
        if role == "notice":
            return fill(c.message, texts) + ("" if c.verified else " (à confirmer)")  # type: ignore[arg-type]
        return fill(c.next_step, texts)  # type: ignore[arg-type]


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


_Frame = tuple[
    dict[str, Any],
    tuple[Criterion, ...],
    tuple[Criterion, ...],
    dict[Optional[bool], tuple[str, ...]],
    Mapping[str, str],
]


def _frame(active: ActiveRules, decision: FunderOutcome, params: Mapping[str, str]) -> _Frame:
    """What a funder's answer holds that depends on its decision only, not on the values its texts
    read nor on the operator (`build_result` adds them): fields of FunderResult, criteria giving
    notices, criteria giving a next step, the later steps for each answer to "can the operator
    mobilise this funder?" (None: no operator given), the French text of each parameter value."""
    funder, version, variant = active.funder, active.version, active.variant
    _common, by_route = active.partition
    outcomes = decision.outcomes
    notice_criteria = notes_of(active, outcomes)
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

    decided_by = version.decided_by or (variant.decided_by if variant else None) or funder.decided_by
    orientation_step = version.orientation_step or funder.orientation_step
    later_by_mobilising: dict[Optional[bool], tuple[str, ...]] = {}
    for can_mobilise in (None, True, False):
        later: list[str] = []  # after the criteria's own next steps (duplicates are dropped then)
        if missing:
            later.append("Recueillir : " + ", ".join(fact_label(p) for p in missing) + ".")
        if status != "blocked" and can_mobilise is False and orientation_step:
            later.append(orientation_step)
        if status != "blocked" and version.advice:
            later.append(version.advice)
        if status == "eligible" and can_mobilise is not False:
            later.append(f"Constituer la demande auprès de : {decided_by}.")
        later_by_mobilising[can_mobilise] = tuple(later)
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
        operator_can_mobilise=None,
        ruleset_file=None,
        ruleset_digest=None,
        trace=None,
        reviewed_on=None,
        in_scope=decision.in_scope,
        scope_label=funder.scope_of(variant)[1],
    )
    step_criteria = tuple(c for c in failing + unknown if c.next_step)
    return fields, notice_criteria, step_criteria, later_by_mobilising, params


def frame_key(decision: FunderOutcome) -> tuple:
    """Every value `_frame` reads, by value: the rules (one ActiveRules object: the same object is
    the same rules), the outcome pattern, and the fields the coherence pass and `narrowed` may change
    on a copy that the frame reads (status, facts to collect; not blockers, which it does not read).
    Every other field of a decision is a function of the rules and the pattern (`decide._decide`),
    so two decisions with this key give the same frame: a copy made for one case (coherence.py)
    finds the frame of an earlier case. Not the decision object itself: its copies are new objects,
    which would each fill an entry never read again and empty the cache early."""
    return (decision.active, decision.pattern, decision.status, decision.missing_facts)


def frame_of(decision: FunderOutcome, cache: AnswerCache) -> _Frame:
    """The part of the decision's answer that depends on the decision only, kept under `frame_key`."""
    key = frame_key(decision)
    frame = cache.get("frame", key)
    if frame is None:
        active = decision.active
        assert active is not None  # an answer without rules is `decision.early`
        params = cache.get("rules", active)
        if params is None:  # the same for every frame of these rules
            params = cache.put("rules", active, MappingProxyType(param_texts(active)))
        frame = cache.put("frame", key, _frame(active, decision, params))
    return frame


def build_result(
    decision: FunderOutcome,
    facts: Mapping[str, Any],
    can_mobilise: Optional[bool],
    cache: AnswerCache,
    **extra: Any,
) -> FunderResult:
    """The funder's French answer from its decision (`decide`) and whether the case's operator can
    mobilise the funder (`can_mobilise`, None: no operator); `extra` sets the fields the engine adds
    (ruleset_file, ruleset_digest, trace, reviewed_on). What depends on the decision only is kept in
    the cache (`frame_key`); the texts that read the case's values are written each time, each text
    only when the answer shows it."""
    fixed, notice_criteria, step_criteria, later_by_mobilising, params = frame_of(decision, cache)
    active = decision.active
    written = _Written(active, facts, params, cache)
    notices = tuple(written.text("notice", c) for c in notice_criteria)
    blockers = tuple(written.text("blocker", c) for c in decision.failing)
    steps: dict[str, None] = {}
    for c in step_criteria:
        steps.setdefault(written.text("step", c), None)
    for step in later_by_mobilising[can_mobilise]:
        steps.setdefault(step, None)

    fields: dict[str, Any] = dict(fixed)
    fields.update(blockers=blockers, notices=notices, next_steps=tuple(steps), operator_can_mobilise=can_mobilise)
    fields.update(extra)
    return construct_from(FunderResult, fields)  # `fields` is this answer's own new dict
