"""The public reader of documents: :func:`read_texts` and :func:`text_quarantine`.

Chooses the engine: :mod:`analysis.io.text_files` reads into memory,
:mod:`analysis.io.dask_texts` reads lazily into a Dask frame (loaded only when asked for,
so the in-memory path never imports Dask).
"""

from __future__ import annotations

from collections.abc import Sequence
from os import PathLike
from typing import Any, Literal

import pandas as pd

from analysis.core.distributed import is_dask_frame
from analysis.core.errors import ConfigError, check_option
from analysis.io.text_files import read_texts as read_in_memory
from analysis.io.text_files import text_quarantine as quarantine_in_memory

__all__ = ["read_texts", "text_quarantine"]


def read_texts(
    path: str | PathLike[str] | Sequence[str | PathLike[str]],
    *,
    metadata: str | PathLike[str] | pd.DataFrame | None = None,
    id_column: str = "doc_id",
    file_column: str = "file",
    text_column: str | None = None,
    normalize: bool = True,
    to_simplified: bool = False,
    encoding: str | None = None,
    engine: Literal["pandas", "dask"] = "pandas",
    partition_bytes: int = 64 * 2**20,
) -> Any:
    """Read documents into a frame, one row per document.

    Parameters
    ----------
    path
        A folder (every ``.txt``, ``.docx`` and ``.pdf`` inside, sorted by name, not
        recursive; a .docx gives its paragraphs, then its tables one row a line with cells
        separated by ``" | "``), one such file, or a ``.csv``/``.xlsx``/``.xls`` table with
        one document per row (e.g. a survey's open-ended answers).
    metadata
        A CSV/XLSX/XLS file or a DataFrame with one row per document, matched on the file name
        (column ``file_column``) when it has that column, else on ``id_column``. Its other
        columns are joined to the documents; columns holding only numbers become numbers.
    id_column
        Column holding document ids in the metadata or in a table of texts. Without it, a
        file's id is its name without extension and a table row's id is its row number.
    file_column
        Column of the metadata holding file names.
    text_column
        Column holding the text when ``path`` is a table (default ``"text"``).
    normalize
        Normalise the text (see :func:`normalize_text`). Without normalisation only line
        ends are unified.
    to_simplified
        Convert traditional characters to simplified in the stored text (OpenCC; scoring
        converts in any case, see :class:`~analysis.text.segment.Segmenter`).
    encoding
        Encoding of text files; detected (UTF-8 with or without BOM, GB18030/GBK) if None.
    engine
        ``"pandas"`` (default) reads everything now into memory. ``"dask"`` returns a lazy
        ``dask.dataframe.DataFrame`` with the same columns and values, for corpora larger
        than memory (needs ``pip install "analysis[dask]"``): ``path`` may then also be a
        glob pattern, a list of files, several tables of documents (one partition each) or
        a Parquet dataset; see :func:`analysis.io.dask_texts.read_texts_dask`.
    partition_bytes
        With ``engine="dask"``: bytes of document files per partition.

    Returns
    -------
    pandas.DataFrame or dask.dataframe.DataFrame
        Columns ``doc_id`` (str), ``text`` (str, normalised), ``source`` (file name),
        ``encoding`` (detected encoding of a text file or CSV, missing for .docx/.pdf/.xlsx),
        then the metadata columns. ``attrs["quarantine"]`` holds the documents left out
        (empty after normalisation, unreadable, without a metadata row) and the metadata rows
        without a document, as plain records (so ``pd.concat`` and copies of the frame keep
        working); :func:`text_quarantine` gives them as a frame with columns ``file``,
        ``row``, ``column``, ``value``, ``problem``.

    Raises
    ------
    InputError
        ``path`` does not exist or has no documents; a single file given as ``path`` cannot
        be read (for example a scanned PDF without a text layer); the table has no text
        column; the metadata cannot be matched. In a folder an unreadable file is
        quarantined instead, so one bad file does not stop a batch.
    ConfigError
        ``to_simplified=True`` with OpenCC missing (a broken installation).

    Warns
    -----
    DataQualityWarning
        When anything was quarantined, with the count.

    Examples
    --------
    >>> docs = read_texts("data/raw/demo/texts", metadata="data/raw/demo/texts.csv")
    ... # doctest: +SKIP
    """
    check_option("engine", engine, ("pandas", "dask"), owner="read_texts")
    options: dict[str, Any] = {
        "metadata": metadata,
        "id_column": id_column,
        "file_column": file_column,
        "text_column": text_column,
        "normalize": normalize,
        "to_simplified": to_simplified,
        "encoding": encoding,
    }
    if engine == "dask":
        from analysis.io.dask_texts import read_texts_dask

        return read_texts_dask(path, partition_bytes=partition_bytes, **options)
    if not isinstance(path, (str, PathLike)):
        raise ConfigError("read_texts: a list of files needs engine='dask'; give a folder")
    return read_in_memory(path, **options)


def text_quarantine(docs: Any) -> Any:
    """The documents and metadata rows :func:`read_texts` left out, with the reason.

    Returns
    -------
    pandas.DataFrame or dask.dataframe.DataFrame
        Columns ``file``, ``row``, ``column``, ``value``, ``problem``; empty when nothing
        was left out (or ``docs`` did not come from :func:`read_texts`). For a Dask frame
        from ``read_texts(..., engine="dask")`` a lazy frame (see
        :func:`analysis.io.dask_texts.dask_text_quarantine`).
    """
    if is_dask_frame(docs):
        from analysis.io.dask_texts import dask_text_quarantine

        return dask_text_quarantine(docs)
    return quarantine_in_memory(docs)
