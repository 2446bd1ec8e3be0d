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


class DecisionTally:
    """The meetings' recorded decisions under the replay's rules: per quarter, how many decided ways
    out (decisions naming funders) the rules still allow, and the cases whose decision they contradict."""

    def __init__(self) -> None:
        self.per_quarter: dict[str, list[int]] = {}  # quarter -> [ways out, still allowed]
        self.contradicted: list[str] = []
        self.as_of: Optional[dt.date] = None

    def add(self, replay: CaseReplay, labels: dict, names: dict, bullet: str) -> None:
        check = replay.decision
        if check is None:
            return
        self.as_of = check.as_of
        counts = self.per_quarter.setdefault(check.quarter, [0, 0])
        if check.way_out:
            counts[0] += 1
            counts[1] += check.still_allowed
        if check.contradicted:
            decided = replay.case.decision.decided if replay.case.decision else ""
            self.contradicted.append(
                f"{bullet}{replay.case.id} (réunion du {date_fr(replay.case.meeting.date)}) : décidé « {decided} » ; "
                f"{check.closed_text(labels, names)}"
            )

    def lines(self, h2: str, bullet: str) -> list[str]:
        if not self.per_quarter:
            return []
        out = ["", f"{h2}Décisions des réunions aux règles du {date_fr(self.as_of)}"]
        for quarter in sorted(self.per_quarter):
            ways, allowed = self.per_quarter[quarter]
            out.append(f"{bullet}{quarter} : {ways} issue(s) décidée(s), dont {allowed} encore possible(s)")
        if self.contradicted:
            out += [
                "",
                f"{h2}Décisions contredites par les règles du {date_fr(self.as_of)} ({len(self.contradicted)} cas)",
            ]
            out += self.contradicted
        return out

    def summary(self) -> dict[str, Any]:
        return {
            quarter: {"ways_out": ways, "still_allowed": allowed}
            for quarter, (ways, allowed) in sorted(self.per_quarter.items())
        }


class ReplayText:
    """The replay for people, built while the replays arrive: it keeps only the lines it will show
    (cases with differences or changes, income dead ends) and counts the rest, since its first
    lines give the counts. `names` (funder id → short name) and `labels` ("funder · criterion" →
    French label) replace codes when given; text (not Markdown) fits the terminal.

    `start()`, `add(replay)` for each replay in order, then `end()`: their texts joined are the report.
    """

    def __init__(
        self,
        as_of: Optional[dt.date],
        markdown: bool = False,
        names: Optional[dict] = None,
        labels: Optional[dict] = None,
        width: Optional[int] = None,
    ):
        self.as_of, self.markdown, self.width = as_of, markdown, width
        self.names, self.labels = names or {}, labels or {}
        self.h1, self.h2, self.bullet = ("# ", "## ", "- ") if markdown else ("", "", "  - ")
        self.cases = self.mismatched = self.changed = self.gained = self.lost = 0
        self.dead_ends: list[str] = []  # one line per case whose person has nothing to live on
        self.blocks: list[str] = []  # the lines of each case with differences (or changes)
        self.decisions = DecisionTally()

    def _funder(self, fid: str) -> str:
        return self.names.get(fid, fid)

    def _criterion(self, fid: str, key: str) -> str:
        from ..french import humanize

        label = self.labels.get(f"{fid} · {key}")
        return label.split(" · ", 1)[1] if label else humanize(key)

    def start(self) -> str:
        return ""  # the counts come first: nothing can be written before the last case

    def add(self, replay: CaseReplay) -> str:
        self.cases += 1
        if replay.decision is not None:
            self.decisions.add(replay, self.labels, self.names, self.bullet)
        h2, bullet, lines = self.h2, self.bullet, self.blocks
        pad = "  " if self.markdown else "      "
        if self.as_of is None:
            if replay.plan is not None and income_dead_end(replay.plan):
                self.dead_ends.append(f"{bullet}{replay.case.id} : {income_summary(replay.plan)}")
            if replay.matches:
                return ""
            self.mismatched += 1
            lines += ["", f"{h2}{replay.case.id} (réunion du {date_fr(replay.case.meeting.date)})"]
            if replay.plan is not None:
                lines.append(f"{bullet}plan : {_plan_text(replay.plan)}")
                lines.append(f"{bullet}ressources pendant la formation : {income_summary(replay.plan)}")
            for d in replay.differences:
                lines.append(
                    f"{bullet}{self._funder(d.funder)} : {FIELD_FR[d.field]} attendu {_value(d.expected)}, "
                    f"obtenu {_value(d.got)}"
                )
                lines += [f"{pad}- critère {c}" for c in d.criteria]
            return ""
        self.gained += sum(1 for c in replay.changes if c.gained)
        self.lost += sum(1 for c in replay.changes if c.lost)
        if not replay.changes:
            return ""
        self.changed += 1
        as_of = self.as_of
        lines += ["", f"{h2}{replay.case.id} (réunion du {date_fr(replay.case.meeting.date)} → {date_fr(as_of)})"]
        if replay.plan is not None:
            lines.append(f"{bullet}plan au {date_fr(as_of)} : {_plan_text(replay.plan)}")
            lines.append(f"{bullet}ressources pendant la formation : {income_summary(replay.plan)}")
        for c in replay.changes:
            tag = " — gagné" if c.gained else " — perdu" if c.lost else ""
            if getattr(c, "in_scope_after", None) is False and c.status_after == "blocked":
                tag += " (hors public)"
            lines.append(
                f"{bullet}{self._funder(c.funder)} : {STATUS_FR[c.status_before]} → {STATUS_FR[c.status_after]}{tag}"
            )
            lines += [f"{pad}- bloquant apparu : {self._criterion(c.funder, k)}" for k in c.blockers_appeared]
            lines += [f"{pad}- bloquant levé : {self._criterion(c.funder, k)}" for k in c.blockers_disappeared]
            lines += [f"{pad}- voie devenue : {s}" for s in c.successor_routes]
        return ""

    def end(self) -> str:
        from .layout import fit, terminal_width

        h1, h2 = self.h1, self.h2
        if self.as_of is None:
            lines = [
                f"{h1}Rejeu de {self.cases} cas aux règles de la date de leur réunion",
                f"{self.cases - self.mismatched} conformes à l'attendu, {self.mismatched} avec des écarts.",
            ]
            if self.dead_ends:
                lines += ["", f"{h2}Impasses de ressources pendant la formation ({len(self.dead_ends)} cas)"]
                lines += self.dead_ends
        else:
            lines = [
                f"{h1}Rejeu de {self.cases} cas aux règles du {date_fr(self.as_of)}",
                f"{self.changed} cas changent : {self.gained} financeurs gagnés, {self.lost} financeurs perdus.",
            ]
        lines += self.decisions.lines(h2, self.bullet)
        lines += self.blocks
        return "\n".join(lines if self.markdown else fit(lines, self.width or terminal_width())) + "\n"


def render_replay_text(
    replays: list[CaseReplay],
    as_of: Optional[dt.date],
    markdown: bool = False,
    names: Optional[dict] = None,
    labels: Optional[dict] = None,
    width: Optional[int] = None,
) -> str:
    """The replay for people, from every replay at once (`ReplayText` builds it while they arrive)."""
    report = ReplayText(as_of, markdown, names, labels, width)
    return report.start() + "".join(report.add(r) for r in replays) + report.end()


def _replay_item(r: CaseReplay, as_of: Optional[dt.date]) -> dict[str, Any]:
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
    if r.decision is not None:
        d = r.decision
        item["decision"] = {
            "as_of": d.as_of.isoformat(),
            "funders": d.funders,
            "still_allowed": d.still_allowed,
            "contradicted": d.contradicted,
            "closed": [{"funder": c.funder, "reason": c.reason, "criteria": c.criteria} for c in d.closed],
        }
    return item


_ITEM_INDENT = "\n    "  # an item of "results" sits two levels deep in the indent=2 document
_RESULTS = '\n  "results": []'  # the key at the top level: inside a string its quotes would be escaped


class ReplayJson:
    """The replay for programs, written while the replays arrive: `start()`, then `add(replay)` for
    each of the `count` replays in order, then `end()`; joined, the same bytes as one `json.dumps`
    of the whole summary with indent=2, which only the last line's counts needed to wait for."""

    def __init__(self, count: int, as_of: Optional[dt.date], provenance: Optional[Provenance] = None):
        self.count, self.as_of, self.provenance = count, as_of, provenance
        self.cases = self.mismatched = 0
        self.decisions = DecisionTally()

    def _summary(self) -> str:
        summary: dict[str, Any] = {
            "cases": self.count,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "results": [],
        }
        if self.provenance is not None:
            summary["provenance"] = self.provenance.model_dump(mode="json")
        if self.as_of is None:
            summary["matches"] = self.cases - self.mismatched
        if self.decisions.per_quarter:  # only once a decision was met: after "results", in the tail
            summary["decisions"] = self.decisions.summary()
        return json.dumps(summary, ensure_ascii=False, indent=2, sort_keys=False)

    def start(self) -> str:
        head = self._summary()
        return head[: head.index(_RESULTS) + len(_RESULTS) - 1]  # up to the results' opening bracket

    def add(self, replay: CaseReplay) -> str:
        self.cases += 1
        self.mismatched += not replay.matches
        self.decisions.add(replay, {}, {}, "")
        item = json.dumps(_replay_item(replay, self.as_of), ensure_ascii=False, indent=2)
        return ("\n" if self.cases == 1 else ",\n") + "    " + item.replace("\n", _ITEM_INDENT)

    def end(self) -> str:
        tail = self._summary()
        tail = tail[tail.index(_RESULTS) + len(_RESULTS) :]
        return ("\n  ]" if self.cases else "]") + tail

    def fail(self, payload: dict[str, Any]) -> str:
        """The end of a report stopped by an error (a case file found invalid when its turn came):
        the results so far, then the error as its own top-level field, in a document that still parses."""
        error = json.dumps(payload, ensure_ascii=False, indent=2)  # {"error": {...}}
        return ("\n  ]" if self.cases else "]") + ",\n" + error[2:] + "\n"


def replay_json(replays: list[CaseReplay], as_of: Optional[dt.date], provenance: Optional[Provenance] = None) -> str:
    """The replay for programs, from every replay at once (`ReplayJson` writes it while they arrive)."""
    report = ReplayJson(len(replays), as_of, provenance)
    return report.start() + "".join(report.add(r) for r in replays) + report.end()
