"""CSV text built from each column's distinct values: the bytes pandas' writer gives."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.report.csv_text import csv_chunks
from analysis.report.tables import write_csv

TRICKY = [
    "plain",
    "a,b",
    'say "yes"',
    "two\nlines",
    "carriage\rreturn",
    "",
    " leading space",
    "tab\tinside",
    "社区，治理",
    "line\u2028separator",
    "NaN",
    "=1+1",
]

FLOATS = [
    0.0,
    -0.0,
    np.nan,
    np.inf,
    -np.inf,
    1e16,
    1e-5,
    0.1 + 0.2,
    4.25,
    1 / 3,
    123456789.123,
    -2.5,
]


def _expected(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False, lineterminator="\n")


def _ours(frame: pd.DataFrame, rows: int = 200_000) -> str | None:
    chunks = csv_chunks(frame, rows=rows)
    return None if chunks is None else "".join(chunks)


def _frame(text_dtype: object) -> pd.DataFrame:
    n = len(TRICKY)
    texts = pd.Series(TRICKY, dtype=text_dtype)
    texts[3] = None  # a missing text among them
    return pd.DataFrame(
        {
            "text": texts,
            "float": FLOATS,
            "int": np.arange(n, dtype=np.int64) * -7,
            "uint": np.arange(n, dtype=np.uint8),
            "flag": [True, False] * (n // 2),
            "again": texts,
        }
    )


@pytest.mark.parametrize("text_dtype", [object, "string", pd.StringDtype("python")])
@pytest.mark.parametrize("rows", [1, 5, 200_000])
def test_pieces_join_to_what_pandas_writes(text_dtype, rows):
    frame = _frame(text_dtype)
    assert _ours(frame, rows) == _expected(frame)


def test_labels_that_need_quoting_and_an_empty_frame():
    frame = pd.DataFrame(
        {"a,b": pd.Series([], dtype=object), 'say "x"': pd.Series([], dtype=float)}
    )
    assert _ours(frame) == _expected(frame) == '"a,b","say ""x"""\n'


def test_repeated_values_stay_in_their_rows():
    rng = np.random.default_rng(7)
    frame = pd.DataFrame(
        {
            "id": [str(i) for i in rng.integers(0, 50, 1000)],
            "score": rng.choice([0.0, 1.5, np.nan, 4.25, -0.0], 1000),
            "n": rng.integers(-3, 3, 1000),
        }
    )
    assert _ours(frame, rows=333) == _expected(frame)


@pytest.mark.parametrize(
    "frame",
    [
        pd.DataFrame({"only": ["", None, "x"]}),  # a lone empty field is quoted
        pd.DataFrame({0: ["a"], 1: ["b"]}),  # labels that are not text
        pd.DataFrame({"a": ["x", 1], "b": ["y", "z"]}),  # an object column not all text
        pd.DataFrame({"a": np.array([0.1], dtype=np.float32), "b": ["y"]}),
        pd.DataFrame({"a": pd.Categorical(["x"]), "b": ["y"]}),
        pd.DataFrame({"a": pd.to_datetime(["2024-01-01"]), "b": ["y"]}),
        pd.DataFrame({"a": pd.array([1, None], dtype="Int64"), "b": ["y", "z"]}),
    ],
)
def test_frames_it_does_not_cover_are_left_to_pandas(frame):
    assert csv_chunks(frame) is None


@pytest.mark.parametrize("n", [3, 4])
def test_write_csv_gives_the_bytes_of_pandas_utf8_sig(tmp_path, n):
    # 3 columns go through csv_chunks; one column through pandas
    frame = _frame(object).iloc[:, :n] if n == 3 else _frame(object)[["text"]]
    write_csv(frame, tmp_path / "ours.csv")
    from analysis.report.tables import neutralise_frame

    neutralise_frame(frame).to_csv(
        tmp_path / "pandas.csv", index=False, encoding="utf-8-sig", lineterminator="\n"
    )
    ours = (tmp_path / "ours.csv").read_bytes()
    assert ours == (tmp_path / "pandas.csv").read_bytes()
    assert b"'=1+1" in ours  # formula-like cells neutralised on both paths
