"""Engine: evaluates a case as of a date against every funder's rules in force on that date."""

from __future__ import annotations

import datetime as dt
import functools
import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Union

from pydantic import BaseModel

from ..case import CaseInput, case_facts, case_from_data
from ..derived import add_derived
from ..errors import EvaluationError, InputError
from ..freshness import stamp as stamp_freshness
from ..parallel import can_fork, forked_slices
from ..provenance import relative_file, ruleset_files, rulesets_digest
from ..results import SCHEMA_VERSION, DerivedValue, Evaluation, FunderResult, Provenance, TraceEntry
from ..rulesets.catalog import Catalog
from ..rulesets.loader import load_catalog
from . import durable_backend
from .outcome import build_result, not_in_force, variant_missing
from .reference import PythonBackend
from .trace import build_trace

if TYPE_CHECKING:
    from ..plan.model import Plan

CaseLike = Union[BaseModel, dict[str, Any]]

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
                log.info(
                    "durable-rules ne s'importe pas ici (%s) : le moteur de référence Python est utilisé.",
                    durable_backend.IMPORT_ERROR,
                )
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
        """Load `rulesets` (a directory, a loaded Catalog, or None for the bundled ones) and the
        backend; raises InputError on a bad ruleset or an unknown backend name."""
        from ..plan.rules import load_plan_rules

        self.catalog = rulesets if isinstance(rulesets, Catalog) else load_catalog(rulesets)
        self.plan_rules = load_plan_rules(Path(self.catalog.directory), self.catalog)
        self._backend = _make_backend(backend)
        self.ruleset_files = self.catalog.files or ruleset_files(self.catalog.directory)  # files already read
        self._rulesets_digest = rulesets_digest(self.ruleset_files)
        self._relative: dict[str, str] = {}  # version file -> path relative to the rulesets directory
        if self._backend.name == "durable":  # its load-time limits, checked only when it is used
            self._backend.check(self.catalog, self.plan_rules)

    @property
    def backend(self) -> str:
        """The backend that actually runs: "python" when durable-rules was asked for but cannot be imported."""
        return str(self._backend.name)

    @functools.cached_property
    def provenance(self) -> Provenance:
        """What every answer of this engine carries: versions, backend, digest of the rule files."""
        from .. import __version__

        return Provenance(
            fundrules_version=__version__,
            schema_version=SCHEMA_VERSION,
            backend=self.backend,
            rulesets_digest=self._rulesets_digest,
        )

    def _with_file(self, result: FunderResult, active: Any, trace: Optional[list[TraceEntry]]) -> FunderResult:
        """Name the version file a result was computed from, with its digest (and the trace)."""
        file = self._relative.get(active.version.file)
        if file is None:
            file = self._relative[active.version.file] = relative_file(self.catalog.directory, active.version.file)
        update: dict[str, Any] = {"ruleset_file": file, "ruleset_digest": self.ruleset_files.get(file)}
        if trace is not None:
            update["trace"] = trace
        return result.model_copy(update=update)

    def close(self) -> None:
        """Release what the backend holds for this Engine. Neither backend holds anything today:
        durable rules are shared by all Engines in a bounded cache (durable_backend)."""
        close = getattr(self._backend, "close", None)
        if close is not None:
            close()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def evaluate(self, case: CaseLike, as_of: Optional[dt.date] = None, explain: bool = False) -> Evaluation:
        """Evaluate `case` (a CaseInput or a dict of facts) with the rules in force on `as_of`
        (default: the case's date_demande). With `explain`, each result carries a `trace` of every
        criterion evaluated; without it the answer is exactly the same as before traces existed.
        Raises InputError on bad facts, EvaluationError when there is no date to evaluate at."""
        if isinstance(case, dict):
            case = case_from_data(case)
        elif not isinstance(case, CaseInput):
            raise InputError("un CaseInput ou un dict était attendu", field="case")
        day = as_of or case.date_demande
        if day is None:
            raise EvaluationError(
                "date_demande absente : impossible de savoir quelles règles appliquer "
                "(renseignez date_demande dans le cas, ou passez as_of)",
                field="date_demande",
            )
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
        derived = frozenset(p["fact"] for p in provenance)
        results = [
            early[f.id]
            if f.id in early
            else self._with_file(
                build_result(actives[f.id], facts, outcomes[f.id], case.operateur),
                actives[f.id],
                build_trace(actives[f.id], facts, outcomes[f.id], derived, day) if explain else None,
            )
            for f in funders
        ]
        if explain:  # funders with no rules in force evaluated nothing: an empty trace
            results = [r.model_copy(update={"trace": []}) if r.trace is None else r for r in results]
        results, warnings = stamp_freshness(self.catalog, results, facts, day)
        return Evaluation(
            as_of=day,
            date_demande=case.date_demande,
            derived_facts=[
                DerivedValue(fact=p["fact"], value=p["value"], derived_from=p["from"], explanation=p["explanation"])
                for p in provenance
            ],
            results=results,
            warnings=warnings,
            provenance=self.provenance,
        )

    def evaluate_many(
        self,
        cases: Sequence[CaseLike],
        as_of: Optional[dt.date] = None,
        jobs: int = 1,
        as_of_each: Optional[Sequence[Optional[dt.date]]] = None,
        explain: bool = False,
    ) -> list[Evaluation]:
        """Evaluate many cases, in `jobs` processes where the platform can fork.

        Workers inherit this engine (rules loaded and compiled) through fork; results come back in
        the order of `cases`. `as_of_each` gives one date per case (e.g. each meeting's date)."""
        days = as_of_each or [as_of] * len(cases)
        if len(days) != len(cases):
            raise InputError(
                f"as_of_each : {len(days)} dates pour {len(cases)} cas (une date par cas attendue)", field="as_of_each"
            )
        if jobs <= 1 or len(cases) < 2 or not can_fork():
            return [self.evaluate(c, d, explain=explain) for c, d in zip(cases, days, strict=True)]
        size = max(1, len(cases) // (jobs * 8))
        state = (self, list(cases), list(days), explain)
        return [e for chunk in forked_slices(_evaluate_slice, state, len(cases), jobs, size) for e in chunk]

    def plan(self, case: CaseLike, as_of: Optional[dt.date] = None) -> Plan:
        """Funding plans for the case: ordered funders, amounts, remaining cost, impasse and unlocks."""
        from ..plan import make_plan

        if isinstance(case, dict):
            case = case_from_data(case)
        return make_plan(self, case, as_of)


def _evaluate_slice(
    state: tuple[Engine, list[CaseLike], list[Optional[dt.date]], bool], start: int, end: int
) -> list[Evaluation]:
    engine, cases, days, explain = state
    return [
        engine.evaluate(case, day, explain=explain) for case, day in zip(cases[start:end], days[start:end], strict=True)
    ]


_default: dict[str, Engine] = {}
_default_lock = threading.Lock()


def evaluate(
    case: CaseLike, as_of: Optional[dt.date] = None, backend: str = "durable", explain: bool = False
) -> Evaluation:
    """Evaluate with a shared Engine on the bundled rulesets."""
    with _default_lock:
        engine = _default.get(backend) or _default.setdefault(backend, Engine(backend=backend))
    return engine.evaluate(case, as_of, explain=explain)
