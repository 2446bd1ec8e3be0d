"""A library case: the meeting, the problem in the counsellor's words, the facts, what the meeting
concluded, and the evaluation expected at the meeting date (written from the rules' sources)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, Optional, overload

from pydantic import BaseModel, ConfigDict, Field, StrictStr, ValidationError, model_validator

from ..case import case_from_data, validation_to_input_error
from ..errors import InputError
from ..results import Status
from ..source import Located, decode_text, parse_text, read_bounded

_FORBID = ConfigDict(extra="forbid", frozen=True)
QUARTER_PATTERN = r"^\d{4}-T[1-4]$"


def quarter_bounds(quarter: str) -> tuple[dt.date, dt.date]:
    year, number = int(quarter[:4]), int(quarter[-1])
    start = dt.date(year, 3 * number - 2, 1)
    end = dt.date(year + (number == 4), (3 * number) % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end


def quarter_of(day: dt.date) -> str:
    return f"{day.year}-T{(day.month - 1) // 3 + 1}"


class Meeting(BaseModel):
    model_config = _FORBID
    region: StrictStr = Field(min_length=1)
    quarter: StrictStr = Field(pattern=QUARTER_PATTERN)
    date: dt.date

    @model_validator(mode="after")
    def _date_in_quarter(self):
        start, end = quarter_bounds(self.quarter)
        if not start <= self.date <= end:
            raise ValueError(f"la date {self.date.isoformat()} n'est pas dans le trimestre {self.quarter}")
        return self


class Conclusion(BaseModel):
    model_config = _FORBID
    outcome: Literal["financement", "impasse", "en_attente"]
    funders: list[StrictStr] = []
    note: StrictStr = Field(min_length=3)


class Decision(BaseModel):
    """What the meeting decided for the case, written after it (by `meeting record` or by hand): the
    memory the study's meetings lacked. `result` is added when the outcome is known, months later."""

    model_config = _FORBID
    date: dt.date
    decided: StrictStr = Field(min_length=3)  # what was decided, in the meeting's words
    by: StrictStr = Field(min_length=2)  # who decided, or who carries it out (a body, never a person's name)
    funders: list[StrictStr] = []  # the funders the decision tries (ids of the rulesets)
    result: Optional[StrictStr] = Field(None, min_length=3)  # the outcome known later


class Expected(BaseModel):
    model_config = _FORBID
    status: Status
    blockers: Optional[list[StrictStr]] = None
    missing_facts: Optional[list[StrictStr]] = None


class LibraryFile(BaseModel):
    model_config = _FORBID
    meeting: Meeting
    problem: StrictStr = Field(min_length=10)
    case: dict[str, Any]
    conclusion: Conclusion
    expected: dict[StrictStr, Expected] = Field(min_length=1)
    decision: Optional[Decision] = None


class LibraryCase(BaseModel):
    """A validated library case; `case` is the CaseInput, `path` where it was read."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)
    id: str
    path: str
    meeting: Meeting
    problem: str
    case: Any
    conclusion: Conclusion
    expected: dict[str, Expected]
    decision: Optional[Decision] = None


def load_library_case(path: str | Path, root: str | Path | None = None) -> LibraryCase:
    name = str(path)
    text = decode_text(read_bounded(path), name)
    if not text.strip():
        raise InputError("le fichier est vide", file=name)
    return library_case_from_text(text, name, root)


def library_case_from_text(text: str, path: str | Path, root: str | Path | None = None) -> LibraryCase:
    """Validate a library case from its text (read once; `case new` checks what it will write)."""
    from .privacy import lint_text

    doc: Located = parse_text(text, str(path))
    findings = lint_text(text, str(path), doc)
    if findings:
        first = findings[0]
        raise InputError(
            f"{first.kind} à retirer (« {first.excerpt} ») : la bibliothèque de cas est anonyme",
            file=first.file,
            line=first.line,
        )
    if not isinstance(doc.data, dict):
        raise InputError(
            "un cas de la bibliothèque est un bloc de champs (meeting, problem, case…)", file=doc.file, line=1
        )
    try:
        spec = LibraryFile.model_validate(doc.data)
    except ValidationError as err:
        raise validation_to_input_error(err, doc) from None
    case = case_from_data(spec.case, doc, base=("case",))
    if case.date_demande and case.date_demande > spec.meeting.date:
        raise InputError(
            "la demande est postérieure à la réunion qui l'a étudiée",
            file=doc.file,
            line=doc.line_of(("case", "date_demande")),
            field="case.date_demande",
        )
    if spec.decision is not None and spec.decision.date < spec.meeting.date:
        raise InputError(
            f"la décision ({spec.decision.date.isoformat()}) est antérieure à la réunion "
            f"({spec.meeting.date.isoformat()}) qui l'a prise",
            file=doc.file,
            line=doc.line_of(("decision", "date")),
            field="decision.date",
        )
    path = Path(path)
    case_id = str(path.relative_to(root).with_suffix("")) if root else path.stem
    return LibraryCase(
        id=case_id,
        path=str(path),
        meeting=spec.meeting,
        problem=spec.problem,
        case=case,
        conclusion=spec.conclusion,
        expected=spec.expected,
        decision=spec.decision,
    )


def bundled_cases_dir() -> Optional[Path]:
    """The case library shipped with fundrules' sources (the study's meetings and region 24's), when
    this copy runs from them; an installed wheel carries no cases."""
    folder = Path(__file__).resolve().parents[2] / "cases"
    return folder if (folder / "etude-territorialisee").is_dir() else None


def _hidden(relative: Path) -> bool:
    """A name starting with "." (an editor's or `case new`'s temporary file left by a kill) is not a case."""
    return any(part.startswith(".") for part in relative.parts)


def find_case_files(paths: list[str | Path]) -> list[Path]:
    """Library case files under the given files or folders (examples/ holds plain cases, not library ones)."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found += sorted(
                p
                for p in path.rglob("*.yaml")
                if "examples" not in p.relative_to(path).parts and not _hidden(p.relative_to(path))
            )
        elif path.exists():
            found.append(path)
        else:
            raise InputError("fichier ou dossier introuvable", file=str(path))
    return found


class CaseFiles(Sequence[LibraryCase]):
    """The library cases under the given files or folders, each read and checked when it is asked for.

    A replay streams them: it holds one case at a time, not the library; forked workers inherit
    the list of paths and read their own slice. Ids are relative to the folder given that holds them.
    """

    def __init__(self, paths: Sequence[str | Path]):
        self.roots = [Path(p) for p in paths]
        self.files = find_case_files(list(paths))

    def root_of(self, file: Path) -> Path:
        return next((r for r in self.roots if r.is_dir() and r in file.parents), file.parent)

    def __len__(self) -> int:
        return len(self.files)

    @overload
    def __getitem__(self, index: int) -> LibraryCase: ...

    @overload
    def __getitem__(self, index: slice) -> list[LibraryCase]: ...

    def __getitem__(self, index: int | slice) -> LibraryCase | list[LibraryCase]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self.files)))]
        file = self.files[index]
        return load_library_case(file, root=self.root_of(file))
