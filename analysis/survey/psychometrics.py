"""Check how well each dimension's items hang together: reliability and item analysis.

:func:`reliability` gives Cronbach's alpha (raw and standardised, Feldt interval),
McDonald's omega, KMO and Bartlett's test per dimension; :func:`item_analysis` gives the
item statistics (corrected item-total correlation, alpha if deleted, 区分度 by the
high-low 27% groups). Everything works on the item matrix with numpy: no per-respondent
Python.

Missing answers are handled ``"pairwise"`` (every covariance from the respondents who
answered both items, as R's ``psych::alpha`` does by default) or ``"listwise"`` (only
respondents who answered every item of the dimension); the choice is a parameter and is
written into the output.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from analysis.core.errors import SmallSampleWarning, check_option
from analysis.stats.answer_table import AnswerTable, answer_table
from analysis.stats.item_moments import ItemBlock, ItemMoments, corr_from_cov
from analysis.survey.scores import dimension_block, require_codebook

if TYPE_CHECKING:
    from analysis.survey.reading import SurveyData

__all__ = [
    "alpha_from_cov",
    "item_analysis",
    "item_moments",
    "reliability",
]

Missing = Literal["pairwise", "listwise"]


# --------------------------------------------------------------------------- covariance


def _cov_corr(x: np.ndarray, missing: Missing) -> tuple[np.ndarray, np.ndarray, int]:
    """Covariance and correlation of the columns of ``x`` and the n they rest on."""
    if missing == "listwise":
        x = x[~np.isnan(x).any(axis=1)]
        n = x.shape[0]
        if n < 2:
            k = x.shape[1]
            return np.full((k, k), np.nan), np.full((k, k), np.nan), n
        cov = np.cov(x, rowvar=False, ddof=1)
    else:
        # row-major, as the sums below are taken (their last digits depend on the layout)
        answered = ~np.isnan(x).all(axis=1)
        if not (answered.all() and x.flags.c_contiguous):
            x = x[answered]
        n = x.shape[0]
        block = ItemBlock.from_matrix([str(i) for i in range(x.shape[1])], x)
        return block.covariance("pairwise")[0], block.correlation("pairwise"), n
    return cov, corr_from_cov(cov), n


def alpha_from_cov(cov: np.ndarray) -> float:
    """Cronbach's alpha from a covariance (or, for standardised alpha, correlation) matrix.

    Notes
    -----
    :math:`\\alpha = \\frac{k}{k-1}\\left(1 - \\frac{\\operatorname{tr} C}{\\mathbf 1' C
    \\mathbf 1}\\right)`.
    """
    k = cov.shape[0]
    if k < 2 or np.isnan(cov).any():
        return float("nan")
    total = cov.sum()
    if total <= 0:
        return float("nan")
    return float(k / (k - 1) * (1 - np.trace(cov) / total))


def _feldt(alpha: float, n: int, k: int, level: float = 0.95) -> tuple[float, float]:
    from scipy.stats import f

    if not np.isfinite(alpha) or n < 2 or k < 2:
        return float("nan"), float("nan")
    df1 = n - 1
    df2 = df1 * (k - 1)
    a = 1 - level
    lo = 1 - (1 - alpha) * f.isf(a / 2, df1, df2)
    hi = 1 - (1 - alpha) * f.isf(1 - a / 2, df1, df2)
    return float(lo), float(hi)


def _omega_one_factor(corr: np.ndarray, *, max_iter: int = 1000, tol: float = 1e-9) -> float:
    """McDonald's omega total, as ``psych::omega(x, nfactors = 1)$omega.tot``.

    1 - Σ u² / 1'R1: uniquenesses u² = 1 - λ² of a one-factor principal-axis (minres)
    solution over the observed variance of the sum of standardised items (psych's
    convention), not over the model-implied (Σλ)² + Σu².
    """
    k = corr.shape[0]
    if k < 2 or not np.isfinite(corr).all():
        return float("nan")
    try:
        with np.errstate(all="ignore"):
            h = 1 - 1 / np.diag(np.linalg.inv(corr))  # squared multiple correlations
    except np.linalg.LinAlgError:
        h = np.full(k, 0.5)
    h = np.where(np.isfinite(h), np.clip(h, 0.0, 1.0), 0.5)
    lam = np.zeros(k)
    for _ in range(max_iter):
        r = corr.copy()
        np.fill_diagonal(r, h)
        try:  # pairwise correlations of a few answers need not form a proper matrix
            vals, vecs = np.linalg.eigh(r)
        except np.linalg.LinAlgError:
            return float("nan")
        lam = vecs[:, -1] * np.sqrt(max(vals[-1], 0.0))
        new_h = lam**2
        if np.max(np.abs(new_h - h)) < tol:
            h = new_h
            break
        h = new_h
    unique = np.sum(1 - np.minimum(lam**2, 1.0))
    total = corr.sum()  # observed variance of the sum of standardised items
    if not np.isfinite(unique) or not np.isfinite(total) or total <= 0:
        return float("nan")
    return float(1 - unique / total)


def _kmo_bartlett(corr: np.ndarray, n: int) -> tuple[float, float, float, float]:
    from scipy.stats import chi2

    k = corr.shape[0]
    if k < 2 or not np.isfinite(corr).all() or n < 2:
        return (float("nan"),) * 4
    try:
        with np.errstate(all="ignore"):
            inv = np.linalg.inv(corr)
            sign, logdet = np.linalg.slogdet(corr)
    except np.linalg.LinAlgError:
        return (float("nan"),) * 4
    diag = np.diag(inv)
    if not np.all(np.isfinite(inv)) or np.any(diag <= 0):  # singular in all but name
        return (float("nan"),) * 4
    partial = -inv / np.sqrt(np.outer(diag, diag))
    off = ~np.eye(k, dtype=bool)
    r2 = np.sum(corr[off] ** 2)
    p2 = np.sum(partial[off] ** 2)
    kmo = float(r2 / (r2 + p2)) if r2 + p2 > 0 else float("nan")
    if not sign > 0 or not np.isfinite(logdet):
        return kmo, float("nan"), float("nan"), float("nan")
    stat = float(-(n - 1 - (2 * k + 5) / 6) * logdet)
    df = k * (k - 1) / 2
    return kmo, stat, float(df), float(chi2.sf(stat, df))


# --------------------------------------------------------------------------- reliability


def item_moments(survey: SurveyData) -> ItemMoments:
    """The mergeable item moments of a survey (or of one partition of it).

    Parameters
    ----------
    survey
        A survey read with a codebook (reverse items are already reversed).

    Returns
    -------
    ItemMoments
        One block per dimension of the codebook, in the order :func:`reliability` reports
        them. Merge the parts of a partitioned survey with
        :meth:`~analysis.stats.item_moments.ItemMoments.combine` and pass the result to
        :func:`reliability`.
    """
    cb = require_codebook(survey, "item_moments")
    info = pd.DataFrame(
        [
            {"dimension": dim, "item_id": it.id, "column": it.column, "reverse": it.reverse}
            for dim in cb.dimensions
            for it in cb.items_for(dim)
        ],
        columns=["dimension", "item_id", "column", "reverse"],
    )
    blocks = {dim: dimension_block(survey, dim) for dim in cb.dimensions}
    return ItemMoments.from_blocks(blocks, info=info)


def _covariances(
    data: SurveyData | ItemMoments, missing: Missing, owner: str
) -> Iterator[tuple[str, int, np.ndarray, np.ndarray, int, np.ndarray | AnswerTable | None]]:
    """Per dimension: id, number of items, covariance, correlation, n, answers (the
    matrix, or the counts of its answer patterns; None from moments)."""
    if isinstance(data, ItemMoments):
        for dim, block in data.blocks.items():
            cov, n = block.covariance(missing)
            yield dim, len(block.items), cov, block.correlation(missing), n, None
        return
    cb = require_codebook(data, owner)
    for dim in cb.dimensions:
        ids = [it.id for it in cb.items_for(dim)]
        if missing == "pairwise":  # whole-number answers: their patterns counted, no copy
            columns = [data.responses[i].to_numpy(dtype="float64", na_value=np.nan) for i in ids]
            table = answer_table(columns)
            if table is not None:
                block = ItemBlock.from_table(ids, table)
                cov, corr = block.covariance("pairwise")[0], block.correlation("pairwise")
                yield dim, len(ids), cov, corr, block.n_any, table
                continue
        # one row-major copy straight from the columns
        x = np.empty((len(data.responses), len(ids)))
        for j, item in enumerate(ids):
            x[:, j] = data.responses[item].to_numpy(dtype="float64", na_value=np.nan)
        cov, corr, n = _cov_corr(x, missing)
        yield dim, len(ids), cov, corr, n, x


def _ordinal_alpha(x: np.ndarray | AnswerTable | None, missing: Missing) -> float:
    """Alpha of the polychoric correlations; NaN from moments, for continuous answers (more
    than 8 categories) or when an item has a single answer. ``x``: the answers, or the
    counts of their patterns (pairwise only)."""
    import warnings

    from analysis.core.errors import DataQualityWarning, InputError
    from analysis.stats.polychoric import alpha_from_corr, polychoric, polychoric_from_table

    if x is None:
        return float("nan")
    table = x if isinstance(x, AnswerTable) else None
    if (x.counts.ndim if table is not None else x.shape[1]) < 2:
        return float("nan")
    if table is None and missing == "listwise":
        x = x[~np.isnan(x).any(axis=1)]
    try:
        with warnings.catch_warnings():  # a smoothed matrix is the usual (psych) answer
            warnings.simplefilter("ignore", DataQualityWarning)
            if table is not None:
                return alpha_from_corr(
                    polychoric_from_table(table, list(range(table.counts.ndim))).rho
                )
            return alpha_from_corr(polychoric(pd.DataFrame(x)).rho)
    except InputError:
        return float("nan")


def _omega_h(corr: np.ndarray) -> float:
    """ω_h with psych's three group factors, given only for nine items or more (three per
    group factor); a dimension of fewer items has no group factors to set apart."""
    from analysis.stats.omega import omega_hierarchical

    if len(corr) < 9 or np.isnan(corr).any():
        return float("nan")
    return omega_hierarchical(corr, 3)["omega_h"]


def reliability(survey: SurveyData | ItemMoments, *, missing: Missing = "pairwise") -> pd.DataFrame:
    """Internal consistency of each dimension's items.

    Parameters
    ----------
    survey
        A survey read with a codebook (reverse items are already reversed), or the
        :class:`~analysis.stats.item_moments.ItemMoments` of one (:func:`item_moments`),
        merged across the partitions of a survey too large for one machine: every column
        comes from the covariance matrix and n, so the result is the same to rounding.
    missing
        ``"pairwise"`` (default, as ``psych::alpha``): each covariance from the respondents
        who answered both items; ``n`` counts respondents with at least one answer.
        ``"listwise"``: only respondents who answered every item of the dimension.

    Returns
    -------
    DataFrame
        One row per dimension (framework order): ``dimension``, ``n``, ``n_items``,
        ``alpha`` (Cronbach's raw alpha, from covariances), ``alpha_std`` (standardised,
        from correlations), ``ci_low``, ``ci_high`` (Feldt 95% interval), ``average_r``
        (mean inter-item correlation), ``omega`` (McDonald's omega total of one factor,
        psych's convention, see Notes),
        ``alpha_ordinal`` (alpha of the polychoric correlations, as ``psych::alpha(
        polychoric(x)$rho)``; NaN from moments or for answers of more than 8 categories),
        ``omega_h`` (omega-hierarchical, Schmid-Leiman with three group factors as
        ``psych::omega``; NaN below nine items), ``kmo`` (Kaiser-Meyer-Olkin measure),
        ``bartlett_chi2``, ``bartlett_df``,
        ``bartlett_p`` (Bartlett's test of sphericity; KMO and Bartlett are NaN for a
        dimension of fewer than three items), ``missing`` (the handling used).

    Warns
    -----
    SmallSampleWarning
        A dimension has fewer than 2 items or fewer than 3 respondents (its statistics are
        NaN).

    Notes
    -----
    With covariance matrix :math:`C` of :math:`k` items,
    :math:`\\alpha = \\frac{k}{k-1}(1 - \\operatorname{tr}C / \\mathbf 1'C\\mathbf 1)`;
    standardised alpha is :math:`k\\bar r / (1 + (k-1)\\bar r)`. Feldt's interval is
    :math:`1 - (1-\\alpha) F_{1-a/2}` to :math:`1 - (1-\\alpha) F_{a/2}` with
    :math:`(n-1, (n-1)(k-1))` degrees of freedom (as pingouin). Each column uses the
    correlation matrix of its R function: standardised alpha and ``average_r`` standardise
    the (pairwise) covariance matrix, as ``psych::alpha`` does (``cov2cor``); omega, KMO and
    Bartlett take ``cor(x, use = "pairwise")``, every correlation from its own
    pairwise-complete means and standard deviations, as ``psych::omega``, ``psych::KMO``
    and ``psych::cortest.bartlett`` do given the raw answers (with complete answers the
    two agree). Omega is psych's omega total of one factor,
    ``psych::omega(x, nfactors = 1)$omega.tot`` (not the default of three group factors):
    :math:`1 - \\sum(1-\\lambda^2) / \\mathbf 1'R\\mathbf 1`, the uniquenesses of a
    one-factor principal-axis (minres) solution, iterated from squared multiple
    correlations, over the observed variance of the sum of standardised items (not the
    model-implied :math:`(\\sum\\lambda)^2 + \\sum(1-\\lambda^2)`). KMO is
    :math:`\\sum r_{ij}^2 / (\\sum r_{ij}^2 + \\sum p_{ij}^2)` over :math:`i \ne j` with
    partial correlations :math:`p`; Bartlett's statistic is
    :math:`-(n - 1 - (2k+5)/6)\\ln|R|` on :math:`k(k-1)/2` df, with :math:`n` the
    respondents who answered at least one item of the dimension (psych takes every row of
    the data it is given: the same unless someone skipped a whole dimension).

    References
    ----------
    Cronbach (1951), Psychometrika 16, 297-334. Feldt, Woodruff & Salih (1987), Applied
    Psychological Measurement 11, 93-103. McDonald (1999), Test Theory. Kaiser (1974),
    Psychometrika 39, 31-36. Bartlett (1951), JRSS B 13, 1-8. Revelle, psych::alpha.

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis import read_survey
    >>> export = pd.DataFrame({
    ...     "id": ["a", "b", "c", "d", "e", "f"],
    ...     "社区": ["桂花", "桂花", "桂花", "梅园", "梅园", "梅园"],
    ...     "q1": [4, 5, 3, 2, 4, 1], "q2": [4, 4, 3, 2, 5, 2], "q3": [5, 4, 2, 1, 4, 2],
    ... })
    >>> codebook = {
    ...     "id_column": "id", "group_column": "社区", "scale": {"min": 1, "max": 5},
    ...     "items": [{"column": c, "id": c, "dimension": "masses"} for c in ("q1", "q2", "q3")],
    ... }
    >>> survey = read_survey(export, codebook=codebook)
    >>> reliability(survey)[["dimension", "n", "alpha", "alpha_std", "omega"]].round(3)
      dimension  n  alpha  alpha_std  omega
    0    masses  6  0.931      0.938  0.939
    """
    import warnings

    check_option("missing", missing, ("pairwise", "listwise"), owner="reliability")
    rows = []
    for dim, k, cov, corr, n, x in _covariances(survey, missing, "reliability"):
        if k < 2 or n < 3:
            warnings.warn(
                f"reliability: dimension {dim!r} has {k} items and {n} respondents; "
                "its statistics are NaN",
                SmallSampleWarning,
                stacklevel=2,
            )
        alpha = alpha_from_cov(cov)
        off = ~np.eye(k, dtype=bool)
        # psych::alpha standardises the covariance matrix (cov2cor); psych's KMO,
        # cortest.bartlett and omega take cor(use = "pairwise"): each as its R function
        std = corr_from_cov(cov)
        avg_r = float(std[off].mean()) if k >= 2 and not np.isnan(std).any() else float("nan")
        denom = 1 + (k - 1) * avg_r
        alpha_std = k * avg_r / denom if np.isfinite(avg_r) and denom > 0 else float("nan")
        lo, hi = _feldt(alpha, n, k)
        # with two items KMO is 0.5 by construction and sphericity says nothing about a
        # factor: neither is reported (a reader would take 0.5 for a finding)
        kmo, chi, df, p = _kmo_bartlett(corr, n) if k >= 3 else (float("nan"),) * 4
        rows.append(
            {
                "dimension": dim,
                "n": n,
                "n_items": k,
                "alpha": alpha,
                "alpha_std": alpha_std,
                "ci_low": lo,
                "ci_high": hi,
                "average_r": avg_r,
                "omega": _omega_one_factor(corr),
                "alpha_ordinal": _ordinal_alpha(x, missing),
                "omega_h": _omega_h(corr),
                "kmo": kmo,
                "bartlett_chi2": chi,
                "bartlett_df": df,
                "bartlett_p": p,
                "missing": missing,
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "dimension",
            "n",
            "n_items",
            "alpha",
            "alpha_std",
            "ci_low",
            "ci_high",
            "average_r",
            "omega",
            "alpha_ordinal",
            "omega_h",
            "kmo",
            "bartlett_chi2",
            "bartlett_df",
            "bartlett_p",
            "missing",
        ],
    )


# --------------------------------------------------------------------------- items


def item_analysis(
    survey: SurveyData | ItemMoments, *, missing: Missing = "pairwise"
) -> pd.DataFrame:
    """Item statistics per dimension: item-total correlation, alpha if deleted, 区分度.

    Parameters
    ----------
    survey
        A survey read with a codebook, or its merged
        :class:`~analysis.stats.item_moments.ItemMoments` (:func:`item_moments`): then
        every column but the 区分度 is the same to rounding, and ``discrimination_t`` and
        ``discrimination_p`` are NaN (the high and low 27% groups need each respondent's
        total).
    missing
        ``"pairwise"`` or ``"listwise"``, as in :func:`reliability`.

    Returns
    -------
    DataFrame
        One row per item, in codebook order within framework order: ``dimension``,
        ``item_id``, ``column`` (header in the export), ``n`` (answers), ``mean``, ``sd``
        (after reversing), ``citc`` (corrected item-total correlation: the item against the
        sum of the other items of its dimension), ``alpha_if_deleted``,
        ``alpha_std_if_deleted``, ``discrimination_t``, ``discrimination_p`` (区分度:
        Welch's t of the item between the high and low 27% groups on the dimension score,
        high minus low), ``reverse``, ``missing`` (the handling used).

    Notes
    -----
    Everything but the discrimination test comes from the covariance matrix :math:`C` of
    the dimension (pairwise or listwise): ``citc`` of item :math:`i` is
    :math:`\\sum_{j\\ne i} C_{ij} / \\sqrt{C_{ii} \\sum_{j,l \\ne i} C_{jl}}`, which is
    psych's ``r.drop``. For the 区分度 the dimension score is the mean of answered items
    (listwise: of complete respondents); the low group has scores at or below the 27th
    percentile, the high group at or above the 73rd (ties at a cut-off go into the group).

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis import read_survey
    >>> export = pd.DataFrame({
    ...     "id": ["a", "b", "c", "d", "e", "f"],
    ...     "社区": ["桂花", "桂花", "桂花", "梅园", "梅园", "梅园"],
    ...     "q1": [4, 5, 3, 2, 4, 1], "q2": [4, 4, 3, 2, 5, 2], "q3": [5, 4, 2, 1, 4, 2],
    ... })
    >>> codebook = {
    ...     "id_column": "id", "group_column": "社区", "scale": {"min": 1, "max": 5},
    ...     "items": [{"column": c, "id": c, "dimension": "masses"} for c in ("q1", "q2", "q3")],
    ... }
    >>> survey = read_survey(export, codebook=codebook)
    >>> item_analysis(survey)[["item_id", "mean", "citc", "alpha_if_deleted"]].round(3)
      item_id   mean   citc  alpha_if_deleted
    0      q1  3.167  0.852             0.906
    1      q2  3.333  0.905             0.882
    2      q3  3.000  0.848             0.915
    """
    check_option("missing", missing, ("pairwise", "listwise"), owner="item_analysis")
    rows = []
    for dim, meta, cov, corr, stats, disc in _item_blocks(survey, missing):
        k = len(meta)
        for i, (item_id, column, reverse) in enumerate(meta):
            rest = [j for j in range(k) if j != i]
            sub = cov[np.ix_(rest, rest)]
            cov_rest = cov[i, rest].sum()
            var_rest = sub.sum()
            with np.errstate(invalid="ignore", divide="ignore"):
                citc = float(cov_rest / np.sqrt(cov[i, i] * var_rest)) if k >= 2 else np.nan
            t, p = disc[i]
            rows.append(
                {
                    "dimension": dim,
                    "item_id": item_id,
                    "column": column,
                    "n": int(stats[i][0]),
                    "mean": stats[i][1],
                    "sd": stats[i][2],
                    "citc": citc,
                    "alpha_if_deleted": alpha_from_cov(sub) if k > 2 else float("nan"),
                    "alpha_std_if_deleted": (
                        alpha_from_cov(corr[np.ix_(rest, rest)]) if k > 2 else float("nan")
                    ),
                    "discrimination_t": t,
                    "discrimination_p": p,
                    "reverse": reverse,
                    "missing": missing,
                }
            )
    return pd.DataFrame(
        rows,
        columns=[
            "dimension",
            "item_id",
            "column",
            "n",
            "mean",
            "sd",
            "citc",
            "alpha_if_deleted",
            "alpha_std_if_deleted",
            "discrimination_t",
            "discrimination_p",
            "reverse",
            "missing",
        ],
    )


def _item_blocks(data: SurveyData | ItemMoments, missing: Missing) -> Iterator[tuple]:
    """Per dimension: (item id, column, reverse) per item, covariance, correlation,
    (n, mean, sd) per item, and the 区分度 (t, p) per item (NaN from moments)."""
    if isinstance(data, ItemMoments):
        for dim, block in data.blocks.items():
            cov, _ = block.covariance(missing)
            info = data.item_info(dim)
            stats = block.item_stats(missing)
            meta = list(zip(block.items, info["column"], info["reverse"], strict=True))
            nan = (float("nan"), float("nan"))
            yield dim, meta, cov, corr_from_cov(cov), stats.to_numpy().tolist(), [nan] * len(meta)
        return
    cb = require_codebook(data, "item_analysis")
    for dim in cb.dimensions:
        items = cb.items_for(dim)
        _, x = dimension_block(data, dim)
        cov, _, _ = _cov_corr(x, missing)
        corr = corr_from_cov(cov)  # standardised alpha if deleted as psych::alpha: cov2cor
        xs = x[~np.isnan(x).any(axis=1)] if missing == "listwise" else x
        answered = ~np.isnan(xs)
        m = answered.sum(axis=1)
        total = np.full(len(xs), np.nan)
        np.divide(np.where(answered, xs, 0).sum(axis=1), m, out=total, where=m > 0)
        ok = ~np.isnan(total)
        if ok.sum() >= 4:
            lo_cut, hi_cut = np.quantile(total[ok], [0.27, 0.73])
            low = ok & (total <= lo_cut)
            high = ok & (total >= hi_cut)
        else:
            low = high = np.zeros(len(xs), dtype=bool)
        stats, disc = [], []
        for i in range(len(items)):
            col = xs[:, i]
            v = col[~np.isnan(col)]
            stats.append(
                (
                    v.size,
                    float(v.mean()) if v.size else float("nan"),
                    float(v.std(ddof=1)) if v.size > 1 else float("nan"),
                )
            )
            disc.append(_welch(col[high & ~np.isnan(col)], col[low & ~np.isnan(col)]))
        meta = [(it.id, it.column, it.reverse) for it in items]
        yield dim, meta, cov, corr, stats, disc


def _welch(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Welch's t (a minus b) and its two-sided p; NaN when either group has < 2 values or
    both have no spread.

    Notes
    -----
    :math:`t = (\\bar a - \\bar b) / \\sqrt{s_a^2/n_a + s_b^2/n_b}` on Welch-Satterthwaite
    degrees of freedom, as ``scipy.stats.ttest_ind(a, b, equal_var=False)``; computed
    directly so that groups with almost no spread give no precision warnings.
    """
    from scipy.stats import t as t_dist

    na, nb = len(a), len(b)
    if na < 2 or nb < 2:
        return float("nan"), float("nan")
    va = float(np.var(a, ddof=1)) / na
    vb = float(np.var(b, ddof=1)) / nb
    se2 = va + vb
    if se2 <= 0:
        return float("nan"), float("nan")
    t = (float(np.mean(a)) - float(np.mean(b))) / np.sqrt(se2)
    df = se2**2 / (va**2 / (na - 1) + vb**2 / (nb - 1))
    return float(t), float(2 * t_dist.sf(abs(t), df))
