"""Reading YAML and JSON files safely, keeping the line of every field for error messages.

YAML is read with PyYAML's safe loader only. Aliases are refused in every file (no "billion
laughs"; no file of ours needs them) and every read is capped in size, so a hostile file fails
fast with a French message. Only regular files are read (a device, a FIFO or a folder is refused
before anything is read) and standard input is read up to the same cap.

Scalars follow the YAML 1.2 core schema, not YAML 1.1's surprises: `010`, `0x1F40`, `1_200`,
`1:00` are text, not numbers; only `true`/`false` are booleans (`yes`, `on`, `no`, `off` are
text); dates are `AAAA-MM-JJ`. A key given twice in one block is refused with both lines.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError

MAX_FILE_BYTES = 1_000_000  # documented in the README: larger files are refused
MAX_NUMBER_DIGITS = 30  # no fact or parameter needs more; int("9" * 5000) is refused by Python itself

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


_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available


class _SafeLoader(_BaseLoader):
    """The safe loader with YAML 1.2 core-schema scalars (decimal numbers, true/false, null)."""

    yaml_implicit_resolvers: dict = {}

    # The composer calls these three for every node. This loader has no path resolver and no
    # resolver for every first character (checked below, where they are installed), so a tag
    # depends only on the node kind and, for a plain scalar, on the resolvers of its first character:
    # PyYAML's answer, without its per-node list building.
    def _resolve_by_first_character(self, kind, value, implicit):
        if kind is yaml.ScalarNode:
            if implicit[0]:
                for tag, regexp in self.yaml_implicit_resolvers.get(value[:1], ()):
                    if regexp.match(value):
                        return tag
            return self.DEFAULT_SCALAR_TAG
        return self.DEFAULT_SEQUENCE_TAG if kind is yaml.SequenceNode else self.DEFAULT_MAPPING_TAG

    def _no_path_resolver(self, *_node_and_index) -> None:
        return None


def _resolver(tag: str, pattern: str, first: str) -> None:
    _SafeLoader.add_implicit_resolver(tag, re.compile(pattern, re.X), list(first))


_Y = "tag:yaml.org,2002:"
_CORE = {  # YAML 1.2 core schema, without octal and hexadecimal integers (a leading zero is text)
    "null": r"^(?:~|null|Null|NULL|)$",
    "bool": r"^(?:true|True|TRUE|false|False|FALSE)$",
    "int": r"^[-+]?(?:0|[1-9][0-9]*)$",
    "float": r"""^(?:[-+]?(?:(?:0|[1-9][0-9]*)(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?
                 |[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$""",
}
_CORE_RE = {name: re.compile(pattern, re.X) for name, pattern in _CORE.items()}
for _name, _first in (("null", "~nN"), ("bool", "tTfF"), ("int", "-+0123456789"), ("float", "-+0123456789.")):
    _SafeLoader.add_implicit_resolver(_Y + _name, _CORE_RE[_name], list(_first))
_SafeLoader.add_implicit_resolver(_Y + "null", _CORE_RE["null"], [""])
for _tag, _regexp in yaml.resolver.Resolver.yaml_implicit_resolvers["2"]:  # YAML 1.1 dates, kept as they are
    if _tag.endswith(":timestamp"):
        _SafeLoader.add_implicit_resolver(_tag, _regexp, list("0123456789"))
        _CORE_RE["timestamp"] = _regexp
if None not in _SafeLoader.yaml_implicit_resolvers and not _SafeLoader.yaml_path_resolvers:
    _SafeLoader.resolve = _SafeLoader._resolve_by_first_character
    _SafeLoader.descend_resolver = _SafeLoader._no_path_resolver
    _SafeLoader.ascend_resolver = _SafeLoader._no_path_resolver
# An explicit tag (!!int "0x1F", !!bool yes, !!binary, !!set…) may only say what the value already is.
_ALLOWED_TAGS = {_Y + t for t in ("str", "null", "bool", "int", "float", "timestamp", "map", "seq")}


_KIND_FR = {"int": "nombre", "float": "nombre", "bool": "booléen", "null": "valeur nulle"}


def _spelled(node, kind: str) -> None:
    if not _CORE_RE[kind].match(node.value):
        raise InputError(
            f"valeur « {node.value[:40]} » illisible comme {_KIND_FR[kind]}", line=node.start_mark.line + 1
        )


def _construct_int(loader, node):
    _spelled(node, "int")
    if len(node.value) > MAX_NUMBER_DIGITS:
        raise InputError(
            f"nombre de {len(node.value)} chiffres refusé (au plus {MAX_NUMBER_DIGITS})", line=node.start_mark.line + 1
        )
    return int(node.value)


def _construct_float(loader, node):
    value = node.value
    _spelled(node, "float")
    if len(value) > 2 * MAX_NUMBER_DIGITS:
        raise InputError(f"nombre de {len(value)} caractères refusé", line=node.start_mark.line + 1)
    if value.lower().lstrip("+-") in (".inf", ".nan"):
        return yaml.SafeLoader.construct_yaml_float(loader, node)
    return float(value)


def _construct_bool(loader, node):
    _spelled(node, "bool")
    return node.value.lower() == "true"


def _construct_timestamp(loader, node):
    if not _CORE_RE["timestamp"].match(node.value):
        raise InputError(f"date « {node.value[:40]} » illisible (AAAA-MM-JJ attendu)", line=node.start_mark.line + 1)
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        raise InputError(
            f"date impossible « {node.value[:40]} » (colonne {node.start_mark.column + 1})",
            line=node.start_mark.line + 1,
        ) from None


def _construct_null(loader, node):
    _spelled(node, "null")


_SafeLoader.add_constructor(_Y + "int", _construct_int)
_SafeLoader.add_constructor(_Y + "timestamp", _construct_timestamp)
_SafeLoader.add_constructor(_Y + "null", _construct_null)
_SafeLoader.add_constructor(_Y + "float", _construct_float)
_SafeLoader.add_constructor(_Y + "bool", _construct_bool)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _check_text(value: str, line: int | None) -> None:
    """A lone surrogate (JSON "\\ud800") can be neither printed nor written back: refuse it here."""
    found = _SURROGATE.search(value)
    if found:
        raise InputError(f"caractère invalide (moitié de paire UTF-16, code {ord(found.group()):#x})", line=line)


def _check_strings(data: Any, lines: dict, path: Path_ = ()) -> None:
    """_check_text on every key and string of `data`; the line is looked up only for a bad one."""
    if isinstance(data, str):
        if _SURROGATE.search(data):
            _check_text(data, _line_in(lines, path))
    elif isinstance(data, dict):
        for key, value in data.items():
            if isinstance(key, str) and _SURROGATE.search(key):
                _check_text(key, _line_in(lines, path + (key,)))
            if isinstance(value, str):
                if _SURROGATE.search(value):
                    _check_text(value, _line_in(lines, path + (key,)))
            elif isinstance(value, (dict, list)):
                _check_strings(value, lines, path + (key,))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            if isinstance(item, str):
                if _SURROGATE.search(item):
                    _check_text(item, _line_in(lines, path + (index,)))
            elif isinstance(item, (dict, list)):
                _check_strings(item, lines, path + (index,))


def _line_in(lines: dict, path: Path_) -> int | None:
    return Located(None, "", lines).line_of(path)


def _record_lines(node: yaml.Node, path: Path_, lines: dict[Path_, int], seen: set[int]) -> None:
    """Map each path to its line; a node met twice is an alias (refused before anything is built)."""
    if id(node) in seen:
        raise InputError("les alias YAML (*nom) sont refusés", line=node.start_mark.line + 1)
    seen.add(id(node))
    lines.setdefault(path, node.start_mark.line + 1)
    if node.tag not in _ALLOWED_TAGS:
        raise InputError(
            f"YAML illisible : étiquette {node.tag.replace(_Y, '!!')} refusée", line=node.start_mark.line + 1
        )
    if isinstance(node, yaml.MappingNode):
        keys: dict[tuple[str, str], int] = {}
        for key_node, _value in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            line = key_node.start_mark.line + 1
            key = (key_node.tag, key_node.value)
            if key in keys:
                where = f"lignes {keys[key]} et {line}" if keys[key] != line else f"ligne {line}"
                raise InputError(f"clé « {key_node.value} » donnée deux fois ({where})", line=line)
            keys[key] = line
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


class _Unusual(Exception):
    """A node the direct construction leaves to PyYAML (a tag on the wrong kind of node, a key that
    is not a scalar): PyYAML then builds the whole document and says what is wrong, as before."""


_SCALAR_CONSTRUCTORS = {
    _Y + "int": _construct_int,
    _Y + "float": _construct_float,
    _Y + "bool": _construct_bool,
    _Y + "null": _construct_null,
    _Y + "timestamp": _construct_timestamp,
}


def _construct(loader: yaml.SafeLoader, root: yaml.Node) -> Any:
    """The document built from its nodes as PyYAML's construct_document builds it (same values,
    same constructors, the same order of construction: a container's scalars, then its containers,
    level by level, so the first bad value reported is the same), without its per-node bookkeeping.
    Aliases, unknown tags and duplicate keys were refused by _record_lines before."""
    str_tag, map_tag, seq_tag = _Y + "str", _Y + "map", _Y + "seq"
    scalars = _SCALAR_CONSTRUCTORS
    pending: list[tuple[Any, yaml.Node]] = []

    def make(node: yaml.Node) -> Any:
        kind, tag = type(node), node.tag
        if kind is yaml.ScalarNode:
            if tag == str_tag:
                return node.value
            construct = scalars.get(tag)
            if construct is None:
                raise _Unusual
            return construct(loader, node)
        if kind is yaml.MappingNode and tag == map_tag:
            data: Any = {}
        elif kind is yaml.SequenceNode and tag == seq_tag:
            data = []
        else:
            raise _Unusual
        pending.append((data, node))
        return data

    document = make(root)
    while pending:
        level = pending[:]
        del pending[:]
        for data, node in level:
            if isinstance(data, dict):
                mapping = {}
                for key_node, value_node in node.value:
                    if type(key_node) is not yaml.ScalarNode:
                        raise _Unusual
                    key = make(key_node)
                    mapping[key] = make(value_node)
                data.update(mapping)
            else:
                data.extend([make(item) for item in node.value])
    return document


def parse_text(text: str, file: str, check_strings: bool = True) -> Located:
    loader = None
    lines: dict[Path_, int] = {}
    try:
        loader = _SafeLoader(text)  # the reader checks characters here already
        node = loader.get_single_node()
        if node is None:
            raise InputError("le fichier est vide", file=file)
        _record_lines(node, (), lines, set())
        try:
            data = _construct(loader, node)
        except _Unusual:
            data = loader.construct_document(node)
        if check_strings and ("\\" in text or _SURROGATE.search(text)):
            _check_strings(data, lines)  # else no string can hold a surrogate: only an escape makes one
    except InputError as err:
        raise InputError(err.reason, file=file, line=err.line, code=err.code) from None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else None
        if "nesting depth" in str(err.problem):
            raise InputError("YAML/JSON trop imbriqué", file=file, line=line) from None
        from .french import yaml_problem_fr

        column = f" (colonne {mark.column + 1})" if mark else ""
        raise InputError(
            f"YAML/JSON illisible : {yaml_problem_fr(str(err.problem or err))}{column}",
            file=file,
            line=line,
            code="yaml_syntax",
        ) from None
    except yaml.reader.ReaderError as err:
        raise InputError(f"caractère interdit dans un fichier YAML (code {err.character:#x})", file=file) from None
    except RecursionError:
        raise InputError("YAML/JSON trop imbriqué", file=file) from None
    except (yaml.YAMLError, ValueError) as err:
        from .french import find_bad_date, yaml_problem_fr

        where = find_bad_date(text) if isinstance(err, ValueError) else None
        if where:
            raise InputError(
                f"{yaml_problem_fr(str(err))} (colonne {where[1]})", file=file, line=where[0], code="yaml_syntax"
            ) from None
        raise InputError(f"YAML/JSON illisible : {yaml_problem_fr(str(err))}", file=file, code="yaml_syntax") from None
    finally:
        if loader is not None:
            loader.dispose()
    return Located(data=data, file=file, lines=lines)


def read_bounded(path: str | Path) -> bytes:
    """The bytes of a regular file, at most MAX_FILE_BYTES; anything else is a French InputError.

    The file is opened without blocking (a FIFO would wait for a writer) and checked with fstat on
    the open descriptor, so a device, a FIFO or a folder behind a symlink is refused too.
    """
    name = str(path)
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise InputError("fichier introuvable", file=name, code="file_not_found") from None
    except IsADirectoryError:
        raise InputError("c'est un dossier, un fichier était attendu", file=name) from None
    except OSError as err:
        raise InputError(f"fichier illisible ({_os_reason(err)})", file=name) from None
    try:
        status = os.fstat(descriptor)
        if stat.S_ISDIR(status.st_mode):
            raise InputError("c'est un dossier, un fichier était attendu", file=name)
        if not stat.S_ISREG(status.st_mode):
            raise InputError(
                "ce n'est pas un fichier ordinaire (périphérique, tube ou socket) : "
                "un fichier YAML ou JSON était attendu",
                file=name,
            )
        size = status.st_size
        if size > MAX_FILE_BYTES:
            raise InputError(
                f"fichier trop gros ({size} octets, au plus {MAX_FILE_BYTES})", file=name, code="file_too_large"
            )
        raw = _read_at_most(descriptor, MAX_FILE_BYTES + 1)  # a file that grows while read is still bounded
    except OSError as err:
        raise InputError(f"fichier illisible ({_os_reason(err)})", file=name) from None
    finally:
        os.close(descriptor)
    if len(raw) > MAX_FILE_BYTES:
        raise InputError(f"fichier trop gros (plus de {MAX_FILE_BYTES} octets)", file=name, code="file_too_large")
    return raw


def _read_at_most(descriptor: int, limit: int) -> bytes:
    """Up to `limit` bytes of an open file, until its end (os.read may return less than asked)."""
    chunks = []
    left = limit
    while left > 0:
        chunk = os.read(descriptor, left)
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


_OS_REASONS = {
    errno.EACCES: "accès refusé",
    errno.EPERM: "accès refusé",
    errno.ELOOP: "boucle de liens symboliques",
    errno.ENOTDIR: "un élément du chemin n'est pas un dossier",
    errno.ENAMETOOLONG: "nom trop long",
    errno.EIO: "erreur d'entrée-sortie",
}


def _os_reason(err: OSError) -> str:
    return _OS_REASONS.get(err.errno or 0, err.strerror or "erreur système")


def read_stream(stream, name: str = "<entrée standard>") -> bytes:
    """At most MAX_FILE_BYTES from a binary stream (standard input): an endless one is cut and refused."""
    try:
        raw = stream.read(MAX_FILE_BYTES + 1)
    except OSError as err:
        raise InputError(f"lecture impossible ({_os_reason(err)})", file=name) from None
    if len(raw) > MAX_FILE_BYTES:
        raise InputError(f"entrée trop grosse (plus de {MAX_FILE_BYTES} octets)", file=name, code="file_too_large")
    return raw


def decode_text(raw: bytes, name: str) -> str:
    if b"\x00" in raw:
        raise InputError("fichier binaire : un fichier texte YAML ou JSON était attendu", file=name)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(f"le fichier n'est pas en UTF-8 (octet {err.start})", file=name) from None


def read_document(path: str | Path) -> Located:
    """Read a .yaml/.yml/.json file; JSON is parsed strictly, then mapped to lines via YAML."""
    path = Path(path)
    return parse_bytes(read_bounded(path), str(path), json_syntax=path.suffix.lower() == ".json")


def parse_bytes(raw: bytes, name: str, json_syntax: bool = False, lines: bool = True) -> Located:
    """Parse bytes already read (bounded) from a file or a stream; JSON when `json_syntax`. With
    `lines=False` (JSON only) the line map, a second reading of the text, is left out unless the
    parser refuses a string (the HTTP service works the lines out only for a case it refuses)."""
    text = decode_text(raw, name)
    if json_syntax:
        return _parse_json(text, name, lines)
    if not text.strip():
        raise InputError("le fichier est vide", file=name)
    return parse_text(text, name)


def _parse_json(text: str, name: str, lines_wanted: bool = True) -> Located:
    try:
        data = json.loads(text, parse_constant=_refuse_constant, parse_int=_json_int, object_pairs_hook=_json_object)
    except json.JSONDecodeError as err:
        from .french import json_problem_fr

        raise InputError(
            f"JSON invalide : {json_problem_fr(err.msg)} (colonne {err.colno})",
            file=name,
            line=err.lineno,
            code="json_syntax",
        ) from None
    except RecursionError:
        raise InputError("JSON trop imbriqué", file=name) from None
    except _DuplicateKey:
        try:
            parse_text(text, name)  # YAML reads JSON too, and names both lines of the duplicate
        except InputError as err:
            if err.code != "yaml_syntax":  # JSON that YAML cannot read (an escaped surrogate pair)
                raise
        raise InputError("une clé est donnée deux fois dans un même bloc", file=name) from None
    except InputError as err:
        raise InputError(err.reason, file=name) from None
    if not lines_wanted:
        try:
            _check_strings(data, {})
            return Located(data=data, file=name)
        except InputError:
            pass  # refused: read the lines below, to say where
    try:
        lines = parse_text(text, name, check_strings=False).lines
    except InputError:
        lines = {}
    try:
        _check_strings(data, lines)
    except InputError as err:
        raise InputError(err.reason, file=name, line=err.line) from None
    return Located(data=data, file=name, lines=lines)


class _DuplicateKey(Exception):
    pass


def _json_object(pairs: list[tuple[str, Any]]) -> dict:
    data = dict(pairs)
    if len(data) != len(pairs):
        raise _DuplicateKey
    return data


def _json_int(token: str) -> int:
    if len(token.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise InputError(f"nombre de {len(token.lstrip('-'))} chiffres refusé (au plus {MAX_NUMBER_DIGITS})")
    return int(token)


def _refuse_constant(token: str):
    raise InputError(f"valeur {token} refusée (nombre attendu)")
