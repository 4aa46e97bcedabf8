"""Word reports as a community office prints them: languages, header and footer, table rows.

Checked in the XML inside the .docx, as Word reads it.
"""

from __future__ import annotations

import re
import zipfile

import pytest

from analysis.report.document import ReportDocument, Section, Table
from analysis.report.render import write_docx

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _doc(lang: str, rows: int = 3) -> ReportDocument:
    table = Table(
        "表 1  各社区得分",
        ("社区", "均值"),
        tuple((f"第{i}社区", f"{3 + i / 100:.2f}") for i in range(rows)),
    )
    section = Section("得分", ("本社区服务民生维度得分较高。",), (table,))
    return ReportDocument(
        "东湖社区调查与文本分析报告",
        "示例研究",
        lang,  # type: ignore[arg-type]
        (section,),
        running_head="示例研究　东湖社区调查与文本分析报告",
    )


def _parts(path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml")}


def _lang_default(styles: str) -> dict[str, str]:
    from lxml import etree

    root = etree.fromstring(styles.encode("utf-8"))
    el = root.find(f"{{{W}}}docDefaults/{{{W}}}rPrDefault/{{{W}}}rPr/{{{W}}}lang")
    assert el is not None
    return {k.split("}")[1]: v for k, v in el.attrib.items()}


def _theme_lang(settings: str) -> dict[str, str]:
    from lxml import etree

    el = etree.fromstring(settings.encode("utf-8")).find(f"{{{W}}}themeFontLang")
    assert el is not None
    return {k.split("}")[1]: v for k, v in el.attrib.items()}


@pytest.mark.parametrize(
    ("lang", "latin"), [("zh", "zh-CN"), ("en", "en-US")], ids=["chinese", "english"]
)
def test_languages_are_declared_for_the_report(tmp_path, lang, latin):
    parts = _parts(write_docx(_doc(lang), tmp_path / "r.docx"))
    default = _lang_default(parts["word/styles.xml"])
    assert default["val"] == latin
    assert default["eastAsia"] == "zh-CN"  # python-docx's template says en-US
    theme = _theme_lang(parts["word/settings.xml"])
    assert theme["val"] == latin
    assert theme["eastAsia"] == "zh-CN"  # the template's ja-JP is gone
    assert "ja-JP" not in parts["word/settings.xml"]


def test_every_page_has_the_study_title_and_its_number(tmp_path):
    parts = _parts(write_docx(_doc("zh"), tmp_path / "r.docx"))
    headers = [v for k, v in parts.items() if re.match(r"word/header\d*\.xml", k)]
    footers = [v for k, v in parts.items() if re.match(r"word/footer\d*\.xml", k)]
    assert any("示例研究" in h for h in headers)
    footer = "".join(footers)
    assert 'w:instr=" PAGE "' in footer
    assert 'w:instr=" NUMPAGES "' in footer
    assert "第 " in footer
    assert "页，共 " in footer
    # the section points at them
    assert "w:headerReference" in parts["word/document.xml"]
    assert "w:footerReference" in parts["word/document.xml"]


def test_english_footer_reads_page_of(tmp_path):
    parts = _parts(write_docx(_doc("en"), tmp_path / "r.docx"))
    footer = "".join(v for k, v in parts.items() if k.startswith("word/footer"))
    assert "Page " in footer
    assert " of " in footer


def test_table_rows_do_not_split_and_the_header_row_repeats(tmp_path):
    from lxml import etree

    body = _parts(write_docx(_doc("zh", rows=40), tmp_path / "r.docx"))["word/document.xml"]
    rows = etree.fromstring(body.encode("utf-8")).iter(f"{{{W}}}tr")
    rows = list(rows)
    assert len(rows) == 41
    for i, row in enumerate(rows):
        tr_pr = row.find(f"{{{W}}}trPr")
        assert tr_pr is not None
        assert tr_pr.find(f"{{{W}}}cantSplit") is not None
        assert (tr_pr.find(f"{{{W}}}tblHeader") is not None) == (i == 0)


def test_running_head_defaults_to_the_title(tmp_path):
    doc = ReportDocument("研究报告标题", "研究报告", "zh", ())
    parts = _parts(write_docx(doc, tmp_path / "r.docx"))
    assert any("研究报告标题" in v for k, v in parts.items() if k.startswith("word/header"))
