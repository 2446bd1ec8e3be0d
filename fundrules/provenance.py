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
    for path, relative in _ruleset_paths(root):
        if len(found) >= MAX_RULESET_FILES:
            raise InputError(f"trop de fichiers de règles (au plus {MAX_RULESET_FILES})", file=str(root))
        if path.stat().st_size > MAX_FILE_BYTES:
            raise InputError(f"fichier trop gros (au plus {MAX_FILE_BYTES} octets)", file=str(path))
        found[relative] = file_digest(path.read_bytes())
    return dict(sorted(found.items()))


def _ruleset_paths(root: Path) -> Iterator[tuple[Path, str]]:
    """(path, POSIX path relative to `root`) of every ruleset file outside hidden folders, in path
    order; symbolic links to folders are not followed (as `Path.rglob` before Python 3.13)."""
    found = []
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        parts = Path(folder).relative_to(root).parts
        for name in names:
            if name.endswith(RULESET_SUFFIXES) and not name.startswith("."):
                found.append((*parts, name))
    for parts in sorted(found):
        path = root.joinpath(*parts)
        if os.path.isfile(path):
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
    try:
        return Path(file).resolve().relative_to(Path(directory).resolve()).as_posix()
    except ValueError:
        return Path(file).name


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
