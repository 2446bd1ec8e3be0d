"""What produced an answer: fundrules version, contract version, backend and the rule files' digests.

The digest covers the content of every ruleset file under the rulesets directory (YAML files
outside hidden folders, plan rules included), keyed by their path relative to that directory, so
that a stored answer can be matched to the exact files that produced it, wherever they were
installed.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import InputError
from .source import MAX_FILE_BYTES

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
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if any(part.startswith(".") for part in relative.parts) or path.suffix not in RULESET_SUFFIXES:
            continue
        if not path.is_file():
            continue
        if len(found) >= MAX_RULESET_FILES:
            raise InputError(f"trop de fichiers de règles (au plus {MAX_RULESET_FILES})", file=str(root))
        if path.stat().st_size > MAX_FILE_BYTES:
            raise InputError(f"fichier trop gros (au plus {MAX_FILE_BYTES} octets)", file=str(path))
        found[relative.as_posix()] = file_digest(path.read_bytes())
    return dict(sorted(found.items()))


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
