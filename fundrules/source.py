"""Reading YAML and JSON files safely, keeping the line of every field for error messages.

YAML is read with PyYAML's safe loader only. Aliases are refused in every file (no "billion
laughs"; no file of ours needs them) and every file is capped in size, so a hostile file fails
fast with a French message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError

MAX_FILE_BYTES = 1_000_000  # documented in the README: larger files are refused

Path_ = tuple[Any, ...]


@dataclass
class Located:
    """A parsed document and the line (1-based) where each path of it starts."""

    data: Any
    file: str
    lines: dict[Path_, int] = field(default_factory=dict)

    def line_of(self, path: Path_) -> int | None:
        """Line of the longest known prefix of `path` (a missing field points at its parent)."""
        path = tuple(path)
        while True:
            if path in self.lines:
                return self.lines[path]
            if not path:
                return None
            path = path[:-1]


_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: same marks, faster


def _record_lines(node: yaml.Node, path: Path_, lines: dict[Path_, int], seen: set[int]) -> None:
    """Map each path to its line; a node met twice is an alias (refused before anything is built)."""
    if id(node) in seen:
        raise InputError("les alias YAML (*nom) sont refusés", line=node.start_mark.line + 1)
    seen.add(id(node))
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                child = path + (key_node.value,)
                lines[child] = key_node.start_mark.line + 1
                _record_lines(value_node, child, lines, seen)
            else:
                _record_lines(key_node, path + ("?",), lines, seen)
                _record_lines(value_node, path + ("?",), lines, seen)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record_lines(item, path + (index,), lines, seen)


def parse_text(text: str, file: str) -> Located:
    loader = None
    lines: dict[Path_, int] = {}
    try:
        loader = _SafeLoader(text)  # the reader checks characters here already
        node = loader.get_single_node()
        if node is None:
            raise InputError("le fichier est vide", file=file)
        _record_lines(node, (), lines, set())
        data = loader.construct_document(node)
    except InputError as err:
        raise InputError(err.reason, file=file, line=err.line) from None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else None
        if "nesting depth" in str(err.problem):
            raise InputError("YAML/JSON trop imbriqué", file=file, line=line) from None
        from .french import yaml_problem_fr
        column = f" (colonne {mark.column + 1})" if mark else ""
        raise InputError(f"YAML/JSON illisible : {yaml_problem_fr(str(err.problem or err))}{column}",
                         file=file, line=line) from None
    except yaml.reader.ReaderError as err:
        raise InputError(f"caractère interdit dans un fichier YAML (code {err.character:#x})", file=file) from None
    except RecursionError:
        raise InputError("YAML/JSON trop imbriqué", file=file) from None
    except (yaml.YAMLError, ValueError) as err:
        from .french import find_bad_date, yaml_problem_fr
        where = find_bad_date(text) if isinstance(err, ValueError) else None
        if where:
            raise InputError(f"{yaml_problem_fr(str(err))} (colonne {where[1]})", file=file, line=where[0]) from None
        raise InputError(f"YAML/JSON illisible : {yaml_problem_fr(str(err))}", file=file) from None
    finally:
        if loader is not None:
            loader.dispose()
    return Located(data=data, file=file, lines=lines)


def read_document(path: str | Path) -> Located:
    """Read a .yaml/.yml/.json file; JSON is parsed strictly, then mapped to lines via YAML."""
    path = Path(path)
    name = str(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError("fichier introuvable", file=name) from None
    except OSError as err:
        raise InputError(f"fichier illisible ({err.strerror})", file=name) from None
    if path.is_dir():
        raise InputError("c'est un dossier, un fichier était attendu", file=name)
    if size > MAX_FILE_BYTES:
        raise InputError(f"fichier trop gros ({size} octets, au plus {MAX_FILE_BYTES})", file=name)
    raw = path.read_bytes()
    if b"\x00" in raw:
        raise InputError("fichier binaire : un fichier texte YAML ou JSON était attendu", file=name)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(f"le fichier n'est pas en UTF-8 (octet {err.start})", file=name) from None
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text, parse_constant=_refuse_constant)
        except json.JSONDecodeError as err:
            from .french import json_problem_fr
            raise InputError(f"JSON invalide : {json_problem_fr(err.msg)} (colonne {err.colno})", file=name,
                             line=err.lineno) from None
        except RecursionError:
            raise InputError("JSON trop imbriqué", file=name) from None
        except InputError as err:
            raise InputError(err.reason, file=name) from None
        try:
            lines = parse_text(text, name).lines
        except InputError:
            lines = {}
        return Located(data=data, file=name, lines=lines)
    if not text.strip():
        raise InputError("le fichier est vide", file=name)
    return parse_text(text, name)


def _refuse_constant(token: str):
    raise InputError(f"valeur {token} refusée (nombre attendu)")
