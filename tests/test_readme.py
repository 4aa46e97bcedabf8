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
