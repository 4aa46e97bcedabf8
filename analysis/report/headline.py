"""Headline numbers of a report: the 满意率 and the 百分制 index of each dimension.

Both the study report (the whole sample, group ``"all"``) and each community's report
open their scores with one sentence built here from the run's ``satisfaction`` table
(:func:`analysis.satisfaction`).
"""

from __future__ import annotations

from typing import Any

from analysis.core.apa import format_level, format_number

__all__ = ["satisfaction_sentence"]


def satisfaction_sentence(inputs: Any, group: str, *, conf_level: float = 0.95) -> str | None:
    """One sentence with each dimension's 满意率 (Wilson CI) and index, or None without data."""
    table = inputs.tables.get("satisfaction")
    if table is None or not len(table):
        return None
    rows = table[(table["group"] == group) & table["item_id"].isna()]
    if not len(rows):
        return None
    lang = inputs.lang
    fw = inputs.framework
    level = format_level(conf_level)
    parts = []
    for r in rows.itertuples():
        label = fw.label(str(r.dimension), lang) if str(r.dimension) in fw.ids else r.dimension
        rate, lo, hi = (
            format_number(100 * v, 1) for v in (r.satisfaction_rate, r.ci_low, r.ci_high)
        )
        index = format_number(r.satisfaction_index, 1)
        parts.append(
            f"{label} {rate}%（{level} CI [{lo}%, {hi}%]），指数 {index}"
            if lang == "zh"
            else f"{label} {rate}% ({level} CI [{lo}%, {hi}%]), index {index}"
        )
    if lang == "zh":
        return (
            "满意率（回答“满意”“非常满意”等满意选项的比例）与百分制满意度指数："
            + "；".join(parts)
            + "。"
        )
    return (
        "Satisfaction rate (share of satisfied answers) and 0-100 index: " + "; ".join(parts) + "."
    )
