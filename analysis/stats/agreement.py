"""Agreement between coders: Cohen's kappa and Krippendorff's alpha.

Used to check hand labels (two coders of the same passages) before they validate a
measure; both are checked against published values and the ``krippendorff`` package.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from analysis.core.errors import InputError, check_option

__all__ = ["cohen_kappa", "krippendorff_alpha"]


def cohen_kappa(a: Sequence[Any], b: Sequence[Any]) -> float:
    """Cohen's kappa of two nominal codings of the same units.

    Notes
    -----
    :math:`\\kappa = (p_o - p_e)/(1 - p_e)` with :math:`p_o` the observed agreement and
    :math:`p_e = \\sum_k p_{a,k} p_{b,k}` the agreement expected from the marginals
    (Cohen 1960).
    """
    if len(a) != len(b) or not len(a):
        raise InputError("cohen_kappa needs two codings of the same, non-zero length")
    n = len(a)
    po = sum(x == y for x, y in zip(a, b, strict=True)) / n
    ca, cb = Counter(a), Counter(b)
    pe = sum(ca[k] * cb.get(k, 0) for k in ca) / n**2
    return float("nan") if pe == 1 else (po - pe) / (1 - pe)


Level = Literal["nominal", "ordinal", "interval", "ratio"]


def krippendorff_alpha(
    coder_a: Sequence[Any], coder_b: Sequence[Any], *more: Sequence[Any], level: Level = "nominal"
) -> float:
    """Krippendorff's alpha for two or more coders of the same units.

    Parameters
    ----------
    coder_a, coder_b, *more
        Each coder's values for the same units in the same order; missing values (None,
        NaN) are allowed. Nominal values may be any labels; the other levels need numbers.
    level
        ``"nominal"``, ``"ordinal"``, ``"interval"`` or ``"ratio"``.

    Returns
    -------
    float
        Alpha (1 = perfect agreement, 0 = chance; NaN when there is no variation).

    Notes
    -----
    From the coincidence matrix :math:`o_{ck} = \\sum_u \\#(c,k)_u / (m_u - 1)` over units
    with :math:`m_u \\ge 2` values, :math:`n_c = \\sum_k o_{ck}`,

    .. math:: \\alpha = 1 - (n - 1) \\frac{\\sum_{c,k} o_{ck}\\,\\delta^2_{ck}}
              {\\sum_{c,k} n_c n_k\\,\\delta^2_{ck}}

    with :math:`\\delta^2` 0/1 (nominal), :math:`(c-k)^2` (interval),
    :math:`((c-k)/(c+k))^2` (ratio) and, for ordinal,
    :math:`(\\sum_{g=c}^{k} n_g - (n_c + n_k)/2)^2` (Krippendorff 2011).

    References
    ----------
    Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability.
    """
    check_option(
        "level", level, ("nominal", "ordinal", "interval", "ratio"), owner="krippendorff_alpha"
    )
    coders = [list(coder_a), list(coder_b), *[list(m) for m in more]]
    if len({len(c) for c in coders}) != 1:
        raise InputError("krippendorff_alpha: every coder must code the same units")
    units = [[v for v in unit if not _missing(v)] for unit in zip(*coders, strict=True)]
    units = [u for u in units if len(u) >= 2]
    values = sorted({v for u in units for v in u}, key=_sort_key)
    if len(values) < 2:
        return float("nan")
    if level != "nominal" and not all(isinstance(v, (int, float, np.number)) for v in values):
        raise InputError(f"krippendorff_alpha: level {level!r} needs numeric values")
    index = {v: i for i, v in enumerate(values)}
    o = np.zeros((len(values), len(values)))
    for u in units:
        m = len(u)
        counts = Counter(index[v] for v in u)
        for c, nc in counts.items():
            for k, nk in counts.items():
                o[c, k] += (nc * (nk - (c == k))) / (m - 1)
    nc = o.sum(axis=1)
    n = nc.sum()
    delta = _delta(np.asarray(values, dtype=object), nc, level)
    expected = (np.outer(nc, nc) * delta).sum()
    if expected == 0:
        return float("nan")
    return float(1 - (n - 1) * (o * delta).sum() / expected)


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA


def _sort_key(v: Any) -> tuple[int, Any]:
    return (0, v) if isinstance(v, (int, float, np.number)) else (1, str(v))


def _delta(values: np.ndarray, nc: np.ndarray, level: str) -> np.ndarray:
    k = len(values)
    if level == "nominal":
        return 1.0 - np.eye(k)
    v = values.astype(float)
    if level == "interval":
        return (v[:, None] - v[None, :]) ** 2
    if level == "ratio":
        s = v[:, None] + v[None, :]
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(s == 0, 0.0, ((v[:, None] - v[None, :]) / s) ** 2)
    cum = np.cumsum(nc)
    d = np.zeros((k, k))
    for i in range(k):
        for j in range(k):
            lo, hi = min(i, j), max(i, j)
            between = cum[hi] - (cum[lo - 1] if lo > 0 else 0)
            d[i, j] = (between - (nc[i] + nc[j]) / 2) ** 2
    return d


# --------------------------------------------------------------------------- baseline
