"""Refuses personal identifiers in case files: the library must stay anonymous.

Names in free text are hard to detect; we catch at least social security numbers, e-mail
addresses, phone numbers, postal addresses and civil titles followed by a name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

PATTERNS = [
    ("numéro de sécurité sociale", re.compile(
        r"(?<!\d)[12][ .]?\d{2}[ .]?(0[1-9]|1[0-2]|[2-9]\d)[ .]?(\d{2}|2A|2B)[ .]?\d{3}[ .]?\d{3}(?:[ .]?\d{2})?(?!\d)")),
    ("adresse e-mail", re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")),
    ("numéro de téléphone", re.compile(r"(?<![\d-])(?:\+33[ .]?|0033[ .]?|0)[1-9](?:[ .-]?\d{2}){4}(?![\d-])")),
    ("adresse postale", re.compile(
        r"\b\d{1,4}\s*(?:bis|ter)?,?\s+(?:rue|avenue|av\.|boulevard|bd|chemin|allée|impasse|place|route|quai|"
        r"cours|lieu-dit|résidence)\b", re.IGNORECASE)),
    ("code postal et commune", re.compile(r"(?<![\d-])(?:0[1-9]|[1-8]\d|9[0-5])\d{3}\s+[A-ZÉÈ][a-zéèêàç]+(?:[ -][A-Za-zéèê]+)*")),
    ("civilité suivie d'un nom", re.compile(r"\b(?:M\.|Mme|Mlle|Madame|Monsieur|Mademoiselle)\s+[A-ZÉ][a-zé]+")),
]


@dataclass
class PrivacyFinding:
    file: str
    line: int
    kind: str
    excerpt: str

    def render(self) -> str:
        return f"{self.file}, ligne {self.line} : {self.kind} à retirer (« {self.excerpt} »)"


def lint_privacy(path: str | Path) -> list[PrivacyFinding]:
    findings = []
    text = Path(path).read_text(encoding="utf-8", errors="replace")
    for number, line in enumerate(text.splitlines(), start=1):
        for kind, pattern in PATTERNS:
            for match in pattern.finditer(line):
                findings.append(PrivacyFinding(str(path), number, kind, match.group(0)))
    return findings
