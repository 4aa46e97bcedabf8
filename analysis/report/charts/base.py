"""What every chart shares: input checks, labels, colours and styling, new Axes.

Every ``plot_*`` function takes a long frame as produced elsewhere in the toolkit
(:func:`analysis.score_survey`, ``compare_groups(...).descriptives``,
:func:`analysis.score_texts`, keyness and co-occurrence tables), draws on ``ax`` when given
(otherwise on a new figure) and returns the Axes. Dimension labels come from the
``framework`` (default :data:`analysis.core.dimensions.SERVICE_FIVE`) in ``lang="zh"`` or
``"en"``, always in framework order.

Chinese renders with no setup: text uses the CJK font found by
:func:`analysis.report.charts.fonts.find_cjk_font`, applied through a ``matplotlib.rc_context``
and per text element, so the user's global ``rcParams`` and other figures are left alone.
Colours are the Okabe–Ito palette extended with Paul Tol's to twelve (:data:`GROUP_PALETTE`),
distinguishable under the common forms of colour blindness. Groups flagged in a boolean
``suppressed`` column (below the report's ``min_cell``) are drawn in grey and hatched, with a
note under the chart; when their statistics have been blanked
(``analysis.report.privacy.suppress_small``) nothing is drawn for them and the note says their
values are withheld. When ``ax`` is None a new figure is made: through pyplot inside
IPython/Jupyter, so it displays inline, and as a standalone :class:`matplotlib.figure.Figure`
elsewhere, so scripts and batch reports keep no global figure state.
"""

from __future__ import annotations

import sys
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from analysis.core.dimensions import Framework, load_framework
from analysis.core.errors import InputError, check_option
from analysis.report.charts.fonts import apply_font

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "GROUP_PALETTE",
    "MAX_GROUP_COLOURS",
    "OKABE_ITO",
]


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
#: Colours of up to twelve groups: the seven Okabe-Ito colours (black is kept for the
#: overall mean), then five of Paul Tol's (https://personal.sron.nl/~pault/, schemes
#: 'muted' and 'light'), chosen one at a time for the largest smallest CIE Lab distance to
#: those before them, in normal vision and under simulated deuteranopia, protanopia and
#: tritanopia (Machado et al. 2009). tests/test_chart_layout.py checks the distances.
GROUP_PALETTE: tuple[str, ...] = (
    *OKABE_ITO[:7],
    "#332288",  # Tol muted indigo
    "#882255",  # Tol muted wine
    "#117733",  # Tol muted green
    "#999933",  # Tol muted olive
    "#EE8866",  # Tol light orange
)
#: Beyond this many groups colours no longer tell groups apart: charts that draw one line
#: per group highlight one group against the rest in grey instead.
MAX_GROUP_COLOURS = len(GROUP_PALETTE)
_GROUP_COLOURS = GROUP_PALETTE
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
    "radial_from": {
        "zh": "注：径向轴从 {lo} 起，非从 0 起",
        "en": "Note: the radial axis starts at {lo}, not at 0",
    },
    "axis_from": {
        "zh": "注：纵轴从 {lo} 起，非从 0 起",
        "en": "Note: the value axis starts at {lo}, not at 0",
    },
    "others_grey": {
        "zh": "其他社区（灰色，共 {n} 个）",
        "en": "Other communities (grey, {n})",
    },
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


def _axis_note(key: str, lo: float, lang: str) -> str:
    """The note saying that a value axis does not start at zero (``""`` when it does)."""
    if lo <= 0:
        return ""
    return _TEXT[key][lang].format(lo=f"{lo:g}")


def _legend_clear(ax: Axes, *, gap_pt: float = 10.0, **kw: Any) -> Any:
    """A legend beside ``ax``, right of everything drawn there so far (tick labels too).

    A legend anchored at a fixed fraction of the axes falls on long tick labels (a radar's
    right-hand dimension); here the anchor is measured from the drawn labels, in axes
    units, so it holds at any resolution the figure is saved at.
    """
    fig = ax.figure
    apply_font(ax)  # labels are measured in the font they are drawn in
    box = ax.get_tightbbox(fig._get_renderer())  # type: ignore[attr-defined]
    x, _ = ax.transAxes.inverted().transform((box.x1, box.y1))
    gap = gap_pt * fig.dpi / 72 / max(ax.bbox.width, 1.0)
    kw.setdefault("frameon", False)
    kw.setdefault("fontsize", "small")
    return ax.legend(loc="upper left", bbox_to_anchor=(x + gap, 1.0), borderaxespad=0, **kw)


def _finish(
    ax: Axes, title: str | None, *, extra_axes: Sequence[Axes] = (), title_pad: float = 6.0
) -> Axes:
    if title is not None:
        ax.set_title(title, pad=title_pad)
    apply_font(ax)
    for other in extra_axes:
        apply_font(other)
    return ax
