"""Measurement invariance of the codebook's dimensions across groups: :func:`invariance`.

Before comparing communities (or waves) on a scale, a reviewer asks whether the scale
measures the same thing in each: configural (same structure), metric (equal loadings),
scalar (equal intercepts: means comparable) and strict (equal residual variances). The
multi-group models are fitted by :func:`analysis.stats.invariance.fit_invariance`, whose
χ², CFI, TLI, RMSEA and SRMR equal lavaan 0.6's ``cfa(..., group = , group.equal = )``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from analysis.core import apa
from analysis.core.errors import InputError, SmallSampleWarning, check_option
from analysis.core.words import Lang
from analysis.report.display import Displayable
from analysis.survey.factor_analysis import _model_of
from analysis.survey.reading import SurveyData

__all__ = ["RULE", "InvarianceResult", "invariance"]

#: Chen (2007): the cut-offs of the changes that signal non-invariance, by level.
RULE: Mapping[str, tuple[float, float, float]] = {
    # level: (ΔCFI at or below, ΔRMSEA at or above, ΔSRMR at or above)
    "metric": (-0.010, 0.015, 0.030),
    "scalar": (-0.010, 0.015, 0.010),
    "strict": (-0.010, 0.015, 0.010),
}
_LEVEL_ZH = {"configural": "形态等值", "metric": "弱等值（载荷）", "scalar": "强等值（截距）"}
_LEVEL_ZH["strict"] = "严格等值（残差）"

_RULE_TEXT = {
    "en": (
        "Decision rule (Chen, 2007): a level fails against the one before when ΔCFI ≤ −.010 "
        "together with ΔRMSEA ≥ .015 or ΔSRMR ≥ .030 (metric) / ≥ .010 (scalar, strict). "
        "The Δχ² test is reported too, but in large samples it rejects trivial differences."
    ),
    "zh": (
        "判断标准（Chen, 2007）：与前一层级相比，ΔCFI ≤ −.010，且 ΔRMSEA ≥ .015 或 ΔSRMR ≥ "
        ".030（弱等值）/ ≥ .010（强等值、严格等值）时，该层级不成立。Δχ² 检验一并报告，"
        "但大样本下它对微小差异也显著。"
    ),
}


@dataclass(frozen=True, repr=False)
class InvarianceResult(Displayable):
    """The result of :func:`invariance`.

    Attributes
    ----------
    table
        One row per level: ``level``, ``chi2``, ``df``, ``p_value``, ``cfi``, ``tli``,
        ``rmsea``, ``rmsea_ci_low``, ``rmsea_ci_high`` (90%), ``srmr``, ``converged``, and
        against the level before: ``delta_chi2``, ``delta_df``, ``delta_p`` (likelihood-ratio
        test), ``delta_cfi``, ``delta_rmsea``, ``delta_srmr``, ``holds`` (Chen's rule, see
        :data:`RULE`; True on the configural row).
    groups
        One row per group: ``group``, ``n`` (complete respondents), ``tested`` (False when
        too small and left out).
    params
        ``model``, ``levels``, ``min_group_n``, ``rule``.
    """

    table: pd.DataFrame
    groups: pd.DataFrame
    params: Mapping[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"InvarianceResult({self.summary('en')})"

    @property
    def left_out(self) -> list[str]:
        """Groups too small to test."""
        return [str(g) for g in self.groups.loc[~self.groups["tested"], "group"]]

    def to_frame(self) -> pd.DataFrame:
        """The table of levels, full precision."""
        return self.table

    def summary(self, lang: Lang = "zh") -> str:
        """One line per level (fit, changes, decision), then the rule and the groups left out."""
        check_option("lang", lang, ("zh", "en"), owner="InvarianceResult.summary")

        def r3(v: float) -> str:
            return apa.format_number(v, 3, leading_zero=False)

        lines = []
        for _, row in self.table.iterrows():
            name = row["level"] if lang == "en" else _LEVEL_ZH[row["level"]]
            fit = (
                f"{name}: χ²({apa.format_df(row['df'])}) = {apa.format_number(row['chi2'], 2)}, "
                f"CFI = {r3(row['cfi'])}, RMSEA = {r3(row['rmsea'])}, SRMR = {r3(row['srmr'])}"
            )
            if not np.isnan(row["delta_cfi"]):
                verdict = {True: ("成立", "holds"), False: ("不成立", "does not hold")}
                fit += (
                    f"; ΔCFI = {apa.format_number(row['delta_cfi'], 3)}, "
                    f"ΔRMSEA = {apa.format_number(row['delta_rmsea'], 3)}, "
                    f"ΔSRMR = {apa.format_number(row['delta_srmr'], 3)}"
                    f" → {verdict[bool(row['holds'])][0 if lang == 'zh' else 1]}"
                )
            lines.append(fit)
        lines.append(_RULE_TEXT[lang])
        tested = self.groups[self.groups["tested"]]
        if lang == "en":
            lines.append(f"Groups compared: {len(tested)} (N = {int(tested['n'].sum())}).")
        else:
            lines.append(f"比较的组数：{len(tested)}（N = {int(tested['n'].sum())}）。")
        small = self.groups[~self.groups["tested"]]
        if len(small):
            pairs = zip(small["group"], small["n"], strict=True)
            named = ", ".join(f"{g} (n = {n})" for g, n in pairs)
            need = self.params.get("min_group_n")
            if lang == "en":
                lines.append(
                    f"Left out, fewer than {need} complete respondents: {named}. Pool them "
                    "into larger groups or test a subset with groups=[...]."
                )
            else:
                lines.append(
                    f"样本不足 {need} 人、未纳入检验的组：{named}。可将小组合并（如按街道），"
                    "或用 groups=[...] 只检验部分组。"
                )
        return "\n".join(lines)


def invariance(
    survey: SurveyData,
    *,
    dimensions: Sequence[str] | None = None,
    levels: Sequence[str] = ("configural", "metric", "scalar"),
    groups: Sequence[str] | None = None,
    min_group_n: int = 100,
) -> InvarianceResult:
    """Measurement invariance of the dimensions across the survey's groups (communities, waves).

    Parameters
    ----------
    survey
        A survey read with a codebook with a ``group_column``.
    dimensions
        As in :func:`~analysis.survey.factor_analysis.cfa`.
    levels
        Any of ``"configural"``, ``"metric"``, ``"scalar"``, ``"strict"`` (on request), in
        order.
    groups
        Groups to test (default all); respondents in the others are left out.
    min_group_n
        Complete respondents a group needs (and always more than the number of items).

    Returns
    -------
    InvarianceResult
        ``table`` (one row per level, fit and changes), ``groups`` (sizes, which were tested),
        ``summary(lang)`` with the decision rule.

    Raises
    ------
    InputError
        Fewer than two groups large enough to test.

    Warns
    -----
    SmallSampleWarning
        Groups too small to test, named, left out, with what to do.

    Notes
    -----
    ML on each group's covariances and means (listwise complete respondents), markers'
    loadings 1, factor means 0 in the first group and free in the others once intercepts are
    equal, as lavaan's ``cfa(model, data, group = "g", group.equal = ...)``. RMSEA is
    lavaan's multi-group one (times √G); SRMR is Bentler's with the means, averaged over the
    groups with weights N_g/N (lavaan's ``fitMeasures(fit, "srmr")``). Decision rule:
    :data:`RULE` (Chen, 2007).

    References
    ----------
    Chen, F. F. (2007). Sensitivity of goodness of fit indexes to lack of measurement
    invariance. *Structural Equation Modeling*, 14(3), 464-504.
    """
    from analysis.stats.invariance import LEVELS, fit_invariance

    for level in levels:
        check_option("levels", level, LEVELS, owner="invariance")
    model = _model_of(survey, dimensions)
    items = [it for ids in model.values() for it in ids]
    x = survey.responses[[*items, "group"]].dropna()
    if groups is not None:
        x = x[x["group"].isin(list(groups))]
    sizes = x.groupby("group", sort=True, observed=True).size()
    need = max(min_group_n, len(items) + 1)
    small = sizes[sizes < need]
    if len(small):
        named = ", ".join(f"{g} (n = {n})" for g, n in small.items())
        warnings.warn(
            f"invariance: groups too small to test (fewer than {need} complete "
            f"respondents): {named}; they are left out. Pool small groups into larger ones "
            "(e.g. by street or district) or test a subset with groups=[...]",
            SmallSampleWarning,
            stacklevel=2,
        )
    kept = [g for g, n in sizes.items() if n >= need]
    if len(kept) < 2:
        raise InputError(
            f"invariance: {len(kept)} group(s) with at least {need} complete respondents; "
            "at least two are needed. Pool small groups, or lower min_group_n knowingly"
        )
    frames = {g: x.loc[x["group"] == g, items] for g in kept}
    table = decide(fit_invariance(frames, model, levels=list(levels)))
    group_table = pd.DataFrame(
        {"group": sizes.index.astype(str), "n": sizes.to_numpy(), "tested": sizes >= need}
    ).reset_index(drop=True)
    params = {"model": model, "levels": list(levels), "min_group_n": need, "rule": dict(RULE)}
    return InvarianceResult(table=table, groups=group_table, params=params)


def decide(table: pd.DataFrame) -> pd.DataFrame:
    """Add the changes from the level before and Chen's (2007) decision (:data:`RULE`)."""
    from scipy import stats

    table = table.copy()
    prev = table.shift(1)
    table["delta_chi2"] = table["chi2"] - prev["chi2"]
    table["delta_df"] = table["df"] - prev["df"]
    table["delta_p"] = stats.chi2.sf(table["delta_chi2"], table["delta_df"])
    for col in ("cfi", "rmsea", "srmr"):
        table[f"delta_{col}"] = table[col] - prev[col]
    cut = table["level"].map(RULE)
    fails = [
        c is not None
        and not isinstance(c, float)
        and d_cfi <= c[0] + 1e-12
        and (d_rmsea >= c[1] - 1e-12 or d_srmr >= c[2] - 1e-12)
        for c, d_cfi, d_rmsea, d_srmr in zip(
            cut, table["delta_cfi"], table["delta_rmsea"], table["delta_srmr"], strict=True
        )
    ]
    table["holds"] = ~np.array(fails, dtype=bool)
    table.loc[table.index == 0, "holds"] = True
    return table
