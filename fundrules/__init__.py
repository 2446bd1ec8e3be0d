"""fundrules: which funders can pay for a training project, and what blocks the others.

    from fundrules import Engine, load_case
    evaluation = Engine().evaluate(load_case("cas.yaml"))
"""

from .case import Beneficiaire, CaseInput, Projet, load_case
from .engine import Engine
from .engine.core import evaluate
from .errors import BackendError, EvaluationError, FundrulesError, InputError
from .results import Blocker, Evaluation, FunderResult
from .rulesets import load_catalog

__version__ = "0.1.0"

__all__ = ["Engine", "evaluate", "load_case", "load_catalog", "CaseInput", "Beneficiaire", "Projet",
           "Evaluation", "FunderResult", "Blocker", "FundrulesError", "InputError", "EvaluationError",
           "BackendError", "__version__"]
