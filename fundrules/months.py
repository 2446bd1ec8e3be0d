"""Calendar months: the same day some months later, the last day of the month when it does not exist.

A course of `duree_mois` months starting on the 30th of May ends on the 29th of June (the day
before the same day a month later), not on the 27th: the day is kept whenever the target month has
it, and only the 29th, 30th and 31st fall back on the month's last day (31 January + 1 month =
29 February 2024). Used for the end of a course (fundrules/plan/income.py) and for review periods
(fundrules/freshness.py).
"""

from __future__ import annotations

import calendar
import datetime as dt


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day `months` later (or earlier, when negative); the last day of the month when that day
    does not exist. Raises OverflowError outside year 1..9999 (the facts' bounds keep it inside)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        raise OverflowError(f"année {year} hors du calendrier")
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_end(start: dt.date, months: int) -> dt.date:
    """Last day of a period of `months` whole months that starts on `start` (its first day)."""
    return add_months(start, months) - dt.timedelta(days=1)
