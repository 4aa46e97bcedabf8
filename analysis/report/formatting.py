"""Tidy frames and values as display text and readable HTML tables.

Every frame the toolkit returns is tidy, long and full-precision, with ASCII column names and
dimension ids (``reform`` …). That is right for code and wrong for reading. This module turns
a frame into a table for people: dimension ids become their labels (服务改革 …), known
column names get Chinese (or English) headers (from :mod:`analysis.core.words`), numbers
are rounded **for display only**, long texts are shortened and every HTML cell is escaped.
The frame itself is never changed.

Public names: :func:`frame_to_html`, :func:`frame_to_table`.
"""

from __future__ import annotations

import html
import math
import numbers
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from analysis.core.dimensions import SERVICE_FIVE, Framework
from analysis.core.errors import ConfigError, InputError, check_option
from analysis.core.words import (
    _VALUE_LABELS_ZH,
    COLUMN_LABELS,
    Lang,
    value_label,
)

if TYPE_CHECKING:
    from analysis.report.document import Table

__all__ = ["column_label", "frame_to_html", "frame_to_table"]

# columns whose values are counts: whole floats show without decimals
_COUNT_COLUMNS = frozenset(
    {
        "n",
        "k",
        "n_groups",
        "n_dropped",
        "n_groups_excluded",
        "bytes",
        "n_items",
        "n_hits",
        "n_negated",
        "n_tokens",
        "n_terms",
        "n_docs",
        "n_rows",
        "n_cols",
        "n_target",
        "n_reference",
        "total_target",
        "total_reference",
        "freq",
        "n_a",
        "n_b",
        "n_sentences",
        "n_with_seed",
        "observed",
        "support",
        "folds",
        "fold",
        "rank",
        "row",
        "year",
        "start",
        "end",
        "sentence_id",
        "df",
        "df1",
        "df2",
        "bartlett_df",
        "duration_s",
        "n_eff",
    }
)

# columns whose values are codes of the vocabulary (methods, reasons, rules …)
_CODED_COLUMNS = frozenset({"effect_type", "method", "p_adjust", "problem", *_VALUE_LABELS_ZH})

_NOWRAP_CHARS = 16  # shorter texts stay on one line
_BOOL_TEXT = {"zh": ("是", "否"), "en": ("yes", "no")}
_MISSING_TEXT = "—"


# ====================================================================== cells


def column_label(name: Any, lang: Lang = "zh", *, framework: Framework | None = None) -> str:
    """The header shown for a column.

    Parameters
    ----------
    name
        Column name as in the frame (``"p_adj"``, ``"reform"`` …).
    lang
        ``"zh"`` or ``"en"``.
    framework
        Dimensions whose ids, used as column names in wide frames, become their labels
        (default :data:`~analysis.core.dimensions.SERVICE_FIVE`).

    Returns
    -------
    str
        The Chinese or English header of a known column, a dimension's label, or the name
        itself.

    Examples
    --------
    >>> column_label("p_adj")
    '校正 p 值'
    >>> column_label("reform", "en")
    'Service reform'
    """
    check_option("lang", lang, ("zh", "en"), owner="column_label")
    fw = SERVICE_FIVE if framework is None else framework
    key = str(name)
    if key in COLUMN_LABELS:
        return COLUMN_LABELS[key][0 if lang == "zh" else 1]
    if key in fw.ids:
        return fw.label(key, lang)
    prefix, _, rest = key.partition("_")
    side = 0 if lang == "zh" else 1
    sep = "：" if lang == "zh" else ": "
    if prefix == "weighted" and rest in fw.ids:  # per-dimension columns of predictions
        return f"{COLUMN_LABELS['weighted_hits'][side]}{sep}{fw.label(rest, lang)}"
    if prefix == "p" and (rest in fw.ids or rest == "none"):  # classifier probabilities
        what = fw.label(rest, lang) if rest in fw.ids else COLUMN_LABELS["none"][side]
        return f"{COLUMN_LABELS['probability'][side]}{sep}{what}"
    return key


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, (float, np.floating)):
        return bool(np.isnan(value))
    return isinstance(value, np.datetime64) and bool(np.isnat(value))


def _is_number(value: Any) -> bool:
    """A real number to right-align (not a boolean, not missing)."""
    return (
        isinstance(value, numbers.Real)
        and not isinstance(value, (bool, np.bool_))
        and not _is_missing(value)
    )


def _format_float(value: float, name: str, digits: int) -> str:
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    if name in _COUNT_COLUMNS and float(value).is_integer():
        return str(int(value))
    if name in ("p", "p_value", "p_adj") or name.endswith("_p"):
        digits = max(digits, 2)  # a p value is never shown as "< 1" or "0"
        smallest = 10.0**-digits
        if 0 <= value < smallest:
            return f"< {smallest:.{digits}f}"
    text = f"{value:.{digits}f}"
    if text.startswith("-"):
        # a value that rounds to zero shows as 0.000, not −0.000
        text = text[1:] if float(text) == 0 else "−" + text[1:]
    return text


def _format_cell(
    value: Any,
    name: str,
    *,
    lang: Lang,
    digits: int,
    labels: Mapping[str, str] | None,
    max_chars: int,
) -> str:
    """One cell as display text (not escaped)."""
    if _is_missing(value):
        return _MISSING_TEXT
    if isinstance(value, (bool, np.bool_)):
        yes, no = _BOOL_TEXT[lang]
        return yes if value else no
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return _format_float(float(value), name, digits)
    text = str(value)
    if labels is not None and text in labels:
        text = labels[text]
    elif name in _CODED_COLUMNS:
        text = value_label(name, text, lang)
    if max_chars and len(text) > max_chars:
        text = text[: max_chars - 1] + "…"
    return text


# ====================================================================== tables


def _check_options(lang: str, digits: Any, max_rows: Any, owner: str) -> None:
    check_option("lang", lang, ("zh", "en"), owner=owner)
    for name, value, low in (("digits", digits, 0), ("max_rows", max_rows, 1)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
            raise ConfigError(
                f"The {name!r} parameter of {owner} must be an integer >= {low}. "
                f"Got {value!r} instead."
            )


def _columns_of(frame: pd.DataFrame) -> list[tuple[str, pd.Series]]:
    """(name, values) pairs: index levels first when the index carries meaning.

    An unnamed integer index (a row number left over from sorting or filtering) does not.
    """
    out: list[tuple[str, pd.Series]] = []
    index = frame.index
    named = any(name is not None for name in index.names)
    if named or not pd.api.types.is_integer_dtype(index.dtype):
        for level in range(index.nlevels):
            name = index.names[level]
            values = index.get_level_values(level)
            out.append(("" if name is None else str(name), pd.Series(values, dtype=values.dtype)))
    for position, name in enumerate(frame.columns):
        label = " / ".join(map(str, name)) if isinstance(name, tuple) else str(name)
        out.append((label, frame.iloc[:, position].reset_index(drop=True)))
    return out


def _display_cells(
    frame: pd.DataFrame,
    *,
    framework: Framework | None,
    lang: Lang,
    digits: int,
    max_chars: int,
    headers: Mapping[str, str] | None,
) -> tuple[list[str], list[str], list[list[tuple[str, bool, str | None]]]]:
    """Column names, display headers and rows of cells, unescaped.

    A cell is (display text, is a number, full-precision text of a rounded number or None).
    """
    fw = SERVICE_FIVE if framework is None else framework
    ids = frozenset(fw.ids)
    dim_labels = {"none": column_label("none", lang)} if "none" not in ids else {}
    dim_labels.update({d.id: d.label(lang) for d in fw.dimensions})
    columns = _columns_of(frame)
    overrides = dict(headers or {})
    names = [name for name, _ in columns]
    header_texts = [
        overrides.get(name) or (column_label(name, lang, framework=fw) if name else "")
        for name in names
    ]
    labels = [
        dim_labels if _is_dimension_column(name, values, ids) else None for name, values in columns
    ]
    # values.array[i] is the scalar values.iloc[i] gives, without the indexer's overhead
    arrays = [values.array for _, values in columns]
    rows = []
    for i in range(len(frame)):
        row = []
        for (name, _), array, cell_labels in zip(columns, arrays, labels, strict=True):
            value = array[i]
            text = _format_cell(
                value, name, lang=lang, digits=digits, labels=cell_labels, max_chars=max_chars
            )
            numeric = _is_number(value)
            full = (
                repr(float(value)) if numeric and not isinstance(value, numbers.Integral) else None
            )
            row.append((text, numeric, full if full != text else None))
        rows.append(row)
    return names, header_texts, rows


def _td(text: str, numeric: bool, full: str | None) -> str:
    """One table cell: numbers right-aligned with their full precision on hover."""
    if numeric:
        title = f' title="{html.escape(full)}"' if full else ""
        return f'<td style="text-align: right; white-space: nowrap"{title}>{html.escape(text)}</td>'
    style = "min-width: 16em" if len(text) > _NOWRAP_CHARS else "white-space: nowrap"
    return f'<td style="{style}">{html.escape(text)}</td>'


def frame_to_html(
    frame: pd.DataFrame | pd.Series,
    *,
    framework: Framework | None = None,
    lang: Lang = "zh",
    digits: int = 3,
    caption: str | None = None,
    max_rows: int = 60,
    max_chars: int = 120,
    headers: Mapping[str, str] | None = None,
) -> str:
    """Render a tidy frame as a readable HTML table.

    Parameters
    ----------
    frame
        Any frame (a Series is shown as one column). It is not changed.
    framework
        Dimensions whose ids are shown as labels (default
        :data:`~analysis.core.dimensions.SERVICE_FIVE`).
    lang
        ``"zh"``: Chinese headers, dimension labels, method and reason names; ``"en"``:
        English headers and dimension labels.
    digits
        Decimals shown for non-integer numbers. Display only: each rounded number keeps
        its full precision in the cell's ``title`` (shown on hover); p values below
        ``10**-digits`` show as ``< 0.001`` (p values keep at least two decimals); whole
        counts show without decimals.
    caption
        Title shown above the table.
    max_rows
        Rows shown; a note says how many were left out.
    max_chars
        Longer texts are cut to this many characters (``0`` keeps them whole).
    headers
        Headers for particular columns, overriding the built-in ones
        (``{"term": "模型项"}``).

    Returns
    -------
    str
        An HTML ``<table>`` (in a ``<div>``). Each header carries the original column name
        as its ``title`` (shown on hover), so readers can find it in code. Every cell,
        header and the caption are escaped.

    Raises
    ------
    InputError
        ``frame`` is not a DataFrame or Series.
    ConfigError
        ``lang``, ``digits`` or ``max_rows`` is invalid.

    Notes
    -----
    A column holds dimension ids when it is named ``dimension``, ``predicted``, ``label``
    or ``*_dimension``, or when all its values are ids of the framework; wide frames with
    dimension ids as column names or index get labelled headers. Missing values show as
    ``—``, booleans as 是/否 (yes/no), infinities as ∞.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"dimension": ["reform"], "p_adj": [0.0001234]})
    >>> html_text = frame_to_html(frame)
    >>> "服务改革" in html_text and "校正 p 值" in html_text and "&lt; 0.001" in html_text
    True
    """
    if isinstance(frame, pd.Series):
        frame = frame.to_frame()
    if not isinstance(frame, pd.DataFrame):
        raise InputError(
            f"frame_to_html: expected a pandas DataFrame or Series; got {type(frame).__name__}"
        )
    _check_options(lang, digits, max_rows, "frame_to_html")
    names, header_texts, rows = _display_cells(
        frame.iloc[:max_rows],
        framework=framework,
        lang=lang,
        digits=digits,
        max_chars=max_chars,
        headers=headers,
    )
    head = [
        f'<th title="{html.escape(name)}" style="white-space: nowrap">{html.escape(header)}</th>'
        for name, header in zip(names, header_texts, strict=True)
    ]
    body = []
    for row in rows:
        cells = [_td(text, numeric, full) for text, numeric, full in row]
        body.append("<tr>" + "".join(cells) + "</tr>")

    parts = ['<div class="analysis-table">', '<table class="dataframe">']
    if caption:
        parts.append(f'<caption style="caption-side: top">{html.escape(caption)}</caption>')
    parts.append("<thead><tr>" + "".join(head) + "</tr></thead>")
    parts.append("<tbody>" + "".join(body) + "</tbody>")
    parts.append("</table>")
    if len(frame) > max_rows:
        note = (
            f"共 {len(frame)} 行，显示前 {max_rows} 行。"
            if lang == "zh"
            else f"Showing the first {max_rows} of {len(frame)} rows."
        )
        parts.append(f"<p><small>{html.escape(note)}</small></p>")
    elif len(frame) == 0:
        note = "（空表）" if lang == "zh" else "(no rows)"
        parts.append(f"<p><small>{html.escape(note)}</small></p>")
    parts.append("</div>")
    return "\n".join(parts)


def frame_to_table(
    frame: pd.DataFrame | pd.Series,
    *,
    title: str,
    note: str = "",
    framework: Framework | None = None,
    lang: Lang = "zh",
    digits: int = 2,
    headers: Mapping[str, str] | None = None,
) -> Table:
    """A frame as a report table, labelled and rounded as in :func:`frame_to_html`.

    Parameters
    ----------
    frame
        Any frame (a Series is one column); every row is kept. It is not changed.
    title, note
        Shown above and below the table in the report.
    framework, lang, digits, headers
        As in :func:`frame_to_html` (``digits`` defaults to 2, as in reports).

    Returns
    -------
    analysis.report.document.Table
        ``columns`` are the display headers and ``rows`` the display texts (unescaped:
        each renderer escapes for its format). Put it in a
        :class:`~analysis.report.document.Section` of a
        :class:`~analysis.report.document.ReportDocument` and write it with
        :func:`analysis.report.render.write_html` or ``write_docx``.

    Raises
    ------
    InputError
        ``frame`` is not a DataFrame or Series.
    ConfigError
        ``lang`` or ``digits`` is invalid.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"dimension": ["members"], "mean": [3.7]})
    >>> table = frame_to_table(frame, title="均值")
    >>> table.columns, table.rows
    (('维度', '均值'), (('服务党员', '3.70'),))
    """
    from analysis.report.document import Table

    if isinstance(frame, pd.Series):
        frame = frame.to_frame()
    if not isinstance(frame, pd.DataFrame):
        raise InputError(
            f"frame_to_table: expected a pandas DataFrame or Series; got {type(frame).__name__}"
        )
    _check_options(lang, digits, 1, "frame_to_table")
    _, header_texts, rows = _display_cells(
        frame, framework=framework, lang=lang, digits=digits, max_chars=0, headers=headers
    )
    return Table(
        title=title,
        columns=tuple(header_texts),
        rows=tuple(tuple(cell[0] for cell in row) for row in rows),
        note=note,
    )


def _is_dimension_column(name: str, values: pd.Series, ids: frozenset[str]) -> bool:
    """Whether a column's values are dimension ids (by its name, or by all its values)."""
    if name in ("predicted", "label") or name.startswith("dimension") or name.endswith("dimension"):
        return True
    if values.empty or not (
        pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)
    ):
        return False
    present = {str(v) for v in values.dropna().unique()}
    return bool(present) and present <= ids
