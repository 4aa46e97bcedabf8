"""Polychoric correlations of ordered items (two-step maximum likelihood), as ``psych``.

Answers on a 5-point scale are ordered categories of an underlying continuous attitude; the
polychoric correlation is the correlation of the two latent normals that, cut at thresholds,
give the observed two-way table. :func:`polychoric` follows ``psych::polychoric`` (psych 2.2)
with its defaults: thresholds from each item's own marginal proportions
(:math:`\\tau = \\Phi^{-1}` of the cumulative proportions, ``global = TRUE``), then for every
pair the correlation that maximises the multinomial likelihood of the pair's table (cells of
probability zero left out), and a smoothed matrix (``cor.smooth``) when the result is not
positive definite. When the items do not share their number of answer categories psych turns
to per-pair thresholds with 0.5 added to empty cells (``correct = 0.5``); so does this.

The bivariate normal probabilities come from Owen's T function (exact to machine precision),
and each correlation is found to 1e-10, where psych's ``optimize`` stops at about 1e-4:
the two agree to that.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, special

from analysis.core.errors import DataQualityWarning, InputError
from analysis.stats.answer_table import AnswerTable, answer_table

__all__ = [
    "MAX_CATEGORIES",
    "PolychoricResult",
    "alpha_from_corr",
    "polychoric",
    "polychoric_from_table",
]

#: psych's ``max.cat``: beyond this many answer categories the items are treated as continuous.
MAX_CATEGORIES = 8


@dataclass(frozen=True)
class PolychoricResult:
    """Polychoric correlations (``rho``, items x items), thresholds (``tau``, items x cuts),
    the number of respondents (``n``) and whether the matrix was smoothed."""

    rho: pd.DataFrame
    tau: pd.DataFrame
    n: int
    smoothed: bool


def _bvn_cdf(h: np.ndarray, k: np.ndarray, rho: float) -> np.ndarray:
    """P(X <= h, Y <= k) for standard bivariate normals with correlation ``rho``.

    Owen (1956): Φ2 = ½Φ(h) + ½Φ(k) − T(h, a_h) − T(k, a_k) − β, with
    a_h = (k − ρh)/(h√(1−ρ²)), a_k = (h − ρk)/(k√(1−ρ²)), β = ½ when hk < 0 (or hk = 0 and
    h + k < 0). Infinite limits are handled first.
    """
    h, k = np.broadcast_arrays(np.asarray(h, float), np.asarray(k, float))
    out = np.zeros(h.shape)
    finite = np.isfinite(h) & np.isfinite(k)
    out[(h == np.inf) & (k == np.inf)] = 1.0
    hi_h = (h == np.inf) & np.isfinite(k)
    out[hi_h] = special.ndtr(k[hi_h])
    hi_k = (k == np.inf) & np.isfinite(h)
    out[hi_k] = special.ndtr(h[hi_k])
    if finite.any():
        a, b = h[finite], k[finite]
        a = np.where(a == 0, 1e-15, a)
        b = np.where(b == 0, 1e-15, b)
        s = np.sqrt((1 - rho) * (1 + rho))
        t = special.owens_t(a, (b - rho * a) / (a * s)) + special.owens_t(
            b, (a - rho * b) / (b * s)
        )
        beta = np.where(a * b < 0, 0.5, 0.0)
        out[finite] = 0.5 * special.ndtr(a) + 0.5 * special.ndtr(b) - t - beta
    return out


def _cell_probs(rho: float, row_cuts: np.ndarray, col_cuts: np.ndarray) -> np.ndarray:
    r = np.concatenate([[-np.inf], row_cuts, [np.inf]])
    c = np.concatenate([[-np.inf], col_cuts, [np.inf]])
    cdf = _bvn_cdf(r[:, None], c[None, :], rho)
    return np.diff(np.diff(cdf, axis=0), axis=1)


def _pair_rho(tab: np.ndarray, row_cuts: np.ndarray, col_cuts: np.ndarray) -> float:
    """The ML correlation of one two-way table (proportions), thresholds fixed."""

    def neg_loglik(rho: float) -> float:
        p = _cell_probs(rho, row_cuts, col_cuts)
        ok = (p > 0) & (tab > 0)
        return -float(np.sum(tab[ok] * np.log(p[ok])))

    res = optimize.minimize_scalar(
        neg_loglik, bounds=(-0.99999, 0.99999), method="bounded", options={"xatol": 1e-10}
    )
    return float(res.x)


def _pair(tab: np.ndarray, row_cuts: np.ndarray, col_cuts: np.ndarray) -> float:
    """psych's default: the items' own thresholds; NA when no one answered both."""
    total = tab.sum()
    return _pair_rho(tab / total, row_cuts, col_cuts) if total > 0 else float("nan")


def _pair_local(tab: np.ndarray) -> float:
    """psych without global thresholds: the pair's own, empty rows and columns dropped,
    0.5 in empty cells (``correct = 0.5``)."""
    total = tab.sum()
    tab = tab[tab.sum(axis=1) > 0][:, tab.sum(axis=0) > 0]
    if total == 0 or min(tab.shape) < 2:
        return float("nan")
    tab = tab / total
    tab[tab == 0] = 0.5 / total
    return _pair_rho(tab, _cuts(tab.sum(axis=1)), _cuts(tab.sum(axis=0)))


def _table(x: np.ndarray, y: np.ndarray, n_cat: int) -> np.ndarray:
    ok = ~(np.isnan(x) | np.isnan(y))
    idx = (x[ok].astype(int) - 1) * n_cat + (y[ok].astype(int) - 1)
    return np.bincount(idx, minlength=n_cat * n_cat).reshape(n_cat, n_cat).astype(float)


def _cuts(freq: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return special.ndtri(np.cumsum(freq / freq.sum())[:-1])


def smooth_corr(r: np.ndarray) -> np.ndarray:
    """``psych::cor.smooth``: raise eigenvalues below 100 eps, rescale, back to correlations."""
    vals, vecs = np.linalg.eigh(r)
    eps = np.finfo(float).eps
    vals = np.where(vals < 100 * eps, 100 * eps, vals)
    vals = vals * len(r) / vals.sum()
    out = (vecs * vals) @ vecs.T
    d = np.sqrt(np.diag(out))
    return out / np.outer(d, d)


def polychoric(data: pd.DataFrame) -> PolychoricResult:
    """Polychoric correlations of ordered items, as ``psych::polychoric(x)``.

    Parameters
    ----------
    data
        Respondents x items, whole-number answers (NaN for missing; each correlation uses the
        respondents who answered both items).

    Returns
    -------
    PolychoricResult

    Raises
    ------
    InputError
        Answers that are not whole numbers, more than :data:`MAX_CATEGORIES` categories, or
        an item with a single answer.

    Warns
    -----
    DataQualityWarning
        The matrix was not positive definite and was smoothed.
    """
    x = data.to_numpy(dtype="float64")
    items = [str(c) for c in data.columns]
    table = answer_table(x)
    if table is not None:  # every count below from the answer patterns, not the rows
        return _from_table(table, items, stacklevel=4)
    seen = x[~np.isnan(x)]
    if seen.size == 0 or np.any(seen != np.round(seen)):
        raise InputError("polychoric: answers must be whole-number categories")
    x = x - seen.min() + 1
    n_cat = int(np.nanmax(x))
    if n_cat > MAX_CATEGORIES:
        raise InputError(
            f"polychoric: {n_cat} answer categories; polychoric correlations are for ordered "
            f"items with at most {MAX_CATEGORIES} (treat the items as continuous)"
        )
    flat = [
        it for it, col in zip(items, x.T, strict=True) if np.unique(col[~np.isnan(col)]).size < 2
    ]
    if flat:
        raise InputError(f"polychoric: items with a single answer: {', '.join(flat)}")
    maxima = np.nanmax(x, axis=0)
    freq = np.stack([np.bincount(c[~np.isnan(c)].astype(int) - 1, minlength=n_cat) for c in x.T])
    n = int((~np.isnan(x)).any(axis=1).sum())
    return _estimate(items, maxima, freq, lambda i, j: _table(x[:, i], x[:, j], n_cat), n, 3)


def polychoric_from_table(table: AnswerTable, items: list[str]) -> PolychoricResult:
    """:func:`polychoric` from the counts of the answer patterns of the items
    (:func:`~analysis.stats.answer_table.answer_table`): the same result."""
    return _from_table(table, [str(i) for i in items], stacklevel=4)


def _from_table(table: AnswerTable, items: list[str], *, stacklevel: int) -> PolychoricResult:
    """:func:`polychoric` from the counts of the answer patterns: the same one- and
    two-way tables, summed over cells instead of counted over rows."""
    n_cat = table.counts.shape[0] - 1
    if n_cat > MAX_CATEGORIES:
        raise InputError(
            f"polychoric: {n_cat} answer categories; polychoric correlations are for ordered "
            f"items with at most {MAX_CATEGORIES} (treat the items as continuous)"
        )
    k = table.counts.ndim
    freq = np.stack([np.diag(table.pair(j, j))[1:] for j in range(k)])
    flat = [it for it, f in zip(items, freq, strict=True) if np.count_nonzero(f) < 2]
    if flat:
        raise InputError(f"polychoric: items with a single answer: {', '.join(flat)}")
    # the highest answer given to each item, as a code from 1
    maxima = np.array([np.flatnonzero(f).max() + 1.0 for f in freq])
    n = int(table.counts.sum() - table.counts[(0,) * k])
    return _estimate(
        items, maxima, freq, lambda i, j: table.pair(i, j)[1:, 1:].astype(float), n, stacklevel
    )


def _estimate(
    items: list[str],
    maxima: np.ndarray,
    freq: np.ndarray,
    pair_table: Callable[[int, int], np.ndarray],
    n: int,
    stacklevel: int,
) -> PolychoricResult:
    """Thresholds, each pair's correlation (from its two-way table) and the smoothing
    (its warning ``stacklevel`` frames up, at the caller of :func:`polychoric`)."""
    same = bool(np.all(maxima == maxima[0]))
    tau = np.stack([_cuts(f) for f in freq])
    k = len(items)
    rho = np.eye(k)
    for i in range(1, k):
        for j in range(i):
            tab = pair_table(i, j)
            rho[i, j] = rho[j, i] = _pair(tab, tau[i], tau[j]) if same else _pair_local(tab)
    smoothed = not np.isnan(rho).any() and np.linalg.eigvalsh(rho).min() < np.finfo(float).eps
    if smoothed:
        warnings.warn(
            "polychoric: the correlation matrix is not positive definite and was smoothed "
            "(as psych::cor.smooth); some items may be near-duplicates or answered by few",
            DataQualityWarning,
            stacklevel=stacklevel,
        )
        rho = smooth_corr(rho)
    return PolychoricResult(
        rho=pd.DataFrame(rho, index=items, columns=items),
        tau=pd.DataFrame(tau, index=items, columns=[str(c) for c in range(1, freq.shape[1])]),
        n=n,
        smoothed=smoothed,
    )


def alpha_from_corr(r: np.ndarray | pd.DataFrame) -> float:
    """Alpha of a correlation matrix, :math:`\\frac{k}{k-1}(1 - k/\\mathbf 1'R\\mathbf 1)`:
    ordinal alpha when ``r`` is polychoric (Zumbo, Gadermann & Zeisser, 2007), as
    ``psych::alpha(polychoric(x)$rho)``."""
    r = np.asarray(r, dtype=float)
    k = len(r)
    return float(k / (k - 1) * (1 - np.trace(r) / r.sum())) if k > 1 else float("nan")
