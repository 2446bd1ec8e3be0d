"""Issue 24: French numbers exact for integers of any size (fundrules/french.py `number_fr` went through
a float: 9007199254740993 read 9 007 199 254 740 992)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fundrules.french import THIN_SPACE, number_fr


@pytest.mark.parametrize(
    "value, expected",
    [
        (2**53 + 1, "9 007 199 254 740 993"),
        (10**30 + 7, "1 000 000 000 000 000 000 000 000 000 007"),
        (-(10**18) - 1, "-1 000 000 000 000 000 001"),
        (7200, "7 200"),
        (999, "999"),
        (0, "0"),
        (10.001, "10"),  # decimals still rounded to two places
        (39.999, "40"),
        (1.5, "1,5"),
        (-0.001, "0"),
        (1234567.891, "1 234 567,89"),
    ],
)
def test_number_fr(value, expected):
    assert number_fr(value) == expected.replace(" ", THIN_SPACE)


@given(st.integers(min_value=-(10**40), max_value=10**40))
def test_every_integer_keeps_all_its_digits(value):
    text = number_fr(value)
    assert int(text.replace(THIN_SPACE, "")) == value
    groups = text.lstrip("-").split(THIN_SPACE)
    assert 1 <= len(groups[0]) <= 3 and all(len(group) == 3 for group in groups[1:])
