"""The result of a design-based estimate or test: frames, APA sentences in Chinese and English."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from analysis.core import apa
from analysis.core.errors import check_option
from analysis.core.words import Lang
from analysis.report.display import Displayable

__all__ = ["DesignResult", "design_phrase"]


def design_phrase(params: Mapping[str, Any], lang: Lang) -> str:
    """Name the design and the variance method, e.g. 'design-based (Taylor linearisation; …)'."""
    parts_zh, parts_en = [], []
    if params.get("strata"):
        parts_zh.append(f"按 {params['strata']} 分层")
        parts_en.append(f"strata {params['strata']}")
    if params.get("psu"):
        stage = f"{params['psu']} + {params['ssu']}" if params.get("ssu") else params["psu"]
        parts_zh.append(f"以 {stage} 为抽样单元")
        parts_en.append(f"clusters {stage}")
    if params.get("weights"):
        parts_zh.append(f"权数 {params['weights']}")
        parts_en.append(f"weights {params['weights']}")
    if params.get("fpc"):
        parts_zh.append("有限总体校正")
        parts_en.append("finite population correction")
    for step in params.get("calibration") or ():
        parts_zh.append("事后分层" if step == "poststratify" else "耙权（raking）")
        parts_en.append("post-stratified" if step == "poststratify" else "raked")
    if lang == "zh":
        detail = "，".join(parts_zh) if parts_zh else "简单随机抽样"
        return f"基于抽样设计（Taylor 线性化方差估计；{detail}）"
    detail = ", ".join(parts_en) if parts_en else "simple random sampling"
    return f"design-based (Taylor linearisation; {detail})"


_WHAT = {
    "mean": ("均值", "mean"),
    "total": ("总量", "total"),
    "proportion": ("比例", "proportion"),
}


@dataclass(frozen=True)
class DesignResult(Displayable):
    """Result of :func:`~analysis.stats.design_estimates.survey_means`, ``survey_totals``,
    ``survey_proportions`` and :func:`~analysis.stats.design_tests.survey_compare`.

    Attributes
    ----------
    table : pandas.DataFrame
        The estimates, one row per (variable, group, level): ``variable``, ``group`` (with
        ``by``), ``level`` (proportions), ``estimate``, ``se``, ``ci_low``, ``ci_high``,
        ``df`` (design degrees of freedom of the interval), ``n`` (respondents with an
        answer).
    test : pandas.DataFrame
        For :func:`survey_compare`: the Wald test across groups per dimension (``statistic``
        F, ``df1``, ``df2``, ``p_value``, ``method``); empty otherwise.
    pairs : pandas.DataFrame
        For :func:`survey_compare`: differences of domain means (``group_a``, ``group_b``,
        ``difference``, ``se``, ``t``, ``df``, ``p_value``, ``p_adj``, ``ci_low``,
        ``ci_high``); empty otherwise.
    params : Mapping
        The estimate (``what``), the design columns, the confidence level and options.
    """

    table: pd.DataFrame
    test: pd.DataFrame = field(default_factory=pd.DataFrame)
    pairs: pd.DataFrame = field(default_factory=pd.DataFrame)
    params: Mapping[str, Any] = field(default_factory=dict)

    def summary(self, lang: Lang = "zh") -> str:
        """APA-style sentences naming the design-based method, one per estimate or test."""
        check_option("lang", lang, ("zh", "en"), owner="DesignResult.summary")
        side = 0 if lang == "zh" else 1
        how = design_phrase(self.params, lang)
        level = round(100 * float(self.params.get("conf_level", 0.95)))
        what = _WHAT.get(str(self.params.get("what")), ("均值", "mean"))[side]
        lines = []
        if not self.test.empty:
            for _, r in self.test.iterrows():
                dim = f"{r['dimension']}：" if "dimension" in r and lang == "zh" else ""
                dim_en = f"{r['dimension']}: " if "dimension" in r and lang == "en" else ""
                test = apa.format_test("F", r["statistic"], (r["df1"], r["df2"]), r["p_value"])
                if lang == "zh":
                    lines.append(f"{dim}各组{what}差异的 Wald 检验，{how}：{test}。")
                else:
                    lines.append(f"{dim_en}Wald test of equal group {what}s, {how}: {test}.")
            return "\n".join(lines)
        for _, r in self.table.iterrows():
            name = " / ".join(
                str(r[c]) for c in ("variable", "group", "level") if c in r and pd.notna(r[c])
            )
            digits = 3 if self.params.get("what") == "proportion" else 2
            est = apa.format_number(r["estimate"], digits)
            low = apa.format_number(r["ci_low"], digits)
            high = apa.format_number(r["ci_high"], digits)
            se = apa.format_number(r["se"], digits)
            if lang == "zh":
                lines.append(f"{name} 的{what}：{est}（SE = {se}，{level}% CI [{low}, {high}]）")
            else:
                lines.append(f"{name} {what}: {est} (SE = {se}, {level}% CI [{low}, {high}])")
        head = f"{how}。" if lang == "zh" else f"Estimates are {how}."
        return "\n".join([head, *lines])

    def to_frame(self) -> pd.DataFrame:
        """The estimates table (full precision)."""
        return self.table
