"""The methods section of a study report: what ran, named from the vocabulary.

The tests named are those that actually ran (the ``method`` column of the comparison
tables), the p-value adjustment that of the study, each named by
:mod:`analysis.core.words` in the report's language.
"""

from __future__ import annotations

from typing import Any

from analysis.core.words import method_prose, p_adjust_label
from analysis.report import text_labels
from analysis.report.document import Section, t

__all__ = ["methods_section"]


def _methods_used(inputs: Any, name: str) -> str:
    """The tests that actually ran on table ``name``, named in prose."""
    table = inputs.tables.get(f"{name}_compare")
    if table is None or not len(table):
        return ""
    lang = inputs.lang
    sep = "、" if lang == "zh" else ", "
    tests = sep.join(method_prose(m, lang) for m in dict.fromkeys(table["method"]))  # type: ignore[arg-type]
    post = inputs.tables.get(f"{name}_posthoc")
    posthoc = ""
    if post is not None and len(post):
        posthoc = sep.join(method_prose(m, lang) for m in dict.fromkeys(post["method"]))  # type: ignore[arg-type]
    adj = p_adjust_label(inputs.params.get("compare", {}).get("p_adjust", "holm"), lang)
    if lang == "zh":
        return (
            f"采用{tests}"
            + (f"，事后两两比较采用{posthoc}" if posthoc else "")
            + f"，各维度的 p 值经 {adj}校正"
        )
    return (
        f"used {tests}"
        + (f", with {posthoc} pairwise comparisons" if posthoc else "")
        + f"; p values were adjusted across dimensions with {adj}"
    )


def methods_section(inputs: Any) -> Section:
    lang, p = inputs.lang, inputs.params
    versions = p.get("versions", {})
    lex = p.get("lexicon", {})
    survey, text = _methods_used(inputs, "survey"), _methods_used(inputs, "text")
    classifier = text_labels.classifier_sentence(inputs.params, lang)
    if lang == "zh":
        paras = [
            "维度得分为各维度题目（反向题已反向计分）的均值，答题比例不足规定比例时记为缺失。"
            "信度以 Cronbach's α 衡量，置信区间采用 Feldt 方法。"
            "效应量 ω² 及其置信区间按 R 软件 effectsize 包的非中心 F 方法计算"
            "（Welch 检验后由 Welch F 换算），为单侧区间 [下限, 1]；"
            "两组比较的 Hedges g 采用非中心 t 区间。",
        ]
        if survey:
            paras.append(f"问卷得分的社区间比较{survey}。")
        if text:
            paras.append(f"文本得分的社区间比较{text}。")
        if lex:
            paras.append(
                f"文本以 jieba 私有分词器分词（词典指纹 {lex.get('dict_fingerprint', '')[:12]}），"
                f"按“{lex.get('name')}”词典 {lex.get('version')} 版计分，得分为每千个内容词"
                "中的加权命中数。"
            )
        if classifier:
            paras.append(classifier)
        if versions:
            paras.append("软件：" + "，".join(f"{k} {v}" for k, v in versions.items()) + "。")
    else:
        paras = [
            "A dimension score is the mean of its items (reverse-worded items reversed); it is "
            "missing where too few items were answered. Reliability is Cronbach's alpha with "
            "Feldt confidence intervals. Effect sizes follow R's effectsize package: ω² with "
            "its noncentral-F interval (from the Welch F after Welch's test), one-sided "
            "[lower, 1]; Hedges' g with the noncentral-t interval.",
        ]
        if survey:
            paras.append(f"Comparisons of survey scores between communities {survey}.")
        if text:
            paras.append(f"Comparisons of text scores between communities {text}.")
        if lex:
            paras.append(
                f"Texts were segmented with a private jieba tokenizer (dictionary "
                f"fingerprint {lex.get('dict_fingerprint', '')[:12]}) and scored with the "
                f"lexicon '{lex.get('name')}' version {lex.get('version')}: weighted hits "
                "per 1,000 content tokens."
            )
        if classifier:
            paras.append(classifier)
        if versions:
            paras.append("Software: " + ", ".join(f"{k} {v}" for k, v in versions.items()) + ".")
    return Section(t("methods", lang), tuple(paras))
