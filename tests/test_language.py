"""Chinese outputs speak Chinese: reports, the report workbook and the command line.

A zh study's report (HTML, DOCX), its workbook and the CLI's own lines are scanned for Latin
words. What may stay Latin is the allow-list below, in three kinds:

- identifiers the user recognises as such: file names and paths, document ids
  (``guihua-2023-01``), item ids (``q7``), hexadecimal hashes and commits, the lexicon's
  own name (``service-five``, set in its file), software names in the methods and colophon
  (``analysis``, ``pandas``, ``jieba`` …);
- statistical symbols, as Chinese journals print them: any single letter (t, F, p, g, n,
  M, k, H and the compact letters a, b …), ``SD``, ``CI``, ``df`` and ``SHA``;
- proper names of methods and their authors, as Chinese journals print them: ``Welch`` in
  ``Welch 方差分析``, ``Games-Howell``, ``Holm 法``, ``Cronbach's α``, ``Feldt`` ….

The list is case-sensitive: ``Welch`` (a name) passes, ``welch`` (a raw method id) fails,
as do ``omega2``, ``pairwise``, ``holm`` and ``speeder``.
"""

from __future__ import annotations

import contextlib
import io
import re
import warnings
from pathlib import Path

import pandas as pd
import pytest

from analysis.core.words import (
    counts_line,
    message,
    p_adjust_label,
    problem_label,
    reason_label,
    value_label,
)

ALLOWED = frozenset(
    {
        # statistical symbols (single letters are allowed separately)
        "SD", "CI", "df", "SHA",
        # proper names of methods, their authors and indices
        "Welch", "Games-Howell", "Tukey-Kramer", "Kruskal-Wallis", "Dunn", "Brown-Forsythe",
        "Bonferroni", "Holm", "Benjamini-Hochberg", "Cronbach", "Cronbach's", "Feldt",
        "McDonald", "Bartlett", "KMO", "Spearman", "Hedges", "Cohen", "Delacre", "LSD",
        "Levene", "Shapiro-Wilk", "Jaccard", "Cramér", "Yates", "ICC", "AIC", "PMI",
        "NPMI", "Dask", "BCa",
        # software named in the methods section and the colophon
        "analysis", "python", "pandas", "scipy", "statsmodels", "jieba", "git", "effectsize",
        # the default lexicon's own name (an id set in its file)
        "service-five",
    }
)  # fmt: skip

# identifiers removed before the scan: paths and file names, document and item ids, hashes
_IDS = (
    re.compile(r"[\w./\\-]+\.(?:txt|csv|xlsx|xls|yaml|yml|docx|html|json|parquet|png)\b"),
    re.compile(r"\b[0-9a-f]{7,64}(?:[-+]dirty)?\b"),
    re.compile(r"\b[a-z]+-\d{4}-\d{2}\b"),
    re.compile(r"\bq\d+\b"),
    # encodings named in the run summary (编码：文档按 utf-8 (20) 读取)
    re.compile(r"\b(?:utf-8(?:-sig)?|gb18030|gbk|big5)\b", re.IGNORECASE),
)
_WORD = re.compile(r"[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ'’\-]*[A-Za-z]|[A-Za-z]")


def english_words(text: str) -> list[str]:
    """Latin words of ``text`` that are neither identifiers nor on the allow-list."""
    for pattern in _IDS:
        text = pattern.sub(" ", text)
    return [w for w in _WORD.findall(text) if len(w) > 1 and w not in ALLOWED]


def _html_text(path: Path) -> str:
    import html

    text = path.read_text(encoding="utf-8")
    text = re.sub(r"<(style|script)\b.*?</\1>", " ", text, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)  # tags and their attributes (ids, data URIs)
    return html.unescape(text)


def _docx_text(path: Path) -> str:
    from docx import Document

    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join(parts)


def _xlsx_text(path: Path) -> str:
    from openpyxl import load_workbook

    wb = load_workbook(path)
    parts = []
    for ws in wb.worksheets:
        parts.append(ws.title)
        parts += [str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None]
    return "\n".join(parts)


@pytest.fixture(scope="module")
def zh_cli_run(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The demo study (report.language: zh) run through the CLI: output folder, stdout."""
    from analysis.study.cli import main

    out = tmp_path_factory.mktemp("zh-run")
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert main(["run", str(demo_dir / "study.yaml"), "-o", str(out), "-q"]) == 0
    return out, buffer.getvalue()


def test_zh_study_outputs_have_no_english_outside_the_allow_list(zh_cli_run) -> None:
    out, stdout = zh_cli_run
    texts = {
        "stdout": stdout.replace(str(out), " "),
        "report.html": _html_text(out / "report.html"),
        "report.docx": _docx_text(out / "report.docx"),
        "report.xlsx": _xlsx_text(out / "report.xlsx"),
    }
    for path in sorted((out / "reports").iterdir()):
        reader = _html_text if path.suffix == ".html" else _docx_text
        texts[f"reports/{path.name}"] = reader(path)
    leaks = {name: sorted(set(english_words(text))) for name, text in texts.items()}
    assert {k: v for k, v in leaks.items() if v} == {}
    # the strings issue 17 named, now Chinese
    report = texts["report.html"]
    for english in ("排除: speeder", "omega2 =", "按 pairwise", "经 holm", "welch"):
        assert english not in report
    for chinese in (
        "排除：作答过快",
        "ω² = ",
        "缺失值按成对删除方式处理",
        "Holm 法",
        "Welch 方差分析",
    ):
        assert chinese in report
    assert stdout.startswith("已写出 ")
    assert "计数：问卷读入行数 1363" in stdout


def test_the_scan_catches_raw_ids() -> None:
    assert english_words("检验：welch；效应量 omega2 = 0.02；经 holm 方法") == [
        "welch",
        "omega",
        "holm",
    ]
    assert english_words("Welch 方差分析，p < .001，texts/a-1.txt，SHA-256 3fa9c0d1e2b4") == []


def test_community_reports_carry_no_input_hashes(zh_cli_run) -> None:
    out, _ = zh_cli_run
    page = _html_text(out / "reports" / "东湖社区.html")
    assert "SHA-256" not in page
    assert "guihua" not in page
    assert "texts/" not in page
    assert "软件版本" in page  # the package version stays
    assert "SHA-256" in _html_text(out / "report.html")  # the study report keeps them


def test_report_workbook_is_chinese_rounded_and_three_line(zh_cli_run) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(zh_cli_run[0] / "report.xlsx")
    assert wb.sheetnames[:3] == ["问卷得分描述统计", "信度分析", "题目分析"]
    for ws in wb.worksheets:
        assert len(ws.title) <= 31
        assert not re.search(r"[\[\]:*?/\\]", ws.title)
        last = ws.max_row
        for cell in ws[1]:
            assert cell.border.top.style == "medium"
            assert cell.border.bottom.style == ("medium" if last == 1 else "thin")
            assert _style(cell.border.left) is None
            assert _style(cell.border.right) is None
        if last > 1:
            assert all(c.border.bottom.style == "medium" for c in ws[last])
            assert all(_style(c.border.left) is None for c in ws[2])
        for row in ws.iter_rows(min_row=2, values_only=True):
            for value in row:
                if isinstance(value, float):  # rounded, as in the HTML tables
                    assert round(value, 3) == value
    desc = wb["问卷得分描述统计"]
    assert [c.value for c in desc[1]][:5] == ["维度", "组别", "样本量", "有效样本量", "均值"]
    assert desc["E2"].number_format == "0.00"
    comp = wb["问卷得分社区间比较"]
    head = [c.value for c in comp[1]]
    row = [c.value for c in comp[2]]
    assert row[head.index("方法")] == "Welch 方差分析"
    assert row[head.index("效应量类型")] == "ω²"
    assert row[head.index("原因")].startswith("自动选择：Welch 方差分析")


def _style(side) -> str | None:  # type: ignore[no-untyped-def]
    return None if side is None else side.style


def test_english_workbook_has_english_headers_likewise_rounded(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from analysis.report.render import write_xlsx

    frame = pd.DataFrame(
        {
            "dimension": ["reform"],
            "method": ["welch"],
            "statistic": [5.377331234],
            "p_adj": [0.0000291],
            "effect_type": ["omega2"],
            "missing": ["pairwise"],
        }
    )
    path = write_xlsx({"survey_compare": frame}, tmp_path / "en.xlsx", lang="en")
    ws = load_workbook(path)["Survey comparisons"]
    assert [c.value for c in ws[1]] == [
        "Dimension",
        "Method",
        "Statistic",
        "Adjusted p",
        "Effect type",
        "Missing data",
    ]
    assert [c.value for c in ws[2]] == [
        "Service reform",
        "Welch's ANOVA",
        5.38,
        "< 0.001",
        "ω²",
        "pairwise",
    ]
    raw = load_workbook(write_xlsx({"t": frame}, tmp_path / "raw.xlsx"))["t"]
    assert raw["C2"].value == 5.377331234  # without a language: the frame as it is


def test_sheet_names_stay_valid(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from analysis.report.render import write_xlsx

    frame = pd.DataFrame({"n": [1]})
    tables = {"a[b]:c*d?e/f\\g" + "x" * 40: frame, "a[b]:c*d?e/f\\g" + "x" * 41: frame}
    names = load_workbook(write_xlsx(tables, tmp_path / "n.xlsx", lang="zh")).sheetnames
    assert len(set(names)) == 2
    assert all(len(n) <= 31 and not re.search(r"[\[\]:*?/\\]", n) for n in names)


@pytest.mark.parametrize(
    ("column", "value", "zh", "en"),
    [
        ("reason", "speeder", "作答过快", "speeder"),
        ("reason", "duplicate", "重复提交", "duplicate"),
        ("missing", "pairwise", "成对删除", "pairwise"),
        ("method", "welch", "Welch 方差分析", "Welch's ANOVA"),
        ("method", "games-howell", "Games-Howell", "Games-Howell"),
        ("effect_type", "omega2", "ω²", "ω²"),
        ("effect_type", "epsilon2", "ε²", "ε²"),
        ("p_adjust", "holm", "Holm 法", "Holm"),
        ("p_adjust", "bh", "Benjamini-Hochberg 法", "Benjamini-Hochberg"),
        ("problem", "answer not on scale 'default'; expected …", "答案不在量表范围内", None),
    ],
)
def test_vocabulary_names_coded_values(column: str, value: str, zh: str, en: str | None) -> None:
    assert value_label(column, value, "zh") == zh
    assert value_label(column, value, "en") == (en or problem_label(value, "en"))


def test_every_selection_reason_has_chinese() -> None:
    from analysis.stats.oneway import NO_BOOT, _choose

    reasons = [
        _choose(3, "auto", weighted=True)[1],
        _choose(5, "auto", weighted=False)[1],
        _choose(40, "auto", weighted=False)[1],
        _choose(40, "welch", weighted=False)[1],
        "fewer than two groups with at least 2 values",
        f"{_choose(40, 'auto', weighted=False)[1]}; not computed: no variation within 2 group(s)",
        f"{_choose(40, 'auto', weighted=False)[1]}; {NO_BOOT}",
    ]
    for reason in reasons:
        zh = reason_label(reason, "zh")
        assert english_words(zh) == [], zh
        assert reason_label(reason, "en") == reason
    assert p_adjust_label("none", "zh") == "不校正"


def test_show_in_chinese_translates_the_reason_column() -> None:
    import numpy as np

    import analysis as an

    rng = np.random.default_rng(1)
    frame = pd.DataFrame(
        {"group": np.repeat(["甲", "乙", "丙"], 30), "score": rng.normal(3, 1, 90).round(3)}
    )
    result = an.compare_groups(frame, dv="score", between="group")
    page = _html_text_of(an.show(result, lang="zh")._repr_html_())
    assert "自动选择：Welch 方差分析" in page
    assert "auto:" not in page
    assert ">welch<" not in page


def _html_text_of(markup: str) -> str:
    import html

    return html.unescape(re.sub(r"<[^>]+>", " ", markup))


@pytest.mark.parametrize(
    ("environ", "lang"),
    [
        ({"LANG": "zh_CN.UTF-8"}, "zh"),
        ({"LC_ALL": "zh_TW.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
        ({"LC_ALL": "C.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),
        ({}, "en"),
    ],
)
def test_locale_language(environ: dict[str, str], lang: str) -> None:
    from analysis.study.cli import locale_lang

    assert locale_lang(environ) == lang


def test_commands_without_a_study_follow_the_locale(tmp_path, capsys, monkeypatch) -> None:
    from analysis.study.cli import main

    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert main(["init", str(tmp_path / "zh")]) == 0
    assert capsys.readouterr().out.startswith("已创建 ")
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert main(["init", str(tmp_path / "en")]) == 0
    assert capsys.readouterr().out.startswith("created ")


def test_cli_messages_come_from_the_vocabulary() -> None:
    counts = {"survey_rows": 10, "documents": 3}
    assert counts_line(counts, "zh") == "计数：问卷读入行数 10，纳入分析的文本 3"
    assert counts_line(counts, "en") == "counts: survey_rows=10, documents=3"
    assert message("bar_run", "zh") == "运行研究"
    assert message("error", "zh") == "错误："


def test_one_group_order_everywhere(tmp_path: Path, monkeypatch) -> None:
    import analysis as an
    from analysis.report.charts import groups as charts
    from analysis.study.config import load_study

    rows = ["序号,所在社区,q1,q2"]
    for i in range(36):
        rows.append(f"{i + 1},{'甲乙丙'[i % 3]}社区,{1 + i % 5},{1 + (i * 2) % 5}")
    (tmp_path / "survey.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (tmp_path / "codebook.yaml").write_text(
        "id_column: 序号\ngroup_column: 所在社区\nscale: {min: 1, max: 5}\nitems:\n"
        "  - {column: q1, id: q1, dimension: reform}\n"
        "  - {column: q2, id: q2, dimension: reform}\n",
        encoding="utf-8",
    )
    (tmp_path / "study.yaml").write_text(
        "title: t\nsurvey: {path: survey.csv, codebook: codebook.yaml}\n"
        "report: {formats: [html, xlsx], per_group: true, group_order: [丙社区, 甲社区]}\n"
        "output: out\n",
        encoding="utf-8",
    )
    assert load_study(tmp_path / "study.yaml").group_order == ("丙社区", "甲社区")
    drawn: dict[str, list[str]] = {}
    for name in ("plot_radar", "plot_means_ci", "plot_heatmap"):
        real = getattr(charts, name)

        def spy(*args, _real=real, _name=name, **kw):  # type: ignore[no-untyped-def]
            drawn.setdefault(_name, list(kw.get("groups") or []))  # the study figure first
            return _real(*args, **kw)

        monkeypatch.setattr(charts, name, spy)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = an.run_study(tmp_path / "study.yaml")
    order = ["丙社区", "甲社区", "乙社区"]  # the study's order, then the rest by name
    assert drawn == {"plot_radar": order, "plot_means_ci": order, "plot_heatmap": order}
    page = _html_text(res.output / "report.html")
    positions = [page.index(f" {g} ", page.index("各社区各维度得分均值")) for g in order]
    assert positions == sorted(positions)
    report_files = [p.stem for p in sorted((res.output / "reports").glob("*.html"))]
    assert sorted(report_files) == sorted(order)
    desc = pd.read_excel(res.output / "report.xlsx", sheet_name="问卷得分描述统计")
    assert list(dict.fromkeys(desc["组别"])) == order


def test_group_order_must_be_a_list(tmp_path: Path) -> None:
    from analysis.core.errors import ConfigError
    from analysis.study.config import load_study

    (tmp_path / "study.yaml").write_text(
        "title: t\nreport: {group_order: 丙社区}\noutput: out\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError, match="group_order"):
        load_study(tmp_path / "study.yaml", check_files=False)


def test_heatmap_colour_bar_names_its_unit() -> None:
    import matplotlib.pyplot as plt

    from analysis.report.charts.groups import plot_heatmap

    desc = pd.DataFrame(
        {"group": ["甲社区", "乙社区"], "dimension": ["reform"] * 2, "mean": [3.9, 3.4]}
    )
    ax = plot_heatmap(desc, unit="每千词加权命中")
    labels = [a.get_ylabel() for a in ax.figure.axes if a is not ax]
    assert "每千词加权命中" in labels
    plt.close(ax.figure)


def test_group_order_helpers() -> None:
    from analysis.report.order import group_order, order_tables

    assert group_order(["乙", "甲", None, "丙", "乙"], ["丙", "丁"]) == ["丙", "乙", "甲"]
    frame = pd.DataFrame({"group": ["甲", "乙", "丙", "甲"], "x": [1, 2, 3, 4]})
    ordered = order_tables({"t": frame, "u": frame[["x"]]}, ["丙", "甲"])
    assert ordered["t"]["x"].tolist() == [3, 1, 4, 2]
    assert ordered["u"]["x"].tolist() == [1, 2, 3, 4]


def test_the_warnings_of_a_run_print_in_chinese(demo_dir) -> None:
    """The warnings the demo run gives, as the command line prints them for a zh study."""
    import analysis as an
    from analysis.core.warning_words import warning_label

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        survey = an.read_survey(demo_dir / "survey.xlsx", codebook=demo_dir / "codebook.yaml")
        an.screen_quality(survey, exclude=["speeder", "duplicate"])
    texts = [str(w.message) for w in caught]
    assert len(texts) >= 2
    for text in texts:
        printed = warning_label(text, "zh")
        assert english_words(printed) == [], printed
        assert warning_label(text, "en") == text


def test_every_warning_a_run_can_raise_has_chinese_words() -> None:
    """Each ``warnings.warn`` of the library is met by a pattern of the Chinese table: its
    message, with its fields filled in as a run fills them, prints without English prose."""
    from analysis.core.warning_words import warning_label

    examples = [
        "compare_groups: fewer than two groups of 'community' to compare; those rows have no "
        "test (NaN statistics)",
        "compare_groups: welch test not computed for reform: no variation within group(s) "
        "'甲', '乙'",
        "icc: only 4 clusters; the between-cluster variance is imprecise",
        "mixed_model: only 6 clusters; the between-cluster variance is imprecise",
        "mixed_model: the REML/ML optimum of 'y ~ x' was not reached to 1e-6; estimates may "
        "be imprecise (simplify the random part or rescale predictors)",
        "text_survey_correlation: fewer than 5 communities for 服务改革; the correlation is "
        "fragile",
        "dimension_table: 40% of expected counts are below 5; the chi-square approximation is "
        "poor, read the residuals descriptively",
        "问卷.csv, row 1: duplicated column header '年龄' (columns 3 and 7); later copies are "
        "read as '<header> [column N]'",
        "问卷.csv: 3 respondent(s) name no group in column '社区'; they are kept for scores, "
        "reliability and item analysis and left out of group comparisons",
        "问卷.csv: read as 'gb18030' as asked, but the bytes are valid UTF-8, which is the "
        "likely encoding; leave the encoding out to detect it",
        "cfa: dimension 'reform' has 1 item; a factor needs at least two (three to be "
        "identified on its own), so it is left out of the model",
        "cfa: 150 respondents; ML estimates and fit indices are unstable below about 200",
        "cfa: the fit did not converge in 500 iterations; check for items with almost no "
        "variance or near-duplicate items, drop a weak item, or fit fewer dimensions",
        "invariance: groups too small to test (fewer than 30 complete respondents): '甲', "
        "'乙'; they are left out. Pool small groups into larger ones (e.g. by street or "
        "district) or test a subset with groups=[...]",
    ]
    allowed = {"community", "reform", "gb18030", "column", "header", "groups", "reml", "ml"}
    for text in examples:
        printed = warning_label(text, "zh")
        assert printed != text, text
        assert [w for w in english_words(printed) if w.lower() not in allowed] == [], printed
