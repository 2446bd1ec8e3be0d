"""Texts a counsellor reads, checked like the rules (issue 22): no `None`, no identifier of the
engine (snake_case) outside a {placeholder}, no ". ;", and a pay never named like its scheme. The
texts are the values of the keys below in every ruleset file (funder.yaml, versions, variants,
plan rules); the values a placeholder takes are checked where they are made (fundrules/french.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# Keys whose values are shown to counsellors (summaries, steps, advice, income sections…).
READ_BY_COUNSELLORS = frozenset(
    {
        "name",
        "scope_label",
        "orientation_step",
        "replaced_by",
        "before_start",
        "description",
        "summary",
        "message",
        "required",
        "unlock",
        "next_step",
        "label",
        "advice",
        "payer",
        "decided_by",
    }
)
_PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")
_URL = re.compile(r"https?://\S+|\b[\w.-]+\.(?:fr|gouv\.fr|com|org|eu)\S*")
_SNAKE = re.compile(r"(?<![\w.@/-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w/-])")
_NONE = re.compile(r"\bNone\b")


def text_problems(text: str) -> list[str]:
    """What is wrong with one text a counsellor reads (empty list: nothing)."""
    problems = []
    if _NONE.search(text):
        problems.append("« None » dans un texte lu par le conseiller")
    bare = _URL.sub(" ", _PLACEHOLDER.sub(" ", text))
    codes = sorted(set(_SNAKE.findall(bare)))
    if codes:
        problems.append(f"identifiant brut dans un texte lu par le conseiller : {', '.join(codes)}")
    if re.search(r"\.\s+;", text):
        problems.append("« . ; » dans un texte lu par le conseiller")
    return problems


def _texts(node: Any, path: tuple = ()) -> Iterator[tuple[tuple, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in READ_BY_COUNSELLORS and isinstance(value, str):
                yield (*path, key), value
            elif key in READ_BY_COUNSELLORS and isinstance(value, list):
                for i, item in enumerate(value):
                    if isinstance(item, str):
                        yield (*path, key, i), item
            else:
                yield from _texts(value, (*path, key))
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _texts(item, (*path, i))


def lint_texts(directory: str | Path) -> list[Any]:
    """One LintProblem per faulty text of every ruleset file under `directory`; and a pay whose
    name reads like its scheme's (`income.paired_with`: "Rémunération du CIF", not "CIF")."""
    from ..french import short_name
    from ..source import read_document
    from .problems import LintProblem

    root = Path(directory)
    problems: list[Any] = []
    names: dict[str, tuple[str, str, Any]] = {}
    for file in sorted(root.rglob("*.y*ml")):
        if any(part.startswith(".") for part in file.relative_to(root).parts):
            continue
        doc = read_document(file)
        funder = file.relative_to(root).parts[0]
        version = file.stem
        for where, text in _texts(doc.data):
            for reason in text_problems(text):
                line = doc.line_of(where)
                problems.append(LintProblem(funder, version, ".".join(map(str, where)), str(file), line, reason))
        if file.name == "funder.yaml" and isinstance(doc.data, dict) and isinstance(doc.data.get("name"), str):
            names[str(doc.data.get("id", funder))] = (doc.data["name"], str(file), doc)
    for fid, (name, where_file, doc) in names.items():
        income = doc.data.get("income") if isinstance(doc.data, dict) else None
        for course in (income or {}).get("paired_with") or []:
            if course in names and short_name(name) == short_name(names[course][0]):
                problems.append(
                    LintProblem(
                        fid,
                        "funder",
                        "name",
                        where_file,
                        doc.line_of(("name",)),
                        f"même nom court que le dispositif qu'il rémunère ({short_name(name)})",
                    )
                )
    return problems
