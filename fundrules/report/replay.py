"""Replay summaries for people (French text or Markdown) and programs (JSON)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Optional

from ..french import date_fr
from ..library.replay import CaseReplay
from ..results import STATUS_FR, Provenance
from .plan import income_dead_end, income_summary

FIELD_FR = {"status": "statut", "blockers": "bloquants", "missing_facts": "faits manquants"}


def _value(value) -> str:
    if isinstance(value, list):
        return ", ".join(value) if value else "aucun"
    return STATUS_FR.get(value, str(value))


def _plan_text(plan) -> str:
    from .plan import plan_summary

    if plan.impasse or not plan.plans:
        return plan.message or "impasse"
    return plan_summary(plan.plans[0])


def _income_dead_ends(replays: list[CaseReplay], h2: str, bullet: str) -> list[str]:
    """Income dead ends beside funding dead ends: cases whose person has nothing to live on."""
    dead = [r for r in replays if r.plan is not None and income_dead_end(r.plan)]
    if not dead:
        return []
    lines = ["", f"{h2}Impasses de ressources pendant la formation ({len(dead)} cas)"]
    return lines + [f"{bullet}{r.case.id} : {income_summary(r.plan)}" for r in dead]


def render_replay_text(
    replays: list[CaseReplay],
    as_of: Optional[dt.date],
    markdown: bool = False,
    names: Optional[dict] = None,
    labels: Optional[dict] = None,
    width: Optional[int] = None,
) -> str:
    """The replay for people; `names` (funder id → short name) and `labels` ("funder · criterion" →
    French label) replace codes when given; text (not Markdown) fits the terminal."""
    from ..french import humanize
    from .layout import fit, terminal_width

    names, labels = names or {}, labels or {}

    def funder(fid: str) -> str:
        return names.get(fid, fid)

    def criterion(fid: str, key: str) -> str:
        label = labels.get(f"{fid} · {key}")
        return label.split(" · ", 1)[1] if label else humanize(key)

    h1, h2, bullet = ("# ", "## ", "- ") if markdown else ("", "", "  - ")
    lines = []
    if as_of is None:
        mismatched = [r for r in replays if not r.matches]
        lines.append(f"{h1}Rejeu de {len(replays)} cas aux règles de la date de leur réunion")
        lines.append(f"{len(replays) - len(mismatched)} conformes à l'attendu, {len(mismatched)} avec des écarts.")
        lines += _income_dead_ends(replays, h2, bullet)
        for replay in mismatched:
            lines += ["", f"{h2}{replay.case.id} (réunion du {date_fr(replay.case.meeting.date)})"]
            if replay.plan is not None:
                lines.append(f"{bullet}plan : {_plan_text(replay.plan)}")
                lines.append(f"{bullet}ressources pendant la formation : {income_summary(replay.plan)}")
            for d in replay.differences:
                lines.append(
                    f"{bullet}{funder(d.funder)} : {FIELD_FR[d.field]} attendu {_value(d.expected)}, "
                    f"obtenu {_value(d.got)}"
                )
                lines += [f"{'  ' if markdown else '      '}- critère {c}" for c in d.criteria]
        return "\n".join(lines if markdown else fit(lines, width or terminal_width())) + "\n"
    changed = [r for r in replays if r.changes]
    lines.append(f"{h1}Rejeu de {len(replays)} cas aux règles du {date_fr(as_of)}")
    gained = sum(1 for r in replays for c in r.changes if c.gained)
    lost = sum(1 for r in replays for c in r.changes if c.lost)
    lines.append(f"{len(changed)} cas changent : {gained} financeurs gagnés, {lost} financeurs perdus.")
    for replay in changed:
        lines += ["", f"{h2}{replay.case.id} (réunion du {date_fr(replay.case.meeting.date)} → {date_fr(as_of)})"]
        if replay.plan is not None:
            lines.append(f"{bullet}plan au {date_fr(as_of)} : {_plan_text(replay.plan)}")
            lines.append(f"{bullet}ressources pendant la formation : {income_summary(replay.plan)}")
        for c in replay.changes:
            tag = " — gagné" if c.gained else " — perdu" if c.lost else ""
            if getattr(c, "in_scope_after", None) is False and c.status_after == "blocked":
                tag += " (hors public)"
            lines.append(
                f"{bullet}{funder(c.funder)} : {STATUS_FR[c.status_before]} → {STATUS_FR[c.status_after]}{tag}"
            )
            pad = "  " if markdown else "      "
            lines += [f"{pad}- bloquant apparu : {criterion(c.funder, k)}" for k in c.blockers_appeared]
            lines += [f"{pad}- bloquant levé : {criterion(c.funder, k)}" for k in c.blockers_disappeared]
            lines += [f"{pad}- voie devenue : {s}" for s in c.successor_routes]
    return "\n".join(lines if markdown else fit(lines, width or terminal_width())) + "\n"


def replay_json(replays: list[CaseReplay], as_of: Optional[dt.date], provenance: Optional[Provenance] = None) -> str:
    data = []
    for r in replays:
        item = {
            "case": r.case.id,
            "meeting_date": r.case.meeting.date.isoformat(),
            "as_of": r.as_of.isoformat(),
            "statuses": r.statuses,
            "plan": json.loads(r.plan.model_dump_json(exclude={"provenance"})) if r.plan is not None else None,
        }
        if as_of is None:
            item["matches"] = r.matches
            item["differences"] = [
                {"funder": d.funder, "field": d.field, "expected": d.expected, "got": d.got, "criteria": d.criteria}
                for d in r.differences
            ]
        else:
            item["changes"] = [
                {
                    "funder": c.funder,
                    "status_before": c.status_before,
                    "status_after": c.status_after,
                    "gained": c.gained,
                    "lost": c.lost,
                    "blockers_appeared": c.blockers_appeared,
                    "blockers_disappeared": c.blockers_disappeared,
                    "successor_routes": c.successor_routes,
                    "in_scope_after": c.in_scope_after,
                }
                for c in r.changes
            ]
        data.append(item)
    summary: dict[str, Any] = {"cases": len(replays), "as_of": as_of.isoformat() if as_of else None, "results": data}
    if provenance is not None:
        summary["provenance"] = provenance.model_dump(mode="json")
    if as_of is None:
        summary["matches"] = sum(1 for r in replays if r.matches)
    return json.dumps(summary, ensure_ascii=False, indent=2, sort_keys=False)
