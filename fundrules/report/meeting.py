"""The pack for the quarterly level-3 meeting, written to lead to decisions: the agenda first (per
case the question, the proposed way out or "impasse", who decides), then the quarter's summary
(blockers that recur, what changed in the rules since the last meeting, earlier decisions and the
cases a rule change has unblocked), then one card per case with an empty block for the decision.
Markdown and one self-contained HTML page (no script, no external resource), readable on a phone
and printed one card per page.

Only blockers of schemes the person belongs to are counted: a funder whose entry condition the
person does not meet, or whose public is still to establish (a hiring promise nobody mentioned),
is not a dead end of the case (issue: the 400-hour limits of AFPR/POEI/POEC had crowded out the
study's subjects).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from ..errors import InputError
from ..escape import escape_html, escape_markdown, is_web_link
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
from ..library.decisions import DecisionCheck, check_decision
from ..plan import make_plan
from ..plan.model import Plan
from ..provenance import provenance_fr
from ..regions import region_name
from ..results import Evaluation, FunderResult
from .plan import income_dead_end, income_summary, plan_summary

HISTORY_QUARTERS = 4
INCOME = "ressources · aucune"  # "no income confirmed during the course", counted with the blockers
INCOME_LABEL = "Ressources · Aucune rémunération ni allocation confirmée pendant la formation"


@dataclass
class AgendaItem:
    case: LibraryCase
    evaluation: Evaluation
    profile: list[str]
    plan: Plan

    @property
    def short_id(self) -> str:
        return self.case.id.rsplit("/", 1)[-1]


@dataclass
class Unblocked:
    case: LibraryCase
    funders: list[str]  # funders eligible now that were not at the case's meeting


@dataclass
class RuleChange:
    funder: str  # short name
    lines: list[str]  # what changed, in French


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
    previous_date: Optional[dt.date] = None  # the library's last meeting before this one
    rule_changes: list[RuleChange] = field(default_factory=list)
    decisions: list[tuple[LibraryCase, DecisionCheck]] = field(default_factory=list)  # earlier, checked now
    names: dict[str, str] = field(default_factory=dict)  # funder id -> short French name

    @property
    def region_name(self) -> str:
        return region_name(self.region)


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


def _course(evaluation: Evaluation) -> list[FunderResult]:
    """Course funders only: income schemes (kind: income) have their own line, « Ressources »."""
    return [r for r in evaluation.results if r.kind == "course"]


def counted_blockers(result: FunderResult) -> list:
    """The blockers the meeting counts: of a blocked funder whose public the person is known to belong
    to. Out of scope (no hiring promise for AFPR/POEI/POEC, no employer for an employer's plan) or
    with a public still to establish, a funder is no dead end of the case."""
    if result.status != "blocked" or result.in_scope is not True:
        return []
    return result.scoped_blockers()


def no_income(plan: Plan) -> bool:
    """No income confirmed for the course (a dead end, or schemes still to check): the study's subject
    of people who cannot live through a long course ("il n'y a pas de rémunération")."""
    return any(e.status == "aucune" for e in plan.income)


def _blockers_of(evaluation: Evaluation, plan: Optional[Plan]) -> list[str]:
    keys = [f"{r.funder} · {b.criterion}" for r in _course(evaluation) for b in counted_blockers(r)]
    if plan is not None and no_income(plan):
        keys.append(INCOME)
    return keys


def _load_region(cases_dir: Path, region: str) -> list[LibraryCase]:
    """The cases of the region's meetings: the folder `cases_dir/region`, or else every case under
    `cases_dir` whose meeting is in that region (any folder of cases)."""
    from ..library.cases import bundled_cases_dir
    from ..regions import region_code

    if not cases_dir.is_dir():
        bundled = bundled_cases_dir()
        where = (
            f"celle livrée avec fundrules est dans {bundled}"
            if bundled
            else "celle livrée avec fundrules est le dossier cases/ de ses sources (dépôt ou archive sdist)"
        )
        raise InputError(
            f"aucune bibliothèque de cas à cet endroit ; {where}",
            file=str(cases_dir),
            field="cases",
        )
    folder = cases_dir / region
    if folder.is_dir():
        return [load_library_case(p, root=cases_dir) for p in find_case_files([folder])]
    wanted = region_code(region)
    found = [load_library_case(p, root=cases_dir) for p in find_case_files([cases_dir])]
    cases = [c for c in found if region_code(c.meeting.region) == wanted]
    if not cases:
        regions = sorted({c.meeting.region for c in found})
        known = f" ; régions présentes : {', '.join(regions)}" if regions else " ; ce dossier ne contient aucun cas"
        raise InputError(f"aucun cas pour la région « {region} »{known}", file=str(cases_dir), field="region")
    return cases


def _rule_changes(
    engine, funders: list[str], before: dt.date, after: dt.date, labels: dict, region: str
) -> list[RuleChange]:
    """`rulesets diff` between the two meeting dates, for the funders the agenda's cases depend on
    (a funder with rules per region: the meeting's region only)."""
    from ..regions import region_code
    from ..rulesets.describe import diff_rulesets

    own = {region, str(region_code(region))}
    catalog = engine.catalog
    changes = []
    for fid in funders:
        if fid not in catalog.funders:
            continue
        lines = []
        funder = catalog.funders[fid]
        for d in diff_rulesets(catalog, fid, before, after):
            if d.empty() or (funder.variant_by == "region" and d.track not in own):
                continue
            track = f" ({d.track})" if d.track and funder.variant_by != "region" else ""

            def label(key: str, fid: str = fid) -> str:
                text = labels.get(f"{fid} · {key}")
                return text.split(" · ", 1)[1] if text else humanize(key)

            if d.before != d.after:
                lines.append(
                    f"règles{track} : {('version ' + d.before) if d.before else 'aucune'} → "
                    f"{('version ' + d.after) if d.after else 'plus en vigueur'}"
                )
            lines += [f"critère ajouté{track} : {label(k)}" for k in d.added]
            lines += [f"critère retiré{track} : {label(k)}" for k in d.removed]
            for text in d.changed:
                key, _, what = text.partition(" : ")
                kinds = [w.split(" ", 1)[0] for w in what.split(" ; ")]
                lines.append(f"critère modifié{track} : {label(key)} ({', '.join(kinds)})")
            lines += [f"paramètre{track} : {p}" for p in d.parameters]
            if d.decided_by:
                lines.append(f"qui décide{track} : {d.decided_by}")
        if lines:
            changes.append(RuleChange(short_name(funder.name_at(after)), list(dict.fromkeys(lines))))
    return changes


def prepare_meeting(engine, cases_dir: Path, region: str, quarter: str) -> MeetingPack:
    cases = _load_region(cases_dir, region)
    current = [c for c in cases if c.meeting.quarter == quarter]
    if not current:
        raise InputError(f"aucun cas soumis pour la réunion {region}/{quarter}", file=str(cases_dir / region / quarter))
    date = max(c.meeting.date for c in current)
    at_meeting: dict[str, Evaluation] = {}  # each case evaluated once at its own meeting
    plans: dict[str, Plan] = {}

    def evaluation_of(c: LibraryCase) -> Evaluation:
        if c.id not in at_meeting:
            at_meeting[c.id] = engine.evaluate(c.case, as_of=c.meeting.date)
        return at_meeting[c.id]

    def plan_of(c: LibraryCase) -> Plan:
        if c.id not in plans:
            plans[c.id] = make_plan(engine, c.case, c.meeting.date, evaluation=evaluation_of(c))
        return plans[c.id]

    agenda = [AgendaItem(c, evaluation_of(c), _profile(c), plan_of(c)) for c in sorted(current, key=lambda c: c.id)]
    by_blocker: dict[str, list[str]] = defaultdict(list)
    counts: Counter = Counter()
    for item in agenda:
        for result in _course(item.evaluation):
            blockers = counted_blockers(result)
            for blocker in blockers:
                by_blocker[f"{result.funder} · {blocker.criterion}"].append(item.short_id)
            if blockers:
                counts[result.funder] += len(blockers)
    quarters = sorted({c.meeting.quarter for c in cases if c.meeting.quarter <= quarter})[-HISTORY_QUARTERS:]
    history: dict[str, Counter[str]] = {q: Counter() for q in quarters}
    for c in cases:
        if c.meeting.quarter in history:
            history[c.meeting.quarter].update(_blockers_of(evaluation_of(c), plan_of(c)))
    earlier = sorted((c for c in cases if c.meeting.quarter < quarter), key=lambda c: c.id)
    labels = criterion_labels(engine.catalog)
    for evaluation in at_meeting.values():  # a route's criterion without a label: its route and requirement
        for r in _course(evaluation):
            routes = {route.route: route.label for route in r.routes}
            for b in counted_blockers(r):
                key = f"{r.funder} · {b.criterion}"
                if key not in labels:
                    route = f"{routes[b.route]} : " if b.route in routes else ""
                    labels[key] = f"{short_name(r.funder_name)} · {route}{b.required}"
    unblocked, decisions = [], []
    for c in earlier:
        then = evaluation_of(c)
        now = engine.evaluate(c.case, as_of=date)
        before = {r.funder for r in _course(then) if r.status == "eligible"}
        gained = [r.funder for r in _course(now) if r.status == "eligible" and r.funder not in before]
        if gained:
            unblocked.append(Unblocked(c, gained))
        check = check_decision(c, now)
        if check is not None:
            decisions.append((c, check))
    previous = max((c.meeting.date for c in earlier), default=None)
    concerned = list(
        dict.fromkeys(
            r.funder
            for item in agenda
            for r in item.evaluation.results
            if r.in_scope is not False and r.status != "not_in_force"
        )
    )
    changes = _rule_changes(engine, concerned, previous, date, labels, region) if previous else []
    return MeetingPack(
        region,
        quarter,
        date,
        agenda,
        dict(sorted(by_blocker.items(), key=lambda kv: (-len(kv[1]), kv[0]))),
        dict(counts.most_common()),
        history,
        unblocked,
        labels,
        previous,
        changes,
        decisions,
        {fid: short_name(f.name_at(date)) for fid, f in engine.catalog.funders.items()},  # named as on the day
    )


# --- what each card says ------------------------------------------------------------------------


def way_out(plan: Plan) -> str:
    """The proposed way out: the first plan, or "impasse" when none covers the cost."""
    if plan.plans and not plan.impasse:
        return plan_summary(plan.plans[0])
    return "impasse"


def _result(item: AgendaItem, funder: str) -> Optional[FunderResult]:
    return next((r for r in item.evaluation.results if r.funder == funder), None)


def deciders(item: AgendaItem) -> list[str]:
    """Who decides the proposed way out; at an impasse, who decides what would unlock it."""
    plan = item.plan
    if plan.plans and not plan.impasse:
        names = [f"{short_name(s.funder_name)} : {s.decided_by}" for s in plan.plans[0].steps]
    else:
        names = []
        for u in plan.unlock:
            result = _result(item, u.funder)
            if result is not None:
                names.append(f"{short_name(result.funder_name)} : {result.decided_by}")
    return list(dict.fromkeys(names))


def deciders_short(item: AgendaItem, first: int = 2) -> str:
    """For the agenda: the first deciders, each by the first clause of who decides."""
    names = deciders(item)
    if not names:
        return "la réunion (aucun financeur ne peut être sollicité)"
    shown = [n.split(" ; ", 1)[0].split(" (", 1)[0] for n in names[:first]]
    return " ; ".join(shown) + (f" ; et {len(names) - first} autre(s), voir la fiche" if len(names) > first else "")


def next_actions(item: AgendaItem, limit: int = 6) -> list[str]:
    """The first steps of the proposed plan, then those of the candidates to check."""
    steps: list[str] = []
    plan = item.plan
    funders = [s.funder for s in plan.plans[0].steps] if plan.plans else []
    funders += [r.funder for r in _course(item.evaluation) if r.status == "a_verifier" and r.in_scope is True]
    for fid in dict.fromkeys(funders):
        result = _result(item, fid)
        if result is None:
            continue
        for step in result.next_steps:
            steps.append(f"{short_name(result.funder_name)} : {step}")
    return list(dict.fromkeys(steps))[:limit]


def candidates(evaluation: Evaluation) -> dict[str, list[FunderResult]]:
    """Candidates by status: eligible; to check (the person is in their public); public to establish."""
    course = _course(evaluation)
    return {
        "eligible": [r for r in course if r.status == "eligible" and r.in_scope is not False],
        "a_verifier": [r for r in course if r.status == "a_verifier" and r.in_scope is True],
        "public": [r for r in course if r.status in ("a_verifier", "blocked") and r.in_scope is None],
    }


def _missing(result: FunderResult) -> str:
    from ..facts import FACTS

    facts = [FACTS[p].label if p in FACTS else p for p in result.missing_facts]
    return ", ".join(facts)


def _open_name(r: FunderResult) -> str:
    return short_name(r.funder_name)


def dead_ends(evaluation: Evaluation) -> list[tuple[FunderResult, list]]:
    """Blocked funders of the person's public, still in force, with their blockers."""
    return [(r, counted_blockers(r)) for r in _course(evaluation) if counted_blockers(r)]


def _unlock_matters(plan: Plan) -> bool:
    """Unlocks are worth the meeting's time only when no plan surely covers the cost."""
    return bool(plan.unlock) and (plan.impasse or not plan.plans or plan.plans[0].covers_cost is not True)


def _unlocks(plan: Plan) -> list[str]:
    return [f"{u.what} ({short_name(u.funder_name or u.funder)})" for u in plan.unlock]


def out_of_scope(evaluation: Evaluation) -> str:
    outside = [r for r in _course(evaluation) if r.in_scope is False]
    return ", ".join(_open_name(r) + (f" ({r.scope_label})" if r.scope_label else "") for r in outside)


def income_dead_ends(pack: MeetingPack) -> list[str]:
    """Agenda cases whose person has no income during the course and nothing left to check."""
    return [item.short_id for item in pack.agenda if income_dead_end(item.plan)]


def _funder_short(pack: MeetingPack, funder: str) -> str:
    for item in pack.agenda:
        for r in item.evaluation.results:
            if r.funder == funder:
                return short_name(r.funder_name)
    return funder


def _blocker_label(pack: MeetingPack, key: str) -> str:
    """ "cif · cdi.anciennete" → "CIF · Ancienneté…" (the chart and lists read labels, not codes)."""
    if key == INCOME:
        return INCOME_LABEL
    if key in pack.labels:
        return pack.labels[key]
    funder, _, criterion = key.partition(" · ")
    return f"{_funder_short(pack, funder)} · {humanize(criterion)}"


def _top(pack: MeetingPack, n: int = 8) -> list[tuple[str, int]]:
    totals: Counter = Counter()
    for counter in pack.history.values():
        totals.update(counter)
    return sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))[:n]


def _seen_required(blocker) -> str:
    seen = ", ".join(fact_value_fr(k, v) for k, v in blocker.observed.items())
    return (f"vu : {seen} ; " if seen else "") + f"requis : {blocker.required}"


def _decision_line(pack: MeetingPack, case: LibraryCase, check: DecisionCheck) -> str:
    d = case.decision
    assert d is not None
    text = f"{case.problem} — décidé le {date_fr(d.date)} par {d.by} : {d.decided}"
    if d.funders:
        text += f" (financeurs : {', '.join(pack.names.get(f, f) for f in d.funders)})"
    if d.result:
        text += f". Résultat : {d.result}"
    if check.contradicted:
        text += ". Contredite par les règles du " + date_fr(check.as_of) + " : "
        text += check.closed_text(pack.labels, pack.names)
    elif check.still_allowed:
        text += f". Toujours possible aux règles du {date_fr(check.as_of)}"
    return text + "."


def _title(pack: MeetingPack) -> str:
    return f"Réunion de niveau 3 — {pack.region_name}, {pack.quarter} ({date_fr(pack.date)})"


INTRO = (
    "{n} cas soumis ; règles appliquées : celles de la date de la réunion. Ne sont comptés comme bloquants "
    "que ceux des dispositifs dont la personne relève (hors public, ou public à établir : à part)."
)


# --- Markdown ------------------------------------------------------------------------------------

md = escape_markdown  # every free text and id placed in Markdown (one function for the format)


def render_markdown(pack: MeetingPack) -> str:
    lines = [f"# {md(_title(pack))}", "", INTRO.format(n=len(pack.agenda)), "", "## Ordre du jour", ""]
    for n, item in enumerate(pack.agenda, 1):
        lines.append(
            f"{n}\\. **{md(item.case.problem)}** — issue proposée : {md(way_out(item.plan))} — "
            f"décide : {md(deciders_short(item))}"
        )
    lines += ["", "## Synthèse du trimestre", "", f"### Bloquants récurrents ({md(', '.join(pack.history))})", ""]
    for key, total in _top(pack):
        per = ", ".join(f"{q} : {pack.history[q][key]}" for q in pack.history)
        lines.append(f"- {md(_blocker_label(pack, key))} — {total} ({md(per)})")
    if not _top(pack):
        lines.append("Aucun bloquant sur la période.")
    lines += ["", _changes_heading(pack), ""]
    lines += _changes_lines(pack, md)
    lines += ["", "### Décisions des réunions précédentes, aux règles de cette réunion", ""]
    lines += [f"- {md(_decision_line(pack, c, check))}" for c, check in pack.decisions] or [
        "Aucune décision enregistrée."
    ]
    lines += ["", "### Cas des réunions précédentes débloqués depuis par un changement de règles", ""]
    lines += [
        f"- {md(u.case.problem)} ({md(u.case.id)}, réunion du {date_fr(u.case.meeting.date)}) : désormais "
        f"éligible à {md(', '.join(_funder_short(pack, f) for f in u.funders))}"
        for u in pack.unblocked
    ] or ["Aucun."]
    dead_income = income_dead_ends(pack)
    lines += ["", "### Impasses de ressources pendant la formation", ""]
    lines.append(
        md(f"{len(dead_income)} cas sans ressource identifiée : {', '.join(dead_income)}") if dead_income else "Aucune."
    )
    lines += ["", "### Cas regroupés par bloquant", ""]
    for key, ids in pack.by_blocker.items():
        lines.append(f"- **{md(_blocker_label(pack, key))}** ({len(ids)}) : {md(', '.join(ids))}")
    if not pack.by_blocker:
        lines.append("Aucun bloquant.")
    lines += ["", "### Bloquants par financeur", "", "| financeur | bloquants |", "|---|---|"]
    lines += [f"| {md(_funder_short(pack, f))} | {n} |" for f, n in pack.counts.items()]
    lines += ["", "## Fiches", ""]
    for n, item in enumerate(pack.agenda, 1):
        lines += _card_markdown(n, item)
    lines += ["---", "", md(provenance_fr(pack.agenda[0].evaluation.provenance))]
    return "\n".join(lines) + "\n"


def _changes_heading(pack: MeetingPack) -> str:
    if pack.previous_date is None:
        return "### Ce qui a changé dans les règles depuis la dernière réunion"
    return (
        f"### Ce qui a changé dans les règles depuis la dernière réunion "
        f"({date_fr(pack.previous_date)} → {date_fr(pack.date)})"
    )


def _changes_lines(pack: MeetingPack, esc) -> list[str]:
    if pack.previous_date is None:
        return ["Première réunion de la bibliothèque pour cette région : pas de réunion précédente."]
    if not pack.rule_changes:
        return ["Aucun changement pour les financeurs des cas de cette réunion."]
    return [f"- **{esc(c.funder)}** : {esc(' ; '.join(c.lines))}" for c in pack.rule_changes]


def _card_markdown(n: int, item: AgendaItem) -> list[str]:
    ev, plan = item.evaluation, item.plan
    by_status = candidates(ev)
    lines = [
        f"### {n}. {md(item.case.problem)}",
        "",
        f"**Situation :** {md(_situation(item))} _({md(item.short_id)})_",
        "",
        "**Candidats :**",
        "",
        f"- ✔ Éligibles : {md(', '.join(_open_name(r) for r in by_status['eligible']) or 'aucun')}",
        "- ? À vérifier : "
        + md(
            "; ".join(
                _open_name(r) + (f" (à recueillir : {_missing(r)})" if r.missing_facts else "")
                for r in by_status["a_verifier"]
            )
            or "aucun"
        ),
    ]
    if by_status["public"]:
        lines.append(
            "- Public à établir : "
            + md(
                ", ".join(_open_name(r) + (f" ({r.scope_label})" if r.scope_label else "") for r in by_status["public"])
            )
        )
    lines.append("")
    dead = dead_ends(ev)
    if dead:
        title = "Impasse" if not by_status["eligible"] and not by_status["a_verifier"] else "Bloqués"
        lines += [f"**{title} :**", ""]
        for result, blockers in dead:
            for b in blockers:
                source = " ; ".join(s.title for s in b.sources)
                lines.append(
                    f"- **{md(_open_name(result))}** — {md(b.message)} {md(_seen_required(b))}. _Source : {md(source)}_"
                )
        lines.append("")
    lines += [
        f"**Issue proposée :** {md(way_out(plan))}",
        "",
        "**Qui décide :**",
        "",
        *[f"- {md(who)}" for who in deciders(item) or ["la réunion (aucun financeur ne peut être sollicité)"]],
        "",
        "**Prochaines actions :**",
        "",
    ]
    lines += [f"- {md(a)}" for a in next_actions(item)] or ["- aucune"]
    lines.append("")
    if _unlock_matters(plan):
        lines += [f"**Ce qui débloquerait :** {md(' ; '.join(_unlocks(plan)))}", ""]
    lines += [f"**Ressources pendant la formation :** {md(income_summary(plan))}", ""]
    outside = out_of_scope(ev)
    if outside:
        lines += [f"_Hors public : {md(outside)}._", ""]
    if item.case.decision is not None:
        d = item.case.decision
        lines += [f"**Décision enregistrée :** {md(d.decided)} ({md(d.by)}, {date_fr(d.date)})", ""]
    lines += [
        "**Décision de la réunion / qui fait quoi :**",
        "",
        "- Décision : ",
        "- Qui fait quoi, pour quand : ",
        "",
    ]
    return lines


# --- the chart -----------------------------------------------------------------------------------

PALETTE = ["#1b6ca8", "#e07b39", "#3a9d5d", "#8e5ea2", "#c94c4c", "#6b7f8f"]
CHART_WIDTH = 360  # the SVG's own width: at 390 px the page is about 360 px wide, the chart is not shrunk
LABEL_CHARS = 52  # characters per line of a label at 12 px in 360 px; longer labels wrap, never cut


def _wrap_label(label: str, width: int = LABEL_CHARS) -> list[str]:
    import textwrap

    return textwrap.wrap(label, width, break_on_hyphens=False) or [label]


def chart_svg(pack: MeetingPack) -> str:
    """Horizontal bars, one colour per quarter, each under its blocker's full French label (wrapped on
    as many lines as needed): a phone shows it at full size, nothing is cut. No script."""
    top = _top(pack)
    quarters = list(pack.history)
    largest = max((t for _k, t in top), default=1)
    bar_room = CHART_WIDTH - 40
    legend_rows = (len(quarters) + 3) // 4
    y = 8 + 18 * legend_rows + 6
    body: list[str] = []
    for key, total in top:
        label = _blocker_label(pack, key)
        for line in _wrap_label(label):
            y += 15
            body.append(f'<text x="0" y="{y}">{escape_html(line)}</text>')
        y += 5
        x = 0.0
        for i, q in enumerate(quarters):
            count = pack.history[q][key]
            if count:
                w = bar_room * count / largest
                body.append(
                    f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="16" fill="{PALETTE[i % len(PALETTE)]}">'
                    f"<title>{escape_html(q)} : {count}</title></rect>"
                )
                x += w
        body.append(f'<text x="{x + 6:.1f}" y="{y + 13}" font-weight="bold">{total}</text>')
        y += 16 + 12
    if not top:
        y += 20
        body.append(f'<text x="0" y="{y}">Aucun bloquant sur la période.</text>')
    height = y + 8
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{CHART_WIDTH}" height="{height}" '
        f'viewBox="0 0 {CHART_WIDTH} {height}" role="img" aria-label="Bloquants récurrents">',
        "<style>text{font:12px sans-serif;fill:#222}</style>",
    ]
    for i, q in enumerate(quarters):
        lx, ly = (i % 4) * 90, 8 + 18 * (i // 4)
        parts.append(
            f'<rect x="{lx}" y="{ly}" width="12" height="12" fill="{PALETTE[i % len(PALETTE)]}"/>'
            f'<text x="{lx + 16}" y="{ly + 10}">{escape_html(q)}</text>'
        )
    return "".join(parts + body + ["</svg>"])


# --- HTML ----------------------------------------------------------------------------------------

CSS = """body{font-family:sans-serif;max-width:60rem;margin:1.5rem auto;padding:0 1rem;color:#222;line-height:1.45;
overflow-wrap:anywhere}h1{font-size:1.45rem}h2{border-bottom:1px solid #ccc;margin-top:2rem;font-size:1.25rem}
h3{font-size:1.05rem;margin:1.2rem 0 .4rem}article{border:1px solid #ccc;border-radius:6px;padding:.6rem 1rem;
margin:1rem 0}article h3{margin:.2rem 0 .6rem;font-size:1.1rem}dl{margin:0}dt{font-weight:bold;margin-top:.5rem}
dd{margin:0 0 0 1rem}ul,ol{padding-left:1.2rem;margin:.3rem 0}li{margin:.15rem 0}
.agenda li{margin:.5rem 0}.q{font-weight:bold}.issue{display:block}.who{display:block;color:#444}
.impasse{color:#b71c1c;font-weight:bold}
.st{display:inline-block;border-radius:3px;padding:0 .35rem;margin:.1rem .2rem .1rem 0;border:1px solid}
.eligible{background:#e6f4ea;color:#1e5e2b;border-color:#2e7d32}
.verifier{background:#fff4e0;color:#7a4a00;border-color:#c77700;border-style:dashed}
.public-line{display:block;margin-top:.2rem}.ko{color:#b71c1c}.src{color:#666;font-size:.85em}.hors{color:#555;font-size:.92em}.vu{display:block;color:#444}
.decision{border:2px dashed #777;border-radius:4px;padding:.4rem .7rem;margin-top:.8rem;min-height:6rem}
.decision p{margin:.2rem 0 1.4rem}.recorded{background:#f4f4fb;padding:.3rem .6rem}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .6rem;text-align:left}
figure{margin:.5rem 0}svg{max-width:100%;height:auto}figure svg{width:100%;max-width:30rem}
@media (max-width:600px){body{padding:0 .5rem;margin-top:.8rem}article{padding:.5rem .6rem}dd{margin-left:.3rem}
h1{font-size:1.2rem}}
@media print{body{max-width:none;margin:0;font-size:11pt}a{color:inherit;text-decoration:none}
article{break-before:page;page-break-before:always;break-inside:avoid-page;border:none;padding:0}
h2,h3{break-after:avoid;page-break-after:avoid}.decision{min-height:9rem}
.st{print-color-adjust:exact;-webkit-print-color-adjust:exact}}"""

_STATUS_CLASS = {"eligible": "eligible", "a_verifier": "verifier"}
_STATUS_MARK = {"eligible": "✔ éligible", "a_verifier": "? à vérifier"}


def _tags(results: list[FunderResult], kind: str) -> str:
    e = escape_html
    out = []
    for r in results:
        extra = ""
        if kind == "a_verifier" and r.missing_facts:
            extra = f" — à recueillir : {_missing(r)}"
        out.append(f'<span class="st {_STATUS_CLASS[kind]}">{e(_open_name(r))} ({_STATUS_MARK[kind]}){e(extra)}</span>')
    return " ".join(out)


def render_html(pack: MeetingPack) -> str:
    """The same content as the Markdown, in one page with no external resource (no script, no link)."""
    e = escape_html
    out = [
        "<!DOCTYPE html>",
        '<html lang="fr"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(_title(pack))}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>{e(_title(pack))}</h1>",
        f"<p>{e(INTRO.format(n=len(pack.agenda)))}</p>",
        '<h2 id="ordre-du-jour">Ordre du jour</h2><ol class="agenda">',
    ]
    for n, item in enumerate(pack.agenda, 1):
        proposed = way_out(item.plan)
        issue = '<span class="impasse">impasse</span>' if proposed == "impasse" else e(proposed)
        out.append(
            f'<li><a class="q" href="#cas-{n}">{e(item.case.problem)}</a>'
            f'<span class="issue">Issue proposée : {issue}</span>'
            f'<span class="who">Décide : {e(deciders_short(item))}</span></li>'
        )
    out.append("</ol>")
    out.append('<h2 id="synthese">Synthèse du trimestre</h2>')
    out.append(f"<h3>Bloquants récurrents ({e(', '.join(pack.history))})</h3>")
    out.append(f"<figure>{chart_svg(pack)}</figure>")
    out.append(f"<h3>{e(_changes_heading(pack)[4:])}</h3>")
    changes = _changes_lines(pack, e)
    if pack.rule_changes:
        out.append(
            "<ul>"
            + "".join(f"<li><strong>{e(c.funder)}</strong> : {e(' ; '.join(c.lines))}</li>" for c in pack.rule_changes)
            + "</ul>"
        )
    else:
        out.append(f"<p>{e(changes[0])}</p>")
    out.append("<h3>Décisions des réunions précédentes, aux règles de cette réunion</h3>")
    out.append(
        "<ul>" + "".join(f"<li>{e(_decision_line(pack, c, check))}</li>" for c, check in pack.decisions) + "</ul>"
        if pack.decisions
        else "<p>Aucune décision enregistrée.</p>"
    )
    out.append("<h3>Cas des réunions précédentes débloqués depuis par un changement de règles</h3>")
    out.append(
        "<ul>"
        + "".join(
            f"<li>{e(u.case.problem)} ({e(u.case.id)}, réunion du {date_fr(u.case.meeting.date)}) : désormais "
            f"éligible à {e(', '.join(_funder_short(pack, f) for f in u.funders))}</li>"
            for u in pack.unblocked
        )
        + "</ul>"
        if pack.unblocked
        else "<p>Aucun.</p>"
    )
    dead_income = income_dead_ends(pack)
    out.append(
        "<h3>Impasses de ressources pendant la formation</h3><p>"
        + (
            e(f"{len(dead_income)} cas sans ressource identifiée : {', '.join(dead_income)}")
            if dead_income
            else "Aucune."
        )
        + "</p>"
    )
    out.append("<h3>Cas regroupés par bloquant</h3><ul>")
    out += [
        f"<li><strong>{e(_blocker_label(pack, k))}</strong> ({len(v)}) : {e(', '.join(v))}</li>"
        for k, v in pack.by_blocker.items()
    ]
    if not pack.by_blocker:
        out.append("<li>Aucun bloquant.</li>")
    out.append("</ul><h3>Bloquants par financeur</h3><table><tr><th>financeur</th><th>bloquants</th></tr>")
    out += [f"<tr><td>{e(_funder_short(pack, f))}</td><td>{n}</td></tr>" for f, n in pack.counts.items()]
    out.append('</table><h2 id="fiches">Fiches</h2>')
    for n, item in enumerate(pack.agenda, 1):
        out += _card_html(n, item)
    out.append(f"<footer><p>{e(provenance_fr(pack.agenda[0].evaluation.provenance))}</p></footer>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _card_html(n: int, item: AgendaItem) -> list[str]:
    e = escape_html
    ev, plan = item.evaluation, item.plan
    by_status = candidates(ev)
    out = [
        f'<article id="cas-{n}"><h3>{n}. {e(item.case.problem)}</h3><dl>',
        f'<dt>Situation</dt><dd>{e(_situation(item))} <span class="src">({e(item.short_id)})</span></dd>',
        "<dt>Candidats</dt><dd>",
    ]
    tags = [_tags(by_status[k], k) for k in ("eligible", "a_verifier") if by_status[k]]
    out.append(" ".join(tags) or "aucun financeur éligible ni à vérifier")
    if by_status["public"]:  # not candidates yet: said in small print, not as tags
        public = ", ".join(
            _open_name(r) + (f" ({r.scope_label})" if r.scope_label else "") for r in by_status["public"]
        )
        out.append(f'<span class="hors public-line">Public à établir : {e(public)}.</span>')
    out.append("</dd>")
    dead = dead_ends(ev)
    if dead:
        title = "Impasse" if not by_status["eligible"] and not by_status["a_verifier"] else "Bloqués"
        out.append(f"<dt>{title}</dt><dd><ul>")
        for result, blockers in dead:
            for b in blockers:
                sources = " ; ".join(
                    f'<a href="{e(s.url)}">{e(s.title)}</a>' if is_web_link(s.url) else e(s.title) for s in b.sources
                )
                out.append(
                    f'<li><strong class="ko">{e(_open_name(result))}</strong> — {e(b.message)}'
                    f' <span class="vu">{e(_seen_required(b))}.</span>'
                    f' <span class="src">Source : {sources}</span></li>'
                )
        out.append("</ul></dd>")
    proposed = way_out(plan)
    issue = '<span class="impasse">impasse</span>' if proposed == "impasse" else e(proposed)
    out.append(f"<dt>Issue proposée</dt><dd>{issue}</dd>")
    who = deciders(item) or ["la réunion (aucun financeur ne peut être sollicité)"]
    out.append("<dt>Qui décide</dt><dd><ul>" + "".join(f"<li>{e(w)}</li>" for w in who) + "</ul></dd>")
    actions = next_actions(item)
    out.append(
        "<dt>Prochaines actions</dt><dd>"
        + ("<ul>" + "".join(f"<li>{e(a)}</li>" for a in actions) + "</ul>" if actions else "aucune")
        + "</dd>"
    )
    if _unlock_matters(plan):
        out.append(f"<dt>Ce qui débloquerait</dt><dd>{e(' ; '.join(_unlocks(plan)))}</dd>")
    out.append(f"<dt>Ressources pendant la formation</dt><dd>{e(income_summary(plan))}</dd>")
    out.append("</dl>")
    outside = out_of_scope(ev)
    if outside:
        out.append(f'<p class="hors">Hors public : {e(outside)}.</p>')
    if item.case.decision is not None:
        d = item.case.decision
        out.append(
            f'<p class="recorded"><strong>Décision enregistrée</strong> : {e(d.decided)} '
            f"({e(d.by)}, {date_fr(d.date)})</p>"
        )
    out.append(
        '<div class="decision"><strong>Décision de la réunion / qui fait quoi</strong>'
        "<p>Décision :</p><p>Qui fait quoi, pour quand :</p></div></article>"
    )
    return out
