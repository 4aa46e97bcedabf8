"""The figures of a study run, drawn with :mod:`analysis.report.charts` and saved as PNG.

Figures show aggregates only; groups below the study's ``min_cell`` are marked as
suppressed (the plot functions grey them out) rather than drawn as if they were reliable.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.report.order import group_order as _order
from analysis.report.privacy import suppress_small

if TYPE_CHECKING:
    from analysis.study.outputs import StudyOutputs

__all__ = ["draw_figures"]


def draw_figures(
    out: StudyOutputs,
    output: Path,
    *,
    lang: str,
    min_cell: int = 5,
    group_order: Sequence[str] = (),
) -> dict[str, str]:
    """Draw the study-level figures into ``output/figures``.

    Communities appear in the report order (:func:`analysis.report.order.group_order`:
    ``group_order`` first, the rest by name), as in the report's tables; heat-map colour
    bars carry their unit (mean score 1–5; weighted hits per 1,000 tokens).

    Returns
    -------
    dict
        Figure name (``radar``, ``means_ci``, ``heatmap``, ``text_heatmap``) -> file path.
    """
    from analysis.report.charts.groups import plot_heatmap, plot_means_ci, plot_radar
    from analysis.report.charts.output import save_figure

    codebook = out.results.get("codebook")
    framework = getattr(codebook, "framework", None)
    folder = output / "figures"
    folder.mkdir(parents=True, exist_ok=True)
    paths: dict[str, str] = {}
    desc = out.tables.get("survey_descriptives")
    tdesc = out.tables.get("text_descriptives")
    present = [g for t in (desc, tdesc) if t is not None for g in t["group"]]
    order = _order(present, group_order)
    if desc is not None and len(desc):
        shown = suppress_small(desc, min_cell=min_cell)
        groups = [g for g in order if g in set(shown["group"].astype(str))]
        for name, draw in (
            ("radar", plot_radar),
            ("means_ci", plot_means_ci),
        ):
            ax = draw(shown, lang=lang, framework=framework, groups=groups)
            paths[name] = str(save_figure(ax, folder / f"{name}.png", close=True))
        unit = "平均得分（1–5）" if lang == "zh" else "Mean score (1–5)"
        ax = plot_heatmap(shown, lang=lang, framework=framework, groups=groups, unit=unit)
        paths["heatmap"] = str(save_figure(ax, folder / "heatmap.png", close=True))
    if tdesc is not None and len(tdesc):
        ax = plot_heatmap(
            tdesc,
            lang=lang,
            framework=framework,
            groups=[g for g in order if g in set(tdesc["group"].astype(str))],
            title="文本维度强调（每千词）"
            if lang == "zh"
            else "Emphasis in documents (per 1,000 tokens)",
            unit="每千词加权命中" if lang == "zh" else "Weighted hits per 1,000 tokens",
        )
        paths["text_heatmap"] = str(save_figure(ax, folder / "text_heatmap.png", close=True))
    return paths
