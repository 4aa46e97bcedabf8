"""Page layout of Word reports: languages, running header and footer, table rows.

python-docx's default template declares English (en-US) for every run, Japanese (ja-JP)
for the theme's East Asian fonts and nothing for page furniture. A community office prints
these reports, so a Chinese report declares Chinese (Word then breaks lines and checks
spelling and grammar as Chinese and picks the Chinese theme fonts), every page carries the
study's title and its page number, and a table row never splits across a page break while
the header row repeats on each page a table runs onto.
"""

from __future__ import annotations

from typing import Any

from analysis.core.words import Lang
from analysis.report.document import t

__all__ = ["keep_table_rows", "set_languages", "set_page_furniture"]

#: The language tags Word is given: (the language of Latin text, of East Asian text).
#: An English report's only East Asian text is Chinese (community names, quotes), so its
#: East Asian language is Chinese too.
LANGUAGES: dict[str, tuple[str, str]] = {"zh": ("zh-CN", "zh-CN"), "en": ("en-US", "zh-CN")}


def _child(parent: Any, tag: str) -> Any:
    """The first ``tag`` child of ``parent``, created (appended) when missing."""
    from docx.oxml.ns import qn

    found = parent.find(qn(tag))
    if found is None:
        found = parent.makeelement(qn(tag), {})
        parent.append(found)
    return found


def set_languages(document: Any, lang: Lang) -> None:
    """Declare the report's languages in the default run properties and the theme.

    ``w:docDefaults/w:rPrDefault/w:rPr/w:lang`` (``w:val`` for Latin text, ``w:eastAsia``
    for Chinese) in ``styles.xml`` and ``w:themeFontLang`` in ``settings.xml``.
    """
    from docx.oxml.ns import qn

    latin, east_asian = LANGUAGES["zh" if lang == "zh" else "en"]
    styles = document.styles.element
    rpr = _child(_child(_child(styles, "w:docDefaults"), "w:rPrDefault"), "w:rPr")
    lang_el = _child(rpr, "w:lang")
    lang_el.set(qn("w:val"), latin)
    lang_el.set(qn("w:eastAsia"), east_asian)
    theme = _child(document.settings.element, "w:themeFontLang")
    theme.set(qn("w:val"), latin)
    theme.set(qn("w:eastAsia"), east_asian)


def _field(paragraph: Any, instruction: str) -> None:
    """Append a simple field (``PAGE``, ``NUMPAGES``) to ``paragraph``; Word fills it in."""
    from docx.oxml.ns import qn

    field = paragraph._p.makeelement(qn("w:fldSimple"), {qn("w:instr"): f" {instruction} "})
    run = field.makeelement(qn("w:r"), {})
    rpr = run.makeelement(qn("w:rPr"), {})
    rpr.append(rpr.makeelement(qn("w:sz"), {qn("w:val"): "18"}))  # 9 pt, as the footer's text
    text = run.makeelement(qn("w:t"), {})
    text.text = "1"  # shown until Word updates the field
    run.extend((rpr, text))
    field.append(run)
    paragraph._p.append(field)


def set_page_furniture(document: Any, header: str, lang: Lang) -> None:
    """A running header (``header``, the study's title) and a footer with the page number.

    The footer reads 第 N 页，共 M 页 or Page N of M, with Word's ``PAGE`` and ``NUMPAGES``
    fields, centred.
    """
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    section = document.sections[0]
    head = section.header.paragraphs[0]
    head.text = header
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for run in head.runs:
        run.font.size = Pt(9)
    foot = section.footer.paragraphs[0]
    foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
    before, between, after = t("page_of", lang).split("|")
    foot.add_run(before)
    _field(foot, "PAGE")
    foot.add_run(between)
    _field(foot, "NUMPAGES")
    foot.add_run(after)
    for run in foot.runs:
        run.font.size = Pt(9)


def keep_table_rows(table: Any) -> None:
    """No row of ``table`` splits across pages; its first row repeats on every page."""

    for i, row in enumerate(table.rows):
        tr_pr = row._tr.get_or_add_trPr()
        _child(tr_pr, "w:cantSplit")
        if i == 0:
            _child(tr_pr, "w:tblHeader")
