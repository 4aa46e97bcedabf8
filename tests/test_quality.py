"""Quality screens: speeders, straight-liners, duplicates; exclusion only on request."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.core.errors import ConfigError, DataQualityWarning
from analysis.survey.quality import screen_quality
from analysis.survey.reading import read_survey

LABELS = {"非常不满意": 1, "不满意": 2, "一般": 3, "满意": 4, "非常满意": 5}
HEAD = "序号,来自IP,所用时间,社区,性别,a1,a2,a3,b1,b2,b3,c1"
ROWS = [
    # id, ip, seconds, group, gender, reform a1-a3 (a3 reversed), members b1-b3, c1
    "1,1.1.1.1(江苏),300,桂花,男,满意,满意,不满意,一般,满意,满意,满意",
    "2,1.1.1.2(江苏),30,桂花,女,满意,一般,不满意,一般,满意,满意,满意",  # speeder
    "3,1.1.1.3(江苏),280,梅园,男,满意,满意,满意,一般,一般,一般,满意",  # straight in both
    "4,1.1.1.4(江苏),310,梅园,女,满意,满意,满意,一般,满意,满意,满意",  # straight in a only
    "5,1.1.1.1(江苏),290,桂花,男,满意,满意,不满意,一般,满意,满意,满意",  # duplicate of 1
    "6,9.9.9.9(上海),290,桂花,男,满意,满意,不满意,一般,满意,满意,满意",  # same, other IP
    "7,1.1.1.7(江苏),250,梅园,女,(跳过),(跳过),(跳过),(空),(空),(空),一般",
]
CODEBOOK = {
    "id_column": "序号",
    "group_column": "社区",
    "duration_column": "所用时间",
    "scale": {"min": 1, "max": 5, "labels": LABELS},
    "missing": {"skipped": ["(跳过)"], "no_answer": ["(空)"]},
    "covariates": [{"column": "性别", "id": "gender"}],
    "items": [
        {"column": "a1", "id": "a1", "dimension": "reform"},
        {"column": "a2", "id": "a2", "dimension": "reform"},
        {"column": "a3", "id": "a3", "dimension": "reform", "reverse": True},
        {"column": "b1", "id": "b1", "dimension": "members"},
        {"column": "b2", "id": "b2", "dimension": "members"},
        {"column": "b3", "id": "b3", "dimension": "members"},
        {"column": "c1", "id": "c1", "dimension": "masses"},
    ],
}


@pytest.fixture
def survey(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("\n".join([HEAD, *ROWS]) + "\n", encoding="utf-8")
    return read_survey(path, codebook=CODEBOOK)


def flagged(s, flag):
    return s.responses.loc[s.responses[flag], "respondent_id"].tolist()


def test_flags_without_exclusion_drop_nobody(survey):
    out = screen_quality(survey)
    assert len(out.responses) == len(survey.responses) == 7
    assert out.exclusions.empty
    # median duration 290 s; 0.33 x 290 = 95.7 s
    assert flagged(out, "flag_speeder") == ["2"]
    # raw answers, before reversing a3: identical in every block of >= 3 items
    assert flagged(out, "flag_straightline") == ["3"]
    assert flagged(out, "flag_duplicate") == ["5"]
    assert out.responses["flag_speeder"].dtype == bool


def test_straightline_any_block(survey):
    out = screen_quality(survey, straightline="any")
    assert flagged(out, "flag_straightline") == ["3", "4"]
    off = screen_quality(survey, straightline=False)
    assert not off.responses["flag_straightline"].any()


def test_speeder_ratio_is_a_share_of_the_median(survey):
    d = survey.responses["duration_s"].to_numpy()
    out = screen_quality(survey, speeder_ratio=0.9)
    expected = survey.responses.loc[d < 0.9 * np.median(d), "respondent_id"].tolist()
    assert flagged(out, "flag_speeder") == expected == ["2", "7"]


def test_exclusion_only_for_the_reasons_asked(survey):
    with pytest.warns(
        DataQualityWarning,
        match=r"2 respondents excluded \(speeder: 1, "
        r"duplicate: 1\)",
    ):
        out = screen_quality(survey, exclude=["speeder", "duplicate"])
    assert out.exclusions.to_dict("list") == {
        "respondent_id": ["2", "5"],
        "row": [3, 6],
        "reason": ["speeder", "duplicate"],
    }
    assert "3" in out.responses["respondent_id"].tolist()  # straight-liner kept
    assert len(out.responses) + len(out.exclusions) == len(survey.responses)
    assert len(out.missing) == len(out.responses)
    assert survey.exclusions.empty  # the input is not changed


def test_several_reasons_are_joined(tmp_path):
    path = tmp_path / "s.csv"
    rows = [*ROWS, "8,1.1.1.3(江苏),20,梅园,男,满意,满意,满意,一般,一般,一般,满意"]
    path.write_text("\n".join([HEAD, *rows]) + "\n", encoding="utf-8")
    s = read_survey(path, codebook=CODEBOOK)
    with pytest.warns(DataQualityWarning):
        out = screen_quality(s, exclude=["speeder", "straightline", "duplicate"])
    reasons = dict(zip(out.exclusions["respondent_id"], out.exclusions["reason"], strict=True))
    assert reasons["8"] == "speeder;straightline;duplicate"


def test_bad_options(survey):
    with pytest.raises(
        ConfigError,
        match=r"'exclude' parameter of screen_quality must be one "
        r"of 'speeder', 'straightline', 'duplicate'\. Got 'slow' instead",
    ):
        screen_quality(survey, exclude=["slow"])
    with pytest.raises(ConfigError, match="speeder_ratio"):
        screen_quality(survey, speeder_ratio=0)


def test_rows_in_equal_kept_quarantined_and_excluded(tmp_path):
    path = tmp_path / "s.csv"
    rows = [*ROWS, "9,1.1.1.9(江苏),200,梅园,男,很满意,满意,满意,一般,一般,一般,满意"]
    path.write_text("\n".join([HEAD, *rows]) + "\n", encoding="utf-8")
    with pytest.warns(DataQualityWarning):
        s = read_survey(path, codebook=CODEBOOK)
    with pytest.warns(DataQualityWarning):
        out = screen_quality(s, exclude=["speeder", "duplicate"])
    total = len(out.responses) + out.quarantine["row"].nunique() + len(out.exclusions)
    assert total == out.source["n_rows"] == 8


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["", "5", "60", "300", "快"]),
            st.lists(
                st.sampled_from(["满意", "一般", "(跳过)", "(空)", "很满意"]),
                min_size=7,
                max_size=7,
            ),
        ),
        min_size=1,
        max_size=15,
    ),
    st.lists(st.sampled_from(["speeder", "straightline", "duplicate"]), unique=True),
)
def test_rows_in_always_equal_rows_accounted_for(rows, exclude):
    lines = [HEAD] + [
        f"{i},1.1.1.1(江苏),{secs},桂花,男," + ",".join(answers)
        for i, (secs, answers) in enumerate(rows, 1)
    ]
    import io
    import warnings

    frame = pd.read_csv(io.StringIO("\n".join(lines)), dtype=str, keep_default_na=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        s = read_survey(frame, codebook=CODEBOOK)
        out = screen_quality(s, exclude=exclude)
    total = len(out.responses) + out.quarantine["row"].nunique() + len(out.exclusions)
    assert total == len(rows)
    assert set(out.exclusions["row"]).isdisjoint(out.responses["row"])
    for reason in ("speeder", "straightline", "duplicate"):
        if reason not in exclude:
            assert not out.exclusions["reason"].str.contains(reason).any()
