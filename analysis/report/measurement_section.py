"""The measurement section of the study report: CFA fit, loadings, CR/AVE, validity, invariance.

Tables come from :func:`analysis.study.measurement.run_measurement` as plain frames
(``cfa_fit``, ``cfa_loadings``, ``cfa_validity``, ``invariance``); the fit is reported the
APA way: ``χ²/df = 2.31, CFI = .962, TLI = .951, RMSEA = .048, 90% CI [.041, .055],
SRMR = .036`` (:func:`fit_line`, also used by ``CfaResult.summary``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from analysis.core.apa import format_df, format_number, format_p
from analysis.report.document import Section, Table, t

__all__ = ["fit_line", "measurement_section"]

_LEVELS = {
    "configural": ("形态等值", "Configural"),
    "metric": ("弱等值（载荷）", "Metric (loadings)"),
    "scalar": ("强等值（截距）", "Scalar (intercepts)"),
    "strict": ("严格等值（残差）", "Strict (residuals)"),
}


def _r3(value: Any) -> str:
    return format_number(value, 3, leading_zero=False)


def fit_line(fit: Mapping[str, Any], lang: str = "zh") -> str:
    """``χ²/df = …, CFI = …, TLI = …, RMSEA = …, 90% CI […, …], SRMR = …`` of one fit row."""
    ci = "90% CI" if lang == "en" else "90% 置信区间"
    return (
        f"χ²/df = {format_number(fit['chi2_df'], 2)}, CFI = {_r3(fit['cfi'])}, "
        f"TLI = {_r3(fit['tli'])}, RMSEA = {_r3(fit['rmsea'])}, "
        f"{ci} [{_r3(fit['rmsea_ci_low'])}, {_r3(fit['rmsea_ci_high'])}], "
        f"SRMR = {_r3(fit['srmr'])}"
    )


def _chi_line(fit: Mapping[str, Any]) -> str:
    scaled = fit.get("estimator") == "WLSMV"
    chi2 = fit["chi2_scaled"] if scaled else fit["chi2"]
    p = fit["p_value_scaled"] if scaled else fit["p_value"]
    return (
        f"χ²({format_df(fit['df'])}, N = {int(fit['n'])}) = {format_number(chi2, 2)}, {format_p(p)}"
    )


def measurement_section(inputs: Any, counter: list[int]) -> Section | None:
    """The section, or None when the run fitted no CFA.

    ``inputs`` is the report's :class:`~analysis.report.compose.ReportInputs` (not imported:
    compose imports this module); ``counter`` numbers the tables.
    """
    fit_table = inputs.tables.get("cfa_fit")
    if fit_table is None or not len(fit_table):
        return None
    lang = inputs.lang
    zh = lang == "zh"
    fit = fit_table.iloc[0].to_dict()

    def caption(title: str) -> str:
        counter[0] += 1
        return t("tab", lang, n=counter[0], title=title)  # type: ignore[arg-type]

    def label(dim: str) -> str:
        return inputs.framework.label(dim, lang)  # type: ignore[arg-type]

    estimator = {
        "ML": ("最大似然估计", "maximum likelihood"),
        "WLSMV": ("WLSMV 估计，基于多分格相关", "WLSMV on polychoric correlations"),
    }[str(fit["estimator"])][0 if zh else 1]
    missing = {
        "listwise": ("成列删除", "listwise deletion"),
        "fiml": ("按全信息最大似然 FIML 处理", "full-information ML, FIML"),
    }[str(fit["missing"])][0 if zh else 1]
    paragraph = (
        f"验证性因子分析（{estimator}，缺失值{missing}）：{fit_line(fit, lang)}；{_chi_line(fit)}。"
        if zh
        else f"Confirmatory factor analysis ({estimator}, {missing}): {fit_line(fit, lang)}; "
        f"{_chi_line(fit)}."
    )
    tables = []
    loads = inputs.tables.get("cfa_loadings")
    if loads is not None and len(loads):
        rows = [
            (
                label(r.dimension),
                str(r.item_id),
                _r3(r.loading),
                _r3(r.se),
                _r3(r.residual_variance),
            )
            for r in loads.itertuples()
        ]
        cols = (
            ("维度", "题目", "标准化载荷", "标准误", "残差方差")
            if zh
            else ("Dimension", "Item", "Standardised loading", "SE", "Residual variance")
        )
        note = (
            "注：各维度第一题的非标准化载荷固定为 1。"
            if zh
            else "Note: the first item's unstandardised loading is fixed to 1."
        )
        tables.append(
            Table(
                caption("标准化因子载荷" if zh else "Standardised loadings"),
                cols,
                tuple(rows),
                note,
            )
        )
    validity = inputs.tables.get("cfa_validity")
    if validity is not None and len(validity):
        dims = list(validity["dimension"])
        rows = []
        for r in validity.to_dict("records"):
            cells = [label(r["dimension"]), _r3(r["cr"]), _r3(r["ave"])]
            for other in dims:
                value = r.get(f"r_{other}")
                cells.append("" if value is None or np.isnan(value) else _r3(value))
            rows.append(tuple(cells))
        cols = (
            ("维度", "CR", "AVE", *map(label, dims))
            if zh
            else ("Dimension", "CR", "AVE", *map(label, dims))
        )
        note = (
            "注：对角线为 AVE 的平方根，下三角为因子间相关（Fornell-Larcker 准则："
            "对角线应大于同行同列的相关），上三角为 HTMT（宜低于 .85）。"
            if zh
            else "Note: √AVE on the diagonal, factor correlations below it (Fornell-Larcker: the "
            "diagonal should exceed them), HTMT above it (below .85)."
        )
        tables.append(
            Table(
                caption(
                    "组合信度、平均方差抽取量与区分效度"
                    if zh
                    else "CR, AVE and discriminant validity"
                ),
                cols,
                tuple(rows),
                note,
            )
        )
    inv = inputs.tables.get("invariance")
    if inv is not None and len(inv):
        rows = []
        for r in inv.to_dict("records"):
            delta = (
                ("", "", "", "")
                if np.isnan(r["delta_cfi"])
                else (
                    _r3(r["delta_cfi"]),
                    _r3(r["delta_rmsea"]),
                    _r3(r["delta_srmr"]),
                    ("是" if r["holds"] else "否") if zh else ("yes" if r["holds"] else "no"),
                )
            )
            rows.append(
                (
                    _LEVELS[r["level"]][0 if zh else 1],
                    format_number(r["chi2"], 2),
                    format_df(r["df"]),
                    _r3(r["cfi"]),
                    _r3(r["rmsea"]),
                    _r3(r["srmr"]),
                    *delta,
                )
            )
        cols = (
            "模型" if zh else "Model",
            "χ²",
            "df",
            "CFI",
            "RMSEA",
            "SRMR",
            "ΔCFI",
            "ΔRMSEA",
            "ΔSRMR",
            "成立" if zh else "Holds",
        )
        note = (
            "注：判断标准（Chen, 2007）：ΔCFI ≤ −.010 且 ΔRMSEA ≥ .015 或 ΔSRMR ≥ .030"
            "（弱等值）/ ≥ .010（强等值、严格等值）时不成立。"
            if zh
            else "Note: Chen's (2007) rule: a level fails when ΔCFI ≤ −.010 together with "
            "ΔRMSEA ≥ .015 or ΔSRMR ≥ .030 (metric) / ≥ .010 (scalar, strict)."
        )
        tables.append(
            Table(
                caption("测量等值性检验" if zh else "Measurement invariance across communities"),
                cols,
                tuple(rows),
                note,
            )
        )
    title = "测量模型：验证性因子分析" if zh else "Measurement model: confirmatory factor analysis"
    return Section(title, (paragraph,), tuple(tables))
