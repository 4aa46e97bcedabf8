"""Read survey exports into :class:`SurveyData`: recoded, with a quarantine for bad rows.

Formats: CSV (encoding detected: utf-8-sig, utf-8, gb18030), XLSX/XLS (sheet by name or
index), SPSS ``.sav`` and Stata ``.dta`` (value labels become option texts). Platforms
(问卷星 text and code exports, 腾讯问卷, generic) are told apart by
:mod:`analysis.io.platforms`.

Every cell is read as text first (so ``"None"``, ``"NA"`` and ``"null"`` stay text unless
the codebook declares them missing, and ID and phone numbers keep their leading zeros),
then recoded column by column with vectorised lookups. A row is never lost: it is in
``responses`` or in ``quarantine`` with the place and the reason.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.core.errors import CodebookError, DataQualityWarning, InputError, location
from analysis.io.excel import _cell_text, _read_excel_bytes
from analysis.io.platforms import _QNUM, _detect_platform, normalize_header, parse_duration
from analysis.survey.codebook import Codebook, Item, load_codebook_partial

__all__ = [
    "QUARANTINE_COLUMNS",
    "RawTable",
    "SurveyData",
    "join_wjx_exports",
    "read_raw_table",
    "read_survey",
]

log = logging.getLogger("analysis")

QUARANTINE_COLUMNS = ("file", "sheet", "row", "column", "value", "problem")
EXCLUSION_COLUMNS = ("respondent_id", "row", "reason")
PathArg = str | PathLike[str]


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class SurveyData:
    """A survey read with its codebook.

    Attributes
    ----------
    responses
        One row per kept respondent: ``respondent_id`` (str; the row's ordinal when the
        codebook names no id column), ``group`` (str; ``"all"`` without a group column),
        ``row`` (int, the row in the file, header = 1), one float column per item id
        (recoded, reverse items reversed, NaN when missing), covariate ids, text column
        ids, ``duration_s`` (float seconds, when the codebook names a duration column),
        ``weight`` (when it names a weight column) and ``ip`` (when the export has an IP
        column; it tells duplicate submissions apart and is personal data, so keep it out
        of shared outputs). Without a codebook: ``respondent_id``, ``row`` and the raw
        columns as text.
    missing
        Aligned with ``responses`` (same index), one column per item id: ``"skipped"``
        (skip logic, e.g. ``(跳过)``), ``"no_answer"`` (``(空)``, an empty cell, or a
        declared code such as 99) or None when answered.
    quarantine
        One row per problem: ``file``, ``sheet``, ``row``, ``column``, ``value``,
        ``problem``. A row with any problem is kept out of ``responses``.
    codebook
        The :class:`~analysis.survey.codebook.Codebook` used, or None.
    source
        ``path``, ``sha256``, ``format``, ``encoding``, ``platform``, ``sheet``, ``n_rows``
        (answer rows read) and ``n_blank_rows`` (wholly empty rows, left out; the row
        numbers of the others are still as in the file).
    exclusions
        ``respondent_id``, ``row``, ``reason``: rows a quality screen excluded on request.
    """

    responses: pd.DataFrame
    missing: pd.DataFrame
    quarantine: pd.DataFrame
    codebook: Codebook | None
    source: Mapping[str, Any]
    exclusions: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(
            {
                "respondent_id": pd.Series(dtype=str),
                "row": pd.Series(dtype="int64"),
                "reason": pd.Series(dtype=str),
            }
        )
    )

    @property
    def n_input(self) -> int:
        """Rows in the file(s): kept + quarantined (+ excluded by quality screens)."""
        return int(self.source.get("n_rows", 0))

    def item_matrix(self, item_ids: Sequence[str] | None = None) -> np.ndarray:
        """Items as a float matrix (respondents x items), NaN for missing."""
        ids = list(self._codebook().item_ids if item_ids is None else item_ids)
        return self.responses[ids].to_numpy(dtype="float64", na_value=np.nan, copy=True)

    def _codebook(self) -> Codebook:
        if self.codebook is None:
            raise InputError("this survey was read without a codebook; items are unknown")
        return self.codebook

    def with_(self, **changes: Any) -> SurveyData:
        """A copy with some fields replaced (the object itself is frozen)."""
        return replace(self, **changes)

    def __repr__(self) -> str:
        name = Path(str(self.source.get("path", ""))).name
        return (
            f"SurveyData({name!r}, {len(self.responses)} respondents, "
            f"{len(self.quarantine)} quarantine problems, {len(self.exclusions)} excluded)"
        )


@dataclass(frozen=True)
class RawTable:
    """A survey export read as text: every cell a str ('' when empty), header parsed."""

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

    @property
    def rows(self) -> np.ndarray:
        """Row numbers in the file (header = row 1) of the frame's rows.

        The frame's index counts data rows from 0 as they stand in the file, blank rows
        included, so the numbers stay right when blank rows were left out.
        """
        return self.frame.index.to_numpy(dtype="int64") + self.header_rows + 1


# --------------------------------------------------------------------------- raw reading


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _cells_to_text(col: pd.Series) -> pd.Series:
    """Any column to text cells: '' for empty, 3.0 -> '3', dates as ISO text, trimmed."""
    if isinstance(col.dtype, pd.StringDtype):  # a CSV read as text: trim only
        return col.fillna("").str.strip()
    codes, uniques = pd.factorize(col, use_na_sentinel=True)
    texts = np.array([_cell_text(u) for u in uniques] + [""], dtype=object)
    return pd.Series(texts[codes], index=col.index, dtype="str")


def _frame_from_grid(grid: pd.DataFrame, name: str, sheet: Any = None) -> pd.DataFrame:
    """First row of ``grid`` is the header; check it and return a text frame."""
    if grid.shape[0] == 0 or grid.shape[1] == 0:
        raise InputError(f"{name}: the file is empty; expected a header row and answers", file=name)
    header = [_cell_text(v) for v in grid.iloc[0].tolist()]
    while (
        header
        and header[-1] == ""
        and (
            grid.iloc[1:, len(header) - 1].isna().all()
            or (grid.iloc[1:, len(header) - 1] == "").all()
        )
    ):
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
    frame = pd.DataFrame(_text_columns(grid, header))
    blank = (frame == "").all(axis=1)
    if blank.any():
        frame = frame.loc[~blank.to_numpy()]
    frame.attrs["n_blank_rows"] = int(blank.sum())
    frame.attrs["duplicate_headers"] = {k: tuple(v) for k, v in duplicates.items()}
    if len(frame) == 0:
        raise InputError(
            f"{name}: only a header row, no answers (expected at least one row "
            "of answers below the header)",
            file=name,
            row=1,
        )
    _check_second_header(frame, header, name, sheet)
    return frame


def _text_columns(grid: pd.DataFrame, header: list[str]) -> dict[str, pd.Series]:
    """The body of ``grid`` (all rows but the first) as text columns named ``header``.

    Columns are taken out of ``grid`` one at a time (``grid`` is emptied), so a large
    export is never held twice in memory.
    """
    index = pd.RangeIndex(len(grid) - 1)
    labels = list(grid.columns[: len(header)])
    extra = list(grid.columns[len(header) :])
    if extra:
        grid.drop(columns=extra, inplace=True)
    out: dict[str, pd.Series] = {}
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
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{p}: file not found", file=p) from None
    except IsADirectoryError:
        raise InputError(f"{p}: is a folder; expected a survey export file", file=p) from None
    if not data.strip():
        raise InputError(f"{p.name}: the file is empty; expected a header row and answers", file=p)
    suffix = p.suffix.lower()
    enc: str | None = None
    sheet_used: Any = None
    if suffix in {".csv", ".txt", ".tsv"}:
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
    aliases = grid.attrs.get("aliases", {})
    frame = _frame_from_grid(grid, p.name, sheet_used)
    return RawTable(
        frame=frame,
        path=str(p),
        name=p.name,
        format=fmt,
        encoding=enc,
        sheet=sheet_used,
        sha256=_sha256(data),
        platform=_detect_platform(frame),
        n_blank_rows=int(frame.attrs.pop("n_blank_rows", 0)),
        duplicate_headers=frame.attrs.pop("duplicate_headers", {}),
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


# --------------------------------------------------------------------------- recoding


def _resolve_columns(cb: Codebook, raw: RawTable) -> dict[str, str]:
    """Codebook column -> export header; raise CodebookError once for every unknown column."""
    headers = {normalize_header(c): c for c in raw.frame.columns}
    found: dict[str, str] = {}
    problems = []
    named: list[tuple[str, str, int | None]] = []
    for attr in ("id_column", "group_column", "duration_column", "weight_column"):
        col = getattr(cb, attr)
        if col is not None:
            named.append((col, attr.replace("_column", " column"), None))
    named += [(it.column, f"item {it.id}", it.line) for it in cb.items]
    named += [(c.column, f"covariate {c.id}", c.line) for c in cb.covariates]
    named += [(c.column, f"text column {c.id}", c.line) for c in cb.text_columns]
    for col, what, line in named:
        hit = headers.get(normalize_header(col)) or raw.aliases.get(normalize_header(col))
        if hit is None:
            close = _closest(col, list(raw.frame.columns))
            hint = f"; closest header: {close!r}" if close else ""
            problems.append(
                {
                    "file": cb.path,
                    "line": line,
                    "column": col,
                    "value": None,
                    "problem": f"{what}: column not found in {raw.name}{hint}",
                }
            )
        else:
            found[col] = hit
    if problems:
        raise CodebookError.from_problems(problems, file=cb.path, what="codebook problems")
    return found


def _check_duplicates(cb: Codebook | None, raw: RawTable, *, stacklevel: int = 4) -> None:
    """Refuse duplicated headers the codebook relies on; warn about the others."""
    if not raw.duplicate_headers:
        return
    used = set() if cb is None else {normalize_header(c) for c, _ in _named(cb)}
    clash = [k for k in raw.duplicate_headers if k in used]
    if clash:
        where = ", ".join(
            f"{k!r} (columns {' and '.join(map(str, raw.duplicate_headers[k]))})" for k in clash
        )
        raise InputError(
            f"{location(raw.name, sheet=raw.sheet, row=1)}: duplicated column header "
            f"{where}; the codebook "
            "uses it, so the column is ambiguous: rename one of them",
            file=raw.path,
            row=1,
        )
    others = ", ".join(
        f"{k!r} (columns {' and '.join(map(str, v))})" for k, v in raw.duplicate_headers.items()
    )
    warnings.warn(
        f"{location(raw.name, sheet=raw.sheet, row=1)}: duplicated column header "
        f"{others}; later copies are "
        "read as '<header> [column N]'",
        DataQualityWarning,
        stacklevel=stacklevel,
    )


def _named(cb: Codebook) -> list[tuple[str, str]]:
    out = []
    for attr in ("id_column", "group_column", "duration_column", "weight_column"):
        col = getattr(cb, attr)
        if col is not None:
            out.append((col, attr))
    out += [(it.column, it.id) for it in cb.items]
    out += [(c.column, c.id) for c in (*cb.covariates, *cb.text_columns)]
    return out


def _check_codebook(cb: Codebook, earlier: list[dict[str, Any]], raw: RawTable) -> None:
    """Raise once with the codebook's own problems and the columns the export lacks."""
    _check_duplicates(cb, raw)
    try:
        _resolve_columns(cb, raw)
    except CodebookError as exc:
        rows = [] if exc.problems is None else exc.problems.to_dict("records")
    else:
        rows = []
    if earlier or rows:
        raise CodebookError.from_problems([*earlier, *rows], file=cb.path, what="codebook problems")


def _closest(col: str, headers: list[str]) -> str | None:
    import difflib

    norm = {normalize_header(h): h for h in headers}
    hits = difflib.get_close_matches(normalize_header(col), list(norm), n=1, cutoff=0.6)
    return norm[hits[0]] if hits else None


def _recode_item(
    values: pd.Series, item: Item, cb: Codebook
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vectorised recode of one item column.

    Returns (numbers float64 with NaN, missing kind codes 0=answered 1=skipped 2=no_answer,
    bad mask).
    """
    scale = cb.scale_of(item)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    nu = len(uniques)
    nums = np.full(nu + 1, np.nan)
    kinds = np.zeros(nu + 1, dtype=np.int8)
    bad = np.zeros(nu + 1, dtype=bool)
    kinds[nu] = 2  # NaN sentinel (-1 indexes the last slot)
    allowed = {float(v) for v in scale.values}
    # full-width and half-width forms match: （跳过） is (跳过), ４ is 4
    skipped = {_nfkc(v) for v in cb.missing.get("skipped", ())}
    no_answer = {_nfkc(v) for v in cb.missing.get("no_answer", ())}
    labels = {_nfkc(k): v for k, v in scale.labels.items()}
    for j, u in enumerate(uniques):
        s = _nfkc(u)
        if s in skipped:
            kinds[j] = 1
        elif s in no_answer or s == "":
            kinds[j] = 2
        elif s in labels:
            nums[j] = labels[s]
        else:
            try:
                x = float(s)
            except ValueError:
                bad[j] = True
                continue
            if x in allowed:
                nums[j] = x
            else:
                bad[j] = True
    if item.reverse:
        nums = scale.min + scale.max - nums
    return nums[codes], kinds[codes], bad[codes]


def _nfkc(value: Any) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip()


_KIND_NAMES = np.array([None, "skipped", "no_answer"], dtype=object)


def _expected(item: Item, cb: Codebook) -> str:
    scale = cb.scale_of(item)
    opts = list(scale.labels) or [f"{v:g}" for v in scale.values]
    miss = [v for vals in cb.missing.values() for v in vals]
    tail = f" (or missing: {', '.join(miss)})" if miss else ""
    return f"expected one of {', '.join(opts)}{tail}"


def _problem_rows(
    raw: RawTable, mask: np.ndarray, column: str, values: pd.Series, problem: str
) -> pd.DataFrame:
    idx = np.flatnonzero(mask)
    return pd.DataFrame(
        {
            "file": raw.name,
            "sheet": raw.sheet,
            "row": raw.rows[idx],
            "column": column,
            "value": values.to_numpy()[idx],
            "problem": problem,
        }
    )


def _empty_quarantine() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "file": pd.Series(dtype=object),
            "sheet": pd.Series(dtype=object),
            "row": pd.Series(dtype="int64"),
            "column": pd.Series(dtype=object),
            "value": pd.Series(dtype=object),
            "problem": pd.Series(dtype=object),
        }
    )


def _source(raw: RawTable) -> dict[str, Any]:
    return {
        "path": raw.path,
        "sha256": raw.sha256,
        "format": raw.format,
        "encoding": raw.encoding,
        "platform": raw.platform,
        "sheet": raw.sheet,
        "n_rows": len(raw.frame),
        "n_blank_rows": raw.n_blank_rows,
    }


def _without_codebook(raw: RawTable) -> SurveyData:
    frame = raw.frame
    id_col = next((c for c in frame.columns if normalize_header(c) in {"序号", "编号"}), None)
    head = pd.DataFrame(
        {
            "respondent_id": (
                frame[id_col].astype(str)
                if id_col
                else pd.Series((raw.rows - raw.header_rows).astype(str), index=frame.index)
            ),
            "row": raw.rows,
        }
    )
    responses = pd.concat([head, frame], axis=1).reset_index(drop=True)
    return SurveyData(
        responses=responses,
        missing=pd.DataFrame(index=responses.index),
        quarantine=_empty_quarantine(),
        codebook=None,
        source=_source(raw),
    )


def read_survey(
    path: PathArg | Sequence[PathArg] | pd.DataFrame,
    *,
    codebook: Codebook | PathArg | Mapping[str, Any] | None = None,
    sheet: str | int = 0,
    encoding: str | None = None,
) -> SurveyData:
    """Read a survey export and recode it with its codebook.

    Parameters
    ----------
    path
        A CSV, XLSX/XLS, SAV or DTA export; or ``[text_export, code_export]`` of one
        问卷星 survey, joined on 序号 (see :func:`join_wjx_exports`); or a DataFrame laid
        out like an export (its columns are the header; rows are numbered from 2, as if
        the header were row 1).
    codebook
        A :class:`~analysis.survey.codebook.Codebook`, a path to its YAML or a mapping. Without
        one, the raw columns are returned as text with ``respondent_id`` and ``row``.
    sheet
        Sheet name or 0-based index of an Excel export.
    encoding
        Force the encoding of a CSV (otherwise utf-8-sig, utf-8, gb18030 are tried).

    Returns
    -------
    SurveyData
        ``responses``, ``missing``, ``quarantine``, ``codebook``, ``source`` and an empty
        ``exclusions``; see :class:`SurveyData` for every column.

    Raises
    ------
    InputError
        The file cannot be read (missing, empty, header only, undecodable, duplicated or
        doubled headers, not really an Excel file); the message names file and row.
    CodebookError
        Columns the codebook names are not in the export (all listed at once, with the
        codebook line and the closest header).

    Warns
    -----
    DataQualityWarning
        When rows were quarantined: how many, and how many problems.

    Notes
    -----
    Recoding: an answer is a scale label (``满意`` -> 4) or one of the scale's numbers
    (``4``, as in 按序号 exports); missing codes are kept apart as ``skipped`` and
    ``no_answer`` (an empty cell counts as ``no_answer``). Reverse items are scored
    ``min + max - x``. Anything else is never guessed: the row goes to the quarantine with
    file, sheet, row, column, value and the expected options. Rows with an empty or
    repeated respondent id, an empty group, an unreadable duration or a negative or
    non-numeric weight are quarantined too. Input rows = kept + quarantined, always.

    Examples
    --------
    >>> import pandas as pd
    >>> export = pd.DataFrame({
    ...     "序号": [1, 2, 3],
    ...     "社区": ["桂花社区", "梅园社区", "桂花社区"],
    ...     "7、一站式服务": ["满意", "(跳过)", "很满意"],
    ... })
    >>> codebook = {
    ...     "id_column": "序号", "group_column": "社区",
    ...     "scale": {"min": 1, "max": 5, "labels": {"不满意": 2, "一般": 3, "满意": 4}},
    ...     "missing": {"skipped": ["(跳过)"]},
    ...     "items": [{"column": "7、一站式服务", "id": "q7", "dimension": "reform"}],
    ... }
    >>> import warnings
    >>> with warnings.catch_warnings():  # a DataQualityWarning: 1 row quarantined
    ...     warnings.simplefilter("ignore")
    ...     survey = read_survey(export, codebook=codebook)
    >>> survey.responses[["respondent_id", "group", "row", "q7"]]
      respondent_id group  row   q7
    0             1  桂花社区    2  4.0
    1             2  梅园社区    3  NaN
    >>> survey.missing["q7"].tolist()
    [None, 'skipped']
    >>> survey.quarantine[["row", "value"]]
       row value
    0    4   很满意
    """
    raw = read_raw_table(path, sheet=sheet, encoding=encoding)
    if codebook is None:
        _check_duplicates(None, raw, stacklevel=3)
        return _without_codebook(raw)
    cb, problems = load_codebook_partial(codebook)
    _check_codebook(cb, problems, raw)
    return recode(raw, cb)


def recode(raw: RawTable, cb: Codebook) -> SurveyData:
    """Recode a :class:`RawTable` with a codebook (the work behind :func:`read_survey`)."""
    cols = _resolve_columns(cb, raw)
    frame = raw.frame
    n = len(frame)
    bad_row = np.zeros(n, dtype=bool)
    problems: list[pd.DataFrame] = []
    out: dict[str, Any] = {}

    if cb.id_column:
        ids = frame[cols[cb.id_column]].astype(str)
        empty = (ids == "").to_numpy()
        dup = ids.duplicated(keep="first").to_numpy() & ~empty
        for mask, what in (
            (empty, "empty respondent id"),
            (dup, "respondent id repeats an earlier row"),
        ):
            if mask.any():
                problems.append(_problem_rows(raw, mask, cb.id_column, ids, what))
                bad_row |= mask
        out["respondent_id"] = ids.to_numpy(dtype=object)
    else:
        out["respondent_id"] = (raw.rows - raw.header_rows).astype(str).astype(object)
    if cb.group_column:
        grp = frame[cols[cb.group_column]].astype(str)
        empty = (grp == "").to_numpy() | grp.isin(
            [v for vals in cb.missing.values() for v in vals]
        ).to_numpy()
        if empty.any():
            problems.append(
                _problem_rows(raw, empty, cb.group_column, grp, "no group (community) given")
            )
            bad_row |= empty
        out["group"] = grp.to_numpy(dtype=object)
    else:
        out["group"] = np.full(n, "all", dtype=object)
    out["row"] = raw.rows

    # items go straight into one column-major block each: no copies when frames are built
    item_ids = [it.id for it in cb.items]
    numbers = np.empty((n, len(item_ids)), order="F")
    kinds = np.empty((n, len(item_ids)), dtype=np.int8, order="F")
    for j, it in enumerate(cb.items):
        values = frame[cols[it.column]]
        nums, kind, bad = _recode_item(values, it, cb)
        if bad.any():
            problems.append(
                _problem_rows(
                    raw,
                    bad,
                    it.column,
                    values,
                    f"answer not on scale {it.scale!r}; " + _expected(it, cb),
                )
            )
            bad_row |= bad
        numbers[:, j] = nums
        kinds[:, j] = kind
    miss_values = {v for vals in cb.missing.values() for v in vals}
    for c in (*cb.covariates, *cb.text_columns):
        v = frame[cols[c.column]].astype(str)
        out[c.id] = v.where(~v.isin(list(miss_values | {""})), None).to_numpy(dtype=object)
    if cb.duration_column:
        text = frame[cols[cb.duration_column]]
        secs = parse_duration(text).to_numpy()
        bad = np.isnan(secs) & (text.astype(str).str.strip() != "").to_numpy()
        if bad.any():
            problems.append(
                _problem_rows(
                    raw,
                    bad,
                    cb.duration_column,
                    text,
                    "cannot read the answering time; expected seconds "
                    "such as 259, 259秒, 4分19秒 or 0:04:19",
                )
            )
            bad_row |= bad
        out["duration_s"] = secs
    if cb.weight_column:
        text = frame[cols[cb.weight_column]].astype(str)
        w = pd.to_numeric(text.where(text != "", None), errors="coerce").to_numpy(
            dtype="float64", na_value=np.nan
        )
        bad = ~np.isfinite(w) | (w < 0)
        if bad.any():
            problems.append(
                _problem_rows(raw, bad, cb.weight_column, text, "weight must be a number >= 0")
            )
            bad_row |= bad
        out["weight"] = w

    ip_col = next(
        (c for c in frame.columns if normalize_header(c) in {"来自IP", "IP", "IP地址"}), None
    )
    if ip_col is not None:
        out["ip"] = (
            frame[ip_col].astype(str).str.replace(r"\(.*\)$", "", regex=True).to_numpy(dtype=object)
        )
    keep = ~bad_row
    if not keep.all():  # filter the arrays before building frames: one copy, not two
        out = {k: v[keep] for k, v in out.items()}
        numbers = np.asfortranarray(numbers[keep])
        kinds = kinds[keep]
    head_cols = ["respondent_id", "group", "row"]
    head = pd.DataFrame({c: out.pop(c) for c in head_cols})
    for c in ("respondent_id", "group"):
        head[c] = head[c].astype(str)
    if "ip" in out:
        out["ip"] = pd.Series(out["ip"]).astype(str)
    items = pd.DataFrame(numbers, columns=item_ids, copy=False)
    responses = pd.concat([head, items, pd.DataFrame(out)], axis=1)
    miss_frame = pd.DataFrame(_KIND_NAMES[kinds], columns=item_ids, dtype=object, copy=False)
    quarantine = (
        pd.concat(problems, ignore_index=True)
        .sort_values("row", kind="stable")
        .reset_index(drop=True)
        if problems
        else _empty_quarantine()
    )
    if len(quarantine):
        nrows = int(bad_row.sum())
        first_row = int(quarantine["row"].iloc[0])
        first_col = quarantine["column"].iloc[0]
        first_value = quarantine["value"].iloc[0]
        got = "" if first_value is None else f": got {first_value!r}"
        n_problems = f"{len(quarantine)} problem{'s' if len(quarantine) != 1 else ''}"
        warnings.warn(
            f"{raw.name}: {nrows} of {n} rows quarantined ({n_problems}, e.g. "
            f"{location(raw.name, sheet=raw.sheet, row=first_row, column=first_col)}"
            f"{got}; {quarantine['problem'].iloc[0]}); see .quarantine",
            DataQualityWarning,
            stacklevel=3,
        )
    log.info(
        "read %s: %d rows, %d kept, %d quarantined",
        raw.name,
        n,
        int(keep.sum()),
        int(bad_row.sum()),
    )
    return SurveyData(
        responses=responses,
        missing=miss_frame,
        quarantine=quarantine,
        codebook=cb,
        source=_source(raw),
    )
