"""Distributions of scores by dimension and group: boxes, violins, histograms."""

from __future__ import annotations

import math
from collections.abc import Sequence
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
    _finish,
    _group_order,
    _linestyle,
    _new_axes,
    _note,
    _numeric,
    _require,
    _shorten,
    _suppressed_groups,
    _t,
)
from analysis.report.charts.fonts import font_context

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "plot_distributions",
]


def plot_distributions(
    data: pd.DataFrame,
    *,
    value: str = "score",
    dimension: str = "dimension",
    group: str | None = None,
    kind: Literal["box", "violin", "hist"] = "box",
    groups: Sequence[Any] | None = None,
    bins: int | Sequence[float] | None = None,
    limits: tuple[float, float] | None = None,
    suppressed: str | None = "suppressed",
    lang: Lang = "zh",
    framework: Framework | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Distributions of scores by dimension (and group): box plots, violins or histograms.

    Parameters
    ----------
    data
        Raw scores, one row per respondent (or document) x dimension: ``dimension`` and
        ``score`` (e.g. :func:`analysis.score_survey`).
    value, dimension
        Column names of the score and the dimension id.
    group
        Column of groups: boxes/violins are dodged by group within each dimension. With
        ``kind="hist"`` the data must then hold one dimension, and one histogram is drawn
        per group.
    kind
        ``"box"`` (median, quartiles, whiskers at 1.5 IQR, mean as a white diamond),
        ``"violin"`` (kernel density with the median), or ``"hist"`` (step histograms,
        as densities so groups of different sizes compare).
    groups
        Groups to draw, in this order; default all, in order of appearance.
    bins
        Histogram bins (``kind="hist"``); default one bin per 0.25 between the extremes.
    limits
        Range of the score axis.
    suppressed
        Boolean column flagging small groups: drawn grey and hatched, with a note.
    lang, framework, ax, title
        As in :func:`~analysis.report.charts.groups.plot_radar`; ``ax`` is a Cartesian Axes.

    Returns
    -------
    matplotlib.axes.Axes
        ``kind="box"``: one box ``PathPatch`` per (dimension, group) with data, in order;
        ``"violin"``: one ``PolyCollection`` body per (dimension, group) with at least
        two distinct values; ``"hist"``: one step ``Polygon`` patch per series.

    Raises
    ------
    InputError
        A required column is missing or a score is not numeric.
    ConfigError
        ``lang`` or ``kind`` is invalid, or a histogram by group is asked for several
        dimensions at once.

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis.report.charts.distributions import plot_distributions
    >>> sc = pd.DataFrame({"dimension": ["reform"] * 4 + ["members"] * 4,
    ...     "score": [3, 4, 4, 5, 2, 3, 3, 4]})
    >>> ax = plot_distributions(sc)
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['服务改革', '服务党员']
    """
    owner = "plot_distributions"
    fw = _check_common(owner, lang, framework)
    check_option("kind", kind, ("box", "violin", "hist"), owner=owner)
    _require(data, [dimension, value] + ([group] if group is not None else []), owner=owner)
    arrays = _score_arrays(data, value=value, dimension=dimension, group=group, owner=owner)
    dims = fw.order({d for d, _ in arrays})
    present = {g for _, g in arrays}
    if group is None:
        order: list[Any] = [""]
    else:
        order = _group_order(data[group], groups, owner=owner)
        if groups is None:
            order = [g for g in order if g in present]
    small = _suppressed_groups(data, group, suppressed) if group is not None else set()
    if kind == "hist" and group is not None and len(dims) > 1:
        raise ConfigError(
            f"{owner}: kind='hist' by group needs data for one dimension; got {len(dims)} "
            f"({', '.join(dims)}). Filter the frame to one dimension first."
        )

    with font_context():
        if ax is None:
            width = (
                6.4 if kind == "hist" else min(16.0, max(6.4, 1.2 + 0.5 * len(dims) * len(order)))
            )
            ax = _new_axes((width, 4.4))
        if kind == "hist":
            _draw_hist(ax, arrays, dims, order, group, small, bins, fw, lang)
            if limits is not None:
                ax.set_xlim(*limits)
        else:
            _draw_boxes(ax, arrays, dims, order, kind, small, fw, lang)
            if limits is not None:
                ax.set_ylim(*limits)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        if small:
            _note(ax, _t("suppressed", lang), below=48)
        return _finish(ax, title)


def _score_arrays(
    data: pd.DataFrame, *, value: str, dimension: str, group: str | None, owner: str
) -> dict[tuple[str, Any], np.ndarray]:
    """Scores per (dimension, group) as float arrays, NaN dropped; group is "" when None.

    Grouping works on the frame's own columns, so Arrow-backed strings are never turned
    into millions of Python objects.
    """
    values = _numeric(data, value, owner=owner)
    keys = [data[dimension]] + ([data[group]] if group is not None else [])
    out: dict[tuple[str, Any], np.ndarray] = {}
    for key, part in values.groupby(keys, sort=False, observed=True, dropna=True):
        parts = key if isinstance(key, tuple) else (key,)
        arr = part.to_numpy(dtype=float)
        arr = arr[~np.isnan(arr)]
        if arr.size:
            out[(str(parts[0]), parts[1] if group is not None else "")] = arr
    return out


def _draw_boxes(
    ax: Axes,
    arrays: dict[tuple[str, Any], np.ndarray],
    dims: list[str],
    order: list[Any],
    kind: str,
    small: set[Any],
    fw: Framework,
    lang: str,
) -> None:
    from matplotlib.patches import Patch

    n_groups = len(order)
    step = 0.8 / n_groups
    for j, name in enumerate(order):
        is_small = name in small
        colour = _SUPPRESSED_COLOUR if is_small else _colour(j)
        datasets, positions = [], []
        for i, dim in enumerate(dims):
            vals = arrays.get((dim, name), np.empty(0))
            if vals.size:
                datasets.append(vals)
                positions.append(i + (j - (n_groups - 1) / 2) * step)
        if not datasets:
            continue
        if kind == "box":
            parts = ax.boxplot(
                datasets,
                positions=positions,
                widths=step * 0.8,
                patch_artist=True,
                showmeans=True,
                meanprops={
                    "marker": "D",
                    "markerfacecolor": "white",
                    "markeredgecolor": "#333333",
                    "markersize": 4,
                },
                medianprops={"color": "#222222", "linewidth": 1.5},
                flierprops={
                    "marker": "o",
                    "markersize": 3,
                    "markerfacecolor": colour,
                    "markeredgecolor": "none",
                    "alpha": 0.5,
                },
                manage_ticks=False,
            )
            for box in parts["boxes"]:
                box.set_facecolor(colour)
                box.set_alpha(0.55 if is_small else 0.75)
                box.set_edgecolor("#333333")
                if is_small:
                    box.set_hatch("//")
        else:
            varied = [k for k, d in enumerate(datasets) if np.unique(d).size > 1]
            if varied:
                parts = ax.violinplot(
                    [datasets[k] for k in varied],
                    positions=[positions[k] for k in varied],
                    widths=step * 0.9,
                    showmedians=True,
                    showextrema=False,
                )
                for body in parts["bodies"]:
                    body.set_facecolor(colour)
                    body.set_edgecolor("#333333")
                    body.set_alpha(0.6)
                    if is_small:
                        body.set_hatch("//")
                parts["cmedians"].set_color("#222222")
            flat = [k for k in range(len(datasets)) if k not in varied]
            if flat:
                ax.scatter(
                    [positions[k] for k in flat],
                    [datasets[k][0] for k in flat],
                    marker="_",
                    s=200,
                    color=colour,
                )
    ax.set_xticks(range(len(dims)))
    ax.set_xticklabels([_shorten(fw.label(d, lang), 14, lines=2) for d in dims])
    ax.set_xlim(-0.5, len(dims) - 0.5)
    ax.set_ylabel(_t("score", lang))
    ax.grid(True, axis="y", color="#E5E5E5", linewidth=0.8)
    ax.set_axisbelow(True)
    if n_groups > 1:
        handles = [
            Patch(
                facecolor=_SUPPRESSED_COLOUR if g in small else _colour(j),
                label=_shorten(g, 20) + (" *" if g in small else ""),
            )
            for j, g in enumerate(order)
        ]
        ax.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
            frameon=False,
            fontsize="small",
        )


def _draw_hist(
    ax: Axes,
    arrays: dict[tuple[str, Any], np.ndarray],
    dims: list[str],
    order: list[Any],
    group: str | None,
    small: set[Any],
    bins: int | Sequence[float] | None,
    fw: Framework,
    lang: str,
) -> None:
    values = np.concatenate(list(arrays.values())) if arrays else np.empty(0)
    if bins is None and values.size:
        lo, hi = float(values.min()), float(values.max())
        edges = np.arange(math.floor(lo * 4) / 4, hi + 0.25 + 1e-9, 0.25)
        bins = edges if edges.size > 1 else 10
    if group is None:
        series = [
            (fw.label(d, lang), arrays.get((d, ""), np.empty(0)), k, False)
            for k, d in enumerate(dims)
        ]
    else:
        series = [
            (
                _shorten(g, 20) + (" *" if g in small else ""),
                arrays.get((dims[0], g), np.empty(0)) if dims else np.empty(0),
                k,
                g in small,
            )
            for k, g in enumerate(order)
        ]
    for name, vals, k, is_small in series:
        if not vals.size:
            continue
        ax.hist(
            vals,
            bins=bins,
            density=True,
            histtype="step",
            linewidth=1.8,
            linestyle="--" if is_small else _linestyle(k),
            color=_SUPPRESSED_COLOUR if is_small else _colour(k),
            label=name,
        )
    ax.set_xlabel(_t("score", lang) if len(dims) != 1 else fw.label(dims[0], lang))
    ax.set_ylabel(_t("density", lang))
    if len(series) > 1:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize="small")
