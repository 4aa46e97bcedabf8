"""Read a survey export as text into a :class:`RawTable`, without a codebook.

Formats: CSV (encoding detected: utf-8-sig, utf-8, gb18030), XLSX/XLS (sheet by name or
index, read by :mod:`analysis.io.excel`), SPSS ``.sav`` and Stata ``.dta`` (value labels
become option texts), or a DataFrame laid out like an export. Every cell is read as text,
so ``"None"``, ``"NA"`` and ``"null"`` stay text and ID and phone numbers keep their
leading zeros; empty files, header-only files, duplicated headers and a second header row
are caught here. Two 问卷星 exports of one survey (按文本 and 按序号) are joined on 序号.
"""

from __future__ import annotations

import hashlib
import mmap
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.core.errors import InputError, location
from analysis.io.arrow_csv import ArrowCsv, head_text, read_csv_arrow
from analysis.io.excel import _cell_text, _read_excel_bytes
from analysis.io.file_bytes import mapped_file, sha256_meanwhile
from analysis.io.platforms import _QNUM, _detect_platform, normalize_header

__all__ = ["RawTable", "join_wjx_exports", "read_raw_table"]

PathArg = str | PathLike[str]


@dataclass(frozen=True)
class RawTable:
    """A survey export read as text: every cell a str ('' when empty), header parsed.

    Columns are pandas ``str``, or ``category`` of str where a CSV read by pyarrow has few
    distinct cells (answer columns): :meth:`factorize` gives either as codes and labels.
    """

    frame: pd.DataFrame
    path: str
    name: str
    format: str
    encoding: str | None
    sheet: str | int | None
    sha256: str
    platform: str
    header_rows: int = 1

    n_blank_rows: int = 0
    duplicate_headers: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    #: other names of columns (SPSS/Stata variable labels -> variable names), normalised
    aliases: Mapping[str, str] = field(default_factory=dict)
    #: formula cells without a saved value: ``{column: {frame index: formula}}``
    unsaved_formulas: Mapping[str, Mapping[int, str]] = field(default_factory=dict)

    @property
    def rows(self) -> np.ndarray:
        """Row numbers in the file (header = row 1) of the frame's rows.

        The frame's index counts data rows from 0 as they stand in the file, blank rows
        included, so the numbers stay right when blank rows were left out.
        """
        return self.frame.index.to_numpy(dtype="int64") + self.header_rows + 1

    def text(self, column: str) -> pd.Series:
        """A column as pandas ``str`` (``astype(str)``; a Categorical one by taking its
        categories in Arrow, without a Python string per row)."""
        col = self.frame[column]
        if not isinstance(col.dtype, pd.CategoricalDtype):
            return col.astype(str)
        import pyarrow as pa

        codes = col.cat.codes.to_numpy()
        labels = pa.array(col.cat.categories.to_numpy(dtype=object), type=pa.large_string())
        cells = labels.take(pa.array(codes, mask=codes < 0))
        return pd.Series(pd.array(cells, dtype="str"), index=col.index, name=col.name)

    def factorize(self, column: str) -> tuple[np.ndarray, np.ndarray]:
        """Codes (one per row, -1 for a missing cell) and the distinct cells of a column.

        A Categorical column (few distinct cells, as the Arrow CSV reader gives them) comes
        as it is, with no pass over its cells; any other through :func:`pandas.factorize`.

        Returns
        -------
        (codes, labels)
            ``codes``: integer array aligned with :attr:`frame`; ``labels``: object array
            of str.
        """
        col = self.frame[column]
        if isinstance(col.dtype, pd.CategoricalDtype):
            return col.cat.codes.to_numpy(), np.asarray(col.cat.categories, dtype=object)
        codes, uniques = pd.factorize(col, use_na_sentinel=True)
        return codes, np.asarray(uniques, dtype=object)


# --------------------------------------------------------------------------- raw reading


def _cells_to_text(col: pd.Series) -> pd.Series:
    """Any column to text cells: '' for empty, 3.0 -> '3', dates as ISO text, trimmed."""
    if isinstance(col.dtype, pd.StringDtype):  # a CSV read as text: trim only
        return col.fillna("").str.strip()
    # factorize holds True == 1 and False == 0: one TRUE cell in a column of answers would
    # turn every 1 into "True". Boolean cells are set apart and shown as Excel shows them.
    is_bool = np.zeros(len(col), dtype=bool)
    if col.dtype == object:
        is_bool = np.fromiter((isinstance(v, bool | np.bool_) for v in col), bool, len(col))
    codes, uniques = pd.factorize(col.where(~is_bool) if is_bool.any() else col)
    texts = np.array([_cell_text(u) for u in uniques] + [""], dtype=object)
    out = texts[codes]
    out[is_bool] = ["TRUE" if v else "FALSE" for v in col[is_bool]]
    return pd.Series(out, index=col.index, dtype="str")


def _frame_from_grid(grid: pd.DataFrame, name: str, sheet: Any = None) -> pd.DataFrame:
    """First row of ``grid`` is the header; check it and return a text frame."""
    if grid.shape[0] == 0 or grid.shape[1] == 0:
        raise InputError(f"{name}: the file is empty; expected a header row and answers", file=name)
    header, duplicates = _clean_header(
        [_cell_text(v) for v in grid.iloc[0].tolist()],
        lambda j: bool(grid.iloc[1:, j].isna().all() or (grid.iloc[1:, j] == "").all()),
        name,
    )
    formulas = grid.attrs.pop("formula_cells", {})
    frame = pd.DataFrame(_text_columns(grid, header))
    # a formula cell with no saved value, by column and body row: the reader quarantines it
    unsaved: dict[str, dict[int, str]] = {}
    for (r, j), formula in formulas.items():
        if r >= 1 and j < len(header):
            unsaved.setdefault(header[j], {})[r - 1] = formula
    return _finish_frame(frame, header, duplicates, unsaved, name, sheet)


def _frame_from_arrow(table: ArrowCsv, name: str) -> pd.DataFrame:
    """The text frame of a CSV read by :func:`~analysis.io.arrow_csv.read_csv_arrow`, with
    the cells :func:`_frame_from_grid` gives from the pandas reader's grid. A column with
    few distinct cells (an answer column) is a Categorical of them, as pyarrow read it:
    no text per row is made, and recoding looks at each distinct cell once."""
    header, duplicates = _clean_header(
        [_cell_text(h) for h in table.header], lambda j: table.columns[j].all_empty, name
    )
    limit = max(4096, table.n_rows // 2)
    data: dict[str, Any] = {}
    blank: np.ndarray | None = None
    scratch = np.empty(table.n_rows, dtype=np.intp)  # row indices, one buffer for all columns
    for h, col in zip(header, table.columns, strict=False):
        small = col.n_labels <= limit
        data[h] = col.categorical(scratch) if small else pd.array(col.text(), dtype="str")
        if blank is None or blank.any():  # wholly blank rows: empty in every column
            blank = _empty(data[h]) if blank is None else blank & _empty(data[h])
    frame = pd.DataFrame(data, index=pd.RangeIndex(table.n_rows))
    return _finish_frame(frame, header, duplicates, {}, name, None, blank=blank)


def _empty(cells: pd.Categorical | pd.api.extensions.ExtensionArray) -> np.ndarray:
    """Per row: the (trimmed) cell is empty; a Categorical's categories looked at once."""
    if isinstance(cells, pd.Categorical):
        return np.append(np.asarray(cells.categories == ""), False)[cells.codes]
    return np.asarray(cells == "", dtype=bool)


def _clean_header(
    header: list[str], body_empty: Callable[[int], bool], name: str
) -> tuple[list[str], dict[str, list[int]]]:
    """Header cells as column names: empty cells at the right edge over empty columns left
    out, other empty cells named ``(column N)``, repeats ``<header> [column N]``."""
    while header and header[-1] == "" and body_empty(len(header) - 1):
        header.pop()
    if not header:
        raise InputError(f"{name}: the file is empty; expected a header row and answers", file=name)
    for j, h in enumerate(header):
        if h == "":
            header[j] = f"(column {j + 1})"
    seen: dict[str, int] = {}
    duplicates: dict[str, list[int]] = {}
    for j, h in enumerate(header):
        key = normalize_header(h)
        if key in seen:
            duplicates.setdefault(key, [seen[key] + 1]).append(j + 1)
            header[j] = f"{h} [column {j + 1}]"
        else:
            seen[key] = j
    return header, duplicates


def _finish_frame(
    frame: pd.DataFrame,
    header: list[str],
    duplicates: Mapping[str, list[int]],
    unsaved: Mapping[str, Mapping[int, str]],
    name: str,
    sheet: Any,
    *,
    blank: np.ndarray | None = None,
) -> pd.DataFrame:
    """Leave out wholly blank rows (row numbers kept in the index; ``blank`` when already
    known), note what the reader found in ``attrs`` and refuse a header-only file or a
    second header row."""
    blank = (frame == "").all(axis=1).to_numpy() if blank is None else blank
    if blank.any():
        frame = frame.loc[~blank]
    frame.attrs["n_blank_rows"] = int(blank.sum())
    frame.attrs["duplicate_headers"] = {k: tuple(v) for k, v in duplicates.items()}
    frame.attrs["unsaved_formulas"] = unsaved
    if len(frame) == 0:
        raise InputError(
            f"{name}: only a header row, no answers (expected at least one row "
            "of answers below the header)",
            file=name,
            row=1,
        )
    _check_second_header(frame, header, name, sheet)
    return frame


#: Columns up to which :func:`_text_columns` frees each raw column as it goes.
_POP_COLUMNS = 256


def _text_columns(grid: pd.DataFrame, header: list[str]) -> dict[str, pd.Series]:
    """The body of ``grid`` (all rows but the first) as text columns named ``header``.

    Columns are taken out of ``grid`` one at a time (``grid`` is emptied), so a large
    export is never held twice in memory. Each pop rebuilds the frame's list of blocks, so
    popping is quadratic in the number of columns: past :data:`_POP_COLUMNS` columns (an
    export with thousands of columns has few rows) they are read in place instead.
    """
    index = pd.RangeIndex(len(grid) - 1)
    labels = list(grid.columns[: len(header)])
    extra = list(grid.columns[len(header) :])
    out: dict[str, pd.Series] = {}
    if len(labels) > _POP_COLUMNS:
        for j, h in enumerate(header):
            out[h] = _cells_to_text(grid.iloc[1:, j].set_axis(index))
        return out
    for label in extra:
        del grid[label]
    for label, h in zip(labels, header, strict=True):
        col = grid.pop(label)
        out[h] = _cells_to_text(col.iloc[1:].set_axis(index))
        del col
    return out


def _check_second_header(frame: pd.DataFrame, header: list[str], name: str, sheet: Any) -> None:
    """Refuse a file whose row 2 is a second header (question texts, Q1/Q2 codes)."""
    first = frame.iloc[0].tolist()
    first_row = int(frame.index[0]) + 2
    filled = [v for v in first if v != ""]
    if len(filled) < 2:
        return
    looks_header = sum(
        1 for v, h in zip(first, header, strict=True) if v != "" and _header_like(v, h)
    )
    if looks_header >= max(2, len(filled) // 2):
        raise InputError(
            f"{location(name, sheet=sheet, row=first_row)}: looks like a second header "
            f"row ({first[0]!r}, "
            f"{first[1]!r}, ...); keep one header row (row 1) and delete the other",
            file=name,
            row=first_row,
        )


def _header_like(value: str, header: str) -> bool:
    if normalize_header(value) == normalize_header(header):
        return True
    if _QNUM.match(value) is not None and len(value) > 6:
        return True
    return re.fullmatch(r"[Qq]\d+(_\d+)?", value) is not None


def _detect_encoding(data: bytes, name: str, encoding: str | None) -> tuple[str, str]:
    """Encoding of ``data`` and its first 20,000 characters, without decoding it all at once.

    Same order and answer as :func:`analysis.io.encoding.decode_bytes` (utf-8-sig when a
    BOM is present, then utf-8, then gb18030), but each candidate is checked in 8 MB
    steps, so a large export is never held twice in memory; when none fits,
    ``decode_bytes`` raises its error.
    """
    import codecs

    from analysis.io.encoding import ENCODINGS, decode_bytes

    if encoding is not None:
        candidates: tuple[str, ...] = (encoding,)
    elif data.startswith(b"\xef\xbb\xbf"):
        candidates = ENCODINGS
    else:
        candidates = tuple(e for e in ENCODINGS if e != "utf-8-sig")
    step = 8 << 20
    for enc in candidates:
        try:
            dec = codecs.getincrementaldecoder(enc)(errors="strict")
        except LookupError:
            break
        head = ""
        try:
            for start in range(0, len(data), step):
                chunk = dec.decode(data[start : start + step], final=start + step >= len(data))
                if len(head) < 20000:
                    head += chunk[: 20000 - len(head)]
            if not data:
                dec.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return enc, head
    decode_bytes(data, file=name, encoding=encoding)  # raises the reader's usual error
    raise InputError(f"{name}: cannot decode the text", file=name)  # pragma: no cover


def _separator(header_line: str) -> str:
    """The column separator, read off the header line: comma unless the header has tabs
    (or semicolons) and no commas. Deterministic, unlike sniffing answers."""
    counts = {sep: header_line.count(sep) for sep in (",", "\t", ";")}
    if counts[","] == 0:
        best = max(("\t", ";"), key=lambda c: counts[c])
        if counts[best] > 0:
            return best
    return ","


def _read_csv_bytes(data: bytes, name: str, encoding: str | None) -> tuple[pd.DataFrame, str]:
    import io

    enc, sample = _detect_encoding(data, name, encoding)
    if not sample.strip():
        raise InputError(f"{name}: the file is empty; expected a header row and answers", file=name)
    sep = _separator(sample.lstrip("\ufeff").splitlines()[0])
    try:
        grid = pd.read_csv(
            io.BytesIO(data),
            sep=sep,
            header=None,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            encoding="utf-8-sig" if enc == "utf-8" else enc,
            skip_blank_lines=False,
            engine="c",
        )
    except pd.errors.ParserError as exc:
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if m:
            want, line, saw = (int(g) for g in m.groups())
            raise InputError(
                f"{location(name, row=line)}: has {saw} cells but the header has {want}; "
                "remove the extra cells or quote answers that contain the separator",
                file=name,
                row=line,
            ) from None
        detail = " ".join(str(exc).split())
        raise InputError(
            f"{name}: cannot split the rows into columns ({detail})", file=name
        ) from None
    except pd.errors.EmptyDataError:
        raise InputError(
            f"{name}: the file is empty; expected a header row and answers", file=name
        ) from None
    return grid, enc


def _read_csv_arrow(
    data: bytes | mmap.mmap, name: str, encoding: str | None
) -> tuple[pd.DataFrame, str] | None:
    """A CSV read by pyarrow (:mod:`analysis.io.arrow_csv`): text frame and encoding; None
    when the file must go through :func:`_read_csv_bytes` (an encoding only a full decode
    can tell, ragged rows, empty lines, anything pyarrow refuses)."""
    head = head_text(data, encoding)
    if head is None or not head[1][:20000].strip():
        return None
    enc, sample = head
    sep = _separator(sample[:20000].lstrip("\ufeff").splitlines()[0])
    table = read_csv_arrow(data, encoding=enc, head=sample, sep=sep)
    if table is None:
        return None
    return _frame_from_arrow(table, name), enc


def _read_stats_file(path: Path, suffix: str) -> pd.DataFrame:
    import pyreadstat

    reader = pyreadstat.read_sav if suffix == ".sav" else pyreadstat.read_dta
    try:
        df, meta = reader(str(path), apply_value_formats=True, formats_as_category=False)
    except Exception as exc:
        raise InputError(f"{path.name}: cannot read the {suffix} file: {exc}", file=path) from None
    labels = dict(zip(meta.column_names, meta.column_labels or [], strict=False))
    header = pd.DataFrame([list(df.columns)], columns=range(df.shape[1]))
    body = df.set_axis(range(df.shape[1]), axis=1).astype(object)
    grid = pd.concat([header, body], ignore_index=True)
    grid.attrs["aliases"] = {normalize_header(lab): name for name, lab in labels.items() if lab}
    return grid


def read_raw_table(
    path: PathArg | Sequence[PathArg] | pd.DataFrame,
    *,
    sheet: str | int = 0,
    encoding: str | None = None,
) -> RawTable:
    """Read a survey export as text, without a codebook.

    Parameters
    ----------
    path
        A CSV, XLSX/XLS, SAV or DTA file; or two 问卷星 exports (text and code) to join.
    sheet
        Sheet name or 0-based index for Excel files.
    encoding
        Force a text encoding for CSV (otherwise detected).

    Returns
    -------
    RawTable

    Raises
    ------
    InputError
        Missing, empty or header-only file; undecodable text; duplicated headers; a second
        header row; an Excel file that is really text (CSV or HTML) or no workbook at
        all; a damaged or password-protected workbook; a sheet that does not exist.
    """
    if isinstance(path, pd.DataFrame):
        return _table_from_frame(path)
    if isinstance(path, Sequence) and not isinstance(path, str | bytes):
        tables = [read_raw_table(p, sheet=sheet, encoding=encoding) for p in path]
        return tables[0] if len(tables) == 1 else _join_tables(tables)
    p = Path(path)
    suffix = p.suffix.lower()
    try:
        with p.open("rb") as f:
            # a large CSV is mapped, not copied: pyarrow and the hash read the page cache
            mapped = mapped_file(f) if suffix in {".csv", ".txt", ".tsv"} else None
            data: bytes | mmap.mmap = mapped if mapped is not None else f.read()
    except FileNotFoundError:
        raise InputError(f"{p}: file not found", file=p) from None
    except IsADirectoryError:
        raise InputError(f"{p}: is a folder; expected a survey export file", file=p) from None
    if not data[:4096].strip() and not data[:].strip():  # one look at the head, as a rule
        raise InputError(f"{p.name}: the file is empty; expected a header row and answers", file=p)
    sha256 = sha256_meanwhile(data)
    enc: str | None = None
    sheet_used: Any = None
    fast = None
    try:
        if suffix in {".csv", ".txt", ".tsv"}:
            fast = _read_csv_arrow(data, p.name, encoding)
    finally:
        if mapped is not None:  # the hash is the last reader of the mapped file
            digest = sha256()
            sha256 = lambda: digest  # noqa: E731
            data = mapped[:] if fast is None else b""
            try:
                mapped.close()
            except BufferError:  # an Arrow buffer still points into it: unmapped when freed
                pass
    if fast is not None:
        frame, enc = fast
        fmt = "csv"
    elif suffix in {".csv", ".txt", ".tsv"}:
        grid, enc = _read_csv_bytes(data, p.name, encoding)
        fmt = "csv"
    elif suffix in {".xlsx", ".xlsm", ".xls"}:
        grid, sheet_used = _read_excel_bytes(p, data, sheet)
        fmt = suffix.lstrip(".")
    elif suffix in {".sav", ".dta"}:
        grid = _read_stats_file(p, suffix)
        fmt = suffix.lstrip(".")
    else:
        raise InputError(
            f"{p.name}: unsupported file type {suffix!r}; expected .csv, .xlsx, .xls, .sav or .dta",
            file=p,
        )
    if fast is None:
        aliases = grid.attrs.get("aliases", {})
        frame = _frame_from_grid(grid, p.name, sheet_used)
    else:
        aliases = {}
    return RawTable(
        frame=frame,
        path=str(p),
        name=p.name,
        format=fmt,
        encoding=enc,
        sheet=sheet_used,
        sha256=sha256(),
        platform=_detect_platform(frame),
        n_blank_rows=int(frame.attrs.pop("n_blank_rows", 0)),
        duplicate_headers=frame.attrs.pop("duplicate_headers", {}),
        unsaved_formulas=frame.attrs.pop("unsaved_formulas", {}),
        aliases=aliases,
    )


def _table_from_frame(frame: pd.DataFrame) -> RawTable:
    """A DataFrame as if it were an export: header = its columns, rows numbered from 2."""
    grid = pd.concat(
        [
            pd.DataFrame([list(map(str, frame.columns))]),
            frame.set_axis(range(frame.shape[1]), axis=1),
        ],
        ignore_index=True,
    ).astype(object)
    text = _frame_from_grid(grid, "<DataFrame>")
    digest = hashlib.sha256(
        pd.util.hash_pandas_object(text, index=True).to_numpy().tobytes()
    ).hexdigest()
    return RawTable(
        frame=text,
        path="<DataFrame>",
        name="<DataFrame>",
        format="frame",
        encoding=None,
        sheet=None,
        sha256=digest,
        platform=_detect_platform(text),
        n_blank_rows=int(text.attrs.pop("n_blank_rows", 0)),
        duplicate_headers=text.attrs.pop("duplicate_headers", {}),
        unsaved_formulas=text.attrs.pop("unsaved_formulas", {}),
    )


def join_wjx_exports(
    text_export: PathArg, code_export: PathArg, *, sheet: str | int = 0
) -> RawTable:
    """Join a 问卷星 按文本 export and a 按序号 export of the same survey on 序号.

    The text export is kept as is; columns only the code export has (one 0/1 column per
    option of multi-select questions, fill-in columns) are added, matched on 序号.

    Raises
    ------
    InputError
        A file has no 序号 column, or the two files do not hold the same respondents.
    """
    return _join_tables(
        [read_raw_table(text_export, sheet=sheet), read_raw_table(code_export, sheet=sheet)]
    )


def _join_tables(tables: list[RawTable]) -> RawTable:
    base = tables[0]
    frame = base.frame
    key = next((c for c in frame.columns if normalize_header(c) in {"序号", "编号"}), None)
    if key is None:
        raise InputError(f"{base.name}: no 序号 column to join the exports on", file=base.path)
    for other in tables[1:]:
        want = normalize_header(key)
        okey = next((c for c in other.frame.columns if normalize_header(c) == want), None)
        if okey is None:
            raise InputError(
                f"{other.name}: no {key} column to join the exports on", file=other.path
            )
        left = set(frame[key])
        right = set(other.frame[okey])
        if left != right:
            extra = sorted(right - left)[:3] or sorted(left - right)[:3]
            raise InputError(
                f"{other.name}: holds different respondents than {base.name} "
                f"({key} {', '.join(extra)} in only one file); export both from the same "
                "survey at the same time",
                file=other.path,
            )
        if other.frame[okey].duplicated().any():
            raise InputError(f"{other.name}: {key} is not unique", file=other.path)
        have = {normalize_header(c) for c in frame.columns}
        add = [c for c in other.frame.columns if normalize_header(c) not in have]
        right_frame = other.frame.set_index(okey)[add]
        joined = right_frame.reindex(frame[key].tolist())
        joined.index = frame.index
        frame = pd.concat([frame, joined], axis=1)
    return replace(
        base,
        frame=frame,
        path=" + ".join(t.path for t in tables),
        sha256=" ".join(t.sha256 for t in tables),
        platform="wjx-text+code",
    )
