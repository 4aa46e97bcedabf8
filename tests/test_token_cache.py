"""The token cache: token codes with a vocabulary, shared across lexicon edits, on disk in
versioned packs. Re-scoring through it must give exactly what a fresh segmenter gives."""

from __future__ import annotations

import dataclasses
import struct
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import analysis as an
from analysis.core.errors import ConfigError
from analysis.text import token_cache
from analysis.text.docs import resolve
from analysis.text.lexicon import Lexicon
from analysis.text.segment import Segmenter
from analysis.text.token_cache import FORMAT, TokenCache

TEXTS = [
    "社区推行一站式服务，群众少跑腿。\n党员志愿者入户走访，没有落实三会一课。",
    "街道设立红色议事厅，居民议事协商。",
    "发展党员三名，壮大集体经济。",
    "推行一站式服務，發展黨員三名。",  # traditional characters
    "",
    "网格员入户走访，群众少跑腿。",
    "社区推行一站式服务，群众少跑腿。\n党员志愿者入户走访，没有落实三会一课。",  # a repeat
    "街道設立紅色議事廳。",  # the added term, in traditional characters
]


@cache
def base() -> Lexicon:
    return an.default_lexicon()


@cache
def edited() -> Lexicon:
    """A term added (new to the dictionary), a term removed, weights changed."""
    lex = base()
    terms = {d: dict(t) for d, t in lex.terms.items()}
    terms["masses"]["红色议事厅"] = 1.0
    terms["masses"]["议事协商"] = 0.5  # a term already: re-weighted
    terms["masses"]["志愿者"] = 0.25  # re-weighted too
    removed = next(d for d, t in terms.items() if "少跑腿" in t)
    del terms[removed]["少跑腿"]
    return dataclasses.replace(lex, version="1.1-edit", terms=terms)


def docs() -> pd.DataFrame:
    return pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(TEXTS))], "text": TEXTS})


def spy(seg: Segmenter, calls: list[str]) -> None:
    """Record the texts ``seg`` segments."""
    compute = seg._segment_missing

    def counted(batch: list[str], *, jobs: int) -> list[list[str]]:
        calls.extend(batch)
        return compute(batch, jobs=jobs)

    seg._segment_missing = counted  # type: ignore[method-assign]


def test_edited_lexicon_segments_only_what_changed() -> None:
    lex = edited()
    assert "少跑腿" in Segmenter.for_lexicon(base()).extra_words
    assert "少跑腿" not in Segmenter.for_lexicon(lex).extra_words
    assert "红色议事厅" not in Segmenter.for_lexicon(base()).extra_words
    old = Segmenter.for_lexicon(base())
    an.score_texts(docs(), base(), segmenter=old)
    new = Segmenter.for_lexicon(lex, token_cache=old.token_cache)
    calls: list[str] = []
    spy(new, calls)
    an.score_texts(docs(), lex, segmenter=new)
    # the texts with the added or the removed term (cut in simplified characters), and the
    # added term itself
    expected = {TEXTS[0], TEXTS[1], TEXTS[5], "街道设立红色议事厅。", "红色议事厅"}
    assert sorted(set(calls)) == sorted(expected)


def test_a_text_repeated_in_one_batch_is_cut_once() -> None:
    seg = Segmenter(extra_words=["网格员"])
    calls: list[str] = []
    spy(seg, calls)
    texts = [TEXTS[1], TEXTS[2], TEXTS[1], TEXTS[1], TEXTS[2], TEXTS[5]]
    words = seg.cut_many(texts)
    assert sorted(calls) == sorted([TEXTS[1], TEXTS[2], TEXTS[5]])
    assert words == [Segmenter(extra_words=["网格员"]).cut(t) for t in texts]


@pytest.mark.parametrize("unit", ["document", "paragraph", "sentence"])
@pytest.mark.parametrize("where", ["memory", "disk"])
def test_rescoring_after_an_edit_equals_scoring_from_scratch(
    unit: str, where: str, tmp_path: Path
) -> None:
    kw = {"cache_dir": tmp_path} if where == "disk" else {}
    first = Segmenter.for_lexicon(base(), **kw)
    before = an.score_texts(docs(), base(), segmenter=first, unit=unit)
    if where == "disk":  # a new process: nothing in memory
        again = Segmenter.for_lexicon(edited(), cache_dir=tmp_path)
    else:
        again = Segmenter.for_lexicon(edited(), token_cache=first.token_cache)
    cached = an.score_texts(docs(), edited(), segmenter=again, unit=unit)
    fresh = an.score_texts(docs(), edited(), segmenter=Segmenter.for_lexicon(edited()), unit=unit)
    pd.testing.assert_frame_equal(cached, fresh)
    assert not cached.equals(before)
    hits = an.explain(docs(), edited(), segmenter=again)
    pd.testing.assert_frame_equal(
        hits, an.explain(docs(), edited(), segmenter=Segmenter.for_lexicon(edited()))
    )
    # and back to the first lexicon: its cuts are still there
    back = Segmenter.for_lexicon(base(), token_cache=again.token_cache)
    calls: list[str] = []
    spy(back, calls)
    pd.testing.assert_frame_equal(an.score_texts(docs(), base(), segmenter=back, unit=unit), before)
    assert calls == []


@pytest.mark.parametrize("start_method", ["fork", "spawn"])
def test_parallel_scoring_fills_the_cache_for_an_edit(start_method: str) -> None:
    import multiprocessing

    if start_method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"{start_method} not available here")
    many = pd.concat([docs().assign(doc_id=lambda d, k=k: d["doc_id"] + f"-{k}") for k in range(3)])
    first = Segmenter.for_lexicon(base())
    first._start_method = start_method
    serial = an.score_texts(many, base(), segmenter=Segmenter.for_lexicon(base()))
    pd.testing.assert_frame_equal(an.score_texts(many, base(), segmenter=first, jobs=2), serial)
    again = Segmenter.for_lexicon(edited(), token_cache=first.token_cache)
    calls: list[str] = []
    spy(again, calls)
    fresh = an.score_texts(many, edited(), segmenter=Segmenter.for_lexicon(edited()))
    pd.testing.assert_frame_equal(an.score_texts(many, edited(), segmenter=again), fresh)
    assert "推行一站式服务，发展党员三名。" not in calls  # no term of the edit in it


def test_default_segmenters_share_one_cache() -> None:
    _, a = resolve(base(), None)
    _, b = resolve(edited(), None)
    assert a is not b
    assert a.token_cache is b.token_cache
    assert a.fingerprint != b.fingerprint
    fresh = an.score_texts(docs(), edited(), segmenter=Segmenter.for_lexicon(edited()))
    an.score_texts(docs(), base())
    pd.testing.assert_frame_equal(an.score_texts(docs(), edited()), fresh)


def test_codes_are_compact() -> None:
    seg = Segmenter()
    codes = seg._codes(TEXTS)
    assert all(c.dtype == np.uint32 for c in codes)
    words = seg.token_cache.vocab.words
    for text, c in zip(TEXTS, codes, strict=True):
        assert "".join(words[i] for i in c) == seg.simplify(text)
    assert len(set(words)) == len(words)  # one code a word


def test_cache_belongs_to_one_set_of_settings(tmp_path: Path) -> None:
    seg = Segmenter()
    with pytest.raises(ConfigError, match="token_cache belongs to a segmenter with other"):
        Segmenter(hmm=False, token_cache=seg.token_cache)
    with pytest.raises(ConfigError, match="token_cache"):
        Segmenter(to_simplified=False, token_cache=seg.token_cache)
    with pytest.raises(ConfigError, match="token_cache"):
        Segmenter(cache_dir=tmp_path, token_cache=seg.token_cache)
    assert Segmenter(extra_words=["红色议事厅"], token_cache=seg.token_cache).token_cache is (
        seg.token_cache
    )


def test_rjieba_serves_only_the_same_extra_words() -> None:
    a = Segmenter(backend="rjieba", extra_words=["网格员"])
    a.cut_many(TEXTS)
    b = Segmenter(backend="rjieba", extra_words=["网格员", "红色议事厅"], token_cache=a.token_cache)
    calls: list[str] = []
    spy(b, calls)
    assert b.cut_many(TEXTS) == Segmenter(
        backend="rjieba", extra_words=["网格员", "红色议事厅"]
    ).cut_many(TEXTS)
    # rjieba: every extra word counts (texts are cut in simplified characters; the
    # repeated text once)
    assert sorted(calls) == sorted({b.simplify(t) for t in TEXTS if t})


# --- on disk -----------------------------------------------------------------------------


def folder_of(seg: Segmenter) -> Path:
    assert seg.token_cache.folder is not None
    return seg.token_cache.folder


def test_disk_format_is_versioned(tmp_path: Path) -> None:
    seg = Segmenter(cache_dir=tmp_path)
    seg.cut_many(TEXTS)
    folder = folder_of(seg)
    assert folder.name == f"tokens-v{FORMAT}-{seg.base_fingerprint[:16]}"
    (pack,) = folder.glob("*.pack")
    magic, version, _ = struct.unpack("<4sII", pack.read_bytes()[:12])
    assert (magic, version) == (b"ANTC", FORMAT)
    assert FORMAT >= 2  # 1 was one file of token ends per text


def test_pack_of_another_format_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = Segmenter(cache_dir=tmp_path).cut_many(TEXTS)
    monkeypatch.setattr(token_cache, "FORMAT", FORMAT + 1)  # what a later version writes
    Segmenter(cache_dir=tmp_path).cut_many(["网格员入户走访。"])
    monkeypatch.undo()
    again = Segmenter(cache_dir=tmp_path)
    calls: list[str] = []
    spy(again, calls)
    assert again.cut_many(TEXTS) == first
    assert calls == []
    assert again.cut_many(["网格员入户走访。"]) == [["网格员", "入户走访", "。"]]
    assert calls == ["网格员入户走访。"]  # that pack was not read


def test_packs_are_merged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(token_cache, "_MAX_PACKS", 3)
    texts = [f"第{i}网格推行一站式服务。" for i in range(8)]
    expected = [Segmenter(cache_dir=tmp_path).cut_many([t])[0] for t in texts]
    folder = folder_of(Segmenter(cache_dir=tmp_path))
    assert 1 <= len(list(folder.glob("*.pack"))) <= 3
    assert not list(folder.glob("*.tmp"))
    again = Segmenter(cache_dir=tmp_path)
    calls: list[str] = []
    spy(again, calls)
    assert again.cut_many(texts) == expected
    assert calls == []


def test_pack_with_codes_out_of_range_is_dropped(tmp_path: Path) -> None:
    seg = Segmenter(cache_dir=tmp_path)
    expected = seg.cut_many(TEXTS)
    (pack,) = folder_of(seg).glob("*.pack")
    data = bytearray(pack.read_bytes())
    data[-4:] = (2**31).to_bytes(4, "little")  # the last code names no word of the pack
    pack.write_bytes(bytes(data))
    again = Segmenter(cache_dir=tmp_path)
    calls: list[str] = []
    spy(again, calls)
    assert again.cut_many(TEXTS) == expected
    assert calls  # segmented again


def test_unwritable_cache_warns_and_scores(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    seg = Segmenter(cache_dir=blocker)
    with caplog.at_level("WARNING", logger="analysis"):
        assert seg.cut_many(["网格员入户走访。"]) == [["网格员", "入户走访", "。"]]
    assert "could not write the token cache" in caplog.text


def test_repr_and_empty_cache() -> None:
    cache_ = TokenCache()
    found, keys = cache_.lookup(["", "社区"], frozenset(), str)
    assert found[0] is not None
    assert len(found[0]) == 0
    assert found[1] is None
    assert len(keys[1]) == 64
    assert "TokenCache(texts=0" in repr(cache_)


def test_memory_is_a_budget_in_bytes_not_a_count_of_texts() -> None:
    # more short texts than the 20,000 the cache once held: none is cut twice
    seg = Segmenter()
    texts = [f"第{i}条意见" for i in range(20_050)]
    calls: list[str] = []
    spy(seg, calls)
    seg.cut_many(texts[:10_000])
    seg.cut_many(texts)
    seg.cut_many(texts[::-1])
    assert len(calls) == len(set(calls)) == len(texts)


def test_texts_beyond_the_memory_budget_are_cut_again() -> None:
    seg = Segmenter(extra_words=["网格员"])
    words = seg.cut_many(TEXTS[:3])
    one = max(token_cache._cost(e[0]) for e in seg.token_cache._entries.values())
    seg = Segmenter(extra_words=["网格员"])
    seg.token_cache.memory = 2 * one  # room for two of the three texts
    calls: list[str] = []
    spy(seg, calls)
    assert seg.cut_many(TEXTS[:3]) == words
    assert seg.cut_many(TEXTS[:3]) == words
    assert len(seg.token_cache._entries) == 2
    assert seg.token_cache._held <= seg.token_cache.memory
    assert len(calls) == 4  # three texts, then the one left out
