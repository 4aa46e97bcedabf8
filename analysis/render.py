"""Rendering a :class:`~analysis.reportdoc.ReportDocument` to HTML, DOCX and XLSX.

- HTML: one self-contained file (figures embedded as data URIs, styles inline, a
  Content-Security-Policy that allows no script), rendered by Jinja2 with autoescaping on,
  so every string that came from data is escaped.
- DOCX: python-docx; 宋体 body and 黑体 headings set through ``w:eastAsia`` so Word uses
  them for Chinese, Times New Roman for Latin; three-line tables (三线表) with the title
  above; figure titles below the figure.
- XLSX: openpyxl; one sheet per table, text cells that a spreadsheet would run as formulas
  neutralised.
"""

from __future__ import annotations

import base64
import io
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from .privacy import neutralise_formula
from .reportdoc import ReportDocument, t

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["render_html", "write_docx", "write_html", "write_xlsx"]

_NUMBER = re.compile(r"^[<>=−\-+]?\s*\.?\d[\d,.]*%?$")
_FIXED_TIME = (2000, 1, 1, 0, 0, 0)


def _environment():  # type: ignore[no-untyped-def]
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(
        loader=PackageLoader("analysis", "resources/templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["b64"] = lambda data: base64.b64encode(data).decode("ascii")
    env.tests["number"] = lambda s: bool(_NUMBER.match(str(s).strip()))
    env.filters["is_number"] = env.tests["number"]
    return env


def render_html(doc: ReportDocument) -> str:
    """The report as one self-contained HTML page (autoescaped)."""
    template = _environment().get_template("report.html.j2")
    return template.render(doc=doc, colophon_title=t("colophon", doc.lang))


def write_html(doc: ReportDocument, path: Path) -> Path:
    """Write :func:`render_html` to ``path`` (UTF-8)."""
    path.write_text(render_html(doc), encoding="utf-8")
    return path


# ---------------------------------------------------------------- DOCX

def _set_east_asian_font(style_or_run, latin: str, east_asian: str, size_pt: float | None = None):  # type: ignore[no-untyped-def]
    from docx.oxml.ns import qn
    from docx.shared import Pt

    font = style_or_run.font
    font.name = latin
    if size_pt is not None:
        font.size = Pt(size_pt)
    element = style_or_run.element
    rpr = element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(rfonts)
    rfonts.set(qn("w:eastAsia"), east_asian)
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)


def _border(cell, **edges: Mapping[str, str]) -> None:  # type: ignore[no-untyped-def]
    """Set cell borders, e.g. ``top={"sz": 12, "val": "single"}``."""
    from docx.oxml.ns import qn

    tc_pr = cell._tc.get_or_add_tcPr()
    borders = tc_pr.find(qn("w:tcBorders"))
    if borders is None:
        borders = tc_pr.makeelement(qn("w:tcBorders"), {})
        tc_pr.append(borders)
    for edge in ("top", "left", "bottom", "right"):
        spec = edges.get(edge, {"val": "nil"})
        el = borders.find(qn(f"w:{edge}"))
        if el is None:
            el = borders.makeelement(qn(f"w:{edge}"), {})
            borders.append(el)
        for key, val in spec.items():
            el.set(qn(f"w:{key}"), str(val))


def _three_line_table(document, table) -> None:  # type: ignore[no-untyped-def]
    """Add ``table`` as a 三线表: thick top and bottom rules, a thin rule under the header."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    caption = document.add_paragraph(table.title, style="Caption")
    caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
    n_rows = len(table.rows) + 1
    grid = document.add_table(rows=n_rows, cols=len(table.columns))
    thick = {"val": "single", "sz": 12, "color": "000000"}
    thin = {"val": "single", "sz": 6, "color": "000000"}
    for j, name in enumerate(table.columns):
        cell = grid.cell(0, j)
        cell.text = str(name)
        for run in cell.paragraphs[0].runs:
            run.bold = True
        _border(cell, top=thick, bottom=thin)
    for i, row in enumerate(table.rows, start=1):
        for j, value in enumerate(row):
            cell = grid.cell(i, j)
            cell.text = str(value)
            if _NUMBER.match(str(value).strip()):
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _border(cell, bottom=thick) if i == n_rows - 1 else _border(cell)
    if table.note:
        document.add_paragraph(table.note, style="Table Note")


def write_docx(doc: ReportDocument, path: Path) -> Path:
    """Write the report as a Word document.

    Body text is 宋体 (SimSun) 10.5 pt, headings 黑体 (SimHei) — set as East Asian fonts
    through ``w:eastAsia``, the way Word expects for Chinese; Latin text uses Times New Roman.
    The file is reproducible: document properties carry fixed dates and the archive fixed
    entry times.
    """
    import datetime as dt

    from docx import Document
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    document = Document()
    styles = document.styles
    _set_east_asian_font(styles["Normal"], "Times New Roman", "宋体", 10.5)
    for name, size in (("Title", 18), ("Heading 1", 14), ("Heading 2", 12)):
        _set_east_asian_font(styles[name], "Times New Roman", "黑体", size)
        styles[name].font.color.rgb = None
    caption = styles["Caption"]
    _set_east_asian_font(caption, "Times New Roman", "黑体", 10)
    caption.font.italic = False
    note = styles.add_style("Table Note", WD_STYLE_TYPE.PARAGRAPH)
    note.base_style = styles["Normal"]
    _set_east_asian_font(note, "Times New Roman", "宋体", 9)

    document.add_paragraph(doc.title, style="Title")
    sub = document.add_paragraph(doc.subtitle)
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for section in doc.sections:
        document.add_heading(section.title, level=1)
        for text in section.paragraphs:
            document.add_paragraph(text)
        for table in section.tables:
            _three_line_table(document, table)
        for quote in section.quotes:
            para = document.add_paragraph(quote)
            para.paragraph_format.left_indent = Cm(0.8)
        for fig in section.figures:
            document.add_picture(io.BytesIO(fig.png), width=Cm(15))
            document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
            cap = document.add_paragraph(fig.title, style="Caption")
            cap.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if doc.colophon:
        document.add_heading(t("colophon", doc.lang), level=1)
        for key, value in doc.colophon:
            para = document.add_paragraph()
            para.add_run(f"{key}: ").bold = True
            run = para.add_run(value)
            run.font.size = Pt(8)

    fixed = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)
    props = document.core_properties
    props.created = props.modified = fixed
    props.last_modified_by = props.author = "analysis"
    props.revision = 1
    props.title = doc.title
    buffer = io.BytesIO()
    document.save(buffer)
    _write_zip_fixed_times(buffer.getvalue(), path)
    return path


def _write_zip_fixed_times(data: bytes, path: Path) -> None:
    """Rewrite a zip archive with fixed entry times, so identical content gives identical bytes."""
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(
        path, "w", compression=zipfile.ZIP_DEFLATED
    ) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, src.read(info.filename))


# ---------------------------------------------------------------- XLSX

def _sheet_name(name: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "_", name)[:31] or "sheet"
    candidate, i = base, 1
    while candidate.lower() in used:
        suffix = f"_{i}"
        candidate = base[: 31 - len(suffix)] + suffix
        i += 1
    used.add(candidate.lower())
    return candidate


def write_xlsx(tables: Mapping[str, pd.DataFrame], path: Path) -> Path:
    """Write each table to its own sheet; formula-like text cells are neutralised.

    The workbook is reproducible (fixed document dates and archive entry times).
    """
    import datetime as dt
    import math

    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for name, frame in tables.items():
        ws = wb.create_sheet(_sheet_name(name, used))
        ws.append([str(c) for c in frame.columns])
        for row in frame.itertuples(index=False):
            cells = []
            for value in row:
                if value is None or (isinstance(value, float) and math.isnan(value)):
                    cells.append(None)
                elif hasattr(value, "item") and not isinstance(value, str):
                    cells.append(value.item())
                elif isinstance(value, str | int | float | bool):
                    cells.append(neutralise_formula(value))
                else:
                    cells.append(neutralise_formula(str(value)))
            ws.append(cells)
        for j, col in enumerate(frame.columns, start=1):
            width = max([len(str(col))] + [len(str(v)) for v in frame[col].head(200)]) + 2
            ws.column_dimensions[get_column_letter(j)].width = min(max(width, 8), 60)
        ws.freeze_panes = "A2"
    fixed = dt.datetime(2000, 1, 1)
    wb.properties.created = wb.properties.modified = fixed
    wb.properties.creator = wb.properties.lastModifiedBy = "analysis"
    buffer = io.BytesIO()
    wb.save(buffer)
    _write_zip_fixed_times(buffer.getvalue(), path)
    return path
