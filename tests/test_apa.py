"""Tests of APA-style formatting (analysis.core.apa)."""

from __future__ import annotations

import math

import pytest

from analysis.core import apa


@pytest.mark.parametrize(
    ("p", "expected"),
    [
        (0.01739, "p = .017"),
        (1.511e-10, "p < .001"),
        (0.0004999, "p < .001"),
        (0.001, "p = .001"),
        (0.0505, "p = .051"),
        (0.5, "p = .500"),
        (0.99996, "p > .999"),
        (1.0, "p > .999"),
        (math.nan, "p = NA"),
        (None, "p = NA"),
    ],
    ids=[
        "plain",
        "tiny",
        "below-floor",
        "floor",
        "round",
        "half",
        "near-one",
        "one",
        "nan",
        "none",
    ],
)
def test_format_p(p, expected):
    assert apa.format_p(p) == expected


@pytest.mark.parametrize("p", [0.0, 1e-300, 0.00049, 0.0004])
def test_p_never_printed_as_zero(p):
    assert ".000" not in apa.format_p(p)


@pytest.mark.parametrize(
    ("value", "digits", "leading", "expected"),
    [
        (0.0712, 2, False, ".07"),
        (-0.35, 2, False, "-.35"),
        (5.1809, 2, True, "5.18"),
        (-0.001, 2, True, "0.00"),
        (0.5, 3, True, "0.500"),
        (math.nan, 2, True, "NA"),
    ],
    ids=["bounded", "negative-bounded", "stat", "negative-zero", "digits", "nan"],
)
def test_format_number(value, digits, leading, expected):
    assert apa.format_number(value, digits, leading_zero=leading) == expected


def test_format_df_and_test():
    assert apa.format_df(27.0) == "27"
    assert apa.format_df(17.128) == "17.13"
    assert apa.format_test("F", 5.181, (2, 17.128), 0.01739) == "F(2, 17.13) = 5.18, p = .017"
    assert apa.format_test("χ²", 54.691, 5, 1.5e-10) == "χ²(5) = 54.69, p < .001"
    assert apa.format_test("U", 12.0, None, 0.2) == "U = 12.00, p = .200"


def test_join_clauses():
    assert apa.join_clauses(["a", "", "b"], "zh") == "a；b"
    assert apa.join_clauses(["a", "b"], "en") == "a; b"


def test_format_ci():
    assert apa.format_ci(0.0099, 0.4639, 0.95, leading_zero=False) == "95% CI [.01, .46]"
    assert apa.format_ci(-1.4009, 0.3805, 0.95) == "95% CI [-1.40, 0.38]"
    assert apa.format_ci(0.1, 0.2, 0.9, leading_zero=False) == "90% CI [.10, .20]"
    assert apa.format_ci(0.1, 0.2, 0.995, 3) == "99.5% CI [0.100, 0.200]"
    assert apa.format_ci(math.nan, 0.2, 0.95) == "95% CI [NA, 0.20]"
