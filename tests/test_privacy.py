"""Privacy and output safety: masking, suppression, file names, formula injection."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.report.privacy import (
    mask_pii,
    neutralise_formula,
    private_columns,
    safe_filename,
    suppress_small,
    valid_id_number,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("有问题打我电话13912345678", "有问题打我电话139****5678"),
        ("电话：+86 139 1234 5678。", "电话：+86 139 **** 5678。"),
        ("+86 130.1234.5678", "+86 130.****.5678"),
        ("0086 13912345678", "0086 139****5678"),
        ("１３６４５６７８９０１", "１３６＊＊＊＊８９０１"),
        ("138\u00a01234\u00a05678", "138\u00a0****\u00a05678"),
        ("(0755)12345678", "(0755)****5678"),
        ("（０１０）６２７５１２３４", "（０１０）＊＊＊＊１２３４"),
        ("老身份证110105491231002", "老身份证110105*********"),
        ("邮箱 zhang.san@example.com.cn", "邮箱 z****.***@example.com.cn"),
        ("座机010-62751234", "座机010-****1234"),
        ("身份证11010519491231002X请核实", "身份证110105************请核实"),
        # an 18-digit number with a wrong check digit is not an ID number: left alone
        ("编号110105194912310021", "编号110105194912310021"),
        # a 12-digit statistic is not a phone number
        ("全年产值139123456789元", "全年产值139123456789元"),
        ("没有个人信息", "没有个人信息"),
    ],
    ids=[
        "mobile",
        "mobile-86",
        "mobile-86-dots",
        "mobile-0086",
        "mobile-full-width",
        "mobile-nbsp",
        "landline-parentheses",
        "landline-full-width",
        "id-15",
        "email",
        "landline",
        "id",
        "bad-check-digit",
        "long-number",
        "none",
    ],
)
def test_mask_pii(text, expected):
    assert mask_pii(text) == expected


def test_id_check_digit_gb11643():
    # GB 11643-1999 worked example: 11010519491231002X
    assert valid_id_number("11010519491231002X")
    assert valid_id_number("11010519491231002x")
    assert not valid_id_number("110105194912310020")
    assert not valid_id_number("1101051949123100")


@given(st.text(alphabet="社区服务0123456789-， ", max_size=60))
def test_masking_keeps_length_and_never_adds_digits(text):
    masked = mask_pii(text)
    assert len(masked) == len(text)
    assert sum(c.isdigit() for c in masked) <= sum(c.isdigit() for c in text)


_FULL_WIDTH = str.maketrans("0123456789+-()", "０１２３４５６７８９＋－（）")
_HALF_WIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
_ID17 = r"[1-9][0-9]{5}(19|20)[0-9]{2}(0[1-9]|1[0-2])[0-2][1-9][0-9]{3}"
_ID15 = r"[1-9][0-9]{7}(0[1-9]|1[0-2])(0[1-9]|[12][0-9])[0-9]{3}"
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CONTEXT = st.text(alphabet="社区居民电话联系我们，。：是 ", max_size=8)


@st.composite
def personal_data(draw) -> tuple[str, str]:
    """A phone, ID or e-mail shape as people type it, and the part that must not survive."""
    kind = draw(st.sampled_from(["mobile", "landline", "id18", "id15", "email"]))
    sep = draw(st.sampled_from(["", " ", "-", ".", "\u00a0"]))
    if kind == "mobile":
        digits = draw(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
        prefix = draw(st.sampled_from(["", "+86", "+86 ", "0086", "0086 ", "+86-"]))
        shown = prefix + sep.join([digits[:3], digits[3:7], digits[7:]])
    elif kind == "landline":
        area = draw(st.sampled_from(["010", "021", "0755", "0571"]))
        digits = draw(st.from_regex(r"[2-8][0-9]{7}", fullmatch=True))
        shown = draw(st.sampled_from([f"({area})", f"{area}{sep or '-'}"])) + digits
    elif kind == "id18":
        body = draw(
            st.from_regex(
                r"[1-9][0-9]{5}(19|20)[0-9]{2}(0[1-9]|1[0-2])[0-2][1-9][0-9]{3}", fullmatch=True
            )
        )
        total = sum(
            int(d) * w
            for d, w in zip(
                body, (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2), strict=True
            )
        )
        digits = body + "10X98765432"[total % 11]
        shown = digits
    elif kind == "id15":
        digits = draw(
            st.from_regex(r"[1-9][0-9]{7}(0[1-9]|1[0-2])(0[1-9]|[12][0-9])[0-9]{3}", fullmatch=True)
        )
        shown = digits
    else:
        digits = draw(st.from_regex(r"[a-z][a-z0-9._]{3,10}[a-z0-9]", fullmatch=True))
        shown = digits + "@" + draw(st.sampled_from(["qq.com", "163.com", "example.org.cn"]))
    if kind != "email" and draw(st.booleans()):
        shown = shown.translate(_FULL_WIDTH)
    return draw(_CONTEXT) + shown + draw(_CONTEXT), digits


def _plain(text: str) -> str:
    return "".join(
        c
        for c in text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
        if c.isalnum()
    )


@settings(max_examples=2000, deadline=None)
@given(personal_data())
def test_no_phone_id_or_email_shape_survives_masking(case):
    text, secret = case
    masked = mask_pii(text)
    assert secret.lower() not in _plain(masked).lower()
    assert len(masked) == len(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(010) 1234567", "(010) ***4567"),  # ten digits, two characters between two
        ("（０１０）\u3000１２３－４５６７", "（０１０）\u3000＊＊＊－４５６７"),
        ("电话010-123-4567转", "电话010-***-4567转"),
        ("139 1234 5678", "139 **** 5678"),
        ("ｚｈａｎｇ＠ｑｑ．ｃｏｍ", "ｚ＊＊＊＊＠ｑｑ．ｃｏｍ"),
        ("编号123456789", "编号123456789"),  # nine digits: nothing to mask
        ("110105491231002", "110105*********"),
    ],
    ids=["gap-two", "full-width", "dashes", "spaces", "full-width-at", "nine", "id15"],
)
def test_shortest_shapes_are_still_masked(text, expected):
    assert mask_pii(text) == expected


@settings(max_examples=1500, deadline=None)
@given(
    st.one_of(
        personal_data().map(lambda case: case[0]),
        st.text(alphabet="社区0123456789０１２３４５６７８９ -.()（）＋+@＠X\u3000\n", max_size=40),
    )
)
def test_the_quick_look_skips_only_texts_nothing_could_match(text):
    # mask_pii first looks for ten digits close together or an at sign, and returns any
    # other text untouched: the full scan must agree on every text
    import re
    from unittest import mock

    import analysis.report.privacy as privacy

    quick = mask_pii(text)
    with mock.patch.object(privacy, "_CANDIDATE_RE", re.compile("")):
        assert quick == mask_pii(text)


def test_private_columns():
    cols = ["序号", "来自IP", "昵称", "用户ID", "1、您所居住的社区：", "提交答卷时间", "所用时间"]
    assert private_columns(cols) == ["来自IP", "昵称", "用户ID"]


def test_suppress_small_blanks_statistics_but_keeps_identity():
    frame = pd.DataFrame(
        {
            "dimension": ["reform"] * 2,
            "group": ["甲社区", "乙社区"],
            "n": [3, 40],
            "mean": [4.2, 3.1],
            "sd": [0.1, 0.9],
        }
    )
    out = suppress_small(frame, min_cell=5)
    assert out["suppressed"].tolist() == [True, False]
    assert out.loc[0, ["mean", "sd"]].isna().all()
    assert out.loc[0, "n"] == 3
    assert out.loc[1, "mean"] == 3.1
    assert frame["mean"].tolist() == [4.2, 3.1]  # input not mutated


@pytest.mark.parametrize(
    "value",
    ["=cmd|' /C calc'!A0", "+SUM(A1)", "-2+3", "@SUM(A1)", "\t=1"],
    ids=["eq", "plus", "minus", "at", "tab"],
)
def test_formula_cells_are_neutralised(value):
    assert neutralise_formula(value) == "'" + value


@pytest.mark.parametrize("value", [-1.5, 3, "桂花社区", "a=b", None], ids=str)
def test_other_cells_are_unchanged(value):
    assert neutralise_formula(value) == value


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd",
        "..",
        "a/b\\c",
        "<img src=x onerror=alert(1)>",
        "CON",
        "  ",
        "桂花社区",
        "x" * 300,
        "社区\x00名",
        "😀" * 300,
        "AUX.社区",
        "com1.txt",
        "社区\u202egpj.exe",
    ],
    ids=[
        "traversal",
        "dotdot",
        "separators",
        "html",
        "reserved",
        "blank",
        "chinese",
        "long",
        "nul",
        "four-byte",
        "device-with-extension",
        "device-lowercase",
        "bidi-override",
    ],
)
def test_safe_filename_stays_inside_its_folder(name, tmp_path):
    clean = safe_filename(name)
    assert clean
    assert "/" not in clean
    assert "\\" not in clean
    assert "\x00" not in clean
    assert not clean.startswith(".")
    target = (tmp_path / clean).resolve()
    assert target.parent == tmp_path.resolve()
    assert len(clean.encode("utf-8")) <= 120
    assert clean.split(".")[0].upper() not in {"CON", "PRN", "AUX", "NUL", "COM1", "LPT1"}
    assert not any(unicodedata.category(c) == "Cf" for c in clean)
    target.with_name(clean + ".docx").write_bytes(b"")  # the file system takes it


def test_safe_filename_distinct_names_stay_distinct():
    assert safe_filename("a/b") != safe_filename("a_b")
    assert safe_filename("桂花社区") == "桂花社区"


def test_group_reports_with_dots_and_hostile_names_stay_apart(tmp_path):
    import analysis as an
    from analysis.report.community import build_group_reports
    from analysis.report.compose import ReportInputs, overall_scores

    names = [
        "第1.5社区",
        "第1.6社区",
        "../../escape",
        "<img src=x onerror=alert(1)>",
        "很长的社区名" * 50,
        "😀" * 300,
        "AUX.社区",
    ]
    rows = [
        {"group": g, "dimension": d, "n": 10, "mean": 3.5, "sd": 0.5, "ci_low": 3.1, "ci_high": 3.9}
        for g in names
        for d in an.SERVICE_FIVE.ids
    ]
    scores = pd.DataFrame(
        [
            {"respondent_id": f"{g}-{i}", "group": g, "dimension": d, "score": 3.5, "n_items": 3}
            for g in names
            for i in range(10)
            for d in an.SERVICE_FIVE.ids
        ]
    )
    inputs = ReportInputs(
        title="t",
        title_en="t",
        lang="zh",
        min_cell=5,
        framework=an.SERVICE_FIVE,
        tables={
            "survey_descriptives": pd.DataFrame(rows),
            "survey_overall": overall_scores(scores, an.SERVICE_FIVE),
        },
        counts={},
        params={},
        summaries={},
        figures={},
        colophon=(),
    )
    out = tmp_path / "reports"
    # a long name used to crash the DOCX writer (255-character title limit)
    written = build_group_reports(inputs, names, out, formats=("html", "docx"))
    assert len(set(written)) == 2 * len(names)
    written = [w for w in written if w.endswith(".html")]
    for path in written:
        assert Path(path).resolve().parent == out.resolve()
    assert (out / "第1.5社区.html").is_file()
    assert not (tmp_path / "escape.html").exists()
    # the original name is shown, escaped, inside its report
    html = Path(written[3]).read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "很长的社区名" * 50 in Path(written[4]).read_text(encoding="utf-8")


@pytest.mark.parametrize("dtype", [object, "category", "str"])
def test_mask_frame_counts_the_text_cells_it_changes(dtype):
    from analysis.report.privacy import mask_frame

    phone = "13912345678"
    values = [phone, "无", None, phone, "电话 " + phone]
    if dtype is object:
        values += [13912345678, True]  # a number with the same digits is not a text
    frame = pd.DataFrame({"v": pd.Series(values, dtype=dtype)})
    masked, n = mask_frame(frame)
    assert n == 3
    assert masked["v"].tolist()[:2] == ["139****5678", "无"]
    if dtype is object:
        assert masked["v"].tolist()[-2:] == [13912345678, True]
