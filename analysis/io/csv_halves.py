"""Read a large CSV export as two halves, each parsed by pyarrow on its own thread.

pyarrow's multi-threaded CSV reader costs about a third more CPU than one thread: where a
quoted cell may hold a line break, it first reads the whole file through to find where
rows end. Cutting the file once, near the middle, at a line break that ends a row, gives
two single-threaded reads that run side by side for the CPU of one.

Where a row ends. Without quotes that may hold line breaks, every line break ends a row.
Otherwise a line break ends a row when an even number of quote characters stands before
it, provided every quote in the first half opens or closes a quoted cell. That holds
exactly when no cell of the first half, as pyarrow reads it, holds a quote character (an
escaped ``""``, a quote inside an unquoted cell or after a closing quote each leave one in
the cell): this is checked on the read, and otherwise, or when either half fails to read,
the caller reads the file whole. The two halves give the same cells as the whole file: each
chunk's dictionary lists the cells in order of first appearance, as before.
"""

from __future__ import annotations

import mmap
import threading
from typing import Any

import numpy as np
import pyarrow as pa

__all__ = ["SPLIT_BYTES", "read_halves"]

#: Files from this size on are read as two halves.
SPLIT_BYTES = 32 << 20
_COUNT_STEP = 1 << 20
_MAX_TRIES = 64


def _quotes(data: bytes | mmap.mmap, start: int, end: int) -> int:
    """Quote characters in ``data[start:end]``, counted a megabyte at a time in place
    (slicing a mapped file would copy it)."""
    view = np.frombuffer(data, dtype=np.uint8)
    n = 0
    for at in range(start, end, _COUNT_STEP):
        n += int(np.count_nonzero(view[at : min(at + _COUNT_STEP, end)] == 0x22))
    return n


def split_point(data: bytes | mmap.mmap, *, quoted: bool) -> int | None:
    """The offset just past a line break near the middle of ``data`` with an even number
    of quotes before it (any line break when ``quoted`` is False), between two lines that
    are not empty (an empty line stays inside a half, read as the whole file reads it), or
    None."""
    at = data.find(b"\n", len(data) // 2)
    odd = _quotes(data, 0, at) % 2 if quoted and at >= 0 else 0
    for _ in range(_MAX_TRIES):
        if at < 0:
            return None
        if not odd and _between_lines(data, at):
            return at + 1
        nxt = data.find(b"\n", at + 1)
        if quoted and nxt >= 0:
            odd ^= _quotes(data, at, nxt) % 2
        at = nxt
    return None


def _between_lines(data: bytes | mmap.mmap, at: int) -> bool:
    """The line break at ``at`` ends a line that is not empty and starts one that is not."""
    end = at - 1 if at > 0 and data[at - 1 : at] == b"\r" else at
    before = data[end - 1 : end] if end > 0 else b""
    return before not in (b"", b"\n", b"\r") and data[at + 1 : at + 2] not in (b"\n", b"\r")


def _holds_quote(table: pa.Table) -> bool:
    """Whether any cell (any dictionary entry) of ``table`` holds a quote character."""
    import pyarrow.compute as pc

    for column in table.columns:
        dictionaries = [chunk.dictionary for chunk in column.chunks]
        try:  # one look per column: a call per chunk costs more than the search
            parts = [pa.concat_arrays(dictionaries)] if dictionaries else []
        except pa.ArrowInvalid:  # over 2 GB of cells: chunk by chunk
            parts = dictionaries
        if any(pc.any(pc.match_substring(part, '"')).as_py() for part in parts):
            return True
    return False


def read_halves(
    data: bytes | mmap.mmap, options: dict[str, Any], *, quoted: bool
) -> pa.Table | None:
    """The CSV bytes read by ``pyarrow.csv.read_csv(**options)`` as two halves in two
    threads, or None when the file is small, no row can be shown to end near the middle,
    or a half does not read (the caller then reads the file whole). Columns must be read
    as ``dictionary<int32, binary>``, so that cells can be checked for quotes."""
    import pyarrow.csv as pacsv

    if len(data) < SPLIT_BYTES:
        return None
    cut = split_point(data, quoted=quoted)
    if cut is None or cut >= len(data):
        return None
    whole = pa.py_buffer(data)
    tables: list[pa.Table | None] = [None, None]

    def read(i: int, part: pa.Buffer) -> None:
        try:
            tables[i] = pacsv.read_csv(pa.BufferReader(part), **options)
        except (pa.ArrowException, UnicodeError, LookupError, TypeError, AttributeError):
            tables[i] = None

    second = threading.Thread(target=read, args=(1, whole.slice(cut)), daemon=True)
    second.start()
    read(0, whole.slice(0, cut))
    second.join()
    first, rest = tables
    if first is None or rest is None or first.schema != rest.schema:
        return None
    if quoted and _holds_quote(first):
        return None
    return pa.concat_tables([first, rest])
