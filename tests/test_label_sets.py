"""Multi-label output and its check against the coders' secondary labels."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import f1_score
from sklearn.preprocessing import MultiLabelBinarizer

from analysis.core.errors import InputError
from analysis.text.label_sets import label_set, label_set_summary, secondary_errors

CLASSES = ["a", "b", "c", "none"]


def test_the_primary_comes_first_then_labels_over_the_threshold() -> None:
    row = np.array([0.15, 0.45, 0.32, 0.08])
    assert label_set(row, CLASSES, "b", 0.3) == ["b", "c"]
    # a rule's primary need not be the most probable label
    assert label_set(row, CLASSES, "a", 0.3) == ["a", "b", "c"]
    assert label_set(row, CLASSES, "b", 0.5) == ["b"]


def test_summary_by_hand() -> None:
    y = ["a", "b", "c", "none"]
    secondary = ["b", "", "a", ""]
    predicted = [["a", "b"], ["b", "c"], ["a"], ["none"]]
    got = label_set_summary(y, secondary, predicted)
    # per-text F1: {a,b}/{a,b} 1; {b}/{b,c} 2/3; {c,a}/{a} 2/3; {none}/{none} 1
    assert got["samples_f1"] == pytest.approx((1 + 2 / 3 + 2 / 3 + 1) / 4)
    # secondary labels b (listed) and a (listed, as the primary)
    assert got["secondary_recall"] == 1.0
    # extras: b (the coders' secondary: right), c (not given: wrong)
    assert got["extra_precision"] == 0.5
    assert got["mean_labels"] == 1.5
    assert got["n_secondary"] == 2


def test_samples_f1_agrees_with_scikit_learn() -> None:
    rng = np.random.default_rng(4)
    y = rng.choice(CLASSES, 300).tolist()
    secondary = [rng.choice(["", *CLASSES]) for _ in y]
    secondary = ["" if s == t else str(s) for s, t in zip(secondary, y, strict=True)]
    proba = rng.dirichlet(np.ones(4), size=300)
    primary = [CLASSES[k] for k in proba.argmax(axis=1)]
    predicted = [label_set(proba[i], CLASSES, primary[i], 0.25) for i in range(300)]
    binarise = MultiLabelBinarizer(classes=CLASSES)
    gold = binarise.fit_transform(
        [{t} | ({s} if s else set()) for t, s in zip(y, secondary, strict=True)]
    )
    expected = f1_score(gold, binarise.transform(predicted), average="samples")
    assert label_set_summary(y, secondary, predicted)["samples_f1"] == pytest.approx(expected)


def test_errors_on_the_secondary_label_are_counted() -> None:
    got = secondary_errors(["a", "b", "c", "a"], ["b", "", "a", "c"], ["b", "b", "none", "c"])
    assert got == {"errors": 3, "on_secondary": 2}


def test_mismatched_lengths_are_refused() -> None:
    with pytest.raises(InputError, match="secondary"):
        label_set_summary(["a"], [], [["a"]])
    with pytest.raises(InputError, match="predicted"):
        label_set_summary(["a", "b"], ["", ""], [["a"]])
    with pytest.raises(InputError, match="predictions"):
        secondary_errors(["a"], [""], [])
