"""Reading a case (or a batch of cases) from a JSON request body: the CLI's own strict parser
(`source.parse_bytes`, as for a `.json` case file: a key given twice, a number of more than 30 digits,
a lone UTF-16 surrogate, `NaN` are refused) and its own validation, with its French errors.

Lines are worked out only when a case is refused (the body is re-read with the YAML line mapper
the CLI uses for JSON files), so a valid request pays for one strict JSON reading and one validation.
"""

from __future__ import annotations

from typing import Any, Optional

from ..case import case_from_data
from ..errors import EvaluationError, InputError
from ..source import Located, parse_bytes, parse_text
from .errors import BODY, HttpError
from .limits import MAX_BATCH


def _where(message: str, line: Optional[int]) -> str:
    return f"{BODY}{'' if line is None else f', ligne {line}'} : {message}"


def parse_json(body: bytes) -> tuple[Any, str]:
    """(data, text) of a JSON body, read by the CLI's parser; what it refuses (the CLI says
    `json_syntax` or `invalid_input`, with the same message) is a 400 `invalid_json` here."""
    if not body.strip():
        raise HttpError(400, "invalid_json", _where("corps vide : un document JSON était attendu", None), file=BODY)
    try:
        located = parse_bytes(body, BODY, json_syntax=True, lines=False)
    except InputError as err:
        raise HttpError(400, "invalid_json", str(err), file=BODY, line=err.line, field=err.field) from None
    return located.data, body.decode("utf-8-sig")


def _lines(text: str) -> dict:
    try:
        return parse_text(text, BODY).lines
    except InputError:
        return {}


def case_from_body(data: Any, text: str, base: tuple = ()):
    """Validate one case; a refusal is re-raised with the line of the field in the body."""
    try:
        return case_from_data(data, Located(data=data, file=BODY), base=base)
    except InputError:
        pass
    return case_from_data(data, Located(data=data, file=BODY, lines=_lines(text)), base=base)


def _in_batch(err: InputError, index: int) -> InputError:
    prefix = f"cases[{index}]"
    field = f"{prefix}.{err.field}" if err.field else prefix
    details = [_in_batch(d, index) for d in err.details]
    return InputError(err.reason, file=err.file, line=err.line, field=field, details=details)


def cases_from_batch(data: Any, text: str, limit: int = MAX_BATCH) -> list:
    """`{"cases": [...]}` → validated cases; the first refused case names its index and field."""
    if not isinstance(data, dict) or not isinstance(data.get("cases"), list):
        raise InputError('un objet {"cases": [cas, ...]} était attendu', file=BODY, field="cases")
    extra = sorted(set(data) - {"cases"})
    if extra:
        raise InputError(f"champ inconnu « {extra[0]} » ; seul « cases » est admis", file=BODY, field=extra[0])
    items = data["cases"]
    if len(items) > limit:
        raise HttpError(
            413,
            "batch_too_large",
            _where(f"trop de cas dans le lot ({len(items)}, au plus {limit}) : envoyez plusieurs lots", None),
            file=BODY,
            field="cases",
        )
    cases = []
    for index, item in enumerate(items):
        try:
            cases.append(case_from_body(item, text, base=("cases", index)))
        except InputError as err:
            raise _in_batch(err, index) from None
    return cases


def cannot_evaluate(err: EvaluationError, prefix: Optional[str] = None) -> EvaluationError:
    """The engine's refusal (no date to evaluate at), located in the body like the CLI locates it in a
    file: its field kept (`date_demande`), after the case's place in a batch (`cases[1].date_demande`)."""
    field = ".".join(part for part in (prefix, err.field) if part) or None
    where = f"{BODY}{f' : {prefix}' if prefix else ''}"
    said = str(err).replace("avec --as-of", "avec le paramètre as_of")  # the CLI's option, the service's query
    return EvaluationError(f"{where} : {said}", field=field, file=BODY)
