"""Engine: evaluates a case as of a date against every funder's rules in force on that date."""

from __future__ import annotations

import datetime as dt
import logging
import multiprocessing
import threading
from pathlib import Path
from typing import Any, Optional, Union

from pydantic import BaseModel

from ..case import CaseInput, case_facts, case_from_data
from ..derived import add_derived
from ..errors import EvaluationError, InputError
from ..results import DerivedValue, Evaluation
from ..rulesets.catalog import Catalog
from ..rulesets.loader import load_catalog
from . import durable_backend
from .outcome import build_result, not_in_force, variant_missing
from .reference import PythonBackend

log = logging.getLogger("fundrules")
BACKENDS = ("durable", "python")
_warned = threading.Event()


def _make_backend(name: str):
    if name == "python":
        return PythonBackend()
    if name == "durable":
        if not durable_backend.available():
            if not _warned.is_set():  # said once per process, at INFO: stderr stays for errors;
                _warned.set()  # Engine.backend and the output's provenance say which backend ran
                log.info("durable-rules ne s'importe pas ici (%s) : le moteur de référence Python est utilisé.",
                         durable_backend.IMPORT_ERROR)
            return PythonBackend()
        return durable_backend.DurableBackend()
    raise InputError(f"moteur inconnu « {name} » ; possibles : {', '.join(BACKENDS)}", field="engine")


class Engine:
    """Evaluate cases against a catalog of rulesets.

    `Engine()` loads the bundled rulesets and uses durable-rules; `Engine(backend="python")`
    uses the reference evaluator. One Engine may be shared by threads: the durable backend
    serialises its calls, the Python backend holds no mutable state.
    """

    def __init__(self, rulesets: Union[str, Path, Catalog, None] = None, backend: str = "durable"):
        from ..plan.rules import load_plan_rules

        self.catalog = rulesets if isinstance(rulesets, Catalog) else load_catalog(rulesets)
        self.plan_rules = load_plan_rules(Path(self.catalog.directory), self.catalog)
        self._backend = _make_backend(backend)
        if self._backend.name == "durable":  # its load-time limits, checked only when it is used
            self._backend.check(self.catalog, self.plan_rules)

    @property
    def backend(self) -> str:
        """Name of the backend that actually runs ("python" when durable-rules fell back)."""
        return self._backend.name

    def close(self) -> None:
        """Release what the backend holds for this Engine. Neither backend holds anything today:
        durable rules are shared by all Engines in a bounded cache (durable_backend)."""
        close = getattr(self._backend, "close", None)
        if close is not None:
            close()

    def __enter__(self) -> "Engine":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def evaluate(self, case: Union[BaseModel, dict[str, Any]], as_of: Optional[dt.date] = None) -> Evaluation:
        if isinstance(case, dict):
            case = case_from_data(case)
        elif not isinstance(case, CaseInput):
            raise InputError("un CaseInput ou un dict était attendu", field="case")
        day = as_of or case.date_demande
        if day is None:
            raise EvaluationError(
                "date_demande absente : impossible de savoir quelles règles appliquer "
                "(renseignez date_demande ou choisissez une date avec --as-of)")
        facts = case_facts(case)
        provenance = add_derived(facts, day)
        funders = [self.catalog.funders[k] for k in sorted(self.catalog.funders)]
        actives, early = {}, {}
        for funder in funders:
            variant = None
            if funder.variant_by:
                value = facts.get(funder.variant_by)
                variant = funder.variants.get(value) if value is not None else None
                if variant is None:
                    early[funder.id] = variant_missing(funder, value)
                    continue
            active = self.catalog.active(funder, day, variant)
            if active is None:
                early[funder.id] = not_in_force(funder, day, variant)
            else:
                actives[funder.id] = active
        outcomes = self._backend.run(list(actives.values()), facts)
        results = [early[f.id] if f.id in early else
                   build_result(actives[f.id], facts, outcomes[f.id], case.operateur) for f in funders]
        return Evaluation(
            as_of=day, date_demande=case.date_demande,
            derived_facts=[DerivedValue(fact=p["fact"], value=p["value"], derived_from=p["from"],
                                        explanation=p["explanation"]) for p in provenance],
            results=results,
        )


    def evaluate_many(self, cases: list, as_of: Optional[dt.date] = None, jobs: int = 1,
                      as_of_each: Optional[list] = None) -> list[Evaluation]:
        """Evaluate many cases, in `jobs` processes where the platform can fork.

        Workers inherit this engine (rules loaded and compiled) through fork; results come back in
        the order of `cases`. `as_of_each` gives one date per case (e.g. each meeting's date)."""
        days = as_of_each or [as_of] * len(cases)
        if jobs <= 1 or len(cases) < 2 or "fork" not in multiprocessing.get_all_start_methods():
            return [self.evaluate(c, d) for c, d in zip(cases, days)]
        global _FORKED_ENGINE
        _FORKED_ENGINE = self
        try:
            size = max(1, len(cases) // (jobs * 8))
            chunks = [list(zip(cases[i:i + size], days[i:i + size])) for i in range(0, len(cases), size)]
            with multiprocessing.get_context("fork").Pool(jobs) as pool:
                return [e for chunk in pool.map(_evaluate_chunk, chunks) for e in chunk]
        finally:
            _FORKED_ENGINE = None

    def plan(self, case: Union[BaseModel, dict[str, Any]], as_of: Optional[dt.date] = None):
        """Funding plans for the case: ordered funders, amounts, remaining cost, impasse and unlocks."""
        from ..plan import make_plan

        if isinstance(case, dict):
            case = case_from_data(case)
        return make_plan(self, case, as_of)


_FORKED_ENGINE: Optional[Engine] = None


def _evaluate_chunk(chunk):
    return [_FORKED_ENGINE.evaluate(case, day) for case, day in chunk]


_default: dict[str, Engine] = {}
_default_lock = threading.Lock()


def evaluate(case: Union[BaseModel, dict[str, Any]], as_of: Optional[dt.date] = None,
             backend: str = "durable") -> Evaluation:
    """Evaluate with a shared Engine on the bundled rulesets."""
    with _default_lock:
        engine = _default.get(backend) or _default.setdefault(backend, Engine(backend=backend))
    return engine.evaluate(case, as_of)
