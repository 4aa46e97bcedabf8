"""Model results and the ordered logit for single Likert items.

:class:`ModelResult` holds any fitted model as tidy frames; :func:`ordered_logit` fits a
proportional-odds model. ICC, design effect and mixed models live in
:mod:`analysis.stats.multilevel` (their result extends :class:`ModelResult`).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from analysis.core.errors import ConfigError, InputError, check_columns
from analysis.report.display import Displayable

__all__ = ["ModelResult", "ordered_logit"]

log = logging.getLogger("analysis")

COEF_COLUMNS = ["term", "estimate", "se", "statistic", "p_value", "ci_low", "ci_high"]


@dataclass(frozen=True)
class ModelResult(Displayable):
    """A fitted model as tidy frames.

    Attributes
    ----------
    coefficients : pandas.DataFrame
        One row per term: ``term``, ``estimate``, ``se``, ``statistic`` (z), ``p_value``,
        ``ci_low``, ``ci_high``, ``kind`` (``fixed``, ``threshold``) and, for ordered logit,
        ``odds_ratio``.
    fit : pandas.DataFrame
        One row: ``n``, ``n_groups`` (mixed models), ``log_likelihood``, ``deviance``,
        ``aic``, ``converged``, ``optimizer``, and for mixed models ``var_between``,
        ``var_within``, ``icc1``.
    params : Mapping
        Formula, grouping column, options.
    model : Any
        The statsmodels results object, for anything not in the frames.
    """

    coefficients: pd.DataFrame
    fit: pd.DataFrame
    params: Mapping[str, Any]
    model: Any = field(repr=False, default=None)


def ordered_logit(
    data: pd.DataFrame,
    formula: str,
    *,
    levels: Sequence[Any] | None = None,
    conf_level: float = 0.95,
) -> ModelResult:
    """Proportional-odds (ordered logit) model for a single Likert item.

    Parameters
    ----------
    data
        One row per respondent.
    formula
        ``"item ~ predictors"`` without an intercept term (the thresholds play its role).
    levels
        Order of the outcome's categories, lowest first; default: the categories of an
        ordered Categorical, else the sorted distinct values.
    conf_level
        Level of the Wald intervals.

    Returns
    -------
    ModelResult
        ``coefficients``: predictors (``kind`` = ``fixed``, with ``odds_ratio``) and the
        cut-points between adjacent categories (``kind`` = ``threshold``, on the logit
        scale). ``fit``: ``n``, ``log_likelihood``, ``deviance``, ``aic``, ``converged``.

    Raises
    ------
    InputError
        The outcome column is missing or has fewer than 3 categories.

    Notes
    -----
    logit P(Y ≤ j) = θ_j - x'β (the parametrisation of R's ``MASS::polr``: positive β means
    higher categories), fitted by maximum likelihood with
    :class:`statsmodels.miscmodels.ordinal_model.OrderedModel` (BFGS). statsmodels
    estimates θ_1 and log increments a_j (θ_j = θ_{j-1} + exp(a_j)); the thresholds and
    their standard errors are mapped back by the delta method.
    """
    from scipy import stats
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    outcome = formula.split("~", 1)[0].strip()
    check_columns(data, [outcome], owner="ordered_logit")
    frame = data.copy()
    values = frame[outcome]
    if levels is None:
        if isinstance(values.dtype, pd.CategoricalDtype):
            levels = list(values.cat.categories)
        else:
            levels = sorted(values.dropna().unique().tolist())
    if len(levels) < 3:
        raise InputError(
            f"ordered_logit: {outcome!r} has {len(levels)} categories; an ordered logit needs "
            "at least 3 (use a logistic regression for 2)"
        )
    frame[outcome] = pd.Categorical(values, categories=list(levels), ordered=True)
    frame = frame.dropna(subset=[outcome])
    if "~" not in formula:
        raise ConfigError(f"ordered_logit: formula {formula!r} needs '~'")
    model = OrderedModel.from_formula(formula, frame, distr="logit")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        res = model.fit(method="bfgs", disp=False, maxiter=1000)
    k_thr = len(levels) - 1
    names = list(res.params.index)
    est = res.params.to_numpy().copy()
    se = np.asarray(res.bse)
    cuts = model.transform_threshold_params(res.params.to_numpy())[1:-1]
    est[-k_thr:] = cuts
    se = se.copy()
    se[-k_thr:] = _threshold_se(res.params.to_numpy()[-k_thr:], res.cov_params().to_numpy())
    z = est / se
    crit = stats.norm.isf((1 - conf_level) / 2)
    kind = ["fixed"] * (len(names) - k_thr) + ["threshold"] * k_thr
    coefs = pd.DataFrame(
        {
            "term": names,
            "estimate": est,
            "se": se,
            "statistic": z,
            "p_value": 2 * stats.norm.sf(np.abs(z)),
            "ci_low": est - crit * se,
            "ci_high": est + crit * se,
            "kind": kind,
        }
    )
    coefs["odds_ratio"] = np.where(coefs["kind"] == "fixed", np.exp(coefs["estimate"]), np.nan)
    fit = pd.DataFrame(
        [
            {
                "n": int(res.nobs),
                "log_likelihood": float(res.llf),
                "deviance": -2 * float(res.llf),
                "aic": float(res.aic),
                "converged": bool(res.mle_retvals.get("converged", True)),
                "optimizer": "bfgs",
            }
        ]
    )
    params = {"formula": formula, "levels": list(levels), "conf_level": conf_level}
    return ModelResult(coefficients=coefs, fit=fit, params=params, model=res)


def _threshold_se(raw: np.ndarray, cov: np.ndarray) -> np.ndarray:
    """Delta-method SEs of θ from statsmodels' (θ_1, log increments) parametrisation."""
    k = raw.size
    jac = np.zeros((k, k))
    for j in range(k):
        jac[j, 0] = 1.0
        for m in range(1, j + 1):
            jac[j, m] = np.exp(raw[m])
    sub = cov[-k:, -k:]
    return np.sqrt(np.diag(jac @ sub @ jac.T))
