"""Filing a checked situation into the library, with today's evaluation as the expectation to confirm.

Never overwrites a file, and writes atomically: the content goes to a temporary file in the target
folder, which is then hard-linked to its final name (that fails if the name exists) and removed.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from pathlib import Path
from typing import Optional

import yaml

from ..errors import InputError
from .cases import QUARTER_PATTERN, load_library_case, quarter_bounds
from .privacy import lint_privacy


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


def new_case(engine, source: Path, meeting: str, cases_dir: Path, meeting_date: Optional[dt.date] = None,
             problem: Optional[str] = None, name: Optional[str] = None) -> Path:
    from ..case import load_case

    match = re.fullmatch(r"([A-Za-z0-9_\-]+)/(\d{4}-T[1-4])", meeting)
    if not match or not re.match(QUARTER_PATTERN, match.group(2)):
        raise InputError("meeting attend RÉGION/AAAA-Tn, par exemple etude-territorialisee/2018-T2",
                         field="meeting")
    region, quarter = match.groups()
    findings = lint_privacy(source)
    if findings:
        raise InputError(f"{findings[0].kind} à retirer avant de classer le cas", file=str(source),
                         line=findings[0].line)
    case = load_case(source)
    start, end = quarter_bounds(quarter)
    if meeting_date is None:
        meeting_date = max(case.date_demande or start, start)
    if not start <= meeting_date <= end:
        raise InputError(f"la date de réunion {meeting_date.isoformat()} n'est pas dans le trimestre {quarter}",
                         field="meeting_date")
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
    header = ("# Attendu pré-rempli par fundrules le " + dt.date.today().isoformat()
              + " : à confirmer par le conseiller d'après les sources des règles.\n")
    text = header + yaml.dump(document, Dumper=_NoAliasDumper, allow_unicode=True, sort_keys=False, width=100)
    folder = cases_dir / region / quarter
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{name or source.stem}.yaml"
    descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=".nouveau-", suffix=".yaml")
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(temporary, 0o666 & ~umask)  # mkstemp creates 0600; a library file is shared
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, target)
        except FileExistsError:
            raise InputError("ce cas existe déjà : choisissez un autre nom (name)", file=str(target),
                             field="name") from None
    finally:
        os.unlink(temporary)
    load_library_case(target)  # the file we wrote must read back as a valid library case
    return target
