"""One ``by`` value of a comparison read from sufficient statistics instead of rows.

:class:`MomentSlice` answers what :func:`analysis.stats.oneway.one_slice` asks of a slice
(group summaries, descriptives, distinct values, mid-ranks, assumption checks) from the
:class:`~analysis.stats.sufficient.GroupMoments` and
:class:`~analysis.stats.sufficient.ValueCounts` of that ``by`` value, with the same
formulas as :class:`analysis.stats.groups.RowSlice` so that the results agree with the
in-memory comparison to rounding.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from analysis.core.errors import InputError
from analysis.stats import groups as grp

__all__ = ["MomentSlice"]

QUARTILES = (0.5, 0.25, 0.75)


class MomentSlice:
    """The moments and value counts of one ``by`` value.

    Parameters
    ----------
    moments
        Rows of :attr:`GroupMoments.table` for this ``by`` value, sorted by group.
    values
        Rows of :attr:`ValueCounts.table` for this ``by`` value.
    weighted
        Whether the moments are weighted.
    overflow
        Distinct values seen when the value counts were dropped (past ``max_values``),
        else None.
    where
        The ``by`` value and column, for messages (``" for 'reform'"`` or ``""``).
    """

    def __init__(
        self,
        moments: pd.DataFrame,
        values: pd.DataFrame,
        *,
        weighted: bool,
        overflow: int | None,
        max_values: int,
        where: str = "",
    ) -> None:
        self.moments = moments
        self.values = values
        self.weighted = weighted
        self.overflow = overflow
        self.max_values = max_values
        self.where = where
        self.index = pd.Index(moments["group"].tolist(), name="_g")

    @property
    def n_rows(self) -> int:
        """Rows (respondents) in the slice."""
        return int(self.moments["n"].sum())

    def summaries(self) -> pd.DataFrame:
        """Per group ``n``, ``mean``, ``var`` and ``n_eff``, as
        :func:`analysis.stats.groups.summaries` computes them from rows."""
        m = self.moments
        n = m["n"].to_numpy(dtype="int64")
        m2 = m["m2"].to_numpy(dtype=float)
        with np.errstate(invalid="ignore", divide="ignore"):
            if self.weighted:
                w = m["weight"].to_numpy(dtype=float)
                n_eff = w**2 / m["weight2"].to_numpy(dtype=float)
                var = m2 / w * n_eff / (n_eff - 1)
            else:
                n_eff = n.astype(float)
                var = m2 / (n_eff - 1)
        return pd.DataFrame(
            {"n": n, "mean": m["mean"].to_numpy(dtype=float), "var": var, "n_eff": n_eff},
            index=self.index,
        )

    def descriptives(self, summ: pd.DataFrame, level: float) -> pd.DataFrame:
        """The ``descriptives`` frame; quartiles from the value counts (NaN without)."""
        rows = {}
        for g, part in self._per_group():
            v = part["value"].to_numpy(dtype=float)
            if self.weighted:
                rows[g] = _weighted_quartiles(v, part["weight"].to_numpy(dtype=float))
            else:
                rows[g] = _quartiles(v, part["count"].to_numpy(dtype="int64"))
        q = pd.DataFrame.from_dict(rows, orient="index", columns=["median", "q1", "q3"])
        return grp.describe(summ, q.reindex(summ.index), level)

    def restrict(self, groups: pd.Index) -> MomentSlice:
        """The slice with only ``groups``."""
        keep = set(groups)
        return MomentSlice(
            self.moments[self.moments["group"].isin(keep)],
            self.values[self.values["group"].isin(keep)],
            weighted=self.weighted,
            overflow=self.overflow,
            max_values=self.max_values,
            where=self.where,
        )

    def distinct(self) -> int:
        """Number of distinct values (at least the count seen, past ``max_values``)."""
        if self.overflow is not None:
            return int(self.overflow)
        return int(self.values["value"].nunique())

    def ranks(self, test: str) -> dict[str, Any]:
        """Mid-ranks from the value counts, as :func:`analysis.stats.groups.ranks`.

        Raises
        ------
        InputError
            The value counts were dropped (too many distinct values for exact ranks).
        """
        self._need_values(test)
        vc = self.values
        pooled = vc.groupby("value", sort=True)["count"].sum()
        t = pooled.to_numpy(dtype=float)
        below = np.cumsum(t) - t
        mid = pd.Series(below + (t + 1) / 2, index=pooled.index)
        r = vc["count"].to_numpy(dtype=float) * mid.reindex(vc["value"]).to_numpy()
        rank_sum = pd.Series(r).groupby(vc["group"].to_numpy(), sort=False).sum()
        rank_sum = rank_sum.reindex(self.index.tolist()).to_numpy(dtype=float)
        n = self.moments["n"].to_numpy(dtype=float)
        return {
            "rank_sum": rank_sum,
            "mean_rank": rank_sum / n,
            "n": n,
            "tie_sum": float((t**3 - t).sum()),
            "total_n": float(t.sum()),
        }

    def samples(self) -> list[np.ndarray] | None:
        """None: a bootstrap resamples rows in their order, which is not kept."""
        return None

    def assumptions(self, summ: pd.DataFrame) -> pd.DataFrame:
        """Levene (means, medians) and Shapiro-Wilk from the value counts, which hold each
        group's values up to their order; NaN with a note without them."""
        if self.overflow is not None:
            return self._no_assumptions()
        rows = []
        parts = list(self._per_group())
        for test in ("levene_mean", "levene_median"):
            stats = []
            for _, part in parts:
                v = part["value"].to_numpy(dtype=float)
                c = part["count"].to_numpy(dtype=float)
                if test == "levene_mean":
                    centre = (c * v).sum() / c.sum()
                else:
                    centre = _quartiles(v, c.astype("int64"))[0]
                stats.append(_weighted_moments(np.abs(v - centre), c))
            g = pd.DataFrame(stats, columns=["count", "mean", "var"])
            rows.append(grp.levene_row(test, g))
        for g, part in parts:
            y = np.repeat(part["value"].to_numpy(dtype=float), part["count"].to_numpy())
            rows.append(grp.shapiro_row(g, y))
        return pd.DataFrame(rows)

    # ------------------------------------------------------------------ helpers

    def _per_group(self) -> list[tuple[Any, pd.DataFrame]]:
        if self.overflow is not None:
            return []
        by_group = dict(tuple(self.values.groupby("group", sort=False)))
        return [(g, by_group[g].sort_values("value")) for g in self.index if g in by_group]

    def _reason(self) -> str:
        return (
            f"the value counts{self.where} were not kept: at least {self.overflow} distinct "
            f"values, more than max_values={self.max_values}"
        )

    def _need_values(self, test: str) -> None:
        if self.overflow is None:
            return
        raise InputError(
            f"compare_groups: the {test}{self.where} needs exact ranks, which sufficient "
            f"statistics give only through value counts, and {self._reason()} (the values "
            "look continuous). Use method='welch', 'anova' or 'brown-forsythe' (and "
            "posthoc='games-howell' or 'tukey'), which need only group moments; or rank "
            "the full data exactly (a shuffle of the rows by value, e.g. Dask's "
            "set_index on the score) and give the per-group rank sums to "
            "analysis.stats.omnibus.kruskal_from_ranks; or raise max_values when building "
            "the GroupMoments."
        )

    def _no_assumptions(self) -> pd.DataFrame:
        note = f"not available from sufficient statistics: {self._reason()}"
        rows = [
            {"test": test, "group": None, "n": self.n_rows}
            for test in ("levene_mean", "levene_median")
        ]
        rows += [
            {"test": "shapiro", "group": g, "n": int(n)}
            for g, n in zip(self.index, self.moments["n"], strict=True)
        ]
        out = pd.DataFrame(rows)
        for col in ("statistic", "df1", "df2", "p_value"):
            out[col] = np.nan
        out["note"] = note
        return out[["test", "group", "statistic", "df1", "df2", "p_value", "n", "note"]]


def _quartiles(v: np.ndarray, c: np.ndarray) -> list[float]:
    """Median, q1, q3 by linear interpolation (R type 7, pandas' default) from the sorted
    distinct values ``v`` and their counts ``c``."""
    cum = np.cumsum(c)
    n = int(cum[-1])
    out = []
    for p in QUARTILES:
        at = p * (n - 1)
        idx = int(at)
        frac = at % 1
        val = v[np.searchsorted(cum, idx, side="right")]
        nxt = v[np.searchsorted(cum, min(idx + 1, n - 1), side="right")]
        out.append(float(val + (nxt - val) * frac))
    return out


def _weighted_quartiles(v: np.ndarray, w: np.ndarray) -> list[float]:
    """As :func:`analysis.stats.groups.weighted_quantiles`: the smallest value whose
    cumulative weight share reaches p."""
    cw = np.cumsum(w)
    share = cw / cw[-1]
    return [float(v[np.searchsorted(share, p - 1e-12)]) for p in QUARTILES]


def _weighted_moments(d: np.ndarray, c: np.ndarray) -> tuple[float, float, float]:
    """Count, mean and variance (ddof 1) of values ``d`` repeated ``c`` times."""
    n = c.sum()
    if np.ptp(d) == 0:
        return float(n), float(d[0]), 0.0 if n > 1 else np.nan
    mean = (c * d).sum() / n
    var = (c * (d - mean) ** 2).sum() / (n - 1) if n > 1 else np.nan
    return float(n), float(mean), float(var)
