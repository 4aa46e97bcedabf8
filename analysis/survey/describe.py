"""Frequency tables, the sample profile and the 满意率 of a survey read with its codebook.

* :func:`frequencies`    per-item counts and percentages with the answer labels, as SPSS
  FREQUENCIES prints them (频数, 百分比, 有效百分比, 累计百分比)
* :func:`sample_profile` the 样本基本情况 table: the respondents' covariates with n and %
* :func:`satisfaction`   满意率 (share satisfied, Wilson CI) and the 百分制 index per item,
  dimension and community
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.core.errors import ConfigError, InputError
from analysis.survey.codebook import Codebook
from analysis.survey.reading import SurveyData
from analysis.survey.scores import require_codebook

__all__ = ["frequencies", "sample_profile", "satisfaction"]

MISSING_ANSWERS = {"skipped": "(跳过)", "no_answer": "(未作答)"}
FREQUENCY_COLUMNS = [
    "item_id",
    "question",
    "value",
    "answer",
    "missing_kind",
    "frequency",
    "percent",
    "valid_percent",
    "cumulative_percent",
]
SATISFACTION_COLUMNS = [
    "group",
    "dimension",
    "item_id",
    "n",
    "n_satisfied",
    "satisfaction_rate",
    "ci_low",
    "ci_high",
    "mean",
    "satisfaction_index",
]


def frequencies(
    survey: SurveyData, columns: Sequence[str] | None = None, *, by: str | None = None
) -> pd.DataFrame:
    """Counts and percentages of each answer, per item (and per group), as SPSS prints them.

    Parameters
    ----------
    survey
        A survey read with a codebook.
    columns
        Item ids or covariate ids of the codebook (default: every item).
    by
        Optional column of the responses (``"group"`` or a covariate id): one table per value.

    Returns
    -------
    DataFrame
        One row per (``by`` value,) column and answer, then one per kind of missing answer:
        ``<by>`` (when given), ``item_id``, ``question`` (the column header of the export),
        ``value`` (the number of the answer as asked, before reverse coding; NaN for
        covariates and missing rows), ``answer`` (the scale label, or the raw answer of a
        covariate; ``(跳过)`` / ``(未作答)`` for missing rows), ``missing_kind`` (None, or
        ``"skipped"`` / ``"no_answer"``), ``frequency``, ``percent`` (of all respondents,
        missing included), ``valid_percent`` (of those who answered; NaN on missing rows),
        ``cumulative_percent`` (of ``valid_percent``, in scale order).

    Raises
    ------
    InputError
        The survey has no codebook, or a column is neither an item nor a covariate.

    Notes
    -----
    SPSS FREQUENCIES semantics: Percent = n / N (N all respondents kept, missing
    included), Valid Percent = n / valid, Cumulative Percent summed over the valid answers
    in scale order. Items are counted as answered (reverse-keyed items are turned back, so
    ``value`` and ``answer`` are what the respondent chose); every point of the scale is
    listed, with frequency 0 when nobody chose it. Covariates list their raw answers in
    natural order (numbers in a label read as numbers: 1-3年 before 10年以上; categorical
    columns in category order); empty cells are ``no_answer``.
    """
    cb = require_codebook(survey, "frequencies")
    ids = list(cb.item_ids if columns is None else columns)
    resp = survey.responses
    if by is not None and by not in resp.columns:
        raise InputError(f"frequencies: by={by!r} is not a column of the responses")
    parts = []
    keys: list[Any] = [None] if by is None else sorted(resp[by].dropna().unique(), key=str)
    for key in keys:
        mask = np.ones(len(resp), dtype=bool) if by is None else (resp[by] == key).to_numpy()
        for cid in ids:
            part = _one_column(survey, cb, cid, mask)
            if by is not None:
                part.insert(0, by, key)
            parts.append(part)
    cols = ([by] if by else []) + FREQUENCY_COLUMNS
    if not parts:
        return pd.DataFrame(columns=cols)
    return pd.concat(parts, ignore_index=True)[cols]


def _one_column(survey: SurveyData, cb: Codebook, cid: str, mask: np.ndarray) -> pd.DataFrame:
    items = {it.id: it for it in cb.items}
    covariates = {c.id: c for c in cb.covariates}
    resp = survey.responses[mask]
    total = len(resp)
    if cid in items:
        item = items[cid]
        scale = cb.scale_of(item)
        x = resp[cid].to_numpy(dtype=float, na_value=np.nan)
        if item.reverse:
            x = scale.reverse(x)
        names = {v: t for t, v in scale.labels.items()}
        values = list(scale.values)
        counts = [int((x == v).sum()) for v in values]
        answers = [names.get(v, f"{v:g}") for v in values]
        kinds = survey.missing.loc[resp.index, cid] if cid in survey.missing else None
        question = item.column
    elif cid in covariates:
        raw = resp[cid]
        text = raw.astype("string").str.strip().replace("", pd.NA)
        order = (
            list(raw.cat.categories)
            if isinstance(raw.dtype, pd.CategoricalDtype)
            else sorted(text.dropna().unique(), key=_natural)
        )
        counts = [int((text == str(v)).sum()) for v in order]
        answers = [str(v) for v in order]
        values = [np.nan] * len(order)
        kinds = pd.Series(np.where(text.isna(), "no_answer", None), index=resp.index)
        question = covariates[cid].column
    else:
        known = ", ".join([*items, *covariates])
        raise InputError(
            f"frequencies: {cid!r} is neither an item nor a covariate of the codebook; "
            f"expected one of {known}"
        )
    valid = sum(counts)
    rows = []
    cum = 0.0
    for v, a, c in zip(values, answers, counts, strict=True):
        vp = 100 * c / valid if valid else np.nan
        cum += 0 if np.isnan(vp) else vp
        rows.append(
            (v, a, None, c, 100 * c / total if total else np.nan, vp, cum if valid else np.nan)
        )
    for kind, label in MISSING_ANSWERS.items():
        m = int((kinds == kind).sum()) if kinds is not None else 0
        if m:
            rows.append((np.nan, label, kind, m, 100 * m / total, np.nan, np.nan))
    frame = pd.DataFrame(rows, columns=FREQUENCY_COLUMNS[2:])
    frame.insert(0, "question", question)
    frame.insert(0, "item_id", cid)
    return frame


def sample_profile(survey: SurveyData, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """The 样本基本情况 table: each covariate's answers with n and % of respondents.

    Parameters
    ----------
    survey
        A survey read with a codebook.
    columns
        Covariate ids (default: every covariate of the codebook, in codebook order), e.g.
        gender, age band, education, years of residence.

    Returns
    -------
    DataFrame
        One row per covariate and answer: ``item_id`` (the covariate id), ``question``,
        ``answer``, ``n``, ``percent`` (of all respondents kept, so the answers of a
        covariate with missing answers add up to less than 100, and a ``(未作答)`` row
        says how many are missing).

    Raises
    ------
    InputError
        The survey has no codebook, or a column is not a covariate.
    """
    cb = require_codebook(survey, "sample_profile")
    ids = [c.id for c in cb.covariates] if columns is None else list(columns)
    unknown = [c for c in ids if c not in {cv.id for cv in cb.covariates}]
    if unknown:
        raise InputError(
            f"sample_profile: {', '.join(map(repr, unknown))} not covariate(s) of the "
            f"codebook; expected one of {', '.join(c.id for c in cb.covariates) or 'none'}"
        )
    freq = frequencies(survey, ids)
    out = freq.rename(columns={"frequency": "n"})
    return out[["item_id", "question", "answer", "n", "percent"]].reset_index(drop=True)


def satisfaction(
    survey: SurveyData, *, by: str | None = "group", conf_level: float = 0.95
) -> pd.DataFrame:
    """满意率 (share satisfied, with a Wilson CI) and the 百分制 index per item and dimension.

    Parameters
    ----------
    survey
        A survey read with a codebook.
    by
        Column of the responses giving the groups (``"group"``, the community), or None
        for the whole sample (``group`` is then ``"all"``).
    conf_level
        Level of the Wilson intervals.

    Returns
    -------
    DataFrame
        One row per group and dimension (``item_id`` None) followed by its items:
        ``group``, ``dimension``, ``item_id``, ``n`` (answered item responses; for a
        dimension, pooled over its items), ``n_satisfied``, ``satisfaction_rate``
        (n_satisfied / n), ``ci_low``, ``ci_high`` (Wilson), ``mean`` (mean scored answer;
        for a dimension, the mean of the respondents' dimension means, as
        :func:`~analysis.score_survey` scores them), ``satisfaction_index`` (百分制,
        (mean - min) / (max - min) x 100 on the item's scale).

    Raises
    ------
    InputError
        The survey has no codebook or ``by`` is not a column of the responses.
    ConfigError
        ``conf_level`` is not between 0 and 1.

    Notes
    -----
    Which answers count as satisfied is declared per scale in the codebook
    (``scale: {..., satisfied: [满意, 非常满意]}``); without a declaration, the top two
    points of the scale. Answers are taken after reverse coding, so a reverse-keyed item
    counts its favourable answers. A dimension's 满意率 pools the answered responses to
    its items (each respondent contributes one response per item answered): it is the
    share of satisfied answers, not of satisfied respondents. Its Wilson interval treats
    the pooled responses as independent, which they are not within a respondent, so the
    dimension interval is somewhat too narrow; the item intervals are exact in that sense.
    The dimension index uses the respondents' dimension scores (``min_answered`` applies)
    on the scale of its first item.
    """
    from analysis.stats.categorical import wilson_ci
    from analysis.survey.scores import score_survey

    if not 0 < conf_level < 1:
        raise ConfigError(
            f"The 'conf_level' parameter of satisfaction must be between 0 and 1. "
            f"Got {conf_level!r} instead."
        )
    cb = require_codebook(survey, "satisfaction")
    resp = survey.responses
    if by is not None and by not in resp.columns:
        raise InputError(f"satisfaction: by={by!r} is not a column of the responses")
    groups = pd.Series("all", index=resp.index) if by is None else resp[by].astype(str)
    scores = score_survey(survey)
    # the groups, dimensions and answers as arrays, compared and converted once: a
    # city-scale survey has 100,000 respondents in a few dozen groups
    # a missing group has code -1 and, as before, its row selects no one (code -2)
    codes, keys = pd.factorize(groups, sort=False)
    code_of = {k: i for i, k in enumerate(keys)}
    score_group = np.tile(codes, len(cb.dimensions))
    score_dim = {d: (scores["dimension"] == d).to_numpy() for d in cb.dimensions}
    score_value = scores["score"].to_numpy()
    answers: dict[str, np.ndarray] = {}
    rows = []
    for key in sorted(groups.unique(), key=str):
        mine = codes == code_of.get(key, -2)
        mine_scores = score_group == code_of.get(key, -2)
        for dim in cb.dimensions:
            items = cb.items_for(dim)
            first = cb.scale_of(items[0])
            sc = pd.Series(score_value[mine_scores & score_dim[dim]], dtype=float)
            pooled = [0, 0]
            item_rows = []
            for it in items:
                scale = cb.scale_of(it)
                if it.id not in answers:
                    answers[it.id] = resp[it.id].to_numpy(dtype=float, na_value=np.nan)
                x = answers[it.id][mine]
                x = x[~np.isnan(x)]
                hit = int(np.isin(x, scale.satisfied_values).sum())
                pooled[0] += hit
                pooled[1] += x.size
                mean = float(x.mean()) if x.size else np.nan
                item_rows.append((key, dim, it.id, x.size, hit, mean, _index(mean, scale)))
            m = float(sc.mean()) if sc.notna().any() else np.nan
            rows.append((key, dim, None, pooled[1], pooled[0], m, _index(m, first)))
            rows.extend(item_rows)
    frame = pd.DataFrame(
        rows,
        columns=["group", "dimension", "item_id", "n", "n_satisfied", "mean", "satisfaction_index"],
    )
    n = frame["n"].to_numpy(dtype=float)
    x = frame["n_satisfied"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["satisfaction_rate"] = np.where(n > 0, x / n, np.nan)
    lo, hi = wilson_ci(x, n, conf_level=conf_level)
    frame["ci_low"], frame["ci_high"] = np.where(n > 0, lo, np.nan), np.where(n > 0, hi, np.nan)
    return frame[SATISFACTION_COLUMNS]


def _natural(text: Any) -> list[Any]:
    """Sort key reading the numbers in a label as numbers: 1年以下, 1-3年, 4-10年, 10年以上."""
    import re

    return [
        (0, float(p), "") if p.isdigit() else (1, 0.0, p) for p in re.findall(r"\d+|\D+", str(text))
    ]


def _index(mean: float, scale: Any) -> float:
    """百分制: (mean - min) / (max - min) x 100."""
    return float((mean - scale.min) / (scale.max - scale.min) * 100)
