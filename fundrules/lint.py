"""`fundrules rulesets lint`: the rules' own checks and what the engine's backends must be able to run.

Why here, above the engine and the planner: the checks compose three layers — the catalog's checks
(rulesets/lint.py: criteria that can never fail, texts), the durable-rules limits
(engine/durable_check.py) and the plan rules (plan/rules.py). The rules layer stays below the engine
(it imports neither the engine nor a backend, .importlinter checks it); this module is their one
consumer, for the CLI command (and any other interface that lints).
"""

from __future__ import annotations

from pathlib import Path

from .engine.durable_check import check_catalog
from .plan.rules import load_plan_rules
from .rulesets.catalog import Catalog
from .rulesets.lint import lint_criteria
from .rulesets.problems import LintProblem


def lint_catalog(catalog: Catalog) -> list[LintProblem]:
    """Problems found; raises InputError (file, line) for what durable-rules could not run, even
    when the python backend is used (a ruleset must run on both)."""
    check_catalog(catalog, load_plan_rules(Path(catalog.directory), catalog))
    return lint_criteria(catalog)
