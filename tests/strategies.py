"""Hypothesis strategies for cases: values cluster around the thresholds the rules use."""

import datetime as dt

from hypothesis import strategies as st

from fundrules.facts import BOOL, DATE, FACTS, INT, NUMBER

NEAR_THRESHOLDS = [
    0,
    1,
    3,
    4,
    5,
    6,
    10,
    11,
    12,
    13,
    23,
    24,
    25,
    35,
    36,
    37,
    60,
    62,
    100,
    400,
    599,
    600,
    840,
    1199,
    1200,
    1201,
    1599,
    1600,
    2250,
    3200,
    5000,
]
KEY_DATES = [
    dt.date(2014, 12, 31),
    dt.date(2015, 1, 1),
    dt.date(2017, 3, 14),
    dt.date(2017, 3, 15),
    dt.date(2018, 10, 29),
    dt.date(2018, 10, 30),
    dt.date(2018, 12, 31),
    dt.date(2019, 1, 1),
    dt.date(2019, 2, 1),
    dt.date(2019, 4, 30),
    dt.date(2020, 10, 31),
    dt.date(2020, 11, 1),
    dt.date(2022, 4, 26),
    dt.date(2022, 4, 27),
    dt.date(2024, 1, 1),
    dt.date(2024, 5, 19),
]

# thresholds and dated changes of the new course funders (issue 15)
NEAR_THRESHOLDS += [7, 8, 49, 50, 69, 70, 149, 150, 299, 300, 401]
KEY_DATES += [
    dt.date(2017, 9, 30),
    dt.date(2017, 10, 1),
    dt.date(2019, 3, 31),
    dt.date(2019, 4, 1),
    dt.date(2019, 8, 22),
    dt.date(2019, 8, 23),
    dt.date(2023, 12, 31),
    dt.date(2024, 6, 19),
    dt.date(2024, 6, 20),
    dt.date(2024, 9, 30),
    dt.date(2024, 10, 1),
    dt.date(2024, 12, 31),
    dt.date(2025, 1, 1),
    dt.date(2025, 12, 31),
    dt.date(2026, 1, 1),
    dt.date(2026, 9, 30),
    dt.date(2026, 10, 1),
]

dates = st.one_of(st.sampled_from(KEY_DATES), st.dates(dt.date(2013, 1, 1), dt.date(2026, 12, 31)))
# Numbers durable-rules once mishandled: exponent form in JSON (1e-05, subnormals), 1e12 bounds.
EXOTIC_NUMBERS = [
    1e-05,
    2.5e-07,
    5e-324,
    2.2250738585072014e-308,
    0.1,
    0.30000000000000004,
    999999999999.99,
    1e12,
    123456789.123456789,
]


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
        numbers = st.one_of(st.sampled_from([n for n in NEAR_THRESHOLDS if low <= n <= high]), st.integers(low, high))
        if fact.kind == NUMBER:
            exotic = [n for n in EXOTIC_NUMBERS if low <= n <= (fact.maximum if fact.maximum is not None else 1e12)]
            return st.one_of(
                numbers,
                st.floats(low, float(high), allow_nan=False).map(lambda f: round(f, 2)),
                st.sampled_from(exotic),
                st.floats(low, fact.maximum or 1e12, allow_nan=False),
            )
        return st.one_of(numbers, st.just(int(fact.maximum) if fact.maximum is not None else 1_000_000_000))
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


# --- Hostile input (issue 10): exotic numbers, streams, names and escapes ---------------------

# YAML 1.1 surprises and number spellings that must be read as written (text) or refused, never
# silently turned into another number or a boolean.
YAML11_SURPRISES = [
    "010",
    "0o17",
    "0x1F40",
    "1_200",
    "1:00",
    "190:20:30",
    "on",
    "off",
    "yes",
    "no",
    "y",
    "n",
    "On",
    "YES",
    "No",
    "0b101",
    "00.5",
    ".NaN",
    "1e999",
]
exotic_numbers = st.one_of(
    st.sampled_from(
        [1e-05, 5e-324, 2.2250738585072014e-308, 1e15, 1e16, -0.0, 10**12, 10**12 + 1, 2**53 + 1, 2**63, -(2**63) - 1]
    ),
    st.floats(allow_nan=False, allow_infinity=False, allow_subnormal=True),
    st.integers(min_value=-(10**40), max_value=10**40),
)
huge_digit_strings = st.integers(31, 6000).map(lambda n: "9" * n)

# Characters a terminal would act on: C0 and C1 controls, DEL, bidirectional overrides.
CONTROL_CHARS = ["\x1b", "\x07", "\x08", "\r", "\x00", "\x7f", "\x9b", "\x85", "\u202e", "\u2066", "\u200f", "\u2028"]
escapes = (
    st.lists(
        st.one_of(st.sampled_from(CONTROL_CHARS + ["\x1b[31m", "\x1b]0;titre\x07", "\x1b[2J"]), st.text(max_size=4)),
        min_size=1,
        max_size=6,
    )
    .map("".join)
    .filter(lambda t: any(c in t for c in CONTROL_CHARS))
)

# Names given to `case new --name`, `--region`: slugs, and what must never become a path.
slugs = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}", fullmatch=True)
hostile_names = st.one_of(
    st.sampled_from(
        [
            "..",
            "../x",
            "a/../../b",
            "/etc/passwd",
            "a\nb",
            "a b",
            ".cache",
            "-rf",
            "_x",
            "x" * 65,
            "é",
            "a\x00b",
            "con:",
            "a\\b",
            "",
        ]
    ),
    st.text(min_size=1, max_size=80).filter(
        lambda t: not all(c.isascii() and (c.isalnum() or c in "-_") for c in t) or t[0] in "-_" or len(t) > 64
    ),
)

# Stream contents: what standard input or a file may hold.
streams = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", b"-", b"---\n...\n", b"{", b"[]", b"null"]),
)
