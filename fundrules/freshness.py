"""How fresh the rules are: the day each funder's rules were last checked, when to check them again,
and the indexed amounts whose revaluation is not encoded.

Law changes all the time (the counsellors of the study: "il faut à chaque fois revérifier"); but a date
after the review day is the normal case, not a warning (issue 22). An answer warns, in one line of each
kind, when a review is overdue today, when the date asked lies beyond today, and when an amount the law
revalues on a schedule has passed a revaluation day with no value encoded (issue 21).
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
import weakref
from collections.abc import Mapping
from typing import Any, Optional

from .french import date_fr
from .months import add_months
from .rulesets.catalog import Catalog, Funder, Variant, catalog_change_days


def review_due(reviewed_on: Optional[dt.date], every_months: Optional[int]) -> Optional[dt.date]:
    """Last day on which the review still holds (None when no period is recorded)."""
    if reviewed_on is None or every_months is None:
        return None
    return add_months(reviewed_on, every_months)


def variant_of(funder: Funder, facts: Mapping[str, Any]) -> Optional[Variant]:
    if not funder.variant_by:
        return None
    value = facts.get(funder.variant_by)
    return funder.variants.get(value) if value is not None else None


def today() -> dt.date:
    """Today's date (a function, so that tests can set it)."""
    return dt.date.today()


def _names(items: list[str]) -> str:
    return ", ".join(items[:-1]) + " et " + items[-1] if len(items) > 1 else items[0]


def _track_name(funder: Funder, variant: Optional[Variant]) -> str:
    return f"{funder.name} ({variant.name})" if variant is not None else funder.name


def _in_force(funder: Funder, variant: Optional[Variant], day: dt.date) -> bool:
    return funder.version_at(day, variant) is not None and (funder.in_force_from is None or funder.in_force_from <= day)


def _tracks(funder: Funder) -> list[Optional[Variant]]:
    return list(funder.variants.values()) if funder.variant_by else [None]


def overdue_on(catalog: Catalog, day: dt.date, on: dt.date) -> list[str]:
    """Names of the funders (or regional tracks) in force on `day` whose review is overdue on `on`."""
    names = []
    for funder in (catalog.funders[k] for k in sorted(catalog.funders)):
        for variant in _tracks(funder):
            if not _in_force(funder, variant, day):
                continue
            reviewed_on, every = funder.review_of(variant)
            due = review_due(reviewed_on, every)
            if reviewed_on is None or (due is not None and on > due):
                names.append(_track_name(funder, variant))
    return names


def missing_revaluations(catalog: Catalog, day: dt.date) -> list[tuple[str, str, str, dt.date]]:
    """(funder id, funder name, parameter, revaluation day) for every indexed amount of the rules in force
    on `day` whose last revaluation on or before `day` has no value encoded."""
    found = []
    for funder in (catalog.funders[k] for k in sorted(catalog.funders)):
        for variant in _tracks(funder):
            version = funder.version_at(day, variant)
            if version is None:
                continue
            for name in sorted(version.parameters):
                missing = version.parameters[name].missing_revaluation(day)
                if missing is not None:
                    found.append((funder.id, _track_name(funder, variant), name, missing))
    return found


_MEMO = "_freshness_warnings"  # attribute of the catalog: its warnings per (day, today), bounded


def _evaluation_warnings(catalog: Catalog, day: dt.date, on: dt.date) -> tuple[str, ...]:
    memo = catalog.__dict__.setdefault(_MEMO, {})
    found = memo.get((day, on))
    if found is None:
        if len(memo) >= 4096:
            memo.clear()
        found = memo[(day, on)] = _compute_warnings(catalog, day, on)
    return found


_STRETCHES = "_freshness_stretches"  # attribute of the catalog: its change days, and overdue names per stretch


def _overdue_in_stretch(catalog: Catalog, day: dt.date, on: dt.date) -> tuple[str, ...]:
    """`overdue_on`, computed once per stretch of days between two change days of the catalog: which
    funders are in force changes only on such a day (a version, or the scheme, starts or ends)."""
    memo: Optional[tuple[list[dt.date], dict[tuple[int, dt.date], tuple[str, ...]]]] = catalog.__dict__.get(_STRETCHES)
    if memo is None:
        memo = catalog.__dict__[_STRETCHES] = (catalog_change_days(catalog, list(catalog.funders.values())), {})
    days, names = memo
    key = (bisect.bisect_right(days, day), on)
    found = names.get(key)
    if found is None:
        if len(names) >= 4096:
            names.clear()
        found = names[key] = tuple(overdue_on(catalog, day, on))
    return found


def _compute_warnings(catalog: Catalog, day: dt.date, on: dt.date) -> tuple[str, ...]:
    lines: list[str] = []
    overdue = list(_overdue_in_stretch(catalog, day, on))
    if overdue:
        lines.append(
            f"Revue des règles échue au {date_fr(on)} pour {_names(overdue)} : "
            "à revérifier auprès de qui décide avant de conclure."
        )
    if day > on:
        lines.append(
            f"Date évaluée ({date_fr(day)}) postérieure à aujourd'hui ({date_fr(on)}) : les règles sont celles "
            "connues aujourd'hui, elles peuvent changer d'ici là."
        )
    return tuple(lines)


def evaluation_warnings(catalog: Catalog, day: dt.date, on: Optional[dt.date] = None) -> list[str]:
    """The warnings of an evaluation on `day` made `on` (default today), at most one line of each kind:
    reviews overdue today (naming the funders in force on `day`), a date beyond today. A date after the
    review day is the normal case: no warning. Amounts are per funder: `amount_warning`."""
    return list(_evaluation_warnings(catalog, day, on or today()))


Review = tuple[Optional[dt.date], Optional[int], Optional[dt.date], Optional[str]]
# by id(funder) (Funder is unhashable), holding it weakly: a dropped Engine's rules are not kept alive
_REVIEWS: dict[tuple[int, Optional[str]], tuple[weakref.ref, Review]] = {}


def review(funder: Funder, variant: Optional[Variant]) -> Review:
    """(reviewed_on, review_every_months, due, review_with) of a funder's track, computed once."""
    key = (id(funder), variant.id if variant else None)
    found = _REVIEWS.get(key)
    if found is not None and found[0]() is funder:  # the same object, not another one at a reused id
        return found[1]
    reviewed_on, every = funder.review_of(variant)
    review_with = (variant.review_with if variant and variant.review_with else None) or funder.review_with
    result = (reviewed_on, every, review_due(reviewed_on, every), review_with)
    if len(_REVIEWS) > 10_000:
        _REVIEWS.clear()
    _REVIEWS[key] = (weakref.ref(funder), result)
    return result


AMOUNT_STATUSES = ("eligible",)  # an amount is shown only for these; "à vérifier" shows none


def amount_warning(funder: Funder, variant: Optional[Variant], status: str, day: dt.date) -> Optional[str]:
    """« Montant de … à confirmer » when an eligible funder has an indexed amount
    past a revaluation day with no value encoded (the amount itself is then not shown)."""
    if status not in AMOUNT_STATUSES:
        return None
    version = funder.version_at(day, variant)
    if version is None:
        return None
    days = sorted({d for p in version.parameters.values() if (d := p.missing_revaluation(day)) is not None})
    if not days:
        return None
    when = ", ".join(date_fr(d) for d in days)
    return f"Montant de {_track_name(funder, variant)} à confirmer : revalorisation du {when} non encodée."


def revaluation_days(parameter: Any, version: Any, until: dt.date) -> list[dt.date]:
    """The revaluation days of `parameter` within `version`, up to `until`, that have no value encoded."""
    schedule = parameter.revalued
    if schedule is None:
        return []
    end = min(d for d in (until, version.valid_to, schedule.until) if d is not None)
    days: list[dt.date] = []
    year = schedule.since.year
    while True:
        day = dt.date(year, schedule.month, min(schedule.day, calendar.monthrange(year, schedule.month)[1]))
        if day > end:
            return days
        if day >= max(schedule.since, version.valid_from) and parameter.missing_revaluation(day) == day:
            days.append(day)
        year += 1


def overdue_revaluations(catalog: Catalog, on: dt.date) -> list[str]:
    """One French line per indexed amount of a version whose revaluations up to `on` are not all encoded."""
    lines = []
    for funder in (catalog.funders[k] for k in sorted(catalog.funders)):
        for variant in _tracks(funder):
            for version in funder.versions_of(variant):
                for name in sorted(version.parameters):
                    parameter = version.parameters[name]
                    days = revaluation_days(parameter, version, on)
                    if days and parameter.revalued is not None:
                        label = f"{funder.id}/{variant.id}" if variant else funder.id
                        lines.append(
                            f"Revalorisation non encodée : {label} version {version.label}, {name} "
                            f"({parameter.revalued.rule_fr}, source {parameter.revalued.source.id}) — "
                            + ", ".join(date_fr(d) for d in days)
                            + " : montant affiché « à confirmer »."
                        )
    return lines


def unverified_dates(catalog: Catalog) -> list[str]:
    """One French line per version whose first or last day no source confirms."""
    lines = []
    for funder in (catalog.funders[k] for k in sorted(catalog.funders)):
        for variant in _tracks(funder):
            for version in funder.versions_of(variant):
                label = f"{funder.id}/{variant.id}" if variant else funder.id
                doubtful = []
                if not version.valid_from_verified:
                    doubtful.append(f"début le {date_fr(version.valid_from)}")
                if not version.valid_to_verified and version.valid_to:
                    doubtful.append(f"fin le {date_fr(version.valid_to)}")
                if doubtful:
                    note = f" ({version.dates_note})" if version.dates_note else ""
                    lines.append(f"Date à confirmer : {label} version {version.label}, {' et '.join(doubtful)}{note}.")
    return lines


def overdue_reviews(catalog: Catalog, today: dt.date) -> list[str]:
    """What `rulesets lint` reports without failing: each funder or variant whose review is overdue (or
    never recorded) on `today`, each indexed amount whose revaluation is not encoded, each unverified
    version date."""
    return _overdue_review_lines(catalog, today) + overdue_revaluations(catalog, today) + unverified_dates(catalog)


def _overdue_review_lines(catalog: Catalog, today: dt.date) -> list[str]:
    lines = []
    for funder in (catalog.funders[k] for k in sorted(catalog.funders)):
        tracks = [(v.id, v) for v in funder.variants.values()] if funder.variant_by else [(None, None)]
        for variant_id, variant in tracks:
            name = f"{funder.id}/{variant_id}" if variant_id else funder.id
            reviewed_on, every = funder.review_of(variant)
            if reviewed_on is None:
                lines.append(f"Revue : {name} n'a pas de date de revue (reviewed_on).")
                continue
            due = review_due(reviewed_on, every)
            if every is None:
                lines.append(
                    f"Revue : {name} revu le {date_fr(reviewed_on)}, sans période de revue (review_every_months)."
                )
            elif due is not None and today > due:
                lines.append(
                    f"Revue échue : {name} revu le {date_fr(reviewed_on)}, à revoir tous les {every} "
                    f"mois — échéance du {date_fr(due)} dépassée."
                )
    return lines
