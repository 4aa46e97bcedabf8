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
import math
from typing import Any

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
        font.recalcBBoxes = not recalc_bounds(font)
        font.save(buffer)
    return buffer.getvalue()


def recalc_bounds(font: Any) -> bool:
    """Set the bounds a CFF font's save would recalculate, measuring each glyph once.

    Saving with ``recalcBBoxes`` (fontTools' default) draws every glyph three times: for
    the CFF ``FontBBox`` (copied into ``head``), for ``hhea`` and for ``vhea``. This sets
    the same fields from one drawing, so the font can be saved with ``recalcBBoxes=False``
    and give the same bytes. Returns False, changing nothing, for a font this does not
    cover (TrueType outlines, CFF2, several top dicts, variable components): fontTools
    then recalculates as usual.
    """
    if "CFF " not in font or "VARC" in font or "glyf" in font:
        return False
    cff = font["CFF "].cff
    if cff.major != 1 or len(cff.topDictIndex) != 1:
        return False
    top = cff.topDictIndex[0]
    charstrings = top.CharStrings
    bounds = {name: charstrings[name].calcBounds(charstrings) for name in charstrings.keys()}
    box = None
    for b in bounds.values():
        if b is not None:
            box = (
                b
                if box is None
                else (min(box[0], b[0]), min(box[1], b[1]), max(box[2], b[2]), max(box[3], b[3]))
            )
    if box is None:
        top.FontBBox = top.defaults["FontBBox"][:]
    else:
        top.FontBBox = [
            math.floor(box[0]),
            math.floor(box[1]),
            math.ceil(box[2]),
            math.ceil(box[3]),
        ]
    head = font["head"]
    head.xMin, head.yMin, head.xMax, head.yMax = top.FontBBox
    order = font.getGlyphOrder()
    for tag, metrics, lo, hi in (("hhea", "hmtx", 0, 2), ("vhea", "vmtx", 1, 3)):
        if tag in font and metrics in font:
            _side_bearings(font[tag], font[metrics], order, bounds, lo, hi)
    return True


def _side_bearings(
    table: Any, metrics: Any, order: list[str], bounds: dict[str, Any], lo: int, hi: int
) -> None:
    """``hhea`` (``lo, hi = 0, 2``) or ``vhea`` (``1, 3``) as fontTools' ``recalc`` sets it."""
    extents = {
        name: int(math.ceil(bounds[name][hi]) - math.floor(bounds[name][lo]))
        for name in order
        if bounds.get(name) is not None
    }
    advance_max = max(advance for advance, _ in metrics.metrics.values())
    first = last = 0
    reach: float = 0
    if extents:
        first = last = math.inf
        reach = -math.inf
        for name, extent in extents.items():
            advance, bearing = metrics[name]
            first = min(first, bearing)
            last = min(last, advance - bearing - extent)
            reach = max(reach, bearing + extent)
    if lo == 0:
        table.advanceWidthMax = advance_max
        table.minLeftSideBearing, table.minRightSideBearing, table.xMaxExtent = first, last, reach
    else:
        table.advanceHeightMax = advance_max
        table.minTopSideBearing, table.minBottomSideBearing, table.yMaxExtent = first, last, reach


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
