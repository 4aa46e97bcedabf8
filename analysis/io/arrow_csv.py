"""Read a CSV export with pyarrow, every column dictionary-encoded.

Each parse runs on one thread; a large UTF-8 or GB export is read as two halves side by
side (:mod:`analysis.io.csv_halves`).

:func:`read_csv_arrow` is the fast path behind :func:`analysis.io.tabular.read_raw_table`
for CSV files. It gives the same cells, encodings, errors and row numbers as the pandas
reader it stands in front of, or it gives up (returns None) and the pandas reader reads the
file as before. It gives up when:

- the encoding cannot be told from the first megabyte (a GB file whose first megabyte is
  ASCII), or the text does not decode (cells are read as bytes and each chunk's distinct
  cells checked as UTF-8, or decoded strictly from GB18030/GBK, whose characters never
  hold a quote, line break or separator byte; other encodings are transcoded by
  pyarrow's reader with Python's strict decoder as the file is read);
- a row has more or fewer cells than the header (the pandas reader pads short rows and
  words the error about long ones);
- anything else pyarrow refuses (unbalanced quotes, ...).

An empty line is a row of empty cells, as the pandas reader reads it (a blank row, left
out and counted, the rows below keeping their numbers). Every column is read as
``dictionary<int32, utf8>``: a survey answer column holds a handful of labels, so trimming
and recoding work on the labels, once each, and the rows are only indices into them. Rows
are numbered as records, as pandas and Excel count them: a quoted cell spanning several
lines is one row.
"""

from __future__ import annotations

import codecs
import csv
import io
import mmap
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from analysis.io.csv_halves import read_halves

__all__ = ["ArrowColumn", "ArrowCsv", "read_csv_arrow"]

_BOM = b"\xef\xbb\xbf"
_HEAD_BYTES = 1 << 20
#: Columns as the rest of the toolkit takes them; pyarrow reads bytes, cast to this once
#: read (each chunk's dictionary checked as UTF-8 and taken as text).
_TEXT = pa.dictionary(pa.int32(), pa.string())


@dataclass(frozen=True)
class ArrowColumn:
    """One column of the body, as pyarrow read it: dictionary-encoded chunks.

    Attributes
    ----------
    chunks
        ``dictionary<int32, utf8>`` arrays, one per chunk pyarrow read, body rows only
        (the header row is left out). Each chunk has its own dictionary; cells are not
        trimmed yet.
    all_empty
        Every body cell is exactly "" before trimming (asked only under an empty header
        cell, False elsewhere): such a column at the right edge is left out, as by the
        pandas reader.
    """

    chunks: tuple[pa.DictionaryArray, ...]
    all_empty: bool

    @property
    def n_labels(self) -> int:
        """Dictionary entries over all chunks: an upper bound of the distinct cells."""
        return sum(len(c.dictionary) for c in self.chunks)

    def text(self) -> pa.ChunkedArray:
        """The body cells, trimmed, as ``large_string`` (the storage of pandas' ``str``
        dtype): each chunk's dictionary trimmed, then taken by index."""

        return pa.chunked_array(
            [_trimmed(c.dictionary).cast(pa.large_string()).take(c.indices) for c in self.chunks],
            type=pa.large_string(),
        )

    def categorical(self, scratch: np.ndarray | None = None) -> pd.Categorical:
        """The body cells, trimmed, as a pandas Categorical: one small integer per row,
        each distinct cell once (the chunks' dictionaries unified, labels equal once
        trimmed merged). ``scratch``: an integer array of at least as many rows, reused
        for the row indices (one buffer for every column, not a fresh one each)."""
        if not self.chunks:
            return pd.Categorical([], categories=pd.Index([], dtype="str"))
        unified = pa.chunked_array(self.chunks).unify_dictionaries()
        labels = np.array(_trimmed(unified.chunk(0).dictionary).to_pylist(), dtype=object)
        n = sum(len(c) for c in unified.chunks)
        if scratch is None or len(scratch) < n or scratch.dtype != np.intp:
            scratch = np.empty(n, dtype=np.intp)
        codes = scratch[:n]
        np.concatenate([_indices(c) for c in unified.chunks], out=codes)
        # every entry of a chunk's dictionary is a cell of that chunk, but for the header
        # cell: the first entry of the first chunk's (the chunk it was sliced from), the
        # first of the unified dictionary; it is a label only if a body cell holds it too
        used = np.ones(len(labels), dtype=bool)
        used[0] = bool((codes == 0).any())
        merged, uniques = pd.factorize(labels[used])
        remap = np.full(len(labels), -1, dtype=np.min_scalar_type(-max(len(uniques), 1)))
        remap[used] = merged
        dtype = pd.CategoricalDtype(pd.Index(uniques, dtype="str"))
        rows = np.take(remap, codes)  # a fresh array: the scratch is used again
        return pd.Categorical.from_codes(rows, dtype=dtype, validate=False)


def _trimmed(labels: pa.Array) -> pa.Array:
    """Labels trimmed as the pandas reader trims cells (``str.strip`` on Arrow text is
    ``utf8_trim_whitespace``)."""
    import pyarrow.compute as pc

    return pc.utf8_trim_whitespace(labels)


def _indices(chunk: pa.DictionaryArray) -> np.ndarray:
    return chunk.indices.to_numpy(zero_copy_only=False)


@dataclass(frozen=True)
class ArrowCsv:
    """A CSV file read by pyarrow: header cells (untrimmed, as in the file) and columns."""

    header: list[str]
    columns: list[ArrowColumn]
    n_rows: int


def head_text(data: bytes | mmap.mmap, encoding: str | None) -> tuple[str, str] | None:
    """The likely encoding of ``data`` and its first characters, from the first megabyte.

    Mirrors the order of :func:`analysis.io.encoding.decode_bytes` (utf-8-sig with a BOM,
    then utf-8, then gb18030), but only the head is decoded: the rest is checked as it is
    read (UTF-8 once per distinct cell of a chunk; other encodings are transcoded
    strictly). None when even the head does not decode, or the encoding is unknown: the
    caller's checks apply.
    """
    if encoding is not None:
        candidates: tuple[str, ...] = (encoding,)
    elif data[: len(_BOM)] == _BOM:
        candidates = ("utf-8-sig",)
    else:
        candidates = ("utf-8", "gb18030")
    head = data[:_HEAD_BYTES]
    final = len(data) <= _HEAD_BYTES
    for enc in candidates:
        try:
            text = codecs.getincrementaldecoder(enc)(errors="strict").decode(head, final=final)
        except (UnicodeDecodeError, LookupError):
            continue
        return enc, text
    return None


def _is_utf8(encoding: str) -> bool:
    return codecs.lookup(encoding).name in {"utf-8", "utf-8-sig"}


def _n_columns(head: str, sep: str) -> int | None:
    try:
        first = next(csv.reader(io.StringIO(head.lstrip("\ufeff")), delimiter=sep))
    except (StopIteration, csv.Error):
        return None
    return len(first)


#: Encodings whose multi-byte characters never hold a byte below 0x30: quote, line breaks
#: and the usual separators (comma, tab, semicolon) stand for themselves in the bytes.
_GB = {"gb18030", "gbk", "gb2312"}


def _splits_as_bytes(encoding: str, sep: str) -> bool:
    """GB text whose separator cannot be part of a character: cells are found in the bytes
    (trail bytes of GB18030 are 0x30-0x39 and 0x40-0xFE), then decoded one distinct cell
    at a time."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return False
    return name in _GB and len(sep) == 1 and (ord(sep) < 0x30 or 0x3A <= ord(sep) < 0x40)


def _gb_cells(column: pa.ChunkedArray, encoding: str, decoded: dict[bytes, str]) -> pa.ChunkedArray:
    """A column of GB bytes as text: each chunk's dictionary decoded (strictly, as the
    whole file would be: cells are split at bytes no character contains), a cell seen
    before taken from ``decoded``. ASCII is the same bytes in UTF-8: a column of ASCII
    chunks (ids, numbers) comes back as it is. Raises ``UnicodeDecodeError``."""
    ascii_only = [_is_ascii(chunk.dictionary) for chunk in column.chunks]
    if all(ascii_only):
        return column
    chunks = []
    for chunk, plain in zip(column.chunks, ascii_only, strict=True):
        if plain:
            chunks.append(chunk.cast(_TEXT))
            continue
        texts = []
        for cell in chunk.dictionary.to_pylist():
            text = decoded.get(cell)
            if text is None:
                text = decoded[cell] = cell.decode(encoding)
            texts.append(text)
        chunks.append(pa.DictionaryArray.from_arrays(chunk.indices, pa.array(texts, pa.string())))
    return pa.chunked_array(chunks, type=_TEXT)


def _is_ascii(values: pa.Array) -> bool:
    data = values.buffers()[2]
    return data is None or bytes(data).isascii()


def _quotes_may_hold_newlines(data: bytes | mmap.mmap) -> bool:
    """Whether a quoted cell may span lines. Not when no quote follows the first line and
    the first line's quotes close on it (no line break inside them): then pyarrow may split
    the file into blocks at any line break, without reading it through for quotes first.
    """
    end = data.find(b"\n")
    if end < 0:
        return True
    first = data[:end]
    if first.count(b'"') % 2 or b"\r" in first.rstrip(b"\r"):
        return True
    return data.find(b'"', end) >= 0


def read_csv_arrow(
    data: bytes | mmap.mmap, *, encoding: str, head: str, sep: str
) -> ArrowCsv | None:
    """Read CSV bytes with pyarrow, every cell text; None when the pandas reader must.

    Parameters
    ----------
    data
        The file's bytes (or the file mapped into memory).
    encoding
        The encoding :func:`head_text` found (or the caller forced).
    head
        The first characters of the file, decoded.
    sep
        The column separator.

    Returns
    -------
    ArrowCsv or None
        None when pyarrow cannot read the file exactly as the pandas reader would (see
        the module docstring): the caller reads it the usual way.
    """
    import pyarrow.csv as pacsv

    utf8 = _is_utf8(encoding)
    if not utf8 and head.startswith("\ufeff"):  # pyarrow would drop a decoded BOM
        return None
    n = _n_columns(head, sep)
    if not n:
        return None
    names = [f"f{j}" for j in range(n)]
    # cells are read as bytes: UTF-8 is checked once per distinct cell of a chunk (its
    # dictionary entry), not once per cell, when the dictionaries become text below
    dictionary = pa.dictionary(pa.int32(), pa.binary())
    # GB text is split into cells as bytes and each distinct cell decoded (see _gb_cells);
    # other encodings are transcoded by pyarrow as it reads (Python's strict incremental
    # decoder, block by block): a byte that does not decode raises, and the pandas reader
    # then words the error
    gb = not utf8 and _splits_as_bytes(encoding, sep)
    options = {
        "read_options": pacsv.ReadOptions(
            # one thread per parse: pyarrow's threaded reader costs about a third more
            # CPU (with quotes that may hold line breaks it reads the file through first
            # to find where rows end); a large file is read as two halves instead
            use_threads=False,
            column_names=names,
            encoding="utf8" if utf8 or gb else encoding,
        ),
        "parse_options": pacsv.ParseOptions(
            delimiter=sep,
            quote_char='"',
            double_quote=True,
            escape_char=False,
            newlines_in_values=_quotes_may_hold_newlines(data),
            ignore_empty_lines=False,
        ),
        "convert_options": pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, dictionary),
            check_utf8=False,
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
            null_values=[],
        ),
        # the C library's allocator: on a fresh process it costs a third less CPU for
        # this read than pyarrow's default (mimalloc), which pays for first touch
        "memory_pool": pa.system_memory_pool(),
    }
    table = None
    if utf8 or gb:  # a line break byte is a line break: the bytes may be cut at one
        table = read_halves(data, options, quoted=options["parse_options"].newlines_in_values)
    if table is None:
        try:
            table = pacsv.read_csv(pa.BufferReader(pa.py_buffer(data)), **options)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, UnicodeError, LookupError):
            return None
        except (TypeError, AttributeError):  # a codec that gives no text (bytes to bytes)
            return None
    if table.num_rows == 0 or any(f.type != dictionary for f in table.schema):
        return None
    import pyarrow.compute as pc

    header: list[str] = []
    columns: list[ArrowColumn] = []
    decoded: dict[bytes, str] = {}  # GB cells decoded so far, over every column
    for _ in range(table.num_columns):
        column = table.column(0)
        try:  # text that does not decode (the pandas reader then words the error)
            if gb:
                column = _gb_cells(column, encoding, decoded)
            chunks = [c for c in column.cast(_TEXT).chunks if len(c)]
        except (pa.ArrowInvalid, UnicodeDecodeError):
            return None
        table = table.remove_column(0)  # the table is emptied as columns are taken
        first = chunks[0]
        header.append(first.dictionary[first.indices[0].as_py()].as_py())
        body = tuple(c for c in (first.slice(1), *chunks[1:]) if len(c))
        all_empty = False
        if not header[-1].strip():  # only a column under an empty header cell is asked
            all_empty = all(
                bool(np.asarray(pc.equal(c.dictionary, ""), dtype=bool)[_indices(c)].all())
                for c in body
            )
        columns.append(ArrowColumn(chunks=body, all_empty=all_empty))
    n_rows = sum(len(c) for c in columns[0].chunks)
    return ArrowCsv(header=header, columns=columns, n_rows=n_rows)
