"""Group statistics on texts: keyness, dimension x community tables, co-occurrence.

- :func:`keyness` compares each group's word frequencies with the rest of the corpus
  (log-likelihood G2, Pearson chi-square, log ratio, %DIFF, Benjamini-Hochberg p).
- :func:`dimension_table` cross-tabulates lexicon hits by dimension and community with a
  chi-square test, adjusted standardised residuals and Cramér's V.
- :func:`cooccurrence` counts lexicon terms that occur in the same sentence, paragraph or
  document: an edge list for network plots.
"""

from __future__ import annotations

import itertools
import warnings
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from analysis.core.distributed import is_dask_frame, worker_copy
from analysis.core.errors import InputError, SmallSampleWarning, check_option
from analysis.report.display import Displayable
from analysis.stats.multitest import adjust_p

if TYPE_CHECKING:
    from analysis.text.lexicon import Lexicon
    from analysis.text.segment import Segmenter

__all__ = ["DimensionTable", "cooccurrence", "dimension_table", "keyness", "token_counts"]


def _token_counts(
    tokens_or_docs: pd.DataFrame,
    group: str,
    segmenter: Segmenter | None,
) -> pd.DataFrame:
    """Long counts: group, token, n (content tokens only)."""
    frame = tokens_or_docs
    if group not in frame.columns:
        raise InputError(
            f"keyness: group column {group!r} not in the data; available: "
            f"{', '.join(map(repr, frame.columns))}"
        )
    if "token" in frame.columns and "n" in frame.columns:  # counts already (of partitions)
        counts = frame.groupby([group, "token"], observed=True)["n"].sum()
        return counts.reset_index()
    if "token" in frame.columns:
        counts = frame.groupby([group, "token"], observed=True).size()
        return counts.rename("n").reset_index()
    if "text" not in frame.columns:
        raise InputError("keyness: pass a frame with 'token' (tokens) or 'text' (documents)")
    from analysis.text.segment import Segmenter

    seg = segmenter if segmenter is not None else Segmenter()
    per_group: dict[Any, Counter[str]] = {}
    for g, words in zip(frame[group], seg.cut_many(frame), strict=True):
        if pd.isna(g):
            continue
        per_group.setdefault(g, Counter()).update(seg.content_tokens(words))
    rows = [(g, t, n) for g, c in per_group.items() for t, n in c.items()]
    return pd.DataFrame(rows, columns=[group, "token", "n"])


def token_counts(docs: Any, *, group: str, segmenter: Segmenter | None = None) -> Any:
    """How often each content token occurs in each group's documents.

    Parameters
    ----------
    docs
        Documents with ``text`` and the ``group`` column: a pandas frame, or a
        ``dask.dataframe.DataFrame`` counted partition by partition (the result is then a
        lazy frame of per-partition counts; :func:`keyness` adds them up).
    group
        Column naming the groups.
    segmenter
        Segments the texts (default: ``Segmenter()``).

    Returns
    -------
    pandas.DataFrame or dask.dataframe.DataFrame
        Columns ``group`` (named as the argument), ``token``, ``n``; input for :func:`keyness`.
    """
    if is_dask_frame(docs):
        from analysis.text.distributed import map_documents
        from analysis.text.segment import Segmenter

        seg = segmenter if segmenter is not None else Segmenter()
        return map_documents(
            docs, _counts_partition, [seg], group, owner="token_counts", columns=("text", group)
        )
    return _token_counts(docs, group, segmenter)


def _counts_partition(part: pd.DataFrame, segmenter: Segmenter, group: str) -> pd.DataFrame:
    counts = _token_counts(part, group, worker_copy(segmenter))
    return counts.astype({"token": "str", "n": "int64"})


def keyness(
    tokens_or_docs: pd.DataFrame,
    *,
    group: str,
    target: Any = None,
    segmenter: Segmenter | None = None,
    min_freq: int = 5,
    top: int | None = None,
) -> pd.DataFrame:
    """Words over- and under-used by each group compared with the rest of the corpus.

    Parameters
    ----------
    tokens_or_docs
        Either documents (``text`` and the ``group`` column; segmented with ``segmenter``,
        content tokens only), counts from :func:`token_counts` (``group``, ``token``, ``n``)
        or tokens already counted: one row per token occurrence with
        columns ``token`` and ``group``.
    group
        Column naming the groups (e.g. ``"community"``).
    target
        Compare only this group with the rest; default: every group in turn.
    segmenter
        Used when documents are given (default: ``Segmenter()``).
    min_freq
        Keep tokens seen at least this often in the whole corpus.
    top
        Keep the ``top`` rows per group by G2 (all when None).

    Returns
    -------
    pandas.DataFrame
        One row per (group, token): ``group`` (the group's value), ``token``, ``n_target``
        (a: count in the group), ``n_reference`` (b: count in the rest), ``total_target``
        (c), ``total_reference`` (d), ``g2`` and ``chi2`` (signed: negative when the group
        uses the token less than the rest, as quanteda's ``textstat_keyness`` does),
        ``p_value`` (of G2, chi-square with 1 df), ``p_adj`` (Benjamini-Hochberg within the
        group), ``log_ratio``, ``pct_diff``, ``direction`` (``"over"`` or ``"under"``).
        Sorted by group, then signed G2 descending: most over-used first, most under-used
        last (``plot_keyness`` shows both ends).

    Notes
    -----
    With :math:`E_1 = c(a+b)/(c+d)` and :math:`E_2 = d(a+b)/(c+d)` (Rayson & Garside 2000):

    .. math:: G^2 = 2\\,[a \\ln(a/E_1) + b \\ln(b/E_2)]

    (terms with zero counts are 0), the Pearson :math:`\\chi^2` of the 2x2 table of (a, b)
    against (c-a, d-b) without continuity correction, the log ratio
    :math:`\\log_2 \\frac{a/c}{b/d}` (Hardie 2014; a zero count is replaced by 0.5) and
    %DIFF :math:`100\\,(a/c - b/d)/(b/d)` (Gabrielatos & Marchi 2012; inf when b = 0).

    References
    ----------
    Rayson, P., & Garside, R. (2000). Comparing corpora using frequency profiling.
    Hardie, A. (2014). Log ratio: an informal introduction. CASS.
    Gabrielatos, C., & Marchi, A. (2012). Keyness: appropriate metrics and practical issues.
    """
    from scipy import stats

    counts = _token_counts(tokens_or_docs, group, segmenter)
    wide = counts.pivot_table(
        index="token", columns=group, values="n", aggfunc="sum", fill_value=0, observed=True
    )
    wide = wide.loc[wide.sum(axis=1) >= min_freq]
    groups = list(wide.columns) if target is None else [target]
    if target is not None and target not in wide.columns:
        raise InputError(f"keyness: target {target!r} is not a value of {group!r}")
    if wide.shape[1] < 2:
        raise InputError(f"keyness: needs at least two groups in {group!r}")
    totals = counts.groupby(group, observed=True)["n"].sum()
    grand = float(totals.sum())
    frames = []
    for g in groups:
        a = wide[g].to_numpy(dtype=float)
        b = wide.drop(columns=[g]).sum(axis=1).to_numpy(dtype=float)
        c = float(totals[g])
        d = grand - c
        g2, chi2 = _g2_chi2(a, b, c, d)
        p = stats.chi2.sf(g2, 1)
        over = a / c >= b / d
        sign = np.where(over, 1.0, -1.0)
        a0, b0 = np.where(a == 0, 0.5, a), np.where(b == 0, 0.5, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            log_ratio = np.log2((a0 / c) / (b0 / d))
            pct = np.where(b > 0, 100 * (a / c - b / d) / (b / d), np.inf)
        frame = pd.DataFrame(
            {
                "group": g,
                "token": wide.index.astype(str),
                "n_target": a.astype(np.int64),
                "n_reference": b.astype(np.int64),
                "total_target": int(c),
                "total_reference": int(d),
                "g2": sign * g2,
                "chi2": sign * chi2,
                "p_value": p,
                "p_adj": adjust_p(p, "bh"),
                "log_ratio": log_ratio,
                "pct_diff": pct,
                "direction": np.where(over, "over", "under"),
            }
        ).sort_values(["g2", "token"], ascending=[False, True])
        frames.append(frame.head(top) if top else frame)
    return pd.concat(frames, ignore_index=True)


def _g2_chi2(a: np.ndarray, b: np.ndarray, c: float, d: float) -> tuple[np.ndarray, np.ndarray]:
    n = c + d
    obs = np.stack([a, b, c - a, d - b])  # cells of the 2x2 table
    row = np.stack([a + b, a + b, n - a - b, n - a - b])
    col = np.array([c, d, c, d])[:, None]
    exp = row * col / n
    with np.errstate(divide="ignore", invalid="ignore"):
        g2 = 2 * np.where(obs > 0, obs * np.log(obs / exp), 0.0).sum(axis=0)
        chi2 = np.where(exp > 0, (obs - exp) ** 2 / exp, 0.0).sum(axis=0)
    return g2, chi2


@dataclass(frozen=True)
class DimensionTable(Displayable):
    """Dimension x group table of lexicon hits with a chi-square test.

    Attributes
    ----------
    cells : pandas.DataFrame
        One row per (dimension, group): ``dimension``, ``group``, ``n_hits`` (observed),
        ``expected``, ``residual`` (Pearson, (O-E)/sqrt(E)), ``adj_residual`` (adjusted
        standardised residual; |r| > 1.96 marks a cell departing from independence at 5 %).
    test : pandas.DataFrame
        One row: ``statistic`` (chi-square), ``df``, ``p_value``, ``cramers_v``, ``n``,
        ``min_expected``, ``method``.
    counts : pandas.DataFrame
        The wide contingency table (dimensions as rows, groups as columns).
    """

    cells: pd.DataFrame
    test: pd.DataFrame
    counts: pd.DataFrame
    params: dict[str, Any] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """The cells frame."""
        return self.cells


def dimension_table(
    text_scores: pd.DataFrame, *, group: str, value: str = "n_hits"
) -> DimensionTable:
    """Chi-square test of independence of dimension and group on summed lexicon hits.

    Parameters
    ----------
    text_scores
        Output of :func:`~analysis.score_texts` with the ``group`` column carried along.
    group
        Column naming the groups (e.g. ``"community"``).
    value
        Counts to tabulate: ``"n_hits"`` (default) or ``"weighted_hits"`` (rounded to
        whole hits is not done: weighted counts are used as they are).

    Returns
    -------
    DimensionTable

    Notes
    -----
    Expected counts :math:`E_{ij} = R_i C_j / N`; Pearson :math:`\\chi^2 = \\sum (O-E)^2/E`
    with :math:`(r-1)(c-1)` df; adjusted residuals (Haberman 1973)
    :math:`(O_{ij}-E_{ij}) / \\sqrt{E_{ij}(1-R_i/N)(1-C_j/N)}`; Cramér's V
    :math:`\\sqrt{\\chi^2 / (N \\min(r-1, c-1))}`. Hits are not independent draws (one
    document contributes many), so treat the p-value as descriptive; the residuals show
    where profiles differ.

    Warns
    -----
    SmallSampleWarning
        More than 20 % of expected counts are below 5 (Cochran's rule).
    """
    from scipy import stats

    check_option("value", value, ("n_hits", "weighted_hits"), owner="dimension_table")
    for col in (group, "dimension", value):
        if col not in text_scores.columns:
            raise InputError(
                f"dimension_table: column {col!r} not in text_scores; pass score_texts(..., "
                f"group=[{group!r}])"
            )
    order = list(dict.fromkeys(text_scores["dimension"]))
    counts = text_scores.pivot_table(
        index="dimension", columns=group, values=value, aggfunc="sum", observed=True
    ).reindex(order)
    counts = counts.loc[counts.sum(axis=1) > 0, counts.sum(axis=0) > 0]
    obs = counts.to_numpy(dtype=float)
    if obs.shape[0] < 2 or obs.shape[1] < 2:
        raise InputError(
            "dimension_table: needs at least two dimensions and two groups with hits; got "
            f"{obs.shape[0]} x {obs.shape[1]}"
        )
    n = obs.sum()
    rows, cols = obs.sum(axis=1, keepdims=True), obs.sum(axis=0, keepdims=True)
    exp = rows * cols / n
    chi2 = float(((obs - exp) ** 2 / exp).sum())
    df = (obs.shape[0] - 1) * (obs.shape[1] - 1)
    p = float(stats.chi2.sf(chi2, df))
    v = float(np.sqrt(chi2 / (n * min(obs.shape[0] - 1, obs.shape[1] - 1))))
    resid = (obs - exp) / np.sqrt(exp)
    adj = (obs - exp) / np.sqrt(exp * (1 - rows / n) * (1 - cols / n))
    if (exp < 5).mean() > 0.2:
        warnings.warn(
            f"dimension_table: {(exp < 5).mean():.0%} of expected counts are below 5; the "
            "chi-square approximation is poor, read the residuals descriptively",
            SmallSampleWarning,
            stacklevel=2,
        )
    dims, grps = counts.index.tolist(), counts.columns.tolist()
    cells = pd.DataFrame(
        {
            "dimension": np.repeat(dims, len(grps)),
            "group": np.tile(np.asarray(grps, dtype=object), len(dims)),
            "n_hits": obs.ravel(),
            "expected": exp.ravel(),
            "residual": resid.ravel(),
            "adj_residual": adj.ravel(),
        }
    )
    test = pd.DataFrame(
        [
            {
                "statistic": chi2,
                "df": df,
                "p_value": p,
                "cramers_v": v,
                "n": n,
                "min_expected": float(exp.min()),
                "method": "Pearson chi-square",
            }
        ]
    )
    return DimensionTable(cells, test, counts, {"group": group, "value": value})


Window = Literal["sentence", "paragraph", "document"]


def cooccurrence(
    docs: pd.DataFrame,
    lexicon: Lexicon | None = None,
    *,
    segmenter: Segmenter | None = None,
    window: Window = "sentence",
    min_count: int = 1,
) -> pd.DataFrame:
    """Pairs of lexicon terms occurring in the same sentence, paragraph or document.

    Parameters
    ----------
    docs
        Frame with ``doc_id`` and ``text``.
    lexicon, segmenter
        As in :func:`~analysis.score_texts`.
    window
        The unit within which two terms co-occur.
    min_count
        Keep pairs seen in at least this many windows.

    Returns
    -------
    pandas.DataFrame
        Edge list, one row per unordered pair (``term_a`` < ``term_b``): ``term_a``,
        ``term_b``, ``dimension_a``, ``dimension_b`` (first dimension of each term),
        ``n`` (windows containing both), ``n_a``, ``n_b`` (windows containing each),
        ``jaccard`` (n / (n_a + n_b - n)). Sorted by ``n`` descending. Feed it to
        ``networkx.from_pandas_edgelist(edges, "term_a", "term_b", edge_attr="n")``.
    """
    from analysis.text.docs import check_docs, resolve
    from analysis.text.matching import Matcher, unit_bounds

    check_option("window", window, ("sentence", "paragraph", "document"), owner="cooccurrence")
    check_docs(docs, None, "cooccurrence")
    lexicon, segmenter = resolve(lexicon, segmenter)
    matcher = Matcher(lexicon, segmenter)
    first_dim = {t: e[0][0] for t, e in lexicon.entries().items() if e}
    pairs: Counter[tuple[str, str]] = Counter()
    singles: Counter[str] = Counter()
    for words in segmenter.cut_many(docs):
        hits = matcher.hits(words)
        for a, b in unit_bounds(words, window):
            terms = sorted({h.term for h in hits if a <= h.token < b and h.entries})
            singles.update(terms)
            pairs.update(itertools.combinations(terms, 2))
    rows = [(ta, tb, n) for (ta, tb), n in pairs.items() if n >= min_count]
    edges = pd.DataFrame(rows, columns=["term_a", "term_b", "n"])
    edges["dimension_a"] = edges["term_a"].map(first_dim).astype("str")
    edges["dimension_b"] = edges["term_b"].map(first_dim).astype("str")
    edges["n_a"] = edges["term_a"].map(singles).astype("int64")
    edges["n_b"] = edges["term_b"].map(singles).astype("int64")
    edges["n"] = edges["n"].astype("int64")
    edges["jaccard"] = edges["n"] / (edges["n_a"] + edges["n_b"] - edges["n"])
    edges = edges.sort_values(["n", "term_a", "term_b"], ascending=[False, True, True])
    cols = ["term_a", "term_b", "dimension_a", "dimension_b", "n", "n_a", "n_b", "jaccard"]
    return edges[cols].reset_index(drop=True)
