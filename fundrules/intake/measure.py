"""How many questions the intake needs on a known case: start from its triage facts only, answer
each question from the case's own facts ("je ne sais pas" when the case does not hold it), and
compare the statuses reached with those of the whole case. `python -m fundrules.intake.measure`
prints the figures over the case library."""

from __future__ import annotations

import datetime as dt
import statistics
import sys
from dataclasses import dataclass
from typing import Optional

from ..case import CaseInput, case_facts, case_from_data
from ..derived import add_derived
from .rank import TRIAGE, next_questions, with_fact


@dataclass(frozen=True)
class IntakeRun:
    facts: int  # facts the whole case holds
    asked: int  # questions until the intake had nothing left to ask
    to_same_statuses: int  # questions until the statuses were those of the whole case
    answered_to_same: int  # of those, the ones the case could answer (the others: "je ne sais pas")
    same_final_statuses: bool
    differences: dict[str, tuple[str, str]]  # funder -> (status reached, status of the whole case)


def run_intake(engine, case: CaseInput, as_of: Optional[dt.date] = None, max_questions: int = 200) -> IntakeRun:
    full_facts = case_facts(case)
    day = as_of or case.date_demande
    assert day is not None, "a case with a date"
    answers = dict(full_facts)
    add_derived(answers, day)  # a counsellor who knows the birth date knows the age
    target = engine.outcome(case, as_of).statuses()
    data: dict = {}
    for path in ("date_demande", *TRIAGE):
        if path in full_facts:
            data = with_fact(data, path, full_facts[path])
    skipped: list[str] = []
    asked, reached, answered, answered_then = 0, None, 0, 0
    while asked < max_questions:
        current = case_from_data(data)
        if reached is None and engine.outcome(current, as_of).statuses() == target:
            reached, answered_then = asked, answered
        found = next_questions(engine, current, as_of, limit=1, skip=skipped).questions
        if not found:
            break
        path = found[0].fact
        asked += 1
        if path in answers:
            answered += 1
            data = with_fact(data, path, answers[path])
        else:
            skipped.append(path)
    final = engine.outcome(case_from_data(data), as_of).statuses()
    differences = {k: (final[k], target[k]) for k in target if final[k] != target[k]}
    if reached is None:
        reached, answered_then = asked, answered
    return IntakeRun(len(full_facts), asked, reached, answered_then, not differences, differences)


def main(argv: list[str]) -> int:
    from .. import Engine
    from ..library import CaseFiles

    engine = Engine(backend="python")
    runs = []
    for library_case in CaseFiles([argv[0] if argv else "cases"]):
        run = run_intake(engine, library_case.case, library_case.meeting.date)
        runs.append(run)
        if not run.same_final_statuses:
            print(f"{library_case.path}: {run.differences}")
    reach = [r.to_same_statuses for r in runs]
    asked = [r.asked for r in runs]
    answered = [r.answered_to_same for r in runs]
    facts = [r.facts for r in runs]
    print(
        f"{len(runs)} cas ; questions jusqu'aux mêmes statuts : médiane {statistics.median(reach)}, max {max(reach)} ;"
    )
    print(f"  dont réponses connues du cas : médiane {statistics.median(answered)}, max {max(answered)} ;")
    print(f"questions jusqu'à la fin de l'entretien : médiane {statistics.median(asked)}, max {max(asked)} ;")
    print(f"faits du cas complet : médiane {statistics.median(facts)}, max {max(facts)} ;")
    print(f"statuts finaux différents : {sum(not r.same_final_statuses for r in runs)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
