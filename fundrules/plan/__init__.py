"""Funding plans: ordered combinations of funders, amounts, what remains to pay, and what would
unlock an impasse.

The names below are imported on first use (PEP 562): every Engine reads the plan rules
(`fundrules.plan.rules`), and a `fundrules check` then starts without the plan models or the planner.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "Plan": ".model",
    "FundingPlan": ".model",
    "PlanStep": ".model",
    "Unlock": ".model",
    "make_plan": ".planner",
}

__all__ = ["Plan", "FundingPlan", "PlanStep", "Unlock", "make_plan"]

if TYPE_CHECKING:
    from .model import FundingPlan, Plan, PlanStep, Unlock
    from .planner import make_plan


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'fundrules.plan' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # the next access is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
