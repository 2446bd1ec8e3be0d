"""The evaluation as a counsellor reads it in a terminal: the decision first (candidates), then the
real blockers (value seen, value required), what to collect, the next steps; funders whose public
excludes the person ("hors public") and schemes not in force in one line each. Fits the terminal."""

from __future__ import annotations

from typing import Optional
from urllib.parse import urlsplit

from ..french import date_fr, fact_label, fact_value_fr, period_fr, short_name, value_fr
from ..results import STATUS_FR, Evaluation, FunderResult
from .layout import fit, terminal_width, wrap

MARK = {"eligible": "[OK]", "blocked": "[X] ", "a_verifier": "[?] ", "not_in_force": "[--]"}
INDENT = "     "
STEPS_SHOWN = 2  # next steps per funder in text; all of them are in the JSON


def _name(result: FunderResult) -> str:
    return short_name(result.funder_name)


def out_of_scope_line(results: list[FunderResult]) -> Optional[str]:
    """ "Hors public : AIF (demandeurs d'emploi inscrits), Agefiph (BOETH du secteur privé)"."""
    outside = [r for r in results if r.in_scope is False]
    if not outside:
        return None
    return (
        "Hors public : " + ", ".join(_name(r) + (f" ({r.scope_label})" if r.scope_label else "") for r in outside) + "."
    )


def routes_out_of_scope_line(results: list[FunderResult]) -> Optional[str]:
    """Routes of funders in the person's public that are not for them: "CIF : CIF-CDI, CIF-intérim"."""
    parts = []
    for r in results:
        if r.in_scope is False:
            continue
        routes = [route.label for route in r.routes if route.in_scope is False]
        if routes:
            parts.append(f"{_name(r)} : {', '.join(routes)}")
    return ("Voies hors public : " + " ; ".join(parts) + ".") if parts else None


def is_candidate(result: FunderResult) -> bool:
    return result.status in ("eligible", "a_verifier") and result.in_scope is not False


def is_dead_end(result: FunderResult) -> bool:
    """Blocked for this person (not merely outside the scheme's public)."""
    return result.status == "blocked" and result.in_scope is not False


def _steps(result: FunderResult) -> list[str]:
    """Next steps other than "collect these facts", which the collect section already says."""
    return [s for s in result.next_steps if not s.startswith("Recueillir")]


def _head(result: FunderResult, width: int) -> list[str]:
    status = STATUS_FR[result.status]
    if result.status == "a_verifier" and result.in_scope is None and result.scope_label:
        status += f" (public à vérifier : {result.scope_label})"
    return wrap(f"{result.funder_name} : {status}", width, MARK[result.status] + " ", INDENT)


def _candidate(result: FunderResult, width: int) -> list[str]:
    lines = _head(result, width)
    open_routes = [r.label for r in result.routes if r.status != "blocked" and r.in_scope is not False]
    if open_routes:
        lines += wrap("voie : " + ", ".join(open_routes), width, INDENT)
    if result.message:
        lines += wrap(result.message, width, INDENT)
    if result.status == "eligible":
        lines += wrap("décide : " + result.decided_by, width, INDENT)
    for notice in result.notices:
        lines += wrap("note : " + notice, width, INDENT)
    if result.unverified_criteria:  # their names are in the JSON and --explain; here, how many
        count = len(result.unverified_criteria)
        lines += wrap(
            f"à confirmer : {count} critère(s) de cette réponse sans source qui le confirme (--explain)",
            width,
            INDENT,
        )
    return lines


def _dead_end(result: FunderResult, width: int) -> list[str]:
    lines = _head(result, width)
    if result.message:
        lines += wrap(result.message, width, INDENT)
    for blocker in result.scoped_blockers():
        lines += wrap(blocker.message, width, INDENT + "- ", INDENT + "  ")
        seen = ", ".join(fact_value_fr(k, v) for k, v in blocker.observed.items())
        if seen:
            lines += wrap("vu : " + seen, width, INDENT + "  ", INDENT + "    ")
        lines += wrap("requis : " + blocker.required, width, INDENT + "  ", INDENT + "    ")
        for source in blocker.sources:  # one line each; the full reference is in --format json
            lines.append(
                _one_line(
                    INDENT + "  source : " + source.title + (f" ({urlsplit(source.url).netloc})" if source.url else ""),
                    width,
                )
            )
    for notice in result.notices:
        lines += wrap("note : " + notice, width, INDENT)
    return lines


def _one_line(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _collect(results: list[FunderResult], width: int) -> list[str]:
    wanted: dict[str, list[str]] = {}
    for r in results:
        if is_candidate(r) or is_dead_end(r):
            for path in r.missing_facts:
                wanted.setdefault(path, []).append(_name(r))
    lines = []
    for path, funders in wanted.items():
        lines += wrap(f"{fact_label(path)} (pour {', '.join(funders)})", width, "  - ", "    ")
    return lines


def _next_steps(results: list[FunderResult], width: int) -> list[str]:
    """Each step once, naming every funder it serves ("AFPR, POEI : ..."), candidates first; at most
    STEPS_SHOWN new steps per funder, how many others each has said once at the end (they are in the JSON)."""
    ordered = [
        r
        for r in sorted(results, key=lambda r: (not is_candidate(r), r.status != "eligible"))
        if is_candidate(r) or is_dead_end(r)
    ]
    served: dict[str, list[str]] = {}  # step -> the funders that list it, in the order above
    for r in ordered:
        for step in _steps(r):
            names = served.setdefault(step, [])
            if _name(r) not in names:
                names.append(_name(r))
    lines: list[str] = []
    printed: set[str] = set()
    more = []  # "AIF 2": steps left to the JSON, said once at the end
    for r in ordered:
        new = [step for step in dict.fromkeys(_steps(r)) if step not in printed]
        for step in new[:STEPS_SHOWN]:
            printed.add(step)
            lines += wrap(f"{', '.join(served[step])} : {step}", width, "  -> ", "     ")
        if len(new) > STEPS_SHOWN:
            more.append(f"{_name(r)} {len(new) - STEPS_SHOWN}")
    if more:
        lines += wrap(f"Autres étapes dans --format json : {', '.join(more)}.", width, "     ", "     ")
    return lines


def _rules_line(results: list[FunderResult]) -> str:
    """The versions applied, grouped by their period: "du 01/01/2015 au 31/12/2023 : AFPR 2015, AIF 2015"."""
    periods: dict[str, list[str]] = {}
    for r in results:
        if r.ruleset_version and r.valid_from:
            periods.setdefault(period_fr(r.valid_from, r.valid_to), []).append(f"{_name(r)} {r.ruleset_version}")
    parts = [f"{period} : {', '.join(versions)}" for period, versions in periods.items()]
    return "Règles appliquées : " + " ; ".join(parts) + "." if parts else ""


def render_text(
    evaluation: Evaluation,
    source: str | None = None,
    width: int | None = None,
    region: str | None = None,
    note: str | None = None,
) -> str:
    """`region`: the case's region code, said with its name ("Centre-Val de Loire (code 24)");
    `note`: a line said first (the case lacks the triage facts)."""
    width = width or terminal_width()
    results = list(evaluation.results)
    head = f"Évaluation au {date_fr(evaluation.as_of)}"
    if evaluation.date_demande and evaluation.date_demande != evaluation.as_of:
        head += f" (demande du {date_fr(evaluation.date_demande)}, règles d'une autre date)"
    if source:
        head += f" — {source}"
    lines = wrap(head, width)
    if region:
        lines += wrap(f"Région : {value_fr(region, 'region')}", width, "", "  ")  # escaped, on one line
    if note:
        lines += wrap(note, width, "", "  ")
    for warning in evaluation.warnings:
        lines += wrap(f"Attention : {warning}", width, "", "  ")
    for derived in evaluation.derived_facts:
        lines += wrap(
            f"Calculé : {fact_value_fr(derived.fact, derived.value)} (d'après "
            f"{', '.join(fact_label(p) for p in derived.derived_from)})",
            width,
            "",
            "  ",
        )

    income = [r for r in results if r.kind == "income"]  # schemes that pay the person: their own section
    results = [r for r in results if r.kind == "course"]
    candidates = [r for r in results if is_candidate(r)]
    candidates.sort(key=lambda r: r.status != "eligible")
    dead_ends = [r for r in results if is_dead_end(r)]
    lines += [""]
    if candidates:
        lines.append(f"CANDIDATS ({len(candidates)})")
        for r in candidates:
            lines += _candidate(r, width)
    else:
        lines.append("CANDIDATS : aucun financeur éligible ni à vérifier.")
    if dead_ends:
        lines += ["", f"BLOQUÉS ({len(dead_ends)})"]
        for r in dead_ends:
            lines += _dead_end(r, width)
    others = [line for line in (out_of_scope_line(results), routes_out_of_scope_line(results)) if line]
    not_in_force = [r for r in results if r.status == "not_in_force"]
    if not_in_force:
        others.append(
            "Pas en vigueur : "
            + " ; ".join(_name(r) + (f" — {r.message.rstrip('.')}" if r.message else "") for r in not_in_force)
            + "."
        )
    if others:
        lines.append("")
        for line in others:
            lines += wrap(line, width, "", "  ")
    if income:
        lines += ["", "RESSOURCES PENDANT LA FORMATION (dispositifs qui rémunèrent la personne)"]
        paid = [r for r in income if is_candidate(r)]
        for r in sorted(paid, key=lambda r: r.status != "eligible"):
            lines += _candidate(r, width)
        blocked = [r for r in income if is_dead_end(r)]
        if blocked:
            lines += wrap(
                "Bloqués : "
                + " ; ".join(
                    _name(r) + (f" — {r.scoped_blockers()[0].message.rstrip('.')}" if r.scoped_blockers() else "")
                    for r in blocked
                ),
                width,
                "",
                "  ",
            )
        outside = out_of_scope_line(income)
        if outside:
            lines += wrap(outside, width, "", "  ")
        if not paid:
            lines += wrap("Aucune ressource identifiée pendant la formation : voir fundrules plan.", width)
        results = results + income
    collect = _collect(results, width)
    if collect:
        lines += ["", "À RECUEILLIR"] + collect
    steps = _next_steps(results, width)
    if steps:
        lines += ["", "PROCHAINES ÉTAPES"] + steps
    rules = _rules_line(results)
    if rules:
        lines += [""] + wrap(rules, width, "", "  ")
    traced = [r for r in results if r.trace]  # only with --explain
    if traced:
        from ..engine.trace import render_trace

        lines += ["", "EXPLICATION (critère par critère)"]
        for r in traced:
            lines += wrap(_name(r), width) + render_trace(r.trace or [])
    return "\n".join(fit(lines, width)) + "\n"
