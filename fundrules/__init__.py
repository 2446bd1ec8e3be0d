"""fundrules: which funders can pay for a training project, and what blocks the others.

from fundrules import Engine, load_case
evaluation = Engine().evaluate(load_case("cas.yaml"))

The names below are imported on first use (PEP 562): `fundrules check` starts without loading the
plan, report or HTTP models it does not use, and `import fundrules.errors` costs nothing more.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .lazy import lazy_exports

__version__ = "0.2.0.dev0"  # the one source of the version: pyproject.toml and provenance read it

_EXPORTS = {  # public name -> module that defines it
    "Engine": ".engine",
    "evaluate": ".engine.core",
    "load_case": ".case_file",
    "load_catalog": ".rulesets",
    "CaseInput": ".case",
    "Beneficiaire": ".case",
    "Projet": ".case",
    "Evaluation": ".results",
    "FunderResult": ".results",
    "Blocker": ".results",
    "PendingCheck": ".results",
    "RouteResult": ".results",
    "SourceRef": ".results",
    "DerivedValue": ".results",
    "Provenance": ".results",
    "TraceEntry": ".results",
    "TraceRead": ".results",
    "FrozenDict": ".results",
    "Plan": ".plan.model",
    "FundingPlan": ".plan.model",
    "PlanStep": ".plan.model",
    "Exclusion": ".plan.model",
    "Unlock": ".plan.model",
    "SCHEMA_VERSION": ".results",
    "FundrulesError": ".errors",
    "InputError": ".errors",
    "EvaluationError": ".errors",
    "BackendError": ".errors",
}

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
    "FrozenDict",
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

if TYPE_CHECKING:
    from .case import Beneficiaire, CaseInput, Projet
    from .case_file import load_case
    from .engine import Engine
    from .engine.core import evaluate
    from .errors import BackendError, EvaluationError, FundrulesError, InputError
    from .plan.model import Exclusion, FundingPlan, Plan, PlanStep, Unlock
    from .results import (
        SCHEMA_VERSION,
        Blocker,
        DerivedValue,
        Evaluation,
        FrozenDict,
        FunderResult,
        PendingCheck,
        Provenance,
        RouteResult,
        SourceRef,
        TraceEntry,
        TraceRead,
    )
    from .rulesets import load_catalog


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals(), __all__)
