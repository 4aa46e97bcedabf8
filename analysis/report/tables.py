"""Writing result tables: CSV (UTF-8 with BOM, so Excel shows Chinese) and Parquet."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.report.privacy import neutralise_formula

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["neutralise_frame", "write_tables"]


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells cannot run as spreadsheet formulas."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or str(out[col].dtype) in ("string", "str"):
            out[col] = out[col].map(neutralise_formula, na_action="ignore")
    return out


def _parquet_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """Mixed-type object columns (quarantined values) are stored as text in Parquet."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].map(lambda v: v if v is None else str(v))
    return out


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
            neutralise_frame(frame).to_csv(
                path, index=False, encoding="utf-8-sig", lineterminator="\n"
            )
            written.append(str(path))
        if "parquet" in formats:
            path = folder / f"{name}.parquet"
            _parquet_ready(frame).to_parquet(path, index=False)
            written.append(str(path))
    return written
