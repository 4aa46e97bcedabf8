"""Column headers of the measurement tables (CFA, invariance, ordinal reliability) in zh/en.

Kept apart from :mod:`analysis.core.words` for size; :data:`COLUMN_LABELS` there includes
them.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["MEASUREMENT_LABELS", "MEASUREMENT_TABLES"]

MEASUREMENT_LABELS: Mapping[str, tuple[str, str]] = {
    "alpha_ordinal": ("有序 α（多分格相关）", "Ordinal α"),
    "omega_h": ("ω_h（层级 ω）", "ω hierarchical"),
    "estimator": ("估计方法", "Estimator"),
    "n_dropped": ("剔除人数", "Dropped"),
    "chi2_df": ("χ²/df", "χ²/df"),
    "cfi": ("CFI", "CFI"),
    "tli": ("TLI", "TLI"),
    "rmsea": ("RMSEA", "RMSEA"),
    "rmsea_ci_low": ("RMSEA 90% CI 下限", "RMSEA 90% CI low"),
    "rmsea_ci_high": ("RMSEA 90% CI 上限", "RMSEA 90% CI high"),
    "srmr": ("SRMR", "SRMR"),
    "baseline_chi2": ("基线模型 χ²", "Baseline χ²"),
    "baseline_df": ("基线模型 df", "Baseline df"),
    "loading": ("标准化载荷", "Standardised loading"),
    "estimate_se": ("估计值标准误", "Estimate SE"),
    "residual_variance": ("标准化残差方差", "Standardised residual variance"),
    "heywood": ("Heywood 情形", "Heywood case"),
    "cr": ("组合信度 CR", "CR"),
    "ave": ("平均方差抽取量 AVE", "AVE"),
    "sqrt_ave": ("√AVE", "√AVE"),
    "mi": ("修正指数", "MI"),
    "level": ("等值层级", "Level"),
    "delta_chi2": ("Δχ²", "Δχ²"),
    "delta_df": ("Δdf", "Δdf"),
    "delta_p": ("Δχ² 的 p 值", "p of Δχ²"),
    "delta_cfi": ("ΔCFI", "ΔCFI"),
    "delta_rmsea": ("ΔRMSEA", "ΔRMSEA"),
    "delta_srmr": ("ΔSRMR", "ΔSRMR"),
    "holds": ("等值成立", "Holds"),
    "tested": ("纳入检验", "Tested"),
}

#: Sheet names of the measurement tables in the report workbook (at most 31 characters).
MEASUREMENT_TABLES: Mapping[str, tuple[str, str]] = {
    "cfa_fit": ("验证性因子分析拟合", "CFA fit"),
    "cfa_loadings": ("标准化因子载荷", "CFA loadings"),
    "cfa_validity": ("组合信度与区分效度", "CR AVE and validity"),
    "invariance": ("测量等值性", "Measurement invariance"),
}
