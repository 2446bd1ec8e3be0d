"""One intake conversation: the case built answer by answer, "retour" undoing the last step, and
after each answer one line per funder whose answer moved. Input and output are callables, so the
command line, a script (one answer per line) and the tests run the same conversation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Optional

from ..case import CaseInput, case_from_data
from ..errors import InputError
from ..french import fact_value_fr, short_name
from ..library.privacy import find_in_text
from .answers import BACK_WORDS, END_WORDS, SKIP_WORDS, AnswerError, allowed, parse_answer, plain
from .model import Question
from .rank import answer_of, next_questions, with_fact


class Interview:
    """The facts gathered so far (as case data), the facts left unknown, and the steps to undo."""

    def __init__(self, engine, data: Optional[dict] = None, as_of: Optional[dt.date] = None):
        self.engine, self.as_of = engine, as_of
        self.data: dict = dict(data or {})
        case_from_data(self.data)  # refused now, not after the questions
        self.skipped: list[str] = []
        self._undo: list[tuple[dict, list[str]]] = []

    @property
    def case(self) -> CaseInput:
        return case_from_data(self.data)

    def next(self) -> Optional[Question]:
        found = next_questions(self.engine, self.case, self.as_of, limit=1, skip=self.skipped).questions
        return found[0] if found else None

    def answer(self, path: str, value: Any) -> list[str]:
        """Set one fact; the lines of what changed. InputError (nothing changed) when the case refuses it."""
        if isinstance(value, str):
            for kind, _excerpt in find_in_text(value):
                raise InputError(f"{kind} : les cas ne gardent aucune donnée personnelle", field=path)
        data = with_fact(self.data, path, value)
        new_case = case_from_data(data)
        before = self._outcome()
        self._undo.append((self.data, list(self.skipped)))
        self.data = data
        return changes(self.engine, before, self.engine.outcome(new_case, self.as_of) if self._dated() else None)

    def skip(self, path: str) -> None:
        self._undo.append((self.data, list(self.skipped)))
        self.skipped.append(path)

    def back(self) -> bool:
        if not self._undo:
            return False
        self.data, self.skipped = self._undo.pop()
        return True

    def _dated(self) -> bool:
        return bool(self.as_of or self.data.get("date_demande"))

    def _outcome(self):
        return self.engine.outcome(self.case, self.as_of) if self._dated() else None


def changes(engine, before, after) -> list[str]:
    """ "AIF : hors public", "CIF : bloqué, ancienneté salariée = 15 ; requis : 24 mois" — one line per
    funder whose status or public moved (none: nothing moved)."""
    if after is None:
        return []
    if before is None:
        return ["Date connue : les règles de cette date s'appliquent."]
    previous = {f.funder: answer_of(f) for f in before.funders}
    lines = []
    for f in after.funders:
        if answer_of(f) == previous.get(f.funder):
            continue
        name = short_name(engine.catalog.funders[f.funder].name)
        if f.in_scope is False:
            lines.append(f"{name} : hors public")
        elif f.status == "blocked":
            result = after.explained().result(f.funder)
            blockers = result.scoped_blockers()
            detail = ""
            if blockers:
                seen = ", ".join(fact_value_fr(k, v) for k, v in blockers[0].observed.items())
                required = f" ; requis : {blockers[0].required}"
                detail = f", {seen}{required}" if seen else required
            lines.append(f"{name} : bloqué{detail}")
        elif f.status == "eligible":
            lines.append(f"{name} : éligible")
        elif f.status == "not_in_force":
            lines.append(f"{name} : pas en vigueur")
        elif f.in_scope is True:
            lines.append(f"{name} : dans son public, à vérifier")
        else:
            lines.append(f"{name} : à vérifier")
    return lines


def run(
    interview: Interview,
    read: Callable[[], Optional[str]],
    write: Callable[[str], None],
    echo: bool = False,
    names: Optional[Callable[[list[str]], str]] = None,
) -> int:
    """Ask until nothing left can change an answer, or "fin" (or the end of the input); Ctrl-C is
    left to the caller (KeyboardInterrupt: the caller writes nothing). `read`
    returns one line, None at the end; `echo` writes each answer back (input that is not a terminal,
    so a transcript reads as a conversation). Returns the number of questions answered or skipped."""
    count = 0
    while True:
        question = interview.next()
        if question is None:
            write("\nPlus aucune question ne peut changer une réponse.")
            return count
        write("")
        write(_ask(question, count + 1, names))
        while True:
            line = read()
            if line is None:
                write("(fin des réponses)")
                return count
            if echo:
                write(f"> {line}")
            said = plain(line)
            if said in END_WORDS:
                return count
            if said in BACK_WORDS:
                if interview.back():
                    count -= 1
                    write("  Retour à la question précédente.")
                else:
                    write("  Rien à reprendre : c'est la première question.")
                    continue
                break
            if said in SKIP_WORDS:
                interview.skip(question.fact)
                count += 1
                write("  Laissé inconnu.")
                break
            try:
                value = parse_answer(question, line)
                lines = interview.answer(question.fact, value)
            except (AnswerError, InputError) as error:
                reason = error.reason if isinstance(error, InputError) else str(error)
                write(f"  Réponse refusée : {reason}. Réponses possibles : {allowed(question)}.")
                continue
            count += 1
            if not lines:
                who = f" : {names(question.funders)}" if names and question.funders else ""
                lines = [f"Statuts inchangés{who} (d'autres faits restent à recueillir)."]
            for text in lines:
                write("  " + text)
            break


def _ask(question: Question, number: int, names: Optional[Callable[[list[str]], str]]) -> str:
    lines = [f"{number}. {question.question}"]
    if question.type == "bool":
        lines[0] += " (oui / non)"
    elif question.type == "date":
        lines[0] += " (JJ/MM/AAAA)"
    elif question.type in ("int", "number") and question.unit:
        lines[0] += f" (en {question.unit})"
    if question.type == "enum":
        lines += [f"   {i}. {c.label}" for i, c in enumerate(question.choices, 1)]
    if question.funders and names is not None:
        lines.append(f"   (peut trancher : {names(question.funders)})")
    return "\n".join(lines)


def case_text(interview: Interview) -> str:
    """The case file of the facts gathered (YAML), checked for personal data and read back."""
    import yaml

    from ..library.privacy import lint_text
    from ..source import parse_text

    facts = interview.case.model_dump(exclude_none=True)  # dates written as YAML dates, unquoted
    facts = {k: v for k, v in facts.items() if v != {}}
    text = "# Cas recueilli par « fundrules interview » : faits seulement, à relire avant usage.\n" + yaml.safe_dump(
        facts, allow_unicode=True, sort_keys=False, width=100
    )
    findings = lint_text(text, "cas recueilli")
    if findings:
        raise InputError(f"{findings[0].kind} dans le cas : rien n'a été écrit", line=findings[0].line)
    case_from_data(parse_text(text, "cas recueilli").data)  # what is written reads back as the same case
    return text
