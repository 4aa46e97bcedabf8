"""One label per text: passages, features, the lexicon rule, the model, evaluation, the corpus.

Unit tests use sentences written for them; figures of accuracy come only from the labelled
public corpus (tests at the end, skipped where ``../shared/corpora`` is absent).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from sklearn.base import clone
from sklearn.metrics import f1_score
from temperature_reference import grid_temperature

import analysis as an
from analysis.core.errors import ConfigError, InputError
from analysis.text.classifier import DimensionClassifier, training_fingerprint
from analysis.text.corpus import find_corpus, passage_hash
from analysis.text.evaluation import (
    bootstrap_macro_f1,
    class_report,
    confusion_table,
    grouped_cv_predict,
    learning_curve,
    macro_f1,
)
from analysis.text.features import lexicon_evidence, simplified, subject_counts
from analysis.text.lexicon import lexicon_from_terms
from analysis.text.lexicon_rule import LexiconRule
from analysis.text.passages import passage_spans

LABELS = ["reform", "development", "livelihood", "masses", "members", "none"]

# written for these tests, a few per label
TRAIN = {
    "reform": [
        "街道便民服务中心推行一窗受理、集成服务，群众办事最多跑一次。",
        "政务服务事项全部进驻大厅，实行网上办理、容缺受理和限时办结。",
        "精简申请材料，压缩审批时限，推动高频事项一网通办。",
        "社区代办员为老人提供全程代办服务，减少群众跑腿。",
    ],
    "development": [
        "壮大村级集体经济，引进产业项目，带动辖区企业发展。",
        "招商引资取得新进展，工业园区新增标准厂房和重点项目。",
        "推动楼宇经济发展，服务驻区企业，扩大有效投资。",
        "加快产业转型升级，培育特色产业，促进经济高质量发展。",
    ],
    "livelihood": [
        "社区长者食堂为高龄老人提供助餐服务，减轻家庭养老负担。",
        "开展就业技能培训，帮助失业人员再就业，落实最低生活保障。",
        "推进老旧小区改造，加装电梯，解决居民停车难问题。",
        "家庭医生签约服务覆盖辖区，开展义诊和健康体检。",
    ],
    "masses": [
        "网格员入户走访，倾听居民诉求，解决群众操心事烦心事。",
        "组建志愿服务队，开展邻里互助，化解矛盾纠纷。",
        "召开居民议事会，民主协商小区公共事务。",
        "12345热线接诉即办，群众诉求件件有回音。",
    ],
    "members": [
        "严格落实三会一课制度，开展主题党日活动。",
        "慰问生活困难党员和老党员，加强流动党员管理。",
        "做好发展党员工作，培养入党积极分子。",
        "在职党员到社区报到，亮身份、作表率。",
    ],
    "none": [
        "本条例自公布之日起施行。",
        "根据有关法律、行政法规，结合本市实际，制定本办法。",
        "本办法由市人民政府负责解释。",
        "会议审议通过了各项决议，号召全国各族人民团结奋斗。",
    ],
}


# a few terms per dimension, for lexicons built in tests
_TERMS = {
    "reform": ("一站式服务", "一窗受理", "一网通办"),
    "development": ("集体经济", "招商引资", "产业"),
    "livelihood": ("养老", "就业", "健康体检"),
    "masses": ("居民诉求", "志愿服务", "矛盾纠纷"),
    "members": ("三会一课", "党员", "入党积极分子"),
}


def _frame() -> pd.DataFrame:
    rows = [(t, label) for label, texts in TRAIN.items() for t in texts]
    return pd.DataFrame(rows, columns=["text", "label"])


@pytest.fixture(scope="module")
def small_model() -> DimensionClassifier:
    return an.train_classifier(_frame(), min_df=1, max_features=3000)


# --------------------------------------------------------------------- passages
def test_passage_spans_index_the_original_text_and_skip_headings() -> None:
    text = (
        "第一章 总则\n第一条 为了规范社区服务，根据有关法律，制定本条例。"
        "第二条 本条例适用于本市。\n\n签发"
    )
    spans = passage_spans(text, min_chars=10, max_chars=30)
    assert [text[s:e] for s, e in spans] == [
        "第一条 为了规范社区服务，根据有关法律，制定本条例。",
        "第二条 本条例适用于本市。",
    ]


def test_short_sentences_stay_together_up_to_max_chars() -> None:
    text = "甲乙丙丁戊。" * 10
    spans = passage_spans(text, min_chars=5, max_chars=20)
    assert all(e - s <= 20 for s, e in spans)
    assert "".join(text[s:e] for s, e in spans) == text


def test_split_passages_rejects_bad_bounds_and_keeps_ids() -> None:
    with pytest.raises(InputError, match="min_chars"):
        passage_spans("x", min_chars=10, max_chars=5)
    out = an.split_passages(
        pd.DataFrame({"doc_id": ["a"], "text": ["推行一站式服务。" * 6]}), min_chars=8, max_chars=20
    )
    assert set(out["doc_id"]) == {"a"}
    assert (out["end"] - out["start"] == out["text"].str.len()).all()


# --------------------------------------------------------------------- features
def test_simplified_keeps_length_so_offsets_still_hold() -> None:
    traditional = "發展黨員三名，推行一站式服務。"
    plain = simplified(traditional)
    assert plain == "发展党员三名，推行一站式服务。"
    assert len(plain) == len(traditional)


def test_subject_rule_counts_clauses_that_open_with_a_subject_term() -> None:
    texts = [
        "流动党员在工业园区建立党支部，带动企业发展。",
        "（一）党员应当积极参加组织生活；二、企业发展党员。",
        "园区企业发展迅速。",
    ]
    counts = subject_counts(texts, {"members": ("党员", "流动党员")}, ("development", "members"))
    assert counts[:, 1].tolist() == [1, 1, 0]
    assert counts[:, 0].tolist() == [0, 0, 0]


def test_traditional_text_gets_the_evidence_of_its_simplified_twin() -> None:
    lex = an.default_lexicon()
    ev = lexicon_evidence(["推行一站式服務，發展黨員三名。", "推行一站式服务，发展党员三名。"], lex)
    assert ev.hits[0].tolist() == ev.hits[1].tolist()
    assert ev.hits[0].sum() > 0


# --------------------------------------------------------------------- lexicon rule
def test_lexicon_rule_learns_its_bars_from_labels() -> None:
    from analysis.text.features import LexiconEvidence

    hits = np.array([[3.0, 0.0], [0.0, 4.0], [1.0, 0.0], [0.0, 0.5], [2.5, 0.0]])
    ev = LexiconEvidence(("a", "b"), hits, np.zeros_like(hits), np.ones(5), np.full(5, 50.0))
    rule = LexiconRule(("a", "b")).fit(ev, ["a", "b", "none", "none", "a"])
    assert 1.0 < rule.min_evidence <= 2.5 or rule.min_density > 2.0
    assert rule.predict(ev).tolist() == ["a", "b", "none", "none", "a"]
    proba = rule.predict_proba(ev)
    assert np.allclose(proba.sum(axis=1), 1.0)
    again = LexiconRule.from_dict(json.loads(json.dumps(rule.to_dict())))
    assert np.allclose(again.predict_proba(ev), proba)


def test_lexicon_rule_refuses_evidence_of_another_framework() -> None:
    from analysis.text.features import LexiconEvidence

    ev = LexiconEvidence(("x",), np.ones((1, 1)), np.zeros((1, 1)), np.ones(1), np.ones(1))
    with pytest.raises(InputError, match="dimensions"):
        LexiconRule(("a", "b")).predict(ev)


def test_evidence_without_none_cues_is_as_before() -> None:
    lex = lexicon_from_terms({"reform": ["一站式服务"], "members": ["党员"]})
    ev = lexicon_evidence(["推行一站式服务。", "根据有关法律，制定本办法。"], lex)
    assert ev.cues is None
    assert ev.rows(np.array([1])).cues is None
    assert ev.matrix().shape == (2, 3 * len(ev.dimensions) + 1)
    rule = LexiconRule(ev.dimensions).fit(ev, ["reform", "none"])
    assert rule.cue_weight == 0.0
    assert len(rule.none_coef) == 4
    # a rule saved before cues existed has no cue weight and still loads
    old = rule.to_dict()
    del old["cue_weight"]
    saved = LexiconRule.from_dict(rule.to_dict()).predict_proba(ev)
    assert np.array_equal(LexiconRule.from_dict(old).predict_proba(ev), saved)


def test_none_cues_are_counted_and_are_a_model_feature() -> None:
    terms = {"reform": ["一站式服务"]}
    texts = ["推行一站式服务。", "为推行一站式服务，制定本办法。本办法自公布之日起施行。"]
    plain = lexicon_evidence(texts, lexicon_from_terms(terms))
    cued = lexicon_evidence(
        texts, lexicon_from_terms(terms, none_cues=("制定本办法", "本办法自[^。]*施行"))
    )
    assert cued.cues.tolist() == [0.0, 2.0]
    assert np.array_equal(cued.hits, plain.hits)
    assert np.array_equal(cued.matrix()[:, :-1], plain.matrix())
    assert np.allclose(cued.matrix()[:, -1], np.log1p([0.0, 2.0]))


def test_lexicon_rule_learns_that_a_cue_makes_a_passage_none() -> None:
    from analysis.text.features import LexiconEvidence

    hits = np.array([[3.0, 0.0], [2.0, 0.0], [3.0, 0.0], [2.0, 0.0], [0.0, 4.0], [0.0, 0.0]])
    labels = ["a", "a", "none", "none", "b", "none"]

    def evidence(cues: np.ndarray | None) -> LexiconEvidence:
        return LexiconEvidence(
            ("a", "b"), hits, np.zeros_like(hits), np.ones(6), np.full(6, 40.0), cues
        )

    blind = LexiconRule(("a", "b")).fit(evidence(None), labels)
    assert blind.predict(evidence(None)).tolist() != labels  # the bars alone cannot tell
    cues = np.array([0.0, 0.0, 1.0, 2.0, 0.0, 0.0])
    rule = LexiconRule(("a", "b")).fit(evidence(cues), labels)
    assert rule.cue_weight > 0
    assert rule.predict(evidence(cues)).tolist() == labels
    proba = rule.predict_proba(evidence(cues))
    assert len(rule.none_coef) == 5
    assert np.allclose(proba.sum(axis=1), 1.0)
    assert proba[2, -1] > proba[0, -1]  # same evidence, the cued one is likelier none
    again = LexiconRule.from_dict(json.loads(json.dumps(rule.to_dict())))
    assert again.cue_weight == rule.cue_weight
    assert np.allclose(again.predict_proba(evidence(cues)), proba)
    assert again.predict(evidence(cues)).tolist() == labels


def test_a_model_records_the_none_cues_of_its_lexicon(tmp_path: Path) -> None:
    cues = ("制定本办法", "本办法自[^。]*施行", "负责解释")
    lex = lexicon_from_terms(
        {d: list(_TERMS[d]) for d in _TERMS}, name="t", version="1", none_cues=cues
    )
    frame = _frame()
    clf = DimensionClassifier(lex, min_df=1, max_features=3000).fit(
        frame["text"].tolist(), frame["label"].tolist()
    )
    assert clf.info_["lexicon_none_cues"]
    assert clf.coef_.shape[1] == len(clf.vectorizer_.vocabulary_) + 3 * 5 + 2
    texts = ["推行一站式服务", "本办法自2024年1月1日起施行。"]
    loaded = DimensionClassifier.load(clf.save(tmp_path / "m.json"), lex)
    assert np.allclose(loaded.predict_proba(texts), clf.predict_proba(texts), atol=1e-5)
    assert loaded.lexicon_rule_.cue_weight == clf.lexicon_rule_.cue_weight
    no_cues = lexicon_from_terms({d: list(_TERMS[d]) for d in _TERMS}, name="t", version="1")
    with pytest.raises(ConfigError, match="none cues"):
        DimensionClassifier.load(tmp_path / "m.json", no_cues)


# --------------------------------------------------------------------- model
def test_model_is_a_scikit_learn_estimator(small_model: DimensionClassifier) -> None:
    twin = clone(small_model)
    assert twin.get_params()["max_features"] == 3000
    assert not hasattr(twin, "coef_")
    assert sorted(small_model.classes_) == sorted(LABELS)
    proba = small_model.predict_proba(["推行一网通办，减少群众跑腿"])
    assert proba.shape == (1, 6)
    assert np.isclose(proba.sum(), 1.0)


def test_saved_model_predicts_exactly_as_before(
    small_model: DimensionClassifier, tmp_path: Path
) -> None:
    texts = ["慰问困难党员", "本规定自2024年1月1日起施行。", "开展健康体检"]
    path = small_model.save(tmp_path / "m.json.gz")
    loaded = DimensionClassifier.load(path)
    assert np.allclose(loaded.predict_proba(texts), small_model.predict_proba(texts), atol=1e-5)
    assert loaded.info_["training_fingerprint"] == training_fingerprint(
        _frame()["text"].tolist(), _frame()["label"].tolist()
    )
    # saving twice gives the same bytes: reproducible artefacts
    assert small_model.save(tmp_path / "n.json.gz").read_bytes() == path.read_bytes()


def _log_count_ratio(features: sparse.spmatrix, mine: np.ndarray) -> np.ndarray:
    """NBSVM's r = log((p/|p|_1) / (q/|q|_1)), written out here as the tests' own reference."""
    p = 1 + np.asarray(abs(features)[mine].sum(axis=0)).ravel()
    q = 1 + np.asarray(abs(features)[~mine].sum(axis=0)).ravel()
    return np.log((p / p.sum()) / (q / q.sum()))


def test_nb_scaled_model_is_one_scaled_regression_per_class_folded_into_its_weights(
    tmp_path: Path,
) -> None:
    """NBSVM (Wang and Manning 2012): class k's features times its log-count ratio r_k."""
    from scipy.special import expit
    from sklearn.linear_model import LogisticRegression

    frame = _frame()
    texts, labels = frame["text"].tolist(), frame["label"].to_numpy(dtype=object)
    clf = an.train_classifier(frame, min_df=1, max_features=3000, C=30.0, nb_scaling=True)
    assert clf.get_params()["nb_scaling"] is True
    features = clf._features(texts, None)
    probe = ["推行一网通办，减少群众跑腿", "慰问困难党员", "本规定自公布之日起施行。"]
    probe_features = clf._features(probe, None)
    for k, label in enumerate(clf.classes_):
        mine = labels == label
        r = _log_count_ratio(features, mine)
        ref = LogisticRegression(C=30.0, class_weight="balanced", tol=1e-12, max_iter=100000)
        ref.fit(features.multiply(r).tocsr(), mine)
        expected = ref.decision_function(probe_features.multiply(r).tocsr())
        assert np.allclose(clf.decision_function(probe)[:, k], expected, atol=0.02)
    proba = clf.predict_proba(probe)
    odds = expit(clf.decision_function(probe))
    assert np.allclose(proba, odds / odds.sum(axis=1, keepdims=True))
    assert list(clf.predict(probe)) == ["reform", "members", "none"]
    loaded = DimensionClassifier.load(clf.save(tmp_path / "nb.json.gz"))
    assert loaded.nb_scaling is True
    assert np.allclose(loaded.predict_proba(probe), proba, atol=1e-5)


@pytest.mark.parametrize("nb_scaling", [False, True], ids=["multinomial", "nb-scaled"])
def test_fits_reach_the_optimum_not_where_a_loose_tolerance_stops(nb_scaling: bool) -> None:
    """At a high C, scikit-learn's default tolerance stops short of the optimum (here by 0.24
    in decision scores for the multinomial fit), and where it stops depends on the solver's
    path; the models' fits come within 0.05 of a fit at tolerance 1e-12."""
    from sklearn.linear_model import LogisticRegression

    frame = _frame()
    texts, labels = frame["text"].tolist(), frame["label"].to_numpy(dtype=object)
    clf = an.train_classifier(frame, min_df=1, max_features=3000, C=300.0, nb_scaling=nb_scaling)
    features = clf._features(texts, None)
    scores = clf.decision_function(texts)
    for k, label in enumerate(clf.classes_):
        if nb_scaling:
            mine = labels == label
            r = _log_count_ratio(features, mine)
            x, target = features.multiply(r).tocsr(), mine
        else:
            x, target = features, labels
        ref = LogisticRegression(C=300.0, class_weight="balanced", tol=1e-12, max_iter=100000)
        ref.fit(x, target)
        expected = ref.decision_function(x)
        expected = expected[:, k] if expected.ndim == 2 else expected
        assert np.abs(scores[:, k] - expected).max() < 0.05


def test_a_model_saved_before_nb_scaling_loads_as_multinomial(
    small_model: DimensionClassifier,
) -> None:
    data = small_model.to_dict()
    del data["params"]["nb_scaling"]
    loaded = DimensionClassifier.from_dict(data)
    assert loaded.nb_scaling is False
    texts = ["慰问困难党员", "开展健康体检"]
    assert np.allclose(loaded.predict_proba(texts), small_model.predict_proba(texts), atol=1e-5)


def test_model_refuses_another_lexicon_version(small_model: DimensionClassifier) -> None:
    data = small_model.to_dict()
    data["info"]["lexicon_version"] = "0.1"
    with pytest.raises(ConfigError, match="retrain"):
        DimensionClassifier.from_dict(data)


def test_saved_data_and_the_model_share_no_record(small_model: DimensionClassifier) -> None:
    # editing what to_dict gave (as the test above does) must not edit the fitted model
    data = small_model.to_dict()
    data["info"]["lexicon_version"] = "0.1"
    assert small_model.info_["lexicon_version"] == an.default_lexicon().version
    loaded = DimensionClassifier.from_dict(small_model.to_dict())
    loaded.info_["n_passages"] = -1
    assert small_model.info_["n_passages"] == len(_frame())


def test_train_classifier_names_the_bad_row() -> None:
    frame = _frame()
    frame.loc[5, "label"] = "economy"
    with pytest.raises(InputError, match=r"row 6, column 'label': label 'economy'"):
        an.train_classifier(frame)


# --------------------------------------------------------------------- classify_texts
@pytest.mark.parametrize("method", ["lexicon", "model", "ensemble"])
def test_a_methods_temperature_tempers_its_probabilities_and_keeps_its_labels(
    method: str, small_model: DimensionClassifier
) -> None:
    texts = ["推行一网通办，同时开展就业技能培训。", "本条例自公布之日起施行。", "慰问困难党员"]
    columns = [f"p_{c}" for c in LABELS]
    # both from one saved copy (saving rounds the coefficients)
    cold = DimensionClassifier.from_dict(small_model.to_dict())
    hot = DimensionClassifier.from_dict(small_model.to_dict()).set_params(
        temperatures={method: 2.5}
    )
    plain = an.classify_texts(texts, method, classifier=cold, n_evidence=0)
    tempered = an.classify_texts(texts, method, classifier=hot, n_evidence=0)
    # p ** (1 / T), renormalised: written out here, not by the library's function
    expected = plain[columns].to_numpy() ** (1 / 2.5)
    expected /= expected.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(tempered[columns].to_numpy(), expected, rtol=1e-12)
    assert tempered["label"].tolist() == plain["label"].tolist()
    # the other methods keep their probabilities
    other = "model" if method != "model" else "lexicon"
    pd.testing.assert_frame_equal(
        an.classify_texts(texts, other, classifier=hot, n_evidence=0),
        an.classify_texts(texts, other, classifier=cold, n_evidence=0),
    )


def test_temperatures_are_saved_and_a_model_without_them_loads_untempered(
    small_model: DimensionClassifier,
) -> None:
    hot = DimensionClassifier.from_dict(small_model.to_dict())
    hot.temperatures = {"model": 1.3, "ensemble": 0.9}
    again = DimensionClassifier.from_dict(hot.to_dict())
    assert again.temperatures == {"model": 1.3, "ensemble": 0.9}
    assert (again.temperature("model"), again.temperature("lexicon")) == (1.3, 1.0)
    older = small_model.to_dict()
    del older["params"]["temperatures"]
    assert DimensionClassifier.from_dict(older).temperature("model") == 1.0


@pytest.mark.parametrize(
    ("temperatures", "message"),
    [
        ({"modle": 1.2}, "name methods"),
        ({"model": 0.0}, "positive"),
        ({"model": "hot"}, "positive"),
    ],
)
def test_a_bad_temperature_is_refused_by_name(
    small_model: DimensionClassifier, temperatures: dict, message: str
) -> None:
    hot = DimensionClassifier.from_dict(small_model.to_dict())
    hot.temperatures = temperatures
    with pytest.raises(ConfigError, match=message):
        an.classify_texts(["慰问困难党员"], "model", classifier=hot)


def test_train_classifier_learns_temperatures_on_whole_documents_held_out() -> None:
    frame = _frame()
    frame["doc"] = [f"d{i % 6}" for i in range(len(frame))]
    # five labels moved one place on: held-out errors, so the best T is finite
    moved = [0, 5, 10, 15, 20]
    frame.loc[moved, "label"] = np.roll(frame.loc[moved, "label"].to_numpy(), 1)
    params = {"min_df": 1, "max_features": 3000}
    model = an.train_classifier(frame, calibrate_on="doc", **params)
    assert set(model.temperatures) == {"lexicon", "model", "ensemble"}
    # the model itself is the one trained without calibration
    plain = an.train_classifier(frame, **params)
    np.testing.assert_array_equal(model.coef_, plain.coef_)
    # the learnt T is the minimum of the log-loss of out-of-fold probabilities, folds being
    # whole documents: recomputed with scikit-learn's GroupKFold and a grid of T
    best = grid_temperature(
        frame, lambda part: an.train_classifier(part, **params), LABELS, "doc", (0.2, 5)
    )
    assert model.temperature("model") == pytest.approx(best, rel=2e-3)


def test_calibrating_needs_a_document_column_and_five_documents() -> None:
    frame = _frame()
    with pytest.raises(InputError, match="document column 'doc'"):
        an.train_classifier(frame, calibrate_on="doc")
    frame["doc"] = [f"d{i % 3}" for i in range(len(frame))]
    with pytest.raises(InputError, match="at least 5 documents"):
        an.train_classifier(frame, calibrate_on="doc")


@pytest.mark.parametrize("method", ["lexicon", "model", "ensemble"])
def test_classify_texts_gives_label_probabilities_and_evidence(
    method: str, small_model: DimensionClassifier
) -> None:
    docs = pd.DataFrame(
        {
            "doc_id": ["d1", "d2"],
            "community": ["东城", "西城"],
            "text": ["推行一窗受理、一网通办，办事最多跑一次。", "本条例自公布之日起施行。"],
        }
    )
    out = an.classify_texts(docs, method, classifier=small_model)
    assert out.columns.tolist()[:3] == ["doc_id", "community", "label"]
    p = out[[f"p_{c}" for c in LABELS]].to_numpy()
    assert np.allclose(p.sum(axis=1), 1.0)
    assert out.loc[0, "label"] == "reform"
    assert "一网通办" in out.loc[0, "evidence"]
    assert out.loc[1, "label"] == "none"
    assert (out["method"] == method).all()


@pytest.mark.parametrize("method", ["lexicon", "model", "ensemble"])
@pytest.mark.parametrize("by_passage", [False, True], ids=["text", "passage"])
def test_repeated_texts_get_the_rows_of_the_text_alone(
    method: str, by_passage: bool, small_model: DimensionClassifier
) -> None:
    # each distinct text (or passage) is worked out once and copied: the copies must be
    # exactly what the text gets when classified on its own
    a = "推行一窗受理、一网通办，办事最多跑一次。\n\n社区党支部严格落实三会一课，慰问困难党员。"
    b = "本条例自公布之日起施行。"
    c = "停车太难了"
    texts = [a, b, a, c, b, a, ""]
    options = {"classifier": small_model, "by_passage": by_passage, "multi_label": True}
    together = an.classify_texts(texts, method, **options).drop(columns="doc_id")
    for i, text in enumerate(texts):
        alone = an.classify_texts([text], method, **options).drop(columns="doc_id")
        pd.testing.assert_frame_equal(
            together.iloc[[i]].reset_index(drop=True), alone, check_exact=True
        )


def test_multi_label_lists_every_label_over_the_threshold(small_model: DimensionClassifier) -> None:
    out = an.classify_texts(
        ["推行一网通办，同时开展就业技能培训和健康体检。"],
        classifier=small_model,
        multi_label=True,
        threshold=0.05,
    )
    labels = out.loc[0, "labels"].split(";")
    assert labels[0] == out.loc[0, "label"]
    assert len(labels) >= 2


def test_classify_texts_errors_say_what_to_do(small_model: DimensionClassifier) -> None:
    with pytest.raises(ConfigError):
        an.classify_texts(["x"], "vote", classifier=small_model)
    other = an.default_lexicon()
    import dataclasses

    changed = dataclasses.replace(other, version="9.9")
    with pytest.raises(ConfigError, match="train_classifier"):
        an.classify_texts(["x"], "model", classifier=small_model, lexicon=changed)
    with pytest.raises(InputError, match="text column"):
        an.classify_texts(pd.DataFrame({"doc_id": [1]}), classifier=small_model)


def test_the_packaged_model_loads_and_labels() -> None:
    clf = an.default_classifier()
    lex = an.default_lexicon()
    assert (clf.info_["lexicon"], clf.info_["lexicon_version"]) == (lex.name, lex.version)
    out = an.classify_texts(["社区党支部严格落实三会一课，慰问困难党员。"])
    assert out.loc[0, "label"] == "members"
    assert out.attrs["classifier"]["training_fingerprint"] == clf.info_["training_fingerprint"]


def test_packaged_models_carry_the_share_error_of_every_method_they_state() -> None:
    """A study labelling by any method states the packaged model's record: each method's
    macro-F1 comes with its share error and the calibration error of its tempered
    probabilities, the figures of docs/validation.json."""
    from analysis.text.encoder_head import default_encoder_head

    root = Path(__file__).resolve().parents[1]
    figures = json.loads((root / "docs" / "validation.json").read_text(encoding="utf-8"))
    for model in (an.default_classifier(), default_encoder_head()):
        record = model.info_["validation"]
        assert set(record["test_share_error"]) == set(record["test_macro_f1"])
        assert set(record["test_ece"]) == set(record["test_macro_f1"])
        for method, error in record["test_share_error"].items():
            assert error == figures["test_shares"][method]["labels"]["max_abs_error"]
            assert record["test_ece"][method] == figures["test_calibration"][method]["ece"]


# --------------------------------------------------------------------- evaluation
def test_class_report_agrees_with_scikit_learn() -> None:
    rng = np.random.default_rng(1)
    y = rng.choice(LABELS, 200)
    p = np.where(rng.random(200) < 0.7, y, rng.choice(LABELS, 200))
    table = class_report(y, p, LABELS)
    assert np.isclose(table.loc["macro", "f1"], f1_score(y, p, labels=LABELS, average="macro"))
    assert np.isclose(macro_f1(y, p, LABELS), table.loc["macro", "f1"])
    assert confusion_table(y, p, LABELS).to_numpy().sum() == 200


def test_bootstrap_resamples_documents_and_is_reproducible() -> None:
    rng = np.random.default_rng(2)
    y = rng.choice(LABELS, 300)
    p = np.where(rng.random(300) < 0.8, y, rng.choice(LABELS, 300))
    docs = np.repeat(np.arange(30), 10)
    est, lo, hi = bootstrap_macro_f1(y, p, docs, LABELS, n_boot=400, seed=3)
    assert lo < est < hi
    assert (est, lo, hi) == bootstrap_macro_f1(y, p, docs, LABELS, n_boot=400, seed=3)
    # perfect labels give a degenerate interval at 1
    assert bootstrap_macro_f1(y, y, docs, LABELS, n_boot=50) == (1.0, 1.0, 1.0)


# 30 documents of 10 passages whose documents differ in difficulty (labels a-f)
_BOOT_TRUE = (
    "cbafcaebfbabccfecabfceaafdccabafcafbadfafbaabfcfbcbffcccfaacbffdeeffadacfff"
    "acbfabcafdbcadbaaddcdcaccfaadfffafeacaffffbfbaccbddbdcfbfcdedbfacdabffdffbd"
    "cfcbfefdfcdadfffcfafcadccfadcdcadfbaacfafdacbfdbbffccffabcdaabcfdaacffcffcf"
    "cbdaeffcafffdecbbfcedcfbcbfccbdcaacddffffcdccafbacfccebaddfcfaadbaaccdfcbda"
)
_BOOT_PRED = (
    "cbafbbbdfdabbfadeabfceaacdccabafcffbadeaababbfcfbcbffcccfaacbfededffccbefff"
    "aaafabfafdbcadbaadbcecaccfaadfefafebcafdfecfdaccbddbfcafbadedbfaccadfbdfcbd"
    "cfcbfefdfcbadffecfabcadcebaeadaadfbaacfefaabbedbbffccdfabfdaabcfcafcffaffaf"
    "bbbaeddadaefdbcbbfceddaeabfccbbceacddfffffdcdffbacfccebaddfcfaadbaaccffcbbd"
)


def test_bootstrap_intervals_match_r_boot() -> None:
    # R 4.2.2, boot 1.3-28.1: per-document counts (tp, predicted, true per label) as rows;
    # statistic = macro-F1 over the labels present in the resample's colSums;
    # set.seed(1); b <- boot(cnt, f1, R = 50000); boot.ci(b, type = c("perc", "bca"))
    # -> t0 0.6946603, percentile (0.6243, 0.7596), BCa (0.6271, 0.7624).
    # Both bootstraps are Monte Carlo, so the bounds agree to within resampling noise.
    docs = np.repeat(np.arange(30), 10)
    y, p = list(_BOOT_TRUE), list(_BOOT_PRED)
    labels = list("abcdef")
    est, lo, hi = bootstrap_macro_f1(y, p, docs, labels, n_boot=20000)
    assert est == pytest.approx(0.6946603, abs=1e-7)
    assert (lo, hi) == pytest.approx((0.6271, 0.7624), abs=0.004)
    _, plo, phi = bootstrap_macro_f1(y, p, docs, labels, n_boot=20000, method="percentile")
    assert (plo, phi) == pytest.approx((0.6243, 0.7596), abs=0.004)
    # BCa moves the interval up here, as R's does: the resamples sit below the estimate
    assert lo > plo
    assert hi > phi


def test_bootstrap_of_one_document_has_no_interval() -> None:
    est, lo, hi = bootstrap_macro_f1(list("abca"), list("abcb"), [0] * 4, list("abc"))
    assert est == pytest.approx(f1_score(list("abca"), list("abcb"), average="macro"))
    assert np.isnan(lo)
    assert np.isnan(hi)
    with pytest.raises(InputError, match="method"):
        bootstrap_macro_f1(list("ab"), list("ab"), [0, 1], list("ab"), method="normal")


def test_grouped_cv_never_tests_on_a_training_document() -> None:
    frame = _frame()
    frame["doc"] = [f"d{i % 6}" for i in range(len(frame))]
    lex = an.default_lexicon()
    ev = lexicon_evidence(frame["text"].tolist(), lex)
    seen: list[set[str]] = []

    class Spy(DimensionClassifier):
        def fit(self, X, y, *, evidence=None):
            seen.append({frame["doc"][frame["text"] == t].iloc[0] for t in X})
            return super().fit(X, y, evidence=evidence)

    out = grouped_cv_predict(
        lambda: Spy(lex, min_df=1), frame["text"], frame["label"], frame["doc"], ev, n_splits=3
    )
    assert len(seen) == 3
    assert all(len(s) == 4 for s in seen)  # 6 documents, 3 folds: 4 train documents each
    assert len(out.labels("ensemble")) == len(frame)


def test_the_learning_curve_grows_the_training_documents() -> None:
    frame = _frame()
    frame["doc"] = [f"d{i % 8}" for i in range(len(frame))]
    lex = an.default_lexicon()
    ev = lexicon_evidence(frame["text"].tolist(), lex)
    curve = learning_curve(
        lambda: DimensionClassifier(lex, min_df=1),
        frame["text"],
        frame["label"],
        frame["doc"],
        ev,
        LABELS,
        fractions=(0.5, 1.0),
        n_splits=4,
    )
    assert list(curve.columns) == ["fraction", "n_passages", "model", "lexicon", "ensemble"]
    # 8 documents, 4 folds: 6 training documents of 3 passages; half of them, then all
    assert curve["n_passages"].tolist() == [9.0, 18.0]
    assert curve[["model", "lexicon", "ensemble"]].stack().between(0, 1).all()


# --------------------------------------------------------------------- the labelled corpus
def test_labelled_references_meet_the_design_without_the_corpus() -> None:
    refs = an.load_labelled_passages(with_text=False)
    counts = refs["label"].value_counts()
    assert len(refs) >= 600
    assert refs["doc_id"].nunique() >= 40
    assert all(counts[d] >= 80 for d in ["reform", "development", "livelihood", "masses"])
    assert counts["members"] >= 50
    assert counts["none"] >= 120
    # documents are whole in one split
    assert refs.groupby("doc_id")["split"].nunique().max() == 1
    assert set(refs["adjudication"]) <= {"agreed", "adjudicated"}
    differ = refs["label_a"] != refs["label_b"]
    assert (refs.loc[differ, "adjudication"] == "adjudicated").all()
    assert "text" not in refs.columns


needs_corpus = pytest.mark.skipif(find_corpus() is None, reason="public corpus not present")


@needs_corpus
def test_every_reference_still_points_at_its_passage() -> None:
    passages = an.load_labelled_passages()
    assert all(
        passage_hash(t) == h for t, h in zip(passages["text"], passages["text_sha256"], strict=True)
    )


@needs_corpus
def test_validation_figures_are_what_the_committed_model_and_rule_give() -> None:
    """docs/validation.json was regenerated for the committed labels and lexicon."""
    root = Path(__file__).resolve().parents[1]
    figures = json.loads((root / "docs" / "validation.json").read_text(encoding="utf-8"))
    refs = root / "analysis" / "resources" / "validation" / "corpus_labels.csv"
    from analysis.core.provenance import file_sha256

    assert figures["labels_sha256"] == file_sha256(refs)
    lex = an.default_lexicon()
    assert figures["lexicon"] == f"{lex.name} {lex.version}"
    passages = an.load_labelled_passages()
    dev = passages[passages["split"] == "dev"]
    test = passages[passages["split"] == "test"]
    chosen = figures["chosen"]
    # the validation learnt the temperatures on folds whose lexicon weights were calibrated
    # on each fold's own training documents (calibrated_within_folds); train_classifier
    # learns them the same way from the hand weights, and the shipped model carries them
    model = an.train_classifier(dev, calibrate_lexicon=True, calibrate_on="doc_id", **chosen)
    assert model.lexicon.terms == lex.terms  # the packaged calibration is the development one
    shipped = an.default_classifier()
    for method in ("lexicon", "model", "ensemble"):
        assert model.temperature(method) == figures["temperatures"][method], method
        assert shipped.temperature(method) == figures["temperatures"][method], method
    out = an.classify_texts(test, "lexicon", classifier=model, n_evidence=0)
    assert np.isclose(
        macro_f1(test["label"], out["label"], LABELS), figures["test_macro_f1"]["lexicon"]["f1"]
    )
    out = an.classify_texts(test, "model", classifier=model, n_evidence=0)
    assert np.isclose(
        macro_f1(test["label"], out["label"], LABELS),
        figures["test_macro_f1"]["model"]["f1"],
        atol=1e-9,
    )
    # the probabilities' calibration and the label shares on the same test documents
    from analysis.text.probability_checks import calibration_summary, one_hot, share_errors

    proba = out[[f"p_{c}" for c in LABELS]].to_numpy()
    calibration = calibration_summary(test["label"], proba, LABELS)
    for key, value in figures["test_calibration"]["model"].items():
        assert np.isclose(calibration[key], value, atol=1e-9), key
    shares = share_errors(test["label"], one_hot(out["label"], LABELS), test["doc_id"], LABELS)
    assert shares == figures["test_shares"]["model"]["labels"]
    # multi-label output, as a user gets it, against the coders' secondary labels
    from analysis.text.label_sets import label_set_summary

    listed = an.classify_texts(test, "model", classifier=model, n_evidence=0, multi_label=True)
    summary = label_set_summary(
        test["label"].tolist(),
        test["secondary"].tolist(),
        [s.split(";") for s in listed["labels"]],
    )
    for key, value in figures["multi_label"]["test"]["model"].items():
        assert np.isclose(summary[key], value, atol=1e-9), key
    # the shipped model was trained on every labelled passage
    shipped = an.default_classifier()
    assert shipped.info_["training_fingerprint"] == training_fingerprint(
        passages["text"].tolist(), passages["label"].tolist()
    )


@pytest.mark.parametrize(
    "module", ["analysis.text.classifier", "analysis.text.classify", "analysis.text.context"]
)
def test_docstring_examples_run(module: str) -> None:
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


def test_by_passage_averages_the_passages_of_a_long_document(
    small_model: DimensionClassifier,
) -> None:
    report = "\n".join(
        [
            "街道便民服务中心推行一窗受理、集成服务，群众办事最多跑一次，政务服务事项全部网上办理。",
            "社区党支部严格落实三会一课制度，开展主题党日活动，慰问生活困难党员和老党员。",
            "做好发展党员工作，培养入党积极分子，加强流动党员教育管理，在职党员到社区报到。",
        ]
    )
    whole = an.classify_texts([report], classifier=small_model, by_passage=True)
    assert whole.loc[0, "n_passages"] == 3
    assert whole.loc[0, "label"] == "members"
    p = whole[[f"p_{c}" for c in LABELS]].to_numpy()
    assert np.isclose(p.sum(), 1.0)
    # the mean of the passages' probabilities, weighted by length
    lines = report.split("\n")
    parts = an.classify_texts(lines, classifier=small_model)
    w = np.array([len(x) for x in lines], dtype=float)
    expected = (parts[[f"p_{c}" for c in LABELS]].to_numpy() * w[:, None]).sum(0) / w.sum()
    assert np.allclose(p[0], expected)


def test_a_traditional_text_gets_the_label_and_evidence_of_its_simplified_twin() -> None:
    out = an.classify_texts(
        ["社區黨支部嚴格落實三會一課，慰問困難黨員。", "社区党支部严格落实三会一课，慰问困难党员。"]
    )
    assert out.loc[0, "label"] == out.loc[1, "label"] == "members"
    assert out.loc[0, "evidence"] == out.loc[1, "evidence"] != ""
    assert np.allclose(out.loc[0, "p_members"], out.loc[1, "p_members"])


def test_recoded_passages_keep_their_earlier_label() -> None:
    """Passages coded again under a revised rule set keep the label they had before."""
    refs = an.load_labelled_passages(with_text=False)
    earlier = refs["label_rules_1_0"]
    recoded = refs[earlier != ""]
    assert len(recoded) > 0
    assert set(earlier[earlier != ""]) <= set(LABELS)
    # the re-coding's own passes sit in label_a / label_b and decide the label as any round's
    agreed = recoded["label_a"] == recoded["label_b"]
    assert (recoded.loc[agreed, "label"] == recoded.loc[agreed, "label_a"]).all()
    assert (recoded.loc[~agreed, "adjudication"] == "adjudicated").all()


def test_the_methods_sentence_states_the_share_error_when_the_model_records_it() -> None:
    from analysis.report.text_labels import classifier_sentence

    validation = {
        "test_documents": 80,
        "test_passages": 744,
        "test_macro_f1": {"ensemble": {"f1": 0.86, "ci95": [0.77, 0.88]}},
    }
    old = {"classifier": {"method": "ensemble", "validation": validation}}
    new = {
        "classifier": {
            "method": "ensemble",
            "validation": validation | {"test_share_error": {"ensemble": 0.0234}},
        }
    }
    assert classifier_sentence(old, "en").endswith("0.77-0.88).")
    assert classifier_sentence(old, "zh").endswith("0.77–0.88）。")
    assert "within 2.3 percentage points of the adjudicated share." in classifier_sentence(
        new, "en"
    )
    assert "相差至多 2.3 个百分点。" in classifier_sentence(new, "zh")
    # a model that records the calibration of its tempered probabilities states it last
    calibrated = {
        "classifier": {
            "method": "ensemble",
            "validation": validation
            | {"test_share_error": {"ensemble": 0.0234}, "test_ece": {"ensemble": 0.037}},
        }
    }
    assert classifier_sentence(calibrated, "en").endswith(
        "their expected calibration error on those passages was 0.04."
    )
    assert classifier_sentence(calibrated, "zh").endswith("期望校准误差为 0.04。")
    assert "calibration" not in classifier_sentence(new, "en")
    # a record with both intervals names the one it states
    both = {"f1": 0.86, "ci95": [0.81, 0.9], "ci95_percentile": [0.76, 0.88]}
    bca = {
        "classifier": {
            "method": "ensemble",
            "validation": validation | {"test_macro_f1": {"ensemble": both}},
        }
    }
    assert classifier_sentence(bca, "en").endswith(
        "(95% document-bootstrap BCa interval 0.81-0.90)."
    )
    assert "按文件自助法（BCa）95% 置信区间 0.81–0.90" in classifier_sentence(bca, "zh")
    assert "BCa" not in classifier_sentence(old, "en")


def test_a_text_with_nothing_to_read_is_none_for_sure() -> None:
    texts = [
        "",
        "   ",
        "。。！",
        None,
        "街道便民服务中心推行一窗受理、集成服务，群众办事最多跑一次。",
    ]
    for method in ("lexicon", "model", "ensemble"):
        out = an.classify_texts(texts, method=method)
        assert out["label"].tolist()[:4] == ["none"] * 4, method
        assert (out["p_none"].iloc[:4] == 1.0).all()
        assert (out.filter(like="p_").iloc[:4].sum(axis=1) == 1.0).all()
        assert out.loc[4, "label"] == "reform"
        assert out.loc[4, "probability"] < 1.0
    whole = an.classify_texts(["", texts[4]], method="model", by_passage=True)
    assert whole["label"].tolist() == ["none", "reform"]
