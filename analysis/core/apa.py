"""APA-style formatting of numbers and test results, in Chinese and English.

Tables keep full precision; these helpers are for display only (``CompareResult.summary``,
reports). The rules follow the APA Publication Manual (7th ed., sections 6.36 and 6.43):

* p values get three decimals and no leading zero (``p = .017``); below .001 they are
  printed as ``p < .001`` and never as ``p = .000``;
* statistics that cannot exceed 1 in absolute value (correlations, proportions of variance
  such as eta squared, Cramér's V) have no leading zero; others (F, t, d, means) keep it;
* degrees of freedom are integers when whole and get one or two decimals otherwise (Welch).

Examples
--------
>>> format_p(0.01739)
'p = .017'
>>> format_p(1.5e-10)
'p < .001'
>>> format_number(0.0712, 3, leading_zero=False)
'.071'
>>> format_test("F", 5.181, (2, 17.128), 0.01739)
'F(2, 17.13) = 5.18, p = .017'
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from analysis.core.words import Lang

__all__ = [
    "format_ci",
    "format_df",
    "format_level",
    "format_number",
    "format_p",
    "format_test",
    "join_clauses",
]


def format_number(value: float | None, digits: int = 2, *, leading_zero: bool = True) -> str:
    """Format a number for text, e.g. ``5.18`` or ``.07``.

    Parameters
    ----------
    value
        The number; ``None`` or NaN give ``"NA"``.
    digits
        Decimals to keep.
    leading_zero
        False for quantities bounded by 1 in absolute value (APA: ``r = .35``).

    Returns
    -------
    str
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "NA"
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    text = f"{value:.{digits}f}"
    if text.startswith("-") and float(text) == 0:
        text = text[1:]
    if not leading_zero:
        if text.startswith("0."):
            text = text[1:]
        elif text.startswith("-0."):
            text = "-" + text[2:]
    return text


def format_p(p: float | None, *, digits: int = 3, prefix: bool = True) -> str:
    """Format a p value the APA way: ``p = .017`` or ``p < .001``; never ``p = .000``.

    Parameters
    ----------
    p
        The p value; ``None`` or NaN give ``"p = NA"``.
    digits
        Decimals (3 by APA); the threshold below which ``<`` is used is ``10**-digits``.
    prefix
        Include the leading ``p``.

    Returns
    -------
    str

    Examples
    --------
    >>> format_p(0.0004)
    'p < .001'
    >>> format_p(0.99996)
    'p > .999'
    >>> format_p(0.05, prefix=False)
    '= .050'
    """
    head = "p " if prefix else ""
    if p is None or math.isnan(p):
        return head + "= NA"
    floor = 10.0**-digits
    if p < floor:
        return head + "< " + format_number(floor, digits, leading_zero=False)
    if p > 1 - floor / 2:
        return head + "> " + format_number(1 - floor, digits, leading_zero=False)
    return head + "= " + format_number(p, digits, leading_zero=False)


def format_df(df: float | None) -> str:
    """Degrees of freedom: ``17`` when whole, ``17.13`` otherwise (Welch, Satterthwaite)."""
    if df is None or math.isnan(df):
        return "NA"
    if math.isinf(df):
        return "∞"
    if abs(df - round(df)) < 1e-9:
        return str(round(df))
    return format_number(df, 2)


def format_test(
    symbol: str,
    statistic: float,
    df: Sequence[float] | float | None,
    p: float,
    *,
    digits: int = 2,
) -> str:
    """One test in APA form: ``F(2, 17.13) = 5.18, p = .017`` or ``χ²(5) = 54.69, p < .001``.

    Parameters
    ----------
    symbol
        Test symbol (``"F"``, ``"t"``, ``"H"``, ``"χ²"``, ``"U"``).
    statistic
        Value of the statistic.
    df
        One or two degrees of freedom, or None (e.g. for U).
    p
        p value.
    digits
        Decimals of the statistic.

    Returns
    -------
    str
    """
    if df is None:
        dfs = ""
    elif isinstance(df, (int, float)):
        dfs = f"({format_df(float(df))})"
    else:
        dfs = "(" + ", ".join(format_df(float(d)) for d in df) + ")"
    return f"{symbol}{dfs} = {format_number(statistic, digits)}, {format_p(p)}"


def format_level(conf_level: float) -> str:
    """A confidence level as a percentage: ``0.95`` → ``95%``, ``0.995`` → ``99.5%``.

    Examples
    --------
    >>> format_level(0.9), format_level(0.995)
    ('90%', '99.5%')
    """
    return f"{round(conf_level * 100, 6):g}%"


def format_ci(
    low: float | None,
    high: float | None,
    conf_level: float = 0.95,
    digits: int = 2,
    *,
    leading_zero: bool = True,
) -> str:
    """A confidence interval in APA form: ``95% CI [0.12, 0.85]`` (APA 7th ed., 6.43).

    Parameters
    ----------
    low, high
        The limits; ``None`` or NaN give ``NA``.
    conf_level
        Coverage, printed as a percentage (``0.9`` → ``90% CI``, ``0.995`` → ``99.5% CI``).
    digits
        Decimals of the limits (the same as the estimate's).
    leading_zero
        False for quantities bounded by 1 in absolute value (``[.03, .21]``).

    Returns
    -------
    str

    Examples
    --------
    >>> format_ci(0.0099, 0.4639, 0.95, leading_zero=False)
    '95% CI [.01, .46]'
    >>> format_ci(-0.12, 1.5, 0.9)
    '90% CI [-0.12, 1.50]'
    """
    level = format_level(conf_level)
    lo = format_number(low, digits, leading_zero=leading_zero)
    hi = format_number(high, digits, leading_zero=leading_zero)
    return f"{level} CI [{lo}, {hi}]"


def join_clauses(parts: Sequence[str], lang: Lang = "zh") -> str:
    """Join sentence parts with the right punctuation for ``lang``."""
    sep = "；" if lang == "zh" else "; "
    return sep.join(p for p in parts if p)
