"""The coverage simulation of ``scripts/bootstrap_coverage.py`` on a population made up here."""

from __future__ import annotations

import numpy as np
import pytest
from script_module import load_script

sim = load_script("bootstrap_coverage")


def _population(n_docs: int = 60, per_doc: int = 8) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(5)
    labels = np.array(sim.LABELS, dtype=object)
    groups = np.repeat([f"d{i}" for i in range(n_docs)], per_doc)
    y = rng.choice(labels, n_docs * per_doc)
    # documents differ in difficulty, as real ones do
    right = rng.random(n_docs * per_doc) < np.repeat(rng.uniform(0.4, 0.95, n_docs), per_doc)
    pred = np.where(right, y, rng.choice(labels, n_docs * per_doc))
    return y, pred, groups


def test_coverage_counts_every_study_once_and_is_reproducible() -> None:
    y, pred, groups = _population()
    kw = {"n_docs": 20, "n_studies": 12, "n_boot": 200, "seed": 1}
    result = sim.coverage(y, pred, groups, **kw)
    for interval in sim.INTERVALS:
        shares = result[interval]
        total = shares["coverage"] + shares["truth_above_interval"] + shares["truth_below_interval"]
        assert total == pytest.approx(1.0)
    assert result == sim.coverage(y, pred, groups, **kw)
    # the true figure is the population's macro-F1
    from sklearn.metrics import f1_score

    assert result["true_macro_f1"] == pytest.approx(
        f1_score(y, pred, labels=sim.LABELS, average="macro")
    )


def test_perfect_labels_are_always_covered() -> None:
    y, _, groups = _population()
    result = sim.coverage(y, y, groups, n_docs=10, n_studies=5, n_boot=50, seed=0)
    assert result["BCa"]["coverage"] == result["percentile"]["coverage"] == 1.0
    page = sim.render(
        {
            "analysis_version": "0",
            "labels_sha256": "x",
            "population": {"documents": 60, "passages": 480},
            "documents_per_study": 10,
            "studies": 5,
            "resamples": 50,
            "seed": 0,
            "methods": {"model": result},
        }
    )
    assert "| model | 1.000 | 1.000 | 0.00 | BCa | 1.000 | 0.000 | 0.000 |" in page
