"""A CJK web font embedded in HTML reports, so Chinese renders on any machine.

Reports must show Chinese even where the reader's machine has no CJK font (servers, CI,
minimal Linux desktops): the HTML embeds a subset of the bundled Noto Sans CJK SC (SIL Open
Font License) holding only the characters the page uses, as a data URI. A typical report
needs a few hundred characters, about 80 KB.
"""

from __future__ import annotations

import base64
import functools
import io

__all__ = ["font_face_css"]

FAMILY = "Report CJK"


@functools.lru_cache(maxsize=32)
def _subset(chars: str) -> bytes | None:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    from analysis.report.charts.fonts import find_cjk_font

    path = find_cjk_font().path
    options = subset.Options()
    options.flavor = None
    options.desubroutinize = True
    options.notdef_outline = True
    options.name_IDs = ["*"]
    buffer = io.BytesIO()
    # recalcTimestamp=False: the head table keeps its date, so the same text gives the same bytes
    with TTFont(str(path), lazy=True, recalcTimestamp=False) as font:
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=chars)
        subsetter.subset(font)
        font.save(buffer)
    return buffer.getvalue()


def font_face_css(text: str) -> str:
    """An ``@font-face`` rule embedding the glyphs of every non-ASCII character in ``text``.

    Returns an empty string when ``text`` is pure ASCII. The font is a subset of the CJK
    font :func:`analysis.report.charts.fonts.find_cjk_font` finds (never SimHei or Microsoft YaHei).
    """
    chars = "".join(sorted({c for c in text if ord(c) > 0x7F}))
    if not chars:
        return ""
    data = _subset(chars)
    if not data:
        return ""
    fmt = "truetype" if data[:4] in (b"\x00\x01\x00\x00", b"true") else "opentype"
    mime = "font/ttf" if fmt == "truetype" else "font/otf"
    encoded = base64.b64encode(data).decode("ascii")
    return (
        f'@font-face {{ font-family: "{FAMILY}"; '
        f'src: url(data:{mime};base64,{encoded}) format("{fmt}"); }}'
    )
