"""A survey export in several files on Dask: per-file reading, scores and merged statistics.

The demo export is split into three files (UTF-8 CSV, GBK CSV, Parquet); read on a 2-process
LocalCluster, every frame equals reading each file in memory, the row accounting adds up,
and comparisons and reliability from merged statistics equal the in-memory results on the
rows to 1e-12.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from conftest import DEMO

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

import analysis as an  # noqa: E402
from analysis.core.errors import ConfigError, InputError  # noqa: E402
from analysis.stats.oneway import NO_BOOT  # noqa: E402

TOL = 1e-12


@pytest.fixture(scope="module")
def parts(tmp_path_factory) -> list[str]:
    """The demo export in three files of different formats."""
    folder = tmp_path_factory.mktemp("waves")
    raw = pd.read_excel(DEMO / "survey.xlsx", dtype=str)
    thirds = np.array_split(np.arange(len(raw)), 3)
    files = [folder / "a.csv", folder / "b.csv", folder / "c.parquet"]
    raw.iloc[thirds[0]].to_csv(files[0], index=False, encoding="utf-8")
    raw.iloc[thirds[1]].to_csv(files[1], index=False, encoding="gbk")
    raw.iloc[thirds[2]].to_parquet(files[2], index=False)
    return [str(f) for f in files]


@pytest.fixture(scope="module")
def in_memory(parts) -> list[an.SurveyData]:
    cb = an.load_codebook(DEMO / "codebook.yaml")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        surveys = [an.read_survey(f, codebook=cb) for f in parts[:2]]
        raw = pd.read_parquet(parts[2])
        surveys.append(an.read_survey(raw.astype(object).where(raw.notna(), None), codebook=cb))
    return surveys


@pytest.fixture(scope="module")
def lazy(client, parts) -> an.PartitionedSurvey:
    return an.read_survey_partitioned(parts, codebook=DEMO / "codebook.yaml")


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    return pd.concat(frames, ignore_index=True)


def test_responses_and_quarantine_are_each_file_read_alone(lazy, in_memory):
    got = lazy.responses.compute().reset_index(drop=True)
    pd.testing.assert_frame_equal(got, _concat([s.responses for s in in_memory]))
    quarantine = lazy.quarantine.compute().reset_index(drop=True)
    expected = _concat([s.quarantine for s in in_memory])
    expected.loc[expected["file"] == "<DataFrame>", "file"] = "c.parquet"
    # an empty in-memory quarantine has object columns, so their concatenation has too
    pd.testing.assert_frame_equal(quarantine, expected, check_dtype=False)
    assert len(got) > 0


def test_every_row_is_kept_or_quarantined(lazy, parts):
    table = lazy.row_accounting()
    assert list(table["file"]) == ["a.csv", "b.csv", "c.parquet", "total"]
    assert (table["rows_read"] == table["kept"] + table["quarantined"]).all()
    raw_rows = len(pd.read_excel(DEMO / "survey.xlsx", dtype=str).dropna(how="all"))
    assert table["rows_read"].iloc[-1] + table["blank_rows"].iloc[-1] == raw_rows


def test_scores_are_the_in_memory_scores(lazy, in_memory):
    got = an.score_partitioned(lazy).compute().reset_index(drop=True)
    pd.testing.assert_frame_equal(got, _concat([an.score_survey(s) for s in in_memory]))
    with pytest.raises(ConfigError, match="method='z'"):
        an.score_partitioned(lazy, method="z")


@pytest.mark.parametrize(
    "options",
    [
        {"method": "anova", "posthoc": "tukey"},
        {"method": "welch", "posthoc": "games-howell"},
        {"method": "brown-forsythe", "posthoc": None},
        {"method": "kruskal", "posthoc": "dunn"},
        {"method": "auto", "posthoc": "auto"},
    ],
)
def test_comparisons_from_merged_moments_are_the_in_memory_comparisons(lazy, in_memory, options):
    scores = _concat([an.score_survey(s) for s in in_memory])
    kw = {"dv": "score", "between": "group", "by": "dimension"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = an.compare_groups(scores, **kw, **options)
        moments = an.group_moments(an.score_partitioned(lazy), **kw)
        got = an.compare_groups(moments, **options)
    for name in ("table", "posthoc", "descriptives"):
        a, b = getattr(got, name), getattr(want, name)
        if name == "table" and a["reason"].str.endswith(NO_BOOT).any():
            # bootstrap intervals resample rows: not available from moments, and said so
            assert (a["reason"].str.removesuffix(f"; {NO_BOOT}") == b["reason"]).all()
            drop = ["reason", "effect_ci_low", "effect_ci_high"]
            a, b = a.drop(columns=drop), b.drop(columns=drop)
        assert list(a.columns) == list(b.columns), name
        for column in a.columns:
            if pd.api.types.is_float_dtype(b[column]):
                np.testing.assert_allclose(
                    a[column].to_numpy(float), b[column].to_numpy(float), rtol=TOL, atol=TOL
                )
            else:
                pd.testing.assert_series_equal(a[column], b[column], obj=f"{name}.{column}")


def test_reliability_from_merged_item_moments(lazy, in_memory):
    whole = in_memory[0].__class__(
        responses=_concat([s.responses for s in in_memory]),
        missing=_concat([s.missing for s in in_memory]),
        quarantine=in_memory[0].quarantine.iloc[:0],
        codebook=in_memory[0].codebook,
        source=in_memory[0].source,
    )
    want = an.reliability(whole)
    got = an.reliability(an.partitioned_item_moments(lazy))
    # ordinal alpha needs the answers' two-way tables, which moments do not keep
    floats = [
        c for c in want.columns if pd.api.types.is_float_dtype(want[c]) and c != "alpha_ordinal"
    ]
    np.testing.assert_allclose(got[floats].to_numpy(), want[floats].to_numpy(), rtol=TOL, atol=TOL)
    assert got["alpha_ordinal"].isna().all()


def test_no_files_is_an_error_naming_the_place(tmp_path):
    with pytest.raises(InputError, match="no survey files found"):
        an.read_survey_partitioned(tmp_path / "*.csv", codebook=DEMO / "codebook.yaml")


def test_ids_repeated_across_files_are_found(client, parts, tmp_path):
    twice = an.read_survey_partitioned([parts[0], parts[0]], codebook=DEMO / "codebook.yaml")
    repeated = twice.repeated_ids()
    kept = an.read_survey_partitioned([parts[0]], codebook=DEMO / "codebook.yaml")
    assert len(repeated) == len(kept.responses.compute())
    assert (repeated["n"] == 2).all()
    assert an.read_survey_partitioned(parts, codebook=DEMO / "codebook.yaml").repeated_ids().empty
