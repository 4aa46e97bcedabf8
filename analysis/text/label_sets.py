"""Multi-label output: the labels a passage serves, and how well they match its coders'.

A passage can serve two dimensions: the coding rules (``docs/labelling.md``) give each
passage a primary label and, where a second dimension takes up a real part of it, a
secondary one. :func:`label_set` is what ``classify_texts(..., multi_label=True)`` lists: the
primary label, then every other label whose probability reaches a threshold.
:func:`label_set_summary` judges such sets against the coders' primary and secondary labels,
and :func:`secondary_errors` counts the single-label errors that name the coders' secondary
label: errors a reader of the passage could defend.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from analysis.core.errors import InputError

__all__ = ["label_set", "label_set_summary", "secondary_errors"]


def label_set(row: np.ndarray, classes: Sequence[str], primary: str, threshold: float) -> list[str]:
    """``primary``, then every other label whose probability reaches ``threshold``.

    Parameters
    ----------
    row
        One text's probabilities, in the order of ``classes``.
    classes
        The labels of ``row``.
    primary
        The text's label (a method's own rule: the lexicon's comes from its bars, not from
        the most probable label).
    threshold
        Probability a further label needs.

    Returns
    -------
    list of str
        The primary label first, the others by falling probability (ties: ``classes`` order).

    Examples
    --------
    >>> label_set(np.array([0.5, 0.35, 0.15]), ["a", "b", "c"], "a", 0.3)
    ['a', 'b']
    """
    order = np.argsort(-np.asarray(row, dtype=float), kind="stable")
    return [primary] + [classes[k] for k in order if classes[k] != primary and row[k] >= threshold]


def _gold_sets(y_true: Sequence[str], secondary: Sequence[str]) -> list[set[str]]:
    if len(secondary) != len(y_true):
        raise InputError(f"got {len(y_true)} labels but {len(secondary)} secondary labels")
    return [{str(a)} | ({str(b)} if b else set()) for a, b in zip(y_true, secondary, strict=True)]


def label_set_summary(
    y_true: Sequence[str],
    secondary: Sequence[str],
    predicted: Sequence[Sequence[str]],
) -> dict[str, float]:
    """How well predicted label sets match the coders' primary and secondary labels.

    Parameters
    ----------
    y_true
        The coders' (adjudicated) primary label of each text.
    secondary
        Their secondary label of each text, ``""`` where they gave none.
    predicted
        Each text's predicted labels, primary first (as from :func:`label_set`).

    Returns
    -------
    dict
        ``samples_f1``: the mean over texts of the F1 of the predicted set against the
        coders' set (scikit-learn's ``average="samples"``); ``secondary_recall``: of the
        texts the coders gave a secondary label, the share whose predicted set holds it;
        ``extra_precision``: of the labels listed after the primary, the share the coders
        gave (as primary or secondary); ``mean_labels``: labels listed per text;
        ``n_secondary``: texts with a secondary label.
    """
    gold = _gold_sets(y_true, secondary)
    if len(predicted) != len(gold):
        raise InputError(f"got {len(gold)} labels but {len(predicted)} predicted label sets")
    if not gold:
        raise InputError("label_set_summary: no texts")
    listed = [set(p) for p in predicted]
    f1 = [2 * len(g & p) / (len(g) + len(p)) for g, p in zip(gold, listed, strict=True)]
    with_secondary = [i for i, b in enumerate(secondary) if b]
    extras = [(lab, gold[i]) for i, p in enumerate(predicted) for lab in list(p)[1:]]
    return {
        "samples_f1": float(np.mean(f1)),
        "secondary_recall": float(np.mean([secondary[i] in predicted[i] for i in with_secondary]))
        if with_secondary
        else float("nan"),
        "extra_precision": float(np.mean([lab in g for lab, g in extras]))
        if extras
        else float("nan"),
        "mean_labels": float(np.mean([len(p) for p in predicted])),
        "n_secondary": len(with_secondary),
    }


def secondary_errors(
    y_true: Sequence[str], secondary: Sequence[str], y_pred: Sequence[str]
) -> dict[str, int]:
    """Single-label errors, and how many of them name the coders' secondary label.

    Returns
    -------
    dict
        ``errors``: texts whose predicted label is not the primary one; ``on_secondary``:
        those whose predicted label is the coders' secondary label.
    """
    _gold_sets(y_true, secondary)
    if len(y_pred) != len(y_true):
        raise InputError(f"got {len(y_true)} labels but {len(y_pred)} predictions")
    wrong = [(b, p) for a, b, p in zip(y_true, secondary, y_pred, strict=True) if a != p]
    return {"errors": len(wrong), "on_secondary": sum(bool(b) and b == p for b, p in wrong)}
