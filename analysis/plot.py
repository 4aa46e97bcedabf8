"""Charts: a tidy frame in, a matplotlib ``Axes`` out.

Every ``plot_*`` function takes a long frame as produced elsewhere in the toolkit
(:func:`analysis.score_survey`, ``compare_groups(...).descriptives``,
:func:`analysis.score_texts`, keyness and co-occurrence tables), draws on ``ax`` when given
(otherwise on a new figure) and returns the Axes. Dimension labels come from the
``framework`` (default :data:`analysis.dimensions.SERVICE_FIVE`) in ``lang="zh"`` or
``"en"``, always in framework order.

Chinese renders with no setup: text uses the CJK font found by
:func:`analysis.fonts.find_cjk_font`, applied through a ``matplotlib.rc_context`` and per
text element, so the user's global ``rcParams`` and other figures are left alone. Colours
are the Okabe–Ito palette, which stays distinguishable under the common forms of colour
blindness. Groups flagged in a boolean ``suppressed`` column (below the report's
``min_cell``) are drawn in grey and hatched, with a note under the chart.

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

from .dimensions import Framework, load_framework
from .errors import ConfigError, InputError, check_option
from .fonts import apply_font, font_context

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "OKABE_ITO",
    "figure_to_base64_png",
    "plot_means_ci",
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

_TEXT: dict[str, dict[str, str]] = {
    "overall": {"zh": "总体均值", "en": "Overall mean"},
    "mean_ci": {"zh": "均值（95% 置信区间）", "en": "Mean (95% CI)"},
    "mean": {"zh": "均值", "en": "Mean"},
    "score": {"zh": "得分", "en": "Score"},
    "dimension": {"zh": "维度", "en": "Dimension"},
    "group": {"zh": "社区", "en": "Community"},
    "suppressed": {
        "zh": "灰色/斜线：样本量低于报告阈值，结果仅供参考",
        "en": "Grey/hatched: sample below the reporting threshold; interpret with care",
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
        if space > cut // 2:
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

        fig = plt.figure(figsize=figsize, layout="constrained")
    else:
        from matplotlib.figure import Figure

        fig = Figure(figsize=figsize, layout="constrained")
    return fig.add_subplot(**kw)


def _colour(i: int) -> str:
    return _GROUP_COLOURS[i % len(_GROUP_COLOURS)]


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
    flags = data[suppressed].fillna(False).astype(bool)
    return set(data.loc[flags.to_numpy(), group].dropna().unique())


def _note(ax: Axes, text: str, *, y: float = -0.12) -> None:
    ax.annotate(
        text,
        xy=(0, y),
        xycoords="axes fraction",
        ha="left",
        va="top",
        fontsize="small",
        color="#555555",
    )


def _finish(ax: Axes, title: str | None, *, extra_axes: Sequence[Axes] = ()) -> Axes:
    if title is not None:
        ax.set_title(title)
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
    >>> from analysis.plot import plot_radar
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
        ax.tick_params(axis="x", pad=8)
        ax.tick_params(axis="y", labelsize="x-small", labelcolor="#555555")
        ax.set_rlabel_position(180 / len(dims) if dims else 0)
        for label in ax.get_yticklabels():
            label.set_bbox({"facecolor": "white", "edgecolor": "none", "alpha": 0.7, "pad": 0.5})
        ax.grid(True, color="#CCCCCC", linewidth=0.8)
        ax.legend(loc="upper left", bbox_to_anchor=(1.08, 1.02), frameon=False, fontsize="small")
        if small:
            _note(ax, _t("suppressed", lang), y=-0.08)
        return _finish(ax, title)


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
        Groups to draw, in this order; default all, in order of appearance.
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
    >>> from analysis.plot import plot_means_ci
    >>> desc = pd.DataFrame({"group": ["甲社区", "乙社区"], "dimension": ["reform"] * 2,
    ...     "mean": [3.9, 3.4], "ci_low": [3.6, 3.0], "ci_high": [4.2, 3.8]})
    >>> ax = plot_means_ci(desc)
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['服务改革']
    """
    owner = "plot_means_ci"
    fw = _check_common(owner, lang, framework)
    if mean in data.columns if isinstance(data, pd.DataFrame) else False:
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
            ax = _new_axes((max(6.4, 1.2 + 0.45 * len(dims) * n_groups), 4.4))
        for j, name in enumerate(order):
            rows = table[table["g"] == name]
            rows = rows[rows["d"].isin(x_of)]
            offset = (j - (n_groups - 1) / 2) * step
            xs = rows["d"].map(x_of).to_numpy(float) + offset
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
                marker="os^Dv<>"[j % 7],
                markersize=6,
                color=colour,
                markerfacecolor="white" if is_small else colour,
                label=_shorten(name, 20) + (" *" if is_small else ""),
            )
        ax.set_xticks(range(len(dims)))
        ax.set_xticklabels([_shorten(fw.label(d, lang), 12, lines=2) for d in dims])
        ax.set_xlim(-0.5, len(dims) - 0.5)
        if limits is not None:
            ax.set_ylim(*limits)
        ax.set_ylabel(_t("mean_ci", lang))
        ax.grid(True, axis="y", color="#E5E5E5", linewidth=0.8)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        if len(order) > 1 or small:
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize="small")
        if small:
            _note(ax, _t("suppressed", lang), y=-0.14)
        return _finish(ax, title)


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
