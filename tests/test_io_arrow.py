"""The Arrow CSV reader against the pandas reader it stands in front of.

Every tricky export is read twice: through pyarrow (:mod:`analysis.io.arrow_csv`) and with
pyarrow switched off, so through the pandas reader as before. Responses, missing kinds,
quarantine, source and warnings must be identical; where pyarrow cannot read a file as
the pandas reader does (ragged rows, empty lines, a GB file whose first megabyte is ASCII),
the Arrow path must step aside, and the results are again the pandas reader's. Empty
lines pyarrow reads as the pandas reader does: rows of empty cells, left out, counted.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.core.errors import InputError
from analysis.io import file_bytes, tabular
from analysis.survey.reading import read_survey

LABELS = ["非常不满意", "不满意", "一般", "满意", "非常满意"]
CB = {
    "id_column": "序号",
    "group_column": "社区",
    "duration_column": "所用时间",
    "scale": {"min": 1, "max": 5, "labels": dict(zip(LABELS, range(1, 6), strict=True))},
    "missing": {"skipped": ["(跳过)"], "no_answer": ["(空)", "99"]},
    "covariates": [{"column": "备注", "id": "note"}],
    "items": [
        {"column": "7、服务满意度", "id": "q7", "dimension": "reform"},
        {"column": "8、办事要反复跑腿", "id": "q8", "dimension": "reform", "reverse": True},
    ],
}
HEAD = "序号,社区,所用时间,备注,7、服务满意度,8、办事要反复跑腿"


def _read(path: Path, monkeypatch: pytest.MonkeyPatch, *, arrow: bool, **kwargs):
    """read_survey with the Arrow reader on or off; the result (or the error) and the
    warnings, and whether the Arrow reader read the file."""
    used: list[bool] = []
    real = tabular.read_csv_arrow

    def spy(*args, **kw):
        out = real(*args, **kw) if arrow else None
        used.append(out is not None)
        return out

    with monkeypatch.context() as m:
        m.setattr(tabular, "read_csv_arrow", spy)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                result = read_survey(path, **kwargs)
            except InputError as exc:
                result = exc
    return result, [str(w.message) for w in caught], any(used)


def _same(path: Path, monkeypatch: pytest.MonkeyPatch, *, arrow_reads: bool, **kwargs):
    kwargs.setdefault("codebook", CB)
    new, new_warn, used = _read(path, monkeypatch, arrow=True, **kwargs)
    old, old_warn, _ = _read(path, monkeypatch, arrow=False, **kwargs)
    assert used is arrow_reads
    assert new_warn == old_warn
    if isinstance(old, Exception):
        assert type(new) is type(old)
        assert str(new) == str(old)
        return old
    for name in ("responses", "missing", "quarantine", "exclusions"):
        pd.testing.assert_frame_equal(getattr(new, name), getattr(old, name))
    assert dict(new.source) == dict(old.source)
    return new


def _write(tmp_path: Path, text: str, *, encoding: str = "utf-8", name: str = "s.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


ROWS = [
    "1,桂花社区,120秒,,满意,不满意",
    "2,梅园社区,4分19秒,很好,(跳过),一般",
    "3,桂花社区,0:01:05,,(空),",
    "4,梅园社区,60,,很满意,满意",
]
BODY = HEAD + "\n" + "\n".join(ROWS) + "\n"

# (id, text, encoding): files the Arrow reader reads, identically to the pandas reader
ARROW_CASES = [
    ("utf-8", BODY, "utf-8"),
    ("bom", "\ufeff" + BODY, "utf-8"),
    ("gbk", BODY, "gbk"),
    ("gb18030-bom-less", BODY.replace("很好", "𠮷好"), "gb18030"),
    # GB cells are split as bytes: trail bytes such as @ (丂), \\ (乗) and ~ stand inside
    # characters, never for a separator, quote or line break
    ("gbk-trail-bytes", BODY.replace("很好", "丂乗ア~").replace("120秒", '"丂,\n乗"'), "gbk"),
    ("gbk-tabs", BODY.replace(",", "\t"), "gbk"),
    ("gbk-semicolons", BODY.replace(",", ";"), "gbk"),
    ("gb18030-quoted-newlines", BODY.replace("很好", '"𠮷\r\n好, 丂"'), "gb18030"),
    ("crlf", BODY.replace("\n", "\r\n"), "utf-8"),
    (
        "quoted-newlines",
        HEAD
        + '\n1,桂花社区,60,"第一行\n第二行\r\n第三行",满意,满意\n2,梅园社区,60,"a,b",很满意,一般\n',
        "utf-8",
    ),
    (
        "full-width-and-spaces",
        HEAD
        + "\n1,桂花社区,60,,４,（跳过）\n2,梅园社区,60,, 满意 ,\u3000一般\n3,（空）,60,,满意,99\n",
        "utf-8",
    ),
    (
        "unknown-labels-and-duplicate-ids",
        HEAD + "\n1,桂花社区,60,,满意,满意\n1,桂花社区,60,,满意,满意\n,梅园社区,x秒,,好,6\n",
        "utf-8",
    ),
    (
        "empty-cells-and-blank-row",
        HEAD + "\n1,桂花社区,60,,,\n,,,,,\n3,梅园社区,,,满意,\n",
        "utf-8",
    ),
    (
        "quoted-everything",
        "\n".join(",".join(f'"{c}"' for c in r.split(",")) for r in [HEAD, *ROWS]),
        "utf-8",
    ),
    ("no-final-newline", BODY.rstrip("\n"), "utf-8"),
    (
        "none-like-text",
        HEAD + "\n001,None,60,NA,null,满意\n002,桂花社区,60,nan,满意,N/A\n",
        "utf-8",
    ),
]


@pytest.mark.parametrize(
    ("text", "encoding"), [c[1:] for c in ARROW_CASES], ids=[c[0] for c in ARROW_CASES]
)
def test_arrow_reader_gives_what_the_pandas_reader_gives(tmp_path, monkeypatch, text, encoding):
    path = _write(tmp_path, text, encoding=encoding)
    _same(path, monkeypatch, arrow_reads=True)
    _same(path, monkeypatch, arrow_reads=True, codebook=None)


def test_row_numbers_count_records_not_lines(tmp_path, monkeypatch):
    text = HEAD + '\n1,桂花社区,60,"两行\n备注",满意,满意\n2,梅园社区,60,,很满意,满意\n'
    s = _same(_write(tmp_path, text), monkeypatch, arrow_reads=True)
    assert s.quarantine["row"].tolist() == [3]  # the user sees the bad answer in row 3
    assert s.responses["note"].tolist() == ["两行\n备注"]


def test_quarantine_is_the_same_table(tmp_path, monkeypatch):
    text = (
        HEAD + "\n1,桂花社区,60,,满意,好\n1,梅园社区,abc,,很满意,满意\n3,桂花社区,60,,满意,满意\n"
    )
    s = _same(_write(tmp_path, text), monkeypatch, arrow_reads=True)
    assert s.quarantine["row"].tolist() == [2, 3, 3, 3]
    assert s.responses["row"].tolist() == [4]


def test_duplicated_headers_are_named_and_refused_alike(tmp_path, monkeypatch):
    text = HEAD + ",备注\n1,桂花社区,60,a,满意,满意,b\n"
    path = _write(tmp_path, text)
    s = _same(path, monkeypatch, arrow_reads=True, codebook=None)
    assert s.responses["备注 [column 7]"].tolist() == ["b"]
    err = _same(path, monkeypatch, arrow_reads=True)
    assert "duplicated column header" in str(err)


def test_a_second_header_row_and_header_only_files_are_refused_alike(tmp_path, monkeypatch):
    second = _write(tmp_path, HEAD + "\n" + HEAD + "\n1,桂花社区,60,,满意,满意\n", name="a.csv")
    assert "second header" in str(_same(second, monkeypatch, arrow_reads=True))
    only = _write(tmp_path, HEAD + "\n", name="b.csv")
    assert "only a header row" in str(_same(only, monkeypatch, arrow_reads=True))


def test_empty_trailing_header_columns_are_left_out_alike(tmp_path, monkeypatch):
    text = HEAD + ",,\n1,桂花社区,60,,满意,满意,,\n2,梅园社区,60,,满意,一般,, \n"
    s = _same(_write(tmp_path, text), monkeypatch, arrow_reads=True, codebook=None)
    assert list(s.responses.columns)[-1] == "(column 8)"  # a cell holds a space: kept


# files pyarrow cannot read as the pandas reader does: the pandas reader reads them, and
# gives its own error for the ragged ones
FALLBACK_CASES = [
    ("long-row", HEAD + "\n1,桂花社区,60,,满意,满意\n2,梅园社区,60,,满意,满意,多\n"),
    ("short-row", HEAD + "\n1,桂花社区,60,,满意,满意\n2,梅园社区,60\n"),
    ("unbalanced-quote", HEAD + '\n1,桂花社区,60,"oops,满意,满意\n'),
]


@pytest.mark.parametrize("text", [c[1] for c in FALLBACK_CASES], ids=[c[0] for c in FALLBACK_CASES])
def test_files_pyarrow_cannot_read_alike_go_to_the_pandas_reader(tmp_path, monkeypatch, text):
    path = _write(tmp_path, text)
    _same(path, monkeypatch, arrow_reads=False)


def test_empty_lines_keep_their_row_numbers(tmp_path, monkeypatch):
    text = HEAD + "\n1,桂花社区,60,,满意,满意\n\n\n4,梅园社区,60,,好,满意\n"
    s = _same(_write(tmp_path, text), monkeypatch, arrow_reads=True)
    assert s.quarantine["row"].tolist() == [5]
    assert s.source["n_blank_rows"] == 2


def test_gb_file_with_an_ascii_first_megabyte_is_detected_as_before(tmp_path, monkeypatch):
    head = "id,community,q1"
    filler = "".join(f"{i},x,1\n" for i in range(1, 120_000))
    text = head + "\n" + filler + "120000,桂花社区,满意\n"
    path = _write(tmp_path, text, encoding="gbk")
    assert len(text.encode("gbk")) > 1 << 20
    cb = {
        "id_column": "id",
        "group_column": "community",
        "scale": CB["scale"],
        "items": [{"column": "q1", "id": "q1", "dimension": "reform"}],
    }
    s = _same(path, monkeypatch, arrow_reads=False, codebook=cb)
    assert s.source["encoding"] == "gb18030"
    assert s.responses["group"].iloc[-1] == "桂花社区"


_LONG_GB = (BODY + "\n".join(ROWS[1:] * 20_000) + "\n").encode("gbk")
_LONG_UTF8 = (BODY + "\n".join(ROWS[1:] * 20_000) + "\n").encode("utf-8")


@pytest.mark.parametrize(
    ("data", "kwargs"),
    [
        (b"\xff\xfe\xfa" + BODY.encode("utf-8"), {}),
        (BODY.encode("gbk"), {"encoding": "utf-8"}),
        (BODY.encode("utf-8"), {"encoding": "no-such-codec"}),
        # GB files past the first megabyte: pyarrow transcodes them as it reads, and a
        # byte that does not decode sends the file to the pandas reader and its error
        (_LONG_GB + b"9,\x81\x20,60,,a,b\n", {}),
        (_LONG_GB + b"9,\xd2", {}),
        (_LONG_GB + b"9,\x81,60,,a,b\n", {}),  # a lead byte before a separator
        (_LONG_GB + b'9,"\xd2\n",60,,a,b\n', {}),  # before a line break in quotes
        # UTF-8 is checked once per distinct cell of each chunk, past the first megabyte too
        (_LONG_UTF8 + b"9,\xff\xfe,60,,a,b\n", {}),
        (_LONG_UTF8 + b"9,\xe6\xbb,60,,a,b\n", {"encoding": "utf-8"}),
    ],
    ids=[
        "undecodable",
        "forced-wrong",
        "unknown-codec",
        "gb-bad-byte-late",
        "gb-truncated",
        "gb-lead-byte-before-separator",
        "gb-lead-byte-before-quoted-newline",
        "utf8-bad-byte-late",
        "utf8-forced-bad-byte-late",
    ],
)
def test_encoding_errors_are_the_same(tmp_path, monkeypatch, data, kwargs):
    path = tmp_path / "s.csv"
    path.write_bytes(data)
    new, _, _ = _read(path, monkeypatch, arrow=True, codebook=CB, **kwargs)
    old, _, _ = _read(path, monkeypatch, arrow=False, codebook=CB, **kwargs)
    assert isinstance(old, InputError)
    assert str(new) == str(old)


def test_forced_encoding_is_reported_as_given(tmp_path, monkeypatch):
    path = _write(tmp_path, BODY, encoding="gbk")
    s = _same(path, monkeypatch, arrow_reads=True, encoding="gbk")
    assert s.source["encoding"] == "gbk"


def test_answer_columns_are_categorical_and_recode_each_label_once(tmp_path):
    rng = np.random.default_rng(0)
    answers = np.array(LABELS)[rng.integers(0, 5, 3000)]
    lines = [f"{i},桂花社区,60,,{a},{a}" for i, a in enumerate(answers, 1)]
    path = _write(tmp_path, HEAD + "\n" + "\n".join(lines) + "\n")
    raw = tabular.read_raw_table(path)
    assert isinstance(raw.frame["7、服务满意度"].dtype, pd.CategoricalDtype)
    codes, labels = raw.factorize("7、服务满意度")
    assert sorted(labels) == sorted(LABELS)
    assert (labels[codes] == answers).all()
    assert raw.text("7、服务满意度").tolist() == answers.tolist()


@pytest.mark.parametrize(
    ("text", "encoding"), [c[1:] for c in ARROW_CASES], ids=[c[0] for c in ARROW_CASES]
)
def test_files_mapped_into_memory_read_the_same(tmp_path, monkeypatch, text, encoding):
    # large files are mapped, not copied: here every file is, and must read as before
    path = _write(tmp_path, text, encoding=encoding)
    monkeypatch.setattr(file_bytes, "MAP_BYTES", 1)
    s = _same(path, monkeypatch, arrow_reads=True)
    monkeypatch.setattr(file_bytes, "MAP_BYTES", 1 << 40)
    unmapped, _, _ = _read(path, monkeypatch, arrow=True, codebook=CB)
    pd.testing.assert_frame_equal(s.responses, unmapped.responses)
    assert s.source["sha256"] == unmapped.source["sha256"]


@pytest.mark.parametrize(
    "data",
    [_LONG_GB + b"9,\x81\x20,60,,a,b\n", _LONG_UTF8 + b"5,\xff\xfe,60,,a,b\n", b"  \n\n  "],
    ids=["gb-bad-byte-late", "utf8-bad-byte-late", "blank"],
)
def test_mapped_files_that_do_not_decode_give_the_same_errors(tmp_path, monkeypatch, data):
    path = tmp_path / "s.csv"
    path.write_bytes(data)
    monkeypatch.setattr(file_bytes, "MAP_BYTES", 1)
    new, _, _ = _read(path, monkeypatch, arrow=True, codebook=CB)
    old, _, _ = _read(path, monkeypatch, arrow=False, codebook=CB)
    assert isinstance(old, InputError)
    assert str(new) == str(old)


def test_ids_that_count_up_repeat_nothing_and_others_are_checked():
    from analysis.survey.recoding import repeated_rows

    for ids, want in [
        (["1", "2", "10"], [False, False, False]),
        (["1", "2", "2"], [False, False, True]),
        (["2", "1", "2"], [False, False, True]),
        (["1", "01", "1"], [False, False, True]),
        (["a", "b", "a"], [False, False, True]),
        (["1", "", ""], [False, False, True]),
    ]:
        for dtype in ("str", object):
            assert repeated_rows(pd.Series(ids, dtype=dtype)).tolist() == want


@pytest.mark.parametrize(
    ("data", "may"),
    [
        (b"a,b\n1,2\n", False),
        (b'"a","b"\n1,2\n', False),  # quotes on the header line only, closed on it
        (b"a,b\r\n1,2\r\n", False),
        (b'"a","b"\n1,"2"\n', True),  # quotes further down: they may hold line breaks
        (b'"a\nx",b\n1,2\n', True),
        (b'a,b\r1,"2\r3"\r', True),  # no \n: lines end in \r alone
        (b'"a\rb",c\n1,2\n', True),
        (b"a,b", True),
    ],
)
def test_files_without_quoted_line_breaks_are_told_apart(data, may):
    from analysis.io.arrow_csv import _quotes_may_hold_newlines

    assert _quotes_may_hold_newlines(data) is may


def test_a_quoted_header_over_an_unquoted_body_reads_as_before(tmp_path, monkeypatch):
    text = ",".join(f'"{h}"' for h in HEAD.split(",")) + "\n" + "\n".join(ROWS) + "\n"
    _same(_write(tmp_path, text), monkeypatch, arrow_reads=True)
    text = '"序号","社区\n(居住地)",所用时间,备注,7、服务满意度,8、办事要反复跑腿\n' + "\n".join(
        ROWS
    )
    _same(_write(tmp_path, text + "\n"), monkeypatch, arrow_reads=True)


@pytest.mark.parametrize(("shape", "dtype", "order"), [((7, 3), "float64", "F"), (5, "int8", "C")])
def test_populated_arrays_are_writable_arrays_of_the_shape_asked(monkeypatch, shape, dtype, order):
    from analysis.core import buffers

    monkeypatch.setattr(buffers, "POPULATE_BYTES", 0)  # map even the smallest array
    a = buffers.populated_empty(shape, dtype, order=order)
    want = np.empty(shape, dtype=dtype, order=order)
    assert (a.shape, a.dtype, a.strides) == (want.shape, want.dtype, want.strides)
    assert a.flags.writeable
    if hasattr(__import__("mmap"), "MAP_POPULATE"):  # Linux: the memory is a mapping
        assert not a.flags.owndata
    a[...] = 3
    assert (a == 3).all()
    assert buffers.populated_empty(4, object).dtype == object  # never mapped: numpy's


def test_recoding_into_mapped_memory_gives_the_same_survey(tmp_path, monkeypatch):
    """Item numbers and missing kinds written into mapped memory (as for a large export),
    quarantined rows left out of it, read as with numpy's own arrays."""
    from analysis.core import buffers

    text = HEAD + "\n1,桂花社区,60,,满意,好\n2,梅园社区,abc,,(跳过),满意\n3,桂花社区,60,x,(空),\n"
    path = _write(tmp_path, text)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain = read_survey(path, codebook=CB)
        monkeypatch.setattr(buffers, "POPULATE_BYTES", 0)
        mapped = read_survey(path, codebook=CB)
    for name in ("responses", "missing", "quarantine"):
        pd.testing.assert_frame_equal(getattr(mapped, name), getattr(plain, name))
    assert mapped.responses["q7"].isna().tolist() == [True]
    assert mapped.missing["q8"].tolist() == ["no_answer"]


@pytest.mark.parametrize(
    ("text", "encoding"), [c[1:] for c in ARROW_CASES], ids=[c[0] for c in ARROW_CASES]
)
def test_files_read_as_two_halves_give_what_the_pandas_reader_gives(
    tmp_path, monkeypatch, text, encoding
):
    from analysis.io import csv_halves

    monkeypatch.setattr(csv_halves, "SPLIT_BYTES", 1)  # cut even the smallest file
    path = _write(tmp_path, text, encoding=encoding)
    _same(path, monkeypatch, arrow_reads=True)
    _same(path, monkeypatch, arrow_reads=True, codebook=None)


@pytest.mark.parametrize(
    ("data", "quoted", "cut"),
    [
        (b"ab\ncd\nef\ngh\n", False, 9),  # the line break after the middle
        (b'a\n"x\ny\nz"\nb\n', True, 10),  # not inside the quoted cell: the next one
        (b'a\n"x\ny\nzz\n', True, None),  # the quote never closes: no row ends after it
        (b"abcdef", False, None),  # one line
        (b"ab\ncd\n\nef\ngh\n", False, 10),  # not next to an empty line
        (b"ab\r\ncd\r\n\r\nef\r\ngh\r\n", False, 14),
    ],
)
def test_the_cut_is_a_line_break_outside_quotes(data, quoted, cut):
    from analysis.io.csv_halves import split_point

    assert split_point(data, quoted=quoted) == cut


@pytest.mark.parametrize(
    ("first_half_cell", "cut"),
    [
        ('"a\nb"', True),  # quoted line breaks: the halves are cut where a row ends
        ('"say ""hi"""', False),  # an escaped quote: quotes cannot be counted, read whole
        ('5"', False),  # a quote inside an unquoted cell, as above
    ],
)
def test_two_halves_only_where_quotes_show_where_rows_end(
    tmp_path, monkeypatch, first_half_cell, cut
):
    from analysis.io import arrow_csv, csv_halves

    rows = [f"{i},桂花社区,60,,满意,一般" for i in range(1, 41)]
    rows[3] = f"4,桂花社区,60,{first_half_cell},满意,一般"
    rows[25] = '26,梅园社区,60,"跨\n两行",满意,一般'  # a quoted line break after the middle
    path = _write(tmp_path, HEAD + "\n" + "\n".join(rows) + "\n")
    halves: list[bool] = []
    real = csv_halves.read_halves

    def spy(*args, **kwargs):
        out = real(*args, **kwargs)
        halves.append(out is not None)
        return out

    monkeypatch.setattr(csv_halves, "SPLIT_BYTES", 1)
    monkeypatch.setattr(arrow_csv, "read_halves", spy)
    s = _same(path, monkeypatch, arrow_reads=True)
    assert halves == [cut]
    assert s.responses.set_index("row")["note"][27] == "跨\n两行"  # row 27 spans two lines
    assert len(s.responses) + s.quarantine["row"].nunique() == 40


@pytest.mark.parametrize("blank_at", [18, 19, 20, 21, 22])
def test_empty_lines_near_the_cut_keep_their_row_numbers(tmp_path, monkeypatch, blank_at):
    from analysis.io import csv_halves

    monkeypatch.setattr(csv_halves, "SPLIT_BYTES", 1)
    rows = [f"{i},桂花社区,60,,满意,一般" for i in range(1, 41)]
    rows[blank_at : blank_at + 2] = ["", "", rows[blank_at], rows[blank_at + 1]]
    rows[30] = rows[30].replace("满意", "好")  # an answer off the scale, in row 32
    s = _same(_write(tmp_path, HEAD + "\n" + "\n".join(rows) + "\n"), monkeypatch, arrow_reads=True)
    assert s.source["n_blank_rows"] == 2
    assert s.quarantine["row"].tolist() == [32]
