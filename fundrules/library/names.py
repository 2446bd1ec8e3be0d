"""Names that become paths (a case's file name, a region, a quarter) and files written for the user.

A name is a slug, so it can never leave the folder it names a file in (no `/`, `..`, newline,
absolute path); a written file goes to a temporary name starting with "." (ignored by the library
reader, removed on error) and then to its final name, so a full disk or a kill leaves no half file.
"""

from __future__ import annotations

import errno
import os
import re
import tempfile
import time
from pathlib import Path

from ..errors import InputError

MAX_NAME_LENGTH = 64
SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
QUARTER = re.compile(r"(19\d\d|20\d\d|2100)-T[1-4]")


def check_slug(value: str, option: str) -> str:
    """Letters, digits, "-" and "_" (not first), at most MAX_NAME_LENGTH characters."""
    if not SLUG.fullmatch(value) or len(value) > MAX_NAME_LENGTH:
        from ..escape import escape_terminal

        raise InputError(
            f"nom « {escape_terminal(value[:80], keep_newlines=False)} » refusé : lettres sans accent, "
            f"chiffres, - et _ seulement (pas en tête pour - et _), "
            f"au plus {MAX_NAME_LENGTH} caractères",
            field=option,
        )
    return value


def check_quarter(value: str, option: str = "quarter") -> str:
    if not QUARTER.fullmatch(value):
        from ..escape import escape_terminal

        raise InputError(
            f"trimestre attendu au format AAAA-Tn (par exemple 2018-T2), reçu "
            f"« {escape_terminal(value[:80], keep_newlines=False)} »",
            field=option,
        )
    return value


def _os_error(err: OSError, target: Path) -> InputError:
    if err.errno == errno.ENOSPC:
        reason = "disque plein : rien n'a été écrit"
    elif err.errno == getattr(errno, "EDQUOT", None):
        reason = "quota disque dépassé : rien n'a été écrit"
    elif err.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        reason = "écriture interdite à cet endroit : rien n'a été écrit"
    else:
        reason = f"écriture impossible ({err.strerror}) : rien n'a été écrit"
    return InputError(reason, file=str(target))


def ensure_folder(folder: Path, option: str) -> None:
    """An existing folder, or one created; a file or a symlink at that place is an error."""
    if folder.is_symlink():
        raise InputError("c'est un lien symbolique : un dossier était attendu", file=str(folder), field=option)
    if folder.exists() and not folder.is_dir():
        raise InputError("c'est un fichier : un dossier était attendu", file=str(folder), field=option)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise InputError(
            "un fichier existe à cet endroit : un dossier était attendu", file=str(folder), field=option
        ) from None
    except OSError as err:
        raise _os_error(err, folder) from None


TEMPORARY_PREFIX = ".nouveau-"
LEFTOVER_AGE_SECONDS = 3600  # a write takes well under a second: an older temporary file was left by a kill


def _sweep_leftovers(folder: Path) -> None:
    """Remove temporary files a killed write left behind (the library reader ignores them anyway)."""
    now = time.time()
    for leftover in folder.glob(TEMPORARY_PREFIX + "*"):
        try:
            stale = now - leftover.lstat().st_mtime > LEFTOVER_AGE_SECONDS
            if stale and leftover.is_file() and not leftover.is_symlink():
                leftover.unlink()
        except OSError:
            pass


def check_target(target: Path, *, replace: bool) -> None:
    """Refuse, before writing anything, a name held by a symlink, a folder, a device (or any file if not `replace`)."""
    if target.is_symlink() or (target.exists() and not target.is_file()):
        raise InputError(
            "un lien symbolique ou un objet qui n'est pas un fichier occupe ce nom : rien n'a été écrit",
            file=str(target),
        )
    if not replace and target.exists():
        raise InputError("ce fichier existe déjà : rien n'a été écrit", file=str(target))


def write_file(target: Path, text: str, *, replace: bool) -> None:
    """Write `text` to `target` all at once: complete or absent, never half written.

    With `replace=False` an existing name is an error (the case library never overwrites);
    with `replace=True` only a regular file we may have written before is replaced, never a
    symlink (which could point anywhere) nor anything else.
    """
    check_target(target, replace=replace)
    _sweep_leftovers(target.parent)
    try:
        descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=TEMPORARY_PREFIX, suffix=".tmp")
    except OSError as err:
        raise _os_error(err, target) from None
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)  # mkstemp creates 0600; these files are shared
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if replace:
            os.replace(temporary, target)  # replaces the name itself, never follows a link
        else:
            try:
                os.link(temporary, target)  # fails if the name exists, even if created meanwhile
            except FileExistsError:
                raise InputError("ce fichier existe déjà : rien n'a été écrit", file=str(target)) from None
    except OSError as err:
        raise _os_error(err, target) from None
    finally:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
