"""Readable HTML tables of tidy frames and result objects in Jupyter.

Every frame the toolkit returns is tidy, long and full-precision, with ASCII column names and
dimension ids (``reform`` …). That is right for code and wrong for reading. This module turns
a frame into an HTML table for people: dimension ids become their labels (服务改革 …), known
column names get Chinese (or English) headers, numbers are rounded **for display only**, long
texts are shortened and every cell is escaped. The frame itself is never changed.

In a notebook::

    import analysis as an
    an.show(scores)                  # any tidy frame, with Chinese labels
    an.show(reliability, lang="en")  # English headers and labels
    an.show(result)                  # a result object: its summary and each of its tables

Public names: :func:`show`, :func:`frame_to_html`, :func:`result_to_html`,
:func:`column_label`, :func:`frame_to_table`, :func:`preview_report`, :class:`LabelledFrame`,
:class:`LabelledResult`, :class:`ReportPreview`, :data:`COLUMN_LABELS`.
"""

from __future__ import annotations

import dataclasses
import html
import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from analysis.core.dimensions import SERVICE_FIVE, Framework
from analysis.core.errors import ConfigError, InputError, check_option

if TYPE_CHECKING:
    from analysis.report.document import Table

__all__ = [
    "COLUMN_LABELS",
    "LabelledFrame",
    "LabelledResult",
    "ReportPreview",
    "column_label",
    "frame_to_html",
    "frame_to_table",
    "preview_report",
    "result_to_html",
    "show",
]

Lang = Literal["zh", "en"]

# column name -> (Chinese header, English header); the toolkit's column vocabulary
COLUMN_LABELS: Mapping[str, tuple[str, str]] = {
    # identifiers and places
    "respondent_id": ("受访者编号", "Respondent"),
    "doc_id": ("文档编号", "Document"),
    "passage_id": ("段落编号", "Passage"),
    "item_id": ("题号", "Item"),
    "group": ("组别", "Group"),
    "group_a": ("组别 A", "Group A"),
    "group_b": ("组别 B", "Group B"),
    "community": ("社区", "Community"),
    "dimension": ("维度", "Dimension"),
    "label": ("标签", "Label"),
    "predicted": ("预测维度", "Predicted"),
    "correct": ("预测正确", "Correct"),
    "file": ("文件", "File"),
    "path": ("路径", "Path"),
    "bytes": ("字节数", "Bytes"),
    "sha256": ("SHA-256", "SHA-256"),
    "sheet": ("工作表", "Sheet"),
    "row": ("行", "Row"),
    "column": ("列", "Column"),
    "col": ("列类别", "Column category"),
    "value": ("值", "Value"),
    "problem": ("问题", "Problem"),
    "reason": ("原因", "Reason"),
    "source": ("来源", "Source"),
    "encoding": ("编码", "Encoding"),
    "year": ("年份", "Year"),
    "type": ("类型", "Type"),
    "text": ("文本", "Text"),
    "question": ("题目", "Question"),
    "term": ("词语", "Term"),
    "token": ("词", "Token"),
    "context": ("上下文", "Context"),
    "rationale": ("界定", "Rationale"),
    "none": ("无命中", "No hit"),
    "term_a": ("词语 A", "Term A"),
    "term_b": ("词语 B", "Term B"),
    "dimension_a": ("维度 A", "Dimension A"),
    "dimension_b": ("维度 B", "Dimension B"),
    "example": ("例句", "Example"),
    # counts
    "n": ("样本量", "N"),
    "k": ("组数", "Groups"),
    "n_groups": ("组数", "Groups"),
    "n_items": ("题目数", "Items"),
    "n_hits": ("命中次数", "Hits"),
    "n_negated": ("否定命中", "Negated hits"),
    "n_tokens": ("词数", "Tokens"),
    "n_terms": ("词条数", "Terms"),
    "n_docs": ("文档数", "Documents"),
    "n_rows": ("行数", "Rows"),
    "n_cols": ("列数", "Columns"),
    "n_target": ("目标组频次", "Target count"),
    "n_reference": ("参照组频次", "Reference count"),
    "total_target": ("目标组总词数", "Target total"),
    "total_reference": ("参照组总词数", "Reference total"),
    "freq": ("频次", "Frequency"),
    "n_a": ("含词语 A 的单位数", "Units with A"),
    "n_b": ("含词语 B 的单位数", "Units with B"),
    "n_sentences": ("句数", "Sentences"),
    "n_with_seed": ("与种子词同句数", "Sentences with a seed"),
    "observed": ("观测频数", "Observed"),
    "expected": ("期望频数", "Expected"),
    "support": ("支持数", "Support"),
    "folds": ("折数", "Folds"),
    "fold": ("折", "Fold"),
    "rank": ("排名", "Rank"),
    # scores and descriptives
    "score": ("得分", "Score"),
    "share": ("占比", "Share"),
    "weight": ("权重", "Weight"),
    "weighted_hits": ("加权命中", "Weighted hits"),
    "mean": ("均值", "Mean"),
    "sd": ("标准差", "SD"),
    "se": ("标准误", "SE"),
    "median": ("中位数", "Median"),
    "q1": ("下四分位数", "Q1"),
    "q3": ("上四分位数", "Q3"),
    "n_eff": ("有效样本量", "Effective n"),
    "min": ("最小值", "Min"),
    "max": ("最大值", "Max"),
    "grand_mean": ("总均值", "Grand mean"),
    "diff": ("均值差", "Difference"),
    "ci_low": ("CI 下限", "CI low"),
    "ci_high": ("CI 上限", "CI high"),
    "index": ("综合指数", "Index"),
    # tests
    "method": ("方法", "Method"),
    "statistic": ("统计量", "Statistic"),
    "df": ("自由度", "df"),
    "df1": ("自由度 1", "df1"),
    "df2": ("自由度 2", "df2"),
    "p_value": ("p 值", "p"),
    "p_adj": ("校正 p 值", "Adjusted p"),
    "effect_size": ("效应量", "Effect size"),
    "effect_type": ("效应量类型", "Effect type"),
    "effect_ci_low": ("效应量 CI 下限", "Effect size CI low"),
    "effect_ci_high": ("效应量 CI 上限", "Effect size CI high"),
    "eta2": ("η²", "η²"),
    "omega2": ("ω²", "ω²"),
    "epsilon2": ("ε²", "ε²"),
    "epsilon2_h": ("ε²_H", "ε²_H"),
    "n_dropped": ("剔除的缺失值", "Missing dropped"),
    "n_groups_excluded": ("排除的组数", "Groups excluded"),
    "letters": ("字母标记", "Letters"),
    "chi2": ("χ²", "χ²"),
    "g2": ("对数似然比 G²", "G²"),
    "log_ratio": ("对数比", "Log ratio"),
    "pct_diff": ("百分比差异", "% difference"),
    "direction": ("方向", "Direction"),
    "residual": ("残差", "Residual"),
    "adj_residual": ("调整残差", "Adjusted residual"),
    "std_residual": ("标准化残差", "Standardised residual"),
    "cramers_v": ("Cramér V", "Cramér's V"),
    "min_expected": ("最小期望频数", "Min expected"),
    "share_expected_below_5": ("期望频数<5 的比例", "Share expected < 5"),
    "yates": ("Yates 校正", "Yates correction"),
    "note": ("说明", "Note"),
    # reliability and items
    "alpha": ("Cronbach α", "Cronbach's α"),
    "alpha_std": ("标准化 α", "Standardised α"),
    "average_r": ("平均题间相关", "Mean inter-item r"),
    "omega": ("McDonald ω", "McDonald's ω"),
    "kmo": ("KMO", "KMO"),
    "bartlett_chi2": ("Bartlett χ²", "Bartlett χ²"),
    "bartlett_df": ("Bartlett 自由度", "Bartlett df"),
    "bartlett_p": ("Bartlett p 值", "Bartlett p"),
    "missing": ("缺失处理", "Missing data"),
    "citc": ("校正题总相关", "Corrected item-total r"),
    "alpha_if_deleted": ("删除该题后 α", "α if deleted"),
    "alpha_std_if_deleted": ("删除该题后标准化 α", "Standardised α if deleted"),
    "discrimination_t": ("区分度 t", "Discrimination t"),
    "discrimination_p": ("区分度 p 值", "Discrimination p"),
    "reverse": ("反向题", "Reverse-keyed"),
    "duration_s": ("用时（秒）", "Duration (s)"),
    "flag_speeder": ("作答过快", "Speeder"),
    "flag_straightline": ("直线作答", "Straight-liner"),
    "flag_duplicate": ("重复提交", "Duplicate"),
    # text evidence
    "start": ("起始位置", "Start"),
    "end": ("结束位置", "End"),
    "sentence_id": ("句序号", "Sentence"),
    "negated": ("否定", "Negated"),
    "lexicon": ("词典", "Lexicon"),
    "lexicon_version": ("词典版本", "Lexicon version"),
    "dict_fingerprint": ("词典指纹", "Dictionary fingerprint"),
    # validation
    "precision": ("精确率", "Precision"),
    "recall": ("召回率", "Recall"),
    "f1": ("F1", "F1"),
    "accuracy": ("准确率", "Accuracy"),
    "macro_f1": ("宏平均 F1", "Macro F1"),
    "macro_f1_sd": ("宏平均 F1 标准差", "Macro F1 SD"),
    "kappa": ("Cohen κ", "Cohen's κ"),
    "coverage": ("覆盖率", "Coverage"),
    "jaccard": ("Jaccard 系数", "Jaccard"),
    "pmi": ("点互信息 PMI", "PMI"),
    "npmi": ("标准化 PMI", "NPMI"),
    # nesting, indices, models
    "mean_group_size": ("平均组规模", "Mean group size"),
    "var_between": ("组间方差", "Between variance"),
    "var_within": ("组内方差", "Within variance"),
    "icc1": ("ICC(1)", "ICC(1)"),
    "icc2": ("ICC(2)", "ICC(2)"),
    "design_effect": ("设计效应", "Design effect"),
    "optimizer": ("优化器", "Optimizer"),
    "converged": ("已收敛", "Converged"),
    "entropy": ("信息熵", "Entropy"),
    "divergence": ("差异系数", "Divergence"),
    "performance": ("表现（满意度）", "Performance"),
    "importance": ("重要性", "Importance"),
    "importance_type": ("重要性类型", "Importance type"),
    "cross_performance": ("表现分界", "Performance cut"),
    "cross_importance": ("重要性分界", "Importance cut"),
    "quadrant": ("象限", "Quadrant"),
    "quadrant_zh": ("象限（中文）", "Quadrant (Chinese)"),
    "r": ("相关系数 r", "r"),
    "estimate": ("估计值", "Estimate"),
    "odds_ratio": ("优势比", "Odds ratio"),
    "kind": ("类别", "Kind"),
    "rho": ("Spearman ρ", "Spearman's ρ"),
    "id": ("编号", "Id"),
    "scale": ("量表", "Scale"),
    "line": ("行号", "Line"),
    "log_likelihood": ("对数似然", "Log-likelihood"),
    "deviance": ("偏差", "Deviance"),
    "aic": ("AIC", "AIC"),
}

# columns whose values are counts: whole floats show without decimals
_COUNT_COLUMNS = frozenset(
    {
        "n",
        "k",
        "n_groups",
        "n_dropped",
        "n_groups_excluded",
        "bytes",
        "n_items",
        "n_hits",
        "n_negated",
        "n_tokens",
        "n_terms",
        "n_docs",
        "n_rows",
        "n_cols",
        "n_target",
        "n_reference",
        "total_target",
        "total_reference",
        "freq",
        "n_a",
        "n_b",
        "n_sentences",
        "n_with_seed",
        "observed",
        "support",
        "folds",
        "fold",
        "rank",
        "row",
        "year",
        "start",
        "end",
        "sentence_id",
        "df",
        "df1",
        "df2",
        "bartlett_df",
        "duration_s",
        "n_eff",
    }
)

# values of a few categorical columns, translated for Chinese display
_VALUE_LABELS_ZH: Mapping[str, Mapping[str, str]] = {
    "method": {
        "anova": "单因素方差分析",
        "welch": "Welch 方差分析",
        "brown-forsythe": "Brown-Forsythe 检验",
        "kruskal": "Kruskal-Wallis 检验",
        "tukey": "Tukey-Kramer",
        "games-howell": "Games-Howell",
        "dunn": "Dunn",
        "spearman": "Spearman 相关",
    },
    "reason": {
        "speeder": "作答过快",
        "straightline": "直线作答",
        "duplicate": "重复提交",
    },
    "direction": {"over": "偏多", "under": "偏少"},
    "quadrant": {
        "concentrate": "重点改进区",
        "keep_up": "继续保持区",
        "low_priority": "低优先区",
        "overkill": "过度投入区",
    },
    "missing": {"pairwise": "成对删除", "listwise": "成列删除"},
    "importance_type": {"derived": "推导重要性", "stated": "自评重要性"},
    "kind": {"fixed": "固定效应", "threshold": "阈值"},
}

_NOWRAP_CHARS = 16  # shorter texts stay on one line
# values translated in every language
_VALUE_SYMBOLS: Mapping[str, Mapping[str, str]] = {
    "effect_type": {
        "omega2": "ω²",
        "eta2": "η²",
        "epsilon2": "ε²",
        "epsilon2_h": "ε²_H",
        "hedges_g": "Hedges g",
        "rank_biserial": "r_rb",
    },
}

_BOOL_TEXT = {"zh": ("是", "否"), "en": ("yes", "no")}
_MISSING_TEXT = "—"

# result classes and fields, for headings
_RESULT_TITLES: Mapping[str, tuple[str, str]] = {
    "CompareResult": ("组间比较", "Group comparison"),
    "ChiSquareResult": ("卡方独立性检验", "Chi-square test of independence"),
    "EntropyIndex": ("熵权法综合指数", "Entropy-weight index"),
    "ModelResult": ("模型估计", "Model estimates"),
    "LexiconValidation": ("词典与人工编码的一致性", "Lexicon against hand coding"),
    "BaselineResult": ("监督学习基线", "Supervised baseline"),
    "DimensionTable": ("维度 × 组别命中列联表", "Dimension by group table of hits"),
    "SurveyData": ("问卷数据", "Survey data"),
    "Lexicon": ("词典", "Lexicon"),
}
_FIELD_TITLES: Mapping[str, tuple[str, str]] = {
    "table": ("总体检验", "Omnibus tests"),
    "posthoc": ("事后两两比较", "Post hoc pairs"),
    "descriptives": ("描述统计", "Descriptives"),
    "assumptions": ("前提检验", "Assumption checks"),
    "letters": ("字母标记", "Compact letters"),
    "grand_mean": ("各组与总均值比较", "Groups against the grand mean"),
    "cells": ("单元格", "Cells"),
    "test": ("检验", "Test"),
    "counts": ("频数表", "Counts"),
    "weights": ("指标权重", "Weights"),
    "scores": ("综合得分", "Scores"),
    "coefficients": ("系数", "Coefficients"),
    "fit": ("模型拟合", "Model fit"),
    "predictions": ("逐段预测", "Predictions"),
    "confusion": ("混淆矩阵", "Confusion matrix"),
    "metrics": ("各维度指标", "Metrics per dimension"),
    "summary": ("摘要", "Summary"),
    "folds": ("各折结果", "Folds"),
    "responses": ("答卷", "Responses"),
    "missing": ("缺失类型", "Missing answers"),
    "quarantine": ("隔离表", "Quarantine"),
    "exclusions": ("排除记录", "Exclusions"),
}

# headline tables first, row-level detail last (others keep their order, in between)
_FIELD_ORDER: Mapping[str, int] = {
    "summary": 0,
    "test": 0,
    "table": 0,
    "fit": 0,
    "metrics": 1,
    "weights": 1,
    "coefficients": 1,
    "predictions": 3,
    "cells": 3,
    "responses": 3,
    "missing": 3,
}


# ====================================================================== labels


def column_label(name: Any, lang: Lang = "zh", *, framework: Framework | None = None) -> str:
    """The header shown for a column.

    Parameters
    ----------
    name
        Column name as in the frame (``"p_adj"``, ``"reform"`` …).
    lang
        ``"zh"`` or ``"en"``.
    framework
        Dimensions whose ids, used as column names in wide frames, become their labels
        (default :data:`~analysis.core.dimensions.SERVICE_FIVE`).

    Returns
    -------
    str
        The Chinese or English header of a known column, a dimension's label, or the name
        itself.

    Examples
    --------
    >>> column_label("p_adj")
    '校正 p 值'
    >>> column_label("reform", "en")
    'Service reform'
    """
    check_option("lang", lang, ("zh", "en"), owner="column_label")
    fw = SERVICE_FIVE if framework is None else framework
    key = str(name)
    if key in COLUMN_LABELS:
        return COLUMN_LABELS[key][0 if lang == "zh" else 1]
    if key in fw.ids:
        return fw.label(key, lang)
    prefix, _, rest = key.partition("_")
    if prefix == "weighted" and rest in fw.ids:  # per-dimension columns of predictions
        return f"{COLUMN_LABELS['weighted_hits'][0 if lang == 'zh' else 1]}: {fw.label(rest, lang)}"
    return key


def _is_dimension_column(name: str, values: pd.Series, ids: frozenset[str]) -> bool:
    """Whether a column's values are dimension ids (by its name, or by all its values)."""
    if name in ("predicted", "label") or name.startswith("dimension") or name.endswith("dimension"):
        return True
    if values.empty or not (
        pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)
    ):
        return False
    present = {str(v) for v in values.dropna().unique()}
    return bool(present) and present <= ids


# ====================================================================== cells


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, (float, np.floating)):
        return bool(np.isnan(value))
    return isinstance(value, np.datetime64) and bool(np.isnat(value))


def _is_number(value: Any) -> bool:
    """A real number to right-align (not a boolean, not missing)."""
    return (
        isinstance(value, numbers.Real)
        and not isinstance(value, (bool, np.bool_))
        and not _is_missing(value)
    )


def _format_float(value: float, name: str, digits: int) -> str:
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    if name in _COUNT_COLUMNS and float(value).is_integer():
        return str(int(value))
    if name in ("p", "p_value", "p_adj") or name.endswith("_p"):
        digits = max(digits, 2)  # a p value is never shown as "< 1" or "0"
        smallest = 10.0**-digits
        if 0 <= value < smallest:
            return f"< {smallest:.{digits}f}"
    text = f"{value:.{digits}f}"
    if text.startswith("-"):
        # a value that rounds to zero shows as 0.000, not −0.000
        text = text[1:] if float(text) == 0 else "−" + text[1:]
    return text


def _format_cell(
    value: Any,
    name: str,
    *,
    lang: Lang,
    digits: int,
    labels: Mapping[str, str] | None,
    max_chars: int,
) -> str:
    """One cell as display text (not escaped)."""
    if _is_missing(value):
        return _MISSING_TEXT
    if isinstance(value, (bool, np.bool_)):
        yes, no = _BOOL_TEXT[lang]
        return yes if value else no
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return _format_float(float(value), name, digits)
    text = str(value)
    if labels is not None and text in labels:
        text = labels[text]
    elif name in _VALUE_SYMBOLS:
        text = _VALUE_SYMBOLS[name].get(text, text)
    elif lang == "zh" and name in _VALUE_LABELS_ZH:
        text = _VALUE_LABELS_ZH[name].get(text, text)
    if max_chars and len(text) > max_chars:
        text = text[: max_chars - 1] + "…"
    return text


# ====================================================================== tables


def _check_options(lang: str, digits: Any, max_rows: Any, owner: str) -> None:
    check_option("lang", lang, ("zh", "en"), owner=owner)
    for name, value, low in (("digits", digits, 0), ("max_rows", max_rows, 1)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
            raise ConfigError(
                f"The {name!r} parameter of {owner} must be an integer >= {low}. "
                f"Got {value!r} instead."
            )


def _columns_of(frame: pd.DataFrame) -> list[tuple[str, pd.Series]]:
    """(name, values) pairs: index levels first when the index carries meaning.

    An unnamed integer index (a row number left over from sorting or filtering) does not.
    """
    out: list[tuple[str, pd.Series]] = []
    index = frame.index
    named = any(name is not None for name in index.names)
    if named or not pd.api.types.is_integer_dtype(index.dtype):
        for level in range(index.nlevels):
            name = index.names[level]
            values = index.get_level_values(level)
            out.append(("" if name is None else str(name), pd.Series(values, dtype=values.dtype)))
    for position, name in enumerate(frame.columns):
        label = " / ".join(map(str, name)) if isinstance(name, tuple) else str(name)
        out.append((label, frame.iloc[:, position].reset_index(drop=True)))
    return out


def _display_cells(
    frame: pd.DataFrame,
    *,
    framework: Framework | None,
    lang: Lang,
    digits: int,
    max_chars: int,
    headers: Mapping[str, str] | None,
) -> tuple[list[str], list[str], list[list[tuple[str, bool, str | None]]]]:
    """Column names, display headers and rows of cells, unescaped.

    A cell is (display text, is a number, full-precision text of a rounded number or None).
    """
    fw = SERVICE_FIVE if framework is None else framework
    ids = frozenset(fw.ids)
    dim_labels = {"none": column_label("none", lang)} if "none" not in ids else {}
    dim_labels.update({d.id: d.label(lang) for d in fw.dimensions})
    columns = _columns_of(frame)
    overrides = dict(headers or {})
    names = [name for name, _ in columns]
    header_texts = [
        overrides.get(name) or (column_label(name, lang, framework=fw) if name else "")
        for name in names
    ]
    labels = [
        dim_labels if _is_dimension_column(name, values, ids) else None for name, values in columns
    ]
    rows = []
    for i in range(len(frame)):
        row = []
        for (name, values), cell_labels in zip(columns, labels, strict=True):
            value = values.iloc[i]
            text = _format_cell(
                value, name, lang=lang, digits=digits, labels=cell_labels, max_chars=max_chars
            )
            numeric = _is_number(value)
            full = (
                repr(float(value)) if numeric and not isinstance(value, numbers.Integral) else None
            )
            row.append((text, numeric, full if full != text else None))
        rows.append(row)
    return names, header_texts, rows


def _td(text: str, numeric: bool, full: str | None) -> str:
    """One table cell: numbers right-aligned with their full precision on hover."""
    if numeric:
        title = f' title="{html.escape(full)}"' if full else ""
        return f'<td style="text-align: right; white-space: nowrap"{title}>{html.escape(text)}</td>'
    style = "min-width: 16em" if len(text) > _NOWRAP_CHARS else "white-space: nowrap"
    return f'<td style="{style}">{html.escape(text)}</td>'


def frame_to_html(
    frame: pd.DataFrame | pd.Series,
    *,
    framework: Framework | None = None,
    lang: Lang = "zh",
    digits: int = 3,
    caption: str | None = None,
    max_rows: int = 60,
    max_chars: int = 120,
    headers: Mapping[str, str] | None = None,
) -> str:
    """Render a tidy frame as a readable HTML table.

    Parameters
    ----------
    frame
        Any frame (a Series is shown as one column). It is not changed.
    framework
        Dimensions whose ids are shown as labels (default
        :data:`~analysis.core.dimensions.SERVICE_FIVE`).
    lang
        ``"zh"``: Chinese headers, dimension labels, method and reason names; ``"en"``:
        English headers and dimension labels.
    digits
        Decimals shown for non-integer numbers. Display only: each rounded number keeps
        its full precision in the cell's ``title`` (shown on hover); p values below
        ``10**-digits`` show as ``< 0.001`` (p values keep at least two decimals); whole
        counts show without decimals.
    caption
        Title shown above the table.
    max_rows
        Rows shown; a note says how many were left out.
    max_chars
        Longer texts are cut to this many characters (``0`` keeps them whole).
    headers
        Headers for particular columns, overriding the built-in ones
        (``{"term": "模型项"}``).

    Returns
    -------
    str
        An HTML ``<table>`` (in a ``<div>``). Each header carries the original column name
        as its ``title`` (shown on hover), so readers can find it in code. Every cell,
        header and the caption are escaped.

    Raises
    ------
    InputError
        ``frame`` is not a DataFrame or Series.
    ConfigError
        ``lang``, ``digits`` or ``max_rows`` is invalid.

    Notes
    -----
    A column holds dimension ids when it is named ``dimension``, ``predicted``, ``label``
    or ``*_dimension``, or when all its values are ids of the framework; wide frames with
    dimension ids as column names or index get labelled headers. Missing values show as
    ``—``, booleans as 是/否 (yes/no), infinities as ∞.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"dimension": ["reform"], "p_adj": [0.0001234]})
    >>> html_text = frame_to_html(frame)
    >>> "服务改革" in html_text and "校正 p 值" in html_text and "&lt; 0.001" in html_text
    True
    """
    if isinstance(frame, pd.Series):
        frame = frame.to_frame()
    if not isinstance(frame, pd.DataFrame):
        raise InputError(
            f"frame_to_html: expected a pandas DataFrame or Series; got {type(frame).__name__}"
        )
    _check_options(lang, digits, max_rows, "frame_to_html")
    names, header_texts, rows = _display_cells(
        frame.iloc[:max_rows],
        framework=framework,
        lang=lang,
        digits=digits,
        max_chars=max_chars,
        headers=headers,
    )
    head = [
        f'<th title="{html.escape(name)}" style="white-space: nowrap">{html.escape(header)}</th>'
        for name, header in zip(names, header_texts, strict=True)
    ]
    body = []
    for row in rows:
        cells = [_td(text, numeric, full) for text, numeric, full in row]
        body.append("<tr>" + "".join(cells) + "</tr>")

    parts = ['<div class="analysis-table">', '<table class="dataframe">']
    if caption:
        parts.append(f'<caption style="caption-side: top">{html.escape(caption)}</caption>')
    parts.append("<thead><tr>" + "".join(head) + "</tr></thead>")
    parts.append("<tbody>" + "".join(body) + "</tbody>")
    parts.append("</table>")
    if len(frame) > max_rows:
        note = (
            f"共 {len(frame)} 行，显示前 {max_rows} 行。"
            if lang == "zh"
            else f"Showing the first {max_rows} of {len(frame)} rows."
        )
        parts.append(f"<p><small>{html.escape(note)}</small></p>")
    elif len(frame) == 0:
        note = "（空表）" if lang == "zh" else "(no rows)"
        parts.append(f"<p><small>{html.escape(note)}</small></p>")
    parts.append("</div>")
    return "\n".join(parts)


def frame_to_table(
    frame: pd.DataFrame | pd.Series,
    *,
    title: str,
    note: str = "",
    framework: Framework | None = None,
    lang: Lang = "zh",
    digits: int = 2,
    headers: Mapping[str, str] | None = None,
) -> Table:
    """A frame as a report table, labelled and rounded as in :func:`frame_to_html`.

    Parameters
    ----------
    frame
        Any frame (a Series is one column); every row is kept. It is not changed.
    title, note
        Shown above and below the table in the report.
    framework, lang, digits, headers
        As in :func:`frame_to_html` (``digits`` defaults to 2, as in reports).

    Returns
    -------
    analysis.report.document.Table
        ``columns`` are the display headers and ``rows`` the display texts (unescaped:
        each renderer escapes for its format). Put it in a
        :class:`~analysis.report.document.Section` of a
        :class:`~analysis.report.document.ReportDocument` and write it with
        :func:`analysis.report.render.write_html` or ``write_docx``.

    Raises
    ------
    InputError
        ``frame`` is not a DataFrame or Series.
    ConfigError
        ``lang`` or ``digits`` is invalid.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"dimension": ["members"], "mean": [3.7]})
    >>> table = frame_to_table(frame, title="均值")
    >>> table.columns, table.rows
    (('维度', '均值'), (('服务党员', '3.70'),))
    """
    from analysis.report.document import Table

    if isinstance(frame, pd.Series):
        frame = frame.to_frame()
    if not isinstance(frame, pd.DataFrame):
        raise InputError(
            f"frame_to_table: expected a pandas DataFrame or Series; got {type(frame).__name__}"
        )
    _check_options(lang, digits, 1, "frame_to_table")
    _, header_texts, rows = _display_cells(
        frame, framework=framework, lang=lang, digits=digits, max_chars=0, headers=headers
    )
    return Table(
        title=title,
        columns=tuple(header_texts),
        rows=tuple(tuple(cell[0] for cell in row) for row in rows),
        note=note,
    )


# ====================================================================== results


def _summary_of(result: Any, lang: Lang) -> Any:
    """What a result's ``summary`` gives, or None when it has none."""
    summary = getattr(result, "summary", None)
    if not callable(summary):
        return None
    try:
        return summary(lang=lang)
    except TypeError:
        return summary()


def result_to_html(
    result: Any,
    *,
    framework: Framework | None = None,
    lang: Lang = "zh",
    digits: int = 3,
    max_rows: int = 20,
) -> str:
    """Render a result object: its title, its summary sentences and each of its tables.

    Parameters
    ----------
    result
        A result object of the toolkit (``CompareResult``, ``EntropyIndex``,
        ``ModelResult``, ``ChiSquareResult``, ``LexiconValidation``, ``SurveyData`` …) or
        any dataclass holding frames.
    framework
        Dimensions for labels; defaults to the result's own ``framework`` attribute, then
        :data:`~analysis.core.dimensions.SERVICE_FIVE`.
    lang, digits, max_rows
        As in :func:`frame_to_html` (``max_rows`` per table).

    Returns
    -------
    str
        HTML: a heading, the text of ``summary(lang=...)`` when the object has one (one
        paragraph per line), then one captioned table per DataFrame attribute: headline
        tables (``summary``, ``test``, ``table``, ``fit``) first, row-level detail
        (``predictions``, ``cells``, ``responses``, ``missing``) last.

    Raises
    ------
    ConfigError
        ``lang``, ``digits`` or ``max_rows`` is invalid.
    """
    _check_options(lang, digits, max_rows, "result_to_html")
    fw = framework if framework is not None else getattr(result, "framework", None)
    fw = fw if isinstance(fw, Framework) else SERVICE_FIVE
    side = 0 if lang == "zh" else 1
    name = type(result).__name__
    title = _RESULT_TITLES.get(name, (name, name))[side]
    parts = [f"<h4>{html.escape(title)} <small>({html.escape(name)})</small></h4>"]
    options = {"framework": fw, "lang": lang, "digits": digits, "max_rows": max_rows}

    summary = _summary_of(result, lang)
    if isinstance(summary, str):
        parts += [f"<p>{html.escape(line)}</p>" for line in summary.splitlines() if line]
    elif isinstance(summary, pd.DataFrame):
        parts.append(frame_to_html(summary, **options))

    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        fields = sorted(dataclasses.fields(result), key=lambda f: _FIELD_ORDER.get(f.name, 2))
        for f in fields:
            value = getattr(result, f.name)
            if isinstance(value, pd.DataFrame):
                caption = _FIELD_TITLES.get(f.name, (f.name, f.name))[side]
                headers = {"term": ("模型项", "Term")[side]} if f.name == "coefficients" else None
                parts.append(frame_to_html(value, caption=caption, headers=headers, **options))
    return "\n".join(parts)


# ====================================================================== wrappers


@dataclass(frozen=True)
class LabelledFrame:
    """A frame that shows itself as a labelled HTML table in Jupyter.

    Built by :func:`show`. ``frame`` is the original object, unchanged; the other
    attributes are the display options of :func:`frame_to_html`.
    """

    frame: pd.DataFrame
    framework: Framework | None = None
    lang: Lang = "zh"
    digits: int = 3
    caption: str | None = None
    max_rows: int = 60
    max_chars: int = 120

    def to_html(self) -> str:
        """The HTML table (see :func:`frame_to_html`)."""
        return frame_to_html(
            self.frame,
            framework=self.framework,
            lang=self.lang,
            digits=self.digits,
            caption=self.caption,
            max_rows=self.max_rows,
            max_chars=self.max_chars,
        )

    def _repr_html_(self) -> str:
        return self.to_html()

    def to_frame(self) -> pd.DataFrame:
        """The frame shown, full precision and unchanged."""
        return self.frame

    def __repr__(self) -> str:
        return repr(self.frame)


@dataclass(frozen=True)
class LabelledResult:
    """A result object that shows its summary and tables as HTML in Jupyter.

    Built by :func:`show`; ``result`` is the original object.
    """

    result: Any
    framework: Framework | None = None
    lang: Lang = "zh"
    digits: int = 3
    max_rows: int = 20

    def to_html(self) -> str:
        """The HTML (see :func:`result_to_html`)."""
        return result_to_html(
            self.result,
            framework=self.framework,
            lang=self.lang,
            digits=self.digits,
            max_rows=self.max_rows,
        )

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        return repr(self.result)


def show(
    obj: Any,
    *,
    framework: Framework | None = None,
    lang: Lang = "zh",
    digits: int = 3,
    caption: str | None = None,
    max_rows: int | None = None,
) -> LabelledFrame | LabelledResult:
    """Show a frame or a result object as a readable table in Jupyter.

    Parameters
    ----------
    obj
        A DataFrame or Series (shown as one table), or a result object of the toolkit
        (shown as its summary and tables).
    framework
        Dimensions whose ids are shown as labels (default
        :data:`~analysis.core.dimensions.SERVICE_FIVE`).
    lang
        ``"zh"`` (default) or ``"en"``.
    digits
        Decimals shown; the data keep full precision.
    caption
        Title above a frame's table.
    max_rows
        Rows shown per table (default 60 for a frame, 20 per table of a result).

    Returns
    -------
    LabelledFrame or LabelledResult
        An object Jupyter displays through ``_repr_html_``; ``.to_html()`` gives the HTML
        and ``LabelledFrame.to_frame()`` the unchanged frame.

    Raises
    ------
    ConfigError
        An option is invalid.

    Examples
    --------
    >>> import pandas as pd
    >>> shown = show(pd.DataFrame({"dimension": ["masses"], "mean": [3.14159]}))
    >>> "服务群众" in shown._repr_html_() and "3.142" in shown._repr_html_()
    True
    """
    if isinstance(obj, pd.Series):
        obj = obj.to_frame()
    if isinstance(obj, pd.DataFrame):
        rows = 60 if max_rows is None else max_rows
        _check_options(lang, digits, rows, "show")
        return LabelledFrame(
            obj, framework=framework, lang=lang, digits=digits, caption=caption, max_rows=rows
        )
    rows = 20 if max_rows is None else max_rows
    _check_options(lang, digits, rows, "show")
    return LabelledResult(obj, framework=framework, lang=lang, digits=digits, max_rows=rows)


# ====================================================================== reports


@dataclass(frozen=True)
class ReportPreview:
    """An HTML report shown inside a notebook, in a sandboxed frame.

    Built by :func:`preview_report`.
    """

    path: Path
    height: int = 600

    def _repr_html_(self) -> str:
        source = self.path.read_text(encoding="utf-8")
        return (
            f'<iframe srcdoc="{html.escape(source, quote=True)}" sandbox="" '
            f'title="{html.escape(self.path.name, quote=True)}" '
            f'style="width: 100%; height: {self.height}px; border: 1px solid #ccc"></iframe>'
        )

    def __repr__(self) -> str:
        return f"ReportPreview({str(self.path)!r})"


def preview_report(path: str | PathLike[str], *, height: int = 600) -> ReportPreview:
    """Show an HTML report written by the toolkit inside a notebook.

    Parameters
    ----------
    path
        An HTML file, e.g. ``<output>/report.html`` from :func:`~analysis.run_study`.
    height
        Height of the frame in pixels.

    Returns
    -------
    ReportPreview
        Jupyter displays the report in an ``<iframe>`` whose ``srcdoc`` holds the whole
        file (escaped), sandboxed so that nothing in it runs; the file is read when shown.

    Raises
    ------
    InputError
        ``path`` is not an existing ``.html`` file.
    ConfigError
        ``height`` is not a positive integer.
    """
    file = Path(path)
    if not file.is_file() or file.suffix.lower() not in (".html", ".htm"):
        raise InputError(
            f"preview_report: {str(file)!r} is not an HTML file (expected an existing .html)",
            file=file,
        )
    if isinstance(height, bool) or not isinstance(height, numbers.Integral) or height < 1:
        raise ConfigError(
            f"The 'height' parameter of preview_report must be an integer >= 1. "
            f"Got {height!r} instead."
        )
    return ReportPreview(file, int(height))
