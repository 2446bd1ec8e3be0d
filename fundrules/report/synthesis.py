"""The first screen a counsellor reads (issue 22): one coherent answer in at most 40 lines of the
terminal, the same for `check` and `plan` except the part "who can pay" (candidates, or the plans).

Order: who can pay (with what each covers when known), what blocks the funders meant for this
person (one line each: the value seen against the value required), what the person lives on during
the course, at most three next actions (only of funders that can still pay, merged across them), at
most three facts to collect (those that can change the most answers), then one line for the funders
whose public excludes the person and one for rules whose review is due. Everything else is behind
`--detail` (text.py, plan.py), and every figure here comes from the same Evaluation and Plan."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Optional

from ..coherence import is_coherence_notice
from ..french import date_fr, fact_label, number_fr, short_name, value_fr
from ..plan.model import IncomeEntry, Plan
from ..results import STATUS_FR, Evaluation, FunderResult
from .layout import fit, terminal_width, wrap
from .plan import eur, plan_remaining, plan_steps

MARK = {"eligible": "[OK]", "blocked": "[X] ", "a_verifier": "[?] ", "not_in_force": "[--]"}
MAX_CANDIDATES = 6
MAX_BLOCKED = 5
MAX_ACTIONS = 3
MAX_FACTS = 3
MAX_PLANS = 3
MAX_LINES = 40  # one screen
UNCONFIRMED = " (à confirmer : aucune source ne confirme ce critère)"  # the engine's words, shortened here
HINT = "Tout le détail : --detail ; pour une application : --format json."


def _name(result: FunderResult) -> str:
    return short_name(result.funder_name)


def _cut(lines: list[str], count: int) -> list[str]:
    """At most `count` lines, the last one ending in "…" when something was left out."""
    if len(lines) <= count:
        return lines
    kept = lines[:count]
    last = kept[-1]
    kept[-1] = (last[:-1] if len(last) >= 2 else last).rstrip() + "…"
    return kept


def _item(text: str, width: int, mark: str = "  - ", lines: int = 1) -> list[str]:
    return _cut(wrap(text, width, mark, " " * len(mark)), lines)


def is_candidate(r: FunderResult) -> bool:
    return r.status in ("eligible", "a_verifier") and r.in_scope is not False


def _covers(r: FunderResult, amounts: Mapping[str, Optional[float]], cost: Optional[float]) -> str:
    """What the funder covers, beside its status: "0 EUR sur 1 600 EUR" for an empty CPF balance."""
    if r.funder not in amounts or amounts[r.funder] is None:
        return ""
    amount = amounts[r.funder] or 0.0
    if cost is None:
        return f" — jusqu'à {eur(amount)}"
    return f" — couvre {eur(min(amount, cost))} sur {eur(cost)}"


def _known_gap_lines(r: FunderResult, width: int) -> list[str]:
    """For a funder still to check: what already fails on its other routes, and what remains."""
    notes = [n for n in r.notices if is_coherence_notice(n)]
    failed = [b for b in r.scoped_blockers() if b.route]
    labels: dict[Optional[str], str] = {route.route: route.label for route in r.routes}
    parts = notes[:1] or [f"voie {labels.get(b.route, str(b.route))} : {b.message.rstrip('.')}" for b in failed[:1]]
    if not parts:
        return []
    open_routes = [route.label for route in r.routes if route.status == "a_verifier" and route.in_scope is not False]
    text = parts[0].rstrip(".")
    if not notes and open_routes:
        text += f" ; reste : {', '.join(open_routes)} (à vérifier)"
    return _cut(wrap(text + ".", width, "       ", "       "), 2)


def _who_pays(
    evaluation: Evaluation, amounts: Mapping[str, Optional[float]], cost, width: int, room: int = 2
) -> list[str]:
    course = [r for r in evaluation.results if r.kind == "course" and is_candidate(r)]
    course.sort(key=lambda r: r.status != "eligible")
    if not course:
        return ["QUI PEUT PAYER : aucun financeur éligible ni à vérifier."]
    lines = [f"QUI PEUT PAYER ({len(course)})"]
    for r in course[:MAX_CANDIDATES]:
        status = STATUS_FR[r.status]
        lines += _item(f"{_name(r)} : {status}{_covers(r, amounts, cost)}", width, MARK[r.status] + " ", room)
        if r.status == "a_verifier":
            lines += _known_gap_lines(r, width)[:room]
    if len(course) > MAX_CANDIDATES:
        rest = ", ".join(_name(r) for r in course[MAX_CANDIDATES:])
        lines += _item(f"et aussi, à vérifier : {rest}", width, "     ")
    return lines


def _plans(plan: Plan, width: int) -> list[str]:
    lines = ["PLANS DE FINANCEMENT" + (f" ({len(plan.plans)})" if plan.plans else " : aucun")]
    for n, p in enumerate(plan.plans[:MAX_PLANS], 1):
        # what remains first: it is what the counsellor decides on, and it must survive the cut
        lines += _cut(wrap(f"Plan {n} — {plan_remaining(p)} : {plan_steps(p)}", width, "  ", "    "), 2)
    if len(plan.plans) > MAX_PLANS:
        lines.append(f"  ({len(plan.plans) - MAX_PLANS} autre(s) plan(s) : --detail)")
    if plan.impasse and plan.message:
        lines += _cut(wrap(plan.message, width, "  ", "    "), 2)
    return lines


def _blocks(evaluation: Evaluation, width: int, room: int = 2) -> list[str]:
    """In-scope funders that are blocked: the first real blocker, with the value seen and the one required."""
    blocked = [
        r
        for r in evaluation.results
        if r.kind == "course" and r.status == "blocked" and r.in_scope is not False and r.scoped_blockers()
    ]
    if not blocked:
        return []
    lines = [f"CE QUI BLOQUE ({len(blocked)})"]
    for r in blocked[:MAX_BLOCKED]:
        blockers = r.scoped_blockers()
        first = blockers[0]
        more = f" (+{len(blockers) - 1})" if len(blockers) > 1 else ""
        message = first.message.replace(UNCONFIRMED, " (à confirmer)").replace(". (à confirmer)", " (à confirmer)")
        text = f"{_name(r)} : {message.rstrip('.')} ; requis : {first.required.rstrip('.')}{more}"
        lines += _item(text, width, MARK["blocked"] + " ", room)
    if len(blocked) > MAX_BLOCKED:
        lines += _item("et aussi : " + ", ".join(_name(r) for r in blocked[MAX_BLOCKED:]), width, "     ")
    return lines


def _amount(e: IncomeEntry) -> str:
    if e.monthly is not None:
        return f"{number_fr(e.monthly)} EUR par mois"
    if e.daily is not None:
        return f"{value_fr(e.daily)} EUR par jour"
    return "montant à déterminer"


def income_sentence(entries: Sequence[IncomeEntry]) -> str:
    """The person's income over the course in one sentence, by names, never by identifiers."""
    paid = [e for e in entries if e.status == "eligible"]
    checking = [e for e in entries if e.status == "a_verifier"]
    parts = []
    for e in paid:
        until = f" jusqu'au {date_fr(e.end)}" if e.end else ""
        parts.append(f"{short_name(e.name)} ({_amount(e)}{until})")
    if checking:
        parts.append("à vérifier : " + ", ".join(short_name(e.name) for e in checking))
    if not paid:
        none = next((e for e in entries if e.status == "aucune"), None)
        head = "aucune ressource confirmée" if checking else "aucune ressource identifiée"
        if none is not None and none.would_open and not checking:
            head += " ; ce qui en ouvrirait une : " + "; ".join(none.would_open)
        parts.insert(0, head)
    return " ; ".join(parts) + "."


def next_actions(evaluation: Evaluation) -> list[tuple[list[FunderResult], str]]:
    """At most three steps, of funders that can still pay (course and income), merged across them:
    each funder's first step before anyone's second one, those of funders of the course before those
    of income schemes, then the steps shared by more funders (answer order on ties). Each with the
    funders it serves."""
    candidates = [r for r in evaluation.results if is_candidate(r)]
    candidates.sort(key=lambda r: (r.status != "eligible", r.kind != "course"))
    served: dict[str, list[FunderResult]] = {}
    rank_of: dict[str, int] = {}
    for r in candidates:
        for rank, step in enumerate(s for s in r.next_steps if not s.startswith("Recueillir")):
            funders = served.setdefault(step, [])
            rank_of[step] = min(rank_of.get(step, rank), rank)
            if r not in funders:
                funders.append(r)
    ranked = sorted(served.items(), key=lambda item: (rank_of[item[0]], item[1][0].kind != "course", -len(item[1])))
    return [(funders, step) for step, funders in ranked[:MAX_ACTIONS]]


def _actions(evaluation: Evaluation, width: int) -> list[str]:
    actions = next_actions(evaluation)
    if not actions:
        return []
    lines = ["PROCHAINES ACTIONS"]
    for funders, step in actions:
        names = ", ".join(dict.fromkeys(_name(r) for r in funders))
        lines += _cut(wrap(f"{names} : {step}", width, "  -> ", "     "), 2)
    return lines


def deciding_facts(evaluation: Evaluation) -> list[tuple[str, list[str]]]:
    """Facts to collect, with the funders still to check (in the person's public or maybe) whose
    answer each can change: most answers of funders surely for the person first, then most answers."""
    wanted: dict[str, list[str]] = {}
    sure: dict[str, int] = {}
    for r in evaluation.results:
        if r.status != "a_verifier" or r.in_scope is False:
            continue
        for path in r.missing_facts:
            names = wanted.setdefault(path, [])
            if _name(r) not in names:
                names.append(_name(r))
                sure[path] = sure.get(path, 0) + (r.in_scope is True)
    return sorted(wanted.items(), key=lambda item: (-sure[item[0]], -len(item[1])))


def _facts(evaluation: Evaluation, width: int) -> list[str]:
    ranked = deciding_facts(evaluation)
    if not ranked:
        return []
    lines = [f"À RECUEILLIR EN PRIORITÉ ({len(ranked)} fait(s) manquant(s))"]
    for path, names in ranked[:MAX_FACTS]:
        answers = f"{len(names)} réponse" + ("s" if len(names) > 1 else "")
        lines += _item(f"{fact_label(path)} — change {answers} : {', '.join(names)}", width, "  - ", 2)
    return lines


def _outside(evaluation: Evaluation, width: int) -> list[str]:
    outside = [r for r in evaluation.results if r.in_scope is False and r.status != "not_in_force"]
    if not outside:
        return []
    outside.sort(key=lambda r: r.kind != "course")  # those that pay the course first
    return _item(f"Hors public ({len(outside)}) : " + ", ".join(_name(r) for r in outside) + ".", width, "")


def _review(evaluation: Evaluation, width: int) -> list[str]:
    if not evaluation.warnings:
        return []
    if len(evaluation.warnings) == 1:
        return _item("Attention : " + evaluation.warnings[0], width, "")
    return _item(
        f"Attention : règles à revérifier pour {len(evaluation.warnings)} financeurs (voir --detail).", width, ""
    )


def render_synthesis(
    evaluation: Evaluation,
    plan: Plan,
    amounts: Mapping[str, Optional[float]],
    source: Optional[str] = None,
    width: Optional[int] = None,
    region: Optional[str] = None,
    plans_first: bool = False,
    note: Optional[str] = None,
) -> str:
    """`amounts`: what each course funder can cover on its own (funder id → euros, None when the
    funder decides); `plans_first`: the plan command's view (the plans instead of the candidates);
    `note`: a line said first (the case lacks the triage facts)."""
    width = width or terminal_width()
    head = ("Plans de financement" if plans_first else "Évaluation") + f" au {date_fr(evaluation.as_of)}"
    if evaluation.date_demande and evaluation.date_demande != evaluation.as_of:
        head += f" (demande du {date_fr(evaluation.date_demande)})"
    if source:
        head += f" — {source}"
    lines = _cut(wrap(head, width, "", "  "), 2)
    if region:
        lines += _item(f"Région : {value_fr(region, 'region')}", width, "")
    if note:  # a nearly empty case, said before anything else (fundrules/triage.py)
        lines += _cut(wrap(note, width, "", "  "), 2)
    cost = plan.plans[0].cost if plan.plans else None
    body: list[str] = []
    for room in (2, 1):  # the whole answer on one screen: one line per funder when two do not fit
        sections = [
            _plans(plan, width) if plans_first else _who_pays(evaluation, amounts, cost, width, room),
            _blocks(evaluation, width, room),
            _cut(wrap("POUR VIVRE PENDANT LA FORMATION : " + income_sentence(_income(plan)), width, "", "  "), 2),
            _actions(evaluation, width),
            _facts(evaluation, width),
        ]
        body = [line for section in sections if section for line in ["", *section]]
        tail = ["", *_outside(evaluation, width), *_review(evaluation, width), HINT]
        if len(lines) + len(body) + len(tail) <= MAX_LINES:
            break
    lines += body + tail
    return "\n".join(fit(lines, width)) + "\n"


def _income(plan: Plan) -> Sequence[IncomeEntry]:
    """The income with the main plan when there is one (its pay follows its course), else overall."""
    return plan.plans[0].income if plan.plans and plan.plans[0].income else plan.income


def synthesis_of(engine, case, as_of=None, explain: bool = False) -> tuple[Evaluation, Plan, dict]:
    """(evaluation, plan, amounts) of one case: the plan built from that very evaluation, so that
    the two halves of the synthesis cannot disagree."""
    from ..plan.planner import funder_amounts, make_plan

    evaluation = engine.evaluate(case, as_of, explain=explain)
    plan = make_plan(engine, case, as_of, evaluation)
    return evaluation, plan, funder_amounts(engine, case, evaluation)
