"""Presentation of plain data: Jupyter display, charts, report documents, privacy.

Knows nothing of surveys or texts: charts take tidy frames, documents take a
:class:`~analysis.report.compose.ReportInputs` of plain tables and texts.

* :mod:`.formatting` numbers and cells for display, headed with :mod:`analysis.core.words`
* :mod:`.display`    results and frames in Jupyter (every result object shows itself here)
* :mod:`.charts`     the charts, one module per family, with CJK fonts
* :mod:`.document`   the document model and the report's words in zh/en
* :mod:`.compose`    a study's report from its inputs; :mod:`.community` one per community
* :mod:`.render`     documents to HTML, DOCX and XLSX; :mod:`.webfont` the embedded font
* :mod:`.tables`     tables to CSV and Parquet
* :mod:`.privacy`    masking, small-cell suppression, safe file names and cells

The names below load on first use; importing this face loads no matplotlib or pandas.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from analysis.core.lazy import attach

_LAZY = {
    "plot_radar": "analysis.report.charts.groups",
    "plot_means_ci": "analysis.report.charts.groups",
    "plot_heatmap": "analysis.report.charts.groups",
    "plot_ipa": "analysis.report.charts.ipa",
    "plot_keyness": "analysis.report.charts.text",
    "plot_network": "analysis.report.charts.text",
    "plot_distributions": "analysis.report.charts.distributions",
    "save_figure": "analysis.report.charts.output",
    "figure_to_base64_png": "analysis.report.charts.output",
    "show": "analysis.report.display",
    "preview_report": "analysis.report.display",
    "frame_to_html": "analysis.report.formatting",
    "frame_to_table": "analysis.report.formatting",
    "mask_pii": "analysis.report.privacy",
    "suppress_small": "analysis.report.privacy",
    "write_html": "analysis.report.render",
    "write_docx": "analysis.report.render",
    "write_xlsx": "analysis.report.render",
}
__all__ = list(_LAZY)
__getattr__, __dir__ = attach(__name__, _LAZY)

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from analysis.report.charts.distributions import plot_distributions
    from analysis.report.charts.groups import plot_heatmap, plot_means_ci, plot_radar
    from analysis.report.charts.ipa import plot_ipa
    from analysis.report.charts.output import figure_to_base64_png, save_figure
    from analysis.report.charts.text import plot_keyness, plot_network
    from analysis.report.display import preview_report, show
    from analysis.report.formatting import frame_to_html, frame_to_table
    from analysis.report.privacy import mask_pii, suppress_small
    from analysis.report.render import write_docx, write_html, write_xlsx
