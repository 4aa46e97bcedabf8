"""Subject terms are lexicon data: read from YAML, checked, counted, recorded by models."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import analysis as an
from analysis.core.errors import ConfigError, LexiconError
from analysis.text.classifier import DimensionClassifier, subject_fingerprint
from analysis.text.features import lexicon_evidence
from analysis.text.lexicon import Lexicon, lexicon_from_terms

BASE = (
    "name: t\nversion: '1'\ndimensions:\n"
    "  development: {terms: [产业, 企业]}\n  members: {terms: [三会一课]}\n"
)
TEXTS = [
    "流动党员在工业园区建立党支部，带动企业发展产业。",
    "园区企业发展迅速，产业集聚。",
]
TERMS = {
    "reform": ["一站式服务", "最多跑一次", "网上办理"],
    "development": ["产业", "企业", "集体经济"],
    "livelihood": ["就业", "养老", "医疗"],
    "masses": ["走访", "网格", "志愿者"],
    "members": ["三会一课", "党员", "党支部"],
}


def _load(tmp_path: Path, section: str) -> Lexicon:
    path = tmp_path / "lex.yaml"
    path.write_text(BASE + section, encoding="utf-8")
    return an.load_lexicon(path)


def _problems(tmp_path: Path, section: str) -> str:
    with pytest.raises(LexiconError) as info:
        _load(tmp_path, section)
    return str(info.value)


def test_subjects_are_read_from_yaml_and_counted(tmp_path: Path) -> None:
    lex = _load(tmp_path, "subjects:\n  members: [党员, 流动党员, 党员]\n")
    assert dict(lex.subjects) == {"members": ("党员", "流动党员")}
    ev = lexicon_evidence(TEXTS, lex)
    assert ev.subjects[:, lex.dimensions.index("members")].tolist() == [1.0, 0.0]
    # the same words without the section: no subject rule, same hits
    plain = _load(tmp_path, "")
    assert dict(plain.subjects) == {}
    bare = lexicon_evidence(TEXTS, plain)
    assert bare.subjects.sum() == 0
    assert np.array_equal(bare.hits, ev.hits)
    assert hash(plain) != hash(lex)
    # a caller may still leave the rule out or bring other subjects
    assert lexicon_evidence(TEXTS, lex, subjects={}).subjects.sum() == 0


def test_bad_subjects_are_named_with_their_line(tmp_path: Path) -> None:
    message = _problems(tmp_path, "subjects:\n  membres: [党员]\n  members: 党员\n")
    assert "line 7: got 'membres'; unknown dimension in subjects" in message
    assert "line 8: got '党员'; subjects of members must be a list of terms" in message
    assert "subject term must be non-empty" in _problems(tmp_path, "subjects:\n  members: ['']\n")
    assert "subjects must be a mapping" in _problems(tmp_path, "subjects: [党员]\n")
    with pytest.raises(LexiconError, match="unknown dimension 'party'"):
        Lexicon(name="t", version="1", subjects={"party": ("党员",)})


def test_default_lexicon_carries_the_members_subjects() -> None:
    lex = an.default_lexicon()
    assert {"党员", "流动党员", "基层党组织", "党支部"} <= set(lex.subjects["members"])
    ev = lexicon_evidence(TEXTS, lex)
    assert ev.subjects[0, lex.dimensions.index("members")] == 1.0


def test_a_model_records_the_subjects_of_its_lexicon(tmp_path: Path) -> None:
    with_subjects = lexicon_from_terms(
        TERMS, name="t", version="1", subjects={"members": ("党员", "流动党员")}
    )
    texts = [f"{t}工作" for d in TERMS for t in TERMS[d]] + ["本办法自公布之日起施行"] * 3
    labels = [d for d in TERMS for _ in TERMS[d]] + ["none"] * 3
    clf = DimensionClassifier(with_subjects, min_df=1).fit(texts, labels)
    assert clf.info_["lexicon_subjects"] == subject_fingerprint(with_subjects)
    path = clf.save(tmp_path / "m.json")
    again = DimensionClassifier.load(path, with_subjects)
    assert np.allclose(again.predict_proba(TEXTS), clf.predict_proba(TEXTS), atol=1e-5)
    other = lexicon_from_terms(TERMS, name="t", version="1", subjects={"members": ("党员",)})
    with pytest.raises(ConfigError, match="other subject terms"):
        DimensionClassifier.load(path, other)
    with pytest.raises(ConfigError, match="other subject terms"):
        DimensionClassifier.load(path, lexicon_from_terms(TERMS, name="t", version="1"))
