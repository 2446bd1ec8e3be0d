"""The durable-rules checks of a loaded catalog, run when the durable backend is chosen or by lint.

They compile every criterion once per distinct set of the parameter values it reads over its
period (not once per parameter date of its version), and refuse with file and line what
durable-rules could not run or compare exactly. The python backend never pays for them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import pickle
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Optional

from ..errors import InputError
from ..rulesets.catalog import ActiveRules, Catalog, Criterion, Version

if TYPE_CHECKING:
    from .durable_compile import Blueprint

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


def check_condition(node: Any, params: Any) -> Any:
    """durable_compile.check_condition, imported when a check runs (a cached start runs none)."""
    from .durable_compile import check_condition as check

    return check(node, params)


def check_criterion(criterion: Criterion, version: Optional[Version], passed: Optional[set] = None) -> None:
    """Refuse the criterion if one of its parameter sets cannot run in durable-rules. `passed` holds
    the (condition, values) already checked without error: the same condition with the same values,
    repeated from version to version, is checked once (its repr tells 1, 1.0 and true apart)."""
    from .durable_compile import ConditionTooComplex

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


def check_catalog(catalog: Catalog, plan_rules: Iterable = ()) -> Mapping[str, bytes]:
    """Refuse the first criterion or plan rule durable-rules could not run; once per catalog.

    Returns the blueprints kept with the catalog's cache entry (read with `kept_blueprint`; empty
    without an entry): the first process that checks a cached catalog compiles every funder's rules
    for every stretch of days, and the plan rules, and keeps them there (the durable-rules release
    named), so that later processes only hand them over to durable-rules. A blueprint depends only
    on the content its key names and on fundrules' code, which the entry's key covers."""
    kept = getattr(catalog, _CHECKED, None)
    plans = [plan.active for plan in plan_rules]
    passed: Optional[set] = None  # what this call checked (the plan rules with the catalog's criteria)
    if kept is None:
        from ..rulesets import cache

        kept = cache.read_durable(catalog)  # a cached catalog whose checks passed in an earlier process
        if kept is None:
            passed = set()
            for version in _versions(catalog):
                for criterion in version.criteria:
                    check_criterion(criterion, version, passed)
            for active in plans:
                for criterion in active.criteria:
                    check_criterion(criterion, None, passed)
            kept = {}
            if cache.cached(catalog):
                kept = _blueprints(catalog, plans)
                cache.write_durable(catalog, kept)
        setattr(catalog, _CHECKED, kept)
    if passed is None and any(kept_blueprint(kept, active.key) is None for active in plans):
        passed = set()  # plan rules other than those kept with the entry
        for active in plans:
            for criterion in active.criteria:
                check_criterion(criterion, None, passed)
    return kept


def _blueprints(catalog: Catalog, plans: list[ActiveRules]) -> dict[str, bytes]:
    """The blueprint of every funder's rules on every stretch of days, and of the plan rules."""
    from .durable_compile import OutOfLimits, blueprint

    actives: dict[tuple, ActiveRules] = {}
    for funder in catalog.funders.values():
        for variant in funder.variants.values() if funder.variant_by else [None]:
            for day in catalog.change_days(funder, variant):
                active = catalog.select(funder, day, variant)
                if active is not None:
                    actives.setdefault(active.key, active)
    for active in plans:
        actives.setdefault(active.key, active)
    found = {}
    for key, active in actives.items():
        try:
            plan = blueprint((active,))
        except OutOfLimits:  # refused when evaluated (it passed the checks: a bug), never kept
            continue
        found[key_digest(key)] = pickle.dumps((key, plan), protocol=pickle.HIGHEST_PROTOCOL)
    return found


def key_digest(key: tuple) -> str:
    """Where a blueprint is kept: a digest of its ActiveRules key (`kept_blueprint` compares the key
    itself, so an ambiguous text could only cost a miss)."""
    return hashlib.sha256(repr(key).encode("utf-8", "surrogatepass")).hexdigest()


def kept_blueprint(kept: Mapping[str, bytes], key: tuple) -> Optional[Blueprint]:
    """The blueprint kept for the rules of `key`, or None. Each is unpickled only when its rules are
    compiled (a check compiles a fifth of them), by the cache's restricted unpickler."""
    data = kept.get(key_digest(key))
    if data is None:
        return None
    from ..rulesets.cache import loads

    try:
        found = loads(data)
    except Exception:  # noqa: BLE001 - a damaged blueprint is compiled again, never an error
        return None
    if not isinstance(found, tuple) or len(found) != 2 or found[0] != key:
        return None
    plan = found[1]
    return plan if isinstance(plan, tuple) and len(plan) == 5 else None
