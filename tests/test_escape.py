"""One escape function per output kind (terminal, Markdown, HTML), and both meeting packs use theirs."""

import dataclasses

import pytest

from fundrules import Engine
from fundrules.escape import escape_html, escape_markdown, escape_terminal
from fundrules.report.meeting import prepare_meeting, render_html, render_markdown

from .conftest import ROOT

HOSTILE = "a\x1b[31mrouge\x00nul\u202eesrever\u2066x\u2028y\x85z\x7f"
RAW = ["\x1b", "\x00", "\u202e", "\u2066", "\u2028", "\x85", "\x7f"]


@pytest.mark.parametrize("escape", [escape_terminal, escape_markdown, escape_html])
def test_no_control_or_bidi_character_survives(escape):
    out = escape(HOSTILE)
    assert not any(c in out for c in RAW)
    # shown, not dropped: the reader sees that something was there
    assert "\\x1b" in out and "\\x00" in out and "\\u202e" in out and "\\u2066" in out


def test_html_escapes_markup_and_quotes_and_keeps_plain_text():
    assert escape_html('<b a="x">&\'') == "&lt;b a=&quot;x&quot;&gt;&amp;&#x27;"
    assert escape_html("Région Centre-Val de Loire, 1 200 €") == "Région Centre-Val de Loire, 1 200 €"


@pytest.fixture(scope="module")
def hostile_pack():
    pack = prepare_meeting(
        Engine(ROOT / "rulesets", backend="python"), ROOT / "cases", "etude-territorialisee", "2018-T2"
    )
    item = pack.agenda[0]
    case = item.case.model_copy(update={"problem": "Question " + HOSTILE})
    evaluation = item.evaluation.model_copy(
        update={"results": [r.model_copy(update={"funder_name": "CPF " + HOSTILE}) for r in item.evaluation.results]}
    )
    return dataclasses.replace(pack, agenda=[dataclasses.replace(item, case=case, evaluation=evaluation)])


def test_html_pack_writes_no_control_or_bidi_character(hostile_pack):
    page = render_html(hostile_pack)
    assert not any(c in page for c in RAW)
    assert "Question a\\x1b[31mrouge\\x00nul\\u202eesrever" in page


def test_markdown_pack_writes_no_control_or_bidi_character(hostile_pack):
    markdown = render_markdown(hostile_pack)
    assert not any(c in markdown for c in RAW)
    assert "Question a\\\\x1b\\[31mrouge\\\\x00nul\\\\u202eesrever" in markdown
