"""Read documents: a folder of .txt/.docx/.pdf files, one file, or a table of texts.

:func:`read_texts` returns one row per document with its normalised text, the file it came
from and its encoding, joined to a metadata table (community, year, type, ...). Nothing is
dropped silently: empty documents, unreadable files, metadata rows without a file and files
without a metadata row are quarantined (:func:`text_quarantine` gives them as a frame) and
a :class:`~analysis.core.errors.DataQualityWarning` gives the count.

Every file in a texts folder is read or quarantined with its reason: a Word 97-2003 ``.doc``
or a WPS ``.wps`` (no maintained pure-Python reader exists; save it as ``.docx``), a picture
or a spreadsheet among the documents. Only files that are not documents of anyone's are
skipped, and logged: hidden files (``.DS_Store``), Office lock files (``~$报告.docx``, which
Word leaves while a document is open), ``Thumbs.db`` and ``desktop.ini``; so is the metadata
table when it sits inside the texts folder. Sub-folders are not read.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Iterable
from os import PathLike
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.core.errors import (
    DataQualityWarning,
    InputError,
    location,
)
from analysis.io.encoding import read_text_file
from analysis.io.normalize import _line_ends, _to_simplified, normalize_text

__all__ = [
    "DOCUMENT_SUFFIXES",
    "is_system_file",
    "normalize_text",
    "read_texts",
    "text_quarantine",
    "unsupported_reason",
]

logger = logging.getLogger("analysis")

#: File types read from a folder, in addition to tables given directly.
DOCUMENT_SUFFIXES: tuple[str, ...] = (".txt", ".docx", ".pdf")
_TABLE_SUFFIXES = (".csv", ".xlsx", ".xls")
QUARANTINE_COLUMNS = ("file", "row", "column", "value", "problem")

_SYSTEM_FILES = (".ds_store", "thumbs.db", "desktop.ini")
_NOT_READ = {
    ".doc": "Word 97-2003 .doc is not supported; save it as .docx "
    "(不支持 Word 97-2003 的 .doc 格式，请在 Word 或 WPS 中另存为 .docx)",
    ".wps": "WPS .wps is not supported; save it as .docx in WPS "
    "(不支持 WPS 文字的 .wps 格式，请在 WPS 中另存为 .docx)",
    ".rtf": "rich text .rtf is not supported; save it as .docx or UTF-8 .txt "
    "(不支持 .rtf 格式，请另存为 .docx 或 UTF-8 编码的 .txt)",
}


def is_system_file(path: Path) -> bool:
    """A file the system or an office program keeps beside documents, never a document:
    ``.DS_Store``, macOS ``._name`` companions, Office lock files (``~$name.docx``),
    ``Thumbs.db``, ``desktop.ini``. Other names starting with a dot are read (or
    quarantined) like any file: a document is never skipped for its name alone."""
    name = path.name
    return name.startswith(("~$", "._")) or name.lower() in _SYSTEM_FILES


def unsupported_reason(path: Path) -> str:
    """Why a file in a texts folder is not read (its type is not a readable document).

    Examples
    --------
    >>> unsupported_reason(Path("报告.doc")).split(" (")[0]
    'Word 97-2003 .doc is not supported; save it as .docx'
    """
    suffix = path.suffix.lower()
    if suffix in _NOT_READ:
        return _NOT_READ[suffix]
    if suffix in _TABLE_SUFFIXES:
        return (
            "a table in a texts folder is not read; name it as the texts metadata, or give it "
            "as the texts path to read its text column (文本文件夹中的表格不会被读取)"
        )
    kind = repr(suffix) if suffix else "(no extension)"
    return (
        f"unsupported file type {kind}; expected one of "
        f"{', '.join(DOCUMENT_SUFFIXES)} (不支持的文件类型 {kind}，文本文件夹只读取 "
        f"{'、'.join(DOCUMENT_SUFFIXES)} 文件)"
    )


def _main_document(path: Path) -> Any:
    """The Word document of ``path`` with only its main part parsed.

    ``docx.Document`` parses every XML part of the package (styles, numbering, settings,
    theme: most of the time of a short report, and none of it used for its text). Here the
    package is read the same way, the part the package's one office-document relationship
    names is parsed with python-docx's own parser, and python-docx's document object wraps
    it, so paragraphs and tables read as before. Anything unexpected raises, and the caller
    then opens the file with ``docx.Document`` (which gives the error it always gave).
    """
    from docx.document import Document as WordDocument
    from docx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
    from docx.opc.packuri import PACKAGE_URI
    from docx.opc.pkgreader import PackageReader
    from docx.oxml.parser import parse_xml

    reader = PackageReader.from_file(str(path))
    targets = [
        srel.target_partname
        for source, srel in reader.iter_srels()
        if source == PACKAGE_URI
        and srel.reltype == RELATIONSHIP_TYPE.OFFICE_DOCUMENT
        and not srel.is_external
    ]
    if len(targets) != 1:
        raise KeyError("no single main document part")
    for partname, content_type, _, blob in reader.iter_sparts():
        if partname == targets[0]:
            if content_type != CONTENT_TYPE.WML_DOCUMENT_MAIN:
                raise ValueError(f"content type {content_type}")
            return WordDocument(parse_xml(blob), None)  # type: ignore[arg-type]
    raise KeyError("main document part not found")


def _read_docx(path: Path) -> str:
    import docx

    try:
        document = _main_document(path)
    except Exception:  # the full reader below says what is wrong, as it always did
        document = None
    try:
        if document is None:
            document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises several unrelated types for bad files
        from analysis.io.excel import _OLE_MAGIC

        with path.open("rb") as fh:
            if fh.read(8) == _OLE_MAGIC:  # a .doc renamed .docx
                raise InputError(
                    f"{path.name}: this is a Word 97-2003 .doc file with a .docx name; "
                    + _NOT_READ[".doc"],
                    file=path,
                ) from None
        raise InputError(
            f"{path.name}: cannot open as a Word document ({exc})", file=path
        ) from None
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            seen: set[int] = set()
            cells = []
            for cell in row.cells:  # merged cells repeat: keep each once
                if id(cell._tc) not in seen:
                    seen.add(id(cell._tc))
                    cells.append(cell.text.strip())
            parts.append(" | ".join(c for c in cells if c))
    return "\n".join(parts)


def _read_pdf(path: Path) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(str(path))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, OSError, ValueError, KeyError) as exc:
        raise InputError(f"{path.name}: cannot read the PDF ({exc})", file=path) from None
    text = "\n".join(pages)
    if not text.strip():
        raise InputError(
            f"{path.name}: the PDF has no text layer ({len(pages)} page(s)); it is probably "
            "scanned. Run OCR on it (e.g. ocrmypdf) or supply the text as .txt",
            file=path,
        )
    return text


def _read_document(path: Path, encoding: str | None) -> tuple[str, str | None]:
    suffix = path.suffix.lower()
    if suffix == ".txt":
        return read_text_file(path, encoding=encoding)
    if suffix == ".docx":
        return _read_docx(path), None
    if suffix == ".pdf":
        return _read_pdf(path), None
    raise InputError(f"{path.name}: {unsupported_reason(path)}", file=path)


def _read_table(path: Path, encoding: str | None) -> tuple[pd.DataFrame, str | None]:
    import io

    suffix = path.suffix.lower()
    if suffix == ".csv":
        text, enc = read_text_file(path, encoding=encoding)
        try:
            frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise InputError(f"{path.name}: cannot parse the CSV ({exc})", file=path) from None
        return frame, enc
    from analysis.io.excel import _OLE_MAGIC

    try:
        with path.open("rb") as fh:
            legacy = suffix == ".xls" and fh.read(8) == _OLE_MAGIC
        if legacy:
            return _read_xls_table(path), None
        frame = pd.read_excel(path, dtype=str, keep_default_na=False)
    except (ValueError, OSError, KeyError) as exc:
        raise InputError(f"{path.name}: cannot read the workbook ({exc})", file=path) from None
    return frame, None


def _read_xls_table(path: Path) -> pd.DataFrame:
    """The first sheet of a legacy Excel 97-2003 workbook, as ``pd.read_excel(dtype=str)``.

    Read with xlrd by the survey reader (pandas' own xlrd engine is deprecated from pandas
    3.1); header names are made unique and empty ones named as pandas does (``a.1``,
    ``Unnamed: 3``), every cell is text, ``""`` when empty.
    """
    from analysis.io.excel import _cell_text, _read_xls_bytes

    grid, _ = _read_xls_bytes(path, path.read_bytes(), 0)
    if grid.shape[0] == 0:
        raise InputError(f"{path.name}: the workbook's first sheet is empty", file=path)
    header: list[str] = []
    for j, value in enumerate(grid.iloc[0].tolist()):
        name = _cell_text(value) or f"Unnamed: {j}"
        base, k = name, 0
        while name in header:
            k += 1
            name = f"{base}.{k}"
        header.append(name)
    body = [[_cell_text(v) for v in row] for row in grid.iloc[1:].itertuples(index=False)]
    return pd.DataFrame(body, columns=header, dtype=object).astype(str)


# --------------------------------------------------------------------------- assembling


def _quarantine(file: Any, row: Any, column: Any, value: Any, problem: str) -> dict[str, Any]:
    return {"file": file, "row": row, "column": column, "value": value, "problem": problem}


# control characters other than tab and line ends, the replacement character and the private
# use area: a few in a real document, many in a binary file decoded as text
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f\ufffd\ue000-\uf8ff]")


def _implausible(text: str) -> str | None:
    """Why ``text`` cannot be a real document (a binary file or the wrong encoding), or None."""
    if len(text) < 20:
        return None
    share = len(_NOT_TEXT.findall(text)) / len(text)
    if share <= 0.01:
        return None
    return (
        f"implausible text: {share:.0%} of its characters are control, replacement or "
        "private-use characters (a binary file, or text in an encoding that was not "
        "detected); expected a readable document: save it as UTF-8 text, .docx or .pdf"
    )


def folder_files(
    root: Path, metadata: str | PathLike[str] | pd.DataFrame | None = None
) -> tuple[list[Path], list[Path]]:
    """The documents of a texts folder, and its other files (to be quarantined).

    System files (:func:`is_system_file`), sub-folders and the metadata table itself are
    left out. Raises when the folder holds no document at all, naming what it does hold.
    """
    meta = None
    if metadata is not None and not isinstance(metadata, pd.DataFrame):
        meta = Path(metadata).resolve()
    entries = []
    for p in sorted(root.iterdir()):
        if not p.is_file() or p.resolve() == meta:
            continue
        if is_system_file(p):
            logger.info("skipped %s: a system or lock file, not a document", p.name)
            continue
        entries.append(p)
    files = [p for p in entries if p.suffix.lower() in DOCUMENT_SUFFIXES]
    others = [p for p in entries if p.suffix.lower() not in DOCUMENT_SUFFIXES]
    if not files:
        found = "".join(f"; {p.name}: {unsupported_reason(p)}" for p in others[:3])
        raise InputError(
            f"{root}: no documents found; expected files ending in "
            f"{', '.join(DOCUMENT_SUFFIXES)}{found}",
            file=root,
        )
    return files, others


def unread_files(bad: Iterable[dict[str, Any]]) -> dict[str, str]:
    """File name -> why it was not read, from quarantine rows of whole files."""
    return {
        str(r["file"]): str(r["problem"]).split(": ", 1)[-1]
        for r in bad
        if r.get("row") is None and r.get("column") is None
    }


def _documents_from_files(
    files: Iterable[Path], *, encoding: str | None, raise_errors: bool
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    rows: list[dict[str, Any]] = []
    bad: list[dict[str, Any]] = []
    seen: dict[str, str] = {}
    for path in files:
        try:
            text, enc = _read_document(path, encoding)
        except InputError as exc:
            if raise_errors:
                raise
            bad.append(_quarantine(path.name, None, None, None, str(exc)))
            continue
        doc_id = path.stem
        if doc_id in seen:
            doc_id = path.name
        seen[doc_id] = path.name
        rows.append({"doc_id": doc_id, "raw": text, "source": path.name, "encoding": enc})
    return rows, bad


def _documents_from_table(
    path: Path, *, id_column: str, text_column: str | None, encoding: str | None
) -> tuple[list[dict[str, Any]], pd.DataFrame]:
    frame, enc = _read_table(path, encoding)
    if text_column is None:
        text_column = "text" if "text" in frame.columns else None
    if text_column is None or text_column not in frame.columns:
        raise InputError(
            f"{path.name}: no text column {text_column!r}; pass text_column= one of "
            f"{', '.join(map(repr, frame.columns))}",
            file=path,
            column=text_column,
        )
    if id_column in frame.columns:
        ids = frame[id_column].astype(str).tolist()
    else:
        ids = [str(i) for i in range(2, len(frame) + 2)]  # the row as numbered in the file
    rows = [
        {"doc_id": doc_id, "raw": text, "source": path.name, "encoding": enc, "_row": i + 2}
        for i, (doc_id, text) in enumerate(zip(ids, frame[text_column].astype(str), strict=True))
    ]
    meta = frame.drop(columns=[text_column])
    return rows, meta


def _repeated_ids(docs: pd.DataFrame, id_column: str) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Rows of a table of texts whose id an earlier row already has: quarantined."""
    repeated = docs["doc_id"].duplicated(keep="first")
    if not repeated.any():
        return docs, []
    first = docs.loc[~repeated].set_index("doc_id")["_row"]
    bad = [
        _quarantine(
            row["source"],
            int(row["_row"]),
            id_column,
            row["doc_id"],
            f"repeated id {row['doc_id']!r} (first at row {int(first[row['doc_id']])}); "
            "ids must be unique",
        )
        for _, row in docs.loc[repeated].iterrows()
    ]
    return docs.loc[~repeated], bad


def _load_metadata(metadata: str | PathLike[str] | pd.DataFrame) -> tuple[pd.DataFrame, str]:
    if isinstance(metadata, pd.DataFrame):
        return metadata.copy(), "metadata"
    path = Path(metadata)
    if not path.is_file():
        raise InputError(f"{path}: metadata file not found", file=path)
    frame, _ = _read_table(path, None)
    return frame, path.name


def _join_metadata(
    docs: pd.DataFrame,
    meta: pd.DataFrame,
    meta_name: str,
    *,
    id_column: str,
    file_column: str,
    unread: dict[str, str] | None = None,
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Attach metadata columns; quarantine unmatched rows on both sides.

    ``unread`` maps the names of files that were found but not read to why: a metadata row
    for one of them says so instead of "no such document".
    """
    if file_column in meta.columns:
        key_meta, key_docs, key_col = meta[file_column].astype(str), docs["source"], file_column
    elif id_column in meta.columns:
        key_meta, key_docs, key_col = meta[id_column].astype(str), docs["doc_id"], id_column
    else:
        raise InputError(
            f"{meta_name}: needs a {file_column!r} or {id_column!r} column to match documents; "
            f"got {', '.join(map(repr, meta.columns))}",
            file=meta_name,
        )
    bad: list[dict[str, Any]] = []
    dup = key_meta.duplicated(keep="first")
    for i in key_meta.index[dup]:
        bad.append(
            _quarantine(meta_name, int(i) + 2, key_col, key_meta[i], "duplicate metadata row")
        )
    meta = meta.loc[~dup]
    key_meta = key_meta.loc[~dup]
    present = set(key_docs)
    unread = dict(unread or {})
    if key_col != file_column:
        unread = {Path(name).stem: why for name, why in unread.items()}
    for i, key in key_meta.items():
        if key not in present:
            why = unread.get(key)
            problem = "no such document" if why is None else f"document not read: {why}"
            bad.append(_quarantine(meta_name, int(i) + 2, key_col, key, problem))
    known = set(key_meta)
    keep = key_docs.isin(known)
    for _, row in docs.loc[~keep].iterrows():
        bad.append(_quarantine(row["source"], row.get("_row"), key_col, None, "no metadata row"))
    docs = docs.loc[keep]
    extra = meta.drop(columns=[c for c in (id_column, file_column) if c in meta.columns])
    extra = extra.drop(columns=[c for c in extra.columns if c in docs.columns])
    extra = extra.assign(_key=key_meta.to_numpy())
    key_name = "source" if key_col == file_column else "doc_id"
    merged = docs.merge(extra, left_on=key_name, right_on="_key", how="left", sort=False)
    return merged.drop(columns=["_key"]), bad


def _coerce_metadata(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """Turn metadata columns read as text into numbers where every value is a number."""
    out = frame
    for col in columns:
        values = out[col]
        if values.dtype == object or pd.api.types.is_string_dtype(values):
            numeric = pd.to_numeric(values.replace("", pd.NA), errors="coerce")
            if numeric.notna().sum() == values.replace("", pd.NA).notna().sum() and len(values):
                if (numeric.dropna() % 1 == 0).all():
                    numeric = numeric.astype("Int64")
                out = out.assign(**{col: numeric})
    return out


def plain_documents(
    rows: list[dict[str, Any]],
    bad: list[dict[str, Any]],
    *,
    text_column: str | None = None,
    normalize: bool = True,
    to_simplified: bool = False,
    table_ids: str | None = None,
) -> pd.DataFrame:
    """Documents read from files or a table, checked and normalised: implausible (binary,
    mis-decoded) and empty texts are appended to ``bad``, and so are repeated ids of a
    table (``table_ids`` names its id column); the rest come back with ``doc_id``,
    ``text``, ``source``, ``encoding`` and ``_row`` (the table row, or missing)."""
    docs = pd.DataFrame(rows, columns=["doc_id", "raw", "source", "encoding", "_row"])
    if table_ids is not None:  # a table's ids are typed by people: they repeat
        docs, repeated = _repeated_ids(docs, table_ids)
        bad.extend(repeated)
    garbled = docs["raw"].astype(str).map(_implausible)
    for _, row in docs.loc[garbled.notna()].iterrows():
        where = None if pd.isna(row["_row"]) else int(row["_row"])
        bad.append(_quarantine(row["source"], where, text_column, "", garbled[row.name]))
    docs = docs.loc[garbled.isna()]
    texts = [
        normalize_text(t, to_simplified=to_simplified)
        if normalize
        else _line_ends(_to_simplified(t) if to_simplified else t)
        for t in docs["raw"].astype(str)
    ]
    docs = docs.assign(text=pd.Series(texts, index=docs.index, dtype="str")).drop(columns=["raw"])
    empty = docs["text"].str.strip() == ""
    for _, row in docs.loc[empty].iterrows():
        where = None if pd.isna(row["_row"]) else int(row["_row"])
        bad.append(_quarantine(row["source"], where, text_column, "", "empty document"))
    return docs.loc[~empty]


def read_texts(
    path: str | PathLike[str],
    *,
    metadata: str | PathLike[str] | pd.DataFrame | None = None,
    id_column: str = "doc_id",
    file_column: str = "file",
    text_column: str | None = None,
    normalize: bool = True,
    to_simplified: bool = False,
    encoding: str | None = None,
) -> pd.DataFrame:
    """Read documents into memory: the ``engine="pandas"`` path of :func:`analysis.read_texts`.

    The parameters, result, errors and warnings are those of :func:`analysis.read_texts`.
    """
    root = Path(path)
    if not root.exists():
        raise InputError(f"{root}: no such file or folder", file=root)
    meta_from_table: pd.DataFrame | None = None
    if root.is_dir():
        files, others = folder_files(root, metadata)
        rows, bad = _documents_from_files(
            sorted(files + others), encoding=encoding, raise_errors=False
        )
    elif root.suffix.lower() in _TABLE_SUFFIXES:
        rows, meta_from_table = _documents_from_table(
            root, id_column=id_column, text_column=text_column, encoding=encoding
        )
        bad = []
    else:
        rows, bad = _documents_from_files([root], encoding=encoding, raise_errors=True)

    docs = plain_documents(
        rows,
        bad,
        text_column=text_column,
        normalize=normalize,
        to_simplified=to_simplified,
        table_ids=id_column if meta_from_table is not None else None,
    )

    meta_cols: list[str] = []
    if meta_from_table is not None:
        extra = meta_from_table.drop(columns=[c for c in (id_column,) if c in meta_from_table])
        extra = extra.loc[docs.index]
        meta_cols = [c for c in extra.columns if c not in docs.columns]
        docs = pd.concat([docs, extra[meta_cols]], axis=1)
    if metadata is not None:
        meta, meta_name = _load_metadata(metadata)
        docs, bad_meta = _join_metadata(
            docs,
            meta,
            meta_name,
            id_column=id_column,
            file_column=file_column,
            unread=unread_files(bad),
        )
        bad.extend(bad_meta)
        meta_cols += [c for c in docs.columns if c not in meta_cols and c not in _CORE]
    docs = _coerce_metadata(docs, meta_cols)
    docs = docs[["doc_id", "text", "source", "encoding", *meta_cols]].reset_index(drop=True)
    docs = docs.astype({"doc_id": "str", "text": "str", "source": "str"})

    quarantine = pd.DataFrame(bad, columns=list(QUARANTINE_COLUMNS))
    # plain values only: a frame inside attrs breaks pd.concat ("truth value ... ambiguous")
    docs.attrs["quarantine"] = [
        {k: (None if pd.isna(v) else v) for k, v in row.items()}
        for row in quarantine.astype(object).to_dict("records")
    ]
    if len(quarantine):
        warnings.warn(
            f"{location(root)}: {len(quarantine)} document(s) or metadata row(s) quarantined "
            f"(see analysis.text_quarantine(docs)): "
            + "; ".join(quarantine["problem"].astype(str).str.split("\n").str[0].unique()[:3]),
            DataQualityWarning,
            stacklevel=3,
        )
    if docs.empty:
        raise InputError(f"{root}: no readable, non-empty documents", file=root)
    logger.info("read %d documents from %s", len(docs), root)
    return docs


_CORE = ("doc_id", "text", "source", "encoding", "_row")


def text_quarantine(docs: pd.DataFrame) -> pd.DataFrame:
    """The documents and metadata rows :func:`read_texts` left out (see
    :func:`analysis.read_texts`), as a frame with columns ``file``, ``row``, ``column``,
    ``value``, ``problem``."""
    return pd.DataFrame(list(docs.attrs.get("quarantine", [])), columns=list(QUARANTINE_COLUMNS))
