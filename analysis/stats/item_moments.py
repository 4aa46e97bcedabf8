"""Item means and co-moments per dimension that merge across partitions.

:class:`ItemMoments` holds, for each dimension's items, what reliability and the item
table are computed from: counts, means and centred cross-products, both pairwise (every
pair of items over the respondents who answered both, as ``missing="pairwise"``) and over
complete cases (``missing="listwise"``). Partitions merge in any order by the
multivariate form of Chan et al.'s update; :func:`analysis.reliability` and
:func:`analysis.item_analysis` take the merged moments in place of a survey.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.core.errors import ConfigError, InputError
from analysis.stats.answer_table import AnswerTable, answer_table

__all__ = ["ItemBlock", "ItemMoments"]


@dataclass(frozen=True, eq=False)
class ItemBlock:
    """The moments of one dimension's items (k of them).

    Attributes
    ----------
    items
        Item ids, in order.
    n_any
        Respondents who answered at least one item.
    pair_n
        k x k: respondents who answered both items i and j (the diagonal: item i).
    pair_mean
        k x k: mean of item i over the respondents who answered i and j (0 where none).
    pair_m2
        k x k: Σ (x_i - pair_mean[i, j]) (x_j - pair_mean[j, i]) over those respondents.
    complete_n
        Respondents who answered every item.
    complete_mean, complete_m2
        Their item means (k) and centred cross-products (k x k).
    pair_ss
        k x k: Σ (x_i - pair_mean[i, j])² over the respondents who answered i and j, for
        the pairwise correlation with each pair's own standard deviations (R's
        ``cor(use = "pairwise")``).
    """

    items: tuple[str, ...]
    n_any: int
    pair_n: np.ndarray
    pair_mean: np.ndarray
    pair_m2: np.ndarray
    complete_n: int
    complete_mean: np.ndarray
    complete_m2: np.ndarray
    pair_ss: np.ndarray | None = None

    @classmethod
    def from_matrix(cls, items: Sequence[str], x: np.ndarray) -> ItemBlock:
        """Moments of a respondents x items matrix (float, NaN where not answered).

        Notes
        -----
        Pairwise, with the observation mask M, columns centred on their observed means
        and zero where missing (Z), N = M'M and S = Z'M: pair_mean = mean + S / N and
        pair_m2 = Z'Z - S ∘ S' / N, as in the in-memory pairwise covariance; with
        Q = (Z ∘ Z)'M, pair_ss = Q - S ∘ S / N.
        """
        x = np.asarray(x, dtype="float64")
        k = len(items)
        if x.ndim != 2 or x.shape[1] != k:
            raise InputError(
                f"ItemBlock.from_matrix: expected a matrix with {k} columns, got {x.shape}"
            )
        table = answer_table(x)
        if table is not None:  # whole-number answers: the same sums from the pattern counts
            return cls.from_table(items, table)
        ok = ~np.isnan(x)
        m = ok.astype("float64")
        counts = ok.sum(axis=0)
        means = np.divide(
            np.where(ok, x, 0.0).sum(axis=0), counts, out=np.zeros(k), where=counts > 0
        )
        z = np.where(ok, x - means, 0.0)
        n = m.T @ m
        s = z.T @ m
        safe = np.where(n > 0, n, 1.0)
        pair_mean = np.where(n > 0, means[:, None] + s / safe, 0.0)
        pair_m2 = np.where(n > 0, z.T @ z - s * s.T / safe, 0.0)
        pair_ss = np.where(n > 0, (z * z).T @ m - s * s / safe, 0.0)
        full = x[ok.all(axis=1)]
        c_mean = full.mean(axis=0) if len(full) else np.zeros(k)
        dev = full - c_mean
        return cls(
            items=tuple(items),
            n_any=int(ok.any(axis=1).sum()),
            pair_n=n,
            pair_mean=pair_mean,
            pair_m2=pair_m2,
            complete_n=len(full),
            complete_mean=c_mean,
            complete_m2=dev.T @ dev,
            pair_ss=pair_ss,
        )

    @classmethod
    def from_table(cls, items: Sequence[str], table: AnswerTable) -> ItemBlock:
        """Moments from the counts of every answer pattern (:func:`answer_table`).

        Notes
        -----
        Each sum over respondents is a sum over the cells of a two-way (or, for complete
        cases, the k-way) table: counts times answers, exact for whole-number answers, and
        each cross-product taken about its own means, as :meth:`from_matrix` defines them.
        """
        k = len(items)
        if table.counts.ndim != k:
            raise InputError(f"ItemBlock.from_table: expected a table of {k} items")
        v = table.values[1:]
        n = np.zeros((k, k))
        pair_mean = np.zeros((k, k))
        pair_m2 = np.zeros((k, k))
        pair_ss = np.zeros((k, k))
        for i in range(k):
            for j in range(i, k):
                tab = table.pair(i, j)[1:, 1:]
                count = tab.sum()
                if count == 0:
                    continue
                rows, cols = tab.sum(axis=1), tab.sum(axis=0)
                mean_i, mean_j = rows @ v / count, cols @ v / count
                di, dj = v - mean_i, v - mean_j
                n[i, j] = n[j, i] = count
                pair_mean[i, j], pair_mean[j, i] = mean_i, mean_j
                pair_m2[i, j] = pair_m2[j, i] = di @ tab @ dj
                pair_ss[i, j], pair_ss[j, i] = rows @ (di * di), cols @ (dj * dj)
        full = table.complete()
        c_n = int(full.sum())
        c_mean = np.zeros(k)
        c_m2 = np.zeros((k, k))
        if c_n:
            sub = AnswerTable(lowest=table.lowest, counts=np.pad(full, ((1, 0),) * k))
            c_mean = np.array([sub.pair(i, i)[1:, 1:].sum(axis=0) @ v / c_n for i in range(k)])
            for i in range(k):
                for j in range(i, k):
                    tab = sub.pair(i, j)[1:, 1:]
                    c_m2[i, j] = c_m2[j, i] = (v - c_mean[i]) @ tab @ (v - c_mean[j])
        return cls(
            items=tuple(items),
            n_any=int(table.counts.sum() - table.counts[(0,) * k]),
            pair_n=n,
            pair_mean=pair_mean,
            pair_m2=pair_m2,
            complete_n=c_n,
            complete_mean=c_mean,
            complete_m2=c_m2,
            pair_ss=pair_ss,
        )

    def merge(self, other: ItemBlock) -> ItemBlock:
        """Both parts together, by the multivariate Chan et al. update.

        Notes
        -----
        Per pair (i, j), with D = pair_mean_b - pair_mean_a:
        pair_mean = pair_mean_a + D n_b / n and
        pair_m2 = pair_m2_a + pair_m2_b + D ∘ D' n_a n_b / n; over complete cases the same
        with the outer product of the difference of the mean vectors;
        pair_ss = pair_ss_a + pair_ss_b + D ∘ D n_a n_b / n.
        """
        if self.items != other.items:
            raise ConfigError(
                f"ItemMoments.merge: different items in one dimension: {self.items} and "
                f"{other.items}"
            )
        n, mean, m2 = _chan(
            self.pair_n, self.pair_mean, self.pair_m2, other.pair_n, other.pair_mean,
            other.pair_m2, pairwise=True,
        )  # fmt: skip
        cn, cmean, cm2 = _chan(
            np.float64(self.complete_n), self.complete_mean, self.complete_m2,
            np.float64(other.complete_n), other.complete_mean, other.complete_m2,
            pairwise=False,
        )  # fmt: skip
        pair_ss = None
        if self.pair_ss is not None and other.pair_ss is not None:
            pair_ss = _pair_ss(self, other, n)
        return ItemBlock(
            items=self.items,
            n_any=self.n_any + other.n_any,
            pair_n=n,
            pair_mean=mean,
            pair_m2=m2,
            complete_n=int(cn),
            complete_mean=cmean,
            complete_m2=cm2,
            pair_ss=pair_ss,
        )

    def correlation(self, missing: str) -> np.ndarray:
        """Correlation matrix as R's ``cor(use = "pairwise")`` (or listwise) gives it.

        Pairwise, each correlation is the pair's covariance over the product of the two
        standard deviations computed on the same respondents, so it lies in [-1, 1]
        whatever the pattern of missing answers.
        """
        cov, _ = self.covariance(missing)
        if missing == "listwise" or self.pair_ss is None:
            return corr_from_cov(cov)
        with np.errstate(invalid="ignore", divide="ignore"):
            corr = self.pair_m2 / np.sqrt(self.pair_ss * self.pair_ss.T)
        corr[self.pair_n < 2] = np.nan
        np.fill_diagonal(corr, 1.0)
        return corr

    def covariance(self, missing: str) -> tuple[np.ndarray, int]:
        """Covariance matrix (ddof 1) and the n it rests on, as the in-memory reliability
        computes them: pairwise (n = respondents with an answer) or listwise."""
        k = len(self.items)
        if missing == "listwise":
            n = self.complete_n
            if n < 2:
                return np.full((k, k), np.nan), n
            return self.complete_m2 / (n - 1), n
        with np.errstate(invalid="ignore", divide="ignore"):
            cov = self.pair_m2 / (self.pair_n - 1)
        cov[self.pair_n < 2] = np.nan
        return cov, self.n_any

    def item_stats(self, missing: str) -> pd.DataFrame:
        """Per item ``n``, ``mean``, ``sd`` (ddof 1), pairwise or over complete cases."""
        if missing == "listwise":
            n = np.full(len(self.items), self.complete_n)
            mean = self.complete_mean if self.complete_n else np.full(n.size, np.nan)
            m2 = np.diag(self.complete_m2)
        else:
            n = np.diag(self.pair_n).astype("int64")
            mean = np.where(n > 0, np.diag(self.pair_mean), np.nan)
            m2 = np.diag(self.pair_m2)
        with np.errstate(invalid="ignore", divide="ignore"):
            sd = np.where(n > 1, np.sqrt(m2 / (n - 1)), np.nan)
        return pd.DataFrame({"n": n, "mean": mean, "sd": sd}, index=list(self.items))


@dataclass(frozen=True, eq=False)
class ItemMoments:
    """Mergeable item moments of each dimension.

    Build one per partition with :meth:`from_frame` (or
    :func:`analysis.survey.psychometrics.item_moments` from a survey), merge with
    :meth:`merge` or :meth:`combine`, and pass the result to :func:`analysis.reliability`.

    Attributes
    ----------
    blocks
        Dimension -> :class:`ItemBlock`, in the order reliability reports them.
    info
        Optional item table for :func:`analysis.item_analysis`: ``dimension``,
        ``item_id``, ``column`` (header in the export), ``reverse``.

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis.stats.item_moments import ItemMoments
    >>> d = pd.DataFrame({"q1": [4, 5, 3, 2], "q2": [4, 4, None, 2], "q3": [5, 4, 2, 1]})
    >>> parts = [ItemMoments.from_frame(d.iloc[:2], {"masses": ["q1", "q2", "q3"]}),
    ...          ItemMoments.from_frame(d.iloc[2:], {"masses": ["q1", "q2", "q3"]})]
    >>> block = ItemMoments.combine(parts).blocks["masses"]
    >>> int(block.complete_n), block.pair_n[0].tolist()
    (3, [4.0, 3.0, 4.0])
    """

    blocks: Mapping[str, ItemBlock]
    info: pd.DataFrame | None = None

    @classmethod
    def from_blocks(
        cls,
        blocks: Mapping[str, tuple[Sequence[str], np.ndarray]],
        *,
        info: pd.DataFrame | None = None,
    ) -> ItemMoments:
        """From dimension -> (item ids, respondents x items matrix), and the item table."""
        return cls({dim: ItemBlock.from_matrix(ids, x) for dim, (ids, x) in blocks.items()}, info)

    def item_info(self, dimension: str) -> pd.DataFrame:
        """``column`` and ``reverse`` of each item of ``dimension``, in item order (the
        item id and None without an item table)."""
        items = list(self.blocks[dimension].items)
        if self.info is None:
            return pd.DataFrame({"column": items, "reverse": [None] * len(items)}, index=items)
        rows = self.info[self.info["dimension"] == dimension].set_index("item_id")
        return rows.reindex(items)[["column", "reverse"]]

    @classmethod
    def from_frame(cls, data: pd.DataFrame, items: Mapping[str, Sequence[str]]) -> ItemMoments:
        """From a wide frame of answers (one column per item, reverse items already
        reversed) and dimension -> item columns.

        Raises
        ------
        InputError
            An item column is missing.
        """
        missing = [c for cols in items.values() for c in cols if c not in data]
        if missing:
            raise InputError(f"ItemMoments.from_frame: item column(s) not in data: {missing}")
        return cls.from_blocks(
            {
                dim: (list(cols), data[list(cols)].to_numpy(dtype="float64", na_value=np.nan))
                for dim, cols in items.items()
            }
        )

    def merge(self, other: ItemMoments) -> ItemMoments:
        """Both parts together (associative and commutative).

        Raises
        ------
        ConfigError
            The parts have different dimensions or items.
        """
        if list(self.blocks) != list(other.blocks):
            raise ConfigError(
                f"ItemMoments.merge: different dimensions: {list(self.blocks)} and "
                f"{list(other.blocks)}"
            )
        return ItemMoments(
            {d: b.merge(other.blocks[d]) for d, b in self.blocks.items()},
            self.info if self.info is not None else other.info,
        )

    @classmethod
    def combine(cls, parts: Iterable[ItemMoments]) -> ItemMoments:
        """Merge any number of parts, pairwise as a balanced tree."""
        from analysis.stats.sufficient import merge_tree

        return merge_tree(parts, ItemMoments.merge, owner="ItemMoments.combine")


def corr_from_cov(cov: np.ndarray) -> np.ndarray:
    """Correlations from a covariance matrix (diagonal 1)."""
    sd = np.sqrt(np.diag(cov))
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = cov / np.outer(sd, sd)
    np.fill_diagonal(corr, 1.0)
    return corr


def _pair_ss(a: ItemBlock, b: ItemBlock, n: np.ndarray) -> np.ndarray:
    """Merged pairwise sums of squares (Chan et al.), element by element."""
    ma = np.where(a.pair_n > 0, a.pair_mean, b.pair_mean)
    mb = np.where(b.pair_n > 0, b.pair_mean, ma)
    delta = mb - ma
    safe = np.where(n > 0, n, 1.0)
    return a.pair_ss + b.pair_ss + delta * delta * (a.pair_n * b.pair_n / safe)


def _chan(
    na: np.ndarray,
    ma: np.ndarray,
    ca: np.ndarray,
    nb: np.ndarray,
    mb: np.ndarray,
    cb: np.ndarray,
    *,
    pairwise: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = na + nb
    ma = np.where(na > 0, ma, mb)
    mb = np.where(nb > 0, mb, ma)
    delta = mb - ma
    safe = np.where(n > 0, n, 1.0)
    mean = ma + delta * (nb / safe)
    cross = delta * delta.T if pairwise else np.outer(delta, delta)
    m2 = ca + cb + cross * (na * nb / safe)
    return n, mean, m2
