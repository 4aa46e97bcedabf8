"""The measurement step of ``analysis run``: CFA and invariance tables in the study report."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import DEMO

import analysis as an

pytestmark = pytest.mark.filterwarnings("ignore::analysis.DataQualityWarning")


def _study(tmp_path: Path, measurement: str, formats: str = "[html, docx, xlsx]") -> Path:
    study = tmp_path / "study.yaml"
    study.write_text(
        f"title: 测量模型\n"
        f"survey: {{path: {(DEMO / 'survey.xlsx').as_posix()}, "
        f"codebook: {(DEMO / 'codebook.yaml').as_posix()}}}\n"
        f"compare: {{between: community}}\n"
        f"report: {{formats: {formats}, per_group: false, language: zh}}\n"
        f"quality: {{exclude: [speeder, duplicate]}}\n"
        f"measurement: {measurement}\n"
        f"output: out\n",
        encoding="utf-8",
    )
    return study


@pytest.fixture(scope="module")
def measured(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("measurement")
    return an.run_study(_study(tmp, "{cfa: true, invariance: true, min_group_n: 30}"))


def test_run_writes_the_measurement_tables(measured):
    tables = measured.output / "tables"
    fit = pd.read_csv(tables / "cfa_fit.csv")
    assert fit.loc[0, "estimator"] == "ML"
    assert {"cfi", "tli", "rmsea", "rmsea_ci_low", "srmr"} <= set(fit.columns)
    validity = pd.read_csv(tables / "cfa_validity.csv")
    dims = list(validity["dimension"])
    # √AVE on the diagonal
    for i, d in enumerate(dims):
        assert validity.loc[i, f"r_{d}"] == pytest.approx(validity.loc[i, "sqrt_ave"])
    assert (tables / "cfa_loadings.csv").exists()


def test_report_has_the_measurement_section_with_the_apa_line(measured):
    html = (measured.output / "report.html").read_text(encoding="utf-8")
    assert "测量模型：验证性因子分析" in html
    assert "χ²/df = " in html
    assert "90% 置信区间 [" in html
    assert "SRMR = ." in html
    assert "组合信度、平均方差抽取量与区分效度" in html
    with pd.ExcelFile(measured.output / "report.xlsx") as book:
        assert "验证性因子分析拟合" in book.sheet_names


def test_measurement_options_are_checked(tmp_path):
    with pytest.raises(an.ConfigError, match=r"measurement\.estimator"):
        an.load_study(_study(tmp_path, "{cfa: true, estimator: GLS}"))
