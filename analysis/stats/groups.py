"""Per-group summaries for :func:`analysis.stats.compare.compare_groups`.

Each function takes the internal frame of one ``by`` value, with columns ``_y`` (value),
``_g`` (group) and ``_w`` (weight, 1 when unweighted).
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

from analysis.core.errors import InputError

__all__ = [
    "RowSlice",
    "assumptions",
    "describe",
    "descriptives",
    "prepare",
    "ranks",
    "summaries",
    "weighted_quantiles",
]

log = logging.getLogger("analysis")

SHAPIRO_MAX_N = 5000


def summaries(sub: pd.DataFrame, weighted: bool, grouped: Any = None) -> pd.DataFrame:
    """Per group: ``n``, ``mean``, ``var`` (ddof 1) and ``n_eff``, indexed by group.

    Notes
    -----
    Weighted: mean = Σ w y / Σ w, n_eff = (Σ w)² / Σ w² (Kish), and
    var = Σ w (y - mean)² / Σ w · n_eff / (n_eff - 1). ``grouped``: ``sub`` grouped by
    ``_g`` already (its group codes are then worked out once for every summary).
    """
    g = _grouped(sub, grouped)
    if not weighted:
        out = g["_y"].agg(["count", "mean", "var"])
        out.columns = ["n", "mean", "var"]
        out["n_eff"] = out["n"].astype(float)
        return out
    tmp = sub.assign(_wy=sub["_w"] * sub["_y"], _w2=sub["_w"] ** 2)
    s = tmp.groupby("_g", sort=True, observed=True)[["_w", "_wy", "_w2"]].sum()
    mean = s["_wy"] / s["_w"]
    own_mean = mean.reindex(sub["_g"].to_numpy()).to_numpy()
    dev2 = (sub["_y"] - own_mean) ** 2 * sub["_w"]
    ss = dev2.groupby(sub["_g"], sort=True, observed=True).sum()
    n_eff = s["_w"] ** 2 / s["_w2"]
    out = pd.DataFrame(
        {
            "n": g["_y"].count(),
            "mean": mean,
            # Σw(y - m)² / Σw · n_eff / (n_eff - 1): unbiased under the effective sample size
            "var": ss / s["_w"] * n_eff / (n_eff - 1),
            "n_eff": n_eff,
        }
    )
    return out


def ranks(sub: pd.DataFrame) -> dict[str, Any]:
    """Mid-ranks over the pooled values: per-group rank sums, mean ranks and sizes, and
    the tie term Σ (t³ - t)."""
    y = sub["_y"]
    r = y.rank(method="average")
    counts = y.value_counts().to_numpy(dtype=float)
    rs = r.groupby(sub["_g"], sort=True, observed=True).agg(["sum", "mean", "count"])
    return {
        "rank_sum": rs["sum"].to_numpy(dtype=float),
        "mean_rank": rs["mean"].to_numpy(dtype=float),
        "n": rs["count"].to_numpy(dtype=float),
        "tie_sum": float((counts**3 - counts).sum()),
        "total_n": float(len(y)),
    }


def descriptives(
    sub: pd.DataFrame, summ: pd.DataFrame, weighted: bool, level: float, grouped: Any = None
) -> pd.DataFrame:
    """The ``descriptives`` frame of :class:`analysis.CompareResult` for one ``by`` value.

    Notes
    -----
    CI = mean ± t_{(1+level)/2, n_eff - 1} · sd / √n_eff; quantiles are pandas' linear
    interpolation (R type 7), or weighted quantiles when weighted.
    """
    if weighted:
        q = weighted_quantiles(sub, summ.index)
    else:
        q = _grouped(sub, grouped)["_y"].quantile([0.5, 0.25, 0.75]).unstack()
        q.columns = ["median", "q1", "q3"]
        q = q.reindex(summ.index)
    return describe(summ, q, level)


def describe(summ: pd.DataFrame, q: pd.DataFrame, level: float) -> pd.DataFrame:
    """The ``descriptives`` frame from group summaries and quartiles (``median``, ``q1``,
    ``q3``, indexed like ``summ``), however they were computed."""
    from scipy import stats

    n_eff = summ["n_eff"].to_numpy(dtype=float)
    sd = np.sqrt(summ["var"].to_numpy(dtype=float))
    se = sd / np.sqrt(n_eff)
    with np.errstate(invalid="ignore", divide="ignore"):
        crit = stats.t.isf((1 - level) / 2, np.where(n_eff > 1, n_eff - 1, np.nan))
    mean = summ["mean"].to_numpy(dtype=float)
    return pd.DataFrame(
        {
            "group": summ.index.to_numpy(),
            "n": summ["n"].to_numpy(dtype=int),
            "n_eff": n_eff,
            "mean": mean,
            "sd": sd,
            "se": se,
            "ci_low": mean - crit * se,
            "ci_high": mean + crit * se,
            "median": q["median"].to_numpy(dtype=float),
            "q1": q["q1"].to_numpy(dtype=float),
            "q3": q["q3"].to_numpy(dtype=float),
        }
    )


def weighted_quantiles(sub: pd.DataFrame, index: pd.Index) -> pd.DataFrame:
    """Weighted quantiles: the smallest y whose cumulative weight share reaches p."""
    rows = {}
    for g, part in sub.groupby("_g", sort=True, observed=True):
        order = np.argsort(part["_y"].to_numpy(), kind="mergesort")
        y = part["_y"].to_numpy()[order]
        cw = np.cumsum(part["_w"].to_numpy()[order])
        share = cw / cw[-1]
        rows[g] = [y[np.searchsorted(share, p - 1e-12)] for p in (0.5, 0.25, 0.75)]
    out = pd.DataFrame.from_dict(rows, orient="index", columns=["median", "q1", "q3"])
    return out.reindex(index)


def assumptions(sub: pd.DataFrame, summ: pd.DataFrame, grouped: Any = None) -> pd.DataFrame:
    """Levene's test centred on means and on medians (Brown-Forsythe), and Shapiro-Wilk
    per group (3 ≤ n ≤ 5000), each with a note on what its sample size lets it say."""
    rows = []
    by_group = _grouped(sub, grouped)["_y"]
    devs = pd.DataFrame(
        {
            "_g": sub["_g"],
            **{
                center: (sub["_y"] - by_group.transform(center)).abs()
                for center in ("mean", "median")
            },
        }
    )
    # both deviations in one grouping: the same kernels, column by column
    stats = devs.groupby("_g", sort=True, observed=True).agg(["count", "mean", "var"])
    for test, center in (("levene_mean", "mean"), ("levene_median", "median")):
        rows.append(levene_row(test, stats[center]))
    # a group's values are gathered only when Shapiro-Wilk is run on them (3 <= n <= 5000
    # and some variation); the others get their note from count, min and max
    span = by_group.agg(["count", "min", "max"])
    take = (span["count"] >= 3) & (span["count"] <= SHAPIRO_MAX_N) & (span["max"] > span["min"])
    values = dict(iter(by_group)) if take.any() else {}
    for grp, count, lo, hi in zip(span.index, span["count"], span["min"], span["max"], strict=True):
        if take[grp]:
            rows.append(shapiro_row(grp, values[grp].to_numpy()))
        else:
            rows.append(shapiro_row(grp, None, n=int(count), flat=not hi > lo))
    return pd.DataFrame(rows)


def _grouped(sub: pd.DataFrame, grouped: Any) -> Any:
    return grouped if grouped is not None else sub.groupby("_g", sort=True, observed=True)


def levene_row(test: str, g: pd.DataFrame) -> dict[str, Any]:
    """One Levene row from the per-group ``count``, ``mean`` and ``var`` of the absolute
    deviations from the group centre: the classical ANOVA of those deviations."""
    from analysis.stats import omnibus

    if (g["var"] > 0).any():
        res = omnibus.anova(
            g["count"].to_numpy(float), g["mean"].to_numpy(float), g["var"].to_numpy(float)
        )
    else:
        res = {"statistic": np.nan, "df1": np.nan, "df2": np.nan, "p_value": np.nan}
    return {
        "test": test,
        "group": None,
        **{c: res[c] for c in ("statistic", "df1", "df2", "p_value")},
        "n": int(g["count"].sum()),
        "note": "unweighted" if test == "levene_mean" else "Brown-Forsythe variant",
    }


def shapiro_row(
    grp: Any, y: np.ndarray | None, *, n: int = 0, flat: bool = False
) -> dict[str, Any]:
    """One Shapiro-Wilk row for the values ``y`` of one group (their order does not
    matter: the test sorts them); or, where the test is not run, ``y=None`` with the
    group's size ``n`` and whether its values are all equal (``flat``)."""
    from scipy import stats

    note = "large n: tiny departures from normality become significant; judge by a Q-Q plot"
    stat, p = np.nan, np.nan
    size = n if y is None else y.size
    if size < 3 or (flat if y is None else np.ptp(y) == 0):
        note = "not computed: fewer than 3 values or no variation"
    elif size > SHAPIRO_MAX_N or y is None:
        note = f"not computed: n > {SHAPIRO_MAX_N}, where the test only reflects n"
    else:
        stat, p = stats.shapiro(y)
        if y.size < 50:
            note = "small n: low power to detect non-normality"
    return {
        "test": "shapiro",
        "group": grp,
        "statistic": float(stat),
        "df1": np.nan,
        "df2": np.nan,
        "p_value": float(p),
        "n": int(size),
        "note": note,
    }


# ---------------------------------------------------------------- rows in, slices out


def _categories(col: pd.Series) -> pd.Categorical:
    """A column as Categorical; Arrow text is encoded in Arrow (the same categories and
    codes as from its object array, without a Python string per row)."""
    if isinstance(col.dtype, pd.StringDtype):
        to_arrow = getattr(col.array, "__arrow_array__", None)
        if to_arrow is not None and col.dtype.storage == "pyarrow":
            return _arrow_categories(to_arrow(), col.dtype)
        return pd.Categorical(col)
    return pd.Categorical(col.to_numpy())


def _arrow_categories(chunked: Any, dtype: Any) -> pd.Categorical:
    """``pd.Categorical`` of Arrow text: each chunk dictionary-encoded once (a chunk listed
    again, as the long frame of scores lists a respondent column once per dimension, is
    encoded once), the few labels sorted by pandas, the codes taken by index."""
    import pyarrow as pa
    import pyarrow.compute as pc

    encoded: dict[tuple[int, ...], Any] = {}
    parts = []
    for chunk in chunked.chunks:
        key = (
            *(b.address if b is not None else 0 for b in chunk.buffers()),
            chunk.offset,
            len(chunk),
        )
        if key not in encoded:
            encoded[key] = chunk.dictionary_encode()
        parts.append(encoded[key])
    if not parts:
        return pd.Categorical(pd.array([], dtype=dtype))
    unified = pa.chunked_array(parts).unify_dictionaries()
    labels = unified.chunk(0).dictionary
    # pandas orders the categories (and picks the codes' width): asked of the labels alone
    ref = pd.Categorical(pd.array(labels, dtype=dtype))
    remap = np.append(ref.codes, np.array(-1, dtype=ref.codes.dtype))
    codes = np.empty(len(chunked), dtype=remap.dtype)
    at = 0
    for chunk in unified.chunks:  # each chunk's indices straight into the codes
        indices = chunk.indices
        if indices.null_count:
            indices = pc.fill_null(indices, -1)
        stop = at + len(indices)
        # -1 (missing) takes the last slot
        np.take(remap, indices.to_numpy(zero_copy_only=False), out=codes[at:stop], mode="wrap")
        at = stop
    return pd.Categorical.from_codes(codes, dtype=ref.dtype, validate=False)


def prepare(
    data: pd.DataFrame,
    *,
    dv: str,
    between: str,
    by: str | None,
    weights: str | None,
    owner: str = "compare_groups",
) -> tuple[pd.DataFrame, dict[Any, int]]:
    """Select, check and clean the columns; count rows dropped for a missing dv.

    Returns the internal frame (``_y``, ``_g`` categorical, ``_by`` categorical or 0,
    ``_w``) without rows missing the group or the value, and the number of rows with a
    group but no value per ``_by`` value.
    """
    if not isinstance(data, pd.DataFrame):
        raise InputError(f"{owner}: data must be a pandas DataFrame, got {type(data)}")
    wanted = {"dv": dv, "between": between, "by": by, "weights": weights}
    missing = [f"{k}={v!r}" for k, v in wanted.items() if v is not None and v not in data]
    if missing:
        raise InputError(
            f"{owner}: column(s) {', '.join(missing)} not in data; "
            f"columns are {', '.join(map(str, data.columns))}"
        )
    columns: dict[str, Any] = {
        "_y": numeric(data, dv, owner),
        # categorical codes: small and fast to group for millions of rows
        "_g": _categories(data[between]),
        "_by": _categories(data[by]) if by is not None else 0,
        "_w": numeric(data, weights, owner) if weights is not None else 1.0,
    }
    if weights is not None:
        w = columns["_w"]
        bad = w.isna() | (w <= 0)
        if bad.any():
            pos = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(
                f"{owner}: column {weights!r}, row {data.index[pos]!r}: got "
                f"{data[weights].iloc[pos]!r}; expected a positive weight "
                f"({int(bad.sum())} such rows)"
            )
    has_group = columns["_g"].codes >= 0
    missing_y = columns["_y"].isna().to_numpy() & has_group
    dropped: dict[Any, int] = {}
    if missing_y.any():
        by_rows = pd.Series(columns["_by"], index=columns["_y"].index)
        dropped = by_rows[missing_y].value_counts().to_dict()
        log.info("%s: dropped %d rows with missing %s", owner, int(missing_y.sum()), dv)
    keep = has_group & ~missing_y
    # rows left out before the frame is built: one copy of the rows kept, not two
    at = None if keep.all() else np.flatnonzero(keep)
    index = pd.RangeIndex(len(keep)) if at is None else pd.Index(at)
    kept: list[pd.Series] = []
    for name, values in columns.items():
        if isinstance(values, pd.Categorical):
            values = values if at is None else values.take(at)
        elif isinstance(values, pd.Series):
            values = values.to_numpy() if at is None else values.to_numpy()[at]
        else:  # a constant (no by, no weights)
            values = np.full(len(index), values)
        kept.append(pd.Series(values, index=index, name=name, copy=False))
    # side by side, each column its own block: no copy into one two-column block
    return pd.concat(kept, axis=1), dropped


def numeric(data: pd.DataFrame, column: str, owner: str = "compare_groups") -> pd.Series:
    """Column ``column`` as float, raising with every non-numeric value listed."""
    raw = data[column]
    if pd.api.types.is_bool_dtype(raw) or not (
        pd.api.types.is_numeric_dtype(raw)
        or raw.dtype == object
        or pd.api.types.is_string_dtype(raw)
    ):
        raise InputError(f"{owner}: column {column!r} must be numeric, got {raw.dtype}")
    if raw.dtype == np.float64:  # numbers already: nothing to convert or to report
        return pd.Series(raw.to_numpy(), name=column)
    values = pd.to_numeric(raw, errors="coerce").astype(float)
    bad = values.isna() & raw.notna()
    if bad.any():
        problems = [
            {"row": idx, "column": column, "value": raw.loc[idx], "problem": "expected a number"}
            for idx in raw.index[bad.to_numpy()][:50]
        ]
        raise InputError.from_problems(problems, what=f"non-numeric values in {column!r}")
    return pd.Series(values.to_numpy(), name=column)


class RowSlice:
    """The rows of one ``by`` value, as :func:`analysis.stats.oneway.one_slice` reads them.

    :class:`analysis.stats.moment_slice.MomentSlice` answers the same questions from
    sufficient statistics merged across partitions.
    """

    def __init__(self, sub: pd.DataFrame, weighted: bool) -> None:
        self.sub = sub
        self.weighted = weighted
        # one grouping for every summary: pandas works out the group codes once
        self.grouped = sub.groupby("_g", sort=True, observed=True)

    @property
    def n_rows(self) -> int:
        """Rows (respondents) in the slice."""
        return len(self.sub)

    def summaries(self) -> pd.DataFrame:
        """Per group ``n``, ``mean``, ``var``, ``n_eff`` (see :func:`summaries`)."""
        return summaries(self.sub, self.weighted, self.grouped)

    def descriptives(self, summ: pd.DataFrame, level: float) -> pd.DataFrame:
        """The ``descriptives`` frame (see :func:`descriptives`)."""
        return descriptives(self.sub, summ, self.weighted, level, self.grouped)

    def restrict(self, groups: pd.Index) -> RowSlice:
        """The slice with only ``groups`` (itself when it has no other group)."""
        present = self.grouped.ngroups
        if len(groups) == present and pd.Index(groups).equals(self.grouped.size().index):
            return self
        return RowSlice(self.sub[self.sub["_g"].isin(groups)], self.weighted)

    def distinct(self) -> int:
        """Number of distinct values."""
        return int(self.sub["_y"].nunique())

    def ranks(self, test: str) -> dict[str, Any]:
        """Mid-rank sums and the tie term (see :func:`ranks`); ``test`` names the user."""
        return ranks(self.sub)

    def samples(self) -> list[np.ndarray] | None:
        """The values of each group in group order, for the bootstrap."""
        return [v.to_numpy() for _, v in self.grouped["_y"]]

    def assumptions(self, summ: pd.DataFrame) -> pd.DataFrame:
        """The ``assumptions`` rows (see :func:`assumptions`)."""
        return assumptions(self.sub, summ, self.grouped)
