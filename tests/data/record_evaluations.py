"""Record the reference answers of tests/test_json_snapshot.py: freeze rulesets/ and cases/ into
snapshot-inputs.tar.xz, then write every answer's JSON (explain off and on, python backend) into
evaluations-before.jsonl.xz. Run once, from the code whose output is the reference:
`python tests/data/record_evaluations.py`."""

from __future__ import annotations

import json
import lzma
import sys
import tarfile
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from fundrules import Engine  # noqa: E402
from tests.snapshot_inputs import ANSWERS, INPUTS, ROOT, extract_inputs, snapshot_inputs  # noqa: E402


def _yaml_only(info: tarfile.TarInfo):
    if info.isdir() and info.name.endswith("__pycache__"):
        return None
    if info.isfile() and not info.name.endswith(".yaml"):
        return None
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mtime = 0
    return info


def main() -> None:
    with tarfile.open(INPUTS, "w:xz") as archive:
        for folder in ("rulesets", "cases"):
            archive.add(ROOT / folder, arcname=folder, filter=_yaml_only)
    with tempfile.TemporaryDirectory() as tmp:
        root = extract_inputs(Path(tmp))
        engine = Engine(root / "rulesets", backend="python")
        with lzma.open(ANSWERS, "wt", encoding="utf-8") as out:
            for key, case, as_of in snapshot_inputs(root):
                for explain in (False, True):
                    text = engine.evaluate(case, as_of, explain=explain).model_dump_json()
                    out.write(json.dumps({"key": key, "explain": explain, "json": text}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
