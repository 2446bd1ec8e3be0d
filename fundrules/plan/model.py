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
    in_scope: Optional[bool] = Field(None, description="null: whether the person is in the scheme's public is to check")
    scope_label: Optional[str] = None
    decided_by: str
    next_step: Optional[str] = None


class FundingPlan(_Out):
    steps: list[PlanStep]
    cost: Optional[float]
    covered: float = Field(description="sum of the known amounts")
    holder_pays: float = Field(description="sum of the known holder shares")
    remaining: Optional[float] = Field(description="cost - covered - holder_pays; null when the cost is unknown")
    covers_cost: Optional[bool] = Field(description="true when known amounts cover the cost, null when it depends "
                                                    "on amounts decided by a funder")


class Exclusion(_Out):
    funder: str
    funder_name: Optional[str] = None
    rule: str
    message: str


class Unlock(_Out):
    funder: str
    funder_name: Optional[str] = None
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
