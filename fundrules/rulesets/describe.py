"""What the rulesets say, for people: list, show and diff, in French. The CLI only prints these."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Optional

from ..french import CATEGORY_FR, date_fr, fill, period_fr, value_fr
from .catalog import ActiveRules, Catalog, Criterion, Funder, Variant


def _tracks(funder: Funder) -> list[Optional[Variant]]:
    return list(funder.variants.values()) if funder.variant_by else [None]


def _review_fr(reviewed_on: Optional[dt.date], every_months: Optional[int]) -> str:
    """« ; revu le JJ/MM/AAAA (à revoir tous les N mois) », or that no review is recorded."""
    if reviewed_on is None:
        return " ; date de revue non renseignée"
    return f" ; revu le {date_fr(reviewed_on)}" + (f" (à revoir tous les {every_months} mois)" if every_months else "")


def _dates_fr(version) -> str:
    """The version's period, each date no source confirms marked « à confirmer »."""
    doubtful = []
    if not version.valid_from_verified:
        doubtful.append(f"début le {date_fr(version.valid_from)}")
    if not version.valid_to_verified and version.valid_to:
        doubtful.append(f"fin le {date_fr(version.valid_to)}")
    flag = f" ({' et '.join(doubtful)} à confirmer)" if doubtful else ""
    return period_fr(version.valid_from, version.valid_to) + flag


def _amount_lines(version, day: dt.date, shown: set[str]) -> list[str]:
    """Indexed amounts of the version (`revalued:`): value on `day`, schedule, and « à confirmer » when the
    last revaluation is not encoded."""
    lines = []
    for name in sorted(version.parameters):
        p = version.parameters[name]
        if p.revalued is None:
            continue
        missing = p.missing_revaluation(day)
        value = (
            f"à confirmer : revalorisation du {date_fr(missing)} non encodée (dernier montant "
            f"{value_fr(p.value_at(day))}{' ' + p.unit if p.unit else ''} au {date_fr(p.start_at(day))})"
            if missing
            else f"{value_fr(p.value_at(day))}{' ' + p.unit if p.unit else ''}"
            + ("" if p.verified_at(day) else " (à confirmer)")
        )
        if name in shown and not missing:
            value = "voir ci-dessus"
        lines.append(f"  {name} : {value} — {p.revalued.rule_fr} ({p.description} ; règle : {p.revalued.source.title})")
    return lines


def list_rulesets(catalog: Catalog, as_of: Optional[dt.date] = None) -> str:
    lines = []
    for funder in sorted(catalog.funders.values(), key=lambda f: f.id):
        name = funder.name_at(as_of) if as_of else funder.name
        lines.append(
            f"{funder.id} — {name} ({CATEGORY_FR.get(funder.category, funder.category)}) ; "
            f"décide : {funder.decided_by}" + _review_fr(funder.reviewed_on, funder.review_every_months)
        )
        for variant in _tracks(funder):
            versions = funder.versions_of(variant)
            shown = [v for v in versions if as_of is None or v.covers(as_of)]
            prefix = (
                f"  {variant.id} — {variant.name}{' (illustratif)' if variant.illustrative else ''}"
                f"{_review_fr(*funder.review_of(variant)) if variant.reviewed_on else ''} :"
                if variant
                else " "
            )
            if not shown:
                lines.append(f"{prefix} aucune version en vigueur le {date_fr(as_of)}")
            for v in shown:
                sources = len(v.sources)
                lines.append(
                    f"{prefix} version {v.label} {_dates_fr(v)}"
                    f" — {len(v.criteria)} critères, {sources} source{'s' if sources > 1 else ''}"
                )
    return "\n".join(lines) + "\n"


def _criterion_lines(criterion: Criterion, params: dict) -> list[str]:
    values = {name: value_fr(params[name]) for name in criterion.params + criterion.text_params if name in params}
    required = fill(criterion.required, values)
    flags = []
    if not criterion.verified:
        flags.append("à confirmer")
    if not criterion.blocking:
        flags.append("non bloquant")
    if criterion.gate:
        flags.append("condition d'accès à la voie")
    if criterion.valid_from or criterion.valid_to:
        if criterion.valid_to is None:
            flags.append(f"depuis le {date_fr(criterion.valid_from)}")
        elif criterion.valid_from is None:
            flags.append(f"jusqu'au {date_fr(criterion.valid_to)}")
        else:
            flags.append(period_fr(criterion.valid_from, criterion.valid_to))
    head = f"  - {criterion.key}" + (f" — {criterion.label}" if criterion.label else "")
    lines = [
        head + (f" [{', '.join(flags)}]" if flags else ""),
        f"      requis : {required}",
        f"      condition : {' '.join(criterion.condition_text.split())}",
    ]
    lines += [f"      source : {s.title}" + (f" <{s.url}>" if s.url else "") for s in criterion.sources]
    return lines


def show_ruleset(catalog: Catalog, funder_id: str, as_of: dt.date) -> str:
    funder = catalog.funders[funder_id]
    lines = [f"{funder.name_at(as_of)} [{funder.id}] — règles en vigueur le {date_fr(as_of)}"]
    if funder.scope_label:
        lines.append(
            f"Public : {funder.scope_label} (hors public si l'un de ces critères n'est pas rempli : "
            f"{', '.join(funder.scope)})"
        )
    for variant in _tracks(funder):
        active = catalog.active(funder, as_of, variant)
        title = f"{variant.id} — {variant.name}{' (illustratif)' if variant.illustrative else ''}" if variant else ""
        if title:
            lines += ["", title]
        if active is None:
            lines.append("  aucune version en vigueur à cette date")
            continue
        v = active.version
        lines.append(
            f"Version {v.label} {_dates_fr(v)} ; décide : "
            f"{v.decided_by or (variant.decided_by if variant else None) or funder.decided_by}"
            + _review_fr(*funder.review_of(variant))
        )
        if v.summary:
            lines.append(f"  {' '.join(v.summary.split())}")
        params = active.param_values()
        if params:
            lines.append("Paramètres :")
            for name, value in params.items():
                p = v.parameters[name]
                lines.append(f"  {name} = {value_fr(value)}{' ' + p.unit if p.unit else ''} ({p.description})")
        amounts = _amount_lines(v, as_of, set(params))
        if amounts:
            lines.append("Montants revalorisés :")
            lines += amounts
        common = [c for c in active.criteria if c.route is None]
        if common:
            lines.append("Critères communs :")
            for c in common:
                lines += _criterion_lines(c, params)
        for route in v.routes:
            lines.append(f"Voie {route.id} — {route.label} :")
            for c in active.criteria:
                if c.route == route.id:
                    lines += _criterion_lines(c, params)
    return "\n".join(lines) + "\n"


@dataclass
class RulesetDiff:
    funder: str
    track: Optional[str]
    before: Optional[str]
    after: Optional[str]
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    parameters: list[str] = field(default_factory=list)
    decided_by: Optional[str] = None

    def empty(self) -> bool:
        return not (
            self.added
            or self.removed
            or self.changed
            or self.parameters
            or self.decided_by
            or self.before != self.after
        )


def _decider(funder: Funder, active: Optional[ActiveRules]) -> Optional[str]:
    if active is None:
        return None
    return active.version.decided_by or (active.variant.decided_by if active.variant else None) or funder.decided_by


def diff_rulesets(catalog: Catalog, funder_id: str, first: dt.date, second: dt.date) -> list[RulesetDiff]:
    funder = catalog.funders[funder_id]
    diffs = []
    for variant in _tracks(funder):
        a, b = catalog.active(funder, first, variant), catalog.active(funder, second, variant)
        d = RulesetDiff(
            funder.id, variant.id if variant else None, a.version.label if a else None, b.version.label if b else None
        )
        ca = {c.key: c for c in a.criteria} if a else {}
        cb = {c.key: c for c in b.criteria} if b else {}
        d.added = [k for k in cb if k not in ca]
        d.removed = [k for k in ca if k not in cb]
        for key in ca.keys() & cb.keys():
            x, y = ca[key], cb[key]
            changes = []
            if " ".join(x.condition_text.split()) != " ".join(y.condition_text.split()):
                changes.append(
                    f"condition « {' '.join(x.condition_text.split())} » → « {' '.join(y.condition_text.split())} »"
                )
            if x.verified != y.verified:
                changes.append("vérifié" if y.verified else "désormais à confirmer")
            if x.blocking != y.blocking:
                changes.append("bloquant" if y.blocking else "non bloquant")
            if changes:
                d.changed.append(f"{key} : " + " ; ".join(changes))
        d.changed.sort()
        pa = a.param_values() if a else {}
        pb = b.param_values() if b else {}
        for name in sorted(pa.keys() & pb.keys()) if a and b else []:
            if pa.get(name) != pb.get(name):
                d.parameters.append(f"{name} : {value_fr(pa.get(name))} → {value_fr(pb.get(name))}")
        da, db = _decider(funder, a), _decider(funder, b)
        if da != db and da and db:
            d.decided_by = f"{da} → {db}"
        diffs.append(d)
    return diffs


def render_diff(diffs: list[RulesetDiff], first: dt.date, second: dt.date) -> str:
    lines = []
    for d in diffs:
        track = f" ({d.track})" if d.track else ""
        before = f"version {d.before}" if d.before else "aucune version"
        after = f"version {d.after}" if d.after else "aucune version"
        lines.append(f"{d.funder}{track} : du {date_fr(first)} ({before}) au {date_fr(second)} ({after})")
        if d.empty():
            lines.append("  aucun changement")
            continue
        if d.before is None or d.after is None:
            day = first if d.before is None else second
            lines.append(f"  pas de règles en vigueur le {date_fr(day)}")
        lines += [f"  + critère ajouté : {k}" for k in d.added]
        lines += [f"  - critère retiré : {k}" for k in d.removed]
        lines += [f"  ~ critère modifié : {c}" for c in d.changed]
        lines += [f"  ~ paramètre : {p}" for p in d.parameters]
        if d.decided_by:
            lines.append(f"  ~ qui décide : {d.decided_by}")
    return "\n".join(lines) + "\n"
