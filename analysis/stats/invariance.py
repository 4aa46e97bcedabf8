"""Measurement invariance: multi-group CFA with means, fitted at four levels of equality.

:func:`fit_invariance` fits the correlated-factors model of :mod:`analysis.stats.sem` in each
group with a mean structure, as lavaan's ``cfa(model, data, group = ...)`` with
``group.equal`` = nothing (configural), ``"loadings"`` (metric), ``+ "intercepts"`` (scalar)
and ``+ "residuals"`` (strict): marker loadings 1, factor means 0 in the first group and free
in the others once intercepts are equal. ML with :math:`\\chi^2 = \\sum_g N_g F_g`,
:math:`F_g = \\log|\\Sigma_g| + \\mathrm{tr}(S_g\\Sigma_g^{-1}) + (m_g-\\mu_g)^\\top
\\Sigma_g^{-1}(m_g-\\mu_g) - \\log|S_g| - p`, fitted by Fisher scoring.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from analysis.stats.sem import _rmsea_ci

__all__ = ["LEVELS", "fit_invariance"]

LEVELS = ("configural", "metric", "scalar", "strict")
_EQUAL = {
    "configural": set(),
    "metric": {"loadings"},
    "scalar": {"loadings", "intercepts"},
    "strict": {"loadings", "intercepts", "residuals"},
}


class _Groups:
    """Parameter layout of one invariance level: index of every matrix entry in theta."""

    def __init__(self, model: Mapping[str, Sequence[str]], n_groups: int, level: str) -> None:
        eq = _EQUAL[level]
        self.factors = list(model)
        self.items = [it for f in model for it in model[f]]
        p, m = len(self.items), len(self.factors)
        self.item_factor = np.array([i for i, f in enumerate(self.factors) for _ in model[f]])
        marker = np.zeros(p, dtype=bool)
        marker[np.unique(self.item_factor, return_index=True)[1]] = True
        self.n = 0
        self.groups = []
        shared: dict[str, np.ndarray] = {}

        def new(k: int) -> np.ndarray:
            idx = np.arange(self.n, self.n + k)
            self.n += k
            return idx

        for g in range(n_groups):
            lam = shared.get("loadings")
            if lam is None:
                lam = new(int((~marker).sum()))
                if "loadings" in eq:
                    shared["loadings"] = lam
            nu = shared.get("intercepts")
            if nu is None:
                nu = new(p)
                if "intercepts" in eq:
                    shared["intercepts"] = nu
            theta = shared.get("residuals")
            if theta is None:
                theta = new(p)
                if "residuals" in eq:
                    shared["residuals"] = theta
            phi = new(m * (m + 1) // 2)
            alpha = new(m) if "intercepts" in eq and g > 0 else None
            self.groups.append((lam, nu, theta, phi, alpha))
        self.marker = marker

    def moments(self, t: np.ndarray, g: int) -> tuple[np.ndarray, np.ndarray]:
        lam_i, nu_i, th_i, phi_i, al_i = self.groups[g]
        p, m = len(self.items), len(self.factors)
        values = np.ones(p)
        values[~self.marker] = t[lam_i]
        lam = np.zeros((p, m))
        lam[np.arange(p), self.item_factor] = values
        phi = np.zeros((m, m))
        phi[np.tril_indices(m)] = t[phi_i]
        phi = phi + np.tril(phi, -1).T
        alpha = t[al_i] if al_i is not None else np.zeros(m)
        return lam @ phi @ lam.T + np.diag(t[th_i]), t[nu_i] + lam @ alpha


def _objective(lay: _Groups, t: np.ndarray, data: list, n_total: int) -> float:
    total = 0.0
    for g, (s, mean, n, logdet_s) in enumerate(data):
        sigma, mu = lay.moments(t, g)
        sign, logdet = np.linalg.slogdet(sigma)
        if sign <= 0:
            return np.inf
        d = mean - mu
        f = logdet + np.trace(np.linalg.solve(sigma, s)) + d @ np.linalg.solve(sigma, d)
        total += n / n_total * (f - logdet_s - len(s))
    return total


def _fit_level(lay: _Groups, data: list, n_total: int, start: np.ndarray) -> tuple:
    t = start.copy()
    f_old = _objective(lay, t, data, n_total)
    converged = False
    for _ in range(300):
        grad = np.zeros(lay.n)
        hess = np.zeros((lay.n, lay.n))
        for g, (s, mean, n, _) in enumerate(data):
            sigma, mu = lay.moments(t, g)
            inv = np.linalg.inv(sigma)
            d = mean - mu
            jac_s, jac_m = _jacobian(lay, t, g)
            w = n / n_total
            gs = (inv - inv @ (s + np.outer(d, d)) @ inv).ravel()
            grad += w * (jac_s.T @ gs - 2 * jac_m.T @ (inv @ d))
            hess += w * (jac_s.T @ np.kron(inv, inv) @ jac_s + 2 * jac_m.T @ inv @ jac_m)
        step = np.linalg.lstsq(hess, grad, rcond=None)[0]
        k = 1.0
        while True:
            new = t - k * step
            f_new = _objective(lay, new, data, n_total)
            if f_new <= f_old + 1e-13 or k < 1e-8:
                break
            k /= 2
        t, f_old = new, f_new
        if np.max(np.abs(grad)) < 1e-9:
            converged = True
            break
    return t, f_old, converged


def _jacobian(lay: _Groups, t: np.ndarray, g: int) -> tuple[np.ndarray, np.ndarray]:
    """Central-difference derivatives of vec(Sigma_g) and mu_g (both at most quadratic)."""
    p = len(lay.items)
    js, jm = np.zeros((p * p, lay.n)), np.zeros((p, lay.n))
    used = np.concatenate([i for i in lay.groups[g] if i is not None])
    for k in used:
        up, down = t.copy(), t.copy()
        up[k] += 1e-5
        down[k] -= 1e-5
        su, mu_u = lay.moments(up, g)
        sd, mu_d = lay.moments(down, g)
        js[:, k] = (su - sd).ravel() / 2e-5
        jm[:, k] = (mu_u - mu_d) / 2e-5
    return js, jm


def _start(lay: _Groups, data: list) -> np.ndarray:
    t = np.zeros(lay.n)
    m = len(lay.factors)
    for g, (s, mean, _, _) in enumerate(data):
        lam_i, nu_i, th_i, phi_i, _ = lay.groups[g]
        t[lam_i] = 1.0
        t[nu_i] = mean
        t[th_i] = 0.5 * np.diag(s)
        phi = np.zeros((m, m))
        for f in range(m):
            j = np.flatnonzero(lay.item_factor == f)[0]
            phi[f, f] = 0.5 * s[j, j]
        t[phi_i] = phi[np.tril_indices(m)]
    return t


def _srmr(lay: _Groups, t: np.ndarray, data: list, n_total: int) -> float:
    """lavaan's ``srmr`` with a mean structure (Bentler's, means included), weighted by N_g.

    In each group the covariance residuals (lower triangle, diagonal included) and the mean
    residuals are scaled by the observed standard deviations; the group's root mean square is
    taken over the p(p+1)/2 + p moments, and the groups are averaged with weights N_g / N.
    """
    total = 0.0
    for g, (s, mean, n, _) in enumerate(data):
        sigma, mu = lay.moments(t, g)
        sd = np.sqrt(np.diag(s))
        r = (s - sigma) / np.outer(sd, sd)
        r_mean = (mean - mu) / sd
        p = len(s)
        ss = np.sum(r[np.tril_indices(p)] ** 2) + np.sum(r_mean**2)
        total += n / n_total * np.sqrt(ss / (p * (p + 1) // 2 + p))
    return float(total)


def fit_invariance(
    frames: Mapping[str, pd.DataFrame],
    model: Mapping[str, Sequence[str]],
    *,
    levels: Sequence[str] = ("configural", "metric", "scalar"),
) -> pd.DataFrame:
    """Fit the model in every group at each invariance level.

    Parameters
    ----------
    frames
        Group -> its complete answers (respondents x items).
    model
        Factor -> its items; the first is the marker.
    levels
        Any of ``"configural"``, ``"metric"``, ``"scalar"``, ``"strict"``, in that order.

    Returns
    -------
    DataFrame
        One row per level: ``level``, ``chi2``, ``df``, ``p_value``, ``cfi``, ``tli``,
        ``rmsea``, ``rmsea_ci_low``, ``rmsea_ci_high``, ``srmr``, ``converged``.
    """
    items = [it for f in model for it in model[f]]
    data = []
    for x in frames.values():
        v = x[items].to_numpy(dtype="float64")
        s = np.cov(v, rowvar=False, ddof=0)
        data.append((s, v.mean(axis=0), len(v), np.linalg.slogdet(s)[1]))
    n_total = sum(d[2] for d in data)
    n_groups, p = len(data), len(items)
    base_chi2 = sum(n * (np.sum(np.log(np.diag(s))) - ld) for s, _, n, ld in data)
    base_df = n_groups * p * (p - 1) // 2
    rows = []
    for level in levels:
        lay = _Groups(model, n_groups, level)
        t, fmin, converged = _fit_level(lay, data, n_total, _start(lay, data))
        chi2 = n_total * fmin
        df = n_groups * (p * (p + 1) // 2 + p) - lay.n
        cfi_den = max(base_chi2 - base_df, chi2 - df, 0.0)
        lo, hi = _rmsea_ci(chi2, df, n_total)
        root_g = np.sqrt(n_groups)
        rows.append(
            {
                "level": level,
                "chi2": chi2,
                "df": float(df),
                "p_value": float(stats.chi2.sf(chi2, df)),
                "cfi": 1 - max(chi2 - df, 0.0) / cfi_den if cfi_den > 0 else 1.0,
                "tli": (base_chi2 / base_df - chi2 / df) / (base_chi2 / base_df - 1),
                "rmsea": np.sqrt(max(chi2 / n_total / df - 1 / n_total, 0.0)) * root_g,
                "rmsea_ci_low": lo * root_g,
                "rmsea_ci_high": hi * root_g,
                "srmr": _srmr(lay, t, data, n_total),
                "converged": converged,
            }
        )
    return pd.DataFrame(rows)
