"""Coefficient tables and their APA lines, shared by the mixed models and regressions."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.core import apa
from analysis.core.model_words import model_phrase
from analysis.core.words import Lang

__all__ = ["coefficient_lines", "tests_table"]


def coefficient_lines(coefs: pd.DataFrame, lang: Lang, conf_level: float, digits: int) -> list[str]:
    """One APA line per coefficient: ``SES: b = 2.39, SE = 0.11, t(6838.08) = 22.61, …``."""
    ci = model_phrase("ci", lang, level=apa.format_level(conf_level))
    colon, sep = ("：", "，") if lang == "zh" else (": ", ", ")
    lines = []
    for r in coefs.itertuples(index=False):
        wald = bool(np.isinf(r.df))
        test = apa.format_test("z" if wald else "t", r.statistic, None if wald else r.df, r.p_value)
        lo = apa.format_number(r.ci_low, digits)
        hi = apa.format_number(r.ci_high, digits)
        parts = [
            f"b = {apa.format_number(r.estimate, digits)}",
            f"SE = {apa.format_number(r.se, digits)}",
            test.replace(", p", f"{sep}p"),
            f"{ci} [{lo}, {hi}]",
        ]
        lines.append(f"{r.term}{colon}{sep.join(parts)}")
    return lines


def tests_table(
    names: Sequence[str],
    est: np.ndarray,
    se: np.ndarray,
    df: np.ndarray,
    conf_level: float,
) -> pd.DataFrame:
    """Coefficient rows: t tests on ``df`` (z where df is inf) and intervals."""
    from scipy import stats

    stat = est / se
    alpha = (1 - conf_level) / 2
    wald = np.isinf(df)
    safe = np.where(wald, 1.0, df)  # NaN df (not computable) gives NaN p and limits
    p = np.where(wald, 2 * stats.norm.sf(np.abs(stat)), 2 * stats.t.sf(np.abs(stat), safe))
    crit = np.where(wald, stats.norm.isf(alpha), stats.t.isf(alpha, safe))
    return pd.DataFrame(
        {
            "term": list(names),
            "estimate": est,
            "se": se,
            "df": df,
            "statistic": stat,
            "p_value": p,
            "ci_low": est - crit * se,
            "ci_high": est + crit * se,
            "kind": "fixed",
        }
    )
