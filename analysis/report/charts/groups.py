"""Charts: a tidy frame in, a matplotlib ``Axes`` out.

Every ``plot_*`` function takes a long frame as produced elsewhere in the toolkit
(:func:`analysis.score_survey`, ``compare_groups(...).descriptives``,
:func:`analysis.score_texts`, keyness and co-occurrence tables), draws on ``ax`` when given
(otherwise on a new figure) and returns the Axes. Dimension labels come from the
``framework`` (default :data:`analysis.core.dimensions.SERVICE_FIVE`) in ``lang="zh"`` or
``"en"``, always in framework order.

Chinese renders with no setup: text uses the CJK font found by
:func:`analysis.report.charts.fonts.find_cjk_font`, applied through a ``matplotlib.rc_context``
and per text element, so the user's global ``rcParams`` and other figures are left alone.
Colours are the Okabe–Ito palette, which stays distinguishable under the common forms of colour
blindness. Groups flagged in a boolean ``suppressed`` column (below the report's ``min_cell``)
are drawn in grey and hatched, with a note under the chart; when their statistics have been
blanked (``analysis.report.privacy.suppress_small``) nothing is drawn for them and the note
says their values are withheld.

When ``ax`` is None a new figure is made: through pyplot inside IPython/Jupyter, so it
displays inline, and as a standalone :class:`matplotlib.figure.Figure` elsewhere, so scripts
and batch reports keep no global figure state. :func:`save_figure` writes PNG, SVG or PDF
byte-for-byte reproducibly; :func:`figure_to_base64_png` embeds a chart in HTML.
"""

from __future__ import annotations

import base64
import io
import math
import sys
import unicodedata
from collections.abc import Sequence
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from analysis.core.dimensions import Framework, load_framework
from analysis.core.errors import ConfigError, InputError, check_option
from analysis.report.charts.fonts import apply_font, font_context

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "OKABE_ITO",
    "figure_to_base64_png",
    "plot_distributions",
    "plot_heatmap",
    "plot_ipa",
    "plot_keyness",
    "plot_means_ci",
    "plot_network",
    "plot_radar",
    "save_figure",
]

Lang = Literal["zh", "en"]

#: Okabe & Ito (2008) colour-blind-safe palette, black moved last (used for the overall mean).
OKABE_ITO: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
)
_GROUP_COLOURS = OKABE_ITO[:7]
_OVERALL_COLOUR = "#333333"
_SUPPRESSED_COLOUR = "#9E9E9E"
_LINESTYLES = ("-", "--", "-.", ":")
_MARKERS = "os^Dv<>P"

_TEXT: dict[str, dict[str, str]] = {
    "overall": {"zh": "总体均值", "en": "Overall mean"},
    "mean_ci": {"zh": "均值（95% 置信区间）", "en": "Mean (95% CI)"},
    "mean": {"zh": "均值", "en": "Mean"},
    "score": {"zh": "得分", "en": "Score"},
    "dimension": {"zh": "维度", "en": "Dimension"},
    "group": {"zh": "社区", "en": "Community"},
    "suppressed": {
        "zh": "* 灰色/斜线：样本量低于报告阈值，结果仅供参考",
        "en": "* Grey/hatched: sample below the reporting threshold; interpret with care",
    },
    "withheld": {
        "zh": "* 样本量低于报告阈值，数值不予显示",
        "en": "* Sample below the reporting threshold; values withheld",
    },
    "importance": {"zh": "重要性", "en": "Importance"},
    "performance": {"zh": "表现（满意度）", "en": "Performance (satisfaction)"},
    "q_concentrate": {"zh": "重点改进区", "en": "Concentrate here"},
    "q_keep": {"zh": "继续保持区", "en": "Keep up the good work"},
    "q_low": {"zh": "低优先区", "en": "Low priority"},
    "q_overkill": {"zh": "过度投入区", "en": "Possible overkill"},
    "keyness": {"zh": "关键性（G²）", "en": "Keyness (G²)"},
    "not_significant": {
        "zh": "浅色：校正后不显著",
        "en": "Light: not significant after adjustment",
    },
    "density": {"zh": "密度", "en": "Density"},
    "count": {"zh": "人数", "en": "Count"},
}


# ----------------------------------------------------------------------------- helpers


def _t(key: str, lang: str) -> str:
    return _TEXT[key][lang]


def _check_common(owner: str, lang: str, framework: Framework | Any | None) -> Framework:
    check_option("lang", lang, ("zh", "en"), owner=owner)
    return load_framework(framework)


def _require(data: Any, columns: Sequence[str], *, owner: str, what: str = "data") -> None:
    """Raise a one-line InputError naming the first missing column."""
    if not isinstance(data, pd.DataFrame):
        raise InputError(f"{owner}: {what} must be a pandas DataFrame; got {type(data).__name__}")
    missing = [c for c in columns if c not in data.columns]
    if missing:
        found = ", ".join(repr(str(c)) for c in list(data.columns)[:12])
        raise InputError(
            f"{owner}: {what} has no column {missing[0]!r}"
            + (f" (also missing: {', '.join(repr(m) for m in missing[1:])})" if missing[1:] else "")
            + f"; columns found: {found or 'none'}. Rename the column or pass its name "
            "as a keyword argument.",
            column=missing[0],
        )


def _numeric(data: pd.DataFrame, column: str, *, owner: str) -> pd.Series:
    """Column as float; a non-numeric value raises a one-line InputError."""
    values = pd.to_numeric(data[column], errors="coerce")
    bad = values.isna() & data[column].notna()
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            f"{owner}: column {column!r}, row {pos + 1} of the frame: got "
            f"{data[column].iloc[pos]!r}; expected a number",
            column=column,
            value=data[column].iloc[pos],
        )
    return values.astype(float)


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _shorten(text: Any, width: int = 18, *, lines: int = 1) -> str:
    """Wrap ``text`` into at most ``lines`` lines of ``width`` display columns, ending in "…".

    CJK characters count two columns; Latin text breaks at spaces when it can.
    """
    text = " ".join(str(text).split())
    out: list[str] = []
    rest = text
    while rest and len(out) < lines:
        if _display_width(rest) <= width:
            out.append(rest)
            rest = ""
            break
        cut, used = 0, 0
        for i, ch in enumerate(rest):
            w = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
            if used + w > width:
                break
            used += w
            cut = i + 1
        space = rest.rfind(" ", 0, cut + 1)
        if space > 0:
            cut = space
        out.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        last = out[-1]
        while last and _display_width(last) + 1 > width:
            last = last[:-1]
        out[-1] = last.rstrip() + "…"
    return "\n".join(out)


def _in_ipython() -> bool:
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    try:
        return ipython.get_ipython() is not None
    except AttributeError:  # pragma: no cover - unusual IPython builds
        return False


def _new_axes(figsize: tuple[float, float], *, polar: bool = False) -> Axes:
    """A fresh Axes: through pyplot inside IPython (inline display), standalone elsewhere."""
    kw = {"projection": "polar"} if polar else {}
    if _in_ipython():
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=figsize)
    else:
        from matplotlib.figure import Figure

        fig = Figure(figsize=figsize)
    return fig.add_subplot(**kw)


def _colour(i: int) -> str:
    return _GROUP_COLOURS[i % len(_GROUP_COLOURS)]


def _dimension_colour(fw: Framework, dim: str) -> str:
    """Colour of a dimension, fixed by its position in the framework across all charts."""
    return _colour(fw.ids.index(dim)) if dim in fw else _SUPPRESSED_COLOUR


def _linestyle(i: int) -> str:
    return _LINESTYLES[(i // len(_GROUP_COLOURS)) % len(_LINESTYLES)]


def _dimension_order(values: pd.Series, fw: Framework) -> list[str]:
    return fw.order(str(v) for v in values.dropna().unique())


def _group_order(values: pd.Series, groups: Sequence[Any] | None, *, owner: str) -> list[Any]:
    present = list(pd.unique(values.dropna()))
    if groups is None:
        return present
    unknown = [g for g in groups if g not in set(present)]
    if unknown:
        shown = ", ".join(repr(str(g)) for g in present[:10])
        raise InputError(f"{owner}: group {unknown[0]!r} is not in the data; groups found: {shown}")
    return list(groups)


def _suppressed_groups(data: pd.DataFrame, group: str, suppressed: str | None) -> set[Any]:
    if not suppressed or suppressed not in data.columns:
        return set()
    flags = data[suppressed].eq(True).fillna(False).to_numpy(dtype=bool)
    return set(data.loc[flags, group].dropna().unique())


def _note(ax: Axes, text: str, *, below: float = 40) -> None:
    """A one-line note ``below`` points under the lower left corner of ``ax``."""
    ax.annotate(
        text,
        xy=(0, 0),
        xycoords="axes fraction",
        xytext=(0, -below),
        textcoords="offset points",
        ha="left",
        va="top",
        fontsize="small",
        color="#555555",
    )


def _finish(
    ax: Axes, title: str | None, *, extra_axes: Sequence[Axes] = (), title_pad: float = 6.0
) -> Axes:
    if title is not None:
        ax.set_title(title, pad=title_pad)
    apply_font(ax)
    for other in extra_axes:
        apply_font(other)
    return ax


# ----------------------------------------------------------------------------- means


def _t_ci(mean: np.ndarray, sd: np.ndarray, n: np.ndarray, confidence: float) -> np.ndarray:
    from scipy import stats

    with np.errstate(divide="ignore", invalid="ignore"):
        se = sd / np.sqrt(n)
        crit = np.where(n > 1, stats.t.ppf(0.5 + confidence / 2, np.maximum(n - 1, 1)), np.nan)
    return crit * se


def _describe(
    data: pd.DataFrame,
    *,
    group: str | None,
    dimension: str,
    value: str,
    confidence: float,
    owner: str,
) -> pd.DataFrame:
    """Per (group, dimension): n, mean, sd, ci_low, ci_high from raw scores (t interval)."""
    keys = [k for k in (group, dimension) if k is not None]
    frame = data[keys].copy()
    frame["_v"] = _numeric(data, value, owner=owner)
    frame = frame.dropna(subset=["_v"])
    grouped = frame.groupby(keys, sort=False, observed=True, dropna=True)["_v"]
    out = grouped.agg(n="count", mean="mean").reset_index()
    sd = grouped.std(ddof=1).reindex(pd.MultiIndex.from_frame(out[keys])).to_numpy()
    out["sd"] = sd
    half = _t_ci(out["mean"].to_numpy(), sd, out["n"].to_numpy(float), confidence)
    out["ci_low"] = out["mean"] - half
    out["ci_high"] = out["mean"] + half
    return out


def _means_table(
    data: pd.DataFrame,
    *,
    group: str,
    dimension: str,
    value: str | None,
    owner: str,
) -> tuple[pd.DataFrame, str]:
    """Group x dimension means from descriptives (``mean``) or raw scores (``score``)."""
    if value is None:
        _require(data, [], owner=owner)
        if "mean" not in data.columns and "score" not in data.columns:
            found = ", ".join(repr(str(c)) for c in list(data.columns)[:12])
            raise InputError(
                f"{owner}: data has no column 'mean' (descriptives) or 'score' (raw scores); "
                f"columns found: {found or 'none'}. Pass value= to name the column.",
                column="mean",
            )
        value = "mean" if "mean" in data.columns else "score"
    _require(data, [group, dimension, value], owner=owner)
    if value == "mean" or not data.duplicated([group, dimension]).any():
        table = data[[group, dimension]].copy()
        table["mean"] = _numeric(data, value, owner=owner)
        if "n" in data.columns:
            table["n"] = pd.to_numeric(data["n"], errors="coerce")
        return table, "descriptives"
    table = _describe(
        data, group=group, dimension=dimension, value=value, confidence=0.95, owner=owner
    )
    return table[[group, dimension, "mean", "n"]], "scores"


def _overall_means(
    data: pd.DataFrame,
    table: pd.DataFrame,
    kind: str,
    *,
    dimension: str,
    value: str | None,
    owner: str,
) -> pd.Series:
    """Overall mean per dimension: respondent-level mean (n-weighted when from descriptives)."""
    if kind == "scores":
        col = value or "score"
        vals = _numeric(data, col, owner=owner)
        frame = pd.DataFrame({"d": data[dimension].to_numpy(), "v": vals.to_numpy()}).dropna()
        return frame.groupby("d", sort=False)["v"].mean()
    if "n" in table.columns and table["n"].notna().all() and (table["n"] > 0).all():
        frame = table.assign(_w=table["mean"] * table["n"]).dropna(subset=["mean"])
        sums = frame.groupby(dimension, sort=False)[["_w", "n"]].sum()
        return sums["_w"] / sums["n"]
    return table.dropna(subset=["mean"]).groupby(dimension, sort=False)["mean"].mean()


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

    Returns
    -------
    matplotlib.axes.Axes
        The polar Axes. Each group is one closed ``Line2D`` (first point repeated last),
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
        for i, name in enumerate(order):
            vals = wide.loc[name].to_numpy(float)
            vals_closed = np.append(vals, vals[:1])
            is_small = name in small
            colour = _SUPPRESSED_COLOUR if is_small else _colour(i)
            style = "--" if is_small else _linestyle(i)
            ax.plot(
                closed,
                vals_closed,
                color=colour,
                linestyle=style,
                linewidth=2,
                marker="o",
                markersize=4,
                label=_shorten(name, 20) + (" *" if is_small else ""),
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
        ax.legend(loc="upper left", bbox_to_anchor=(1.08, 1.02), frameon=False, fontsize="small")
        if small:
            hidden = all(wide.loc[g].isna().all() for g in order if g in small)
            _note(ax, _t("withheld" if hidden else "suppressed", lang), below=34)
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
        if small:
            hidden = table.loc[table["g"].isin(small), "mean"].isna().all()
            _note(ax, _t("withheld" if hidden else "suppressed", lang), below=48)
        return _finish(ax, title)


# ----------------------------------------------------------------------------- heatmap


def _text_colour(rgba: Sequence[float]) -> str:
    r, g, b = rgba[:3]
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "black" if luminance > 0.5 else "white"


def plot_heatmap(
    data: pd.DataFrame,
    *,
    row: str = "group",
    column: str = "dimension",
    value: str | None = None,
    groups: Sequence[Any] | None = None,
    annotate: bool = True,
    decimals: int = 2,
    cmap: str = "cividis",
    limits: tuple[float, float] | None = None,
    colorbar: bool = True,
    suppressed: str | None = "suppressed",
    lang: Lang = "zh",
    framework: Framework | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Heatmap of a value by group (rows) x dimension (columns).

    Parameters
    ----------
    data
        Descriptives (``group``, ``dimension``, ``mean``) or raw scores (``score``, one
        row per respondent or document x dimension; averaged per cell). Text scores work
        with ``row="community"`` and ``value="score"`` or ``"share"``.
    row, column
        Columns giving the rows (groups) and the columns (dimension ids, shown with their
        framework labels in framework order).
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
    suppressed
        Boolean column flagging groups below the reporting threshold: their cells are
        hatched grey, their values not written, and a note is added.
    lang, framework, ax, title
        As in :func:`plot_radar`; ``ax`` is a Cartesian Axes.

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
            extra.append(bar.ax)
        if small:
            _note(ax, _t("withheld", lang), below=6)
        return _finish(ax, title, extra_axes=extra)


# ----------------------------------------------------------------------------- IPA


def plot_ipa(
    data: pd.DataFrame,
    *,
    importance: str = "importance",
    performance: str = "performance",
    label: str | None = None,
    dimension: str = "dimension",
    cross: Literal["mean", "median"] | tuple[float, float] = "mean",
    lang: Lang = "zh",
    framework: Framework | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Importance–performance analysis (IPA) quadrant chart.

    Parameters
    ----------
    data
        One row per item or dimension with ``importance`` and ``performance``
        (e.g. derived importance from a regression and mean satisfaction).
    importance, performance
        Column names of the two axes (importance vertical, performance horizontal).
    label
        Column naming each point; default ``"item_id"`` when present, else ``dimension``
        (shown with the framework's labels).
    dimension
        Column of dimension ids; when present points are coloured by dimension.
    cross
        Where the quadrant lines cross: ``"mean"`` or ``"median"`` of each axis over the
        points, or explicit ``(performance, importance)`` values such as scale midpoints.
    lang, framework, ax, title
        As in :func:`plot_radar`; ``ax`` is a Cartesian Axes.

    Returns
    -------
    matplotlib.axes.Axes
        One ``PathCollection`` of points per colour (one per dimension, or one), a
        vertical and a horizontal dashed ``Line2D`` at the crossing point, the four
        quadrant names and one annotation per point.

    Raises
    ------
    InputError
        A required column is missing or a value is not numeric.
    ConfigError
        ``lang`` or ``cross`` is invalid.

    Notes
    -----
    Quadrants follow Martilla & James (1977): high importance and low performance is
    "concentrate here" (重点改进区), high/high "keep up the good work" (继续保持区), low/low
    "low priority" (低优先区), low importance and high performance "possible overkill"
    (过度投入区).

    References
    ----------
    Martilla, J. A., & James, J. C. (1977). Importance-performance analysis. *Journal of
    Marketing*, 41(1), 77–79.

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis.report.charts.groups import plot_ipa
    >>> ipa = pd.DataFrame({"dimension": ["reform", "development", "livelihood"],
    ...     "importance": [0.30, 0.12, 0.41], "performance": [3.6, 3.9, 3.2]})
    >>> ax = plot_ipa(ipa)
    >>> len(ax.collections)
    3
    """
    owner = "plot_ipa"
    fw = _check_common(owner, lang, framework)
    if label is None:
        label = "item_id" if "item_id" in getattr(data, "columns", []) else dimension
    _require(data, [importance, performance, label], owner=owner)
    x = _numeric(data, performance, owner=owner).to_numpy()
    y = _numeric(data, importance, owner=owner).to_numpy()
    if isinstance(cross, str):
        check_option("cross", cross, ("mean", "median"), owner=owner)
        func = np.nanmean if cross == "mean" else np.nanmedian
        cx, cy = (float(func(x)), float(func(y))) if len(x) else (0.0, 0.0)
    else:
        cx, cy = float(cross[0]), float(cross[1])
    names = [fw.label(str(v), lang) if label == dimension else str(v) for v in data[label].tolist()]
    dims = data[dimension].astype(str).tolist() if dimension in data.columns else None

    with font_context():
        if ax is None:
            ax = _new_axes((6.4, 5.2))
        if dims is None:
            ax.scatter(x, y, s=45, color=_colour(0), zorder=3)
        else:
            for dim in fw.order(dims):
                mask = np.array([d == dim for d in dims])
                ax.scatter(
                    x[mask],
                    y[mask],
                    s=45,
                    color=_dimension_colour(fw, dim),
                    zorder=3,
                    label=fw.label(dim, lang),
                )
            if label != dimension:
                ax.legend(
                    loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize="small"
                )
        for xi, yi, name in zip(x, y, names, strict=True):
            if np.isfinite(xi) and np.isfinite(yi):
                ax.annotate(
                    _shorten(name, 16),
                    (xi, yi),
                    xytext=(5, 4),
                    textcoords="offset points",
                    fontsize="small",
                )
        ax.axvline(cx, color="#777777", linestyle="--", linewidth=1)
        ax.axhline(cy, color="#777777", linestyle="--", linewidth=1)
        _pad_limits(ax, np.append(x, cx), np.append(y, cy))
        corners = (
            ("q_concentrate", 0.02, 0.98, "left", "top"),
            ("q_keep", 0.98, 0.98, "right", "top"),
            ("q_low", 0.02, 0.02, "left", "bottom"),
            ("q_overkill", 0.98, 0.02, "right", "bottom"),
        )
        for key, qx, qy, ha, va in corners:
            ax.text(
                qx,
                qy,
                _t(key, lang),
                transform=ax.transAxes,
                ha=ha,
                va=va,
                color="#777777",
                fontsize="small",
            )
        ax.set_xlabel(_t("performance", lang) if performance == "performance" else performance)
        ax.set_ylabel(_t("importance", lang) if importance == "importance" else importance)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        return _finish(ax, title)


def _pad_limits(ax: Axes, x: np.ndarray, y: np.ndarray, pad: float = 0.12) -> None:
    for values, setter in ((x, ax.set_xlim), (y, ax.set_ylim)):
        finite = values[np.isfinite(values)]
        if finite.size == 0:
            continue
        lo, hi = float(finite.min()), float(finite.max())
        span = hi - lo if hi > lo else max(abs(hi), 1.0)
        setter(lo - pad * span, hi + pad * span)


# ----------------------------------------------------------------------------- keyness


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
        As in :func:`plot_radar`; ``framework`` is unused but accepted for a uniform API.

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
    >>> from analysis.report.charts.groups import plot_keyness
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
        As in :func:`plot_radar`; ``ax`` is a Cartesian Axes.

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
    >>> from analysis.report.charts.groups import plot_network
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


# ----------------------------------------------------------------------------- distributions


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
        As in :func:`plot_radar`; ``ax`` is a Cartesian Axes.

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
    >>> from analysis.report.charts.groups import plot_distributions
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


# ----------------------------------------------------------------------------- saving


def _figure_of(fig_or_ax: Any) -> Figure:
    from matplotlib.axes import Axes as _Axes
    from matplotlib.figure import Figure as _Figure
    from matplotlib.figure import SubFigure

    if isinstance(fig_or_ax, _Axes):
        fig = fig_or_ax.figure
    elif isinstance(fig_or_ax, SubFigure | _Figure):
        fig = fig_or_ax
    else:
        raise ConfigError(
            f"save_figure needs a matplotlib Figure or Axes; got {type(fig_or_ax).__name__}"
        )
    while isinstance(fig, SubFigure):
        fig = fig.figure
    return fig


_FORMATS = ("png", "svg", "pdf")
_METADATA: dict[str, dict[str, Any]] = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None},
}
_SAVE_RC = {"svg.hashsalt": "analysis", "svg.fonttype": "path", "pdf.fonttype": 42}


def _positions(fig: Figure) -> np.ndarray:
    return np.array([a.get_position().bounds for a in fig.get_axes()], dtype=float)


def _settle_layout(fig: Figure, *, max_rounds: int = 25) -> None:
    """Run the figure's layout engine until the axes stop moving.

    Constrained layout refines positions from the previous ones, so successive draws
    shift axes by tiny amounts; saving only after it has converged (and with the engine
    paused) makes two saves of the same figure byte-identical.
    """
    before = _positions(fig)
    for _ in range(max_rounds):
        fig.draw_without_rendering()
        after = _positions(fig)
        if after.shape == before.shape and np.array_equal(after, before):
            return
        before = after


def _save(fig: Figure, target: Any, fmt: str, dpi: float) -> None:
    import matplotlib as mpl

    with mpl.rc_context(_SAVE_RC):
        engine = fig.get_layout_engine()
        if engine is not None:
            _settle_layout(fig)
            fig.set_layout_engine("none")
        try:
            fig.savefig(
                target,
                format=fmt,
                dpi=dpi,
                metadata=_METADATA[fmt],
                bbox_inches="tight",
                pad_inches=0.1,
                facecolor="white",
            )
        finally:
            if engine is not None:
                fig.set_layout_engine(engine)


def save_figure(
    fig_or_ax: Figure | Axes,
    path: str | PathLike[str],
    *,
    dpi: float = 150,
    close: bool = False,
) -> Path:
    """Write a chart to PNG, SVG or PDF, reproducibly.

    Parameters
    ----------
    fig_or_ax
        A Figure, or an Axes whose figure is saved.
    path
        Output file; its suffix (``.png``, ``.svg``, ``.pdf``) picks the format. Missing
        parent folders are created.
    dpi
        Resolution of PNG output (and of rasterised parts of vector output).
    close
        Close the figure afterwards if pyplot manages it (frees memory in batch runs).

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    ConfigError
        Unknown suffix, or not a Figure/Axes.

    Notes
    -----
    Same inputs give identical bytes: creation dates and software versions are left out
    of the metadata, SVG ids use a fixed ``svg.hashsalt``, and the bounding box is tight.
    """
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    check_option("format (file suffix)", fmt, _FORMATS, owner="save_figure")
    fig = _figure_of(fig_or_ax)
    path.parent.mkdir(parents=True, exist_ok=True)
    _save(fig, path, fmt, dpi)
    if close:
        _close(fig)
    return path


def _close(fig: Figure) -> None:
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close(fig)


def figure_to_base64_png(fig_or_ax: Figure | Axes, *, dpi: float = 150, close: bool = False) -> str:
    """Render a chart as base64-encoded PNG text, for self-contained HTML.

    Parameters
    ----------
    fig_or_ax
        A Figure, or an Axes whose figure is rendered.
    dpi
        Resolution.
    close
        Close the figure afterwards if pyplot manages it.

    Returns
    -------
    str
        ASCII base64 of the PNG bytes, without a prefix: use it as
        ``<img src="data:image/png;base64,{text}">``. Reproducible like
        :func:`save_figure`.
    """
    fig = _figure_of(fig_or_ax)
    buffer = io.BytesIO()
    _save(fig, buffer, "png", dpi)
    if close:
        _close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")
