"""The pack for the quarterly level-3 meeting: agenda, blockers, counts, a chart, and earlier cases
that a rule change has since unblocked. Markdown and one self-contained HTML page (no network)."""

from __future__ import annotations

import datetime as dt
import html
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from ..french import ACTION_FR, CONTRAT_FR, STATUT_FR, date_fr, value_fr
from ..library.cases import LibraryCase, find_case_files, load_library_case, quarter_bounds
from ..plan import make_plan
from ..plan.model import Plan
from ..results import STATUS_FR, Evaluation
from .plan import income_dead_end, income_summary, plan_summary

OPERATORS_FR = {"mission_locale": "Mission locale", "apec": "Apec", "cap_emploi": "Cap emploi",
                "pole_emploi": "Pôle emploi", "fongecif": "Fongecif", "opacif": "OPACIF", "autre": "autre opérateur"}
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
    operator = OPERATORS_FR.get(case.case.operateur or "", "opérateur inconnu")
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

    agenda = [AgendaItem(c, evaluation_of(c), _profile(c),
                         make_plan(engine, c.case, c.meeting.date, evaluation=evaluation_of(c)))
              for c in sorted(current, key=lambda c: c.id)]
    by_blocker: dict[str, list[str]] = defaultdict(list)
    counts: Counter = Counter()
    for item in agenda:
        for result in _course(item.evaluation):
            for blocker in result.blockers:
                by_blocker[f"{result.funder} · {blocker.criterion}"].append(item.case.id.rsplit("/", 1)[-1])
            if result.blockers:
                counts[result.funder] += len(result.blockers)
    quarters = sorted({c.meeting.quarter for c in cases if c.meeting.quarter <= quarter})[-HISTORY_QUARTERS:]
    history = {q: Counter() for q in quarters}
    for c in cases:
        if c.meeting.quarter in history:
            for result in _course(evaluation_of(c)):
                for blocker in result.blockers:
                    history[c.meeting.quarter][f"{result.funder} · {blocker.criterion}"] += 1
    unblocked = []
    for c in sorted((c for c in cases if c.meeting.quarter < quarter), key=lambda c: c.id):
        then = evaluation_of(c)
        now = engine.evaluate(c.case, as_of=date)
        before = {r.funder for r in _course(then) if r.status == "eligible"}
        gained = [r.funder for r in _course(now) if r.status == "eligible" and r.funder not in before]
        if gained:
            unblocked.append(Unblocked(c, gained))
    return MeetingPack(region, quarter, date, agenda, dict(sorted(by_blocker.items(), key=lambda kv: (-len(kv[1]), kv[0]))),
                       dict(counts.most_common()), history, unblocked)


def _plan_line(plan: Plan) -> str:
    if not plan.plans:
        return plan.message or "aucun"
    line = plan_summary(plan.plans[0])
    return f"{plan.message} {line}" if plan.impasse and plan.message else line


def _course(evaluation: Evaluation):
    """Course funders only: income schemes (kind: income) have their own line, « Ressources »."""
    return [r for r in evaluation.results if r.kind == "course"]


def _income_line(plan: Plan) -> str:
    return income_summary(plan)


def income_dead_ends(pack: "MeetingPack") -> list[str]:
    """Agenda cases whose person has no income during the course and nothing left to check."""
    return [item.case.id.rsplit("/", 1)[-1] for item in pack.agenda if income_dead_end(item.plan)]


def _possible(evaluation: Evaluation) -> list[str]:
    return [f"{r.funder} ({STATUS_FR[r.status]})" for r in _course(evaluation) if r.status in ("eligible", "a_verifier")]


def render_markdown(pack: MeetingPack) -> str:
    start, end = quarter_bounds(pack.quarter)
    lines = [f"# Réunion de niveau 3 — {pack.region}, {pack.quarter} ({date_fr(pack.date)})", "",
             f"{len(pack.agenda)} cas soumis ; règles appliquées : celles de la date de la réunion.", "",
             "## Ordre du jour", ""]
    for n, item in enumerate(pack.agenda, 1):
        lines += [f"### {n}. {item.case.id}", "", *[f"{line}  " for line in item.profile], "",
                  f"> {item.case.problem}", "",
                  f"**Financeurs encore possibles :** {', '.join(_possible(item.evaluation)) or 'aucun'}", "",
                  f"**Plan :** {_plan_line(item.plan)}", "",
                  f"**Ressources pendant la formation :** {_income_line(item.plan)}", ""]
        for result in _course(item.evaluation):
            for b in result.blockers:
                source = "; ".join(s.title + (f" <{s.url}>" if s.url else "") for s in b.sources)
                lines.append(f"- **{result.funder}** — {b.message} _(source : {source})_")
            if result.blockers and result.next_steps:
                lines.append(f"  - à faire : {result.next_steps[0]}")
        lines.append("")
    dead = income_dead_ends(pack)
    lines += ["## Impasses de ressources pendant la formation", "",
              (f"{len(dead)} cas sans ressource identifiée : {', '.join(dead)}" if dead else "Aucune."), ""]
    lines += ["## Cas regroupés par bloquant", ""]
    for key, ids in pack.by_blocker.items():
        lines.append(f"- **{key}** ({len(ids)}) : {', '.join(ids)}")
    lines += ["", "## Bloquants par financeur", "", "| financeur | bloquants |", "|---|---|"]
    lines += [f"| {f} | {n} |" for f, n in pack.counts.items()]
    lines += ["", f"## Bloquants les plus fréquents ({', '.join(pack.history)})", ""]
    for key, total in _top(pack):
        per = ", ".join(f"{q} : {pack.history[q][key]}" for q in pack.history)
        lines.append(f"- {key} — {total} ({per})")
    lines += ["", "## Cas des réunions précédentes débloqués depuis par un changement de règles", ""]
    if not pack.unblocked:
        lines.append("Aucun.")
    for u in pack.unblocked:
        lines.append(f"- {u.case.id} (réunion du {date_fr(u.case.meeting.date)}) : désormais éligible à "
                     f"{', '.join(u.funders)}")
    return "\n".join(lines) + "\n"


def _top(pack: MeetingPack, n: int = 8) -> list[tuple[str, int]]:
    totals: Counter = Counter()
    for counter in pack.history.values():
        totals.update(counter)
    return sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))[:n]


PALETTE = ["#1b6ca8", "#e07b39", "#3a9d5d", "#8e5ea2", "#c94c4c", "#6b7f8f"]


def chart_svg(pack: MeetingPack) -> str:
    """Stacked horizontal bars: the most frequent blockers, one colour per quarter."""
    top = _top(pack)
    quarters = list(pack.history)
    label_width, bar_width, row, top_margin = 330, 360, 26, 34
    height = top_margin + row * max(len(top), 1) + 20
    largest = max((t for _k, t in top), default=1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_width + bar_width + 60}" height="{height}" '
             f'role="img" aria-label="Bloquants les plus fréquents">',
             '<style>text{font:12px sans-serif;fill:#222}</style>']
    for i, q in enumerate(quarters):
        x = label_width + i * 90
        parts.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{PALETTE[i % len(PALETTE)]}"/>'
                     f'<text x="{x + 16}" y="16">{html.escape(q)}</text>')
    for r, (key, total) in enumerate(top):
        y = top_margin + r * row
        parts.append(f'<text x="{label_width - 8}" y="{y + 14}" text-anchor="end">{html.escape(key)}</text>')
        x = label_width
        for i, q in enumerate(quarters):
            count = pack.history[q][key]
            if count:
                w = bar_width * count / largest
                parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="18" fill="{PALETTE[i % len(PALETTE)]}">'
                             f'<title>{html.escape(q)} : {count}</title></rect>')
                x += w
        parts.append(f'<text x="{x + 6:.1f}" y="{y + 14}">{total}</text>')
    if not top:
        parts.append(f'<text x="10" y="{top_margin + 14}">Aucun bloquant sur la période.</text>')
    parts.append("</svg>")
    return "".join(parts)


CSS = """body{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222;line-height:1.4}
h1{font-size:1.5rem}h2{border-bottom:1px solid #ccc;margin-top:2rem}article{border:1px solid #ddd;border-radius:6px;
padding:.6rem 1rem;margin:1rem 0}blockquote{margin:.5rem 0;padding-left:.8rem;border-left:3px solid #1b6ca8;color:#444}
.ok{color:#2e7d32}.ko{color:#b71c1c}.src{color:#666;font-size:.85em}table{border-collapse:collapse}
td,th{border:1px solid #ccc;padding:.2rem .6rem;text-align:left}"""


def render_html(pack: MeetingPack) -> str:
    e = html.escape
    out = ["<!DOCTYPE html>", '<html lang="fr"><head><meta charset="utf-8">',
           f"<title>Réunion de niveau 3 — {e(pack.region)} {e(pack.quarter)}</title>", f"<style>{CSS}</style></head><body>",
           f"<h1>Réunion de niveau 3 — {e(pack.region)}, {e(pack.quarter)} ({date_fr(pack.date)})</h1>",
           f"<p>{len(pack.agenda)} cas soumis ; règles appliquées : celles de la date de la réunion.</p>",
           "<h2>Ordre du jour</h2>"]
    for n, item in enumerate(pack.agenda, 1):
        possible = _possible(item.evaluation)
        out += [f"<article><h3>{n}. {e(item.case.id)}</h3>", "<p>" + "<br>".join(e(x) for x in item.profile) + "</p>",
                f"<blockquote>{e(item.case.problem)}</blockquote>",
                f'<p><strong>Financeurs encore possibles :</strong> <span class="ok">{e(", ".join(possible) or "aucun")}</span></p>',
                f"<p><strong>Plan :</strong> {e(_plan_line(item.plan))}</p>",
                f"<p><strong>Ressources pendant la formation :</strong> {e(_income_line(item.plan))}</p><ul>"]
        for result in _course(item.evaluation):
            for b in result.blockers:
                sources = "; ".join(
                    (f'<a href="{e(s.url)}">{e(s.title)}</a>' if s.url else e(s.title)) for s in b.sources)
                out.append(f'<li><strong class="ko">{e(result.funder)}</strong> — {e(b.message)} '
                           f'<span class="src">(source : {sources})</span>')
                out.append("</li>")
            if result.blockers and result.next_steps:
                out.append(f"<li>à faire ({e(result.funder)}) : {e(result.next_steps[0])}</li>")
        out.append("</ul></article>")
    dead = income_dead_ends(pack)
    out.append("<h2>Impasses de ressources pendant la formation</h2><p>"
               + (e(f"{len(dead)} cas sans ressource identifiée : {', '.join(dead)}") if dead else "Aucune.") + "</p>")
    out.append("<h2>Cas regroupés par bloquant</h2><ul>")
    out += [f"<li><strong>{e(k)}</strong> ({len(v)}) : {e(', '.join(v))}</li>" for k, v in pack.by_blocker.items()]
    out.append("</ul><h2>Bloquants par financeur</h2><table><tr><th>financeur</th><th>bloquants</th></tr>")
    out += [f"<tr><td>{e(f)}</td><td>{n}</td></tr>" for f, n in pack.counts.items()]
    out.append(f"</table><h2>Bloquants les plus fréquents ({e(', '.join(pack.history))})</h2>")
    out.append(chart_svg(pack))
    out.append("<h2>Cas des réunions précédentes débloqués depuis par un changement de règles</h2><ul>")
    if not pack.unblocked:
        out.append("<li>Aucun.</li>")
    out += [f"<li>{e(u.case.id)} (réunion du {date_fr(u.case.meeting.date)}) : désormais éligible à "
            f"{e(', '.join(u.funders))}</li>" for u in pack.unblocked]
    out.append("</ul></body></html>")
    return "\n".join(out) + "\n"
