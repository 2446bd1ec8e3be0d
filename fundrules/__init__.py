"""fundrules: which funders can pay for a training project, and what blocks the others.

from fundrules import Engine, load_case
evaluation = Engine().evaluate(load_case("cas.yaml"))
"""

from .case import Beneficiaire, CaseInput, Projet, load_case
from .engine import Engine
from .engine.core import evaluate
from .errors import BackendError, EvaluationError, FundrulesError, InputError
from .plan.model import Exclusion, FundingPlan, Plan, PlanStep, Unlock
from .results import (
    SCHEMA_VERSION,
    Blocker,
    DerivedValue,
    Evaluation,
    FunderResult,
    PendingCheck,
    Provenance,
    RouteResult,
    SourceRef,
    TraceEntry,
    TraceRead,
)
from .rulesets import load_catalog

__version__ = "0.2.0.dev0"  # the one source of the version: pyproject.toml and provenance read it

__all__ = [
    "Engine",
    "evaluate",
    "load_case",
    "load_catalog",
    "CaseInput",
    "Beneficiaire",
    "Projet",
    "Evaluation",
    "FunderResult",
    "Blocker",
    "PendingCheck",
    "RouteResult",
    "SourceRef",
    "DerivedValue",
    "Provenance",
    "TraceEntry",
    "TraceRead",
    "Plan",
    "FundingPlan",
    "PlanStep",
    "Exclusion",
    "Unlock",
    "SCHEMA_VERSION",
    "FundrulesError",
    "InputError",
    "EvaluationError",
    "BackendError",
    "__version__",
]
