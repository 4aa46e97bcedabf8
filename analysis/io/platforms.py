"""Platform knowledge: 问卷星 and 腾讯问卷 headers, multi-select columns and answering times.

Platforms, detected from their metadata columns (:func:`_detect_platform`):

=============  ==========================================================================
``wjx-text``   问卷星 "按文本" export: answers as option texts, multi-select joined by ┋,
               fill-ins as ``其他〖…〗``, ``(跳过)`` for skip logic, ``(空)`` for no answer
``wjx-code``   问卷星 "按序号" export: answers as option numbers, multi-select as one
               0/1 column per option
``tencent``    腾讯问卷 export (编号, 开始答题时间, 答题时长, ...)
``generic``    anything else with one header row
=============  ==========================================================================

Headers are compared after :func:`normalize_header`; :func:`parse_header` splits one into
its parts, :func:`split_multiselect` spreads a multi-select answer over 0/1 columns and
:func:`parse_duration` reads answering times as seconds.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["normalize_header", "parse_duration", "parse_header", "split_multiselect"]

_WJX_META = {"序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP"}
_TENCENT_META = {
    "编号",
    "开始答题时间",
    "结束答题时间",
    "答题时长",
    "用户标识",
    "用户类型",
    "起始答题时间",
    "答题时长(秒)",
    "提交时间",
    "用户ID",
    "昵称",
}


def normalize_header(text: Any) -> str:
    """Normalise a column header for matching: NFKC, no whitespace, no trailing colon.

    Examples
    --------
    >>> normalize_header(" 2、您的性别： ")
    '2、您的性别'
    """
    s = unicodedata.normalize("NFKC", str(text))
    s = re.sub(r"\s+", "", s)
    return s.rstrip(":")


# --------------------------------------------------------------------------- headers

_QNUM = re.compile(r"^\s*(?:Q|第)?(\d+)\s*(?:[、.．:：)）]|题)\s*")
_OPTION = re.compile(r"[（(]([^()（）]*)[)）]\s*$")


def parse_header(header: str) -> dict[str, Any]:
    """Split a 问卷星 / 腾讯问卷 header into its parts.

    Parameters
    ----------
    header
        A column header such as ``"8、您对以下服务的满意程度—社区卫生"``.

    Returns
    -------
    dict
        ``number`` (int or None), ``stem`` (question text without number), ``row_label``
        (matrix row after ``—``, or None) and ``option`` (a code export's option in
        trailing brackets, e.g. ``"5、参加过哪些活动？(志愿服务)"``, or None).

    Examples
    --------
    >>> parse_header("8、您对以下服务的满意程度—社区卫生")["row_label"]
    '社区卫生'
    >>> parse_header("5、参加过哪些活动？(志愿服务)")["option"]
    '志愿服务'
    """
    text = str(header).strip()
    m = _QNUM.match(text)
    number = int(m.group(1)) if m else None
    rest = text[m.end() :] if m else text
    row_label = None
    if "—" in rest:  # matrix rows: 题干—行标签 (an em dash, sometimes doubled)
        rest, row_label = rest.split("—", 1)
        row_label = row_label.strip("—").strip()
    option = None
    om = _OPTION.search(rest)
    if om and number is not None and row_label is None:
        option = om.group(1)
    return {"number": number, "stem": rest.strip(), "row_label": row_label, "option": option}


def split_multiselect(values: pd.Series, *, sep: str = "┋") -> pd.DataFrame:
    """One 0/1 column per option of a multi-select answer (问卷星 text exports join with ┋).

    Parameters
    ----------
    values
        The raw answers, e.g. ``"志愿服务┋文体活动"``.
    sep
        Separator between chosen options.

    Returns
    -------
    DataFrame
        Same index as ``values``; one int column per option seen (fill-ins ``其他〖…〗``
        counted under ``其他``), in order of first appearance.
    """
    text = values.fillna("").astype(str)
    parts = text.str.split(sep)
    options: dict[str, None] = {}
    for chosen in parts:
        for opt in chosen:
            opt = re.sub(r"〖.*〗$", "", opt).strip()
            if opt and opt not in {"(跳过)", "(空)"}:
                options.setdefault(opt, None)
    cleaned = parts.map(lambda xs: {re.sub(r"〖.*〗$", "", x).strip() for x in xs})
    return pd.DataFrame(
        {opt: cleaned.map(lambda s, o=opt: int(o in s)).astype("int64") for opt in options},
        index=values.index,
    )


_DUR = re.compile(
    r"^\s*(?:(\d+(?:\.\d+)?)\s*(?:小时|时|h))?\s*(?:(\d+(?:\.\d+)?)\s*(?:分钟|分|m|min))?"
    r"\s*(?:(\d+(?:\.\d+)?)\s*(?:秒|s|sec))?\s*$"
)
_HMS = re.compile(r"^\s*(?:(\d+):)?(\d+):(\d+(?:\.\d+)?)\s*$")


def parse_duration(values: pd.Series) -> pd.Series:
    """Read answering times as float seconds.

    Accepts plain numbers (seconds), ``"259秒"``, ``"4分19秒"``, ``"1小时2分"``,
    ``"0:04:19"``; empty cells give NaN; anything else gives NaN and is reported by the
    caller.
    """
    text = values.fillna("").astype(str).str.strip()
    codes, uniques = pd.factorize(text)  # each distinct text is read once
    secs = np.array([_one_duration(u) for u in uniques] + [np.nan], dtype="float64")
    return pd.Series(secs[codes], index=values.index, name=values.name, dtype="float64")


def _one_duration(u: str) -> float:
    if u == "":
        return float("nan")
    try:
        return float(u)
    except ValueError:
        pass
    m = _HMS.match(u)
    if m:
        h, mi, s = m.groups()
        return float(h or 0) * 3600 + float(mi) * 60 + float(s)
    m = _DUR.match(u)
    if m and any(m.groups()):
        h, mi, s = (float(g) if g else 0.0 for g in m.groups())
        return h * 3600 + mi * 60 + s
    return float("nan")


def _detect_platform(frame: pd.DataFrame) -> str:
    cols = {normalize_header(c) for c in frame.columns}
    if len(cols & _WJX_META) >= 3 or {"序号", "提交答卷时间"} <= cols:
        others = [c for c in frame.columns if normalize_header(c) not in _WJX_META]
        numeric = 0
        filled = 0
        for c in others[:60]:
            v = frame[c].iloc[:200]
            v = v[(v != "") & ~v.isin(["(跳过)", "(空)", "-3", "-2"])]
            filled += len(v)
            numeric += int(v.str.fullmatch(r"-?\d+").sum())
        return "wjx-code" if filled and numeric / filled > 0.9 else "wjx-text"
    if len(cols & _TENCENT_META) >= 2:
        return "tencent"
    return "generic"
