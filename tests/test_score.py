"""Tests of score_texts, explain and top_terms."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from text_defaults import lexicon, segmenter

import analysis as an
from analysis.core.errors import ConfigError, InputError
from analysis.text.lexicon import Lexicon
from analysis.text.score import top_terms
from analysis.text.segment import Segmenter

LEX = Path(__file__).parent / "data" / "texts" / "lexicons"
DIMS = list(an.SERVICE_FIVE.ids)


def score(texts: list[str], **kw) -> pd.DataFrame:
    docs = pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(texts))], "text": texts})
    return an.score_texts(docs, lexicon(), segmenter=segmenter(), **kw)


def hits_of(frame: pd.DataFrame, doc: str = "d0", col: str = "n_hits") -> dict[str, float]:
    return frame.loc[frame["doc_id"] == doc].set_index("dimension")[col].to_dict()


def test_columns_order_and_zeros() -> None:
    out = score(["推行一站式服务。", "今天天气很好。"])
    assert out.columns.tolist() == [
        "doc_id",
        "dimension",
        "n_hits",
        "weighted_hits",
        "n_negated",
        "n_tokens",
        "score",
        "share",
        "lexicon",
        "lexicon_version",
        "dict_fingerprint",
    ]
    assert out["dimension"].tolist() == DIMS * 2
    assert hits_of(out, "d1") == dict.fromkeys(DIMS, 0)
    assert out.loc[out["doc_id"] == "d1", "share"].isna().all()
    assert set(out["lexicon"]) == {"service-five"}
    assert set(out["lexicon_version"]) == {"2.9"}
    assert set(out["dict_fingerprint"]) == {segmenter().fingerprint}


def test_score_is_weighted_hits_per_thousand_content_tokens() -> None:
    text = "社区党委推行一站式服务，网格员入户走访，党员参加三会一课。"
    out = score([text])
    seg = segmenter()
    n_content = sum(seg.is_content(w) for w in seg.cut(text))
    assert (out["n_tokens"] == n_content).all()
    # hand count: reform 一站式服务; masses 网格员, 入户走访; members 党委 (0.5), 党员 (0.5),
    # 三会一课
    assert hits_of(out) == {
        "reform": 1,
        "development": 0,
        "livelihood": 0,
        "masses": 2,
        "members": 3,
    }
    # weights as the lexicon gives them (its hand weights calibrated, lexicon 2.9)
    w = an.default_lexicon().terms
    weighted = np.array(
        [
            w["reform"]["一站式服务"],
            0,
            0,
            w["masses"]["网格员"] + w["masses"]["入户走访"],
            w["members"]["党委"] + w["members"]["党员"] + w["members"]["三会一课"],
        ]
    )
    assert_allclose(out["weighted_hits"], weighted)
    assert_allclose(out["score"], weighted / n_content * 1000)
    assert_allclose(out["share"], weighted / weighted.sum())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("今年发展党员两名。", {"members": 1}),
        ("推动经济发展。", {"development": 1}),
        ("区发展和改革委员会来社区调研。", {}),
        ("改革开放以来，城市面貌变化很大。", {}),
        ("坚持服务发展，壮大集体经济。", {"development": 2}),
        ("社区党群服务中心开展主题党日活动。", {"members": 1}),
    ],
    ids=[
        "recruit-is-members",
        "economy-is-development",
        "office-name-blocked",
        "historic-formula-blocked",
        "phrase-and-term",
        "term-inside-longer-word",
    ],
)
def test_polysemy_and_longest_match(text: str, expected: dict[str, int]) -> None:
    got = {d: n for d, n in hits_of(score([text])).items() if n}
    assert got == expected


def test_term_in_two_dimensions_counts_in_both() -> None:
    lex = an.load_lexicon(LEX / "good.yaml")
    docs = pd.DataFrame({"doc_id": ["a"], "text": ["党员积极参加志愿服务。"]})
    out = an.score_texts(docs, lex)
    w = out.set_index("dimension")["weighted_hits"]
    assert_allclose([w["masses"], w["members"]], [0.5, 0.5 + 0.5])


@pytest.mark.parametrize(
    ("text", "negated"),
    [
        ("社区没有开展一站式服务。", 1),
        ("不断完善一站式服务。", 0),
        ("没有问题，推行一站式服务。", 0),
        ("社区尚未真正全面系统推行一站式服务。", 0),
        ("社区尚未推行一站式服务。", 1),
    ],
    ids=["cue-before", "budaun-is-not-a-cue", "other-clause", "beyond-window", "within-window"],
)
def test_negation(text: str, negated: int) -> None:
    out = score([text])
    assert hits_of(out)["reform"] == 1  # counted either way, never subtracted
    assert hits_of(out, col="n_negated")["reform"] == negated


@pytest.mark.parametrize(
    ("text", "before", "both"),
    [
        ("一站式服务尚未建立。", 0, 1),
        ("社区没有开展一站式服务。", 1, 1),
        ("一站式服务已经建立，没有问题。", 0, 0),
        ("一站式服务让居民不用跑腿。", 0, 0),
    ],
    ids=["cue-after", "cue-before", "other-clause", "buyong-is-not-a-cue"],
)
def test_negation_scope_both_looks_after_the_term(text: str, before: int, both: int) -> None:
    import dataclasses

    docs = pd.DataFrame({"doc_id": ["d0"], "text": [text]})
    for scope, expected in (("before", before), ("both", both)):
        lex = dataclasses.replace(lexicon(), negation_scope=scope)
        got = an.score_texts(docs, lex, segmenter=segmenter())
        assert hits_of(got, col="n_negated")["reform"] == expected, scope
        hits = an.explain(docs, lex, segmenter=segmenter())
        assert hits.loc[hits["dimension"] == "reform", "negated"].sum() == expected, scope
    assert lexicon().negation_scope == "both"  # the default lexicon looks both ways (1.1)


def test_units_partition_the_document() -> None:
    text = "推行一站式服务。网格员入户走访！\n发展党员两名；开展三会一课。"
    doc = score([text])
    sent = score([text], unit="sentence")
    para = score([text], unit="paragraph")
    assert sent.columns.tolist()[:3] == ["doc_id", "unit_id", "dimension"]
    assert sorted(set(sent["unit_id"])) == [1, 2, 3]  # ； ends a clause, not a sentence
    assert sorted(set(para["unit_id"])) == [1, 2]
    for part in (sent, para):
        summed = part.groupby("dimension", sort=False)[["n_hits", "weighted_hits"]].sum()
        assert_allclose(
            summed.loc[DIMS].to_numpy(),
            doc.set_index("dimension").loc[DIMS, ["n_hits", "weighted_hits"]].to_numpy(),
        )
        assert part.drop_duplicates("unit_id")["n_tokens"].sum() == doc["n_tokens"].iloc[0]


def test_group_columns_carried_with_dtype() -> None:
    docs = pd.DataFrame(
        {
            "doc_id": ["a", "b"],
            "text": ["推行一站式服务", "发展党员"],
            "community": ["东湖社区", "桂花社区"],
            "year": [2023, 2024],
        }
    )
    out = an.score_texts(docs, lexicon(), segmenter=segmenter(), group=["community", "year"])
    assert out.columns.tolist()[:3] == ["doc_id", "community", "year"]
    assert out["year"].dtype == docs["year"].dtype
    assert out.loc[out["doc_id"] == "b", "community"].unique().tolist() == ["桂花社区"]


def test_multi_token_expression_without_lexicon_words() -> None:
    lex = Lexicon(name="t", version="1", terms={"masses": {"红色议事厅": 1.0}})
    seg = Segmenter(domain_dict=False, hmm=False)
    assert len(seg.cut("红色议事厅")) > 1
    docs = pd.DataFrame({"doc_id": ["a"], "text": ["设立红色议事厅。"]})
    assert hits_of(an.score_texts(docs, lex, segmenter=seg), "a")["masses"] == 1
    hits = an.explain(docs, lex, segmenter=seg)
    assert hits[["term", "start", "end"]].iloc[0].tolist() == ["红色议事厅", 2, 7]


def test_bad_inputs() -> None:
    with pytest.raises(InputError, match="lacks column"):
        an.score_texts(pd.DataFrame({"doc_id": ["a"]}), lexicon(), segmenter=segmenter())
    docs = pd.DataFrame({"doc_id": ["a", "a"], "text": ["x", "y"]})
    with pytest.raises(InputError, match="doc_id 'a' occurs more than once"):
        an.score_texts(docs, lexicon(), segmenter=segmenter())
    docs = pd.DataFrame({"doc_id": ["a"], "text": ["x"]})
    with pytest.raises(InputError, match="group column"):
        an.score_texts(docs, lexicon(), segmenter=segmenter(), group="community")
    with pytest.raises(ConfigError, match="'unit' parameter of score_texts"):
        an.score_texts(docs, lexicon(), segmenter=segmenter(), unit="word")  # type: ignore[arg-type]


def test_empty_text_scores_nan_not_error() -> None:
    out = score([""])
    assert (out["n_tokens"] == 0).all()
    assert out["score"].isna().all()


def test_does_not_mutate_docs() -> None:
    docs = pd.DataFrame({"doc_id": ["a"], "text": ["推行一站式服务"], "community": ["x"]})
    before = docs.copy()
    an.score_texts(docs, lexicon(), segmenter=segmenter(), group="community")
    an.explain(docs, lexicon(), segmenter=segmenter())
    pd.testing.assert_frame_equal(docs, before)


# --------------------------------------------------------------------------- explain


def test_explain_offsets_context_and_agreement_with_scores() -> None:
    texts = ["社区没有开展一站式服务。网格员入户走访，党员参加三会一课。", "推动经济发展。"]
    docs = pd.DataFrame({"doc_id": ["a", "b"], "text": texts, "community": ["东湖", "桂花"]})
    hits = an.explain(docs, lexicon(), segmenter=segmenter(), context=4, group="community")
    assert hits.columns.tolist() == [
        "doc_id",
        "community",
        "dimension",
        "term",
        "weight",
        "start",
        "end",
        "sentence_id",
        "negated",
        "context",
    ]
    for row in hits.itertuples():
        text = texts[0 if row.doc_id == "a" else 1]
        assert text[row.start : row.end] == row.term
        assert f"【{row.term}】" in row.context
    first = hits.iloc[0]
    assert first["term"] == "一站式服务"
    assert bool(first["negated"])
    assert first["context"] == "没有开展【一站式服务】。"
    assert hits.loc[hits["term"] == "网格员", "context"].item() == "【网格员】入户走访"
    assert hits.loc[hits["term"] == "网格员", "sentence_id"].item() == 2
    scores = an.score_texts(docs, lexicon(), segmenter=segmenter())
    counted = hits.groupby(["doc_id", "dimension"]).size()
    expected = scores.loc[scores["n_hits"] > 0].set_index(["doc_id", "dimension"])["n_hits"]
    assert counted.sort_index().to_dict() == expected.sort_index().to_dict()


def test_explain_gives_each_copy_of_a_text_the_rows_of_the_text_alone() -> None:
    # a distinct text is matched once and its rows copied: every document must get exactly
    # the rows it gets on its own, in document order
    a, b = "社区没有开展一站式服务。网格员入户走访。", "推动经济发展，党员参加三会一课。"
    texts = [a, b, a, "", None, b, a]
    docs = pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(texts))], "text": texts})
    docs["community"] = ["东湖", "桂花", "桂花", "东湖", "东湖", "东湖", "桂花"]
    together = an.explain(docs, lexicon(), segmenter=segmenter(), group="community")
    alone = pd.concat(
        [
            an.explain(docs.iloc[[i]], lexicon(), segmenter=segmenter(), group="community")
            for i in range(len(texts))
        ],
        ignore_index=True,
    )
    pd.testing.assert_frame_equal(together, alone, check_exact=True)
    assert together["doc_id"].tolist().count("d6") == together["doc_id"].tolist().count("d0")


def test_explain_no_hits_gives_empty_typed_frame() -> None:
    docs = pd.DataFrame({"doc_id": ["a"], "text": ["今天天气很好。"]})
    hits = an.explain(docs, lexicon(), segmenter=segmenter())
    assert hits.empty
    assert hits["start"].dtype == "int64"


def test_top_terms_per_community() -> None:
    docs = pd.DataFrame(
        {
            "doc_id": ["a", "b", "c"],
            "text": [
                "网格员走访。网格员巡查。志愿者服务。",
                "网格员上门。",
                "志愿者服务。志愿者值班。",
            ],
            "community": ["东湖", "东湖", "桂花"],
        }
    )
    hits = an.explain(docs, lexicon(), segmenter=segmenter(), group=["community"])
    assert "community" not in an.explain(docs, lexicon(), segmenter=segmenter()).columns
    top = top_terms(hits, by="community", n=1)
    assert top.columns.tolist() == [
        "community",
        "dimension",
        "rank",
        "term",
        "n_hits",
        "weighted_hits",
        "n_docs",
        "n_negated",
    ]
    east = top.loc[(top["community"] == "东湖") & (top["dimension"] == "masses")]
    assert east[["term", "n_hits", "n_docs"]].iloc[0].tolist() == ["网格员", 3, 2]
    west = top.loc[(top["community"] == "桂花") & (top["dimension"] == "masses")]
    assert west[["term", "n_hits"]].iloc[0].tolist() == ["志愿者", 2]
    with pytest.raises(InputError, match="lacks column"):
        top_terms(hits, by="district")


# --------------------------------------------------------------------------- properties

FILLER = [
    c
    for c in "天地玄黄宇宙洪荒日月盈昃辰宿列张寒来暑往秋收冬藏闰余成岁律吕调阳云腾致雨露结为霜"
    "金生丽水玉出昆冈剑号巨阙珠称夜光果珍李柰菜重芥姜海咸河淡鳞潜羽翔"
    if not any(c in term for term in an.default_lexicon().entries())
]
BASE = [
    "社区推行一站式服务，网格员入户走访。",
    "发展党员两名，开展三会一课。",
    "推动经济发展，建设养老服务中心。",
]


@settings(max_examples=40, deadline=None)
@given(
    filler=st.lists(
        st.text(alphabet=[*FILLER, "，"], min_size=1, max_size=30), min_size=1, max_size=3
    ),
    base=st.sampled_from(BASE),
)
def test_adding_text_without_terms_changes_no_hit_count(filler: list[str], base: str) -> None:
    before = score([base])
    after = score([base + "\n" + "。".join(filler) + "。"])
    assert after["n_hits"].tolist() == before["n_hits"].tolist()
    assert_allclose(after["weighted_hits"], before["weighted_hits"])
    assert after["n_negated"].tolist() == before["n_negated"].tolist()


@settings(max_examples=25, deadline=None)
@given(st.permutations(list(range(6))))
def test_shuffling_documents_changes_no_score(order: list[int]) -> None:
    texts = [*BASE, "今天天气很好。", "社区没有开展一站式服务。", "党员志愿者服务群众。"]
    docs = pd.DataFrame({"doc_id": [f"d{i}" for i in range(6)], "text": texts})
    ref = an.score_texts(docs, lexicon(), segmenter=segmenter())
    shuffled = an.score_texts(docs.iloc[order], lexicon(), segmenter=segmenter())
    key = ["doc_id", "dimension"]
    a = ref.sort_values(key).reset_index(drop=True)
    b = shuffled.sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)


def test_demo_corpus_scores_every_document() -> None:
    demo = Path(__file__).resolve().parents[1] / "data" / "raw" / "demo"
    if not (demo / "texts.csv").is_file():
        pytest.skip("demo corpus not present")
    docs = an.read_texts(demo / "texts", metadata=demo / "texts.csv")
    out = an.score_texts(docs, group=["community"])
    assert len(out) == len(docs) * 5
    assert (out.groupby("doc_id")["n_hits"].sum() > 0).all()


@pytest.mark.parametrize("start_method", ["fork", "spawn"])
def test_parallel_scoring_equals_serial(start_method: str) -> None:
    import multiprocessing

    if start_method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"{start_method} not available here")
    texts = [f"第{i}网格推行一站式服务，没有落实三会一课。\n发展党员{i}名。" for i in range(10)]
    docs = pd.DataFrame({"doc_id": [f"d{i}" for i in range(10)], "text": texts})
    serial = an.score_texts(docs, lexicon(), segmenter=segmenter(), unit="sentence")
    seg = Segmenter.for_lexicon(lexicon())
    seg._start_method = start_method
    par = an.score_texts(docs, lexicon(), segmenter=seg, unit="sentence", jobs=2)
    pd.testing.assert_frame_equal(par, serial)
    # the workers' tokens are remembered: explain afterwards does not segment again
    seg._segment_missing = None  # would raise if called
    assert len(an.explain(docs, lexicon(), segmenter=seg)) == serial["n_hits"].sum()


def test_lexicon_pickles() -> None:
    import pickle

    lex = lexicon()
    clone = pickle.loads(pickle.dumps(lex))
    assert clone == lex
    assert clone.entries() == lex.entries()


def test_missing_text_scores_like_empty() -> None:
    docs = pd.DataFrame({"doc_id": ["a", "b"], "text": [None, "推行一站式服务"]})
    out = an.score_texts(docs, lexicon(), segmenter=segmenter())
    assert (out.loc[out["doc_id"] == "a", "n_tokens"] == 0).all()
    assert hits_of(out, "b")["reform"] == 1
    assert an.explain(docs, lexicon(), segmenter=segmenter())["doc_id"].tolist() == ["b"]


def test_parallel_scoring_with_some_documents_cached(tmp_path: Path) -> None:
    texts = [f"第{i}网格推行一站式服务，没有落实三会一课。\n发展党员{i}名。" for i in range(10)]
    texts += [texts[1], texts[8]]  # repeats: each cut once, counted for both documents
    docs = pd.DataFrame({"doc_id": [f"d{i}" for i in range(12)], "text": texts})
    serial = an.score_texts(docs, lexicon(), segmenter=segmenter(), unit="paragraph")
    seg = Segmenter.for_lexicon(lexicon(), cache_dir=tmp_path)
    an.score_texts(docs.iloc[3:7], lexicon(), segmenter=seg)  # these four are cached now
    par = an.score_texts(docs, lexicon(), segmenter=seg, unit="paragraph", jobs=2)
    pd.testing.assert_frame_equal(par, serial)
    # the workers wrote their tokens to the disk cache: a new segmenter segments nothing
    fresh = Segmenter.for_lexicon(lexicon(), cache_dir=tmp_path)
    fresh._segment_missing = None  # would raise if called
    again = an.score_texts(docs, lexicon(), segmenter=fresh, unit="paragraph", jobs=2)
    pd.testing.assert_frame_equal(again, serial)


def test_top_terms_works_on_explain_as_documented_with_or_without_groups():
    import pandas as pd

    docs = pd.DataFrame(
        {
            "doc_id": ["a", "b"],
            "community": ["甲", "乙"],
            "text": ["推行一站式服务，一站式服务大厅。", "发展党员三名，一站式服务。"],
        }
    )
    lex = an.default_lexicon()
    corpus = an.top_terms(an.explain(docs, lexicon=lex))
    assert "community" not in corpus.columns
    assert corpus.loc[corpus["term"] == "一站式服务", "n_hits"].item() == 3
    grouped = an.top_terms(an.explain(docs, lexicon=lex, group="community"))
    assert set(grouped["community"]) == {"甲", "乙"}
    with pytest.raises(an.InputError, match="community"):
        an.top_terms(an.explain(docs, lexicon=lex), by="community")
