"""Tests for analysis.core.words, analysis.report.formatting and .display: labelled, escaped,
display-only rounded HTML tables."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import analysis as an
from analysis.report import display, formatting
from analysis.report.display import result_to_html, show
from analysis.report.formatting import frame_to_html


class _TableParser(HTMLParser):
    """Collects header titles, header texts, cell texts (per row) and the caption."""

    def __init__(self) -> None:
        super().__init__()
        self.titles: list[str] = []
        self.headers: list[str] = []
        self.rows: list[list[str]] = []
        self.captions: list[str] = []
        self.paragraphs: list[str] = []
        self._tag: str | None = None
        self._buffer = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        if tag == "th":
            self.titles.append(dict(attrs).get("title") or "")
        if tag in ("th", "td", "caption", "p"):
            self._tag, self._buffer = tag, ""

    def handle_data(self, data: str) -> None:
        if self._tag:
            self._buffer += data

    def handle_endtag(self, tag: str) -> None:
        if tag != self._tag:
            return
        if tag == "th":
            self.headers.append(self._buffer)
        elif tag == "td":
            self.rows[-1].append(self._buffer)
        elif tag == "caption":
            self.captions.append(self._buffer)
        elif tag == "p":
            self.paragraphs.append(self._buffer)
        self._tag = None


def parse(text: str) -> _TableParser:
    parser = _TableParser()
    parser.feed(text)
    return parser


def body_rows(parsed: _TableParser) -> list[list[str]]:
    return [row for row in parsed.rows if row]


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "dimension": ["reform", "livelihood", "members"],
            "n": [170, 208, 106],
            "mean": [3.14159265, 2.718281828, np.nan],
            "p_adj": [0.0000123, 0.04567, 1.0],
        }
    )


# ---------------------------------------------------------------- labels


def test_dimension_ids_become_chinese_labels(frame: pd.DataFrame) -> None:
    parsed = parse(frame_to_html(frame))
    assert [row[0] for row in body_rows(parsed)] == ["服务改革", "服务民生", "服务党员"]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("zh", ["维度", "样本量", "均值", "校正 p 值"]),
        ("en", ["Dimension", "N", "Mean", "Adjusted p"]),
    ],
    ids=["chinese", "english"],
)
def test_headers_by_language(frame: pd.DataFrame, lang: str, expected: list[str]) -> None:
    parsed = parse(frame_to_html(frame, lang=lang))
    assert parsed.headers == expected
    # the original column name stays reachable (hover title)
    assert parsed.titles == ["dimension", "n", "mean", "p_adj"]


def test_english_dimension_labels(frame: pd.DataFrame) -> None:
    parsed = parse(frame_to_html(frame, lang="en"))
    expected = [an.SERVICE_FIVE.label(d, "en") for d in frame["dimension"]]
    assert [row[0] for row in body_rows(parsed)] == expected


def test_unknown_columns_keep_their_names() -> None:
    parsed = parse(frame_to_html(pd.DataFrame({"my_col": [1]})))
    assert parsed.headers == ["my_col"]


def test_wide_frame_dimension_headers_and_index() -> None:
    wide = pd.DataFrame(
        [[1, 2], [3, 4]],
        columns=["reform", "masses"],
        index=pd.Index(["development", "members"], name="dimension"),
    )
    parsed = parse(frame_to_html(wide))
    assert parsed.headers == ["维度", "服务改革", "服务群众"]
    assert body_rows(parsed) == [["服务发展", "1", "2"], ["服务党员", "3", "4"]]


def test_values_of_a_column_of_ids_are_labelled_whatever_its_name() -> None:
    parsed = parse(frame_to_html(pd.DataFrame({"target": ["masses", "reform"]})))
    assert [row[0] for row in body_rows(parsed)] == ["服务群众", "服务改革"]


def test_custom_framework_labels() -> None:
    fw = an.load_framework(
        [
            {"id": "safety", "label_zh": "平安建设", "label_en": "Safety"},
            {"id": "greening", "label_zh": "绿化美化", "label_en": "Greening"},
        ]
    )
    text = frame_to_html(pd.DataFrame({"dimension": ["safety", "greening"]}), framework=fw)
    assert [row[0] for row in body_rows(parse(text))] == ["平安建设", "绿化美化"]


@pytest.mark.parametrize(
    ("column", "value", "lang", "expected"),
    [
        ("method", "welch", "zh", "Welch 方差分析"),
        ("method", "welch", "en", "Welch's ANOVA"),
        ("reason", "speeder", "zh", "作答过快"),
        ("quadrant", "concentrate", "zh", "重点改进区"),
        ("effect_type", "omega2", "zh", "ω²"),
        ("effect_type", "epsilon2_h", "en", "ε²_H"),
        ("flag", True, "zh", "是"),
        ("flag", False, "en", "no"),
    ],
    ids=[
        "method-zh",
        "method-en",
        "reason-zh",
        "quadrant-zh",
        "effect-zh",
        "effect-en",
        "bool-zh",
        "bool-en",
    ],
)
def test_value_labels(column: str, value: Any, lang: str, expected: str) -> None:
    text = frame_to_html(pd.DataFrame({column: [value]}), lang=lang)
    assert body_rows(parse(text)) == [[expected]]


def test_column_label() -> None:
    assert formatting.column_label("p_adj") == "校正 p 值"
    assert formatting.column_label("p_adj", "en") == "Adjusted p"
    assert formatting.column_label("members") == "服务党员"
    assert formatting.column_label("whatever") == "whatever"


# ---------------------------------------------------------------- escaping


def test_script_in_cells_is_escaped() -> None:
    evil = pd.DataFrame({"text": ["<script>alert('x')</script>", "a & b"]})
    text = frame_to_html(evil)
    assert "<script>" not in text
    assert "&lt;script&gt;" in text
    assert "a &amp; b" in text
    # the text the reader sees is the original string
    assert body_rows(parse(text)) == [["<script>alert('x')</script>"], ["a & b"]]


def test_script_in_headers_and_caption_is_escaped() -> None:
    evil = pd.DataFrame({'<img src=x onerror="alert(1)">': [1]})
    text = frame_to_html(evil, caption="<b>标题</b>")
    assert "<img" not in text
    assert "<b>" not in text
    parsed = parse(text)
    assert parsed.captions == ["<b>标题</b>"]
    assert parsed.headers == ['<img src=x onerror="alert(1)">']


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=40))
def test_any_text_round_trips_escaped(value: str) -> None:
    text = frame_to_html(pd.DataFrame({"text": [value]}, dtype=object), max_chars=0)
    assert body_rows(parse(text))[0][0] == (value if value else "")


# ---------------------------------------------------------------- numbers


def test_rounding_is_display_only(frame: pd.DataFrame) -> None:
    before = copy.deepcopy(frame)
    text = frame_to_html(frame, digits=2)
    pd.testing.assert_frame_equal(frame, before)
    assert frame.loc[0, "mean"] == 3.14159265
    rows = body_rows(parse(text))
    assert [row[2] for row in rows] == ["3.14", "2.72", "—"]
    assert [row[1] for row in rows] == ["170", "208", "106"]


@pytest.mark.parametrize(
    ("digits", "expected"), [(0, "3"), (1, "3.1"), (3, "3.142"), (5, "3.14159")], ids=str
)
def test_digits(digits: int, expected: str) -> None:
    text = frame_to_html(pd.DataFrame({"mean": [3.14159265]}), digits=digits)
    assert body_rows(parse(text)) == [[expected]]


def test_small_p_values_never_print_as_zero(frame: pd.DataFrame) -> None:
    rows = body_rows(parse(frame_to_html(frame)))
    assert [row[3] for row in rows] == ["< 0.001", "0.046", "1.000"]


def test_rounded_numbers_keep_full_precision_on_hover() -> None:
    text = frame_to_html(pd.DataFrame({"var_between": [1.99e-8, 0.0, -3.88e-5, 0.5]}))
    rows = body_rows(parse(text))
    assert [row[0] for row in rows] == ["0.000", "0.000", "0.000", "0.500"]
    assert 'title="1.99e-08">0.000<' in text
    assert 'title="-3.88e-05">0.000<' in text
    assert 'title="0.5">0.500<' in text
    assert 'title="0.0"' in text
    # integers and texts shown exactly carry no title
    assert (
        "title="
        not in frame_to_html(pd.DataFrame({"n": [12], "group": ["甲"]})).split("<tbody>")[1]
    )


def test_counts_held_as_floats_show_without_decimals() -> None:
    rows = body_rows(parse(frame_to_html(pd.DataFrame({"n": [12.0, np.nan], "df2": [536.96, 7]}))))
    assert rows == [["12", "536.960"], ["—", "7"]]


def test_negative_and_infinite_numbers() -> None:
    rows = body_rows(parse(frame_to_html(pd.DataFrame({"diff": [-0.5, np.inf, -np.inf]}))))
    assert [row[0] for row in rows] == ["−0.500", "∞", "−∞"]


def test_input_index_and_dtypes_unchanged() -> None:
    data = pd.DataFrame({"dimension": ["reform"], "score": [4.123456]}, index=[7])
    before = data.copy(deep=True)
    show(data)._repr_html_()
    pd.testing.assert_frame_equal(data, before)


# ---------------------------------------------------------------- size


def test_max_rows_with_a_note() -> None:
    data = pd.DataFrame({"score": np.arange(100, dtype=float)})
    parsed = parse(frame_to_html(data, max_rows=10))
    assert len(body_rows(parsed)) == 10
    assert parsed.paragraphs == ["共 100 行，显示前 10 行。"]
    parsed_en = parse(frame_to_html(data, max_rows=10, lang="en"))
    assert parsed_en.paragraphs == ["Showing the first 10 of 100 rows."]


def test_long_texts_are_shortened() -> None:
    rows = body_rows(parse(frame_to_html(pd.DataFrame({"text": ["字" * 500]}), max_chars=20)))
    assert rows[0][0] == "字" * 19 + "…"


def test_empty_frame() -> None:
    parsed = parse(frame_to_html(pd.DataFrame({"dimension": pd.Series([], dtype=str)})))
    assert parsed.headers == ["维度"]
    assert parsed.paragraphs == ["（空表）"]


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"lang": "fr"}, r"'lang' parameter of frame_to_html must be one of"),
        ({"digits": -1}, r"'digits' parameter of frame_to_html must be an integer >= 0"),
        ({"digits": 2.5}, r"'digits' parameter"),
        ({"max_rows": 0}, r"'max_rows' parameter of frame_to_html must be an integer >= 1"),
    ],
    ids=["lang", "negative-digits", "float-digits", "zero-rows"],
)
def test_bad_options(options: dict[str, Any], match: str) -> None:
    with pytest.raises(an.ConfigError, match=match):
        frame_to_html(pd.DataFrame({"n": [1]}), **options)


def test_not_a_frame() -> None:
    with pytest.raises(an.InputError, match="expected a pandas DataFrame or Series; got list"):
        frame_to_html([1, 2, 3])  # type: ignore[arg-type]


# ---------------------------------------------------------------- show and results


def test_show_is_public_and_wraps_frames(frame: pd.DataFrame) -> None:
    assert an.show is show
    shown = an.show(frame, caption="信度")
    assert isinstance(shown, display.LabelledFrame)
    assert shown.to_frame() is frame
    assert parse(shown._repr_html_()).captions == ["信度"]
    assert repr(shown) == repr(frame)


def test_show_series() -> None:
    shown = show(pd.Series([0.5], name="share"))
    assert parse(shown._repr_html_()).headers == ["占比"]


@dataclass(frozen=True)
class _FakeResult:
    table: pd.DataFrame
    posthoc: pd.DataFrame
    params: dict[str, Any]

    def summary(self, lang: str = "zh") -> str:
        return "第一句 <b>。\n第二句。" if lang == "zh" else "First.\nSecond."


def test_show_result_object() -> None:
    result = _FakeResult(
        table=pd.DataFrame({"dimension": ["reform"], "p_value": [0.5]}),
        posthoc=pd.DataFrame({"group_a": ["甲"], "group_b": ["乙"], "diff": [0.25]}),
        params={"alpha": 0.05},
    )
    shown = show(result)
    assert isinstance(shown, display.LabelledResult)
    parsed = parse(shown._repr_html_())
    assert parsed.paragraphs == ["第一句 <b>。", "第二句。"]
    assert parsed.captions == ["总体检验", "事后两两比较"]
    assert "服务改革" in [cell for row in parsed.rows for cell in row]
    parsed_en = parse(result_to_html(result, lang="en"))
    assert parsed_en.paragraphs == ["First.", "Second."]
    assert parsed_en.captions == ["Omnibus tests", "Post hoc pairs"]


def test_show_result_with_a_frame_summary() -> None:
    lexicon = an.default_lexicon()
    parsed = parse(show(lexicon)._repr_html_())
    assert parsed.headers[:3] == ["维度", "标签", "词条数"]
    assert len(body_rows(parsed)) == len(an.SERVICE_FIVE)


def test_show_rejects_bad_options() -> None:
    with pytest.raises(an.ConfigError, match="'lang' parameter of show"):
        show(pd.DataFrame({"n": [1]}), lang="de")  # type: ignore[arg-type]


def test_header_overrides() -> None:
    parsed = parse(
        frame_to_html(pd.DataFrame({"term": ["x"], "n": [1]}), headers={"term": "模型项"})
    )
    assert parsed.headers == ["模型项", "样本量"]


def test_model_coefficients_are_model_terms() -> None:
    @dataclass(frozen=True)
    class ModelResult:
        coefficients: pd.DataFrame

    parsed = parse(result_to_html(ModelResult(pd.DataFrame({"term": ["C(party)[T.中共党员]"]}))))
    assert parsed.headers == ["模型项"]
    assert parsed.captions == ["系数"]


# ---------------------------------------------------------------- report preview


def test_preview_report_embeds_the_file_escaped(tmp_path: Any) -> None:
    page = tmp_path / "report.html"
    page.write_text('<html><body><h1>报告 "甲" & 乙</h1></body></html>', encoding="utf-8")
    preview = display.preview_report(page, height=300)
    text = preview._repr_html_()
    assert text.startswith("<iframe srcdoc=")
    assert 'sandbox=""' in text
    assert "height: 300px" in text
    # the page is inside one attribute: no raw tag or quote escapes it
    inner = text.split('srcdoc="', 1)[1].split('" sandbox', 1)[0]
    assert "<" not in inner
    assert '"' not in inner
    assert "&lt;h1&gt;报告 &quot;甲&quot; &amp; 乙&lt;/h1&gt;" in inner


@pytest.mark.parametrize(
    ("name", "height", "error", "match"),
    [
        ("missing.html", 600, an.InputError, r"'.*missing\.html' is not an HTML file"),
        ("report.txt", 600, an.InputError, r"is not an HTML file"),
        ("report.html", 0, an.ConfigError, r"'height' parameter of preview_report"),
    ],
    ids=["missing", "not-html", "height"],
)
def test_preview_report_errors(
    tmp_path: Any, name: str, height: int, error: type[Exception], match: str
) -> None:
    (tmp_path / "report.txt").write_text("x", encoding="utf-8")
    (tmp_path / "report.html").write_text("<p>x</p>", encoding="utf-8")
    with pytest.raises(error, match=match):
        display.preview_report(tmp_path / name, height=height)


@pytest.mark.parametrize(
    ("index", "headers"),
    [
        (pd.Index([5, 2]), ["得分"]),
        (pd.Index([5, 2], name="row"), ["行", "得分"]),
        (pd.Index(["a", "b"]), ["", "得分"]),
    ],
    ids=["leftover-row-numbers", "named", "labels"],
)
def test_index_shown_only_when_it_means_something(index: pd.Index, headers: list[str]) -> None:
    parsed = parse(frame_to_html(pd.DataFrame({"score": [1.0, 2.0]}, index=index)))
    assert parsed.headers == headers


def test_confusion_matrix_and_prediction_columns() -> None:
    confusion = pd.DataFrame(
        [[3, 1]], columns=["reform", "none"], index=pd.Index(["reform"], name="label")
    )
    parsed = parse(frame_to_html(confusion))
    assert parsed.headers == ["标签", "服务改革", "无命中"]
    assert body_rows(parsed) == [["服务改革", "3", "1"]]
    predictions = pd.DataFrame({"predicted": ["none"], "weighted_members": [1.5]})
    parsed = parse(frame_to_html(predictions, lang="en"))
    assert parsed.headers == ["Predicted", "Weighted hits: Serving party members"]
    assert body_rows(parsed) == [["No hit", "1.500"]]


def test_result_tables_headline_first() -> None:
    @dataclass(frozen=True)
    class Validation:
        predictions: pd.DataFrame
        confusion: pd.DataFrame
        metrics: pd.DataFrame
        summary: pd.DataFrame

    one = pd.DataFrame({"n": [1]})
    parsed = parse(result_to_html(Validation(one, one, one, one)))
    assert parsed.captions == ["摘要", "各维度指标", "混淆矩阵", "逐段预测"]


# ---------------------------------------------------------------- report tables


def test_frame_to_table_for_reports(frame: pd.DataFrame) -> None:
    before = frame.copy(deep=True)
    table = formatting.frame_to_table(frame, title="表", note="注", lang="zh")
    pd.testing.assert_frame_equal(frame, before)
    assert table.title == "表"
    assert table.note == "注"
    assert table.columns == ("维度", "样本量", "均值", "校正 p 值")
    # unescaped display texts: the renderers escape for their own format
    assert table.rows == (
        ("服务改革", "170", "3.14", "< 0.01"),
        ("服务民生", "208", "2.72", "0.05"),
        ("服务党员", "106", "—", "1.00"),
    )


def test_frame_to_table_renders_escaped_in_html() -> None:
    from analysis.report.document import ReportDocument, Section
    from analysis.report.render import render_html

    table = formatting.frame_to_table(pd.DataFrame({"text": ["<script>x</script>"]}), title="t")
    page = render_html(ReportDocument("标题", "", "zh", (Section("一", tables=(table,)),)))
    assert "<script>x</script>" not in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page


@pytest.mark.parametrize(
    ("column", "value", "digits", "expected"),
    [
        ("p_value", 0.5, 0, "0.50"),
        ("p_value", 0.004, 0, "< 0.01"),
        ("p_adj", 0.0004, 3, "< 0.001"),
        ("bartlett_p", 0.0, 3, "< 0.001"),
        ("mean", 0.3, 0, "0"),
        ("mean", -0.00002, 3, "0.000"),
        ("mean", -1.25, 1, "−1.2"),
    ],
    ids=["p-digits0", "small-p-digits0", "p-adj", "p-zero", "digits0", "tiny-negative", "minus"],
)
def test_number_edge_cases(column: str, value: float, digits: int, expected: str) -> None:
    text = frame_to_html(pd.DataFrame({column: [value]}), digits=digits)
    assert body_rows(parse(text)) == [[expected]]


# ---------------------------------------------------------------- result classes in Jupyter


def _chi_square() -> Any:
    data = pd.DataFrame(
        {"group": ["甲"] * 30 + ["乙"] * 30, "party": (["党员"] * 15 + ["群众"] * 15) * 2}
    )
    return an.chi_square(data, "group", "party", yates=False)


def _entropy() -> Any:
    means = pd.DataFrame(
        {
            "group": ["甲", "甲", "乙", "乙", "丙", "丙"],
            "dimension": ["reform", "masses"] * 3,
            "score": [3.1, 3.9, 3.5, 3.2, 4.0, 3.6],
        }
    )
    return an.entropy_weights(means)


def _model() -> Any:
    from analysis.stats.nesting import ModelResult

    coefficients = pd.DataFrame(
        {"term": ["C(party)[T.党员]"], "estimate": [0.1], "p_value": [0.03]}
    )
    return ModelResult(coefficients, pd.DataFrame({"n": [100], "aic": [12.5]}), {})


def _baseline() -> Any:
    from analysis.text.validate import BaselineResult

    folds = pd.DataFrame({"fold": [1, 2], "macro_f1": [0.5, 0.6], "accuracy": [0.5, 0.6]})
    return BaselineResult(folds, pd.DataFrame({"n": [20], "macro_f1": [0.55]}))


@pytest.mark.parametrize(
    ("make", "title", "captions", "header"),
    [
        (_chi_square, "卡方独立性检验", ["总体检验", "单元格"], "Cramér V"),
        (_entropy, "熵权法综合指数", ["指标权重", "综合得分"], "综合指数"),
        (_model, "模型估计", ["模型拟合", "系数"], "模型项"),
        (_baseline, "监督学习基线", ["摘要", "各折结果"], "宏平均 F1"),
    ],
    ids=["chi-square", "entropy", "model", "baseline"],
)
def test_result_classes_display_labelled_in_jupyter(
    make: Any, title: str, captions: list[str], header: str
) -> None:
    result = make()
    text = result._repr_html_()
    assert text == result_to_html(result)
    assert title in text
    parsed = parse(text)
    assert parsed.captions == captions
    assert header in parsed.headers


def test_chi_square_display_leads_with_its_apa_sentence() -> None:
    parsed = parse(_chi_square()._repr_html_())
    assert parsed.paragraphs[0].startswith("group 与 party 的卡方独立性检验：χ²(1, N = 60) = 0.00")
