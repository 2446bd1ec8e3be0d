"""The durable-rules checks of a loaded catalog, run when the durable backend is chosen or by lint.

They compile every criterion once per distinct set of the parameter values it reads over its
period (not once per parameter date of its version), and refuse with file and line what
durable-rules could not run or compare exactly. The python backend never pays for them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, Optional

from ..errors import InputError
from ..rulesets.catalog import Catalog, Criterion, Version
from .durable_compile import ConditionTooComplex, check_condition

_CHECKED = "_durable_checked"


def _param_sets(criterion: Criterion, version: Optional[Version]) -> list[dict[str, Any]]:
    """Distinct values of the parameters `criterion` reads, over the days it is in force."""
    if not criterion.params or version is None:
        return [{}]
    start = max(criterion.valid_from or version.valid_from, version.valid_from)
    end = criterion.valid_to or version.valid_to or dt.date.max
    days = {start} | {
        d for name in criterion.params for d, _v, _s in version.parameters[name].values if start <= d <= end
    }
    seen: dict[tuple, dict[str, Any]] = {}
    for day in sorted(days):
        values = {}
        for name in criterion.params:
            value = version.parameters[name].value_at(day)
            values[name] = value if value is not None else version.parameters[name].values[0][1]
        seen.setdefault(tuple((n, type(v).__name__, v) for n, v in values.items()), values)
    return list(seen.values())


def check_criterion(criterion: Criterion, version: Optional[Version], passed: Optional[set] = None) -> None:
    """Refuse the criterion if one of its parameter sets cannot run in durable-rules. `passed` holds
    the (condition, values) already checked without error: the same condition with the same values,
    repeated from version to version, is checked once (its repr tells 1, 1.0 and true apart)."""
    for values in _param_sets(criterion, version):
        key = None
        if passed is not None:
            key = (repr(criterion.condition), tuple((n, type(v).__name__, repr(v)) for n, v in values.items()))
            if key in passed:
                continue
        try:
            check_condition(criterion.condition, values)
        except ConditionTooComplex as err:
            line = getattr(criterion, "condition_line", None) or criterion.line
            raise InputError(
                err.reason, file=criterion.file, line=line, field=f"critère {criterion.key}.condition"
            ) from None
        if key is not None:
            passed.add(key)  # type: ignore[union-attr]


def _versions(catalog: Catalog) -> Iterable[Version]:
    for funder in catalog.funders.values():
        for variant in funder.variants.values() if funder.variant_by else [None]:
            yield from funder.versions_of(variant)


def check_catalog(catalog: Catalog, plan_rules: Iterable = ()) -> None:
    """Refuse the first criterion or plan rule durable-rules could not run; once per catalog."""
    if getattr(catalog, _CHECKED, False):
        return
    from ..rulesets import cache

    passed: set = set()
    if not cache.durable_checked(catalog):  # a cached catalog whose checks passed in an earlier process
        for version in _versions(catalog):
            for criterion in version.criteria:
                check_criterion(criterion, version, passed)
        cache.mark_durable_checked(catalog)
    for plan in plan_rules:
        for criterion in plan.active.criteria:
            check_criterion(criterion, None, passed)
    setattr(catalog, _CHECKED, True)
