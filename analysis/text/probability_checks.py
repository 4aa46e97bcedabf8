"""How far a classifier's probabilities and label shares can be trusted, not only its labels.

Researchers rarely report one passage's label: they compare how much of a community's
documents goes to each dimension. Two checks speak to that use. :func:`calibration_summary`
asks whether a stated probability of 0.8 is right about 80% of the time (expected calibration
error over the most probable label, and the multi-class Brier score). :func:`share_errors`
asks how far the share of passages per label, estimated from a classifier's labels or as the
mean of its probabilities, lies from the share of the adjudicated labels: in the whole set
and document by document. A classifier whose errors cancel can estimate shares well with a
modest macro-F1; one that always confuses the same two labels cannot.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.core.errors import InputError

__all__ = ["calibration_summary", "one_hot", "share_errors"]


def one_hot(labels: Sequence[str], classes: Sequence[str]) -> np.ndarray:
    """Indicator matrix of ``labels`` over ``classes`` (a label outside them: a zero row)."""
    pos = {c: i for i, c in enumerate(classes)}
    out = np.zeros((len(labels), len(classes)))
    for row, label in enumerate(labels):
        if label in pos:
            out[row, pos[label]] = 1.0
    return out


def _checked(
    y_true: Sequence[str], proba: np.ndarray, classes: Sequence[str]
) -> tuple[np.ndarray, np.ndarray]:
    proba = np.asarray(proba, dtype=float)
    if proba.ndim != 2 or proba.shape != (len(y_true), len(classes)):
        raise InputError(
            f"probabilities of shape {proba.shape} do not match {len(y_true)} texts and "
            f"{len(classes)} classes"
        )
    return one_hot([str(v) for v in y_true], classes), proba


def calibration_summary(
    y_true: Sequence[str], proba: np.ndarray, classes: Sequence[str], *, n_bins: int = 10
) -> dict[str, float]:
    """Calibration of class probabilities against the true labels.

    Parameters
    ----------
    y_true
        True label of each text.
    proba
        Probabilities, one row per text, columns in the order of ``classes``.
    classes
        The labels of the columns.
    n_bins
        Equal-width bins of the top probability for the calibration error.

    Returns
    -------
    dict
        ``ece``: expected calibration error of the most probable label (Guo et al. 2017,
        "On calibration of modern neural networks", ICML): the passage-weighted mean, over
        bins of the top probability, of the gap between the bin's mean top probability and
        the share of its texts whose top label is right; ``brier``: Brier's (1950)
        multi-class score, the mean over texts of the squared distance between the
        probability row and the true label's indicator (0 best, 2 worst);
        ``mean_confidence`` and ``accuracy`` of the top label.
    """
    truth, proba = _checked(y_true, proba, classes)
    top = proba.max(axis=1)
    right = truth[np.arange(len(proba)), proba.argmax(axis=1)] == 1.0
    # a top probability of exactly 1 belongs to the last bin, not to an extra one
    bins = np.minimum((top * n_bins).astype(int), n_bins - 1)
    ece = 0.0
    for b in np.unique(bins):
        inside = bins == b
        ece += inside.mean() * abs(right[inside].mean() - top[inside].mean())
    return {
        "ece": float(ece),
        "brier": float(((proba - truth) ** 2).sum(axis=1).mean()),
        "mean_confidence": float(top.mean()),
        "accuracy": float(right.mean()),
    }


def share_errors(
    y_true: Sequence[str],
    estimate: np.ndarray,
    groups: Sequence[str],
    classes: Sequence[str],
) -> dict[str, object]:
    """How well per-label shares estimated by a classifier match the true shares.

    Parameters
    ----------
    y_true
        True label of each text.
    estimate
        One row per text over ``classes``: the indicator of the predicted label (see
        :func:`one_hot`) to judge shares counted from labels, or the probabilities to judge
        shares as mean probabilities.
    groups
        The document of each text.
    classes
        The labels of the columns.

    Returns
    -------
    dict
        ``true_share`` and ``estimated_share``: the share of each label over all texts
        (dicts by label); ``max_abs_error``: the largest gap between them; ``document_mae``:
        the mean over documents of the mean absolute gap over labels between a document's
        estimated and true shares; ``document_max_mae``: the largest of those means.
    """
    truth, estimate = _checked(y_true, estimate, classes)
    groups = np.asarray(groups)
    if len(groups) != len(truth):
        raise InputError(f"got {len(truth)} texts but {len(groups)} document ids")
    true_share, est_share = truth.mean(axis=0), estimate.mean(axis=0)
    per_doc = []
    for g in pd.unique(groups):
        rows = groups == g
        per_doc.append(np.abs(estimate[rows].mean(axis=0) - truth[rows].mean(axis=0)).mean())
    return {
        "true_share": dict(zip(classes, true_share.round(6).tolist(), strict=True)),
        "estimated_share": dict(zip(classes, est_share.round(6).tolist(), strict=True)),
        "max_abs_error": float(np.abs(est_share - true_share).max()),
        "document_mae": float(np.mean(per_doc)),
        "document_max_mae": float(np.max(per_doc)),
    }
