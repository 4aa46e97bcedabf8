"""Checks on the demo study's Chinese document corpus (data/raw/demo/texts)."""

from __future__ import annotations

import csv
import importlib.util
import re
import statistics
from collections import Counter, defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "raw" / "demo"
TEXTS_DIR = DEMO / "texts"
TEXTS_CSV = DEMO / "texts.csv"
DOCX_SCRIPT = ROOT / "scripts" / "make_demo_docx.py"

COMMUNITIES = {
    "桂花社区",
    "长青社区",
    "和平里社区",
    "新华社区",
    "滨江社区",
    "东湖社区",
    "枫林社区",
    "朝阳社区",
}
TYPES = {"工作总结", "通知公告", "述职报告", "活动记录", "会议纪要"}
GB18030_FILES = {"changqing-2023-01.txt", "fenglin-2023-02.txt"}
DOC_ID = re.compile(r"^[a-z]+-20(23|24)-\d{2}$")
HAN = re.compile(r"[\u4e00-\u9fff]")
# Fixed list; counts are plain substring counts, so 发展党员 also counts once as 党员.
MEMBERS_TERMS = ("党员", "三会一课", "主题党日", "党支部", "发展党员", "流动党员", "老党员")
REFORM_TERMS = ("一站式", "放管服", "政务服务", "网上办", "掌上办", "自助", "最多跑一次", "就近办")


def rows() -> list[dict[str, str]]:
    with TEXTS_CSV.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def decode(data: bytes) -> tuple[str, str]:
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("gb18030"), "gb18030"


def document_text(path: Path) -> str:
    if path.suffix == ".docx":
        docx = pytest.importorskip("docx")
        document = docx.Document(str(path))
        parts = [p.text for p in document.paragraphs]
        for table in document.tables:
            for row in table.rows:
                parts.extend(cell.text for cell in row.cells)
        return "\n".join(parts)
    return decode(path.read_bytes())[0]


def han_count(text: str) -> int:
    return len(HAN.findall(text))


def per_thousand(text: str, terms: tuple[str, ...]) -> float:
    return 1000 * sum(text.count(term) for term in terms) / han_count(text)


def densities_by_community(terms: tuple[str, ...]) -> dict[str, list[float]]:
    out: dict[str, list[float]] = defaultdict(list)
    for row in rows():
        text = document_text(TEXTS_DIR / row["file"])
        out[row["community"]].append(per_thousand(text, terms))
    return out


def load_docx_script():
    spec = importlib.util.spec_from_file_location("make_demo_docx", DOCX_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_csv_columns_and_values():
    table = rows()
    assert table, "texts.csv is empty"
    assert list(table[0]) == ["doc_id", "file", "community", "year", "type"]
    ids = [row["doc_id"] for row in table]
    assert len(ids) == len(set(ids))
    for row in table:
        assert DOC_ID.match(row["doc_id"]), row["doc_id"]
        assert row["file"] in (f"{row['doc_id']}.txt", f"{row['doc_id']}.docx")
        assert row["community"] in COMMUNITIES
        assert row["type"] in TYPES
        assert row["year"] == row["doc_id"].split("-")[1]


def test_every_row_has_a_file_and_every_file_a_row():
    listed = {row["file"] for row in rows()}
    present = {p.name for p in TEXTS_DIR.iterdir() if p.suffix in (".txt", ".docx")}
    assert listed - present == set(), "rows without files"
    assert present - listed == set(), "files without rows"


def test_at_least_26_documents_and_3_per_community():
    counts = Counter(row["community"] for row in rows())
    assert sum(counts.values()) >= 26
    assert set(counts) == COMMUNITIES
    assert min(counts.values()) >= 3, counts


def test_encodings_are_utf8_except_the_documented_gb18030_files():
    found = set()
    for path in sorted(TEXTS_DIR.glob("*.txt")):
        text, encoding = decode(path.read_bytes())
        assert text.strip()
        if encoding == "gb18030":
            found.add(path.name)
    assert found == GB18030_FILES


def test_each_document_has_600_to_2000_han_characters():
    for row in rows():
        n = han_count(document_text(TEXTS_DIR / row["file"]))
        assert 600 <= n <= 2000, (row["file"], n)


def test_docx_files_equal_fresh_regeneration(tmp_path):
    pytest.importorskip("docx")
    module = load_docx_script()
    fresh = module.build_all(tmp_path)
    assert len(fresh) >= 6
    committed = sorted(p.name for p in TEXTS_DIR.glob("*.docx"))
    assert committed == sorted(p.name for p in fresh)
    for path in fresh:
        assert path.read_bytes() == (TEXTS_DIR / path.name).read_bytes(), path.name


def test_docx_have_heading_and_some_tables():
    docx = pytest.importorskip("docx")
    with_tables = 0
    for path in sorted(TEXTS_DIR.glob("*.docx")):
        document = docx.Document(str(path))
        assert document.paragraphs[0].style.name == "Heading 1"
        with_tables += bool(document.tables)
    assert with_tables >= 2


def test_planted_members_emphasis_in_guihua():
    by_community = densities_by_community(MEMBERS_TERMS)
    guihua = statistics.mean(by_community["桂花社区"])
    others = statistics.mean(
        d for community, values in by_community.items() if community != "桂花社区" for d in values
    )
    assert guihua >= 1.5 * others, (guihua, others)


def test_planted_low_reform_vocabulary_in_donghu():
    by_community = densities_by_community(REFORM_TERMS)
    donghu = statistics.mean(by_community["东湖社区"])
    for community, values in by_community.items():
        if community != "东湖社区":
            assert donghu < statistics.mean(values), community
