"""Design-based descriptives: means, totals and proportions with linearisation errors.

Each function takes a respondent-level frame and a :class:`~analysis.stats.design.SurveyDesign`;
svy computes the estimates and their Taylor-linearisation standard errors (see
:mod:`analysis.stats.design` for why svy), and the intervals use the design's degrees of
freedom (PSUs minus strata), so the numbers are R's ``survey`` package's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from analysis.core.errors import ConfigError, InputError, check_option
from analysis.stats.design import SurveyDesign, build_sample, check_design, svy_errors
from analysis.stats.design_result import DesignResult

__all__ = ["design_df", "survey_means", "survey_proportions", "survey_totals"]


def design_df(data: pd.DataFrame, design: SurveyDesign) -> int:
    """Design degrees of freedom: first-stage PSUs minus strata (R's ``degf(design)``)."""
    n = len(data)
    strata = data[design.strata].astype(str) if design.strata else pd.Series("", index=data.index)
    units = (
        data[design.psu].astype(str) if design.psu else pd.Series(np.arange(n), index=data.index)
    )
    return int(pd.MultiIndex.from_arrays([strata, units]).nunique() - strata.nunique())


def _vars(y: str | Sequence[str], owner: str) -> list[str]:
    names = [y] if isinstance(y, str) else list(y)
    if not names or not all(isinstance(v, str) for v in names):
        raise ConfigError(f"{owner}: y must be a column name or a list of them; got {y!r}")
    return names


def _check_level(conf_level: float, owner: str) -> None:
    if not 0 < float(conf_level) < 1:
        raise ConfigError(f"{owner}: conf_level must be between 0 and 1; got {conf_level!r}")


def _params(design: SurveyDesign, what: str, conf_level: float, **extra: Any) -> dict[str, Any]:
    return {
        "what": what,
        "weights": design.weights,
        "strata": design.strata,
        "psu": design.psu,
        "ssu": design.ssu,
        "fpc": design.fpc,
        "fpc_ssu": design.fpc_ssu,
        "calibration": tuple(step[0] for step in design.calibration),
        "conf_level": conf_level,
        **extra,
    }


def estimate(
    data: pd.DataFrame,
    design: SurveyDesign,
    y: str,
    *,
    param: Literal["mean", "total", "prop"],
    by: str | None,
    owner: str,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Domain estimates of ``y`` by ``by`` and their covariance, from svy.

    Returns a frame with ``group`` (when ``by``), ``level`` (proportions), ``estimate``,
    ``se``, ``n`` in svy's row order, and the covariance of the estimates in that order.
    """
    categorical = [c for c in (by, y if param == "prop" else None) if c]
    sample, _ = build_sample(
        data, design, [y, *([by] if by else [])], owner=owner, categorical=categorical
    )
    if by is not None and sample.data[by].null_count():
        raise InputError(f"{owner}: the group column {by!r} has missing values")
    namespace = sample.estimation
    call = {"mean": namespace.mean, "total": namespace.total, "prop": namespace.prop}[param]
    if sample.data[y].drop_nulls().len() == 0:
        raise InputError(f"{owner}: column {y!r} has no answers")
    with svy_errors(owner):
        est = call(y, by=by, method="taylor", drop_nulls=True)
    frame = est.to_polars().to_pandas()
    out = pd.DataFrame(index=frame.index)
    if by is not None:
        out["group"] = frame[by].to_numpy()
    if param == "prop":
        out["level"] = frame[y].to_numpy()
    out["estimate"] = frame["est"].to_numpy(dtype=float)
    out["se"] = frame["se"].to_numpy(dtype=float)
    out["n"] = frame["n"].to_numpy(dtype=int)
    return out, np.asarray(est.covariance, dtype=float)


def _table(
    data: pd.DataFrame,
    design: SurveyDesign,
    y: str | Sequence[str],
    by: str | None,
    conf_level: float,
    param: Literal["mean", "total"],
    owner: str,
) -> pd.DataFrame:
    from scipy import stats

    _check_level(conf_level, owner)
    check_design(design, owner)
    df = design_df(data, design)
    q = float(stats.t.ppf(1 - (1 - conf_level) / 2, df))
    parts = []
    for name in _vars(y, owner):
        rows, _ = estimate(data, design, name, param=param, by=by, owner=owner)
        rows.insert(0, "variable", name)
        rows["ci_low"] = rows["estimate"] - q * rows["se"]
        rows["ci_high"] = rows["estimate"] + q * rows["se"]
        rows["df"] = df
        parts.append(rows)
    cols = [
        "variable",
        *(["group"] if by else []),
        "estimate",
        "se",
        "ci_low",
        "ci_high",
        "df",
        "n",
    ]
    return pd.concat(parts, ignore_index=True)[cols]


def survey_means(
    data: pd.DataFrame,
    y: str | Sequence[str],
    *,
    design: SurveyDesign,
    by: str | None = None,
    conf_level: float = 0.95,
) -> DesignResult:
    """Design-based means with Taylor-linearisation standard errors, overall or by group.

    Parameters
    ----------
    data
        One row per respondent, with ``y``, ``by`` and the design columns.
    y
        Numeric column(s), e.g. dimension scores in wide form.
    design
        The sampling design (:class:`~analysis.SurveyDesign`).
    by
        Optional group column (e.g. community): domain means, the design kept whole.
    conf_level
        Confidence level of the t intervals.

    Returns
    -------
    DesignResult
        ``table``: ``variable``, ``group`` (with ``by``), ``estimate``, ``se``, ``ci_low``,
        ``ci_high``, ``df``, ``n``.

    Raises
    ------
    InputError
        A column is missing, a value is not a number, or a design column has gaps.
    ConfigError
        svy is not installed, or an option is invalid.

    Notes
    -----
    The mean is the ratio Σwy / Σw; its variance is that of the linearised total of
    w(y - ȳ)/Σw across PSUs within strata, with the finite population correction (Wolter,
    2007, ch. 6). The interval is estimate ± t(df) × SE with df = PSUs - strata, as R's
    ``confint(svymean(~y, design), df = degf(design))``. Respondents without an answer are
    a domain: they keep their place in the design (R's ``na.rm = TRUE``).

    References
    ----------
    Lumley, T. (2010). *Complex surveys: A guide to analysis using R*. Wiley.
    Wolter, K. M. (2007). *Introduction to variance estimation* (2nd ed.). Springer.

    Examples
    --------
    >>> import pandas as pd, analysis as an
    >>> d = pd.DataFrame({"y": [1.0, 2, 3, 4], "w": [1.0, 1, 2, 2]})
    >>> an.survey_means(d, "y", design=an.SurveyDesign(weights="w")).table.estimate.item()
    2.8333333333333335
    """
    table = _table(data, design, y, by, conf_level, "mean", "survey_means")
    return DesignResult(table=table, params=_params(design, "mean", conf_level, by=by))


def survey_totals(
    data: pd.DataFrame,
    y: str | Sequence[str],
    *,
    design: SurveyDesign,
    by: str | None = None,
    conf_level: float = 0.95,
) -> DesignResult:
    """Design-based population totals (Σ w y) with linearisation standard errors.

    Parameters and result are those of :func:`survey_means`; the estimate is R's
    ``svytotal(~y, design)`` (by group: ``svyby(~y, ~by, design, svytotal)``).

    Examples
    --------
    >>> import pandas as pd, analysis as an
    >>> d = pd.DataFrame({"y": [1.0, 2, 3, 4], "w": [1.0, 1, 2, 2]})
    >>> an.survey_totals(d, "y", design=an.SurveyDesign(weights="w")).table.estimate.item()
    17.0
    """
    table = _table(data, design, y, by, conf_level, "total", "survey_totals")
    return DesignResult(table=table, params=_params(design, "total", conf_level, by=by))


def survey_proportions(
    data: pd.DataFrame,
    y: str,
    *,
    design: SurveyDesign,
    by: str | None = None,
    method: Literal["logit", "mean"] = "logit",
    conf_level: float = 0.95,
) -> DesignResult:
    """Design-based proportions of each answer of ``y``, with confidence intervals.

    Parameters
    ----------
    data
        One row per respondent.
    y
        Categorical column (e.g. satisfied yes/no, or a 1-5 answer).
    design
        The sampling design.
    by
        Optional group column: proportions within each group (domain).
    method
        Interval: ``"logit"`` (default; stays in [0, 1], R's ``svyciprop(method =
        "logit")``) or ``"mean"`` (p ± t × SE, R's ``method = "mean"``).
    conf_level
        Confidence level.

    Returns
    -------
    DesignResult
        ``table``: ``variable``, ``group`` (with ``by``), ``level``, ``estimate``, ``se``,
        ``ci_low``, ``ci_high``, ``df``, ``n``.

    Notes
    -----
    The logit interval is expit(logit p ± t(df) × SE / (p(1 - p))), the delta-method interval
    of R's ``svyciprop`` (a quasi-binomial ``svyglm`` on the intercept); df = PSUs - strata,
    within each group with ``by`` (the df of ``svyciprop`` on ``subset(design, by == g)``, as
    R's ``svyby(~y, ~by, design, svyciprop)``). The estimates and standard errors are domain
    estimates of the whole design.

    Examples
    --------
    >>> import pandas as pd, analysis as an
    >>> d = pd.DataFrame({"ok": ["y", "n", "y", "y"], "w": [1.0, 1, 2, 2]})
    >>> t = an.survey_proportions(d, "ok", design=an.SurveyDesign(weights="w")).table
    >>> t.set_index("level").estimate.round(3).to_dict()
    {'n': 0.167, 'y': 0.833}
    """
    from scipy import stats
    from scipy.special import expit, logit

    owner = "survey_proportions"
    check_design(design, owner)
    check_option("method", method, ("logit", "mean"), owner=owner)
    _check_level(conf_level, owner)
    if not isinstance(y, str):
        raise ConfigError(f"{owner}: y must be one column name; got {y!r}")
    rows, _ = estimate(data, design, y, param="prop", by=by, owner=owner)
    if by is None:
        df = np.full(len(rows), design_df(data, design))
    else:  # R's svyby(..., svyciprop): the df of the domain's own PSUs and strata
        keys = data[by].astype(str)
        df = np.array([design_df(data[keys == str(g)], design) for g in rows["group"]])
    q = stats.t.ppf(1 - (1 - conf_level) / 2, df)
    p, se = rows["estimate"].to_numpy(), rows["se"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "logit":
            half = q * se / (p * (1 - p))
            low, high = expit(logit(p) - half), expit(logit(p) + half)
            low, high = np.where(p <= 0, 0.0, low), np.where(p >= 1, 1.0, high)
        else:
            low, high = p - q * se, p + q * se
    rows["ci_low"], rows["ci_high"], rows["df"] = low, high, df
    rows.insert(0, "variable", y)
    cols = [
        "variable",
        *(["group"] if by else []),
        "level",
        "estimate",
        "se",
        "ci_low",
        "ci_high",
        "df",
        "n",
    ]
    table = rows[cols].reset_index(drop=True)
    params = _params(design, "proportion", conf_level, by=by, method=method)
    return DesignResult(table=table, params=params)
