"""Quality screens: speeders, straight-liners and duplicate submissions.

:func:`screen_quality` flags respondents and, only for the reasons asked for, moves them
from ``responses`` into ``exclusions``. Nothing is dropped silently: every excluded row is
listed with its reason, and input rows = kept + quarantined + excluded.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterable
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from analysis.core.errors import ConfigError, DataQualityWarning, InputError, check_option

if TYPE_CHECKING:
    from analysis.survey.codebook import Codebook
    from analysis.survey.reading import SurveyData

__all__ = ["REASONS", "screen_quality"]

log = logging.getLogger("analysis")

REASONS = ("speeder", "straightline", "duplicate")
Straightline = bool | Literal["all", "any"]


def _codebook(survey: SurveyData) -> Codebook:
    if survey.codebook is None:
        raise InputError("screen_quality needs a survey read with a codebook")
    return survey.codebook


def _raw_positions(survey: SurveyData) -> np.ndarray:
    """Item answers as given (reverse items un-reversed), NaN when missing."""
    cb = _codebook(survey)
    x = survey.item_matrix()
    for j, it in enumerate(cb.items):
        if it.reverse:
            sc = cb.scale_of(it)
            x[:, j] = sc.min + sc.max - x[:, j]
    return x


def _speeders(resp: pd.DataFrame, ratio: float) -> np.ndarray:
    if "duration_s" not in resp.columns:
        log.info("screen_quality: no duration column; no speeder flags")
        return np.zeros(len(resp), dtype=bool)
    d = resp["duration_s"].to_numpy(dtype="float64", na_value=np.nan)
    ok = ~np.isnan(d)
    if not ok.any():
        return np.zeros(len(resp), dtype=bool)
    med = float(np.median(d[ok]))
    return ok & (d < ratio * med)


def _straightliners(survey: SurveyData, mode: str) -> np.ndarray:
    cb = _codebook(survey)
    x = _raw_positions(survey)
    pos = {it.id: j for j, it in enumerate(cb.items)}
    blocks = []
    for dim in cb.dimensions:
        cols = [pos[it.id] for it in cb.items_for(dim)]
        if len(cols) < 3:
            continue
        b = x[:, cols]
        full = ~np.isnan(b).any(axis=1)
        same = full & (
            np.nanmax(b, axis=1, initial=-np.inf, where=~np.isnan(b))
            == np.nanmin(b, axis=1, initial=np.inf, where=~np.isnan(b))
        )
        blocks.append(same)
    if not blocks:
        return np.zeros(len(survey.responses), dtype=bool)
    stack = np.column_stack(blocks)
    return stack.all(axis=1) if mode == "all" else stack.any(axis=1)


def _duplicates(survey: SurveyData) -> np.ndarray:
    cb = _codebook(survey)
    resp = survey.responses
    cols = [*cb.item_ids, *(c.id for c in cb.covariates)]
    if "ip" in resp.columns:
        cols.append("ip")
    return resp.duplicated(subset=cols, keep="first").to_numpy()


def screen_quality(
    survey: SurveyData,
    *,
    speeder_ratio: float = 0.33,
    straightline: Straightline = True,
    duplicates: bool = True,
    exclude: Iterable[str] = (),
) -> SurveyData:
    """Flag speeders, straight-liners and duplicates; exclude only the reasons asked for.

    Parameters
    ----------
    survey
        A survey read with a codebook.
    speeder_ratio
        A respondent is a speeder when ``duration_s < speeder_ratio * median(duration_s)``
        (median over the kept respondents; no flags without a duration column).
    straightline
        ``True`` or ``"all"``: flagged when, in **every** dimension with at least 3 items,
        all items are answered with the same option (raw answers, before reversing).
        ``"any"``: flagged when this holds in at least one such dimension (stricter; best
        when every block has a reverse-worded item). ``False``: no flags.
    duplicates
        Flag a submission identical to an earlier one on every item and covariate (and on
        the IP address, when the export has one); the first submission is not flagged.
    exclude
        Reasons to exclude, a subset of ``"speeder"``, ``"straightline"``,
        ``"duplicate"``. Flags alone never remove anyone.

    Returns
    -------
    SurveyData
        A copy: ``responses`` gains boolean ``flag_speeder``, ``flag_straightline``,
        ``flag_duplicate``; excluded rows leave ``responses`` and ``missing`` and are
        listed in ``exclusions`` (``respondent_id``, ``row``, ``reason``; several reasons
        joined by ``;``).

    Raises
    ------
    ConfigError
        Unknown reason in ``exclude``; ``speeder_ratio`` not in (0, 1].

    Warns
    -----
    DataQualityWarning
        How many respondents were excluded, per reason.

    Examples
    --------
    >>> import warnings
    >>> import pandas as pd
    >>> from analysis import read_survey
    >>> export = pd.DataFrame({
    ...     "id": ["a", "b", "c", "d"], "秒": [300, 20, 280, 310],
    ...     "q1": [4, 5, 5, 4], "q2": [3, 5, 5, 4], "q3": [5, 4, 5, 4],
    ... })
    >>> codebook = {
    ...     "id_column": "id", "duration_column": "秒", "scale": {"min": 1, "max": 5},
    ...     "items": [{"column": c, "id": c, "dimension": "masses"} for c in ("q1", "q2", "q3")],
    ... }
    >>> survey = read_survey(export, codebook=codebook)
    >>> with warnings.catch_warnings():  # a DataQualityWarning says who was excluded
    ...     warnings.simplefilter("ignore")
    ...     screened = screen_quality(survey, exclude=["speeder"])
    >>> screened.responses[["respondent_id", "flag_speeder", "flag_straightline"]]
      respondent_id  flag_speeder  flag_straightline
    0             a         False              False
    1             c         False               True
    2             d         False               True
    >>> screened.exclusions
      respondent_id  row   reason
    0             b    3  speeder
    """
    exclude = list(exclude)
    for reason in exclude:
        check_option("exclude", reason, REASONS, owner="screen_quality")
    if not 0 < speeder_ratio <= 1:
        raise ConfigError(
            f"The 'speeder_ratio' parameter of screen_quality must be in (0, 1]. "
            f"Got {speeder_ratio!r} instead."
        )
    if straightline not in (True, False, "all", "any"):
        raise ConfigError(
            "The 'straightline' parameter of screen_quality must be one of "
            f"True, False, 'all', 'any'. Got {straightline!r} instead."
        )
    _codebook(survey)
    resp = survey.responses.copy()
    flags = {
        "speeder": _speeders(resp, speeder_ratio),
        "straightline": (
            _straightliners(survey, "any" if straightline == "any" else "all")
            if straightline
            else np.zeros(len(resp), dtype=bool)
        ),
        "duplicate": _duplicates(survey) if duplicates else np.zeros(len(resp), dtype=bool),
    }
    for reason, mask in flags.items():
        resp[f"flag_{reason}"] = mask
    drop = np.zeros(len(resp), dtype=bool)
    reasons = np.full(len(resp), "", dtype=object)
    for reason in REASONS:
        if reason in exclude:
            m = flags[reason]
            drop |= m
            reasons[m] = np.where(reasons[m] == "", reason, reasons[m] + ";" + reason)
    new_excl = pd.DataFrame(
        {
            "respondent_id": resp.loc[drop, "respondent_id"].astype(str).to_numpy(),
            "row": resp.loc[drop, "row"].to_numpy(dtype="int64"),
            "reason": reasons[drop].astype(str),
        }
    )
    exclusions = (
        pd.concat([survey.exclusions, new_excl], ignore_index=True)
        if len(survey.exclusions)
        else new_excl
    )
    if drop.any():
        counts = ", ".join(f"{r}: {int(flags[r].sum())}" for r in REASONS if r in exclude)
        warnings.warn(
            f"screen_quality: {int(drop.sum())} respondents excluded ({counts}); see .exclusions",
            DataQualityWarning,
            stacklevel=2,
        )
    keep = ~drop
    return survey.with_(
        responses=resp.loc[keep].reset_index(drop=True),
        missing=survey.missing.loc[keep].reset_index(drop=True),
        exclusions=exclusions,
    )
