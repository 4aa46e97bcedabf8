"""Write the bad-input corpus of tests/badinputs/: small broken files, each with its outcome.

Run ``python scripts/make_badinputs.py`` to (re)write ``tests/badinputs/``: one folder per
case and ``cases.json``, the index that ``tests/test_badinputs.py`` runs. The output is the
same on every run (workbooks and Word files are zipped with a fixed date), so a change in
the folder is a change in a case. Cases that would be large, or whose file names cannot be
committed on every system (``AUX.txt``, a right-to-left override), are listed in the index
with ``"at_test_time": true`` and written by :func:`write_case` into a temporary folder.

Every case has an ``id``, a ``category``, a ``kind`` (which public function reads it:
``survey`` read_survey with load_codebook, ``codebook`` load_codebook, ``texts``
read_texts then score_texts, ``lexicon`` load_lexicon, ``study`` run_study), its ``inputs``
(paths inside the case folder) and ``expect``:

- ``{"outcome": "read", ...}`` with counts: for a survey ``rows`` (answer rows in the file)
  = ``scored`` + ``quarantined`` (distinct rows); for texts ``files`` = ``documents`` +
  ``quarantined``; for a study the manifest's counts; ``quarantine`` lists cells that must
  be among the quarantined ones (row, column, value);
- ``{"outcome": "refused", "error": "InputError", "contains": [...]}``: the error class
  (from ``analysis``) and the parts its message must name: file, row, column, value.

``secrets`` lists personal data planted in the inputs that must not appear in anything a
run writes or prints.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "badinputs"
sys.path.insert(0, str(Path(__file__).resolve().parent))

from badinputs_cases import register_all  # noqa: E402

Files = dict[str, "bytes | Callable[[], bytes]"]
CASES: list[dict[str, Any]] = []
_FILES: dict[str, Files] = {}

LABELS = ["非常不满意", "不满意", "一般", "满意", "非常满意"]
HEAD = ["序号", "社区", "q1", "q2", "q3"]
COMMUNITIES = ["桂花社区", "梅园社区", "竹林社区"]
CODEBOOK = """\
id_column: 序号
group_column: 社区
scale: {min: 1, max: 5, labels: {非常不满意: 1, 不满意: 2, 一般: 3, 满意: 4, 非常满意: 5}}
missing: {skipped: ["(跳过)"], no_answer: ["(空)"]}
items:
  - {column: q1, id: q1, dimension: reform}
  - {column: q2, id: q2, dimension: livelihood}
  - {column: q3, id: q3, dimension: masses}
"""
DOC = (
    "社区党组织开展一站式服务，推进网格化管理，组织志愿者走访群众，落实三会一课。"
    "居民议事会讨论加装电梯和养老服务，党员带头参与垃圾分类。\n"
)


# --------------------------------------------------------------------------- building blocks


def row(i: int) -> list[str]:
    """A valid answer row for respondent ``i`` (1-based)."""
    return [str(i), COMMUNITIES[i % 3], LABELS[i % 5], LABELS[(i * 3) % 5], LABELS[(i + 2) % 5]]


def good_rows(n: int = 5) -> list[list[str]]:
    return [row(i) for i in range(1, n + 1)]


def to_csv(rows: list[list[Any]], *, sep: str = ",") -> str:
    buf = io.StringIO()
    # the csv module quotes a cell holding a line end only if the line end is its own
    # terminator: with a stray carriage return in a cell, end lines with \r\n
    stray = any("\r" in str(v) for r in rows for v in r)
    csv.writer(buf, delimiter=sep, lineterminator="\r\n" if stray else "\n").writerows(rows)
    return buf.getvalue()


def fixed_zip(data: bytes) -> bytes:
    """The same zip with every entry dated 2024-01-01, so workbooks are byte-identical."""
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2024, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the time of saving
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2024-01-01T00:00:00Z", data
                )
            dst.writestr(fixed, data)
    return buf.getvalue()


def xlsx(rows: list[list[Any]], *, merge: str | None = None, sheet: str = "Sheet1") -> bytes:
    """An .xlsx workbook with ``rows`` on one sheet (cells keep their Python types)."""
    import datetime

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for r in rows:
        ws.append(r)
    if merge:
        ws.merge_cells(merge)
    stamp = datetime.datetime(2024, 1, 1)
    wb.properties.created = wb.properties.modified = stamp
    buf = io.BytesIO()
    wb.save(buf)
    return fixed_zip(buf.getvalue())


def docx(paragraphs: list[str]) -> bytes:
    """A .docx document with one paragraph per string."""
    import datetime

    import docx as python_docx

    document = python_docx.Document()
    for p in paragraphs:
        document.add_paragraph(p)
    stamp = datetime.datetime(2024, 1, 1)
    document.core_properties.created = document.core_properties.modified = stamp
    buf = io.BytesIO()
    document.save(buf)
    return fixed_zip(buf.getvalue())


# --------------------------------------------------------------------------- the registry


def add(
    cid: str,
    category: str,
    kind: str,
    files: Files,
    inputs: dict[str, Any],
    expect: dict[str, Any],
    *,
    at_test_time: bool = False,
    secrets: tuple[str, ...] = (),
    note: str = "",
) -> None:
    """Register one case: its files (bytes, or a function giving them) and its outcome."""
    if any(c["id"] == cid for c in CASES):
        raise ValueError(f"case {cid!r} registered twice")
    CASES.append(
        {
            "id": cid,
            "category": category,
            "kind": kind,
            "inputs": inputs,
            "expect": expect,
            "at_test_time": at_test_time,
            "secrets": list(secrets),
            "note": note,
        }
    )
    _FILES[cid] = files


def survey(
    cid: str,
    category: str,
    data: bytes | Callable[[], bytes],
    expect: dict[str, Any],
    *,
    name: str = "survey.csv",
    codebook: str = CODEBOOK,
    options: dict[str, Any] | None = None,
    **kw: Any,
) -> None:
    """A survey export and its codebook, read with read_survey."""
    inputs: dict[str, Any] = {"survey": name, "codebook": "codebook.yaml"}
    if options:
        inputs["options"] = options
    files: Files = {name: data, "codebook.yaml": codebook.encode("utf-8")}
    add(cid, category, "survey", files, inputs, expect, **kw)


def read(rows: int, scored: int, quarantined: int = 0, **more: Any) -> dict[str, Any]:
    """Expected outcome of a survey read with every row accounted for."""
    if scored + quarantined != rows:
        raise ValueError(f"{scored} + {quarantined} != {rows}")
    return {"outcome": "read", "rows": rows, "scored": scored, "quarantined": quarantined, **more}


def docs_read(files: int, documents: int, quarantined: int = 0) -> dict[str, Any]:
    """Expected outcome of read_texts over ``files`` documents."""
    if documents + quarantined != files:
        raise ValueError(f"{documents} + {quarantined} != {files}")
    return {"outcome": "read", "files": files, "documents": documents, "quarantined": quarantined}


def refused(error: str, *contains: str) -> dict[str, Any]:
    """Expected refusal: the error class and what its message names."""
    return {"outcome": "refused", "error": error, "contains": list(contains)}


def cell(r: int, column: str, value: str) -> dict[str, Any]:
    """A quarantined cell the outcome must include (row as the user sees it, header = 1)."""
    return {"row": r, "column": column, "value": value}


# --------------------------------------------------------------------------- writing


def case_files(cid: str) -> Files:
    if not _FILES:
        register_all(sys.modules[__name__])
    return _FILES[cid]


def write_case(cid: str, folder: Path) -> Path:
    """Write the files of case ``cid`` into ``folder`` (created); returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in case_files(cid).items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data() if callable(data) else data)
    return folder


def index() -> list[dict[str, Any]]:
    """Every case, as written to cases.json."""
    if not CASES:
        register_all(sys.modules[__name__])
    return CASES


def main(out: Path = OUT) -> None:
    cases = index()
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for c in cases:
        if not c["at_test_time"]:
            write_case(c["id"], out / c["id"])
    text = json.dumps({"cases": cases}, ensure_ascii=False, indent=1, sort_keys=True)
    (out / "cases.json").write_text(text + "\n", encoding="utf-8")
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    by: dict[str, int] = {}
    for c in cases:
        by[c["category"]] = by.get(c["category"], 0) + 1
    print(f"wrote {len(cases)} cases ({size / 1e3:.0f} kB) to {out}")
    for category, n in by.items():
        print(f"  {category}: {n}")


if __name__ == "__main__":
    main()
