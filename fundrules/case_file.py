"""Reading one case file for the library's callers and the command line: a plain case (YAML or JSON),
or the facts of a case-library file, which is checked whole first (anonymity, dates, expectations).

Above both the case reader (case.py) and the case library (library/), which reads cases itself, so
that neither imports the other's importer (no import circle)."""

from __future__ import annotations

from pathlib import Path

from .case import CaseInput, case_from_data
from .source import read_document


def load_case(path: str | Path) -> CaseInput:
    """Load a case from a YAML or JSON file, or the case of a library file (`meeting`, `case`, …: its
    facts, checked as `fundrules check` checks them); raises InputError with file, line and field."""
    doc = read_document(path)
    if isinstance(doc.data, dict) and "meeting" in doc.data and "case" in doc.data:
        from .library import load_library_case

        return load_library_case(path).case  # the whole file is checked: anonymity, dates, expectations
    return case_from_data(doc.data, doc)
