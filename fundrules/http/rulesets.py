"""What `fundrules rulesets list` and `rulesets show` say, as JSON (with their French text), each
version with its file and that file's digest: the digests an evaluation's results carry
(`ruleset_file`, `ruleset_digest`), so that a stored answer can be linked to the rules shown."""

from __future__ import annotations

import datetime as dt
import difflib
from typing import Any, Optional

from ..french import fill, value_fr
from ..provenance import relative_file
from ..rulesets.catalog import Catalog, Criterion, Funder, Source, Variant, Version
from ..rulesets.describe import list_rulesets, show_ruleset
from .errors import HttpError


def _tracks(funder: Funder) -> list[Optional[Variant]]:
    return list(funder.variants.values()) if funder.variant_by else [None]


def _sources(sources: tuple[Source, ...]) -> list[dict]:
    return [{"title": s.title, "url": s.url, "article": s.article} for s in sources]


def _funder_head(funder: Funder) -> dict:
    return {
        "id": funder.id,
        "name": funder.name,
        "category": funder.category,
        "kind": funder.kind,
        "decided_by": funder.decided_by,
        "mobilised_by": list(funder.mobilised_by),
        "replaced_by": funder.replaced_by,
        "variant_by": funder.variant_by,
    }


def _track(variant: Optional[Variant]) -> dict:
    if variant is None:
        return {"variant": None}
    return {"variant": variant.id, "variant_name": variant.name, "illustrative": variant.illustrative}


def _file(catalog: Catalog, version: Version, digests: dict[str, str]) -> dict:
    file = relative_file(catalog.directory, version.file)
    return {"file": file, "digest": digests.get(file)}


def _version_head(catalog: Catalog, version: Version, digests: dict[str, str]) -> dict:
    return {
        "label": version.label,
        "valid_from": version.valid_from,
        "valid_to": version.valid_to,
        "criteria": len(version.criteria),
        "sources": len(version.sources),
        **_file(catalog, version, digests),
    }


def rulesets_list(catalog: Catalog, as_of: Optional[dt.date], digests: dict[str, str]) -> dict:
    """`digests`: {file relative to the rulesets directory: digest}, the Engine's `ruleset_files`."""
    funders = []
    for funder in sorted(catalog.funders.values(), key=lambda f: f.id):
        tracks = [
            {
                **_track(variant),
                "versions": [
                    _version_head(catalog, v, digests)
                    for v in funder.versions_of(variant)
                    if as_of is None or v.covers(as_of)
                ],
            }
            for variant in _tracks(funder)
        ]
        funders.append({**_funder_head(funder), "tracks": tracks})
    return {"as_of": as_of, "funders": funders, "text": list_rulesets(catalog, as_of)}


def _criterion(criterion: Criterion, params: dict[str, Any]) -> dict:
    values = {name: value_fr(params[name]) for name in criterion.params + criterion.text_params if name in params}
    return {
        "key": criterion.key,
        "id": criterion.id,
        "route": criterion.route,
        "label": criterion.label,
        "required": fill(criterion.required, values),
        "condition": " ".join(criterion.condition_text.split()),
        "facts": list(criterion.facts),
        "verified": criterion.verified,
        "blocking": criterion.blocking,
        "gate": criterion.gate,
        "valid_from": criterion.valid_from,
        "valid_to": criterion.valid_to,
        "unlock": criterion.unlock,
        "sources": _sources(criterion.sources),
    }


def unknown_funder(catalog: Catalog, funder_id: str) -> HttpError:
    guess = difflib.get_close_matches(funder_id, list(catalog.funders), n=1)
    hint = f" — vouliez-vous dire {guess[0]} ?" if guess else ""
    return HttpError(
        404,
        "not_found",
        f"financeur inconnu « {funder_id} » ; connus : {', '.join(sorted(catalog.funders))}{hint}",
        field="funder",
    )


def ruleset_show(catalog: Catalog, funder_id: str, day: dt.date, digests: dict[str, str]) -> dict:
    funder = catalog.funders.get(funder_id)
    if funder is None:
        raise unknown_funder(catalog, funder_id)
    tracks = []
    for variant in _tracks(funder):
        active = catalog.active(funder, day, variant)
        if active is None:
            tracks.append({**_track(variant), "version": None})
            continue
        v, params = active.version, active.param_values()
        tracks.append(
            {
                **_track(variant),
                "version": {
                    "label": v.label,
                    "valid_from": v.valid_from,
                    "valid_to": v.valid_to,
                    "decided_by": v.decided_by or (variant.decided_by if variant else None) or funder.decided_by,
                    "summary": " ".join(v.summary.split()) if v.summary else None,
                    "sources": _sources(v.sources),
                    "parameters": [
                        {
                            "name": name,
                            "value": value,
                            "unit": v.parameters[name].unit,
                            "description": v.parameters[name].description,
                        }
                        for name, value in params.items()
                    ],
                    "routes": [{"id": r.id, "label": r.label} for r in v.routes],
                    "criteria": [_criterion(c, params) for c in active.criteria],
                    **_file(catalog, v, digests),
                },
            }
        )
    return {**_funder_head(funder), "as_of": day, "tracks": tracks, "text": show_ruleset(catalog, funder_id, day)}
