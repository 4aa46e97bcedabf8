"""Report content: sections numbered per document, evidence marked and masked."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

import analysis as an
from analysis.report.community import group_document
from analysis.report.compose import ReportInputs, study_document


def _inputs(**tables: pd.DataFrame) -> ReportInputs:
    return ReportInputs(
        title="示例",
        title_en="Demo",
        lang="zh",
        min_cell=5,
        framework=an.SERVICE_FIVE,
        tables=tables,
        counts={"survey_rows": 3},
        params={},
        summaries={},
        figures={},
        colophon=(),
        group_label="group",
    )


def _text_tables() -> dict[str, pd.DataFrame]:
    desc = pd.DataFrame(
        [{"group": "甲社区", "dimension": d, "n": 3, "mean": 10.0} for d in an.SERVICE_FIVE.ids]
    )
    hits = pd.DataFrame(
        [
            {
                "doc_id": "a",
                "dimension": "reform",
                "term": "一站式服务",
                "negated": True,
                "context": "社区尚未建立一站式服务，请致电13912345678",
                "group": "甲社区",
            },
            {
                "doc_id": "a",
                "dimension": "members",
                "term": "三会一课",
                "negated": False,
                "context": "坚持三会一课制度",
                "group": "甲社区",
            },
        ]
    )
    return {"text_descriptives": desc, "text_hits": hits}


def _quotes(doc) -> list[str]:  # type: ignore[no-untyped-def]
    return [q for s in doc.sections for q in s.quotes]


def test_evidence_marks_negated_mentions_and_masks_phones():
    quotes = _quotes(study_document(_inputs(**_text_tables())))
    assert "【服务改革·一站式服务（否定语境）】社区尚未建立一站式服务，请致电139****5678" in quotes
    assert "【服务党员·三会一课】坚持三会一课制度" in quotes


def test_sections_are_numbered_within_each_document():
    study = study_document(_inputs(**_text_tables()))
    titles = [s.title for s in study.sections]
    assert titles[0] == "一、样本与数据质量"
    assert titles[-1].startswith(f"{'一二三四五六七八九十'[len(titles) - 1]}、")
    group = group_document(_inputs(**_text_tables()), "甲社区")
    assert group.sections[0].title.startswith("一、")
    assert group.title == "甲社区调查与文本分析报告"


def test_the_sample_section_counts_respondents_without_a_community():
    inputs = _inputs()
    counts = {"survey_rows": 10, "survey_respondents": 10, "survey_no_group": 2}
    zh = study_document(replace(inputs, counts=counts))
    en = study_document(replace(inputs, counts=counts, lang="en"))
    text_zh = " ".join(p for s in zh.sections for p in s.paragraphs)
    text_en = " ".join(p for s in en.sections for p in s.paragraphs)
    assert "2 位受访者未填写所在社区" in text_zh
    assert "2 of them gave no community" in text_en


def test_documents_built_once_get_the_radar_they_would_have_been_built_with():
    from analysis.report.community import _with_radar, group_documents

    desc = pd.DataFrame(
        [
            {"group": g, "dimension": d, "n": 12, "mean": 3.5 + k / 10, "ci_low": 3.0}
            | {"ci_high": 4.0}
            for g in ("甲社区", "乙社区")
            for k, d in enumerate(an.SERVICE_FIVE.ids)
        ]
    )
    overall = desc.groupby("dimension", as_index=False)["mean"].mean()
    tables = {**_text_tables(), "survey_descriptives": desc, "survey_overall": overall}
    inputs = _inputs(**tables)
    docs = group_documents(inputs, ["甲社区", "乙社区"])
    for group in ("甲社区", "乙社区"):
        png = f"PNG of {group}".encode()
        built = group_document(replace(inputs, figures={f"radar::{group}": png}), group)
        assert any(f.png == png for s in built.sections for f in s.figures)
        assert _with_radar(docs[group], png) == built
