"""What an Engine remembers to answer quicker: one bounded store it owns, with an off switch.

Every answer can be computed from the case and the rules alone; this store only saves work that
cases repeat (the rules chosen for a stretch of days and region, the decision of a pattern of
criteria outcomes, the parts of an answer that depend on that decision only, a criterion's texts
for the values it reads, a funder's whole answer — and its JSON, kept on it — for the values its
texts read: cases never met before share most funders' answers with earlier ones). So:
- it belongs to one Engine and goes with it (nothing in module globals or on the rules' objects:
  an Engine created and dropped leaves nothing behind);
- it is bounded in entries for all kinds together, and emptied whole when full: its memory is
  bounded by construction whatever dates, regions and cases are asked (at the default 40,000
  entries about 125 MB when full, measured with answers written as JSON: tests/test_memory.py;
  the bench's 2,000-case mix needs 31,000 entries; README "What an Engine remembers");
- a key holds every value the entry depends on, each by its exact representation (`exact`):
  `-0.0` is not `0.0`, `1` is not `1.0` nor `True`;
- everything stored is immutable (answers are tuples and read-only mappings), so what is shared
  between answers cannot be changed through one of them;
- `Engine(cache=False)` turns it off: nothing is kept and every answer is computed in full; the
  specification test (tests/test_specification.py) checks that answers are byte-identical either way.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

DEFAULT_ENTRIES = 40_000  # about 3 kB each when answers are written as JSON: see the module docstring
KINDS = ("selection", "early", "decision", "rules", "frame", "text", "result")


def exact(value: Any) -> Any:
    """A key for `value` that equals another only for the same representation: the type goes with
    the value (1, 1.0 and True are equal in Python), a float by its bits (-0.0 == 0.0)."""
    kind = type(value)
    if kind is str or value is None or kind is dt.date:
        return value  # equal only to the same value of the same kind: every other key is a tuple
    if kind is float:
        return (float, value.hex())
    if kind is int or kind is bool:
        return (kind, value)
    if kind is tuple or kind is list:
        return (kind, tuple(exact(item) for item in value))
    return (kind, repr(value))  # never equal to another type's key; a repr tells values apart


class AnswerCache:
    """The Engine's store, per kind of entry (see KINDS), with hit and miss counts.

    Not locked: a dict read or write is atomic under the GIL, and two threads computing the same
    entry store the same immutable value; the count of entries is approximate under threads (a race
    only delays the clearing)."""

    def __init__(self, enabled: bool = True, max_entries: int = DEFAULT_ENTRIES) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self.enabled = enabled
        self.max_entries = max_entries
        self.stores: dict[str, dict] = {kind: {} for kind in KINDS}
        self.hits: dict[str, int] = dict.fromkeys(KINDS, 0)
        self.misses: dict[str, int] = dict.fromkeys(KINDS, 0)
        self.clears = 0
        self._entries = 0

    def get(self, kind: str, key: Any) -> Optional[Any]:
        """The value kept under `key`, or None (always None when the cache is off)."""
        found = self.stores[kind].get(key)
        if found is None:
            self.misses[kind] += 1
        else:
            self.hits[kind] += 1
        return found

    def put(self, kind: str, key: Any, value: Any) -> Any:
        """Keep `value` (when on) and return it. Past `max_entries`, everything is dropped first."""
        if not self.enabled:
            return value
        if self._entries >= self.max_entries:
            self.clear()
            self.clears += 1
        self.stores[kind][key] = value
        self._entries += 1
        return value

    def clear(self) -> None:
        """Drop every entry (statistics are kept)."""
        for store in self.stores.values():
            store.clear()
        self._entries = 0

    def stats(self) -> dict[str, Any]:
        """{"enabled", "max_entries", "entries", "clears", "kinds": {kind: {"entries", "hits", "misses"}}}."""
        return {
            "enabled": self.enabled,
            "max_entries": self.max_entries,
            "entries": sum(len(store) for store in self.stores.values()),
            "clears": self.clears,
            "kinds": {
                kind: {"entries": len(self.stores[kind]), "hits": self.hits[kind], "misses": self.misses[kind]}
                for kind in KINDS
            },
        }
