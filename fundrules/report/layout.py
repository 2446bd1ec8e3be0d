"""Lines that fit the terminal: every text report wraps to its width (`COLUMNS` respected, 80 when
the output is not a terminal), so a counsellor never scrolls sideways."""

from __future__ import annotations

import shutil
import textwrap
from urllib.parse import urlsplit

MIN_WIDTH, MAX_WIDTH = 40, 100


def terminal_width() -> int:
    return max(MIN_WIDTH, min(MAX_WIDTH, shutil.get_terminal_size((80, 24)).columns))


def wrap(text: str, width: int, indent: str = "", hang: str | None = None) -> list[str]:
    """`text` wrapped after `indent` on the first line and `hang` (default: as many spaces) after."""
    hang = " " * len(indent) if hang is None else hang
    return textwrap.wrap(
        text, width=width, initial_indent=indent, subsequent_indent=hang, break_on_hyphens=False, break_long_words=True
    ) or [indent.rstrip()]


def short_url(url: str, room: int) -> str:
    """The whole address when it fits; otherwise its site and the start of its path, with "…"."""
    if len(url) <= room:
        return url
    parts = urlsplit(url)
    head = f"{parts.netloc}"
    rest = parts.path
    keep = max(0, room - len(head) - 1)
    return head + (rest[:keep] + "…" if keep and rest else "")


def fit(lines: list[str], width: int) -> list[str]:
    """Wrap any line still too long, keeping its indentation."""
    out = []
    for line in lines:
        if len(line) <= width:
            out.append(line)
        else:
            lead = line[: len(line) - len(line.lstrip())]
            out.extend(wrap(line.strip(), width, lead, lead + "  "))
    return out


def fit_text(text: str, width: int | None = None) -> str:
    """A finished report made to fit: long <addresses> shortened, long lines wrapped under their indent."""
    import re

    width = width or terminal_width()
    out = []
    for line in text.split("\n"):
        if len(line) > width:
            line = re.sub(
                r"<(https?://[^>\s]+)>", lambda m: "<" + short_url(m.group(1), max(20, width // 2)) + ">", line
            )
        out.append(line)
    return "\n".join(fit(out, width))
