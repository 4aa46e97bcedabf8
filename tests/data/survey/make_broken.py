"""Write the deliberately broken survey exports used by tests/test_io_survey.py.

Run ``python tests/data/survey/make_broken.py`` to (re)write the small files into
``tests/data/survey/broken/``; the tests call :func:`write_big` themselves to build the
10,000-row file in a temporary folder, so it is never committed.

Every file answers the questions of ``broken/codebook.yaml``: 序号, 提交答卷时间,
所用时间, 1、您所居住的社区：, and three satisfaction items.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

HERE = Path(__file__).parent / "broken"
HEADER = [
    "序号",
    "提交答卷时间",
    "所用时间",
    "1、您所居住的社区：",
    "2、您对社区“一站式”服务的满意程度",
    "3、您对社区养老服务的满意程度",
    "4、您对社区党员活动的满意程度",
]
LABELS = ["非常不满意", "不满意", "一般", "满意", "非常满意"]
CODEBOOK = """\
framework: service-five
id_column: 序号
group_column: "1、您所居住的社区："
duration_column: 所用时间
scale: {min: 1, max: 5, labels: {非常不满意: 1, 不满意: 2, 一般: 3, 满意: 4, 非常满意: 5}}
missing: {skipped: ["(跳过)"], no_answer: ["(空)"]}
items:
  - {column: "2、您对社区“一站式”服务的满意程度", id: q2, dimension: reform}
  - {column: "3、您对社区养老服务的满意程度", id: q3, dimension: livelihood}
  - {column: "4、您对社区党员活动的满意程度", id: q4, dimension: members}
"""


def row(i: int) -> list[str]:
    """A valid answer row for respondent ``i`` (1-based)."""
    return [
        str(i),
        f"2024/5/{1 + i % 28} 10:{i % 60:02d}:00",
        f"{120 + i % 200}秒",
        ("桂花社区", "梅园社区", "竹林社区")[i % 3],
        LABELS[i % 5],
        LABELS[(i * 3) % 5],
        LABELS[(i * 7 + 1) % 5],
    ]


def to_csv(rows: list[list[str]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def write_small(folder: Path = HERE) -> None:
    """The small broken files (committed)."""
    import openpyxl

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "codebook.yaml").write_text(CODEBOOK, encoding="utf-8")
    good = [HEADER] + [row(i) for i in range(1, 6)]
    # a UTF-16 file: neither UTF-8 nor GB18030
    (folder / "wrong_encoding.csv").write_bytes(to_csv(good).encode("utf-16"))
    dup = [[*HEADER[:5], HEADER[4], *HEADER[6:]]] + [row(i) for i in range(1, 6)]
    (folder / "duplicated_headers.csv").write_text(to_csv(dup), encoding="utf-8")
    second = [HEADER, ["ID", "time", "duration", "Q1", "Q2", "Q3", "Q4"]]
    second += [row(i) for i in range(1, 6)]
    (folder / "two_header_rows.csv").write_text(to_csv(second), encoding="utf-8")
    (folder / "empty.csv").write_bytes(b"")
    (folder / "header_only.csv").write_text(to_csv([HEADER]), encoding="utf-8")
    # an .xlsx that is really a CSV (saved with the wrong extension)
    (folder / "really_csv.xlsx").write_text(to_csv(good), encoding="utf-8")
    # dates where Likert answers belong (Excel turned "3-4" style answers into dates)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(HEADER)
    import datetime as dt

    for i in range(1, 6):
        r: list[object] = list(row(i))
        if i in (2, 4):
            r[5] = dt.datetime(2024, 3, i)
        ws.append(r)
    wb.save(folder / "dates_in_likert.xlsx")
    # ragged rows: row 4 has an extra cell
    ragged = to_csv(good).splitlines()
    ragged[3] += ",多出来的一格"
    (folder / "ragged_rows.csv").write_text("\n".join(ragged) + "\n", encoding="utf-8")


def write_big(folder: Path, n: int = 10_000) -> Path:
    """A ``n``-row export whose last row has one answer off the scale ("很满意")."""
    rows = [HEADER] + [row(i) for i in range(1, n + 1)]
    rows[-1][5] = "很满意"
    path = folder / "big_bad_last_row.csv"
    path.write_text(to_csv(rows), encoding="utf-8")
    return path


if __name__ == "__main__":
    write_small()
    print(f"wrote broken exports to {HERE}")
