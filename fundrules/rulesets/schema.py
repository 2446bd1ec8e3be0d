"""Shape of ruleset files (pydantic), documented in rulesets/README.md.

Only the shape is checked here; meaning (periods, conditions, references) is checked by the
loader, which knows the file and line of each field.

No `from __future__ import annotations` here: pydantic then reads the annotations as objects
instead of evaluating strings (a third less time to import this module, on every start).
"""

import datetime as dt
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr, field_validator

from ..facts import OPERATORS

_FORBID = ConfigDict(extra="forbid", defer_build=True)


class SourceFile(BaseModel):
    model_config = _FORBID
    id: StrictStr = Field(pattern=r"^[a-z0-9_\-]+$")
    title: StrictStr = Field(min_length=3)
    url: Optional[StrictStr] = None
    article: Optional[StrictStr] = None


class ParameterValueFile(BaseModel):
    model_config = _FORBID
    value: Any
    source: StrictStr
    note: Optional[StrictStr] = None
    verified: StrictBool = True  # false: only a secondary page gives this value (amount shown "à confirmer")


class RevaluationFile(BaseModel):
    """The law revalues this amount on a schedule: past a revaluation day with no value dated on or
    after it, the amount is shown "à confirmer" (documented in rulesets/README.md)."""

    model_config = _FORBID
    rule: StrictStr = Field(pattern=r"^yearly on (0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")  # "yearly on MM-DD"
    since: dt.date  # first revaluation day under this rule
    until: Optional[dt.date] = None  # last revaluation day under it, when the rule ended
    source: StrictStr  # id of the source that states the rule of revaluation
    note: Optional[StrictStr] = None


class ParameterFile(BaseModel):
    model_config = _FORBID
    description: StrictStr
    unit: Optional[StrictStr] = None
    revalued: Optional[RevaluationFile] = None
    values: dict[dt.date, ParameterValueFile] = Field(min_length=1)


class CriterionFile(BaseModel):
    model_config = _FORBID
    id: StrictStr = Field(pattern=r"^[a-z0-9_]+$")
    label: Optional[StrictStr] = None
    condition: StrictStr
    message: StrictStr = Field(min_length=5)
    required: Optional[StrictStr] = None
    next_step: Optional[StrictStr] = None
    sources: list[StrictStr]
    verified: StrictBool
    gate: StrictBool = False
    blocking: StrictBool = True
    unlock: Optional[StrictStr] = None  # the agreement or fact that would lift this blocker
    valid_from: Optional[dt.date] = None
    valid_to: Optional[dt.date] = None
    note: Optional[StrictStr] = None


class RouteFile(BaseModel):
    model_config = _FORBID
    id: StrictStr = Field(pattern=r"^[a-z0-9_]+$")
    label: StrictStr
    criteria: list[CriterionFile]


class HolderShareFile(BaseModel):
    model_config = _FORBID
    parameter: StrictStr
    unless: StrictStr  # id of a (non-blocking) criterion that exempts the holder when it holds


class VersionFile(BaseModel):
    model_config = _FORBID
    version: StrictStr
    valid_from: dt.date
    valid_to: Optional[dt.date] = None
    valid_from_verified: StrictBool = True  # false: no source confirms this first day (shown "à confirmer")
    valid_to_verified: StrictBool = True  # false: no source confirms this last day
    dates_note: Optional[StrictStr] = None  # why a date is unverified
    summary: Optional[StrictStr] = None
    decided_by: Optional[StrictStr] = None
    advice: Optional[StrictStr] = None
    orientation_step: Optional[StrictStr] = None  # overrides the funder's, when its wording is dated
    name: Optional[StrictStr] = None  # the scheme's name during this version (overrides the funder's)
    payer: Optional[StrictStr] = None  # who pays the person during this version (kind: income only)
    amount: Optional[StrictStr] = None  # euros this funder can cover, when the rules say
    amount_hours: Optional[StrictStr] = None  # hours it can cover (CPF before 2019)
    holder_share: Optional[HolderShareFile] = None
    sources: list[SourceFile] = Field(min_length=1)
    parameters: dict[StrictStr, ParameterFile] = Field(default_factory=dict)
    criteria: list[CriterionFile] = Field(default_factory=list)
    routes: list[RouteFile] = Field(default_factory=list)

    @field_validator("valid_from", "valid_to", mode="before")
    @classmethod
    def _plain_date(cls, value: Any) -> Any:
        if isinstance(value, dt.datetime):
            raise ValueError("date attendue (AAAA-MM-JJ), pas une date avec heure")
        return value


class IncomeFile(BaseModel):
    """How an income scheme (`kind: income`) sits in the person's income over the course."""

    model_config = _FORBID
    payer: StrictStr  # who pays the person (may differ from who decides: the employer for the PTP)
    period: Literal["course", "until_rights_end", "after_rights_end"] = "course"
    rank: int = 100  # order in the chain; among `after_rights_end` schemes only the first applies
    paired_with: list[StrictStr] = []  # course funders this pay goes with (PTP pay with the CPF de transition)
    are_based: bool = False  # the amount is the person's daily ARE (beneficiaire.are_journaliere)


class FunderFile(BaseModel):
    model_config = _FORBID
    id: StrictStr = Field(pattern=r"^[a-z0-9_]+$")
    name: StrictStr
    category: Literal["droit_commun", "specifique"]  # common-law funder or one for a specific public
    kind: Literal["course", "income"]  # pays the course, or pays the person during it
    decided_by: StrictStr
    mobilised_by: list[Literal[OPERATORS]]  # type: ignore[valid-type]
    orientation_step: Optional[StrictStr] = None
    in_force_from: Optional[dt.date] = None
    before_start: Optional[StrictStr] = None
    replaced_by: Optional[StrictStr] = None
    successor: Optional[StrictStr] = None  # id of the funder that replaced this one (routes map by id)
    description: Optional[StrictStr] = None
    variant_by: Optional[StrictStr] = None
    reviewed_on: Optional[dt.date] = None  # last day the rules were checked against their sources
    review_every_months: Optional[StrictInt] = Field(None, ge=1, le=120)  # how often they must be checked again
    review_with: Optional[StrictStr] = None  # whom to ask today when the rules may have changed
    scope: list[StrictStr] = []  # ids of the criteria that say whom the scheme is for ("hors public")
    scope_label: Optional[StrictStr] = None  # that public in a few French words ("demandeurs d'emploi")
    income: Optional[IncomeFile] = None  # only for kind: income


class VariantFile(BaseModel):
    model_config = _FORBID
    id: StrictStr = Field(pattern=r"^[A-Za-z0-9_\-]+$")
    name: StrictStr
    illustrative: StrictBool
    decided_by: Optional[StrictStr] = None
    note: Optional[StrictStr] = None
    reviewed_on: Optional[dt.date] = None
    review_every_months: Optional[StrictInt] = Field(None, ge=1, le=120)
    review_with: Optional[StrictStr] = None
    scope: Optional[list[StrictStr]] = None  # replaces the funder's scope for this variant
    scope_label: Optional[StrictStr] = None


class PlanRuleEffect(BaseModel):
    model_config = _FORBID
    exclude: StrictStr  # funder removed from the plan when the rule's condition is false


class PlanRuleFile(BaseModel):
    model_config = _FORBID
    id: StrictStr = Field(pattern=r"^[a-z0-9_]+$")
    condition: StrictStr
    effect: PlanRuleEffect
    message: StrictStr = Field(min_length=5)
    sources: list[StrictStr]
    verified: StrictBool


class UnlockIfFile(BaseModel):
    """An unlock offered only when it is an action the counsellor can take for this person."""

    model_config = _FORBID
    funder: StrictStr
    criterion: StrictStr
    condition: StrictStr  # over the case's facts; the unlock is offered only when it is true


class PlanVersionFile(BaseModel):
    model_config = _FORBID
    version: StrictStr
    valid_from: dt.date
    valid_to: Optional[dt.date] = None
    summary: Optional[StrictStr] = None
    sources: list[SourceFile] = Field(min_length=1)
    order: list[StrictStr] = Field(min_length=1)
    complements: list[StrictStr] = []  # funders that only cover what the others leave
    rules: list[PlanRuleFile] = []
    unlock_only_if: list[UnlockIfFile] = []
