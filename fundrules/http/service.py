"""The work behind the routes, run in a worker thread: parse, validate, evaluate, serialise.

Nothing here knows about routing; the routers (`routes/`) call it, the application holds one per Engine.
"""

from __future__ import annotations

import datetime as dt
import inspect
import json
from collections.abc import Iterator
from typing import Any, Optional

from fastapi.responses import Response
from pydantic import BaseModel

from ..errors import EvaluationError, InputError
from ..results import Evaluation
from . import body as bodies

STREAM_PART = 64 * 1024  # bytes of a streamed batch answer per write (a worker thread computes each)


def query_day(text: Optional[str], field: str = "as_of") -> Optional[dt.date]:
    """A query date, AAAA-MM-JJ only (Python would also take 20180312), refused like the CLI's --as-of."""
    if text is None or text == "":
        return None
    try:
        if len(text) != 10:
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"date attendue au format AAAA-MM-JJ, reçu « {text[:40]} »", field=field) from None


def json_response(data: Any) -> Response:
    return Response(json.dumps(data, ensure_ascii=False, default=_plain), media_type="application/json")


def answer_json(answer: BaseModel) -> bytes:
    """An answer's JSON as the response sends it, bytes: `model_dump_json()` is the serializer's
    bytes decoded to a str, which the response would encode again (tens of KB per evaluation). The
    same bytes (pydantic's own `model_dump_json` does exactly this, then decodes); an Evaluation
    joins its results' kept JSON (`Evaluation.json_bytes`); a model class that writes its own JSON
    keeps it."""
    if isinstance(answer, Evaluation):
        return answer.json_bytes()
    model = type(answer)
    if model.model_dump_json is BaseModel.model_dump_json:
        return model.__pydantic_serializer__.to_json(answer)
    return answer.model_dump_json().encode()


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


class Service:
    """The work of each route, run in a worker thread: parse, validate, evaluate, serialise."""

    def __init__(self, engine, max_batch: int):
        self.engine, self.max_batch = engine, max_batch
        try:
            self.explains = "explain" in inspect.signature(engine.evaluate).parameters
        except (TypeError, ValueError):
            self.explains = False

    @staticmethod
    def _case(raw: bytes):
        """The one case of a request body: strict JSON, validated, a refusal located by its line."""
        data, text = bodies.parse_json(raw)
        return bodies.case_from_body(data, text)

    @staticmethod
    def _engine_call(call, field: Optional[str] = None):
        """The engine's answer; its refusal (no date to evaluate at) located in the body."""
        try:
            return call()
        except EvaluationError as err:
            raise bodies.cannot_evaluate(err, field) from None

    def _evaluate(self, case, day, explain: bool, field: Optional[str] = None):
        if explain:
            return self._engine_call(lambda: self.engine.evaluate(case, day, explain=True), field)
        return self._engine_call(lambda: self.engine.evaluate(case, day), field)

    def check_explain(self, explain: bool) -> None:
        if explain and not self.explains:
            raise InputError(
                "l'explication détaillée n'est pas disponible dans cette version de fundrules", field="explain"
            )

    def evaluate(self, raw: bytes, day, explain: bool) -> bytes:
        return answer_json(self._evaluate(self._case(raw), day, explain))

    def questions(self, raw: bytes, day, limit: Optional[int], skip: list[str]) -> bytes:
        """The guided intake's questions for a partial case (fundrules.intake), most decisive first."""
        from ..intake import next_questions

        case = self._case(raw)
        return answer_json(self._engine_call(lambda: next_questions(self.engine, case, day, limit, skip)))

    def plan(self, raw: bytes, day) -> bytes:
        case = self._case(raw)
        return answer_json(self._engine_call(lambda: self.engine.plan(case, as_of=day)))

    def batch(self, raw: bytes, day, explain: bool) -> Iterator[bytes]:
        """The batch's cases validated, each checked to have a date, before anything is answered; then
        the answer streamed in parts of about STREAM_PART bytes, evaluated as the client reads them: a
        batch of 1,000 cases with `explain` is 130 MB of JSON, never held whole."""
        data, text = bodies.parse_json(raw)
        cases = bodies.cases_from_batch(data, text, self.max_batch)
        if day is None:
            for index, case in enumerate(cases):
                if case.date_demande is None:  # the engine's one refusal, said before the answer starts
                    self._engine_call(lambda c=case: self.engine.evaluate(c, None), f"cases[{index}]")
        return self._batch_parts(cases, day, explain)

    def _batch_parts(self, cases, day, explain: bool) -> Iterator[bytes]:
        part = bytearray(b'{"evaluations":[')
        for index, case in enumerate(cases):
            if index:
                part += b","
            part += answer_json(self._evaluate(case, day, explain, f"cases[{index}]"))
            if len(part) >= STREAM_PART:
                yield bytes(part)
                part.clear()
        part += b"]}"
        yield bytes(part)
