"""Words of the model results (mixed models, regressions): column labels and method phrases.

Kept beside :mod:`analysis.core.words`, which merges :data:`MODEL_COLUMN_LABELS` into its
column vocabulary, so the tables of models are labelled like every other table.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["MODEL_COLUMN_LABELS", "MODEL_PHRASES", "model_phrase"]

# column name -> (Chinese header, English header)
MODEL_COLUMN_LABELS: Mapping[str, tuple[str, str]] = {
    "n0": ("ANOVA 组规模 n₀（用于 ICC(2)）", "ANOVA group size n₀ (for ICC(2))"),
    "kish_size": ("加权组规模 Σn²/N（Kish 设计效应）", "Weighted size Σn²/N (Kish design effect)"),
    "component": ("方差成分", "Component"),
    "effect": ("效应", "Effect"),
    "with_effect": ("协方差的另一效应", "Covariance with"),
    "variance": ("方差（协方差）", "Variance (covariance)"),
    "corr": ("相关", "Correlation"),
    "estimation": ("估计方法", "Estimation"),
    "df_method": ("自由度方法", "df method"),
    "se_type": ("标准误类型", "Standard errors"),
    "r_squared": ("R²", "R²"),
    "adj_r_squared": ("调整 R²", "Adjusted R²"),
    "df_resid": ("残差自由度", "Residual df"),
    "n_clusters": ("聚类数", "Clusters"),
    "singular": ("奇异拟合", "Singular fit"),
}

# phrase key -> (Chinese, English); {braces} are filled by model_phrase
MODEL_PHRASES: Mapping[str, tuple[str, str]] = {
    "lmm": ("线性混合模型", "Linear mixed model"),
    "reml": ("限制性最大似然估计（REML）", "REML"),
    "ml": ("最大似然估计（ML）", "ML"),
    "satterthwaite": ("Satterthwaite 自由度 t 检验", "Satterthwaite df"),
    "wald": ("Wald z 检验", "Wald z tests"),
    "slopes": ("随机斜率：{slopes}", "random slopes: {slopes}"),
    "sample": ("{groups} 个 {by} 共 {n} 人", "N = {n} in {groups} {by} clusters"),
    "variances": (
        "组间方差 τ² = {tau2}，组内方差 σ² = {sigma2}，ICC(1) = {icc1}",
        "τ² = {tau2}, σ² = {sigma2}, ICC(1) = {icc1}",
    ),
    "singular": (
        "奇异拟合：有随机效应方差估计为 0，可考虑简化随机部分",
        "singular fit: a random-effect variance is estimated at zero; consider a simpler "
        "random part",
    ),
    "ols": ("最小二乘回归（OLS）", "OLS regression"),
    "cr1": (
        "按 {by} 聚类稳健标准误（CR1，{g} 个聚类，t 检验自由度 {df}）",
        "cluster-robust SEs by {by} (CR1, {g} clusters, t tests on {df} df)",
    ),
    "classical": ("常规标准误", "classical SEs"),
    "ci": ("{level} 置信区间", "{level} CI"),
}


def model_phrase(key: str, lang: str, **kw: object) -> str:
    """The phrase ``key`` in ``lang`` (``"zh"`` or ``"en"``), its ``{fields}`` filled in."""
    zh, en = MODEL_PHRASES[key]
    return (zh if lang == "zh" else en).format(**kw)
