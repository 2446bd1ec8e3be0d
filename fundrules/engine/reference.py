"""The plain-Python reference backend: evaluates compiled criteria directly in Kleene logic.

It defines the meaning the durable-rules backend must reproduce, and is used when
durable-rules cannot be imported.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Optional

from ..rulesets.catalog import ActiveRules


class PythonBackend:
    name = "python"

    def run(self, actives: Sequence[ActiveRules], facts: Mapping[str, Any]) -> dict[str, dict[str, Optional[bool]]]:
        """{funder id: {criterion key: False or None}} for criteria that do not hold."""
        results: dict[str, dict[str, Optional[bool]]] = {}
        for active in actives:
            params = active.param_values()
            failed: dict[str, Optional[bool]] = {}
            for criterion in active.criteria:
                value = criterion.evaluator(facts, params)
                if value is not True:
                    failed[criterion.key] = value
            results[active.funder.id] = failed
        return results
