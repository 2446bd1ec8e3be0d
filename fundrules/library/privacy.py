"""Refuses personal identifiers in case files: the library must stay anonymous.

Names in free text are hard to detect; we catch at least social security numbers, e-mail
addresses, phone numbers, postal addresses and civil titles followed by a name.

The linter reads the parsed values (a folded scalar, a `\\u0040` escape, a non-breaking space read
as YAML reads them) normalised with NFKC, plus the comments of the raw text, and keeps the line of
each value. Every pattern runs in linear time: each can start only at a word boundary or at a
fixed anchor, and no quantified group can match the same text in two ways.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..source import Located, decode_text, parse_text, read_bounded

_NAME = r"[A-ZÉÈÊÀÇÎÏÔ](?:[a-zéèêëàâçîïôöûüœ'’-]{2,}|[A-ZÉÈÊËÀÂÇÎÏÔÖÛÜŒ'’-]{2,})"
_PHONE_TAIL = r"[1-9](?:[ .-]?\d{2}){4}(?![\d-])"

PATTERNS = [
    (
        "numéro de sécurité sociale",
        re.compile(
            r"(?<!\d)[12][ .]?\d{2}[ .]?(0[1-9]|1[0-2]|[2-9]\d)[ .]?(\d{2}|2A|2B)[ .]?\d{3}[ .]?\d{3}"
            r"(?:[ .]?\d{2})?(?!\d)"
        ),
    ),
    # starts only where a local part starts (look-behind), so a long word is scanned once, not once per letter
    (
        "adresse e-mail",
        re.compile(
            r"(?<![\w.+-])[\w.+-]+(?:\s*@\s*|\s*[(\[]\s*(?:at|arobase)\s*[)\]]\s*|\s+(?:at|arobase)\s+)"
            r"[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])",
            re.IGNORECASE,
        ),
    ),
    (
        "numéro de téléphone",
        re.compile(r"(?<![\d-])(?:(?:\+|00)(?:33|262|269|590|594|596|687|689)[ .]?(?:\(0\)[ .]?)?|0)" + _PHONE_TAIL),
    ),
    (
        "adresse postale",
        re.compile(
            r"(?<!\w)\d{1,4}\s*(?:bis|ter)?,?\s+(?:(?:rue|avenue|av\.|boulevard|bd|chemin|allée|impasse|quai|lieu-dit|"
            r"résidence)(?!\w)|(?:cours|route|place)\s+(?:(?:de\s+la|de\s+l'|des|du|de|d')\s*)?(?-i:[A-ZÉÈ])\w*)",
            re.IGNORECASE,
        ),
    ),
    (
        "code postal et commune",
        re.compile(
            r"(?<![\w-])(?<!RNCP )(?<!RNCP)(?<!RS )(?:(?:0[1-9]|[1-8]\d|9[0-5])\d{3}|97[1-8]\d{2}|98[6-8]\d{2})"
            r"\s+(?!(?i:euros?|eur|heures?|h|ht|ttc|mois|jours?|ans|semaines?)\b)" + _NAME
        ),
    ),
    (
        "civilité suivie d'un nom",
        re.compile(r"(?<!\w)(?:M\.(?!\s*Sc\b|\s*Sci\b)|Mme\.?|Mlle\.?|Madame|Monsieur|Mademoiselle)\s+" + _NAME),
    ),
]

_EMAIL = "adresse e-mail"
_AT_WORD = re.compile(r"(?<![^\W_])(?:at|arobase)(?![^\W_])", re.IGNORECASE)
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))  # soft hyphen, zero widths


@dataclass
class PrivacyFinding:
    file: str
    line: int
    kind: str
    excerpt: str

    def render(self) -> str:
        return f"{self.file}, ligne {self.line} : {self.kind} à retirer (« {self.excerpt} »)"


def normalise(text: str) -> str:
    """What a reader sees: NFKC (full-width @, non-breaking spaces become plain), invisibles removed."""
    return unicodedata.normalize("NFKC", text.translate(_INVISIBLE))


def find_in_text(text: str) -> Iterator[tuple[str, str]]:
    """Each (kind, excerpt) of personal data in one piece of text."""
    text = normalise(text)
    for kind, pattern in PATTERNS:
        if kind == _EMAIL and "@" not in text and not _AT_WORD.search(text):
            continue  # the e-mail pattern is the slowest: skip it when it cannot match
        for match in pattern.finditer(text):
            yield kind, match.group(0)


def _values(data: Any, doc: Located, path: tuple = ()) -> Iterator[tuple[int, str]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield doc.line_of(path + (key,)) or 1, str(key)
            yield from _values(value, doc, path + (key,))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            yield from _values(item, doc, path + (index,))
    elif isinstance(data, str):
        yield doc.line_of(path) or 1, data


_COMMENT = re.compile(r"(?:^|\s)#(.*)$")


def lint_text(text: str, name: str, doc: Located | None = None) -> list[PrivacyFinding]:
    """Findings in a file's text: its parsed values (when it parses) and its comments, by line."""
    pieces: list[tuple[int, str]] = []
    if doc is None:
        try:
            doc = parse_text(text, name)
        except InputError:
            doc = None
    if doc is not None:
        pieces += list(_values(doc.data, doc))
        pieces += [
            (n, m.group(1))
            for n, line in enumerate(text.splitlines(), 1)
            if "#" in line
            for m in [_COMMENT.search(line)]
            if m
        ]
    else:  # unreadable as YAML: the raw lines are all we have
        pieces = list(enumerate(text.splitlines(), 1))
    findings, seen = [], set()
    for line, piece in pieces:
        for kind, excerpt in find_in_text(piece):
            if (line, kind, excerpt) not in seen:
                seen.add((line, kind, excerpt))
                findings.append(PrivacyFinding(name, line, kind, excerpt))
    return sorted(findings, key=lambda f: f.line)


def lint_privacy(path: str | Path, doc: Located | None = None) -> list[PrivacyFinding]:
    """Findings in one file (read within the size limit); `doc` when the caller parsed it already."""
    text = decode_text(read_bounded(path), str(path))
    return lint_text(text, str(path), doc)
