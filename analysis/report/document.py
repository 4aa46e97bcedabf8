"""The report document model and the words reports are written in.

A report is built once as a :class:`ReportDocument` (sections of paragraphs, tables and
figures, every value already formatted for display) and then rendered to HTML, DOCX or
XLSX by :mod:`analysis.study.reporting`. Values from data stay plain strings here; each renderer
escapes them for its format.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from analysis.core.words import Lang

__all__ = ["TEXT", "Figure", "ReportDocument", "Section", "Table", "numbered", "t"]


@dataclass(frozen=True)
class Table:
    """A display table: title above, formatted cells, a note below."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""


@dataclass(frozen=True)
class Figure:
    """A figure: PNG bytes and the title shown below it."""

    title: str
    png: bytes
    alt: str = ""


@dataclass(frozen=True)
class Section:
    """A titled section."""

    title: str
    paragraphs: tuple[str, ...] = ()
    tables: tuple[Table, ...] = ()
    figures: tuple[Figure, ...] = ()
    quotes: tuple[str, ...] = ()
    quote_title: str = ""


@dataclass(frozen=True)
class ReportDocument:
    """A whole report, ready to render."""

    title: str
    subtitle: str
    lang: Lang
    sections: tuple[Section, ...]
    colophon: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    #: The running header of a printed page (Word); default: ``title``.
    running_head: str = ""


TEXT: dict[str, dict[str, str]] = {
    "report": {"zh": "研究报告", "en": "Study report"},
    "group_report": {"zh": "社区报告", "en": "Community report"},
    "group_title": {"zh": "{group}调查与文本分析报告", "en": "{group}: community report"},
    "sample": {"zh": "样本与数据质量", "en": "Sample and data quality"},
    "reliability": {"zh": "信度分析", "en": "Reliability"},
    "scores": {"zh": "各维度满意度得分", "en": "Dimension scores"},
    "comparisons": {"zh": "社区间比较", "en": "Comparing communities"},
    "texts": {"zh": "文本中的服务维度", "en": "Service dimensions in the documents"},
    "methods": {"zh": "方法说明", "en": "Methods"},
    "open": {"zh": "居民开放题意见", "en": "What residents wrote"},
    "answers": {"zh": "作答人数", "en": "Answers"},
    "colophon": {"zh": "附：运行信息", "en": "Colophon"},
    "dimension": {"zh": "维度", "en": "Dimension"},
    "community": {"zh": "社区", "en": "Community"},
    "n": {"zh": "样本量", "en": "n"},
    "n_items": {"zh": "题目数", "en": "Items"},
    "alpha": {"zh": "Cronbach's α", "en": "Cronbach's α"},
    "alpha_ci": {"zh": "95% 置信区间", "en": "95% CI"},
    "mean": {"zh": "均值", "en": "Mean"},
    "sd": {"zh": "标准差", "en": "SD"},
    "ci": {"zh": "95% 置信区间", "en": "95% CI"},
    "test": {"zh": "检验", "en": "Test"},
    "statistic": {"zh": "统计量", "en": "Statistic"},
    "df": {"zh": "自由度", "en": "df"},
    "p": {"zh": "p 值", "en": "p"},
    "p_adj": {"zh": "校正 p 值", "en": "Adjusted p"},
    "effect": {"zh": "效应量", "en": "Effect size"},
    "docs": {"zh": "文档数", "en": "Documents"},
    "score_per_k": {"zh": "每千词命中", "en": "Hits per 1,000 tokens"},
    "share": {"zh": "占比", "en": "Share"},
    "count": {"zh": "数量", "en": "Count"},
    "reason": {"zh": "原因", "en": "Reason"},
    "excluded": {"zh": "排除：", "en": "excluded: "},
    "quarantined": {"zh": "隔离：", "en": "quarantined: "},
    "item": {"zh": "项目", "en": "Item"},
    "value": {"zh": "值", "en": "Value"},
    "suppressed": {"zh": "（样本过少，不予显示）", "en": "(too few to show)"},
    "overall": {"zh": "全部社区", "en": "All communities"},
    "rank": {"zh": "排名", "en": "Rank"},
    "evidence": {"zh": "文本证据摘录", "en": "Evidence from the documents"},
    "top_terms": {"zh": "高频维度词", "en": "Most frequent dimension terms"},
    "package": {"zh": "软件版本", "en": "Package version"},
    "git": {"zh": "代码版本（git）", "en": "Git commit"},
    "lexicon": {"zh": "词典", "en": "Lexicon"},
    "input": {"zh": "输入文件", "en": "Input"},
    "fig_radar": {
        "zh": "图 {n}  各社区五个服务维度得分雷达图",
        "en": "Figure {n}. Five service dimensions by community",
    },
    "fig_means": {
        "zh": "图 {n}  各维度得分均值及 95% 置信区间",
        "en": "Figure {n}. Mean scores with 95% confidence intervals",
    },
    "fig_heatmap": {
        "zh": "图 {n}  社区 × 维度得分热力图",
        "en": "Figure {n}. Community × dimension scores",
    },
    "fig_text": {
        "zh": "图 {n}  各社区文本中的服务维度强调程度",
        "en": "Figure {n}. Emphasis of service dimensions in the documents",
    },
    "fig_group_radar": {
        "zh": "图 {n}  本社区与全部社区均值比较",
        "en": "Figure {n}. This community against the overall mean",
    },
    "tab": {"zh": "表 {n}  {title}", "en": "Table {n}. {title}"},
    "other": {"zh": "比较社区", "en": "Other community"},
    "difference": {"zh": "差值（本社区 − 比较社区）", "en": "Difference (this − other)"},
    "pairs_table": {
        "zh": "本社区与其他社区差异显著的维度",
        "en": "Dimensions on which this community differs significantly from others",
    },
    "pairs_note": {
        "zh": "注：差值为本社区均值减比较社区均值；p 值经多重比较校正；仅列出 p < .05 的比较。",
        "en": "Note: difference is this community's mean minus the other's; p adjusted for "
        "multiple comparisons; only pairs with p < .05 are listed.",
    },
    "higher": {"zh": "显著高于{names}", "en": "significantly higher than {names}"},
    "lower": {"zh": "显著低于{names}", "en": "significantly lower than {names}"},
    "pairs_sentence": {
        "zh": "在{dim}维度上，本社区{parts}（差值见表 {n}）。",
        "en": "On {dim}, this community scores {parts} (differences in Table {n}).",
    },
    # a Word footer around its PAGE and NUMPAGES fields, cut at the bars
    "page_of": {"zh": "第 | 页，共 | 页", "en": "Page | of |"},
}


_ZH_NUMERALS = "一二三四五六七八九十"


def numbered(title: str, index: int, lang: Lang) -> str:
    """``title`` numbered as a section heading: ``一、样本`` or ``1. Sample``."""
    if lang == "zh" and index <= len(_ZH_NUMERALS):
        return f"{_ZH_NUMERALS[index - 1]}、{title}"
    return f"{index}. {title}"


#: How each test is named in a methods paragraph.
def t(key: str, lang: Lang, **kw: object) -> str:
    """The text ``key`` in ``lang``, formatted with ``kw``."""
    return TEXT[key][lang].format(**kw) if kw else TEXT[key][lang]
