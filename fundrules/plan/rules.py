"""Plan rules: a dated ruleset in `rulesets/_plan/` whose conditions read facts produced by the
first stage (`candidat.<funder>`: the funder is eligible or to be checked). They run through the
same backends as the funders' rules: a second forward-chaining stage."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from pydantic import ValidationError

from ..case import validation_to_input_error
from ..conditions.kleene import compile_condition
from ..conditions.parser import parse
from ..conditions.typecheck import check
from ..errors import InputError
from ..facts import BOOL
from ..provenance import file_digest
from ..rulesets import cache as plan_cache
from ..rulesets.catalog import ActiveRules, Catalog, Source, plain_criterion, pseudo_funder_rules
from ..rulesets.loader import check_bounds, number_problem
from ..source import parse_bytes, read_bounded

PLAN_FOLDER = "_plan"


def candidate_fact(funder_id: str) -> str:
    return f"candidat.{funder_id}"


@dataclass(frozen=True)
class PlanVersion:
    label: str
    valid_from: dt.date
    valid_to: Optional[dt.date]
    order: tuple[str, ...]
    complements: tuple[str, ...]
    excludes: dict[str, str]  # rule key -> funder excluded when the rule does not hold
    active: ActiveRules  # the rules as a pseudo-funder, for the backends
    unlock_only_if: tuple = ()  # ((funder, criterion key, compiled condition over case facts), ...)

    def covers(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


def load_plan_rules(directory: Path, catalog: Catalog) -> list[PlanVersion]:
    """The plan rules of `directory/_plan`, checked against `catalog`'s funders. When the catalog
    came from (or went to) the ruleset cache, the plan rules are kept in the same entry's companion
    (`rulesets.cache.read_plan`): the same key, so the same files and code; read back, only the
    conditions of the unlock guards are compiled again (closures are not kept)."""
    folder = Path(directory) / PLAN_FOLDER
    if not folder.is_dir():
        return []
    cached = Path(directory) == Path(catalog.directory)  # the catalog's key covers these files
    versions = _from_cache(plan_cache.read_plan(catalog)) if cached else None
    if versions is None:
        specs, digests = _read_specs(folder, catalog)
        versions = [_version(spec) for spec in specs]
        if cached and _as_keyed(digests, catalog):
            plan_cache.write_plan(catalog, specs)
    versions.sort(key=lambda v: v.valid_from)
    for previous, current in zip(versions, versions[1:], strict=False):
        if previous.valid_to is None or current.valid_from != previous.valid_to + dt.timedelta(days=1):
            raise InputError("versions des règles de plan qui se chevauchent ou laissent un trou", file=str(folder))
    return versions


def _as_keyed(digests: dict[str, str], catalog: Catalog) -> bool:
    """True when the plan files just read are those the catalog's cache key was computed from (the
    same bytes, no file more or fewer): only then may they be kept under that key."""
    keyed = {path: digest for path, digest in (catalog.files or {}).items() if path.startswith(PLAN_FOLDER + "/")}
    keyed = {path: digest for path, digest in keyed.items() if path.endswith(".yaml") and path.count("/") == 1}
    return bool(keyed) and keyed == digests


def _from_cache(specs) -> Optional[list[PlanVersion]]:
    """The plan versions of specs read back from the cache; None when they are not what this code
    writes (then the files are read)."""
    if not isinstance(specs, list):
        return None
    try:
        return [_version(spec) for spec in specs]
    except Exception:  # noqa: BLE001 - an entry of another shape is a miss, never an error
        return None


def _version(spec: dict) -> PlanVersion:
    """A plan version from its spec: the rules as a pseudo-funder, the unlock guards compiled."""
    active = pseudo_funder_rules(
        "_plan",
        "règles de plan",
        spec["criteria"],
        label=spec["label"],
        valid_from=spec["valid_from"],
        valid_to=spec["valid_to"],
        sources=spec["sources"],
        summary=spec["summary"],
        file=spec["file"],
        folder=spec["folder"],
    )
    return PlanVersion(
        spec["label"],
        spec["valid_from"],
        spec["valid_to"],
        spec["order"],
        spec["complements"],
        spec["excludes"],
        active,
        tuple((funder, key, compile_condition(node)) for funder, key, node in spec["guards"]),
    )


def _read_specs(folder: Path, catalog: Catalog) -> tuple[list[dict], dict[str, str]]:
    """The plan files of `folder` read and checked: one spec per file (plain values, condition trees
    and catalog classes: what the cache's restricted reader rebuilds), and {relative path: digest}
    of the bytes read."""
    from ..rulesets.schema import PlanVersionFile

    extra = {candidate_fact(fid): BOOL for fid in catalog.funders}
    specs, digests = [], {}
    for path in sorted(folder.glob("*.yaml")):
        raw = read_bounded(path)
        digests[f"{PLAN_FOLDER}/{path.name}"] = file_digest(raw)
        doc = parse_bytes(raw, str(path))
        try:
            spec = PlanVersionFile.model_validate(doc.data if isinstance(doc.data, dict) else {})
        except ValidationError as err:
            raise validation_to_input_error(err, doc) from None
        check_bounds(spec, doc)
        for funder_id in spec.order + spec.complements:
            if funder_id not in catalog.funders:
                raise InputError(
                    f"financeur inconnu « {funder_id} »", file=doc.file, line=doc.line_of(("order",)), field="order"
                )
        sources = {s.id: Source(s.id, s.title, s.url, s.article) for s in spec.sources}
        criteria, excludes = [], {}
        for i, rule in enumerate(spec.rules):
            where = ("rules", i)
            try:
                node = check(parse(rule.condition), {}, extra)
                problem = number_problem(node)
                if problem:
                    raise InputError(problem)
            except InputError as err:
                raise InputError(
                    err.reason,
                    file=doc.file,
                    line=doc.line_of(where + ("condition",)),
                    field=f"règle {rule.id}.condition",
                ) from None
            if rule.effect.exclude not in catalog.funders:
                raise InputError(
                    f"financeur inconnu « {rule.effect.exclude} »",
                    file=doc.file,
                    line=doc.line_of(where + ("effect",)),
                    field=f"règle {rule.id}.effect",
                )
            unknown = [s for s in rule.sources if s not in sources]
            if not rule.sources or unknown:
                raise InputError(
                    "règle sans source connue",
                    file=doc.file,
                    line=doc.line_of(where + ("sources",)),
                    field=f"règle {rule.id}.sources",
                )
            criteria.append(
                plain_criterion(
                    rule.id,
                    node,
                    rule.condition,
                    rule.message,
                    required=rule.condition,
                    sources=tuple(sources[s] for s in rule.sources),
                    verified=rule.verified,
                    file=doc.file,
                    line=doc.line_of(where),
                    condition_line=doc.line_of(where + ("condition",)),
                )
            )
            excludes[rule.id] = rule.effect.exclude
        guards = []
        for i, guard in enumerate(spec.unlock_only_if):
            where = ("unlock_only_if", i)
            if guard.funder not in catalog.funders:
                raise InputError(
                    f"financeur inconnu « {guard.funder} »",
                    file=doc.file,
                    line=doc.line_of(where + ("funder",)),
                    field="unlock_only_if.funder",
                )
            try:
                node = check(parse(guard.condition), {})
            except InputError as err:
                raise InputError(
                    err.reason,
                    file=doc.file,
                    line=doc.line_of(where + ("condition",)),
                    field="unlock_only_if.condition",
                ) from None
            guards.append((guard.funder, guard.criterion, node))
        specs.append(
            {
                "label": spec.version,
                "valid_from": spec.valid_from,
                "valid_to": spec.valid_to,
                "order": tuple(spec.order),
                "complements": tuple(spec.complements),
                "excludes": excludes,
                "criteria": tuple(criteria),
                "sources": tuple(sources.values()),
                "summary": spec.summary,
                "file": doc.file,
                "folder": str(folder),
                "guards": tuple(guards),
            }
        )
    return specs, digests
