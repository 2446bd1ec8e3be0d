"""Which facts to ask next, and in what order: only those whose answer can change an answer.

A funder's answer here is its status and whether the person is in its public (`in_scope`). An
answer is *open* when the funder is "à vérifier" for a person who may be in its public: eligible
and blocked answers are final (Kleene logic is monotone: a fact added never turns a known criterion
back), and so is "hors public". The engine's compact outcome already says, per open funder, which
facts its unknown criteria read (`missing_facts`); each of them is then *tried*: the case is
evaluated again with that fact set to each value that could matter (both booleans, every choice,
every variant, numbers and dates on either side of each threshold the criteria read). A fact is
asked when some value *moves* an open funder's answer, or *settles* one of its unknown criteria
(the answer's checks "à vérifier" change: an eligible answer needs every criterion settled, which
no single fact does while several are unknown). A fact that does neither is not asked.

When no single fact advances an open funder (its criteria compare two unknown facts, say), every
fact it still lacks is asked, marked `jointly`: together they settle it. So the intake stops only
when each open funder lacks nothing but facts declined ("je ne sais pas"), and its final statuses
are those of the whole case (tested on every library case).

Order, deterministic: triage facts first (in TRIAGE order) while unknown; then facts that advance a
funder alone before facts that do so only jointly; then the most funders paying the course
advanced (who pays the course comes before the person's income during it); then the most answers
moved; then the most funders advanced; then the fact table's order. (Measured on the case library:
putting course funders first took the median number of questions to the whole case's statuses from
14 to 11; favouring scope facts, or funders with fewer facts left, did not help.)
The operator changes no status but says who can mobilise each funder: it is asked (triage) while
unknown and some open or eligible funder can be mobilised by some operators only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, Optional

from ..case import EARLIEST_DATE, LATEST_DATE, MAX_INT_FACT, CaseInput, case_facts, case_from_data
from ..conditions.ast import Literal, Node, ParamRef
from ..conditions.typecheck import walk
from ..derived import add_derived
from ..engine.decide import FunderOutcome
from ..errors import InputError
from ..fact_questions import QUESTIONS
from ..facts import BOOL, DATE, FACTS, INT, NUMBER, OPERATORS, STRING
from ..french import short_name
from ..triage import TRIAGE_FACTS
from .model import Choice, Question, Questions

# the triage facts a case should hold (fundrules/triage.py), then where and by whom it is followed
TRIAGE = (*TRIAGE_FACTS, "region", "operateur")
_ORDER = {path: index for index, path in enumerate(FACTS)}
LARGE_NUMBER = 1_000_000  # the top probe of an unbounded number: above every threshold of the rules
MAX_OFFSET = 1_000  # numbers read as a count of days or months only up to this size


def _case(case: Any) -> CaseInput:
    if isinstance(case, CaseInput):
        return case
    if isinstance(case, dict):
        return case_from_data(case)
    raise InputError("un CaseInput ou un dict était attendu", field="case")


def answer_of(funder: FunderOutcome) -> tuple[str, Optional[bool]]:
    return funder.status, funder.in_scope


def is_open(funder: FunderOutcome) -> bool:
    return funder.status == "a_verifier" and funder.in_scope is not False


def with_fact(data: dict, path: str, value: Any) -> dict:
    """A copy of the case's data with one fact set (the section set is copied; the data is never
    changed in place, so the other sections may be shared)."""
    copy = dict(data)
    if "." in path:
        section, name = path.split(".", 1)
        copy[section] = {**copy.get(section, {}), name: value}
    else:
        copy[path] = value
    return copy


def _constants(nodes: Iterable[Node], params: Mapping[str, Any]) -> tuple[list[float], list[dt.date], list[str]]:
    numbers: list[float] = []
    dates: list[dt.date] = []
    texts: list[str] = []

    def visit(node: Node) -> None:
        value: Any
        if isinstance(node, Literal):
            value = node.value
        elif isinstance(node, ParamRef):
            value = params.get(node.name)
        else:
            return
        if isinstance(value, bool) or value is None:
            return
        if isinstance(value, (int, float)):
            numbers.append(value)
        elif isinstance(value, dt.date):
            dates.append(value)
        elif isinstance(value, str):
            texts.append(value)

    for node in nodes:
        walk(node, visit)
    return numbers, dates, texts


def _add_months(day: dt.date, months: int) -> Optional[dt.date]:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    for last in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    return None


def _probes(engine, path: str, facts: Mapping[str, Any], day: dt.date, funders: list[FunderOutcome]) -> list[Any]:
    """Values of `path` that could move the criteria that read it: both sides of every threshold."""
    fact = FACTS[path]
    variants = sorted({v for f in engine.catalog.funders.values() if f.variant_by == path for v in f.variants})
    if variants:
        return list(variants)
    if fact.kind == BOOL:
        return [True, False]
    if fact.kind == "enum":
        return list(fact.choices)
    criteria = [c for f in funders for c in f.unknown if path in c.facts]
    params: dict[str, Any] = {}
    for f in funders:
        if f.active is not None:
            params.update(f.active.param_values())
    numbers, dates, texts = _constants((c.condition for c in criteria), params)
    read = {p for c in criteria for p in c.facts}
    known = [facts[p] for p in sorted(read) if p in facts and p != path]
    numbers += [v for v in known if isinstance(v, (int, float)) and not isinstance(v, bool)]
    dates += [v for v in known if isinstance(v, dt.date)]
    found: list[Any] = []
    if fact.kind == STRING:
        return list(dict.fromkeys(texts + ["autre"]))
    if fact.kind in (INT, NUMBER):
        low = fact.minimum if fact.minimum is not None else 0
        high = fact.maximum if fact.maximum is not None else LARGE_NUMBER
        candidates = [low, high]
        for n in numbers:
            candidates += [n - 1, n, n + 1]
        for value in candidates:
            value = max(low, min(high, value))
            found.append(int(round(value)) if fact.kind == INT else value)
        return list(dict.fromkeys(found))
    if fact.kind == DATE:
        bases = list(dict.fromkeys([day, *dates]))
        offsets = sorted({int(abs(n)) for n in numbers if abs(n) <= MAX_OFFSET and float(n).is_integer()} - {0})
        one = dt.timedelta(days=1)
        for base in bases:
            found += [base - one, base, base + one]
        for base in bases:
            for n in offsets:
                for shifted in (
                    base + dt.timedelta(days=n),
                    base - dt.timedelta(days=n),
                    _add_months(base, n),
                    _add_months(base, -n),
                ):
                    if shifted is not None:
                        found += [shifted - one, shifted, shifted + one]
        return [d for d in dict.fromkeys(found) if EARLIEST_DATE <= d <= LATEST_DATE]
    return []


def _tried(
    engine, data: dict, as_of: Optional[dt.date], path: str, values: list[Any], concerned: list[FunderOutcome]
) -> tuple[set[str], set[str]]:
    """(funders whose answer moves, funders of which an unknown criterion gets settled without the
    answer moving) for some value of `path`, among the concerned funders."""
    before = {f.funder: (answer_of(f), frozenset(c.key for c in f.unknown)) for f in concerned}
    moved: set[str] = set()
    settled: set[str] = set()
    for value in values:
        try:
            probe = case_from_data(with_fact(data, path, value))
            after = engine.outcome(probe, as_of)
        except InputError:  # a value the case cannot hold with its other facts (a date before birth)
            continue
        for f in after.funders:
            was = before.get(f.funder)
            if was is None or f.funder in moved:
                continue
            if answer_of(f) != was[0]:
                moved.add(f.funder)
            elif not was[1] <= {c.key for c in f.unknown}:
                settled.add(f.funder)
        if len(moved) == len(before):
            break
    return moved, settled - moved


def _question(
    engine, path: str, funders: list[str], triage: bool, jointly: bool, reason: str, moves: Iterable[str] = ()
) -> Question:
    fact = FACTS[path]
    asked = QUESTIONS[path]
    if fact.kind == BOOL:
        choices = [Choice(value=True, label="oui"), Choice(value=False, label="non")]
    elif fact.kind == "enum":
        choices = [Choice(value=code, label=asked.labels.get(code, code)) for code in fact.choices]
    else:
        choices = []
    kind = fact.kind if fact.kind in ("bool", "enum", "int", "number", "date", "string") else "string"
    numeric = fact.kind in (INT, NUMBER)
    return Question(
        fact=path,
        question=asked.text,
        type=kind,
        choices=choices,
        unit=asked.unit,
        minimum=fact.minimum if numeric else None,
        maximum=(fact.maximum if fact.maximum is not None else (MAX_INT_FACT if fact.kind == INT else None))
        if numeric
        else None,
        funders=funders,
        moves=sorted(moves),
        triage=triage,
        jointly=jointly,
        reason=reason,
    )


def _course(engine, funders) -> int:
    return sum(engine.catalog.funders[f].kind == "course" for f in funders)


def funder_names(engine, funders: Iterable[str], day: Optional[dt.date] = None) -> str:
    """ "AIF, CPF": short names, the full name where two of them would read the same (CIF, its pay);
    on `day`, the names the schemes had that day (RFPE before 2024, RFFT after), as in the answers."""
    names = [engine.catalog.funders[f].name_at(day) if day else engine.catalog.funders[f].name for f in funders]
    short = [short_name(n) for n in names]
    return ", ".join(s if short.count(s) == 1 else n for s, n in zip(short, names, strict=True))


_names = funder_names


def _reason(
    engine, path: str, triage: bool, moved: set[str], settled: set[str], funders: list[str], day: dt.date
) -> str:
    if path == "operateur":
        parts = [f"dit lesquels de ces {len(funders)} financeurs l'opérateur peut mobiliser lui-même"]
    elif not moved and not settled:
        parts = [f"ne tranche qu'avec d'autres faits inconnus des mêmes critères : {_names(engine, funders, day)}"]
    else:
        parts = []
        if moved:
            parts.append(f"peut changer la réponse de : {_names(engine, sorted(moved), day)}")
        if settled:
            parts.append(f"tranche un critère de : {_names(engine, sorted(settled), day)}")
    said = " ; ".join(parts)
    return ("Question de tri ; " + said if triage else said[0].upper() + said[1:]) + "."


def next_questions(
    engine,
    case: Any,
    as_of: Optional[dt.date] = None,
    limit: Optional[int] = None,
    skip: Iterable[str] = (),
) -> Questions:
    """The facts to ask next for `case` (a CaseInput or a dict), best first (see the module's
    docstring for the order); `skip`: facts the person could not answer, never asked again;
    `limit`: at most that many questions. Raises InputError on a bad case or an unknown fact in `skip`."""
    if limit is not None and limit < 0:
        raise InputError("limit doit être positif ou nul", field="limit")
    skipped = set(skip)
    for path in skipped:
        if path not in FACTS:
            raise InputError(f"fait inconnu « {path[:80]} »", field="skip")
    case = _case(case)
    day = as_of or case.date_demande
    if day is None:  # no rules apply to a case without a date: the date first
        questions = []
        if "date_demande" not in skipped:
            questions.append(
                _question(
                    engine,
                    "date_demande",
                    [],
                    True,
                    False,
                    "Sans date de demande, aucune règle ne s'applique : elle se demande d'abord.",
                )
            )
        return Questions(as_of=None, questions=questions[:limit] if limit is not None else questions, open_funders=[])
    outcome = engine.outcome(case, as_of)
    facts = case_facts(case)
    known = dict(facts)
    add_derived(known, day)  # what the rules read: the case's facts and those computed from them
    data = case.model_dump(exclude_none=True)
    open_funders = [f for f in outcome.funders if is_open(f)]
    pending: dict[str, list[FunderOutcome]] = {}
    for f in open_funders:
        for path in f.missing_facts:
            if path not in skipped and path not in facts:
                pending.setdefault(path, []).append(f)

    moves: dict[str, set[str]] = {}  # fact -> funders whose answer it can move
    settles: dict[str, set[str]] = {}  # fact -> funders of which it can settle a criterion, answer unmoved
    for path, concerned in pending.items():
        moved, settled = _tried(engine, data, as_of, path, _probes(engine, path, known, day, concerned), concerned)
        if moved or settled:
            moves[path], settles[path] = moved, settled
    progressing = {f for path in moves for f in moves[path] | settles[path]}
    jointly: dict[str, set[str]] = {}  # facts that settle nothing alone, for funders nothing else advances
    for f in open_funders:
        if f.funder in progressing:
            continue
        for path in f.missing_facts:
            if path in pending and path not in moves:
                jointly.setdefault(path, set()).add(f.funder)

    if "operateur" not in facts and "operateur" not in skipped:
        every = set(OPERATORS)
        mobilised = {
            f.funder
            for f in outcome.funders
            if f.status in ("eligible", "a_verifier")
            and f.in_scope is not False
            and not every <= set(engine.catalog.funders[f.funder].mobilised_by)
        }
        if mobilised:
            moves["operateur"], settles["operateur"] = mobilised, set()

    entries = []
    for path in list(moves) + list(jointly):
        moved, settled = moves.get(path, set()), settles.get(path, set())
        both = moved | settled or jointly[path]
        alone = path in moves
        triage = path in TRIAGE
        key = (
            0 if triage else 1,
            TRIAGE.index(path) if triage else 0,
            0 if alone else 1,
            -_course(engine, both),
            -len(moved),
            -len(both),
            _ORDER.get(path, len(_ORDER)),
        )
        entries.append((key, path, sorted(both), triage, not alone, moved, settled))
    entries.sort(key=lambda e: e[0])
    if limit is not None:
        entries = entries[:limit]
    questions = [
        _question(
            engine, path, funders, triage, joint, _reason(engine, path, triage, moved, settled, funders, day), moved
        )
        for _key, path, funders, triage, joint, moved, settled in entries
    ]
    return Questions(as_of=outcome.as_of, questions=questions, open_funders=[f.funder for f in open_funders])
