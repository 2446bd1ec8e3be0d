"""JSON Schemas of the contract: the case in, the evaluation and the plan out (`fundrules schema`)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from .case import CaseInput
from .plan.model import Plan
from .results import SCHEMA_VERSION, Evaluation

SCHEMAS: dict[str, type[BaseModel]] = {"case": CaseInput, "evaluation": Evaluation, "plan": Plan}


def json_schema(name: str) -> dict[str, Any]:
    """The JSON Schema of `name` (case, evaluation or plan), tagged with the contract version."""
    model = SCHEMAS[name]
    schema = model.model_json_schema()
    if name != "case":
        schema["x-schema-version"] = SCHEMA_VERSION
    return schema
