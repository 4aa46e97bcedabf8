"""Tests of the Segmenter: pinned tokens, global jieba untouched, cache, parallel runs."""

from __future__ import annotations

import pickle
from array import array
from pathlib import Path

import pytest

from analysis.core.errors import ConfigError, InputError
from analysis.text.segment import Segmenter, Token, _init_worker, _work, load_word_list

DICT = Path(__file__).resolve().parents[1] / "analysis" / "resources" / "dict"


@pytest.fixture(scope="module")
def seg() -> Segmenter:
    return Segmenter()


@pytest.fixture(scope="module")
def fast() -> Segmenter:
    return Segmenter(backend="rjieba")


SENTENCES = [
    ("加强基层服务型党组织建设", ["加强", "基层服务型党组织", "建设"]),
    ("社区党群服务中心开展三会一课", ["社区党群服务中心", "开展", "三会一课"]),
    ("推行网格化管理和一站式服务", ["推行", "网格化管理", "和", "一站式服务"]),
    ("深化放管服改革，实现最多跑一次。", ["深化", "放管服改革", "，", "实现", "最多跑一次", "。"]),
    ("落实接诉即办和吹哨报到机制", ["落实", "接诉即办", "和", "吹哨报到", "机制"]),
    ("做好流动党员教育管理", ["做好", "流动党员", "教育", "管理"]),
    ("发展党员要坚持标准", ["发展党员", "要", "坚持", "标准"]),
    ("12345热线受理诉求30件", ["12345热线", "受理", "诉求", "30", "件"]),
    ("在职党员到社区双报到", ["在职党员", "到", "社区", "双报到"]),
    ("新时代文明实践站开展志愿服务", ["新时代文明实践站", "开展", "志愿服务"]),
    ("党员 志愿者\n服务", ["党员", " ", "志愿者", "\n", "服务"]),
]
IDS = [
    "service-party-org",
    "party-mass-centre",
    "grid-one-stop",
    "fangguanfu-run-once",
    "hotline-whistle",
    "mobile-members",
    "recruit-members",
    "digits-hotline",
    "double-report",
    "civilisation-station",
    "whitespace-kept",
]


@pytest.mark.parametrize(("text", "expected"), SENTENCES, ids=IDS)
def test_jieba_tokens_pinned(seg: Segmenter, text: str, expected: list[str]) -> None:
    assert seg.cut(text) == expected


@pytest.mark.parametrize(("text", "expected"), SENTENCES, ids=IDS)
def test_rjieba_keeps_domain_terms_too(fast: Segmenter, text: str, expected: list[str]) -> None:
    assert fast.cut(text) == expected


def test_domain_dictionary_is_large_and_kept_whole(seg: Segmenter) -> None:
    words = [w for w, _, _ in load_word_list(DICT / "user_dict.txt")]
    assert len(words) >= 300
    required = {
        "服务型党组织",
        "党群服务中心",
        "网格化管理",
        "三会一课",
        "一站式服务",
        "放管服",
        "最多跑一次",
        "接诉即办",
        "吹哨报到",
        "流动党员",
    }
    assert required <= set(words)
    split = [w for w in words if seg.cut(w) != [w]]
    assert split == []


def test_tokens_have_exact_offsets(seg: Segmenter) -> None:
    text = "社区党委推行网格化管理，  服务居民。"
    toks = seg.tokens(text)
    assert all(isinstance(t, Token) for t in toks)
    assert all(text[t.start : t.end] == t.text for t in toks)
    assert "".join(t.text for t in toks) == text
    assert Token("网格化管理", 6, 11) in toks


def test_global_jieba_is_untouched(monkeypatch: pytest.MonkeyPatch) -> None:
    import jieba

    jieba.dt.initialize()
    # work on a copy of the global dictionary so the test leaves the process as it found it
    monkeypatch.setattr(jieba.dt, "FREQ", dict(jieba.dt.FREQ))
    monkeypatch.setattr(jieba.dt, "total", jieba.dt.total)
    freq_before, total_before = dict(jieba.dt.FREQ), jieba.dt.total
    global_before = jieba.lcut("推行网格化管理和一站式服务")

    mine = Segmenter(extra_words=["社区治理共同体"])
    text = "推行网格化管理和一站式服务，建设社区治理共同体"
    ours = mine.cut(text)
    assert jieba.dt.FREQ == freq_before
    assert jieba.dt.total == total_before
    assert jieba.lcut("推行网格化管理和一站式服务") == global_before
    assert mine.tokenizer is not jieba.dt

    # someone else changes the global tokenizer: our results do not move
    jieba.add_word("和一站", freq=10**7)
    jieba.add_word("式服务", freq=10**7)
    assert jieba.lcut("推行网格化管理和一站式服务") != global_before
    assert mine.cut(text) == ours
    assert Segmenter(extra_words=["社区治理共同体"]).cut(text) == ours


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("网格化管理", True),
        ("，", False),
        ("。", False),
        (" ", False),
        ("\n", False),
        ("2023", False),
        ("0.8", False),
        ("的", False),
        ("我们", False),
        ("ABC", True),
        ("“", False),
        ("12345热线", True),
    ],
    ids=[
        "term",
        "comma",
        "stop",
        "space",
        "newline",
        "year",
        "decimal",
        "stop-de",
        "stop-women",
        "latin",
        "quote",
        "digits-with-han",
    ],
)
def test_is_content(seg: Segmenter, token: str, expected: bool) -> None:
    assert seg.is_content(token) is expected
    assert seg.is_content(Token(token, 0, len(token))) is expected


def test_stopword_options(tmp_path: Path) -> None:
    path = tmp_path / "stop.txt"
    path.write_text("# mine\n社区\n", encoding="utf-8")
    assert Segmenter(stopwords=path).stopwords == frozenset({"社区"})
    assert Segmenter(stopwords=None).is_content("的")
    assert not Segmenter(stopwords=["社区"]).is_content("社区")


def test_user_dict_file_with_bad_frequency(tmp_path: Path) -> None:
    path = tmp_path / "mine.txt"
    path.write_text("社区治理共同体 12\n红色议事厅 many\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"mine\.txt, line 2: got 'many'"):
        Segmenter(user_dict=path)


def test_user_dict_adds_words() -> None:
    s = Segmenter(user_dict=["红色议事厅"])
    assert s.cut("设立红色议事厅") == ["设立", "红色议事厅"]


def test_bad_backend() -> None:
    with pytest.raises(ConfigError, match="'backend' parameter of Segmenter must be one of"):
        Segmenter(backend="thulac")  # type: ignore[arg-type]


def test_fingerprint_tracks_words_not_stopwords() -> None:
    a = Segmenter()
    assert a.fingerprint == Segmenter(stopwords=None).fingerprint
    assert a.fingerprint != Segmenter(extra_words=["红色议事厅"]).fingerprint
    assert a.base_fingerprint == Segmenter(extra_words=["红色议事厅"]).base_fingerprint
    assert a.fingerprint != Segmenter(backend="rjieba").fingerprint
    assert a.fingerprint != Segmenter(hmm=False).fingerprint
    assert len(a.fingerprint) == 64


def test_disk_cache_is_reused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    texts = ["社区推行一站式服务。", "网格员入户走访。", ""]
    first = Segmenter(cache_dir=tmp_path).cut_many(texts)
    assert any(tmp_path.rglob("*"))
    again = Segmenter(cache_dir=tmp_path)

    def boom(*args, **kwargs):
        raise AssertionError("re-segmented despite the cache")

    monkeypatch.setattr(again, "_segment_missing", boom)
    assert again.cut_many(texts) == first
    assert first[2] == []


def test_lexicon_edit_resegments_only_documents_with_the_new_term(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = ["建设社区治理共同体。", "网格员入户走访。", "设立红色议事厅。"]
    old = Segmenter(cache_dir=tmp_path, extra_words=["网格员"])
    old.cut_many(texts)
    new = Segmenter(cache_dir=tmp_path, extra_words=["网格员", "红色议事厅"])
    assert new.fingerprint != old.fingerprint
    assert new.base_fingerprint == old.base_fingerprint
    calls: list[list[str]] = []
    compute = new._segment_missing

    def spy(batch: list[str], *, jobs: int) -> list:
        calls.append(list(batch))
        return compute(batch, jobs=jobs)

    monkeypatch.setattr(new, "_segment_missing", spy)
    got = new.cut_many(texts)
    assert calls == [["设立红色议事厅。"]]
    assert got == Segmenter(extra_words=["网格员", "红色议事厅"]).cut_many(texts)
    assert got[2] == ["设立", "红色议事厅", "。"]


def test_extra_words_change_only_texts_containing_them() -> None:
    base = Segmenter()
    more = Segmenter(extra_words=["共同体建设", "治理共同"])
    for text in ["推进社区治理现代化", "党员志愿者服务群众", "加强基层服务型党组织建设"]:
        assert more.cut(text) == base.cut(text)


def test_cache_keyed_by_fingerprint(tmp_path: Path) -> None:
    Segmenter(cache_dir=tmp_path).cut_many(["建设社区治理共同体"])
    other = Segmenter(cache_dir=tmp_path, extra_words=["社区治理共同体"])
    assert other.cut_many(["建设社区治理共同体"]) == [["建设", "社区治理共同体"]]


def test_corrupt_cache_entry_is_recomputed(tmp_path: Path) -> None:
    Segmenter(cache_dir=tmp_path).cut_many(["网格员入户走访。"])
    for f in tmp_path.rglob("*"):
        if f.is_file():
            f.write_bytes(b"\x01\x00\x00\x00")
    assert Segmenter(cache_dir=tmp_path).cut_many(["网格员入户走访。"]) == [
        ["网格员", "入户走访", "。"]
    ]


def test_segment_frame_and_pickle_roundtrip(seg: Segmenter) -> None:
    import pandas as pd

    docs = pd.DataFrame({"doc_id": ["a", "b"], "text": ["推行一站式服务", "发展党员"]})
    out = seg.segment(docs)
    assert [[t.text for t in d] for d in out] == [["推行", "一站式服务"], ["发展党员"]]
    clone = pickle.loads(pickle.dumps(seg))
    assert clone.fingerprint == seg.fingerprint
    assert clone.cut("推行一站式服务") == ["推行", "一站式服务"]
    _init_worker(clone)
    assert _work(["发展党员"]) == [array("I", [4]).tobytes()]


def test_segment_needs_text_column(seg: Segmenter) -> None:
    import pandas as pd

    with pytest.raises(InputError, match="'text' column"):
        seg.segment(pd.DataFrame({"body": ["x"]}))


def test_parallel_equals_serial_with_spawn() -> None:
    texts = [f"第{i}网格推行网格化管理，党员志愿者开展一站式服务。" for i in range(12)]
    serial = Segmenter().cut_many(texts)
    par = Segmenter()
    par._start_method = "spawn"  # what Windows and macOS use
    assert par.cut_many(texts, jobs=2) == serial


def test_for_lexicon_keeps_lexicon_terms_whole() -> None:
    from analysis.text.lexicon import Lexicon

    lex = Lexicon(name="t", version="1", terms={"masses": {"红色议事厅": 1.0}})
    s = Segmenter.for_lexicon(lex, stopwords=None)
    assert s.cut("设立红色议事厅") == ["设立", "红色议事厅"]
    assert s.is_content("的")


def test_for_lexicon_takes_anything_with_words() -> None:
    class Terms:  # the segmenter knows no Lexicon: a words() method is enough
        def words(self) -> tuple[str, ...]:
            return ("红色议事厅",)

    s = Segmenter.for_lexicon(Terms(), stopwords=None)
    assert s.cut("设立红色议事厅") == ["设立", "红色议事厅"]
