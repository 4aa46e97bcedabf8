"""The README stays true: its quick start is what CI runs, and its API tour runs as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")

pytestmark = pytest.mark.filterwarnings("ignore::analysis.AnalysisWarning")


def _block(tag: str) -> str:
    match = re.search(rf"<!-- quickstart:{tag} -->\s*```bash\n(.*?)```", README, re.S)
    assert match, f"quick-start block {tag!r} missing"
    return match.group(1).strip()


def test_quick_start_is_two_commands():
    install, test = _block("install"), _block("test")
    assert len(install.splitlines()) == 1
    assert len(test.splitlines()) == 1
    assert "pip install" in install
    assert "analysis run data/raw/demo/study.yaml" in install
    assert "pytest" in test


def test_api_tour_runs(tmp_path, monkeypatch):
    tour = re.search(r"## A tour of the library\s*```python\n(.*?)```", README, re.S)
    assert tour, "API tour missing"
    code = tour.group(1).replace('output="out/"', f'output="{tmp_path.as_posix()}"')
    monkeypatch.chdir(ROOT)
    namespace: dict[str, object] = {}
    exec(compile(code, "README.md", "exec"), namespace)  # our own README, not user input
    assert (tmp_path / "report.html").is_file()
    res = namespace["res"]
    assert set(res.table["dimension"]) == {
        "reform",
        "development",
        "livelihood",
        "masses",
        "members",
    }


def test_the_coding_round_in_the_readme_runs(tmp_path, monkeypatch):
    from openpyxl import load_workbook

    block = re.search(
        r"### Checking the labels on your own documents.*?```python\n(.*?)```", README, re.S
    )
    assert block, "coding example missing"
    before, after = block.group(1).split("# ... two people code", 1)
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    code = before.replace('"data/raw/demo/texts"', repr(str(ROOT / "data/raw/demo/texts")))
    exec(compile(code, "README.md", "exec"), namespace)  # our own README, not user input
    sample = namespace["sample"]
    # the coders' work: coder a agrees with the classifier, coder b not on the first passage
    labels = sample["predicted"].tolist()
    other = "reform" if labels[0] == "none" else "none"
    for name, coded in (("coder-a.xlsx", labels), ("coder-b.xlsx", [other, *labels[1:]])):
        wb = load_workbook(name)
        for r, label in enumerate(coded, start=2):
            wb["coding"].cell(r, 4).value = label
        wb.save(name)
    namespace["adjudicated"] = sample[["passage_id"]].assign(label=sample["predicted"])
    exec(compile(after.split("\n", 1)[1], "README.md", "exec"), namespace)
    check = namespace["check"]
    assert check.accuracy == 1.0
    assert len(namespace["agree"].disagreements) == 1
