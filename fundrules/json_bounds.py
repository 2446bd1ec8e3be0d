"""JSON Schema words for the bounds of a number fact.

A number fact accepts an integer or a decimal (`float | int`, fundrules/case.py `NumberFact`): for
such a union, pydantic writes the field's bounds as `ge` / `le`, words JSON Schema does not know, so
a generated client or a validator would see no bound at all. The case models (generated static and
run-time reference) name this hook in their configuration; it renames those words to `minimum` /
`maximum` (`exclusiveMinimum` / `exclusiveMaximum` for `gt` / `lt`).
"""

from __future__ import annotations

from typing import Any

_WORDS = (("ge", "minimum"), ("le", "maximum"), ("gt", "exclusiveMinimum"), ("lt", "exclusiveMaximum"))


def standard_bounds(schema: dict[str, Any]) -> None:
    """Rename pydantic's bound words to JSON Schema's in each property of a model's schema."""
    for prop in schema.get("properties", {}).values():
        for node in (prop, *prop.get("anyOf", ())):
            for pydantic_word, json_word in _WORDS:
                if pydantic_word in node:
                    node[json_word] = node.pop(pydantic_word)
