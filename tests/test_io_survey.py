"""Reading survey exports: formats, platforms, recoding, quarantine and broken files."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.core.errors import CodebookError, DataQualityWarning, InputError
from analysis.io.platforms import parse_duration, parse_header, split_multiselect
from analysis.io.tabular import join_wjx_exports
from analysis.survey.codebook_file import load_codebook
from analysis.survey.reading import read_survey

DATA = Path(__file__).parent / "data" / "survey"
BROKEN = DATA / "broken"
DEMO = Path(__file__).parents[1] / "data" / "raw" / "demo"
LABELS = ["非常不满意", "不满意", "一般", "满意", "非常满意"]


def _make_broken():
    spec = importlib.util.spec_from_file_location("make_broken", DATA / "make_broken.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_broken", module)
    spec.loader.exec_module(module)
    return module


make_broken = _make_broken()

SMALL_CB = {
    "id_column": "序号",
    "group_column": "社区",
    "duration_column": "所用时间",
    "scale": {"min": 1, "max": 5, "labels": dict(zip(LABELS, range(1, 6), strict=True))},
    "scales": {"agree": {"min": 1, "max": 5, "labels": {"不同意": 2, "同意": 4, "非常同意": 5}}},
    "missing": {"skipped": ["(跳过)"], "no_answer": ["(空)"]},
    "covariates": [{"column": "电话", "id": "phone"}, {"column": "备注", "id": "note"}],
    "items": [
        {"column": "7、服务满意度", "id": "q7", "dimension": "reform"},
        {
            "column": "8、办事要反复跑腿",
            "id": "q8",
            "dimension": "reform",
            "reverse": True,
            "scale": "agree",
        },
    ],
}


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    text = "\n".join(",".join(r) for r in rows) + "\n"
    path.write_bytes(text.encode(encoding))
    return path


HEAD = ["序号", "社区", "所用时间", "电话", "备注", "7、服务满意度", "8、办事要反复跑腿"]


@pytest.fixture
def small_csv(tmp_path):
    rows = [
        HEAD,
        ["001", "桂花社区", "120秒", "013800000000", "None", "满意", "同意"],
        ["002", "梅园社区", "4分19秒", "", "NA", "(跳过)", "非常同意"],
        ["003", "桂花社区", "0:01:05", "", "null", "(空)", ""],
    ]
    return write_csv(tmp_path / "small.csv", rows)


# --------------------------------------------------------------------------- recoding


def test_labels_become_numbers_and_reverse_items_are_reversed(small_csv):
    s = read_survey(small_csv, codebook=SMALL_CB)
    r = s.responses
    assert r["q7"].tolist()[:1] == [4.0]
    assert r["q8"].tolist()[:2] == [2.0, 1.0]  # 同意 4 -> 2, 非常同意 5 -> 1
    assert list(r.columns[:3]) == ["respondent_id", "group", "row"]
    assert r["row"].tolist() == [2, 3, 4]
    assert r["duration_s"].tolist() == [120.0, 259.0, 65.0]


def test_two_kinds_of_missing_stay_distinct(small_csv):
    s = read_survey(small_csv, codebook=SMALL_CB)
    assert s.missing["q7"].tolist() == [None, "skipped", "no_answer"]
    assert s.missing["q8"].tolist() == [None, None, "no_answer"]  # empty cell = no answer
    assert s.responses["q7"].isna().tolist() == [False, True, True]


def test_ids_phones_and_none_like_text_stay_text(small_csv):
    s = read_survey(small_csv, codebook=SMALL_CB)
    assert s.responses["respondent_id"].tolist() == ["001", "002", "003"]
    assert s.responses["phone"].iloc[0] == "013800000000"
    assert s.responses["note"].tolist() == ["None", "NA", "null"]


def test_declared_codes_are_missing(tmp_path):
    path = write_csv(tmp_path / "s.csv", [["a"], ["1"], ["99"], ["NA"], ["5"]])
    cb = {
        "scale": {"min": 1, "max": 5},
        "missing": ["(跳过)", "NA", 99],
        "items": [{"column": "a", "id": "a", "dimension": "reform"}],
    }
    s = read_survey(path, codebook=cb)
    assert s.missing["a"].tolist() == [None, "no_answer", "no_answer", None]
    assert s.responses["a"].tolist()[::3] == [1.0, 5.0]
    assert load_codebook(cb).missing["skipped"] == ("(跳过)",)


def test_answer_off_the_scale_goes_to_quarantine_with_where(tmp_path):
    rows = [
        HEAD,
        ["1", "桂花社区", "60", "", "", "很满意", "同意"],
        ["2", "桂花社区", "60", "", "", "满意", "同意"],
    ]
    path = write_csv(tmp_path / "s.csv", rows)
    with pytest.warns(DataQualityWarning, match=r"1 of 2 rows quarantined"):
        s = read_survey(path, codebook=SMALL_CB)
    q = s.quarantine.iloc[0]
    assert (q["file"], q["row"], q["column"], q["value"]) == ("s.csv", 2, "7、服务满意度", "很满意")
    assert "expected one of 非常不满意" in q["problem"]
    assert list(s.quarantine.columns) == ["file", "sheet", "row", "column", "value", "problem"]
    assert s.responses["respondent_id"].tolist() == ["2"]


def test_quarantine_warning_masks_a_phone_number_typed_into_an_item(tmp_path):
    rows = [
        HEAD,
        ["1", "桂花社区", "60", "", "", "13912345678", "同意"],
        ["2", "桂花社区", "60", "", "", "满意", "同意"],
    ]
    path = write_csv(tmp_path / "s.csv", rows)
    with pytest.warns(DataQualityWarning, match=r"got '139\*\*\*\*5678'") as caught:
        s = read_survey(path, codebook=SMALL_CB)
    assert not any("13912345678" in str(w.message) for w in caught)
    # the quarantine table is the researcher's own data and keeps the value as read
    assert s.quarantine["value"].tolist() == ["13912345678"]


def test_repeated_id_is_quarantined_and_missing_group_kept(tmp_path):
    rows = [
        HEAD,
        ["1", "桂花社区", "60", "", "", "满意", "同意"],
        ["1", "桂花社区", "60", "", "", "满意", "同意"],
        ["3", "", "60", "", "", "满意", "同意"],
    ]
    path = write_csv(tmp_path / "s.csv", rows)
    with pytest.warns(DataQualityWarning):
        s = read_survey(path, codebook=SMALL_CB)
    assert s.quarantine["row"].tolist() == [3]
    assert s.responses["group"].isna().tolist() == [False, True]
    assert len(s.responses) + s.quarantine["row"].nunique() == 3


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    answers=st.lists(
        st.tuples(
            st.sampled_from([*LABELS, "(跳过)", "(空)", "", "很满意", "3", "7", "None"]),
            st.sampled_from(["同意", "不同意", "非常同意", "", "(跳过)", "好"]),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_input_rows_equal_kept_plus_quarantined(tmp_path_factory, answers):
    rows = [HEAD] + [
        [str(i), "桂花社区", "60", "", "", a, b] for i, (a, b) in enumerate(answers, 1)
    ]
    path = write_csv(tmp_path_factory.mktemp("h") / "s.csv", rows)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        s = read_survey(path, codebook=SMALL_CB)
    assert len(s.responses) + s.quarantine["row"].nunique() == len(answers)
    assert set(s.responses["row"]).isdisjoint(set(s.quarantine["row"]))
    assert s.source["n_rows"] == len(answers)
    # every kept answer is on its scale
    assert s.responses["q7"].dropna().isin([1, 2, 3, 4, 5]).all()


@given(st.lists(st.integers(1, 5), min_size=1, max_size=20))
def test_reverse_coding_twice_is_identity(values):
    cb = load_codebook(
        {
            "scale": {"min": 1, "max": 5},
            "items": [{"column": "a", "id": "a", "dimension": "reform"}],
        }
    )
    scale = cb.scale_of(cb.items[0])
    x = np.array(values, dtype=float)
    np.testing.assert_array_equal(scale.reverse(scale.reverse(x)), x)


# --------------------------------------------------------------------------- formats


@pytest.mark.parametrize(
    ("encoding", "reported"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gb18030", "gb18030"), ("gbk", "gb18030")],
    ids=["utf8", "bom", "gb18030", "gbk"],
)
def test_csv_encodings_are_detected_and_reported(tmp_path, encoding, reported):
    rows = [HEAD, ["1", "桂花社区", "60", "", "", "满意", "同意"]]
    path = write_csv(tmp_path / "s.csv", rows, encoding=encoding)
    s = read_survey(path, codebook=SMALL_CB)
    assert s.source["encoding"] == reported
    assert s.responses["group"].iloc[0] == "桂花社区"
    assert len(s.source["sha256"]) == 64


def test_xlsx_sheet_by_name_and_index(tmp_path):
    path = tmp_path / "s.xlsx"
    frame = pd.DataFrame([["1", "桂花社区", 60, "", "", "满意", "同意"]], columns=HEAD)
    with pd.ExcelWriter(path) as xw:
        pd.DataFrame({"说明": ["cover"]}).to_excel(xw, sheet_name="封面", index=False)
        frame.to_excel(xw, sheet_name="数据", index=False)
    by_name = read_survey(path, codebook=SMALL_CB, sheet="数据")
    by_index = read_survey(path, codebook=SMALL_CB, sheet=1)
    pd.testing.assert_frame_equal(by_name.responses, by_index.responses)
    assert by_name.source["sheet"] == "数据"
    with pytest.raises(InputError, match=r"s\.xlsx: no sheet 'Data'; sheets are '封面', '数据'"):
        read_survey(path, codebook=SMALL_CB, sheet="Data")


@pytest.mark.parametrize("suffix", [".sav", ".dta"])
def test_spss_and_stata_value_labels_become_option_texts(tmp_path, suffix):
    import pyreadstat

    df = pd.DataFrame({"id": [1.0, 2.0, 3.0], "q7": [4.0, 5.0, 1.0]})
    path = tmp_path / f"s{suffix}"
    labels = {"q7": dict(zip([1.0, 2.0, 3.0, 4.0, 5.0], LABELS, strict=True))}
    writer = pyreadstat.write_sav if suffix == ".sav" else pyreadstat.write_dta
    writer(
        df,
        str(path),
        variable_value_labels=labels,
        column_labels={"id": "序号", "q7": "7、服务满意度"},
    )
    cb = {
        "id_column": "id",
        "scale": SMALL_CB["scale"],
        "items": [{"column": "q7", "id": "q7", "dimension": "reform"}],
    }
    # the variable label (question text) names the same column as the variable name
    by_label = read_survey(
        path,
        codebook={
            **cb,
            "id_column": "序号",
            "items": [{"column": "7、服务满意度", "id": "q7", "dimension": "reform"}],
        },
    )
    assert by_label.responses["q7"].tolist() == [4.0, 5.0, 1.0]
    s = read_survey(path, codebook=cb)
    assert s.responses["q7"].tolist() == [4.0, 5.0, 1.0]
    assert s.responses["respondent_id"].tolist() == ["1", "2", "3"]
    assert s.source["format"] == suffix[1:]


WJX_META = ["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP"]


def test_wjx_text_and_code_exports_agree_and_join(tmp_path):
    q = ["1、您所居住的社区：", "2、您参加过哪些活动？", "3、您对服务的满意程度—一站式"]
    meta = ["2024/5/6 7:15:55", "259秒", "微信", "", "1.2.3.4(江苏-南京)"]
    text = write_csv(
        tmp_path / "text.csv",
        [
            WJX_META + q,
            ["1", *meta, "桂花社区", "志愿服务┋其他〖义诊〗", "满意"],
            ["2", *meta, "梅园社区", "文体活动", "非常满意"],
        ],
    )
    code_q = [
        q[0],
        "2、您参加过哪些活动？(志愿服务)",
        "2、您参加过哪些活动？(文体活动)",
        "2、您参加过哪些活动？(其他)",
        q[2],
    ]
    code = write_csv(
        tmp_path / "code.csv",
        [
            WJX_META + code_q,
            ["1", *meta, "1", "1", "0", "1", "4"],
            ["2", *meta, "2", "0", "1", "0", "5"],
        ],
    )
    cb = {
        "id_column": "序号",
        "scale": SMALL_CB["scale"],
        "duration_column": "所用时间",
        "items": [{"column": q[2], "id": "q3", "dimension": "reform"}],
    }
    a = read_survey(text, codebook=cb)
    b = read_survey(code, codebook=cb)
    assert a.source["platform"] == "wjx-text"
    assert b.source["platform"] == "wjx-code"
    assert a.responses["q3"].tolist() == b.responses["q3"].tolist() == [4.0, 5.0]
    joined = read_survey([text, code], codebook=cb)
    assert joined.source["platform"] == "wjx-text+code"
    raw = join_wjx_exports(text, code).frame
    assert raw["2、您参加过哪些活动？(文体活动)"].tolist() == ["0", "1"]
    assert raw["2、您参加过哪些活动？"].iloc[0] == "志愿服务┋其他〖义诊〗"
    assert a.responses["ip"].iloc[0] == "1.2.3.4"


def test_wjx_join_refuses_different_respondents(tmp_path):
    text = write_csv(tmp_path / "t.csv", [[*WJX_META, "q"], ["1", "", "", "", "", "", "a"]])
    code = write_csv(tmp_path / "c.csv", [[*WJX_META, "q"], ["2", "", "", "", "", "", "1"]])
    with pytest.raises(InputError, match=r"c\.csv: holds different respondents"):
        join_wjx_exports(text, code)


def test_tencent_export_is_detected(tmp_path):
    path = write_csv(
        tmp_path / "tx.csv",
        [
            ["编号", "开始答题时间", "结束答题时间", "答题时长", "Q1、服务满意度"],
            ["1", "2024-05-06 07:00:00", "2024-05-06 07:04:19", "4分19秒", "满意"],
        ],
    )
    cb = {
        "id_column": "编号",
        "duration_column": "答题时长",
        "scale": SMALL_CB["scale"],
        "items": [{"column": "Q1、服务满意度", "id": "q1", "dimension": "reform"}],
    }
    s = read_survey(path, codebook=cb)
    assert s.source["platform"] == "tencent"
    assert s.responses["duration_s"].iloc[0] == 259.0


def test_without_codebook_raw_columns_come_back(small_csv):
    s = read_survey(small_csv)
    assert list(s.responses.columns) == ["respondent_id", "row", *HEAD]
    assert s.responses["7、服务满意度"].tolist() == ["满意", "(跳过)", "(空)"]
    assert s.codebook is None


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("8、您对以下服务的满意程度—社区卫生", (8, "您对以下服务的满意程度", "社区卫生", None)),
        ("5、参加过哪些活动？(志愿服务)", (5, "参加过哪些活动？(志愿服务)", None, "志愿服务")),
        ("Q12. 办事方便", (12, "办事方便", None, None)),
        ("所用时间", (None, "所用时间", None, None)),
    ],
    ids=["matrix", "multi-select-code", "q-number", "metadata"],
)
def test_parse_header(header, expected):
    p = parse_header(header)
    assert (p["number"], p["stem"], p["row_label"], p["option"]) == expected


def test_split_multiselect_counts_fill_ins_under_their_option():
    out = split_multiselect(pd.Series(["志愿服务┋其他〖义诊〗", "文体活动", "(跳过)"]))
    assert list(out.columns) == ["志愿服务", "其他", "文体活动"]
    assert out.to_numpy().tolist() == [[1, 1, 0], [0, 0, 1], [0, 0, 0]]


def test_parse_duration_formats():
    got = parse_duration(pd.Series(["259", "259秒", "4分19秒", "1小时2分", "0:04:19", "", "快"]))
    np.testing.assert_array_equal(got.to_numpy()[:5], [259, 259, 259, 3720, 259])
    assert got.isna().tolist()[5:] == [True, True]


# --------------------------------------------------------------------------- codebook fit


def test_unknown_columns_are_listed_once_with_closest_header(small_csv, tmp_path):
    cb_path = tmp_path / "codebook.yaml"
    cb_path.write_text(
        "scale: {min: 1, max: 5}\n"
        "items:\n"
        "  - {column: '7、服务满意', id: q7, dimension: reform}\n"
        "  - {column: '9、不存在', id: q9, dimension: reform}\n",
        encoding="utf-8",
    )
    with pytest.raises(CodebookError) as info:
        read_survey(small_csv, codebook=cb_path)
    msg = str(info.value)
    assert msg.startswith("2 codebook problems in codebook.yaml")
    assert "codebook.yaml, line 3, column '7、服务满意'" in msg
    assert "closest header: '7、服务满意度'" in msg
    assert "line 4" in msg
    assert len(info.value.problems) == 2


# --------------------------------------------------------------------------- broken files

BROKEN_CASES = [
    (
        "wrong_encoding.csv",
        InputError,
        r"wrong_encoding\.csv: cannot decode the text .*expected one of utf-8-sig",
    ),
    (
        "duplicated_headers.csv",
        InputError,
        r"duplicated_headers\.csv, row 1: duplicated column header .* \(columns 5 and 6\)",
    ),
    (
        "two_header_rows.csv",
        InputError,
        r"two_header_rows\.csv, row 2: looks like a second header row",
    ),
    ("empty.csv", InputError, r"empty\.csv: the file is empty"),
    ("header_only.csv", InputError, r"header_only\.csv: only a header row, no answers"),
    (
        "really_csv.xlsx",
        InputError,
        r"really_csv\.xlsx: the file is a text \(CSV\) file, not an \.xlsx workbook",
    ),
    ("ragged_rows.csv", InputError, r"ragged_rows\.csv, row 4: has 8 cells but the header has 7"),
]


@pytest.mark.parametrize(("name", "error", "match"), BROKEN_CASES, ids=[c[0] for c in BROKEN_CASES])
def test_broken_exports_give_clear_errors(name, error, match):
    with pytest.raises(error, match=match) as info:
        read_survey(BROKEN / name, codebook=BROKEN / "codebook.yaml")
    assert "\n" not in str(info.value)
    assert info.value.__cause__ is None  # no pandas traceback chained in


@pytest.mark.parametrize(
    ("name", "rows", "column", "values"),
    [
        (
            "dates_in_likert.xlsx",
            [3, 5],
            "3、您对社区养老服务的满意程度",
            ["2024-03-02 00:00:00", "2024-03-04 00:00:00"],
        ),
        ("big_bad_last_row.csv", [10001], "3、您对社区养老服务的满意程度", ["很满意"]),
    ],
    ids=["dates-in-likert", "10000-rows-bad-last"],
)
def test_broken_cells_are_quarantined_where_they_are(tmp_path, name, rows, column, values):
    path = BROKEN / name
    if name.startswith("big"):
        path = make_broken.write_big(tmp_path)
    with pytest.warns(DataQualityWarning, match=rf"{len(rows)} of \d+ rows quarantined"):
        s = read_survey(path, codebook=BROKEN / "codebook.yaml")
    assert s.quarantine["row"].tolist() == rows
    assert s.quarantine["column"].unique().tolist() == [column]
    assert s.quarantine["value"].tolist() == values
    assert s.quarantine["file"].unique().tolist() == [path.name]
    assert len(s.responses) + len(rows) == s.source["n_rows"]


def test_missing_file_and_unsupported_type(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        read_survey(tmp_path / "nope.csv")
    (tmp_path / "a.json").write_text("{}", encoding="utf-8")
    with pytest.raises(InputError, match=r"a\.json: unsupported file type '\.json'"):
        read_survey(tmp_path / "a.json")


# --------------------------------------------------------------------------- demo study


@pytest.mark.skipif(not (DEMO / "survey.xlsx").exists(), reason="demo study not present")
def test_demo_study_reads_cleanly():
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        s = read_survey(DEMO / "survey.xlsx", codebook=DEMO / "codebook.yaml")
    ours = [w for w in caught if not issubclass(w.category, DataQualityWarning)]
    assert not ours
    assert s.source["platform"] == "wjx-text"
    assert len(s.responses) + s.quarantine["row"].nunique() == s.source["n_rows"]
    assert s.responses["group"].nunique() >= 2
    x = s.item_matrix()
    assert np.isin(x[~np.isnan(x)], [1, 2, 3, 4, 5]).all()


def test_codebook_and_column_problems_are_raised_together(small_csv, tmp_path):
    cb_path = tmp_path / "codebook.yaml"
    cb_path.write_text(
        "scale: {min: 1, max: 5}\n"
        "items:\n"
        "  - {column: '7、服务满意度', id: q7, dimension: reform}\n"
        "  - {column: '9、不存在', id: q9, dimension: nowhere}\n",
        encoding="utf-8",
    )
    with pytest.raises(CodebookError) as info:
        read_survey(small_csv, codebook=cb_path)
    assert str(info.value).startswith("2 codebook problems in codebook.yaml")
    problems = info.value.problems["problem"].tolist()
    assert any("unknown dimension" in p for p in problems)
    assert any("column not found in small.csv" in p for p in problems)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_blank_rows_are_left_out_but_row_numbers_stay_as_in_the_file(tmp_path, suffix):
    rows = [
        HEAD,
        ["1", "桂花社区", "60", "", "", "满意", "同意"],
        [""] * 7,
        ["3", "桂花社区", "60", "", "", "好", "同意"],
    ]
    path = tmp_path / f"s{suffix}"
    if suffix == ".csv":
        path.write_text(
            "\n".join(",".join(r) for r in rows[:2]) + "\n\n" + ",".join(rows[3]) + "\n",
            encoding="utf-8",
        )
    else:
        import openpyxl

        wb = openpyxl.Workbook()
        for r in rows:
            wb.active.append([c or None for c in r])
        wb.save(path)
    with pytest.warns(DataQualityWarning):
        s = read_survey(path, codebook=SMALL_CB)
    assert s.quarantine["row"].tolist() == [4]
    assert s.responses["row"].tolist() == [2]
    assert s.source["n_rows"] == 2
    assert s.source["n_blank_rows"] == 1


def test_full_width_forms_match_labels_and_missing_codes(tmp_path):
    path = write_csv(tmp_path / "s.csv", [["a"], ["（跳过）"], ["４"], ["满意 "]])
    cb = {
        "scale": SMALL_CB["scale"],
        "missing": {"skipped": ["(跳过)"]},
        "items": [{"column": "a", "id": "a", "dimension": "reform"}],
    }
    s = read_survey(path, codebook=cb)
    assert s.missing["a"].tolist() == ["skipped", None, None]
    assert s.responses["a"].tolist()[1:] == [4.0, 4.0]


def test_forced_encoding_is_used_or_refused_with_where(tmp_path):
    rows = [HEAD, ["1", "桂花社区", "60", "", "", "满意", "同意"]]
    path = write_csv(tmp_path / "s.csv", rows, encoding="gbk")
    s = read_survey(path, codebook=SMALL_CB, encoding="gbk")
    assert s.source["encoding"] == "gbk"
    assert s.responses["group"].iloc[0] == "桂花社区"
    with pytest.raises(InputError, match=r"s\.csv: cannot decode as 'utf-8'"):
        read_survey(path, codebook=SMALL_CB, encoding="utf-8")


def test_duplicated_header_the_codebook_does_not_use_is_only_a_warning(tmp_path):
    rows = [[*HEAD, "备注"], ["1", "桂花社区", "60", "", "a", "满意", "同意", "b"]]
    path = write_csv(tmp_path / "s.csv", rows)
    with pytest.warns(
        DataQualityWarning,
        match=r"s\.csv, row 1: duplicated column header "
        r"'备注' \(columns 5 and 8\)",
    ):
        s = read_survey(path)
    assert s.responses["备注 [column 8]"].tolist() == ["b"]
    with pytest.raises(InputError, match=r"'备注' \(columns 5 and 8\); the codebook uses it"):
        read_survey(path, codebook=SMALL_CB)  # SMALL_CB reads 备注 as a covariate


def test_a_dataframe_reads_like_an_export(small_csv):
    frame = pd.read_csv(small_csv, dtype=str, keep_default_na=False)
    before = frame.copy()
    a = read_survey(small_csv, codebook=SMALL_CB)
    b = read_survey(frame, codebook=SMALL_CB)
    pd.testing.assert_frame_equal(frame, before)  # the caller's frame is not touched
    pd.testing.assert_frame_equal(a.responses, b.responses)
    pd.testing.assert_frame_equal(a.missing, b.missing)
    assert b.source["format"] == "frame"
    assert len(b.source["sha256"]) == 64


@pytest.mark.parametrize(
    ("sep", "name"), [("\t", "s.tsv"), (";", "s.csv"), (",", "s.txt")], ids=["tab", "semi", "comma"]
)
def test_separator_is_read_off_the_header(tmp_path, sep, name):
    lines = [sep.join(HEAD), sep.join(["1", "桂花社区", "60", "", "好,很好", "满意", "同意"])]
    if sep == ",":
        lines[1] = ",".join(["1", "桂花社区", "60", "", '"好,很好"', "满意", "同意"])
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    s = read_survey(path, codebook=SMALL_CB)
    assert s.responses["note"].tolist() == ["好,很好"]
    assert s.responses["q7"].tolist() == [4.0]


def test_excel_errors_name_the_sheet(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "答卷"
    wb.active.append(HEAD)
    wb.active.append(["ID", "Q1", "Q2", "Q3", "Q4", "Q5", "Q6"])
    wb.active.append(["1", "桂花社区", "60", "", "", "满意", "同意"])
    wb.save(tmp_path / "s.xlsx")
    with pytest.raises(InputError, match=r"s\.xlsx, sheet '答卷', row 2: looks like a second"):
        read_survey(tmp_path / "s.xlsx", codebook=SMALL_CB)


# --------------------------------------------------------------------------- legacy .xls

XLS_SHEET = "答卷数据"
Q12 = "12、您对本社区近年来经济社会发展变化的满意程度"
Q26 = "26、您对社区党组织的工作还有哪些意见和建议？"
XLS_CB = {
    "id_column": "序号",
    "group_column": "1、您所居住的社区：",
    "duration_column": "所用时间",
    "scale": {"min": 1, "max": 5, "labels": dict(zip(LABELS, range(1, 6), strict=True))},
    "scales": {
        "agree": {
            "min": 1,
            "max": 5,
            "labels": dict(
                zip(["非常不同意", "不同意", "一般", "同意", "非常同意"], range(1, 6), strict=True)
            ),
        }
    },
    "missing": {"skipped": ["(跳过)"], "no_answer": ["(空)"]},
    "text_columns": [{"column": Q26, "id": "suggestions"}],
    "items": [
        {"column": "7、您对社区“一站式”服务的满意程度", "id": "q7", "dimension": "reform"},
        {
            "column": "10、在社区办事经常需要反复跑腿",
            "id": "q10",
            "dimension": "reform",
            "reverse": True,
            "scale": "agree",
        },
        {"column": Q12, "id": "q12", "dimension": "development"},
        {"column": "15、您对社区养老托幼服务的满意程度", "id": "q15", "dimension": "livelihood"},
    ],
}


def _read_quarantining(path, **kw):
    with pytest.warns(DataQualityWarning, match=rf"{path.name}: 1 of 8 rows quarantined"):
        return read_survey(path, codebook=XLS_CB, **kw)


def test_xls_reads_like_the_same_data_saved_as_xlsx(xls_export, xlsx_twin):
    from analysis.io.tabular import read_raw_table

    raw_xls, raw_xlsx = read_raw_table(xls_export), read_raw_table(xlsx_twin)
    pd.testing.assert_frame_equal(raw_xls.frame, raw_xlsx.frame)
    assert (raw_xls.sheet, raw_xls.platform, raw_xls.format) == (XLS_SHEET, "wjx-text", "xls")
    # text cells stay text (问卷星 writes N/A in 来源详情); dates as in the .xlsx
    assert raw_xls.frame["来源详情"].tolist()[:6] == [
        "N/A",
        "直接访问",
        "直接访问",
        "N/A",
        "N/A",
        "",
    ]
    assert raw_xls.frame["提交答卷时间"].iloc[0] == "2024-05-06 08:29:05"
    assert raw_xls.frame["序号"].tolist() == [str(i) for i in range(1, 9)]

    s_xls, s_xlsx = _read_quarantining(xls_export), _read_quarantining(xlsx_twin)
    pd.testing.assert_frame_equal(s_xls.responses, s_xlsx.responses)
    pd.testing.assert_frame_equal(s_xls.missing, s_xlsx.missing)
    pd.testing.assert_frame_equal(
        s_xls.quarantine.drop(columns="file"), s_xlsx.quarantine.drop(columns="file")
    )
    assert s_xls.source["sheet"] == s_xlsx.source["sheet"] == XLS_SHEET
    assert (s_xls.source["format"], s_xlsx.source["format"]) == ("xls", "xlsx")
    assert s_xls.source["n_rows"] == 8
    assert s_xls.responses["q10"].tolist()[:3] == [4.0, 2.0, 5.0]  # reverse-keyed agree
    assert s_xls.missing["q15"].tolist()[1:3] == ["no_answer", "skipped"]


def test_xls_chinese_text_is_intact(xls_export, xls_fixture):
    s = _read_quarantining(xls_export)
    kept = s.responses.set_index("respondent_id")
    answered = {str(r[0]): r[-1] for r in xls_fixture.ROWS if r[0] != 5 and r[-1] != "(空)"}
    assert kept["suggestions"].dropna().to_dict() == answered
    assert kept["suggestions"].isna().sum() == 2  # (空): no answer
    assert kept.loc["3", "suggestions"] == "第一，停车位太少；\n第二，老年食堂饭菜偏咸。"
    assert kept["group"].tolist()[:3] == ["桂花社区", "梅园社区", "竹林社区"]


def test_xls_off_scale_answer_is_quarantined_with_file_sheet_row_and_column(xls_export, xlsx_twin):
    for path in (xls_export, xlsx_twin):
        with pytest.warns(DataQualityWarning) as caught:
            s = read_survey(path, codebook=XLS_CB)
        msg = str(caught[0].message)
        assert f"{path.name}, sheet '{XLS_SHEET}', row 6, column '{Q12}': got '很满意'" in msg
        q = s.quarantine.iloc[0]
        assert (q["file"], q["sheet"], q["row"], q["column"], q["value"]) == (
            path.name,
            XLS_SHEET,
            6,
            Q12,
            "很满意",
        )
        assert len(s.quarantine) == 1
        assert "5" not in s.responses["respondent_id"].tolist()


def test_xls_sheet_by_name_and_index(xls_export):
    by_name = _read_quarantining(xls_export, sheet=XLS_SHEET)
    by_index = _read_quarantining(xls_export, sheet=0)
    pd.testing.assert_frame_equal(by_name.responses, by_index.responses)
    assert by_index.source["sheet"] == XLS_SHEET
    with pytest.raises(InputError, match=r"wjx_text\.xls: only a header row, no answers"):
        read_survey(xls_export, sheet="说明")  # the second sheet holds one line of notes
    with pytest.raises(InputError, match=r"wjx_text\.xls: only a header row, no answers"):
        read_survey(xls_export, sheet=1)
    with pytest.raises(
        InputError, match=r"wjx_text\.xls: no sheet 'Data'; sheets are '答卷数据', '说明'"
    ):
        read_survey(xls_export, sheet="Data")
    with pytest.raises(InputError, match=r"wjx_text\.xls: sheet index 2 does not exist"):
        read_survey(xls_export, sheet=2)


def test_xls_with_an_xlsx_name_is_read_as_xls(xls_export, tmp_path):
    renamed = tmp_path / "wjx_text.xlsx"
    renamed.write_bytes(xls_export.read_bytes())
    s = _read_quarantining(renamed)
    assert s.source["sheet"] == XLS_SHEET
    assert len(s.responses) == 7


_HTML_XLS = (
    '<html><head><meta charset="utf-8"></head><body><table>'
    "<tr><td>序号</td><td>7、服务满意度</td></tr><tr><td>1</td><td>满意</td></tr>"
    "</table></body></html>"
)


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (
            _HTML_XLS.encode("utf-8"),
            r"s\.xls: the file is a text \(CSV or HTML\) file, not an \.xls",
        ),
        (
            "序号,7、服务满意度\n1,满意\n".encode("gb18030"),
            r"s\.xls: the file is a text \(CSV or HTML\)",
        ),
        (
            "序号\t7、服务满意度\r\n1\t满意\r\n".encode("utf-16"),
            r"s\.xls: the file is a text \(CSV",
        ),
        (b"\x00\x01binary\x00" * 50, r"s\.xls: the file is not an Excel workbook"),
    ],
    ids=["html", "csv", "utf16-tsv", "binary"],
)
def test_text_saved_as_xls_gives_a_clear_error(tmp_path, content, match):
    path = tmp_path / "s.xls"
    path.write_bytes(content)
    with pytest.raises(InputError, match=match) as info:
        read_survey(path, codebook=SMALL_CB)
    assert info.value.__cause__ is None


@pytest.mark.parametrize("keep", [8, 600, 2048, 4096, 6000])
def test_truncated_xls_gives_an_input_error_naming_the_file(xls_export, tmp_path, keep, capsys):
    path = tmp_path / "wjx_text.xls"
    path.write_bytes(xls_export.read_bytes()[:keep])
    with pytest.raises(
        InputError, match=r"^wjx_text\.xls: cannot read the \.xls workbook, it is damaged"
    ) as info:
        read_survey(path, codebook=XLS_CB)
    assert "\n" not in str(info.value)
    assert info.value.__cause__ is None
    assert capsys.readouterr().out == ""  # xlrd's own warnings do not reach stdout


def test_password_protected_workbook_is_named_as_such(tmp_path):
    # an encrypted .xlsx is a compound document holding an "EncryptedPackage" stream
    data = bytearray(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2040))
    data[1024:1056] = "EncryptedPackage".encode("utf-16-le")
    path = tmp_path / "s.xlsx"
    path.write_bytes(bytes(data))
    with pytest.raises(InputError, match=r"s\.xlsx: the workbook is password-protected"):
        read_survey(path, codebook=SMALL_CB)


def test_xls_without_xlrd_says_what_to_do(xls_export, monkeypatch):
    monkeypatch.setitem(sys.modules, "xlrd", None)  # import xlrd raises ImportError
    with pytest.raises(
        InputError, match=r"wjx_text\.xls: reading \.xls needs the xlrd package.*save it as \.xlsx"
    ) as info:
        read_survey(xls_export, codebook=XLS_CB)
    assert info.value.__cause__ is None


def test_xlsx_none_like_texts_stay_text_as_in_csv(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(HEAD)
    wb.active.append(["1", "桂花社区", "60", "N/A", "None", "满意", "同意"])
    wb.active.append(["2", "桂花社区", "60", "NA", "null", "满意", "同意"])
    wb.save(tmp_path / "s.xlsx")
    s = read_survey(tmp_path / "s.xlsx", codebook=SMALL_CB)
    assert s.responses["phone"].tolist() == ["N/A", "NA"]
    assert s.responses["note"].tolist() == ["None", "null"]


def test_one_boolean_cell_does_not_corrupt_its_column(tmp_path):
    import openpyxl

    path = tmp_path / "export.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["id", "社区", "q1", "q2"])
    answers = [1, 2, True, 1, 3, 1, 5, 4]
    for i, value in enumerate(answers):
        sheet.append([f"r{i}", "桂花", value, 3])
    book.save(path)
    codebook = {
        "id_column": "id",
        "group_column": "社区",
        "scale": {"min": 1, "max": 5},
        "items": [{"column": c, "id": c, "dimension": "masses"} for c in ("q1", "q2")],
    }
    with pytest.warns(DataQualityWarning):
        survey = read_survey(path, codebook=codebook)
    # pd.factorize equates True and 1: every 1 used to become "True" and be quarantined
    assert survey.quarantine["value"].tolist() == ["TRUE"]
    assert survey.quarantine["row"].tolist() == [4]
    assert survey.responses["q1"].tolist()[:2] == [1, 2]


def test_full_width_missing_codes_in_the_group_column_are_no_group():
    export = pd.DataFrame(
        {
            "id": ["a", "b", "c", "d"],
            "社区": ["桂花", "（跳过）", "(跳过)", "梅园"],
            "q1": ["4", "5", "3", "2"],
        }
    )
    codebook = {
        "id_column": "id",
        "group_column": "社区",
        "scale": {"min": 1, "max": 5},
        "missing": {"skipped": ["(跳过)"]},
        "items": [{"column": "q1", "id": "q1", "dimension": "masses"}],
    }
    with pytest.warns(DataQualityWarning, match="2 respondent"):
        survey = read_survey(export, codebook=codebook)
    # （跳过） used to become a community of its own; both kinds mean "no group"
    assert survey.responses["group"].isna().tolist() == [False, True, True, False]
    assert survey.quarantine.empty


def test_a_formula_without_a_saved_value_is_quarantined_not_read_as_no_answer(tmp_path):
    """A workbook written by a program can hold formulas never computed: openpyxl reads
    their value as empty, which looked like an unanswered question."""
    import warnings

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["id", "社区", "q1", "q2"])
    for i in range(1, 7):
        ws.append([i, "甲社区" if i % 2 else "乙社区", 1 + i % 5, 1 + (i * 2) % 5])
    ws["C4"] = "=1+2"  # saved by openpyxl: a formula and no value
    path = tmp_path / "formula.xlsx"
    wb.save(path)
    cb = {
        "id_column": "id",
        "group_column": "社区",
        "scale": {"min": 1, "max": 5},
        "items": [
            {"column": "q1", "id": "q1", "dimension": "reform"},
            {"column": "q2", "id": "q2", "dimension": "reform"},
        ],
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        survey = read_survey(path, codebook=cb)
    q = survey.quarantine
    assert q[["row", "column", "value"]].values.tolist() == [[4, "q1", "=1+2"]]
    assert "formula without a saved value" in q.loc[0, "problem"]
    assert len(survey.responses) == 5  # the other rows are read as before
    assert survey.responses["q1"].notna().all()


def test_an_export_with_thousands_of_columns_reads(tmp_path):
    """5,000 extra columns read (popping them one by one was quadratic: minutes). Speed is
    measured in the benchmarks, not asserted here."""
    import warnings

    head = [*HEAD, *(f"x{i}" for i in range(5000))]
    rows = [head] + [
        [str(i), "桂花社区", "60", "", "", "满意", "同意", *("a" * 5000)] for i in range(1, 4)
    ]
    path = write_csv(tmp_path / "wide.csv", rows)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)  # the 备注-less rows are fine
        s = read_survey(path, codebook=SMALL_CB)
    assert s.responses["q7"].tolist() == [4.0] * 3
    assert s.responses.shape[0] == 3


def test_missing_kinds_are_built_when_first_read_and_survive_copies():
    """The missing-kind frame is made from codes on first access; copies and pickles give
    the same frame, and the field is still frozen and required."""
    import dataclasses
    import pickle
    import warnings

    from analysis.survey.reading import SurveyData

    export = pd.DataFrame(
        {
            "序号": ["1", "2", "3"],
            "社区": ["桂花社区", "梅园社区", "桂花社区"],
            "7、一站式服务": ["满意", "(跳过)", ""],
        }
    )
    codebook = {
        "id_column": "序号",
        "group_column": "社区",
        "scale": {"min": 1, "max": 5, "labels": {"不满意": 2, "一般": 3, "满意": 4}},
        "missing": {"skipped": ["(跳过)"]},
        "items": [{"column": "7、一站式服务", "id": "q7", "dimension": "reform"}],
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        survey = read_survey(export, codebook=codebook)
    copy = survey.with_(exclusions=survey.exclusions)
    restored = pickle.loads(pickle.dumps(copy))
    for s in (survey, copy, restored, dataclasses.replace(survey)):
        assert s.missing["q7"].tolist() == [None, "skipped", "no_answer"]
        assert s.missing["q7"].dtype == object
        assert s.missing.index.equals(s.responses.index)
    assert survey.missing is survey.missing  # built once, then kept
    with pytest.raises(dataclasses.FrozenInstanceError):
        survey.missing = survey.missing  # type: ignore[misc]
    with pytest.raises(TypeError):
        SurveyData(  # type: ignore[call-arg]
            responses=survey.responses, quarantine=survey.quarantine, codebook=None, source={}
        )
