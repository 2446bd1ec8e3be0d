"""The interview's state as it travels in the page's form: the facts gathered, the facts left
unknown ("je ne sais pas") and the steps to undo ("retour"). Nothing about the person is kept on
the server between two requests: each form carries this state, and each request reads it back
through the same strict checks as a case file (the case model, the fact vocabulary, bounds).

The state is plain JSON, not signed: it holds nothing the counsellor could not type or upload as
a case file, and everything in it is validated again before use."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Optional

from ..case import CaseInput, case_facts, case_from_data
from ..errors import InputError
from ..facts import FACTS
from ..library.privacy import find_in_text

MAX_STATE_CHARS = 100_000  # a whole case with every fact and its history is far below
MAX_STEPS = 400  # more answers than the vocabulary has facts, with room for corrections
ANSWERED, SKIPPED = "a", "s"
_ABSENT = {"absent": True}  # a fact that had no value before an answer


def _get(data: dict, path: str) -> Any:
    if "." in path:
        section, name = path.split(".", 1)
        return data.get(section, {}).get(name, _ABSENT)
    return data.get(path, _ABSENT)


def _set(data: dict, path: str, value: Any) -> dict:
    """A copy of `data` with `path` set (or removed when `value` is _ABSENT); empty sections dropped."""
    copy = {k: (dict(v) if isinstance(v, dict) else v) for k, v in data.items()}
    if "." in path:
        section, name = path.split(".", 1)
        inner = copy.setdefault(section, {})
        if value == _ABSENT:
            inner.pop(name, None)
        else:
            inner[name] = value
        if not inner:
            copy.pop(section)
    elif value == _ABSENT:
        copy.pop(path, None)
    else:
        copy[path] = value
    return copy


def plain_data(case: CaseInput) -> dict:
    """The case's known facts as JSON-ready data (dates AAAA-MM-JJ), empty sections left out."""
    dumped = case.model_dump(mode="json", exclude_none=True)
    return {k: v for k, v in dumped.items() if v != {}}


@dataclass
class State:
    """What the page's hidden field carries. `steps`: each answer or "je ne sais pas", last last,
    with the value the fact had before, so that "retour" undoes exactly one step."""

    data: dict = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    steps: list[list[Any]] = field(default_factory=list)

    @property
    def case(self) -> CaseInput:
        return case_from_data(self.data)

    def answered(self, path: str, case: CaseInput) -> State:
        """The state after `path` was answered; `case`: the case with the answer, already validated."""
        step = [ANSWERED, path, _get(self.data, path)]
        return State(plain_data(case), list(self.skipped), [*self.steps, step][-MAX_STEPS:])

    def skip(self, path: str) -> State:
        return State(dict(self.data), [*self.skipped, path], [*self.steps, [SKIPPED, path]][-MAX_STEPS:])

    def back(self) -> Optional[State]:
        """The state before the last step; None when there is nothing to undo."""
        if not self.steps:
            return None
        last, steps = self.steps[-1], self.steps[:-1]
        if last[0] == SKIPPED:
            skipped = list(self.skipped)
            if last[1] in skipped:
                skipped.reverse()
                skipped.remove(last[1])
                skipped.reverse()
            return State(dict(self.data), skipped, steps)
        return State(_set(self.data, last[1], last[2]), list(self.skipped), steps)

    def encode(self) -> str:
        return json.dumps(
            {"data": self.data, "skipped": self.skipped, "steps": self.steps},
            ensure_ascii=False,
            separators=(",", ":"),
        )


def _refuse(reason: str) -> InputError:
    return InputError(
        f"état du formulaire illisible ({reason}) : recommencez ou chargez le fichier du cas", field="etat"
    )


def decode(text: Optional[str]) -> State:
    """The state a form sent back, checked as strictly as a case file; empty: a new interview."""
    if not text:
        return State()
    if len(text) > MAX_STATE_CHARS:
        raise _refuse(f"plus de {MAX_STATE_CHARS} caractères")
    try:
        raw = json.loads(text, parse_constant=lambda token: None)
    except (ValueError, RecursionError):
        raise _refuse("JSON invalide") from None
    if not isinstance(raw, dict) or set(raw) != {"data", "skipped", "steps"}:
        raise _refuse("champs attendus : data, skipped, steps")
    data, skipped, steps = raw["data"], raw["skipped"], raw["steps"]
    if not isinstance(data, dict) or not isinstance(skipped, list) or not isinstance(steps, list):
        raise _refuse("types inattendus")
    if len(skipped) > MAX_STEPS or len(steps) > MAX_STEPS:
        raise _refuse(f"au plus {MAX_STEPS} étapes")
    if not all(isinstance(p, str) and p in FACTS for p in skipped):
        raise _refuse("fait inconnu parmi les réponses « je ne sais pas »")
    for step in steps:
        if not (
            isinstance(step, list)
            and len(step) == {SKIPPED: 2, ANSWERED: 3}.get(str(step[0]) if step else "", 0)
            and isinstance(step[1], str)
            and step[1] in FACTS
        ):
            raise _refuse("étape invalide")
        if step[0] == ANSWERED and step[2] != _ABSENT:
            case_from_data(_set({}, step[1], step[2]))  # a previous value is a valid value of its fact
    case = case_from_data(data)  # the same checks (and French messages) as a case file
    for path, value in case_facts(case).items():  # and the same refusal of personal data
        if isinstance(value, str):
            for kind, _excerpt in find_in_text(value):
                raise InputError(f"{kind} : les cas ne gardent aucune donnée personnelle", field=path)
    return State(plain_data(case), list(skipped), [list(s) for s in steps])
