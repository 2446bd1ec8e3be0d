"""The pack for the quarterly level-3 meeting: agenda, blockers, counts, a chart, and earlier cases
that a rule change has since unblocked. Markdown and one self-contained HTML page (no network)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from ..escape import escape_html, escape_markdown
from ..french import (
    ACTION_FR,
    CONTRAT_FR,
    OPERATEUR_FR,
    STATUT_FR,
    date_fr,
    fact_value_fr,
    humanize,
    short_name,
    value_fr,
)
from ..library.cases import LibraryCase, find_case_files, load_library_case
from ..plan import make_plan
from ..plan.model import Plan
from ..provenance import provenance_fr
from ..results import STATUS_FR, Evaluation, FunderResult
from .plan import income_dead_end, income_summary, plan_summary
from .text import is_candidate, is_dead_end, out_of_scope_line, routes_out_of_scope_line

HISTORY_QUARTERS = 4


@dataclass
class AgendaItem:
    case: LibraryCase
    evaluation: Evaluation
    profile: list[str]
    plan: Plan


@dataclass
class Unblocked:
    case: LibraryCase
    funders: list[str]  # funders eligible now that were not at the case's meeting


@dataclass
class MeetingPack:
    region: str
    quarter: str
    date: dt.date
    agenda: list[AgendaItem]
    by_blocker: dict[str, list[str]]
    counts: dict[str, int]
    history: dict[str, Counter] = field(default_factory=dict)  # quarter -> blocker -> count
    unblocked: list[Unblocked] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # "funder · criterion key" -> French label


def criterion_labels(catalog) -> dict[str, str]:
    """French labels of every criterion ("cif · cdi.anciennete" → "CIF · Ancienneté salariée…")."""
    labels: dict[str, str] = {}
    for funder in catalog.funders.values():
        tracks = list(funder.variants.values()) if funder.variant_by else [None]
        for track in tracks:
            for version in funder.versions_of(track):
                for c in version.criteria:
                    if c.label:
                        labels.setdefault(f"{funder.id} · {c.key}", f"{short_name(funder.name)} · {c.label}")
    return labels


def _profile(case: LibraryCase) -> list[str]:
    b, p = case.case.beneficiaire, case.case.projet
    who = [STATUT_FR.get(b.statut, "situation inconnue")]
    if b.inscrit_pole_emploi is not None:
        who.append("inscrit à Pôle emploi" if b.inscrit_pole_emploi else "non inscrit à Pôle emploi")
    if b.age is not None:
        who.append(f"{b.age} ans")
    if b.contrat:
        who.append(f"dernier contrat : {CONTRAT_FR[b.contrat]}")
    if b.boeth:
        who.append("BOETH")
    operator = OPERATEUR_FR.get(case.case.operateur or "", "opérateur inconnu")
    project = [p.intitule] if p.intitule else []
    project.append(ACTION_FR.get(p.type_action, "nature de l'action inconnue"))
    if p.duree_heures is not None:
        project.append(f"{value_fr(p.duree_heures)} h")
    if p.date_debut:
        project.append(f"début {date_fr(p.date_debut)}")
    if p.cout_pedagogique is not None:
        project.append(f"{value_fr(p.cout_pedagogique)} EUR")
    first = ", ".join(who)
    return [f"{first[:1].upper()}{first[1:]} ; suivi par : {operator}.", f"Projet : {', '.join(project)}."]


def _situation(item: AgendaItem) -> str:
    """The person and the project in one line."""
    return " ".join(item.profile)


def _load_region(cases_dir: Path, region: str) -> list[LibraryCase]:
    folder = cases_dir / region
    if not folder.is_dir():
        raise InputError(f"aucun cas pour la région « {region} »", file=str(folder))
    return [load_library_case(p, root=cases_dir) for p in find_case_files([folder])]


def prepare_meeting(engine, cases_dir: Path, region: str, quarter: str) -> MeetingPack:
    cases = _load_region(cases_dir, region)
    current = [c for c in cases if c.meeting.quarter == quarter]
    if not current:
        raise InputError(f"aucun cas soumis pour la réunion {region}/{quarter}", file=str(cases_dir / region / quarter))
    date = max(c.meeting.date for c in current)
    at_meeting: dict[str, Evaluation] = {}  # each case evaluated once at its own meeting

    def evaluation_of(c: LibraryCase) -> Evaluation:
        if c.id not in at_meeting:
            at_meeting[c.id] = engine.evaluate(c.case, as_of=c.meeting.date)
        return at_meeting[c.id]

    agenda = [
        AgendaItem(
            c, evaluation_of(c), _profile(c), make_plan(engine, c.case, c.meeting.date, evaluation=evaluation_of(c))
        )
        for c in sorted(current, key=lambda c: c.id)
    ]
    by_blocker: dict[str, list[str]] = defaultdict(list)
    counts: Counter = Counter()
    for item in agenda:
        for result in _course(item.evaluation):
            blockers = result.scoped_blockers()  # a scheme whose public excludes the person is no dead end
            for blocker in blockers:
                by_blocker[f"{result.funder} · {blocker.criterion}"].append(item.case.id.rsplit("/", 1)[-1])
            if blockers:
                counts[result.funder] += len(blockers)
    quarters = sorted({c.meeting.quarter for c in cases if c.meeting.quarter <= quarter})[-HISTORY_QUARTERS:]
    history: dict[str, Counter[str]] = {q: Counter() for q in quarters}
    for c in cases:
        if c.meeting.quarter in history:
            for result in _course(evaluation_of(c)):
                for blocker in result.scoped_blockers():
                    history[c.meeting.quarter][f"{result.funder} · {blocker.criterion}"] += 1
    unblocked = []
    for c in sorted((c for c in cases if c.meeting.quarter < quarter), key=lambda c: c.id):
        then = evaluation_of(c)
        now = engine.evaluate(c.case, as_of=date)
        before = {r.funder for r in _course(then) if r.status == "eligible"}
        gained = [r.funder for r in _course(now) if r.status == "eligible" and r.funder not in before]
        if gained:
            unblocked.append(Unblocked(c, gained))
    return MeetingPack(
        region,
        quarter,
        date,
        agenda,
        dict(sorted(by_blocker.items(), key=lambda kv: (-len(kv[1]), kv[0]))),
        dict(counts.most_common()),
        history,
        unblocked,
        criterion_labels(engine.catalog),
    )


def _plan_line(plan: Plan) -> str:
    """The first plan; an impasse says so first (what would unlock it has its own line)."""
    if not plan.plans:
        return "impasse : aucun financeur ne peut être sollicité." if plan.impasse else "aucun"
    line = plan_summary(plan.plans[0])
    return f"impasse, aucun plan ne couvre le coût ; le plus proche : {line}" if plan.impasse else line


def _unlock_matters(plan: Plan) -> bool:
    """Unlocks are worth the meeting's time only when no plan surely covers the cost."""
    return bool(plan.unlock) and (plan.impasse or not plan.plans or plan.plans[0].covers_cost is not True)


def _unlocks(plan: Plan) -> str:
    return " ; ".join(f"{u.what} ({short_name(u.funder_name or u.funder)})" for u in plan.unlock)


def _course(evaluation: Evaluation):
    """Course funders only: income schemes (kind: income) have their own line, « Ressources »."""
    return [r for r in evaluation.results if r.kind == "course"]


def _income_line(plan: Plan) -> str:
    return income_summary(plan)


def income_dead_ends(pack: MeetingPack) -> list[str]:
    """Agenda cases whose person has no income during the course and nothing left to check."""
    return [item.case.id.rsplit("/", 1)[-1] for item in pack.agenda if income_dead_end(item.plan)]


def _possible(evaluation: Evaluation) -> list[str]:
    return [f"{short_name(r.funder_name)} ({STATUS_FR[r.status]})" for r in _course(evaluation) if is_candidate(r)]


def _dead_ends(evaluation: Evaluation) -> list[tuple[FunderResult, list]]:
    return [(r, r.scoped_blockers()) for r in _course(evaluation) if is_dead_end(r) and r.scoped_blockers()]


def _funder_short(pack: MeetingPack, funder: str) -> str:
    for item in pack.agenda:
        for r in item.evaluation.results:
            if r.funder == funder:
                return short_name(r.funder_name)
    return funder


def _blocker_label(pack: MeetingPack, key: str) -> str:
    """ "cif · cdi.anciennete" → "CIF · Ancienneté…" (the chart and lists read labels, not codes)."""
    if key in pack.labels:
        return pack.labels[key]
    funder, _, criterion = key.partition(" · ")
    return f"{_funder_short(pack, funder)} · {humanize(criterion)}"


md = escape_markdown  # every free text and id placed in Markdown (one function for the format)


def render_markdown(pack: MeetingPack) -> str:
    lines = [
        f"# Réunion de niveau 3 — {md(pack.region)}, {md(pack.quarter)} ({date_fr(pack.date)})",
        "",
        f"{len(pack.agenda)} cas soumis ; règles appliquées : celles de la date de la réunion. "
        "Les bloquants comptés sont ceux des dispositifs dont la personne relève (hors public à part).",
        "",
        "## Ordre du jour",
        "",
    ]
    for n, item in enumerate(pack.agenda, 1):
        ev = item.evaluation
        lines += [
            f"### {n}. {md(item.case.id.rsplit('/', 1)[-1])}",
            "",
            f"**Question :** {md(item.case.problem)}",
            "",
            f"**Situation :** {md(_situation(item))}",
            "",
            f"**Candidats :** {md(', '.join(_possible(ev)) or 'aucun')}",
            "",
        ]
        dead = _dead_ends(ev)
        if dead:
            lines += ["**Impasse :**", ""]
            for result, blockers in dead:
                for b in blockers:
                    seen = ", ".join(fact_value_fr(k, v) for k, v in b.observed.items())
                    source = " ; ".join(s.title for s in b.sources)
                    lines.append(
                        f"- **{md(short_name(result.funder_name))}** — {md(b.message)}"
                        + (f" Vu : {md(seen)}." if seen else "")
                        + f" Requis : {md(b.required)}."
                        + f" _Source : {md(source)}_"
                    )
            lines.append("")
        lines += [
            f"**Plan :** {md(_plan_line(item.plan))}",
            "",
            f"**Ressources pendant la formation :** {md(_income_line(item.plan))}",
            "",
        ]
        if _unlock_matters(item.plan):
            lines += [f"**Ce qui débloquerait :** {md(_unlocks(item.plan))}", ""]
        for extra in (out_of_scope_line(_course(ev)), routes_out_of_scope_line(_course(ev))):
            if extra:
                lines += [md(extra), ""]
    dead_income = income_dead_ends(pack)
    lines += [
        "## Impasses de ressources pendant la formation",
        "",
        (
            md(f"{len(dead_income)} cas sans ressource identifiée : {', '.join(dead_income)}")
            if dead_income
            else "Aucune."
        ),
        "",
    ]
    lines += ["## Cas regroupés par bloquant", ""]
    for key, ids in pack.by_blocker.items():
        lines.append(f"- **{md(_blocker_label(pack, key))}** ({len(ids)}) : {md(', '.join(ids))}")
    if not pack.by_blocker:
        lines.append("Aucun bloquant.")
    lines += ["", "## Bloquants par financeur", "", "| financeur | bloquants |", "|---|---|"]
    lines += [f"| {md(_funder_short(pack, f))} | {n} |" for f, n in pack.counts.items()]
    lines += ["", f"## Bloquants les plus fréquents ({md(', '.join(pack.history))})", ""]
    for key, total in _top(pack):
        per = ", ".join(f"{q} : {pack.history[q][key]}" for q in pack.history)
        lines.append(f"- {md(_blocker_label(pack, key))} — {total} ({md(per)})")
    lines += ["", "## Cas des réunions précédentes débloqués depuis par un changement de règles", ""]
    if not pack.unblocked:
        lines.append("Aucun.")
    for u in pack.unblocked:
        lines.append(
            f"- {md(u.case.id)} (réunion du {date_fr(u.case.meeting.date)}) : désormais éligible à "
            f"{md(', '.join(_funder_short(pack, f) for f in u.funders))}"
        )
    lines += ["", "---", "", provenance_fr(pack.agenda[0].evaluation.provenance)]
    return "\n".join(lines) + "\n"


def _top(pack: MeetingPack, n: int = 8) -> list[tuple[str, int]]:
    totals: Counter = Counter()
    for counter in pack.history.values():
        totals.update(counter)
    return sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))[:n]


PALETTE = ["#1b6ca8", "#e07b39", "#3a9d5d", "#8e5ea2", "#c94c4c", "#6b7f8f"]


CHART_LABEL = 48  # characters of a blocker's label that fit the chart's 330-pixel label column


def chart_svg(pack: MeetingPack) -> str:
    """Stacked horizontal bars: the most frequent blockers, one colour per quarter."""
    top = _top(pack)
    quarters = list(pack.history)
    label_width, bar_width, row, top_margin = 330, 360, 26, 34
    height = top_margin + row * max(len(top), 1) + 20
    largest = max((t for _k, t in top), default=1)
    # a viewBox lets the page shrink the chart on a phone (without it, Chromium at 390 px clipped it)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_width + bar_width + 60}" height="{height}" '
        f'viewBox="0 0 {label_width + bar_width + 60} {height}" '
        f'role="img" aria-label="Bloquants les plus fréquents">',
        "<style>text{font:12px sans-serif;fill:#222}</style>",
    ]
    for i, q in enumerate(quarters):
        legend_x = label_width + i * 90
        parts.append(
            f'<rect x="{legend_x}" y="6" width="12" height="12" fill="{PALETTE[i % len(PALETTE)]}"/>'
            f'<text x="{legend_x + 16}" y="16">{escape_html(q)}</text>'
        )
    for r, (key, total) in enumerate(top):
        y = top_margin + r * row
        label = _blocker_label(pack, key)
        shown = (
            label if len(label) <= CHART_LABEL else label[: CHART_LABEL - 1] + "…"
        )  # long ones ran off the left edge
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 14}" text-anchor="end">'
            f"<title>{escape_html(label)}</title>{escape_html(shown)}</text>"
        )
        x = float(label_width)
        for i, q in enumerate(quarters):
            count = pack.history[q][key]
            if count:
                w = bar_width * count / largest
                parts.append(
                    f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="18" fill="{PALETTE[i % len(PALETTE)]}">'
                    f"<title>{escape_html(q)} : {count}</title></rect>"
                )
                x += w
        parts.append(f'<text x="{x + 6:.1f}" y="{y + 14}">{total}</text>')
    if not top:
        parts.append(f'<text x="10" y="{top_margin + 14}">Aucun bloquant sur la période.</text>')
    parts.append("</svg>")
    return "".join(parts)


CSS = """body{font-family:sans-serif;max-width:60rem;margin:1.5rem auto;padding:0 1rem;color:#222;line-height:1.45;
overflow-wrap:anywhere}h1{font-size:1.45rem}h2{border-bottom:1px solid #ccc;margin-top:2rem;font-size:1.2rem}
h3{margin:.2rem 0 .6rem}article{border:1px solid #ddd;border-radius:6px;padding:.6rem 1rem;margin:1rem 0}
dl{margin:0}dt{font-weight:bold;margin-top:.5rem}dd{margin:0 0 0 1rem}ul{padding-left:1.2rem;margin:.3rem 0}
.ok{color:#2e7d32}.ko{color:#b71c1c}.src{color:#666;font-size:.85em}.hors{color:#555;font-size:.92em}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .6rem;text-align:left}
figure{margin:0;overflow-x:auto}svg{max-width:100%;height:auto}.vu{display:block;color:#444}
@media (max-width:600px){body{padding:0 .5rem;margin-top:.8rem}article{padding:.5rem .6rem}dd{margin-left:.3rem}
h1{font-size:1.2rem}}"""


def render_html(pack: MeetingPack) -> str:
    """The same content as the Markdown, in one page with no external resource (no script, no link)."""
    e = escape_html
    out = [
        "<!DOCTYPE html>",
        '<html lang="fr"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Réunion de niveau 3 — {e(pack.region)} {e(pack.quarter)}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>Réunion de niveau 3 — {e(pack.region)}, {e(pack.quarter)} ({date_fr(pack.date)})</h1>",
        f"<p>{len(pack.agenda)} cas soumis ; règles appliquées : celles de la date de la réunion. Les bloquants "
        "comptés sont ceux des dispositifs dont la personne relève (hors public à part).</p>",
        "<h2>Ordre du jour</h2>",
    ]
    for n, item in enumerate(pack.agenda, 1):
        ev = item.evaluation
        out += [
            f"<article><h3>{n}. {e(item.case.id.rsplit('/', 1)[-1])}</h3><dl>",
            f"<dt>Question</dt><dd>{e(item.case.problem)}</dd>",
            f"<dt>Situation</dt><dd>{e(_situation(item))}</dd>",
            f'<dt>Candidats</dt><dd class="ok">{e(", ".join(_possible(ev)) or "aucun")}</dd>',
        ]
        dead = _dead_ends(ev)
        if dead:
            out.append("<dt>Impasse</dt><dd><ul>")
            for result, blockers in dead:
                for b in blockers:
                    seen = ", ".join(fact_value_fr(k, v) for k, v in b.observed.items())
                    sources = " ; ".join(
                        (f'<a href="{e(s.url)}">{e(s.title)}</a>' if s.url else e(s.title)) for s in b.sources
                    )
                    out.append(
                        f'<li><strong class="ko">{e(short_name(result.funder_name))}</strong> — {e(b.message)}'
                        + (f' <span class="vu">Vu : {e(seen)}.</span>' if seen else "")
                        + f' <span class="vu">Requis : {e(b.required)}.</span>'
                        + f' <span class="src">Source : {sources}</span></li>'
                    )
            out.append("</ul></dd>")
        out.append(f"<dt>Plan</dt><dd>{e(_plan_line(item.plan))}</dd>")
        out.append(f"<dt>Ressources pendant la formation</dt><dd>{e(_income_line(item.plan))}</dd>")
        if _unlock_matters(item.plan):
            out.append(f"<dt>Ce qui débloquerait</dt><dd>{e(_unlocks(item.plan))}</dd>")
        out.append("</dl>")
        for extra in (out_of_scope_line(_course(ev)), routes_out_of_scope_line(_course(ev))):
            if extra:
                out.append(f'<p class="hors">{e(extra)}</p>')
        out.append("</article>")
    dead_income = income_dead_ends(pack)
    out.append(
        "<h2>Impasses de ressources pendant la formation</h2><p>"
        + (
            e(f"{len(dead_income)} cas sans ressource identifiée : {', '.join(dead_income)}")
            if dead_income
            else "Aucune."
        )
        + "</p>"
    )
    out.append("<h2>Cas regroupés par bloquant</h2><ul>")
    out += [
        f"<li><strong>{e(_blocker_label(pack, k))}</strong> ({len(v)}) : {e(', '.join(v))}</li>"
        for k, v in pack.by_blocker.items()
    ]
    if not pack.by_blocker:
        out.append("<li>Aucun bloquant.</li>")
    out.append("</ul><h2>Bloquants par financeur</h2><table><tr><th>financeur</th><th>bloquants</th></tr>")
    out += [f"<tr><td>{e(_funder_short(pack, f))}</td><td>{n}</td></tr>" for f, n in pack.counts.items()]
    out.append(f"</table><h2>Bloquants les plus fréquents ({e(', '.join(pack.history))})</h2>")
    out.append(f"<figure>{chart_svg(pack)}</figure>")
    out.append("<h2>Cas des réunions précédentes débloqués depuis par un changement de règles</h2><ul>")
    if not pack.unblocked:
        out.append("<li>Aucun.</li>")
    out += [
        f"<li>{e(u.case.id)} (réunion du {date_fr(u.case.meeting.date)}) : désormais éligible à "
        f"{e(', '.join(_funder_short(pack, f) for f in u.funders))}</li>"
        for u in pack.unblocked
    ]
    out.append(f"</ul><footer><p>{e(provenance_fr(pack.agenda[0].evaluation.provenance))}</p></footer>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
