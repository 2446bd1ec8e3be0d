"""A cache of loaded catalogs, keyed by the content of every ruleset file and by fundrules' code.

Reading the rulesets (100 YAML files parsed with their line map, validated, every condition checked)
was two thirds of a cold `fundrules check`. The result depends only on those files and on the
code that reads them, so it can be kept, pickled. Where (README, "Ruleset cache"):
- the bundled rulesets: by default in the platform's user cache folder, as pip, mypy and ruff keep
  theirs (`$XDG_CACHE_HOME/fundrules`, else `~/.cache/fundrules`; `~/Library/Caches/fundrules` on
  macOS; none on Windows, see below): the maintainers' decision of issue 27, for a cold start
  within 0.2 s;
- `$FUNDRULES_CACHE_DIR` (an absolute path) moves it, and then rulesets given with `--rulesets` are
  cached there too (a folder the user named); a relative path means no cache;
- `FUNDRULES_NO_CACHE=1` turns it off: nothing is read or written (the test suite runs so).

An entry is used only when everything below holds; otherwise it is ignored (and rewritten), never
an error and never a stale answer:
- its key matches: digest of every ruleset file and of its path, the name and type of every entry
  of the directory (an empty funder folder, a broken symbolic link or a FIFO named `*.yaml` changes
  the key, so the loader runs and refuses them as it does without the cache; the content of hidden
  folders, never read, is not listed), the directory as given, the fundrules version and the digest
  of its Python sources, the Python, pydantic and PyYAML versions;
- the digest of its payload matches (a truncated or corrupted file is a miss);
- the directory and the file belong to the user and nobody else can write them: unpickling a
  file someone else could write would run their code. The cache folder itself may not be a
  symbolic link (one planted there by another user would send the entries elsewhere), and none of
  its parents may be writable by another user, unless it has the sticky bit (as /tmp: others
  cannot rename or remove what is ours there). Where that cannot be checked (no `os.getuid`, no
  `dir_fd`: Windows), there is no cache;
- the unpickler only builds the catalog's own classes and dates (anything else is refused).

The durable backend's load-time checks are a function of the same files and code and of the
durable-rules release: once they pass, an entry next to the catalog's says so (naming that release)
and holds what the durable backend compiled from the catalog (engine/durable_check.py: every
funder's rules for every stretch of days, each stored with the ActiveRules key it was compiled
from); later processes with the same release skip the checks and hand those rules to durable-rules.
The catalog's entry also keeps every funder's change days (what every Engine computes first).

The plan rules (`_plan/`, read after the catalog and checked against it) are kept next to the entry
too (`read_plan`, `write_plan`): same key, same checks, same restricted reader. They are written
only when the plan files read are the very bytes the key was computed from (plan/rules.py).
"""

from __future__ import annotations

import functools
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
MAGIC = b"fundrules-catalog 2\n"  # 2: the change days of every funder kept with it
MAX_ENTRY_BYTES = 50_000_000
MAX_LISTED = 20_000  # entries of a rulesets directory listed for the key; beyond, there is no cache
MAX_ENTRIES = 8  # catalogs kept (one per ruleset directory and version of the files); older ones are removed
PLAN_MAGIC = b"fundrules-plan 1\n"
DURABLE_MAGIC = b"fundrules-durable 1\n"
_ENTRY = "catalog-{key}.pickle"
_DURABLE = "catalog-{key}.durable"
_PLAN = "catalog-{key}.plan"
_COMPANIONS = (".durable", ".plan")  # removed with their entry
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


def cache_dir(bundled: bool = False) -> Optional[Path]:
    """Where catalogs are cached: the folder named in $FUNDRULES_CACHE_DIR, else, for the `bundled`
    rulesets only, the user's cache folder; None when turned off or when it cannot be made safe here.
    Rulesets of the user's own are cached only where the user asked (nothing written unasked)."""
    if os.environ.get(NO_CACHE_ENV, "") not in ("", "0"):
        return None
    if not _SAFE_FILES:
        return None
    chosen = os.environ.get(CACHE_DIR_ENV, "")
    if chosen:
        # a relative folder would depend on where the command runs
        return Path(chosen) if os.path.isabs(chosen) else None
    return user_cache_dir() if bundled else None


def user_cache_dir() -> Optional[Path]:
    """The platform's per-user cache folder for fundrules (XDG on Linux and the BSDs, as pip, mypy and
    ruff do; ~/Library/Caches on macOS), or None when the home folder is unknown."""
    try:
        home = Path.home()
    except (RuntimeError, KeyError):  # no HOME and no password entry
        return None
    if not home.is_absolute():
        return None
    if sys.platform == "darwin":
        return home / "Library" / "Caches" / "fundrules"
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(xdg) if os.path.isabs(xdg) else home / ".cache"  # the XDG rule: a relative value is ignored
    return base / "fundrules"


@functools.cache
def _code_digest() -> bytes:
    """Digest of fundrules' own Python sources: a development checkout changes its code without
    changing its version, and a catalog built by other code must not be reused. Computed once per
    process (the cache key and every answer's provenance name it): the code a process runs is the
    code it read at its start."""
    package = str(Path(__file__).resolve().parents[1])
    start = len(os.path.join(package, ""))  # what os.path.relpath(path, package) leaves out
    digest = hashlib.sha256()
    for folder, subfolders, files in os.walk(package):
        subfolders[:] = sorted(d for d in subfolders if not d.startswith((".", "__pycache__")))
        for name in sorted(files):
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                digest.update(path[start:].encode("utf-8", "surrogateescape") + b"\0")
                digest.update(hashlib.sha256(_whole_file(path)).digest())
    return digest.digest()


def _whole_file(path: str) -> bytes:
    """All the bytes of one of fundrules' own sources: read at the size fstat gives, with os.read
    (a buffered `open` costs more than the read of a hundred small files), then to its end."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        chunks = [os.read(descriptor, os.fstat(descriptor).st_size + 1)]
        while chunks[-1]:  # grown since fstat: read on to the end, as `read()` would
            chunks.append(os.read(descriptor, 65536))
        return b"".join(chunks)
    finally:
        os.close(descriptor)


def _entry_type(mode: int) -> str:
    for name, test in (
        ("dir", stat.S_ISDIR),
        ("file", stat.S_ISREG),
        ("symlink", stat.S_ISLNK),
        ("fifo", stat.S_ISFIFO),
        ("socket", stat.S_ISSOCK),
        ("char", stat.S_ISCHR),
        ("block", stat.S_ISBLK),
    ):
        if test(mode):
            return name
    return "other"


def _kind(entry: os.DirEntry[str]) -> str:
    """`_entry_type` of an entry not followed if a link, from the type its folder's listing gave
    (no `lstat` for a link, a folder or a file, where the system says which it is)."""
    if entry.is_symlink():
        return "symlink"
    if entry.is_dir(follow_symlinks=False):
        return "dir"
    if entry.is_file(follow_symlinks=False):
        return "file"
    return _entry_type(entry.stat(follow_symlinks=False).st_mode)


def directory_listing(directory: str) -> Optional[list[str]]:
    """One line per entry of `directory`, whatever its type (relative path, type, and a symbolic
    link's target), in path order; None beyond MAX_LISTED entries or when it cannot be listed.

    The loader refuses entries that are not ruleset files (an empty funder folder, a broken link, a
    FIFO named `*.yaml`); their contents are not in the files read, so only this listing makes the
    key change when one appears and the loader run again. Hidden folders are listed (the loader
    could try to read one named `*.yaml`) but not descended into: the loader never reads inside them.
    Symbolic links are not followed (their target is part of the line)."""
    lines: list[str] = []
    pending = [""]
    try:
        while pending:
            relative = pending.pop()
            with os.scandir(os.path.join(directory, relative) if relative else directory) as found:
                for entry in found:
                    path = f"{relative}/{entry.name}" if relative else entry.name
                    kind = _kind(entry)
                    target = os.readlink(entry.path) if kind == "symlink" else ""
                    lines.append(f"{path}\0{kind}\0{target}")
                    if kind == "dir" and not entry.name.startswith("."):
                        pending.append(path)
                    if len(lines) > MAX_LISTED:
                        return None
    except OSError:
        return None
    return sorted(lines)


def durable_rules_version() -> str:
    """The installed durable-rules release (its checks of a catalog hold for this release only)."""
    return installed_version("durable-rules")


def installed_version(name: str) -> str:
    """`importlib.metadata.version(name)`, or "absent". That function reads the `Version` field with
    the email package's parser, whose import alone cost a cold check about 2 ms: it is read here
    from the same file, in the header block the parser reads (the lines before the first empty one,
    a line that starts with a space continuing the previous field); a file without it goes to
    `version` itself."""
    from importlib import metadata

    try:
        distribution = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return "absent"
    text = distribution.read_text("METADATA") or distribution.read_text("PKG-INFO") or ""
    for line in text.splitlines():
        if not line.strip():
            break
        field, colon, value = line.partition(":")
        if colon and line[:1] not in (" ", "\t") and field.strip().lower() == "version" and value.strip():
            return value.strip()
    return metadata.version(name)


def entry_key(directory: str, files: dict[str, bytes]) -> Optional[str]:
    """The key of the catalog read from `files` (relative path -> bytes) of `directory`, or None when
    the directory cannot be listed within the bounds (then there is no cache)."""
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
    listing = directory_listing(directory)
    if listing is None:
        return None
    for line in listing:
        digest.update(line.encode("utf-8", "surrogateescape") + b"\n")
    digest.update(b"files\n")
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


def _parents_safe(folder: Path) -> bool:
    """True when no parent of `folder` (as given and once resolved) can be written by another user,
    save a sticky folder such as /tmp, where others cannot rename or remove what is ours."""
    parents = set(Path(os.path.abspath(folder)).parents) | set(Path(os.path.realpath(folder.parent)).parents)
    parents.add(Path(os.path.realpath(folder.parent)))
    for parent in parents:
        try:
            info = os.stat(parent)
        except FileNotFoundError:  # not made yet: checked again once it is
            continue
        if info.st_uid not in (0, os.getuid()) or info.st_mode & 0o022 and not info.st_mode & stat.S_ISVTX:
            log.info("cache des règles ignoré : %s peut être modifié par d'autres utilisateurs", parent)
            return False
    return True


def _private_folder(folder: Path, create: bool) -> Optional[int]:
    """A descriptor on `folder` if it is a real folder (not a symbolic link) of the user that only they
    can write, in parents only they (or the system) can write, else None."""
    if create:
        if not _parents_safe(folder):  # nothing made under a folder others could write
            return None
        os.makedirs(folder, mode=0o700, exist_ok=True)
    if not _parents_safe(folder):
        return None
    try:
        descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError as error:  # ELOOP: a symbolic link where the folder should be
        log.info("cache des règles ignoré : %s n'est pas un dossier ordinaire (%s)", folder, error)
        return None
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


def _read_entry(folder: Path, name: str, magic: bytes, key: str) -> Any:
    """The value pickled in `name` under `key` (see `_write_entry`), or None (absent, unsafe, corrupted,
    or from other code). Raises what the restricted unpickler refuses."""
    folder_fd = _private_folder(folder, create=False)
    if folder_fd is None:
        return None
    try:
        data = _read_private(folder_fd, name)
        if data is None:
            return None
        header = magic + key.encode() + b"\n"
        if not data.startswith(header):
            return None
        checksum, _, payload = data[len(header) :].partition(b"\n")
        if hashlib.sha256(payload).hexdigest().encode() != checksum:
            return None
        return _Unpickler(io.BytesIO(payload)).load()
    finally:
        os.close(folder_fd)


def _write_entry(folder: Path, name: str, magic: bytes, key: str, value: Any) -> bool:
    """Pickle `value` into `name`: magic, key, checksum of the payload, payload. True once written."""
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    data = magic + key.encode() + b"\n" + hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload
    folder_fd = _private_folder(folder, create=True)
    if folder_fd is None:
        return False
    try:
        _write_private(folder_fd, name, data)
        _prune(folder_fd)
    finally:
        os.close(folder_fd)
    return True


def read(folder: Path, key: str, directory: str) -> Optional[Catalog]:
    """The catalog cached under `key`, or None (absent, unsafe, corrupted, or from other code)."""
    try:
        found = _read_entry(folder, _ENTRY.format(key=key), MAGIC, key)
        if not isinstance(found, tuple) or len(found) != 3:
            return None
        funders, files, changes = found
        if not isinstance(funders, dict) or not isinstance(files, dict) or not isinstance(changes, dict):
            return None
        catalog = Catalog(funders=funders, directory=directory, files=files, _changes=changes)
        setattr(catalog, _ENTRY_ATTR, (folder, key))
        return catalog
    except Exception as error:  # noqa: BLE001 - whatever is wrong with an entry, it is a miss, never an error
        log.info("cache des règles ignoré (%s : %s)", type(error).__name__, error)
        return None


def write(folder: Path, key: str, catalog: Catalog) -> None:
    """Keep `catalog` under `key` (just loaded: nothing computed on it yet); failures are ignored."""
    try:
        changes = {  # every Engine needs them (catalog_change_days): computed once, with the entry
            (funder.id, variant.id if variant else None): catalog.change_days(funder, variant)
            for funder in catalog.funders.values()
            for variant in (None, *funder.variants.values())
        }
        if _write_entry(folder, _ENTRY.format(key=key), MAGIC, key, (catalog.funders, catalog.files, changes)):
            setattr(catalog, _ENTRY_ATTR, (folder, key))
    except Exception as error:  # noqa: BLE001 - a cache that cannot be written is no cache, never an error
        log.info("cache des règles non écrit (%s : %s)", type(error).__name__, error)


def read_plan(catalog: Catalog) -> Any:
    """The plan rules' specs kept next to the entry `catalog` was read from or written to (the same
    key), or None: no entry, or nothing usable kept (plan/rules.py checks their shape)."""
    entry = getattr(catalog, _ENTRY_ATTR, None)
    if entry is None:
        return None
    folder, key = entry
    try:
        return _read_entry(folder, _PLAN.format(key=key), PLAN_MAGIC, key)
    except Exception as error:  # noqa: BLE001 - a miss, never an error
        log.info("cache des règles de plan ignoré (%s : %s)", type(error).__name__, error)
        return None


def write_plan(catalog: Catalog, specs: list) -> None:
    """Keep the plan rules' specs next to `catalog`'s entry; nothing without one; failures are ignored."""
    entry = getattr(catalog, _ENTRY_ATTR, None)
    if entry is None:
        return
    folder, key = entry
    try:
        _write_entry(folder, _PLAN.format(key=key), PLAN_MAGIC, key, specs)
    except Exception as error:  # noqa: BLE001 - a cache that cannot be written is no cache, never an error
        log.info("cache des règles de plan non écrit (%s : %s)", type(error).__name__, error)


def _prune(folder_fd: int) -> None:
    """Remove the oldest entries beyond MAX_ENTRIES (each edit of the rulesets makes a new one)."""
    entries = []
    with os.scandir(folder_fd) as found:
        for entry in found:
            if entry.name.startswith("catalog-") and entry.name.endswith(".pickle") and entry.is_file():
                entries.append((entry.stat().st_mtime, entry.name))
    for _mtime, name in sorted(entries, reverse=True)[MAX_ENTRIES:]:
        for stale in (name, *(name.removesuffix(".pickle") + suffix for suffix in _COMPANIONS)):
            try:
                os.unlink(stale, dir_fd=folder_fd)
            except FileNotFoundError:
                pass


def cached(catalog: Catalog) -> bool:
    """True when `catalog` was read from, or written to, a cache entry."""
    return getattr(catalog, _ENTRY_ATTR, None) is not None


def read_durable(catalog: Catalog) -> Optional[dict]:
    """The durable backend's blueprints kept next to `catalog`'s entry ({digest: pickled blueprint}),
    which also says that its load-time checks passed there under the installed durable-rules release;
    None when there is no entry, nothing kept for this release, or a damaged file."""
    entry = getattr(catalog, _ENTRY_ATTR, None)
    if entry is None:
        return None
    folder, key = entry
    try:
        found = _read_entry(folder, _DURABLE.format(key=key), DURABLE_MAGIC, key)
    except Exception as error:  # noqa: BLE001 - a miss, never an error
        log.info("cache des règles durable-rules ignoré (%s : %s)", type(error).__name__, error)
        return None
    if not isinstance(found, tuple) or len(found) != 2 or found[0] != _durable_release():
        return None
    blueprints = found[1]
    if not isinstance(blueprints, dict) or not all(
        isinstance(k, str) and isinstance(v, bytes) for k, v in blueprints.items()
    ):
        return None
    return blueprints


def loads(data: bytes) -> Any:
    """A value pickled into an entry's payload (a blueprint kept in the durable entry), built by the
    same restricted unpickler as the entries themselves."""
    return _Unpickler(io.BytesIO(data)).load()


def write_durable(catalog: Catalog, blueprints: dict) -> None:
    """Keep the durable backend's blueprints next to `catalog`'s entry, once its checks passed; nothing
    without an entry; failures are ignored."""
    entry = getattr(catalog, _ENTRY_ATTR, None)
    if entry is None:
        return
    folder, key = entry
    try:
        _write_entry(folder, _DURABLE.format(key=key), DURABLE_MAGIC, key, (_durable_release(), blueprints))
    except Exception as error:  # noqa: BLE001 - a cache that cannot be written is no cache, never an error
        log.info("cache des règles : règles durable-rules non gardées (%s : %s)", type(error).__name__, error)


def durable_checked(catalog: Catalog) -> bool:
    """True when the durable backend's load-time checks already passed on this cached catalog."""
    return read_durable(catalog) is not None


def _durable_release() -> str:
    return f"durable-rules {durable_rules_version()}"
