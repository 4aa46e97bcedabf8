"""McDonald's omega-hierarchical by the Schmid-Leiman transformation, as ``psych::omega``.

ω_h is the share of the variance of a total score due to one general factor: the items'
correlations are factored (minres, ``nfactors`` group factors), the factors rotated obliquely
(oblimin, i.e. quartimin), a general factor extracted from the factors' correlations, and the
items' loadings on it (Schmid & Leiman, 1957) summed:
:math:`\\omega_h = (\\sum_i g_i)^2 / \\mathbf 1'R\\mathbf 1`. ω_total is
:math:`(\\mathbf 1'R\\mathbf 1 - \\sum_i u_i^2) / \\mathbf 1'R\\mathbf 1` with the
uniquenesses of the minres solution. Items loading negatively on the general factor are
reversed first (psych's ``flip = TRUE``). Each step follows psych 2.2 (``fa(fm = "minres")``,
``GPArotation::oblimin``, ``schmid``, ``omegah``); they are solved to tight tolerances, where
psych stops at about 1e-5, and the tests hold the two to 1e-4.
"""

from __future__ import annotations

import numpy as np
from scipy import optimize

__all__ = ["minres", "oblimin", "omega_hierarchical"]

_PSI_MIN = 0.005  # psych's lower bound on a uniqueness


def _loadings(r: np.ndarray, psi: np.ndarray, nf: int) -> np.ndarray:
    s = r.copy()
    np.fill_diagonal(s, 1 - psi)
    vals, vecs = np.linalg.eigh(s)
    vals, vecs = vals[::-1][:nf], vecs[:, ::-1][:, :nf]
    vals = np.where(vals < np.finfo(float).eps, 100 * np.finfo(float).eps, vals)
    return vecs * np.sqrt(vals)


def _residual(psi: np.ndarray, r: np.ndarray, nf: int) -> float:
    lam = _loadings(r, psi, nf)
    res = (r - lam @ lam.T)[np.tril_indices(len(r), -1)]
    return float(np.sum(res**2))


def minres(r: np.ndarray, nf: int) -> np.ndarray:
    """Minimum-residual factor loadings (``psych::fa(r, nf, fm = "minres", rotate = "none")``).

    Iterated principal axes from squared multiple correlations (a fixed point of which is a
    stationary point of the off-diagonal residual sum of squares); when a uniqueness falls
    below psych's bound of .005, the bounded minimisation psych uses instead.
    """
    k = len(r)
    try:
        smc = 1 - 1 / np.diag(np.linalg.inv(r))
    except np.linalg.LinAlgError:
        smc = np.full(k, 0.5)
    psi = 1 - np.clip(smc, 0.0, 1.0)
    for _ in range(20000):
        lam = _loadings(r, psi, nf)
        new = 1 - np.sum(lam**2, axis=1)
        if np.max(np.abs(new - psi)) < 1e-13:
            psi = new
            break
        psi = new
    if psi.min() < _PSI_MIN or not np.all(np.isfinite(psi)):
        start = np.clip(np.nan_to_num(psi, nan=0.5), _PSI_MIN, 1.0)
        res = optimize.minimize(
            _residual,
            start,
            args=(r, nf),
            method="L-BFGS-B",
            bounds=[(_PSI_MIN, 1.0)] * k,
            options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 5000},
        )
        psi = res.x
    lam = _loadings(r, psi, nf)
    return lam * np.where(lam.sum(axis=0) < 0, -1.0, 1.0)


def _varimax(x: np.ndarray, eps: float = 1e-10) -> np.ndarray:
    """``stats::varimax`` (Kaiser-normalised): the start of the oblique rotation."""
    sc = np.sqrt(np.sum(x**2, axis=1))
    z0 = x / sc[:, None]
    p, m = z0.shape
    t = np.eye(m)
    d = 0.0
    for _ in range(1000):
        z = z0 @ t
        b = z0.T @ (z**3 - z * (np.sum(z**2, axis=0) / p))
        u, s, vt = np.linalg.svd(b)
        t = u @ vt
        d, past = float(s.sum()), d
        if d < past * (1 + eps):
            break
    return (z0 @ t) * sc[:, None]


def _quartimin(lam: np.ndarray) -> tuple[float, np.ndarray]:
    l2 = lam**2
    x = l2 @ (1 - np.eye(lam.shape[1]))
    return float(np.sum(l2 * x) / 4), lam * x


def oblimin(a: np.ndarray, *, eps: float = 1e-8, max_iter: int = 10000) -> tuple:
    """Oblique quartimin rotation (``GPArotation::oblimin``, gradient projection, Jennrich 2002).

    Returns the pattern loadings and the factors' correlation matrix.
    """
    m = a.shape[1]
    t = np.eye(m)
    lam = a @ np.linalg.inv(t).T
    f, gq = _quartimin(lam)
    g = -(lam.T @ gq @ np.linalg.inv(t)).T
    step = 1.0
    for _ in range(max_iter):
        gp = g - t * np.sum(t * g, axis=0)
        s = float(np.sqrt(np.sum(gp**2)))
        if s < eps:
            break
        step *= 2
        for _ in range(11):
            x = t - step * gp
            t_new = x / np.sqrt(np.sum(x**2, axis=0))
            lam = a @ np.linalg.inv(t_new).T
            f_new, gq = _quartimin(lam)
            if f - f_new > 0.5 * s**2 * step:
                break
            step /= 2
        t, f = t_new, f_new
        g = -(lam.T @ gq @ np.linalg.inv(t)).T
    return a @ np.linalg.inv(t).T, t.T @ t


def omega_hierarchical(r: np.ndarray, nfactors: int = 3) -> dict[str, float]:
    """ω_h and ω_total of a correlation matrix (``psych::omega(r, nfactors)``).

    Parameters
    ----------
    r
        Items' correlation matrix.
    nfactors
        Group factors (psych's default 3; at least 2: with two, the general factor loads
        equally on both, psych's ``option = "equal"``).

    Returns
    -------
    dict
        ``omega_h``, ``omega_total`` and ``ecv`` (the general factor's share of the common
        variance in the Schmid-Leiman solution).
    """
    r = np.asarray(r, dtype=float)
    orth = minres(r, nfactors)
    pattern, phi = oblimin(_varimax(orth))
    if nfactors > 2:
        gload = minres(phi, 1)[:, 0]
    else:
        root = np.sqrt(abs(phi[0, 1]))
        gload = np.array([root, np.sign(phi[0, 1]) * root])
    g = pattern @ gload
    key = np.where(g < 0, -1.0, 1.0)
    rk = r * np.outer(key, key)
    g = g * key
    h2 = np.sum(orth**2, axis=1)
    total = float(rk.sum())
    # psych's group loadings: each pattern loading times sqrt(1 - its factor's g loading²)
    group2 = pattern**2 * np.clip(1 - gload**2, 0, None)
    return {
        "omega_h": float(g.sum() ** 2 / total),
        "omega_total": float((total - np.sum(1 - h2)) / total),
        "ecv": float(np.sum(g**2) / (np.sum(g**2) + np.sum(group2))),
    }
