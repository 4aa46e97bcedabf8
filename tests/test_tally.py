"""The vectorised counting of score_texts against the hit-by-hit reference rules.

:class:`analysis.text.tally.Tallier` must count exactly what :class:`analysis.text.matching.Matcher`
finds one hit at a time (the rules explain() shows). The reference below is the per-token
scorer score_texts used before counting was vectorised; hypothesis feeds both random token
streams built from terms, parts of multi-token expressions, words with terms inside,
negation cues, clause and sentence ends, whitespace, numbers and stopwords.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from analysis.text.lexicon import ContextRule, Lexicon
from analysis.text.matching import Matcher, unit_bounds
from analysis.text.segment import Segmenter
from analysis.text.tally import Tallier, merge


@cache
def setup(scope: str = "before") -> tuple[Lexicon, Segmenter, list[str]]:
    lex = Lexicon(
        name="t",
        version="1",
        terms={
            "reform": {"一站式服务": 1.0, "服务": 0.5},
            "development": {"发展": 1.0},
            "livelihood": {"养老": 1.0, "服务": 0.25},
            "masses": {"网格": 1.0, "红色议事厅": 2.0, "议事厅建设": 1.5, "议事": 0.5},
            "members": {"党员": 1.0},
        },
        # 党员尚未报到: a multi-token expression with a negation cue inside it
        phrases={
            "发展党员": "members",
            "发展和改革委员会": None,
            "发改委": None,
            "党员尚未报到": "members",
        },
        # 发展 … 党员 / 居民 within four words: members (the multi-token 发展党员 comes first)
        contexts=(ContextRule("发展", "members", ("党员", "居民"), within=4),),
        negation_cues=("不", "没有", "尚未"),
        negation_window=3,
        negation_scope=scope,
    )
    # no domain dictionary, no lexicon words, no HMM: several expressions come out as
    # more than one token, so multi-token matching is exercised
    seg = Segmenter(domain_dict=False, hmm=False)
    parts = [p for expr in lex.entries() for p in seg.cut(expr)]
    vocab = [
        *lex.entries(),
        *parts,
        "网格化管理服务站",  # terms inside a word
        "养老服务中心",
        "发改委员",
        "不",
        "没有",
        "尚未",
        "，",
        "。",
        "！",
        "…",
        "……",
        "?!",
        "、",
        "\n",
        "\n\n",
        " ",
        "的",
        "2024",
        "天气",
        "很好",
        "居民",
    ]
    return lex, seg, list(dict.fromkeys(vocab))


def token_lists():
    return st.lists(st.lists(st.sampled_from(setup()[2]), max_size=40), max_size=5)


def reference_units(words: list[str], unit: str) -> list[tuple[int, int]]:
    """Token ranges of the units, one token at a time (what unit_bounds must return)."""
    if unit == "document":
        return [(0, len(words))]
    bounds, a = [], 0
    for i, w in enumerate(words):
        if "\n" in w or (unit == "sentence" and w in "。！？!?…" and len(w) == 1):
            bounds.append((a, i + 1))
            a = i + 1
    if a < len(words):
        bounds.append((a, len(words)))
    return [(a, b) for a, b in bounds if any(w.strip() for w in words[a:b])]


def reference(words: list[str], matcher: Matcher, seg: Segmenter, unit: str, dims: list[str]):
    """Per unit: (unit id, counts, weights, negated, content tokens), hit by hit."""
    pos = {d: k for k, d in enumerate(dims)}
    cues: list[int] = []
    hits = matcher.hits(words, cue_positions=cues)
    bounds = reference_units(words, unit)
    out, h = [], 0
    for u, (a, b) in enumerate(bounds, start=1):
        counts, weights, negated = [0] * len(dims), [0.0] * len(dims), [0] * len(dims)
        while h < len(hits) and hits[h].token < b:
            hit = hits[h]
            neg = matcher.negated(words, hit, cues) if hit.entries else False
            for dim, w in hit.entries:
                counts[pos[dim]] += 1
                weights[pos[dim]] += w
                negated[pos[dim]] += neg
            h += 1
        out.append((u, counts, weights, negated, seg.count_content(words[a:b])))
    return out


@settings(max_examples=150, deadline=None)
@given(docs=token_lists(), unit=st.sampled_from(["document", "paragraph", "sentence"]))
def test_unit_bounds(docs: list[list[str]], unit: str) -> None:
    for words in docs:
        assert unit_bounds(words, unit) == reference_units(words, unit)


def check(docs: list[list[str]], unit: str, scope: str = "before") -> None:
    lex, seg, _ = setup(scope)
    dims = list(lex.framework.ids)
    matcher = Matcher(lex, seg)
    got = Tallier(lex, seg, unit).tally(docs)
    expected = [
        (d, *row)
        for d, words in enumerate(docs)
        for row in reference(words, matcher, seg, unit, dims)
    ]
    assert got.doc.tolist() == [e[0] for e in expected]
    assert got.unit_id.tolist() == [e[1] for e in expected]
    assert got.counts.tolist() == [e[2] for e in expected]
    assert_allclose(got.weights, np.array([e[3] for e in expected]).reshape(-1, len(dims)))
    assert got.negated.tolist() == [e[4] for e in expected]
    assert got.n_tokens.tolist() == [e[5] for e in expected]
    for d, words in enumerate(docs):  # token ends, as the segmenter's cache stores them
        ends = list(np.cumsum([len(w) for w in words]))
        assert list(got.doc_ends(d)) == ends


@settings(max_examples=200, deadline=None)
@given(
    docs=token_lists(),
    unit=st.sampled_from(["document", "paragraph", "sentence"]),
    scope=st.sampled_from(["before", "both"]),
)
def test_tally_counts_what_the_matcher_finds(docs: list[list[str]], unit: str, scope: str) -> None:
    check(docs, unit, scope)


def test_multi_token_expressions_are_exercised() -> None:
    lex, seg, _ = setup()
    assert Matcher(lex, seg).multi, "the test lexicon should have multi-token expressions"
    red, hall = seg.cut("红色议事厅")
    one_stop = seg.cut("一站式服务")
    assert seg.cut("议事厅建设")[0] == hall
    assert len(one_stop) == 2
    # overlapping expressions: the first consumes the tokens the second would start on
    check([[red, hall, "建设", "。", hall, "建设"]], "document")
    # an expression cut by the end of a document does not run into the next one
    check([["不", one_stop[0]], [one_stop[1], "。"], [*one_stop]], "document")
    # a blocking phrase consumes its tokens and counts nothing
    check([[*seg.cut("发展和改革委员会"), "，", "不", red, hall, "。"]], "sentence")
    # a cue after a multi-token expression is counted from its last token, and a cue
    # inside one negates nothing
    for scope in ("before", "both"):
        check([seg.cut("党员尚未报到"), ["居民", *seg.cut("党员尚未报到")]], "document", scope)
        check(
            [[red, hall, "党员", "居民", "尚未"], [*one_stop, "尚未", "，", "不"]],
            "document",
            scope,
        )


def test_cue_in_another_document_does_not_negate() -> None:
    for scope in ("before", "both"):
        check([["不"], ["党员"], ["不"]], "document", scope)
        tally = Tallier(*setup(scope)[:2], "document").tally([["不"], ["党员"], ["不"]])
        assert tally.negated.sum() == 0
        assert tally.counts.sum() == 1


@pytest.mark.parametrize(
    ("words", "before", "both"),
    [
        (["党员", "尚未", "参加"], 0, 1),  # the cue follows the term
        (["没有", "党员"], 1, 1),
        (["党员", "，", "没有"], 0, 0),  # a clause end closes the window
        (["党员", "居民", "居民", "居民", "没有"], 0, 0),  # three tokens between: window 3
        (["党员", "居民", "居民", "没有"], 0, 1),
        (["党员", " ", "\u3000", "居民", "居民", "没有"], 0, 1),  # whitespace is not counted
    ],
)
def test_negation_scope(words: list[str], before: int, both: int) -> None:
    for scope, expected in (("before", before), ("both", both)):
        check([words], "document", scope)
        tally = Tallier(*setup(scope)[:2], "document").tally([words])
        assert tally.negated.sum() == expected, scope


def test_merge_orders_units_by_corpus_position() -> None:
    lex, seg, _ = setup()
    tallier = Tallier(lex, seg, "sentence")
    docs = [["党员", "。", "网格"], ["养老"], [], ["发展", "。", "\n", "服务"]]
    whole = tallier.tally(docs)
    parts = [tallier.tally([docs[3], docs[0]]), tallier.tally([docs[2], docs[1]])]
    merged = merge(parts, [np.array([3, 0]), np.array([2, 1])])
    for field in ("doc", "unit_id", "counts", "weights", "negated", "n_tokens"):
        assert getattr(merged, field).tolist() == getattr(whole, field).tolist(), field


def brute_force_inside(word: str, entries: dict) -> list[tuple[int, str]]:
    """At each position the longest expression that starts there, then skip past it."""
    lengths = sorted({len(e) for e in entries}, reverse=True)
    found, i = [], 0
    while i < len(word):
        for n in lengths:
            if word[i : i + n] in entries and i + n <= len(word):
                found.append((i, word[i : i + n]))
                i += n
                break
        else:
            i += 1
    return found


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "网格",
                "化",
                "管理",
                "服务",
                "站",
                "养老",
                "一站式",
                "发展",
                "党员",
                "发改委",
                "员",
                "和",
                "议事厅",
            ]
        ),
        max_size=8,
    )
)
def test_terms_inside_a_word_longest_first_without_overlap(pieces: list[str]) -> None:
    lex, seg, _ = setup()
    matcher = Matcher(lex, seg)
    word = "".join(pieces)
    assert matcher.terms_in(word) == brute_force_inside(word, matcher.entries)


def test_context_rules_retarget_a_term_by_what_follows() -> None:
    lex, seg, _ = setup()
    matcher = Matcher(lex, seg)

    def dims(words: list[str]) -> list[tuple[str, tuple]]:
        return [(h.term, h.entries) for h in matcher.hits(words)]

    members, development = (("members", 1.0),), (("development", 1.0),)
    assert dims(["发展", "了", "3", "名", "党员"])[0] == ("发展", members)
    assert dims(["发展", " ", "了", "3", "名", "居民"])[0] == ("发展", members)  # spaces free
    assert dims(["发展", "了", "3", "名", "的", "党员"])[0] == ("发展", development)  # too far
    assert dims(["发展", "，", "党员"])[0] == ("发展", development)  # another clause
    assert dims(["发展", "\n", "党员"])[0] == ("发展", development)
    for words in (
        ["发展", "了", "3", "名", "党员"],
        ["发展", "了", "3", "名", "的", "党员"],
        ["发展", "，", "党员", "发展", "居民"],
        ["发展"],
    ):
        check([words, ["发展"], ["党员", "发展", "的", "居民"]], "sentence")
