"""Any input either evaluates or ends with a French InputError (exit code 2 at the command line):
never a traceback, never a hang. Plus thread safety and determinism."""

import datetime as dt
import json
import os
import subprocess
import sys
import threading
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fundrules import Engine, EvaluationError, InputError, load_case, load_catalog
from fundrules.case import case_from_data
from fundrules.facts import facts_in

from .conftest import EXAMPLES, ROOT, RULESETS

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)),
    st.datetimes(),
    st.sampled_from(
        [
            "2018-03-12",
            "2018-13-45",
            "12/03/2018",
            "salarie",
            "salari\u0065\u0301",
            "Re\u0301gion",
            "26",
            "true",
            "oui",
            "NaN",
            "1e999",
            "",
            " ",
            "\u0000",
            "𝔣𝔲𝔫𝔡",
        ]
    ),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=6,
)


def section(name):
    known = list(facts_in(name))
    return st.dictionaries(st.one_of(st.sampled_from(known), st.text(max_size=12)), values, max_size=6)


hostile_cases = st.fixed_dictionaries(
    {},
    optional={
        "date_demande": values,
        "operateur": values,
        "region": values,
        "beneficiaire": st.one_of(section("beneficiaire"), values),
        "projet": st.one_of(section("projet"), values),
        "extra": values,
    },
)


@pytest.fixture(scope="module")
def engines():
    return [Engine(RULESETS, backend="python"), Engine(RULESETS, backend="durable")]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=hostile_cases)
def test_any_case_data_evaluates_or_is_refused_in_french(engines, data):
    try:
        case = case_from_data(data)
    except InputError as err:
        assert err.reason and err.render()
        return
    outputs = []
    for engine in engines:
        try:
            outputs.append(engine.evaluate(case).model_dump_json(exclude={"provenance"}))
        except EvaluationError as err:
            assert "date_demande absente" in str(err)
            outputs.append("no date")
    assert outputs[0] == outputs[1]


@settings(max_examples=150, deadline=None)
@given(
    content=st.one_of(
        st.binary(max_size=200),
        st.text(max_size=200).map(str.encode),
        st.builds(lambda d: json.dumps(d, default=str).encode(), hostile_cases),
    ),
    suffix=st.sampled_from([".yaml", ".json"]),
)
def test_any_file_content_loads_or_is_refused(tmp_path_factory, content, suffix):
    path = tmp_path_factory.mktemp("f") / f"case{suffix}"
    path.write_bytes(content)
    try:
        load_case(path)
    except InputError as err:
        assert err.file == str(path)


@pytest.mark.parametrize(
    "content, fragment",
    [
        (b"", "vide"),
        (b"\x00\x01\x02binary", "binaire"),
        (b"a: &a [1,1,1,1]\nb: &b [*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b]\nd: [*c,*c,*c,*c]\n", "alias"),
        (b"[" * 50_000 + b"]" * 50_000, "imbriqu"),
        (b"date_demande: " + b"9" * 400 + b"\n", "400 chiffres"),  # a number too long to be one, before a date
        (
            "date_demande: 2018-03-12\nbeneficiaire:\n  statut: salari\u0065\u0301\n".encode(),
            "valeur 'salarié' non admise",
        ),
    ],
)
def test_known_hostile_files(tmp_path, content, fragment):
    for suffix in (".yaml", ".json"):
        path = tmp_path / f"c{suffix}"
        path.write_bytes(content)
        try:
            load_case(path)
        except InputError as err:
            if suffix == ".yaml" or fragment in ("vide", "binaire"):
                assert fragment in str(err), str(err)
        else:
            pytest.fail(f"{suffix} accepted")


def test_oversized_file_is_refused_before_reading(tmp_path):
    path = tmp_path / "big.json"
    path.write_bytes(b" " * 1_000_001)
    with pytest.raises(InputError, match="trop gros"):
        load_case(path)


def test_nfd_and_nfc_give_the_same_evaluation(engines):
    nfc = {
        "date_demande": "2019-06-01",
        "region": unicodedata.normalize("NFC", "Réunion"),
        "projet": {"intitule": unicodedata.normalize("NFC", "Mécanique")},
    }
    nfd = {
        "date_demande": "2019-06-01",
        "region": unicodedata.normalize("NFD", "Réunion"),
        "projet": {"intitule": unicodedata.normalize("NFD", "Mécanique")},
    }
    for engine in engines:
        assert engine.evaluate(nfc) == engine.evaluate(nfd)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    content=st.one_of(st.binary(max_size=120), st.builds(lambda d: json.dumps(d, default=str).encode(), hostile_cases))
)
def test_cli_never_shows_a_traceback(tmp_path, content):
    path = tmp_path / "case.json"
    path.write_bytes(content)
    result = subprocess.run(
        [sys.executable, "-m", "fundrules_cli.app", "check", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode in (0, 2), result.stderr
    assert "Traceback" not in result.stderr
    if result.returncode == 2:
        assert result.stderr.startswith("Erreur : ")


VERSION = """version: "1"
valid_from: 2015-01-01
sources: [{id: s, title: source de test}]
parameters:
  seuil: {description: seuil, values: {2015-01-01: {value: 24, source: s}}}
criteria:
  - id: c1
    condition: beneficiaire.anciennete_salariee_mois >= seuil and not beneficiaire.secteur_public
    message: "Ancienneté {anciennete_salariee_mois}, il faut {seuil}."
    sources: [s]
    verified: true
"""
FUNDER = "id: demo\nname: Démo\ncategory: specifique\nkind: course\ndecided_by: x\nmobilised_by: []\n"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(position=st.integers(0, len(VERSION) - 1), junk=st.text(max_size=12))
def test_any_mutated_ruleset_loads_or_is_refused_in_french(tmp_path_factory, position, junk):
    root = tmp_path_factory.mktemp("rules")
    (root / "demo").mkdir()
    (root / "demo" / "funder.yaml").write_text(FUNDER, encoding="utf-8")
    (root / "demo" / "2015-01-01.yaml").write_text(
        VERSION[:position] + junk + VERSION[position + 1 :], encoding="utf-8"
    )
    try:
        catalog = load_catalog(root)
    except InputError as err:
        assert err.reason
        return
    try:
        engine = Engine(catalog, backend="durable")  # durable's own limits are checked here
    except InputError as err:
        assert err.reason and err.line
        return
    engine.evaluate({"date_demande": "2016-01-01", "beneficiaire": {"anciennete_salariee_mois": 30}})


@pytest.mark.parametrize("backend", ["python", "durable"])
def test_one_engine_shared_by_four_threads(backend):
    from fundrules.library import find_case_files, load_library_case

    engine = Engine(RULESETS, backend=backend)
    cases = [load_library_case(p).case for p in find_case_files([ROOT / "cases"])]
    expected = [engine.evaluate(c).model_dump_json() for c in cases]
    errors, mismatches = [], []

    def work(offset):
        try:
            for i in range(2500):
                index = (i + offset) % len(cases)
                if engine.evaluate(cases[index]).model_dump_json() != expected[index]:
                    mismatches.append(index)
        except Exception as err:  # collected, then reported by the assertion below
            errors.append(err)

    threads = [threading.Thread(target=work, args=(k * 13,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and mismatches == []


def test_same_case_gives_byte_identical_json_in_two_processes():
    outputs = []
    for seed in ("1", "12345"):
        outs = []
        for path in sorted(EXAMPLES.glob("*.yaml")):
            result = subprocess.run(
                [sys.executable, "-m", "fundrules_cli.app", "check", str(path), "--format", "json"],
                capture_output=True,
                cwd=ROOT,
                env={**os.environ, "PYTHONHASHSEED": seed},
            )
            assert result.returncode == 0
            outs.append(result.stdout)
        outputs.append(outs)
    assert outputs[0] == outputs[1]
