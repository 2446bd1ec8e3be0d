"""The rules layer's part of `fundrules rulesets lint`: checks that need the whole catalog and no engine.

- every criterion cites a source and every funder has exactly one version on every day of its
  life: the loader refuses otherwise (a gap, an overlap, a criterion without source);
- (what durable-rules can run is checked above the engine, in fundrules/lint.py, which composes
  this module with the backend's checks: the rules layer imports neither the engine nor a backend);
- every criterion can be both true and false: a criterion that can never fail (or never hold)
  is a mistake. We search for a witness of each, trying values around the constants and
  parameters the condition uses; a criterion without witness is reported.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import zlib
from collections.abc import Iterable
from typing import Any

from ..conditions.ast import Literal
from ..conditions.typecheck import walk
from ..facts import BOOL, DATE, FACTS, NUMBER
from .catalog import Catalog, Criterion, Version
from .problems import LintProblem
from .text_lint import lint_texts

BASE_DAY = dt.date(2018, 6, 1)
DAY_OFFSETS = (-400, -200, -30, -1, 0, 1, 14, 15, 16, 59, 60, 61, 119, 120, 121, 180, 200, 370, 400)
MAX_TRIES = 4000


def _candidates(criterion: Criterion, params: dict[str, Any]) -> dict[str, list[Any]]:
    numbers: set[float] = {0, 1, 10, 100, 1000, 10000}
    dates: set[dt.date] = {BASE_DAY + dt.timedelta(days=o) for o in DAY_OFFSETS}
    strings: set[str] = set()

    def visit(node):
        if isinstance(node, Literal):
            v = node.value
            if isinstance(v, bool):
                return
            if isinstance(v, (int, float)):
                numbers.update({v - 1, v, v + 1})
            elif isinstance(v, dt.date):
                dates.update({v - dt.timedelta(days=1), v, v + dt.timedelta(days=1)})
            elif isinstance(v, str):
                strings.add(v)

    walk(criterion.condition, visit)
    for name in criterion.params:
        v = params.get(name)
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            numbers.update({v - 1, v, v + 1, v * 2})
    out: dict[str, list[Any]] = {}
    for path in criterion.facts:
        fact = FACTS[path]
        if fact.kind == "enum":
            out[path] = list(fact.choices)
        elif fact.value_type == BOOL:
            out[path] = [True, False]
        elif fact.value_type == DATE:
            out[path] = sorted(dates)
        elif fact.value_type == NUMBER:
            out[path] = sorted(n for n in numbers if n >= 0)
        else:
            out[path] = sorted(strings | {"autre"})
    return out


def _assignments(candidates: dict[str, list[Any]], seed: int) -> Iterable[dict[str, Any]]:
    paths = list(candidates)
    total = 1
    for values in candidates.values():
        total *= len(values)
    if total <= MAX_TRIES:
        for combo in itertools.product(*(candidates[p] for p in paths)):
            yield dict(zip(paths, combo, strict=False))
        return
    rng = random.Random(seed)
    for _ in range(MAX_TRIES):
        yield {p: rng.choice(candidates[p]) for p in paths}


def witnesses(criterion: Criterion, version: Version, day: dt.date) -> tuple[bool, bool]:
    params = {name: version.parameters[name].value_at(day) for name in criterion.params}
    seen_true = seen_false = False
    seed = zlib.crc32(criterion.key.encode())  # not hash(): the search must not depend on PYTHONHASHSEED
    for facts in _assignments(_candidates(criterion, params), seed=seed):
        value = criterion.evaluator(facts, params)
        seen_true = seen_true or value is True
        seen_false = seen_false or value is False
        if seen_true and seen_false:
            break
    return seen_true, seen_false


def lint_criteria(catalog: Catalog) -> list[LintProblem]:
    """Criteria that can never fail or never hold, and texts a counsellor would misread."""
    problems = []
    for funder in sorted(catalog.funders.values(), key=lambda f: f.id):
        tracks = list(funder.variants.values()) if funder.variant_by else [None]
        for variant in tracks:
            for version in funder.versions_of(variant):
                label = f"{variant.id}/{version.label}" if variant else version.label
                for criterion in version.criteria:
                    day = criterion.valid_from or version.valid_from
                    can_hold, can_fail = witnesses(criterion, version, day)
                    if not (can_hold and can_fail):
                        never = "jamais vrai" if not can_hold else "jamais faux"
                        problems.append(
                            LintProblem(
                                funder.id,
                                label,
                                criterion.key,
                                criterion.file,
                                criterion.line,
                                f"{never} (aucun exemple trouvé) : critère inutile ou erroné",
                            )
                        )
    return problems + lint_texts(catalog.directory)  # texts a counsellor reads (text_lint.py)
