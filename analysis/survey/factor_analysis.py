"""Confirmatory factor analysis of a survey's codebook dimensions: :func:`cfa`.

The codebook says which item measures which dimension; :func:`cfa` fits those dimensions as
correlated factors by maximum likelihood (:func:`analysis.stats.sem.fit_cfa`, whose numbers
equal lavaan 0.6's ``cfa(model, data)``), and reports fit, standardised loadings, composite
reliability and AVE, and discriminant validity (Fornell-Larcker, HTMT).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from analysis.core import apa
from analysis.core.errors import (
    DataQualityWarning,
    InputError,
    SmallSampleWarning,
    check_option,
)
from analysis.core.words import Lang
from analysis.report.display import Displayable
from analysis.report.measurement_section import fit_line
from analysis.stats.sem import CfaFit, fit_cfa, htmt

if TYPE_CHECKING:
    from analysis.stats.dwls import OrdinalFit
from analysis.survey.reading import SurveyData
from analysis.survey.scores import require_codebook

__all__ = ["CfaResult", "cfa"]

Missing = Literal["listwise", "fiml"]
Estimator = Literal["ML", "WLSMV"]


@dataclass(frozen=True, repr=False)
class CfaResult(Displayable):
    """The result of :func:`cfa`.

    Attributes
    ----------
    fit
        One row: ``estimator``, ``missing``, ``n``, ``n_dropped``, ``chi2``, ``df``,
        ``p_value``, ``chi2_df``, ``cfi``, ``tli``, ``rmsea``, ``rmsea_ci_low``,
        ``rmsea_ci_high`` (90%), ``srmr``, ``baseline_chi2``, ``baseline_df``, ``converged``.
        With ``estimator="WLSMV"`` also ``chi2_scaled``, ``p_value_scaled``,
        ``scaling_factor`` (the scaled-shifted χ²), ``cfi_naive``, ``tli_naive``,
        ``rmsea_naive``; there ``chi2_df``, ``cfi``, ``tli`` and ``rmsea`` (with its interval)
        are lavaan's ``*.scaled`` values and ``baseline_chi2`` the scaled baseline.
    loadings
        One row per item: ``dimension``, ``item_id``, ``loading`` (standardised, std.all),
        ``se`` (its delta-method SE), ``estimate`` and ``estimate_se`` (unstandardised, the
        first item of each dimension fixed to 1), ``residual_variance`` (standardised),
        ``heywood`` (a standardised loading above 1 or a negative residual variance).
    reliability
        One row per dimension: ``dimension``, ``n_items``, ``cr`` (composite reliability),
        ``ave`` (average variance extracted), ``sqrt_ave``.
    fornell_larcker
        Dimensions x dimensions: the square root of AVE on the diagonal, factor correlations
        off it. Discriminant validity holds when each diagonal value exceeds its row and column.
    htmt
        Dimensions x dimensions: heterotrait-monotrait ratios (NaN on the diagonal).
    modification_indices
        ``lhs``, ``op``, ``rhs``, ``mi`` when asked for (``modification_indices=True``),
        else None.
    model
        Dimension -> item ids as fitted.
    """

    fit: pd.DataFrame
    loadings: pd.DataFrame
    reliability: pd.DataFrame
    fornell_larcker: pd.DataFrame
    htmt: pd.DataFrame
    modification_indices: pd.DataFrame | None
    model: Mapping[str, Sequence[str]]
    params: Mapping[str, Any] = field(default_factory=dict)
    sem: CfaFit | OrdinalFit | None = field(default=None, compare=False)

    def __repr__(self) -> str:
        return f"CfaResult({self.summary('en')})"

    def summary(self, lang: Lang = "zh") -> str:
        """The APA line of fit indices and the estimator used.

        e.g. ``χ²/df = 2.31, CFI = .962, TLI = .951, RMSEA = .048, 90% CI [.041, .055],
        SRMR = .036`` (en), with ``90% 置信区间`` in Chinese.
        """
        check_option("lang", lang, ("zh", "en"), owner="CfaResult.summary")
        f = self.fit.iloc[0]
        line = fit_line(f, lang)
        ordinal = f["estimator"] == "WLSMV"
        chi2, p = (f["chi2_scaled"], f["p_value_scaled"]) if ordinal else (f["chi2"], f["p_value"])
        chi = (
            f"χ²({apa.format_df(f['df'])}, N = {int(f['n'])}) = "
            f"{apa.format_number(chi2, 2)}, {apa.format_p(p)}"
        )
        dropped = int(f["n_dropped"])
        fiml = f["missing"] == "fiml"
        if lang == "en":
            method = (
                "WLSMV (diagonally weighted least squares on polychoric correlations, robust "
                "standard errors, scaled-shifted χ² and the fit indices from it)"
                if ordinal
                else "Maximum likelihood"
            )
            how = (
                f"{method}, full-information ML over every answer given ({dropped} "
                "respondents below the minimum share of answered items left out)."
                if fiml
                else f"{method}, listwise deletion ({dropped} respondents with a missing "
                "answer left out)."
            )
        else:
            method = (
                "WLSMV 估计（基于多分格相关的对角加权最小二乘，稳健标准误，均值方差校正 χ² "
                "及据此计算的拟合指数）"
                if ordinal
                else "最大似然估计"
            )
            how = (
                f"{method}，全信息最大似然（FIML）利用全部已答题目（{dropped} "
                "名答题比例低于最低要求的受访者未纳入）。"
                if fiml
                else f"{method}，成列删除（{dropped} 名有缺答的受访者未纳入）。"
            )
        return f"{line}\n{chi}\n{how}"


def _model_of(survey: SurveyData, dimensions: Sequence[str] | None) -> dict[str, list[str]]:
    cb = require_codebook(survey, "cfa")
    dims = list(cb.dimensions) if dimensions is None else list(dimensions)
    unknown = [d for d in dims if d not in cb.dimensions]
    if unknown:
        raise InputError(
            f"cfa: dimensions not in the codebook: {', '.join(unknown)}; "
            f"it has {', '.join(cb.dimensions)}"
        )
    model: dict[str, list[str]] = {}
    for dim in dims:
        ids = [it.id for it in cb.items_for(dim)]
        if len(ids) < 2:
            warnings.warn(
                f"cfa: dimension '{dim}' has {len(ids)} item; a factor needs at least two "
                "(three to be identified on its own), so it is left out of the model",
                SmallSampleWarning,
                stacklevel=3,
            )
            continue
        if len(ids) == 2:
            warnings.warn(
                f"cfa: dimension '{dim}' has only two items: on its own it is under-identified, "
                "so it is fitted only within the full model, through its correlations with "
                "the other dimensions; its loadings are weakly determined",
                SmallSampleWarning,
                stacklevel=3,
            )
        model[dim] = ids
    if not model or (len(model) == 1 and len(next(iter(model.values()))) < 3):
        raise InputError(
            "cfa: no identified model: a single dimension needs at least three items "
            "(add items, or fit it with other dimensions)"
        )
    return model


def cfa(
    survey: SurveyData,
    *,
    dimensions: Sequence[str] | None = None,
    estimator: Estimator = "ML",
    missing: Missing = "listwise",
    modification_indices: bool = False,
    min_answered: float | None = None,
) -> CfaResult:
    """Confirmatory factor analysis of the codebook's dimensions as correlated factors.

    Parameters
    ----------
    survey
        A survey read with a codebook (reverse-keyed items are already reversed, missing
        codes already NaN).
    dimensions
        Dimensions to fit (default all with two or more items).
    estimator
        ``"ML"``: maximum likelihood, as lavaan's default. ``"WLSMV"``: for ordered answers
        (e.g. 5-point items), diagonally weighted least squares on polychoric correlations
        with robust standard errors and a scaled-shifted χ², as lavaan's ``cfa(model, data,
        ordered = TRUE, estimator = "WLSMV")`` (:func:`analysis.stats.dwls.fit_cfa_dwls`);
        no modification indices.
    missing
        ``"listwise"``: respondents who answered every item of the model (lavaan's default).
        ``"fiml"``: full-information ML over every answer given (lavaan's ``missing =
        "fiml"``, :func:`analysis.stats.fiml.fit_cfa_fiml`), after leaving out respondents
        below ``min_answered``; ML only.
    modification_indices
        Also compute modification indices (:attr:`CfaResult.modification_indices`).
    min_answered
        The codebook's rule (default its ``min_answered``): respondents answering fewer than
        this share of any dimension's items are left out with FIML, and counted in the
        warning about dropped respondents with listwise deletion (where every respondent
        kept has answered everything). The rule used is stated in :meth:`CfaResult.summary`.

    Returns
    -------
    CfaResult

    Raises
    ------
    InputError
        No codebook, unknown dimensions, no identified model, too few respondents, a
        covariance matrix that is not positive definite.

    Warns
    -----
    SmallSampleWarning
        A dimension with fewer than three items; fewer than 200 respondents.
    DataQualityWarning
        Respondents dropped for missing answers; the fit did not converge; Heywood cases.

    Notes
    -----
    The ML discrepancy :math:`F = \\log|\\Sigma| + \\mathrm{tr}(S\\Sigma^{-1}) - \\log|S| - p`
    with :math:`S` divided by N, :math:`\\chi^2 = N F`; CFI, TLI, RMSEA and SRMR as lavaan
    computes them (see :mod:`analysis.stats.sem`). With standardised loadings
    :math:`\\lambda_i`: :math:`CR = (\\sum\\lambda_i)^2 / ((\\sum\\lambda_i)^2 + \\sum(1 -
    \\lambda_i^2))`, :math:`AVE = \\overline{\\lambda_i^2}` (Fornell & Larcker, 1981).
    Usual cut-offs (Hu & Bentler, 1999): CFI and TLI ≥ .95, RMSEA ≤ .06, SRMR ≤ .08.

    References
    ----------
    Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). A new criterion for assessing
    discriminant validity in variance-based SEM. *JAMS*, 43, 115-135.
    """
    check_option("estimator", estimator, ("ML", "WLSMV"), owner="cfa")
    if estimator == "WLSMV" and modification_indices:
        raise InputError("cfa: modification indices are given for estimator='ML' only")
    check_option("missing", missing, ("listwise", "fiml"), owner="cfa")
    if missing == "fiml" and (estimator != "ML" or modification_indices):
        raise InputError(
            "cfa: missing='fiml' goes with estimator='ML' and without modification indices; "
            "use missing='listwise' for WLSMV or for modification indices"
        )
    cb = require_codebook(survey, "cfa")
    share = cb.min_answered if min_answered is None else float(min_answered)
    model = _model_of(survey, dimensions)
    items = [it for ids in model.values() for it in ids]
    x = survey.responses[items].astype("float64")
    below = pd.Series(False, index=x.index)
    for ids in model.values():
        below |= x[ids].notna().mean(axis=1) < share
    complete = x[~below] if missing == "fiml" else x.dropna()
    n, n_dropped = len(complete), len(x) - len(complete)
    if n_dropped and missing == "fiml":
        warnings.warn(
            f"cfa: {n_dropped} of {len(x)} respondents left out for answering fewer than "
            f"{share:.0%} of a dimension's items (the codebook's min_answered); FIML uses "
            "every answer of the others",
            DataQualityWarning,
            stacklevel=2,
        )
    elif n_dropped:
        warnings.warn(
            f"cfa: {n_dropped} of {len(x)} respondents left out for a missing answer "
            f"(listwise deletion; {int(below.sum())} of them answered fewer than "
            f"{share:.0%} of a dimension's items)",
            DataQualityWarning,
            stacklevel=2,
        )
    if n <= len(items):
        raise InputError(
            f"cfa: {n} complete respondents for {len(items)} items; the model needs more "
            "respondents than items (and a few hundred for stable estimates)"
        )
    if n < 200:
        warnings.warn(
            f"cfa: {n} respondents; ML estimates and fit indices are unstable below about 200",
            SmallSampleWarning,
            stacklevel=2,
        )
    if estimator == "WLSMV":
        from analysis.stats.dwls import fit_cfa_dwls

        fitted = fit_cfa_dwls(complete, model)
    elif missing == "fiml":
        from analysis.stats.fiml import fit_cfa_fiml

        fitted = fit_cfa_fiml(complete, model)
    else:
        fitted = fit_cfa(complete.cov(ddof=0), n, model)
    if not fitted.converged:
        warnings.warn(
            f"cfa: the fit did not converge in {fitted.iterations} iterations; check for "
            "items with almost no variance or near-duplicate items, drop a weak item, or fit "
            "fewer dimensions",
            DataQualityWarning,
            stacklevel=2,
        )
    return _result(fitted, complete, model, n_dropped, estimator, missing, modification_indices)


def _correlations(fitted: CfaFit | OrdinalFit, complete: pd.DataFrame) -> pd.DataFrame:
    """The correlations the model was fitted to: polychoric for WLSMV, else Pearson."""
    corr = getattr(fitted, "sample_corr", None)
    if isinstance(corr, pd.DataFrame):
        return corr
    if complete.isna().any().any():  # FIML: the EM correlations
        cov = fitted.sample_cov
        sd = np.sqrt(np.diag(cov))
        items = list(fitted.spec.items)
        return pd.DataFrame(cov / np.outer(sd, sd), index=items, columns=items)
    return complete.corr()


def _result(
    fitted: CfaFit | OrdinalFit,
    complete: pd.DataFrame,
    model: dict[str, list[str]],
    n_dropped: int,
    estimator: str,
    missing: str,
    want_mi: bool,
) -> CfaResult:
    e = fitted.estimates
    std = fitted.std_loadings()
    resid = e[(e["op"] == "~~") & (e["lhs"] == e["rhs"]) & e["lhs"].isin(std["item"])]
    res_std = dict(zip(resid["lhs"], resid["est_std"], strict=True))
    loadings = pd.DataFrame(
        {
            "dimension": std["factor"],
            "item_id": std["item"],
            "loading": std["loading"],
            "se": std["se"],
            "estimate": std["est"],
            "estimate_se": std["est_se"],
            "residual_variance": std["item"].map(res_std),
        }
    )
    loadings["heywood"] = (loadings["loading"].abs() > 1) | (loadings["residual_variance"] < 0)
    if loadings["heywood"].any():
        bad = ", ".join(loadings.loc[loadings["heywood"], "item_id"])
        warnings.warn(
            f"cfa: Heywood case ({bad}): a standardised loading above 1 or a negative "
            "residual variance; the item may duplicate another, the dimension may have too "
            "few items, or the sample is too small",
            DataQualityWarning,
            stacklevel=3,
        )
    rows = []
    for dim in model:
        lam = loadings.loc[loadings["dimension"] == dim, "loading"].to_numpy()
        s = lam.sum() ** 2
        ave = float(np.mean(lam**2))
        cr = s / (s + float((1 - lam**2).sum()))
        rows.append((dim, len(lam), cr, ave, np.sqrt(ave)))
    reliability = pd.DataFrame(rows, columns=["dimension", "n_items", "cr", "ave", "sqrt_ave"])
    fl = fitted.factor_correlations().copy()
    for dim, root in zip(reliability["dimension"], reliability["sqrt_ave"], strict=True):
        fl.loc[dim, dim] = root
    fit = pd.DataFrame([{"estimator": estimator, "missing": missing, **fitted.indices}])
    fit["n"] = fit["n"].astype(int)
    fit.insert(3, "n_dropped", n_dropped)
    fit["converged"] = fitted.converged
    return CfaResult(
        fit=fit,
        loadings=loadings,
        reliability=reliability,
        fornell_larcker=fl,
        htmt=htmt(_correlations(fitted, complete), model),
        modification_indices=fitted.modification_indices() if want_mi else None,
        model={k: tuple(v) for k, v in model.items()},
        params={"estimator": estimator, "missing": missing, "dimensions": list(model)},
        sem=fitted,
    )
