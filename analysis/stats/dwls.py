"""Confirmatory factor analysis of ordered items: DWLS on polychoric correlations (WLSMV).

For answers on a 5-point scale, lavaan's ``cfa(model, data, ordered = TRUE, estimator =
"WLSMV")`` is the reference: the items are cut latent normals (delta parameterisation:
latent variances 1), and the model is fitted to the polychoric correlations by diagonally
weighted least squares, with robust standard errors and a mean-and-variance adjusted
(scaled-shifted) χ². :func:`fit_cfa_dwls` follows lavaan 0.6 step by step:

1. respondents with every item answered (listwise); each item's categories are the answers
   seen; thresholds :math:`\\tau = \\Phi^{-1}` of its cumulative proportions;
2. each polychoric correlation by ML with the thresholds fixed (no correction of empty cells);
3. the asymptotic covariance :math:`\\Gamma` of the correlations from each respondent's
   influence (Muthén, 1984): the correlation's score, corrected for the estimated thresholds
   through the outer products of the bivariate and univariate scores, as lavaan's
   ``muthen1984``;
4. :math:`F = \\sum_{i<j} (r_{ij} - \\sigma_{ij})^2 / \\Gamma_{ij,ij}` minimised over the
   loadings (marker 1) and the factor (co)variances, :math:`\\sigma_{ij} = \\lambda_i
   \\lambda_j \\phi_{f(i)f(j)}`; the thresholds are saturated and fit exactly;
5. robust covariance of the estimates :math:`(\\Delta'W\\Delta)^{-1}\\Delta'W\\Gamma W\\Delta
   (\\Delta'W\\Delta)^{-1}/N`; :math:`T = N F`; scaled-shifted :math:`T_{ss} = aT + b` with
   :math:`U = W - W\\Delta(\\Delta'W\\Delta)^{-1}\\Delta'W`,
   :math:`a = \\sqrt{df / \\mathrm{tr}((U\\Gamma)^2)}`, :math:`b = df - a\\,\\mathrm{tr}(U\\Gamma)`
   (Asparouhov & Muthén, 2010), the same for the independence baseline; CFI, TLI and RMSEA
   from the scaled-shifted statistics (lavaan's ``cfi.scaled`` …).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from analysis.stats.polychoric import _cell_probs, _cuts, _pair_rho
from analysis.stats.sem import ModelError, _numeric_jacobian, _rmsea_ci, loadings_table

__all__ = ["OrdinalFit", "fit_cfa_dwls", "polychoric_gamma"]


def _phi2(h: np.ndarray, k: np.ndarray, rho: float) -> np.ndarray:
    """Bivariate normal density; 0 at an infinite limit (d Φ2 / d ρ)."""
    finite = np.isfinite(h) & np.isfinite(k)
    hh, kk = np.where(finite, h, 0.0), np.where(finite, k, 0.0)
    s = 1 - rho * rho
    dens = np.exp(-(hh * hh - 2 * rho * hh * kk + kk * kk) / (2 * s)) / (2 * np.pi * np.sqrt(s))
    return np.where(finite, dens, 0.0)


def _univariate_scores(tau: np.ndarray) -> np.ndarray:
    """d log p_k / d tau for every category k (rows) and threshold (columns)."""
    cuts = np.concatenate([[-np.inf], tau, [np.inf]])
    p = np.diff(special.ndtr(cuts))
    dens = np.exp(-(tau**2) / 2) / np.sqrt(2 * np.pi)
    out = np.zeros((len(p), len(tau)))
    for k in range(len(p)):
        if k < len(tau):
            out[k, k] += dens[k] / p[k]
        if k > 0:
            out[k, k - 1] -= dens[k - 1] / p[k]
    return out


def _pair(ci: np.ndarray, cj: np.ndarray, ti: np.ndarray, tj: np.ndarray) -> tuple:
    """The ML polychoric of one pair and each respondent's influence on it."""
    ki, kj = len(ti) + 1, len(tj) + 1
    tab = np.bincount(ci * kj + cj, minlength=ki * kj).reshape(ki, kj).astype(float)
    rho = _pair_rho(tab / tab.sum(), ti, tj)
    p = _cell_probs(rho, ti, tj)
    r = np.concatenate([[-np.inf], ti, [np.inf]])
    c = np.concatenate([[-np.inf], tj, [np.inf]])
    with np.errstate(divide="ignore", invalid="ignore"):
        s_rho = np.diff(np.diff(_phi2(r[:, None], c[None, :], rho), axis=0), axis=1) / p
        step = 1e-6

        def dlog(which: int, m: int) -> np.ndarray:
            up, down = [ti.copy(), tj.copy()], [ti.copy(), tj.copy()]
            up[which][m] += step
            down[which][m] -= step
            return (np.log(_cell_probs(rho, *up)) - np.log(_cell_probs(rho, *down))) / (2 * step)

        s_ti = np.stack([dlog(0, m) for m in range(len(ti))], axis=-1)
        s_tj = np.stack([dlog(1, m) for m in range(len(tj))], axis=-1)
    sr = s_rho[ci, cj]
    ui, uj = _univariate_scores(ti)[ci], _univariate_scores(tj)[cj]
    n = len(ci)
    a_rr = np.mean(sr * sr)
    a_ri = (sr[:, None] * s_ti[ci, cj]).mean(axis=0)
    a_rj = (sr[:, None] * s_tj[ci, cj]).mean(axis=0)
    if_i = ui @ np.linalg.inv(ui.T @ ui / n).T
    if_j = uj @ np.linalg.inv(uj.T @ uj / n).T
    return rho, (sr - if_i @ a_ri - if_j @ a_rj) / a_rr


def polychoric_gamma(data: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, list]:
    """Polychoric correlations, as lavaan, with the asymptotic covariance of the correlations.

    Parameters
    ----------
    data
        Respondents x items with every answer given (whole numbers).

    Returns
    -------
    tuple
        The correlation matrix (labelled), Γ (pairs x pairs, pairs in the order of the
        lower triangle by rows: (2,1), (3,1), (3,2), …; the covariance of
        :math:`\\sqrt N(r - \\rho)`), and the thresholds of each item.
    """
    x = data.to_numpy(dtype="float64")
    codes, taus = [], []
    for col in x.T:
        levels = np.unique(col)
        code = np.searchsorted(levels, col)
        codes.append(code)
        taus.append(_cuts(np.bincount(code).astype(float)))
    k, n = x.shape[1], x.shape[0]
    rho = np.eye(k)
    infl = []
    for i in range(1, k):
        for j in range(i):
            value, inf = _pair(codes[i], codes[j], taus[i], taus[j])
            rho[i, j] = rho[j, i] = value
            infl.append(inf)
    f = np.stack(infl, axis=1)
    gamma = f.T @ f / n
    items = list(data.columns)
    return pd.DataFrame(rho, index=items, columns=items), gamma, taus


@dataclass(frozen=True)
class OrdinalFit:
    """A CFA of ordered items fitted by DWLS (see :func:`fit_cfa_dwls`); the same faces as
    :class:`~analysis.stats.sem.CfaFit` (``estimates``, ``indices``, ``std_loadings``,
    ``factor_correlations``) without modification indices."""

    items: list[str]
    factors: list[str]
    n: int
    converged: bool
    iterations: int
    estimates: pd.DataFrame
    indices: Mapping[str, float]
    vcov: np.ndarray = field(repr=False)
    phi: np.ndarray = field(repr=False)
    sample_corr: pd.DataFrame = field(repr=False)

    def std_loadings(self) -> pd.DataFrame:
        """Standardised loadings: ``factor``, ``item``, ``loading``, ``se``, ``est``, ``est_se``."""
        return loadings_table(self.estimates)

    def factor_correlations(self) -> pd.DataFrame:
        sd = np.sqrt(np.diag(self.phi))
        return pd.DataFrame(self.phi / np.outer(sd, sd), index=self.factors, columns=self.factors)

    def modification_indices(self) -> pd.DataFrame:
        raise ModelError("modification indices are given for ML fits only (estimator='ML')")


class _Ordinal:
    """Parameter layout: free loadings (not the markers), then the factors' lower triangle."""

    def __init__(self, model: Mapping[str, Sequence[str]]) -> None:
        self.factors = list(model)
        self.items = [it for f in model for it in model[f]]
        self.item_factor = np.array([i for i, f in enumerate(self.factors) for _ in model[f]])
        p, m = len(self.items), len(self.factors)
        self.marker = np.zeros(p, dtype=bool)
        self.marker[np.unique(self.item_factor, return_index=True)[1]] = True
        self.n_load = int((~self.marker).sum())
        self.n_params = self.n_load + m * (m + 1) // 2
        self.pairs = np.array([(i, j) for i in range(1, p) for j in range(i)])

    def unpack(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        m = len(self.factors)
        lam = np.ones(len(self.items))
        lam[~self.marker] = t[: self.n_load]
        phi = np.zeros((m, m))
        phi[np.tril_indices(m)] = t[self.n_load :]
        return lam, phi + np.tril(phi, -1).T

    def sigma(self, t: np.ndarray) -> np.ndarray:
        lam, phi = self.unpack(t)
        i, j = self.pairs[:, 0], self.pairs[:, 1]
        return lam[i] * lam[j] * phi[self.item_factor[i], self.item_factor[j]]

    def std(self, t: np.ndarray) -> np.ndarray:
        """std.all loadings, residual variances, factor correlations (estimates order)."""
        lam, phi = self.unpack(t)
        sd = np.sqrt(np.abs(np.diag(phi)))
        load = lam * sd[self.item_factor]
        rows, cols = np.tril_indices(len(self.factors))
        return np.concatenate([load, 1 - load**2, phi[rows, cols] / (sd[rows] * sd[cols])])


def _scaled_shifted(t: float, df: float, ug: np.ndarray) -> tuple[float, float]:
    tr, tr2 = float(np.trace(ug)), float(np.sum(ug * ug.T))
    a = np.sqrt(df / tr2)
    return a * t + (df - a * tr), 1 / a


def fit_cfa_dwls(data: pd.DataFrame, model: Mapping[str, Sequence[str]]) -> OrdinalFit:
    """Fit a correlated-factors CFA to ordered items by DWLS (lavaan's WLSMV).

    Parameters
    ----------
    data
        Respondents x items, every answer given, whole-number categories.
    model
        Factor -> its items; the first is the marker.

    Returns
    -------
    OrdinalFit
        ``indices``: ``chi2``, ``df``, ``p_value`` (the DWLS statistic), ``chi2_scaled``,
        ``p_value_scaled``, ``scaling_factor``, ``shift`` (mean-and-variance adjusted),
        ``chi2_df`` (scaled χ² over df), ``cfi``, ``tli``, ``rmsea``, ``rmsea_ci_low``,
        ``rmsea_ci_high`` (from the scaled statistics, lavaan's ``*.scaled``), ``cfi_naive``,
        ``tli_naive``, ``rmsea_naive`` (from the unscaled), ``srmr``, ``baseline_chi2``,
        ``baseline_df``, ``n``.
    """
    lay = _Ordinal(model)
    x = data[lay.items]
    n = len(x)
    rho, gamma, _ = polychoric_gamma(x)
    r = rho.to_numpy()
    s = r[lay.pairs[:, 0], lay.pairs[:, 1]]
    w = 1 / np.diag(gamma)
    df = len(s) - lay.n_params
    if df < 0:
        raise ModelError(f"the model has {lay.n_params} parameters for {len(s)} correlations")
    m = len(lay.factors)
    start = np.concatenate([np.ones(lay.n_load), np.eye(m)[np.tril_indices(m)] * 0.5])
    sw = np.sqrt(w)
    res = optimize.least_squares(
        lambda t: sw * (s - lay.sigma(t)),
        start,
        jac=lambda t: -sw[:, None] * _numeric_jacobian(lay.sigma, t),
        xtol=1e-15,
        ftol=1e-15,
        gtol=1e-15,
        max_nfev=2000,
    )
    t = res.x
    delta = _numeric_jacobian(lay.sigma, t)
    wd = delta * w[:, None]
    bread = np.linalg.inv(delta.T @ wd)
    vcov = bread @ wd.T @ gamma @ wd @ bread / n
    jac = _numeric_jacobian(lay.std, t)
    vcov_std = jac @ vcov @ jac.T
    resid = s - lay.sigma(t)
    # lavaan's statistic for (D)WLS with categorical data counts N - 1 (so do RMSEA and
    # its interval below)
    chi2 = (n - 1) * float(np.sum(w * resid**2))
    u = np.diag(w) - wd @ bread @ wd.T
    chi2_ss, c = _scaled_shifted(chi2, df, u @ gamma)
    base_df = len(s)
    base = (n - 1) * float(np.sum(w * s**2))
    base_ss, _ = _scaled_shifted(base, base_df, w[:, None] * gamma)
    indices = _indices(chi2, chi2_ss, df, base, base_ss, base_df, n - 1)
    indices["n"] = float(n)
    p = len(lay.items)
    srmr = float(np.sqrt(np.sum(resid**2) / (p * (p + 1) / 2)))
    indices.update(scaling_factor=c, srmr=srmr)
    lam, phi = lay.unpack(t)
    estimates = _table(lay, lam, phi, vcov, lay.std(t), vcov_std)
    indices = {k: float(v) for k, v in indices.items()}
    return OrdinalFit(
        lay.items,
        lay.factors,
        n,
        bool(res.success),
        int(res.nfev),
        estimates,
        indices,
        vcov,
        phi,
        rho,
    )


def _fit_set(t: float, df: float, t_b: float, df_b: float, n: int) -> tuple:
    den = max(t_b - df_b, t - df, 0.0)
    cfi = 1 - max(t - df, 0.0) / den if den > 0 else 1.0
    tli = (t_b / df_b - t / df) / (t_b / df_b - 1) if df > 0 else np.nan
    rmsea = np.sqrt(max((t - df) / (n * df), 0.0)) if df > 0 else np.nan
    return cfi, tli, rmsea


def _indices(chi2, chi2_ss, df, base, base_ss, base_df, n) -> dict:
    cfi, tli, rmsea = _fit_set(chi2_ss, df, base_ss, base_df, n)
    cfi_n, tli_n, rmsea_n = _fit_set(chi2, df, base, base_df, n)
    lo, hi = _rmsea_ci(chi2_ss, df, n)
    return {
        "chi2": chi2,
        "df": float(df),
        "p_value": float(stats.chi2.sf(chi2, df)) if df > 0 else np.nan,
        "chi2_scaled": chi2_ss,
        "p_value_scaled": float(stats.chi2.sf(chi2_ss, df)) if df > 0 else np.nan,
        "chi2_df": chi2_ss / df if df > 0 else np.nan,
        "cfi": cfi,
        "tli": tli,
        "rmsea": rmsea,
        "rmsea_ci_low": lo,
        "rmsea_ci_high": hi,
        "cfi_naive": cfi_n,
        "tli_naive": tli_n,
        "rmsea_naive": rmsea_n,
        "baseline_chi2": base_ss,
        "baseline_df": float(base_df),
        "n": float(n),
    }


def _table(lay, lam, phi, vcov, std, vcov_std) -> pd.DataFrame:
    se = np.sqrt(np.clip(np.diag(vcov), 0, None))
    se_std = np.sqrt(np.clip(np.diag(vcov_std), 0, None))
    rows, k = [], 0
    for j, item in enumerate(lay.items):
        est_se = 0.0
        if not lay.marker[j]:
            est_se, k = se[k], k + 1
        rows.append((lay.factors[lay.item_factor[j]], "=~", item, lam[j], est_se))
    for j, item in enumerate(lay.items):  # delta parameterisation: fixed, 1 - explained
        f = lay.item_factor[j]
        rows.append((item, "~~", item, 1 - lam[j] ** 2 * phi[f, f], 0.0))
    for i, (f, g) in enumerate(zip(*np.tril_indices(len(lay.factors)), strict=True)):
        rows.append((lay.factors[g], "~~", lay.factors[f], phi[f, g], se[lay.n_load + i]))
    out = pd.DataFrame(rows, columns=["lhs", "op", "rhs", "est", "se"])
    out["est_std"] = std
    out["se_std"] = se_std
    return out
