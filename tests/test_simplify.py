"""Traditional characters are converted to simplified before cutting; offsets stay on the
original text."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from text_defaults import lexicon, segmenter

import analysis as an
from analysis.text.segment import Segmenter
from analysis.text.simplify import Simplifier

TRADITIONAL = "推行一站式服務，發展黨員三名。\n社區沒有開展一站式服務。"
SIMPLIFIED = "推行一站式服务，发展党员三名。\n社区没有开展一站式服务。"
CORPUS = Path(__file__).parent / "data" / "texts" / "corpus"


def frame(*texts: str) -> pd.DataFrame:
    return pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(texts))], "text": list(texts)})


COUNTS = ["dimension", "n_hits", "weighted_hits", "n_negated", "n_tokens", "score"]


@pytest.mark.parametrize("unit", ["document", "sentence"])
def test_traditional_passage_scores_like_its_simplified_twin(unit: str) -> None:
    out = an.score_texts(
        frame(TRADITIONAL, SIMPLIFIED), lexicon(), segmenter=segmenter(), unit=unit
    )
    trad = out.loc[out["doc_id"] == "d0", COUNTS].reset_index(drop=True)
    simp = out.loc[out["doc_id"] == "d1", COUNTS].reset_index(drop=True)
    pd.testing.assert_frame_equal(trad, simp)
    hits = simp.groupby("dimension")["n_hits"].sum()
    assert hits["reform"] == 2  # 一站式服务 twice
    assert hits["members"] == 1  # 发展党员, a phrase
    assert simp["n_negated"].sum() == 1  # 没有开展一站式服务


def test_default_segmenter_converts_too() -> None:
    out = an.score_texts(frame(TRADITIONAL)).set_index("dimension")
    assert out.loc["members", "n_hits"] == 1  # 發展黨員 read as 发展党员
    assert out.loc["reform", "n_negated"] == 1  # 沒有 read as 没有


def test_evidence_shows_the_original_characters_at_their_offsets() -> None:
    hits = an.explain(frame(TRADITIONAL), lexicon(), segmenter=segmenter())
    twin = an.explain(frame(SIMPLIFIED), lexicon(), segmenter=segmenter())
    cols = ["dimension", "term", "weight", "start", "end", "sentence_id", "negated"]
    pd.testing.assert_frame_equal(hits[cols], twin[cols])
    stop = hits.loc[hits["term"] == "一站式服务"]
    assert [TRADITIONAL[a:b] for a, b in zip(stop["start"], stop["end"], strict=True)] == [
        "一站式服務",
        "一站式服務",
    ]
    assert stop["context"].tolist() == [
        "推行【一站式服務】，發展黨員三名。",
        "社區沒有開展【一站式服務】。",
    ]
    assert stop["negated"].tolist() == [False, True]
    member = hits.loc[hits["dimension"] == "members"].iloc[0]
    assert member["term"] == "发展党员"
    assert TRADITIONAL[member["start"] : member["end"]] == "發展黨員"


def test_tokens_are_simplified_with_offsets_into_the_original() -> None:
    seg = segmenter()
    tokens = seg.tokens(TRADITIONAL)
    assert "".join(t.text for t in tokens) == SIMPLIFIED
    assert [t.text for t in tokens] == seg.cut(SIMPLIFIED)
    assert all(t.end - t.start == len(t.text) for t in tokens)
    assert tokens[1].text == "一站式服务"
    assert TRADITIONAL[tokens[1].start : tokens[1].end] == "一站式服務"


def test_switch_off() -> None:
    off = Segmenter.for_lexicon(lexicon(), to_simplified=False)
    assert off.fingerprint != segmenter().fingerprint
    assert off.base_fingerprint != segmenter().base_fingerprint
    assert "".join(off.cut(TRADITIONAL)) == TRADITIONAL
    out = an.score_texts(frame(TRADITIONAL), lexicon(), segmenter=off)
    assert out.set_index("dimension").loc["members", "n_hits"] == 0  # 發展黨員 unread
    terms = an.explain(frame(TRADITIONAL), lexicon(), segmenter=off)["term"].tolist()
    assert terms == ["一站式", "一站式"]  # what 一站式服務 holds in simplified script


def test_scoring_read_as_traditional_equals_converting_on_read() -> None:
    with pytest.warns(an.DataQualityWarning, match="quarantined"):
        raw = an.read_texts(CORPUS)
    with pytest.warns(an.DataQualityWarning, match="quarantined"):
        converted = an.read_texts(CORPUS, to_simplified=True)
    assert raw["text"].tolist() != converted["text"].tolist()
    a = an.score_texts(raw, lexicon(), segmenter=segmenter())
    b = an.score_texts(converted, lexicon(), segmenter=segmenter())
    pd.testing.assert_frame_equal(a[["doc_id", *COUNTS]], b[["doc_id", *COUNTS]])


class _LongerPhrases:
    """Stands in for OpenCC: converts like it, but one phrase comes out a character longer."""

    def __init__(self, real: object) -> None:
        self.real = real

    def convert(self, text: str) -> str:
        return self.real.convert(text).replace("发展", "发展了")  # type: ignore[attr-defined]


def test_a_conversion_that_changes_the_length_falls_back_to_characters() -> None:
    simplify = Simplifier()
    simplify.load()
    simplify._cc = _LongerPhrases(simplify._cc)
    assert simplify._cc.convert("發展黨員") == "发展了党员"
    assert simplify(TRADITIONAL) == SIMPLIFIED  # one character for one
    seg = Segmenter.for_lexicon(lexicon())
    seg._simplifier = simplify
    hits = an.explain(frame(TRADITIONAL), lexicon(), segmenter=seg)
    member = hits.loc[hits["dimension"] == "members"].iloc[0]
    assert TRADITIONAL[member["start"] : member["end"]] == "發展黨員"
    for token in seg.tokens(TRADITIONAL):
        assert simplify(TRADITIONAL[token.start : token.end]) == token.text


def test_simplified_text_is_not_converted() -> None:
    simplify = Simplifier()
    text = "全覆盖的网格化管理，什么都要管。"  # 覆 and 么 change only inside some phrases
    assert not simplify.may_change(text)
    assert simplify(text) is text
    assert simplify("") == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("反覆討論", "反复讨论"),  # 覆 changes only in this phrase
        ("瞭解民情", "了解民情"),
        ("乾淨的社區", "干净的社区"),  # OpenCC has two candidates for 乾: the first is taken
        ("乾隆", "乾隆"),  # a phrase kept as it is
    ],
)
def test_conversion_follows_opencc(text: str, expected: str) -> None:
    from opencc import OpenCC

    assert Simplifier()(text) == expected == OpenCC("t2s").convert(text)


def test_characters_beyond_the_bmp_are_converted() -> None:
    from opencc import OpenCC

    cc = OpenCC("t2s")
    cc.convert("")
    table = cc._dict_chain_data[0][1][2]  # TSCharacters: one character -> candidates
    astral = next(k for k, v in table.items() if k >= "\U00010000" and v.split(" ")[0] != k)
    text = f"社区{astral}"
    assert Simplifier().may_change(text)
    assert Simplifier()(text) == cc.convert(text) != text


def test_simplifier_pickles() -> None:
    import pickle

    simplify = Simplifier()
    simplify.load()
    assert pickle.loads(pickle.dumps(simplify))("服務") == "服务"


def test_suggested_terms_quote_the_text_as_written() -> None:
    from analysis.text.validate import suggest_terms

    texts = ["社區推行一站式服務，開通幫辦熱線。"] * 3 + ["社區開展文藝演出。"] * 3
    out = suggest_terms(frame(*texts), lexicon(), "reform", n=5, min_count=2)
    table = out.set_index("term")
    assert "开通" in table.index  # candidates are simplified words
    assert table.loc["开通", "example"] == "社區推行一站式服務，開通幫辦熱線。"
