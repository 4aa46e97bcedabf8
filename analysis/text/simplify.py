"""Traditional to simplified characters before segmentation, offsets kept.

The lexicons and the domain dictionary are written in simplified characters, so a passage in
traditional script (服務, 黨員) would score nothing. :class:`Simplifier` converts a text with
OpenCC's ``t2s`` configuration (``opencc-python-reimplemented``) before it is cut. Tokens are
the simplified words; their offsets must still index into the original text (evidence shows
what was written), so the conversion has to keep every character in place. OpenCC ``t2s``
maps characters one to one almost always; where it does not (a phrase of another length), the
text is converted character by character instead, which keeps the length.

OpenCC in pure Python converts about a million characters a second, slower than jieba cuts
them, so a text is converted only if it holds a character OpenCC could change: one regular
expression scan (a few milliseconds per million characters) settles it for simplified text.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["Simplifier"]


class _CharMap(dict):
    """char -> its simplified form when that is one character, else the char itself."""

    def __init__(self, convert: Any) -> None:
        super().__init__()
        self.convert = convert

    def __missing__(self, char: str) -> str:
        out = self.convert(char)
        out = out if len(out) == 1 else char
        self[char] = out
        return out


class Simplifier:
    """Convert traditional to simplified characters, one output character per input character.

    Built on first use (OpenCC loads its dictionaries then). Picklable: the converter is
    rebuilt where it is unpickled.

    Examples
    --------
    >>> Simplifier()("推行一站式服務，發展黨員三名。")
    '推行一站式服务，发展党员三名。'
    """

    def __init__(self) -> None:
        self._cc: Any = None
        self._chars: re.Pattern[str] | None = None  # characters t2s changes (BMP)
        self._any: re.Pattern[str] | None = None  # those and the characters of ...
        self._phrases: re.Pattern[str] | None = None  # ... phrases that change only whole
        self._astral = False  # some changed character lies beyond the BMP
        self._map: _CharMap | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__()  # type: ignore[misc]

    def load(self) -> None:
        """Load OpenCC's dictionaries and work out which characters it changes (done on
        first use otherwise)."""
        if self._cc is not None:
            return
        from opencc import OpenCC

        cc = OpenCC("t2s")
        convert = cc.convert
        convert("")  # loads the dictionaries
        chars: set[str] = set()
        phrases: dict[str, str] = {}
        try:
            # (max length, min length, {traditional: simplified candidates}) per dictionary
            tables = [d for group in cc._dict_chain_data for _, _, d in group]
        except (AttributeError, TypeError, ValueError):  # pragma: no cover - other OpenCC
            tables = None
        if tables is None:
            self._chars = re.compile(r"[^\x00-\x7f]")  # unknown layout: convert any non-ASCII
            self._any = self._chars
        else:
            for table in tables:
                for key, value in table.items():
                    first = value.split(" ")[0]  # the candidate OpenCC takes
                    if first == key:
                        continue
                    if len(key) == 1:
                        chars.add(key)
                    else:
                        phrases[key] = first
            bmp = sorted(c for c in chars if c < "\U00010000")
            self._astral = len(bmp) < len(chars)
            self._chars = re.compile(f"[{''.join(map(re.escape, bmp))}]" if bmp else "(?!)")
            # a phrase whose changed characters all change only inside phrases (覆 in 反覆,
            # 瞭 in 瞭解: 覆盖 stays) is looked for whole, where a scan finds such a character
            rare = {
                key[i]
                for key, first in phrases.items()
                for i in range(len(key))
                if (len(first) != len(key) or first[i] != key[i]) and key[i] not in chars
            }
            keys = [k for k in phrases if not any(c in chars for c in k)]
            if rare and keys:
                keys.sort(key=len, reverse=True)
                self._phrases = re.compile("|".join(map(re.escape, keys)))
            else:
                rare = set()
            both = "".join(map(re.escape, sorted(set(bmp) | rare)))
            self._any = re.compile(f"[{both}]" if both else "(?!)")
        self._map = _CharMap(convert)
        self._cc = cc

    def may_change(self, text: str) -> bool:
        """Whether OpenCC could change ``text`` (False: it is simplified already)."""
        if self._cc is None:
            self.load()
        assert self._any is not None
        assert self._chars is not None
        if self._any.search(text):  # one scan settles it for most simplified text
            if self._chars.search(text):
                return True
            if self._phrases is not None and self._phrases.search(text):
                return True
        # a character beyond the BMP makes the string four bytes a character in UTF-16
        return self._astral and len(text.encode("utf-16-le")) != 2 * len(text)

    def __call__(self, text: str) -> str:
        """``text`` in simplified characters, as long as ``text`` (the same object if it
        needs no conversion)."""
        if not text or not self.may_change(text):
            return text
        out = self._cc.convert(text)
        if len(out) != len(text):  # a phrase of another length: offsets would shift
            assert self._map is not None
            out = "".join(map(self._map.__getitem__, text))
        return out
