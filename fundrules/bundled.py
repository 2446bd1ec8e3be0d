"""Where the example cases and the case library shipped with fundrules are.

A wheel carries them as package data (the checkout's `cases/` folder installed as `fundrules/bundled_cases/`), so
that the README's first command and `meeting prepare` work from an installed package, outside a
checkout; in a checkout they are the `cases/` folder itself. `python -m fundrules.bundled` prints the
folder (nothing is fetched: everything is in the package).
"""

from __future__ import annotations

import sys
from pathlib import Path, PurePosixPath
from typing import Optional

CASES_PREFIX = "cases"  # how the README and the documentation name the library: cases/examples/…


def cases_dir() -> Path:
    """The bundled case library: `examples/` and one folder per region and quarter.

    The installed package data when fundrules is installed from a wheel, else the checkout's `cases/`."""
    installed = Path(__file__).resolve().parent / "bundled_cases"  # a data folder, not a module to import:
    if installed.is_dir():  # the checkout's `cases/` has no __init__.py (it would shadow bench/cases.py)
        return installed
    return Path(__file__).resolve().parents[1] / CASES_PREFIX


def examples_dir() -> Path:
    """The example cases of the README (`cases/examples`)."""
    return cases_dir() / "examples"


def bundled_case(path: str) -> Optional[Path]:
    """The bundled copy of a case the documentation names by its place in the checkout
    (`cases/examples/ancien-cdd-2018.yaml`), or None: only a relative path under `cases/`, without
    `..`, naming a file that exists in the bundled library."""
    parts = PurePosixPath(path.replace("\\", "/")).parts
    if len(parts) < 2 or parts[0] != CASES_PREFIX or any(part in ("..", ".", "") for part in parts[1:]):
        return None
    candidate = cases_dir().joinpath(*parts[1:])
    return candidate if candidate.is_file() else None


def main() -> int:
    print(cases_dir())
    return 0


if __name__ == "__main__":
    sys.exit(main())
