"""Privacy and output safety: what may leave the toolkit in a report or exported table.

- :func:`mask_pii` masks mainland mobile and landline numbers, resident ID numbers (18
  characters with a valid GB 11643 check digit, or 15 digits with a plausible birth date,
  so ordinary long numbers such as statistics are left alone) and e-mail addresses, in
  half- or full-width characters.
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
    "mask_frame",
    "mask_pii",
    "masking_sentence",
    "neutralise_formula",
    "private_columns",
    "safe_filename",
    "suppress_small",
    "valid_id_number",
]

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# matching runs on a copy with full-width ASCII (１３６…, ＋, －, （）, ＠) and unusual spaces
# folded to plain ASCII, character for character, so positions in the copy are positions in
# the text and only the digits that must go are starred
_FOLD = {
    **{cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)},
    0x3000: 0x20,  # ideographic space
    0x00A0: 0x20,  # no-break space
    0x202F: 0x20,  # narrow no-break space
    0x2010: 0x2D,  # hyphen
    0x2011: 0x2D,  # non-breaking hyphen
    0x2012: 0x2D,  # figure dash
    0x2013: 0x2D,  # en dash
    0x2014: 0x2D,  # em dash
    0x2212: 0x2D,  # minus sign
}
_SEP = r"[ .\-]"
_ID_RE = re.compile(
    r"(?<![0-9A-Za-z])([1-9]\d{5}(?:18|19|20)\d{2}\d{4}\d{3}[0-9Xx])(?![0-9A-Za-z])"
)
# first-generation (1984-1999) ID numbers: 15 digits, no check digit; the birth date
# (YYMMDD) must be a plausible date
_ID15_RE = re.compile(
    r"(?<![0-9A-Za-z])([1-9]\d{5}\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3})"
    r"(?![0-9A-Za-z])"
)
_MOBILE_RE = re.compile(
    rf"(?<![\d+])(?:(?:\+|00)86 ?-? ?)?(1[3-9]\d){_SEP}?(\d{{4}}){_SEP}?(\d{{4}})(?!\d)"
)
_LANDLINE_RE = re.compile(
    rf"(?<![\d+])(?:\((0\d{{2,3}})\) ?|(0\d{{2,3}}){_SEP})(\d{{3,4}}){_SEP}?(\d{{4}})(?!\d)"
)
_EMAIL_RE = re.compile(
    r"(?<![A-Za-z0-9._%+-])([A-Za-z0-9._%+-]+)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})"
    r"(?![A-Za-z0-9-])"
)
# what every pattern above needs: ten digits with at most two other characters between
# neighbours (phone numbers have 10 or 11 digits, ID numbers 15 or 18), or an at sign.
# Folding maps digits to digits and other characters to others, so looking at the text
# itself finds the same; a text without either is left as it is, unfolded and unscanned
_CANDIDATE_RE = re.compile(r"\d(?:\D{0,2}\d){9}|[@＠]")
_PRIVATE_RE = re.compile(
    r"(来自\s*IP|^IP$|IP地址|ip_?address|昵称|nickname|用户\s*ID|user_?id|openid|微信号|"
    r"手机号|电话|phone|身份证|id_?card|姓名|^name$)",
    re.IGNORECASE,
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_UNSAFE_FILENAME = re.compile(r'[\x00-\x1f\x7f-\x9f<>:"/\\|?*]')  # C0 and C1 controls
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
    """Mask phone numbers, ID numbers and e-mail addresses in free text.

    Found in full-width digits too, with or without a ``+86``/``0086`` prefix, and with
    spaces, dots or hyphens between the groups. Only digits are starred, so the text keeps
    its length and layout:

    - mobile numbers keep their first three and last four digits (``139****5678``);
    - landline numbers keep the area code and the last four digits (``010-****1234``);
    - 18-character ID numbers with a valid GB 11643 check digit, and 15-digit
      first-generation ID numbers with a plausible birth date, keep the six-digit region
      code only (``110105************``);
    - e-mail addresses keep the first character of the name and the domain (``z***@qq.com``).

    Long numbers that are none of these (statistics, an 18-digit number with a wrong check
    digit) are left alone.

    Examples
    --------
    >>> mask_pii("有问题打我电话13912345678")
    '有问题打我电话139****5678'
    >>> mask_pii("座机（０７５５）１２３４５６７８，邮箱 zhang.san@example.cn")
    '座机（０７５５）＊＊＊＊５６７８，邮箱 z****.***@example.cn'
    """
    if not isinstance(text, str) or not _CANDIDATE_RE.search(text):
        return text
    folded = text.translate(_FOLD)
    starred: set[int] = set()

    def star(start: int, end: int) -> None:
        starred.update(i for i in range(start, end) if folded[i] not in " .-()")

    for match in _ID_RE.finditer(folded):
        if valid_id_number(match.group(1)):
            star(match.start(1) + 6, match.end(1))
    for match in _ID15_RE.finditer(folded):
        star(match.start(1) + 6, match.end(1))
    for match in _MOBILE_RE.finditer(folded):
        if not starred.intersection(range(match.start(), match.end())):
            star(match.start(2), match.end(2))
    for match in _LANDLINE_RE.finditer(folded):
        if not starred.intersection(range(match.start(), match.end())):
            star(match.start(3), match.end(3))
    for match in _EMAIL_RE.finditer(folded):
        star(match.start(1) + 1, match.end(1))
    if not starred:
        return text
    full_width = {i for i in starred if text[i] != folded[i]}
    return "".join(
        ("＊" if i in full_width else "*") if i in starred else c for i, c in enumerate(text)
    )


def mask_frame(frame: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """``frame`` with :func:`mask_pii` applied to every text cell, and how many cells changed.

    Each distinct text is masked once (a column of a million answers holds a few hundred
    distinct ones). Only ``str`` cells are touched: numbers, booleans and missing values
    keep their type, and a column with nothing to mask is not copied. Categorical columns
    stay categorical; two labels that mask alike become one category.

    Examples
    --------
    >>> import pandas as pd
    >>> masked, n = mask_frame(pd.DataFrame({"value": ["13912345678", 3, None]}))
    >>> masked["value"].tolist(), n
    (['139****5678', 3, None], 1)
    """
    import pandas as pd

    out = frame
    total = 0
    for col in frame.columns:
        column = frame[col]
        categorical = isinstance(column.dtype, pd.CategoricalDtype)
        if not (categorical or column.dtype == object or pd.api.types.is_string_dtype(column)):
            continue
        distinct = column.cat.categories if categorical else column.dropna().unique()
        # keyed by the text itself: a dict tells "1" from 1 and True, pd.factorize does not
        # tolist(): one conversion, not a Python object fetched per value (Arrow strings)
        repl = {v: m for v in distinct.tolist() if isinstance(v, str) and (m := mask_pii(v)) != v}
        if not repl:
            continue
        values = column.astype(object) if categorical else column
        # the keys are texts, and a text equals no other kind of value: isin is exact
        hit = values.isin(list(repl))
        masked = values.map(lambda v, r=repl: r.get(v, v) if isinstance(v, str) else v)
        if categorical:
            masked = masked.astype("category")
        if out is frame:
            out = frame.copy()
        out[col] = masked
        total += int(hit.sum())
    return out, total


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


def safe_filename(name: str, *, max_bytes: int = 120) -> str:
    """A file name made from ``name`` that cannot leave its folder, on any system.

    Path separators, control and invisible formatting characters (bidirectional overrides
    such as U+202E that make ``exe.txt`` read as ``txt.exe``), characters Windows forbids
    and leading dots are removed; Chinese is kept. The name is cut to ``max_bytes`` bytes of
    UTF-8 (file systems count bytes, and a name of 4-byte characters overflows their limit
    long before its characters do), leaving room for a suffix such as ``.docx``. A name
    that had to change gets a short hash of the original appended, so two names never
    collide after cleaning; an empty result or a Windows device name (``CON``, ``AUX.社区``)
    becomes ``group-<hash>``.

    Examples
    --------
    >>> safe_filename("桂花社区")
    '桂花社区'
    >>> safe_filename("../../桂花社区")
    '桂花社区-c03473e8'
    """
    text = unicodedata.normalize("NFC", str(name))
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    text = _UNSAFE_FILENAME.sub("_", text)
    text = re.sub(r"\.{2,}", "_", text)
    text = re.sub(r"_+", "_", text).strip(" ._")  # "_.0" must not become the hidden ".0"
    digest = hashlib.sha256(str(name).encode("utf-8")).hexdigest()[:8]
    if len(text.encode("utf-8")) > max_bytes:
        budget = max_bytes - len(digest) - 1
        text = text.encode("utf-8")[:budget].decode("utf-8", errors="ignore")
    text = text.rstrip(". ")
    if not text or text.split(".")[0].strip().upper() in _WINDOWS_RESERVED:
        return f"group-{digest}"
    if text != str(name):
        return f"{text}-{digest}"
    return text


def masking_sentence(n_values: int, lang: str) -> str:
    """The report's statement of how many written values had personal data masked."""
    if lang == "zh":
        return f"输出中有 {n_values} 处文本含电话号码、身份证号或电子邮箱，均已打码。"
    return (
        f"{n_values} text values in the outputs held a phone number, ID number or e-mail "
        "address; all were masked."
    )
