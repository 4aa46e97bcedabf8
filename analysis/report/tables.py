"""Writing result tables: CSV (UTF-8 with BOM, so Excel shows Chinese) and Parquet."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.report.csv_text import csv_chunks
from analysis.report.privacy import _FORMULA_START, neutralise_formula

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["neutralise_frame", "write_csv", "write_tables"]


def _is_text(column: pd.Series) -> bool:
    return column.dtype == object or str(column.dtype) in ("string", "str")


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with text cells that could run as spreadsheet formulas neutralised.

    Each distinct text is looked at once, and a column (or the frame) is copied only when
    one of its cells changes: tables of a city-scale run hold millions of text cells and
    almost none to change.
    """
    out = frame
    for col in frame.columns:
        column = frame[col]
        if not _is_text(column):
            continue
        if column.dtype != object and not column.str.startswith(_FORMULA_START).any():
            continue  # a string column looked at in one vectorised pass: nothing to change
        repl = {
            v: neutralise_formula(v)
            for v in column.dropna().unique()
            if isinstance(v, str) and v.startswith(_FORMULA_START)
        }
        if not repl:
            continue
        if out is frame:
            out = frame.copy()
        out[col] = column.map(lambda v, r=repl: r.get(v, v) if isinstance(v, str) else v)
    return out


def _parquet_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """Mixed-type object columns (quarantined values) are stored as text in Parquet."""
    import pandas as pd

    out = frame
    for col in frame.columns:
        column = frame[col]
        if column.dtype != object:
            continue
        missing = column.isna().to_numpy()
        if pd.api.types.infer_dtype(column[~missing], skipna=False) in ("string", "empty") and all(
            v is None for v in column[missing]
        ):
            continue  # text and None only: what the conversion below would give
        if out is frame:
            out = frame.copy()
        out[col] = column.map(lambda v: v if v is None else str(v))
    return out


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` as UTF-8 CSV with a byte-order mark, formula-like cells neutralised.

    The bytes are those of ``to_csv(path, index=False, encoding="utf-8-sig",
    lineterminator="\n")``; large tables are built from each column's distinct values
    (:func:`analysis.report.csv_text.csv_chunks`), the rest written by pandas.
    """
    safe = neutralise_frame(frame)
    chunks = csv_chunks(safe)
    # the byte-order mark written by hand: with encoding="utf-8-sig" every line goes
    # through Python's codec, with "utf-8" through the C one (same bytes)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write("\ufeff")
        if chunks is None:
            safe.to_csv(handle, index=False, lineterminator="\n")
        else:
            handle.writelines(chunks)


def write_tables(
    tables: Mapping[str, pd.DataFrame],
    folder: Path,
    *,
    formats: tuple[str, ...] = ("csv", "parquet"),
) -> list[str]:
    """Write every table as ``<name>.csv`` and ``<name>.parquet`` into ``folder``.

    Returns
    -------
    list of str
        The paths written.
    """
    folder.mkdir(parents=True, exist_ok=True)
    written: list[str] = []
    for name, frame in sorted(tables.items()):
        if frame is None:
            continue
        if "csv" in formats:
            path = folder / f"{name}.csv"
            write_csv(frame, path)
            written.append(str(path))
        if "parquet" in formats:
            path = folder / f"{name}.parquet"
            _parquet_ready(frame).to_parquet(path, index=False)
            written.append(str(path))
    return written
