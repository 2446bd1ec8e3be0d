"""durable-rules answers exactly what the reference answers, or the ruleset is refused before it runs."""

import datetime as dt
import gc
import itertools
import math
import os
import subprocess
import sys
import textwrap
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fundrules import BackendError, Engine, InputError, load_catalog
from fundrules.engine import durable_backend
from fundrules.engine.durable_compile import GUARD, MAX_EXACT_INT, number_key
from fundrules.engine.reference import PythonBackend

from .conftest import EXAMPLES, ROOT, RULESETS
from .test_differential import active_rules
from .test_loader import CIF, refused_for_durable

needs_durable = pytest.mark.skipif(not durable_backend.available(), reason="durable-rules is not importable here")

EXOTIC = [
    0.0,
    -0.0,
    5e-324,
    -5e-324,
    2.2250738585072014e-308,
    1e-05,
    1.5e-05,
    0.1,
    0.30000000000000004,
    1e12,
    999999999999.99,
    1e15,
    1e16,
    float(2**53),
    1.7976931348623157e308,
    math.inf,
    -math.inf,
    0,
    1,
    -1,
    2**53,
    -(2**53),
    2**53 - 1,
    10**15,
]
exotic_numbers = st.one_of(
    st.sampled_from(EXOTIC), st.floats(allow_nan=False), st.integers(-MAX_EXACT_INT, MAX_EXACT_INT)
)


# -- exact encoding of numbers -------------------------------------------------------------------


@settings(max_examples=3000, deadline=None)
@given(x=exotic_numbers, y=exotic_numbers)
def test_number_key_orders_like_the_numbers(x, y):
    assert (number_key(x) < number_key(y)) == (x < y)
    assert (number_key(x) == number_key(y)) == (x == y)
    assert -(2**63) <= number_key(x) < 2**63  # what durable-rules reads as an exact integer


def test_integers_beyond_two_to_the_53_have_no_key():
    with pytest.raises(ValueError):
        number_key(2**53 + 1)


@needs_durable
@pytest.mark.parametrize("cost", [1e-05, 5e-324, 2.5e-07, 9999999.99, 0.1])  # 10**7: the cost's maximum
def test_exponent_form_and_subnormal_facts_answer_like_python(python_engine, durable_engine, cost):
    # before: durable-rules could not parse 1e-05 (error 204), the CLI exited 3 "Could not retract fact"
    case = {
        "date_demande": "2024-06-01",
        "beneficiaire": {"statut": "salarie", "solde_cpf_heures": 1e-05},
        "projet": {"cout_pedagogique": cost, "duree_heures": 5e-324},
    }
    assert durable_engine.evaluate(case).model_dump_json(exclude={"provenance"}) == python_engine.evaluate(
        case
    ).model_dump_json(exclude={"provenance"})


OPS = ["==", "!=", "<", "<=", ">", ">="]
LITERALS = ["0", "0.00001", "0.1", "1", "12.5", "1000000000000", "999999999999.99", "9007199254740992"]


@needs_durable
@settings(max_examples=300, deadline=None)
@given(
    op=st.sampled_from(OPS),
    literal=st.sampled_from(LITERALS),
    values=st.lists(
        st.one_of(
            st.sampled_from([v for v in EXOTIC if abs(v) <= 1e12]),  # a case's bounds
            st.floats(-1e12, 1e12),
            st.integers(-(10**12), 10**12),
        ),
        min_size=1,
        max_size=8,
    ),
    fact_to_fact=st.booleans(),
)
def test_exotic_numbers_compare_like_python(op, literal, values, fact_to_fact):
    backend = durable_backend.DurableBackend()
    right = "projet.duree_heures" if fact_to_fact else literal
    active = active_rules(
        [f"projet.cout_pedagogique {op} {right}", f"projet.cout_pedagogique + projet.duree_heures {op} {literal}"], 1
    )
    try:
        for value, other in zip(values, values[1:] + values[:1], strict=False):
            facts = {"projet.cout_pedagogique": value, "projet.duree_heures": other}
            assert backend.run([active], facts) == PythonBackend().run([active], facts), facts
    finally:
        backend.close()  # nothing to free: compiled rules are shared


# -- bounds: what cannot be compared exactly is refused before it runs ---------------------------


def test_product_that_can_exceed_two_to_the_53_is_refused_with_file_and_line(ruleset_dir):
    # before: 10**12 * 10**12 went to durable-rules as an overflowing integer: "blocked" where
    # python said "eligible"
    # (cout_pedagogique is at most 10**7 since every number fact has a maximum: a cube can exceed 2**53)
    path = ruleset_dir.edit(
        CIF,
        "condition: not beneficiaire.secteur_public",
        "condition: not beneficiaire.secteur_public and "
        "projet.cout_pedagogique * projet.cout_pedagogique * projet.cout_pedagogique >= 0",
    )
    err = refused_for_durable(ruleset_dir)
    assert "2**53" in err.reason and "projet.cout_pedagogique * projet.cout_pedagogique" in err.reason
    assert err.file == str(path) and "cout_pedagogique * projet" in path.read_text().splitlines()[err.line - 1]


@needs_durable
def test_term_within_the_bound_agrees_at_its_extremes(ruleset_dir):
    # duree_heures <= 89,280 (its maximum), so duree_heures * 10**11 stays below 2**53: accepted and exact
    ruleset_dir.edit(
        CIF,
        "condition: not beneficiaire.secteur_public",
        "condition: not beneficiaire.secteur_public and projet.duree_heures * 100000000000 >= 8927900000000000",
    )
    catalog = load_catalog(ruleset_dir.root)
    python, durable = Engine(catalog, backend="python"), Engine(catalog, backend="durable")
    for hours in (89280, 89279, 89278.5, 1e-05):
        case = {
            "date_demande": "2016-06-01",
            "beneficiaire": {"secteur_public": False},
            "projet": {"duree_heures": hours},
        }
        assert durable.evaluate(case).model_dump_json(exclude={"provenance"}) == python.evaluate(case).model_dump_json(
            exclude={"provenance"}
        )


@pytest.mark.parametrize("value", [".inf", "-.inf", "10000000000000000.0", "9007199254740993"])
def test_parameter_not_finite_or_beyond_two_to_the_53_is_refused_at_load(ruleset_dir, value):
    path = ruleset_dir.edit(
        CIF, "      2015-01-01: {value: 4, source: cif_cdi}", f"      2015-01-01: {{value: {value}, source: cif_cdi}}"
    )
    with pytest.raises(InputError) as info:
        load_catalog(ruleset_dir.root)
    err = info.value
    assert "hors des bornes" in err.reason and err.file == str(path) and err.field == "parameters.mois_cdd_12_mois_min"
    lines = path.read_text().splitlines()
    assert value in lines[err.line - 1] or (lines[err.line - 1].strip() == "values:" and value in lines[err.line])


@pytest.mark.parametrize("literal", ["10000000000000000.0", "9007199254740993", "-9007199254740993"])
def test_literal_beyond_two_to_the_53_is_refused_at_load(ruleset_dir, literal):
    path = ruleset_dir.edit(
        CIF,
        "condition: not beneficiaire.secteur_public",
        f"condition: not beneficiaire.secteur_public and projet.cout_pedagogique < {literal}",
    )
    with pytest.raises(InputError) as info:
        load_catalog(ruleset_dir.root)
    assert "hors des bornes" in info.value.reason
    assert literal in path.read_text().splitlines()[info.value.line - 1]


# -- limits of durable-rules: split when possible, refused with file and line otherwise ----------


def demo_version(criteria: str) -> str:
    return "version: '1'\nvalid_from: 2015-01-01\nsources: [{id: s, title: source de test}]\ncriteria:" + criteria


DEMO_FUNDER = "id: demo\nname: Démo\ncategory: specifique\nkind: course\ndecided_by: x\nmobilised_by: []\n"


@needs_durable
@pytest.mark.parametrize("count", [300, 100])
def test_hundreds_of_criteria_on_one_date_run_and_agree(ruleset_dir, count):
    # before: 300 criteria (600 rules) failed create_ruleset with error 108, and more than 64
    # rules matching one fact failed the assert with error 303
    criteria = "".join(
        f"""
  - id: c{i}
    condition: beneficiaire.anciennete_salariee_mois >= {i}
    message: "critère {i}"
    sources: [s]
    verified: true"""
        for i in range(count)
    )
    ruleset_dir.write("demo/funder.yaml", DEMO_FUNDER)
    ruleset_dir.write("demo/2015-01-01.yaml", demo_version(criteria))
    catalog = load_catalog(ruleset_dir.root)
    python, durable = Engine(catalog, backend="python"), Engine(catalog, backend="durable")
    for months in (None, 0, 70, count - 1, count):
        case = {
            "date_demande": "2016-01-01",
            "beneficiaire": {} if months is None else {"anciennete_salariee_mois": months},
        }
        expected = python.evaluate(case)
        assert durable.evaluate(case).model_dump_json(exclude={"provenance"}) == expected.model_dump_json(
            exclude={"provenance"}
        )
    blocked = next(r for r in expected.results if r.funder == "demo")
    assert len(blocked.blockers) == 0  # months == count: every threshold 0..count-1 is met


def test_plan_rule_with_27_fact_to_fact_comparisons_is_refused_with_file_and_line(ruleset_dir):
    funders = ["prf", "cpf", "cif", "cpf_transition", "aif", "agefiph"]
    pairs = [(a, b) for a, b in itertools.permutations(funders, 2)][:27]
    condition = " and ".join(f"candidat.{a} != candidat.{b}" for a, b in pairs)
    path = ruleset_dir.edit(
        "_plan/2015-01-01.yaml",
        "rules:\n",
        f"""rules:
  - id: trop_de_comparaisons
    condition: {condition}
    effect: {{exclude: aif}}
    message: "règle de test"
    sources: [instruction_2013_9]
    verified: true
""",
    )
    err = refused_for_durable(ruleset_dir)
    assert "trop complexe pour durable-rules" in err.reason
    assert err.file == str(path) and "candidat.prf != candidat.cpf" in path.read_text().splitlines()[err.line - 1]
    assert err.field == "critère trop_de_comparaisons.condition"


# -- memory: registrations released, compiled cache bounded --------------------------------------


@needs_durable
def test_engines_created_and_dropped_register_nothing_more():
    # before: every Engine that evaluated kept its own rulesets in C memory (~1.8 MB) for ever
    from fundrules import load_case

    case = load_case(EXAMPLES / "ancien-cdd-2018.yaml")
    catalog = load_catalog(RULESETS)
    Engine(catalog, backend="durable").evaluate(case)
    before = durable_backend.live_rulesets()
    assert before > 0
    for _ in range(40):
        with Engine(catalog, backend="durable") as engine:
            assert same(engine.evaluate(case), Engine(catalog, backend="python").evaluate(case))
    for _ in range(40):
        Engine(RULESETS, backend="durable").evaluate(case)  # another catalog, the same rules; dropped
    gc.collect()
    assert durable_backend.live_rulesets() == before


@needs_durable
def test_rules_are_compiled_once_per_content_and_never_rebuilt():
    # before: rules compiled per date period and region in an LRU of 64; each eviction left
    # durable-rules' session state behind (about 4 MB a rebuild): memory grew without bound over
    # dates and regions. Now one compiled set per funder's rules (content), kept for the process.
    durable_backend.clear_cache()
    catalog = load_catalog(RULESETS)
    engine, python = Engine(catalog, backend="durable"), Engine(catalog, backend="python")
    case = {"beneficiaire": {"statut": "salarie", "anciennete_salariee_mois": 30}, "projet": {"duree_heures": 100}}
    days = [dt.date(year, 6, 1) for year in range(2015, 2027)]
    contents = set()
    for region in ("24", "etude-fusionnee"):
        for day in days:
            case["date_demande"], case["region"] = day.isoformat(), region
            assert same(engine.evaluate(case), python.evaluate(case))
            funders = sorted(catalog.funders.values(), key=lambda f: f.id)
            for funder in funders:
                variant = funder.variants.get(region) if funder.variant_by else None
                active = catalog.active(funder, day, variant)
                if active is not None:
                    contents.add(active.key)
    assert len(durable_backend._shared.compiled) == len(contents)
    registered = durable_backend.live_rulesets()
    for again in (engine, Engine(RULESETS, backend="durable")):  # again, and from another Engine
        for region in ("24", "etude-fusionnee"):
            for day in days:
                case["date_demande"], case["region"] = day.isoformat(), region
                assert same(again.evaluate(case), python.evaluate(case))
    assert durable_backend.live_rulesets() == registered  # nothing compiled again


# -- a fork never inherits a held lock -----------------------------------------------------------

FORK_WHILE_LOCKED = textwrap.dedent("""
    import threading, time
    from fundrules import Engine, load_case
    from fundrules.library import find_case_files, load_library_case
    engine = Engine(%r, backend="durable")
    cases = [load_library_case(p).case for p in find_case_files([%r])][:8]
    held = threading.Event()
    def hold():
        with engine._backend._lock:
            held.set()
            time.sleep(0.5)
    threading.Thread(target=hold).start()
    held.wait()
    results = engine.evaluate_many(cases, jobs=2)
    assert results == [engine.evaluate(c) for c in cases]
    print("ok")
""")


@needs_durable
@pytest.mark.skipif(not hasattr(os, "register_at_fork"), reason="no fork on this platform")
def test_evaluate_many_forks_while_another_thread_holds_the_lock():
    # before: the children inherited the held lock and waited for ever
    script = FORK_WHILE_LOCKED % (str(RULESETS), str(ROOT / "cases"))
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "ok", result.stderr


# -- loading: near-linear, durable checks only when durable is used -------------------------------


def test_long_in_list_within_the_condition_length_loads_quickly(ruleset_dir):
    # before: about 33 s for a 5 kB version (the compile was cubic in the list, run per parameter date)
    from fundrules.conditions import parser

    count = (parser.MAX_LENGTH - 60) // 7
    items = ", ".join(str(10000 + i) for i in range(count))
    ruleset_dir.write("demo/funder.yaml", DEMO_FUNDER)
    ruleset_dir.write(
        "demo/2015-01-01.yaml",
        demo_version(
            "".join(
                f"""
  - id: liste{k}
    condition: beneficiaire.heures_interim_18_mois not in [{items}]
    message: "critère de test"
    sources: [s]
    verified: true"""
                for k in range(20)
            )
        ),
    )
    start = time.perf_counter()
    catalog = load_catalog(ruleset_dir.root)
    from fundrules.engine.durable_check import check_catalog

    check_catalog(catalog)
    assert time.perf_counter() - start < 3  # well under: linear in the list, once per criterion


def test_python_backend_does_not_run_the_durable_checks(monkeypatch):
    from fundrules.engine import durable_compile

    def refuse(*args, **kwargs):
        raise AssertionError("durable checks ran for the python backend")

    monkeypatch.setattr(durable_compile, "check_condition", refuse)
    monkeypatch.setattr("fundrules.engine.durable_check.check_condition", refuse)
    Engine(load_catalog(RULESETS), backend="python").evaluate(
        {"date_demande": "2020-01-01", "beneficiaire": {"statut": "salarie"}}
    )


def test_durable_checks_run_once_per_condition_and_parameter_values(monkeypatch):
    from fundrules.engine import durable_check

    calls = []
    real = durable_check.check_condition
    monkeypatch.setattr(durable_check, "check_condition", lambda node, params: calls.append(node) or real(node, params))
    catalog = load_catalog(RULESETS)
    durable_check.check_catalog(catalog)
    pairs = [
        (c.condition, values)
        for f in catalog.funders.values()
        for t in (f.variants.values() if f.variant_by else [None])
        for v in f.versions_of(t)
        for c in v.criteria
        for values in durable_check._param_sets(c, v)
    ]
    distinct = {(repr(node), repr(sorted(values.items()))) for node, values in pairs}
    # a condition repeated from version to version with the same values is compiled once
    assert len(calls) == len(distinct) < len(pairs) / 2
    durable_check.check_catalog(catalog)
    assert len(calls) == len(distinct)  # memoised per catalog


def test_a_repeated_condition_is_still_refused_with_other_parameter_values(tmp_path):
    """The check of a condition already passed is skipped only for the same parameter values."""
    folder = tmp_path / "demo"
    folder.mkdir()
    (folder / "funder.yaml").write_text(DEMO_FUNDER, encoding="utf-8")
    version = """version: "{label}"
valid_from: {start}
valid_to: {end}
sources:
  - {{id: s, title: "Source", url: "https://example.org", article: "1"}}
parameters:
  seuil:
    description: "Multiplicateur"
    values:
      {start}: {{value: {value}, source: s}}
criteria:
  - id: seuil_heures
    label: "Seuil"
    condition: "projet.duree_heures * seuil >= 1"
    message: "Trop court."
    sources: [s]
    verified: true
"""
    (folder / "2018-01-01.yaml").write_text(
        version.format(label="2018", start="2018-01-01", end="2018-12-31", value=2), encoding="utf-8"
    )
    (folder / "2019-01-01.yaml").write_text(
        version.format(label="2019", start="2019-01-01", end="null", value=2**52), encoding="utf-8"
    )
    catalog = load_catalog(tmp_path)
    from fundrules.engine import durable_check

    with pytest.raises(InputError) as err:
        durable_check.check_catalog(catalog)
    assert err.value.file.endswith("2019-01-01.yaml") and "2**53" in str(err.value)


# -- lint does not depend on PYTHONHASHSEED ------------------------------------------------------


def test_lint_answer_does_not_depend_on_the_hash_seed(tmp_path):
    import shutil

    root = tmp_path / "rulesets"
    shutil.copytree(RULESETS, root, ignore=shutil.ignore_patterns("__pycache__", "__init__.py"))
    (root / "demo").mkdir()
    (root / "demo" / "funder.yaml").write_text(DEMO_FUNDER, encoding="utf-8")
    # five enumerated facts: too many combinations to try them all, so the search samples; the only
    # witness of "false" is one precise combination, found or not depending on the sample
    criteria = "".join(
        f"""
  - id: rare{k}
    condition: not (beneficiaire.anciennete_salariee_mois == {k + 7} and beneficiaire.mois_cdd_12_mois == {k % 12}
      and beneficiaire.mois_salarie_5_ans == {k + 20} and beneficiaire.effectif_entreprise == {k + 1000})
    message: "critère de test"
    sources: [s]
    verified: true"""
        for k in range(12)
    )
    (root / "demo" / "2015-01-01.yaml").write_text(demo_version(criteria), encoding="utf-8")
    outputs = set()
    for seed in ("0", "1", "2", "3"):
        result = subprocess.run(
            [sys.executable, "-m", "fundrules_cli.app", "rulesets", "lint", "--rulesets", str(root)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        assert result.returncode in (0, 1), result.stderr
        outputs.add((result.returncode, result.stdout, result.stderr))
    assert len(outputs) == 1


# -- durable-rules' 10 s action lease ------------------------------------------------------------


@needs_durable
def test_the_action_lease_clock_cannot_cut_an_evaluation(monkeypatch):
    # before: when durable-rules' Python lease clock jumped over 10 s (wall clock: daylight saving,
    # NTP, a stall), it silently dropped the remaining actions. Evaluations now run the C engine's
    # actions themselves: that clock is never read, whatever it says
    from durable import engine as durable_engine

    active = active_rules([f"beneficiaire.anciennete_salariee_mois >= {i}" for i in range(1, 6)], 1)
    facts = {"beneficiaire.anciennete_salariee_mois": 0}
    expected = PythonBackend().run([active], facts)
    assert expected[active.funder.id] and set(expected[active.funder.id].values()) == {False}
    backend = durable_backend.DurableBackend()
    assert durable_engine._unix_now is time.monotonic  # no wall clock for whatever else uses it
    jumps = itertools.count(0, 20)
    monkeypatch.setattr(durable_engine, "_unix_now", lambda: float(next(jumps)))
    assert backend.run([active], facts) == expected


@needs_durable
def test_a_session_left_with_its_lease_held_is_never_answered_from(monkeypatch):
    # A chain of actions left unfinished holds the session's lease: durable-rules then starts no
    # action for the next matched fact, which would read as "nothing failed". Detected, and the
    # evaluation runs once more on fresh rules.
    active = active_rules([f"beneficiaire.anciennete_salariee_mois >= {i}" for i in range(1, 6)], 1)
    facts = {"beneficiaire.anciennete_salariee_mois": 0}
    expected = PythonBackend().run([active], facts)
    backend = durable_backend.DurableBackend()
    assert backend.run([active], facts) == expected
    compiled = backend._compile(active)
    (chunk,) = compiled.chunks
    engine = durable_backend._rules_c
    text = durable_backend._to_json({"sid": durable_backend.SESSION, GUARD: 1, **backend._values(compiled, facts)})
    code, state = engine.assert_fact(chunk.handle, text)
    assert code == 0 and engine.start_action_for_state(chunk.handle, state) is not None  # lease taken
    engine.retract_fact(chunk.handle, text)
    assert backend.run([active], facts) == expected
    assert chunk.name not in backend._registered  # the held session was dropped
    # a session that never starts an action is refused, not answered as "all criteria hold"
    real = durable_backend._rules_c

    class NeverStarts:
        def __getattr__(self, name):
            return (lambda handle, state: None) if name == "start_action_for_state" else getattr(real, name)

    monkeypatch.setattr(durable_backend, "_rules_c", NeverStarts())
    with pytest.raises(BackendError, match="aucune action"):
        backend.run([active], facts)


def test_rulesets_lint_refuses_what_durable_cannot_run_with_exit_2_file_and_line(ruleset_dir):
    path = ruleset_dir.edit(  # a cube of costs (at most 10**7 each) can exceed 2**53
        CIF,
        "condition: not beneficiaire.secteur_public",
        "condition: not beneficiaire.secteur_public and "
        "projet.cout_pedagogique * projet.cout_pedagogique * projet.cout_pedagogique >= 0",
    )
    result = subprocess.run(
        [sys.executable, "-m", "fundrules_cli.app", "rulesets", "lint", "--rulesets", str(ruleset_dir.root)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 2, result.stderr
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if "cout_pedagogique *" in text)
    assert result.stderr.startswith(f"Erreur : {path}, ligne {line}")
    assert "2**53" in result.stderr and "Traceback" not in result.stderr
    check = subprocess.run(
        [
            sys.executable,
            "-m",
            "fundrules_cli.app",
            "check",
            str(EXAMPLES / "ancien-cdd-2018.yaml"),
            "--rulesets",
            str(ruleset_dir.root),
            "--engine",
            "python",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert check.returncode == 0, check.stderr  # the python backend computes it exactly: it runs


def same(first, second) -> bool:
    """Both backends' answers, the provenance aside (it names the backend that ran)."""
    return first.model_copy(update={"provenance": None}) == second.model_copy(update={"provenance": None})


@needs_durable
def test_an_engine_still_in_use_after_clear_cache_compiles_again():
    engine, python = Engine(RULESETS, backend="durable"), Engine(RULESETS, backend="python")
    case = {"date_demande": "2019-06-01", "beneficiaire": {"statut": "salarie", "anciennete_salariee_mois": 30}}
    assert same(engine.evaluate(case), python.evaluate(case))
    durable_backend.clear_cache()
    assert durable_backend.live_rulesets() == 0
    assert same(engine.evaluate(case), python.evaluate(case))
    assert durable_backend.live_rulesets() > 0
