"""Build the demo corpus ``.docx`` documents from plain-text sources.

Each ``scripts/demo_texts_docx/<doc_id>.txt`` becomes
``data/raw/demo/texts/<doc_id>.docx``.

Source format (UTF-8):

* the first non-empty line is the document title (styled ``Heading 1``);
* a run of consecutive lines starting with ``|`` is one table
  (``| 活动 | 次数 | 参与人数 |``); its first row is the header row;
* every other non-empty line is one body paragraph.

The output is byte-for-byte reproducible: core properties (created, modified,
last_modified_by, revision, ...) are set to constants, and the zip container is
rewritten with a fixed ``date_time`` and attributes for every member, a fixed
member order and a fixed deflate level, so the bytes do not depend on the clock
or on the order python-docx happens to write parts in. They do depend on the
installed python-docx version (bundled template, XML serialisation) and on the
zlib build (stock zlib 1.2.x/1.3 give identical deflate output; zlib-ng may
not).

Usage::

    python scripts/make_demo_docx.py              # (re)write data/raw/demo/texts/*.docx
    python scripts/make_demo_docx.py --out-dir D  # write into another directory
    python scripts/make_demo_docx.py --check      # regenerate into a temp dir, compare sha256
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import sys
import tempfile
import zipfile
from pathlib import Path

from docx import Document
from docx.oxml.ns import qn

ROOT = Path(__file__).resolve().parents[1]
SRC_DIR = ROOT / "scripts" / "demo_texts_docx"
OUT_DIR = ROOT / "data" / "raw" / "demo" / "texts"

FIXED_TIME = dt.datetime(2024, 12, 31, 0, 0, 0)
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
DEFLATE_LEVEL = 6
AUTHOR = "analysis demo corpus"
EAST_ASIAN_FONT = "宋体"


def parse_source(text: str) -> tuple[str, list[tuple[str, object]]]:
    """Split a source text into its title and a list of blocks.

    Blocks are ``("p", str)`` for paragraphs and ``("table", rows)`` for tables,
    where ``rows`` is a list of lists of cell strings.
    """
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        raise ValueError("empty source text")
    title, body = lines[0], lines[1:]
    blocks: list[tuple[str, object]] = []
    table: list[list[str]] = []
    for line in body:
        if line.startswith("|"):
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            table.append(cells)
            continue
        if table:
            blocks.append(("table", table))
            table = []
        blocks.append(("p", line))
    if table:
        blocks.append(("table", table))
    return title, blocks


def _set_east_asian_font(style, font_name: str) -> None:
    rpr = style.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(rfonts)
    rfonts.set(qn("w:eastAsia"), font_name)


def render_docx(text: str) -> bytes:
    """Render one source text to normalised .docx bytes."""
    title, blocks = parse_source(text)
    document = Document()
    for style_name in ("Normal", "Heading 1"):
        _set_east_asian_font(document.styles[style_name], EAST_ASIAN_FONT)

    props = document.core_properties
    props.title = title
    props.author = AUTHOR
    props.last_modified_by = AUTHOR
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    props.last_printed = FIXED_TIME
    props.revision = 1
    props.language = "zh-CN"
    props.comments = "Original text written for the analysis demo corpus."

    document.add_heading(title, level=1)
    for kind, content in blocks:
        if kind == "p":
            document.add_paragraph(content)
            continue
        rows = content
        ncols = max(len(row) for row in rows)
        table = document.add_table(rows=len(rows), cols=ncols)
        table.style = document.styles["Table Grid"]
        for r, row in enumerate(rows):
            for c in range(ncols):
                cell = table.cell(r, c)
                cell.text = row[c] if c < len(row) else ""
                if r == 0:
                    for run in cell.paragraphs[0].runs:
                        run.bold = True

    raw = io.BytesIO()
    document.save(raw)
    return normalise_zip(raw.getvalue())


def normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed timestamps, attributes and member order."""
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        members = {info.filename: src.read(info.filename) for info in src.infolist()}
    order = sorted(members, key=lambda name: (name != "[Content_Types].xml", name))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for name in order:
            info = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            dst.writestr(info, members[name], compresslevel=DEFLATE_LEVEL)
    return out.getvalue()


def source_files(src_dir: Path = SRC_DIR) -> list[Path]:
    return sorted(src_dir.glob("*.txt"))


def build_all(out_dir: Path = OUT_DIR, src_dir: Path = SRC_DIR) -> list[Path]:
    """Write one .docx per source text into ``out_dir``; return the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for src in source_files(src_dir):
        dest = out_dir / f"{src.stem}.docx"
        dest.write_bytes(render_docx(src.read_text(encoding="utf-8")))
        written.append(dest)
    return written


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check(out_dir: Path = OUT_DIR, src_dir: Path = SRC_DIR) -> list[str]:
    """Regenerate into a temp dir; return a list of problems (empty if all match)."""
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        for fresh in build_all(Path(tmp), src_dir):
            committed = out_dir / fresh.name
            if not committed.exists():
                problems.append(f"missing: {committed}")
            elif sha256(committed) != sha256(fresh):
                problems.append(f"differs from regeneration: {committed}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=OUT_DIR)
    parser.add_argument(
        "--check",
        action="store_true",
        help="regenerate into a temp dir and compare sha256 with --out-dir",
    )
    args = parser.parse_args(argv)
    if args.check:
        problems = check(args.out_dir)
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            return 1
        print(f"ok: {len(source_files())} docx files match a fresh regeneration")
        return 0
    for path in build_all(args.out_dir):
        print(f"wrote {path} sha256={sha256(path)[:12]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
