"""Fisher's exact test of independence for small tables, as R's ``fisher.test``.

A 2x2 table gets R's conditional maximum-likelihood odds ratio and its exact interval; an
r x c table gets the exact p value, summed over every table with the observed margins
that is no more probable than the one observed (the criterion of R's FEXACT, with its
relative tolerance 1e-7).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from analysis.core import apa
from analysis.core.errors import InputError, check_columns, check_option
from analysis.core.words import Lang
from analysis.report.display import Displayable

__all__ = ["FisherResult", "fisher_test"]

REL_ERR = 1 + 1e-7  # R: d <= d_obs * (1 + 10^-7)
MAX_WORK = 400_000  # about 1-2 s; larger tables: chi_square


@dataclass(frozen=True)
class FisherResult(Displayable):
    """Result of :func:`fisher_test`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row: ``p_value``, ``n``, ``n_rows``, ``n_cols``, ``alternative`` and, for a 2x2
        table, ``odds_ratio`` (conditional MLE), ``ci_low``, ``ci_high``.
    counts : pandas.DataFrame
        The cross-table tested.
    params : Mapping
    """

    table: pd.DataFrame
    counts: pd.DataFrame
    params: Mapping[str, Any]

    def summary(self, lang: Lang = "zh") -> str:
        """APA sentence, e.g. ``Fisher's exact test: p = .021, OR = 6.41, 95% CI [...]``."""
        check_option("lang", lang, ("zh", "en"), owner="FisherResult.summary")
        r = self.table.iloc[0]
        text = apa.format_p(r["p_value"])
        if "odds_ratio" in r and pd.notna(r["odds_ratio"]):
            text += f", OR = {apa.format_number(r['odds_ratio'])}, " + apa.format_ci(
                r["ci_low"], r["ci_high"], float(self.params["conf_level"])
            )
        shape = f"{int(r['n_rows'])}×{int(r['n_cols'])}"
        row, col = self.params["row"], self.params["col"]
        if lang == "zh":
            return f"{row} 与 {col} 的 Fisher 精确检验（{shape} 表，N = {int(r['n'])}）：{text}。"
        return f"Fisher's exact test of {row} by {col} ({shape} table, N = {int(r['n'])}): {text}."


def fisher_test(
    data: pd.DataFrame,
    row: str,
    col: str,
    *,
    weights: str | None = None,
    alternative: Literal["two-sided", "greater", "less"] = "two-sided",
    conf_level: float = 0.95,
) -> FisherResult:
    """Fisher's exact test of independence, as R's ``fisher.test``.

    Parameters
    ----------
    data
        One row per respondent, or one row per cell with a count column in ``weights``.
    row, col
        The two categorical columns.
    weights
        Optional column of whole counts per row.
    alternative
        For 2x2 tables: ``"two-sided"``, ``"greater"`` (odds ratio above 1) or ``"less"``;
        larger tables are tested two-sided only.
    conf_level
        Level of the odds-ratio interval (2x2).

    Returns
    -------
    FisherResult

    Raises
    ------
    InputError
        A column is missing, the table is smaller than 2x2, counts are not whole, or the
        table is too large to enumerate (use :func:`analysis.chi_square`).

    Notes
    -----
    Conditional on both margins the table follows the (multivariate) hypergeometric law.
    The two-sided p sums P(T) over the tables with P(T) ≤ P(observed) (1 + 10⁻⁷) (R's
    criterion). For 2x2 tables, the odds ratio is the conditional MLE (the mean of the
    noncentral hypergeometric equals the observed count) and its interval inverts the
    noncentral hypergeometric tails (Fisher, 1962), as ``fisher.test``. R finds these roots
    with ``uniroot`` (Brent, tolerance ε^¼ ≈ 1.2e-4 on ψ or on 1/ψ); we run Brent's method
    on the same brackets with the same tolerance, so the odds ratio and its limits agree
    with R's to about 2e-5 relative (the exact roots can differ from R's by up to that
    tolerance, for an upper limit in the hundreds by almost 1%). Larger
    tables are enumerated column by column with the distribution of the partial
    log-probabilities memoised by the remaining row totals (the network idea of Mehta &
    Patel, 1983, without its bounds).

    References
    ----------
    Mehta, C. R., & Patel, N. R. (1983). A network algorithm for performing Fisher's exact
    test in r x c contingency tables. *JASA, 78*(382), 427-434.
    """
    check_columns(data, [row, col] + ([weights] if weights else []), owner="fisher_test")
    check_option("alternative", alternative, ("two-sided", "greater", "less"), owner="fisher_test")
    frame = data[[row, col]].copy()
    frame["_w"] = pd.to_numeric(data[weights], errors="coerce") if weights else 1.0
    frame = frame.dropna()
    counts = frame.pivot_table(
        index=row, columns=col, values="_w", aggfunc="sum", fill_value=0, observed=True
    )
    obs = counts.to_numpy(dtype=float)
    if obs.shape[0] < 2 or obs.shape[1] < 2:
        raise InputError(
            f"fisher_test: {row!r} x {col!r} gives a {obs.shape[0]}x{obs.shape[1]} table; "
            "need at least 2x2"
        )
    if not np.allclose(obs, np.round(obs)):
        raise InputError("fisher_test: counts must be whole numbers (weights are not counts)")
    table = np.round(obs).astype(np.int64)
    out: dict[str, Any] = {
        "n": int(table.sum()),
        "n_rows": table.shape[0],
        "n_cols": table.shape[1],
        "alternative": alternative,
    }
    if table.shape == (2, 2):
        out.update(_two_by_two(table, alternative, conf_level))
    else:
        if alternative != "two-sided":
            raise InputError("fisher_test: one-sided tests exist for 2x2 tables only")
        out["p_value"] = _rxc_pvalue(table)
    params = {"row": row, "col": col, "weights": weights, "conf_level": conf_level}
    return FisherResult(table=pd.DataFrame([out]), counts=counts, params=params)


# --------------------------------------------------------------------------- 2 x 2


def _two_by_two(table: np.ndarray, alternative: str, conf_level: float) -> dict[str, float]:
    from scipy import optimize
    from scipy.stats import hypergeom

    m = int(table[:, 0].sum())
    n = int(table[:, 1].sum())
    k = int(table[0, :].sum())
    x = int(table[0, 0])
    lo, hi = max(0, k - n), min(k, m)
    support = np.arange(lo, hi + 1)
    logdc = hypergeom.logpmf(support, m + n, m, k)

    def dens(psi: float) -> np.ndarray:
        d = logdc + np.log(psi) * support
        d = np.exp(d - d.max())
        return d / d.sum()

    def mean(psi: float) -> float:
        if psi == 0:
            return float(lo)
        if np.isinf(psi):
            return float(hi)
        return float((support * dens(psi)).sum())

    def cdf(psi: float, upper: bool) -> float:
        if psi == 0:
            return float(x <= lo if upper else x >= lo)
        if np.isinf(psi):
            return float(x <= hi if upper else x >= hi)
        d = dens(psi)
        return float(d[support >= x].sum() if upper else d[support <= x].sum())

    def root(fn: Any) -> float:
        # R: uniroot(fn, c(0, 1)) for ψ ≤ 1, else 1 / uniroot(fn(1/t), c(eps, 1)); brentq is
        # the same Brent zeroin, given R's tolerance (tol/2 + 2 eps |x|), so it returns R's
        # root, not just one within R's tolerance of the true one
        tol = np.finfo(float).eps ** 0.25
        rtol = 4 * np.finfo(float).eps
        if fn(1.0) == 0:
            return 1.0
        if fn(0.0) * fn(1.0) < 0:
            return float(optimize.brentq(fn, 0.0, 1.0, xtol=tol, rtol=rtol))
        t = optimize.brentq(lambda s: fn(1 / s), np.finfo(float).eps, 1.0, xtol=tol, rtol=rtol)
        return float(1 / t)

    def mle() -> float:
        if x == lo:
            return 0.0
        if x == hi:
            return float("inf")
        return root(lambda psi: mean(psi) - x)

    def upper_limit(alpha: float) -> float:
        if x == hi:
            return float("inf")
        return root(lambda psi: cdf(psi, upper=False) - alpha)

    def lower_limit(alpha: float) -> float:
        if x == lo:
            return 0.0
        return root(lambda psi: cdf(psi, upper=True) - alpha)

    if alternative == "less":
        p = cdf(1.0, upper=False)
        ci = (0.0, upper_limit(1 - conf_level))
    elif alternative == "greater":
        p = cdf(1.0, upper=True)
        ci = (lower_limit(1 - conf_level), float("inf"))
    else:
        d = dens(1.0)
        p = float(d[d <= d[x - lo] * REL_ERR].sum())
        alpha = (1 - conf_level) / 2
        ci = (lower_limit(alpha), upper_limit(alpha))
    return {"p_value": min(p, 1.0), "odds_ratio": mle(), "ci_low": ci[0], "ci_high": ci[1]}


# --------------------------------------------------------------------------- r x c


def _rxc_pvalue(table: np.ndarray) -> float:
    """Exact two-sided p of an r x c table with R's criterion P(T) ≤ P(obs)(1 + 1e-7).

    Columns are filled one at a time. The "past" of a partial table is Σ -log n_ij! over
    the columns filled; partial tables with the same row totals left share one node, their
    pasts kept as arrays. A past whose best completion is still improbable enough counts
    with all its completions at once (their total is closed-form), one whose least
    probable completion is too probable is dropped, and only the rest are extended.
    """
    if table.shape[0] > table.shape[1]:
        table = table.T  # fewer rows: fewer compositions per column
    rows = tuple(int(v) for v in table.sum(axis=1))
    cols = [int(v) for v in table.sum(axis=0)]
    total = sum(rows)
    lf = np.array([math.lgamma(i + 1) for i in range(total + 1)])
    const = float(lf[list(rows)].sum() + lf[cols].sum() - lf[total])
    limit = const - float(lf[table.ravel()].sum()) + math.log(REL_ERR)
    later = np.concatenate([np.cumsum(lf[cols][::-1])[::-1], [0.0]])  # Σ log c! from j on

    @functools.lru_cache(maxsize=200_000)
    def bounds(j: int, rem: tuple[int, ...]) -> tuple[float, float, float]:
        """(lowest, highest) Σ -log n! over completions from column j, and log Σ e^(...)."""
        left = sum(rem)
        low = max(-later[j], -float(lf[list(rem)].sum()))
        high = sum(_even_best(c, rem, lf) for c in cols[j:])
        log_all = float(lf[left] - lf[list(rem)].sum() - later[j])
        return low, high, log_all

    p = 0.0
    nodes: dict[tuple[int, ...], tuple[np.ndarray, np.ndarray]] = {rows: (np.zeros(1), np.ones(1))}
    work = 0
    for j in range(len(cols)):
        following: dict[tuple[int, ...], list[tuple[np.ndarray, np.ndarray]]] = {}
        for rem, (past, weight) in nodes.items():
            for cell in _compositions(cols[j], rem):
                work += past.size
                if work > MAX_WORK:
                    raise InputError(
                        "fisher_test: the table is too large to enumerate exactly; use chi_square"
                    )
                new_rem = tuple(r - v for r, v in zip(rem, cell, strict=True))
                vals = past - float(lf[list(cell)].sum())
                if j == len(cols) - 1:
                    keep = vals + const <= limit
                    p += float((weight[keep] * np.exp(vals[keep] + const)).sum())
                    continue
                low, high, log_all = bounds(j + 1, new_rem)
                settled = vals + high + const <= limit
                if settled.any():
                    p += float((weight[settled] * np.exp(vals[settled] + const + log_all)).sum())
                open_ = ~settled & (vals + low + const <= limit)
                if open_.any():
                    following.setdefault(new_rem, []).append((vals[open_], weight[open_]))
        nodes = {rem: _merge(parts) for rem, parts in following.items()}
    return float(min(p, 1.0))


def _merge(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Pool equal pasts (to 1e-9) of partial tables that reached the same node."""
    vals = np.concatenate([v for v, _ in parts])
    weights = np.concatenate([w for _, w in parts])
    keys, inverse = np.unique(np.round(vals, 9), return_inverse=True)
    return keys, np.bincount(inverse, weights=weights)


def _even_best(total: int, caps: tuple[int, ...], lf: np.ndarray) -> float:
    """Largest Σ -log n_i! with Σ n_i = total, n_i ≤ caps (fill the emptiest cell first)."""
    n = [0] * len(caps)
    for _ in range(total):
        i = min((k for k in range(len(caps)) if n[k] < caps[k]), key=lambda k: n[k])
        n[i] += 1
    return -float(lf[n].sum())


def _compositions(total: int, caps: tuple[int, ...]) -> list[tuple[int, ...]]:
    """Every way to split ``total`` into len(caps) parts with part i ≤ caps[i]."""
    if len(caps) == 1:
        return [(total,)] if total <= caps[0] else []
    room = sum(caps[1:])
    out = []
    for first in range(max(0, total - room), min(total, caps[0]) + 1):
        out.extend((first, *rest) for rest in _compositions(total - first, caps[1:]))
    return out
