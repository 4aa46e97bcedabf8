"""Residents' open answers by dimension: one label per answer and its shares per question.

Every non-empty answer gets one label. Where the packaged classifier was trained with the
lexicon in use, the classifier labels it (ensemble, the whole answer as one passage), so an
everyday answer such as "停车太难了" gets a dimension or ``none``; otherwise the lexicon
labels it by its strongest dimension (weighted hits, ties to the dimension listed first),
and an answer that matches no term is ``none``. Reports show ``none`` as 未归类
(unclassified). :func:`label_shares` counts the labels per question and group; the shares
of a question and group, ``none`` included, sum to 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.core.errors import ConfigError

__all__ = ["NONE", "label_answers", "label_shares", "lexicon_labels"]

NONE = "none"


def lexicon_labels(scores: pd.DataFrame, dims: Sequence[str]) -> pd.DataFrame:
    """One label per answer from ``score_texts`` rows: the strongest dimension, or ``none``.

    Returns ``doc_id`` and ``label``, one row per document of ``scores``.
    """
    wide = (
        scores.pivot_table(
            index="doc_id", columns="dimension", values="weighted_hits", aggfunc="sum"
        )
        .reindex(columns=list(dims))
        .fillna(0.0)
    )
    values = wide.to_numpy(dtype=float)
    best = np.asarray(dims, dtype=object)[values.argmax(axis=1)] if len(values) else []
    label = np.where(values.max(axis=1) > 0, best, NONE) if len(values) else []
    return pd.DataFrame({"doc_id": wide.index.to_numpy(), "label": list(label)})


def label_answers(
    docs: pd.DataFrame, scores: pd.DataFrame, lexicon: Any, segmenter: Any
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Label every answer of ``docs`` (``doc_id``, ``text``, ``group``, ``question``).

    Returns the labels (``doc_id``, ``respondent_id``, ``group``, ``question``, ``label``,
    ``method``; no text) and what the run records about the method.
    """
    from analysis.text.classifier import default_classifier
    from analysis.text.classify import classify_texts

    keys = docs[["doc_id", "respondent_id", "group", "question"]]
    try:
        info = default_classifier().info_
    except ConfigError:  # a packaged model trained with another version of its lexicon
        info = {}
    if (lexicon.name, lexicon.version) == (info.get("lexicon"), info.get("lexicon_version")):
        clf = default_classifier()
        method = "ensemble"
        # an answer is a sentence or two: one passage, as the classifier was validated on
        # only the label is kept: the evidence strings are not worked out (n_evidence=0);
        # the answers' lexicon hits are in open_hits
        labels = classify_texts(
            docs[["doc_id", "text"]],
            method,
            classifier=clf,
            lexicon=lexicon,
            segmenter=segmenter,
            n_evidence=0,
        )[["doc_id", "label"]]
        record: dict[str, Any] = {
            "method": method,
            "training_fingerprint": info.get("training_fingerprint"),
        }
    else:
        method = "lexicon"
        labels = lexicon_labels(scores, lexicon.framework.ids)
        record = {
            "method": method,
            "note": f"no validated classifier for lexicon {lexicon.name} {lexicon.version}; "
            "answers labelled by their strongest dimension",
        }
    out = keys.merge(labels, on="doc_id", how="left")
    out["label"] = out["label"].fillna(NONE)
    out["method"] = method
    return out, record


def label_shares(labels: pd.DataFrame, dims: Sequence[str]) -> pd.DataFrame:
    """Share of answers per label, per question and group, ``none`` included.

    Returns
    -------
    DataFrame
        ``question``, ``group``, ``label`` (every dimension, then ``none``), ``n`` (answers
        of the question and group), ``count`` and ``share`` (``count / n``; the shares of a
        question and group sum to 1), ``method``.
    """
    kinds = [*dims, NONE]
    columns = ["question", "group", "label", "n", "count", "share", "method"]
    if not len(labels):
        return pd.DataFrame(columns=columns)
    counts = (
        labels.groupby(["question", "group", "label"], sort=False, dropna=False)
        .size()
        .unstack("label", fill_value=0)
        .reindex(columns=kinds, fill_value=0)
    )
    long = counts.stack().rename("count").reset_index()
    long["n"] = long.groupby(["question", "group"], dropna=False)["count"].transform("sum")
    long["share"] = long["count"] / long["n"]
    long["method"] = str(labels["method"].iloc[0])
    return long[columns]
