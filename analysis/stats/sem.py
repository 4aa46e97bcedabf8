"""Confirmatory factor analysis by maximum likelihood: a correlated-factors model, fitted directly.

:func:`fit_cfa` fits :math:`\\Sigma = \\Lambda\\Phi\\Lambda^\\top + \\Theta` (simple structure,
each item on one factor, factors correlated, residuals uncorrelated) to a covariance matrix and
returns a :class:`CfaFit` with estimates, standard errors, the standardised solution and the
fit indices. It knows nothing of codebooks; :mod:`analysis.survey.cfa` is the survey face.

Why fitted here and not with an SEM library
-------------------------------------------
The toolkit's users compare their numbers with lavaan's, the reference in their field. A
correlated-factors CFA is a small model, and fitting it directly makes every convention
visible and equal to lavaan 0.6's defaults (``cfa(model, data)``, ``estimator = "ML"``,
``likelihood = "normal"``): the marker-variable identification (first loading of each factor
1), the covariance divided by N, :math:`\\chi^2 = N F_{ML}`, standard errors from the expected
information, the standardised (``std.all``) solution with delta-method standard errors,
lavaan's formulas for CFI, TLI, RMSEA (with N, and its 90% interval from the non-central
chi-square) and SRMR (Bentler's, the residuals scaled by the observed standard deviations,
diagonal included), and its modification indices. semopy (PyPI, maintained) was considered:
its default objective and its fit statistics follow other conventions (e.g. its chi-square and
RMSEA use different sample-size and baseline conventions), so its indices would have to be
recomputed anyway, and it would add a dependency (with its own pandas/numpy pins) for a model
scipy fits in a few Fisher-scoring steps. The tests hold the numbers to lavaan's to 1e-4.

Fitting: Fisher scoring on :math:`F_{ML} = \\log|\\Sigma| + \\mathrm{tr}(S\\Sigma^{-1})
- \\log|S| - p` with step halving, from lavaan-like start values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from analysis.core.errors import InputError

__all__ = ["CfaFit", "fit_cfa", "htmt"]


class ModelError(InputError):
    """The model cannot be fitted: too few items, a matrix that is not positive definite."""


@dataclass(frozen=True)
class _Spec:
    """Where every free parameter sits: loadings, residual variances, factor (co)variances."""

    items: list[str]
    factors: list[str]
    item_factor: np.ndarray  # factor index of each item
    marker: np.ndarray  # True for the first item of each factor (loading fixed to 1)

    @property
    def n_free_loadings(self) -> int:
        return int((~self.marker).sum())

    @property
    def n_params(self) -> int:
        p, m = len(self.items), len(self.factors)
        return self.n_free_loadings + p + m * (m + 1) // 2

    def unpack(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        p, m = len(self.items), len(self.factors)
        lam = np.zeros((p, m))
        values = np.ones(p)
        values[~self.marker] = theta[: self.n_free_loadings]
        lam[np.arange(p), self.item_factor] = values
        k = self.n_free_loadings
        resid = theta[k : k + p]
        phi = np.zeros((m, m))
        phi[np.tril_indices(m)] = theta[k + p :]
        phi = phi + np.tril(phi, -1).T
        return lam, resid, phi

    def sigma(self, theta: np.ndarray) -> np.ndarray:
        lam, resid, phi = self.unpack(theta)
        return lam @ phi @ lam.T + np.diag(resid)

    def jacobian(self, theta: np.ndarray) -> np.ndarray:
        """d vec(Sigma) / d theta, shape (p*p, q)."""
        lam, _, phi = self.unpack(theta)
        p, m = lam.shape
        cols = []
        lp = lam @ phi  # p x m
        for j in np.flatnonzero(~self.marker):
            d = np.zeros((p, p))
            d[j, :] = lp[:, self.item_factor[j]]
            cols.append(d + d.T)
        for j in range(p):
            d = np.zeros((p, p))
            d[j, j] = 1.0
            cols.append(d)
        for f, g in zip(*np.tril_indices(m), strict=True):
            d = np.outer(lam[:, f], lam[:, g])
            cols.append(d + d.T if f != g else d)
        return np.stack([c.ravel() for c in cols], axis=1)


@dataclass(frozen=True)
class CfaFit:
    """A fitted correlated-factors CFA (see :func:`fit_cfa`).

    ``estimates`` has one row per free or fixed parameter: ``lhs``, ``op`` (``=~``, ``~~``),
    ``rhs``, ``est``, ``se``, ``est_std``, ``se_std`` (the standardised ``std.all`` value and
    its delta-method SE). ``indices`` holds the fit indices by name.
    """

    spec: _Spec = field(repr=False)
    theta: np.ndarray = field(repr=False)
    sample_cov: np.ndarray = field(repr=False)
    n: int
    converged: bool
    iterations: int
    estimates: pd.DataFrame
    indices: Mapping[str, float]
    vcov: np.ndarray = field(repr=False)

    @property
    def implied_cov(self) -> np.ndarray:
        return self.spec.sigma(self.theta)

    def std_loadings(self) -> pd.DataFrame:
        """Standardised loadings: ``factor``, ``item``, ``loading``, ``se``, ``est``, ``est_se``."""
        return loadings_table(self.estimates)

    def factor_correlations(self) -> pd.DataFrame:
        """The factors' correlation matrix (standardised factor covariances)."""
        _, _, phi = self.spec.unpack(self.theta)
        sd = np.sqrt(np.diag(phi))
        f = self.spec.factors
        return pd.DataFrame(phi / np.outer(sd, sd), index=f, columns=f)

    def modification_indices(self) -> pd.DataFrame:
        """Modification indices of every cross-loading and residual covariance left out.

        Returns
        -------
        DataFrame
            ``lhs``, ``op``, ``rhs``, ``mi`` (the expected drop in chi-square, 1 df, when the
            parameter is freed; as lavaan's ``modindices``), sorted by ``mi`` descending.
        """
        spec, theta = self.spec, self.theta
        lam, _, phi = spec.unpack(theta)
        sigma = spec.sigma(theta)
        inv = np.linalg.inv(sigma)
        p, m = lam.shape
        cand, names = [], []
        lp = lam @ phi
        for j in range(p):
            for f in range(m):
                if f != spec.item_factor[j]:
                    d = np.zeros((p, p))
                    d[j, :] = lp[:, f]
                    cand.append((d + d.T).ravel())
                    names.append((spec.factors[f], "=~", spec.items[j]))
        for a in range(p):
            for b in range(a + 1, p):
                d = np.zeros((p, p))
                d[a, b] = d[b, a] = 1.0
                cand.append(d.ravel())
                names.append((spec.items[a], "~~", spec.items[b]))
        if not cand:
            return pd.DataFrame(columns=["lhs", "op", "rhs", "mi"])
        w = np.kron(inv, inv)
        d_free = spec.jacobian(theta)
        d_cand = np.stack(cand, axis=1)
        info_ff = 0.5 * d_free.T @ w @ d_free
        info_cf = 0.5 * d_cand.T @ w @ d_free
        info_cc = 0.5 * np.einsum("ik,ij,jk->k", d_cand, w, d_cand)
        resid = (inv @ (sigma - self.sample_cov) @ inv).ravel()
        score = -0.5 * d_cand.T @ resid  # per-observation score of each candidate
        v = info_cc - np.einsum("kf,fg,kg->k", info_cf, np.linalg.inv(info_ff), info_cf)
        with np.errstate(divide="ignore", invalid="ignore"):
            mi = self.n * score**2 / v
        out = pd.DataFrame(names, columns=["lhs", "op", "rhs"])
        out["mi"] = mi
        return out.sort_values("mi", ascending=False, ignore_index=True)


def _start(spec: _Spec, s: np.ndarray) -> np.ndarray:
    p, m = len(spec.items), len(spec.factors)
    resid = 0.5 * np.diag(s)
    lam = np.ones(spec.n_free_loadings)
    phi = np.zeros((m, m))
    for f in range(m):
        idx = np.flatnonzero(spec.item_factor == f)
        marker = idx[0]
        others = idx[1:]
        phi[f, f] = max(0.5 * s[marker, marker], 1e-3)
        for k, j in enumerate(np.flatnonzero(~spec.marker)):
            if j in others:
                lam[k] = s[j, marker] / phi[f, f] if phi[f, f] > 0 else 1.0
    del p
    return np.concatenate([lam, resid, phi[np.tril_indices(m)]])


def _discrepancy(sigma: np.ndarray, s: np.ndarray, logdet_s: float) -> float:
    sign, logdet = np.linalg.slogdet(sigma)
    if sign <= 0:
        return np.inf
    return float(logdet + np.trace(np.linalg.solve(sigma, s)) - logdet_s - len(s))


def _fisher_scoring(
    spec: _Spec, s: np.ndarray, theta: np.ndarray, *, max_iter: int, tol: float
) -> tuple[np.ndarray, bool, int]:
    logdet_s = np.linalg.slogdet(s)[1]
    f_old = _discrepancy(spec.sigma(theta), s, logdet_s)
    for it in range(1, max_iter + 1):
        sigma = spec.sigma(theta)
        inv = np.linalg.inv(sigma)
        d = spec.jacobian(theta)
        grad = d.T @ (inv @ (sigma - s) @ inv).ravel()
        hess = d.T @ np.kron(inv, inv) @ d
        try:
            step = np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(hess, grad, rcond=None)[0]
        t = 1.0
        while True:
            new = theta - t * step
            f_new = _discrepancy(spec.sigma(new), s, logdet_s)
            if f_new <= f_old + 1e-12 or t < 1e-8:
                break
            t /= 2
        theta, f_change = new, f_old - f_new
        f_old = f_new
        if np.max(np.abs(grad)) < tol or (abs(f_change) < tol * 1e-3 and t == 1.0):
            return theta, bool(np.max(np.abs(t * step)) < 1e-4), it
    return theta, False, max_iter


def _std_values(spec: _Spec, theta: np.ndarray) -> np.ndarray:
    """The std.all value of every reported parameter, in the order of the estimates table."""
    lam, resid, phi = spec.unpack(theta)
    sigma = lam @ phi @ lam.T + np.diag(resid)
    sd_item = np.sqrt(np.diag(sigma))
    sd_f = np.sqrt(np.abs(np.diag(phi)))
    p = len(spec.items)
    load = lam[np.arange(p), spec.item_factor] * sd_f[spec.item_factor] / sd_item
    res = resid / sd_item**2
    m = len(spec.factors)
    rows, cols = np.tril_indices(m)
    fphi = phi[rows, cols] / (sd_f[rows] * sd_f[cols])
    return np.concatenate([load, res, fphi])


def _fit_indices(spec: _Spec, s: np.ndarray, sigma: np.ndarray, n: int, fmin: float) -> dict:
    p = len(s)
    df = p * (p + 1) // 2 - spec.n_params
    chi2 = n * fmin
    base_chi2 = n * float(np.sum(np.log(np.diag(s))) - np.linalg.slogdet(s)[1])
    base_df = p * (p - 1) // 2
    cfi_den = max(base_chi2 - base_df, chi2 - df, 0.0)
    cfi = 1.0 - max(chi2 - df, 0.0) / cfi_den if cfi_den > 0 else 1.0
    tli = (
        (base_chi2 / base_df - chi2 / df) / (base_chi2 / base_df - 1.0)
        if df > 0 and base_df > 0
        else np.nan
    )
    rmsea = np.sqrt(max(chi2 / n / df - 1.0 / n, 0.0)) if df > 0 else np.nan
    lo, hi = _rmsea_ci(chi2, df, n)
    sd = np.sqrt(np.diag(s))
    r = (s - sigma) / np.outer(sd, sd)
    srmr = float(np.sqrt(np.mean(r[np.tril_indices(p)] ** 2)))
    return {
        "chi2": chi2,
        "df": float(df),
        "p_value": float(stats.chi2.sf(chi2, df)) if df > 0 else np.nan,
        "chi2_df": chi2 / df if df > 0 else np.nan,
        "cfi": cfi,
        "tli": tli,
        "rmsea": rmsea,
        "rmsea_ci_low": lo,
        "rmsea_ci_high": hi,
        "srmr": srmr,
        "baseline_chi2": base_chi2,
        "baseline_df": float(base_df),
        "n": float(n),
    }


def _rmsea_ci(chi2: float, df: int, n: int, level: float = 0.90) -> tuple[float, float]:
    """lavaan's interval: the non-centrality at which chi2 is the upper/lower quantile."""
    if df <= 0:
        return np.nan, np.nan
    a = (1 - level) / 2

    def bound(target: float) -> float:
        def g(lam: float) -> float:
            return float(stats.ncx2.cdf(chi2, df, lam) if lam > 0 else stats.chi2.cdf(chi2, df))

        if g(0.0) < target:
            return 0.0
        hi = max(chi2, 1.0)
        while g(hi) > target:
            hi *= 2
        lam = optimize.brentq(lambda x: g(x) - target, 0.0, hi, xtol=1e-12)
        return float(np.sqrt(lam / (n * df)))

    return bound(1 - a), bound(a)


def fit_cfa(
    cov: np.ndarray | pd.DataFrame,
    n: int,
    model: Mapping[str, Sequence[str]],
    *,
    items: Sequence[str] | None = None,
    max_iter: int = 500,
    tol: float = 1e-9,
) -> CfaFit:
    """Fit a correlated-factors CFA by maximum likelihood.

    Parameters
    ----------
    cov
        The items' covariance matrix divided by N (a DataFrame labelled by item, or an array
        with ``items``).
    n
        Number of respondents the covariance comes from.
    model
        Factor -> its items, in order; the first item of each factor is the marker.
    items
        Item names for an unlabelled ``cov``.
    max_iter, tol
        Fisher-scoring iterations and the gradient tolerance.

    Returns
    -------
    CfaFit

    Raises
    ------
    ModelError
        The covariance matrix is not positive definite, an item is in two factors or in none,
        or the model has more parameters than moments.
    """
    if isinstance(cov, pd.DataFrame):
        items = list(cov.columns)
        cov = cov.to_numpy(dtype="float64")
    if items is None:
        raise ModelError("fit_cfa needs item names: pass a labelled DataFrame or items=")
    s = np.asarray(cov, dtype="float64")
    items = list(items)
    order = [it for f in model for it in model[f]]
    if len(set(order)) != len(order):
        raise ModelError("an item is listed under two factors; each item measures one")
    missing = [it for it in order if it not in items]
    if missing:
        raise ModelError(f"items not in the covariance matrix: {', '.join(missing)}")
    pos = [items.index(it) for it in order]
    s = s[np.ix_(pos, pos)]
    eig = np.linalg.eigvalsh(s)
    if eig.min() <= 1e-10 * max(eig.max(), 1.0):
        raise ModelError(
            "the items' covariance matrix is not positive definite (smallest eigenvalue "
            f"{eig.min():.3g}): an item is constant, or a linear combination of others "
            "(a total score, a duplicated column), or there are fewer respondents than items"
        )
    factors = list(model)
    item_factor = np.array([i for i, f in enumerate(factors) for _ in model[f]])
    marker = np.zeros(len(order), dtype=bool)
    marker[np.unique(item_factor, return_index=True)[1]] = True
    spec = _Spec(order, factors, item_factor, marker)
    p = len(order)
    if spec.n_params > p * (p + 1) // 2:
        raise ModelError(
            f"the model has {spec.n_params} parameters but only {p * (p + 1) // 2} variances "
            "and covariances: it is not identified"
        )
    theta, converged, iterations = _fisher_scoring(
        spec, s, _start(spec, s), max_iter=max_iter, tol=tol
    )
    sigma = spec.sigma(theta)
    fmin = _discrepancy(sigma, s, np.linalg.slogdet(s)[1])
    inv = np.linalg.inv(sigma)
    d = spec.jacobian(theta)
    info = 0.5 * d.T @ np.kron(inv, inv) @ d
    vcov = np.linalg.pinv(info) / n
    std = _std_values(spec, theta)
    jac = _numeric_jacobian(lambda t: _std_values(spec, t), theta)
    vcov_std = jac @ vcov @ jac.T
    estimates = _estimates_table(spec, theta, vcov, std, vcov_std)
    indices = _fit_indices(spec, s, sigma, n, fmin)
    return CfaFit(spec, theta, s, n, converged, iterations, estimates, indices, vcov)


def _numeric_jacobian(fun: Any, x: np.ndarray) -> np.ndarray:
    base = fun(x)
    out = np.empty((len(base), len(x)))
    for k in range(len(x)):
        h = 1e-6 * max(abs(x[k]), 1.0)
        up, down = x.copy(), x.copy()
        up[k] += h
        down[k] -= h
        out[:, k] = (fun(up) - fun(down)) / (2 * h)
    return out


def _estimates_table(
    spec: _Spec, theta: np.ndarray, vcov: np.ndarray, std: np.ndarray, vcov_std: np.ndarray
) -> pd.DataFrame:
    lam, resid, phi = spec.unpack(theta)
    p, m = lam.shape
    se = np.sqrt(np.clip(np.diag(vcov), 0, None))
    se_std = np.sqrt(np.clip(np.diag(vcov_std), 0, None))
    rows = []
    k = 0
    for j in range(p):
        f = spec.item_factor[j]
        if spec.marker[j]:
            est_se = 0.0
        else:
            est_se, k = se[k], k + 1
        rows.append((spec.factors[f], "=~", spec.items[j], lam[j, f], est_se))
    base = spec.n_free_loadings
    for j in range(p):
        rows.append((spec.items[j], "~~", spec.items[j], resid[j], se[base + j]))
    for i, (f, g) in enumerate(zip(*np.tril_indices(m), strict=True)):
        rows.append((spec.factors[g], "~~", spec.factors[f], phi[f, g], se[base + p + i]))
    out = pd.DataFrame(rows, columns=["lhs", "op", "rhs", "est", "se"])
    out["est_std"] = std
    out["se_std"] = se_std
    return out


def htmt(corr: np.ndarray | pd.DataFrame, model: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    """Heterotrait-monotrait ratio of correlations (Henseler, Ringle & Sarstedt, 2015).

    Parameters
    ----------
    corr
        The items' correlation matrix, labelled by item.
    model
        Factor -> its items.

    Returns
    -------
    DataFrame
        Factors x factors, the HTMT of each pair (NaN on the diagonal): the mean correlation
        between the two factors' items over the geometric mean of the mean correlations within
        each factor (off-diagonal). Values above .85 (or .90) question discriminant validity.
    """
    r = corr if isinstance(corr, pd.DataFrame) else pd.DataFrame(corr)
    factors = list(model)
    out = pd.DataFrame(np.nan, index=factors, columns=factors)

    def within(f: str) -> float:
        block = r.loc[list(model[f]), list(model[f])].to_numpy()
        k = len(block)
        return float(block[np.triu_indices(k, 1)].mean()) if k > 1 else np.nan

    mono = {f: within(f) for f in factors}
    for a in factors:
        for b in factors:
            if a != b:
                hetero = float(r.loc[list(model[a]), list(model[b])].to_numpy().mean())
                out.loc[a, b] = hetero / np.sqrt(mono[a] * mono[b])
    return out


def loadings_table(estimates: pd.DataFrame) -> pd.DataFrame:
    """The ``=~`` rows of a lavaan-style estimates table as standardised loadings."""
    e = estimates[estimates["op"] == "=~"]
    return pd.DataFrame(
        {
            "factor": e["lhs"].to_numpy(),
            "item": e["rhs"].to_numpy(),
            "loading": e["est_std"].to_numpy(),
            "se": e["se_std"].to_numpy(),
            "est": e["est"].to_numpy(),
            "est_se": e["se"].to_numpy(),
        }
    )
