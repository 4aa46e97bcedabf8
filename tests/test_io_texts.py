"""Tests of read_texts and normalize_text."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

import analysis as an
from analysis.core.errors import DataQualityWarning, InputError
from analysis.io.text_files import normalize_text

DATA = Path(__file__).parent / "data" / "texts"
CORPUS = DATA / "corpus"
DEMO = Path(__file__).resolve().parents[1] / "data" / "raw" / "demo"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＡＢＣ１２３", "ABC123"),
        ("２０２３年，社区开展活动！", "2023年，社区开展活动！"),
        ("社区　党委", "社区党委"),
        ("party  building\t2023", "party building 2023"),
        ("第一段\r\n\r\n  第二段  \r第三段", "第一段\n第二段\n第三段"),
        ("（一）加强党建；", "（一）加强党建；"),
        ("", ""),
    ],
    ids=[
        "fullwidth-latin",
        "fullwidth-digits-keep-cjk-punct",
        "ideographic-space-between-cjk",
        "fold-ascii-spaces",
        "line-ends-and-blank-lines",
        "keep-cjk-parentheses",
        "empty",
    ],
)
def test_normalize_text(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


def test_normalize_to_simplified() -> None:
    pytest.importorskip("opencc")
    assert normalize_text("社區黨委開展主題黨日", to_simplified=True) == "社区党委开展主题党日"


def read_corpus(**kw):
    with pytest.warns(DataQualityWarning, match="quarantined"):
        return an.read_texts(CORPUS, **kw)


def test_folder_reads_every_document_with_its_encoding() -> None:
    docs = read_corpus()
    assert docs.columns.tolist()[:4] == ["doc_id", "text", "source", "encoding"]
    assert docs["doc_id"].tolist() == ["a-utf8", "b-gb", "c-bom"]
    assert docs["encoding"].tolist() == ["utf-8", "gb18030", "utf-8-sig"]
    first = docs.loc[0, "text"]
    assert first.splitlines()[0] == "ABC社区党委2023年工作总结"
    assert "社区推行一站式服务，居民办事不用来回跑。" in first
    assert "长青社区网格化管理" in docs.loc[1, "text"]


def test_empty_document_is_quarantined_not_dropped() -> None:
    docs = read_corpus()
    q = an.text_quarantine(docs)
    assert q.columns.tolist() == ["file", "row", "column", "value", "problem"]
    # every other file of the folder is quarantined with why it is not read (issue 17)
    by_file = dict(zip(q["file"], q["problem"], strict=True))
    assert by_file.pop("d-empty.txt") == "empty document"
    assert sorted(by_file) == ["meta.csv", "notes.md"]
    assert "a table in a texts folder is not read" in by_file["meta.csv"]
    assert "unsupported file type '.md'" in by_file["notes.md"]


def test_metadata_join_and_both_kinds_of_unmatched_rows() -> None:
    docs = read_corpus(metadata=CORPUS / "meta.csv")
    assert docs["community"].tolist() == ["东湖社区", "长青社区", "桂花社区"]
    assert docs["year"].tolist() == [2023, 2024, 2024]
    q = an.text_quarantine(docs).set_index("problem")
    # the metadata row naming a missing file: the metadata file's row 5 (header = row 1)
    assert q.loc["no such document", "row"] == 5
    assert q.loc["no such document", "value"] == "z-gone.txt"
    assert q.loc["empty document", "file"] == "d-empty.txt"


def test_file_without_metadata_row_is_quarantined() -> None:
    meta = pd.DataFrame({"doc_id": ["a-utf8", "c-bom"], "community": ["东湖社区", "桂花社区"]})
    docs = read_corpus(metadata=meta)
    assert docs["doc_id"].tolist() == ["a-utf8", "c-bom"]
    q = an.text_quarantine(docs)
    assert "b-gb.txt" in q.loc[q["problem"] == "no metadata row", "file"].tolist()


def test_traditional_to_simplified_on_read() -> None:
    pytest.importorskip("opencc")
    docs = read_corpus(to_simplified=True)
    assert docs.loc[2, "text"] == "社区党委开展主题党日活动。"


def test_single_file_and_explicit_encoding() -> None:
    docs = an.read_texts(CORPUS / "b-gb.txt", encoding="gb18030")
    assert docs["doc_id"].tolist() == ["b-gb"]
    assert an.text_quarantine(docs).empty


def test_wrong_explicit_encoding_names_the_file() -> None:
    with pytest.raises(InputError, match=r"b-gb\.txt: cannot decode as 'utf-8'"):
        an.read_texts(CORPUS / "b-gb.txt", encoding="utf-8")


def test_table_of_answers_one_document_per_row() -> None:
    with pytest.warns(DataQualityWarning, match="1 document"):
        docs = an.read_texts(DATA / "answers.csv", id_column="id", text_column="answer")
    assert docs["doc_id"].tolist() == ["1", "3"]
    assert docs["community"].tolist() == ["东湖社区", "长青社区"]
    q = an.text_quarantine(docs)
    assert q[["file", "row", "column", "problem"]].iloc[0].tolist() == [
        "answers.csv",
        3,
        "answer",
        "empty document",
    ]


def test_table_without_text_column_lists_columns() -> None:
    with pytest.raises(InputError, match=r"answers\.csv: no text column 'body'.*'answer'"):
        an.read_texts(DATA / "answers.csv", text_column="body")


def test_missing_path() -> None:
    with pytest.raises(InputError, match="no such file or folder"):
        an.read_texts(DATA / "nowhere")


def test_docx_paragraphs_and_table_cells(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("社区党委工作台账")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "事项"
    table.cell(0, 1).text = "完成情况"
    table.cell(1, 0).text = "三会一课"
    table.cell(1, 1).text = "按月开展"
    document.save(tmp_path / "ledger.docx")
    docs = an.read_texts(tmp_path / "ledger.docx")
    assert docs.loc[0, "text"] == "社区党委工作台账\n事项 | 完成情况\n三会一课 | 按月开展"
    assert pd.isna(docs.loc[0, "encoding"])


def test_docx_read_from_its_main_part_as_python_docx_reads_it(tmp_path: Path) -> None:
    # only the main part is parsed (not styles, numbering, settings): the text must be what
    # docx.Document gives, merged and nested cells, tabs and breaks included
    import zipfile
    from unittest import mock

    import docx

    from analysis.io import text_files

    document = docx.Document()
    document.add_paragraph("第一段\t有制表符")
    para = document.add_paragraph("换行")
    para.add_run().add_break()
    para.add_run("之后")
    table = document.add_table(rows=3, cols=3)
    for i in range(3):
        for j in range(3):
            table.cell(i, j).text = f"格{i}{j}"
    table.cell(0, 0).merge(table.cell(0, 1))
    table.cell(1, 2).merge(table.cell(2, 2))
    table.cell(2, 0).add_table(rows=1, cols=2).cell(0, 1).text = "嵌套"
    path = tmp_path / "merged.docx"
    document.save(path)
    quick = text_files._read_docx(path)
    with mock.patch.object(text_files, "_main_document", side_effect=RuntimeError):
        assert quick == text_files._read_docx(path)  # through docx.Document
    assert quick.startswith("第一段\t有制表符\n换行\n之后\n格00")
    # a package that is not a Word document still gets python-docx's own error
    with zipfile.ZipFile(tmp_path / "zip.docx", "w") as z:
        z.writestr("a.txt", "not word")
    with pytest.raises(InputError, match="cannot open as a Word document"):
        text_files._read_docx(tmp_path / "zip.docx")


def _pdf(text: str | None) -> bytes:
    """A one-page PDF; with text, a Helvetica text layer; without, a blank (scanned-like) page."""
    stream = b"" if text is None else f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for i, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


def test_pdf_text_layer(tmp_path: Path) -> None:
    (tmp_path / "report.pdf").write_bytes(_pdf("Community report 2023"))
    docs = an.read_texts(tmp_path / "report.pdf")
    assert docs.loc[0, "text"] == "Community report 2023"


def test_scanned_pdf_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "scan.pdf").write_bytes(_pdf(None))
    with pytest.raises(InputError, match=r"scan\.pdf: the PDF has no text layer.*OCR"):
        an.read_texts(tmp_path / "scan.pdf")


def test_scanned_pdf_in_a_folder_is_quarantined(tmp_path: Path) -> None:
    shutil.copy(CORPUS / "a-utf8.txt", tmp_path)
    (tmp_path / "scan.pdf").write_bytes(_pdf(None))
    with pytest.warns(DataQualityWarning, match="1 document"):
        docs = an.read_texts(tmp_path)
    assert docs["doc_id"].tolist() == ["a-utf8"]
    assert "no text layer" in an.text_quarantine(docs).loc[0, "problem"]


def test_folder_with_no_documents(tmp_path: Path) -> None:
    (tmp_path / "x.md").write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="no documents found"):
        an.read_texts(tmp_path)


def test_does_not_mutate_metadata_frame() -> None:
    meta = pd.DataFrame({"doc_id": ["a-utf8", "b-gb", "c-bom"], "community": ["x", "y", "z"]})
    before = meta.copy()
    read_corpus(metadata=meta)
    pd.testing.assert_frame_equal(meta, before)


def test_demo_corpus_reads_completely() -> None:
    if not (DEMO / "texts.csv").is_file():
        pytest.skip("demo corpus not present")
    docs = an.read_texts(DEMO / "texts", metadata=DEMO / "texts.csv")
    assert len(docs) == len(list((DEMO / "texts").glob("*.*")))
    assert an.text_quarantine(docs).empty
    assert {"community", "year", "type"} <= set(docs.columns)
    assert "gb18030" in set(docs["encoding"].dropna())


def test_without_normalization_only_line_ends_change() -> None:
    docs = read_corpus(normalize=False)
    raw = (CORPUS / "a-utf8.txt").read_bytes().decode("utf-8")
    assert docs.loc[0, "text"] == raw.replace("\r\n", "\n")
    assert "ＡＢＣ" in docs.loc[0, "text"]


def test_without_normalization_still_converts_to_simplified() -> None:
    pytest.importorskip("opencc")
    docs = read_corpus(normalize=False, to_simplified=True)
    assert docs.loc[2, "text"] == "社区党委开展主题党日活动。\n"


def test_open_answers_in_a_legacy_xls_read_like_the_xlsx(xls_export, xlsx_twin):
    # the .xls is read with xlrd by the survey reader, not pandas' deprecated xlrd engine
    kw = {"text_column": "26、您对社区党组织的工作还有哪些意见和建议？", "id_column": "序号"}
    from_xls = an.read_texts(xls_export, **kw)
    from_xlsx = an.read_texts(xlsx_twin, **kw)
    pd.testing.assert_frame_equal(from_xls.drop(columns="source"), from_xlsx.drop(columns="source"))
    assert from_xls["doc_id"].tolist()[:2] == ["1", "2"]
    assert from_xls.loc[0, "text"] == "希望社区多组织“三会一课”以外的学习活动。"


def test_two_reads_concatenate_and_attrs_hold_plain_values(tmp_path):
    import json

    (tmp_path / "a.txt").write_text("社区开展志愿服务。", encoding="utf-8")
    (tmp_path / "b.txt").write_text("", encoding="utf-8")
    with pytest.warns(DataQualityWarning):
        first = an.read_texts(tmp_path)
    with pytest.warns(DataQualityWarning):
        second = an.read_texts(tmp_path)
    both = pd.concat([first, second], ignore_index=True)  # failed with a frame in attrs
    assert len(both) == 2
    json.dumps(first.attrs)  # nothing but plain values
    assert an.text_quarantine(first)["file"].tolist() == ["b.txt"]


def test_a_binary_file_that_decodes_as_gb18030_is_quarantined_not_scored(tmp_path):
    """Bytes that happen to decode as GB18030 give mojibake with control characters: the
    document is quarantined with the reason, the readable one beside it is read."""
    import random
    import warnings

    rng = random.Random(2)
    data = bytearray()
    for _ in range(1500):
        r = rng.random()
        if r < 0.3:
            data.append(rng.randrange(0, 32))
        elif r < 0.5:
            data.append(rng.randrange(32, 127))
        else:
            data += bytes([rng.randrange(0x81, 0xFE), rng.randrange(0x40, 0x7F)])
    (tmp_path / "binary.txt").write_bytes(bytes(data))
    assert bytes(data).decode("gb18030")  # it does decode: only the content gives it away
    (tmp_path / "report.txt").write_text("社区党支部开展主题党日活动，慰问困难党员。" * 3, "utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        docs = an.read_texts(tmp_path)
    assert docs["doc_id"].tolist() == ["report"]
    q = an.text_quarantine(docs)
    assert q["file"].tolist() == ["binary.txt"]
    assert q.loc[0, "problem"].startswith("implausible text")


def test_old_word_and_wps_files_in_a_folder_are_quarantined_not_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "texts"
    folder.mkdir()
    (folder / "a.txt").write_text("社区开展一站式服务。", encoding="utf-8")
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100
    (folder / "b.doc").write_bytes(ole)
    (folder / "c.WPS").write_bytes(ole)
    (folder / "notes.md").write_text("not a document", encoding="utf-8")
    with pytest.warns(DataQualityWarning, match="3 document"):
        docs = an.read_texts(folder)
    assert docs["doc_id"].tolist() == ["a"]
    q = an.text_quarantine(docs)
    assert q["file"].tolist() == ["b.doc", "c.WPS", "notes.md"]
    assert q["problem"].iloc[:2].str.contains("save it as .docx").all()
    assert "unsupported file type '.md'" in q["problem"].iloc[2]
    only_doc = tmp_path / "old"
    only_doc.mkdir()
    (only_doc / "b.doc").write_bytes(ole)
    with pytest.raises(InputError, match=r"no documents found.*b\.doc: Word 97-2003 \.doc"):
        an.read_texts(only_doc)


def test_repeated_ids_in_a_table_of_texts_are_quarantined_with_their_rows(tmp_path: Path) -> None:
    table = tmp_path / "answers.csv"
    table.write_text(
        "doc_id,text,community\n1,社区很好,甲\n2,服务周到,乙\n1,重复,丙\n", encoding="utf-8"
    )
    with pytest.warns(DataQualityWarning, match="1 document"):
        docs = an.read_texts(table)
    assert docs["doc_id"].tolist() == ["1", "2"]
    assert docs["community"].tolist() == ["甲", "乙"]
    q = an.text_quarantine(docs)
    assert (q.loc[0, "file"], q.loc[0, "row"], q.loc[0, "column"], q.loc[0, "value"]) == (
        "answers.csv",
        4,
        "doc_id",
        "1",
    )
    assert "first at row 2" in q.loc[0, "problem"]
    assert len(an.score_texts(docs)) == 2 * 5
