"""Validated, compiled rulesets and the selection of what is in force on a date."""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
import functools
from dataclasses import dataclass, field, replace
from typing import Any, Optional

from ..case_types import LATEST_DATE
from ..conditions.ast import Node
from ..conditions.kleene import compile_condition


@dataclass(frozen=True)
class Source:
    """A source a rule cites (a law, a decree, an official page)."""

    id: str
    title: str
    url: Optional[str] = None
    article: Optional[str] = None


@dataclass(frozen=True)
class Revaluation:
    """The law's schedule for an indexed amount: revalued every year on `month`-`day` from `since`."""

    month: int
    day: int
    since: dt.date
    until: Optional[dt.date]
    source: Source
    note: Optional[str] = None

    @property
    def rule_fr(self) -> str:
        return f"revalorisé chaque année le {self.day:02d}/{self.month:02d}"

    def days(self, end: dt.date) -> list[dt.date]:
        """Every revaluation day of the schedule from `since` to `until` (or `end`)."""
        stop = min(end, self.until) if self.until else end
        found = []
        for year in range(self.since.year, stop.year + 1):
            candidate = dt.date(year, self.month, self._day_in(year))
            if self.since <= candidate <= stop:
                found.append(candidate)
        return found

    def _day_in(self, year: int) -> int:
        """The schedule's day in `year`'s month (the 29th-31st of a shorter month is its last day).
        Every Engine lists these days up to 2100 for every revalued parameter: a day that every
        month has is taken as it is, without asking the calendar."""
        return self.day if self.day <= 28 else min(self.day, calendar.monthrange(year, self.month)[1])

    def last_day(self, day: dt.date) -> Optional[dt.date]:
        """The latest revaluation day on or before `day` under this schedule (None before `since`)."""
        end = min(day, self.until) if self.until else day
        for year in (end.year, end.year - 1):
            last = calendar.monthrange(year, self.month)[1]
            candidate = dt.date(year, self.month, min(self.day, last))
            if candidate <= end:
                return candidate if candidate >= self.since else None
        return None


@dataclass(frozen=True)
class Parameter:
    """A dated amount or threshold of a version (values by start date, each with its source)."""

    name: str
    description: str
    unit: Optional[str]
    value_type: str
    values: tuple[tuple[dt.date, Any, str], ...]  # (start date, value, source id), sorted

    def value_at(self, day: dt.date) -> Any:
        current = None
        for start, value, _source in self.values:
            if start <= day:
                current = value
        return current

    unverified: frozenset = frozenset()  # start dates of values no source confirms
    revalued: Optional[Revaluation] = None  # the law revalues it on a schedule

    def start_at(self, day: dt.date) -> Optional[dt.date]:
        """First day of the value in force on `day`."""
        current = None
        for start, _value, _source in self.values:
            if start <= day:
                current = start
        return current

    def missing_revaluation(self, day: dt.date) -> Optional[dt.date]:
        """The revaluation day (on or before `day`) whose value is not encoded, or None: the value in
        force on `day` started before the last day the law revalued it."""
        if self.revalued is None:
            return None
        last = self.revalued.last_day(day)
        start = self.start_at(day)
        if last is None or start is None or start >= last:
            return None
        return last

    def verified_at(self, day: dt.date) -> bool:
        """False when the value in force on `day` is marked `verified: false`."""
        current = None
        for start, _value, _source in self.values:
            if start <= day:
                current = start
        return current not in self.unverified


@dataclass(frozen=True, eq=False)
class Criterion:
    """One condition of a version: what it tests, and what a counsellor reads when it fails."""

    key: str  # "route.id" inside a route, "id" otherwise: unique in a version at any date
    id: str
    route: Optional[str]
    label: Optional[str]
    condition: Node
    condition_text: str
    message: str
    required: str
    next_step: Optional[str]
    sources: tuple[Source, ...]
    verified: bool
    gate: bool  # in a route: says whom the route is for; when it fails the rest is not reported
    blocking: bool  # False: a failure or an unknown is a notice, the status does not depend on it
    unlock: Optional[str]  # the agreement or fact that would lift this blocker
    valid_from: Optional[dt.date]
    valid_to: Optional[dt.date]
    facts: tuple[str, ...]
    params: tuple[str, ...]
    text_params: tuple[str, ...]  # parameters named in message, required or next_step only
    file: str
    line: Optional[int]
    condition_line: Optional[int] = None  # line of `condition:`, for errors about the condition

    @functools.cached_property
    def evaluator(self):
        """The condition compiled to closures, built on first use."""
        return compile_condition(self.condition)

    def in_force(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True)
class Route:
    """One way into a scheme (its own criteria are keyed `route.id`)."""

    id: str
    label: str


@dataclass(frozen=True)
class Version:
    """A funder's rules over a stretch of dates (one ruleset file)."""

    funder: str
    label: str
    valid_from: dt.date
    valid_to: Optional[dt.date]
    summary: Optional[str]
    decided_by: Optional[str]
    advice: Optional[str]
    amount: Optional[Node]  # euros this funder can cover (numeric expression)
    amount_hours: Optional[Node]  # hours it can cover
    holder_share: Optional[tuple[str, str]]  # (parameter, criterion id that exempts the holder)
    sources: tuple[Source, ...]
    parameters: dict[str, Parameter]
    criteria: tuple[Criterion, ...]  # common criteria and route criteria, in file order
    routes: tuple[Route, ...]
    file: str
    orientation_step: Optional[str] = None  # overrides the funder's during this version (dated wording)
    name: Optional[str] = None  # the scheme's name during this version (Pôle emploi → France Travail)
    payer: Optional[str] = None  # who pays the person during this version (kind: income)
    valid_from_verified: bool = True  # false: no source confirms the first day
    valid_to_verified: bool = True  # false: no source confirms the last day
    dates_note: Optional[str] = None

    def covers(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True)
class Variant:
    """One track of a funder selected by a fact (the regional plan of one region)."""

    id: str
    name: str
    illustrative: bool
    decided_by: Optional[str]
    note: Optional[str]
    versions: tuple[Version, ...]
    reviewed_on: Optional[dt.date] = None  # last check against the sources
    review_every_months: Optional[int] = None
    review_with: Optional[str] = None  # whom to ask today
    scope: Optional[tuple[str, ...]] = None  # replaces the funder's scope when set
    scope_label: Optional[str] = None


@dataclass(frozen=True)
class Funder:
    """A funder or scheme: its versions (or variants) and what every version shares."""

    id: str
    name: str
    category: str
    kind: str
    decided_by: str
    mobilised_by: tuple[str, ...]
    orientation_step: Optional[str]
    in_force_from: Optional[dt.date]
    before_start: Optional[str]
    replaced_by: Optional[str]
    description: Optional[str]
    versions: tuple[Version, ...]  # sorted, contiguous; empty when the funder has variants
    folder: str
    successor: Optional[str] = None  # funder that replaced this one
    variant_by: Optional[str] = None  # fact path whose value selects a variant
    variants: dict[str, Variant] = field(default_factory=dict)
    reviewed_on: Optional[dt.date] = None  # last check against the sources
    review_every_months: Optional[int] = None
    review_with: Optional[str] = None  # whom to ask today
    scope: tuple[str, ...] = ()  # criterion ids that say whom the scheme is for
    scope_label: Optional[str] = None
    income: Optional[dict] = None  # payer, period, rank, paired_with (kind: income only)

    def review_of(self, variant: Optional[Variant] = None) -> tuple[Optional[dt.date], Optional[int]]:
        """(reviewed_on, review_every_months) of a variant, falling back on the funder's."""
        if variant is not None and variant.reviewed_on is not None:
            return variant.reviewed_on, variant.review_every_months or self.review_every_months
        return self.reviewed_on, self.review_every_months

    def scope_of(self, variant: Optional[Variant]) -> tuple[tuple[str, ...], Optional[str]]:
        """The scope criteria ids and their label, for one variant (or the funder itself)."""
        if variant is not None and variant.scope is not None:
            return variant.scope, variant.scope_label or self.scope_label
        return self.scope, (
            variant.scope_label if variant is not None and variant.scope_label else None
        ) or self.scope_label

    def versions_of(self, variant: Optional[Variant]) -> tuple[Version, ...]:
        return variant.versions if variant else self.versions

    def as_named_in(self, version: Version) -> Funder:
        """The funder as it is called during `version`: its name and its payer as the version dates
        them (a scheme renamed when Pôle emploi became France Travail), the funder file's otherwise.
        Everything that shows a name from the rules in force (the engine's answers, plans) reads it
        from here, so one answer never names a scheme by another date's name."""
        income = self.income
        if version.payer is not None and income is not None:
            income = {**income, "payer": version.payer}
        if (version.name is None or version.name == self.name) and income is self.income:
            return self
        return replace(self, name=version.name or self.name, income=income)

    def name_at(self, day: dt.date, variant: Optional[Variant] = None) -> str:
        """The name on `day`: the covering version's, else the nearest version's (the first before
        it starts, the last after it ends), else the funder file's."""
        versions = self.versions_of(variant)
        if not versions:
            return self.name
        version = self.version_at(day, variant)
        if version is None:
            version = versions[0] if day < versions[0].valid_from else versions[-1]
        return version.name or self.name

    def version_at(self, day: dt.date, variant: Optional[Variant] = None) -> Optional[Version]:
        for version in self.versions_of(variant):
            if version.covers(day):
                return version
        return None


@dataclass(frozen=True, eq=False)
class ActiveRules:
    """What one funder applies on one date: its version, criteria in force and parameter values."""

    funder: Funder
    version: Version
    criteria: tuple[Criterion, ...]
    params: tuple[tuple[str, Any], ...]
    variant: Optional[Variant] = None
    # parameters whose last revaluation day (the date given) has no value encoded: their value is
    # last year's, and every text showing it says so. Not in `key`: the conditions are the same.
    stale: tuple[tuple[str, dt.date], ...] = ()

    @functools.cached_property
    def key(self) -> tuple:
        """Identifies the compiled rules: same funder, version, conditions and parameter values."""
        return (
            self.funder.id,
            self.variant.id if self.variant else None,
            self.version.label,
            tuple((c.key, c.condition_text) for c in self.criteria),
            self.params,
        )

    @functools.cached_property
    def partition(self) -> tuple[list[Criterion], dict[str, list[Criterion]]]:
        """The blocking criteria, common ones and by route: the same for every case, so split once per ActiveRules
        (memoised per day) rather than on every evaluation. Callers must not mutate the lists."""
        blocking = [c for c in self.criteria if c.blocking]
        common = [c for c in blocking if c.route is None]
        by_route = {r.id: [c for c in blocking if c.route == r.id] for r in self.version.routes}
        return common, by_route

    @functools.cached_property
    def bits(self) -> tuple[tuple[str, int, int], ...]:
        """(criterion key, "fails" bit, "unknown" bit) in file order, to read a number of `program`."""
        count = len(self.criteria)
        return tuple((c.key, 1 << index, 1 << (count + index)) for index, c in enumerate(self.criteria))

    @functools.cached_property
    def _param_values(self) -> dict[str, Any]:
        return dict(self.params)

    def param_values(self) -> dict[str, Any]:
        return self._param_values


ACTIVE_CACHE_SIZE = 50_000


@dataclass
class Catalog:
    """Every funder of a rulesets directory, and what is in force on a date (memoised)."""

    funders: dict[str, Funder] = field(default_factory=dict)
    directory: str = ""
    _active: dict = field(default_factory=dict, repr=False)
    files: dict[str, str] = field(default_factory=dict, repr=False)  # digest of each file read, when known
    _changes: dict = field(default_factory=dict, repr=False)  # (funder, variant) -> sorted change days

    def period(self, funder: Funder, day: dt.date, variant: Optional[Variant] = None) -> tuple:
        """Names the stretch of days around `day` in which nothing of the funder's rules changes
        (no version, criterion or parameter value starts or ends, the scheme is not created): every
        day of it gets the same ActiveRules, so what is built from them is built once per stretch."""
        track = (funder.id, variant.id if variant else None)
        return track + (bisect.bisect_right(self.change_days(funder, variant), day),)

    def change_days(self, funder: Funder, variant: Optional[Variant] = None) -> list[dt.date]:
        """The sorted days on which something of the funder's rules (this variant's) starts."""
        track = (funder.id, variant.id if variant else None)
        changes = self._changes.get(track)
        if changes is None:
            changes = self._changes[track] = _change_days(funder, variant)
        return changes

    def active(self, funder: Funder, day: dt.date, variant: Optional[Variant] = None) -> Optional[ActiveRules]:
        """Rules of `funder` in force on `day` (memoised per stretch of days with the same rules)."""
        key = self.period(funder, day, variant)
        try:
            return self._active[key]
        except KeyError:
            pass
        if len(self._active) >= ACTIVE_CACHE_SIZE:
            self._active.clear()
        result = self._active[key] = self.select(funder, day, variant)
        return result

    def select(self, funder: Funder, day: dt.date, variant: Optional[Variant] = None) -> Optional[ActiveRules]:
        """The rules of `funder` in force on `day`, built anew (`active` keeps them)."""
        version = funder.version_at(day, variant)
        if version is None:
            return None
        criteria = tuple(c for c in version.criteria if c.in_force(day))
        used = sorted({p for c in criteria for p in c.params + c.text_params})
        params = tuple((name, version.parameters[name].value_at(day)) for name in used)
        stale = tuple(
            (name, missing)
            for name in used
            if (missing := version.parameters[name].missing_revaluation(day)) is not None
        )
        return ActiveRules(funder.as_named_in(version), version, criteria, params, variant, stale)


def plain_criterion(
    key: str,
    condition: Node,
    condition_text: str,
    message: str,
    *,
    required: str,
    sources: tuple[Source, ...] = (),
    verified: bool = True,
    file: str = "",
    line: Optional[int] = None,
    condition_line: Optional[int] = None,
) -> Criterion:
    """A blocking criterion outside any route, with no step, unlock nor period of its own: what plan rules
    (and tests of the backends) need, built without repeating every field a funder's criterion has."""
    from ..conditions.kleene import facts_of, params_of

    return Criterion(
        key=key,
        id=key,
        route=None,
        label=None,
        condition=condition,
        condition_text=condition_text,
        message=message,
        required=required,
        next_step=None,
        sources=tuple(sources),
        verified=verified,
        gate=False,
        blocking=True,
        unlock=None,
        valid_from=None,
        valid_to=None,
        facts=facts_of(condition),
        params=params_of(condition),
        text_params=(),
        file=file,
        line=line,
        condition_line=condition_line,
    )


def pseudo_funder_rules(
    funder_id: str,
    name: str,
    criteria: tuple[Criterion, ...],
    *,
    label: str,
    valid_from: dt.date,
    valid_to: Optional[dt.date] = None,
    params: tuple[tuple[str, Any], ...] = (),
    sources: tuple[Source, ...] = (),
    summary: Optional[str] = None,
    decided_by: str = "",
    file: str = "",
    folder: str = "",
) -> ActiveRules:
    """Rules that belong to no funder of the catalogue (the plan rules' second stage, backend tests) as the
    one-version pseudo funder the backends run like any other."""
    version = Version(
        funder=funder_id,
        label=label,
        valid_from=valid_from,
        valid_to=valid_to,
        summary=summary,
        decided_by=None,
        advice=None,
        amount=None,
        amount_hours=None,
        holder_share=None,
        sources=sources,
        parameters={},
        criteria=tuple(criteria),
        routes=(),
        file=file,
    )
    funder = Funder(
        id=funder_id,
        name=name,
        category="specifique",
        kind="course",
        decided_by=decided_by,
        mobilised_by=(),
        orientation_step=None,
        in_force_from=None,
        before_start=None,
        replaced_by=None,
        description=None,
        versions=(version,),
        folder=folder,
    )
    return ActiveRules(funder, version, tuple(criteria), params)


LAST_RULE_DAY = LATEST_DATE  # no rule's date goes beyond it (loader): nor do revaluation days


def _change_days(funder: Funder, variant: Optional[Variant]) -> list[dt.date]:
    """Days on which something of a funder's rules starts (the day after an end counts as a start)."""
    days: set[dt.date] = set()

    def span(start: Optional[dt.date], end: Optional[dt.date]) -> None:
        if start is not None:
            days.add(start)
        if end is not None and end < dt.date.max:
            days.add(end + dt.timedelta(days=1))

    if funder.in_force_from is not None:
        days.add(funder.in_force_from)
    for version in funder.versions_of(variant):
        span(version.valid_from, version.valid_to)
        for criterion in version.criteria:
            span(criterion.valid_from, criterion.valid_to)
        for parameter in version.parameters.values():
            days.update(start for start, _value, _source in parameter.values)
            if parameter.revalued is not None:  # a value may become last year's on these days
                days.update(parameter.revalued.days(LAST_RULE_DAY))
    return sorted(days)


def catalog_change_days(catalog: Catalog, funders: list[Funder]) -> list[dt.date]:
    """Every day on which something of these funders' rules (any variant) starts or ends: between
    two of them, `Catalog.active` gives every funder the same rules."""
    days: set[dt.date] = set()
    for funder in funders:
        for variant in (None, *funder.variants.values()):
            days.update(catalog.change_days(funder, variant))
    return sorted(days)
