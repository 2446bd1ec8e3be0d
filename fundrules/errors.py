"""Errors a user can act on: each names the file, the line and the field at fault, in French.

The CLI turns any `InputError` into one message and exit code 2; a library caller gets the
same structured information (`.file`, `.line`, `.field`, `.reason`).
"""

from __future__ import annotations

from typing import Any


class FundrulesError(Exception):
    """Base of every error raised on purpose by fundrules."""

    code = "error"  # stable string an application can branch on (documented in the README)

    def payload(self) -> dict[str, Any]:
        """The error as JSON: what the CLI prints with --format json and the HTTP service returns."""
        return {
            "error": {
                "code": self.code,
                "message": str(self),
                "file": getattr(self, "file", None),
                "line": getattr(self, "line", None),
                "field": getattr(self, "field", None),
            }
        }


class InputError(FundrulesError):
    """A case file, ruleset file or argument that cannot be used as given."""

    code = "invalid_input"

    def __init__(
        self,
        reason: str,
        *,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
        details: list[InputError] | None = None,
        code: str | None = None,
    ):
        if code is not None:  # a more specific stable code (file_too_large, unknown_fact, yaml_syntax…)
            self.code = code
        self.reason = reason
        self.file = file
        self.line = line
        self.field = field
        self.details = details or []
        super().__init__(self.render())

    def location(self) -> str:
        from .escape import escape_terminal  # a file name or an unknown key cannot forge a line

        parts = []
        file = escape_terminal(self.file, keep_newlines=False) if self.file else self.file
        if file:
            parts.append(file if self.line is None else f"{file}, ligne {self.line}")
        elif self.line is not None:
            parts.append(f"ligne {self.line}")
        if self.field:
            parts.append(escape_terminal(self.field, keep_newlines=False))
        return " : ".join(parts)

    def render(self) -> str:
        where = self.location()
        head = f"{where} : {self.reason}" if where else self.reason
        if not self.details:
            return head
        return "\n".join([head] + [f"  - {d.render()}" for d in self.details])


class EvaluationError(FundrulesError):
    """A case that cannot be evaluated at all (no date to evaluate at, for instance)."""

    code = "cannot_evaluate"

    def __init__(self, message: str, *, field: str | None = None, file: str | None = None):
        self.field = field
        self.file = file
        super().__init__(message)


class BackendError(FundrulesError):
    """The rule backend failed; never swallowed, since a partial answer would look complete."""

    code = "backend_failure"
