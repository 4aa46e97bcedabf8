"""Read the raw grid of one sheet of an Excel workbook: .xlsx/.xlsm with openpyxl, .xls with xlrd.

The container is told by its first bytes, not the suffix; password-protected, damaged and
mis-named workbooks are refused with a message that says what to do. :func:`_cell_text`
turns one cell into the text every survey and document reader works with.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.core.errors import InputError

log = logging.getLogger("analysis")


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if np.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, pd.Timestamp):
        return value.isoformat(sep=" ")
    if value is pd.NaT or value is pd.NA:
        return ""
    return str(value).strip()


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # compound document: .xls (BIFF8)
# an OLE container holding this stream is a password-protected .xlsx (or .docx)
_ENCRYPTED_OOXML = "EncryptedPackage".encode("utf-16-le")


def _read_excel_bytes(path: Path, data: bytes, sheet: str | int) -> tuple[pd.DataFrame, Any]:
    """The raw grid of one sheet of an .xlsx/.xlsm/.xls workbook, and the sheet's name.

    The container is told by its first bytes, not the suffix: an .xls that is really an
    .xlsx (zip) is read with openpyxl, an .xlsx that is really an .xls (compound
    document) with xlrd; text saved under an Excel name is refused with a clear message.
    """
    name = path.name
    suffix = path.suffix.lower()
    if data.startswith(_OLE_MAGIC):
        if _ENCRYPTED_OOXML in data:
            raise InputError(
                f"{name}: the workbook is password-protected; open it in Excel, remove the "
                "password and save it as .xlsx",
                file=path,
            )
        return _read_xls_bytes(path, data, sheet)
    if suffix == ".xls" and not data.startswith(b"PK"):
        if _looks_text(data):
            raise InputError(
                f"{name}: the file is a text (CSV or HTML) file, not an .xls "
                "workbook; open it in Excel and save it as .xlsx",
                file=path,
            )
        raise InputError(
            f"{name}: the file is not an Excel workbook (it starts like neither an .xls nor "
            "an .xlsx file); download the export again, or open it in Excel and save it as "
            ".xlsx",
            file=path,
        )
    if not data.startswith(b"PK"):
        kind = "a text (CSV) file" if _looks_text(data) else "not an Excel workbook"
        raise InputError(
            f"{name}: the file is {kind}, not an .xlsx workbook; save it from Excel as "
            ".xlsx, or rename it to .csv if it is a CSV export",
            file=path,
        )
    try:
        import io

        book = pd.ExcelFile(io.BytesIO(data), engine="openpyxl")
    except Exception as exc:
        raise InputError(f"{name}: cannot open the workbook: {_one_line(exc)}", file=path) from None
    sheet_name = _pick_sheet(book.sheet_names, sheet, path)
    # na_filter=False: "NA", "None", "N/A" (问卷星's 来源详情) stay text, as in a CSV
    grid = pd.read_excel(
        book,
        sheet_name=sheet_name,
        header=None,
        dtype=object,
        keep_default_na=False,
        na_filter=False,
    )
    formulas = _unsaved_formulas(data, sheet_name, grid)
    if formulas:
        grid.attrs["formula_cells"] = formulas
    return grid, sheet_name


def _has_formula(sheet_xml: bytes) -> bool:
    return b"<f>" in sheet_xml or b"<f " in sheet_xml


def _unsaved_formulas(data: bytes, sheet_name: str, grid: pd.DataFrame) -> dict:
    """``{(row, column): formula}`` of the grid's formula cells that have no saved value.

    A workbook written by a program (not saved by Excel) can hold formulas whose values were
    never computed: read for their value they look like unanswered cells. Only workbooks
    with a formula at all are read a second time, for the formulas.
    """
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
            if not any(_has_formula(z.read(n)) for n in sheets):
                return {}
        from openpyxl import load_workbook

        ws = load_workbook(io.BytesIO(data), read_only=True, data_only=False)[sheet_name]
        rows = ws.iter_rows(values_only=True)
        found = {}
        for r, row in enumerate(rows):
            if r >= grid.shape[0]:
                break
            for j, v in enumerate(row[: grid.shape[1]]):
                text = getattr(v, "text", v)  # an array formula is an object with .text
                if (
                    isinstance(text, str)
                    and text.startswith("=")
                    and _cell_text(grid.iat[r, j]) == ""
                ):
                    found[(r, j)] = text
        return found
    except Exception as exc:  # the values were read; a failed second look must not lose them
        log.warning("%s: could not check for formulas without saved values: %s", sheet_name, exc)
        return {}


def _pick_sheet(names: Sequence[str], sheet: str | int, path: Path) -> str:
    """The name of the sheet asked for by name or 0-based index, or a clear error."""
    if isinstance(sheet, int):
        if not 0 <= sheet < len(names):
            raise InputError(
                f"{path.name}: sheet index {sheet} does not exist; sheets are "
                f"{', '.join(map(repr, names))}",
                file=path,
            )
        return names[sheet]
    if sheet not in names:
        raise InputError(
            f"{path.name}: no sheet {sheet!r}; sheets are {', '.join(map(repr, names))}",
            file=path,
        )
    return sheet


def _one_line(exc: BaseException) -> str:
    """An exception's message on one line (its type name when it has none)."""
    return " ".join(str(exc).split()) or type(exc).__name__


def _read_xls_bytes(path: Path, data: bytes, sheet: str | int) -> tuple[pd.DataFrame, str]:
    """The raw grid of one sheet of a legacy Excel 97-2003 workbook (BIFF, read by xlrd).

    xlrd is called directly rather than through pandas, whose xlrd engine is deprecated
    from pandas 3.1. Cells come out as the openpyxl path gives them: text as is, whole
    numbers as int, dates as ``datetime`` (``time`` for a time of day alone), booleans as
    bool, empty and error cells as ``""``; trailing empty rows are left out.
    """
    import io

    name = path.name
    try:
        import xlrd
    except ImportError as exc:
        raise InputError(
            f"{name}: reading .xls needs the xlrd package, which cannot be imported ({exc}); "
            'install it with pip install "xlrd>=2.0.1", or open the workbook in Excel and '
            "save it as .xlsx",
            file=path,
        ) from None
    xlrd_log = io.StringIO()  # xlrd writes its warnings to a file object (stdout by default)
    damaged = (
        f"{name}: cannot read the .xls workbook, it is damaged or incomplete "
        "({detail}); download the export again, or open it in Excel and save it as .xlsx"
    )
    try:
        book = xlrd.open_workbook(file_contents=data, logfile=xlrd_log, on_demand=True)
    except Exception as exc:  # XLRDError, and struct/index/compdoc errors on truncated files
        if "encrypted" in str(exc).lower():
            raise InputError(
                f"{name}: the workbook is password-protected; open it in Excel, remove the "
                "password and save it as .xlsx",
                file=path,
            ) from None
        raise InputError(damaged.format(detail=_one_line(exc)), file=path) from None
    try:
        sheet_name = _pick_sheet(book.sheet_names(), sheet, path)
        try:
            ws = book.sheet_by_name(sheet_name)
            rows = [_xls_row(ws, i, book.datemode, xlrd) for i in range(ws.nrows)]
        except Exception as exc:
            detail = f"sheet {sheet_name!r}: {_one_line(exc)}"
            raise InputError(damaged.format(detail=detail), file=path) from None
    finally:
        book.release_resources()
    for line in xlrd_log.getvalue().splitlines():
        if line.strip():
            log.debug("%s: xlrd: %s", name, line.strip())
    while rows and all(v == "" for v in rows[-1]):
        rows.pop()
    return pd.DataFrame(rows, dtype=object), sheet_name


def _xls_row(ws: Any, i: int, datemode: int, xlrd: Any) -> list[Any]:
    """Row ``i`` of an xlrd sheet as Python values (see :func:`_read_xls_bytes`)."""
    out: list[Any] = []
    for value, kind in zip(ws.row_values(i), ws.row_types(i), strict=True):
        if kind == xlrd.XL_CELL_NUMBER:
            if np.isfinite(value) and float(value).is_integer():
                value = int(value)
        elif kind == xlrd.XL_CELL_DATE:
            try:
                when = xlrd.xldate.xldate_as_datetime(value, datemode)
            except (ValueError, OverflowError, xlrd.xldate.XLDateError):
                pass  # a number formatted as a date but out of range: keep the number
            else:
                value = when.time() if 0 <= value < 1 else when
        elif kind == xlrd.XL_CELL_BOOLEAN:
            value = bool(value)
        elif kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
            value = ""
        out.append(value)
    return out


def _looks_text(data: bytes) -> bool:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 text: a BOM, then NULs
        return True
    head = data[:4096]
    return b"\x00" not in head
