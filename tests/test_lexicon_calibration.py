"""Calibrated term weights: the arithmetic, the file a lexicon names, honest folds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import analysis as an
from analysis.core.errors import ConfigError, InputError, LexiconError
from analysis.text.classifier import DimensionClassifier, weight_fingerprint
from analysis.text.corpus import find_corpus, load_labelled_passages
from analysis.text.evaluation import grouped_cv_predict
from analysis.text.features import lexicon_evidence
from analysis.text.lexicon import lexicon_from_terms
from analysis.text.lexicon_calibration import (
    apply_calibration,
    calibrate_lexicon,
    calibrated_within_folds,
    read_calibration,
)
from analysis.text.lexicon_file import default_lexicon, hand_weighted_lexicon, load_lexicon
from analysis.text.temperature import fit_temperature

RESOURCES = Path(__file__).parents[1] / "analysis" / "resources"
PACKAGED = RESOURCES / "lexicon" / "service-five.calibration.csv"


def _lexicon():
    return lexicon_from_terms(
        {"livelihood": ["养老服务", "绿化"], "masses": ["志愿服务"], "members": ["流动党员"]}
    )


PASSAGES = [
    ("社区提供养老服务，为老人送餐。", "livelihood"),
    ("养老服务补贴按月发放。", "livelihood"),
    ("养老服务机构应当依法登记。", "none"),
    ("绿化由主管部门负责。", "none"),
    ("主管部门负责绿化和市容。", "none"),
    ("志愿服务队走访居民。", "masses"),
]


def test_weights_scale_by_the_smoothed_share_of_right_passages() -> None:
    texts, labels = zip(*PASSAGES, strict=True)
    cal = calibrate_lexicon(_lexicon(), texts, labels, strength=1.0)
    t = cal.table.set_index("term")
    # 养老服务: 3 passages, 2 right -> (2 + 0.5) / (3 + 1) = 0.625 -> weight 1 * 0.625 / 0.5
    assert (t.loc["养老服务", "passages"], t.loc["养老服务", "right"]) == (3, 2)
    assert t.loc["养老服务", "weight"] == pytest.approx(1.25)
    # 绿化: 2 passages, none right -> 0.5 / 3 / 0.5
    assert t.loc["绿化", "weight"] == pytest.approx(round(1 / 3, 4))
    # 志愿服务: 1 of 1 -> 1.5 / 2 / 0.5
    assert t.loc["志愿服务", "weight"] == pytest.approx(1.5)
    # never seen: keeps its hand weight
    assert (t.loc["流动党员", "passages"], t.loc["流动党员", "weight"]) == (0, 1.0)
    assert cal.lexicon.terms["livelihood"]["养老服务"] == pytest.approx(1.25)
    assert cal.lexicon.version == _lexicon().version
    # a repeated term counts its passage once
    again = calibrate_lexicon(_lexicon(), ["养老服务，养老服务，养老服务。"], ["livelihood"])
    assert again.table.set_index("term").loc["养老服务", "passages"] == 1


def test_more_pseudo_passages_keep_weights_nearer_the_hand_weights() -> None:
    texts, labels = zip(*PASSAGES, strict=True)
    weak = calibrate_lexicon(_lexicon(), texts, labels, strength=0.5).table
    strong = calibrate_lexicon(_lexicon(), texts, labels, strength=10.0).table
    assert (np.abs(strong["weight"] - 1) <= np.abs(weak["weight"] - 1)).all()


def test_bad_arguments_say_what_was_expected() -> None:
    with pytest.raises(InputError, match="2 passages but 1 labels"):
        calibrate_lexicon(_lexicon(), ["甲", "乙"], ["none"])
    with pytest.raises(InputError, match="strength"):
        calibrate_lexicon(_lexicon(), ["甲"], ["none"], strength=0)


def test_a_stale_calibration_is_refused_with_its_rows() -> None:
    texts, labels = zip(*PASSAGES, strict=True)
    table = calibrate_lexicon(_lexicon(), texts, labels).table.copy()
    table.loc[table["term"] == "绿化", "hand_weight"] = 0.5
    table.loc[len(table)] = ["reform", "一网通办", 1.0, 0, 0, 1.0]
    with pytest.raises(LexiconError) as info:
        apply_calibration(_lexicon(), table, source="x.calibration.csv")
    text = str(info.value)
    assert "绿化" in text
    assert "re-run the calibration" in text
    assert "一网通办" in text
    assert "not a term of 'reform'" in text
    with pytest.raises(LexiconError, match="lacks the columns"):
        apply_calibration(_lexicon(), table.drop(columns=["weight"]))


def test_a_yaml_lexicon_applies_the_calibration_it_names(tmp_path: Path) -> None:
    texts, labels = zip(*PASSAGES, strict=True)
    lexicon = _lexicon()
    (tmp_path / "mine.yaml").write_text(
        "name: mine\nversion: '1'\ndimensions:\n"
        "  livelihood: [养老服务, 绿化]\n  masses: [志愿服务]\n  members: [流动党员]\n"
        "calibration: mine.calibration.csv\n",
        encoding="utf-8",
    )
    calibrate_lexicon(lexicon, texts, labels).write(tmp_path / "mine.calibration.csv")
    loaded = load_lexicon(tmp_path / "mine.yaml")
    assert loaded.terms["livelihood"]["养老服务"] == pytest.approx(1.25)
    hand = load_lexicon(tmp_path / "mine.yaml", calibrated=False)
    assert hand.terms["livelihood"]["养老服务"] == 1.0
    bad = (tmp_path / "mine.calibration.csv").read_text(encoding="utf-8")
    (tmp_path / "mine.calibration.csv").write_text(bad.replace(",1.25", ",heavy"), "utf-8")
    with pytest.raises(LexiconError, match="must be numbers"):
        load_lexicon(tmp_path / "mine.yaml")
    (tmp_path / "mine.calibration.csv").unlink()
    with pytest.raises(LexiconError, match=r"mine\.calibration\.csv: calibration file not found"):
        load_lexicon(tmp_path / "mine.yaml")
    text = (tmp_path / "mine.yaml").read_text(encoding="utf-8")
    (tmp_path / "mine.yaml").write_text(text.replace("mine.calibration.csv", "[1, 2]"), "utf-8")
    with pytest.raises(LexiconError, match=r"line 7: got \[1, 2\]; calibration must name"):
        load_lexicon(tmp_path / "mine.yaml")


def test_the_packaged_lexicon_applies_its_calibration_to_its_hand_weights() -> None:
    table = read_calibration(PACKAGED)
    lex, hand = default_lexicon(), hand_weighted_lexicon()
    assert len(table) == sum(len(t) for t in hand.terms.values())
    for row in table.sample(50, random_state=0).itertuples():
        assert hand.terms[row.dimension][row.term] == row.hand_weight
        assert lex.terms[row.dimension][row.term] == row.weight
    assert (table["weight"] >= 0).all()


def test_cross_validation_calibrates_on_training_rows_only() -> None:
    """A fold's evidence comes from its own training rows: no held-out label shapes it."""
    texts = [t for t, _ in PASSAGES] * 4
    labels = np.asarray([lab for _, lab in PASSAGES] * 4, dtype=object)
    groups = np.repeat(np.arange(8), 3)
    lexicon = _lexicon()
    asked: list[np.ndarray] = []
    within = calibrated_within_folds(lexicon, texts, labels)

    def evidence_for(train: np.ndarray):
        asked.append(np.sort(train))
        return within(train)

    from analysis.text.classifier import DimensionClassifier

    out = grouped_cv_predict(
        lambda: DimensionClassifier(lexicon, C=1.0, min_df=1), texts, labels, groups, evidence_for
    )
    assert len(asked) == 5
    assert len(out.rule_labels) == len(texts)
    covered = np.concatenate([np.setdiff1d(np.arange(len(texts)), a) for a in asked])
    assert sorted(covered) == list(range(len(texts)))  # each row held out exactly once
    # the fold's evidence is that of the lexicon calibrated on its training rows alone
    train = asked[0]
    alone = calibrate_lexicon(lexicon, [texts[i] for i in train], labels[train]).lexicon
    np.testing.assert_array_equal(within(train).hits, lexicon_evidence(texts, alone).hits)
    assert within(train) is within(train)  # cached: a grid over the folds calibrates once


needs_corpus = pytest.mark.skipif(find_corpus() is None, reason="public corpus not present")


@needs_corpus
def test_the_packaged_calibration_is_what_the_development_passages_give() -> None:
    p = load_labelled_passages(find_corpus())
    dev = p[p["split"] == "dev"]
    cal = calibrate_lexicon(hand_weighted_lexicon(), dev["text"].tolist(), dev["label"].tolist())
    pd.testing.assert_frame_equal(
        cal.table.reset_index(drop=True), read_calibration(PACKAGED), check_dtype=False
    )


def test_a_model_refuses_a_lexicon_with_other_weights(tmp_path: Path) -> None:
    hand = _lexicon()
    texts, labels = zip(*PASSAGES, strict=True)
    calibrated = calibrate_lexicon(hand, texts, labels).lexicon
    assert weight_fingerprint(calibrated) != weight_fingerprint(hand)
    clf = DimensionClassifier(calibrated, min_df=1).fit(list(texts), list(labels))
    assert clf.info_["lexicon_weights"] == weight_fingerprint(calibrated)
    path = clf.save(tmp_path / "m.json")
    again = DimensionClassifier.load(path, calibrated)
    assert np.allclose(again.predict_proba(texts), clf.predict_proba(texts), atol=1e-5)
    # same name, version, cues and subjects: only the weights tell the copies apart
    with pytest.raises(ConfigError, match="other term weights"):
        DimensionClassifier.load(path, hand)
    # a model saved before weights were recorded still loads
    data = clf.to_dict()
    del data["info"]["lexicon_weights"]
    assert DimensionClassifier.from_dict(data, hand).info_.get("lexicon_weights") is None


def _labelled_frame(copies: int = 4) -> pd.DataFrame:
    rows = [
        (f"{text}（{k}）", label, f"d{(k * len(PASSAGES) + i) % 6}")
        for k in range(copies)
        for i, (text, label) in enumerate(PASSAGES)
    ]
    return pd.DataFrame(rows, columns=["text", "label", "doc"])


def test_train_classifier_can_calibrate_the_lexicon_on_its_passages(tmp_path: Path) -> None:
    hand, frame = _lexicon(), _labelled_frame()
    texts, labels = frame["text"].tolist(), frame["label"].tolist()
    model = an.train_classifier(frame, lexicon=hand, calibrate_lexicon=True, min_df=1)
    expected = calibrate_lexicon(hand, texts, labels)
    pd.testing.assert_frame_equal(model.lexicon_calibration_.table, expected.table)
    assert model.lexicon.terms == expected.lexicon.terms != hand.terms
    plain = DimensionClassifier(expected.lexicon, min_df=1).fit(texts, labels)
    np.testing.assert_array_equal(model.coef_, plain.coef_)
    # what reloading a saved model needs: the calibration written, applied to the hand weights
    model.lexicon_calibration_.write(tmp_path / "cal.csv")
    again = apply_calibration(hand, read_calibration(tmp_path / "cal.csv"))
    saved = model.save(tmp_path / "m.json")
    assert DimensionClassifier.load(saved, again).info_ == model.info_
    # without a lexicon it starts from the packaged hand weights
    packaged = an.train_classifier(frame, calibrate_lexicon=True, min_df=1)
    table = packaged.lexicon_calibration_.table
    terms = hand_weighted_lexicon().to_frame().query("kind == 'term'")
    assert table["hand_weight"].tolist() == terms["weight"].tolist()


def test_calibrating_the_lexicon_and_temperatures_keeps_folds_honest() -> None:
    hand, frame = _lexicon(), _labelled_frame()
    texts, labels = frame["text"].tolist(), frame["label"].tolist()
    params = {"min_df": 1, "max_features": 500}
    model = an.train_classifier(
        frame, lexicon=hand, calibrate_lexicon=True, calibrate_on="doc", **params
    )
    # the temperatures come from folds whose lexicon saw only their training documents
    out = grouped_cv_predict(
        lambda: DimensionClassifier(model.lexicon, **params),
        texts,
        labels,
        frame["doc"].to_numpy(),
        calibrated_within_folds(hand, texts, labels),
        n_splits=5,
    )
    for method in ("lexicon", "model", "ensemble"):
        expected = fit_temperature(labels, out.proba(method, model.ensemble_weight), out.classes)
        assert model.temperature(method) == pytest.approx(expected)
