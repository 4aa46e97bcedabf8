"""Write the legacy Excel 97-2003 (.xls, BIFF8) test fixture: a small 问卷星-style export.

Writes ``tests/data/survey/wjx_text.xls``: a synthetic 问卷星 "按选项文本" export with a
subset of the demo study's columns (metadata columns 序号 … 来自IP, the community
question, four Likert items, one of them reverse-worded on the agree scale, and the open
question), eight respondents, sheet ``答卷数据``, plus a second sheet ``说明`` with a note
on where the file comes from. Nothing in it is real: the answers, times and IP addresses
are made up.

Planted cells (row = row in the sheet, header = 1):

* row 6 (序号 5): ``12、…`` holds ``很满意``, which is not an option on the scale.
* ``(跳过)`` in row 4 and ``(空)`` in rows 3 and 9; 来源详情 holds ``N/A`` (text, as
  问卷星 writes it) or ``直接访问``, and is empty in row 7.
* 提交答卷时间 is a real Excel date-time cell (number format ``yyyy/m/d h:mm:ss``),
  序号 a number, everything else text; one open answer spans two lines.

The .xls is written with xlwt, which is *not* a dependency of the project: the committed
file is the fixture, and this script documents how it was made. To rewrite or re-check it::

    pip install xlwt                          # only for writing
    python scripts/make_xls_fixture.py        # (re)write tests/data/survey/wjx_text.xls
    python scripts/make_xls_fixture.py --check  # read the committed file with xlrd and
                                                # compare every cell with the table below

``--check`` needs only xlrd (a dependency). The tests import :data:`HEADER`,
:data:`ROWS` and :func:`write_xlsx` from this file to build the same data as an .xlsx.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "survey" / "wjx_text.xls"
SHEET = "答卷数据"
NOTE_SHEET = "说明"
NOTE = "合成测试数据，由 scripts/make_xls_fixture.py 生成；不含真实答卷。"
DATE_FORMAT = "yyyy/m/d h:mm:ss"

HEADER = [
    "序号",
    "提交答卷时间",
    "所用时间",
    "来源",
    "来源详情",
    "来自IP",
    "1、您所居住的社区：",
    "7、您对社区“一站式”服务的满意程度",
    "10、在社区办事经常需要反复跑腿",
    "12、您对本社区近年来经济社会发展变化的满意程度",
    "15、您对社区养老托幼服务的满意程度",
    "26、您对社区党组织的工作还有哪些意见和建议？",
]

# None = an empty cell (not written)
ROWS: list[list[object]] = [
    [1, dt.datetime(2024, 5, 6, 8, 29, 5), "219秒", "微信", "N/A",
     "121.229.193.164(江苏-南京)", "桂花社区", "满意", "不同意", "非常满意", "满意",
     "希望社区多组织“三会一课”以外的学习活动。"],
    [2, dt.datetime(2024, 5, 6, 9, 2, 41), "305秒", "手机提交", "直接访问",
     "121.229.17.88(江苏-南京)", "梅园社区", "一般", "同意", "满意", "(空)", "(空)"],
    [3, dt.datetime(2024, 5, 6, 12, 15, 0), "187秒", "链接", "直接访问",
     "58.213.4.120(江苏-南京)", "竹林社区", "非常满意", "非常不同意", "满意", "(跳过)",
     "第一，停车位太少；\n第二，老年食堂饭菜偏咸。"],
    [4, dt.datetime(2024, 5, 7, 19, 48, 33), "412秒", "微信", "N/A",
     "121.229.193.164(江苏-南京)", "桂花社区", "不满意", "一般", "一般", "不满意",
     "无"],
    [5, dt.datetime(2024, 5, 8, 7, 5, 59), "260秒", "微信", "N/A",
     "180.110.31.9(江苏-南京)", "梅园社区", "满意", "不同意", "很满意", "满意",
     "网格员很负责，点赞！"],
    [6, dt.datetime(2024, 5, 8, 21, 30, 12), "198秒", "手机提交", None,
     "180.110.2.201(江苏-南京)", "竹林社区", "非常不满意", "非常同意", "不满意", "一般",
     "反映的问题常常没有下文。"],
    [7, dt.datetime(2024, 5, 9, 10, 0, 0), "233秒", "链接", "直接访问",
     "58.213.77.15(江苏-南京)", "桂花社区", "满意", "不同意", "满意", "非常满意",
     "社区党员活动可以更贴近居民（比如周末）。"],
    [8, dt.datetime(2024, 5, 9, 16, 44, 27), "351秒", "微信", "N/A",
     "121.229.90.3(江苏-南京)", "梅园社区", "非常满意", "非常不同意", "(空)", "满意",
     "(空)"],
]  # fmt: skip


def write_xls(path: Path = OUT) -> Path:
    """Write the fixture as a BIFF8 .xls with xlwt (``pip install xlwt`` first).

    Parameters
    ----------
    path
        Where to write.

    Returns
    -------
    Path
        ``path``.
    """
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet(SHEET)
    date_style = xlwt.easyxf(num_format_str=DATE_FORMAT)
    for j, text in enumerate(HEADER):
        sheet.write(0, j, text)
    for i, row in enumerate(ROWS, start=1):
        for j, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, dt.datetime):
                sheet.write(i, j, value, date_style)
            else:
                sheet.write(i, j, value)
    note = book.add_sheet(NOTE_SHEET)
    note.write(0, 0, NOTE)
    buf = io.BytesIO()
    book.save(buf)
    path.write_bytes(buf.getvalue())
    return path


def write_xlsx(path: Path) -> Path:
    """Write the same two sheets as an .xlsx with openpyxl (the tests' twin of the .xls).

    Parameters
    ----------
    path
        Where to write.

    Returns
    -------
    Path
        ``path``.
    """
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append(HEADER)
    for i, row in enumerate(ROWS, start=2):
        for j, value in enumerate(row, start=1):
            if value is None:
                continue
            cell = sheet.cell(row=i, column=j, value=value)
            if isinstance(value, dt.datetime):
                cell.number_format = DATE_FORMAT
    book.create_sheet(NOTE_SHEET).append([NOTE])
    book.save(path)
    return path


def check(path: Path = OUT) -> list[str]:
    """Read ``path`` with xlrd and compare it with :data:`HEADER` and :data:`ROWS`.

    Parameters
    ----------
    path
        The .xls to check.

    Returns
    -------
    list of str
        One line per difference; empty when the file holds exactly the table above.
    """
    import xlrd

    log = io.StringIO()
    book = xlrd.open_workbook(path, logfile=log)
    problems: list[str] = []
    if book.biff_version != 80:
        problems.append(f"BIFF version {book.biff_version}, expected 80 (Excel 97-2003)")
    if book.sheet_names() != [SHEET, NOTE_SHEET]:
        problems.append(f"sheets {book.sheet_names()}, expected {[SHEET, NOTE_SHEET]}")
        return problems
    if book.sheet_by_index(1).cell_value(0, 0) != NOTE:
        problems.append(f"{NOTE_SHEET}!A1 is not the note")
    sheet = book.sheet_by_index(0)
    want = [list(HEADER), *ROWS]
    if (sheet.nrows, sheet.ncols) != (len(want), len(HEADER)):
        problems.append(
            f"{sheet.nrows} x {sheet.ncols} cells, expected {len(want)} x {len(HEADER)}"
        )
        return problems
    for i, row in enumerate(want):
        for j, expected in enumerate(row):
            cell = sheet.cell(i, j)
            if cell.ctype == xlrd.XL_CELL_DATE:
                got: object = xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)
            elif cell.ctype == xlrd.XL_CELL_EMPTY:
                got = None
            elif cell.ctype == xlrd.XL_CELL_NUMBER and float(cell.value).is_integer():
                got = int(cell.value)  # BIFF stores every number as a float
            else:
                got = cell.value
            if got != expected or type(got) is not type(expected):
                problems.append(f"row {i + 1}, column {j + 1}: {got!r}, expected {expected!r}")
    if log.getvalue().strip():
        problems.append(f"xlrd logged: {log.getvalue().strip()}")
    return problems


def main(argv: list[str] | None = None) -> int:
    """Write the fixture, or with ``--check`` compare the committed one with the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="check the file, do not write")
    parser.add_argument("--out", type=Path, default=OUT, help=f"default: {OUT}")
    args = parser.parse_args(argv)
    if not args.check:
        write_xls(args.out)
    problems = check(args.out)
    for line in problems:
        print(f"{args.out.name}: {line}", file=sys.stderr)
    if not problems:
        print(f"{args.out}: {args.out.stat().st_size} bytes, BIFF8, matches the table")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
