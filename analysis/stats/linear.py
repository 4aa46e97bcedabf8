"""Ordinary least squares with classical or cluster-robust standard errors.

When respondents are nested in communities and a mixed model is more than the question needs,
an OLS regression with standard errors clustered by community keeps the tests honest: the
sandwich estimator lets residuals of one community correlate in any way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from analysis.core import apa
from analysis.core.errors import ConfigError, InputError, check_columns, check_option
from analysis.core.model_words import model_phrase
from analysis.core.words import Lang
from analysis.stats.coefficients import coefficient_lines, tests_table
from analysis.stats.nesting import ModelResult

__all__ = ["RegressionResult", "regression"]


@dataclass(frozen=True)
class RegressionResult(ModelResult):
    """An OLS regression as tidy frames.

    Attributes
    ----------
    coefficients : pandas.DataFrame
        One row per term: ``term``, ``estimate``, ``se``, ``df``, ``statistic`` (t),
        ``p_value``, ``ci_low``, ``ci_high``, ``kind`` (``fixed``).
    fit : pandas.DataFrame
        One row: ``n``, ``n_clusters`` (when clustered), ``df_resid`` (n - k), ``r_squared``,
        ``adj_r_squared``, ``log_likelihood``, ``aic``, ``se_type`` (``classical`` or
        ``CR1``).
    params : Mapping
        Formula, cluster column, options.
    model : Any
        The statsmodels OLS results (classical covariance).
    """

    def summary(self, lang: Lang = "zh", *, digits: int = 2) -> str:
        """The method and one APA line per coefficient, e.g. ``SES: b = 2.15, SE = 0.13, …``."""
        check_option("lang", lang, ("zh", "en"), owner="RegressionResult.summary")
        f = self.fit.iloc[0]
        p = self.params
        how = [model_phrase("ols", lang)]
        if p["cluster"]:
            df = apa.format_df(float(self.coefficients["df"].iloc[0]))
            how.append(model_phrase("cr1", lang, by=p["cluster"], g=int(f["n_clusters"]), df=df))
        else:
            how.append(model_phrase("classical", lang))
        r2 = f"R² = {apa.format_number(f['r_squared'], 3, leading_zero=False)}, N = {int(f['n'])}"
        sep = "，" if lang == "zh" else ", "
        head = apa.join_clauses([sep.join(how), r2], lang) + ("。" if lang == "zh" else ".")
        lines = coefficient_lines(self.coefficients, lang, p["conf_level"], digits)
        return "\n".join([head, *lines])


def regression(
    data: pd.DataFrame,
    formula: str,
    *,
    cluster: str | None = None,
    cluster_df: Literal["clusters", "residual"] = "clusters",
    conf_level: float = 0.95,
) -> RegressionResult:
    """OLS regression, with standard errors clustered by community when asked.

    Parameters
    ----------
    data
        One row per respondent; rows with a missing value in the model are left out.
    formula
        e.g. ``"score ~ age + C(gender) + years_resident"``.
    cluster
        Cluster column (community): cluster-robust standard errors (CR1). None: classical
        standard errors.
    cluster_df
        Degrees of freedom of the t tests with clustered errors: ``"clusters"`` (default),
        G - 1 as Stata and Cameron & Miller (2015) advise, since the variance rests on G
        cluster sums; ``"residual"``, n - k as ``lmtest::coeftest`` does by default.
    conf_level
        Level of the t intervals.

    Returns
    -------
    RegressionResult

    Raises
    ------
    ConfigError
        The formula cannot be read or an option is unknown.
    InputError
        A column is missing, or fewer than two clusters.

    Notes
    -----
    CR1: V = c (X'X)⁻¹ (Σ_g X_g'e_g e_g'X_g) (X'X)⁻¹ with c = G/(G - 1) · (n - 1)/(n - k),
    the small-sample factor of Stata's ``vce(cluster)`` and of R's
    ``sandwich::vcovCL(fit, cluster = ~community, type = "HC1")``.

    References
    ----------
    Cameron, A. C., & Miller, D. L. (2015). A practitioner's guide to cluster-robust
    inference. *Journal of Human Resources, 50*(2), 317-372.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> g = np.repeat(np.arange(20), 15)
    >>> d = pd.DataFrame({"community": g, "age": rng.uniform(20, 80, g.size)})
    >>> d["score"] = 3 + 0.01 * d.age + rng.normal(0, 0.3, 20)[g] + rng.normal(0, 0.8, g.size)
    >>> res = regression(d, "score ~ age", cluster="community")
    >>> res.coefficients[["term", "se", "df"]].round(4).to_dict("records")
    [{'term': 'Intercept', 'se': 0.1944, 'df': 19.0}, {'term': 'age', 'se': 0.0033, 'df': 19.0}]
    """
    import statsmodels.formula.api as smf

    check_option("cluster_df", cluster_df, ("clusters", "residual"), owner="regression")
    if "~" not in formula:
        raise ConfigError(f"regression: formula {formula!r} needs '~' (outcome ~ predictors)")
    frame = data
    if cluster is not None:
        check_columns(data, [cluster], owner="regression")
        frame = data.dropna(subset=[cluster])
    try:
        model = smf.ols(formula, frame, missing="drop")
    except Exception as exc:  # patsy/formulaic raise many kinds
        raise ConfigError(f"regression: formula {formula!r} could not be read: {exc}") from None
    res = model.fit()
    x = np.asarray(model.exog, dtype=float)
    n, k = x.shape
    est = np.asarray(res.params, dtype=float)
    fit = {
        "n": n,
        "n_clusters": np.nan,
        "df_resid": n - k,
        "r_squared": float(res.rsquared),
        "adj_r_squared": float(res.rsquared_adj),
        "log_likelihood": float(res.llf),
        "aic": float(res.aic),
        "se_type": "classical",
    }
    if cluster is None:
        se = np.asarray(res.bse, dtype=float)
        df = np.full(k, float(n - k))
    else:
        codes = pd.factorize(frame.loc[model.data.row_labels, cluster])[0]
        g = int(codes.max()) + 1
        if g < 2:
            raise InputError("regression: clustered standard errors need at least two clusters")
        scores = np.zeros((g, k))
        np.add.at(scores, codes, x * np.asarray(res.resid, dtype=float)[:, None])
        bread = np.linalg.inv(x.T @ x)
        vcov = bread @ (scores.T @ scores) @ bread * g / (g - 1) * (n - 1) / (n - k)
        se = np.sqrt(np.diag(vcov))
        df = np.full(k, float(g - 1 if cluster_df == "clusters" else n - k))
        fit.update(n_clusters=g, se_type="CR1")
    coefs = tests_table(list(model.exog_names), est, se, df, conf_level)
    params = {
        "formula": formula,
        "cluster": cluster,
        "cluster_df": cluster_df,
        "conf_level": conf_level,
    }
    return RegressionResult(coefficients=coefs, fit=pd.DataFrame([fit]), params=params, model=res)
