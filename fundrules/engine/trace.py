"""The per-criterion trace (`explain=True`): every criterion and route gate evaluated, its outcome,
the condition as written and the facts and parameters it read.

It is built from a backend's outcomes ({criterion key: False | None}, a criterion not listed
held), the case facts and the rules, never from the backend's internals: both backends therefore
give the same trace whenever they give the same outcomes, which the differential tests check.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, Optional

from ..results import Outcome, SourceRef, TraceEntry, TraceRead, construct
from ..rulesets.catalog import ActiveRules, Criterion

OUTCOME: dict[Optional[bool], Outcome] = {True: "holds", False: "fails", None: "unknown"}


def _parameter_source(active: ActiveRules, name: str, day: Optional[dt.date]) -> Optional[str]:
    """Title of the source of the parameter's value in force on `day`."""
    parameter = active.version.parameters.get(name)
    if parameter is None or day is None:
        return None
    source_id = None
    for start, _value, source in parameter.values:
        if start <= day:
            source_id = source
    titles = {s.id: s.title for s in active.version.sources}
    return titles.get(source_id, source_id) if source_id else None


def _reads(
    criterion: Criterion, active: ActiveRules, facts: Mapping[str, Any], derived: frozenset[str], day: Optional[dt.date]
) -> tuple[TraceRead, ...]:
    reads = tuple(
        construct(
            TraceRead,
            name=path,
            kind="fact",
            value=facts.get(path),
            source=None if path not in facts else "calculé" if path in derived else "cas",
        )
        for path in criterion.facts
    )
    params = active.param_values()
    return reads + tuple(
        construct(
            TraceRead, name=name, kind="parameter", value=params.get(name), source=_parameter_source(active, name, day)
        )
        for name in criterion.params
    )


def build_trace(
    active: ActiveRules,
    facts: Mapping[str, Any],
    outcomes: Mapping[str, Optional[bool]],
    derived: frozenset[str] = frozenset(),
    day: Optional[dt.date] = None,
) -> tuple[TraceEntry, ...]:
    """One entry per criterion in force, in file order (common criteria and route criteria)."""
    return tuple(
        construct(
            TraceEntry,
            criterion=c.key,
            route=c.route,
            gate=c.gate,
            blocking=c.blocking,
            outcome=OUTCOME[outcomes.get(c.key, True)],
            condition=c.condition_text,
            reads=_reads(c, active, facts, derived, day),
            sources=tuple(construct(SourceRef, title=s.title, url=s.url, article=s.article) for s in c.sources),
            verified=c.verified,
        )
        for c in active.criteria
    )


MARK = {"holds": "[rempli]", "fails": "[non rempli]", "unknown": "[inconnu]"}


def render_trace(trace: Sequence[TraceEntry], indent: str = "     ") -> list[str]:
    """The trace as a short French tree for the terminal: common criteria, then each route."""
    from ..french import value_fr

    lines = [f"{indent}Trace des critères :"]
    groups: dict[Optional[str], list[TraceEntry]] = {}
    for entry in trace:
        groups.setdefault(entry.route, []).append(entry)
    for route, entries in groups.items():
        pad = indent + "  "
        if route is not None:
            lines.append(f"{pad}voie {route}")
            pad += "  "
        for entry in entries:
            tags = (
                (" (porte)" if entry.gate else "")
                + ("" if entry.blocking else " (note)")
                + ("" if entry.verified else " (à confirmer)")
            )
            condition = " ".join(entry.condition.split())
            lines.append(f"{pad}{MARK[entry.outcome]} {entry.criterion}{tags} : {condition}")
            read = ", ".join(f"{r.name} = {value_fr(r.value)}" for r in entry.reads)
            if read:
                lines.append(f"{pad}    lu : {read}")
    return lines
