"""What the command line and progress bars say, and a run's counts, in Chinese and English.

Part of the project's one vocabulary (:mod:`analysis.core.words` re-exports these names);
split from it to keep each vocabulary module small.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

Lang = Literal["zh", "en"]

__all__ = ["COUNT_LABELS", "MESSAGES", "counts_line", "message"]


#: What the command line and progress bars say: key -> (Chinese, English).
MESSAGES: Mapping[str, tuple[str, str]] = {
    "wrote_files": ("已写出 {n} 个文件，位于 {path}", "wrote {n} files to {path}"),
    "counts": ("计数：", "counts: "),
    "encoding": ("编码：{text}", "encoding: {text}"),
    "read_as": ("{name} 按 {enc} 读取", "{name} read as {enc}"),
    "documents_read_as": ("文档按 {encodings} 读取", "documents read as {encodings}"),
    "note": ("说明：{text}", "note: {text}"),
    "few_documents": (
        "文本比较：{n} 个社区的文档少于 {min} 篇，只作描述、不作检验：",
        "text comparisons: {n} communities with fewer than {min} documents are described, "
        "not tested: ",
    ),
    "no_problems": ("{path}：未发现问题", "{path}: no problems found"),
    "created": ("已创建 {path}", "created {path}"),
    "wrote": ("已写出 {path}", "wrote {path}"),
    "warning": ("警告：", "warning: "),
    "error": ("错误：", "error: "),
    "interrupted": ("已中断", "interrupted"),
    "step": ("步骤：{name}", "step: {name}"),
    "original": ("  原文：{text}", "  original: {text}"),
    "dashboard": ("Dask 监控面板：{link}", "Dask dashboard: {link}"),
    # analysis coding: a coding round on a study's own documents
    "coding_drawn": (
        "从 {documents} 篇文档的 {population} 个段落中抽取了 {drawn} 个",
        "drew {drawn} of {population} passages from {documents} documents",
    ),
    "coding_agreement": (
        "{n} 个段落：一致率 {agreement:.3f}，Cohen's kappa {kappa:.3f}，"
        "Krippendorff's alpha {alpha:.3f}，分歧 {disagreements} 个",
        "{n} passages: agreement {agreement:.3f}, Cohen's kappa {kappa:.3f}, "
        "Krippendorff's alpha {alpha:.3f}, {disagreements} disagreements",
    ),
    "coding_adjudicate": (
        "请在 {path} 的 label 列裁定分歧，再加 --adjudicated {path} 重新运行",
        "decide the disagreements in {path} (column label), then run again with "
        "--adjudicated {path}",
    ),
    "coding_figure": (
        "{figure}：macro-F1 {f1:.3f}（95% CI {lo:.3f}–{hi:.3f}），准确率 {accuracy:.3f}，"
        "{n} 个段落、{documents} 篇文档",
        "{figure}: macro-F1 {f1:.3f} (95% CI {lo:.3f}-{hi:.3f}), accuracy {accuracy:.3f}, "
        "{n} passages of {documents} documents",
    ),
    "coding_sample_figure": ("样本", "sample"),
    "coding_weighted_figure": ("全部段落（按抽样权重）", "all passages (sampling weights)"),
    # progress bars: the bar, its unit and the steps of a run
    "bar_run": ("运行研究", "analysis run"),
    "bar_step": ("步", "step"),
    "bar_reports": ("社区报告", "community reports"),
    "step_survey": ("问卷", "survey"),
    "step_texts": ("文本", "texts"),
    "step_open answers": ("开放题", "open answers"),
    "step_compare": ("社区比较", "compare"),
    "step_privacy": ("隐私保护", "privacy"),
    "step_figures": ("绘图", "figures"),
}

#: The counts of a run (``StudyResult.manifest["counts"]``): key -> (Chinese, English).
COUNT_LABELS: Mapping[str, tuple[str, str]] = {
    "survey_rows": ("问卷读入行数", "survey_rows"),
    "survey_quarantined": ("隔离行数", "survey_quarantined"),
    "survey_excluded": ("质量筛查排除", "survey_excluded"),
    "survey_respondents": ("纳入分析的受访者", "survey_respondents"),
    "survey_no_group": ("未填社区的受访者", "survey_no_group"),
    "documents": ("纳入分析的文本", "documents"),
    "documents_quarantined": ("隔离的文本", "documents_quarantined"),
    "open_answers": ("开放题回答", "open_answers"),
    "values_masked": ("遮蔽的个人信息", "values_masked"),
}


def message(key: str, lang: Lang, **kw: object) -> str:
    """The message ``key`` in ``lang``, formatted with ``kw``.

    Examples
    --------
    >>> message("wrote_files", "zh", n=3, path="out")
    '已写出 3 个文件，位于 out'
    """
    text = MESSAGES[key][0 if lang == "zh" else 1]
    return text.format(**kw) if kw else text


def counts_line(counts: Mapping[str, object], lang: Lang) -> str:
    """A run's counts on one line.

    ``计数：问卷读入行数 1363，…`` in Chinese, ``counts: survey_rows=1363, …`` in English.
    """
    if lang == "zh":
        parts = [f"{COUNT_LABELS.get(k, (k, k))[0]} {v}" for k, v in counts.items()]
        return message("counts", lang) + "，".join(parts)
    return message("counts", lang) + ", ".join(f"{k}={v}" for k, v in counts.items())
