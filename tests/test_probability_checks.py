"""Calibration and label-share checks of a classifier's probabilities."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import brier_score_loss

from analysis.core.errors import InputError
from analysis.text.probability_checks import calibration_summary, one_hot, share_errors

CLASSES = ["a", "b", "c"]
Y = ["a", "b", "c", "a"]
P = np.array([[0.7, 0.2, 0.1], [0.1, 0.6, 0.3], [0.3, 0.3, 0.4], [0.2, 0.5, 0.3]])


def test_calibration_error_by_hand() -> None:
    # top probabilities 0.7, 0.6, 0.4 right and 0.5 wrong, each alone in its bin:
    # (|1 - 0.7| + |1 - 0.6| + |1 - 0.4| + |0 - 0.5|) / 4
    got = calibration_summary(Y, P, CLASSES)
    assert got["ece"] == pytest.approx(0.45)
    assert got["accuracy"] == pytest.approx(0.75)
    assert got["mean_confidence"] == pytest.approx(0.55)


def test_texts_in_one_bin_are_pooled_before_the_gap_is_taken() -> None:
    # both tops fall in [0.6, 0.7): one right, one wrong; the bin's gap is |0.5 - 0.65|
    proba = np.array([[0.6, 0.4], [0.7 - 1e-9, 0.3 + 1e-9]])
    got = calibration_summary(["x", "y"], proba, ["x", "y"])
    assert got["ece"] == pytest.approx(0.15)
    # per-text gaps would give (0.4 + 0.7) / 2 = 0.55: pooling matters
    assert got["ece"] != pytest.approx(0.55)


def test_a_certain_right_label_is_perfectly_calibrated() -> None:
    got = calibration_summary(["b", "a"], np.array([[0.0, 1.0], [1.0, 0.0]]), ["a", "b"])
    assert got == {"ece": 0.0, "brier": 0.0, "mean_confidence": 1.0, "accuracy": 1.0}


def test_brier_score_agrees_with_scikit_learn() -> None:
    rng = np.random.default_rng(4)
    proba = rng.dirichlet(np.ones(3), size=50)
    y = rng.choice(CLASSES, size=50).tolist()
    expected = brier_score_loss(y, proba, labels=CLASSES, scale_by_half=False)
    assert calibration_summary(y, proba, CLASSES)["brier"] == pytest.approx(expected)


def test_shares_over_the_set_and_by_document() -> None:
    docs = ["d1", "d1", "d2", "d2"]
    pred = one_hot(["a", "b", "a", "a"], CLASSES)  # d2's 'c' is read as 'a'
    got = share_errors(Y, pred, docs, CLASSES)
    assert got["true_share"] == {"a": 0.5, "b": 0.25, "c": 0.25}
    assert got["estimated_share"] == {"a": 0.75, "b": 0.25, "c": 0.0}
    assert got["max_abs_error"] == pytest.approx(0.25)
    # d1 exact; d2: |1 - 0.5| + |0 - 0| + |0 - 0.5| over three labels
    assert got["document_mae"] == pytest.approx((0 + 1 / 3) / 2)
    assert got["document_max_mae"] == pytest.approx(1 / 3)


def test_mean_probabilities_are_a_share_estimate_too() -> None:
    got = share_errors(Y, P, ["d"] * 4, CLASSES)
    assert got["estimated_share"] == pytest.approx({"a": 0.325, "b": 0.4, "c": 0.275})


def test_mismatched_inputs_are_named() -> None:
    with pytest.raises(InputError, match="do not match 4 texts and 3 classes"):
        calibration_summary(Y, P[:3], CLASSES)
    with pytest.raises(InputError, match="4 texts but 3 document ids"):
        share_errors(Y, P, ["d"] * 3, CLASSES)


def test_one_hot_leaves_unknown_labels_empty() -> None:
    assert one_hot(["b", "z"], CLASSES).tolist() == [[0, 1, 0], [0, 0, 0]]
