"""Hypothesis strategies for cases: values cluster around the thresholds the rules use."""
import datetime as dt

from hypothesis import strategies as st

from fundrules.facts import BOOL, DATE, FACTS, INT, NUMBER

NEAR_THRESHOLDS = [0, 1, 3, 4, 5, 6, 10, 11, 12, 13, 23, 24, 25, 35, 36, 37, 60, 62, 100, 400, 599, 600,
                   840, 1199, 1200, 1201, 1599, 1600, 2250, 3200, 5000]
KEY_DATES = [dt.date(2014, 12, 31), dt.date(2015, 1, 1), dt.date(2017, 3, 14), dt.date(2017, 3, 15),
             dt.date(2018, 10, 29), dt.date(2018, 10, 30), dt.date(2018, 12, 31), dt.date(2019, 1, 1),
             dt.date(2019, 2, 1), dt.date(2019, 4, 30), dt.date(2020, 10, 31), dt.date(2020, 11, 1),
             dt.date(2022, 4, 26), dt.date(2022, 4, 27), dt.date(2024, 1, 1), dt.date(2024, 5, 19)]

dates = st.one_of(st.sampled_from(KEY_DATES), st.dates(dt.date(2013, 1, 1), dt.date(2026, 12, 31)))


def value_for(fact):
    if fact.kind == DATE:
        if fact.path == "beneficiaire.date_naissance":
            return st.dates(dt.date(1950, 1, 1), dt.date(2008, 1, 1))
        return dates
    if fact.kind == BOOL:
        return st.booleans()
    if fact.kind in (INT, NUMBER):
        low = int(fact.minimum) if fact.minimum is not None else 0
        high = int(fact.maximum) if fact.maximum is not None else 10_000
        numbers = st.one_of(st.sampled_from([n for n in NEAR_THRESHOLDS if low <= n <= high]),
                            st.integers(low, high))
        if fact.kind == NUMBER:
            return st.one_of(numbers, st.floats(low, float(high), allow_nan=False).map(lambda f: round(f, 2)))
        return numbers
    if fact.choices:
        return st.sampled_from(fact.choices)
    if fact.path == "projet.categorie_permis":
        return st.sampled_from(["A", "B", "C", "CE", "BE", "AM"])
    if fact.path == "region":
        return st.sampled_from(["24", "11", "84", "99"])
    return st.text(max_size=12)


@st.composite
def case_data(draw):
    data = {"beneficiaire": {}, "projet": {}}
    for path, fact in FACTS.items():
        if path == "beneficiaire.age":
            continue  # derived from date_naissance when present; avoid inconsistent pairs
        if draw(st.integers(0, 3)) == 0:
            continue  # about one fact in four is unknown
        value = draw(value_for(fact))
        if "." in path:
            section, name = path.split(".")
            data[section][name] = value
        else:
            data[path] = value
    if "date_demande" not in data:
        data["date_demande"] = draw(dates)
    # income facts (issue 14) that the case model requires to agree with each other
    projet, beneficiaire = data["projet"], data["beneficiaire"]
    if "date_debut" in projet and "date_fin" in projet and projet["date_fin"] < projet["date_debut"]:
        projet["date_debut"], projet["date_fin"] = projet["date_fin"], projet["date_debut"]
    if "rupture_contrat" in beneficiaire:
        for flag in ("licenciement_economique", "licenciement_inaptitude"):
            if flag in beneficiaire:
                beneficiaire[flag] = beneficiaire["rupture_contrat"] == flag
    return data
