"""The study's HTML report in a real browser (headless Chromium).

Chromium comes from Debian (.ci/run installs it); without it these tests skip with a reason.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import analysis as an

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore::analysis.DataQualityWarning"),
]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")

EVIL_IMG = "<img src=x onerror=alert(1)>"
EVIL_SCRIPT = "<script>document.title='pwned'</script>社区"


def _chromium(*args: str, timeout: int = 90) -> subprocess.CompletedProcess[str]:
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
    ]
    return subprocess.run(
        [CHROMIUM, *flags, *args], capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="module")
def hostile_study(tmp_path_factory, demo_dir) -> Path:
    """A copy of the demo study in which two communities carry hostile names, already run."""
    from openpyxl import load_workbook

    root = tmp_path_factory.mktemp("hostile")
    study = root / "study"
    shutil.copytree(demo_dir, study)
    wb = load_workbook(study / "survey.xlsx")
    ws = wb["Sheet1"]
    header = [c.value for c in ws[1]]
    col = header.index("1、您所居住的社区：") + 1
    for row in range(2, ws.max_row + 1):
        cell = ws.cell(row=row, column=col)
        if cell.value == "朝阳社区":
            cell.value = EVIL_IMG
        elif cell.value == "枫林社区":
            cell.value = EVIL_SCRIPT
    wb.save(study / "survey.xlsx")
    an.run_study(study / "study.yaml", output=root / "out")
    return root / "out"


@needs_chromium
def test_report_screenshot_is_not_blank(hostile_study, tmp_path):
    import matplotlib.image as mpimg

    shot = tmp_path / "report.png"
    res = _chromium(
        f"--screenshot={shot}", "--window-size=1200,1800", (hostile_study / "report.html").as_uri()
    )
    assert shot.is_file(), res.stderr[-2000:]
    pixels = mpimg.imread(shot)[..., :3]
    non_white = (pixels < 0.9).any(axis=-1).mean()
    assert non_white > 0.03, f"only {non_white:.1%} of the page is drawn"
    assert np.std(pixels) > 0.05


@needs_chromium
@pytest.mark.parametrize("page", ["report.html", "reports"], ids=["study", "community"])
def test_hostile_names_are_text_and_run_no_script(hostile_study, page):
    target = hostile_study / page
    if target.is_dir():
        target = next(p for p in sorted(target.glob("*.html")) if "img src" in p.name)
    res = _chromium("--dump-dom", "--virtual-time-budget=3000", target.as_uri())
    dom = res.stdout
    assert "<html" in dom, res.stderr[-2000:]
    # shown as text: escaped in the serialised DOM, never a live element
    assert "&lt;img src=x onerror=alert(1)&gt;" in dom
    assert 'onerror="alert(1)"' not in dom
    assert '<img src="x"' not in dom
    # a script in a name would have changed the title: it did not run
    assert "<title>pwned</title>" not in dom
    if page == "report.html":
        assert "&lt;script&gt;document.title='pwned'&lt;/script&gt;" in dom
