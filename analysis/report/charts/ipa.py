"""Importance–performance analysis (IPA): the quadrant chart."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from analysis.core.dimensions import Framework
from analysis.core.errors import check_option
from analysis.core.words import Lang
from analysis.report.charts.base import (
    _check_common,
    _colour,
    _dimension_colour,
    _finish,
    _new_axes,
    _numeric,
    _require,
    _shorten,
    _t,
)
from analysis.report.charts.fonts import font_context

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "plot_ipa",
]


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
        As in :func:`~analysis.report.charts.groups.plot_radar`; ``ax`` is a Cartesian Axes.

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
    >>> from analysis.report.charts.ipa import plot_ipa
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
