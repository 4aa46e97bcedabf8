"""CSV text as ``DataFrame.to_csv(index=False, lineterminator="\\n")`` writes it, built faster.

pandas turns every cell into a string and hands the rows to Python's csv writer one by one:
about 2 s for the 700,000 score rows of a city-scale run. Here each column is factorised, its
distinct values are turned into text once (floats by the same numpy conversion pandas uses,
text quoted by Python's csv writer itself when it holds a delimiter, a quote or a line break,
missing values empty), and the rows are joined from the codes.

:func:`csv_chunks` returns ``None`` for a frame it does not cover, and the caller writes with
pandas: a single column (the csv writer quotes a lone empty field), labels that are not text,
and columns other than text, float64, integers and booleans (object columns count as text when
every value present is a ``str``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = ["csv_chunks"]

# the characters that can make Python's csv writer quote a field (with "\n" as line end);
# a text holding none is written as it is, one holding any goes through the writer
_SPECIAL = '[,"\n\r]'


def _csv_field(value: str) -> str:
    """``value`` as pandas' csv writer writes it in a row of several fields."""
    buffer = io.StringIO()
    writer = csv.writer(
        buffer, lineterminator="\n", delimiter=",", quotechar='"', quoting=csv.QUOTE_MINIMAL
    )
    writer.writerow([value, ""])
    return buffer.getvalue()[: -len(",\n")]


def _text_values(column: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    import numpy as np
    import pandas as pd

    if column.dtype.kind == "O":
        kind = pd.api.types.infer_dtype(column, skipna=True)
        if kind not in ("string", "empty"):
            return None
    elif not isinstance(column.dtype, pd.StringDtype):
        return None
    import pyarrow as pa
    import pyarrow.compute as pc

    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    text = pd.Series(uniques, dtype=object).to_numpy(dtype=object, copy=True)
    # looked for by Arrow in one pass (a Python regex call per distinct text costs more)
    found = pc.match_substring_regex(pa.array(text, type=pa.string()), _SPECIAL)
    special = found.to_numpy(zero_copy_only=False)
    for i in np.flatnonzero(special):
        text[i] = _csv_field(text[i])
    return codes, np.append(text, "")  # code -1, a missing value, picks the last: ""


def _column_values(column: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """Codes into the column's distinct texts, and those texts (the last one for -1)."""
    import numpy as np
    import pandas as pd

    dtype = column.dtype
    if not isinstance(dtype, np.dtype):
        return _text_values(column) if isinstance(dtype, pd.StringDtype) else None
    values = column.to_numpy()
    if dtype == np.float64:
        # distinct bit patterns, so 0.0 and -0.0 stay apart; every NaN is written empty
        codes, bits = pd.factorize(values.view(np.int64))
        floats = bits.view(np.float64)
        text = floats.astype(str).astype(object)  # what pandas does: values.astype(str)
        text[np.isnan(floats)] = ""
        return codes, text
    if dtype.kind in "iu":
        codes, uniques = pd.factorize(values)
        return codes, np.array([str(v) for v in uniques.tolist()], dtype=object)
    if dtype.kind == "b":
        return values.astype(np.int8), np.array(["False", "True"], dtype=object)
    if dtype.kind == "O":
        return _text_values(column)
    return None


def csv_chunks(frame: pd.DataFrame, *, rows: int = 50_000) -> Iterator[str] | None:
    """The CSV text of ``frame`` (header first, no index, ``\\n`` line ends) in pieces.

    Concatenated, the pieces are exactly ``frame.to_csv(index=False, lineterminator="\\n")``.
    Returns ``None`` when the frame is not one this covers (see the module docstring).

    Parameters
    ----------
    frame : DataFrame
    rows : int
        Rows per piece, which bounds the memory the text takes at once.
    """
    labels = list(frame.columns)
    if len(labels) < 2 or not all(isinstance(label, str) for label in labels):
        return None
    columns = []
    for i in range(len(labels)):
        values = _column_values(frame.iloc[:, i])
        if values is None:
            return None
        columns.append(values)
    header = ",".join(_csv_field(label) for label in labels) + "\n"
    return _chunks(header, columns, len(frame), rows)


def _chunks(
    header: str, columns: list[tuple[np.ndarray, np.ndarray]], n: int, rows: int
) -> Iterator[str]:
    yield header
    for start in range(0, n, rows):
        cells = [text[codes[start : start + rows]].tolist() for codes, text in columns]
        yield "\n".join(map(",".join, zip(*cells, strict=True))) + "\n"
