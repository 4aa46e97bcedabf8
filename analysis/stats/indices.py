"""Evaluation methods common in Chinese community-governance research.

* :func:`entropy_weights`: the entropy-weight method (熵权法) for a composite index of the
  five service dimensions per community;
* :func:`ipa`: importance-performance analysis (IPA, 重要性-满意度分析);
* :func:`text_survey_correlation`: does what the documents emphasise go with what residents
  are satisfied with? (community-level Spearman correlation per dimension).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from analysis.core.dimensions import SERVICE_FIVE, Framework
from analysis.core.errors import InputError, SmallSampleWarning, check_columns, check_option
from analysis.report.display import Displayable

__all__ = ["EntropyIndex", "entropy_weights", "ipa", "text_survey_correlation"]


def _wide(data: pd.DataFrame, group: str, dimension: str, value: str, owner: str) -> pd.DataFrame:
    check_columns(data, [group, dimension, value], owner=owner)
    vals = pd.to_numeric(data[value], errors="coerce")
    frame = pd.DataFrame(
        {"g": data[group].to_numpy(), "d": data[dimension].to_numpy(), "v": vals.to_numpy()}
    )
    return frame.pivot_table(index="g", columns="d", values="v", aggfunc="mean", observed=True)


# ------------------------------------------------------------------- entropy


@dataclass(frozen=True)
class EntropyIndex(Displayable):
    """Result of :func:`entropy_weights`.

    Attributes
    ----------
    weights : pandas.DataFrame
        One row per dimension: ``dimension``, ``entropy`` (e_j), ``divergence`` (1 - e_j),
        ``weight`` (w_j).
    scores : pandas.DataFrame
        One row per community: ``group``, ``index`` (0-100), ``rank`` (1 = highest).
    params : Mapping
        Options used.
    """

    weights: pd.DataFrame
    scores: pd.DataFrame
    params: Mapping[str, Any]

    def to_frame(self) -> pd.DataFrame:
        """The community scores (``group``, ``index``, ``rank``)."""
        return self.scores.copy()


def entropy_weights(
    data: pd.DataFrame,
    *,
    group: str = "group",
    dimension: str = "dimension",
    value: str = "score",
    negative: tuple[str, ...] = (),
    shift: float = 1e-4,
    framework: Framework | None = None,
) -> EntropyIndex:
    """Entropy-weight composite index (熵权法) of dimensions per community.

    Parameters
    ----------
    data
        Long frame with one or more rows per (community, dimension), e.g. respondent scores
        from :func:`analysis.score_survey`; values are averaged per community first.
    group, dimension, value
        Column names.
    negative
        Dimensions where lower is better (reversed in the normalisation).
    shift
        Small constant added after min-max normalisation so that ln 0 never occurs (the
        usual 0.0001 of this literature); 0 uses the convention 0 ln 0 = 0.
    framework
        For ordering the dimensions (default :data:`analysis.SERVICE_FIVE`).

    Returns
    -------
    EntropyIndex
        ``weights`` (``dimension``, ``entropy``, ``divergence``, ``weight``) and ``scores``
        (``group``, ``index``, ``rank``).

    Raises
    ------
    InputError
        A column is missing, fewer than 2 communities, or a community lacks a dimension.

    Notes
    -----
    For m communities and dimension j with community means x_ij:
    x'_ij = (x_ij - min_i x_ij) / (max_i x_ij - min_i x_ij) + shift (reversed for negative
    dimensions); p_ij = x'_ij / Σ_i x'_ij; e_j = -(1 / ln m) Σ_i p_ij ln p_ij;
    d_j = 1 - e_j; w_j = d_j / Σ_j d_j. Index_i = 100 Σ_j w_j x'_ij. A dimension on which all
    communities are equal carries no information (e_j = 1, w_j = 0).

    References
    ----------
    Shannon, C. E. (1948). A mathematical theory of communication. *Bell System Technical
    Journal*, 27, 379-423. Zou, Z., Yun, Y., & Sun, J. (2006). Entropy method for
    determination of weight of evaluating indicators in fuzzy synthetic evaluation for water
    quality assessment. *Journal of Environmental Sciences*, 18(5), 1020-1023.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"group": ["a", "a", "b", "b", "c", "c"],
    ...                   "dimension": ["reform", "members"] * 3,
    ...                   "score": [3.0, 4.0, 4.0, 4.0, 5.0, 4.0]})
    >>> entropy_weights(d).weights.weight.round(2).tolist()
    [1.0, 0.0]
    """
    wide = _wide(data, group, dimension, value, "entropy_weights")
    fw = framework or SERVICE_FIVE
    wide = wide[fw.order(wide.columns)]
    if len(wide) < 2:
        raise InputError("entropy_weights: needs at least 2 communities")
    holes = wide.isna()
    if holes.any().any():
        g, d = holes.stack()[lambda s: s].index[0]
        raise InputError(
            f"entropy_weights: community {g!r} has no {value!r} on dimension {d!r}; "
            "every community needs every dimension"
        )
    x = wide.to_numpy(dtype=float)
    lo, hi = x.min(axis=0), x.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    norm = (x - lo) / span
    neg = np.array([c in negative for c in wide.columns])
    norm[:, neg] = ((hi - x) / span)[:, neg]
    norm = norm + shift
    m = x.shape[0]
    total = norm.sum(axis=0)
    p = np.divide(norm, total, out=np.full_like(norm, 1.0 / m), where=total > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(p > 0, p * np.log(p), 0.0)
    entropy = -plogp.sum(axis=0) / np.log(m)
    entropy = np.where(hi > lo, entropy, 1.0)
    div = 1 - entropy
    weight = div / div.sum() if div.sum() > 0 else np.full(div.shape, 1.0 / div.size)
    index = 100 * (norm - shift) @ weight
    weights = pd.DataFrame(
        {"dimension": list(wide.columns), "entropy": entropy, "divergence": div, "weight": weight}
    )
    scores = pd.DataFrame({"group": wide.index.to_numpy(), "index": index})
    scores["rank"] = scores["index"].rank(ascending=False, method="min").astype(int)
    scores = scores.sort_values(["rank", "group"], kind="mergesort").reset_index(drop=True)
    return EntropyIndex(
        weights=weights,
        scores=scores,
        params={"value": value, "negative": list(negative), "shift": shift},
    )


# ----------------------------------------------------------------------- IPA

QUADRANTS = {
    (True, False): ("concentrate", "重点改进区"),
    (True, True): ("keep_up", "继续保持区"),
    (False, False): ("low_priority", "低优先区"),
    (False, True): ("overkill", "过度投入区"),
}


def ipa(
    data: pd.DataFrame,
    *,
    performance: str = "score",
    importance: str | None = "importance",
    overall: str | None = None,
    dimension: str = "dimension",
    respondent: str = "respondent_id",
    method: Literal["stated", "derived"] = "stated",
    cross: Literal["mean", "median"] | tuple[float, float] = "mean",
    framework: Framework | None = None,
) -> pd.DataFrame:
    """Importance-performance analysis (IPA) of the service dimensions.

    Parameters
    ----------
    data
        Long frame, one row per (respondent, dimension), with a satisfaction score in
        ``performance`` and, for stated importance, an importance rating in ``importance``.
    performance
        Satisfaction column.
    importance
        Stated-importance column (``method="stated"``).
    overall
        Overall-satisfaction column, one value per respondent (``method="derived"``).
    dimension, respondent
        Column names.
    method
        ``"stated"``: importance = mean importance rating; ``"derived"``: importance =
        Pearson correlation between the dimension's satisfaction and overall satisfaction
        across respondents (implicit importance, common when importance was not asked).
    cross
        Where the quadrant lines cross: the ``"mean"`` or ``"median"`` of the points, or
        explicit ``(performance, importance)`` values (e.g. the scale midpoint).
    framework
        For ordering the dimensions.

    Returns
    -------
    pandas.DataFrame
        One row per dimension: ``dimension``, ``n``, ``performance`` (mean satisfaction),
        ``importance``, ``importance_type``, ``cross_performance``, ``cross_importance``,
        ``quadrant`` (``concentrate``, ``keep_up``, ``low_priority``, ``overkill``),
        ``quadrant_zh``. Ready for :func:`analysis.report.charts.ipa.plot_ipa`.

    Raises
    ------
    InputError
        A needed column is missing.
    ConfigError
        ``method`` or ``cross`` is invalid.

    Notes
    -----
    Quadrants (Martilla & James, 1977): importance ≥ cross and performance < cross →
    concentrate here (重点改进区); both ≥ → keep up the good work (继续保持区); both < →
    low priority (低优先区); importance < and performance ≥ → possible overkill
    (过度投入区). Derived importance r_j = corr(y_ij, overall_i) over respondents i.

    References
    ----------
    Martilla, J. A., & James, J. C. (1977). Importance-performance analysis. *Journal of
    Marketing*, 41(1), 77-79.
    """
    check_option("method", method, ("stated", "derived"), owner="ipa")
    if not (cross in ("mean", "median") or (isinstance(cross, tuple) and len(cross) == 2)):
        check_option("cross", cross, ("mean", "median", "(performance, importance)"), owner="ipa")
    need = [dimension, performance]
    if method == "stated":
        need.append(importance or "importance")
    else:
        need += [overall or "overall", respondent]
    check_columns(data, need, owner="ipa")
    fw = framework or SERVICE_FIVE
    perf = pd.to_numeric(data[performance], errors="coerce")
    rows = []
    for dim in fw.order(data[dimension].dropna().unique()):
        mask = (data[dimension] == dim).to_numpy()
        y = perf[mask]
        if method == "stated":
            imp_values = pd.to_numeric(data.loc[mask, importance or "importance"], errors="coerce")
            imp = float(imp_values.mean())
        else:
            o = pd.to_numeric(data.loc[mask, overall or "overall"], errors="coerce")
            ok = y.notna() & o.notna()
            imp = float(np.corrcoef(y[ok], o[ok])[0, 1]) if ok.sum() > 2 else np.nan
        rows.append(
            {
                "dimension": dim,
                "n": int(y.notna().sum()),
                "performance": float(y.mean()),
                "importance": imp,
                "importance_type": method,
            }
        )
    out = pd.DataFrame(rows)
    if isinstance(cross, tuple):
        cp, ci = float(cross[0]), float(cross[1])
    else:
        agg = np.nanmean if cross == "mean" else np.nanmedian
        cp, ci = float(agg(out["performance"])), float(agg(out["importance"]))
    out["cross_performance"] = cp
    out["cross_importance"] = ci
    labels = [
        QUADRANTS[(bool(i >= ci), bool(p >= cp))]
        for i, p in zip(out["importance"], out["performance"], strict=True)
    ]
    out["quadrant"] = [q[0] for q in labels]
    out["quadrant_zh"] = [q[1] for q in labels]
    return out


# ------------------------------------------------------------ text x survey


def text_survey_correlation(
    text_scores: pd.DataFrame,
    survey_scores: pd.DataFrame,
    *,
    group: str = "group",
    text_group: str | None = None,
    dimension: str = "dimension",
    text_value: str = "score",
    survey_value: str = "score",
    n_boot: int = 2000,
    conf_level: float = 0.95,
    p_adjust: str | None = "holm",
    min_groups: int = 10,
    seed: int | None = 0,
    framework: Framework | None = None,
) -> pd.DataFrame:
    """Per dimension, correlate text emphasis with resident satisfaction across communities.

    Parameters
    ----------
    text_scores
        Long frame from :func:`analysis.score_texts` with a community column (several
        documents per community are averaged).
    survey_scores
        Long frame from :func:`analysis.score_survey` (respondents averaged per community).
    group, dimension
        Community and dimension columns (same names in both frames).
    text_group
        Community column of ``text_scores`` when it differs from ``group`` (e.g. the
        ``community`` column of the text metadata).
    text_value, survey_value
        Value columns (e.g. ``"share"`` or ``"score"`` for texts).
    n_boot
        Bootstrap resamples of communities for the CI of ρ.
    conf_level
        CI level.
    p_adjust
        Adjustment of p values across dimensions (``"holm"``, ``"fdr_bh"``, ``"bonferroni"``,
        ``"none"``).
    min_groups
        Below this many communities a SmallSampleWarning is issued.
    seed
        Bootstrap seed.
    framework
        Dimension order.

    Returns
    -------
    pandas.DataFrame
        One row per dimension: ``dimension``, ``n_groups``, ``rho`` (Spearman), ``ci_low``,
        ``ci_high`` (percentile bootstrap over communities), ``p_value`` (as R's
        ``cor.test(method = "spearman")``: exact for up to 9 communities, the AS 89
        Edgeworth series up to 1290, the t approximation with ties), ``p_adj``,
        ``method``, ``p_method`` (``exact``, ``edgeworth`` or ``t``).

    Raises
    ------
    InputError
        A column is missing in either frame.

    Warns
    -----
    SmallSampleWarning
        Fewer than ``min_groups`` communities have both text and survey data.

    Notes
    -----
    Both sides are averaged per (community, dimension); communities present in both are
    used. ρ is Pearson's r of the mid-ranks. The bootstrap resamples communities with
    replacement; resamples where either side is constant are dropped.
    """
    from scipy import stats

    from analysis.stats.association import spearman_pvalue
    from analysis.stats.multitest import adjust_p

    text = _wide(text_scores, text_group or group, dimension, text_value, "text_survey_correlation")
    survey = _wide(survey_scores, group, dimension, survey_value, "text_survey_correlation")
    fw = framework or SERVICE_FIVE
    dims = fw.order(set(text.columns) & set(survey.columns))
    rng = np.random.default_rng(seed)
    rows = []
    small = []
    for dim in dims:
        pair = pd.concat([text[dim].rename("t"), survey[dim].rename("s")], axis=1).dropna()
        n = len(pair)
        row: dict[str, Any] = {"dimension": dim, "n_groups": n, "method": "spearman"}
        if n < min_groups:
            small.append(f"{dim} ({n})")
        if n < 3 or pair["t"].nunique() < 2 or pair["s"].nunique() < 2:
            row.update(rho=np.nan, ci_low=np.nan, ci_high=np.nan, p_value=np.nan, p_method="")
            rows.append(row)
            continue
        res = stats.spearmanr(pair["t"], pair["s"])
        ties = min(pair["t"].nunique(), pair["s"].nunique()) < n
        p, p_method = spearman_pvalue(float(res.statistic), n, ties=ties)
        lo, hi = _boot_spearman(pair.to_numpy(dtype=float), n_boot, conf_level, rng)
        row.update(rho=float(res.statistic), ci_low=lo, ci_high=hi, p_value=p, p_method=p_method)
        rows.append(row)
    if small:
        warnings.warn(
            f"text_survey_correlation: fewer than {min_groups} communities for "
            f"{', '.join(small)}; the correlation is fragile",
            SmallSampleWarning,
            stacklevel=2,
        )
    out = pd.DataFrame(
        rows,
        columns=[
            "dimension", "n_groups", "rho", "ci_low", "ci_high", "p_value", "method", "p_method"
        ],
    )  # fmt: skip
    out.insert(6, "p_adj", adjust_p(out["p_value"].to_numpy(dtype=float), p_adjust))
    return out


def _boot_spearman(
    xy: np.ndarray, n_boot: int, conf_level: float, rng: np.random.Generator
) -> tuple[float, float]:
    if n_boot <= 0:
        return np.nan, np.nan
    from scipy.stats import rankdata

    n = xy.shape[0]
    idx = rng.integers(0, n, size=(n_boot, n))
    x = rankdata(xy[idx, 0], axis=1)
    y = rankdata(xy[idx, 1], axis=1)
    x = x - x.mean(axis=1, keepdims=True)
    y = y - y.mean(axis=1, keepdims=True)
    den = np.sqrt((x**2).sum(axis=1) * (y**2).sum(axis=1))
    ok = den > 0
    rho = (x * y).sum(axis=1)[ok] / den[ok]
    if rho.size == 0:
        return np.nan, np.nan
    tail = (1 - conf_level) / 2 * 100
    lo, hi = np.percentile(rho, [tail, 100 - tail])
    return float(lo), float(hi)
