"""Model results and the ordered logit for single Likert items.

:class:`ModelResult` holds any fitted model as tidy frames; :func:`ordered_logit` fits a
proportional-odds model. ICC, design effect and mixed models live in
:mod:`analysis.stats.multilevel` (their result extends :class:`ModelResult`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

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
        The fitted object, for anything not in the frames (for the ordered logit a
        :class:`~analysis.stats.cumulative_logit.PolrFit`).
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
    logit P(Y ≤ j) = θ_j - x'β (the parametrisation of R's ``MASS::polr`` and
    ``ordinal::clm``: positive β means higher categories), fitted by maximum likelihood with
    Newton-Raphson on the analytic gradient and Hessian
    (:func:`analysis.stats.cumulative_logit.fit_polr`), to a largest absolute score below
    1e-10, as ``clm`` does; standard errors from the inverse observed information. Rows with
    a missing outcome or predictor are dropped. Threshold terms are named ``lower|upper``
    after the categories, as in R. Check the proportional-odds assumption with
    :func:`analysis.stats.cumulative_logit.brant_test`.
    """
    from scipy import stats

    from analysis.stats.cumulative_logit import design, fit_polr

    y, x, levels, _ = design(data, formula, levels, "ordered_logit")
    fitted = fit_polr(y, x.to_numpy(dtype=float), len(levels))
    k_thr = len(levels) - 1
    names = list(x.columns) + [f"{levels[j]}|{levels[j + 1]}" for j in range(k_thr)]
    est = np.concatenate([fitted.beta, fitted.theta])
    order = np.r_[np.arange(k_thr, k_thr + x.shape[1]), np.arange(k_thr)]
    se = np.sqrt(np.diag(fitted.cov))[order]
    z = est / se
    crit = stats.norm.isf((1 - conf_level) / 2)
    kind = ["fixed"] * x.shape[1] + ["threshold"] * k_thr
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
    n_par = len(est)
    fit = pd.DataFrame(
        [
            {
                "n": len(y),
                "log_likelihood": fitted.log_likelihood,
                "deviance": -2 * fitted.log_likelihood,
                "aic": -2 * fitted.log_likelihood + 2 * n_par,
                "converged": fitted.converged,
                "optimizer": "newton",
                "iterations": fitted.iterations,
                "max_gradient": fitted.max_gradient,
            }
        ]
    )
    params = {"formula": formula, "levels": list(levels), "conf_level": conf_level}
    return ModelResult(coefficients=coefs, fit=fit, params=params, model=fitted)
