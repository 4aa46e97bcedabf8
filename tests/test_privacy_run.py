"""Privacy across a whole run: no phone, ID or e-mail shape survives in any file written.

The shapes come from the same generator as the ``mask_pii`` property test, typed where
residents and data-entry assistants put them: an answer cell, an open answer, the
respondent id, the community name, a document and its metadata.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from output_text import all_output_text
from test_privacy import _plain, personal_data

import analysis as an
from analysis.core.errors import ConfigError
from analysis.report.privacy import mask_frame

_DOC = "社区党组织开展一站式服务，推进网格化管理，组织志愿者走访群众，落实三会一课。"


def _write_study(folder: Path, shapes: list[str], *, keep_raw: bool = False) -> Path:
    """A small study with one personal-data shape in each place a person could type it."""
    folder.mkdir(parents=True, exist_ok=True)
    n = 24
    pick = [shapes[i % len(shapes)] for i in range(6)]
    rows = []
    for i in range(n):
        rows.append(
            {
                "序号": pick[0] if i == 0 else str(i + 1),
                "所在社区": pick[1] if i in (1, 2) else "甲乙丙"[i % 3] + "社区",
                "q1": pick[2] if i == 3 else str(1 + i % 5),
                "q2": str(1 + (i * 2) % 5),
                "q3": str(1 + (i * 3) % 5),
                "建议": f"希望多开展活动，联系我{pick[3]}" if i % 4 == 0 else "",
            }
        )
    pd.DataFrame(rows).to_csv(folder / "survey.csv", index=False, encoding="utf-8")
    (folder / "codebook.yaml").write_text(
        "id_column: 序号\ngroup_column: 所在社区\nscale: {min: 1, max: 5}\n"
        "text_columns:\n  - {column: 建议, id: suggestions}\n"
        "items:\n"
        "  - {column: q1, id: q1, dimension: reform}\n"
        "  - {column: q2, id: q2, dimension: reform}\n"
        "  - {column: q3, id: q3, dimension: masses}\n",
        encoding="utf-8",
    )
    texts = folder / "texts"
    texts.mkdir(exist_ok=True)
    meta = ["doc_id,file,community"]
    for i in range(6):
        body = _DOC + (f"联系人电话：{pick[4]}。" if i == 0 else "") + _DOC
        (texts / f"d{i}.txt").write_text(body, encoding="utf-8")
        community = pick[5] if i == 1 else "甲乙丙"[i % 3] + "社区"
        meta.append(f'd{i},d{i}.txt,"{community}"')
    (folder / "texts.csv").write_text("\n".join(meta) + "\n", encoding="utf-8")
    privacy = "privacy: {keep_raw_values: true}\n" if keep_raw else ""
    (folder / "study.yaml").write_text(
        "title: t\nsurvey: {path: survey.csv, codebook: codebook.yaml}\n"
        "texts: {path: texts/, metadata: texts.csv, group_column: community}\n"
        "compare: {between: community}\n"
        "report: {formats: [html, docx, xlsx], per_group: true, min_cell: 2}\n"
        f"{privacy}output: out\n",
        encoding="utf-8",
    )
    return folder / "study.yaml"


def _run(study: Path, *, show: str = "ignore") -> an.StudyResult:
    with warnings.catch_warnings():
        warnings.simplefilter(show)  # type: ignore[arg-type]
        return an.run_study(study)


@settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.lists(personal_data(), min_size=6, max_size=6))
def test_no_personal_data_shape_survives_in_any_file_of_a_run(tmp_path_factory, cases):
    folder = tmp_path_factory.mktemp("study")
    res = _run(_write_study(folder, [shown for shown, _ in cases]))
    text = _plain(all_output_text(res.output)).lower()
    for _, secret in cases:
        assert secret.lower() not in text
    assert res.manifest["counts"]["values_masked"] > 0
    assert not (res.output / "private").exists()


def test_raw_values_only_in_the_private_folder_when_asked(tmp_path):
    phone = "13812345678"
    study = _write_study(tmp_path / "s", [phone], keep_raw=True)
    res = _run(study)
    private = res.output / "private"
    readme = (private / "README-PRIVATE.txt").read_text(encoding="utf-8")
    assert "未打码" in readme
    assert "Do not share" in readme
    raw = (private / "survey_quarantine.PRIVATE.csv").read_text(encoding="utf-8-sig")
    assert phone in raw
    # nothing outside the private folder carries it, and the manifest lists the private files
    shared = all_output_text(res.output, skip=(".cache", "private"))
    assert phone not in shared
    listed = {o["path"] for o in res.manifest["outputs"]}
    assert "private/survey_quarantine.PRIVATE.csv" in listed
    # switched off again, the next run removes the private folder
    study.write_text(
        study.read_text(encoding="utf-8").replace(
            "keep_raw_values: true", "keep_raw_values: false"
        ),
        encoding="utf-8",
    )
    res = _run(study)
    assert not (res.output / "private").exists()


def test_run_log_keeps_the_warnings_masked(tmp_path):
    res = _run(_write_study(tmp_path / "s", ["13812345678"]), show="always")
    log = (res.output / "run.log").read_text(encoding="utf-8")
    # a Chinese study's log speaks Chinese; the original message keeps the details
    assert "步骤：问卷" in log
    assert "步骤：隐私保护" in log
    assert "警告：" in log
    assert "行被隔离" in log
    assert "  原文：" in log
    assert "quarantined" in log
    assert "计数：问卷读入行数 24" in log
    assert "13812345678" not in log
    assert "138****5678" in log


def test_privacy_switch_is_checked(tmp_path):
    study = _write_study(tmp_path / "s", ["13812345678"])
    study.write_text(
        study.read_text(encoding="utf-8") + "privacy: {keep_raw_values: 'yes', raw: 1}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as err:
        an.load_study(study)
    assert "privacy.keep_raw_values" in str(err.value)
    assert "privacy.raw" in str(err.value)


def test_cli_masks_values_it_prints(tmp_path, capsys):
    from analysis.study.cli import main

    study = _write_study(tmp_path / "s", ["13812345678"])
    assert main(["validate", str(study)]) == 1
    printed = capsys.readouterr().out
    assert "quarantined" in printed
    assert "138****5678" in printed
    assert "13812345678" not in printed


def test_mask_frame_masks_text_cells_only_and_counts_them():
    frame = pd.DataFrame(
        {
            "value": ["13912345678", 1, True, "True", None, "13912345678"],
            "group": pd.Categorical(["甲", "电话13912345678", "甲", "乙", "乙", "甲"]),
            "n": [1, 2, 3, 4, 5, 6],
        }
    )
    masked, n = mask_frame(frame)
    assert n == 3
    assert masked["value"].tolist() == ["139****5678", 1, True, "True", None, "139****5678"]
    assert isinstance(masked["group"].dtype, pd.CategoricalDtype)
    assert masked["group"].tolist()[1] == "电话139****5678"
    assert frame["value"].iloc[0] == "13912345678"  # the input is not changed
    same, zero = mask_frame(frame[["n"]])
    assert zero == 0
    assert same is not None
