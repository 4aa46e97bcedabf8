"""Chi-square test of independence for two categorical survey answers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from analysis.core import apa
from analysis.core.errors import AnalysisWarning, InputError, SmallSampleWarning, check_option
from analysis.core.words import Lang
from analysis.report.display import Displayable

if TYPE_CHECKING:  # pragma: no cover
    from analysis.stats.design import SurveyDesign

__all__ = ["ChiSquareResult", "chi_square", "wilson_ci"]


def wilson_ci(
    x: np.ndarray | float, n: np.ndarray | float, *, conf_level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a proportion x/n (vectorised; NaN where n = 0).

    Notes
    -----
    With p = x/n and z the 1 - α/2 normal quantile, the limits are
    (p + z²/2n ± z √(p(1 - p)/n + z²/4n²)) / (1 + z²/n) (Wilson, 1927): R's
    ``prop.test(x, n, correct = FALSE)$conf.int`` and
    ``scipy.stats.binomtest(x, n).proportion_ci(method="wilson")``. It stays inside [0, 1]
    and keeps its coverage near 0 and 1, where the Wald interval does not (Brown, Cai &
    DasGupta, 2001).
    """
    from scipy.special import ndtri

    x = np.asarray(x, dtype=float)
    n = np.asarray(n, dtype=float)
    z = float(ndtri(1 - (1 - conf_level) / 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
        denom = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)


@dataclass(frozen=True)
class ChiSquareResult(Displayable):
    """Result of :func:`chi_square`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row: ``statistic``, ``df``, ``p_value``, ``cramers_v`` (bias-adjusted unless
        asked otherwise, as effectsize), ``cramers_v_ci_low``, ``cramers_v_ci_high``,
        ``cramers_v_adjusted``, ``n``, ``n_rows``,
        ``n_cols``, ``yates`` (bool), ``min_expected``, ``share_expected_below_5``, ``note``.
        With a design (Rao-Scott): ``chisq`` (Pearson's X² of the weighted table),
        ``statistic``, ``df1`` and ``df2`` (F) or ``df`` (χ²), ``p_value``, ``method``,
        ``deff_mean``, ``n``, ``n_rows``, ``n_cols``; the cells then hold ``proportion``,
        ``se`` and ``weighted_count``.
    cells : pandas.DataFrame
        One row per cell: ``row``, ``col``, ``observed``, ``expected``, ``residual``
        (Pearson, (O - E)/√E), ``std_residual`` (adjusted standardised residual, as R's
        ``chisq.test()$stdres``).
    params : Mapping
        ``row``, ``col``, ``weights``.
    """

    table: pd.DataFrame
    cells: pd.DataFrame
    params: Mapping[str, Any]

    def summary(self, lang: Lang = "zh") -> str:
        """One APA-style sentence, e.g. ``χ²(9, N = 592) = 138.29, p < .001, V = .28``."""
        check_option("lang", lang, ("zh", "en"), owner="ChiSquareResult.summary")
        r = self.table.iloc[0]
        v_name = "V_adj" if r.get("cramers_v_adjusted", False) else "V"
        if str(r.get("method", "")).startswith("rao-scott"):
            return self._design_summary(r, lang)
        test = (
            f"χ²({apa.format_df(r['df'])}, N = {int(r['n'])}) = "
            f"{apa.format_number(r['statistic'])}, {apa.format_p(r['p_value'])}, "
            f"{v_name} = {apa.format_number(r['cramers_v'], leading_zero=False)}"
        )
        if pd.notna(r.get("cramers_v_ci_low", np.nan)):
            level = float(self.params.get("conf_level", 0.95))
            side = self.params.get("v_alternative", "greater") == "greater"
            test += ", " + ("单侧 " if side and lang == "zh" else "one-sided " if side else "")
            test += apa.format_ci(
                r["cramers_v_ci_low"], r["cramers_v_ci_high"], level, leading_zero=False
            )
        yates = bool(r["yates"])
        if lang == "zh":
            extra = "（2×2 表，已作 Yates 连续性校正）" if yates else ""
            return f"{self.params['row']} 与 {self.params['col']} 的卡方独立性检验：{test}{extra}。"
        extra = " (2x2 table, Yates continuity correction applied)" if yates else ""
        return f"Chi-square test of {self.params['row']} by {self.params['col']}: {test}{extra}."

    def _design_summary(self, r: pd.Series, lang: Lang) -> str:
        from analysis.stats.design_result import design_phrase

        how = design_phrase(self.params, lang)
        if r["method"] == "rao-scott-f":
            test = apa.format_test("F", r["statistic"], (r["df1"], r["df2"]), r["p_value"])
            name = ("Rao-Scott 二阶校正 F", "Rao-Scott F (second-order correction)")
        else:
            test = apa.format_test("χ²", r["statistic"], r["df"], r["p_value"])
            name = ("Rao-Scott 一阶校正 χ²", "Rao-Scott χ² (first-order correction)")
        deff = apa.format_number(r["deff_mean"])
        a, b = self.params["row"], self.params["col"]
        if lang == "zh":
            return (
                f"{a} 与 {b} 的独立性检验，{how}，{name[0]}：{test}，N = {int(r['n'])}，"
                f"平均设计效应 {deff}。"
            )
        return (
            f"Test of independence of {a} and {b}, {how}, {name[1]}: {test}, "
            f"N = {int(r['n'])}, mean design effect {deff}."
        )


def chi_square(
    data: pd.DataFrame,
    row: str,
    col: str,
    *,
    weights: str | None = None,
    yates: bool | Literal["auto"] = "auto",
    adjust_v: bool = True,
    conf_level: float = 0.95,
    v_alternative: Literal["greater", "two-sided"] = "greater",
    design: SurveyDesign | None = None,
    statistic: Literal["F", "chisq"] = "F",
) -> ChiSquareResult:
    """Chi-square test of independence with Cramér's V and standardised residuals.

    Parameters
    ----------
    data
        One row per respondent, or one row per cell with a count column in ``weights``.
    row, col
        The two categorical columns.
    weights
        Optional column of counts (one row per cell, or frequency weights): the cross-table
        of their sums is tested as counts. For survey (sampling) weights give ``design``
        instead.
    yates
        Continuity correction: ``"auto"`` applies it only to 2x2 tables (as R does) and the
        result says so; True/False force it (only 2x2 tables can take it).
    adjust_v
        Cramér's V bias-adjusted (default, as R's ``effectsize::cramers_v``; Bergsma, 2013)
        or, with False, the classical √(X² / (N (min(r, c) - 1))).
    conf_level, v_alternative
        Interval of V: ``"greater"`` (default, as effectsize: one-sided, upper limit 1) or
        ``"two-sided"``.

    Returns
    -------
    ChiSquareResult

    Raises
    ------
    InputError
        A column is missing, or the table has fewer than 2 rows or columns.

    Warns
    -----
    SmallSampleWarning
        More than 20% of expected counts are below 5 (Cochran, 1954): the warning points to
        :func:`analysis.fisher_test`.

    Notes
    -----
    X² = Σ (O - E)² / E with E = row total x column total / N, df = (r - 1)(c - 1);
    for a 2x2 table with Yates: Σ (|O - E| - 0.5)² / E. Cramér's V from the uncorrected X²,
    bias-adjusted by default and with the noncentral-χ² interval, exactly as
    :func:`analysis.stats.effects.cramers_v` (effectsize 0.8.3). Adjusted residuals
    (O - E) / √(E (1 - r_i/N)(1 - c_j/N)) are approximately N(0, 1) under independence
    (Agresti, 2013, sec. 2.4.5).

    References
    ----------
    Agresti, A. (2013). *Categorical data analysis* (3rd ed.). Wiley.
    """
    import warnings

    from scipy import stats

    from analysis.stats import effects

    if design is not None:
        return _design_chi_square(data, row, col, design, weights, yates, statistic)

    for c in [row, col] + ([weights] if weights else []):
        if c not in data.columns:
            raise InputError(
                f"chi_square: column {c!r} not in data; columns are "
                f"{', '.join(map(str, data.columns))}"
            )
    frame = data[[row, col]].copy()
    frame["_w"] = pd.to_numeric(data[weights], errors="coerce") if weights else 1.0
    frame = frame.dropna()
    if weights and not np.allclose(frame["_w"], np.round(frame["_w"])):
        warnings.warn(
            f"chi_square: weights {weights!r} are not whole numbers, yet they are tested as "
            "counts; for survey weights pass design=SurveyDesign(weights=...) for the "
            "design-based Rao-Scott test",
            AnalysisWarning,
            stacklevel=2,
        )
    table = frame.pivot_table(
        index=row, columns=col, values="_w", aggfunc="sum", fill_value=0, observed=True
    )
    obs = table.to_numpy(dtype=float)
    if obs.shape[0] < 2 or obs.shape[1] < 2:
        raise InputError(
            f"chi_square: {row!r} x {col!r} gives a {obs.shape[0]}x{obs.shape[1]} table; "
            "need at least 2x2"
        )
    is_2x2 = obs.shape == (2, 2)
    correct = is_2x2 if yates == "auto" else bool(yates)
    if correct and not is_2x2:
        raise InputError("chi_square: the Yates correction applies to 2x2 tables only")
    res = stats.chi2_contingency(obs, correction=correct)
    plain = stats.chi2_contingency(obs, correction=False)
    n = obs.sum()
    expected = res.expected_freq
    low = float((expected < 5).mean())
    if low > 0.2:
        warnings.warn(
            f"chi_square: {low:.0%} of expected counts are below 5; use Fisher's exact "
            "test (analysis.fisher_test, as R's fisher.test) or merge categories",
            SmallSampleWarning,
            stacklevel=2,
        )
    rsum = obs.sum(axis=1, keepdims=True) / n
    csum = obs.sum(axis=0, keepdims=True) / n
    adjusted = (obs - expected) / np.sqrt(expected * (1 - rsum) * (1 - csum))
    v, v_lo, v_hi = effects.cramers_v(
        float(plain.statistic), float(n), obs.shape[0], obs.shape[1], adjust=adjust_v,
        conf_level=conf_level, alternative=v_alternative,
    )  # fmt: skip
    note = "Yates continuity correction (2x2 table)" if correct else "no continuity correction"
    summary = pd.DataFrame(
        [
            {
                "statistic": float(res.statistic),
                "df": int(res.dof),
                "p_value": float(res.pvalue),
                "cramers_v": float(v),
                "cramers_v_ci_low": v_lo,
                "cramers_v_ci_high": v_hi,
                "cramers_v_adjusted": bool(adjust_v),
                "n": float(n),
                "n_rows": obs.shape[0],
                "n_cols": obs.shape[1],
                "yates": bool(correct),
                "min_expected": float(expected.min()),
                "share_expected_below_5": low,
                "note": note,
            }
        ]
    )
    rows, cols = np.meshgrid(table.index.to_numpy(), table.columns.to_numpy(), indexing="ij")
    cells = pd.DataFrame(
        {
            "row": rows.ravel(),
            "col": cols.ravel(),
            "observed": obs.ravel(),
            "expected": expected.ravel(),
            "residual": ((obs - expected) / np.sqrt(expected)).ravel(),
            "std_residual": adjusted.ravel(),
        }
    )
    return ChiSquareResult(
        table=summary,
        cells=cells,
        params={
            "row": row,
            "col": col,
            "weights": weights,
            "conf_level": conf_level,
            "v_alternative": v_alternative,
        },
    )


def _design_chi_square(
    data: pd.DataFrame,
    row: str,
    col: str,
    design: SurveyDesign,
    weights: str | None,
    yates: Any,
    statistic: Any,
) -> ChiSquareResult:
    from analysis.core.errors import ConfigError
    from analysis.stats.design_tests import rao_scott

    if weights is not None:
        raise ConfigError(
            "chi_square: give weights inside the design (SurveyDesign(weights=...)) or as "
            "counts in weights=, not both"
        )
    if yates is True:
        raise ConfigError("chi_square: the Yates correction does not apply to a design-based test")
    summary, cells = rao_scott(data, row, col, design=design, statistic=statistic)
    from analysis.stats.design_estimates import _params

    params = {"row": row, "col": col, "weights": None, **_params(design, "table", 0.95)}
    params["statistic"] = statistic
    return ChiSquareResult(table=pd.DataFrame([summary]), cells=cells, params=params)
