"""Tests of lexicon validation, agreement statistics, baseline and term suggestions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import analysis as an
from analysis.core.errors import ConfigError, InputError
from analysis.stats.agreement import cohen_kappa, krippendorff_alpha
from analysis.text.validate import (
    load_passages,
    suggest_terms,
    supervised_baseline,
    validate_lexicon,
)


@pytest.fixture(scope="module")
def passages() -> pd.DataFrame:
    return load_passages()


@pytest.fixture(scope="module")
def validation(passages: pd.DataFrame):
    return validate_lexicon(passages, "dimension")


def test_packaged_passages(passages: pd.DataFrame) -> None:
    assert passages.columns.tolist() == ["passage_id", "dimension", "text"]
    assert len(passages) == 100
    assert passages["dimension"].value_counts().to_dict() == dict.fromkeys(an.SERVICE_FIVE.ids, 20)
    assert passages["passage_id"].is_unique


def test_validation_metrics_match_sklearn(validation) -> None:
    from sklearn.metrics import cohen_kappa_score, confusion_matrix, precision_recall_fscore_support

    pred = validation.predictions
    dims = list(an.SERVICE_FIVE.ids)
    # references: scikit-learn called directly on the same labels and predictions
    p, r, f, s = precision_recall_fscore_support(
        pred["label"], pred["predicted"], labels=dims, zero_division=0
    )
    m = validation.metrics
    assert m["dimension"].tolist() == dims
    assert_allclose(m["precision"], p)
    assert_allclose(m["recall"], r)
    assert_allclose(m["f1"], f)
    assert m["support"].tolist() == s.tolist()
    summary = validation.summary.iloc[0]
    assert_allclose(summary["kappa"], cohen_kappa_score(pred["label"], pred["predicted"]))
    assert_allclose(summary["macro_f1"], f.mean())
    cats = [*dims, "none"]
    cm = confusion_matrix(pred["label"], pred["predicted"], labels=cats)
    assert (validation.confusion.to_numpy() == cm).all()


def test_default_lexicon_beats_chance_on_packaged_passages(validation) -> None:
    # a floor, not a pin: with five balanced classes chance accuracy is 0.2
    assert validation.summary.iloc[0]["accuracy"] > 0.6
    assert validation.summary.iloc[0]["coverage"] > 0.8


def test_predictions_and_ties() -> None:
    texts = ["推行一站式服务", "今天天气很好", "发展党员，推行一站式服务"]
    res = validate_lexicon(texts, ["reform", "reform", "members"])
    # tie in weighted hits (1 vs 1) and hits (1 vs 1): framework order puts reform first
    assert res.predictions["predicted"].tolist() == ["reform", "none", "reform"]
    assert res.predictions["correct"].tolist() == [True, False, False]
    assert res.summary.iloc[0]["coverage"] == pytest.approx(2 / 3)


def test_validation_errors(passages: pd.DataFrame) -> None:
    with pytest.raises(InputError, match="got 2 passages but 1 labels"):
        validate_lexicon(["a", "b"], ["reform"])
    with pytest.raises(InputError, match="labels 'economy' are not dimensions"):
        validate_lexicon(["a"], ["economy"])
    with pytest.raises(InputError, match="label column 'code'"):
        validate_lexicon(passages, "code")


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (list("aabbc"), list("aabbc"), 1.0),
        (list("aabbcc"), list("abcabc"), None),
        ([1, 1, 2, 2, 3, 3, 1, 2], [1, 2, 2, 2, 3, 1, 1, 3], None),
    ],
    ids=["perfect", "poor", "numeric-labels"],
)
def test_cohen_kappa_matches_sklearn(a, b, expected) -> None:
    from sklearn.metrics import cohen_kappa_score

    ref = cohen_kappa_score(a, b) if expected is None else expected
    assert_allclose(cohen_kappa(a, b), ref)


RATINGS = (
    # two coders, one missing value each, five-point ratings
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, 5, 4, 3, 3],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 4, 2, 3],
)


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_krippendorff_alpha_matches_package(level: str) -> None:
    import krippendorff

    a, b = RATINGS
    data = np.array([[np.nan if v is None else v for v in c] for c in (a, b)], dtype=float)
    # reference: the krippendorff package (Castro), called directly
    ref = krippendorff.alpha(reliability_data=data, level_of_measurement=level)
    assert_allclose(krippendorff_alpha(a, b, level=level), ref, rtol=1e-10)


def test_krippendorff_alpha_labels_and_three_coders() -> None:
    import krippendorff

    a = ["reform", "members", "masses", "masses", None, "livelihood"]
    b = ["reform", "members", "livelihood", "masses", "members", "livelihood"]
    c = ["reform", "masses", "masses", "masses", "members", None]
    codes = {k: i for i, k in enumerate(sorted({v for v in a + b + c if v}))}
    data = np.array([[np.nan if v is None else codes[v] for v in x] for x in (a, b, c)], float)
    ref = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    assert_allclose(krippendorff_alpha(a, b, c), ref, rtol=1e-10)


def test_krippendorff_alpha_errors() -> None:
    with pytest.raises(InputError, match="same units"):
        krippendorff_alpha([1, 2], [1])
    with pytest.raises(InputError, match="needs numeric values"):
        krippendorff_alpha(["a", "b"], ["a", "a"], level="interval")
    with pytest.raises(ConfigError, match="'level' parameter"):
        krippendorff_alpha([1], [1], level="fuzzy")  # type: ignore[arg-type]
    assert np.isnan(krippendorff_alpha([1, 1], [1, 1]))


def test_supervised_baseline_equals_direct_sklearn(passages: pd.DataFrame) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold

    from analysis.text.segment import Segmenter

    res = supervised_baseline(passages, "dimension", folds=4, seed=1)
    assert res.folds.columns.tolist() == ["fold", "macro_f1", "accuracy"]
    # reference: the same split and model written out with scikit-learn directly
    seg = Segmenter()
    tokens = [" ".join(w for w in ws if seg.is_content(w)) for ws in seg.cut_many(passages)]
    y = passages["dimension"].to_numpy()
    scores = []
    for train, test in StratifiedKFold(4, shuffle=True, random_state=1).split(tokens, y):
        vec = TfidfVectorizer(
            tokenizer=str.split, token_pattern=None, lowercase=False, sublinear_tf=True
        )
        xtr = vec.fit_transform([tokens[i] for i in train])
        clf = LogisticRegression(max_iter=2000, random_state=1).fit(xtr, y[train])
        pred = clf.predict(vec.transform([tokens[i] for i in test]))
        scores.append(f1_score(y[test], pred, average="macro"))
    assert_allclose(res.folds["macro_f1"], scores)
    assert res.summary.iloc[0]["macro_f1"] > 0.3  # above chance (0.2) on 80 training passages


def test_supervised_baseline_lowers_folds_for_small_classes() -> None:
    from analysis.core.errors import SmallSampleWarning

    texts = ["推行一站式服务", "一网通办", "发展党员", "三会一课", "网格员走访", "入户走访"]
    labels = ["reform", "reform", "members", "members", "masses", "masses"]
    with pytest.warns(SmallSampleWarning, match="using 2 folds"):
        res = supervised_baseline(texts, labels, folds=5)
    assert len(res.folds) == 2


def test_suggest_terms_pmi() -> None:
    lex = an.default_lexicon()
    sentences = (
        ["社区推行一站式服务，开通帮办热线。"] * 3
        + ["社区推行一网通办，开通帮办热线。"] * 2
        + ["帮办热线也接受养老咨询。"]
        + ["社区开展文艺演出。"] * 4
    )
    docs = pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(sentences))], "text": sentences})
    out = suggest_terms(docs, lex, "reform", n=5, min_count=2)
    assert out.columns.tolist() == ["term", "n_sentences", "n_with_seed", "pmi", "npmi", "example"]
    # hand computation: N = 10 sentences, P(S) = 5/10 (sentences with a reform hit)
    assert out["term"].tolist() == ["开通", "推行", "帮办", "社区"]  # ties broken by term
    table = out.set_index("term")
    assert table.loc["帮办", ["n_sentences", "n_with_seed"]].tolist() == [6, 5]
    assert_allclose(table.loc["开通", "pmi"], np.log2(0.5 / (0.5 * 0.5)))
    assert_allclose(table.loc["帮办", "pmi"], np.log2(0.5 / (0.6 * 0.5)))
    assert_allclose(table.loc["帮办", "npmi"], np.log2(0.5 / (0.6 * 0.5)) / -np.log2(0.5))
    assert "热线" not in table.index  # already a lexicon term
    assert "演出" not in table.index  # never with a seed
    with pytest.raises(ConfigError, match="'dimension' parameter of suggest_terms"):
        suggest_terms(docs, lex, "economy")
