"""Charts of text results: keyness bars and co-occurrence networks of lexicon terms."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from analysis.core.dimensions import Framework
from analysis.core.errors import ConfigError, check_option
from analysis.core.words import Lang
from analysis.report.charts.base import (
    _SUPPRESSED_COLOUR,
    _check_common,
    _colour,
    _dimension_colour,
    _finish,
    _group_order,
    _new_axes,
    _note,
    _numeric,
    _require,
    _shorten,
    _t,
)
from analysis.report.charts.fonts import font_context

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "plot_keyness",
    "plot_network",
]


def plot_keyness(
    data: pd.DataFrame,
    *,
    token: str = "token",
    statistic: str = "g2",
    group: str = "group",
    p: str | None = "p_adj",
    target: Any = None,
    top: int = 15,
    alpha: float = 0.05,
    lang: Lang = "zh",
    framework: Framework | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Horizontal bars of the most key tokens of a group (keyness, e.g. log-likelihood G²).

    Parameters
    ----------
    data
        One row per (group, token) with the keyness statistic; ``group`` may be absent
        when the frame holds one comparison.
    token, statistic, group, p
        Column names: the token, the statistic (signed when negative values mark tokens
        under-used by the group), the group and the adjusted p value (``None`` to ignore).
    target
        Group to show; default every group, each with its own colour.
    top
        Tokens shown per group: the largest positive values, and as many of the most
        negative ones when the statistic is signed.
    alpha
        Bars with ``p >= alpha`` are drawn light and hatched, with a note.
    lang, framework, ax, title
        As in :func:`~analysis.report.charts.groups.plot_radar`; ``framework`` is unused but
        accepted for a uniform API.

    Returns
    -------
    matplotlib.axes.Axes
        One ``Rectangle`` patch per bar (width = statistic), y tick labels = tokens, the
        largest at the top.

    Raises
    ------
    InputError
        A required column is missing, a value is not numeric, or ``target`` is not a
        group of the data.
    ConfigError
        ``lang`` is invalid or ``top`` is not a positive integer.

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis.report.charts.text import plot_keyness
    >>> key = pd.DataFrame({"token": ["党员", "网格", "养老"], "g2": [25.1, 12.0, 4.2],
    ...     "p_adj": [0.001, 0.01, 0.2]})
    >>> ax = plot_keyness(key)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['养老', '网格', '党员']
    """
    owner = "plot_keyness"
    _check_common(owner, lang, framework)
    if not isinstance(top, int) or isinstance(top, bool) or top < 1:
        raise ConfigError(
            f"The 'top' parameter of {owner} must be a positive integer. Got {top!r} instead."
        )
    _require(data, [token, statistic], owner=owner)
    frame = pd.DataFrame(
        {
            "token": data[token].astype(str).to_numpy(),
            "stat": _numeric(data, statistic, owner=owner).to_numpy(),
            "g": data[group].to_numpy() if group in data.columns else "",
            "p": (
                _numeric(data, p, owner=owner).to_numpy()
                if p is not None and p in data.columns
                else np.zeros(len(data))
            ),
        }
    ).dropna(subset=["stat"])
    group_list = _group_order(frame["g"], None if target is None else [target], owner=owner)
    parts = []
    for name in group_list:
        rows = frame[frame["g"] == name]
        pos = rows[rows["stat"] > 0].nlargest(top, "stat")
        neg = rows[rows["stat"] < 0].nsmallest(top, "stat")
        parts.append(pd.concat([neg.iloc[::-1], pos.iloc[::-1]]) if len(neg) else pos.iloc[::-1])
    shown = pd.concat(parts[::-1], ignore_index=True) if parts else frame.iloc[:0]
    many = len(group_list) > 1
    signif = (shown["p"] < alpha).to_numpy()

    with font_context():
        if ax is None:
            ax = _new_axes((6.0, min(30.0, max(2.4, 0.8 + 0.28 * len(shown)))))
        ys = np.arange(len(shown))
        colour_of = {name: _colour(i) for i, name in enumerate(group_list)}
        stats = shown["stat"].to_numpy(float)
        if many:
            colours = [colour_of[g] for g in shown["g"]]
        else:
            colours = [_colour(0) if v >= 0 else _colour(1) for v in stats]
        bars = ax.barh(ys, stats, height=0.7, color=colours, edgecolor=colours, linewidth=0.5)
        for bar, ok in zip(bars.patches, signif, strict=True):
            if not ok:
                bar.set_alpha(0.35)
                bar.set_hatch("///")
        if many:
            sizes = shown.groupby("g", sort=False).size().to_numpy()
            for edge in np.cumsum(sizes)[:-1]:
                ax.axhline(edge - 0.5, color="#BBBBBB", linewidth=0.8, linestyle=":")
        ax.set_yticks(ys)
        ax.set_yticklabels([_shorten(t, 16) for t in shown["token"]])
        ax.axvline(0, color="#555555", linewidth=0.8)
        ax.set_xlabel(_t("keyness", lang) if statistic == "g2" else statistic)
        ax.set_ylim(-0.6, len(shown) - 0.4)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        if many:
            from matplotlib.patches import Patch

            handles = [Patch(color=colour_of[g], label=_shorten(g, 20)) for g in group_list]
            ax.legend(handles=handles, loc="lower right", frameon=False, fontsize="small")
        if (~signif).any():
            _note(ax, _t("not_significant", lang), below=36)
        return _finish(ax, title)


# ----------------------------------------------------------------------------- network


def _scale(values: np.ndarray, lo: float, hi: float) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    if values.size == 0:
        return values
    vmin, vmax = np.nanmin(values), np.nanmax(values)
    if not np.isfinite(vmin) or vmax <= vmin:
        return np.full(values.shape, (lo + hi) / 2)
    return lo + (values - vmin) / (vmax - vmin) * (hi - lo)


def plot_network(
    edges: pd.DataFrame,
    *,
    nodes: pd.DataFrame | None = None,
    source: str = "source",
    target: str = "target",
    weight: str = "weight",
    term: str = "term",
    dimension: str = "dimension",
    freq: str = "freq",
    top: int | None = 60,
    min_weight: float | None = None,
    layout: Literal["spring", "kamada_kawai", "circular"] = "spring",
    seed: int = 0,
    lang: Lang = "zh",
    framework: Framework | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Co-occurrence network of lexicon terms.

    Parameters
    ----------
    edges
        Edge list, one row per pair of terms: ``source``, ``target``, ``weight``
        (co-occurrence count or association). Pairs listed twice (a-b and b-a) are summed.
    nodes
        Optional node attributes: ``term``, ``dimension`` (colours nodes by dimension) and
        ``freq`` (sizes nodes; default the weighted degree).
    source, target, weight, term, dimension, freq
        Column names.
    top
        Keep only the ``top`` heaviest edges (``None`` keeps all); nodes without a kept
        edge are dropped.
    min_weight
        Drop edges lighter than this.
    layout
        Node placement: ``"spring"`` (Fruchterman–Reingold, seeded), ``"kamada_kawai"`` or
        ``"circular"``.
    seed
        Seed of the spring layout, so the same data give the same picture.
    lang, framework, ax, title
        As in :func:`~analysis.report.charts.groups.plot_radar`; ``ax`` is a Cartesian Axes.

    Returns
    -------
    matplotlib.axes.Axes
        One ``LineCollection`` with one segment per edge (width by weight), one
        ``PathCollection`` with one point per node (size by frequency, colour by dimension)
        and one ``Text`` per node with its term; axes are hidden.

    Raises
    ------
    InputError
        A required column is missing or a weight is not numeric.
    ConfigError
        ``lang`` or ``layout`` is invalid.

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis.report.charts.text import plot_network
    >>> edges = pd.DataFrame({"source": ["党员", "党员"], "target": ["网格", "志愿者"],
    ...     "weight": [5, 2]})
    >>> ax = plot_network(edges)
    >>> len(ax.collections[0].get_segments())
    2
    """
    import networkx as nx
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D
    from matplotlib.patheffects import withStroke

    owner = "plot_network"
    fw = _check_common(owner, lang, framework)
    check_option("layout", layout, ("spring", "kamada_kawai", "circular"), owner=owner)
    _require(edges, [source, target, weight], owner=owner, what="edges")
    frame = pd.DataFrame(
        {
            "a": edges[source].astype(str).to_numpy(),
            "b": edges[target].astype(str).to_numpy(),
            "w": _numeric(edges, weight, owner=owner).to_numpy(),
        }
    ).dropna()
    frame = frame[frame["a"] != frame["b"]]
    # an edge listed both ways is one edge: order each pair, then add up its weights
    first = (frame["a"] <= frame["b"]).to_numpy()
    lo = np.where(first, frame["a"].to_numpy(object), frame["b"].to_numpy(object))
    hi = np.where(first, frame["b"].to_numpy(object), frame["a"].to_numpy(object))
    frame = (
        pd.DataFrame({"a": lo, "b": hi, "w": frame["w"].to_numpy()})
        .groupby(["a", "b"], sort=True, as_index=False)["w"]
        .sum()
    )
    if min_weight is not None:
        frame = frame[frame["w"] >= min_weight]
    if top is not None:
        frame = frame.sort_values(["w", "a", "b"], ascending=[False, True, True], kind="stable")
        frame = frame.head(top)
    graph = nx.Graph()
    for a, b, w in frame[["a", "b", "w"]].itertuples(index=False):
        graph.add_edge(a, b, weight=float(w))
    attrs: dict[str, dict[str, Any]] = {}
    if nodes is not None:
        _require(nodes, [term], owner=owner, what="nodes")
        for rec in nodes.to_dict("records"):
            attrs[str(rec[term])] = rec
    names = sorted(graph.nodes)
    if layout == "spring":
        pos = nx.spring_layout(graph, seed=seed, weight="weight") if names else {}
    elif layout == "kamada_kawai":
        pos = nx.kamada_kawai_layout(graph) if len(names) > 1 else {n: (0.0, 0.0) for n in names}
    else:
        pos = nx.circular_layout(graph)
    xy = np.array([pos[n] for n in names], dtype=float).reshape(-1, 2)
    strength = np.array([graph.degree(n, weight="weight") for n in names], dtype=float)
    sizes_raw = np.array(
        [
            float(attrs[n][freq])
            if n in attrs and freq in attrs[n] and pd.notna(attrs[n][freq])
            else strength[i]
            for i, n in enumerate(names)
        ],
        dtype=float,
    )
    node_dims = [
        str(attrs[n][dimension]) if n in attrs and pd.notna(attrs[n].get(dimension)) else ""
        for n in names
    ]
    present = fw.order(d for d in node_dims if d)
    colour_of = {d: _dimension_colour(fw, d) for d in present}
    colours = [colour_of.get(d, _SUPPRESSED_COLOUR) for d in node_dims]

    with font_context():
        if ax is None:
            ax = _new_axes((7.0, 6.0))
        segments = [(pos[a], pos[b]) for a, b in frame[["a", "b"]].itertuples(index=False)]
        ax.add_collection(
            LineCollection(
                segments,
                linewidths=_scale(frame["w"].to_numpy(), 0.6, 4.0),
                colors="#999999",
                alpha=0.6,
                zorder=1,
            )
        )
        ax.scatter(
            xy[:, 0],
            xy[:, 1],
            s=_scale(sizes_raw, 200, 900),
            c=colours,
            alpha=0.9,
            edgecolors="white",
            linewidths=1.0,
            zorder=2,
        )
        font_sizes = _scale(sizes_raw, 8, 12)
        for i, name in enumerate(names):
            ax.text(
                xy[i, 0],
                xy[i, 1],
                _shorten(name, 12),
                ha="center",
                va="center",
                fontsize=float(font_sizes[i]),
                zorder=3,
                path_effects=[withStroke(linewidth=2.5, foreground="white")],
            )
        ax.set_axis_off()
        ax.set_aspect("equal", adjustable="datalim")
        ax.margins(0.12)
        ax.autoscale_view()
        if present:
            handles = [
                Line2D(
                    [],
                    [],
                    linestyle="none",
                    marker="o",
                    markersize=8,
                    color=colour_of[d],
                    label=fw.label(d, lang),
                )
                for d in present
            ]
            ax.legend(
                handles=handles,
                loc="upper left",
                bbox_to_anchor=(1.0, 1.0),
                frameon=False,
                fontsize="small",
            )
        return _finish(ax, title)
