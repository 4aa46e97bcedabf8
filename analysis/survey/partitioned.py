"""Surveys larger than one machine's memory, on Dask: one partition per file of an export.

A city that pools waves and districts has its export in many files (one per district or
wave, CSV, XLSX or Parquet). :func:`read_survey_partitioned` reads and recodes each file on
a worker with the in-memory reader, so encodings, row numbers, recoding and quarantine are
exactly those of reading that file alone, and the row accounting adds up per file and in
total. Scores are computed per partition (:func:`score_partitioned`); group comparisons and
reliability need no raw rows on one machine: :func:`group_moments` and
:func:`partitioned_item_moments` merge per-partition sufficient statistics
(:mod:`analysis.stats.sufficient`, :mod:`analysis.stats.item_moments`) that
:func:`analysis.compare_groups` and :func:`analysis.reliability` accept.

Nothing here imports Dask until a partitioned survey is read.
"""

from __future__ import annotations

import dataclasses
import glob
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from os import PathLike
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.core.distributed import is_dask_frame, require_dask
from analysis.core.errors import ConfigError, InputError
from analysis.stats.item_moments import ItemMoments
from analysis.stats.sufficient import GroupMoments, merge_tree
from analysis.survey.codebook import Codebook
from analysis.survey.codebook_file import load_codebook
from analysis.survey.reading import SurveyData, read_survey

__all__ = [
    "PartitionedSurvey",
    "group_moments",
    "partitioned_item_moments",
    "read_survey_partitioned",
    "score_partitioned",
]

_SUFFIXES = (".csv", ".xlsx", ".xls", ".parquet", ".sav", ".dta")


@dataclass(frozen=True)
class PartitionedSurvey:
    """A survey export in several files, read lazily on Dask, one partition per file.

    Attributes
    ----------
    files
        The files, in partition order.
    codebook
        The codebook every file is recoded with.
    parts
        One ``dask.delayed`` :class:`~analysis.survey.reading.SurveyData` per file.
    first
        The first file read in memory when the survey was opened (its columns checked
        against the codebook; the meta of the lazy frames).
    """

    files: tuple[str, ...]
    codebook: Codebook
    parts: tuple[Any, ...]
    first: SurveyData

    @cached_property
    def responses(self) -> Any:
        """The kept respondents of every file, as a lazy frame (see ``SurveyData.responses``)."""
        return _frame(self.parts, "responses", self.first)

    @cached_property
    def quarantine(self) -> Any:
        """Every file's quarantine, as a lazy frame (``file`` names the partition's file)."""
        return _frame(self.parts, "quarantine", self.first)

    def repeated_ids(self) -> pd.DataFrame:
        """Respondent ids kept in more than one file (computed now): ``respondent_id``, ``n``.

        Each file is read alone, so a respondent id repeated within a file is quarantined as
        in memory, but one repeated across files is not; check it here.
        """
        counts = self.responses["respondent_id"].value_counts().compute()
        repeated = counts[counts > 1].sort_index()
        return repeated.rename("n").rename_axis("respondent_id").reset_index()

    def row_accounting(self) -> pd.DataFrame:
        """Per file: rows read, kept and quarantined, and blank rows (computed now).

        Rows read = kept + quarantined in every file; the last row gives the totals.
        """
        import dask

        counts = dask.compute(*[dask.delayed(_accounting)(p) for p in self.parts])
        table = pd.DataFrame(list(counts))
        table.insert(0, "file", [Path(f).name for f in self.files])
        total = table.drop(columns="file").sum().to_frame().T
        total.insert(0, "file", "total")
        return pd.concat([table, total], ignore_index=True)


def read_survey_partitioned(
    path: str | PathLike[str] | Sequence[str | PathLike[str]],
    *,
    codebook: Codebook | str | PathLike[str],
    sheet: str | int = 0,
    encoding: str | None = None,
) -> PartitionedSurvey:
    """Open a survey export kept in several files, to be read and recoded on Dask.

    Parameters
    ----------
    path
        A folder (every CSV, XLSX, XLS, Parquet, SAV and DTA file in it), a glob pattern or
        a list of files. Every file has the export's header; a Parquet file holds the
        export's columns (values read as text, rows numbered from 2 as in a CSV).
    codebook
        The codebook (or its YAML path) for every file.
    sheet, encoding
        As in :func:`~analysis.read_survey`, for every file.

    Returns
    -------
    PartitionedSurvey

    Raises
    ------
    InputError
        No files, or the first file cannot be read (named as :func:`read_survey` names it).
    CodebookError
        The first file's columns do not match the codebook.
    """
    require_dask("read_survey_partitioned")
    import dask

    files = _list_files(path)
    cb = codebook if isinstance(codebook, Codebook) else load_codebook(codebook)
    options = {"codebook": cb, "sheet": sheet, "encoding": encoding}
    first = _read_part(files[0], options)
    parts = tuple(
        dask.delayed(_read_part, pure=True)(f, options, dask_key_name=f"read-survey-{i}-{f}")
        for i, f in enumerate(files)
    )
    return PartitionedSurvey(files=tuple(files), codebook=cb, parts=parts, first=first)


def score_partitioned(
    survey: PartitionedSurvey, *, method: str = "mean", min_answered: float | None = None
) -> Any:
    """Scores per respondent and dimension, per partition (see :func:`~analysis.score_survey`).

    Returns
    -------
    dask.dataframe.DataFrame
        The columns of :func:`~analysis.score_survey`.

    Raises
    ------
    ConfigError
        ``method="z"``: standardising needs the mean and SD of all respondents; score with
        ``"mean"`` and standardise from :func:`group_moments`.
    """
    import dask

    from analysis.survey.scores import score_survey

    if method == "z":
        raise ConfigError(
            "score_partitioned: method='z' standardises over all respondents at once; use "
            "'mean' or 'sum' on a partitioned survey"
        )
    dd = require_dask("score_partitioned")
    # the meta from two respondents, not by scoring the whole first file on the client
    head = dataclasses.replace(
        survey.first,
        responses=survey.first.responses.head(2),
        missing=survey.first.missing.head(2),
    )
    meta = score_survey(head, method=method, min_answered=min_answered).iloc[:0]
    scored = [
        dask.delayed(score_survey, pure=True)(p, method=method, min_answered=min_answered)
        for p in survey.parts
    ]
    with dask.config.set({"dataframe.convert-string": False}):
        return dd.from_delayed(scored, meta=meta, verify_meta=False)


def group_moments(
    data: Any,
    *,
    dv: str,
    between: str,
    by: str | None = None,
    weights: str | None = None,
    max_values: int | None = None,
) -> GroupMoments:
    """The sufficient statistics of a long frame, merged over its partitions.

    Parameters
    ----------
    data
        A ``dask.dataframe.DataFrame`` (each partition summarised where it lies, only the
        summaries travel) or a pandas frame.
    dv, between, by, weights
        As in :func:`~analysis.compare_groups`.
    max_values
        See :meth:`GroupMoments.from_frame`.

    Returns
    -------
    GroupMoments
        Pass to :func:`~analysis.compare_groups` in place of the rows.
    """
    extra = {} if max_values is None else {"max_values": max_values}
    options = dict(dv=dv, between=between, by=by, weights=weights, **extra)
    if not is_dask_frame(data):
        return GroupMoments.from_frame(data, **options)
    import dask

    parts = [
        dask.delayed(GroupMoments.from_frame, pure=True)(p, **options) for p in data.to_delayed()
    ]
    return dask.compute(_tree(parts, GroupMoments.merge))[0]


def partitioned_item_moments(survey: PartitionedSurvey) -> ItemMoments:
    """Item moments of every partition, merged: pass to :func:`~analysis.reliability`."""
    import dask

    from analysis.survey.psychometrics import item_moments

    parts = [dask.delayed(item_moments, pure=True)(p) for p in survey.parts]
    return dask.compute(_tree(parts, ItemMoments.merge))[0]


# ============================================================================ internals


def _read_part(path: str, options: dict[str, Any]) -> SurveyData:
    """One file, read and recoded alone (warnings are counted, not shown per partition)."""
    from analysis.core.errors import DataQualityWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        if Path(path).suffix.lower() == ".parquet":
            return _read_parquet_part(path, options)
        return read_survey(path, **options)


def _read_parquet_part(path: str, options: dict[str, Any]) -> SurveyData:
    raw = pd.read_parquet(path)
    raw = raw.astype(object).where(raw.notna(), None)
    survey = read_survey(raw, codebook=options["codebook"])
    quarantine = survey.quarantine.assign(file=Path(path).name)
    source = {**survey.source, "path": str(path), "format": "parquet"}
    return dataclasses.replace(survey, quarantine=quarantine, source=source)


def _accounting(survey: SurveyData) -> dict[str, int]:
    quarantined = survey.quarantine["row"].nunique() if len(survey.quarantine) else 0
    return {
        "rows_read": int(survey.source.get("n_rows", len(survey.responses) + quarantined)),
        "kept": len(survey.responses),
        "quarantined": int(quarantined),
        "blank_rows": int(survey.source.get("n_blank_rows", 0)),
    }


def _frame(parts: Sequence[Any], attribute: str, first: SurveyData) -> Any:
    import dask

    dd = require_dask("PartitionedSurvey")
    meta = getattr(first, attribute).iloc[:0]
    pieces = [dask.delayed(getattr, pure=True)(p, attribute) for p in parts]
    # the frames as read, not with their text columns turned into Arrow strings
    with dask.config.set({"dataframe.convert-string": False}):
        return dd.from_delayed(pieces, meta=meta, verify_meta=False)


def _tree(parts: list[Any], merge: Any) -> Any:
    """Merge delayed parts pairwise as a balanced tree, as the in-memory ``combine`` does."""
    import dask

    def lazy(a: Any, b: Any) -> Any:
        return dask.delayed(merge, pure=True)(a, b)

    return merge_tree(parts, lazy, owner="partitioned statistics")


def _list_files(path: str | PathLike[str] | Sequence[str | PathLike[str]]) -> list[str]:
    if isinstance(path, (str, PathLike)):
        root = Path(path)
        if root.is_dir():
            files = sorted(str(p) for p in root.iterdir() if p.suffix.lower() in _SUFFIXES)
        elif root.exists():
            files = [str(root)]
        else:
            files = sorted(glob.glob(str(path), recursive=True))
    else:
        files = [str(p) for p in path]
    files = [f for f in files if Path(f).suffix.lower() in _SUFFIXES]
    if not files:
        raise InputError(
            f"{path}: no survey files found; expected files ending in {', '.join(_SUFFIXES)}",
            file=str(path),
        )
    missing = [f for f in files if not Path(f).is_file()]
    if missing:
        raise InputError(f"{missing[0]}: no such file", file=missing[0])
    return files
