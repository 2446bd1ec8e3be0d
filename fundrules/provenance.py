"""What produced an answer: fundrules version, contract version, backend and the rule files' digests.

The digest covers the content of every ruleset file under the rulesets directory (YAML files
outside hidden folders, plan rules included), keyed by their path relative to that directory, so
that a stored answer can be matched to the exact files that produced it, wherever they were
installed.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import InputError
from .source import MAX_FILE_BYTES, read_bounded

if TYPE_CHECKING:
    from .results import Provenance

RULESET_SUFFIXES = (".yaml", ".yml")
MAX_RULESET_FILES = 10_000


def file_digest(data: bytes) -> str:
    """`sha256:` and the hex digest of one file's bytes."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


def ruleset_files(directory: str | Path) -> dict[str, str]:
    """{path relative to `directory` (POSIX): digest} for every ruleset file, sorted by path."""
    root = Path(directory)
    if not str(directory) or not root.is_dir():
        return {}
    found: dict[str, str] = {}
    for _path, relative in _ruleset_paths(root):
        path = root.joinpath(*relative.split("/"))
        if len(found) >= MAX_RULESET_FILES:
            raise InputError(f"trop de fichiers de règles (au plus {MAX_RULESET_FILES})", file=str(root))
        if path.stat().st_size > MAX_FILE_BYTES:
            raise InputError(f"fichier trop gros (au plus {MAX_FILE_BYTES} octets)", file=str(path))
        found[relative] = file_digest(path.read_bytes())
    return dict(sorted(found.items()))


def _ruleset_paths(root: Path) -> Iterator[tuple[str, str]]:
    """(path, POSIX path relative to `root`) of every ruleset file outside hidden folders, in path
    order (of the tuple of its parts); symbolic links to folders are not followed (as `Path.rglob`
    before Python 3.13). What `os.walk` found, file by file, but with one `os.scandir` per folder
    and the type each entry already carries: every cold start lists these files for the cache key.
    A folder that cannot be listed is left out, as `os.walk` leaves it out."""
    found: list[tuple[tuple[str, ...], str]] = []
    pending: list[tuple[str, tuple[str, ...]]] = [(os.fspath(root), ())]
    while pending:
        folder, parts = pending.pop()
        files: list[tuple[tuple[str, ...], str]] = []
        subfolders: list[tuple[str, tuple[str, ...]]] = []
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    name = entry.name
                    try:
                        is_dir = entry.is_dir()  # follows a symbolic link, as os.walk sorts entries
                    except OSError:
                        is_dir = False
                    if is_dir:
                        if not name.startswith(".") and not entry.is_symlink():
                            subfolders.append((entry.path, (*parts, name)))
                    elif name.endswith(RULESET_SUFFIXES) and not name.startswith("."):
                        try:
                            regular = entry.is_file()  # os.path.isfile: a link to a file is read
                        except OSError:
                            regular = False
                        if regular:
                            files.append(((*parts, name), entry.path))
        except OSError:  # os.walk skips a folder it cannot list (nothing of it kept)
            continue
        found += files
        pending += subfolders
    for parts, path in sorted(found):
        yield path, "/".join(parts)


MAX_SNAPSHOT_BYTES = 20_000_000  # all ruleset files read at once for the catalog cache; beyond, no cache


def read_ruleset_files(directory: str | Path) -> dict[str, bytes] | None:
    """{path relative to `directory`: bytes} of every ruleset file, read once so that the catalog is
    built from exactly the bytes its cache key was computed from; None when any file cannot be read
    within the bounds (the loader then reads them itself and reports the file at fault)."""
    root = Path(directory)
    found: dict[str, bytes] = {}
    total = 0
    try:
        for path, relative in _ruleset_paths(root):
            if len(found) >= MAX_RULESET_FILES:
                return None
            data = found[relative] = read_bounded(path)
            total += len(data)
            if total > MAX_SNAPSHOT_BYTES:
                return None
    except (OSError, InputError):
        return None
    return found


def rulesets_digest(files: dict[str, str]) -> str:
    """One digest over (relative path, file digest) pairs in path order: any edit, addition,
    removal or renaming of a ruleset file changes it; moving the whole directory does not."""
    lines = "".join(f"{path}\t{digest}\n" for path, digest in sorted(files.items()))
    return file_digest(lines.encode("utf-8"))


def relative_file(directory: str | Path, file: str) -> str:
    """A version file's path relative to the rulesets directory, in POSIX form."""
    written = _written_below(str(directory), str(file))
    if written is not None:
        return written
    try:
        return Path(file).resolve().relative_to(Path(directory).resolve()).as_posix()
    except ValueError:
        return Path(file).name


def _written_below(directory: str, file: str) -> str | None:
    """`file`'s path below `directory` as it is written (the loader joins the two) when no part of it
    is a symbolic link, `.` or `..`: resolving both paths then changes only the part they share, so
    this is what `relative_file` computes by resolving them, for an `lstat` per part instead of one
    per part of both whole paths (every answer's files, on every cold start). None otherwise."""
    prefix = os.path.join(directory, "")
    if not directory or not file.startswith(prefix):
        return None
    parts = file[len(prefix) :].split(os.sep)
    if any(part in ("", ".", "..") or (os.altsep and os.altsep in part) for part in parts):
        return None
    below = prefix
    for part in parts:
        below = os.path.join(below, part)
        if os.path.islink(below):
            return None
    return "/".join(parts)


def provenance_fr(provenance: Provenance) -> str:
    """One French line for the footer of a report: enough to find the rules again."""
    return (
        f"Calculé par fundrules {provenance.fundrules_version} (contrat JSON version "
        f"{provenance.schema_version}), moteur {provenance.backend}, règles {provenance.rulesets_digest}."
    )


@functools.cache
def code_identity() -> str:
    """`sha256:` and the digest of fundrules' own Python sources: the digest the catalogue cache keys
    its entries with (one definition, in rulesets/cache.py). Between two releases the version does not
    change but answers can; this names the code that produced them, checkout or installed wheel alike."""
    from .rulesets.cache import _code_digest

    return "sha256:" + _code_digest().hex()
