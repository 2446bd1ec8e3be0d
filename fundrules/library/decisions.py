"""The meeting's decisions, kept with their case: writing one into a case file (`meeting record`),
and checking a recorded decision against the rules of another date (replay, the next pack).

The study's quarterly meetings stopped partly because nothing remembered what they had decided
(Céreq, 2019): a decision recorded here is read again by `case lint`, `replay` and every later pack.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import yaml

from ..errors import InputError
from ..source import decode_text, parse_text, read_bounded
from .cases import Decision, LibraryCase, library_case_from_text
from .names import write_file

_TOP_LEVEL = re.compile(r"^[^\s-]")  # a key, a comment or a document marker at the left margin


def _without_decision(text: str) -> str:
    """The file's text without its top-level `decision:` block (its comments and order kept)."""
    out, skipping = [], False
    for line in text.splitlines(keepends=True):
        if line.startswith("decision:"):
            skipping = True
            continue
        if skipping and _TOP_LEVEL.match(line):
            skipping = False
        if not skipping:
            out.append(line)
    return "".join(out)


def decision_block(decision: Decision) -> str:
    data = {"date": decision.date, "decided": decision.decided, "by": decision.by, "funders": list(decision.funders)}
    if decision.result is not None:
        data["result"] = decision.result
    return yaml.safe_dump({"decision": data}, allow_unicode=True, sort_keys=False, width=100)


def unknown_funders(decision: Decision, catalog) -> list[str]:
    return [f for f in decision.funders if f not in catalog.funders]


def record_decision(
    path: Path,
    catalog,
    *,
    date: Optional[dt.date] = None,
    decided: Optional[str] = None,
    by: Optional[str] = None,
    funders: Optional[list[str]] = None,
    result: Optional[str] = None,
    replace: bool = False,
) -> LibraryCase:
    """Write the decision into the case file and return the case as read back.

    A new decision needs `decided` and `by` (the date defaults to the meeting's); a recorded one is
    kept unless `replace`, except that its `result` may be added later on its own. The new text is
    checked as `case lint` would (privacy, schema, known funders) before the file is replaced at
    once: an error leaves the file as it was."""
    name = str(path)
    text = decode_text(read_bounded(path), name)
    case = library_case_from_text(text, path)  # the file as it is must be a valid case
    old = case.decision
    only_result = result is not None and decided is None and by is None and date is None and not funders
    if old is not None and only_result:
        if old.result is not None and not replace:
            raise InputError(
                "un résultat est déjà enregistré pour cette décision (replace pour le remplacer) : rien n'a été écrit",
                file=name,
                field="replace",
            )
        new = old.model_copy(update={"result": result})
    else:
        if old is not None and not replace:
            raise InputError(
                f"une décision du {old.date.isoformat()} est déjà enregistrée (replace pour la remplacer, "
                "result seul pour y ajouter le résultat) : rien n'a été écrit",
                file=name,
                field="replace",
            )
        missing = [name for name, value in (("decided", decided), ("by", by)) if not value]
        if missing:
            raise InputError(f"manque : {', '.join(missing)} (ce qui a été décidé, et par qui)", field=missing[0])
        try:
            new = Decision(
                date=date or case.meeting.date, decided=decided, by=by, funders=list(funders or []), result=result
            )
        except ValueError as err:  # pydantic: a text too short
            raise InputError(f"décision incomplète : {err.errors()[0]['msg']}", file=name) from None  # type: ignore[attr-defined]
    unknown = unknown_funders(new, catalog)
    if unknown:
        raise InputError(
            f"financeur inconnu : {', '.join(unknown)} ; connus : {', '.join(sorted(catalog.funders))}",
            field="funders",
        )
    body = _without_decision(text).rstrip("\n") + "\n"
    new_text = body + decision_block(new)
    checked = library_case_from_text(new_text, path)  # privacy and schema, as case lint reads it
    write_file(path, new_text, replace=True)
    return checked


def lint_decision(path: Path, catalog) -> list[tuple[int, str]]:
    """(line, message) for each problem of a case file's decision that the schema cannot see."""
    text = decode_text(read_bounded(path), str(path))
    doc = parse_text(text, str(path))
    data = doc.data if isinstance(doc.data, dict) else {}
    decision = data.get("decision")
    if not isinstance(decision, dict):
        return []
    problems = []
    for index, funder in enumerate(decision.get("funders") or []):
        if isinstance(funder, str) and funder not in catalog.funders:
            problems.append(
                (doc.line_of(("decision", "funders", index)) or 1, f"decision.funders : financeur inconnu « {funder} »")
            )
    return problems


@dataclass
class Closed:
    """A funder the decision tried that the rules of the check's date no longer allow."""

    funder: str
    reason: str  # "bloqué", "hors public", "plus en vigueur", "absent des règles"
    criteria: list[str] = field(default_factory=list)  # the blockers' criteria when blocked


@dataclass
class DecisionCheck:
    """A recorded decision under the rules of `as_of`: is the way out it chose still open?"""

    case: str
    quarter: str
    as_of: dt.date
    funders: list[str]
    open: list[str] = field(default_factory=list)  # tried funders still eligible or to check
    closed: list[Closed] = field(default_factory=list)

    @property
    def way_out(self) -> bool:
        """A decision naming funders is a way out; one naming none (wait, give up) is not checked."""
        return bool(self.funders)

    @property
    def still_allowed(self) -> bool:
        return self.way_out and not self.closed

    @property
    def contradicted(self) -> bool:
        return self.way_out and bool(self.closed)

    def closed_text(self, labels: Optional[dict[str, str]] = None, names: Optional[dict[str, str]] = None) -> str:
        """ "CPF bloqué : Action éligible au CPF ; AIF plus en vigueur" with the labels given."""
        labels, names = labels or {}, names or {}
        parts = []
        for c in self.closed:
            text = f"{names.get(c.funder, c.funder)} {c.reason}"
            if c.criteria:
                shown = [labels.get(f"{c.funder} · {k}", k).split(" · ", 1)[-1] for k in c.criteria]
                text += " : " + ", ".join(shown)
            parts.append(text)
        return " ; ".join(parts)


def check_decision(case: LibraryCase, evaluation) -> Optional[DecisionCheck]:
    """The case's decision against `evaluation` (the case evaluated at another date); None without one."""
    decision = case.decision
    if decision is None:
        return None
    check = DecisionCheck(case.id, case.meeting.quarter, evaluation.as_of, list(decision.funders))
    by_id = {r.funder: r for r in evaluation.results}
    for funder in decision.funders:
        result = by_id.get(funder)
        if result is None:
            check.closed.append(Closed(funder, "absent des règles"))
        elif result.status == "not_in_force":
            check.closed.append(Closed(funder, "plus en vigueur"))
        elif result.in_scope is False:
            check.closed.append(Closed(funder, f"hors public ({result.scope_label or 'public du dispositif'})"))
        elif result.status == "blocked":
            check.closed.append(Closed(funder, "bloqué", [b.criterion for b in result.scoped_blockers()]))
        else:
            check.open.append(funder)
    return check
