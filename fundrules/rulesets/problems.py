"""A problem found by `rulesets lint`, said with its file and line: shared by the catalog's checks
(lint.py) and the check of the texts a counsellor reads (text_lint.py)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class LintProblem:
    funder: str
    version: str
    criterion: str
    file: str
    line: int | None
    reason: str

    def render(self) -> str:
        where = f"{self.file}, ligne {self.line}" if self.line else self.file
        return f"{where} : {self.funder} version {self.version}, critère {self.criterion} : {self.reason}"
