"""The command line: one-line errors with exit status 1, help that answers fast."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from analysis.study.cli import main


def _copy_demo(demo_dir: Path, tmp_path: Path) -> Path:
    import shutil

    target = tmp_path / "study"
    shutil.copytree(demo_dir, target)
    return target


def _one_line_error(capsys) -> str:
    err = capsys.readouterr().err.strip()
    # the prefix speaks the study's language (the demo's is zh), or the locale's without one
    assert err.startswith(("error: ", "错误："))
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1, err
    return err


def test_missing_study_file(tmp_path, capsys):
    assert main(["run", str(tmp_path / "nope.yaml")]) == 1
    err = _one_line_error(capsys)
    assert "nope.yaml" in err
    assert "not found" in err


def test_missing_input_file(demo_dir, tmp_path, capsys):
    study = _copy_demo(demo_dir, tmp_path)
    (study / "survey.xlsx").unlink()
    assert main(["run", str(study / "study.yaml"), "--output", str(tmp_path / "out")]) == 1
    err = _one_line_error(capsys)
    assert "study.yaml" in err
    assert "survey.xlsx" in err
    assert "line 5" in err


def _edit_codebook(study: Path, edit) -> None:
    path = study / "codebook.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_codebook_column_not_in_export(demo_dir, tmp_path, capsys):
    study = _copy_demo(demo_dir, tmp_path)
    _edit_codebook(study, lambda d: d["items"][0].update(column="99、不存在的问题"))
    assert main(["run", str(study / "study.yaml"), "--output", str(tmp_path / "out")]) == 1
    err = _one_line_error(capsys)
    assert "codebook.yaml" in err
    assert "99、不存在的问题" in err
    assert "line" in err


def test_codebook_unknown_dimension(demo_dir, tmp_path, capsys):
    study = _copy_demo(demo_dir, tmp_path)
    _edit_codebook(study, lambda d: d["items"][0].update(dimension="happiness"))
    assert main(["run", str(study / "study.yaml"), "--output", str(tmp_path / "out")]) == 1
    err = _one_line_error(capsys)
    assert "codebook.yaml" in err
    assert "happiness" in err
    assert "line" in err


def test_validate_lists_problems_without_running(demo_dir, capsys):
    # the demo plants one answer off the scale (序号 412, sheet row 413)
    assert main(["validate", str(demo_dir / "study.yaml")]) == 1
    out = capsys.readouterr().out
    assert "survey.xlsx, row 413" in out
    assert "'很满意'" in out


def test_validate_a_scaffolded_study_names_what_is_missing(tmp_path, capsys):
    assert main(["init", str(tmp_path / "new")]) == 0
    capsys.readouterr()
    assert main(["validate", str(tmp_path / "new" / "study.yaml")]) == 1
    out = capsys.readouterr().out
    assert "study.yaml, line 4, column 'survey.path': got 'survey.xlsx'; file not found" in out


def test_init_scaffolds_a_study(tmp_path, capsys):
    assert main(["init", str(tmp_path / "new")]) == 0
    assert (tmp_path / "new" / "study.yaml").is_file()
    assert (tmp_path / "new" / "codebook.yaml").is_file()
    assert main(["init", str(tmp_path / "new")]) == 1
    _one_line_error(capsys)


def test_help_is_fast_and_imports_nothing_heavy():
    code = (
        "import sys, analysis, analysis.study.cli\n"
        "heavy = [m for m in ('statsmodels', 'matplotlib', 'jieba', 'sklearn', 'scipy', 'pandas')"
        " if m in sys.modules]\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    res = subprocess.run(
        [sys.executable, "-m", "analysis", "--help"], capture_output=True, text=True, check=False
    )
    assert res.returncode == 0
    assert "run" in res.stdout


def test_python_dash_m_runs_the_cli():
    res = subprocess.run(
        [sys.executable, "-m", "analysis", "--version"], capture_output=True, text=True, check=False
    )
    assert res.returncode == 0
    assert res.stdout.startswith("analysis ")


@pytest.mark.parametrize("argv", [["run"], ["codebook", "draft"]], ids=["run", "draft"])
def test_missing_arguments_are_usage_errors(argv, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2


@pytest.mark.parametrize("sheet", [None, "0", "答卷数据"], ids=["default", "index", "name"])
def test_codebook_draft_reads_a_legacy_xls_like_its_xlsx_twin(xls_export, xlsx_twin, capsys, sheet):
    extra = [] if sheet is None else ["--sheet", sheet]
    assert main(["codebook", "draft", str(xls_export), *extra]) == 0
    from_xls = capsys.readouterr().out
    assert main(["codebook", "draft", str(xlsx_twin), *extra]) == 0
    from_xlsx = capsys.readouterr().out
    assert from_xls.splitlines()[0] == "# Draft codebook for wjx_text.xls (platform: wjx-text)."
    assert from_xls.splitlines()[1:] == from_xlsx.splitlines()[1:]
    draft = yaml.safe_load(from_xls)
    assert draft["id_column"] == "序号"
    assert [it["id"] for it in draft["items"]] == ["q7", "q10", "q12", "q15"]
    assert draft["scales"]["agree"]["labels"]["非常同意"] == 5


def test_codebook_draft_of_a_damaged_xls_is_a_one_line_error(xls_export, tmp_path, capsys):
    path = tmp_path / "wjx_text.xls"
    path.write_bytes(xls_export.read_bytes()[:4096])
    assert main(["codebook", "draft", str(path)]) == 1
    assert "wjx_text.xls: cannot read the .xls workbook" in _one_line_error(capsys)


def test_dask_switches_are_one_or_the_other(capsys):
    from analysis.study.cli import build_parser

    args = build_parser().parse_args(["run", "s.yaml", "--workers", "2"])
    assert (args.workers, args.scheduler) == (2, None)
    args = build_parser().parse_args(["run", "s.yaml", "--scheduler", "tcp://lab:8786"])
    assert (args.workers, args.scheduler) == (None, "tcp://lab:8786")
    with pytest.raises(SystemExit):
        build_parser().parse_args(["run", "s.yaml", "--workers", "2", "--scheduler", "tcp://x:1"])
    assert "not allowed with" in capsys.readouterr().err


def test_an_unreachable_scheduler_is_a_one_line_error(demo_dir, tmp_path, capsys):
    pytest.importorskip("distributed")
    import dask

    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
        code = main(
            [
                "run",
                str(demo_dir / "study.yaml"),
                "-o",
                str(tmp_path),
                "--scheduler",
                "tcp://127.0.0.1:9",
            ]
        )
    err = capsys.readouterr().err
    assert code == 1
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in err


def test_codebook_draft_tells_open_questions_and_suggests_dimensions(tmp_path, capsys):
    import pandas as pd

    n = 30
    export = pd.DataFrame(
        {
            "序号": range(1, n + 1),
            "1、您所居住的社区：": ["桂花社区", "梅园社区", "竹林社区"] * 10,
            "2、您的性别：": ["男", "女"] * 15,
            # an open question few residents answered differently: still free text
            "3、您还有什么意见和建议？": ["希望增加停车位，晚上回来总是找不到地方停车"] * 10
            + ["无"] * 10
            + ["希望社区多组织老年人活动，丰富大家的文化生活"] * 10,
            "4、您对社区养老服务的满意程度": ["满意", "非常满意", "一般"] * 10,
        }
    )
    path = tmp_path / "export.csv"
    export.to_csv(path, index=False, encoding="utf-8-sig")
    assert main(["codebook", "draft", str(path)]) == 0
    text = capsys.readouterr().out
    covariates = text.split("covariates:")[1].split("text_columns:")[0]
    texts = text.split("text_columns:")[1].split("items:")[0]
    assert "您的性别" in covariates
    assert "意见和建议" in texts
    assert "意见和建议" not in covariates
    item = next(line for line in text.splitlines() if "养老服务的满意程度" in line)
    assert "dimension: TODO" in item
    assert "# suggested: livelihood" in item


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["run", "--help"],
        ["codebook", "draft", "--help"],
        ["coding", "sample", "--help"],
        ["coding", "check", "--help"],
    ],
)
def test_help_speaks_the_locale(argv, capsys, monkeypatch):
    import argparse
    import re

    original = argparse._
    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")
    with pytest.raises(SystemExit):
        main(argv)
    out = capsys.readouterr().out
    assert out.startswith("用法：")
    assert "显示本帮助并退出" in out
    # besides option names, choices, file types and the program's name, no English word
    prose = re.sub(
        r"--?[a-z-]+|\{[a-z,]+\}|[a-z-]+\.(?:ya?ml|csv|xlsx)|xlsx|xls|csv|sav|dta|txt|docx|pdf"
        r"|tcp://\S+|output/",
        "",
        out,
    )
    commands = "analysis|run|validate|init|codebook|draft|coding|sample|check|ensemble|Dask|N"
    prose = re.sub(rf"\b({commands})\b", "", prose)
    assert not re.search(r"[A-Za-z]{3,}", prose), prose
    assert argparse._ is original  # argparse's words are put back

    monkeypatch.setenv("LC_ALL", "en_US.UTF-8")
    with pytest.raises(SystemExit):
        main(argv)
    assert capsys.readouterr().out.startswith("usage: ")


def test_argument_errors_speak_the_locale(capsys, monkeypatch):
    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")
    with pytest.raises(SystemExit):
        main(["run"])
    assert "错误：缺少必需的参数：研究文件" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["run", "study.yaml", "--jobs", "two"])
    assert "参数 --jobs/-j：无效的 int 值：'two'" in capsys.readouterr().err
