"""The types of a case's fields: how a date, a number, a text and the region are read and checked.

In a module of their own so that the generated case model (case_model.py) and the case reader
(case.py) both import them and neither imports the other's importer (no import circle).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from typing import Annotated, Any

from pydantic import BeforeValidator

EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def iso_date(text: str) -> dt.date | None:
    """AAAA-MM-JJ and nothing else: no week date (2018-W11-1), no 20180312, no non-breaking space
    (Python 3.11's date.fromisoformat accepts the first two, str.strip removes the last)."""
    candidate = text.strip(" \t")
    if not _ISO_DATE.fullmatch(candidate):
        return None
    try:
        return dt.date.fromisoformat(candidate)
    except ValueError:
        return None


_FRENCH_DATE = re.compile(r"([0-9]{2})/([0-9]{2})/([0-9]{4})")


def read_date(text: str) -> dt.date | None:
    """AAAA-MM-JJ, or JJ/MM/AAAA as the tool prints dates (12/03/2018); nothing else."""
    day = iso_date(text)
    if day is not None:
        return day
    match = _FRENCH_DATE.fullmatch(text.strip(" \t"))
    if match is None:
        return None
    try:
        return dt.date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
    except ValueError:
        return None


def _parse_date(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        raise ValueError("date attendue (AAAA-MM-JJ), pas une date avec heure")
    if isinstance(value, str):
        value = read_date(value)
        if value is None:
            raise ValueError("date attendue au format AAAA-MM-JJ ou JJ/MM/AAAA")
    if not isinstance(value, dt.date):
        raise ValueError("date attendue au format AAAA-MM-JJ ou JJ/MM/AAAA")
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValueError(f"date hors de la plage admise ({EARLIEST_DATE.isoformat()} à {LATEST_DATE.isoformat()})")
    return value


def _number(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("nombre attendu")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("nombre fini attendu")
    if abs(value) > 1e12:
        raise ValueError("nombre trop grand")
    return value


def _nfc(value: Any) -> Any:
    if not isinstance(value, str):
        raise ValueError("texte attendu")
    return unicodedata.normalize("NFC", value)


DateFact = Annotated[dt.date, BeforeValidator(_parse_date)]
NumberFact = Annotated[float | int, BeforeValidator(_number)]
TextFact = Annotated[str, BeforeValidator(_nfc)]


def _region(value: Any) -> Any:
    from .regions import region_code  # local: a cold start that reads no region skips it

    return _nfc(region_code(value))


RegionFact = Annotated[str, BeforeValidator(_region)]
