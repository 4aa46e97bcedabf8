"""The tests' own reference for a learnt temperature: out-of-fold probabilities on folds of
whole documents, and the minimum of their log-loss on a grid of T (not the library's
optimiser)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from sklearn.model_selection import GroupKFold

from analysis.text.temperature import mean_log_loss


def grid_temperature(
    frame: pd.DataFrame,
    train: Callable[[pd.DataFrame], object],
    labels: Sequence[str],
    group_column: str,
    bounds: tuple[float, float],
) -> float:
    """The grid point minimising the log-loss of ``train``'s out-of-fold probabilities.

    ``train`` fits a model on part of ``frame`` (columns ``text`` and ``label``); the
    minimum must lie inside ``bounds``, or the grid says nothing.
    """
    texts, y = frame["text"].tolist(), frame["label"].to_numpy()
    oof = np.zeros((len(frame), len(labels)))
    for fit_rows, held_out in GroupKFold(n_splits=5).split(texts, y, frame[group_column]):
        fold = train(frame.iloc[fit_rows])
        proba = fold.predict_proba([texts[i] for i in held_out])  # type: ignore[attr-defined]
        for k, c in enumerate(fold.classes_):  # type: ignore[attr-defined]
            oof[held_out, list(labels).index(c)] = proba[:, k]
    grid = np.exp(np.linspace(np.log(bounds[0]), np.log(bounds[1]), 4001))
    losses = [mean_log_loss(y, oof, labels, t) for t in grid]
    best = int(np.argmin(losses))
    assert 0 < best < len(grid) - 1, "the log-loss has its minimum on the grid's edge"
    return float(grid[best])
