"""How fresh the rules are: the day each funder's rules were last checked, and when to check again.

Law changes all the time; an answer for a date after the last review, or past the review
period, must say so in French and name whom to ask (the counsellors of the study: "il faut à
chaque fois revérifier").
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import weakref
from collections.abc import Mapping
from typing import Any, Optional

from .french import date_fr
from .results import FunderResult
from .rulesets.catalog import Catalog, Funder, Variant


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day `months` later (the last day of the month when it does not exist)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


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


def _aupres_de(who: str) -> str:
    """« auprès de … » with the French contraction (de + le = du, de + les = des)."""
    if who.startswith("le "):
        return "auprès du " + who[3:]
    if who.startswith("les "):
        return "auprès des " + who[4:]
    return "auprès de " + who


def warning_for(
    result: FunderResult,
    reviewed_on: Optional[dt.date],
    every_months: Optional[int],
    day: dt.date,
    review_with: Optional[str] = None,
) -> Optional[str]:
    """The French warning for one funder's answer on `day`, or None when the review covers it."""
    if result.status == "not_in_force":
        return None  # a scheme not yet or no longer in force has no rules to re-check on that date
    due = review_due(reviewed_on, every_months)
    state = _state(reviewed_on, due, day)
    if state is None:
        return None
    return _warning_text(state, result.funder_name, review_with or result.decided_by, reviewed_on, every_months, due)


def _state(reviewed_on: Optional[dt.date], due: Optional[dt.date], day: dt.date) -> Optional[str]:
    """Which warning `day` calls for: none recorded, review overdue, day after the review, or None."""
    if reviewed_on is None:
        return "unreviewed"
    if due is not None and day > due:
        return "overdue"
    if day > reviewed_on:
        return "later"
    return None


@functools.lru_cache(maxsize=1024)
def _warning_text(
    state: str,
    funder_name: str,
    who: str,
    reviewed_on: Optional[dt.date],
    every_months: Optional[int],
    due: Optional[dt.date],
) -> str:
    if state == "unreviewed":
        return f"Règles de {funder_name} : aucune date de revue enregistrée ; à revérifier {_aupres_de(who)}."
    if state == "overdue":
        return (
            f"Règles revues le {date_fr(reviewed_on)} pour {funder_name}, à revoir tous les "
            f"{every_months} mois (échéance du {date_fr(due)} dépassée à la date évaluée) : "
            f"à revérifier {_aupres_de(who)}."
        )
    return (
        f"Règles revues le {date_fr(reviewed_on)} pour {funder_name} : à revérifier "
        f"{_aupres_de(who)} pour une date postérieure."
    )


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


def review_warning(
    funder: Funder, variant: Optional[Variant], status: str, funder_name: str, decided_by: str, day: dt.date
) -> Optional[str]:
    """`warning_for` of one answer from its parts, without building the answer first."""
    if status == "not_in_force":
        return None
    reviewed_on, every, due, review_with = review(funder, variant)
    state = _state(reviewed_on, due, day)
    if state is None:
        return None
    return _warning_text(state, funder_name, review_with or decided_by, reviewed_on, every, due)


def stamp(
    catalog: Catalog, results: list[FunderResult], facts: Mapping[str, Any], day: dt.date
) -> tuple[list[FunderResult], list[str]]:
    """Each result with its `reviewed_on`, and the evaluation's warnings in result order."""
    stamped, warnings = [], []
    for result in results:
        funder = catalog.funders.get(result.funder)
        if funder is None:
            stamped.append(result)
            continue
        reviewed_on, every = funder.review_of(variant_of(funder, facts))
        stamped.append(result.model_copy(update={"reviewed_on": reviewed_on}) if reviewed_on else result)
        variant = variant_of(funder, facts)
        review_with = (variant.review_with if variant and variant.review_with else None) or funder.review_with
        warning = warning_for(result, reviewed_on, every, day, review_with)
        if warning:
            warnings.append(warning)
    return stamped, warnings


def overdue_reviews(catalog: Catalog, today: dt.date) -> list[str]:
    """One French line per funder or variant whose review is overdue (or never recorded) on `today`."""
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
