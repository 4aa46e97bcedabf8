"""Normalising a document's text: Unicode form, full-width characters, spaces and line ends,
and (on request) traditional characters to simplified.

Split out of :mod:`analysis.io.text_files` so that reading and normalising stay small.
"""

from __future__ import annotations

import re
import unicodedata

from analysis.core.errors import ConfigError

__all__ = ["normalize_text"]


# Full-width punctuation that is ordinary Chinese typography: kept as is.
_KEEP_FULLWIDTH = set("，：；！？（）")
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F) if chr(cp) not in _KEEP_FULLWIDTH}
_FULLWIDTH[0x3000] = 0x20  # ideographic space
_SPACES = re.compile(r"[ \t\f\v\u00a0\u2000-\u200b\u202f\u205f\ufeff]+")
_CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}]) (?=[{_CJK}])")


def normalize_text(text: str, *, to_simplified: bool = False) -> str:
    """Normalise one document's text.

    Parameters
    ----------
    text
        Raw text.
    to_simplified
        Convert traditional to simplified characters with OpenCC (``t2s``,
        ``opencc-python-reimplemented``). Scoring converts anyway (the segmenter's
        ``to_simplified``), so this changes the stored text, not the scores.

    Returns
    -------
    str
        The text with full-width letters, digits and ASCII symbols made half-width (the
        full-width punctuation of Chinese writing, ``，：；！？（）``, is kept), Windows and
        old Mac line ends made ``\\n``, runs of spaces folded to one, spaces between two
        Chinese characters removed (an artefact of PDF and Word exports), every line
        stripped and blank lines dropped: one paragraph per line.

    Examples
    --------
    >>> normalize_text("  ２０２３年，ＡＢＣ社区　　开展活动\\r\\n\\r\\n 第二段 ")
    '2023年，ABC社区开展活动\\n第二段'
    """
    text = unicodedata.normalize("NFC", text).translate(_FULLWIDTH)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if to_simplified:
        text = _to_simplified(text)
    lines = []
    for line in text.split("\n"):
        line = _SPACES.sub(" ", line).strip()
        line = _SPACE_BETWEEN_CJK.sub("", line)
        if line:
            lines.append(line)
    return "\n".join(lines)


def _to_simplified(text: str) -> str:
    try:
        from opencc import OpenCC
    except ImportError:
        raise ConfigError(
            "to_simplified=True needs opencc-python-reimplemented, a dependency of analysis; "
            "reinstall analysis or run: pip install opencc-python-reimplemented"
        ) from None
    return OpenCC("t2s").convert(text)


def _line_ends(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --------------------------------------------------------------------------- file readers
