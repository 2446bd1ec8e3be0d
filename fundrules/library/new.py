"""Filing a checked situation into the library, with today's evaluation as the expectation to confirm.

Never overwrites a file, and writes atomically: the content goes to a temporary file in the target
folder (named with a leading ".", which the library reader ignores should a kill leave it), which
is then hard-linked to its final name (that fails if the name exists) and removed. Names, personal
data and that the file reads back are all checked before anything is written.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Optional

import yaml

from ..errors import InputError
from .cases import QUARTER_PATTERN, library_case_from_text, quarter_bounds
from .names import SLUG, check_quarter, check_slug, ensure_folder, write_file
from .privacy import find_in_text, lint_text


class _NoAliasDumper(yaml.SafeDumper):
    def ignore_aliases(self, data):
        return True


def _plain(model) -> dict:
    return model.model_dump(mode="json", exclude_none=True, exclude_defaults=False)


def _expected(result) -> dict:
    item: dict = {"status": result.status}
    if result.status == "blocked":
        item["blockers"] = [b.criterion for b in result.blockers]
    if result.status == "a_verifier" and result.missing_facts:
        item["missing_facts"] = list(result.missing_facts)
    return item


MIN_PROBLEM_LENGTH = 10  # what the library reader requires (LibraryFile.problem)
MAX_PROBLEM_LENGTH = 2000


def _check_problem(problem: str) -> str:
    problem = " ".join(problem.split())
    try:
        problem.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError("caractère invalide (octets qui ne sont pas de l'UTF-8)", field="problem") from None
    if len(problem) < MIN_PROBLEM_LENGTH:
        raise InputError(
            f"au moins {MIN_PROBLEM_LENGTH} caractères, le problème dans les mots du conseiller", field="problem"
        )
    if len(problem) > MAX_PROBLEM_LENGTH:
        raise InputError(f"au plus {MAX_PROBLEM_LENGTH} caractères", field="problem")
    from ..escape import escape_terminal

    if escape_terminal(problem) != problem:
        raise InputError("caractère de contrôle refusé", field="problem")
    for kind, excerpt in find_in_text(problem):
        raise InputError(
            f"{kind} à retirer du problème (« {escape_terminal(excerpt)} ») : la bibliothèque de cas est anonyme",
            field="problem",
        )
    return problem


def new_case(
    engine,
    source: Path,
    meeting: str,
    cases_dir: Path,
    meeting_date: Optional[dt.date] = None,
    problem: Optional[str] = None,
    name: Optional[str] = None,
) -> Path:
    """Everything is checked (names, personal data, that the file reads back) before anything is written."""
    from ..case import case_from_data
    from ..source import read_document

    match = re.fullmatch(r"([^/]*)/(\d{4}-T[1-4])", meeting)
    if not match or not re.match(QUARTER_PATTERN, match.group(2)):
        raise InputError("meeting attend RÉGION/AAAA-Tn, par exemple etude-territorialisee/2018-T2", field="meeting")
    region, quarter = check_slug(match.group(1), "meeting"), check_quarter(match.group(2), "meeting")
    if name is None and not SLUG.fullmatch(source.stem):
        raise InputError(
            "le nom du fichier source ne convient pas comme nom de cas : donnez un nom (name)", field="name"
        )
    name = check_slug(name if name is not None else source.stem, "name")
    problem = _check_problem(problem) if problem is not None else None
    doc = read_document(source)
    findings = lint_text("", str(source), doc)  # values only: comments of the source are not copied
    if findings:
        raise InputError(
            f"{findings[0].kind} à retirer avant de classer le cas", file=str(source), line=findings[0].line
        )
    case = case_from_data(doc.data, doc)
    start, end = quarter_bounds(quarter)
    if meeting_date is None:
        meeting_date = max(case.date_demande or start, start)
    if not start <= meeting_date <= end:
        raise InputError(
            f"la date de réunion {meeting_date.isoformat()} n'est pas dans le trimestre {quarter}", field="meeting_date"
        )
    if case.date_demande and case.date_demande > meeting_date:
        raise InputError("la demande est postérieure à la date de réunion", file=str(source), field="date_demande")
    evaluation = engine.evaluate(case, as_of=meeting_date)
    document = {
        "meeting": {"region": region, "quarter": quarter, "date": meeting_date.isoformat()},
        "problem": problem or "(à compléter : le problème dans les mots du conseiller)",
        "case": _plain(case),
        "conclusion": {"outcome": "en_attente", "note": "À compléter après la réunion."},
        "expected": {r.funder: _expected(r) for r in evaluation.results},
    }
    header = (
        "# Attendu pré-rempli par fundrules le "
        + dt.date.today().isoformat()
        + " : à confirmer par le conseiller d'après les sources des règles.\n"
    )
    text = header + yaml.dump(document, Dumper=_NoAliasDumper, allow_unicode=True, sort_keys=False, width=100)
    folder = cases_dir / region / quarter
    target = folder / f"{name}.yaml"
    library_case_from_text(text, target)  # what we write must read back as a valid, anonymous library case
    if target.exists() or target.is_symlink():
        raise InputError("ce cas existe déjà : choisissez un autre nom (name)", file=str(target), field="name")
    ensure_folder(folder, "cases")
    if not folder.resolve().is_relative_to(cases_dir.resolve()):
        raise InputError("le dossier de la réunion sort de la bibliothèque (lien symbolique ?)", file=str(folder))
    try:
        write_file(target, text, replace=False)
    except InputError as err:
        if "existe déjà" in err.reason:
            raise InputError(
                "ce cas existe déjà : choisissez un autre nom (name)", file=str(target), field="name"
            ) from None
        raise
    return target
