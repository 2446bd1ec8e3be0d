"""The JSON of every answer stays byte-identical to the one recorded before the hot path was
reworked (issue 13): library cases, examples and 300 generated cases, explain off and on.

The reference answers are tests/data/evaluations-before.jsonl.xz (xz-compressed JSON lines, ~77 MB
once decompressed, recorded by tests/data/record_evaluations.py from the code before the change);
the rulesets and cases they were computed from are frozen beside them
(tests/data/snapshot-inputs.tar.xz), so a later edit of a ruleset or case does not count here.
"""

from __future__ import annotations

import json
import lzma
import re
import shutil

import pytest

from fundrules import Engine, __version__
from tests.snapshot_inputs import ANSWERS, RECORDED_VERSION, extract_inputs, snapshot_inputs


@pytest.fixture(scope="module")
def frozen(tmp_path_factory):
    root = extract_inputs(tmp_path_factory.mktemp("snapshot"))
    return root, Engine(root / "rulesets", backend="python")


def _recorded() -> dict[tuple[str, bool], str]:
    with lzma.open(ANSWERS, "rt", encoding="utf-8") as lines:
        rows = [json.loads(line) for line in lines]
    return {(r["key"], r["explain"]): r["json"] for r in rows}


def _first_difference(a: str, b: str) -> str:
    at = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    return f"at character {at}: recorded …{a[max(0, at - 80) : at + 80]}… now …{b[max(0, at - 80) : at + 80]}…"


def _answers(root, engine, keep=lambda key: True):
    version = f'"fundrules_version":"{__version__}"'
    for key, case, as_of in snapshot_inputs(root):
        if not keep(key):
            continue
        for explain in (False, True):
            text = engine.evaluate(case, as_of, explain=explain).model_dump_json()
            yield (key, explain), text.replace(version, f'"fundrules_version":"{RECORDED_VERSION}"', 1)


def test_every_answer_is_byte_identical_to_the_recorded_one(frozen):
    root, engine = frozen
    recorded = _recorded()
    assert len(recorded) == 2 * (74 + 300)  # 71 library cases, 3 examples, 300 generated; explain off/on
    seen = 0
    for key, text in _answers(root, engine):
        assert key in recorded, f"{key} was not recorded"
        assert text == recorded[key], f"{key}: {_first_difference(recorded[key], text)}"
        seen += 1
    assert seen == len(recorded)


def test_one_character_changed_in_a_message_is_seen(frozen, tmp_path):
    """The comparison can fail: one letter changed in a CPF blocker's message changes answers."""
    root, _ = frozen
    copy = tmp_path / "root"
    shutil.copytree(root, copy)
    target = next(p for p in sorted((copy / "rulesets" / "cpf").glob("*.yaml")) if "message:" in p.read_text())
    text = target.read_text(encoding="utf-8")
    at = text.index("message:") + len("message:")
    letter = next(i for i in range(at, len(text)) if text[i].isalpha())
    target.write_text(text[:letter] + ("x" if text[letter] != "x" else "y") + text[letter + 1 :], encoding="utf-8")
    recorded = _recorded()
    engine = Engine(copy / "rulesets", backend="python")
    changed = [
        key
        for key, text in _answers(copy, engine, lambda k: "generated" in k)
        if _without_digests(text) != _without_digests(recorded[key])  # the digests change with any edit
    ]
    assert changed, "no answer changed although a message did"


def _without_digests(text: str) -> str:
    return re.sub(r'"rulesets?_digest":"sha256:[0-9a-f]+"', "", text)
