"""Funding plans: ordered combinations of funders, amounts, what remains to pay, and what would
unlock an impasse.

The names below are imported on first use (PEP 562): every Engine reads the plan rules
(`fundrules.plan.rules`), and a `fundrules check` then starts without the plan models or the planner.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy import lazy_exports

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


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals(), __all__)
