"""Two-way (factorial) ANOVA and ANCOVA with partial η², as R's ``car::Anova``.

Type II sums of squares (``car::Anova``'s default, right for main effects when the
interaction is absent) or Type III with sum-to-zero contrasts (SPSS's default, and R's
with ``options(contrasts = c("contr.sum", "contr.poly"))``); partial η² with effectsize's
interval.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from analysis.core import apa
from analysis.core.errors import ConfigError, InputError, check_option
from analysis.core.words import Lang
from analysis.report.display import Displayable

__all__ = ["FactorialResult", "factorial_anova"]


@dataclass(frozen=True)
class FactorialResult(Displayable):
    """Result of :func:`factorial_anova`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per term and a last row ``Residuals``: ``term``, ``sum_sq``, ``df``,
        ``statistic`` (F), ``p_value``, ``partial_eta2``, ``ci_low``, ``ci_high``.
    params : Mapping
        Formula, type, n, conf_level, effect_alternative.
    """

    table: pd.DataFrame
    params: Mapping[str, Any]

    def summary(self, lang: Lang = "zh") -> str:
        """One APA clause per term, e.g. ``supp: F(1, 49) = 12.48, p < .001, η²p = .20``."""
        check_option("lang", lang, ("zh", "en"), owner="FactorialResult.summary")
        resid = self.table.iloc[-1]
        level = float(self.params["conf_level"])
        parts = []
        one_sided = self.params["effect_alternative"] == "greater"
        side = ("单侧 " if lang == "zh" else "one-sided ") if one_sided else ""
        for r in self.table.iloc[:-1].itertuples():
            test = apa.format_test("F", r.statistic, (r.df, resid.df), r.p_value)
            eta = apa.format_number(r.partial_eta2, leading_zero=False)
            ci = apa.format_ci(r.ci_low, r.ci_high, level, leading_zero=False)
            parts.append(f"{r.term}: {test}, η²p = {eta}, {side}{ci}")
        kind = int(self.params["type"])
        if lang == "zh":
            head = f"方差分析（{_roman(kind)} 型平方和，N = {self.params['n']}）："
            return head + "；".join(parts) + "。"
        head = f"ANOVA (Type {_roman(kind)} sums of squares, N = {self.params['n']}): "
        return head + "; ".join(parts) + "."


def _roman(kind: int) -> str:
    return {1: "I", 2: "II", 3: "III"}[kind]


def factorial_anova(
    data: pd.DataFrame,
    formula: str,
    *,
    type: Literal[2, 3] = 2,
    conf_level: float = 0.95,
    effect_alternative: Literal["greater", "two-sided"] = "greater",
) -> FactorialResult:
    """Two-way ANOVA or ANCOVA with Type II or III sums of squares and partial η².

    Parameters
    ----------
    data
        One row per respondent; rows with a missing value in the formula are dropped.
    formula
        Patsy formula, e.g. ``"score ~ C(gender) * C(party)"`` or, for an ANCOVA,
        ``"score ~ C(community) + age"``. Text columns are factors.
    type
        2 (default, as ``car::Anova``) or 3 (factors coded with sum-to-zero contrasts, as
        ``car::Anova(type = 3)`` after ``options(contrasts = c("contr.sum",
        "contr.poly"))`` and as SPSS). Type III tests of main effects in the presence of an
        interaction depend on that coding; Type II tests each term after the others not
        containing it.
    conf_level, effect_alternative
        Interval of partial η²: one-sided [lower, 1] by default, as R's effectsize, or
        ``"two-sided"``.

    Returns
    -------
    FactorialResult

    Notes
    -----
    Fitted by least squares (:mod:`statsmodels`, ``anova_lm``). Partial η² =
    SS_effect / (SS_effect + SS_residual); its interval is effectsize's (noncentral F of
    the F rebuilt from η²p on the term's df and the residual df,
    :func:`analysis.stats.effects.pve_ci`).
    """
    import statsmodels.formula.api as smf
    from statsmodels.stats.anova import anova_lm

    from analysis.stats.effects import pve_ci

    check_option("type", type, (2, 3), owner="factorial_anova")
    check_option(
        "effect_alternative", effect_alternative, ("greater", "two-sided"),
        owner="factorial_anova",
    )  # fmt: skip
    if "~" not in formula:
        raise ConfigError(f"factorial_anova: formula {formula!r} needs '~'")
    used = _variables(formula, data)
    frame = data[used].dropna()
    fit_formula = _sum_coded(formula, frame) if type == 3 else formula
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = smf.ols(fit_formula, frame).fit()
            table = anova_lm(model, typ=type)
    except Exception as exc:  # patsy and linear-algebra errors, in the user's words
        raise InputError(f"factorial_anova: {formula!r} cannot be fitted: {exc}") from None
    table = table.drop(index=[t for t in table.index if t == "Intercept"])
    resid_ss = float(table.loc["Residual", "sum_sq"])
    resid_df = float(table.loc["Residual", "df"])
    rows = []
    for term, r in table.iterrows():
        row = {
            "term": "Residuals" if term == "Residual" else _plain(str(term)),
            "sum_sq": float(r["sum_sq"]),
            "df": float(r["df"]),
            "statistic": float(r["F"]) if term != "Residual" else np.nan,
            "p_value": float(r["PR(>F)"]) if term != "Residual" else np.nan,
        }
        if term != "Residual":
            eta = row["sum_sq"] / (row["sum_sq"] + resid_ss)
            lo, hi = pve_ci(
                eta, row["df"], resid_df, conf_level=conf_level, alternative=effect_alternative
            )
            row.update(partial_eta2=eta, ci_low=lo, ci_high=hi)
        rows.append(row)
    out = pd.DataFrame(rows)
    params = {
        "formula": formula,
        "type": type,
        "n": int(model.nobs),
        "conf_level": conf_level,
        "effect_alternative": effect_alternative,
    }
    return FactorialResult(table=out, params=params)


def _variables(formula: str, data: pd.DataFrame) -> list[str]:
    """Columns of ``data`` named in the formula (as whole words)."""
    used = [
        c for c in data.columns if re.search(rf"(?<![\w.]){re.escape(str(c))}(?![\w.])", formula)
    ]
    if not used:
        raise InputError(f"factorial_anova: no column of the data appears in {formula!r}")
    return used


def _sum_coded(formula: str, frame: pd.DataFrame) -> str:
    """Give every factor sum-to-zero contrasts: ``C(x)`` and bare text columns become
    ``C(x, Sum)``."""
    out = re.sub(r"C\(\s*([\w.]+)\s*\)", r"C(\1, Sum)", formula)
    for col in frame.columns:
        name = str(col)
        if pd.api.types.is_numeric_dtype(frame[col]):
            continue
        out = re.sub(rf"(?<![\w.(]){re.escape(name)}(?![\w.])", f"C({name}, Sum)", out)
    return out


def _plain(term: str) -> str:
    """``C(supp, Sum):C(dose)`` -> ``supp:dose``."""
    return re.sub(r"C\(\s*([\w.]+)\s*(?:,[^)]*)?\)", r"\1", term)
