"""Charts to files and HTML, reproducibly.

:func:`save_figure` writes PNG, SVG or PDF byte-for-byte reproducibly;
:func:`figure_to_base64_png` embeds a chart in HTML.
"""

from __future__ import annotations

import base64
import io
import sys
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from analysis.core.errors import ConfigError, check_option

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "figure_to_base64_png",
    "save_figure",
]


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
    import warnings

    import matplotlib as mpl

    with mpl.rc_context(_SAVE_RC), warnings.catch_warnings():
        # a label with a character no installed font has (an emoji in a community name)
        # is drawn as a box; matplotlib would warn once per character and chart
        warnings.filterwarnings("ignore", r"Glyph \d+ .* missing from font", UserWarning)
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
