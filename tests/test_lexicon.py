"""Tests of lexicon loading, validation and the default lexicon."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import analysis as an
from analysis.core.errors import ConfigError, InputError, LexiconError
from analysis.text.lexicon import Lexicon, lexicon_from_terms
from analysis.text.segment import Segmenter

LEX = Path(__file__).parent / "data" / "texts" / "lexicons"


def test_yaml_lexicon_fields() -> None:
    lex = an.load_lexicon(LEX / "good.yaml")
    assert (lex.name, lex.version) == ("test-lexicon", "0.3")
    assert lex.dimensions == ("reform", "development", "livelihood", "masses", "members")
    assert dict(lex.terms["development"]) == {"集体经济": 1.0, "发展": 0.5}
    assert dict(lex.terms["livelihood"]) == {"养老服务": 1.0, "就业": 1.0}  # list shorthand
    assert lex.terms["masses"]["志愿服务"] == 0.5
    assert lex.terms["members"]["志愿服务"] == 0.5
    assert dict(lex.phrases) == {"发改委": None, "服务发展": "development"}
    assert lex.negation_cues == ("不", "没有", "未")
    assert lex.negation_window == 3
    assert lex.rationale["reform"] == "办事流程的改革"
    assert lex.path is not None
    assert lex.path.endswith("good.yaml")


def test_entries_words_and_frame() -> None:
    lex = an.load_lexicon(LEX / "good.yaml")
    entries = lex.entries()
    assert entries["志愿服务"] == (("masses", 0.5), ("members", 0.5))
    assert entries["发改委"] == ()
    assert "不" in lex.words()
    assert "三会一课" in lex.words()
    frame = lex.to_frame()
    assert frame.columns.tolist() == ["term", "dimension", "weight", "kind"]
    assert len(frame) == sum(len(t) for t in lex.terms.values()) + len(lex.phrases)


def test_lexicon_is_immutable() -> None:
    lex = an.load_lexicon(LEX / "good.yaml")
    with pytest.raises(TypeError):
        lex.terms["reform"]["新词"] = 1.0  # type: ignore[index]
    with pytest.raises(AttributeError):
        lex.name = "x"  # type: ignore[misc]


def test_bad_yaml_collects_every_problem_with_lines() -> None:
    with pytest.raises(LexiconError, match=r"5 lexicon problems in bad\.yaml") as info:
        an.load_lexicon(LEX / "bad.yaml")
    msg = str(info.value)
    assert "bad.yaml, line 5, column 'reform': got '最多 跑一次'; contains spaces" in msg
    assert "bad.yaml, line 6: got 'economy'; unknown dimension" in msg
    assert "bad.yaml, line 10, column 'livelihood': got '就业'; weight given for a term" in msg
    assert "line 12: got '网格员'; listed in several dimensions (livelihood (line 9)" in msg
    assert "line 13: got 0; window must be a positive whole number" in msg
    problems = info.value.problems
    assert problems.columns.tolist() == ["file", "row", "column", "value", "problem"]
    assert problems["row"].tolist() == [5, 6, 10, 12, 13]


def test_invalid_yaml_gives_line() -> None:
    with pytest.raises(LexiconError, match=r"invalid\.yaml, line 3: '\[' is not closed"):
        an.load_lexicon(LEX / "invalid.yaml")


def test_liwc_dic() -> None:
    lex = an.load_lexicon(LEX / "good.dic")
    assert dict(lex.terms["reform"]) == {"一站式服务": 1.0}  # category given as 服务改革
    assert set(lex.terms["members"]) == {"三会一课", "党员"}
    assert lex.name == "good"


def test_bad_dic_lines() -> None:
    with pytest.raises(LexiconError) as info:
        an.load_lexicon(LEX / "bad.dic")
    msg = str(info.value)
    assert "bad.dic, line 3: got 'party'; unknown dimension" in msg
    assert "bad.dic, line 7: got '党建*'; wildcards are not supported" in msg


def test_csv_with_labels_and_weights() -> None:
    lex = an.load_lexicon(LEX / "good.csv")
    assert dict(lex.terms["masses"]) == {"网格员": 1.0}  # dimension given as 服务群众
    assert dict(lex.terms["members"]) == {"党员": 0.5}


def test_bad_csv_lines() -> None:
    with pytest.raises(LexiconError) as info:
        an.load_lexicon(LEX / "bad.csv")
    msg = str(info.value)
    assert "bad.csv, line 3, column 'dimension': got 'grid'; unknown dimension" in msg
    assert "bad.csv, line 5: got '党员'; listed in several dimensions" in msg


def test_missing_and_unsupported_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="lexicon file not found"):
        an.load_lexicon(tmp_path / "none.yaml")
    (tmp_path / "lex.json").write_text("{}", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"lex\.json: unsupported lexicon format '\.json'"):
        an.load_lexicon(tmp_path / "lex.json")


def test_unknown_keys_and_missing_dimensions(tmp_path: Path) -> None:
    path = tmp_path / "lex.yaml"
    path.write_text("name: x\nterms: [a]\n", encoding="utf-8")
    with pytest.raises(LexiconError) as info:
        an.load_lexicon(path)
    assert "lex.yaml, line 2: got 'terms'; unknown key" in str(info.value)
    assert "needs 'dimensions'" in str(info.value)


def test_check_reports_terms_the_segmenter_splits() -> None:
    lex = lexicon_from_terms({"masses": ["网格员", "居民议事小红花"]}, name="t")
    plain = Segmenter(hmm=False)  # without the lexicon's words the new term is cut apart
    with pytest.raises(LexiconError, match="got '居民议事小红花'; the segmenter cuts it into"):
        lex.check(plain)
    lex.check(Segmenter.for_lexicon(lex, hmm=False))


def test_load_with_segmenter_checks_terms() -> None:
    lex = an.load_lexicon(LEX / "good.yaml", segmenter=Segmenter(hmm=False))
    assert lex.name == "test-lexicon"


def test_custom_framework_in_yaml(tmp_path: Path) -> None:
    path = tmp_path / "lex.yaml"
    path.write_text(
        "name: two\nversion: '1'\n"
        "framework: {name: two, dimensions: [{id: safety, label_zh: 平安}, {id: green}]}\n"
        "dimensions:\n  平安: [消防安全]\n  green: [垃圾分类]\n",
        encoding="utf-8",
    )
    lex = an.load_lexicon(path)
    assert lex.dimensions == ("safety", "green")
    assert dict(lex.terms["safety"]) == {"消防安全": 1.0}


# --------------------------------------------------------------------------- default lexicon


@pytest.fixture(scope="module")
def default() -> Lexicon:
    return an.default_lexicon()


def test_default_lexicon_is_versioned_with_rationales(default: Lexicon) -> None:
    assert default.name == "service-five"
    assert default.version == "2.9"
    assert default.framework is an.SERVICE_FIVE
    for dim in default.dimensions:
        assert len(default.terms[dim]) >= 40, dim
        assert len(default.rationale[dim]) > 50, dim
    assert default.negation_cues
    assert default.negation_window > 0


def test_default_lexicon_settles_polysemy(default: Lexicon) -> None:
    assert default.phrases["发展党员"] == "members"
    assert "发展党员" in default.terms["members"]
    assert default.phrases["改革开放"] is None


def test_default_lexicon_terms_are_single_tokens(default: Lexicon) -> None:
    default.check(Segmenter.for_lexicon(default))


def test_default_lexicon_summary(default: Lexicon) -> None:
    summary = default.summary()
    assert summary["dimension"].tolist() == list(an.SERVICE_FIVE.ids)
    assert summary["label"].tolist() == ["服务改革", "服务发展", "服务民生", "服务群众", "服务党员"]


# a one-dimension lexicon file, to which a test adds the section it checks
ONE_DIMENSION = "name: t\nversion: '1'\ndimensions:\n  reform: {terms: [一站式服务]}\n"


def _lexicon_problems(tmp_path: Path, section: str) -> str:
    """The message of the LexiconError that ``bad.yaml`` (one dimension plus ``section``) raises."""
    path = tmp_path / "bad.yaml"
    path.write_text(ONE_DIMENSION + section, encoding="utf-8")
    with pytest.raises(LexiconError) as info:
        an.load_lexicon(path)
    return str(info.value)


def test_negation_scope_from_yaml(tmp_path: Path) -> None:
    text = ONE_DIMENSION
    path = tmp_path / "both.yaml"
    path.write_text(text + "negation: {cues: [尚未], window: 3, scope: both}\n", encoding="utf-8")
    lex = an.load_lexicon(path)
    assert (lex.negation_scope, lex.negation_window) == ("both", 3)
    path.write_text(text + "negation: {cues: [尚未]}\n", encoding="utf-8")
    assert an.load_lexicon(path).negation_scope == "before"


def test_negation_scope_and_keys_are_checked(tmp_path: Path) -> None:
    message = _lexicon_problems(tmp_path, "negation:\n  cues: [尚未]\n  scope: after\n  windw: 3\n")
    assert "bad.yaml, line 7: got 'after'; scope must be one of before, both" in message
    assert "bad.yaml, line 8: got 'windw'; unknown key under negation" in message
    with pytest.raises(ConfigError, match="negation_scope"):
        Lexicon(name="t", version="1", negation_scope="after")


def test_none_cues_from_yaml(tmp_path: Path) -> None:
    text = ONE_DIMENSION
    path = tmp_path / "cues.yaml"
    path.write_text(
        text + "none_cues:\n  - 给予表彰\n  - 本(?:条例|办法)自[^。；]*施行\n  - 给予表彰\n",
        encoding="utf-8",
    )
    lex = an.load_lexicon(path)
    assert lex.none_cues == ("给予表彰", "本(?:条例|办法)自[^。；]*施行")
    pattern = lex.none_cue_pattern()
    assert pattern is not None
    assert len(pattern.findall("本办法自2024年1月1日起施行。对先进个人给予表彰。")) == 2
    # cues never change hits, and a lexicon without them has no pattern
    path.write_text(text, encoding="utf-8")
    plain = an.load_lexicon(path)
    assert plain.none_cues == ()
    assert plain.none_cue_pattern() is None
    assert plain.entries() == lex.entries()
    assert hash(plain) != hash(lex)


def test_bad_none_cues_are_named_with_their_line(tmp_path: Path) -> None:
    message = _lexicon_problems(
        tmp_path, "none_cues:\n  - 给予表彰\n  - 根据(制定\n  - '.*'\n  - ''\n"
    )
    assert "bad.yaml, line 7: got '根据(制定'; none cue: not a valid regular expression" in message
    assert "line 8: got '.*'; none cue: matches the empty text" in message
    assert "line 9" in message
    assert "non-empty" in message
    assert "none_cues must be a list" in _lexicon_problems(tmp_path, "none_cues: 给予表彰\n")
    with pytest.raises(LexiconError, match="none cue '根据\\(制定'"):
        Lexicon(name="t", version="1", none_cues=("根据(制定",))


def test_default_lexicon_none_cues_match_the_formulas_of_regulations(default: Lexicon) -> None:
    pattern = default.none_cue_pattern()
    assert pattern is not None
    for text in [
        "根据有关法律、行政法规，结合本市实际，制定本办法。",
        "本条例自2024年1月1日起施行。",
        "本办法由市人民政府负责解释。",
        "本条例所称社区服务，是指……",
    ]:
        assert pattern.search(text), text
    assert not pattern.search("推行一站式服务，群众办事最多跑一次。")


def _dimensions_hit(default: Lexicon, text: str) -> dict[str, float]:
    """Weighted hits per dimension of one sentence, by the counting path and the hit path."""
    docs = pd.DataFrame({"doc_id": ["s"], "text": [text]})
    seg = Segmenter.for_lexicon(default)
    scores = an.score_texts(docs, lexicon=default, segmenter=seg)
    counted = {
        r.dimension: float(r.weighted_hits) for r in scores.itertuples() if r.weighted_hits > 0
    }
    hits = an.explain(docs, lexicon=default, segmenter=seg)
    assert set(hits["dimension"]) == set(counted)
    return counted


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("今年社区发展党员2名。", {"members"}),
        ("社区发展入党积极分子5名，培养入党积极分子3名。", {"members"}),
        ("发展预备党员1名。", {"members"}),
        # context rule: the recruit a few words after 发展
        ("今年社区发展了3名入党积极分子。", {"members"}),
        ("全年共发展青年党员5名，", {"members"}),
        ("大力发展集体经济，党员带头致富。", {"development", "members"}),
        ("居民反映问题，社区及时处理。", set()),
        ("听取居民意见，解决居民诉求。", {"masses"}),
        ("停车太难了", {"livelihood"}),
        ("小区停车位不够", {"livelihood"}),
        ("办事还要跑好几趟，希望简化流程", {"reform"}),
        ("手续繁琐，办事难", {"reform"}),
    ],
)
def test_default_lexicon_on_everyday_sentences(default: Lexicon, text: str, expected: set) -> None:
    assert set(_dimensions_hit(default, text)) == expected


def test_bare_resident_is_not_a_masses_term(default: Lexicon) -> None:
    assert "居民" not in default.terms["masses"]
    assert "居民诉求" in default.terms["masses"]
