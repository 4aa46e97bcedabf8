"""Results and reports shown in Jupyter, as labelled HTML.

In a notebook::

    import analysis as an
    an.show(scores)                  # any tidy frame, with Chinese labels
    an.show(reliability, lang="en")  # English headers and labels
    an.show(result)                  # a result object: its summary and each of its tables
    an.preview_report(path)          # an HTML report written by the toolkit

Tables are built by :func:`~analysis.report.formatting.frame_to_html`; the objects shown keep
the original frame or result unchanged.

Public names: :func:`show`, :func:`result_to_html`, :func:`preview_report`,
:class:`LabelledFrame`, :class:`LabelledResult`, :class:`ReportPreview`.
"""

from __future__ import annotations

import dataclasses
import html
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.core.apa import format_level
from analysis.core.dimensions import SERVICE_FIVE, Framework
from analysis.core.errors import ConfigError, InputError
from analysis.core.words import COLUMN_LABELS, Lang
from analysis.report.formatting import _check_options, frame_to_html

__all__ = [
    "Displayable",
    "LabelledFrame",
    "LabelledResult",
    "ReportPreview",
    "preview_report",
    "result_to_html",
    "show",
]

# result classes and fields, for headings
_RESULT_TITLES: Mapping[str, tuple[str, str]] = {
    "CompareResult": ("组间比较", "Group comparison"),
    "ChiSquareResult": ("卡方独立性检验", "Chi-square test of independence"),
    "DesignResult": ("基于抽样设计的估计", "Design-based estimates"),
    "EntropyIndex": ("熵权法综合指数", "Entropy-weight index"),
    "ModelResult": ("模型估计", "Model estimates"),
    "MixedModelResult": ("线性混合模型", "Linear mixed model"),
    "RegressionResult": ("线性回归", "Linear regression"),
    "LexiconValidation": ("词典与人工编码的一致性", "Lexicon against hand coding"),
    "BaselineResult": ("监督学习基线", "Supervised baseline"),
    "DimensionTable": ("维度 × 组别命中列联表", "Dimension by group table of hits"),
    "SurveyData": ("问卷数据", "Survey data"),
    "Lexicon": ("词典", "Lexicon"),
    "CfaResult": ("验证性因子分析", "Confirmatory factor analysis"),
    "BrantResult": ("比例优势假设的 Brant 检验", "Brant test of proportional odds"),
    "CorrelationResult": ("相关检验", "Correlation test"),
    "CorrelationMatrix": ("相关矩阵", "Correlation matrix"),
    "FisherResult": ("Fisher 精确检验", "Fisher's exact test"),
    "FactorialResult": ("多因素方差分析", "Factorial ANOVA"),
    "InvarianceResult": ("测量等值性检验", "Measurement invariance"),
}
_FIELD_TITLES: Mapping[str, tuple[str, str]] = {
    "table": ("总体检验", "Omnibus tests"),
    "posthoc": ("事后两两比较", "Post hoc pairs"),
    "pairs": ("两两结果", "Pairs"),
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
    "random": ("随机效应方差成分", "Random effects"),
    "nesting": ("组内相关与设计效应", "ICC and design effect"),
    "predictions": ("逐段预测", "Predictions"),
    "confusion": ("混淆矩阵", "Confusion matrix"),
    "metrics": ("各维度指标", "Metrics per dimension"),
    "summary": ("摘要", "Summary"),
    "folds": ("各折结果", "Folds"),
    "responses": ("答卷", "Responses"),
    "missing": ("缺失类型", "Missing answers"),
    "quarantine": ("隔离表", "Quarantine"),
    "exclusions": ("排除记录", "Exclusions"),
    "loadings": ("标准化因子载荷", "Standardised loadings"),
    "reliability": ("组合信度与平均方差抽取量", "Composite reliability and AVE"),
    "fornell_larcker": ("Fornell-Larcker 判别效度", "Fornell-Larcker criterion"),
    "htmt": ("HTMT 判别效度", "Heterotrait-monotrait ratio (HTMT)"),
    "modification_indices": ("修正指数", "Modification indices"),
    "matrix": ("相关矩阵", "Matrix"),
    "groups": ("各组样本量", "Groups"),
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
        As in :func:`~analysis.report.formatting.frame_to_html` (``max_rows`` per table).

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
    interval_headers = _interval_headers(result, lang)

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
                headers = dict(interval_headers)
                if f.name == "coefficients":
                    headers["term"] = ("模型项", "Term")[side]
                parts.append(
                    frame_to_html(value, caption=caption, headers=headers or None, **options)
                )
    return "\n".join(parts)


def _interval_headers(result: Any, lang: Lang) -> dict[str, str]:
    """Headers of interval columns that name the result's confidence level (``95% CI 下限``)."""
    params = getattr(result, "params", None)
    level = params.get("conf_level") if isinstance(params, Mapping) else None
    if not isinstance(level, numbers.Real):
        return {}
    shown = format_level(float(level))
    side = 0 if lang == "zh" else 1
    return {
        col: COLUMN_LABELS[col][side].replace("CI", f"{shown} CI", 1)
        for col in ("ci_low", "ci_high", "effect_ci_low", "effect_ci_high")
    }


class Displayable:
    """Mixin: a result object of the toolkit shows itself in Jupyter.

    Every result class inherits it, so all of them render in one style
    (:func:`result_to_html`): a heading, the summary sentences, then one captioned table per
    frame, with Chinese headers and dimension labels. ``analysis.show(result, lang="en")``
    gives the same in English.
    """

    __slots__ = ()

    def _repr_html_(self) -> str:
        return result_to_html(self)


# ====================================================================== wrappers


@dataclass(frozen=True)
class LabelledFrame:
    """A frame that shows itself as a labelled HTML table in Jupyter.

    Built by :func:`show`. ``frame`` is the original object, unchanged; the other
    attributes are the display options of :func:`~analysis.report.formatting.frame_to_html`.
    """

    frame: pd.DataFrame
    framework: Framework | None = None
    lang: Lang = "zh"
    digits: int = 3
    caption: str | None = None
    max_rows: int = 60
    max_chars: int = 120

    def to_html(self) -> str:
        """The HTML table (see :func:`~analysis.report.formatting.frame_to_html`)."""
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
