"""Full-information maximum likelihood for a CFA with missing answers, as lavaan's FIML.

Every respondent with at least one answer contributes the likelihood of the answers given
(``cfa(model, data, missing = "fiml")``): respondents are grouped by their pattern of
answered items, and for a pattern with observed items :math:`o`
:math:`-2\\ell = \\sum n\\,[\\log|\\Sigma_{oo}| + \\mathrm{tr}(\\Sigma_{oo}^{-1}(S_o + (m_o -
\\mu_o)(m_o - \\mu_o)^\\top)) + p_o\\log 2\\pi]`. The means are free (a saturated mean
structure), the covariance structure is the correlated-factors model of
:mod:`analysis.stats.sem`. χ² compares the model with the unrestricted model (means and
covariances by EM), the baseline has independent items; standard errors come from the
observed information (lavaan's default with missing data); SRMR compares the model's moments
with the EM moments, means included.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.stats.sem import (
    CfaFit,
    ModelError,
    _estimates_table,
    _numeric_jacobian,
    _rmsea_ci,
    _Spec,
    _start,
    _std_values,
)

__all__ = ["fit_cfa_fiml"]

_LOG2PI = np.log(2 * np.pi)


def _patterns(x: np.ndarray) -> list[tuple[np.ndarray, int, np.ndarray, np.ndarray]]:
    """(observed columns, n, mean, covariance divided by n) per pattern of answers."""
    seen = ~np.isnan(x)
    keys, inverse = np.unique(seen, axis=0, return_inverse=True)
    out = []
    for k, key in enumerate(keys):
        if not key.any():
            continue
        rows = x[inverse.ravel() == k][:, key]
        mean = rows.mean(axis=0)
        d = rows - mean
        out.append((np.flatnonzero(key), len(rows), mean, d.T @ d / len(rows)))
    return out


def _minus2ll(sigma: np.ndarray, mu: np.ndarray, pats: list) -> float:
    total = 0.0
    for o, n, m, s in pats:
        so = sigma[np.ix_(o, o)]
        sign, logdet = np.linalg.slogdet(so)
        if sign <= 0:
            return np.inf
        d = m - mu[o]
        inv = np.linalg.inv(so)
        total += n * (logdet + np.trace(inv @ s) + d @ inv @ d + len(o) * _LOG2PI)
    return float(total)


def _em(pats: list, p: int, n: int, *, tol: float = 1e-13, max_iter: int = 5000) -> tuple:
    """The unrestricted means and covariances by EM."""
    mu = np.zeros(p)
    var = np.zeros(p)
    count = np.zeros(p)
    for o, k, m, _ in pats:
        mu[o] += k * m
        count[o] += k
    mu /= count
    for o, k, m, s in pats:
        var[o] += k * (np.diag(s) + (m - mu[o]) ** 2)
    sigma = np.diag(var / count)
    old = np.inf
    for _ in range(max_iter):
        t1, t2 = np.zeros(p), np.zeros((p, p))
        for o, k, m, s in pats:
            miss = np.setdiff1d(np.arange(p), o)
            xo = s + np.outer(m, m)
            if len(miss) == 0:
                t1 += k * m
                t2 += k * xo
                continue
            b = sigma[np.ix_(miss, o)] @ np.linalg.inv(sigma[np.ix_(o, o)])
            a = mu[miss] - b @ mu[o]
            cond = sigma[np.ix_(miss, miss)] - b @ sigma[np.ix_(o, miss)]
            em = a + b @ m
            t1[o] += k * m
            t1[miss] += k * em
            t2[np.ix_(o, o)] += k * xo
            cross = k * (xo @ b.T + np.outer(m, a))
            t2[np.ix_(o, miss)] += cross
            t2[np.ix_(miss, o)] += cross.T
            t2[np.ix_(miss, miss)] += k * (
                cond + np.outer(a, a) + np.outer(a, b @ m) + np.outer(b @ m, a) + b @ xo @ b.T
            )
        mu = t1 / n
        sigma = t2 / n - np.outer(mu, mu)
        f = _minus2ll(sigma, mu, pats)
        if abs(old - f) < tol * max(abs(f), 1.0):
            break
        old = f
    return sigma, mu


def _gradient_parts(sigma: np.ndarray, mu: np.ndarray, pats: list) -> tuple:
    """d(-2l)/dSigma (p x p), d(-2l)/dmu, and the expected information pieces."""
    p = len(mu)
    g_s, g_m = np.zeros((p, p)), np.zeros(p)
    for o, n, m, s in pats:
        inv = np.linalg.inv(sigma[np.ix_(o, o)])
        d = m - mu[o]
        g_s[np.ix_(o, o)] += n * (inv - inv @ (s + np.outer(d, d)) @ inv)
        g_m[o] += -2 * n * inv @ d
    return g_s, g_m


def _info(spec: _Spec, theta: np.ndarray, sigma: np.ndarray, pats: list) -> np.ndarray:
    """Expected information of the covariance parameters (for Fisher scoring)."""
    p = sigma.shape[0]
    jac = spec.jacobian(theta).reshape(p, p, -1)
    info = np.zeros((jac.shape[2], jac.shape[2]))
    for o, n, _, _ in pats:
        inv = np.linalg.inv(sigma[np.ix_(o, o)])
        d = jac[np.ix_(o, o)].reshape(len(o) ** 2, -1)
        info += n * d.T @ np.kron(inv, inv) @ d
    return info


def fit_cfa_fiml(
    data: pd.DataFrame, model: dict, *, max_iter: int = 500, tol: float = 1e-10
) -> CfaFit:
    """Fit a correlated-factors CFA by FIML to answers with gaps (lavaan ``missing = "fiml"``).

    Parameters
    ----------
    data
        Respondents x items (NaN where not answered); respondents with no answer are left out.
    model
        Factor -> its items; the first is the marker.

    Returns
    -------
    CfaFit
        As :func:`analysis.stats.sem.fit_cfa`; ``indices`` as there, ``n`` counting every
        respondent with an answer; ``sample_cov`` holds the EM covariances.
    """
    items = [it for f in model for it in model[f]]
    x = data[items].to_numpy(dtype="float64")
    x = x[~np.isnan(x).all(axis=1)]
    n, p = x.shape
    pats = _patterns(x)
    factors = list(model)
    item_factor = np.array([i for i, f in enumerate(factors) for _ in model[f]])
    marker = np.zeros(p, dtype=bool)
    marker[np.unique(item_factor, return_index=True)[1]] = True
    spec = _Spec(items, factors, item_factor, marker)
    sat_sigma, sat_mu = _em(pats, p, n)
    if np.linalg.eigvalsh(sat_sigma).min() <= 1e-10:
        raise ModelError("the items' covariance matrix (EM) is not positive definite")
    theta = _start(spec, sat_sigma)
    mu = sat_mu.copy()
    f_old = _minus2ll(spec.sigma(theta), mu, pats)
    converged, iterations = False, 0
    for it in range(1, max_iter + 1):  # Fisher scoring on the covariance part; means profiled
        sigma = spec.sigma(theta)
        mu = _profile_means(sigma, mu, pats)
        g_s, _ = _gradient_parts(sigma, mu, pats)
        grad = spec.jacobian(theta).T @ g_s.ravel()
        info = _info(spec, theta, sigma, pats)
        step = np.linalg.lstsq(info, grad, rcond=None)[0]
        t = 1.0
        while True:
            new = theta - t * step
            f_new = _minus2ll(spec.sigma(new), mu, pats)
            if f_new <= f_old + 1e-10 or t < 1e-8:
                break
            t /= 2
        theta, f_old, iterations = new, f_new, it
        if np.max(np.abs(grad)) / n < tol:
            converged = True
            break
    mu = _profile_means(spec.sigma(theta), mu, pats)
    sigma = spec.sigma(theta)
    full = np.concatenate([theta, mu])
    q = len(theta)

    def grad_full(v: np.ndarray) -> np.ndarray:
        sg = spec.sigma(v[:q])
        g_s, g_m = _gradient_parts(sg, v[q:], pats)
        return np.concatenate([spec.jacobian(v[:q]).T @ g_s.ravel(), g_m]) / 2

    hess = _numeric_jacobian(grad_full, full)
    vcov_all = np.linalg.pinv((hess + hess.T) / 2)
    vcov = vcov_all[:q, :q]
    std = _std_values(spec, theta)
    jac = _numeric_jacobian(lambda v: _std_values(spec, v), theta)
    estimates = _estimates_table(spec, theta, vcov, std, jac @ vcov @ jac.T)
    indices = _indices(x, pats, sigma, mu, sat_sigma, sat_mu, spec, n)
    return CfaFit(spec, theta, sat_sigma, n, converged, iterations, estimates, indices, vcov)


def _profile_means(sigma: np.ndarray, mu: np.ndarray, pats: list) -> np.ndarray:
    """The means that maximise the likelihood for a given Sigma (a GLS step, exact)."""
    p = len(mu)
    a, b = np.zeros((p, p)), np.zeros(p)
    for o, n, m, _ in pats:
        inv = np.linalg.inv(sigma[np.ix_(o, o)])
        a[np.ix_(o, o)] += n * inv
        b[o] += n * inv @ m
    return np.linalg.solve(a, b)


def _indices(x, pats, sigma, mu, sat_sigma, sat_mu, spec, n) -> dict:
    from scipy import stats

    p = len(mu)
    f_model = _minus2ll(sigma, mu, pats)
    f_sat = _minus2ll(sat_sigma, sat_mu, pats)
    chi2 = f_model - f_sat
    df = p * (p + 1) // 2 - spec.n_params
    var = np.nanvar(x, axis=0)
    base = float(np.sum(np.sum(~np.isnan(x), axis=0) * (np.log(var) + 1 + _LOG2PI)) - f_sat)
    base_df = p * (p - 1) // 2
    den = max(base - base_df, chi2 - df, 0.0)
    lo, hi = _rmsea_ci(chi2, df, n)
    sd = np.sqrt(np.diag(sat_sigma))
    r = (sat_sigma - sigma) / np.outer(sd, sd)
    r_mean = (sat_mu - mu) / sd
    srmr = np.sqrt((np.sum(r[np.tril_indices(p)] ** 2) + np.sum(r_mean**2)) / (p * (p + 1) / 2 + p))
    return {
        "chi2": chi2,
        "df": float(df),
        "p_value": float(stats.chi2.sf(chi2, df)) if df > 0 else np.nan,
        "chi2_df": chi2 / df if df > 0 else np.nan,
        "cfi": 1 - max(chi2 - df, 0.0) / den if den > 0 else 1.0,
        "tli": (base / base_df - chi2 / df) / (base / base_df - 1) if df > 0 else np.nan,
        "rmsea": float(np.sqrt(max((chi2 - df) / (n * df), 0.0))) if df > 0 else np.nan,
        "rmsea_ci_low": lo,
        "rmsea_ci_high": hi,
        "srmr": float(srmr),
        "baseline_chi2": base,
        "baseline_df": float(base_df),
        "n": float(n),
        "loglik": -f_model / 2,
        "loglik_unrestricted": -f_sat / 2,
    }
