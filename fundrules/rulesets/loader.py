"""Reads `rulesets/<funder>/funder.yaml` and its version files into a validated Catalog.

Every refusal names the file, the line and the field or criterion at fault. Checks: file
shape, unknown facts and type mismatches in conditions, unknown parameters and sources,
duplicate criterion ids, empty routes, and versions of one funder that overlap or leave a gap.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from ..case import EARLIEST_DATE, LATEST_DATE, validation_to_input_error
from ..conditions.kleene import facts_of, params_of
from ..conditions.parser import parse
from ..conditions.typecheck import check, check_number, literal_type
from ..errors import InputError
from ..facts import FACTS
from ..provenance import file_digest, read_ruleset_files
from ..source import Located, parse_bytes, read_document
from . import cache as catalog_cache
from .catalog import Catalog, Criterion, Funder, Parameter, Revaluation, Route, Source, Variant, Version

if TYPE_CHECKING:  # the file schema is imported when files are read: not for a catalog from the cache
    from .schema import CriterionFile, FunderFile, ParameterFile, VariantFile, VersionFile

FUNDER_FILE = "funder.yaml"
VARIANT_FILE = "variant.yaml"
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
ONE_DAY = dt.timedelta(days=1)
SHORT_FACT_NAMES = {f.name for f in FACTS.values()}
MAX_NUMBER = 2**53  # every number in a ruleset: beyond, an integer has no exact double
# Every date of a ruleset (periods, reviews, parameter schedules, date values, date literals in
# conditions) lies within the dates a case may give (fundrules/case.py): the engine adds days and
# months to them, and 9999-12-31 + 1 day cannot be computed (rulesets/README.md, "Bounds").
EARLIEST_RULE_DATE = EARLIEST_DATE
LATEST_RULE_DATE = LATEST_DATE
# Bounds on a ruleset's size (rulesets/README.md, "Bounds"): about ten times the largest bundled
# funder (48 criteria over its versions) and the bundled total (440). Every criterion active on a
# day is compiled by the durable backend: 3 funders of 10,000 criteria took 15 s and 1.65 GB.
MAX_CRITERIA_PER_FUNDER = 500  # over all its versions and variants
MAX_CRITERIA_TOTAL = 5_000  # over the whole catalog
Reader = Callable[[Path], Located]  # reads one ruleset file (from disk, or from the files read for the cache)


def _date_bounds_fr() -> str:
    return f"du {_fmt(EARLIEST_RULE_DATE)} au {_fmt(LATEST_RULE_DATE)}"


def number_problem(node) -> str | None:
    """Why a literal of `node` is refused, else None: a number not finite or beyond ±2**53, or a date
    outside EARLIEST_RULE_DATE..LATEST_RULE_DATE (the engine computes the days around each date of a
    condition: 9999-12-31 has no next day)."""
    from ..conditions.ast import Literal
    from ..conditions.typecheck import walk

    found: list[str] = []

    def visit(item) -> None:
        value = getattr(item, "value", None) if isinstance(item, Literal) else None
        if isinstance(value, (int, float)) and not isinstance(value, bool) and not abs(value) <= MAX_NUMBER:
            found.append(
                f"nombre {item.text()} hors des bornes admises (au plus {MAX_NUMBER} en valeur absolue, soit 2**53)"
            )
        elif isinstance(value, dt.date) and not EARLIEST_RULE_DATE <= value <= LATEST_RULE_DATE:
            found.append(f"date {item.text()} hors des bornes admises ({_date_bounds_fr()})")

    walk(node, visit)
    return found[0] if found else None


def check_bounds(spec: BaseModel, doc: Located) -> None:
    """Refuse, with its file and line, any date of a validated ruleset file outside the dates the
    engine can compute with, and any number beyond ±2**53 or not finite, wherever it sits (periods,
    reviews, parameter schedules and values, ranks): a value the engine would overflow on later
    (a review date plus its period, the day after a period's end) is refused at load."""
    pending: list[tuple[tuple, Any]] = [((), spec)]
    while pending:
        path, value = pending.pop()
        if isinstance(value, BaseModel):  # its fields are the file's keys (the file models have no aliases)
            items: Any = value.__dict__.items()
        elif isinstance(value, dict):
            items = value.items()
            for key in value:
                if isinstance(key, dt.date):
                    _check_value(key, path + (key,), doc)
        elif isinstance(value, (list, tuple)):
            items = enumerate(value)
        else:
            _check_value(value, path, doc)
            continue
        for key, item in items:
            if item is not None and type(item) is not str and type(item) is not bool:  # most values: nothing to check
                pending.append((path + (key,), item))


def _check_value(value: Any, path: tuple, doc: Located) -> None:
    if isinstance(value, str) or value is None or isinstance(value, (bool, dt.datetime)):
        return  # a datetime is refused by the loader's own checks ("date sans heure attendue")
    if isinstance(value, dt.date):
        if not EARLIEST_RULE_DATE <= value <= LATEST_RULE_DATE:
            raise _bounds_error(f"date {value.isoformat()} hors des bornes admises ({_date_bounds_fr()})", path, doc)
    elif isinstance(value, (int, float)) and not abs(value) <= MAX_NUMBER:
        raise _bounds_error(
            f"nombre hors des bornes admises (fini, au plus {MAX_NUMBER} en valeur absolue, soit 2**53)", path, doc
        )


def _bounds_error(reason: str, path: tuple, doc: Located) -> InputError:
    if path[:1] == ("parameters",):  # named as the loader's other checks of a parameter name it
        field: str | None = ".".join(str(part) for part in path[:2])
    else:
        field = ".".join(str(part) for part in path if not isinstance(part, (int, dt.date))) or None
    return InputError(reason, file=doc.file, line=doc.line_of(path), field=field)


def criteria_count(spec: VersionFile) -> int:
    """Criteria of a version file, common and in its routes."""
    return len(spec.criteria) + sum(len(route.criteria) for route in spec.routes)


@functools.lru_cache(maxsize=4096)
def _checked_condition(text: str, param_types: tuple[tuple[str, str], ...]):
    """(typed tree, facts read, parameters read, number problem or None) of a criterion's condition.

    Once per text and parameter types: a condition repeated from version to version is parsed and
    walked once (the trees are immutable, so sharing them is safe). A condition that fails raises
    each time (errors are not cached)."""
    node = check(parse(text), dict(param_types))
    return node, facts_of(node), params_of(node), number_problem(node)


def default_rulesets_dir() -> Path:
    """FUNDRULES_RULESETS, else the rulesets installed with the package, else the checkout's."""
    override = os.environ.get("FUNDRULES_RULESETS")
    if override:
        return Path(override)
    return shipped_rulesets_dir()


def shipped_rulesets_dir() -> Path:
    """The rulesets shipped with fundrules: installed as package data, else the checkout's."""
    try:
        bundled = _package_folder("fundrules.bundled_rulesets")
        if bundled.is_dir():
            return bundled
    except (ModuleNotFoundError, TypeError):
        pass
    return Path(__file__).resolve().parents[2] / "rulesets"


def _package_folder(package: str) -> Path:
    """`importlib.resources.files(package)` as a Path. For a regular package (an `__init__.py` in a
    folder: the bundled rulesets in a wheel or a checkout) that is its `__init__.py`'s folder, found
    here without importing the package nor importlib.resources' readers (every cold start asks
    whether the rulesets are the bundled ones); any other kind of package is asked to `files`."""
    import importlib.util

    spec = importlib.util.find_spec(package)
    origin = spec.origin if spec is not None else None
    if spec is not None and spec.submodule_search_locations is not None and origin and spec.has_location:
        if os.path.basename(origin) == "__init__.py":
            return Path(origin).parent
    from importlib.resources import files

    return Path(str(files(package)))


def _validate(model: type[BaseModel], doc: Located) -> Any:
    if not isinstance(doc.data, dict):
        raise InputError("un bloc de champs (clé: valeur) était attendu", file=doc.file, line=1)
    try:
        spec = model.model_validate(doc.data)
    except ValidationError as err:
        raise validation_to_input_error(err, doc) from None
    check_bounds(spec, doc)
    return spec


def _fmt(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "sans fin"


class _VersionBuilder:
    def __init__(self, funder_id: str, doc: Located, spec: VersionFile, illustrative: bool = False):
        self.funder_id = funder_id
        self.doc = doc
        self.spec = spec
        self.illustrative = illustrative
        self.sources = {s.id: Source(s.id, s.title, s.url, s.article) for s in spec.sources}

    def error(self, reason: str, path: tuple, field: str | None = None) -> InputError:
        return InputError(reason, file=self.doc.file, line=self.doc.line_of(path), field=field)

    def parameters(self) -> dict[str, Parameter]:
        result = {}
        for name, spec in self.spec.parameters.items():
            path = ("parameters", name)
            if name in FACTS or name in SHORT_FACT_NAMES:
                raise self.error("un paramètre ne peut pas porter le nom d'un fait", path, f"parameters.{name}")
            values = sorted(spec.values.items())
            types = set()
            for start, item in values:
                vpath = path + ("values", start)
                value = item.value
                if isinstance(value, float) and value != value:
                    raise self.error("valeur NaN refusée", vpath, f"parameters.{name}")
                if isinstance(value, (int, float)) and not isinstance(value, bool) and not abs(value) <= MAX_NUMBER:
                    raise self.error(
                        f"nombre hors des bornes admises (fini, au plus {MAX_NUMBER} en valeur absolue, soit 2**53)",
                        vpath,
                        f"parameters.{name}",
                    )
                if value is None or isinstance(value, (list, dict)):
                    raise self.error(
                        "valeur simple attendue (nombre, date, texte, booléen)", vpath, f"parameters.{name}"
                    )
                if isinstance(value, dt.datetime):
                    raise self.error("date sans heure attendue (AAAA-MM-JJ)", vpath, f"parameters.{name}")
                types.add(literal_type(value))
                if item.source not in self.sources:
                    raise self.error(
                        f"source inconnue « {item.source} » (déclarez-la dans sources)",
                        vpath,
                        f"parameters.{name}.source",
                    )
                if self.spec.valid_to and start > self.spec.valid_to:
                    raise self.error(
                        f"valeur datée du {_fmt(start)}, après la fin de la version", vpath, f"parameters.{name}"
                    )
            if len(types) > 1:
                raise self.error(
                    "toutes les valeurs d'un paramètre doivent être du même type", path, f"parameters.{name}"
                )
            result[name] = Parameter(
                name,
                spec.description,
                spec.unit,
                types.pop(),
                tuple((d, v.value, v.source) for d, v in values),
                frozenset(d for d, v in values if not v.verified),
                self.revaluation(name, spec, path),
            )
        return result

    def revaluation(self, name: str, spec: ParameterFile, path: tuple) -> Revaluation | None:
        """The schedule of an indexed amount (`revalued:`), its rule's source checked."""
        found = spec.revalued
        if found is None:
            return None
        rpath = path + ("revalued",)
        if found.source not in self.sources:
            raise self.error(
                f"source inconnue « {found.source} » (déclarez-la dans sources)", rpath, f"parameters.{name}.revalued"
            )
        if found.until is not None and found.until < found.since:
            raise self.error("until est avant since", rpath, f"parameters.{name}.revalued")
        month, day = (int(part) for part in found.rule.rsplit(" ", 1)[1].split("-"))
        if day > calendar.monthrange(2024, month)[1]:
            raise self.error(f"jour {day:02d}/{month:02d} inexistant", rpath, f"parameters.{name}.revalued.rule")
        return Revaluation(month, day, found.since, found.until, self.sources[found.source], found.note)

    def criterion(self, spec: CriterionFile, path: tuple, route: str | None, params: dict[str, Parameter]) -> Criterion:
        key = f"{route}.{spec.id}" if route else spec.id
        where = f"critère {key}"
        cpath = path + ("condition",)
        try:
            node, node_facts, node_params, problem = _checked_condition(
                spec.condition, tuple((n, p.value_type) for n, p in params.items())
            )
        except InputError as err:
            raise self.error(err.reason, cpath, f"{where}.condition") from None
        if problem:
            raise self.error(problem, cpath, f"{where}.condition")
        for attr in ("message", "required", "next_step"):
            text = getattr(spec, attr)
            if not text:
                continue
            allowed = (
                set(params)
                | {"observed"}
                | {f.rsplit(".", 1)[-1] for f in node_facts}
                | ({"required"} if attr != "required" else set())
            )
            for name in PLACEHOLDER.findall(text):
                if name not in allowed:
                    raise self.error(
                        f"repère {{{name}}} inconnu ; possibles : {', '.join(sorted(allowed))}",
                        path + (attr,),
                        f"{where}.{attr}",
                    )
        text_params = tuple(
            sorted(
                {
                    name
                    for attr in ("message", "required", "next_step")
                    for name in PLACEHOLDER.findall(getattr(spec, attr) or "")
                    if name in params
                }
                - set(node_params)
            )
        )
        for name in node_params + text_params:
            first = params[name].values[0][0]
            if first > (spec.valid_from or self.spec.valid_from):
                raise self.error(
                    f"le paramètre {name} n'a pas de valeur avant le {_fmt(first)}, or le critère s'applique "
                    f"dès le {_fmt(spec.valid_from or self.spec.valid_from)} (donnez-lui valid_from)",
                    path,
                    f"{where}.condition",
                )
        if self.illustrative and spec.verified:
            raise self.error(
                "règles illustratives : verified doit être false (aucune source ne les confirme)",
                path + ("verified",),
                f"{where}.verified",
            )
        if spec.gate and route is None:
            raise self.error("gate ne s'emploie que dans une voie (routes)", path + ("gate",), f"{where}.gate")
        if not spec.sources:
            raise self.error("critère sans source : citez au moins une source", path + ("sources",), f"{where}.sources")
        for source in spec.sources:
            if source not in self.sources:
                raise self.error(
                    f"source inconnue « {source} » (déclarez-la dans sources)", path + ("sources",), f"{where}.sources"
                )
        start, end = spec.valid_from, spec.valid_to
        if start and start < self.spec.valid_from or end and self.spec.valid_to and end > self.spec.valid_to:
            raise self.error("période du critère hors de la période de la version", path, where)
        if start and end and end < start:
            raise self.error("valid_to avant valid_from", path, where)
        return Criterion(
            key=key,
            id=spec.id,
            route=route,
            label=spec.label,
            condition=node,
            condition_text=spec.condition,
            message=spec.message,
            condition_line=self.doc.line_of(cpath),
            required=spec.required or spec.condition,
            next_step=spec.next_step,
            sources=tuple(self.sources[s] for s in spec.sources),
            verified=spec.verified,
            gate=spec.gate,
            blocking=spec.blocking,
            unlock=spec.unlock,
            valid_from=start,
            valid_to=end,
            facts=node_facts,
            params=node_params,
            text_params=text_params,
            file=self.doc.file,
            line=self.doc.line_of(path),
        )

    def build(self) -> Version:
        spec = self.spec
        if spec.valid_to and spec.valid_to < spec.valid_from:
            raise self.error("valid_to est avant valid_from", ("valid_to",), "valid_to")
        if not spec.criteria and not spec.routes:
            raise self.error(
                "version sans critère ni voie : elle rendrait tout le monde éligible", ("criteria",), "criteria"
            )
        params = self.parameters()
        criteria: list[Criterion] = []
        for i, c in enumerate(spec.criteria):
            criteria.append(self.criterion(c, ("criteria", i), None, params))
        routes = []
        seen_routes = set()
        for r_index, route in enumerate(spec.routes):
            rpath = ("routes", r_index)
            if route.id in seen_routes:
                raise self.error(f"voie « {route.id} » en double", rpath, f"routes.{route.id}")
            seen_routes.add(route.id)
            if not route.criteria:
                raise self.error("voie sans critère (liste vide)", rpath + ("criteria",), f"routes.{route.id}.criteria")
            routes.append(Route(route.id, route.label))
            for i, c in enumerate(route.criteria):
                criteria.append(self.criterion(c, rpath + ("criteria", i), route.id, params))
        self._check_duplicates(criteria)
        amounts: dict[str, Any] = {}
        for attr in ("amount", "amount_hours"):
            text = getattr(spec, attr)
            if text is None:
                amounts[attr] = None
                continue
            try:
                amounts[attr] = check_number(parse(text), {n: p.value_type for n, p in params.items()})
            except InputError as err:
                raise self.error(err.reason, (attr,), attr) from None
        holder_share = None
        if spec.holder_share:
            if spec.holder_share.parameter not in params:
                raise self.error(
                    f"paramètre inconnu « {spec.holder_share.parameter} »", ("holder_share",), "holder_share.parameter"
                )
            if spec.holder_share.unless not in {c.id for c in criteria}:
                raise self.error(
                    f"critère inconnu « {spec.holder_share.unless} »", ("holder_share",), "holder_share.unless"
                )
            if params[spec.holder_share.parameter].value_type != "number":
                raise self.error(
                    f"le paramètre « {spec.holder_share.parameter} » de holder_share doit être un "
                    "nombre (la part payée par le titulaire)",
                    ("holder_share",),
                    "holder_share.parameter",
                )
            holder_share = (spec.holder_share.parameter, spec.holder_share.unless)
        return Version(
            funder=self.funder_id,
            label=spec.version,
            valid_from=spec.valid_from,
            valid_to=spec.valid_to,
            summary=spec.summary,
            decided_by=spec.decided_by,
            advice=spec.advice,
            amount=amounts["amount"],
            amount_hours=amounts["amount_hours"],
            holder_share=holder_share,
            sources=tuple(self.sources.values()),
            parameters=params,
            criteria=tuple(criteria),
            routes=tuple(routes),
            file=self.doc.file,
            orientation_step=spec.orientation_step,
            name=spec.name,
            payer=spec.payer,
            valid_from_verified=spec.valid_from_verified,
            valid_to_verified=spec.valid_to_verified,
            dates_note=spec.dates_note,
        )

    def _check_duplicates(self, criteria: list[Criterion]) -> None:
        far_past, far_future = dt.date.min, dt.date.max
        for i, a in enumerate(criteria):
            for b in criteria[:i]:
                if a.key != b.key:
                    continue
                a_start, a_end = a.valid_from or far_past, a.valid_to or far_future
                b_start, b_end = b.valid_from or far_past, b.valid_to or far_future
                if a_start <= b_end and b_start <= a_end:
                    raise InputError(
                        f"critère {a.key} en double sur une même période (déjà défini ligne {b.line})",
                        file=a.file,
                        line=a.line,
                        field=f"critère {a.key}",
                    )


def _check_periods(funder_id: str, versions: list[Version]) -> None:
    for previous, current in zip(versions, versions[1:], strict=False):
        if previous.valid_to is None or current.valid_from <= previous.valid_to:
            raise InputError(
                f"la version {current.label} ({_fmt(current.valid_from)}) chevauche la version "
                f"{previous.label} ({_fmt(previous.valid_from)} – {_fmt(previous.valid_to)})",
                file=current.file,
                field="valid_from",
            )
        if current.valid_from != previous.valid_to + ONE_DAY:
            raise InputError(
                f"trou entre la version {previous.label} (fin {_fmt(previous.valid_to)}) et la version "
                f"{current.label} (début {_fmt(current.valid_from)}) : aucune règle du "
                f"{_fmt(previous.valid_to + ONE_DAY)} au {_fmt(current.valid_from - ONE_DAY)}",
                file=current.file,
                field="valid_from",
            )


def _read_named(path: Path, model: type[BaseModel], folder: Path, read: Reader) -> tuple[Located, Any]:
    """Read a funder.yaml or variant.yaml whose `id` must be the name of its folder."""
    doc = read(path)
    spec = _validate(model, doc)
    if spec.id != folder.name:
        raise InputError(
            f"l'identifiant « {spec.id} » doit être le nom du dossier « {folder.name} »",
            file=doc.file,
            line=doc.line_of(("id",)),
            field="id",
        )
    return doc, spec


def _load_versions(
    funder_id: str,
    folder: Path,
    illustrative: bool = False,
    read: Reader = read_document,
    budget: _CriteriaBudget | None = None,
) -> list[Version]:
    versions = []
    budget = budget or _CriteriaBudget()
    for path in sorted(folder.iterdir()):
        if path.name in (FUNDER_FILE, VARIANT_FILE) or path.suffix not in (".yaml", ".yml"):
            continue
        vdoc = read(path)
        from .schema import VersionFile

        vspec = _validate(VersionFile, vdoc)
        budget.spend(funder_id, criteria_count(vspec), vdoc)
        versions.append(_VersionBuilder(funder_id, vdoc, vspec, illustrative).build())
    if not versions:
        raise InputError("aucune version (fichier AAAA-MM-JJ.yaml) dans ce dossier", file=str(folder))
    versions.sort(key=lambda v: v.valid_from)
    _check_periods(funder_id, versions)
    return versions


class _CriteriaBudget:
    """Criteria counted file by file as a catalog loads, so that a ruleset beyond its bounds is refused
    before its criteria are built (MAX_CRITERIA_PER_FUNDER, MAX_CRITERIA_TOTAL)."""

    def __init__(self) -> None:
        self.per_funder: dict[str, int] = {}
        self.total = 0

    def spend(self, funder_id: str, count: int, doc: Located) -> None:
        spent = self.per_funder[funder_id] = self.per_funder.get(funder_id, 0) + count
        self.total += count
        for used, bound, whose in (
            (spent, MAX_CRITERIA_PER_FUNDER, f"le financeur {funder_id} (versions et variantes comprises)"),
            (self.total, MAX_CRITERIA_TOTAL, "l'ensemble des financeurs"),
        ):
            if used > bound:
                raise InputError(
                    f"trop de critères pour {whose} : {used} au moins, au plus {bound}",
                    file=doc.file,
                    line=doc.line_of(("criteria",)),
                    field="criteria",
                )


def _load_variants(
    spec: FunderFile, folder: Path, doc: Located, read: Reader, budget: _CriteriaBudget | None = None
) -> dict[str, Variant]:
    if spec.variant_by not in FACTS:
        raise InputError(
            f"variant_by : fait inconnu « {spec.variant_by} »",
            file=doc.file,
            line=doc.line_of(("variant_by",)),
            field="variant_by",
        )
    stray = [
        p.name for p in folder.iterdir() if p.is_file() and p.suffix in (".yaml", ".yml") and p.name != FUNDER_FILE
    ]
    if stray:
        raise InputError(
            f"financeur à variantes : les versions vont dans un sous-dossier par variante ({', '.join(sorted(stray))})",
            file=str(folder),
        )
    variants = {}
    for sub in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
        vpath = sub / VARIANT_FILE
        if not vpath.is_file():
            raise InputError(f"{VARIANT_FILE} manquant dans le dossier de la variante", file=str(sub))
        from .schema import VariantFile

        vspec: VariantFile = _read_named(vpath, VariantFile, sub, read)[1]
        versions = _load_versions(spec.id, sub, vspec.illustrative, read, budget)
        if vspec.scope is not None:
            _check_scope(vspec.scope, versions, str(vpath))
        variants[vspec.id] = Variant(
            vspec.id,
            vspec.name,
            vspec.illustrative,
            vspec.decided_by,
            vspec.note,
            tuple(versions),
            scope=tuple(vspec.scope) if vspec.scope is not None else None,
            scope_label=vspec.scope_label,
            reviewed_on=vspec.reviewed_on,
            review_every_months=vspec.review_every_months,
            review_with=vspec.review_with,
        )
    if not variants:
        raise InputError("financeur à variantes sans aucune variante", file=str(folder))
    return variants


def _check_scope(scope: list[str], versions, file: str) -> None:
    """Each scope id must name a criterion (common or in a route) of every version it applies to."""
    for version in versions:
        ids = {c.id for c in version.criteria}
        for criterion in scope:
            if criterion not in ids:
                raise InputError(
                    f"scope : critère « {criterion} » absent de la version {version.label} ({Path(version.file).name})",
                    file=file,
                    field="scope",
                )


def load_funder(folder: Path, read: Reader = read_document, budget: _CriteriaBudget | None = None) -> Funder:
    funder_path = folder / FUNDER_FILE
    if not funder_path.is_file():
        raise InputError(f"{FUNDER_FILE} manquant dans le dossier du financeur", file=str(folder))
    from .schema import FunderFile

    doc, spec = _read_named(funder_path, FunderFile, folder, read)
    budget = budget or _CriteriaBudget()
    variants = _load_variants(spec, folder, doc, read, budget) if spec.variant_by else {}
    versions = [] if spec.variant_by else _load_versions(spec.id, folder, read=read, budget=budget)
    firsts = [v.versions[0].valid_from for v in variants.values()] + ([versions[0].valid_from] if versions else [])
    if spec.in_force_from and spec.in_force_from > min(firsts):
        raise InputError(
            "in_force_from est après le début de la première version",
            file=doc.file,
            line=doc.line_of(("in_force_from",)),
            field="in_force_from",
        )
    if spec.scope:
        where = str(funder_path)
        if variants:
            for variant in variants.values():
                if variant.scope is None:
                    _check_scope(spec.scope, variant.versions, where)
        else:
            _check_scope(spec.scope, versions, where)
    if spec.income is not None and spec.kind != "income":
        raise InputError(
            "le champ income est réservé aux financeurs kind: income",
            file=doc.file,
            line=doc.line_of(("income",)),
            field="income",
        )
    if spec.kind != "income":
        for version in [*versions, *(v for variant in variants.values() for v in variant.versions)]:
            if version.payer is not None:
                raise InputError(
                    "le champ payer d'une version est réservé aux financeurs kind: income",
                    file=version.file,
                    field="payer",
                )
    return Funder(
        scope=tuple(spec.scope),
        scope_label=spec.scope_label,
        id=spec.id,
        name=spec.name,
        category=spec.category,
        kind=spec.kind,
        decided_by=spec.decided_by,
        mobilised_by=tuple(spec.mobilised_by),
        orientation_step=spec.orientation_step,
        in_force_from=spec.in_force_from,
        before_start=spec.before_start,
        replaced_by=spec.replaced_by,
        description=spec.description,
        versions=tuple(versions),
        folder=str(folder),
        successor=spec.successor,
        variant_by=spec.variant_by,
        variants=variants,
        reviewed_on=spec.reviewed_on,
        review_every_months=spec.review_every_months,
        review_with=spec.review_with,
        income=spec.income.model_dump() if spec.income else None,
    )


class _Snapshot:
    """The ruleset files read once (bounded) before anything is parsed: the catalog is built from
    the very bytes its cache key and its digests were computed from."""

    def __init__(self, directory: Path, files: dict[str, bytes]):
        self.files = {str(directory / relative): data for relative, data in files.items()}
        self.complete = True  # False once a file outside the snapshot had to be read

    def read(self, path: Path) -> Located:
        data = self.files.get(str(path))
        if data is None:
            self.complete = False
            return read_document(path)
        return parse_bytes(data, str(path), json_syntax=path.suffix.lower() == ".json")


def load_catalog(directory: str | Path | None = None, *, cache: bool = True) -> Catalog:
    """Load every funder folder of `directory` (default: the bundled rulesets).

    With `cache` (and unless FUNDRULES_NO_CACHE is set), a catalog already loaded from the same files
    by the same code is read back from the user's cache directory (fundrules.rulesets.cache).
    Either way every file is read once: the catalog carries the digests provenance needs (`files`)."""
    directory = Path(directory) if directory else default_rulesets_dir()
    if not directory.is_dir():
        raise InputError("dossier de règles introuvable", file=str(directory))
    folder = catalog_cache.cache_dir(bundled=_is_bundled(directory)) if cache else None
    files = read_ruleset_files(directory)  # read once: parsed, and digested for provenance (no second read)
    if files is None:
        return _load_catalog(directory, read_document)
    key = None
    if folder is not None:
        key = catalog_cache.entry_key(str(directory), files)
        found = catalog_cache.read(folder, key, str(directory)) if key is not None else None
        if found is not None:
            return found
    snapshot = _Snapshot(directory, files)
    catalog = _load_catalog(directory, snapshot.read)
    if snapshot.complete:
        catalog.files = {relative: file_digest(data) for relative, data in files.items()}
        if folder is not None and key is not None:
            catalog_cache.write(folder, key, catalog)
    return catalog


def _is_bundled(directory: Path) -> bool:
    """True for the rulesets shipped with fundrules (cached by default in the user's cache folder)."""
    try:
        return directory.resolve() == shipped_rulesets_dir().resolve()
    except OSError:
        return False


def _load_catalog(directory: Path, read: Reader) -> Catalog:
    catalog = Catalog(directory=str(directory))
    budget = _CriteriaBudget()
    for folder in sorted(p for p in directory.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
        funder = load_funder(folder, read, budget)
        catalog.funders[funder.id] = funder
    if not catalog.funders:
        raise InputError("aucun financeur (sous-dossier avec funder.yaml) dans ce dossier", file=str(directory))
    for funder in catalog.funders.values():
        if funder.successor and funder.successor not in catalog.funders:
            raise InputError(
                f"successor : financeur inconnu « {funder.successor} »",
                file=str(Path(funder.folder) / FUNDER_FILE),
                field="successor",
            )
        for paired in (funder.income or {}).get("paired_with", []):
            if paired not in catalog.funders or catalog.funders[paired].kind != "course":
                raise InputError(
                    f"income.paired_with : « {paired} » n'est pas un financeur de formation (kind: course)",
                    file=str(Path(funder.folder) / FUNDER_FILE),
                    field="income.paired_with",
                )
    return catalog


__all__ = ["load_catalog", "load_funder", "default_rulesets_dir"]
