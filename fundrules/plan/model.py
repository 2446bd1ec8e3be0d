"""The funding plan returned to counsellors and applications (JSON output of `fundrules plan`)."""

from __future__ import annotations

import datetime as dt
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class PlanStep(_Out):
    order: int
    funder: str
    funder_name: str
    status: str = Field(description="eligible, or a_verifier when facts are still to collect")
    amount: Optional[float] = Field(description="euros covered; null when the funder decides the amount")
    amount_hours: Optional[float] = None
    holder_share: Optional[float] = Field(None, description="euros left to the account holder (CPF flat participation)")
    complement: bool = False
    decided_by: str
    next_step: Optional[str] = None


class IncomeEntry(_Out):
    """One link of the person's income over the course (issue 14), or `aucune` when nothing applies."""
    id: str = Field(description="income scheme id (aref, cff, rff, rfpe...) or aucune")
    name: str
    status: str = Field(description="eligible, a_verifier, or aucune")
    payer: Optional[str] = Field(None, description="who pays the person")
    decided_by: Optional[str] = Field(None, description="who must be asked")
    start: Optional[dt.date] = Field(None, description="from (start of the course, or end of ARE rights + 1 day)")
    end: Optional[dt.date] = Field(None, description="to (end of the course, or end of ARE rights)")
    monthly: Optional[float] = Field(None, description="euros per month when the rules fix it; null: see rule")
    daily: Optional[float] = Field(None, description="euros per day for ARE-based income (floor applied)")
    rule: Optional[str] = Field(None, description="French statement of the amount rule")
    route: Optional[str] = Field(None, description="scale line applied (age bracket, salary band...)")
    verified: bool = True
    next_step: Optional[str] = None
    reason: Optional[str] = Field(None, description="aucune: why nothing applies")
    would_open: list[str] = Field([], description="aucune: what would open an income")
    to_check: list[str] = Field([], description="aucune: income schemes still to check (facts missing)")


class FundingPlan(_Out):
    steps: list[PlanStep]
    cost: Optional[float]
    covered: float = Field(description="sum of the known amounts")
    holder_pays: float = Field(description="sum of the known holder shares")
    remaining: Optional[float] = Field(description="cost - covered - holder_pays; null when the cost is unknown")
    covers_cost: Optional[bool] = Field(description="true when known amounts cover the cost, null when it depends "
                                                    "on amounts decided by a funder")
    income: list[IncomeEntry] = Field([], description="the person's income over the course with this plan")


class Exclusion(_Out):
    funder: str
    rule: str
    message: str


class Unlock(_Out):
    funder: str
    criterion: Optional[str]
    what: str


class Plan(_Out):
    as_of: dt.date
    ruleset_version: Optional[str]
    plans: list[FundingPlan]
    excluded: list[Exclusion] = []
    impasse: bool
    unlock: list[Unlock] = []
    message: Optional[str] = None
    income: list[IncomeEntry] = Field([], description="the person's income over the course, whatever the plan")
