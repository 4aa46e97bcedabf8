"""Residents nested in communities: ICC, design effect, mixed models, centring.

Respondents of one community share it, so their answers are not independent. The intraclass
correlation says how much of the variance lies between communities; the design effect says
how much a simple-random-sample variance understates the truth; mixed models estimate effects
of individual covariates (age, gender, party membership, years of residence) and of community
covariates (level-2 predictors, constant within a community) with the community as a random
effect, optionally with random slopes.

Every number is the one R gives: variance components and fixed effects as ``lme4::lmer``
(REML, converged further than lme4's default stopping rule), degrees of freedom and t tests as
``lmerTest``'s Satterthwaite method. The fitting engine is :mod:`analysis.stats.lmm`.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from analysis.core import apa
from analysis.core.errors import (
    AnalysisWarning,
    ConfigError,
    InputError,
    SmallSampleWarning,
    check_columns,
    check_option,
)
from analysis.core.model_words import model_phrase
from analysis.core.words import Lang
from analysis.stats.coefficients import coefficient_lines, tests_table
from analysis.stats.nesting import ModelResult

__all__ = ["MixedModelResult", "center", "icc", "mixed_model"]

OPTIMIZER = "bfgs+newton"


@dataclass(frozen=True)
class MixedModelResult(ModelResult):
    """A fitted mixed model as tidy frames, with its variance components and ICC table.

    Attributes
    ----------
    coefficients : pandas.DataFrame
        One row per fixed effect: ``term``, ``estimate``, ``se``, ``df`` (Satterthwaite, or
        inf for Wald z), ``statistic`` (t, or z), ``p_value``, ``ci_low``, ``ci_high``,
        ``kind`` (``fixed``).
    fit : pandas.DataFrame
        One row: ``n``, ``n_groups``, ``log_likelihood`` (REML log-likelihood when REML),
        ``deviance`` (-2 log-likelihood: lme4's ``REMLcrit`` for REML fits), ``aic``,
        ``var_between`` (random-intercept variance), ``var_within`` (σ²), ``icc1``,
        ``estimation`` (``REML``/``ML``), ``df_method`` (``satterthwaite``/``wald``),
        ``converged``, ``singular`` (a random-effect variance at zero, as
        ``lme4::isSingular``), ``optimizer``.
    params : Mapping
        Formula, grouping column, random slopes, options.
    model : LmmFit
        The fitted engine object (θ, Cov(β̂), cross-products).
    random : pandas.DataFrame
        Variance components as ``VarCorr``: ``component`` (cluster column or
        ``Residual``), ``effect``, ``with_effect`` (set for a covariance), ``variance``
        (variance or covariance), ``sd``, ``corr``.
    nesting : pandas.DataFrame
        One row: ``n``, ``n_groups``, ``mean_group_size``, ``n0``, ``kish_size``,
        ``var_between``, ``var_within``, ``icc1``, ``icc2``, ``design_effect``, as in
        :func:`icc` but from this model (a residual ICC when there are covariates; with
        random slopes, at predictors = 0).
    """

    random: pd.DataFrame | None = None
    nesting: pd.DataFrame | None = None

    def __repr__(self) -> str:
        p = self.params
        return f"MixedModelResult({p.get('formula')!r}, groups={p.get('groups')!r})"

    def summary(self, lang: Lang = "zh", *, digits: int = 2) -> str:
        """The method, the variance components and one APA line per fixed effect.

        e.g. ``Linear mixed model, REML, Satterthwaite df; N = 7185 in 160 School
        clusters; τ² = 4.77, σ² = 37.03, ICC(1) = .11`` then ``SES: b = 2.39, SE = 0.11,
        t(6838.08) = 22.61, p < .001, 95% CI [2.18, 2.60]`` (Chinese by default).
        """
        check_option("lang", lang, ("zh", "en"), owner="MixedModelResult.summary")
        f = self.fit.iloc[0]
        p = self.params
        how = [
            model_phrase("lmm", lang),
            model_phrase("reml" if p["reml"] else "ml", lang),
            model_phrase(p["ddf"], lang),
        ]
        if p["random_slopes"]:
            how.append(model_phrase("slopes", lang, slopes=", ".join(p["random_slopes"])))
        sample = model_phrase(
            "sample", lang, n=int(f["n"]), groups=int(f["n_groups"]), by=p["groups"]
        )
        comps = model_phrase(
            "variances",
            lang,
            tau2=apa.format_number(f["var_between"], digits),
            sigma2=apa.format_number(f["var_within"], digits),
            icc1=apa.format_number(f["icc1"], 3, leading_zero=False),
        )
        sep = "，" if lang == "zh" else ", "
        notes = [model_phrase("singular", lang)] if f["singular"] else []
        head = apa.join_clauses([sep.join(how), sample, comps, *notes], lang) + (
            "。" if lang == "zh" else "."
        )
        lines = coefficient_lines(self.coefficients, lang, p["conf_level"], digits)
        return "\n".join([head, *lines])


def _sizes(codes: np.ndarray) -> dict[str, float]:
    """Cluster-size summaries: mean, the ANOVA n₀ and Kish's Σn²/N."""
    sizes = np.bincount(codes).astype(float)
    sizes = sizes[sizes > 0]
    n, j = sizes.sum(), sizes.size
    return {
        "n": int(n),
        "n_groups": int(j),
        "mean_group_size": float(sizes.mean()),
        "n0": float((n - (sizes**2).sum() / n) / (j - 1)),
        "kish_size": float((sizes**2).sum() / n),
    }


def _nesting_row(sizes: Mapping[str, float], tau2: float, sigma2: float) -> dict[str, Any]:
    icc1 = tau2 / (tau2 + sigma2)
    n0, nw = sizes["n0"], sizes["kish_size"]
    return {
        **sizes,
        "var_between": tau2,
        "var_within": sigma2,
        "icc1": icc1,
        "icc2": n0 * icc1 / (1 + (n0 - 1) * icc1),
        "design_effect": 1 + (nw - 1) * icc1,
    }


def _few_clusters(n_groups: int, owner: str) -> None:
    if n_groups < 2:
        raise InputError(f"{owner}: needs at least two clusters with data")
    if n_groups < 10:
        warnings.warn(
            f"{owner}: only {n_groups} clusters; the between-cluster variance is imprecise",
            SmallSampleWarning,
            stacklevel=4,
        )


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
        ``<by>`` (when given), ``n``, ``n_groups``, ``mean_group_size``, ``n0`` (the ANOVA
        cluster size used for ICC(2)), ``kish_size`` (Σn²/N, used for the design effect),
        ``var_between`` (τ²), ``var_within`` (σ²), ``icc1``, ``icc2``, ``design_effect``,
        ``optimizer``, ``converged``.

    Raises
    ------
    InputError
        A column is missing or there are fewer than two clusters.

    Warns
    -----
    SmallSampleWarning
        Fewer than 10 clusters: τ² is poorly estimated.

    Notes
    -----
    y_ij = μ + u_j + e_ij, u_j ~ N(0, τ²), e_ij ~ N(0, σ²), fitted by REML as
    ``lme4::lmer(y ~ 1 + (1 | cluster))`` (see :mod:`analysis.stats.lmm`).
    ICC(1) = τ² / (τ² + σ²). ICC(2) = n₀ ICC(1) / (1 + (n₀ - 1) ICC(1)), the reliability of a
    community mean (Bliese, 2000), with the ANOVA cluster size n₀ = (N - Σn_j²/N) / (J - 1),
    which equals the common size when clusters are equal. Design effect = 1 + (Σn_j²/N - 1)
    ICC(1), Kish's design effect for clusters of unequal size (Kish, 1965, sec. 5.4; 1 +
    (n̄ - 1) ICC(1) when sizes are equal).

    References
    ----------
    Bliese, P. D. (2000). Within-group agreement, non-independence, and reliability. In
    K. J. Klein & S. W. J. Kozlowski (Eds.), *Multilevel theory, research, and methods in
    organizations* (pp. 349-381). Jossey-Bass.
    Kish, L. (1965). *Survey sampling*. Wiley.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> group = np.repeat(np.arange(12), 10)
    >>> d = pd.DataFrame({"group": group,
    ...                   "score": rng.normal(0, 1, 12)[group] + rng.normal(0, 1, 120)})
    >>> out = icc(d, "score", "group")
    >>> out[["n", "n_groups", "mean_group_size", "n0"]].to_dict("records")
    [{'n': 120, 'n_groups': 12, 'mean_group_size': 10.0, 'n0': 10.0}]
    >>> bool(0 < out.icc1.iloc[0] < 1)
    True
    """
    from analysis.stats.lmm import fit_lmm

    check_columns(data, [dv, between] + ([by] if by else []), owner="icc")
    frame = pd.DataFrame(
        {
            "y": pd.to_numeric(data[dv], errors="coerce").to_numpy(dtype=float),
            "g": data[between].to_numpy(),
            "by": data[by].to_numpy() if by else 0,
        }
    ).dropna(subset=["y", "g"])
    rows = []
    for key, part in frame.groupby("by", sort=False):
        codes = pd.factorize(part["g"])[0]
        sizes = _sizes(codes)
        _few_clusters(sizes["n_groups"], "icc")
        y = part["y"].to_numpy()
        ones = np.ones((y.size, 1))
        res = fit_lmm(y, ones, ones, codes, reml=True)
        row = _nesting_row(sizes, float(res.cov_re[0, 0]), res.sigma2)
        row.update(optimizer=OPTIMIZER, converged=res.converged)
        rows.append({by: key, **row} if by else row)
    return pd.DataFrame(rows)


def center(
    data: pd.DataFrame,
    columns: str | Sequence[str],
    *,
    by: str | None = None,
) -> pd.DataFrame:
    """Centre predictors for a multilevel model: a copy of ``data`` with new columns.

    Parameters
    ----------
    data
        One row per respondent. Not modified.
    columns
        Numeric column(s) to centre.
    by
        None: grand-mean centring, adding ``<col>_cgm`` = x - mean(x). A cluster column:
        centring within cluster, adding ``<col>_cwc`` = x - mean of x in the cluster and
        ``<col>_cm`` = that cluster mean (a level-2 predictor carrying the between-cluster
        part).

    Returns
    -------
    pandas.DataFrame
        ``data`` with the new columns appended; missing values stay missing and do not enter
        the means.

    Raises
    ------
    InputError
        A column is missing or not numeric.

    Notes
    -----
    The names follow Enders and Tofighi (2007): CGM, centring at the grand mean, keeps the
    model's fit and shifts only the intercept; CWC, centring within cluster, separates the
    within-community effect (``x_cwc``) from the between-community effect (``x_cm``, entered
    beside it), e.g. ``score ~ age_cwc + age_cm`` with ``groups="community"``.

    References
    ----------
    Enders, C. K., & Tofighi, D. (2007). Centering predictor variables in cross-sectional
    multilevel models: A new look at an old issue. *Psychological Methods, 12*(2), 121-138.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"c": ["a", "a", "b", "b"], "age": [20.0, 40.0, 50.0, 70.0]})
    >>> center(d, "age", by="c")[["age_cwc", "age_cm"]].to_dict("list")
    {'age_cwc': [-10.0, 10.0, -10.0, 10.0], 'age_cm': [30.0, 30.0, 60.0, 60.0]}
    >>> center(d, "age")["age_cgm"].tolist()
    [-25.0, -5.0, 5.0, 25.0]
    """
    cols = [columns] if isinstance(columns, str) else list(columns)
    check_columns(data, cols + ([by] if by else []), owner="center")
    out = data.copy()
    for col in cols:
        if not pd.api.types.is_numeric_dtype(data[col]):
            raise InputError(
                f"center: column {col!r} is not numeric ({data[col].dtype}); expected numbers"
            )
        x = data[col].astype(float)
        if by is None:
            out[f"{col}_cgm"] = x - x.mean()
        else:
            means = x.groupby(data[by], dropna=False).transform("mean")
            out[f"{col}_cwc"] = x - means
            out[f"{col}_cm"] = means
    return out


def _design(
    data: pd.DataFrame, formula: str, groups: str, slopes: Sequence[str], owner: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """y, X, Z, cluster codes and the fixed-effect names, rows with a missing value dropped."""
    import statsmodels.formula.api as smf

    if "~" not in formula:
        raise ConfigError(f"{owner}: formula {formula!r} needs '~' (outcome ~ predictors)")
    frame = data.dropna(subset=[groups])
    try:
        ols = smf.ols(formula, frame, missing="drop")
    except Exception as exc:  # patsy/formulaic raise many kinds
        raise ConfigError(f"{owner}: formula {formula!r} could not be read: {exc}") from None
    names = list(ols.exog_names)
    unknown = [s for s in slopes if s not in names]
    if unknown:
        raise ConfigError(
            f"{owner}: random_slopes {unknown} are not fixed-effect terms of the formula; "
            f"expected some of {names[1:] if names[:1] == ['Intercept'] else names}"
        )
    rows = ols.data.row_labels
    codes = pd.factorize(frame.loc[rows, groups])[0]
    x = np.asarray(ols.exog, dtype=float)
    y = np.asarray(ols.endog, dtype=float)
    z = np.column_stack([np.ones(y.size)] + [x[:, names.index(s)] for s in slopes])
    return y, x, z, codes, names


def _random_table(res: Any, groups: str, effects: Sequence[str]) -> pd.DataFrame:
    cov = res.cov_re
    sd = np.sqrt(np.diag(cov))
    rows = [
        {"component": groups, "effect": e, "with_effect": None, "variance": cov[i, i], "sd": sd[i]}
        for i, e in enumerate(effects)
    ]
    for i in range(len(effects)):
        for j in range(i + 1, len(effects)):
            corr = cov[i, j] / (sd[i] * sd[j]) if sd[i] * sd[j] > 0 else np.nan
            rows.append(
                {
                    "component": groups,
                    "effect": effects[i],
                    "with_effect": effects[j],
                    "variance": cov[i, j],
                    "corr": corr,
                }
            )
    rows.append({"component": "Residual", "effect": None, "with_effect": None,
                 "variance": res.sigma2, "sd": np.sqrt(res.sigma2)})  # fmt: skip
    return pd.DataFrame(
        rows, columns=["component", "effect", "with_effect", "variance", "sd", "corr"]
    )


def mixed_model(
    data: pd.DataFrame,
    formula: str,
    *,
    groups: str,
    random_slopes: Sequence[str] = (),
    reml: bool = True,
    ddf: Literal["satterthwaite", "wald"] = "satterthwaite",
    conf_level: float = 0.95,
) -> MixedModelResult:
    """Linear mixed model: a random intercept per cluster, optionally random slopes.

    Parameters
    ----------
    data
        One row per respondent; community-level (level-2) predictors are columns constant
        within a community. Rows with a missing value in the model are left out.
    formula
        Formula of the fixed part, e.g.
        ``"score ~ age + C(gender) + C(party_member) + years_resident + community_size"``.
        Centre predictors first with :func:`center` when the intercept should mean
        something or within- and between-community effects should be told apart.
    groups
        Cluster column (community); each gets a random intercept.
    random_slopes
        Fixed-effect terms (as named in ``coefficients.term``, e.g. ``["age"]``) whose slope
        also varies by cluster, with an unstructured covariance as ``(1 + age | community)``.
    reml
        REML (default) or maximum likelihood (to compare fixed parts by likelihood).
    ddf
        ``"satterthwaite"`` (default): t tests on Satterthwaite degrees of freedom, as
        lmerTest's ``summary``; ``"wald"``: Wald z tests (df = inf).
    conf_level
        Level of the intervals (t on the same df, or normal for Wald).

    Returns
    -------
    MixedModelResult
        ``coefficients``, ``fit``, ``random`` (variance components) and ``nesting`` (ICC
        and design effect); ``summary(lang)`` gives the APA lines with the method.

    Raises
    ------
    ConfigError
        The formula cannot be read, a random slope is not a term, or an option is unknown.
    InputError
        A column is missing, the fixed-effect design is rank-deficient, or fewer than two
        clusters have data.

    Warns
    -----
    SmallSampleWarning
        Fewer than 10 clusters.
    AnalysisWarning
        The optimiser did not converge (``fit.converged`` is False).

    Notes
    -----
    y = Xβ + Zb + e, b_j ~ N(0, G), e ~ N(0, σ²I), fitted as ``lme4::lmer`` (profiled REML
    criterion; :mod:`analysis.stats.lmm`). Standard errors are those of
    Cov(β̂) = (X'V⁻¹X)⁻¹ at the estimates, as ``vcov(lmer(...))``. Satterthwaite df follow
    lmerTest (Kuznetsova et al., 2017) to about 1e-6.

    References
    ----------
    Bates, D., Mächler, M., Bolker, B., & Walker, S. (2015). Fitting linear mixed-effects
    models using lme4. *Journal of Statistical Software, 67*(1), 1-48.
    Kuznetsova, A., Brockhoff, P. B., & Christensen, R. H. B. (2017). lmerTest package:
    Tests in linear mixed effects models. *Journal of Statistical Software, 82*(13), 1-26.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> g = np.repeat(np.arange(20), 15)
    >>> d = pd.DataFrame({"community": g, "age": rng.uniform(20, 80, g.size)})
    >>> d["score"] = 3 + 0.01 * d.age + rng.normal(0, 0.3, 20)[g] + rng.normal(0, 0.8, g.size)
    >>> res = mixed_model(d, "score ~ age", groups="community")
    >>> res.coefficients[["term", "estimate", "df"]].round(3).values.tolist()
    [['Intercept', 2.94, 152.012], ['age', 0.012, 284.651]]
    >>> print(res.summary("en").splitlines()[2])
    age: b = 0.01, SE = 0.00, t(284.65) = 4.51, p < .001, 95% CI [0.01, 0.02]
    """
    from analysis.stats.lmm import fit_lmm

    check_option("ddf", ddf, ("satterthwaite", "wald"), owner="mixed_model")
    check_columns(data, [groups], owner="mixed_model")
    slopes = [random_slopes] if isinstance(random_slopes, str) else list(random_slopes)
    y, x, z, codes, names = _design(data, formula, groups, slopes, "mixed_model")
    sizes = _sizes(codes)
    _few_clusters(sizes["n_groups"], "mixed_model")
    try:
        res = fit_lmm(y, x, z, codes, reml=reml)
    except np.linalg.LinAlgError:
        raise InputError(
            f"mixed_model: the fixed-effect design of {formula!r} is rank-deficient (a "
            "predictor is constant or a combination of others)"
        ) from None
    if not res.converged:
        warnings.warn(
            f"mixed_model: the REML/ML optimum of {formula!r} was not reached to 1e-6; "
            "estimates may be imprecise (simplify the random part or rescale predictors)",
            AnalysisWarning,
            stacklevel=2,
        )
    df = res.satterthwaite() if ddf == "satterthwaite" else np.full(res.beta.size, np.inf)
    if np.isnan(df).any():
        warnings.warn(
            f"mixed_model: Satterthwaite df of {formula!r} could not be computed (the "
            "variance parameters' Hessian is singular); their p values are NaN, use "
            "ddf='wald' for z tests",
            AnalysisWarning,
            stacklevel=2,
        )
    coefs = tests_table(names, res.beta, np.sqrt(np.diag(res.vcov)), df, conf_level)
    tau2 = float(res.cov_re[0, 0])
    deviance = res.criterion
    fit = pd.DataFrame(
        [
            {
                "n": res.n,
                "n_groups": res.n_groups,
                "log_likelihood": -deviance / 2,
                "deviance": deviance,
                "aic": deviance + 2 * res.n_params,
                "var_between": tau2,
                "var_within": res.sigma2,
                "icc1": tau2 / (tau2 + res.sigma2),
                "estimation": "REML" if reml else "ML",
                "df_method": ddf,
                "converged": res.converged,
                "singular": res.singular,
                "optimizer": OPTIMIZER,
            }
        ]
    )
    effects = ["(Intercept)", *slopes]
    params = {
        "formula": formula,
        "groups": groups,
        "random_slopes": slopes,
        "reml": reml,
        "ddf": ddf,
        "conf_level": conf_level,
    }
    return MixedModelResult(
        coefficients=coefs,
        fit=fit,
        params=params,
        model=res,
        random=_random_table(res, groups, effects),
        nesting=pd.DataFrame([_nesting_row(sizes, tau2, res.sigma2)]),
    )
