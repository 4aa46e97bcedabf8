"""What a report says about documents' main dimensions: counts per community and the method.

The classifier's labels (:func:`analysis.classify_texts`, run by the study pipeline as the
``text_labels`` table) are counted per community, and the methods section states how well
the classifier held on public documents never used for tuning (figures carried in the
model's provenance, ``params["classifier"]``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from analysis.report.document import t
from analysis.report.privacy import suppress_small

__all__ = [
    "answer_label_caption",
    "answer_label_headers",
    "answer_label_note",
    "answer_label_rows",
    "classifier_sentence",
    "label_caption",
    "label_counts",
    "label_headers",
    "open_answer_shares",
]


def label_counts(labels: pd.DataFrame, groups: Sequence[str], dims: Sequence[str]) -> list:
    """Rows ``(community, documents, count per dimension ..., count of none)``."""
    kinds = [*dims, "none"]
    counts = labels.groupby(["group", "label"]).size().unstack(fill_value=0)
    rows = []
    for g in groups:
        if g in counts.index:
            row = counts.loc[g]
            rows.append((str(g), str(int(row.sum())), *[str(int(row.get(k, 0))) for k in kinds]))
    return rows


def label_caption(lang: str) -> str:
    """Caption of the counts table."""
    if lang == "zh":
        return "各社区文件的主要维度（文件数，分类器判定）"
    return "Documents by their main dimension (counts, classifier)"


def label_headers(lang: str, dim_labels: Sequence[str]) -> tuple[str, ...]:
    """Column headings: community, documents, the dimensions, then none."""
    if lang == "zh":
        return ("社区", "文件数", *dim_labels, "无明确维度")
    return ("Community", "Documents", *dim_labels, "none")


#: What each method of ``classify_texts`` is, for the methods sentence: (zh, en).
_HOW = {
    "ensemble": (
        "字符 n 元组与词典证据的逻辑回归，与词典规则集成",
        "logistic regression on character n-grams and lexicon evidence, combined with the "
        "lexicon rule",
    ),
    "model": (
        "字符 n 元组与词典证据的逻辑回归",
        "logistic regression on character n-grams and lexicon evidence",
    ),
    "lexicon": (
        "词典规则：得分最高的维度，证据低于学得的下限记为“无”",
        "the lexicon rule: the strongest dimension, 'none' below a learnt minimum of evidence",
    ),
}
#: The encoder head, a logistic regression or networks (``kind="mlp"``): (zh, en).
_HEADS = {
    "logistic": ("逻辑回归", "logistic regression"),
    "mlp": (
        "小型神经网络（单隐层，三个取平均）",
        "small neural networks (one hidden layer, three averaged)",
    ),
}


def _encoder_how(method: str, kind: str) -> tuple[str, str]:
    """What an encoder method is, with its head's kind, for the methods sentence."""
    zh_head, en_head = _HEADS.get(kind, _HEADS["logistic"])
    zh = f"句子编码器 multilingual-e5-small（4 位量化）向量上的{zh_head}"
    en = f"{en_head} on the vectors of the sentence encoder multilingual-e5-small (4-bit)"
    if method == "encoder_ensemble":
        zh += "，与字符 n 元组模型和词典规则加权集成"
        en += ", combined with the character n-gram model and the lexicon rule"
    return zh, en


def classifier_sentence(params: Mapping[str, Any], lang: str) -> str | None:
    """The methods sentence on the classifier and its held-out macro-F1, if recorded."""
    info = params.get("classifier", {})
    test = info.get("validation", {})
    # passages read with the text around them: the mixture's held-out figures are the ones
    context = info.get("context") or {}
    if context.get("validation", {}).get("test_macro_f1", {}).get(info.get("method", "")):
        test = context["validation"]
    f1 = test.get("test_macro_f1", {}).get(info.get("method", ""), {})
    if not f1:
        return None
    lo, hi = f1["ci95"]
    # models validated since the interval became BCa record the percentile one beside it
    bca = "ci95_percentile" in f1
    # how far label shares, what reports compare, lie from the adjudicated ones (models
    # trained before this was recorded have none)
    share = test.get("test_share_error", {}).get(info.get("method", ""))
    # the calibration of its (tempered) probabilities, recorded by models that have it
    ece = test.get("test_ece", {}).get(info.get("method", ""))
    method = info.get("method", "")
    if method in ("encoder", "encoder_ensemble"):
        # heads saved before the networks record no kind: a logistic regression
        zh_how, en_how = _encoder_how(method, info.get("encoder_head", {}).get("kind", ""))
    else:
        zh_how, en_how = _HOW.get(method, _HOW["ensemble"])
    if test is context.get("validation"):
        zh_how += f"，并参考每个段落前后各 {context['width']} 字的上下文"
        en_how += (
            f", each passage read together with the {context['width']} characters of its "
            "document on either side"
        )
    if lang == "zh":
        return (
            f"每份文件的主要维度由分类器判定（{zh_how}；"
            "文件先切分为段落，各段概率按长度加权平均；无明确维度者记为“无”）。"
            f"在从未用于调优的 {test['test_documents']} 份公开文件的 "
            f"{test['test_passages']} 个段落上，其宏平均 F1 为 {f1['f1']:.2f}"
            f"（按文件自助法{'（BCa）' if bca else ' '}95% 置信区间 {lo:.2f}–{hi:.2f}）"
            + (
                f"，各标签所占段落比例与人工判定的比例相差至多 {share * 100:.1f} 个百分点。"
                if share is not None
                else "。"
            )
            + (
                "各标签概率经温度缩放校准（温度在开发集文件上学得），"
                f"在上述段落上的期望校准误差为 {ece:.2f}。"
                if ece is not None
                else ""
            )
        )
    return (
        f"Each document's main dimension was assigned by the classifier ({en_how}, applied to "
        "passages whose probabilities are averaged by length; 'none' where no dimension "
        f"applies). On {test['test_passages']} passages of "
        f"{test['test_documents']} public documents never used for tuning its macro-F1 was "
        f"{f1['f1']:.2f} (95% document-bootstrap{' BCa' if bca else ''} interval "
        f"{lo:.2f}-{hi:.2f})"
        + (
            f", and the share of passages it gave each label was within {share * 100:.1f} "
            "percentage points of the adjudicated share."
            if share is not None
            else "."
        )
        + (
            " Its probabilities were calibrated by temperature scaling learnt on the "
            "development documents; their expected calibration error on those passages was "
            f"{ece:.2f}."
            if ece is not None
            else ""
        )
    )


def answer_label_rows(
    shares: pd.DataFrame,
    groups: Sequence[str],
    dims: Sequence[str],
    min_cell: int,
    lang: str,
    wording: Mapping[str, str] | None = None,
) -> list:
    """Rows ``(question, community, answers, share per dimension ..., share of none)`` of
    the ``open_label_shares`` table; a question and community with fewer than ``min_cell``
    answers shows its count only. ``wording`` maps question ids to the questions as asked."""
    rows = []
    for qid in dict.fromkeys(shares["question"]):
        of_q = shares[shares["question"] == qid]
        question = (wording or {}).get(str(qid), qid)
        for g in groups:
            sub = of_q[of_q["group"] == g].set_index("label")
            if not len(sub):
                continue
            n = int(sub["n"].max())
            if n < min_cell:
                rows.append((str(question), str(g), str(n), t("suppressed", lang)))
                continue
            cells = [
                f"{float(sub.loc[k, 'share']) * 100:.0f}%" if k in sub.index else "0%"
                for k in [*dims, "none"]
            ]
            rows.append((str(question), str(g), str(n), *cells))
    width = 4 + len(dims)
    return [r + ("",) * (width - len(r)) for r in rows]


def answer_label_caption(lang: str) -> str:
    """Caption of the table of open answers by their one label."""
    if lang == "zh":
        return "各题居民意见的主要维度（占作答人数的比例）"
    return "Residents' answers by their main dimension (share of answers, per question)"


def answer_label_headers(lang: str, dim_labels: Sequence[str], unclassified: str) -> tuple:
    """Column headings: question, community, answers, the dimensions, then unclassified."""
    if lang == "zh":
        return ("题目", "社区", "作答人数", *dim_labels, unclassified)
    return ("Question", "Community", "Answers", *dim_labels, unclassified)


def answer_label_note(lang: str, method: str, min_cell: int) -> str:
    """How the labels were given, and the small-cell rule."""
    if lang == "zh":
        how = (
            "每条意见由分类器（与词典规则集成）判定一个主要维度"
            if method != "lexicon"
            else "每条意见按词典证据最强的维度归类"
        )
        return (
            f"注：{how}，无明确维度者记为“未归类”，各行比例合计为 100%；"
            f"作答少于 {min_cell} 人的题目与社区只显示人数。"
        )
    how = (
        "each answer was given one main dimension by the classifier (ensemble with the "
        "lexicon rule)"
        if method != "lexicon"
        else "each answer was filed under the dimension with the strongest lexicon evidence"
    )
    return (
        f"Note: {how}; answers with no clear dimension are 'Unclassified'; each row sums to "
        f"100%. Questions and communities with fewer than {min_cell} answers show their "
        "count only."
    )


def open_answer_shares(scores: pd.DataFrame | None, min_cell: int) -> pd.DataFrame | None:
    """Answers per group and dimension and the share touching it (``none``: no dimension).

    Returns
    -------
    DataFrame or None
        ``group``, ``dimension``, ``n``, ``share``, ``suppressed`` (groups below
        ``min_cell``); None without answers.
    """
    if scores is None or not len(scores):
        return None
    touched = scores.assign(hit=scores["n_hits"] > 0)
    # 未归类: answers that match no dimension at all
    none = (
        touched.groupby(["group", "doc_id"], sort=False)["hit"]
        .any()
        .groupby("group", sort=False)
        .agg(n="size", share=lambda h: float((~h).mean()))
        .reset_index()
        .assign(dimension="none")
    )
    shares = (
        touched.groupby(["group", "dimension"], sort=False)
        .agg(n=("doc_id", "nunique"), share=("hit", "mean"))
        .reset_index()
    )
    return suppress_small(pd.concat([shares, none], ignore_index=True), min_cell=min_cell)
