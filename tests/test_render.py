"""Renderers: HTML escapes data and runs no script; DOCX and XLSX are reproducible and safe."""

from __future__ import annotations

import io
import zipfile

import pandas as pd
import pytest

from analysis.report.document import Figure, ReportDocument, Section, Table
from analysis.report.render import render_html, write_docx, write_xlsx

EVIL = "<img src=x onerror=alert(1)>"


def _png() -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(1, 1))
    ax.plot([0, 1], [0, 1])
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


@pytest.fixture
def doc() -> ReportDocument:
    table = Table(
        "表 1  各社区得分",
        ("社区", "均值"),
        ((EVIL, "4.21"), ("桂花社区", "3.90")),
        note="注：" + EVIL,
    )
    section = Section(
        f"社区 {EVIL}",
        (f"段落 {EVIL} & <b>", "普通段落"),
        (table,),
        (Figure("图 1  雷达图", _png()),),
        (f"引用 {EVIL}",),
    )
    return ReportDocument(f"标题 {EVIL}", "副标题", "zh", (section,), (("输入", EVIL),))


def test_html_escapes_every_string_from_data(doc):
    html = render_html(doc)
    assert EVIL not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<script" not in html.lower()
    assert "onerror=alert" not in html.replace("&lt;img src=x onerror=alert(1)&gt;", "")
    assert "data:image/png;base64," in html  # figures embedded: opens offline
    assert "Content-Security-Policy" in html


def test_html_is_self_contained(doc):
    html = render_html(doc)
    assert "http://" not in html
    assert "https://" not in html
    assert 'src="data:' in html


def test_docx_sets_east_asian_fonts_and_three_line_tables(doc, tmp_path):
    path = write_docx(doc, tmp_path / "r.docx")
    with zipfile.ZipFile(path) as z:
        styles = z.read("word/styles.xml").decode("utf-8")
        body = z.read("word/document.xml").decode("utf-8")
    assert 'w:eastAsia="宋体"' in styles
    assert 'w:eastAsia="黑体"' in styles
    assert "w:tcBorders" in body
    assert 'w:sz="12"' in body
    assert EVIL.replace("<", "&lt;").replace(">", "&gt;") in body  # text, not markup


def test_docx_table_title_above_and_figure_title_below(doc, tmp_path):
    from docx import Document

    d = Document(str(write_docx(doc, tmp_path / "r.docx")))
    texts = [p.text for p in d.paragraphs]
    body = d.element.body
    tags = [el.tag.rsplit("}", 1)[1] for el in body]
    first_tbl = tags.index("tbl")
    assert body[first_tbl - 1].xpath("string(.)") == "表 1  各社区得分"
    assert texts.index("图 1  雷达图") > texts.index(f"引用 {EVIL}")


def test_docx_is_reproducible(doc, tmp_path):
    a = write_docx(doc, tmp_path / "a.docx").read_bytes()
    b = write_docx(doc, tmp_path / "b.docx").read_bytes()
    assert a == b


def test_xlsx_neutralises_formulas_and_is_reproducible(tmp_path):
    from openpyxl import load_workbook

    frame = pd.DataFrame({"group": ['=HYPERLINK("http://x")', "桂花社区"], "mean": [-1.5, 4.0]})
    a = write_xlsx({"survey": frame}, tmp_path / "a.xlsx")
    b = write_xlsx({"survey": frame}, tmp_path / "b.xlsx")
    assert a.read_bytes() == b.read_bytes()
    ws = load_workbook(a)["survey"]
    assert ws["A2"].value == '\'=HYPERLINK("http://x")'
    assert ws["A2"].data_type == "s"
    assert ws["B2"].value == -1.5


def test_embedded_font_covers_every_character_and_is_reproducible(doc):
    import base64
    import re
    import time

    from fontTools.ttLib import TTFont

    from analysis.report.render import document_text
    from analysis.report.webfont import _subset

    html = render_html(doc)
    data = base64.b64decode(re.search(r"font/otf;base64,([A-Za-z0-9+/=]+)", html).group(1))
    with TTFont(io.BytesIO(data)) as font:
        cmap = font.getBestCmap()
    needed = {c for c in document_text(doc) if ord(c) > 0x7F}
    assert needed
    assert all(ord(c) in cmap for c in needed)
    _subset.cache_clear()
    time.sleep(1.1)  # a font saved with the clock in its head table would now differ
    assert render_html(doc) == html


def test_control_characters_from_data_do_not_stop_docx_or_xlsx(tmp_path):
    """A community name typed with NUL, an escape or a form feed: dropped, not a crash."""
    from docx import Document
    from openpyxl import load_workbook

    name = "社区\x00\x1b[31m名\x0c"
    table = Table("表 1", ("社区", "均值"), ((name, "4.2"),), note=name)
    section = Section(name, (name,), (table,), (), (name,))
    report = ReportDocument(name, name, "zh", (section,), (("输入", name),))
    text = "\n".join(p.text for p in Document(write_docx(report, tmp_path / "r.docx")).paragraphs)
    assert "社区[31m名" in text
    assert "\x00" not in text
    frame = pd.DataFrame({name: [name, 1.5]})
    ws = load_workbook(write_xlsx({name: frame}, tmp_path / "r.xlsx")).worksheets[0]
    assert ws["A1"].value == ws["A2"].value == "社区[31m名"
    assert ws["A3"].value == 1.5


def _subset_font(chars, *, measure_once):
    from fontTools import subset
    from fontTools.ttLib import TTFont

    from analysis.report.charts.fonts import find_cjk_font
    from analysis.report.webfont import recalc_bounds

    options = subset.Options()
    options.desubroutinize = True
    options.notdef_outline = True
    options.name_IDs = ["*"]
    buffer = io.BytesIO()
    with TTFont(str(find_cjk_font().path), lazy=True, recalcTimestamp=False) as font:
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=chars)
        subsetter.subset(font)
        if measure_once:
            assert recalc_bounds(font)
            font.recalcBBoxes = False
        font.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "chars", ["。", "社区", "一丁", "社区治理满意度调查，居民议事会（２０２４）"]
)
def test_bounds_measured_once_give_the_bytes_fonttools_recalculation_gives(chars):
    # "。" and "一丁" are flat or low glyphs: the box, side bearings and extents differ
    assert _subset_font(chars, measure_once=True) == _subset_font(chars, measure_once=False)


def test_bounds_measured_once_leave_truetype_fonts_to_fonttools():
    from fontTools.ttLib import TTFont
    from matplotlib import font_manager

    from analysis.report.webfont import recalc_bounds

    path = font_manager.findfont("DejaVu Sans", fallback_to_default=True)
    with TTFont(path, lazy=True) as font:
        head = (font["head"].xMin, font["head"].yMax)
        assert recalc_bounds(font) is False
        assert (font["head"].xMin, font["head"].yMax) == head


def test_docx_paragraph_styles_are_those_python_docx_gives_by_name(doc, tmp_path):
    from docx import Document

    d = Document(str(write_docx(doc, tmp_path / "r.docx")))
    style = {p.text: p.style.name for p in d.paragraphs}
    assert style[doc.title] == "Title"
    assert style[doc.sections[0].title] == "Heading 1"
    assert style["表 1  各社区得分"] == "Caption"
    assert style["图 1  雷达图"] == "Caption"
    assert style["注：" + EVIL] == "Table Note"
    assert style["副标题"] == "Normal"  # no style set: the default

    # the same XML as python-docx's add_paragraph(text, style=name)
    from analysis.report.render import _styled

    ours, theirs = Document(), Document()
    _styled(ours, "表 1", ours.styles["Caption"].style_id)
    theirs.add_paragraph("表 1", style="Caption")
    assert ours.element.body[-2].xml == theirs.element.body[-2].xml
