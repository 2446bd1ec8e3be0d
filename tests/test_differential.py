"""Both backends must give identical evaluations: durable-rules is checked against the reference."""

import datetime as dt
import glob
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fundrules import load_case
from fundrules.case import case_from_data
from fundrules.conditions import check, parse
from fundrules.engine.reference import PythonBackend
from fundrules.rulesets.catalog import plain_criterion, pseudo_funder_rules

from .conftest import EXAMPLES
from .strategies import EXOTIC_NUMBERS, case_data, dates


def same(python_engine, durable_engine, case, as_of=None):
    """Same answer, and the same per-criterion trace; only provenance names a different backend."""
    for explain in (False, True):
        a = python_engine.evaluate(case, as_of, explain=explain)
        b = durable_engine.evaluate(case, as_of, explain=explain)
        assert a.model_dump_json(exclude={"provenance"}) == b.model_dump_json(exclude={"provenance"})


@pytest.mark.parametrize("path", sorted(glob.glob(str(EXAMPLES / "*.yaml"))))
def test_bundled_cases_agree(python_engine, durable_engine, path):
    case = load_case(path)
    same(python_engine, durable_engine, case)
    for day in (dt.date(2016, 6, 1), dt.date(2018, 12, 31), dt.date(2019, 1, 1), dt.date(2024, 6, 1)):
        same(python_engine, durable_engine, case, day)


@settings(max_examples=1200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=case_data(), as_of=st.one_of(st.none(), dates))
def test_generated_cases_agree(python_engine, durable_engine, data, as_of):
    same(python_engine, durable_engine, case_from_data(data), as_of)


# The long differential run: FUNDRULES_DIFFERENTIAL=10000 python -m pytest tests/test_differential.py -k long
LONG_RUN = int(os.environ.get("FUNDRULES_DIFFERENTIAL", "0") or 0)


@pytest.mark.skipif(LONG_RUN <= 0, reason="long run: set FUNDRULES_DIFFERENTIAL to the number of cases (e.g. 10000)")
@settings(
    max_examples=max(LONG_RUN, 1),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=case_data(), as_of=st.one_of(st.none(), dates))
def test_long_run_generated_cases_agree(python_engine, durable_engine, data, as_of):
    same(python_engine, durable_engine, case_from_data(data), as_of)


# -- generated conditions, compiled by the durable compiler and run through the adapter --------

OPS = ["==", "!=", "<", "<=", ">", ">="]
atoms = st.one_of(
    st.builds(lambda op, n: f"beneficiaire.anciennete_salariee_mois {op} {n}", st.sampled_from(OPS), st.integers(0, 4)),
    st.builds(lambda op: f"beneficiaire.solde_cpf_heures {op} projet.duree_heures", st.sampled_from(OPS)),
    st.builds(
        lambda op, d: f"projet.date_debut {op} {d}",
        st.sampled_from(OPS),
        st.sampled_from(["2018-01-01", "2018-01-02", "2019-01-01"]),
    ),
    st.builds(
        lambda op, n: f"days_between(date_demande, projet.date_debut) {op} {n}",
        st.sampled_from(OPS),
        st.integers(-1, 2),
    ),
    st.builds(lambda op, n: f"seuil {op} {n}", st.sampled_from(OPS), st.integers(1, 3)),
    st.just("beneficiaire.boeth"),
    st.builds(
        lambda op, n: f"projet.cout_pedagogique {op} {n}",
        st.sampled_from(OPS),
        st.sampled_from(["0", "0.00001", "0.1", "1", "999999999999.99", "1000000000000"]),
    ),
    st.builds(lambda op: f"projet.cout_pedagogique * 2 {op} projet.duree_heures", st.sampled_from(OPS)),
    st.sampled_from(
        [
            'beneficiaire.statut == "salarie"',
            'beneficiaire.statut != "salarie"',
            'beneficiaire.statut in ["salarie", "independant"]',
            'beneficiaire.statut not in ["demandeur_emploi"]',
            "true",
            "false",
        ]
    ),
)
conditions = st.recursive(
    atoms,
    lambda inner: st.one_of(
        inner.map(lambda c: f"not ({c})"),
        st.lists(inner, min_size=2, max_size=3).map(lambda cs: " and ".join(f"({c})" for c in cs)),
        st.lists(inner, min_size=2, max_size=3).map(lambda cs: " or ".join(f"({c})" for c in cs)),
    ),
    max_leaves=6,
)
small_facts = st.fixed_dictionaries(
    {},
    optional={
        "beneficiaire.anciennete_salariee_mois": st.integers(0, 4),
        "beneficiaire.solde_cpf_heures": st.sampled_from([0, 1, 2, 2.5]),
        "projet.duree_heures": st.sampled_from([0, 1, 2, 1e-05, 5e-324, 2e-05]),
        "projet.cout_pedagogique": st.one_of(
            st.sampled_from(EXOTIC_NUMBERS + [0, 1, 0.5e-05, 1e12 - 1]), st.floats(0, 1e12)
        ),
        "projet.date_debut": st.sampled_from([dt.date(2018, 1, 1), dt.date(2018, 1, 2), dt.date(2019, 1, 1)]),
        "date_demande": st.sampled_from([dt.date(2017, 12, 31), dt.date(2018, 1, 1), dt.date(2018, 1, 2)]),
        "beneficiaire.boeth": st.booleans(),
        "beneficiaire.statut": st.sampled_from(["salarie", "independant", "demandeur_emploi"]),
    },
)


def active_rules(sources, seuil):
    criteria = [
        plain_criterion(f"c{i}", check(parse(source), {"seuil": "number"}), source, "m", required="r", file="t", line=1)
        for i, source in enumerate(sources)
    ]
    return pseudo_funder_rules(
        "t",
        "t",
        tuple(criteria),
        label="1",
        valid_from=dt.date(2015, 1, 1),
        params=(("seuil", seuil),),
        decided_by="x",
        file="t",
        folder="t",
    )


@pytest.fixture(scope="module")
def durable_backend_instance():
    from fundrules.engine import durable_backend

    if not durable_backend.available():
        pytest.skip("durable-rules is not importable on this interpreter")
    return durable_backend.DurableBackend()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    sources=st.lists(conditions, min_size=1, max_size=3),
    facts_list=st.lists(small_facts, min_size=1, max_size=6),
    seuil=st.integers(1, 3),
)
def test_generated_conditions_agree(durable_backend_instance, sources, facts_list, seuil):
    active = active_rules(sources, seuil)
    for facts in facts_list:
        expected = PythonBackend().run([active], facts)
        assert durable_backend_instance.run([active], facts) == expected, (sources, facts)


@settings(max_examples=300, deadline=None)
@given(source=conditions, facts=small_facts, seuil=st.integers(1, 3))
def test_compiled_closures_match_the_tree_walking_specification(source, facts, seuil):
    from fundrules.conditions.kleene import compile_condition, evaluate

    node = check(parse(source), {"seuil": "number"})
    expected = evaluate(node, facts, {"seuil": seuil})
    assert compile_condition(node)(facts, {"seuil": seuil}) == expected
    # compiled for one date's parameter values: the closures no longer read the mapping
    assert compile_condition(node, {"seuil": seuil})(facts, None) == expected


@settings(max_examples=400, deadline=None)
@given(sources=st.lists(conditions, min_size=1, max_size=5), facts=small_facts, seuil=st.integers(1, 3))
def test_the_reference_backend_answers_what_the_tree_walking_specification_says(sources, facts, seuil):
    """PythonBackend fixes parameters per date, reads a boolean fact (or its negation) without a closure
    and codes the outcomes as one number: none of that may change an outcome."""
    from fundrules.conditions.kleene import evaluate

    active = active_rules(sources, seuil)
    outcomes = {c.key: evaluate(c.condition, facts, {"seuil": seuil}) for c in active.criteria}
    assert PythonBackend().run([active], facts) == {"t": {key: v for key, v in outcomes.items() if v is not True}}
