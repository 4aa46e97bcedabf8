"""What a Chinese survey researcher meets on the first afternoon (issue 17, points 1-3, 9, 11).

A study folder anywhere writes only inside itself; every file of a texts folder is read or
quarantined with its reason; ``validate`` finds what ``run`` would find; YAML typed with
Chinese punctuation is named on its line; the run says what it guessed.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import analysis as an
from analysis.study.cli import main

DEMO = Path(__file__).resolve().parents[1] / "data" / "raw" / "demo"

pytestmark = pytest.mark.filterwarnings("ignore::analysis.DataQualityWarning")

_SENTENCES = (
    "社区开展便民服务，居民反映办事更方便了。",
    "党员志愿者上门走访困难家庭。",
    "社区完善一站式服务，推行网上办理，减少居民跑腿。",
    "社区组织党员学习，开展主题党日活动，发挥先锋模范作用。",
    "居民议事会讨论加装电梯，听取群众意见，化解邻里矛盾。",
    "引进企业投资，发展社区经济，增加就业岗位。",
    "养老服务中心为老人提供助餐和医疗服务。",
)
_DOCS = {
    f"{g}{i}.txt": "".join(_SENTENCES[(i * (2 if g == "a" else 3) + k) % 7] for k in range(i + 1))
    for g in "ab"
    for i in range(1, 6)
}


def texts_study(folder: Path, *, study: str | None = None, metadata: bool = True) -> Path:
    """A small texts-only study in ``folder``; returns its study file."""
    (folder / "texts").mkdir(parents=True)
    for name, text in _DOCS.items():
        (folder / "texts" / name).write_text(text, encoding="utf-8")
    if metadata:
        rows = [f"{n[:-4]},{n},{'甲社区' if n[0] == 'a' else '乙社区'}" for n in _DOCS]
        (folder / "texts.csv").write_text(
            "doc_id,file,community\n" + "\n".join(rows) + "\n", encoding="utf-8"
        )
    path = folder / "study.yaml"
    path.write_text(
        study
        or (
            "title: 小研究\n"
            "texts: {path: texts/, metadata: texts.csv, group_column: community}\n"
            "report: {formats: [html], per_group: false}\n"
        ),
        encoding="utf-8",
    )
    return path


def _tree(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")}


# --------------------------------------------------------------------------- 1. output


def test_default_output_is_inside_the_study_folder(tmp_path):
    path = texts_study(tmp_path / "somewhere" / "my-study")
    study = an.load_study(path)
    assert study.output == (tmp_path / "somewhere" / "my-study" / "output").resolve()
    assert not study.output_explicit


def test_a_run_without_output_writes_only_inside_the_study_folder(tmp_path):
    path = texts_study(tmp_path / "a" / "b" / "my-study")
    before = _tree(tmp_path)
    result = an.run_study(path)
    assert result.output == (tmp_path / "a" / "b" / "my-study" / "output").resolve()
    new = _tree(tmp_path) - before
    assert new
    assert all(p.startswith("a/b/my-study/output") for p in new), sorted(new)
    assert (result.output / "manifest.json").is_file()


def test_an_explicit_output_is_the_users_choice(tmp_path):
    path = texts_study(
        tmp_path / "raw" / "s",
        study="texts: {path: texts/, metadata: texts.csv}\n"
        "report: {formats: [html], per_group: false}\noutput: ../../processed/s\n",
    )
    study = an.load_study(path)
    assert study.output_explicit
    assert study.output == (tmp_path / "processed" / "s").resolve()


def test_the_demo_keeps_its_explicit_output(demo_dir):
    study = an.load_study(demo_dir / "study.yaml")
    assert study.output_explicit
    assert study.output == (demo_dir.parent.parent / "processed" / "demo").resolve()


def test_init_writes_an_output_inside_the_study_folder(tmp_path, capsys):
    assert main(["init", str(tmp_path / "new")]) == 0
    text = (tmp_path / "new" / "study.yaml").read_text(encoding="utf-8")
    assert "../../processed" not in text
    assert "\noutput: output\n" in text
    study = an.load_study(tmp_path / "new" / "study.yaml", check_files=False)
    assert study.output == (tmp_path / "new" / "output").resolve()


def test_the_cli_run_of_a_scaffold_like_study_writes_inside_it(tmp_path, capsys, monkeypatch):
    path = texts_study(tmp_path / "study")
    monkeypatch.chdir(tmp_path)
    assert main(["run", "--quiet", os.path.relpath(path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["study"]
    assert (tmp_path / "study" / "output" / "manifest.json").is_file()
    shutil.rmtree(tmp_path / "study" / "output")


# --------------------------------------------------------------------------- 2. texts folder

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)


def _folder_with_odd_files(folder: Path) -> None:
    texts_study(folder)
    (folder / "texts" / "c1.doc").write_bytes(_OLE)
    (folder / "texts" / "c2.wps").write_bytes(_OLE)
    (folder / "texts" / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0")
    (folder / "texts" / "renamed.docx").write_bytes(_OLE)
    (folder / "texts" / ".DS_Store").write_bytes(b"\x00\x00")
    (folder / "texts" / "~$a1.docx").write_bytes(b"lock")


@pytest.mark.parametrize("with_metadata", [False, True])
def test_every_file_in_a_texts_folder_is_read_or_quarantined_with_its_reason(
    tmp_path, with_metadata
):
    _folder_with_odd_files(tmp_path)
    if with_metadata:
        with (tmp_path / "texts.csv").open("a", encoding="utf-8") as fh:
            fh.write("c1,c1.doc,甲社区\nc2,c2.wps,乙社区\n")
    docs = an.read_texts(
        tmp_path / "texts", metadata=tmp_path / "texts.csv" if with_metadata else None
    )
    q = an.text_quarantine(docs)
    by_file = dict(zip(q["file"], q["problem"], strict=False))
    assert "Word 97-2003 .doc is not supported; save it as .docx" in by_file["c1.doc"]
    assert "另存为 .docx" in by_file["c1.doc"]
    assert "WPS .wps is not supported" in by_file["c2.wps"]
    assert "unsupported file type '.jpg'" in by_file["photo.jpg"]
    assert "Word 97-2003 .doc file with a .docx name" in by_file["renamed.docx"]
    assert ".DS_Store" not in by_file
    assert "~$a1.docx" not in by_file
    assert len(docs) == 10
    if with_metadata:
        meta_rows = q[q["file"] == "texts.csv"]["problem"].tolist()
        assert meta_rows
        assert all("no such document" not in p for p in meta_rows)
        assert any("document not read: Word 97-2003 .doc" in p for p in meta_rows)


def test_a_folder_of_doc_files_only_says_why(tmp_path):
    (tmp_path / "报告.doc").write_bytes(_OLE)
    with pytest.raises(an.InputError, match=r"报告\.doc: Word 97-2003 \.doc is not supported"):
        an.read_texts(tmp_path)


def test_the_dask_reader_quarantines_the_same_files(tmp_path):
    pytest.importorskip("dask")
    import dask

    from analysis.io.dask_texts import dask_text_quarantine, read_texts_dask

    _folder_with_odd_files(tmp_path)
    lazy = read_texts_dask(tmp_path / "texts", metadata=tmp_path / "texts.csv")
    docs, q = dask.compute(lazy, dask_text_quarantine(lazy), scheduler="synchronous")
    assert len(docs) == 10
    problems = dict(zip(q["file"], q["problem"], strict=False))
    assert "Word 97-2003 .doc is not supported" in problems["c1.doc"]
    assert "photo.jpg" in problems
    assert ".DS_Store" not in problems


# --------------------------------------------------------------------------- 3. validate


def _survey_study(folder: Path, codebook_edit) -> Path:
    folder.mkdir(parents=True)
    shutil.copy(DEMO / "survey.xlsx", folder / "survey.xlsx")
    text = codebook_edit((DEMO / "codebook.yaml").read_text(encoding="utf-8"))
    (folder / "codebook.yaml").write_text(text, encoding="utf-8")
    path = folder / "study.yaml"
    path.write_text(
        "survey: {path: survey.xlsx, codebook: codebook.yaml}\nreport: {formats: [html]}\n",
        encoding="utf-8",
    )
    return path


def _no_group_column(folder: Path) -> Path:
    path = texts_study(folder)
    csv = folder / "texts.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace("community", "社区"), encoding="utf-8")
    return path


def _only_doc_files(folder: Path) -> Path:
    path = texts_study(folder)
    for p in (folder / "texts").iterdir():
        p.unlink()
    (folder / "texts" / "a1.doc").write_bytes(_OLE)
    return path


def _metadata_without_key(folder: Path) -> Path:
    path = texts_study(folder)
    (folder / "texts.csv").write_text("name,community\na1.txt,甲社区\n", encoding="utf-8")
    return path


def _empty_documents(folder: Path) -> Path:
    path = texts_study(folder)
    for p in (folder / "texts").iterdir():
        p.write_text("  \n", encoding="utf-8")
    return path


def _broken_lexicon(folder: Path) -> Path:
    path = texts_study(folder)
    (folder / "lexicon.yaml").write_text("dimensions: 3\n", encoding="utf-8")
    path.write_text(path.read_text(encoding="utf-8") + "lexicon: lexicon.yaml\n", encoding="utf-8")
    return path


def _output_is_the_study_folder(folder: Path) -> Path:
    path = texts_study(folder)
    path.write_text(path.read_text(encoding="utf-8") + "output: .\n", encoding="utf-8")
    return path


def _codebook_unknown_dimension(folder: Path) -> Path:
    return _survey_study(folder, lambda t: t.replace("dimension: reform}", "dimension: refrom}", 1))


def _codebook_column_not_in_export(folder: Path) -> Path:
    return _survey_study(
        folder, lambda t: t.replace("7、您对社区“一站式”服务的满意程度", "7、一站式服务", 1)
    )


_BROKEN = {
    "texts.csv lacks the group column": _no_group_column,
    "texts folder holds only .doc files": _only_doc_files,
    "metadata has no file or doc_id column": _metadata_without_key,
    "every document is empty": _empty_documents,
    "lexicon file is wrong": _broken_lexicon,
    "output folder holds the inputs": _output_is_the_study_folder,
    "codebook names an unknown dimension": _codebook_unknown_dimension,
    "codebook column is not in the export": _codebook_column_not_in_export,
}


@pytest.mark.parametrize("case", list(_BROKEN))
def test_validate_reports_every_error_run_raises(tmp_path, case):
    path = _BROKEN[case](tmp_path / "study")
    output = None if case == "output folder holds the inputs" else tmp_path / "out"
    with pytest.raises(an.AnalysisError) as info:
        an.run_study(path, output=output)
    first = str(info.value).splitlines()[0]
    problems = an.validate_study(path)
    assert problems, f"validate found no problem, but run failed with: {first}"
    assert any(first in line or line in first for line in problems), (first, problems)


def test_cli_validate_names_the_missing_group_column(tmp_path, capsys):
    path = _no_group_column(tmp_path / "study")
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert "no column 'community' to group documents by" in out
    assert "no problems found" not in out


# --------------------------------------------------------------------------- 9. YAML slips


def _study_error(tmp_path: Path, text: str) -> str:
    path = tmp_path / "study.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(an.AnalysisError) as info:
        an.load_study(path, check_files=False)
    return str(info.value)


_GOOD = [
    "title: 研究：社区治理，2024\n",
    "survey: {path: survey.xlsx, codebook: codebook.yaml}\n",
    "texts: {path: texts/, metadata: texts.csv}\n",
    "report: {formats: [html, docx], language: zh}\n",
    "quality: {exclude: [speeder, duplicate]}\n",
    "lexicon: default\n",
]


@pytest.mark.parametrize(
    ("line", "typed", "expected"),
    [
        (1, "title：研究\n", "study.yaml, line 1: full-width colon '：' — use ':'"),
        (2, "survey：{path: survey.xlsx, codebook: codebook.yaml}\n", "line 2: full-width colon"),
        (4, "report: {formats: [html，docx]}\n", "line 4: full-width comma '，' — use ','"),
        (3, "texts: ｛path: texts/｝\n", "line 3: full-width bracket '｛' — use '{'"),
        (6, "lexicon：default\n", "line 6: full-width colon"),
        (5, "quality:\n\texclude: [speeder]\n", "line 6: a tab in the indentation"),
        (2, "survey: {path: survey.xlsx, codebook: codebook.yaml\n", "line 2: '{' is not closed"),
    ],
)
def test_chinese_punctuation_in_yaml_is_named_on_its_line(tmp_path, line, typed, expected):
    lines = list(_GOOD)
    lines[line - 1] = typed
    message = _study_error(tmp_path, "".join(lines))
    assert expected in message
    n = expected.split("line ")[1].split(":")[0]
    if "colon" in expected:
        assert f"第 {n} 行有全角冒号 '：'，请改为英文冒号 ':'" in message


def test_chinese_punctuation_inside_values_is_fine(tmp_path):
    path = tmp_path / "study.yaml"
    path.write_text("".join(_GOOD) + 'description: "问卷：居民满意度，2024"\n', encoding="utf-8")
    study = an.load_study(path, check_files=False)
    assert study.title == "研究：社区治理，2024"


def test_a_full_width_colon_in_a_codebook_label_is_named(tmp_path):
    path = tmp_path / "codebook.yaml"
    path.write_text(
        "scale: {min: 1, max: 5, labels: {不满意：1, 满意: 5}}\n"
        "items:\n  - {column: Q1, id: q1, dimension: reform}\n",
        encoding="utf-8",
    )
    with pytest.raises(an.CodebookError, match=r"codebook\.yaml, line 1: full-width colon"):
        an.load_codebook(path)


def test_misspelt_study_keys_get_a_suggestion(tmp_path):
    message = _study_error(
        tmp_path,
        "reprot: {formats: [html]}\ntexts: {path: texts/, metdata: texts.csv}\n",
    )
    assert "column 'reprot'; unknown setting (did you mean 'report'?)" in message
    assert "column 'texts.metdata'; unknown setting (did you mean 'metadata'?)" in message


def test_misspelt_dimension_gets_a_suggestion(tmp_path):
    with pytest.raises(an.CodebookError, match=r"unknown dimension \(did you mean 'reform'\?\)"):
        an.load_codebook(
            {
                "scale": {"min": 1, "max": 5},
                "items": [{"column": "Q", "id": "q", "dimension": "refrom"}],
            }
        )


def test_misspelt_file_name_gets_a_suggestion_and_the_folder(tmp_path):
    (tmp_path / "survey.xlsx").write_bytes(b"")
    (tmp_path / "codebook.yaml").write_text("items: []\n", encoding="utf-8")
    message = _study_error_checked(
        tmp_path, "survey: {path: survy.xlsx, codebook: codebook.yaml}\n"
    )
    assert "file not found (did you mean 'survey.xlsx'?)" in message
    assert str(tmp_path) in message


def _study_error_checked(tmp_path: Path, text: str) -> str:
    path = tmp_path / "study.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(an.ConfigError) as info:
        an.load_study(path)
    return str(info.value)


def test_a_relative_study_path_not_found_names_the_current_folder(tmp_path, monkeypatch, capsys):
    texts_study(tmp_path / "s")
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "s/stduy.yaml"]) == 1
    out = capsys.readouterr().out
    assert "did you mean 'study.yaml'?" in out
    assert f"looked in {tmp_path / 's'}, relative to the current folder" in out


# --------------------------------------------------------------------------- 11. saying so


def test_codebook_repr_is_a_short_summary(demo_dir):
    text = repr(an.load_codebook(demo_dir / "codebook.yaml"))
    assert text.startswith("Codebook(19 items: reform 4, development 3")
    assert "group_column='1、您所居住的社区：'" in text
    assert "Item(" not in text
    assert len(text) < 300


def test_no_group_column_warns_at_compare_and_is_noted(demo_dir):
    import pandas as pd
    import yaml

    data = yaml.safe_load((demo_dir / "codebook.yaml").read_text(encoding="utf-8"))
    data.pop("group_column")
    cb = an.load_codebook(data)
    assert "empty" not in repr(cb)
    survey = an.read_survey(demo_dir / "survey.xlsx", codebook=cb)
    scores = an.score_survey(survey)
    assert set(scores["group"]) == {"all"}
    with pytest.warns(an.SmallSampleWarning, match="every row is in the one group 'all'"):
        res = an.compare_groups(scores, dv="score", between="group", by="dimension")
    assert pd.isna(res.table["p_value"]).all()
    from analysis.study.checks import codebook_notes

    assert any(
        "no group_column; every respondent is in one group 'all'" in n for n in codebook_notes(cb)
    )


def _without_masses(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if "dimension: masses" not in line) + "\n"


def test_a_dimension_without_items_is_noted_by_validate_and_run(tmp_path, capsys):
    path = _survey_study(tmp_path / "s", _without_masses)
    assert "empty: masses" in repr(an.load_codebook(tmp_path / "s" / "codebook.yaml"))
    main(["validate", str(path)])
    out = capsys.readouterr().out
    assert "说明：codebook.yaml: dimension 'masses' has no items" in out  # a zh study
    assert main(["run", "--quiet", str(path), "--output", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "说明：codebook.yaml: dimension 'masses' has no items" in out  # a zh study


def test_the_run_summary_names_the_encodings_detected(tmp_path, capsys):
    path = texts_study(tmp_path / "s")
    (tmp_path / "s" / "texts" / "a1.txt").write_bytes(_DOCS["a1.txt"].encode("gbk"))
    assert main(["run", "--quiet", str(path)]) == 0
    out = capsys.readouterr().out
    assert "编码：文档按 utf-8 (9), gb18030 (1) 读取" in out  # a zh study


def test_a_wrong_forced_encoding_suggests_the_likely_one(tmp_path):
    from analysis.io.encoding import decode_bytes

    gbk = "社区服务很好".encode("gbk")
    with pytest.raises(an.InputError, match="it decodes as 'gb18030': use encoding='gb18030'"):
        decode_bytes(gbk, file="a.csv", encoding="utf-8")
    with pytest.warns(an.DataQualityWarning, match="valid UTF-8, which is the likely encoding"):
        decode_bytes("社区服务很好".encode(), file="a.csv", encoding="gbk")
