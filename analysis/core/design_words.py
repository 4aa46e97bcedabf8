"""Words of design-based survey inference: column headers and method names in zh and en.

Kept apart from :mod:`analysis.core.words` (which merges them in) so that vocabulary module
stays within the size limit; the entries follow its tables exactly.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["DESIGN_COLUMNS", "DESIGN_METHODS"]

#: column name -> (Chinese header, English header)
DESIGN_COLUMNS: Mapping[str, tuple[str, str]] = {
    "difference": ("差值", "Difference"),
    "proportion": ("比例", "Proportion"),
    "weighted_count": ("加权频数", "Weighted count"),
    "deff_mean": ("平均设计效应", "Mean design effect"),
    "chisq": ("Pearson χ²", "Pearson χ²"),
    "variable": ("变量", "Variable"),
    "level": ("选项", "Level"),
}

#: method id -> (zh short, en short, zh prose, en prose), as ``words.MethodName``
DESIGN_METHODS: Mapping[str, tuple[str, str, str, str]] = {
    "design-wald": (
        "设计 Wald 检验",
        "design-based Wald test",
        "基于抽样设计的 Wald 检验（Taylor 线性化）",
        "a design-based Wald test (Taylor linearisation)",
    ),
    "rao-scott-f": (
        "Rao-Scott F",
        "Rao-Scott F",
        "Rao-Scott 二阶校正卡方检验（F）",
        "the Rao-Scott second-order corrected chi-square test (F)",
    ),
    "rao-scott-chisq": (
        "Rao-Scott χ²",
        "Rao-Scott χ²",
        "Rao-Scott 一阶校正卡方检验",
        "the Rao-Scott first-order corrected chi-square test",
    ),
}
