"""Funding plans: ordered combinations of funders, amounts, what remains to pay, and what would
unlock an impasse."""

from .model import FundingPlan, Plan, PlanStep, Unlock
from .planner import make_plan

__all__ = ["Plan", "FundingPlan", "PlanStep", "Unlock", "make_plan"]
