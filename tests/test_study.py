"""End to end: the demo study runs, writes everything and recovers the planted effects.

The planted effects are documented in data/raw/demo/README.md and scripts/make_demo_survey.py:
滨江社区 +0.5 SD on livelihood, 东湖社区 -0.5 SD on reform (survey); 桂花社区's documents
emphasise serving party members (texts).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pandas as pd
import pytest
from output_text import all_output_text

import analysis as an
from analysis.core.provenance import file_sha256

pytestmark = pytest.mark.filterwarnings("ignore::analysis.DataQualityWarning")


def test_every_output_is_written(demo_run):
    out = demo_run.output
    for rel in (
        "report.html",
        "report.docx",
        "report.xlsx",
        "manifest.json",
        "figures/radar.png",
        "figures/means_ci.png",
        "figures/heatmap.png",
        "tables/survey_scores.csv",
        "tables/survey_scores.parquet",
        "tables/reliability.csv",
        "tables/text_scores.csv",
        "tables/survey_compare.csv",
        "tables/survey_posthoc.csv",
        "tables/survey_descriptives.parquet",
    ):
        assert (out / rel).is_file(), rel
    reports = sorted(p.stem for p in (out / "reports").glob("*.html"))
    assert len(reports) == 8
    assert "滨江社区" in reports


def test_manifest_records_inputs_versions_and_outputs(demo_run, demo_dir):
    manifest = json.loads((demo_run.output / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["analysis_version"] == an.__version__
    assert "pandas" in manifest["versions"]
    assert "jieba" in manifest["versions"]
    inputs = {e["path"]: e["sha256"] for e in manifest["inputs"]}
    assert inputs["survey.xlsx"] == file_sha256(demo_dir / "survey.xlsx")
    assert inputs["codebook.yaml"] == file_sha256(demo_dir / "codebook.yaml")
    assert any(p.startswith("texts/") for p in inputs)
    for entry in manifest["outputs"]:
        assert file_sha256(demo_run.output / entry["path"]) == entry["sha256"]
    assert manifest["parameters"]["lexicon"]["name"]


def test_no_row_is_lost(demo_run):
    c = demo_run.manifest["counts"]
    assert c["survey_rows"] >= 1200
    assert (
        c["survey_rows"] == c["survey_respondents"] + c["survey_quarantined"] + c["survey_excluded"]
    )
    assert c["survey_quarantined"] >= 1  # the planted off-scale answer
    assert c["survey_excluded"] >= 2  # the planted speeder and duplicate


def _means(desc: pd.DataFrame, dimension: str) -> pd.Series:
    return desc[desc["dimension"] == dimension].set_index("group")["mean"]


def test_planted_livelihood_effect_is_recovered(demo_run):
    table = demo_run.tables["survey_compare"].set_index("dimension")
    assert table.loc["livelihood", "p_adj"] < 0.001
    means = _means(demo_run.tables["survey_descriptives"], "livelihood")
    assert means.idxmax() == "滨江社区"
    post = demo_run.tables["survey_posthoc"]
    pairs = post[
        (post["dimension"] == "livelihood")
        & ((post["group_a"] == "滨江社区") | (post["group_b"] == "滨江社区"))
    ]
    assert (pairs["p_adj"] < 0.05).sum() >= 5  # 滨江 differs from most of the other seven


def test_planted_reform_effect_is_recovered(demo_run):
    table = demo_run.tables["survey_compare"].set_index("dimension")
    assert table.loc["reform", "p_adj"] < 0.001
    means = _means(demo_run.tables["survey_descriptives"], "reform")
    assert means.idxmin() == "东湖社区"


def test_planted_text_emphasis_is_recovered(demo_run):
    desc = demo_run.tables["text_descriptives"]
    members = _means(desc, "members")
    assert members.idxmax() == "桂花社区"
    reform = _means(desc, "reform")
    assert reform.idxmin() == "东湖社区"


def test_reliability_is_reported_for_every_dimension(demo_run):
    rel = demo_run.tables["reliability"]
    assert list(rel["dimension"]) == list(an.SERVICE_FIVE.ids)
    assert rel["alpha"].between(0.6, 0.95).all()


def test_report_is_in_chinese_with_apa_sentences(demo_run):
    html = (demo_run.output / "report.html").read_text(encoding="utf-8")
    assert "服务民生" in html
    assert "信度" in html
    assert "p = 0.000" not in html
    assert "p = .000" not in html
    assert "<script" not in html.lower()


def test_rerun_gives_identical_outputs(demo_run, tmp_path):
    again = an.run_study(demo_run.study, output=tmp_path)
    first = {e["path"]: e["sha256"] for e in demo_run.manifest["outputs"]}
    second = {e["path"]: e["sha256"] for e in again.manifest["outputs"]}
    assert first == second


def test_two_report_workers_write_what_one_process_writes(demo_run, tmp_path):
    # community reports in spawned workers: functions and inputs pickle by module path,
    # so this breaks when report code moves without the workers finding it
    again = an.run_study(demo_run.study, output=tmp_path, jobs=2)
    reports = sorted(p.name for p in (tmp_path / "reports").iterdir())
    assert reports == sorted(p.name for p in (demo_run.output / "reports").iterdir())
    assert len(reports) == 16
    first = {e["path"]: e["sha256"] for e in demo_run.manifest["outputs"]}
    second = {e["path"]: e["sha256"] for e in again.manifest["outputs"]}
    assert first == second


def test_raw_inputs_are_not_touched(demo_run, demo_dir):
    manifest = demo_run.manifest
    for entry in manifest["inputs"]:
        assert file_sha256(demo_dir / entry["path"]) == entry["sha256"]


def test_output_inside_raw_data_is_refused(demo_dir):
    with pytest.raises(an.ConfigError, match="contains the input"):
        an.run_study(demo_dir / "study.yaml", output=demo_dir)


def test_study_file_problems_are_listed_with_lines(tmp_path: Path):
    study = tmp_path / "study.yaml"
    study.write_text(
        "title: t\nsurvey: {path: nope.xlsx, codebook: cb.yaml}\n"
        "compare: {method: ttest}\nreport: {formats: [pdf]}\n",
        encoding="utf-8",
    )
    with pytest.raises(an.ConfigError) as info:
        an.load_study(study)
    message = str(info.value)
    assert "line 3" in message
    assert "'ttest'" in message
    assert "line 4" in message
    assert "'pdf'" in message
    assert "file not found" in message


def test_no_phone_id_or_ip_reaches_any_output(demo_run, demo_dir):
    import re

    raw = pd.read_excel(demo_dir / "survey.xlsx", dtype=str, keep_default_na=False)
    answers = " ".join(raw.filter(like="意见和建议").iloc[:, 0])
    phones = set(re.findall(r"1[3-9]\d{9}", answers))
    ids = set(re.findall(r"\d{17}[\dXx]", answers))
    ips = {v.split("(")[0] for v in raw["来自IP"]}
    assert phones
    assert ids
    assert ips
    text = all_output_text(demo_run.output)
    assert not [p for p in phones if p in text]
    assert not [i for i in ids if i in text]
    assert not [ip for ip in ips if ip in text]
    assert "来自IP" not in text


def test_small_groups_are_suppressed_in_reports(demo_run, tmp_path):
    import dataclasses

    study = dataclasses.replace(demo_run.study, min_cell=200, formats=("html",))
    res = an.run_study(study, output=tmp_path)
    html = (res.output / "report.html").read_text(encoding="utf-8")
    assert "（样本过少，不予显示）" in html
    small = (res.output / "reports" / "枫林社区.html").read_text(encoding="utf-8")
    assert "少于 200 份" in small


def test_english_report(demo_run, tmp_path):
    import dataclasses

    study = dataclasses.replace(demo_run.study, formats=("html",), per_group=False)
    res = an.run_study(study, output=tmp_path, lang="en")
    html = (res.output / "report.html").read_text(encoding="utf-8")
    assert "Serving livelihoods" in html
    assert "Reliability" in html
    assert "服务民生" not in html


def test_personal_data_typed_into_an_answer_cell_is_masked_in_the_quarantine(tmp_path):
    rows = ["序号,所在社区,q1,q2"]
    for i in range(12):
        q1 = "13912345678" if i == 3 else str(1 + i % 5)
        q1 = "zhang.san@example.com" if i == 7 else q1
        rows.append(f"{i + 1},{'甲乙'[i % 2]}社区,{q1},{1 + (i * 2) % 5}")
    (tmp_path / "survey.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (tmp_path / "codebook.yaml").write_text(
        "id_column: 序号\ngroup_column: 所在社区\nscale: {min: 1, max: 5}\nitems:\n"
        "  - {column: q1, id: q1, dimension: reform}\n"
        "  - {column: q2, id: q2, dimension: reform}\n",
        encoding="utf-8",
    )
    (tmp_path / "study.yaml").write_text(
        "title: t\nsurvey: {path: survey.csv, codebook: codebook.yaml}\n"
        "report: {formats: [html, xlsx], per_group: false}\noutput: out\n",
        encoding="utf-8",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = an.run_study(tmp_path / "study.yaml")
    quarantine = res.tables["survey_quarantine"]
    assert len(quarantine) == 2  # both rows are still accounted for
    assert quarantine["value"].tolist() == ["139****5678", "z****.***@example.com"]
    text = all_output_text(res.output)
    assert "13912345678" not in text
    assert "zhang.san" not in text
    # the run summary and the report say how many values were masked
    assert res.manifest["counts"]["values_masked"] == 2
    assert "输出中有 2 处文本含电话号码" in (res.output / "report.html").read_text(encoding="utf-8")


def test_each_document_gets_a_main_dimension_and_the_report_states_its_validation(demo_run):
    labels = pd.read_csv(demo_run.output / "tables" / "text_labels.csv", encoding="utf-8-sig")
    docs = pd.read_csv(demo_run.output / "tables" / "text_scores.csv", encoding="utf-8-sig")
    # every document labelled once, probabilities that sum to one
    assert sorted(labels["doc_id"]) == sorted(docs["doc_id"].unique())
    p = labels[[c for c in labels.columns if c.startswith("p_")]]
    assert p.shape[1] == 6
    assert (p.sum(axis=1).sub(1).abs() < 1e-9).all()
    # 桂花社区's documents emphasise serving party members (the planted text effect)
    guihua = labels.loc[labels["group"] == "桂花社区", "label"]
    assert (guihua == "members").mean() > 0.5
    html = (demo_run.output / "report.html").read_text(encoding="utf-8")
    assert "各社区文件的主要维度" in html
    # the documents are read passage by passage, each with the text around it: the figure
    # stated is the packaged context mixture's on the test documents
    from analysis.text.context import default_context_classifier

    ctx = default_context_classifier().info_["validation"]
    assert f"宏平均 F1 为 {ctx['test_macro_f1']['ensemble']['f1']:.2f}" in html
    assert "并参考每个段落前后各 300 字的上下文" in html
    with pd.ExcelFile(demo_run.output / "report.xlsx") as book:
        assert "文件主要维度" in book.sheet_names  # the text_labels table, named in Chinese


@pytest.mark.parametrize(
    "value", ["'no'", "'false'", "0", "[]"], ids=["no", "false", "zero", "list"]
)
def test_a_switch_that_is_not_true_or_false_is_refused(tmp_path: Path, value):
    """bool('no') is True: a quoted 'no' would have switched per-community reports on."""
    (tmp_path / "texts").mkdir()
    study = tmp_path / "study.yaml"
    study.write_text(
        f"texts: {{path: texts}}\nreport:\n  formats: [html]\n  per_group: {value}\n",
        encoding="utf-8",
    )
    with pytest.raises(an.ConfigError, match=r"line 4.*per_group.*expected true or false"):
        an.load_study(study)


def test_communities_with_few_documents_are_described_not_tested(demo_run):
    """The demo has 3 to 5 documents per community: only 桂花社区 reaches the minimum."""
    from analysis.study.pipeline import MIN_DOCUMENTS_PER_GROUP

    assert MIN_DOCUMENTS_PER_GROUP == 5
    assert demo_run.tables["text_compare"].empty
    assert demo_run.tables["text_posthoc"].empty
    described = demo_run.tables["text_descriptives"]
    assert described["group"].nunique() == 8
    untested = demo_run.manifest["parameters"]["text_untested"]
    assert len(untested["groups"]) == 7
    assert "桂花社区" not in untested["groups"]
    html = (demo_run.output / "report.html").read_text(encoding="utf-8")
    assert "文档少于 5 篇，只作描述、不作检验" in html


def test_open_answers_have_an_unclassified_share_per_question_and_group(demo_run):
    shares = pd.read_csv(demo_run.output / "tables" / "open_label_shares.csv", encoding="utf-8-sig")
    assert set(shares["label"]) == {*an.SERVICE_FIVE.ids, "none"}
    totals = shares.groupby(["question", "group"])["share"].sum()
    assert ((totals - 1).abs() < 1e-9).all()
    counts = shares.groupby(["question", "group"])["count"].sum()
    assert (counts == shares.groupby(["question", "group"])["n"].first()).all()
    # the per-answer labels carry no text
    labels = pd.read_csv(demo_run.output / "tables" / "open_labels.csv", encoding="utf-8-sig")
    assert "text" not in labels.columns
    assert "evidence" not in labels.columns
    html = (demo_run.output / "report.html").read_text(encoding="utf-8")
    assert "未归类" in html
    assert "各题居民意见的主要维度" in html
