"""``scripts/labelling_pool.py``: the uncertain stratum and what it refuses.

The script draws from the public corpus, which a user's clone lacks; these tests need none of
it: the refusals come before the corpus is read, and the margin is computed on texts given
here.
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest
from script_module import load_script

import analysis as an

pool = load_script("labelling_pool")


@pytest.mark.parametrize(
    "extra",
    [
        ["--exclude", "labels.csv", "--from-test"],  # the test split must stay a fair sample
        [],  # without earlier labels no document's split is settled
    ],
)
def test_an_uncertain_quota_is_refused_where_it_could_reach_the_test_split(
    extra: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["labelling_pool.py", "--out", "unused", "--quota", "uncertain=10", *extra]
    monkeypatch.setattr(sys, "argv", argv)
    with pytest.raises(SystemExit) as stop:
        pool.main()
    assert stop.value.code == 2
    assert "development split" in capsys.readouterr().err


def test_the_margin_is_each_passages_gap_between_its_two_most_probable_labels() -> None:
    texts = [
        "推行一站式服务，政务服务事项实现最多跑一次，网上办理全覆盖。",
        "同志们，让我们更加紧密地团结起来。",
        "加强社区养老服务，建设老年食堂，解决居民就医难。",
    ]
    # ids that sort differently from the row order, so a misaligned join would show
    passages = pd.DataFrame({"pid": ["c:9", "a:1", "b:5"], "text": texts}, index=[7, 3, 5])
    margin = pool.model_margin(passages)
    assert list(margin.index) == [7, 3, 5]
    for pid, text, got in zip(passages["pid"], texts, margin, strict=True):
        alone = an.classify_texts(pd.DataFrame({"doc_id": [pid], "text": [text]}), "model")
        proba = np.sort(alone.filter(regex=r"^p_").to_numpy()[0])
        assert got == pytest.approx(proba[-1] - proba[-2])
        assert 0.0 <= got <= 1.0
