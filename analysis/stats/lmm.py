"""Linear mixed models with one grouping factor, fitted the way lme4 and lmerTest do.

The engine behind :func:`~analysis.stats.multilevel.mixed_model` and
:func:`~analysis.stats.multilevel.icc`. For y = Xβ + Zb + e with b_j ~ N(0, σ²ΛΛ') per
cluster and e ~ N(0, σ²I), lme4 (Bates et al., 2015) optimises the deviance profiled over β
and σ as a function of θ, the lower triangle of the relative covariance factor Λ. With one
grouping factor Z is block-diagonal, so everything reduces to per-cluster cross-products
(Z_j'Z_j, Z_j'X_j, Z_j'y_j), computed once; one deviance evaluation costs O(G q³ + G q² p).

* fixed effects: β̂ = (X'WX)⁻¹X'Wy with W = σ²V⁻¹, Cov(β̂) = σ̂²(X'WX)⁻¹ at the estimates,
  as ``vcov(lmer(...))``;
* θ is found by BFGS and polished by Newton steps on central differences until the step is
  below 1e-10, so variances agree with lme4's to about 1e-8 relative;
* Satterthwaite degrees of freedom as lmerTest (Kuznetsova et al., 2017): the covariance of
  the variance parameters (θ, σ) is 2H⁻¹, H the Hessian of the REML deviance in (θ, σ), and
  df = 2 (c'Vc)² / (g'(2H⁻¹)g) with g the gradient of c'Cov(β̂)c in (θ, σ); derivatives by
  Richardson-extrapolated central differences.

References
----------
Bates, D., Mächler, M., Bolker, B., & Walker, S. (2015). Fitting linear mixed-effects models
using lme4. *Journal of Statistical Software, 67*(1), 1-48.
Kuznetsova, A., Brockhoff, P. B., & Christensen, R. H. B. (2017). lmerTest package: Tests in
linear mixed effects models. *Journal of Statistical Software, 82*(13), 1-26.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

__all__ = ["LmmFit", "fit_lmm"]


@dataclass(frozen=True)
class _Cross:
    """Per-cluster cross-products: all a deviance evaluation needs."""

    ztz: np.ndarray  # (G, q, q)
    ztx: np.ndarray  # (G, q, p)
    zty: np.ndarray  # (G, q)
    xtx: np.ndarray  # (p, p)
    xty: np.ndarray  # (p,)
    yty: float
    n: int


@dataclass(frozen=True)
class LmmFit:
    """A fitted model: estimates at the optimum and what the tests need.

    Attributes
    ----------
    beta, vcov
        Fixed effects and their covariance σ̂²(X'WX)⁻¹.
    theta
        Lower triangle of Λ (row-major), diagonal non-negative.
    sigma2
        Residual variance.
    cov_re
        Covariance of the random effects, σ̂²ΛΛ' (q x q).
    criterion
        -2 log-likelihood (REML criterion when ``reml``).
    reml, n, n_groups
        As fitted.
    converged
        The last Newton step moved θ by less than 1e-6 (relative), or, where Newton cannot
        run (a variance at zero), the gradient is below lme4's tolerance of 2e-3.
    """

    beta: np.ndarray
    vcov: np.ndarray
    theta: np.ndarray
    sigma2: float
    cov_re: np.ndarray
    criterion: float
    reml: bool
    n: int
    n_groups: int
    converged: bool
    cross: _Cross = field(repr=False)

    @property
    def singular(self) -> bool:
        """A diagonal element of Λ below 1e-4, as ``lme4::isSingular``: a variance at zero."""
        q = self.cov_re.shape[0]
        return bool(np.any(np.abs(np.diag(_lambda(self.theta, q))) < 1e-4))

    @property
    def n_params(self) -> int:
        """Fixed effects + covariance parameters + residual variance (lme4's df of logLik)."""
        return self.beta.size + self.theta.size + 1

    def satterthwaite(self) -> np.ndarray:
        """Satterthwaite denominator df of each fixed effect (lmerTest's ``summary`` default)."""
        q = self.cov_re.shape[0]
        phi = np.append(self.theta, np.sqrt(self.sigma2))

        def dev(v: np.ndarray) -> float:
            return _deviance_vp(self.cross, v[:-1], v[-1], q, self.reml)

        def cov_beta(v: np.ndarray) -> np.ndarray:
            parts = _solve(self.cross, v[:-1], q)
            return np.diag(v[-1] ** 2 * np.linalg.inv(parts["a"]))

        hess = _hessian(dev, phi)
        try:
            cov_phi = 2 * np.linalg.inv(hess)
        except np.linalg.LinAlgError:
            return np.full(self.beta.size, np.nan)
        jac = _jacobian(cov_beta, phi)  # (p, k)
        v = np.diag(self.vcov)
        denom = np.einsum("pi,ij,pj->p", jac, cov_phi, jac)  # as lmerTest, even if H is indefinite
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(denom > 0, 2 * v**2 / denom, np.nan)


def _cross(y: np.ndarray, x: np.ndarray, z: np.ndarray, codes: np.ndarray) -> _Cross:
    order = np.argsort(codes, kind="stable")
    c, y, x, z = codes[order], y[order], x[order], z[order]
    starts = np.flatnonzero(np.r_[True, c[1:] != c[:-1]])
    # one column of Z at a time: temporaries the size of X, not q times it
    ztz = np.stack([np.add.reduceat(z[:, [a]] * z, starts, axis=0) for a in range(z.shape[1])], 1)
    ztx = np.stack([np.add.reduceat(z[:, [a]] * x, starts, axis=0) for a in range(z.shape[1])], 1)
    zty = np.add.reduceat(z * y[:, None], starts, axis=0)
    return _Cross(ztz, ztx, zty, x.T @ x, x.T @ y, float(y @ y), y.size)


def _lambda(theta: np.ndarray, q: int) -> np.ndarray:
    lam = np.zeros((q, q))
    lam[np.tril_indices(q)] = theta
    return lam


def _solve(cr: _Cross, theta: np.ndarray, q: int) -> dict[str, np.ndarray | float]:
    """X'WX, X'Wy, y'Wy and log|I + Λ'Z'ZΛ| at θ, by Woodbury within each cluster."""
    lam = _lambda(theta, q)
    m = np.eye(q) + np.einsum("ab,gbc,cd->gad", lam.T, cr.ztz, lam)
    u = np.einsum("ab,gbp->gap", lam.T, cr.ztx)
    v = np.einsum("ab,gb->ga", lam.T, cr.zty)
    chol = np.linalg.cholesky(m)
    rhs = np.concatenate([u, v[:, :, None]], axis=2)
    sol = np.linalg.solve(m, rhs)
    a = cr.xtx - np.einsum("gqp,gqr->pr", u, sol[:, :, :-1])
    b = cr.xty - np.einsum("gqp,gq->p", u, sol[:, :, -1])
    c = cr.yty - np.einsum("gq,gq->", v, sol[:, :, -1])
    logdet_m = 2 * float(np.log(np.diagonal(chol, axis1=1, axis2=2)).sum())
    return {"a": a, "b": b, "c": float(c), "logdet_m": logdet_m}


def _profiled(cr: _Cross, theta: np.ndarray, q: int, reml: bool) -> tuple[float, dict]:
    """lme4's profiled deviance (REML criterion or -2 log L) at θ, and its pieces."""
    parts = _solve(cr, theta, q)
    ra = np.linalg.cholesky(parts["a"])
    beta = np.linalg.solve(parts["a"], parts["b"])
    rwr = max(parts["c"] - float(parts["b"] @ beta), 1e-300)
    p = beta.size
    dof = cr.n - p if reml else cr.n
    dev = parts["logdet_m"] + dof * (1 + np.log(2 * np.pi * rwr / dof))
    if reml:
        dev += 2 * float(np.log(np.diag(ra)).sum())
    parts.update(beta=beta, sigma2=rwr / dof)
    return float(dev), parts


def _deviance_vp(cr: _Cross, theta: np.ndarray, sigma: float, q: int, reml: bool) -> float:
    """Deviance at (θ, σ) without profiling σ out (lmerTest's ``devfun_vp``)."""
    parts = _solve(cr, theta, q)
    beta = np.linalg.solve(parts["a"], parts["b"])
    rwr = parts["c"] - float(parts["b"] @ beta)
    s2 = sigma**2
    p = beta.size
    dev = parts["logdet_m"] + rwr / s2 + cr.n * np.log(2 * np.pi * s2)
    if reml:
        dev += np.linalg.slogdet(parts["a"])[1] - p * np.log(2 * np.pi * s2)
    return float(dev)


def _steps(x: np.ndarray, rel: float) -> np.ndarray:
    return rel * np.maximum(np.abs(x), 0.1)


def _gradient(f: Callable[[np.ndarray], float], x: np.ndarray, rel: float) -> np.ndarray:
    """Central-difference gradient with one Richardson step (error O(h⁴))."""
    return _jacobian(lambda v: np.atleast_1d(f(v)), x, rel)[0]


def _hess_once(f: Callable[[np.ndarray], float], x: np.ndarray, h: np.ndarray) -> np.ndarray:
    k = x.size
    out = np.empty((k, k))
    f0 = f(x)
    for i in range(k):
        ei = np.zeros(k)
        ei[i] = h[i]
        out[i, i] = (f(x + ei) - 2 * f0 + f(x - ei)) / h[i] ** 2
        for j in range(i):
            ej = np.zeros(k)
            ej[j] = h[j]
            out[i, j] = out[j, i] = (
                f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)
            ) / (4 * h[i] * h[j])
    return out


def _hessian(f: Callable[[np.ndarray], float], x: np.ndarray, rel: float = 1e-2) -> np.ndarray:
    """Central-difference Hessian with one Richardson step (error O(h⁴))."""
    h = _steps(x, rel)
    return (4 * _hess_once(f, x, h / 2) - _hess_once(f, x, h)) / 3


def _jacobian(f: Callable[[np.ndarray], np.ndarray], x: np.ndarray, rel: float = 1e-2):
    """Central-difference Jacobian with one Richardson step; rows are outputs."""
    h = _steps(x, rel)
    cols = []
    for i in range(x.size):

        def diff(step: float, i: int = i) -> np.ndarray:
            e = np.zeros_like(x)
            e[i] = step
            return (f(x + e) - f(x - e)) / (2 * step)

        cols.append((4 * diff(h[i] / 2) - diff(h[i])) / 3)
    return np.column_stack(cols)


def _canonical(theta: np.ndarray, q: int) -> np.ndarray:
    """Flip columns of Λ so its diagonal is non-negative (ΛΛ' is unchanged)."""
    lam = _lambda(theta, q)
    lam = lam * np.where(np.diag(lam) < 0, -1.0, 1.0)[None, :]
    return lam[np.tril_indices(q)]


def fit_lmm(
    y: np.ndarray, x: np.ndarray, z: np.ndarray, codes: np.ndarray, *, reml: bool = True
) -> LmmFit:
    """Fit y = Xβ + Zb + e with one grouping factor (``codes``: integer cluster per row).

    Raises
    ------
    numpy.linalg.LinAlgError
        X is rank-deficient.
    """
    from scipy import optimize

    q = z.shape[1]
    cr = _cross(y, x, z, codes)
    if np.linalg.matrix_rank(cr.xtx) < x.shape[1]:
        raise np.linalg.LinAlgError("the fixed-effect design is rank-deficient")

    def crit(t: np.ndarray) -> float:
        return _profiled(cr, t, q, reml)[0]

    start = np.eye(q)[np.tril_indices(q)]
    best = optimize.minimize(crit, start, method="BFGS", options={"gtol": 1e-8})
    theta = best.x
    converged = False
    for _ in range(20):  # Newton polish: BFGS on finite differences stops near 1e-5
        g = _gradient(crit, theta, 1e-3)
        hess = _hessian(crit, theta, 1e-2)
        try:
            np.linalg.cholesky(hess)
            step = np.linalg.solve(hess, g)
        except np.linalg.LinAlgError:
            break  # flat direction (a variance at zero): keep the BFGS optimum
        size = float(np.max(np.abs(step) / np.maximum(np.abs(theta), 0.1)))
        converged = size < 1e-6  # Newton: the error after this step is far below 1e-6
        shrink, f0 = 1.0, crit(theta)
        while shrink > 1e-4 and crit(theta - shrink * step) > f0:
            shrink /= 2
        theta = theta - shrink * step
        if size < 1e-10 or shrink <= 1e-4:
            break
    theta = _canonical(theta, q)
    diag = np.cumsum(np.arange(1, q + 1)) - 1  # positions of Λ's diagonal in θ
    for i in diag[np.abs(theta[diag]) < 1e-6]:  # a variance at zero: lme4 reports 0
        snapped = theta.copy()
        snapped[i] = 0.0
        if crit(snapped) <= crit(theta) + 1e-10:
            theta = snapped
    if not converged:  # at a boundary Newton stops; lme4's gradient check (tol 2e-3) decides
        converged = bool(np.max(np.abs(_gradient(crit, theta, 1e-3))) < 2e-3)
    dev, parts = _profiled(cr, theta, q, reml)
    sigma2 = float(parts["sigma2"])
    lam = _lambda(theta, q)
    return LmmFit(
        beta=np.asarray(parts["beta"]),
        vcov=sigma2 * np.linalg.inv(parts["a"]),
        theta=theta,
        sigma2=sigma2,
        cov_re=sigma2 * lam @ lam.T,
        criterion=dev,
        reml=reml,
        n=cr.n,
        n_groups=cr.ztz.shape[0],
        converged=converged,
        cross=cr,
    )
