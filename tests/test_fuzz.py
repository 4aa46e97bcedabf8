"""Property tests on the boundaries where users' files come in and names and data go out.

Reproducible (``derandomize=True``: the same examples on every run and in CI) and bounded:
a few thousand examples for the cheap functions (mask_pii, safe_filename), a few hundred
for the survey reader, the codebook loader and the text scorer; the whole file runs in
well under a minute.

- read_survey: any CSV (cells and headers from a hostile alphabet, quoted or not) is read
  with every row accounted for, or refused with an InputError, never anything else;
- load_codebook: any YAML text near a real codebook gives a Codebook or a CodebookError;
- mask_pii: phone, ID and e-mail shapes inside Chinese text never survive, and the years,
  amounts, counts and dates around them are kept as they were;
- safe_filename: at most 255 bytes, no separator, control or bidirectional character, no
  Windows device name, distinct inputs give distinct names;
- score_texts: any unicode text gives one row per document and dimension.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import warnings

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_privacy import _plain, personal_data

import analysis as an
from analysis.core.errors import AnalysisWarning, CodebookError, InputError
from analysis.report.privacy import mask_pii, safe_filename

_FAST = settings(max_examples=3000, deadline=None, derandomize=True)
_SLOW = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

LABELS = ["非常不满意", "不满意", "一般", "满意", "非常满意"]
CODEBOOK = """\
id_column: 序号
group_column: 社区
scale: {min: 1, max: 5, labels: {非常不满意: 1, 不满意: 2, 一般: 3, 满意: 4, 非常满意: 5}}
missing: {skipped: ["(跳过)"], no_answer: ["(空)", -2]}
items:
  - {column: q1, id: q1, dimension: reform}
  - {column: q2, id: q2, dimension: livelihood, reverse: true}
"""


def _quiet():
    context = warnings.catch_warnings()
    context.__enter__()
    warnings.simplefilter("ignore", AnalysisWarning)
    return context


# --------------------------------------------------------------------------- survey reader

_HOSTILE = "满意一般社区（跳过）(空)0123456789-+=@.,;\"'\t\r\n \u3000\u00a0\u200b\u202e\x00\x1bé😀"
_CELL = st.one_of(
    st.sampled_from([*LABELS, "(跳过)", "（跳过）", "(空)", "", "3", "-2", "很满意", "TRUE"]),
    st.text(alphabet=_HOSTILE, max_size=8),
    st.text(max_size=6),
)
_HEADER = st.one_of(
    st.sampled_from(["序号", "社区", "q1", "q2", "", "q1 ", "1、q1"]), st.text(max_size=6)
)


@st.composite
def survey_csv(draw) -> bytes:
    """A CSV export: mostly the codebook's columns, hostile extra columns and cells."""
    header = ["序号", "社区", "q1", "q2"]
    if draw(st.booleans()):
        header = draw(st.permutations(header))
    header = header + draw(st.lists(_HEADER, max_size=3))
    if draw(st.integers(0, 9)) == 0:
        header = draw(st.lists(_HEADER, min_size=1, max_size=5))
    n = draw(st.integers(0, 8))
    rows = [[draw(_CELL) for _ in header] for _ in range(n)]
    for r in rows:
        if draw(st.integers(0, 5)) == 0:
            r.pop() if r and draw(st.booleans()) else r.append(draw(_CELL))
    if draw(st.booleans()):  # properly quoted, as a spreadsheet saves it
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\r\n").writerows([header, *rows])
        text = buf.getvalue()
    else:  # pasted together by hand
        text = "\n".join(",".join(r) for r in [header, *rows]) + "\n"
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
    return text.encode(encoding, errors="replace")


@_SLOW
@given(survey_csv())
def test_the_survey_reader_reads_with_every_row_accounted_for_or_refuses(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("s")
    (folder / "codebook.yaml").write_text(CODEBOOK, encoding="utf-8")
    path = folder / "survey.csv"
    path.write_bytes(data)
    context = _quiet()
    refused = ""
    try:
        survey = an.read_survey(path, codebook=folder / "codebook.yaml")
    except InputError as exc:  # CodebookError included: a column the export lacks
        refused = str(exc)
    finally:
        context.__exit__(None, None, None)
    if refused:
        assert "survey.csv" in refused or "codebook.yaml" in refused, refused
        assert "line nan" not in refused, refused
        assert ".0," not in refused, refused
        return
    kept, quarantined = set(survey.responses["row"]), set(survey.quarantine["row"])
    assert kept.isdisjoint(quarantined)
    assert len(kept) + len(quarantined) == survey.source["n_rows"]
    assert len(survey.responses) == len(kept)
    assert survey.responses["q1"].dropna().isin([1, 2, 3, 4, 5]).all()


# --------------------------------------------------------------------------- codebook loader

_YAML_BITS = st.sampled_from(
    [":", "- ", "  ", "\t", "{", "}", "[", "]", "&a ", "*a", "!!python/object ", "'", '"',
     "#", "? ", "|", ">", "~", "yes", "1e400", "\n", "<<: *a", "%YAML 1.1\n", "---\n", "\x00"]
)  # fmt: skip


@st.composite
def codebook_text(draw) -> str:
    """The good codebook with lines dropped, repeated or spliced with YAML syntax."""
    lines = CODEBOOK.splitlines()
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["drop", "repeat", "splice", "replace"]))
        if action == "drop" and len(lines) > 1:
            lines.pop(i)
        elif action == "repeat":
            lines.insert(i, lines[i])
        elif action == "splice":
            at = draw(st.integers(0, len(lines[i])))
            bit = draw(st.one_of(_YAML_BITS, st.text(max_size=4)))
            lines[i] = lines[i][:at] + bit + lines[i][at:]
        else:
            lines[i] = draw(st.text(alphabet="abq1: -{}[],'\"&*!社区", max_size=20))
    return "\n".join(lines) + "\n"


@_SLOW
@given(codebook_text())
def test_any_codebook_text_gives_a_codebook_or_a_codebook_error(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("c") / "codebook.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    context = _quiet()
    refused = ""
    try:
        codebook = an.load_codebook(path)
    except CodebookError as exc:
        refused = str(exc)
    finally:
        context.__exit__(None, None, None)
    if refused:
        assert "codebook.yaml" in refused, refused
        return
    assert codebook.items


# --------------------------------------------------------------------------- mask_pii

_ORDINARY = st.sampled_from(
    ["2023年", "1500元", "共36户", "第12期", "2024-05-01", "3.5分", "80%", "100平方米",
     "邮编100871", "人口12345人", "2023年1月至2024年6月", "预算3000000元", "0.05", "5栋3单元"]
)  # fmt: skip
_FILLER = st.text(alphabet="社区居民服务电话联系我们，。：是的 ", max_size=6)


@_FAST
@given(st.lists(st.tuples(_ORDINARY, personal_data()), min_size=1, max_size=3), _FILLER)
def test_masking_hides_every_shape_and_keeps_ordinary_numbers(pieces, filler):
    text = "".join(f"{number}，{filler}{shape}。" for number, (shape, _) in pieces)
    masked = mask_pii(text)
    assert len(masked) == len(text)
    plain = _plain(masked).lower()
    for number, (_, secret) in pieces:
        assert secret.lower() not in plain
        assert number in masked, f"{number!r} changed: {masked!r}"


# --------------------------------------------------------------------------- safe_filename

_DEVICES = {"CON", "PRN", "AUX", "NUL", *(f"{p}{i}" for p in ("COM", "LPT") for i in range(10))}
_NAME = st.one_of(
    st.text(),
    st.text(alphabet='../\\:*?"<>| \u202e\u200b\x00\x1f😀社区AUXCONcon1', max_size=30),
    st.sampled_from(["CON", "aux.社区", "../..", "..", ".", "", " ", "COM1.txt"]),
    st.text(alphabet="😀𠮷社", min_size=40, max_size=200),
)


def _check_filename(name: str) -> None:
    assert name
    assert len(name.encode("utf-8")) <= 255
    assert not set(name) & set("/\\\x00")
    assert not [c for c in name if unicodedata.category(c) in ("Cc", "Cf")]
    assert name.split(".")[0].strip().upper() not in _DEVICES
    assert not name.startswith(".")


@_FAST
@given(_NAME)
def test_safe_filename_is_always_a_safe_name(name):
    _check_filename(safe_filename(name))


@settings(max_examples=1000, deadline=None, derandomize=True)
@given(st.lists(_NAME, min_size=2, max_size=6, unique=True))
def test_distinct_names_give_distinct_file_names(names):
    assert len({safe_filename(n) for n in names}) == len(names)


# --------------------------------------------------------------------------- text scorer

_DOC = st.one_of(
    st.text(max_size=60),
    st.text(
        alphabet="社区党员服务一站式网格志愿者不没有，。！？\n \u3000😀𠮷\x00\ufffd", max_size=80
    ),
)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(_DOC, min_size=1, max_size=4))
def test_any_text_gives_one_score_row_per_document_and_dimension(texts):
    docs = pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(texts))], "text": texts})
    scores = an.score_texts(docs)
    n_dims = len(an.default_lexicon().framework.ids)
    assert len(scores) == len(texts) * n_dims
    assert scores.groupby("doc_id").size().eq(n_dims).all()
    assert (scores["n_hits"] >= 0).all()
    assert (scores["n_tokens"] >= 0).all()
