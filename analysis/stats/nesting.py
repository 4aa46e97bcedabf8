"""Residents nested in communities: ICC, random-intercept models, ordered logit.

Respondents of one community share it, so their answers are not independent. The intraclass
correlation says how much of the variance lies between communities; the design effect says
how much a simple-random-sample standard error understates the truth; random-intercept
models estimate effects of individual covariates (age, gender, party membership, years of
residence) with the community as a random effect.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from analysis.core.errors import InputError, SmallSampleWarning, check_columns
from analysis.report.display import Displayable

__all__ = ["ModelResult", "icc", "mixed_model", "ordered_logit"]

log = logging.getLogger("analysis")

OPTIMIZERS = ("lbfgs", "bfgs", "powell", "nm")

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
        The statsmodels results object (mixed models) or the
        :class:`~analysis.stats.cumulative_logit.PolrFit` (ordered logit).
    """

    coefficients: pd.DataFrame
    fit: pd.DataFrame
    params: Mapping[str, Any]
    model: Any = field(repr=False, default=None)


def _fit_mixed(formula: str, data: pd.DataFrame, groups: str, reml: bool) -> tuple[Any, str]:
    """Fit MixedLM, trying optimizers in turn until one converges without warnings."""
    import statsmodels.formula.api as smf
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    model = smf.mixedlm(formula, data, groups=data[groups])
    last: Any = None
    for name in OPTIMIZERS:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                res = model.fit(reml=reml, method=name)
            except (np.linalg.LinAlgError, ValueError) as exc:
                log.info("MixedLM with %s failed: %s", name, exc)
                continue
        trouble = [
            w for w in caught if issubclass(w.category, (ConvergenceWarning, RuntimeWarning))
        ]
        last = (res, name)
        if res.converged and not trouble:
            return res, name
        log.info("MixedLM with %s: converged=%s, %d warnings", name, res.converged, len(trouble))
    if last is None:
        raise InputError(f"random-intercept model {formula!r} could not be fitted")
    return last


def icc(
    data: pd.DataFrame,
    dv: str,
    between: str,
    *,
    by: str | None = None,
) -> pd.DataFrame:
    """Intraclass correlations and design effect from a REML random-intercept model.

    Parameters
    ----------
    data
        Long frame, one row per respondent (and ``by`` value). Not modified.
    dv
        Outcome column.
    between
        Cluster column (community).
    by
        Optional split, e.g. ``"dimension"``: one row per value.

    Returns
    -------
    pandas.DataFrame
        ``<by>`` (when given), ``n``, ``n_groups``, ``mean_group_size``, ``var_between``
        (τ²), ``var_within`` (σ²), ``icc1``, ``icc2``, ``design_effect``, ``optimizer``,
        ``converged``.

    Raises
    ------
    InputError
        A column is missing or the model cannot be fitted.

    Warns
    -----
    SmallSampleWarning
        Fewer than 10 clusters: τ² is poorly estimated.

    Notes
    -----
    y_ij = μ + u_j + e_ij, u_j ~ N(0, τ²), e_ij ~ N(0, σ²), fitted by REML with
    :class:`statsmodels.regression.mixed_linear_model.MixedLM` (optimizers tried in turn:
    L-BFGS, BFGS, Powell, Nelder-Mead, until one converges without warnings).
    ICC(1) = τ² / (τ² + σ²); ICC(2) = n̄ ICC(1) / (1 + (n̄ - 1) ICC(1)), the reliability
    of a community mean with the average cluster size n̄ (Bliese, 2000); design effect
    = 1 + (n̄ - 1) ICC(1) (Kish, 1965).

    References
    ----------
    Bliese, P. D. (2000). Within-group agreement, non-independence, and reliability. In
    K. J. Klein & S. W. J. Kozlowski (Eds.), *Multilevel theory, research, and methods in
    organizations* (pp. 349-381). Jossey-Bass.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> group = np.repeat(np.arange(12), 10)
    >>> d = pd.DataFrame({"group": group,
    ...                   "score": rng.normal(0, 1, 12)[group] + rng.normal(0, 1, 120)})
    >>> out = icc(d, "score", "group")
    >>> out[["n", "n_groups", "mean_group_size"]].to_dict("records")
    [{'n': 120, 'n_groups': 12, 'mean_group_size': 10.0}]
    >>> bool(0 < out.icc1.iloc[0] < 1)
    True
    """
    check_columns(data, [dv, between] + ([by] if by else []), owner="icc")
    frame = pd.DataFrame(
        {
            "y": pd.to_numeric(data[dv], errors="coerce").to_numpy(dtype=float),
            "g": data[between].astype(str).to_numpy(),
            "by": data[by].to_numpy() if by else 0,
        }
    ).dropna(subset=["y"])
    rows = []
    for key, part in frame.groupby("by", sort=False):
        row = _icc_one(part[["y", "g"]].reset_index(drop=True))
        if by:
            row = {by: key, **row}
        rows.append(row)
    return pd.DataFrame(rows)


def _icc_one(part: pd.DataFrame) -> dict[str, Any]:
    sizes = part.groupby("g").size()
    n_groups = len(sizes)
    if n_groups < 2:
        raise InputError("icc: needs at least two clusters with data")
    if n_groups < 10:
        warnings.warn(
            f"icc: only {n_groups} clusters; the between-cluster variance is imprecise",
            SmallSampleWarning,
            stacklevel=3,
        )
    res, optimizer = _fit_mixed("y ~ 1", part, "g", reml=True)
    tau2 = float(np.asarray(res.cov_re)[0, 0])
    sigma2 = float(res.scale)
    icc1 = tau2 / (tau2 + sigma2)
    nbar = float(sizes.mean())
    return {
        "n": len(part),
        "n_groups": n_groups,
        "mean_group_size": nbar,
        "var_between": tau2,
        "var_within": sigma2,
        "icc1": icc1,
        "icc2": nbar * icc1 / (1 + (nbar - 1) * icc1),
        "design_effect": 1 + (nbar - 1) * icc1,
        "optimizer": optimizer,
        "converged": bool(res.converged),
    }


def mixed_model(
    data: pd.DataFrame,
    formula: str,
    *,
    groups: str,
    reml: bool = True,
    conf_level: float = 0.95,
) -> ModelResult:
    """Random-intercept model with individual covariates.

    Parameters
    ----------
    data
        One row per respondent.
    formula
        Patsy formula of the fixed part, e.g.
        ``"score ~ age + C(gender) + C(party_member) + years_resident"``.
    groups
        Cluster column (community); each gets a random intercept.
    reml
        REML (default) or maximum likelihood (for comparing fixed effects by likelihood).
    conf_level
        Level of the Wald intervals.

    Returns
    -------
    ModelResult
        ``coefficients`` (one row per fixed term, ``kind`` = ``fixed``) and ``fit`` with
        ``var_between``, ``var_within`` and the residual ``icc1``.

    Notes
    -----
    y_ij = x_ij'β + u_j + e_ij with u_j ~ N(0, τ²); Wald z tests for β. Optimizers are tried
    in turn as in :func:`icc`.
    """
    from scipy import stats

    if groups not in data.columns:
        check_columns(data, [groups], owner="mixed_model")
    res, optimizer = _fit_mixed(formula, data, groups, reml=reml)
    names = list(res.fe_params.index)
    est = res.fe_params.to_numpy()
    se = np.asarray(res.bse_fe)
    z = est / se
    crit = stats.norm.isf((1 - conf_level) / 2)
    coefs = pd.DataFrame(
        {
            "term": names,
            "estimate": est,
            "se": se,
            "statistic": z,
            "p_value": 2 * stats.norm.sf(np.abs(z)),
            "ci_low": est - crit * se,
            "ci_high": est + crit * se,
            "kind": "fixed",
        }
    )
    tau2 = float(np.asarray(res.cov_re)[0, 0])
    fit = pd.DataFrame(
        [
            {
                "n": int(res.nobs),
                "n_groups": len(res.model.group_labels),
                "log_likelihood": float(res.llf),
                "deviance": -2 * float(res.llf),
                "aic": float(res.aic) if np.isfinite(res.aic) else np.nan,
                "var_between": tau2,
                "var_within": float(res.scale),
                "icc1": tau2 / (tau2 + float(res.scale)),
                "converged": bool(res.converged),
                "optimizer": optimizer,
            }
        ]
    )
    params = {"formula": formula, "groups": groups, "reml": reml, "conf_level": conf_level}
    return ModelResult(coefficients=coefs, fit=fit, params=params, model=res)


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
