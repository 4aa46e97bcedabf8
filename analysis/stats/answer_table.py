"""Counts of every answer pattern of a few items, for moments without passes over the rows.

Survey items take a handful of whole-number answers. For the k items of a dimension, every
respondent's answers (or their absence) are one cell of a table with ``levels + 1`` rows
per item; :func:`answer_table` counts the respondents in each cell in one pass over the
rows. Every pairwise count, sum and centred cross-product, the complete cases' moments and
the two-way tables behind polychoric correlations are then sums over this table: a few
thousand cells instead of millions of rows, and exact, because sums of whole numbers are
exact in floating point.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["AnswerTable", "answer_table"]

#: Largest table counted (cells over all items): 6 answers + missing, 7 items is 823,543.
MAX_CELLS = 1 << 20


@dataclass(frozen=True, eq=False)
class AnswerTable:
    """Respondents per answer pattern of k items.

    Attributes
    ----------
    lowest
        The lowest answer of any item: code c >= 1 stands for the answer
        ``lowest + c - 1``; code 0 for no answer.
    counts
        k-dimensional array of ``levels + 1`` codes per axis (axis j is item j).
    """

    lowest: float
    counts: np.ndarray

    @property
    def values(self) -> np.ndarray:
        """The answer of each code (code 0, no answer, as 0.0)."""
        levels = self.counts.shape[0] - 1
        return np.concatenate([[0.0], self.lowest + np.arange(levels, dtype="float64")])

    def pair(self, i: int, j: int) -> np.ndarray:
        """Two-way table of items i and j (codes by codes, missing in row and column 0);
        for i == j the one-way counts on the diagonal."""
        k = self.counts.ndim
        if i == j:
            return np.diag(self.counts.sum(axis=tuple(a for a in range(k) if a != i)))
        tab = self.counts.sum(axis=tuple(a for a in range(k) if a not in (i, j)))
        return tab if i < j else tab.T

    def complete(self) -> np.ndarray:
        """The table of respondents who answered every item (codes from 1)."""
        return self.counts[(slice(1, None),) * self.counts.ndim]


def answer_table(
    x: np.ndarray | Sequence[np.ndarray], *, max_cells: int = MAX_CELLS
) -> AnswerTable | None:
    """Count the answer patterns of the columns of ``x`` (respondents x items, NaN where
    not answered; or the items' columns, each a float array); None unless every answer is
    a whole number and the table stays under ``max_cells`` cells (then the caller works on
    the rows)."""
    if isinstance(x, np.ndarray) and x.ndim == 2:
        columns = [x[:, j] for j in range(x.shape[1])]
    elif isinstance(x, np.ndarray):
        return None
    else:
        columns = [np.asarray(c, dtype="float64") for c in x]
    if not columns or any(c.ndim != 1 or len(c) != len(columns[0]) for c in columns):
        return None
    n, k = len(columns[0]), len(columns)
    if n == 0 or any(c.dtype != np.float64 for c in columns):
        return None
    with np.errstate(invalid="ignore"):
        lowest = float(np.fmin.reduce([np.fmin.reduce(c) for c in columns]))
        highest = float(np.fmax.reduce([np.fmax.reduce(c) for c in columns]))
    # all missing (NaN), an infinite answer or a wide range: not a handful of answers
    if not (np.isfinite(lowest) and np.isfinite(highest)) or highest - lowest > 64:
        return None
    radix = int(highest - lowest) + 2
    if radix**k > max_cells:
        return None
    code = np.zeros(n, dtype=np.intp)
    col = np.empty(n)
    whole = np.empty(n, dtype=np.intp)
    for values in columns:
        np.subtract(values, lowest - 1.0, out=col)
        np.fmax(col, 0.0, out=col)  # no answer (NaN) is code 0, answers from 1
        whole[:] = col  # truncated: a fraction is left over below
        np.subtract(col, whole, out=col)
        if col.any():
            return None
        code *= radix
        code += whole
    counts = np.bincount(code, minlength=radix**k).reshape((radix,) * k)
    return AnswerTable(lowest=lowest, counts=counts)
