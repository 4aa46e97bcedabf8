"""Adjusting p values for multiple testing: one function for every caller.

Post hoc pairs, the omnibus tests of several dimensions, keyness and the indices all adjust
with :func:`adjust_p`, which agrees with :func:`statsmodels.stats.multitest.multipletests`
and R's ``p.adjust``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["P_ADJUST", "adjust_p"]

P_ADJUST = ("holm", "bonferroni", "fdr_bh", "bh", "none", None)


def adjust_p(p: np.ndarray, method: str | None = "holm") -> np.ndarray:
    """Adjust p values for multiple testing; NaN entries are ignored and kept.

    Parameters
    ----------
    p
        Unadjusted p values.
    method
        ``"holm"`` (Holm 1979), ``"bonferroni"``, ``"fdr_bh"``/``"bh"`` (Benjamini-Hochberg
        1995), or ``None``/``"none"``.

    Returns
    -------
    numpy.ndarray
        Adjusted p values (same as :func:`statsmodels.stats.multitest.multipletests`).

    Notes
    -----
    With m tests and sorted p_(1) ≤ … ≤ p_(m): Holm p̃_(i) = max_{j ≤ i} min(1, (m - j + 1)
    p_(j)); BH p̃_(i) = min_{j ≥ i} min(1, m p_(j) / j).
    """
    p = np.asarray(p, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    q = p[ok]
    m = q.size
    if m == 0 or method in (None, "none"):
        out[ok] = q
        return out
    order = np.argsort(q, kind="mergesort")
    sorted_p = q[order]
    rank = np.arange(1, m + 1)
    if method == "holm":
        adj = np.maximum.accumulate(np.minimum(1.0, (m - rank + 1) * sorted_p))
    elif method == "bonferroni":
        adj = np.minimum(1.0, m * sorted_p)
    elif method in ("fdr_bh", "bh"):
        adj = np.minimum.accumulate((m * sorted_p / rank)[::-1])[::-1]
        adj = np.minimum(1.0, adj)
    else:  # pragma: no cover - validated by callers
        raise ValueError(method)
    back = np.empty(m)
    back[order] = adj
    out[ok] = back
    return out
