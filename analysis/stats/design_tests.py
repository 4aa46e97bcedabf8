"""Design-based tests: group means compared by Wald tests, Rao-Scott chi-square.

Both take the covariance matrix of domain estimates that svy computes under the design
(Taylor linearisation, :mod:`analysis.stats.design`) and apply the published test formulas:

* :func:`survey_compare`: the Wald F test that all group means are equal, and each pair's
  difference with its t test. With one group factor these are R's ``regTermTest(svyglm(y ~
  g, design), ~g)`` and, for two groups, ``svyttest(y ~ g, design)``.
* :func:`rao_scott`: Pearson's X² of the weighted table with the Rao-Scott second-order
  correction (F, the default of R's ``svychisq``) or the first-order one (``"chisq"``),
  following R's ``svychisq`` code line by line.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd

from analysis.core.errors import ConfigError, InputError, check_option
from analysis.stats.design import SurveyDesign, check_design
from analysis.stats.design_estimates import _params, design_df, estimate
from analysis.stats.design_result import DesignResult
from analysis.stats.multitest import adjust_p

__all__ = ["rao_scott", "survey_compare"]


def survey_compare(
    data: pd.DataFrame,
    dv: str,
    between: str,
    *,
    design: SurveyDesign,
    by: str | None = None,
    p_adjust: str | None = "holm",
    conf_level: float = 0.95,
) -> DesignResult:
    """Compare group means under a complex design: a Wald F test and pairwise differences.

    Parameters
    ----------
    data
        One row per respondent, or long scores (``respondent_id``, ``group``, ``dimension``,
        ``score``) with ``by="dimension"``: every dimension is compared on its own rows.
    dv
        Numeric outcome (e.g. ``score``).
    between
        Group column (e.g. community), estimated as domains: the design stays whole.
    design
        The sampling design (:class:`~analysis.SurveyDesign`).
    by
        Optional column splitting the comparison (e.g. ``dimension``).
    p_adjust
        Adjustment of the pairwise p values within each ``by`` level (``"holm"``,
        ``"bonferroni"``, ``"bh"``, or None).
    conf_level
        Confidence level of the differences' intervals.

    Returns
    -------
    DesignResult
        ``table``: domain means (``variable``, ``group``, ``estimate``, ``se``, ``ci_low``,
        ``ci_high``, ``df``, ``n``, plus ``dimension`` with ``by``); ``test``: one row per
        ``by`` level with ``statistic`` (F), ``df1`` = k - 1, ``df2`` = design df - k + 1,
        ``p_value``, ``method``; ``pairs``: ``group_a``,
        ``group_b``, ``difference`` (b - a), ``se``, ``t``, ``df``, ``p_value``, ``p_adj``,
        ``ci_low``, ``ci_high``.

    Notes
    -----
    With domain means m and their design covariance V, a contrast matrix C of the k - 1
    differences from the first group gives W = (Cm)' (C V C')⁻¹ (Cm) and F = W / (k - 1) on
    (k - 1, df - k + 1) degrees of freedom, df = PSUs - strata: R's ``regTermTest`` on
    ``svyglm(dv ~ between)``, whose coefficients are these differences with this covariance.
    A pair's t = (m_b - m_a) / √(V_aa + V_bb - 2 V_ab) on df - 1 degrees of freedom, R's
    ``svyttest`` for two groups.

    Examples
    --------
    >>> import pandas as pd, analysis as an
    >>> d = pd.DataFrame({"y": [1.0, 2, 3, 4, 5, 6], "g": list("aabbcc"), "w": [1.0] * 6})
    >>> res = an.survey_compare(d, "y", "g", design=an.SurveyDesign(weights="w"))
    >>> res.test[["df1", "df2"]].values.tolist()
    [[2.0, 3.0]]
    """
    from scipy import stats

    owner = "survey_compare"
    check_design(design, owner)
    if p_adjust is not None:
        check_option(
            "p_adjust", p_adjust, ("holm", "bonferroni", "bh", "fdr_bh", "none"), owner=owner
        )
    if not 0 < float(conf_level) < 1:
        raise ConfigError(f"{owner}: conf_level must be between 0 and 1; got {conf_level!r}")
    if by is not None and by not in data.columns:
        raise InputError(f"{owner}: column {by!r} not in data")
    slices = [(None, data)] if by is None else list(data.groupby(by, sort=False, observed=True))
    means, tests, pairs = [], [], []
    for level, part in slices:
        df = design_df(part, design)
        rows, cov = estimate(part, design, dv, param="mean", by=between, owner=owner)
        k = len(rows)
        if k < 2:
            raise InputError(f"{owner}: {between!r} has fewer than 2 groups with answers")
        m = rows["estimate"].to_numpy()
        contrast = np.hstack([-np.ones((k - 1, 1)), np.eye(k - 1)])
        diff = contrast @ m
        try:
            wald = float(diff @ np.linalg.solve(contrast @ cov @ contrast.T, diff))
        except np.linalg.LinAlgError:
            raise InputError(
                f"{owner}: the covariance of the {k} group means of {between!r} is singular "
                "(a group without variation between its sampling units, or more groups than "
                "the design has degrees of freedom); merge small groups"
            ) from None
        df1, df2 = k - 1, df - k + 1
        f = wald / df1
        test: dict[str, Any] = {"dimension": level} if by is not None else {}
        test.update(
            statistic=f,
            df1=float(df1),
            df2=float(df2),
            p_value=float(stats.f.sf(f, df1, df2)),
            method="design-wald",
        )
        tests.append(test)
        q = float(stats.t.ppf(1 - (1 - conf_level) / 2, df))
        rows.insert(0, "variable", dv)
        rows["ci_low"], rows["ci_high"], rows["df"] = m - q * rows.se, m + q * rows.se, df
        if by is not None:
            rows.insert(0, "dimension", level)
        means.append(rows)
        pairs.append(_pairs(rows, cov, df, level if by is not None else None, conf_level, p_adjust))
    table = pd.concat(means, ignore_index=True)
    cols = [
        *(["dimension"] if by else []),
        "variable",
        "group",
        "estimate",
        "se",
        "ci_low",
        "ci_high",
        "df",
        "n",
    ]
    params = _params(design, "mean", conf_level, between=between, by=by, p_adjust=p_adjust)
    return DesignResult(
        table=table[cols],
        test=pd.DataFrame(tests),
        pairs=pd.concat(pairs, ignore_index=True),
        params=params,
    )


def _pairs(
    rows: pd.DataFrame,
    cov: np.ndarray,
    df: int,
    level: Any,
    conf_level: float,
    p_adjust: str | None,
) -> pd.DataFrame:
    from scipy import stats

    groups, m = rows["group"].to_numpy(), rows["estimate"].to_numpy()
    i, j = np.triu_indices(len(m), k=1)
    diff = m[j] - m[i]
    se = np.sqrt(cov[i, i] + cov[j, j] - 2 * cov[i, j])
    t = diff / se
    tdf = df - 1
    p = 2 * stats.t.sf(np.abs(t), tdf)
    q = float(stats.t.ppf(1 - (1 - conf_level) / 2, tdf))
    out = pd.DataFrame(
        {
            "group_a": groups[i],
            "group_b": groups[j],
            "difference": diff,
            "se": se,
            "t": t,
            "df": float(tdf),
            "p_value": p,
            "p_adj": adjust_p(p, None if p_adjust == "none" else p_adjust),
            "ci_low": diff - q * se,
            "ci_high": diff + q * se,
        }
    )
    if level is not None:
        out.insert(0, "dimension", level)
    return out


def rao_scott(
    data: pd.DataFrame,
    row: str,
    col: str,
    *,
    design: SurveyDesign,
    statistic: Literal["F", "chisq"] = "F",
) -> tuple[dict[str, Any], pd.DataFrame]:
    """Rao-Scott test of independence of ``row`` and ``col`` under ``design``.

    Returns the one-row summary (``statistic``, ``df``/``df1``, ``df2``, ``p_value``,
    ``chisq`` Pearson's X² of the weighted table scaled to n, ``deff_mean`` the mean
    generalised design effect, ``n``, ``n_rows``, ``n_cols``, ``method``) and the cells
    (``row``, ``col``, ``proportion``, ``se``, ``weighted_count``). Used by
    ``chi_square(design=...)``.

    Notes
    -----
    With cell proportions p (rows varying fastest), their design covariance V, D = diag(p),
    n complete rows and C a basis of the interaction contrasts orthogonal to the main
    effects, Δ = (C' D⁻¹ C / n)⁻¹ (C' D⁻¹ V D⁻¹ C) holds the generalised design effects.
    "F": F = X² / tr Δ on d₀ = (tr Δ)² / tr Δ² and d₀ × df degrees of freedom (second-order
    correction); "chisq": p from χ²((r - 1)(c - 1)) of X² / mean eigenvalue (first order).
    Rao & Scott (1984); Lumley (2010, sec. 6.2).

    References
    ----------
    Rao, J. N. K., & Scott, A. J. (1984). On chi-squared tests for multiway contingency
    tables with cell proportions estimated from survey data. *Annals of Statistics*, 12,
    46-60.
    """
    from scipy import stats

    owner = "chi_square"
    check_design(design, owner)
    check_option("statistic", statistic, ("F", "chisq"), owner=owner)
    for c in (row, col):
        if c not in data.columns:
            raise InputError(
                f"{owner}: column {c!r} not in data; columns are "
                f"{', '.join(map(str, data.columns))}"
            )
    work = data.copy()
    complete = work[row].notna() & work[col].notna()
    r_levels = sorted(work.loc[complete, row].astype(str).unique())
    c_levels = sorted(work.loc[complete, col].astype(str).unique())
    nr, nc = len(r_levels), len(c_levels)
    if nr < 2 or nc < 2:
        raise InputError(f"{owner}: {row!r} x {col!r} gives a {nr}x{nc} table; need at least 2x2")
    sep = "\x1f"
    cell = work[row].astype(str) + sep + work[col].astype(str)
    work["__cell"] = cell.where(complete, None)
    rows, cov = estimate(work, design, "__cell", param="prop", by=None, owner=owner)
    keys = [f"{a}{sep}{b}" for b in c_levels for a in r_levels]  # rows vary fastest, as R
    position = {k: i for i, k in enumerate(rows["level"])}
    p = np.zeros(len(keys))
    v = np.zeros((len(keys), len(keys)))
    idx = np.array([position.get(k, -1) for k in keys])
    present = idx >= 0
    p[present] = rows["estimate"].to_numpy()[idx[present]]
    v[np.ix_(present, present)] = cov[np.ix_(idx[present], idx[present])]
    n = int(complete.sum())
    table = p.reshape(nc, nr).T  # [row, col]
    expected = np.outer(table.sum(axis=1), table.sum(axis=0))
    with np.errstate(divide="ignore", invalid="ignore"):
        chisq = float(n * np.nansum(np.where(expected > 0, (table - expected) ** 2 / expected, 0)))
        inv_d = np.diag(np.where(p > 0, 1 / p, 0.0))
    cmat = _interaction_basis(nr, nc)
    denom = cmat.T @ (inv_d / n) @ cmat
    numer = cmat.T @ inv_d @ v @ inv_d @ cmat
    delta = np.linalg.solve(denom, numer)
    tr, tr2 = float(np.trace(delta)), float(np.trace(delta @ delta))
    nu = design_df(data.loc[complete], design)
    out: dict[str, Any] = {"chisq": chisq}
    if statistic == "F":
        d0 = tr**2 / tr2
        f = chisq / tr
        out.update(
            statistic=f,
            df1=d0,
            df2=d0 * nu,
            p_value=float(stats.f.sf(f, d0, d0 * nu)),
            method="rao-scott-f",
        )
    else:
        df = (nr - 1) * (nc - 1)
        out.update(
            statistic=chisq,
            df=float(df),
            p_value=float(stats.chi2.sf(chisq / (tr / df), df)),
            method="rao-scott-chisq",
        )
    out.update(deff_mean=tr / ((nr - 1) * (nc - 1)), n=n, n_rows=nr, n_cols=nc)
    from analysis.stats.design import calibrated_weights

    total = float(calibrated_weights(data, design)[complete.to_numpy()].sum())
    cells = (
        pd.DataFrame(
            {
                "row": [k.split(sep)[0] for k in keys],
                "col": [k.split(sep)[1] for k in keys],
                "proportion": p,
                "se": np.sqrt(np.diag(v)),
                "weighted_count": p * total,
            }
        )
        .sort_values(["row", "col"], kind="stable")
        .reset_index(drop=True)
    )
    return out, cells


def _interaction_basis(nr: int, nc: int) -> np.ndarray:
    """Interaction columns of ~rows*cols made orthogonal to ~rows+cols (R's qr.resid)."""
    rows = np.tile(np.arange(nr), nc)
    cols = np.repeat(np.arange(nc), nr)
    main = np.column_stack(
        [np.ones(nr * nc)]
        + [(rows == i).astype(float) for i in range(1, nr)]
        + [(cols == j).astype(float) for j in range(1, nc)]
    )
    inter = np.column_stack(
        [(rows == i) & (cols == j) for j in range(1, nc) for i in range(1, nr)]
    ).astype(float)
    coef, *_ = np.linalg.lstsq(main, inter, rcond=None)
    return inter - main @ coef
