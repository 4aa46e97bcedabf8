"""One label per open answer, and the shares per question and group that sum to one."""

from __future__ import annotations

import pandas as pd
import pytest

import analysis as an
from analysis.study.open_answers import label_answers, label_shares, lexicon_labels
from analysis.text.segment import Segmenter

DIMS = list(an.SERVICE_FIVE.ids)
ANSWERS = pd.DataFrame(
    {
        "doc_id": ["q:1", "q:2", "q:3", "q:4"],
        "text": ["停车太难了", "办事还要跑好几趟，希望简化流程", "挺好的", "今年发展党员2名"],
        "respondent_id": [1, 2, 3, 4],
        "group": ["甲", "甲", "乙", "乙"],
        "question": ["q", "q", "q", "q"],
    }
)


@pytest.fixture(scope="module")
def lexicon_and_scores():
    lex = an.default_lexicon()
    seg = Segmenter.for_lexicon(lex)
    scores = an.score_texts(ANSWERS, lexicon=lex, segmenter=seg, group=["group", "question"])
    return lex, seg, scores


def test_lexicon_labels_file_an_answer_without_hits_as_none(lexicon_and_scores):
    _, _, scores = lexicon_and_scores
    labels = lexicon_labels(scores, DIMS).set_index("doc_id")["label"]
    assert labels.to_dict() == {
        "q:1": "livelihood",
        "q:2": "reform",
        "q:3": "none",
        "q:4": "members",
    }


def test_answers_are_labelled_by_the_classifier_for_its_lexicon(lexicon_and_scores):
    lex, seg, scores = lexicon_and_scores
    labels, record = label_answers(ANSWERS, scores, lex, seg)
    assert record["method"] == "ensemble"
    assert list(labels.columns) == [
        "doc_id",
        "respondent_id",
        "group",
        "question",
        "label",
        "method",
    ]
    assert set(labels["label"]) <= {*DIMS, "none"}


def test_label_shares_sum_to_one_with_none(lexicon_and_scores):
    _, _, scores = lexicon_and_scores
    labels = ANSWERS[["doc_id", "group", "question"]].merge(lexicon_labels(scores, DIMS))
    labels["method"] = "lexicon"
    shares = label_shares(labels, DIMS)
    assert len(shares) == 2 * 6
    assert (shares.groupby("group")["share"].sum() - 1).abs().max() < 1e-12
    yi = shares[shares["group"] == "乙"].set_index("label")["share"]
    assert yi["none"] == 0.5
    assert yi["members"] == 0.5
    assert label_shares(labels.iloc[:0], DIMS).empty
