"""The values durable-rules compares, as the adapter writes them: typed facts and exact numbers.

What a cached start needs of the durable compiler (durable_compile.py) without importing it: the
case's facts encoded as the compiled rules' constants were, and the check that a ruleset's JSON
text guards every rule.
"""

from __future__ import annotations

import datetime as dt
import json
import struct
from typing import Any

GUARD = "_fundrules_case"
MAX_EXACT_INT = 2**53  # beyond, an integer has no exact double and no exact number_key


class NumberNotExact(ValueError):
    """A number durable-rules could not compare exactly (NaN, or an integer beyond 2**53)."""


_DOUBLE = struct.Struct("<d")
_INT64 = struct.Struct("<q")
_MAGNITUDE = (1 << 63) - 1


def number_key(value: int | float) -> int:
    """The 64-bit integer that orders like `value`: x < y iff key(x) < key(y), x == y iff equal.

    A finite double's bits read as a signed integer order like the double for positive values;
    negative values are mirrored. -0.0 and 0.0 share the key 0, as they compare equal."""
    if isinstance(value, int):
        if abs(value) > MAX_EXACT_INT:
            raise NumberNotExact(f"nombre entier au-delà de 2**53 : {value}")
        value = float(value)
    if value != value:
        raise NumberNotExact("NaN")
    bits = _INT64.unpack(_DOUBLE.pack(value))[0]
    return bits if bits >= 0 else -(bits & _MAGNITUDE)


def encode(value: Any) -> Any:
    """Typed encoding shared by facts and constants, so values of different types never match."""
    if isinstance(value, bool):
        return "b:1" if value else "b:0"
    if isinstance(value, dt.date):
        return value.toordinal()
    if isinstance(value, str):
        return "s:" + value
    if isinstance(value, (int, float)):
        return number_key(value)
    return value


# what every rule's JSON text begins with, as durable_compile writes it (a string constant cannot
# hold an unescaped quote, so these bytes occur only where a rule begins)
_GUARDED_RULE = json.dumps({"all": [{"m": {"$and": [{"$ex": {GUARD: 1}}]}}]}, ensure_ascii=False)[:-5]


def guarded(text: str, rules: int) -> bool:
    """True when each of the `rules` rules of a ruleset's JSON text tests the guard first: no rule
    can then match a state document (durable_backend)."""
    return text.count('{"all": ') == rules == text.count(_GUARDED_RULE)
