import datetime as dt

import pytest

from fundrules.conditions import check, evaluate, facts_of, parse
from fundrules.conditions.parser import ConditionSyntaxError
from fundrules.conditions.typecheck import ConditionTypeError
from fundrules.derived import whole_months_between


def run(source, facts=None, params=None):
    params = params or {}
    types = {k: ("number" if isinstance(v, (int, float)) else "date") for k, v in params.items()}
    return evaluate(check(parse(source), types), facts or {}, params)


AGE = "beneficiaire.age"


@pytest.mark.parametrize(
    "source, facts, expected",
    [
        # Kleene: the known part decides when it can
        ("beneficiaire.age >= 18 and beneficiaire.boeth", {AGE: 10}, False),
        ("beneficiaire.age >= 18 and beneficiaire.boeth", {AGE: 20}, None),
        ("beneficiaire.age >= 18 and beneficiaire.boeth", {AGE: 20, "beneficiaire.boeth": True}, True),
        ("beneficiaire.age >= 18 or beneficiaire.boeth", {AGE: 20}, True),
        ("beneficiaire.age >= 18 or beneficiaire.boeth", {AGE: 10}, None),
        ("beneficiaire.age >= 18 or beneficiaire.boeth", {AGE: 10, "beneficiaire.boeth": False}, False),
        ("not beneficiaire.boeth", {}, None),
        ("not beneficiaire.boeth", {"beneficiaire.boeth": True}, False),
        ('beneficiaire.statut in ["salarie", "independant"]', {"beneficiaire.statut": "salarie"}, True),
        ('beneficiaire.statut not in ["salarie"]', {"beneficiaire.statut": "salarie"}, False),
        ('beneficiaire.statut not in ["salarie"]', {}, None),
    ],
)
def test_kleene_three_valued_logic(source, facts, expected):
    assert run(source, facts) is expected


def test_precedence_not_binds_tighter_than_and_which_binds_tighter_than_or():
    node = check(parse("not beneficiaire.boeth and beneficiaire.age > 3 or beneficiaire.age < 1"), {})
    assert node.text() == "(not beneficiaire.boeth and beneficiaire.age > 3) or beneficiaire.age < 1"


def test_arithmetic_and_negative_numbers():
    assert run("beneficiaire.age - 2 * 3 == -1 + 5", {AGE: 10}) is True
    assert run("beneficiaire.age-1 > 8", {AGE: 10}) is True


def test_dates_and_date_functions():
    facts = {"beneficiaire.date_fin_contrat": dt.date(2017, 12, 15), "projet.date_debut": dt.date(2018, 12, 14)}
    assert run("months_between(beneficiaire.date_fin_contrat, projet.date_debut) <= 11", facts) is True
    assert run("months_between(beneficiaire.date_fin_contrat, projet.date_debut) <= 10", facts) is False
    assert run("days_between(beneficiaire.date_fin_contrat, projet.date_debut) == 364", facts) is True
    assert run("projet.date_debut >= 2018-12-14", facts) is True
    assert run("projet.date_debut > 2018-12-14", facts) is False
    assert run("months_between(beneficiaire.date_fin_contrat, projet.date_debut) <= 10", {}) is None


@pytest.mark.parametrize(
    "start, end, months",
    [
        (dt.date(2018, 1, 31), dt.date(2018, 2, 28), 0),
        (dt.date(2018, 1, 15), dt.date(2018, 2, 15), 1),
        (dt.date(2018, 1, 15), dt.date(2018, 2, 14), 0),
        (dt.date(2018, 2, 15), dt.date(2018, 1, 15), -1),
        (dt.date(2016, 2, 29), dt.date(2017, 2, 28), 11),
    ],
)
def test_whole_months_between(start, end, months):
    assert whole_months_between(start, end) == months


def test_parameters_by_name():
    assert run("beneficiaire.age >= seuil", {AGE: 24}, {"seuil": 24}) is True
    assert run("beneficiaire.age >= seuil", {AGE: 23}, {"seuil": 24}) is False


def test_facts_of_lists_each_fact_once_in_order():
    node = check(parse("projet.duree_heures > 3 and beneficiaire.age > 1 or projet.duree_heures < 1"), {})
    assert facts_of(node) == ("projet.duree_heures", "beneficiaire.age")


@pytest.mark.parametrize(
    "source, fragment",
    [
        ("beneficiaire.anciennete_mois > 3", "vouliez-vous dire beneficiaire.anciennete_salariee_mois"),
        ("projet.date_debut > 3", "comparaison impossible entre projet.date_debut (date) et 3 (nombre)"),
        ('beneficiaire.statut == "salariee"', "vouliez-vous dire salarie"),
        ("beneficiaire.age", "une condition vraie/fausse est attendue"),
        ("beneficiaire.boeth < true", "compare des nombres ou des dates"),
        ("montht_between(date_demande, projet.date_debut) > 1", "fonction inconnue"),
        ('beneficiaire.statut in ["salarie", 3]', "3 est nombre, texte attendu"),
        ("seuil_inconnu > 3", "fait ou paramètre inconnu « seuil_inconnu »"),
    ],
)
def test_type_errors_are_explained(source, fragment):
    with pytest.raises(ConditionTypeError) as info:
        check(parse(source), {})
    assert fragment in str(info.value)


@pytest.mark.parametrize(
    "source, column",
    [
        ("beneficiaire.age >", 19),
        ("(beneficiaire.boeth", 20),
        ("beneficiaire.boeth ; 1", 20),
        ("", 1),
        ("beneficiaire.age > 2019-02-30", 20),
    ],
)
def test_syntax_errors_give_the_column(source, column):
    with pytest.raises(ConditionSyntaxError) as info:
        parse(source)
    assert f"colonne {column}" in str(info.value)


def test_no_python_evaluation_of_condition_text():
    with pytest.raises(ConditionSyntaxError):
        parse("__import__('os').system('true')")
    with pytest.raises(ConditionTypeError):
        check(parse("beneficiaire.age.__class__ > 1"), {})


def test_deep_nesting_is_refused_not_a_crash():
    with pytest.raises(ConditionSyntaxError):
        parse("(" * 200 + "beneficiaire.boeth" + ")" * 200)
