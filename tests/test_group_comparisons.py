"""A community report says each dimension's significant pairs once, with a table of differences."""

from __future__ import annotations

import itertools
import re

import pandas as pd
import pytest

import analysis as an
from analysis.report.community import group_document
from analysis.report.compose import ReportInputs

GROUPS = [f"{name}社区" for name in "甲乙丙丁戊己庚辛"]
# reform: 甲 far below every other; livelihood: 甲 above 乙 and below 丙; others equal
MEANS = {
    "reform": dict(zip(GROUPS, [3.0, 3.4, 3.5, 3.6, 3.5, 3.4, 3.6, 3.5], strict=True)),
    "livelihood": dict(zip(GROUPS, [3.5, 3.0, 4.0, 3.5, 3.5, 3.5, 3.5, 3.5], strict=True)),
}


def _inputs(lang: str) -> ReportInputs:
    desc, post = [], []
    for dim, means in MEANS.items():
        for g, m in means.items():
            desc.append(
                {"dimension": dim, "group": g, "n": 100, "mean": m, "sd": 0.5}
                | {"ci_low": m - 0.1, "ci_high": m + 0.1}
            )
        for a, b in itertools.combinations(GROUPS, 2):
            diff = means[b] - means[a]  # the post hoc table's convention: mean(b) - mean(a)
            p = 0.0004 if abs(diff) > 0.35 else 0.5
            post.append(
                {"dimension": dim, "group_a": a, "group_b": b, "diff": diff}
                | {"ci_low": diff - 0.2, "ci_high": diff + 0.2, "p_adj": p}
            )
    compare = pd.DataFrame({"dimension": list(MEANS), "method": "welch_anova"})
    overall = pd.DataFrame({"dimension": list(MEANS), "mean": [3.5, 3.5]})
    return ReportInputs(
        title="示例研究",
        title_en="Demo study",
        lang=lang,
        min_cell=5,
        framework=an.SERVICE_FIVE,
        tables={
            "survey_descriptives": pd.DataFrame(desc),
            "survey_overall": overall,
            "survey_compare": compare,
            "survey_posthoc": pd.DataFrame(post),
        },
        counts={},
        params={},
        summaries={},
        figures={},
        colophon=(),
        group_label="group",
    )


def _section(lang: str):  # type: ignore[no-untyped-def]
    doc = group_document(_inputs(lang), "甲社区")
    title = "社区间比较" if lang == "zh" else "Comparing communities"
    return next(s for s in doc.sections if s.title.endswith(title))


def test_one_sentence_per_dimension_naming_the_communities():
    section = _section("zh")
    assert len(section.paragraphs) == 2  # reform, livelihood: not one per pair
    reform, livelihood = section.paragraphs
    assert reform.startswith("在服务改革维度上，本社区显著低于")
    # the seven others are named, once each
    for other in GROUPS[1:]:
        assert reform.count(other) == 1
    assert reform.count("显著低于") == 1
    assert "显著高于乙社区" in livelihood
    assert "显著低于丙社区" in livelihood
    n = re.search(r"表 (\d+)", reform)[1]
    assert section.tables[0].title.startswith(f"表 {n}")


def test_differences_are_in_a_table_from_this_communitys_side():
    table = _section("zh").tables[0]
    assert table.columns[:3] == ("维度", "比较社区", "差值（本社区 − 比较社区）")
    rows = {(r[0], r[1]): r for r in table.rows}
    assert len(rows) == 7 + 2
    assert rows[("服务改革", "丙社区")][2].replace("−", "-") == "-0.50"
    assert rows[("服务民生", "乙社区")][2] == "0.50"
    # the CI turns with the difference: own - other of [diff - .2, diff + .2]
    assert rows[("服务民生", "乙社区")][3] == "[0.30, 0.70]"
    assert rows[("服务改革", "丙社区")][4] == "< .001"


@pytest.mark.parametrize("lang", ["en"])
def test_english_says_it_once_too(lang):
    section = _section(lang)
    assert len(section.paragraphs) == 2
    assert section.paragraphs[0].startswith("On Service reform, this community scores")
    assert "significantly lower than" in section.paragraphs[0]
    assert "Table" in section.paragraphs[0]
