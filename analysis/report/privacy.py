"""Privacy and output safety: what may leave the toolkit in a report or exported table.

- :func:`mask_pii` masks mainland mobile and landline numbers and 18-character resident
  ID numbers (only those with a valid GB 11643 check digit, so ordinary long numbers such
  as statistics are left alone).
- :func:`suppress_small` marks groups below ``min_cell`` and blanks their statistics.
- :func:`private_columns` names columns that never reach a report (IP, nickname, user id).
- :func:`safe_filename` turns a community name into a file name that stays inside the output
  folder; :func:`neutralise_formula` stops spreadsheet formula injection.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "mask_pii",
    "neutralise_formula",
    "private_columns",
    "safe_filename",
    "suppress_small",
    "valid_id_number",
]

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_RE = re.compile(
    r"(?<![0-9A-Za-z])([1-9]\d{5}(?:18|19|20)\d{2}\d{4}\d{3}[0-9Xx])(?![0-9A-Za-z])"
)
_MOBILE_RE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)")
_LANDLINE_RE = re.compile(r"(?<!\d)(0\d{2,3})-(\d{3,4})(\d{4})(?!\d)")
_PRIVATE_RE = re.compile(
    r"(来自\s*IP|^IP$|IP地址|ip_?address|昵称|nickname|用户\s*ID|user_?id|openid|微信号|"
    r"手机号|电话|phone|身份证|id_?card|姓名|^name$)",
    re.IGNORECASE,
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_UNSAFE_FILENAME = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_WINDOWS_RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{i}" for i in range(1, 10)),
    *(f"LPT{i}" for i in range(1, 10)),
}


def valid_id_number(number: str) -> bool:
    """Whether an 18-character resident ID number has a valid check digit (GB 11643-1999).

    Examples
    --------
    >>> valid_id_number("11010519491231002X")
    True
    >>> valid_id_number("110105194912310021")
    False
    """
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == number[17].upper()


def mask_pii(text: str) -> str:
    """Mask phone numbers and valid 18-character ID numbers in free text.

    Mobile numbers keep their first three and last four digits (``139****5678``); landline
    numbers keep the area code and last four digits; ID numbers keep the six-digit region
    code only (``110105************``).

    Examples
    --------
    >>> mask_pii("有问题打我电话13912345678")
    '有问题打我电话139****5678'
    """
    if not isinstance(text, str) or not text:
        return text

    def _id(match: re.Match[str]) -> str:
        num = match.group(1)
        return num[:6] + "*" * 12 if valid_id_number(num) else num

    text = _ID_RE.sub(_id, text)
    text = _MOBILE_RE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
    return _LANDLINE_RE.sub(lambda m: f"{m.group(1)}-****{m.group(3)}", text)


def private_columns(columns: Iterable[Any]) -> list[str]:
    """Columns whose names mark personal data (IP, nickname, user id, phone, ID, name)."""
    return [str(c) for c in columns if _PRIVATE_RE.search(str(c))]


def suppress_small(
    frame: pd.DataFrame,
    *,
    min_cell: int = 5,
    n_column: str = "n",
    keep: Sequence[str] = ("dimension", "group", "n"),
) -> pd.DataFrame:
    """Blank the statistics of rows whose ``n`` is below ``min_cell``.

    Parameters
    ----------
    frame
        A frame of group statistics with a count column.
    min_cell
        Smallest group shown.
    n_column
        The count column.
    keep
        Columns left as they are in suppressed rows (identifiers).

    Returns
    -------
    DataFrame
        A copy with a boolean ``suppressed`` column; in suppressed rows every numeric column
        except ``keep`` is NaN.
    """
    import numpy as np

    out = frame.copy()
    small = out[n_column].fillna(0).to_numpy() < min_cell
    out["suppressed"] = small
    if small.any():
        numeric = [c for c in out.select_dtypes("number").columns if c not in keep]
        out.loc[small, numeric] = np.nan
    return out


def neutralise_formula(value: Any) -> Any:
    """Prefix a text cell that a spreadsheet would run as a formula with an apostrophe.

    Numbers are returned unchanged; only strings starting with ``= + - @`` (or a tab or
    carriage return) are changed.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def safe_filename(name: str, *, max_length: int = 80) -> str:
    """A file name made from ``name`` that cannot leave its folder.

    Path separators, control characters, characters Windows forbids and leading dots are
    removed; Chinese is kept. A name that had to change gets a short hash of the original
    appended, so two names never collide after cleaning; an empty result or a reserved
    device name becomes ``group-<hash>``.

    Examples
    --------
    >>> safe_filename("桂花社区")
    '桂花社区'
    >>> safe_filename("../../桂花社区")
    '桂花社区-c03473e8'
    """
    text = unicodedata.normalize("NFC", str(name))
    text = _UNSAFE_FILENAME.sub("_", text)
    text = re.sub(r"\.{2,}", "_", text).strip().strip(".").strip()
    text = re.sub(r"_+", "_", text).strip("_")
    text = text[:max_length].rstrip(". ")
    digest = hashlib.sha256(str(name).encode("utf-8")).hexdigest()[:8]
    if not text or text.upper() in _WINDOWS_RESERVED:
        return f"group-{digest}"
    if text != str(name):
        return f"{text}-{digest}"
    return text
