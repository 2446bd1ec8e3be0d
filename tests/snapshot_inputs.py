"""The inputs of the byte-identical JSON check (tests/test_json_snapshot.py).

Frozen with the answers (tests/data/snapshot-inputs.tar.xz holds the rulesets and case files as
they were when the answers were recorded), so that later edits of a ruleset's wording or of a case
do not count as a change of the engine's output: every library case at its meeting date, every
example at its request date, and 300 generated cases of bench/cases.py, explain off and on."""

from __future__ import annotations

import datetime as dt
import importlib.util
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Optional

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
ANSWERS = DATA / "evaluations-before.jsonl.xz"  # one JSON line per (key, explain): the answer's text
INPUTS = DATA / "snapshot-inputs.tar.xz"  # rulesets/ and cases/ (YAML files only)
GENERATED = 300
RECORDED_VERSION = "0.2.0.dev0"  # fundrules_version in the recorded provenance


def extract_inputs(target: Path) -> Path:
    """Unpack the frozen rulesets and cases under `target` (a fresh directory); returns it."""
    with tarfile.open(INPUTS, "r:xz") as archive:
        for member in archive.getmembers():
            if not (member.isdir() or member.isfile()) or member.name.startswith("/") or ".." in member.name:
                raise ValueError(f"unexpected member {member.name!r} in {INPUTS.name}")
        archive.extractall(target, filter="data")
    return target


def _generated_cases(n: int) -> list[dict]:
    spec = importlib.util.spec_from_file_location("bench_cases", ROOT / "bench" / "cases.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generated_cases(n)


def snapshot_inputs(root: Path) -> Iterator[tuple[str, Any, Optional[dt.date]]]:
    """(key, case, as_of) in a fixed order, from the frozen files under `root`."""
    from fundrules.case import load_case
    from fundrules.library.cases import load_library_case

    cases = root / "cases"
    for path in sorted(cases.rglob("*.yaml")):
        name = path.relative_to(cases).as_posix()
        if "examples" in path.parts:
            yield name, load_case(path), None
        else:
            library_case = load_library_case(path, root=cases)
            yield name, library_case.case, library_case.meeting.date
    for i, case in enumerate(_generated_cases(GENERATED)):
        yield f"generated/{i}", case, None
