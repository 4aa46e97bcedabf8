"""Score survey dimensions: one score per respondent and dimension, and weighted summaries.

:func:`score_survey` turns recoded items into one score per respondent and dimension;
:func:`weighted_descriptives` summarises scores with the survey weight. Everything works on
the item matrix with numpy: no per-respondent Python. :func:`require_codebook` and
:func:`dimension_block` give the codebook and a dimension's item matrix to
:mod:`analysis.survey.psychometrics` too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from analysis.core.errors import ConfigError, InputError, check_option

if TYPE_CHECKING:
    from analysis.survey.codebook import Codebook
    from analysis.survey.reading import SurveyData

__all__ = [
    "score_survey",
    "weighted_descriptives",
]

Method = Literal["mean", "sum", "z"]


def require_codebook(survey: SurveyData, owner: str) -> Codebook:
    """The survey's codebook; :class:`InputError` naming ``owner`` when it has none."""
    if survey.codebook is None:
        raise InputError(
            f"{owner} needs a survey read with a codebook (read_survey(path, codebook=...))"
        )
    return survey.codebook


def dimension_block(survey: SurveyData, dimension: str) -> tuple[list[str], np.ndarray]:
    """Item ids of one dimension and its respondents x items matrix (float, NaN missing)."""
    cb = require_codebook(survey, "scoring")
    ids = [it.id for it in cb.items_for(dimension)]
    return ids, survey.responses[ids].to_numpy(dtype="float64", na_value=np.nan)


# --------------------------------------------------------------------------- scores


def score_survey(
    survey: SurveyData,
    *,
    method: Method = "mean",
    min_answered: float | None = None,
) -> pd.DataFrame:
    """One score per respondent and dimension.

    Parameters
    ----------
    survey
        A survey read with a codebook.
    method
        ``"mean"`` (default): mean of the answered items, on the scale of the answers.
        ``"sum"``: the prorated sum, mean x number of items in the dimension (equal to the
        plain sum when every item is answered, comparable when some are missing).
        ``"z"``: the mean score standardised across respondents within the dimension
        (mean 0, sd 1, ``ddof=1``).
    min_answered
        Share of a dimension's items a respondent must answer for a score; default the
        codebook's ``min_answered`` (0.5 unless set).

    Returns
    -------
    DataFrame
        Long, one row per respondent and dimension, dimensions in framework order:
        ``respondent_id``, ``group``, ``dimension``, ``score`` (NaN when fewer than
        ``min_answered`` of the items were answered), ``n_items`` (items answered), and
        ``weight`` when the survey has a weight column, and ``stratum``, ``psu``, ``fpc`` when
        it has design columns (so ``survey.design`` applies to the scores).

    Raises
    ------
    ConfigError
        Unknown ``method`` or ``min_answered`` outside 0..1.

    Notes
    -----
    With :math:`x_{ij}` the answers of respondent :math:`i` to the :math:`k` items of a
    dimension and :math:`m_i` the number answered, the score is
    :math:`\\bar x_i = \\sum_j x_{ij} / m_i` when :math:`m_i / k \\ge` ``min_answered``.

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
    >>> score_survey(survey).round(3).head(3)
      respondent_id group dimension  score  n_items
    0             a    桂花    masses  4.333        3
    1             b    桂花    masses  4.333        3
    2             c    桂花    masses  2.667        3
    """
    check_option("method", method, ("mean", "sum", "z"), owner="score_survey")
    cb = require_codebook(survey, "score_survey")
    share = cb.min_answered if min_answered is None else min_answered
    if not 0 <= share <= 1:
        raise ConfigError(f"min_answered must be a share between 0 and 1. Got {share!r} instead.")
    resp = survey.responses
    n = len(resp)
    dims = list(cb.dimensions)
    columns = ["respondent_id", "group", "dimension", "score", "n_items"]
    if not dims:
        return pd.DataFrame(columns=columns)
    scores = np.empty((len(dims), n))
    counts = np.empty((len(dims), n), dtype="int64")
    for d, dim in enumerate(dims):
        total, m = scores[d], counts[d]
        total[:] = 0.0
        m[:] = 0
        items = cb.items_for(dim)
        # item by item, summed in item order straight into the output rows: no
        # respondents x items copy of the block and no temporary per item
        for it in items:
            x = resp[it.id].to_numpy(dtype="float64", na_value=np.nan)
            answered = ~np.isnan(x)
            m += answered
            np.add(total, x, out=total, where=answered)
        k = len(items)
        ok = (m > 0) & (m >= share * k - 1e-12)
        np.divide(total, m, out=total, where=ok)
        total[~ok] = np.nan
        if method == "sum":
            total *= k
        elif method == "z":
            total[:] = _zscore(total)
    # long frame: the (Arrow) text columns repeated once per dimension by reference to the
    # same buffers, no per-row Python objects and no copy
    rows = None
    data: dict[str, object] = {}
    for name in ("respondent_id", "group"):
        col = _as_text(resp[name])
        tiled = _tiled_text(col, len(dims))
        if tiled is None:
            rows = np.tile(np.arange(n), len(dims)) if rows is None else rows
            tiled = col.take(rows).reset_index(drop=True)
        data[name] = tiled
    data["dimension"] = _repeated_labels(dims, n)
    data["score"] = scores.ravel()
    data["n_items"] = counts.ravel()
    if "weight" in resp.columns:
        data["weight"] = np.tile(resp["weight"].to_numpy(dtype="float64"), len(dims))
    for name in ("stratum", "psu", "fpc"):  # design columns, so survey.design fits the scores
        if name in resp.columns:
            data[name] = np.tile(resp[name].to_numpy(), len(dims))
    return pd.DataFrame(data, index=pd.RangeIndex(n * len(dims)), copy=False)


def _as_text(col: pd.Series) -> pd.Series:
    if isinstance(col.dtype, pd.StringDtype):
        return col
    # missing stays missing (a respondent without a group), not the text "nan"
    return col.astype("str").mask(col.isna().to_numpy())


def _tiled_text(col: pd.Series, times: int) -> pd.Series | None:
    """An Arrow-backed text column repeated ``times`` times, sharing its buffers (the
    chunks listed again); None for any other storage."""
    import pyarrow as pa

    chunked = getattr(col.array, "_pa_array", None)
    if not isinstance(chunked, pa.ChunkedArray):
        return None
    tiled = pa.chunked_array(list(chunked.chunks) * times, type=chunked.type)
    return pd.Series(pd.array(tiled, dtype=col.dtype), copy=False)


def _repeated_labels(labels: list[str], n: int) -> pd.Series:
    """Each label ``n`` times in turn, as a ``str`` column (one Arrow chunk per label)."""
    import pyarrow as pa

    if n == 0:
        return pd.Series(pd.array([], dtype="str"))
    chunks = [pa.repeat(pa.scalar(lab, pa.large_string()), n) for lab in labels]
    return pd.Series(pd.array(pa.chunked_array(chunks, type=pa.large_string()), dtype="str"))


def _zscore(x: np.ndarray) -> np.ndarray:
    ok = ~np.isnan(x)
    if ok.sum() < 2:
        return np.full_like(x, np.nan)
    mu = x[ok].mean()
    sd = x[ok].std(ddof=1)
    if sd == 0:
        return np.where(ok, 0.0, np.nan)
    return (x - mu) / sd


# --------------------------------------------------------------------------- weights


def weighted_descriptives(
    scores: pd.DataFrame, *, by: tuple[str, ...] | list[str] = ("group", "dimension")
) -> pd.DataFrame:
    """Weighted means of scores by group and dimension, using the ``weight`` column.

    Parameters
    ----------
    scores
        Output of :func:`score_survey` (``score`` and ``weight`` columns; without
        ``weight`` every respondent weighs 1).
    by
        Columns to group by.

    Returns
    -------
    DataFrame
        One row per group: the ``by`` columns, ``n`` (respondents with a score),
        ``sum_w`` (sum of weights), ``n_eff`` (Kish's effective n,
        :math:`(\\sum w)^2 / \\sum w^2`), ``mean`` (weighted), ``sd`` (weighted, reliability
        weights: :math:`\\sum w (x - \\bar x_w)^2 / (V_1 - V_2/V_1)`), ``se`` (with
        weights, the design-based Taylor linearisation standard error of the weighted mean,
        below; without, sd / √n).

    Notes
    -----
    With weights, ``se`` treats them as the sampling weights of a design with weights only
    (every respondent its own sampling unit, no strata): each group is a domain of the
    respondents of its dimension (of all rows when ``by`` has no ``dimension``), and with n
    those respondents, :math:`se^2 = \\frac{n}{n-1} \\sum_{i \\in g} w_i^2 (x_i - \\bar
    x_g)^2 / (\\sum_{i \\in g} w_i)^2` (Lumley, 2010, sec. 2.2), R's ``svyby(~score, ~group,
    svydesign(id = ~1, weights = ~weight, data = one_dimension), svymean, na.rm = TRUE)``.
    For strata, clusters or a finite population correction use :func:`analysis.survey_means`
    with an :class:`analysis.SurveyDesign`. Rows with a NaN weight are left out; rows with a
    NaN score count in n but in no group. Groups whose weights sum to 0 get NaN.

    References
    ----------
    Lumley, T. (2010). *Complex surveys: A guide to analysis using R*. Wiley.

    Examples
    --------
    >>> import pandas as pd
    >>> scores = pd.DataFrame({
    ...     "group": ["桂花", "桂花", "梅园"], "dimension": "masses",
    ...     "score": [4.0, 2.0, 3.0], "weight": [3.0, 1.0, 1.0],
    ... })
    >>> weighted_descriptives(scores)[["group", "n", "n_eff", "mean"]]
      group  n  n_eff  mean
    0    桂花  2    1.6   3.5
    1    梅园  1    1.0   3.0
    """
    need = {"score", *by}
    lacking = need - set(scores.columns)
    if lacking:
        raise InputError(f"weighted_descriptives: scores lack column(s) {sorted(lacking)}")
    df = scores.loc[:, [*by, "score"]].copy()
    weighted = "weight" in scores
    df["w"] = scores["weight"].to_numpy(dtype="float64") if weighted else 1.0
    df = df[df["w"].notna()]
    if "dimension" in by:
        df["n_sample"] = df.groupby("dimension", sort=False)["w"].transform("size")
    else:
        df["n_sample"] = len(df)
    df = df[df["score"].notna()]
    df["wx"] = df["w"] * df["score"]
    df["w2"] = df["w"] ** 2
    g = df.groupby(list(by), sort=False, observed=True)
    agg = g.agg(
        n=("score", "size"), sum_w=("w", "sum"), sum_w2=("w2", "sum"), sum_wx=("wx", "sum")
    ).reset_index()
    with np.errstate(invalid="ignore", divide="ignore"):
        agg["mean"] = agg["sum_wx"] / agg["sum_w"]
        means = df[list(by)].merge(agg[[*by, "mean"]], on=list(by), how="left")["mean"]
        df["dev"] = df["w"].to_numpy() * (df["score"].to_numpy() - means.to_numpy()) ** 2
        ss = df.groupby(list(by), sort=False, observed=True)["dev"].sum().reset_index()
        agg = agg.merge(ss, on=list(by), how="left")
        denom = agg["sum_w"] - agg["sum_w2"] / agg["sum_w"]
        agg["sd"] = np.sqrt(agg["dev"] / denom.where(denom > 0))
        agg["n_eff"] = agg["sum_w"] ** 2 / agg["sum_w2"]
        if weighted:  # linearisation (sandwich) error of a ratio mean, weights-only design
            df["dev2"] = df["w"].to_numpy() * df["dev"].to_numpy()
            meat = df.groupby(list(by), sort=False, observed=True).agg(
                dev2=("dev2", "sum"), n_sample=("n_sample", "first")
            )
            meat = agg[list(by)].merge(meat.reset_index(), on=list(by), how="left")
            scale = meat["n_sample"] / (meat["n_sample"] - 1)
            agg["se"] = np.sqrt(scale * meat["dev2"]) / agg["sum_w"]
        else:
            agg["se"] = agg["sd"] / np.sqrt(agg["n"])
    return agg[[*by, "n", "sum_w", "n_eff", "mean", "sd", "se"]]
