"""The direct YAML construction and resolver of fundrules.source answer exactly as PyYAML's own
construct_document and resolve did: same values, same types, same first error."""

import datetime as dt
import math

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from fundrules import source
from fundrules.errors import InputError

from .conftest import ROOT, RULESETS


def _pyyaml(text: str):
    """The reference: PyYAML's constructor on the same loader (what parse_text used before)."""
    loader = source._SafeLoader(text)
    try:
        node = loader.get_single_node()
        source._record_lines(node, (), {}, set())
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def test_every_ruleset_and_case_file_reads_as_pyyaml_reads_it():
    paths = sorted(RULESETS.rglob("*.yaml")) + sorted((ROOT / "cases").rglob("*.yaml"))
    assert len(paths) > 150
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert _same(source.parse_text(text, str(path)).data, _pyyaml(text)), path


DOCUMENTS = [
    "a: 1\nb: -2.5\nc: .inf\nd: -.Inf\ne: .nan\nf: true\ng: False\nh: null\ni: ~\nj:\nk: ''\n",
    "date: 2018-03-12\nwhen: 2018-03-12 10:30:00\nyes: yes\non: off\noctal: 010\nhex: 0x1F\nsep: 1_200\n",
    "list: [1, '2', 3.0, [a, {b: c}], {}]\nnested: {x: {y: {z: [true, null, 2018-01-01]}}}\n",
    "!!str 12\n",
    "a: !!str 12\nb: !!int '12'\nc: !!float '1'\nd: !!bool 'true'\ne: !!null ''\nf: !!map {x: 1}\ng: !!seq [1]\n",
    "1: one\n2.5: two\ntrue: three\nnull: four\n2018-01-01: five\n'x': six\n",
    "- a\n- - b\n  - c\n- {d: [e, {f: g}]}\n",
    "text: |\n  line one\n  line two\nfolded: >\n  a\n  b\n",
]


@pytest.mark.parametrize("text", DOCUMENTS)
def test_documents_read_as_pyyaml_reads_them(text):
    assert _same(source.parse_text(text, "doc.yaml").data, _pyyaml(text))


ERRORS = [
    "a:\n  b: 2019-02-30\nc: 2019-02-31\n",  # PyYAML builds level by level: line 3 is reported first
    "a: {b: {c: 1}}\nd: [2019-02-30]\ne: {f: 99999999999999999999999999999999}\n",
    "a: [x, {y: 2018-13-01}]\nb: [!!int yes]\n",
    "a: !!int [1]\n",  # a tag on the wrong kind of node: left to PyYAML
    "? [a, b]\n: c\n",  # a key that is not a scalar: left to PyYAML
    "a: !!map 1\n",
    "- [[1, 2019-02-30]]\n- 2019-02-31\n- [2019-02-32]\n",
]


def test_construction_goes_level_by_level_as_pyyaml():
    with pytest.raises(InputError) as err:
        source.parse_text(ERRORS[0], "doc.yaml")
    assert err.value.line == 3
    with pytest.raises(InputError) as err:
        source.parse_text(ERRORS[-1], "doc.yaml")
    assert err.value.line == 2


@pytest.mark.parametrize("text", ERRORS)
def test_the_first_error_is_the_one_pyyaml_raised(text):
    def outcome(read):
        try:
            return ("value", read())
        except InputError as err:
            return ("input", err.reason, err.line)
        except Exception as err:  # what PyYAML itself raises, before parse_text turns it into French
            return ("other", type(err).__name__)

    ours = outcome(lambda: source.parse_text(text, "doc.yaml").data)
    before = outcome(lambda: _pyyaml(text))
    if before[0] == "other" and before[1] in ("ConstructorError",):  # parse_text says it in French
        assert ours[0] == "input" and "YAML/JSON illisible" in ours[1]
    else:
        assert ours[:1] == before[:1] and (ours[0] == "other" or ours == before), (ours, before)


def test_a_date_error_reports_its_line():
    with pytest.raises(InputError) as err:
        source.parse_text("a: 1\nb:\n  c: 2019-02-30\n", "doc.yaml")
    assert err.value.line == 3 and "date impossible" in err.value.reason


def test_a_lone_surrogate_is_still_found_with_the_line_of_its_path():
    lines = {("a",): 2, ("a", "b"): 3, ("a", "b", 1): 4}
    source._check_strings({"a": {"b": ["ok", "fine"]}, "c": "x"}, lines)  # nothing wrong: nothing raised
    for data, line in (
        ({"a": {"b": ["ok", "\ud800"]}}, 4),
        ({"a": {"b": "\udfff"}}, 3),
        ({"a": {"\udc00": 1}}, 2),  # a key: the line of its path, else of its parent
        ({"z": ["\ud800"]}, None),
    ):
        with pytest.raises(InputError) as err:
            source._check_strings(data, lines)
        assert err.value.line == line and "UTF-16" in err.value.reason
    with pytest.raises(InputError, match="UTF-16"):  # JSON allows the escape: refused all the same
        source._parse_json('{\n"a": {\n"b": ["ok", "\\ud800"]}}', "doc.json")


_PLAIN = st.text(alphabet="0123456789+-._eExXoOabfnlrstuTFNLUAEIinf~:", min_size=0, max_size=8)


@settings(max_examples=400, deadline=None)
@given(_PLAIN, st.booleans())
def test_resolver_tags_as_pyyaml_does(value, plain):
    loader = source._SafeLoader("")
    try:
        for kind in (yaml.ScalarNode, yaml.SequenceNode, yaml.MappingNode):
            expected = yaml.resolver.BaseResolver.resolve(loader, kind, value, (plain, not plain))
            assert loader.resolve(kind, value, (plain, not plain)) == expected
    finally:
        loader.dispose()


def test_core_schema_scalars_still_typed():
    data = source.parse_text("a: 010\nb: 1_200\nc: yes\nd: 12\ne: 2018-03-12\nf: ''\ng:\n", "doc.yaml").data
    assert data == {"a": "010", "b": "1_200", "c": "yes", "d": 12, "e": dt.date(2018, 3, 12), "f": "", "g": None}


def test_escapes_still_read_and_a_surrogate_escape_still_refused():
    assert source.parse_text('a: "\\u00e9"\nb: "\\U0001F600"\n', "doc.yaml").data == {"a": "é", "b": "😀"}
    with pytest.raises(InputError) as err:
        source.parse_text('a: "ok"\nb: "\\ud800"\n', "doc.yaml")
    assert err.value.line == 2
