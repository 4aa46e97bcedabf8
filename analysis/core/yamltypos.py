"""Typing slips in YAML written on a Chinese keyboard, named on their own line.

YAML typed with a Chinese input method often carries full-width punctuation where YAML
needs ASCII: ``survey：{path: …}`` (a full-width colon), ``[html，docx]`` (a full-width
comma), ``｛…｝`` (full-width braces), a tab in the indentation, a ``{`` never closed. A
YAML parser reports these late and in general terms ("could not find expected ':'" one
line below), or not at all (``survey：{path`` silently becomes a key). :func:`typo_problems`
finds them on the line where they are, for :func:`analysis.core.yamlio.parse_yaml`.

Messages give English and Chinese together, since the language of the study is not known
while its file is being parsed::

    line 6: full-width colon '：' — use ':' (第 6 行有全角冒号 '：'，请改为英文冒号 ':')
"""

from __future__ import annotations

import re

__all__ = ["typo_problems", "unclosed_problem"]

_KEY = re.compile(r"[A-Za-z_][\w.-]*\s*")
_FULL_OPEN = {"｛": "{", "［": "["}
_FULL_CLOSE = {"｝": "}", "］": "]"}


def _mask(line: str) -> str:
    """``line`` with quoted text and a trailing comment blanked (positions kept)."""
    out = []
    quote = ""
    i = 0
    while i < len(line):
        c = line[i]
        if quote:
            if c == "\\" and quote == '"':
                out.append("  ")
                i += 2
                continue
            if c == quote:
                if quote == "'" and line[i + 1 : i + 2] == "'":
                    out.append("  ")
                    i += 2
                    continue
                quote = ""
                out.append(c)
            else:
                out.append(" ")
        elif c in "\"'" and (i == 0 or line[i - 1] in " \t{[,:-"):
            quote = c
            out.append(c)
        elif c == "#" and (i == 0 or line[i - 1] in " \t"):
            break
        else:
            out.append(c)
        i += 1
    return "".join(out)


def _colon(n: int) -> str:
    return (
        f"line {n}: full-width colon '：' — use ':' (第 {n} 行有全角冒号 '：'，请改为英文冒号 ':')"
    )


def _comma(n: int) -> str:
    return (
        f"line {n}: full-width comma '，' — use ',' (第 {n} 行有全角逗号 '，'，请改为英文逗号 ',')"
    )


def _bracket(n: int, full: str, ascii_: str) -> str:
    return (
        f"line {n}: full-width bracket '{full}' — use '{ascii_}' "
        f"(第 {n} 行有全角括号 '{full}'，请改为英文括号 '{ascii_}')"
    )


def _tab(n: int) -> str:
    return (
        f"line {n}: a tab in the indentation — indent with spaces "
        f"(第 {n} 行的缩进含有制表符 Tab，请改用空格缩进)"
    )


def _line_problems(n: int, raw: str, loose: bool) -> list[str]:
    """Slips on one line; ``loose`` also flags a full-width colon that may be text (used
    near a parse error only)."""
    found: list[str] = []
    content = raw.lstrip(" \t")
    if "\t" in raw[: len(raw) - len(content)] and content and not content.startswith("#"):
        found.append(_tab(n))
    line = _mask(raw)
    body = line.strip()
    if not body:
        return found
    depth = 0
    entry_start = len(line) - len(line.lstrip(" -"))
    flagged = set()
    for i, c in enumerate(line):
        if c in "{[":
            depth += 1
            entry_start = i + 1
        elif c in "}]":
            depth = max(depth - 1, 0)
        elif c == ",":
            entry_start = i + 1
        elif c == "：" and "colon" not in flagged:
            before = line[entry_start:i]
            if ":" not in before and (_KEY.fullmatch(before.strip() + " ") or depth > 0 or loose):
                found.append(_colon(n))
                flagged.add("colon")
        elif c == "，" and depth > 0 and ":" not in line[entry_start:i] and "comma" not in flagged:
            found.append(_comma(n))
            flagged.add("comma")
        elif c in _FULL_OPEN and "bracket" not in flagged:
            before = line[:i].rstrip()
            if before.endswith((":", "：", "-", "[", "{", ",")) or not before.strip(" -"):
                found.append(_bracket(n, c, _FULL_OPEN[c]))
                flagged.add("bracket")
        elif c in _FULL_CLOSE and "bracket" not in flagged and not line[i + 1 :].strip():
            found.append(_bracket(n, c, _FULL_CLOSE[c]))
            flagged.add("bracket")
    return found


def typo_problems(text: str, *, near: int | None = None) -> list[tuple[int, str]]:
    """Full-width punctuation, tabs and full-width brackets where YAML needs ASCII.

    Parameters
    ----------
    text
        The YAML text.
    near
        The 1-based line of a parse error: a full-width colon on that line or the two
        before it is reported even where it could be part of a value.

    Returns
    -------
    list of (line, message)
        One entry per slip, in line order; empty when none is found.

    Examples
    --------
    >>> typo_problems("title: 研究：二\\nsurvey：{path: a.xlsx}\\n")
    [(2, "line 2: full-width colon '：' — use ':' (第 2 行有全角冒号 '：'，请改为英文冒号 ':')")]
    """
    out: list[tuple[int, str]] = []
    for i, raw in enumerate(text.splitlines(), start=1):
        loose = near is not None and near - 2 <= i <= near
        out.extend((i, message) for message in _line_problems(i, raw, loose))
    return out


def unclosed_problem(context: str | None, line: int | None, opener: str) -> str | None:
    """The message for a flow collection the parser found unclosed, or None.

    ``context`` is the parser's (``"while parsing a flow mapping"``), ``line`` the 1-based
    line where the collection opened, ``opener`` the text of that line.
    """
    if not context or line is None or "flow" not in context:
        return None
    mapping = "mapping" in context
    open_, close = ("{", "}") if mapping else ("[", "]")
    if open_ not in opener:
        return None
    return (
        f"line {line}: '{open_}' is not closed — add '{close}' at the end of the line "
        f"(第 {line} 行的 '{open_}' 缺少对应的 '{close}'，请在行末补上 '{close}')"
    )
