"""The context classifier: the text around a passage, mixed into the methods' probabilities."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import analysis as an
from analysis.core.errors import ConfigError, InputError
from analysis.text.context import (
    ContextClassifier,
    choose_weights,
    default_context_classifier,
    has_context,
    passage_context,
)

LABELS = ["reform", "development", "livelihood", "masses", "members", "none"]
# contexts a coder would place: the chapter around the passage names its theme
CONTEXTS = {
    "members": ["第五章 党员教育管理 三会一课 党员", "关心困难党员 老党员 流动党员 党组织"],
    "livelihood": ["第三章 社会救助 低保 医疗 救助对象", "养老服务 老年人 照料 医疗 救助"],
    "none": ["第一章 总则 本条例 适用 施行", "附则 本条例自公布之日起施行 解释"],
}


def _training() -> tuple[list[str], list[str]]:
    contexts, labels = [], []
    for label, items in CONTEXTS.items():
        for k in range(6):
            contexts.append(f"{items[k % 2]} 第{k}条")
            labels.append(label)
    return contexts, labels


@pytest.fixture(scope="module")
def ctx() -> ContextClassifier:
    contexts, labels = _training()
    return ContextClassifier(min_df=1, C=10.0, weights={"model": 1.0, "ensemble": 0.5}).fit(
        contexts, labels
    )


def test_the_context_is_the_text_either_side_of_the_passage() -> None:
    text = "一二三四五六七八九十"
    assert passage_context(text, 3, 5, width=2) == "二三 六七"
    assert passage_context(text, 0, 2, width=3) == " 三四五"
    assert passage_context(text, 8, 10, width=3) == "六七八 "
    assert passage_context(text, 3, 5, width=0) == " "
    assert has_context(["二三 六七", " ", "", "\n 甲"]).tolist() == [True, False, False, True]
    with pytest.raises(InputError, match="width"):
        passage_context(text, 3, 5, width=-1)


def test_split_passages_writes_each_passage_s_context() -> None:
    doc = (
        "第一段讲的是一窗受理、一网通办，群众办事最多跑一次。\n"
        "第二段讲的是党员教育管理，落实三会一课制度。"
    )
    plain = an.split_passages([doc])
    assert "context" not in plain.columns
    with_context = an.split_passages([doc], context_chars=5)
    assert with_context.drop(columns="context").equals(plain)
    for row in with_context.itertuples():
        assert row.context == passage_context(doc, row.start, row.end, 5)


def test_a_saved_context_classifier_predicts_what_the_fitted_one_did(ctx, tmp_path) -> None:
    probe = ["第五章 党员 三会一课", "社会救助 低保 对象", "本条例自公布之日起施行", "無關"]
    path = ctx.save(tmp_path / "ctx.json.gz")
    back = ContextClassifier.load(path)
    assert np.array_equal(back.predict_proba(probe), ctx.predict_proba(probe))
    assert back.get_params() == ctx.get_params()
    assert back.info_ == ctx.info_
    assert ctx.predict(probe[:3]).tolist() == ["members", "livelihood", "none"]
    with pytest.raises(ConfigError, match="not a saved context classifier"):
        ContextClassifier.from_dict({"format": "analysis-classifier/1"})
    with pytest.raises(ConfigError, match="not fitted"):
        ContextClassifier().predict_proba(["x"])


def test_traditional_contexts_read_as_their_simplified_twins(ctx) -> None:
    p = ctx.predict_proba(["關心困難黨員 老黨員 流動黨員", "关心困难党员 老党员 流动党员"])
    assert np.allclose(p[0], p[1])


def test_weights_are_checked_before_anything_is_fitted() -> None:
    contexts, labels = _training()
    with pytest.raises(ConfigError, match="lexicon"):
        ContextClassifier(min_df=1, weights={"lexicon": 0.3}).fit(contexts, labels)
    with pytest.raises(ConfigError, match=r"in \[0, 1\]"):
        ContextClassifier(min_df=1, weights={"model": 1.5}).fit(contexts, labels)
    with pytest.raises(InputError, match="two different labels"):
        ContextClassifier(min_df=1).fit(contexts[:2], labels[:2])
    assert ContextClassifier(weights={"model": 0.3}).weight("encoder") == 0.0


def test_mixing_touches_only_the_rows_with_a_context(ctx) -> None:
    rng = np.random.default_rng(0)
    proba = rng.dirichlet(np.ones(len(LABELS)), size=3)
    contexts = ["第五章 党员 三会一课", " ", "第三章 社会救助 低保"]
    for method, w in (("model", 1.0), ("ensemble", 0.5)):
        mixture, mixed = ctx.mix(proba, LABELS, contexts, method)
        assert mixed.tolist() == [True, False, True]
        assert np.array_equal(mixture[1], proba[1])
        own = np.zeros((3, len(LABELS)))
        got = ctx.predict_proba([contexts[0], contexts[2]])
        for k, c in enumerate(ctx.classes_):
            own[[0, 2], LABELS.index(str(c))] = got[:, k]
        assert np.allclose(mixture[[0, 2]], (1 - w) * proba[[0, 2]] + w * own[[0, 2]])
    unmixed, none_mixed = ctx.mix(proba, LABELS, contexts, "encoder")
    assert not none_mixed.any()
    assert np.array_equal(unmixed, proba)
    with pytest.raises(ConfigError, match="lacks"):
        ctx.mix(proba[:, :2], ["reform", "none"], contexts, "model")


def test_the_weights_chosen_follow_what_the_context_knows() -> None:
    rng = np.random.default_rng(1)
    y = rng.choice(LABELS, size=600)
    truth = np.eye(len(LABELS))[[LABELS.index(v) for v in y]]
    noise = rng.dirichlet(np.ones(len(LABELS)), size=len(y))
    # the method is right two times in three; the context either knows the label or nothing
    method = np.where(rng.random(len(y))[:, None] < 2 / 3, 0.6 * truth + 0.4 * noise, noise)
    weights, temperatures, scores = choose_weights(
        y, {"model": method}, 0.5 * truth + 0.5 * noise, LABELS
    )
    assert weights["model"] > 0
    assert scores["model"][weights["model"]] > scores["model"][0.0]
    # a context that is sure of a wrong label only ever spoils the method's labels
    wrong = np.roll(truth, 1, axis=1)
    weights, temperatures, scores = choose_weights(
        y, {"model": method}, 0.9 * wrong + 0.1 * noise, LABELS
    )
    assert weights["model"] == 0.0
    assert temperatures["model"] > 0
    with pytest.raises(ConfigError):
        choose_weights(y, {"lexicon": method}, method, LABELS)


def test_classify_texts_reads_the_context_column_where_there_is_one(ctx) -> None:
    passages = pd.DataFrame(
        {
            "doc_id": ["a", "b", "c"],
            "text": ["对符合条件的，按规定给予补助。"] * 3,
            "context": [
                "第五章 党员教育管理 关心困难党员 老党员",
                "第三章 社会救助 低保 医疗",
                " ",
            ],
        }
    )
    out = an.classify_texts(passages, "model", context_classifier=ctx)
    # weight 1 for the model: a passage with a context takes the context's label
    assert out["label"].tolist()[:2] == ["members", "livelihood"]
    assert out["with_context"].tolist() == [True, True, False]
    assert "context" not in out.columns
    alone = an.classify_texts(passages.drop(columns="context"), "model")
    assert out.loc[2, "label"] == alone.loc[2, "label"]
    assert np.isclose(out.loc[2, "p_none"], alone.loc[2, "p_none"])
    assert out.attrs["classifier"]["context"]["weight"] == 1.0
    assert out.attrs["classifier"]["context"]["passages_with_context"] == 2
    off = an.classify_texts(passages, "model", context_classifier=ctx, context=False)
    assert "with_context" not in off.columns
    assert "context" not in off.attrs["classifier"]
    pd.testing.assert_frame_equal(off.drop(columns="doc_id"), alone.drop(columns="doc_id"))
    # the packaged context classifier goes with the model it was weighed beside, only
    packaged = an.classify_texts(passages, "model", classifier=an.default_classifier())
    assert packaged["with_context"].tolist() == [True, True, False]
    texts = ["推行一站式服务", "发展集体经济", "就业培训", "走访居民", "三会一课", "本条例施行"]
    small = an.train_classifier(pd.DataFrame({"text": texts, "label": LABELS}), min_df=1)
    own = an.classify_texts(passages, "model", classifier=small)
    assert "with_context" not in own.columns
    lexicon = an.classify_texts(passages, "lexicon", context_classifier=ctx)
    assert "context" not in lexicon.attrs["classifier"]


def test_by_passage_is_the_mean_of_the_passages_read_in_their_document() -> None:
    report = "\n".join(
        [
            "街道便民服务中心推行一窗受理、集成服务，群众办事最多跑一次，政务服务事项全部网上办理。",
            "社区党支部严格落实三会一课制度，开展主题党日活动，慰问生活困难党员和老党员。",
            "对符合条件的，按规定给予补助，所需经费列入年度预算，专款专用，接受审计监督。",
        ]
    )
    ctx = default_context_classifier()
    whole = an.classify_texts([report], "ensemble", by_passage=True)
    assert whole.attrs["classifier"]["context"]["passages_with_context"] == 3
    parts = an.classify_texts(an.split_passages([report], context_chars=ctx.width), "ensemble")
    assert parts["with_context"].all()
    w = parts["end"].to_numpy() - parts["start"].to_numpy()
    expected = (parts[[f"p_{c}" for c in LABELS]].to_numpy() * w[:, None]).sum(0) / w.sum()
    assert np.allclose(whole[[f"p_{c}" for c in LABELS]].to_numpy()[0], expected)


def test_the_packaged_context_classifier_is_mixed_into_the_trained_methods_only() -> None:
    ctx = default_context_classifier()
    assert ctx.width == 300
    assert set(ctx.classes_) == set(LABELS)
    for method in ("model", "ensemble", "encoder", "encoder_ensemble"):
        assert 0 <= ctx.weight(method) <= 1
        assert ctx.temperature(method) > 0
    assert ctx.weight("model") > 0
    assert ctx.info_["n_passages"] >= 9000
    # weighed beside the packaged model: retraining one means rerunning validate_context.py
    assert ctx.info_["model_fingerprint"] == an.default_classifier().info_["training_fingerprint"]
    assert set(ctx.info_["validation"]["test_macro_f1"]) <= {
        "model",
        "ensemble",
        "encoder",
        "encoder_ensemble",
    }


def test_train_context_classifier_chooses_weights_on_whole_documents() -> None:
    rows = []
    texts = {
        "members": "按规定做好相关工作，明确责任，加强落实。",
        "livelihood": "按规定做好相关工作，明确责任，加强落实。",
        "none": "本办法由市人民政府负责解释，自发布之日起施行。",
    }
    for d in range(6):
        for label, items in CONTEXTS.items():
            for k in range(3):
                rows.append((f"d{d}", texts[label], f"{items[k % 2]} 第{d}{k}条", label))
    frame = pd.DataFrame(rows, columns=["doc", "text", "context", "label"])
    plain = an.train_context_classifier(frame, min_df=1)
    assert plain.weight("model") == 0.0
    tuned = an.train_context_classifier(frame, calibrate_on="doc", min_df=1)
    # the passages of members and livelihood are the same text: only the context tells
    assert tuned.weight("model") > 0
    assert tuned.weight("ensemble") > 0
    assert tuned.temperature("model") > 0
    with pytest.raises(InputError, match="context"):
        an.train_context_classifier(frame.drop(columns="context"))
    with pytest.raises(InputError, match="row 1"):
        an.train_context_classifier(frame.assign(context=["", *frame["context"].tolist()[1:]]))


def test_the_methods_sentence_states_the_context_and_its_figures() -> None:
    from analysis.report.text_labels import classifier_sentence

    alone = {
        "test_documents": 81,
        "test_passages": 1290,
        "test_macro_f1": {"ensemble": {"f1": 0.852, "ci95": [0.81, 0.89]}},
    }
    mixed = alone | {
        "test_macro_f1": {
            "ensemble": {"f1": 0.877, "ci95": [0.85, 0.92], "ci95_percentile": [0.8, 0.9]}
        }
    }
    params = {
        "classifier": {
            "method": "ensemble",
            "validation": alone,
            "context": {"width": 300, "weight": 0.3, "validation": mixed},
        }
    }
    en = classifier_sentence(params, "en")
    assert "each passage read together with the 300 characters of its document" in en
    assert "macro-F1 was 0.88 (95% document-bootstrap BCa interval 0.85-0.92)" in en
    zh = classifier_sentence(params, "zh")
    assert "并参考每个段落前后各 300 字的上下文" in zh
    assert "宏平均 F1 为 0.88" in zh
    # a run that read no context states the figures of the passages alone
    del params["classifier"]["context"]
    assert "macro-F1 was 0.85 " in classifier_sentence(params, "en")
    assert "context" not in classifier_sentence(params, "en")


@pytest.mark.skipif(
    __import__("analysis.text.corpus", fromlist=["find_corpus"]).find_corpus() is None,
    reason="public corpus not present",
)
def test_context_figures_are_what_classify_texts_gives_on_the_test_documents() -> None:
    """docs/validation_context.json: the mixture classify_texts makes reproduces them."""
    import json
    from pathlib import Path

    from analysis.core.provenance import file_sha256
    from analysis.text.classifier import training_fingerprint
    from analysis.text.corpus import find_corpus
    from analysis.text.evaluation import macro_f1

    root = Path(__file__).resolve().parents[1]
    figures = json.loads((root / "docs" / "validation_context.json").read_text(encoding="utf-8"))
    refs = root / "analysis" / "resources" / "validation" / "corpus_labels.csv"
    assert figures["labels_sha256"] == file_sha256(refs)[:16]
    documents = {}
    with open(find_corpus(), encoding="utf-8") as fh:
        for line in fh:
            doc = json.loads(line)
            documents[doc["doc_id"]] = doc["text"]
    passages = an.load_labelled_passages()
    passages["context"] = [
        passage_context(documents[r.doc_id], r.start, r.end, figures["context_chars"])
        for r in passages.itertuples()
    ]
    dev = passages[passages["split"] == "dev"]
    test = passages[passages["split"] == "test"].drop(columns="label")
    packaged = an.default_classifier()
    settings = {
        k: v for k, v in packaged.get_params().items() if k not in ("lexicon", "temperatures")
    }
    model = an.train_classifier(dev, **settings)
    ctx = an.train_context_classifier(
        dev, C=figures["C"], weights=figures["weights"], temperatures=figures["temperatures"]
    )
    truth = passages.loc[passages["split"] == "test", "label"]
    for method in ("model", "ensemble"):
        expected = figures["test_figures"][method]
        mixed = an.classify_texts(
            test, method, classifier=model, context_classifier=ctx, n_evidence=0
        )
        assert mixed["with_context"].all()
        assert np.isclose(macro_f1(truth, mixed["label"], LABELS), expected["with_context"][0])
        alone = an.classify_texts(test, method, classifier=model, context=False, n_evidence=0)
        assert np.isclose(macro_f1(truth, alone["label"], LABELS), expected["alone"][0])
    # the shipped context classifier: every labelled passage, beside the shipped model
    shipped = default_context_classifier()
    assert shipped.info_["training_fingerprint"] == training_fingerprint(
        passages["context"].tolist(), passages["label"].tolist()
    )
    assert shipped.info_["model_fingerprint"] == packaged.info_["training_fingerprint"]
    assert shipped.weights == figures["weights"]
    assert shipped.temperatures == figures["temperatures"]
