"""Charts comparing groups over the dimensions: radar, means with CIs, heatmap."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from analysis.core.dimensions import Framework
from analysis.core.errors import ConfigError, InputError
from analysis.core.words import Lang
from analysis.report.charts.base import (
    _MARKERS,
    _OVERALL_COLOUR,
    _SUPPRESSED_COLOUR,
    MAX_GROUP_COLOURS,
    _axis_note,
    _check_common,
    _colour,
    _dimension_order,
    _finish,
    _group_order,
    _legend_clear,
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
from analysis.report.charts.means import _describe, _means_table, _overall_means

if TYPE_CHECKING:
    from matplotlib.axes import Axes

_OTHERS_COLOUR = "#BBBBBB"

__all__ = [
    "plot_heatmap",
    "plot_means_ci",
    "plot_radar",
]


def _radial_limits(values: np.ndarray, limits: tuple[float, float] | None) -> tuple[float, float]:
    if limits is not None:
        return float(limits[0]), float(limits[1])
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return 0.0, 1.0
    lo, hi = float(finite.min()), float(finite.max())
    span = max(hi - lo, 1e-9)
    lo = max(0.0, math.floor((lo - 0.25 * span) * 2) / 2) if lo >= 0 else lo - 0.25 * span
    hi = math.ceil((hi + 0.05 * span) * 2) / 2
    return lo, hi


def plot_radar(
    data: pd.DataFrame,
    *,
    group: str = "group",
    dimension: str = "dimension",
    value: str | None = None,
    groups: Sequence[Any] | None = None,
    overall: bool = True,
    limits: tuple[float, float] | None = None,
    fill: bool | None = None,
    suppressed: str | None = "suppressed",
    lang: Lang = "zh",
    framework: Framework | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    highlight: Any | None = None,
) -> Axes:
    """Radar (spider) chart of the dimensions per group, against the overall mean.

    Parameters
    ----------
    data
        Either descriptives (one row per group x dimension with a ``mean`` column, e.g.
        ``compare_groups(...).descriptives``) or raw scores (one row per respondent x
        dimension with a ``score`` column, e.g. :func:`analysis.score_survey`, or
        :func:`analysis.score_texts` with ``group="community"``).
    group, dimension
        Column names of the group and the dimension id.
    value
        Column holding the values; default ``"mean"`` when present, else ``"score"``.
        Raw scores are averaged per group x dimension.
    groups
        Groups to draw, in this order; default all, in order of appearance. Pass one
        community to draw it against the overall mean.
    overall
        Draw the overall mean (dashed, dark grey). From raw scores it is the mean of all
        rows; from descriptives the ``n``-weighted mean of the group means when ``n`` is
        present (which equals the respondent-level mean), else the plain mean of means.
        The overall mean uses every group in ``data``, not only ``groups``.
    limits
        Radial axis range, e.g. ``(1, 5)`` for a five-point scale; default from the data.
    fill
        Shade each polygon; default when at most three groups are drawn.
    suppressed
        Boolean column flagging groups below the reporting threshold: drawn grey and
        dashed, with a note. Ignored when absent.
    lang
        ``"zh"`` or ``"en"`` labels.
    framework
        Framework giving dimension labels and order; default ``SERVICE_FIVE``.
    ax
        A polar Axes to draw on (``fig.add_subplot(projection="polar")``).
    title
        Chart title.
    highlight
        A group drawn in colour against all others in thin grey (one legend entry for
        them). Beyond :data:`~analysis.report.charts.base.MAX_GROUP_COLOURS` groups,
        colours no longer tell groups apart, so every group is drawn grey unless one is
        highlighted; draw one chart per community to see each.

    Returns
    -------
    matplotlib.axes.Axes
        The polar Axes; a note under it says where the radial axis starts when that is not
        zero. Each group is one closed ``Line2D`` (first point repeated last),
        labelled with the group name; the overall mean is the last line.

    Raises
    ------
    InputError
        A required column is missing, a value is not numeric, or ``groups`` names a group
        not in the data.
    ConfigError
        ``lang`` is not "zh"/"en", or ``ax`` is not a polar Axes.

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis.report.charts.groups import plot_radar
    >>> desc = pd.DataFrame({"group": ["桂花社区"] * 5,
    ...     "dimension": ["reform", "development", "livelihood", "masses", "members"],
    ...     "mean": [3.8, 3.5, 4.1, 4.0, 3.6], "n": [40] * 5})
    >>> ax = plot_radar(desc, limits=(1, 5))
    >>> len(ax.lines)
    2
    """
    owner = "plot_radar"
    fw = _check_common(owner, lang, framework)
    table, kind = _means_table(data, group=group, dimension=dimension, value=value, owner=owner)
    order = _group_order(table[group], groups, owner=owner)
    dims = _dimension_order(table[dimension], fw)
    small = _suppressed_groups(data, group, suppressed)
    wide = table.pivot_table(index=group, columns=dimension, values="mean", aggfunc="mean")
    wide = wide.reindex(index=order, columns=dims)
    grand = (
        _overall_means(data, table, kind, dimension=dimension, value=value, owner=owner)
        .reindex(dims)
        .to_numpy(float)
    )
    angles = np.linspace(0, 2 * np.pi, len(dims), endpoint=False)
    closed = np.append(angles, angles[:1])
    if fill is None:
        fill = len(order) <= 3

    with font_context():
        if ax is None:
            ax = _new_axes((6.4, 5.6), polar=True)
        elif getattr(ax, "name", "") != "polar":
            raise ConfigError(
                "plot_radar needs a polar Axes: create it with "
                f"fig.add_subplot(projection='polar'); got a {getattr(ax, 'name', type(ax))!r} Axes"
            )
        ax.set_theta_offset(np.pi / 2)
        ax.set_theta_direction(-1)
        all_values = np.append(wide.to_numpy(float).ravel(), grand if overall else [])
        lo, hi = _radial_limits(all_values, limits)
        grey_rest = highlight is not None or len(order) > MAX_GROUP_COLOURS
        if highlight is not None and highlight not in set(order):
            raise InputError(f"plot_radar: highlight {highlight!r} is not among the groups drawn")
        n_grey = sum(1 for g in order if g != highlight) if grey_rest else 0
        for i, name in enumerate(order):
            vals = wide.loc[name].to_numpy(float)
            vals_closed = np.append(vals, vals[:1])
            is_small = name in small
            if grey_rest and name != highlight:
                first = i == next(k for k, g in enumerate(order) if g != highlight)
                ax.plot(
                    closed,
                    vals_closed,
                    color=_OTHERS_COLOUR,
                    linewidth=0.9,
                    label=_t("others_grey", lang).format(n=n_grey) if first else "_nolegend_",
                    zorder=1,
                )
                continue
            colour = _SUPPRESSED_COLOUR if is_small else _colour(0 if grey_rest else i)
            style = "--" if is_small else _linestyle(i)
            ax.plot(
                closed,
                vals_closed,
                color=colour,
                linestyle=style,
                linewidth=2.4 if grey_rest else 2,
                marker=_MARKERS[i % len(_MARKERS)] if len(order) > 7 and not grey_rest else "o",
                markersize=4,
                label=_shorten(name, 20) + (" *" if is_small else ""),
                zorder=3,
            )
            if fill and np.isfinite(vals).all():
                ax.fill(
                    closed, vals_closed, color=colour, alpha=0.12, hatch="//" if is_small else None
                )
        if overall:
            ax.plot(
                closed,
                np.append(grand, grand[:1]),
                color=_OVERALL_COLOUR,
                linestyle=(0, (4, 3)),
                linewidth=1.5,
                label=_t("overall", lang),
            )
        ax.set_ylim(lo, hi)
        ax.set_xticks(angles)
        ax.set_xticklabels([_shorten(fw.label(d, lang), 14, lines=2) for d in dims])
        ax.tick_params(axis="x", pad=10)
        for label, angle in zip(ax.get_xticklabels(), angles, strict=True):
            side = np.sin(angle)  # clockwise from the top: right half is positive
            label.set_horizontalalignment(
                "left" if side > 0.2 else "right" if side < -0.2 else "center"
            )
        ax.tick_params(axis="y", labelsize="x-small", labelcolor="#555555")
        ax.set_rlabel_position(180 / len(dims) if dims else 0)
        for label in ax.get_yticklabels():
            label.set_bbox({"facecolor": "white", "edgecolor": "none", "alpha": 0.7, "pad": 0.5})
        ax.grid(True, color="#CCCCCC", linewidth=0.8)
        _legend_clear(ax)
        notes = [_axis_note("radial_from", lo, lang)]
        if small:
            hidden = all(wide.loc[g].isna().all() for g in order if g in small)
            notes.append(_t("withheld" if hidden else "suppressed", lang))
        for k, text in enumerate(n for n in notes if n):
            _note(ax, text, below=34 + 14 * k)
        return _finish(ax, title, title_pad=14)


def plot_means_ci(
    data: pd.DataFrame,
    *,
    group: str = "group",
    dimension: str = "dimension",
    mean: str = "mean",
    ci_low: str = "ci_low",
    ci_high: str = "ci_high",
    value: str = "score",
    groups: Sequence[Any] | None = None,
    confidence: float = 0.95,
    limits: tuple[float, float] | None = None,
    suppressed: str | None = "suppressed",
    lang: Lang = "zh",
    framework: Framework | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Means with confidence intervals by dimension x group (dot-and-whisker chart).

    Parameters
    ----------
    data
        Descriptives with columns ``group``, ``dimension``, ``mean``, ``ci_low``,
        ``ci_high`` (``compare_groups(...).descriptives``); or raw scores with ``group``,
        ``dimension``, ``score``, from which means and t intervals are computed.
    group, dimension, mean, ci_low, ci_high
        Column names in descriptives.
    value
        Column of raw scores, used when ``mean`` is absent.
    groups
        Groups to draw, in this order; default all, in order of appearance. Beyond about
        eight groups the dots crowd: draw a selection, or use :func:`plot_heatmap`.
    confidence
        Confidence level of intervals computed from raw scores.
    limits
        y-axis range; default from the intervals.
    suppressed
        Boolean column flagging groups below the reporting threshold: grey open markers,
        dashed intervals and a note. Ignored when absent.
    lang, framework, ax, title
        As in :func:`plot_radar`; ``ax`` is a Cartesian Axes.

    Returns
    -------
    matplotlib.axes.Axes
        One ``Line2D`` of markers per group (label = group name) and one ``LineCollection``
        of vertical segments per group, each spanning ``ci_low`` to ``ci_high``. x ticks are
        the dimension labels in framework order; groups are dodged within a dimension.

    Raises
    ------
    InputError
        A required column is missing, a value is not numeric, or ``groups`` names a group
        not in the data.
    ConfigError
        ``lang`` is not "zh"/"en".

    Notes
    -----
    From raw scores the interval is :math:`\\bar x \\pm t_{1-\\alpha/2,\\,n-1}\\,s/\\sqrt{n}`,
    as in ``compare_groups``; a group with one score has no interval.

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis.report.charts.groups import plot_means_ci
    >>> desc = pd.DataFrame({"group": ["甲社区", "乙社区"], "dimension": ["reform"] * 2,
    ...     "mean": [3.9, 3.4], "ci_low": [3.6, 3.0], "ci_high": [4.2, 3.8]})
    >>> ax = plot_means_ci(desc)
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['服务改革']
    """
    owner = "plot_means_ci"
    fw = _check_common(owner, lang, framework)
    if isinstance(data, pd.DataFrame) and mean in data.columns:
        _require(data, [group, dimension, mean, ci_low, ci_high], owner=owner)
        table = pd.DataFrame(
            {
                "g": data[group].to_numpy(),
                "d": data[dimension].to_numpy(),
                "mean": _numeric(data, mean, owner=owner).to_numpy(),
                "lo": _numeric(data, ci_low, owner=owner).to_numpy(),
                "hi": _numeric(data, ci_high, owner=owner).to_numpy(),
            }
        )
    else:
        _require(data, [group, dimension, value], owner=owner)
        desc = _describe(
            data,
            group=group,
            dimension=dimension,
            value=value,
            confidence=confidence,
            owner=owner,
        )
        table = pd.DataFrame(
            {
                "g": desc[group].to_numpy(),
                "d": desc[dimension].to_numpy(),
                "mean": desc["mean"].to_numpy(),
                "lo": desc["ci_low"].to_numpy(),
                "hi": desc["ci_high"].to_numpy(),
            }
        )
    order = _group_order(table["g"], groups, owner=owner)
    dims = _dimension_order(table["d"], fw)
    small = _suppressed_groups(data, group, suppressed)
    n_groups = max(len(order), 1)
    step = 0.75 / n_groups
    x_of = {d: i for i, d in enumerate(dims)}

    with font_context():
        if ax is None:
            ax = _new_axes((min(16.0, max(6.4, 1.2 + 0.45 * len(dims) * n_groups)), 4.4))
        for j, name in enumerate(order):
            rows = table[table["g"] == name]
            rows = rows[rows["d"].isin(x_of)]
            offset = (j - (n_groups - 1) / 2) * step
            rows = rows.assign(_x=rows["d"].map(x_of)).sort_values("_x", kind="stable")
            xs = rows["_x"].to_numpy(float) + offset
            is_small = name in small
            colour = _SUPPRESSED_COLOUR if is_small else _colour(j)
            ax.vlines(
                xs,
                rows["lo"].to_numpy(float),
                rows["hi"].to_numpy(float),
                colors=colour,
                linewidth=1.6,
                linestyles="dashed" if is_small else "solid",
            )
            ax.plot(
                xs,
                rows["mean"].to_numpy(float),
                linestyle="none",
                # 8 markers against 7 colours: the pair stays unique for 56 groups
                marker=_MARKERS[j % len(_MARKERS)],
                markersize=6,
                color=colour,
                markerfacecolor="white" if is_small else colour,
                label=_shorten(name, 20) + (" *" if is_small else ""),
            )
        ax.set_xticks(range(len(dims)))
        ax.set_xticklabels([_shorten(fw.label(d, lang), 14, lines=2) for d in dims])
        ax.set_xlim(-0.5, len(dims) - 0.5)
        if limits is not None:
            ax.set_ylim(*limits)
        ax.set_ylabel(_t("mean_ci", lang))
        axis_note = _axis_note("axis_from", ax.get_ylim()[0], lang)
        ax.grid(True, axis="y", color="#E5E5E5", linewidth=0.8)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        if len(order) > 1 or small:
            ax.legend(
                loc="upper left",
                bbox_to_anchor=(1.01, 1.0),
                frameon=False,
                fontsize="small",
                ncols=max(1, math.ceil(len(order) / 16)),
            )
        notes = [axis_note]
        if small:
            hidden = table.loc[table["g"].isin(small), "mean"].isna().all()
            notes.append(_t("withheld" if hidden else "suppressed", lang))
        for k, text in enumerate(n for n in notes if n):
            _note(ax, text, below=48 + 14 * k)
        return _finish(ax, title)


# ----------------------------------------------------------------------------- heatmap


def _text_colour(rgba: Sequence[float]) -> str:
    r, g, b = rgba[:3]
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "black" if luminance > 0.5 else "white"


def plot_heatmap(
    data: pd.DataFrame,
    *,
    group: str = "group",
    column: str = "dimension",
    value: str | None = None,
    groups: Sequence[Any] | None = None,
    annotate: bool = True,
    decimals: int = 2,
    cmap: str = "cividis",
    limits: tuple[float, float] | None = None,
    colorbar: bool = True,
    unit: str | None = None,
    suppressed: str | None = "suppressed",
    lang: Lang = "zh",
    framework: Framework | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    row: str | None = None,
) -> Axes:
    """Heatmap of a value by group (rows) x dimension (columns).

    Parameters
    ----------
    data
        Descriptives (``group``, ``dimension``, ``mean``) or raw scores (``score``, one
        row per respondent or document x dimension; averaged per cell). Text scores work
        with ``group="community"`` and ``value="score"`` or ``"share"``.
    group, column
        Columns giving the rows (groups, named ``group`` as in every other chart) and the
        columns (dimension ids, shown with their framework labels in framework order).
    value
        Column holding the values; default ``"mean"`` when present, else ``"score"``.
    groups
        Rows to show, in this order; default all, in order of appearance.
    annotate
        Write each value in its cell, rounded to ``decimals``.
    decimals
        Decimals shown in the cells (the data are not rounded).
    cmap
        Colour map; the default ``"cividis"`` is readable under colour blindness and in
        greyscale.
    limits
        Colour scale range, e.g. ``(1, 5)``; default from the data.
    colorbar
        Add a colour bar next to the Axes.
    unit
        Label of the colour bar: what the colours measure (``"每千词加权命中"``).
    suppressed
        Boolean column flagging groups below the reporting threshold: their cells are
        hatched grey, their values not written, and a note is added.
    lang, framework, ax, title
        As in :func:`plot_radar`; ``ax`` is a Cartesian Axes.
    row
        Deprecated name of ``group`` (a FutureWarning says so); it will be removed.

    Returns
    -------
    matplotlib.axes.Axes
        One ``AxesImage`` holding the group x dimension matrix (NaN where a cell is
        empty); one ``Text`` per annotated cell; y tick labels are the groups, x tick labels
        the dimension labels.

    Raises
    ------
    InputError
        A required column is missing, a value is not numeric, or ``groups`` names a group
        not in the data.
    ConfigError
        ``lang`` is not "zh"/"en".

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis.report.charts.groups import plot_heatmap
    >>> desc = pd.DataFrame({"group": ["甲社区", "乙社区"], "dimension": ["reform"] * 2,
    ...     "mean": [3.9, 3.4]})
    >>> ax = plot_heatmap(desc)
    >>> ax.images[0].get_array().shape
    (2, 1)
    """
    owner = "plot_heatmap"
    if row is not None:
        import warnings

        warnings.warn(
            "plot_heatmap: 'row' is now called 'group', as in every other chart; "
            f"use group={row!r}",
            FutureWarning,
            stacklevel=2,
        )
        group = row
    row = group
    fw = _check_common(owner, lang, framework)
    table, _ = _means_table(data, group=row, dimension=column, value=value, owner=owner)
    order = _group_order(table[row], groups, owner=owner)
    cols = _dimension_order(table[column], fw)
    small = _suppressed_groups(data, row, suppressed)
    wide = table.pivot_table(index=row, columns=column, values="mean", aggfunc="mean")
    matrix = wide.reindex(index=order, columns=cols).to_numpy(float)
    finite = matrix[np.isfinite(matrix)]
    vmin, vmax = (
        limits
        if limits is not None
        else ((float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0))
    )

    import matplotlib as mpl
    from matplotlib.patches import Rectangle

    with font_context():
        if ax is None:
            ax = _new_axes(
                (
                    min(16.0, max(5.0, 1.6 + 1.15 * len(cols))),
                    min(30.0, max(2.6, 1.2 + 0.42 * len(order))),
                )
            )
        colours = mpl.colormaps[cmap].with_extremes(bad="#F2F2F2")
        image = ax.imshow(
            np.ma.masked_invalid(matrix), cmap=colours, vmin=vmin, vmax=vmax, aspect="auto"
        )
        for i, name in enumerate(order):
            is_small = name in small
            if is_small:
                ax.add_patch(
                    Rectangle(
                        (-0.5, i - 0.5),
                        len(cols),
                        1,
                        facecolor=_SUPPRESSED_COLOUR,
                        edgecolor="white",
                        hatch="//",
                        linewidth=0,
                    )
                )
            for j in range(len(cols)):
                cell = matrix[i, j]
                if not annotate or is_small or not np.isfinite(cell):
                    continue
                ax.text(
                    j,
                    i,
                    f"{cell:.{decimals}f}",
                    ha="center",
                    va="center",
                    fontsize="small",
                    color=_text_colour(image.cmap(image.norm(cell))),
                )
        ax.set_xticks(range(len(cols)))
        ax.set_xticklabels([_shorten(fw.label(c, lang), 14, lines=2) for c in cols])
        ax.set_yticks(range(len(order)))
        ax.set_yticklabels([_shorten(g, 22) + (" *" if g in small else "") for g in order])
        ax.tick_params(length=0)
        ax.xaxis.tick_top()
        for spine in ax.spines.values():
            spine.set_visible(False)
        ax.set_xticks(np.arange(-0.5, len(cols), 1), minor=True)
        ax.set_yticks(np.arange(-0.5, len(order), 1), minor=True)
        ax.grid(which="minor", color="white", linewidth=1.5)
        ax.tick_params(which="minor", length=0)
        extra: list[Axes] = []
        if colorbar:
            bar = ax.figure.colorbar(image, ax=ax, shrink=0.85, pad=0.02)
            bar.outline.set_visible(False)
            if unit:
                bar.set_label(unit)
            extra.append(bar.ax)
        if small:
            _note(ax, _t("withheld", lang), below=6)
        return _finish(ax, title, extra_axes=extra)
