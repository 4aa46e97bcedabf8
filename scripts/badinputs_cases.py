"""The cases of the bad-input corpus, by category (registered by scripts/make_badinputs.py).

Each ``_category(b)`` function registers its cases through the helpers of the
``make_badinputs`` module ``b``: ``b.survey(...)`` for a survey export with its codebook,
``b.add(...)`` for anything else. Expected outcomes are what a user should get: the rows
read and the rows quarantined (with where and what), or a refusal naming file, row, column
and value.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any


def register_all(b: ModuleType) -> None:
    for register in (
        _encodings,
        _headers,
        _labels,
        _codes,
        _formulas,
        _booleans,
        _empty_and_huge,
        _documents,
        _hostile_yaml,
        _hostile_names,
        _personal_data,
    ):
        register(b)


def _csv(b: ModuleType, rows: list[list[Any]], encoding: str = "utf-8", **kw: Any) -> bytes:
    return b.to_csv(rows, **kw).encode(encoding)


# --------------------------------------------------------------------------- encodings


def _encodings(b: ModuleType) -> None:
    good = [b.HEAD, *b.good_rows(5)]
    for enc, cid in [
        ("utf-8", "enc-utf8"),
        ("utf-8-sig", "enc-utf8-bom"),
        ("gbk", "enc-gbk"),
        ("gb18030", "enc-gb18030"),
    ]:
        b.survey(cid, "encodings", _csv(b, good, enc), b.read(5, 5))
    # a character outside GBK (U+20BB7) that GB18030 encodes in four bytes
    rare = [b.HEAD, *b.good_rows(4), ["5", "𠮷社区", "满意", "满意", "满意"]]
    b.survey("enc-gb18030-4byte", "encodings", _csv(b, rare, "gb18030"), b.read(5, 5))
    # GBK with \r\n line ends, as Excel on Windows saves "CSV (逗号分隔)"
    crlf = b.to_csv(good).replace("\n", "\r\n").encode("gbk")
    b.survey("enc-gbk-crlf", "encodings", crlf, b.read(5, 5))
    for enc, cid in [("utf-16", "enc-utf16-bom"), ("utf-16-be", "enc-utf16-be")]:
        b.survey(
            cid,
            "encodings",
            _csv(b, good, enc),
            b.refused("InputError", "survey.csv", "cannot decode"),
        )
    b.survey(
        "enc-latin1",
        "encodings",
        # a latin-1 row: é followed by a comma is valid in neither UTF-8 nor GB18030
        _csv(b, good) + "6,Café,4,4,4\n".encode("latin-1"),
        b.refused("InputError", "survey.csv", "cannot decode"),
    )
    # Big5 (traditional, Taiwan/Hong Kong) decodes as GB18030 into other characters: the
    # labels no longer match and every row is quarantined with the value it became
    big5 = [["id", "community", "q1", "q2", "q3"]]
    big5 += [[str(i), "桂花社區", "滿意", "一般", "不滿意"] for i in range(1, 6)]
    b.survey(
        "enc-big5",
        "encodings",
        _csv(b, big5, "big5"),
        b.read(5, 0, 5),
        codebook=b.CODEBOOK.replace("序号", "id").replace(
            "group_column: 社区", "group_column: community"
        ),
    )
    # a UTF-8 file with one row pasted from a GBK file: a row that cannot be UTF-8
    mixed = b.to_csv(good).encode("utf-8") + "6,桂花社区,满意,满意,满意\n".encode("gbk")
    b.survey(
        "enc-mixed-utf8-gbk",
        "encodings",
        mixed,
        b.refused("InputError", "survey.csv", "cannot decode"),
    )
    b.survey(
        "enc-binary-garbage",
        "encodings",
        bytes(range(128, 256)) * 8,
        b.refused("InputError", "survey.csv"),
    )
    b.survey(
        "enc-nul-bytes",
        "encodings",
        b.to_csv(good).encode("utf-8").replace(b"\n3,", b"\n3\x00,"),
        b.read(5, 5),
        note="a NUL byte after an id: kept in the id text, the row is read",
    )
    # texts in several encodings: every file is read or quarantined
    b.add(
        "enc-texts-mixed",
        "encodings",
        "texts",
        {
            "texts/gbk.txt": b.DOC.encode("gbk"),
            "texts/gb18030.txt": (b.DOC + "𠮷").encode("gb18030"),
            "texts/bom.txt": b.DOC.encode("utf-8-sig"),
            "texts/utf16.txt": b.DOC.encode("utf-16"),
            "texts/big5.txt": "社區黨組織開展一站式服務，推進網格化管理。".encode("big5") * 3,
        },
        {"texts": "texts"},
        b.docs_read(5, 3, 2),
        note="UTF-16 cannot be decoded; Big5 decodes as GB18030 into implausible text",
    )


# --------------------------------------------------------------------------- headers


WJX_HEAD = [
    "序号",
    "1、您所居住的社区：",
    "2、您对社区“一站式”服务的满意程度",
    "3、养老",
    "4、党员",
]
WJX_CODEBOOK = """\
id_column: 序号
group_column: "1、您所居住的社区："
scale: {min: 1, max: 5, labels: {非常不满意: 1, 不满意: 2, 一般: 3, 满意: 4, 非常满意: 5}}
items:
  - {column: "2、您对社区“一站式”服务的满意程度", id: q2, dimension: reform}
  - {column: "3、养老", id: q3, dimension: livelihood}
  - {column: "4、党员", id: q4, dimension: members}
"""


def _headers(b: ModuleType) -> None:
    rows = b.good_rows(5)
    b.survey(
        "hdr-duplicate-used",
        "headers",
        _csv(b, [["序号", "社区", "q1", "q2", "q1", "q3"], *[[*r[:4], r[2], r[4]] for r in rows]]),
        b.refused("InputError", "survey.csv", "row 1", "'q1'", "columns 3 and 5"),
    )
    b.survey(
        "hdr-duplicate-unused",
        "headers",
        _csv(b, [[*b.HEAD, "备注", "备注"], *[[*r, "", "x"] for r in rows]]),
        b.read(5, 5),
    )
    b.survey(
        "hdr-blank-unused",
        "headers",
        _csv(b, [[*b.HEAD, "", ""], *[[*r, "a", "b"] for r in rows]]),
        b.read(5, 5),
    )
    b.survey(
        "hdr-wjx-numbered",
        "headers",
        _csv(b, [WJX_HEAD, *rows]),
        b.read(5, 5),
        codebook=WJX_CODEBOOK,
    )
    # the codebook names the question without its 问卷星 number
    b.survey(
        "hdr-wjx-number-dropped",
        "headers",
        _csv(b, [WJX_HEAD, *rows]),
        b.refused("CodebookError", "codebook.yaml", "line 5", "closest header", "2、您对"),
        codebook=WJX_CODEBOOK.replace('"2、您对', '"您对'),
    )
    b.survey(
        "hdr-whitespace",
        "headers",
        _csv(b, [["序号 ", " 社区", "q1\u3000", "\tq2", "q3\u00a0"], *rows]),
        b.read(5, 5),
    )
    b.survey(
        "hdr-newline-in-header",
        "headers",
        _csv(b, [["序号", "社区", "q1", "q2", "q3", "备注\n(选填)"], *[[*r, ""] for r in rows]]),
        b.read(5, 5),
    )
    b.survey(
        "hdr-second-header-row",
        "headers",
        _csv(b, [b.HEAD, ["ID", "community", "Q1", "Q2", "Q3"], *rows]),
        b.refused("InputError", "survey.csv", "row 2", "second header"),
    )
    b.survey(
        "hdr-merged-xlsx",
        "headers",
        b.xlsx(
            [["序号", "社区", "满意度", None, None], ["", "", "q1", "q2", "q3"], *rows],
            merge="C1:E1",
        ),
        b.refused("InputError", "survey.xlsx", "Sheet1", "row 2", "second header"),
        name="survey.xlsx",
    )
    b.survey(
        "hdr-missing-column",
        "headers",
        _csv(b, [["序号", "社区", "q1", "q2", "q4"], *rows]),
        b.refused("CodebookError", "codebook.yaml", "line 8", "'q3'"),
    )
    b.survey(
        "hdr-all-blank",
        "headers",
        _csv(b, [["", "", "", "", ""], *rows]),
        b.refused("CodebookError", "q1"),
    )
    b.survey(
        "hdr-ragged-long-row",
        "headers",
        _csv(b, [b.HEAD, *rows[:2], [*rows[2], "多一格"], *rows[3:]]),
        b.refused("InputError", "survey.csv", "row 4", "6 cells", "header has 5"),
    )
    b.survey(
        "hdr-short-row",
        "headers",
        _csv(b, [b.HEAD, *rows[:2], rows[2][:3], *rows[3:]]),
        b.read(5, 5),
        note="a row that ends early: its missing cells are unanswered",
    )
    b.survey(
        "hdr-semicolon-separated",
        "headers",
        _csv(b, [b.HEAD, *rows], sep=";"),
        b.read(5, 5),
    )
    b.survey(
        "hdr-xlsx-numeric-header",
        "headers",
        b.xlsx([["序号", "社区", 1, 2, 3], *rows]),
        b.read(5, 5),
        name="survey.xlsx",
        codebook=b.CODEBOOK.replace("column: q1", "column: '1'")
        .replace("column: q2", "column: '2'")
        .replace("column: q3", "column: '3'"),
    )


# --------------------------------------------------------------------------- labels


def _labels(b: ModuleType) -> None:
    def one(cid: str, value: str, expect: dict[str, Any], **kw: Any) -> None:
        rows = b.good_rows(5)
        rows[2][2] = value
        b.survey(cid, "labels", _csv(b, [b.HEAD, *rows]), expect, **kw)

    one("lab-trailing-space", "满意 ", b.read(5, 5))
    one("lab-leading-fullwidth-space", "\u3000满意", b.read(5, 5))
    one("lab-fullwidth-digit", "４", b.read(5, 5))
    one("lab-number-with-decimal", "4.0", b.read(5, 5))
    one("lab-label-with-code", "4 满意", b.read(5, 4, 1, quarantine=[b.cell(4, "q1", "4 满意")]))
    one("lab-unknown", "很满意", b.read(5, 4, 1, quarantine=[b.cell(4, "q1", "很满意")]))
    one("lab-traditional", "滿意", b.read(5, 4, 1, quarantine=[b.cell(4, "q1", "滿意")]))
    one("lab-zero-width", "满\u200b意", b.read(5, 4, 1))
    one("lab-english", "Satisfied", b.read(5, 4, 1, quarantine=[b.cell(4, "q1", "Satisfied")]))
    one("lab-html", "<b>满意</b>", b.read(5, 4, 1, quarantine=[b.cell(4, "q1", "<b>满意</b>")]))
    one("lab-very-long", "满意" * 5000, b.read(5, 4, 1))
    xl = b.good_rows(5)
    xl[1][2], xl[2][3] = 4, 3.0
    b.survey("lab-xlsx-numbers", "labels", b.xlsx([b.HEAD, *xl]), b.read(5, 5), name="survey.xlsx")
    # labels given with full-width brackets and spaces in the codebook itself
    b.survey(
        "lab-codebook-fullwidth",
        "labels",
        _csv(b, [b.HEAD, *b.good_rows(5)]),
        b.read(5, 5),
        codebook=b.CODEBOOK.replace("满意: 4", "满意 : 4").replace("(跳过)", "（跳过）"),
    )


# --------------------------------------------------------------------------- codes


def _codes(b: ModuleType) -> None:
    def one(cid: str, values: list[str], expect: dict[str, Any], **kw: Any) -> None:
        rows = b.good_rows(6)
        for i, v in enumerate(values):
            rows[i][3] = v
        b.survey(cid, "codes", _csv(b, [b.HEAD, *rows]), expect, **kw)

    one("code-out-of-range", ["6", "0", "99"], b.read(6, 3, 3, quarantine=[b.cell(2, "q2", "6")]))
    one("code-skipped-halfwidth", ["(跳过)", "(空)"], b.read(6, 6))
    one("code-skipped-fullwidth", ["（跳过）", "（空）"], b.read(6, 6))
    one(
        "code-negative-undeclared",
        ["-2", "-3"],
        b.read(6, 4, 2, quarantine=[b.cell(3, "q2", "-3")]),
    )
    one(
        "code-negative-declared",
        ["-2", "-3", "-3"],
        b.read(6, 6),
        codebook=b.CODEBOOK.replace('no_answer: ["(空)"]', 'no_answer: ["(空)", -2, -3]'),
    )
    one(
        "code-negative-declared-as-text",
        ["-2", "-3"],
        b.read(6, 6),
        codebook=b.CODEBOOK.replace('no_answer: ["(空)"]', 'no_answer: ["(空)", "-2", "-3"]'),
    )
    one("code-half", ["3.5"], b.read(6, 5, 1, quarantine=[b.cell(2, "q2", "3.5")]))
    one("code-nan-text", ["nan", "NaN", "NA"], b.read(6, 3, 3))
    one("code-inf", ["inf", "-inf", "Infinity"], b.read(6, 3, 3))
    one("code-huge-number", ["1e308", "1e400", "9" * 40], b.read(6, 3, 3))
    one(
        "code-hex-and-sign",
        ["0x4", "+4", "4e0"],
        b.read(6, 5, 1, quarantine=[b.cell(2, "q2", "0x4")]),
        note="+4 and 4e0 are the number 4; 0x4 is not read as a number",
    )
    ids = b.good_rows(5)
    ids[3][0] = ids[1][0]
    ids[4][0] = ""
    b.survey(
        "code-repeated-and-empty-id",
        "codes",
        _csv(b, [b.HEAD, *ids]),
        b.read(5, 3, 2, quarantine=[b.cell(5, "序号", "2")]),
    )
    groups = b.good_rows(5)
    groups[0][1] = ""
    groups[1][1] = "（空）"
    b.survey("code-empty-group", "codes", _csv(b, [b.HEAD, *groups]), b.read(5, 5))
    dur_cb = b.CODEBOOK.replace("group_column: 社区", "group_column: 社区\nduration_column: 用时")
    dur = [
        [*r, t]
        for r, t in zip(b.good_rows(5), ["120秒", "abc", "-5秒", "1:02:03", ""], strict=True)
    ]
    b.survey(
        "code-bad-duration",
        "codes",
        _csv(b, [[*b.HEAD, "用时"], *dur]),
        b.read(5, 3, 2, quarantine=[b.cell(3, "用时", "abc")]),
        codebook=dur_cb,
    )
    w_cb = b.CODEBOOK.replace("group_column: 社区", "group_column: 社区\nweight_column: 权重")
    w = [[*r, t] for r, t in zip(b.good_rows(5), ["1", "-1", "x", "inf", "0.5"], strict=True)]
    b.survey(
        "code-bad-weight",
        "codes",
        _csv(b, [[*b.HEAD, "权重"], *w]),
        b.read(5, 2, 3, quarantine=[b.cell(3, "权重", "-1")]),
        codebook=w_cb,
    )


# --------------------------------------------------------------------------- formulas


def _formulas(b: ModuleType) -> None:
    for cid, value in [
        ("form-dde-cmd", "=cmd|' /C calc'!A0"),
        ("form-plus", "+SUM(A1:A9)"),
        ("form-minus", "-2+3+cmd|' /C calc'!A0"),
        ("form-at", "@SUM(A1)"),
        ("form-tab", "\t=1+1"),
    ]:
        rows = b.good_rows(5)
        rows[1][4] = value
        b.survey(
            cid,
            "formulas",
            _csv(b, [b.HEAD, *rows]),
            b.read(5, 4, 1, quarantine=[b.cell(3, "q3", value.strip())]),
        )
    ids = b.good_rows(5)
    ids[0][0] = '=HYPERLINK("http://x","1")'
    ids[2][1] = "=1+1社区"
    b.survey("form-in-id-and-group", "formulas", _csv(b, [b.HEAD, *ids]), b.read(5, 5))
    b.survey(
        "form-in-header",
        "formulas",
        _csv(b, [[*b.HEAD, "=cmd|' /C calc'!A0"], *[[*r, "x"] for r in b.good_rows(5)]]),
        b.read(5, 5),
    )
    rows = b.good_rows(5)
    rows[2][3] = "=2+2"
    b.survey(
        "form-xlsx-no-cached-value",
        "formulas",
        b.xlsx([b.HEAD, *rows]),
        b.read(5, 4, 1, quarantine=[b.cell(4, "q2", "=2+2")]),
        name="survey.xlsx",
    )
    # formula-looking community names and answers through a whole run: written files
    # must not hand them to a spreadsheet as formulas
    _study(
        b,
        "form-study-run",
        "formulas",
        community=lambda i: ['=HYPERLINK("http://evil","x")', "+1+1", "@SUM(A1)"][i % 3],
        doc_extra="\n=cmd|' /C calc'!A0\n",
        expect=_study_read(24, 24, 0, 3),
        check_formulas=True,
    )


# --------------------------------------------------------------------------- booleans


def _booleans(b: ModuleType) -> None:
    rows: list[list[Any]] = [list(r) for r in b.good_rows(5)]
    rows[1][2] = True
    rows[3][3] = False
    b.survey(
        "bool-xlsx-cells",
        "booleans",
        b.xlsx([b.HEAD, *rows]),
        b.read(5, 3, 2, quarantine=[b.cell(3, "q1", "TRUE")]),
        name="survey.xlsx",
    )
    rows = b.good_rows(5)
    rows[0][2], rows[1][2], rows[2][2] = "TRUE", "是", "否"
    b.survey("bool-csv-words", "booleans", _csv(b, [b.HEAD, *rows]), b.read(5, 2, 3))
    rows = b.good_rows(5)
    rows[0][0], rows[1][0], rows[2][1] = "True", "False", "TRUE"
    b.survey("bool-in-id-and-group", "booleans", _csv(b, [b.HEAD, *rows]), b.read(5, 5))
    # YAML 1.1 reads yes/no/on/off as booleans: a scale label "Yes" becomes True
    b.survey(
        "bool-yaml-label-yes-no",
        "booleans",
        _csv(b, [b.HEAD, *([str(i), "桂花社区", "Yes", "No", "Yes"] for i in range(1, 6))]),
        b.refused("CodebookError", "codebook.yaml", "line 3"),
        codebook=b.CODEBOOK.replace(
            "labels: {非常不满意: 1, 不满意: 2, 一般: 3, 满意: 4, 非常满意: 5}",
            "labels: {No: 1, Yes: 5}",
        ),
    )
    b.add(
        "bool-codebook-reverse-string",
        "booleans",
        "codebook",
        {
            "codebook.yaml": b.CODEBOOK.replace(
                "dimension: reform}", 'dimension: reform, reverse: "no"}'
            ).encode()
        },
        {"codebook": "codebook.yaml"},
        b.refused("CodebookError", "codebook.yaml", "line 6", "reverse"),
    )
    _study(
        b,
        "bool-study-per-group-string",
        "booleans",
        report_extra="per_group: 'no'",
        expect=b.refused("ConfigError", "study.yaml", "per_group", "'no'"),
    )


# --------------------------------------------------------------------------- empty and huge


def _huge_rows(m: ModuleType) -> bytes:
    lines = [m.HEAD, *(m.row(i) for i in range(1, 200_001))]
    lines[-1] = [*lines[-1][:3], "很满意", lines[-1][4]]
    return m.to_csv(lines).encode("utf-8")


def _huge_cell(m: ModuleType) -> bytes:
    rows = m.good_rows(5)
    rows[2][3] = "满意" + "很" * 3_000_000
    return m.to_csv([m.HEAD, *rows]).encode("utf-8")


def _wide(m: ModuleType) -> bytes:
    head = [*m.HEAD, *(f"x{i}" for i in range(5000))]
    return m.to_csv([head, *([*r, *("a" * 5000)] for r in m.good_rows(5))]).encode("utf-8")


def _huge_doc(m: ModuleType) -> bytes:
    return (m.DOC * 30_000).encode("utf-8")  # about 5 MB, one document


def _empty_and_huge(b: ModuleType) -> None:
    for cid, data, contains in [
        ("empty-zero-byte", b"", "empty"),
        ("empty-bom-only", b"\xef\xbb\xbf", "empty"),
        ("empty-blank-lines", b"\n\n\r\n  \n", "empty"),
        ("empty-header-only", _csv(b, [b.HEAD]), "only a header row"),
        ("empty-header-and-blank-rows", _csv(b, [b.HEAD, ["", "", "", "", ""]] * 1), "no answers"),
    ]:
        b.survey(cid, "empty", data, b.refused("InputError", "survey.csv", contains))
    b.survey(
        "empty-xlsx-header-only",
        "empty",
        b.xlsx([b.HEAD]),
        b.refused("InputError", "survey.xlsx", "only a header row"),
        name="survey.xlsx",
    )
    b.survey(
        "empty-xlsx-no-cells",
        "empty",
        b.xlsx([]),
        b.refused("InputError", "survey.xlsx", "empty"),
        name="survey.xlsx",
    )
    b.survey(
        "empty-xlsx-zero-byte",
        "empty",
        b"",
        b.refused("InputError", "survey.xlsx"),
        name="survey.xlsx",
    )
    b.add(
        "empty-codebook",
        "empty",
        "codebook",
        {"codebook.yaml": b""},
        {"codebook": "codebook.yaml"},
        b.refused("CodebookError", "codebook.yaml"),
    )
    b.add(
        "empty-texts-folder",
        "empty",
        "texts",
        {"texts/readme.md": b"not a document"},
        {"texts": "texts"},
        b.refused("InputError", "texts", "no documents"),
    )
    b.add(
        "empty-documents",
        "empty",
        "texts",
        {
            "texts/a.txt": b.DOC.encode(),
            "texts/zero.txt": b"",
            "texts/spaces.txt": "  \n\u3000\n\t".encode(),
            "texts/bom.txt": b"\xef\xbb\xbf",
        },
        {"texts": "texts"},
        b.docs_read(4, 1, 3),
    )
    b.add(
        "empty-all-documents",
        "empty",
        "texts",
        {"texts/zero.txt": b"", "texts/blank.txt": b"\n\n"},
        {"texts": "texts"},
        b.refused("InputError", "texts", "no readable"),
    )
    b.survey(
        "huge-200k-rows",
        "huge",
        lambda: _huge_rows(b),
        b.read(200_000, 199_999, 1),
        at_test_time=True,
    )
    b.survey("huge-6mb-cell", "huge", lambda: _huge_cell(b), b.read(5, 4, 1), at_test_time=True)
    b.survey("huge-5000-columns", "huge", lambda: _wide(b), b.read(5, 5), at_test_time=True)
    b.add(
        "huge-5mb-document",
        "huge",
        "texts",
        {"texts/big.txt": lambda: _huge_doc(b)},
        {"texts": "texts"},
        b.docs_read(1, 1),
        at_test_time=True,
    )
    b.add(
        "huge-one-line-document",
        "huge",
        "texts",
        {"texts/line.txt": lambda: ("服务" * 1_000_000).encode()},
        {"texts": "texts"},
        b.docs_read(1, 1),
        at_test_time=True,
    )


# --------------------------------------------------------------------------- documents


def _documents(b: ModuleType) -> None:
    good = b.docx([b.DOC, "居民满意度调查"])

    def folder(cid: str, name: str, data: bytes, n_bad: int = 1) -> None:
        b.add(
            cid,
            "documents",
            "texts",
            {"texts/good.txt": b.DOC.encode(), f"texts/{name}": data},
            {"texts": "texts"},
            b.docs_read(2, 2 - n_bad, n_bad),
        )

    folder("doc-truncated-docx", "cut.docx", good[: len(good) // 2])
    folder("doc-zero-byte-docx", "zero.docx", b"")
    folder("doc-text-as-docx", "text.docx", b.DOC.encode())
    folder("doc-zip-not-word", "zip.docx", _zip({"hello.txt": b"hi"}))
    folder(
        "doc-docx-bad-xml",
        "badxml.docx",
        _replace_in_zip(good, "word/document.xml", b"<w:document"),
    )
    folder("doc-binary-as-txt", "image.txt", bytes(range(256)) * 40)
    folder("doc-png-as-txt", "photo.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20)
    folder("doc-old-word-doc", "old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1000)
    folder("doc-wps", "report.wps", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500)
    folder("doc-broken-pdf", "broken.pdf", b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF")
    folder("doc-zero-byte-pdf", "zero.pdf", b"")
    folder("doc-docx-as-pdf", "word.pdf", good)
    folder(
        "doc-xml-entity-bomb",
        "bomb.docx",
        _replace_in_zip(good, "word/document.xml", _BOMB),
    )
    folder("doc-txt-with-nuls", "nul.txt", (b.DOC + "\x00" * 5 + b.DOC).encode())
    folder("doc-txt-one-nul", "nul1.txt", (b.DOC * 3 + "\x00" + b.DOC).encode(), n_bad=0)
    b.add(
        "doc-only-broken-files",
        "documents",
        "texts",
        {"texts/cut.docx": good[:100], "texts/old.doc": b"\xd0\xcf\x11\xe0" + b"\x00" * 60},
        {"texts": "texts"},
        b.refused("InputError", "texts", "no readable"),
    )
    b.add(
        "doc-single-broken-file",
        "documents",
        "texts",
        {"cut.docx": good[:100]},
        {"texts": "cut.docx"},
        b.refused("InputError", "cut.docx", "cannot open as a Word document"),
    )
    meta = "doc_id,file,community\na,a.txt,桂花社区\nb,b.txt,梅园社区\nghost,ghost.txt,竹林社区\n"
    b.add(
        "doc-metadata-mismatch",
        "documents",
        "texts",
        {
            "texts/a.txt": b.DOC.encode(),
            "texts/b.txt": b.DOC.encode(),
            "texts/extra.txt": b.DOC.encode(),
            "texts.csv": meta.encode(),
        },
        {"texts": "texts", "metadata": "texts.csv"},
        {"outcome": "read", "files": 3, "documents": 2, "quarantined": 2},
        note="extra.txt has no metadata row, ghost.txt no file: both quarantined",
    )
    b.add(
        "doc-metadata-duplicated-file",
        "documents",
        "texts",
        {
            "texts/a.txt": b.DOC.encode(),
            "texts.csv": "doc_id,file,community\na,a.txt,桂花社区\na2,a.txt,梅园社区\n".encode(),
        },
        {"texts": "texts", "metadata": "texts.csv"},
        {"outcome": "read", "files": 1, "documents": 1, "quarantined": 1},
        note="the second metadata row of a.txt is quarantined",
    )
    table = "doc_id,text\n1,社区服务很好\n2,\n1,重复的编号\n".encode()
    b.add(
        "doc-table-of-texts",
        "documents",
        "texts",
        {"answers.csv": table},
        {"texts": "answers.csv"},
        {"outcome": "read", "files": 3, "documents": 1, "quarantined": 2},
        note="rows of a table of texts: the empty one and the repeated id are quarantined",
    )


_BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa">'
    + b"".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'.encode() for i in range(8)
    )
    + b']><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    b"<w:body><w:p><w:r><w:t>&i;</w:t></w:r></w:p></w:body></w:document>"
)


def _zip(entries: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            z.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def _replace_in_zip(data: bytes, name: str, new: bytes) -> bytes:
    import io
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(data))
    return _zip({n: (new if n == name else src.read(n)) for n in src.namelist()})


# --------------------------------------------------------------------------- hostile YAML


def _hostile_yaml(b: ModuleType) -> None:
    def codebook(cid: str, text: str | bytes, *contains: str) -> None:
        data = text.encode("utf-8") if isinstance(text, str) else text
        b.add(
            cid,
            "hostile-yaml",
            "codebook",
            {"codebook.yaml": data},
            {"codebook": "codebook.yaml"},
            b.refused("CodebookError", "codebook.yaml", *contains),
        )

    cb = b.CODEBOOK
    codebook(
        "yaml-python-object",
        cb + "extra: !!python/object/apply:os.system ['echo hacked']\n",
        "line 9",
    )
    codebook("yaml-python-name", "notes: !!python/name:os.system\n" + cb, "line 1")
    laughs = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n' + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
    )
    codebook("yaml-billion-laughs", cb + laughs, "aliases")
    codebook("yaml-self-alias", cb + "loop: &x [*x]\n", "line")
    codebook("yaml-deep-nesting", cb + "deep: " + "[" * 5000 + "]" * 5000 + "\n", "deep")
    codebook("yaml-duplicate-key", cb + "scale: {min: 0, max: 10}\n", "line 9", "'scale'")
    codebook("yaml-unknown-key", cb + "itmes: []\n", "line 9", "items")
    codebook("yaml-items-not-a-list", cb.split("items:")[0] + "items: q1\n", "line 5", "items")
    codebook(
        "yaml-scale-wrong-type",
        cb.replace("scale: {min: 1, max: 5,", "scale: {min: one, max: [5],"),
        "line 3",
    )
    codebook("yaml-syntax-error", cb + "items: [\n  - {column: q9\n", "line")
    codebook("yaml-tab-indent", cb.replace("  - {column: q2", "\t- {column: q2"), "line 7")
    codebook("yaml-top-level-list", "- q1\n- q2\n", "codebook.yaml")
    codebook("yaml-top-level-scalar", "just text\n", "codebook.yaml")
    codebook("yaml-gbk-encoded", cb.encode("gbk"), "UTF-8")
    codebook("yaml-huge-number", cb.replace("max: 5", "max: 1e400"), "line 3")
    codebook(
        "yaml-unknown-dimension",
        cb.replace("dimension: masses", "dimension: 未知"),
        "line 8",
        "未知",
    )
    codebook("yaml-null-item", cb + "  - null\n", "line 9")
    codebook("yaml-reserved-id", cb.replace("id: q3", "id: group"), "line 8", "'group'")
    b.add(
        "yaml-merge-keys-ok",
        "hostile-yaml",
        "codebook",
        {
            "codebook.yaml": cb.replace(
                "items:\n",
                "base: &base {dimension: reform}\n".replace("base:", "notes:") + "items:\n",
            ).encode()
        },
        {"codebook": "codebook.yaml"},
        {"outcome": "read", "items": 3},
    )
    _study(
        b,
        "yaml-study-python-object",
        "hostile-yaml",
        study_extra="title_en: !!python/object/apply:os.system ['echo hacked']",
        expect=b.refused("InputError", "study.yaml", "line 9", "python/object"),
    )
    _study(
        b,
        "yaml-study-unknown-and-wrong-types",
        "hostile-yaml",
        study_extra="reprot: {formats: [html]}\nquality: [1, 2]",
        expect=b.refused("ConfigError", "study.yaml", "reprot", "quality"),
    )
    _study(
        b,
        "yaml-study-min-cell-string",
        "hostile-yaml",
        report_extra="min_cell: '5'",
        expect=b.refused("ConfigError", "study.yaml", "min_cell", "'5'"),
    )
    _study(
        b,
        "yaml-study-formats-string",
        "hostile-yaml",
        formats="html",
        expect=b.refused("ConfigError", "study.yaml", "formats", "html"),
    )
    b.add(
        "yaml-lexicon-python-object",
        "hostile-yaml",
        "lexicon",
        {"lexicon.yaml": b"name: x\nterms: !!python/object/apply:os.system ['echo hacked']\n"},
        {"lexicon": "lexicon.yaml"},
        b.refused("LexiconError", "lexicon.yaml", "line 2"),
    )


# --------------------------------------------------------------------------- hostile names


def _hostile_names(b: ModuleType) -> None:
    names = [
        "../../../etc/passwd",
        "社区" * 200,
        "😀🏘️社区" * 30,
        "AUX.社区",
        "社区\u202egpj.exe",
        "<script>alert(1)</script>社区",
        "社区\x00\x1b[31m名\r",
        "..\\..\\社区/./",
        "CON",
    ]
    # three hostile community names per run: per-community reports are named after them
    for k in range(3):
        trio = names[3 * k : 3 * k + 3]
        _study(
            b,
            f"name-communities-{k + 1}",
            "hostile-names",
            community=lambda i, t=trio: t[i % 3],
            expect=_study_read(24, 24, 0, 3),
            check_names=True,
            note="communities named " + ", ".join(map(repr, trio)),
        )
    for cid, name in [
        ("name-survey-traversal", "../../etc/passwd"),
        ("name-survey-nul", "社区\x00名"),
        ("name-survey-rtl", "社区\u202egpj.exe"),
    ]:
        rows = b.good_rows(5)
        rows[0][1] = name
        b.survey(cid, "hostile-names", _csv(b, [b.HEAD, *rows]), b.read(5, 5))
    # hostile names of document files (written at test time: not every system can hold them)
    names = [
        "..社区.txt",
        "AUX.txt",
        "社区\u202etxt.exe.txt",
        "😀" * 60 + ".txt",
        "-rf.txt",
        "a b.txt",
    ]
    b.add(
        "name-document-files",
        "hostile-names",
        "texts",
        {f"texts/{n}": b.DOC.encode() for n in names},
        {"texts": "texts"},
        b.docs_read(len(names), len(names)),
        at_test_time=True,
    )
    b.add(
        "name-codebook-item-id-traversal",
        "hostile-names",
        "codebook",
        {"codebook.yaml": b.CODEBOOK.replace("id: q1", "id: ../../q1").encode()},
        {"codebook": "codebook.yaml"},
        b.refused("CodebookError", "codebook.yaml", "line 6", "../../q1"),
    )


# --------------------------------------------------------------------------- personal data


PHONES = [
    "13812345678",
    "+86 139 1234 5678",
    "+86-137-2345-6789",
    "0086 13698765432",
    "１３５６７８９０１２３",
    "138\u00a02345\u00a06789",
    "(010)62751234",
    "0755-12345678",
    "（０２１）６２３４５６７８",
]
IDS = ["11010519491231002X", "110105491231002", "440305199003071234"]
EMAILS = ["zhang.san@example.com.cn", "li_si2024@qq.com"]


def _secret(shown: str) -> str:
    """The part of a shape that must not survive masking, as the plain-digit test sees it."""
    plain = "".join(
        c
        for c in shown.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
        if c.isalnum()
    )
    if "@" in shown:
        return shown.split("@")[0]
    if plain.startswith("86") and len(plain) == 13:
        plain = plain[2:]
    if plain.startswith("0086"):
        plain = plain[4:]
    return plain


def _personal_data(b: ModuleType) -> None:
    valid_id = "11010519491231002X"
    shapes = [*PHONES, valid_id, "110105491231002", *EMAILS]
    # each shape in an answer cell: the quarantined value is masked when written
    for i, shown in enumerate(shapes):
        rows = b.good_rows(5)
        rows[1][4] = f"打电话{shown}"
        b.survey(
            f"pii-answer-{i:02d}",
            "personal-data",
            _csv(b, [b.HEAD, *rows]),
            b.read(5, 4, 1, quarantine=[b.cell(3, "q3", f"打电话{shown}")]),
            secrets=(_secret(shown),),
        )
    # whole runs with a shape in each of the six places a person could type one
    places = ["answer", "open", "id", "community", "document", "doc-community"]
    for k in range(3):
        planted = {p: shapes[(k * 6 + j) % len(shapes)] for j, p in enumerate(places)}
        _study(
            b,
            f"pii-study-{k + 1}",
            "personal-data",
            pii=planted,
            expect=_study_read(24, 23, 1, 3),
            secrets=tuple(_secret(v) for v in planted.values()),
        )
    _study(
        b,
        "pii-name-column",
        "personal-data",
        extra_column=("姓名", ["张三丰", "李小龙", "王二麻"]),
        expect=_study_read(24, 24, 0, 3),
        secrets=("张三丰", "李小龙", "王二麻"),
    )
    _study(
        b,
        "pii-in-error-message",
        "personal-data",
        codebook_extra="  - {column: '13812345678', id: q9, dimension: masses}\n",
        expect=b.refused("CodebookError", "13812345678"),
        secrets=("13812345678",),
        note="the CLI prints the error masked; the exception itself names the column",
    )
    rows = b.good_rows(5)
    rows[1][4] = "打电话13912345678"
    b.survey(
        "pii-quarantined-value",
        "personal-data",
        _csv(b, [b.HEAD, *rows]),
        b.read(5, 4, 1, quarantine=[b.cell(3, "q3", "打电话13912345678")]),
        secrets=("13912345678",),
    )
    b.add(
        "pii-docx-document",
        "personal-data",
        "texts",
        {
            "texts/a.docx": b.docx(
                [b.DOC, "联系人：张三 电话 13712345678，身份证 11010519491231002X"]
            )
        },
        {"texts": "texts"},
        b.docs_read(1, 1),
        secrets=("13712345678", "0519491231002"),
    )


# --------------------------------------------------------------------------- study runs


def _study_read(rows: int, scored: int, quarantined: int, documents: int) -> dict[str, Any]:
    return {
        "outcome": "read",
        "rows": rows,
        "scored": scored,
        "quarantined": quarantined,
        "files": documents,
        "documents": documents,
        "documents_quarantined": 0,
    }


def _study(
    b: ModuleType,
    cid: str,
    category: str,
    *,
    expect: dict[str, Any],
    community: Any = None,
    pii: dict[str, str] | None = None,
    extra_column: tuple[str, list[str]] | None = None,
    doc_extra: str = "",
    study_extra: str = "",
    report_extra: str = "",
    codebook_extra: str = "",
    formats: Any = None,
    secrets: tuple[str, ...] = (),
    check_formulas: bool = False,
    check_names: bool = False,
    note: str = "",
) -> None:
    """A whole study (24 answers in 3 communities, 3 documents), run with run_study."""
    pii = pii or {}

    def name_of(i: int) -> str:
        if community is not None:
            return community(i)
        return b.COMMUNITIES[i % 3]

    head = [*b.HEAD, "建议"] + ([extra_column[0]] if extra_column else [])
    rows = []
    for i in range(24):
        r = [str(i + 1), name_of(i), b.LABELS[i % 5], b.LABELS[(i * 2) % 5], b.LABELS[(i * 3) % 5]]
        r.append("希望多开展活动" + (f"，联系我{pii['open']}" if "open" in pii and i == 0 else ""))
        if extra_column:
            r.append(extra_column[1][i % len(extra_column[1])])
        if "answer" in pii and i == 3:
            r[2] = pii["answer"]
        if "id" in pii and i == 0:
            r[0] = pii["id"]
        if "community" in pii and i % 3 == 1:
            r[1] = f"梅园社区{pii['community']}"
        rows.append(r)
    codebook = b.CODEBOOK + codebook_extra
    codebook = codebook.replace(
        "items:", "text_columns:\n  - {column: 建议, id: suggestions}\nitems:"
    )
    meta = ["doc_id,file,community"]
    files: dict[str, Any] = {}
    for i in range(3):
        body = (
            b.DOC
            + (f"联系人电话：{pii['document']}。" if "document" in pii and i == 0 else "")
            + doc_extra
        )
        files[f"texts/d{i}.txt"] = (body + b.DOC).encode()
        doc_community = name_of(i)
        if "doc-community" in pii and i == 1:
            doc_community = f"梅园社区{pii['doc-community']}"
        meta.append(b.to_csv([[f"d{i}", f"d{i}.txt", doc_community]]).rstrip("\n"))
    fmt = formats if formats is not None else ["html", "xlsx", "docx"]
    fmt_text = fmt if isinstance(fmt, str) else "[" + ", ".join(fmt) + "]"
    settings = {"formats": fmt_text, "per_group": "true", "min_cell": "2"}
    if report_extra:
        key, value = report_extra.split(": ", 1)
        settings[key] = value
    report = "report:\n" + "".join(f"  {k}: {v}\n" for k, v in settings.items())
    study = (
        "title: 坏输入\nsurvey: {path: survey.csv, codebook: codebook.yaml}\n"
        "texts: {path: texts/, metadata: texts.csv, group_column: community}\n"
        f"compare: {{between: community}}\n{report}"
        + (study_extra + "\n" if study_extra else "")
        + "output: out\n"
    )
    files.update(
        {
            "survey.csv": b.to_csv([head, *rows]).encode(),
            "codebook.yaml": codebook.encode(),
            "texts.csv": ("\n".join(meta) + "\n").encode(),
            "study.yaml": study.encode(),
        }
    )
    inputs = {"study": "study.yaml"}
    checks = {"formulas": check_formulas, "names": check_names}
    b.add(
        cid,
        category,
        "study",
        files,
        {**inputs, "checks": checks},
        expect,
        secrets=secrets,
        note=note,
    )
