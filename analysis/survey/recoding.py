"""Recode answer columns label by label, and the rows of the quarantine table.

An answer column holds a handful of distinct labels among many rows. Each column is
factorized (by the Arrow CSV reader while it reads, see
:meth:`analysis.io.tabular.RawTable.factorize`, or by :func:`pandas.factorize`), each
distinct label is recoded once (:func:`label_table`), and the rows take their number,
missing kind and problem flag by index. :func:`analysis.survey.reading.recode` assembles
the columns into :class:`~analysis.survey.reading.SurveyData`, whose missing kinds stay
codes (:class:`MissingKinds`) until they are first read; :func:`repeated_rows` finds ids
that repeat.
"""

from __future__ import annotations

import unicodedata
from typing import Any

import numpy as np
import pandas as pd

from analysis.io.tabular import RawTable
from analysis.survey.codebook import Codebook, Item

__all__ = [
    "KIND_NAMES",
    "FrameOnDemand",
    "MissingKinds",
    "empty_quarantine",
    "expected",
    "label_table",
    "nfkc",
    "problem_rows",
    "repeated_rows",
]

#: missing kinds by code: 0 answered, 1 skipped, 2 no_answer
KIND_NAMES = np.array([None, "skipped", "no_answer"], dtype=object)


class MissingKinds:
    """Missing-kind codes of a survey's items (respondents x items, int8: 0 answered,
    1 skipped, 2 no_answer), kept until the frame of names is asked for.

    The frame holds one Python object per cell (200 MB for a million respondents x 25
    items, about a tenth of a reading's time to build); most analyses never look at it.
    """

    __slots__ = ("codes", "columns")

    def __init__(self, codes: np.ndarray, columns: list[str]) -> None:
        self.codes = codes
        self.columns = columns

    def frame(self) -> pd.DataFrame:
        """The frame of names (``"skipped"``, ``"no_answer"`` or None), dtype object."""
        return pd.DataFrame(KIND_NAMES[self.codes], columns=self.columns, dtype=object, copy=False)

    def __getstate__(self) -> tuple[np.ndarray, list[str]]:
        return self.codes, self.columns

    def __setstate__(self, state: tuple[np.ndarray, list[str]]) -> None:
        self.codes, self.columns = state


class FrameOnDemand:
    """A data descriptor for a frozen dataclass field holding a DataFrame, or a
    :class:`MissingKinds` made into one (and kept) the first time the field is read."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: type | None = None) -> pd.DataFrame:
        if obj is None:  # no class-level default: the dataclass field stays required
            raise AttributeError(self.name)
        value = obj.__dict__[self.name]
        if isinstance(value, MissingKinds):
            value = obj.__dict__[self.name] = value.frame()
        return value

    def __set__(self, obj: Any, value: pd.DataFrame | MissingKinds) -> None:
        # reached only from the dataclass's own __init__: a frozen instance refuses
        # assignment before any descriptor is asked
        obj.__dict__[self.name] = value


def nfkc(value: Any) -> str:
    """A cell as compared with labels and missing codes: NFKC-normalised and trimmed, so
    full-width and half-width forms match (（跳过） is (跳过), ４ is 4)."""
    return unicodedata.normalize("NFKC", str(value)).strip()


def label_table(
    labels: np.ndarray | pd.Index | Any, item: Item, cb: Codebook
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Number, missing kind and problem flag of each distinct label of an item column.

    Parameters
    ----------
    labels
        The column's distinct cells (text).
    item, cb
        The item and its codebook (scale, missing codes, reverse wording).

    Returns
    -------
    (numbers, kinds, bad)
        Arrays of ``len(labels) + 1``: the last slot is for a missing cell (code -1):
        float numbers (NaN when not an answer; reverse items reversed), missing kinds
        (0 answered, 1 skipped, 2 no_answer) and the off-scale flag.
    """
    scale = cb.scale_of(item)
    nu = len(labels)
    nums = np.full(nu + 1, np.nan)
    kinds = np.zeros(nu + 1, dtype=np.int8)
    bad = np.zeros(nu + 1, dtype=bool)
    kinds[nu] = 2  # NaN sentinel (-1 indexes the last slot)
    allowed = {float(v) for v in scale.values}
    skipped = {nfkc(v) for v in cb.missing.get("skipped", ())}
    no_answer = {nfkc(v) for v in cb.missing.get("no_answer", ())}
    by_label = {nfkc(k): v for k, v in scale.labels.items()}
    for j, u in enumerate(labels):
        s = nfkc(u)
        if s in skipped:
            kinds[j] = 1
        elif s in no_answer or s == "":
            kinds[j] = 2
        elif s in by_label:
            nums[j] = by_label[s]
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
    return nums, kinds, bad


def recode_item(
    values: pd.Series,
    item: Item,
    cb: Codebook,
    *,
    factorized: tuple[np.ndarray, np.ndarray] | None = None,
    out: tuple[np.ndarray, np.ndarray] | None = None,
    scratch: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Recode one item column: each distinct label once, then the rows by index.

    Parameters
    ----------
    values
        The column's cells (text).
    item, cb
        The item and its codebook.
    factorized
        ``(codes, labels)`` of ``values`` when already known (see
        :meth:`~analysis.io.tabular.RawTable.factorize`); otherwise computed here.
    out
        Arrays (float64, int8) to write numbers and kinds into, e.g. columns of the
        survey's item block: no temporary per column.
    scratch
        An ``intp`` array as long as ``values``, used for the row indices (one buffer for
        every column of a survey, not a fresh one each).

    Returns
    -------
    (numbers, kinds, bad)
        Per row: float64 with NaN, missing kind codes (0 answered, 1 skipped, 2
        no_answer) and the off-scale mask.
    """
    if factorized is None:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    else:
        codes, uniques = factorized
    nums, kinds, bad = label_table(uniques, item, cb)
    if out is None:
        return nums[codes], kinds[codes], bad[codes]
    # one conversion of the (small integer) codes to indices for both lookups; "wrap" sends
    # the -1 of a missing cell to the last slot, as negative indexing does, and is not
    # buffered as np.take's default mode is when given ``out``
    codes = np.asarray(codes)
    if scratch is not None and len(scratch) == len(codes) and codes.dtype != np.intp:
        idx = scratch
        idx[:] = codes
    else:
        idx = codes.astype(np.intp, copy=False)
    np.take(nums, idx, out=out[0], mode="wrap")
    np.take(kinds, idx, out=out[1], mode="wrap")
    return out[0], out[1], bad[idx] if bad.any() else np.zeros(len(idx), dtype=bool)


def expected(item: Item, cb: Codebook) -> str:
    """``expected one of <labels> (or missing: <codes>)`` for an item's problems."""
    scale = cb.scale_of(item)
    opts = list(scale.labels) or [f"{v:g}" for v in scale.values]
    miss = [v for vals in cb.missing.values() for v in vals]
    tail = f" (or missing: {', '.join(miss)})" if miss else ""
    return f"expected one of {', '.join(opts)}{tail}"


def problem_rows(
    raw: RawTable, mask: np.ndarray, column: str, values: pd.Series, problem: str
) -> pd.DataFrame:
    """Quarantine rows for the cells of ``values`` under ``mask`` (only those are taken)."""
    idx = np.flatnonzero(mask)
    return pd.DataFrame(
        {
            "file": raw.name,
            "sheet": raw.sheet,
            "row": raw.rows[idx],
            "column": column,
            "value": values.iloc[idx].to_numpy(dtype=object),
            "problem": problem,
        }
    )


def empty_quarantine() -> pd.DataFrame:
    """A quarantine table without rows, columns typed."""
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


def repeated_rows(values: pd.Series) -> np.ndarray:
    """Rows whose value an earlier row holds (``duplicated(keep="first")``, in one pass
    over the codes: pandas numbers distinct values in order of first appearance)."""
    if _increasing_integers(values):  # 序号 1, 2, 3, ...: different numbers, different ids
        return np.zeros(len(values), dtype=bool)
    codes, _ = pd.factorize(values, use_na_sentinel=False)
    if len(codes) == 0:
        return np.zeros(0, dtype=bool)
    seen = np.maximum.accumulate(codes)
    out = np.empty(len(codes), dtype=bool)
    out[0] = False
    np.less_equal(codes[1:], seen[:-1], out=out[1:])
    return out


def _increasing_integers(values: pd.Series) -> bool:
    """Every id reads as an integer and each is larger than the one above: no id repeats
    (a text gives one number, so different numbers mean different texts). Asked of Arrow
    text only, where the cast costs a fraction of hashing every id."""
    to_arrow = getattr(values.array, "__arrow_array__", None)
    if len(values) < 2 or to_arrow is None or not isinstance(values.dtype, pd.StringDtype):
        return False
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        numbers = pc.cast(to_arrow(), pa.int64()).to_numpy()
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, TypeError):
        return False
    return bool((numbers[1:] > numbers[:-1]).all())
