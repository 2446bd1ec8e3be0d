"""Engine: evaluates a case as of a date against every funder's rules in force on that date."""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import logging
import re
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Union

from pydantic import BaseModel

from ..case import CaseInput, case_facts, case_from_data
from ..coherence import cohere_across, cohere_funder, cohere_outcomes, paired_map
from ..derived import add_derived
from ..errors import EvaluationError, InputError
from ..freshness import amount_warning, evaluation_warnings, review, variant_of
from ..parallel import can_fork, forked_slices
from ..provenance import relative_file, ruleset_files, rulesets_digest
from ..results import SCHEMA_VERSION, DerivedValue, Evaluation, FunderResult, Provenance, construct
from ..rulesets.catalog import ActiveRules, Catalog, Funder, catalog_change_days
from ..rulesets.loader import load_catalog
from .backend import Backend, outcomes_of
from .cache import AnswerCache, exact
from .compact import CaseOutcome, FunderOutcome
from .decide import decide, early_outcome
from .explain import build_result, frame_key, not_in_force, variant_missing
from .reference import PythonBackend
from .trace import build_trace

if TYPE_CHECKING:
    from ..plan.model import Plan

CaseLike = Union[BaseModel, dict[str, Any]]

log = logging.getLogger("fundrules")
BACKENDS = ("durable", "python")
DEFAULT_BACKEND = "durable"  # memory bounded: each funder's rules compiled once per process (durable_backend)
_warned = threading.Event()


def _make_backend(name: Union[str, Backend]) -> Backend:
    if not isinstance(name, str):
        if callable(getattr(name, "run_coded", None)) and getattr(name, "name", None) in BACKENDS:
            return name  # a Backend object (tests compare the backends with a tree-walking evaluator)
        raise InputError("moteur : un nom (durable, python) ou un objet Backend attendu", field="engine")
    if name == "python":
        return PythonBackend()
    if name == "durable":
        from . import durable_backend  # here: `--engine python` never imports durable-rules

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

    def __init__(
        self,
        rulesets: Union[str, Path, Catalog, None] = None,
        backend: Union[str, Backend] = DEFAULT_BACKEND,
        cache: Union[bool, int] = True,
    ):
        """Load `rulesets` (a directory, a loaded Catalog, or None for the bundled ones) and the
        backend; `cache` False keeps nothing between evaluations, a number bounds the entries kept
        (`Engine.cache.stats()`). Raises InputError on a bad ruleset or an unknown backend name."""
        from ..plan.rules import load_plan_rules

        self.catalog = rulesets if isinstance(rulesets, Catalog) else load_catalog(rulesets)
        self.plan_rules = load_plan_rules(Path(self.catalog.directory), self.catalog)
        self._backend = _make_backend(backend)
        self.ruleset_files = self.catalog.files or ruleset_files(self.catalog.directory)  # files already read
        self._rulesets_digest = rulesets_digest(self.ruleset_files)
        self._relative: dict[str, tuple[str, Optional[str]]] = {}  # version file -> (relative path, digest)
        self._funders = [self.catalog.funders[k] for k in sorted(self.catalog.funders)]
        if cache is True or cache is False:
            self.cache = AnswerCache(enabled=cache)
        elif isinstance(cache, int) and cache > 0:
            self.cache = AnswerCache(max_entries=cache)
        else:
            raise InputError("cache : true, false ou un nombre d'entrées positif attendu", field="cache")
        # Days on which any funder's rules change, and the funders whose rules a fact selects: between
        # two change days, cases with the same selecting values get the same rules of every funder.
        self._change_days = catalog_change_days(self.catalog, self._funders)
        self._selecting = tuple(f.variant_by for f in self._funders if f.variant_by)
        # the catalog's first funder (by id), whose warning line carries the evaluation's own warnings
        self._first_funder = self.catalog.funders[min(self.catalog.funders)] if self.catalog.funders else None
        self._paired = paired_map(self.catalog)  # pay tied to a course (coherence.py), read on every answer
        self._backend.check(self.catalog, self.plan_rules)  # durable-rules' limits; nothing for python

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

    def _file_of(self, active: ActiveRules) -> tuple[str, Optional[str]]:
        """The version file a result was computed from, relative to the rulesets directory, and its digest."""
        found = self._relative.get(active.version.file)
        if found is None:
            file = relative_file(self.catalog.directory, active.version.file)
            found = self._relative[active.version.file] = (file, self.ruleset_files.get(file))
        return found

    def close(self) -> None:
        """Release what this Engine holds (its cache, the backend's per-Engine state); durable rules
        stay compiled for the process (durable_backend). Dropping the Engine does the same."""
        self.cache.clear()
        self._backend.close()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def evaluate(self, case: CaseLike, as_of: Union[dt.date, str, None] = None, explain: bool = False) -> Evaluation:
        """Evaluate `case` (a CaseInput or a dict of facts) with the rules in force on `as_of` (a date
        or `AAAA-MM-JJ`; default: the case's date_demande). With `explain`, each result carries a
        `trace` of every criterion evaluated; without it the answer is exactly the same as before
        traces existed. Raises InputError on bad facts or as_of, EvaluationError when there is no
        date to evaluate at."""
        return self.outcome(case, as_of).explained(explain)

    def outcome(self, case: CaseLike, as_of: Union[dt.date, str, None] = None) -> CaseOutcome:
        """The compact answer first: per funder its status, blockers' criteria, facts to collect and
        scope, without French texts or models (several times quicker than `evaluate`); its
        `explained(explain)` builds, once, the Evaluation that `evaluate` returns. Same errors."""
        if isinstance(case, dict):
            case = case_from_data(case)
        elif not isinstance(case, CaseInput):
            raise InputError("un CaseInput ou un dict était attendu", field="case")
        day = _as_date(as_of) or case.date_demande
        if day is None:
            raise EvaluationError(
                "date_demande absente : impossible de savoir quelles règles appliquer "
                "(renseignez date_demande dans le cas, ou passez as_of)",
                field="date_demande",
            )
        facts = case_facts(case)
        derived = add_derived(facts, day)
        slots, actives, places = self._selection(day, facts)
        answers = list(slots)  # answers without rules stay; the rules' places get their decisions
        cache = self.cache
        for place, active, code in zip(places, actives, self._backend.run_coded(actives, facts), strict=True):
            answers[place] = decide(active, facts, code, cache)
        funders: tuple[FunderOutcome, ...] = tuple(answers)  # type: ignore[arg-type]
        funders = cohere_outcomes(funders, self.catalog, facts, self._paired)  # parts agree (coherence.py)
        return CaseOutcome(self, day, case.date_demande, funders, facts, derived, case.operateur)

    def criteria_outcomes(self, active: ActiveRules, facts: dict[str, Any]) -> dict[str, Optional[bool]]:
        """{criterion key: False or None} of the criteria of `active` that do not hold on `facts`,
        run by this Engine's backend (the planner's second stage runs its plan rules so)."""
        return outcomes_of(active, self._backend.run_coded((active,), facts)[0])

    def _selection(
        self, day: dt.date, facts: dict[str, Any]
    ) -> tuple[tuple[Union[ActiveRules, FunderOutcome], ...], tuple[ActiveRules, ...], tuple[int, ...]]:
        """Per funder its rules in force, or its answer without rules; and the rules to run. The same
        for every case of a stretch of days between two change days with the same selecting facts
        (the region for the regional plan): chosen once per stretch, not once per funder and case."""
        key = (bisect.bisect_right(self._change_days, day), tuple(exact(facts.get(path)) for path in self._selecting))
        found = self.cache.get("selection", key)
        if found is None:
            found = self.cache.put("selection", key, self._select(day, facts))
        return found

    def _select(
        self, day: dt.date, facts: dict[str, Any]
    ) -> tuple[tuple[Union[ActiveRules, FunderOutcome], ...], tuple[ActiveRules, ...], tuple[int, ...]]:
        catalog = self.catalog
        slots: list[Union[ActiveRules, FunderOutcome]] = []
        actives: list[ActiveRules] = []
        places: list[int] = []  # where each of the rules run stands among the funders
        for funder in self._funders:
            variant = None
            if funder.variant_by:
                value = facts.get(funder.variant_by)
                variant = funder.variants.get(value) if isinstance(value, str) else None
                if variant is None:
                    key = ("variant", funder.id, exact(value))
                    slots.append(self._early_answer(key, variant_missing, funder, value))
                    continue
            active = catalog.active(funder, day, variant)
            if active is None:
                key = ("not_in_force",) + catalog.period(funder, day, variant)
                slots.append(self._early_answer(key, not_in_force, funder, day, variant))
            else:
                places.append(len(slots))
                actives.append(active)
                slots.append(active)
        return tuple(slots), tuple(actives), tuple(places)

    def _early_answer(self, key: tuple, make: Any, funder: Funder, *args: Any) -> FunderOutcome:
        """The answer of a funder whose rules do not apply (the same for every case of a stretch of
        days, or for one value of the fact selecting a variant), built once with its review date."""
        found = self.cache.get("early", key)
        if found is None:
            result = make(funder, *args)
            variant = args[-1] if make is not_in_force else None
            reviewed_on = review(funder, variant)[0]
            if reviewed_on:
                result = result.model_copy(update={"reviewed_on": reviewed_on})
            found = self.cache.put("early", key, early_outcome(result))
        return found

    def explain(self, outcome: CaseOutcome, explain: bool = False) -> Evaluation:
        """The full Evaluation of a compact outcome of this Engine, with each criterion's trace when
        `explain` (`CaseOutcome.explained` calls it once and keeps the answer)."""
        facts, day = outcome._facts, outcome.as_of
        derived = frozenset(p["fact"] for p in outcome._derived)
        results, warnings = [], []
        # one line per kind (freshness.evaluation_warnings), carried by the first funder's line
        general = evaluation_warnings(self.catalog, day) if self._first_funder is not None else []
        for f in outcome.funders:
            if f.active is None:
                result = f.early
                assert result is not None
                if explain:
                    result = result.model_copy(update={"trace": ()})
                funder = self.catalog.funders[result.funder]
                variant = variant_of(funder, facts)
            else:
                funder, variant = f.active.funder, f.active.variant
                operator = outcome._operator
                can_mobilise = None if operator is None else operator in funder.mobilised_by
                if explain:
                    trace = build_trace(f.active, facts, f.outcomes, derived, day)
                    result = cohere_funder(self._answer(f, facts, can_mobilise, trace), f.active, facts)
                else:
                    result = self._kept_answer(f, facts, can_mobilise)
            results.append(result)
            amount = amount_warning(funder, variant, result.status, day)
            if funder is self._first_funder and general:
                warnings.append(" ".join([*general, amount] if amount else general))
            elif amount:
                warnings.append(amount)
        results = cohere_across(results, self.catalog, self._paired)  # pay follows its course (coherence.py)
        return construct(
            Evaluation,
            as_of=day,
            date_demande=outcome.date_demande,
            derived_facts=tuple(
                construct(
                    DerivedValue,
                    fact=p["fact"],
                    value=p["value"],
                    derived_from=tuple(p["from"]),
                    explanation=p["explanation"],
                )
                for p in outcome._derived
            ),
            results=tuple(results),
            provenance=self.provenance,
            warnings=tuple(warnings),
        )

    def _answer(self, f: FunderOutcome, facts: Any, can_mobilise: Optional[bool], trace: Any = None) -> FunderResult:
        active = f.active
        assert active is not None
        file, digest = self._file_of(active)
        reviewed_on = review(active.funder, active.variant)[0]
        extra = dict(ruleset_file=file, ruleset_digest=digest, trace=trace, reviewed_on=reviewed_on)
        return build_result(f, facts, can_mobilise, self.cache, **extra)

    def _kept_answer(self, f: FunderOutcome, facts: Mapping[str, Any], can_mobilise: Optional[bool]) -> FunderResult:
        """A funder's answer (without trace), kept in the cache under every value it is built from:
        the decision's frame key, whether the operator can mobilise the funder, and the values of
        the facts its texts can read (`FunderOutcome.reads`). With the cache on, it is built from
        those facts alone (a mapping holding only them), so that it cannot read another; with the
        cache off, from all the case's facts: the specification test, which compares the two
        (tests/test_specification.py), fails if an answer reads a fact `reads` does not name.
        (The rules' file, digest and review date are the frame key's rules'.)"""
        active = f.active
        if not self.cache.enabled:
            return cohere_funder(self._answer(f, facts, can_mobilise), active, facts)
        read = f.reads
        key = (frame_key(f), can_mobilise, tuple([exact(facts.get(path)) for path in read]))
        found = self.cache.get("result", key)
        if found is None:
            seen = {path: facts[path] for path in read if path in facts}
            found = self.cache.put("result", key, cohere_funder(self._answer(f, seen, can_mobilise), active, seen))
        return found

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
        the order of `cases`. `as_of_each` gives one date per case (e.g. each meeting's date).
        `iter_evaluate` yields them one by one instead of holding them all."""
        return list(self.iter_evaluate(cases, as_of, jobs=jobs, as_of_each=as_of_each, explain=explain))

    def iter_evaluate(
        self,
        cases: Iterable[CaseLike],
        as_of: Optional[dt.date] = None,
        jobs: int = 1,
        as_of_each: Optional[Iterable[Optional[dt.date]]] = None,
        explain: bool = False,
    ) -> Iterator[Evaluation]:
        """Each case's evaluation, in order, as soon as it is known: memory stays flat over any number
        of cases when the caller does not keep them. Alone, `cases` may be any iterable (a generator
        reading a file); with `jobs` > 1 forked workers inherit it, so it is made a sequence first."""
        if as_of_each is not None and isinstance(cases, Sequence) and isinstance(as_of_each, Sequence):
            _check_one_date_per_case(len(as_of_each), len(cases))
        if jobs > 1 and can_fork():
            cases = cases if isinstance(cases, Sequence) else list(cases)
            days = [as_of] * len(cases) if as_of_each is None else list(as_of_each)
            _check_one_date_per_case(len(days), len(cases))
            if len(cases) >= 2:
                # Small slices: at most 2 × jobs of them wait in memory for a slow reader.
                size = max(1, min(250, len(cases) // (jobs * 8)))
                state = (self, cases, days, explain)
                for chunk in forked_slices(_evaluate_slice, state, len(cases), jobs, size):
                    yield from chunk
                return
        if as_of_each is None:
            for case in cases:
                yield self.evaluate(case, as_of, explain=explain)
            return
        count, cases_left, days_left = 0, iter(cases), iter(as_of_each)
        for case in cases_left:
            day = next(days_left, _NO_DATE)
            if day is _NO_DATE:  # found out here when both are streams: say how many of each
                _check_one_date_per_case(count, count + 1 + sum(1 for _ in cases_left))
            count += 1
            yield self.evaluate(case, day, explain=explain)  # type: ignore[arg-type]
        if next(days_left, _NO_DATE) is not _NO_DATE:
            _check_one_date_per_case(count + 1 + sum(1 for _ in days_left), count)

    def next_questions(
        self, case: CaseLike, as_of: Union[dt.date, str, None] = None, limit: Optional[int] = None, skip=()
    ):
        """The facts to ask next, the most decisive first (fundrules.intake.next_questions)."""
        from ..intake import next_questions

        return next_questions(self, case, _as_date(as_of), limit, skip).questions

    def plan(self, case: CaseLike, as_of: Union[dt.date, str, None] = None) -> Plan:
        """Funding plans for the case: ordered funders, amounts, remaining cost, impasse and unlocks."""
        from ..plan import make_plan

        if isinstance(case, dict):
            case = case_from_data(case)
        return make_plan(self, case, _as_date(as_of))


_NO_DATE = object()
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _as_date(as_of: Union[dt.date, str, None]) -> Optional[dt.date]:
    """`as_of` as a date: a date, an ISO day `AAAA-MM-JJ`, or None; anything else is refused."""
    if as_of is None or (isinstance(as_of, dt.date) and not isinstance(as_of, dt.datetime)):
        return as_of
    if isinstance(as_of, str) and _ISO_DAY.fullmatch(as_of):
        try:
            return dt.date.fromisoformat(as_of)
        except ValueError:
            pass
    raise InputError(
        f"as_of : date AAAA-MM-JJ attendue (une date ou son texte), reçu {type(as_of).__name__} « {str(as_of)[:40]} »",
        field="as_of",
    )


def _check_one_date_per_case(dates: int, cases: int) -> None:
    if dates != cases:
        raise InputError(f"as_of_each : {dates} dates pour {cases} cas (une date par cas attendue)", field="as_of_each")


def _evaluate_slice(
    state: tuple[Engine, Sequence[CaseLike], list[Optional[dt.date]], bool], start: int, end: int
) -> list[Evaluation]:
    engine, cases, days, explain = state
    return [
        engine.evaluate(case, day, explain=explain) for case, day in zip(cases[start:end], days[start:end], strict=True)
    ]


_default: dict[str, Engine] = {}
_default_lock = threading.Lock()


def evaluate(
    case: CaseLike, as_of: Union[dt.date, str, None] = None, backend: str = DEFAULT_BACKEND, explain: bool = False
) -> Evaluation:
    """Evaluate with a shared Engine on the bundled rulesets."""
    with _default_lock:
        engine = _default.get(backend) or _default.setdefault(backend, Engine(backend=backend))
    return engine.evaluate(case, as_of, explain=explain)
