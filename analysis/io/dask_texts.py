"""Documents into a ``dask.dataframe``: folders, globs and lists of files, table partitions.

:func:`read_texts_dask` is :func:`~analysis.io.text_files.read_texts` for corpora too big for
one machine's memory: the files are listed and the metadata is read here, the documents are
read lazily in partitions of about ``partition_bytes`` of files, each by the in-memory
reader's own steps (decoding, implausible and empty texts quarantined, normalisation, the
metadata join), so a partition holds exactly the rows the in-memory reader gives for its
files. :func:`dask_text_quarantine` gives what was left out, as a lazy frame.

Where the two readers can differ, and why: metadata columns are turned into numbers when
every value of the whole metadata table is a number (in memory: every value of the documents
kept), since a partition cannot see the others.
"""

from __future__ import annotations

import glob
from collections.abc import Sequence
from os import PathLike
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.core.distributed import require_dask
from analysis.core.errors import ConfigError, InputError
from analysis.io.text_files import (
    _TABLE_SUFFIXES,
    DOCUMENT_SUFFIXES,
    QUARANTINE_COLUMNS,
    _coerce_metadata,
    _documents_from_files,
    _join_metadata,
    _load_metadata,
    _quarantine,
    folder_files,
    is_system_file,
    plain_documents,
    read_texts,
    text_quarantine,
    unread_files,
)

__all__ = ["dask_text_quarantine", "read_texts_dask"]

_PARTITION_BYTES = 64 * 2**20


def _list_files(
    path: str | PathLike[str] | Sequence[str | PathLike[str]], metadata: Any = None
) -> list[Path]:
    """The files to read; in a folder, its other files too (read as documents, they are
    quarantined with their reason, as by the in-memory reader)."""
    if isinstance(path, str | PathLike):
        text = str(path)
        if any(c in text for c in "*?["):
            files = [Path(p) for p in sorted(glob.glob(text, recursive=True))]
        elif Path(text).is_dir():
            files = sorted(p for p in Path(text).iterdir() if p.is_file())
            if any(p.suffix.lower() in DOCUMENT_SUFFIXES for p in files):
                docs, others = folder_files(Path(text), metadata)
                return sorted(docs + others)
        elif Path(text).is_file():
            files = [Path(text)]
        else:
            raise InputError(f"{text}: no such file, folder or pattern", file=text)
    else:
        files = [Path(p) for p in path]
    known = (*DOCUMENT_SUFFIXES, *_TABLE_SUFFIXES, ".parquet")
    files = [p for p in files if p.suffix.lower() in known and not is_system_file(p)]
    if not files:
        raise InputError(
            f"{path}: no documents found; expected files ending in {', '.join(known)}", file=None
        )
    return files


def _partitions(files: list[Path], partition_bytes: int) -> list[list[Path]]:
    """Consecutive groups of files of about ``partition_bytes`` each (a file is never cut)."""
    groups: list[list[Path]] = [[]]
    size = 0
    for p in files:
        n = p.stat().st_size
        if groups[-1] and size + n > partition_bytes:
            groups.append([])
            size = 0
        groups[-1].append(p)
        size += n
    return groups


def _doc_ids(files: list[Path]) -> dict[str, str]:
    """File name -> document id, as the in-memory reader numbers them (a repeated stem
    gets the whole name), decided over all files, not per partition."""
    seen: set[str] = set()
    ids = {}
    for p in files:
        doc_id = p.stem if p.stem not in seen else p.name
        seen.add(doc_id)
        ids[p.name] = doc_id
    return ids


def _read_documents(
    files: list[Path],
    ids: dict[str, str],
    meta: pd.DataFrame | None,
    meta_name: str,
    extra_bad: list[dict[str, Any]],
    options: dict[str, Any],
) -> pd.DataFrame:
    """One partition: the in-memory reader's steps on ``files``, with their metadata rows."""
    rows, bad = _documents_from_files(files, encoding=options["encoding"], raise_errors=False)
    for row in rows:
        row["doc_id"] = ids[row["source"]]
    bad = [*extra_bad, *bad]
    docs = plain_documents(
        rows, bad, normalize=options["normalize"], to_simplified=options["to_simplified"]
    )
    meta_cols: list[str] = []
    if meta is not None:
        key = options["key"]
        names = {p.name for p in files} if key == options["file_column"] else set(ids.values())
        subset = meta.loc[meta[key].astype(str).isin(names)]
        docs, bad_meta = _join_metadata(
            docs,
            subset,
            meta_name,
            id_column=options["id_column"],
            file_column=options["file_column"],
            unread=unread_files(bad),
        )
        bad.extend(bad_meta)
        meta_cols = [
            c for c in docs.columns if c not in ("doc_id", "text", "source", "encoding", "_row")
        ]
    docs = docs[["doc_id", "text", "source", "encoding", *meta_cols]].reset_index(drop=True)
    docs = docs.astype({"doc_id": "str", "text": "str", "source": "str", "encoding": "object"})
    docs.attrs["quarantine"] = [
        {k: (None if pd.isna(v) else v) for k, v in r.items()}
        for r in pd.DataFrame(bad, columns=list(QUARANTINE_COLUMNS))
        .astype(object)
        .to_dict("records")
    ]
    return docs


def _read_table_partition(path: Path, options: dict[str, Any], prefix: bool) -> pd.DataFrame:
    """One partition: a table of documents (CSV/XLSX/XLS), read by the in-memory reader."""
    import warnings

    from analysis.core.errors import DataQualityWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)  # counted by dask_text_quarantine
        docs = read_texts(
            path,
            id_column=options["id_column"],
            text_column=options["text_column"],
            normalize=options["normalize"],
            to_simplified=options["to_simplified"],
            encoding=options["encoding"],
        )
    if prefix:  # row numbers repeat from file to file; the file name keeps ids unique
        docs["doc_id"] = path.name + ":" + docs["doc_id"]
    return docs


def _parquet_partition(part: pd.DataFrame, options: dict[str, Any]) -> pd.DataFrame:
    """One partition of a Parquet dataset of documents: checked and normalised."""
    text_column = options["text_column"] or "text"
    id_column = options["id_column"]
    rows = [
        {
            "doc_id": str(i),
            "raw": "" if pd.isna(t) else str(t),
            "source": "parquet",
            "encoding": None,
            "_row": None,
        }
        for i, t in zip(part[id_column], part[text_column], strict=True)
    ]
    bad: list[dict[str, Any]] = []
    docs = plain_documents(
        rows,
        bad,
        text_column=text_column,
        normalize=options["normalize"],
        to_simplified=options["to_simplified"],
    )
    extra = part.drop(columns=[id_column, text_column]).reset_index(drop=True).loc[docs.index]
    docs = pd.concat([docs.drop(columns=["_row"]), extra], axis=1).reset_index(drop=True)
    docs = docs.astype({"doc_id": "str", "text": "str", "source": "str", "encoding": "object"})
    docs.attrs["quarantine"] = bad
    return docs


def read_texts_dask(
    path: str | PathLike[str] | Sequence[str | PathLike[str]],
    *,
    metadata: str | PathLike[str] | pd.DataFrame | None = None,
    id_column: str = "doc_id",
    file_column: str = "file",
    text_column: str | None = None,
    normalize: bool = True,
    to_simplified: bool = False,
    encoding: str | None = None,
    partition_bytes: int = _PARTITION_BYTES,
) -> Any:
    """Read a corpus lazily into a ``dask.dataframe.DataFrame``, one row per document.

    Parameters
    ----------
    path
        A folder, a glob pattern (``"reports/**/*.txt"``) or a list of files: documents
        (``.txt``, ``.docx``, ``.pdf``), tables of documents (``.csv``, ``.xlsx``, ``.xls``:
        one partition per file) or a Parquet dataset (``.parquet`` files with ``id_column``
        and the text column, read by ``dask.dataframe.read_parquet``).
    metadata
        For documents: as in :func:`~analysis.read_texts`, read here (it is small).
    id_column, file_column, text_column, normalize, to_simplified, encoding
        As in :func:`~analysis.read_texts`.
    partition_bytes
        Bytes of document files per partition (default 64 MiB): a partition's texts, their
        tokens and counts must fit a worker's memory several times over.

    Returns
    -------
    dask.dataframe.DataFrame
        The columns of :func:`~analysis.read_texts`; :func:`dask_text_quarantine` gives the
        documents and metadata rows left out.

    Raises
    ------
    InputError
        Nothing to read, or the metadata cannot be matched.
    ConfigError
        Files of different kinds mixed, or metadata given for tables or Parquet (their own
        columns are the metadata).
    """
    dd = require_dask("read_texts_dask")
    files = _list_files(path, metadata)
    kinds = {
        "documents"
        if p.suffix.lower() not in (*_TABLE_SUFFIXES, ".parquet")
        else "parquet"
        if p.suffix.lower() == ".parquet"
        else "tables"
        for p in files
    }
    if len(kinds) > 1:
        raise ConfigError(
            f"read_texts_dask: {path} mixes {', '.join(sorted(kinds))}; read each kind on its own"
        )
    kind = kinds.pop()
    options = {
        "id_column": id_column,
        "file_column": file_column,
        "text_column": text_column,
        "normalize": normalize,
        "to_simplified": to_simplified,
        "encoding": encoding,
    }
    if kind != "documents" and metadata is not None:
        raise ConfigError(
            f"read_texts_dask: metadata is for document files; the {kind} of {path} "
            "carry their own columns"
        )
    if kind == "parquet":
        frame = dd.read_parquet([str(p) for p in files])
        missing = [c for c in (id_column, text_column or "text") if c not in frame.columns]
        if missing:
            raise InputError(
                f"{files[0].parent}: the Parquet dataset has no column(s) "
                f"{', '.join(map(repr, missing))}",
                column=missing[0],
            )
        meta = _parquet_partition(frame._meta_nonempty.head(1), options).iloc[:0]
        return frame.map_partitions(_parquet_partition, options, meta=meta)
    if kind == "tables":
        prefix = len(files) > 1
        first = _read_table_partition(files[0], options, prefix)
        return dd.from_map(
            _read_table_partition,
            files,
            args=(options, prefix),
            meta=first.iloc[:0],
            enforce_metadata=False,
        )

    ids = _doc_ids(files)
    meta_frame, meta_name, extra_bad = None, "metadata", []
    if metadata is not None:
        meta_frame, meta_name = _load_metadata(metadata)
        if file_column in meta_frame.columns:
            key, known = file_column, set(ids)
        elif id_column in meta_frame.columns:
            key, known = id_column, set(ids.values())
        else:
            raise InputError(
                f"{meta_name}: needs a {file_column!r} or {id_column!r} column to match documents; "
                f"got {', '.join(map(repr, meta_frame.columns))}",
                file=meta_name,
            )
        keys = meta_frame[key].astype(str)
        dup = keys.duplicated(keep="first")
        for i in keys.index[dup]:
            extra_bad.append(
                _quarantine(meta_name, int(i) + 2, key, keys[i], "duplicate metadata row")
            )
        for i in keys.index[~dup & ~keys.isin(known)]:
            extra_bad.append(_quarantine(meta_name, int(i) + 2, key, keys[i], "no such document"))
        meta_frame = meta_frame.loc[~dup]
        other = [c for c in meta_frame.columns if c not in (id_column, file_column)]
        meta_frame = _coerce_metadata(meta_frame, other)
        options["key"] = key
    groups = _partitions(files, partition_bytes)
    args = [
        (g, ids, meta_frame, meta_name, extra_bad if i == 0 else [], options)
        for i, g in enumerate(groups)
    ]
    empty = _read_documents([], ids, meta_frame, meta_name, [], options)
    return dd.from_map(_call, args, meta=empty, enforce_metadata=False)


def _call(args: tuple[Any, ...]) -> pd.DataFrame:
    return _read_documents(*args)


def dask_text_quarantine(docs: Any) -> Any:
    """The documents and metadata rows :func:`read_texts_dask` left out, as a lazy frame.

    Takes the frame :func:`read_texts_dask` returned, before any other operation on it (the
    records travel with its partitions). Computing it reads the files again; compute it with
    the documents (``dask.compute(docs, quarantine)``) to read them once.
    """
    require_dask("dask_text_quarantine")
    meta = pd.DataFrame(columns=list(QUARANTINE_COLUMNS)).astype(object)
    return docs.map_partitions(text_quarantine, meta=meta, enforce_metadata=False)
