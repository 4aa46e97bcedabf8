"""Sufficient statistics of a comparison that merge across partitions.

A survey too large for one machine is read in partitions (by Dask, or file by file). Each
partition gives a :class:`GroupMoments` here; the parts merge in any order and any grouping
(:meth:`GroupMoments.merge`, :meth:`GroupMoments.combine`), and
:func:`analysis.compare_groups` takes the merged statistics in place of the rows. Both
classes are plain frozen dataclasses of numpy and pandas objects: they pickle, so workers
can send them back.

What the statistics hold, and what they allow:

* per ``(by, group)``: ``n``, the sum of weights and of squared weights, the mean, ``m2``
  (the centred sum of squares, Σ w (y - mean)²), min and max. Merged with Chan et al.'s
  pairwise update, never from raw sums of squares. They give every moment-based result:
  ANOVA, Welch, Brown-Forsythe (the test of means), Tukey-Kramer, Games-Howell, LSD,
  Bonferroni, group against grand mean, η², ω², ε², Hedges' g, Cohen's d and the
  descriptives but the quartiles.
* :class:`ValueCounts`: per ``(by, group, value)`` the count and the sum of weights,
  exact as long as a ``by`` value has at most ``max_values`` distinct values. Dimension
  scores are means of Likert items, so they take few distinct values, and the counts are
  the data up to the order of the rows: medians and quartiles, Levene's tests (on means
  and on medians), Shapiro-Wilk, and exact mid-ranks with the tie correction for
  Kruskal-Wallis and Dunn. Past ``max_values`` the counts of that ``by`` value are dropped
  and the rank tests raise a clear error (use a moment-based method, or exact ranks from
  a shuffle of the rows by value).

Only the bootstrap intervals (ε²_H and the rank-biserial r) need the rows themselves: they
resample rows in their order, so from sufficient statistics they are NaN and the table's
``reason`` says why.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import reduce
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from analysis.core.errors import ConfigError, InputError

__all__ = ["MAX_VALUES", "GroupMoments", "ValueCounts", "merge_tree"]

T = TypeVar("T")

MAX_VALUES = 1000
# more than analysis.stats.oneway.ORDINAL_MAX_VALUES, so that method="auto" always sees
# whether a by value has few distinct values (a test checks the two agree)
MIN_VALUES = 8
KEYS = ["by", "group"]
MOMENT_COLUMNS = ["by", "group", "n", "weight", "weight2", "mean", "m2", "min", "max"]
VALUE_COLUMNS = ["by", "group", "value", "count", "weight"]


# ============================================================================ value counts


@dataclass(frozen=True, eq=False)
class ValueCounts:
    """Exact counts of each distinct value per ``(by, group)``, mergeable.

    Attributes
    ----------
    table
        Columns ``by`` (0 without ``by``), ``group``, ``value``, ``count`` (rows),
        ``weight`` (sum of weights; = count without weights), sorted by the first three.
    max_values
        Most distinct values a ``by`` value may have; past it its counts are dropped.
    overflow
        ``by`` value -> distinct values seen (at least), for the ``by`` values whose
        counts were dropped.
    """

    table: pd.DataFrame
    max_values: int = MAX_VALUES
    overflow: Mapping[Any, int] = field(default_factory=dict)

    @classmethod
    def from_internal(cls, frame: pd.DataFrame, max_values: int) -> ValueCounts:
        """Counts of the internal frame of :func:`analysis.stats.groups.prepare`."""
        distinct = frame.groupby("_by", sort=False, observed=True)["_y"].nunique()
        over = distinct[distinct > max_values]
        keep = frame[~frame["_by"].isin(over.index)] if len(over) else frame
        g = keep.groupby(["_by", "_g", "_y"], sort=True, observed=True)["_w"]
        table = g.agg(["count", "sum"]).reset_index()
        table.columns = VALUE_COLUMNS
        return cls(_plain_keys(table), max_values, {k: int(v) for k, v in over.items()})

    def merge(self, other: ValueCounts) -> ValueCounts:
        """The counts of both parts together (associative and commutative)."""
        max_values = min(self.max_values, other.max_values)
        overflow = dict(self.overflow)
        for key, seen in other.overflow.items():
            overflow[key] = max(overflow.get(key, 0), seen)
        both = pd.concat([self.table, other.table], ignore_index=True)
        both = both[~both["by"].isin(list(overflow))]
        table = both.groupby(["by", "group", "value"], sort=True)[["count", "weight"]].sum()
        table = table.reset_index()
        distinct = table.groupby("by", sort=False)["value"].nunique()
        for key, seen in distinct[distinct > max_values].items():
            overflow[key] = int(seen)
        table = table[~table["by"].isin(list(overflow))].reset_index(drop=True)
        return ValueCounts(table[VALUE_COLUMNS], max_values, overflow)


# ============================================================================ moments


@dataclass(frozen=True, eq=False)
class GroupMoments:
    """Mergeable sufficient statistics of ``dv`` per ``(by, group)``.

    Build one per partition with :meth:`from_frame`, merge with :meth:`merge` or
    :meth:`combine`, and pass the result to :func:`analysis.compare_groups` in place of
    the long frame.

    Attributes
    ----------
    table
        One row per ``(by, group)`` with at least one value: ``by`` (0 without ``by``),
        ``group``, ``n`` (rows), ``weight`` (Σ w; = n without weights), ``weight2``
        (Σ w²), ``mean`` (weighted), ``m2`` (Σ w (y - mean)²), ``min``, ``max``.
    dv, between, by, weights
        The columns the statistics were computed from.
    dropped
        ``by`` value -> rows with a group but no value (``n_dropped`` of the table).
    values
        :class:`ValueCounts` of the same rows.

    Notes
    -----
    Two parts merge by Chan, Golub & LeVeque's (1979) update, with W the sum of weights:
    δ = mean_b - mean_a, mean = mean_a + δ W_b / W, m2 = m2_a + m2_b + δ² W_a W_b / W.
    It is exact in exact arithmetic and, unlike Σy² - (Σy)²/n, loses no precision when the
    mean is large against the spread. A group whose min equals its max has m2 = 0 and
    mean = min exactly, so a group without variation is seen as such however it was split.

    Rows without a ``by`` value are left out (the in-memory comparison would make a
    ``by`` value of them).

    References
    ----------
    Chan, T. F., Golub, G. H., & LeVeque, R. J. (1979). Updating formulae and a pairwise
    algorithm for computing sample variances. Technical Report STAN-CS-79-773, Stanford.

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis.stats.sufficient import GroupMoments
    >>> d = pd.DataFrame({"group": list("aabbb"), "score": [3.0, 4.0, 2.0, 2.5, 3.0]})
    >>> parts = [GroupMoments.from_frame(d.iloc[i:i + 2], dv="score", between="group")
    ...          for i in range(0, 5, 2)]
    >>> merged = GroupMoments.combine(parts)
    >>> merged.table[["group", "n", "mean", "m2"]].to_dict("records")
    [{'group': 'a', 'n': 2, 'mean': 3.5, 'm2': 0.5}, {'group': 'b', 'n': 3, 'mean': 2.5, 'm2': 0.5}]
    """

    table: pd.DataFrame
    dv: str
    between: str
    by: str | None = None
    weights: str | None = None
    dropped: Mapping[Any, int] = field(default_factory=dict)
    values: ValueCounts = field(
        default_factory=lambda: ValueCounts(pd.DataFrame(columns=VALUE_COLUMNS))
    )

    @classmethod
    def from_frame(
        cls,
        data: pd.DataFrame,
        *,
        dv: str,
        between: str,
        by: str | None = None,
        weights: str | None = None,
        max_values: int = MAX_VALUES,
    ) -> GroupMoments:
        """The statistics of one partition: a long frame as :func:`analysis.compare_groups`
        takes it.

        Parameters
        ----------
        data
            Long frame (one partition). Not modified.
        dv, between, by, weights
            As in :func:`analysis.compare_groups`.
        max_values
            Most distinct values of ``dv`` per ``by`` value whose counts are kept (at
            least 8).

        Returns
        -------
        GroupMoments

        Raises
        ------
        InputError
            A column is missing, ``dv`` is not numeric or a weight is not positive.
        ConfigError
            ``max_values`` is below 8.
        """
        from analysis.stats.groups import prepare

        if int(max_values) < MIN_VALUES:
            raise ConfigError(
                f"The 'max_values' parameter of GroupMoments.from_frame must be at least "
                f"{MIN_VALUES}. Got {max_values!r} instead."
            )
        frame, dropped = prepare(
            data, dv=dv, between=between, by=by, weights=weights, owner="GroupMoments.from_frame"
        )
        frame = frame[frame["_by"].notna()] if by is not None else frame
        table = _moments(frame, weighted=weights is not None)
        return cls(
            table=table,
            dv=dv,
            between=between,
            by=by,
            weights=weights,
            dropped={k: int(v) for k, v in dropped.items() if v},
            values=ValueCounts.from_internal(frame, int(max_values)),
        )

    def merge(self, other: GroupMoments) -> GroupMoments:
        """The statistics of both parts together (associative and commutative).

        Raises
        ------
        ConfigError
            The parts were computed from different columns.
        """
        if not isinstance(other, GroupMoments):
            raise InputError(f"GroupMoments.merge: expected GroupMoments, got {type(other)}")
        mine = (self.dv, self.between, self.by, self.weights)
        theirs = (other.dv, other.between, other.by, other.weights)
        if mine != theirs:
            raise ConfigError(
                "GroupMoments.merge: the parts were computed from different columns "
                f"(dv, between, by, weights): {mine} and {theirs}"
            )
        dropped = dict(self.dropped)
        for key, count in other.dropped.items():
            dropped[key] = dropped.get(key, 0) + count
        return GroupMoments(
            table=_chan(self.table, other.table),
            dv=self.dv,
            between=self.between,
            by=self.by,
            weights=self.weights,
            dropped=dropped,
            values=self.values.merge(other.values),
        )

    @classmethod
    def combine(cls, parts: Iterable[GroupMoments]) -> GroupMoments:
        """Merge any number of parts, pairwise as a balanced tree (Chan et al.'s pairwise
        scheme, whose rounding error grows with the log of the number of parts)."""
        return merge_tree(parts, GroupMoments.merge, owner="GroupMoments.combine")


def merge_tree(parts: Iterable[T], merge: Callable[[T, T], T], *, owner: str) -> T:
    """Merge ``parts`` pairwise as a balanced tree: ((a b) (c d)) (e), never a long chain.

    Used for every mergeable statistic (and for their lazy versions on Dask), so the
    rounding error grows with the log of the number of parts and the order is always the same.

    Raises
    ------
    InputError
        No parts.
    """
    level = list(parts)
    if not level:
        raise InputError(f"{owner}: no parts to combine")
    while len(level) > 1:
        level = [reduce(merge, level[i : i + 2]) for i in range(0, len(level), 2)]
    return level[0]


# ============================================================================ internals


def _moments(frame: pd.DataFrame, *, weighted: bool) -> pd.DataFrame:
    """Per (by, group) moments of the internal frame, centred within the partition."""
    keys = [frame["_by"], frame["_g"]]
    w = frame["_w"] if weighted else pd.Series(1.0, index=frame.index)
    g = frame.assign(_w=w, _wy=w * frame["_y"], _w2=w * w).groupby(
        ["_by", "_g"], sort=True, observed=True
    )
    sums = g[["_w", "_wy", "_w2"]].sum()
    if weighted:
        mean = sums["_wy"] / sums["_w"]
    else:
        mean = g["_y"].mean()
    own = mean.reindex(pd.MultiIndex.from_arrays(keys)).to_numpy()
    m2 = (w * (frame["_y"] - own) ** 2).groupby(keys, sort=True, observed=True).sum()
    out = pd.DataFrame(
        {
            "n": g["_y"].count(),
            "weight": sums["_w"],
            "weight2": sums["_w2"],
            "mean": mean,
            "m2": m2.to_numpy(),
            "min": g["_y"].min(),
            "max": g["_y"].max(),
        }
    )
    out = out.reset_index()
    out.columns = MOMENT_COLUMNS
    return _exact_flat(_plain_keys(out))


def _plain_keys(table: pd.DataFrame) -> pd.DataFrame:
    """``by`` and ``group`` as plain object columns (not categoricals of one partition)."""
    table = table.copy()
    for col in KEYS:
        table[col] = pd.Series(np.asarray(table[col].to_numpy(), dtype=object), index=table.index)
    return table


def _exact_flat(table: pd.DataFrame) -> pd.DataFrame:
    flat = (table["min"] == table["max"]).to_numpy()
    if flat.any():
        table.loc[flat, "mean"] = table.loc[flat, "min"]
        table.loc[flat, "m2"] = 0.0
    return table


def _chan(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """Chan et al.'s pairwise update, vectorised over the (by, group) of two tables."""
    m = a.merge(b, on=KEYS, how="outer", suffixes=("_a", "_b"), sort=False)

    def col(name: str, side: str) -> np.ndarray:
        return m[f"{name}_{side}"].to_numpy(dtype=float)

    wa, wb = np.nan_to_num(col("weight", "a")), np.nan_to_num(col("weight", "b"))
    ma, mb = col("mean", "a"), col("mean", "b")
    ma, mb = np.where(np.isnan(ma), mb, ma), np.where(np.isnan(mb), ma, mb)
    w = wa + wb
    delta = mb - ma
    out = pd.DataFrame(
        {
            "by": m["by"].to_numpy(dtype=object),
            "group": m["group"].to_numpy(dtype=object),
            "n": (np.nan_to_num(col("n", "a")) + np.nan_to_num(col("n", "b"))).astype("int64"),
            "weight": w,
            "weight2": np.nan_to_num(col("weight2", "a")) + np.nan_to_num(col("weight2", "b")),
            "mean": ma + delta * (wb / w),
            "m2": np.nan_to_num(col("m2", "a"))
            + np.nan_to_num(col("m2", "b"))
            + delta**2 * (wa * wb / w),
            "min": np.fmin(col("min", "a"), col("min", "b")),
            "max": np.fmax(col("max", "a"), col("max", "b")),
        }
    )
    out = out.sort_values(KEYS, kind="mergesort", ignore_index=True)
    return _exact_flat(out)
