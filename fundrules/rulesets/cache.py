"""A cache of loaded catalogs, keyed by the content of every ruleset file and by fundrules' code.

Reading the rulesets (100 YAML files parsed with their line map, validated, every condition checked)
was two thirds of a cold `fundrules check`. The result depends only on those files and on the
code that reads them, so it can be kept, pickled, in a folder the user names: `$FUNDRULES_CACHE_DIR`
(an absolute path; unset, there is no cache and nothing is written; `FUNDRULES_NO_CACHE=1` turns it
off; README, "Ruleset cache").

An entry is used only when everything below holds; otherwise it is ignored (and rewritten), never
an error and never a stale answer:
- its key matches: digest of every ruleset file and of its path, the directory as given, the
  fundrules version and the digest of its Python sources, the Python, pydantic and PyYAML versions;
- the digest of its payload matches (a truncated or corrupted file is a miss);
- the directory and the file belong to the user and nobody else can write them: unpickling a
  file someone else could write would run their code. Where that cannot be checked (no
  `os.getuid`, no `dir_fd`: Windows), there is no cache;
- the unpickler only builds the catalog's own classes and dates (anything else is refused).

The durable backend's load-time checks are a function of the same files and code: once they pass,
a marker next to the entry says so, and later processes skip them.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import pickle
import stat
import sys
import threading
from pathlib import Path
from typing import Any, Optional

from .catalog import Catalog

log = logging.getLogger(__name__)

NO_CACHE_ENV = "FUNDRULES_NO_CACHE"
CACHE_DIR_ENV = "FUNDRULES_CACHE_DIR"
MAGIC = b"fundrules-catalog 1\n"
MAX_ENTRY_BYTES = 50_000_000
MAX_ENTRIES = 8  # catalogs kept (one per ruleset directory and version of the files); older ones are removed
_ENTRY = "catalog-{key}.pickle"
_DURABLE = "catalog-{key}.durable"
_ENTRY_ATTR = "_cache_entry"  # (folder, key) of the entry a catalog was read from or written to
_SAFE_FILES = (  # owner and descriptor-relative calls, without which the entries cannot be trusted
    hasattr(os, "getuid")
    and hasattr(os, "O_DIRECTORY")
    and hasattr(os, "O_NOFOLLOW")
    and {os.open, os.unlink, os.rename} <= os.supports_dir_fd  # os.replace follows os.rename
    and os.scandir in os.supports_fd
)

_ALLOWED_CLASSES = {
    ("datetime", "date"),
    ("builtins", "frozenset"),
    ("builtins", "set"),
    *(
        ("fundrules.rulesets.catalog", name)
        for name in ("Funder", "Variant", "Version", "Criterion", "Route", "Parameter", "Revaluation", "Source")
    ),
}
_ALLOWED_MODULES = {"fundrules.conditions.ast"}  # the condition trees' node classes (dataclasses)


def cache_dir() -> Optional[Path]:
    """Where catalogs are cached: only in the folder the user names in $FUNDRULES_CACHE_DIR (nothing is
    written where the user did not ask), None when it is unset, turned off or cannot be made safe here."""
    if os.environ.get(NO_CACHE_ENV, "") not in ("", "0"):
        return None
    if not _SAFE_FILES:
        return None
    chosen = os.environ.get(CACHE_DIR_ENV, "")
    if not chosen or not os.path.isabs(chosen):  # a relative folder would depend on where the command runs
        return None
    return Path(chosen)


def _code_digest() -> bytes:
    """Digest of fundrules' own Python sources: a development checkout changes its code without
    changing its version, and a catalog built by other code must not be reused."""
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for folder, subfolders, files in os.walk(package):
        subfolders[:] = sorted(d for d in subfolders if not d.startswith((".", "__pycache__")))
        for name in sorted(files):
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                digest.update(os.path.relpath(path, package).encode("utf-8", "surrogateescape") + b"\0")
                with open(path, "rb") as handle:
                    digest.update(hashlib.sha256(handle.read()).digest())
    return digest.digest()


def entry_key(directory: str, files: dict[str, bytes]) -> str:
    """The key of the catalog read from `files` (relative path -> bytes) of `directory`."""
    import pydantic.version
    import yaml

    from .. import __version__

    digest = hashlib.sha256()
    for line in (
        f"fundrules {__version__}",
        f"python {sys.implementation.cache_tag} {sys.version}",
        f"pydantic {pydantic.version.VERSION}",
        f"pyyaml {yaml.__version__} {getattr(yaml, '__with_libyaml__', False)}",
        f"directory {directory}",
    ):
        digest.update(line.encode("utf-8", "surrogateescape") + b"\n")
    digest.update(_code_digest())
    for relative in sorted(files):
        digest.update(relative.encode("utf-8", "surrogateescape") + b"\0")
        digest.update(hashlib.sha256(files[relative]).digest())
    return digest.hexdigest()


class _Unpickler(pickle.Unpickler):
    """Builds only the catalog's classes: a tampered entry cannot name any other callable."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED_CLASSES or module in _ALLOWED_MODULES and not name.startswith("_"):
            value = super().find_class(module, name)
            if isinstance(value, type) and value.__module__ == module:
                return value
        raise pickle.UnpicklingError(f"{module}.{name} refusé dans le cache")


def _private_folder(folder: Path, create: bool) -> Optional[int]:
    """A descriptor on `folder` if it belongs to the user and only they can write it, else None."""
    if create:
        os.makedirs(folder, mode=0o700, exist_ok=True)
    descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    info = os.fstat(descriptor)
    if info.st_uid != os.getuid() or info.st_mode & 0o022:
        os.close(descriptor)
        log.info("cache des règles ignoré : %s n'appartient pas à l'utilisateur ou d'autres peuvent y écrire", folder)
        return None
    return descriptor


def _read_private(folder_fd: int, name: str) -> Optional[bytes]:
    """The bytes of `name` in the folder if it is a regular file of the user that only they can write."""
    try:
        descriptor = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0), dir_fd=folder_fd)
    except FileNotFoundError:
        return None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o022:
            return None
        if info.st_size > MAX_ENTRY_BYTES:
            return None
        with os.fdopen(descriptor, "rb", closefd=False) as handle:
            return handle.read(MAX_ENTRY_BYTES + 1)
    finally:
        os.close(descriptor)


def _write_private(folder_fd: int, name: str, data: bytes) -> None:
    """Write `data` to `name` atomically (a temporary file renamed), readable by the user only."""
    temporary = f".{name}.{os.getpid()}.{threading.get_ident()}.tmp"
    descriptor = os.open(
        temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, stat.S_IRUSR | stat.S_IWUSR, dir_fd=folder_fd
    )
    try:
        with os.fdopen(descriptor, "wb", closefd=False) as handle:
            handle.write(data)
        os.replace(temporary, name, src_dir_fd=folder_fd, dst_dir_fd=folder_fd)
    except BaseException:
        try:
            os.unlink(temporary, dir_fd=folder_fd)
        except OSError:
            pass
        raise
    finally:
        os.close(descriptor)


def read(folder: Path, key: str, directory: str) -> Optional[Catalog]:
    """The catalog cached under `key`, or None (absent, unsafe, corrupted, or from other code)."""
    try:
        folder_fd = _private_folder(folder, create=False)
    except OSError:
        return None
    if folder_fd is None:
        return None
    try:
        data = _read_private(folder_fd, _ENTRY.format(key=key))
        if data is None:
            return None
        header = MAGIC + key.encode() + b"\n"
        if not data.startswith(header):
            return None
        checksum, _, payload = data[len(header) :].partition(b"\n")
        if hashlib.sha256(payload).hexdigest().encode() != checksum:
            return None
        funders, files = _Unpickler(io.BytesIO(payload)).load()
        if not isinstance(funders, dict) or not isinstance(files, dict):
            return None
        catalog = Catalog(funders=funders, directory=directory, files=files)
        setattr(catalog, _ENTRY_ATTR, (folder, key))
        return catalog
    except Exception as error:  # noqa: BLE001 - whatever is wrong with an entry, it is a miss, never an error
        log.info("cache des règles ignoré (%s : %s)", type(error).__name__, error)
        return None
    finally:
        os.close(folder_fd)


def write(folder: Path, key: str, catalog: Catalog) -> None:
    """Keep `catalog` under `key` (just loaded: nothing computed on it yet); failures are ignored."""
    try:
        payload = pickle.dumps((catalog.funders, catalog.files), protocol=pickle.HIGHEST_PROTOCOL)
        data = MAGIC + key.encode() + b"\n" + hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload
        folder_fd = _private_folder(folder, create=True)
        if folder_fd is None:
            return
        try:
            _write_private(folder_fd, _ENTRY.format(key=key), data)
            _prune(folder_fd)
        finally:
            os.close(folder_fd)
        setattr(catalog, _ENTRY_ATTR, (folder, key))
    except Exception as error:  # noqa: BLE001 - a cache that cannot be written is no cache, never an error
        log.info("cache des règles non écrit (%s : %s)", type(error).__name__, error)


def _prune(folder_fd: int) -> None:
    """Remove the oldest entries beyond MAX_ENTRIES (each edit of the rulesets makes a new one)."""
    entries = []
    with os.scandir(folder_fd) as found:
        for entry in found:
            if entry.name.startswith("catalog-") and entry.name.endswith(".pickle") and entry.is_file():
                entries.append((entry.stat().st_mtime, entry.name))
    for _mtime, name in sorted(entries, reverse=True)[MAX_ENTRIES:]:
        for stale in (name, name.removesuffix(".pickle") + ".durable"):
            try:
                os.unlink(stale, dir_fd=folder_fd)
            except FileNotFoundError:
                pass


def durable_checked(catalog: Catalog) -> bool:
    """True when the durable backend's load-time checks already passed on this cached catalog."""
    entry = getattr(catalog, _ENTRY_ATTR, None)
    if entry is None:
        return False
    folder, key = entry
    try:
        folder_fd = _private_folder(folder, create=False)
        if folder_fd is None:
            return False
        try:
            return _read_private(folder_fd, _DURABLE.format(key=key)) == key.encode()
        finally:
            os.close(folder_fd)
    except OSError:
        return False


def mark_durable_checked(catalog: Catalog) -> None:
    """Record that the durable checks passed on this cached catalog; failures are ignored."""
    entry = getattr(catalog, _ENTRY_ATTR, None)
    if entry is None:
        return
    folder, key = entry
    try:
        folder_fd = _private_folder(folder, create=False)
        if folder_fd is None:
            return
        try:
            _write_private(folder_fd, _DURABLE.format(key=key), key.encode())
        finally:
            os.close(folder_fd)
    except OSError as error:
        log.info("cache des règles : vérification durable non notée (%s)", error)
