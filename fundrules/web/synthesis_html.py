"""The one-screen synthesis (fundrules.report.synthesis) as parts of a web page.

The page shows the very text `fundrules check` prints, rendered without a width limit (so nothing
is cut with "…") and split into its sections and items: one definition of what the synthesis
says, never a second one written for the browser."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from ..report.synthesis import HINT, MARK, render_synthesis

UNLIMITED = 100_000  # characters per line: every item on one line, nothing cut
_STATUS_OF_MARK = {mark.strip(): status for status, mark in MARK.items()}
_LIST_MARKS = {"- ": "item", "-> ": "action"}


@dataclass
class Item:
    text: str
    kind: str  # eligible, blocked, a_verifier, not_in_force, item, action
    notes: list[str] = field(default_factory=list)


@dataclass
class Section:
    title: Optional[str]  # None: the lines before the first section, and those after the last
    text: Optional[str] = None  # a section said in one sentence ("POUR VIVRE … : …")
    items: list[Item] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


def _heading(line: str) -> Optional[tuple[str, Optional[str]]]:
    """("QUI PEUT PAYER (4)", None) or ("POUR VIVRE PENDANT LA FORMATION", "aucune…"): a line whose
    words before " : " or " (" are in capitals."""
    head, _, rest = line.partition(" : ")
    words = head.split(" (")[0]
    if words and words == words.upper() and any(ch.isalpha() for ch in words):
        return head, (rest or None)
    return None


def sections_of(text: str) -> list[Section]:
    """The synthesis text split into its sections; the first (title None) holds the head lines."""
    sections = [Section(None)]
    for line in text.rstrip("\n").split("\n"):
        current = sections[-1]
        if not line.strip() or line == HINT:
            continue
        stripped = line.strip()
        mark = stripped.split(" ", 1)[0]
        if not line.startswith(" ") and mark in _STATUS_OF_MARK:
            current.items.append(Item(stripped[len(mark) :].strip(), _STATUS_OF_MARK[mark]))
            continue
        listed = next((k for k in _LIST_MARKS if stripped.startswith(k) and line.startswith("  ")), None)
        if listed and not line.startswith("     "):
            current.items.append(Item(stripped[len(listed) :].strip(), _LIST_MARKS[listed]))
            continue
        if line.startswith(" ") and current.items:
            current.items[-1].notes.append(stripped)
            continue
        heading = None if line.startswith(" ") else _heading(line)
        if heading is not None:
            sections.append(Section(heading[0], heading[1]))
            continue
        if current.title is not None and (current.items or current.text):
            sections.append(Section(None))  # lines after a section: the tail (hors public, attention)
        sections[-1].lines.append(stripped)
    return [s for s in sections if s.title or s.lines or s.items]


def synthesis_sections(evaluation, plan, amounts, region: Optional[str], note: Optional[str]) -> list[Section]:
    """The synthesis of one answer, as `fundrules check` writes it, in sections."""
    return sections_of(render_synthesis(evaluation, plan, amounts, width=UNLIMITED, region=region, note=note))
