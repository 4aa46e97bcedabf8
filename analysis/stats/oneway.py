"""One slice of a comparison: the tests of one ``by`` value (one dimension).

For the rows of one ``by`` value, :func:`one_slice` chooses the method, runs the omnibus
test, computes the effect size and its interval, the post hoc pairs, the compact letters
and each group against the grand mean. :func:`analysis.stats.compare.compare_groups` calls
it once per ``by`` value and assembles the tables.
"""

from __future__ import annotations

import warnings
from typing import Any, Protocol

import numpy as np
import pandas as pd

from analysis.core.errors import DataQualityWarning
from analysis.stats.compare_result import TABLE_COLUMNS

# with two groups the F tests are t tests (t² = F, same df and p): reported as SPSS and R do
TWO_GROUP_T = {"welch": "welch_t", "brown-forsythe": "welch_t", "anova": "student_t"}
T_REASONS = {
    "welch": "two groups: Welch's t test (t² = Welch's F)",
    "brown-forsythe": "two groups: Welch's t test (t² = the Brown-Forsythe F*)",
    "anova": "two groups: Student's t test (t² = F)",
}
AUTO_POSTHOC = {
    "anova": "tukey",
    "welch": "games-howell",
    "brown-forsythe": "games-howell",
    "kruskal": "dunn",
}
ORDINAL_MAX_VALUES = 7
NO_BOOT = "bootstrap CI not available from sufficient statistics (it resamples raw rows)"


class Slice(Protocol):
    """What :func:`one_slice` asks of one ``by`` value: its rows or its moments."""

    @property
    def n_rows(self) -> int: ...
    def summaries(self) -> pd.DataFrame: ...
    def descriptives(self, summ: pd.DataFrame, level: float) -> pd.DataFrame: ...
    def restrict(self, groups: pd.Index) -> Slice: ...
    def distinct(self) -> int: ...
    def ranks(self, test: str) -> dict[str, Any]: ...
    def samples(self) -> list[np.ndarray] | None: ...
    def assumptions(self, summ: pd.DataFrame) -> pd.DataFrame: ...


def one_slice(
    src: Slice, *, key: Any, params: dict[str, Any], excluded: list[str]
) -> dict[str, pd.DataFrame | None]:
    """The tables of one ``by`` value, from its rows or its sufficient statistics.

    ``src`` is a :class:`analysis.stats.groups.RowSlice` (rows in memory) or a
    :class:`analysis.stats.moment_slice.MomentSlice` (moments and value counts merged
    across partitions); both answer the same questions, so one code path serves both.
    """
    weighted = params["weights"] is not None
    summ = src.summaries()
    desc = src.descriptives(summ, params["conf_level"])
    small = summ.index[summ["n"] < 2]
    excluded.extend(f"{key}/{g}" if key is not None else str(g) for g in small)
    summ = summ[summ["n"] >= 2]
    src = src.restrict(summ.index)
    k = len(summ)
    method, reason = _choose(src.distinct(), params["method"], weighted=weighted)
    if k == 2 and method in TWO_GROUP_T:
        method, reason = TWO_GROUP_T[method], f"{reason}; {T_REASONS[method]}"
    params["chosen"][str(key)] = {"method": method, "reason": reason}
    row: dict[str, Any] = dict.fromkeys(TABLE_COLUMNS, np.nan)
    row.update(method=method, reason=reason, n=int(summ["n"].sum()), k=k)
    row["n_groups_excluded"] = len(small)
    out: dict[str, pd.DataFrame | None] = {"descriptives": desc}
    if k < 2:
        row.update(method=None, reason="fewer than two groups with at least 2 values")
        out["table"] = pd.DataFrame([row])
        return out
    n = summ["n_eff"].to_numpy(dtype=float)
    mean = summ["mean"].to_numpy(dtype=float)
    var = summ["var"].to_numpy(dtype=float)
    ranks = None
    if method == "kruskal" or params["posthoc"] == "dunn":
        ranks = src.ranks("Kruskal-Wallis test" if method == "kruskal" else "Dunn's test")
    flat = summ.index[summ["var"] <= 0].tolist()
    if flat and method in ("welch", "brown-forsythe", "welch_t"):
        warnings.warn(
            f"compare_groups: {method} test not computed{'' if key is None else f' for {key}'}"
            f": no variation within group(s) {', '.join(map(repr, flat[:10]))}",
            DataQualityWarning,
            stacklevel=3,
        )
        row["reason"] = f"{reason}; not computed: no variation within {len(flat)} group(s)"
        out["table"] = pd.DataFrame([row])
        return out
    row.update(
        _omnibus(
            method, n, mean, var, ranks, conf_level=params["conf_level"],
            alternative=params.get("effect_alternative", "greater"),
        )
    )  # fmt: skip
    row.update(_two_group_effect(method, src, summ, ranks, params))
    if "_note" in row:
        row["reason"] = f"{row['reason']}; {row.pop('_note')}"
    out["table"] = pd.DataFrame([row])
    groups = list(summ.index)
    # two groups: the test is the comparison of the pair, so no post hoc section by default
    auto = AUTO_POSTHOC.get(method) if k >= 3 else None
    ph_method = auto if params["posthoc"] == "auto" else params["posthoc"]
    if ph_method is not None:
        out["posthoc"] = _posthoc(ph_method, groups, n, mean, var, ranks, params)
        want = params["letters"]
        if (want == "auto" and k >= 3) or want is True:
            out["letters"] = _letters(groups, mean, out["posthoc"], params["alpha"])
    out["grand_mean"] = _grand(groups, summ, method, params)
    if params["assumptions"]:
        out["assumptions"] = src.assumptions(summ)
    return out


def _choose(distinct: int, requested: str, *, weighted: bool) -> tuple[str, str]:
    if requested != "auto":
        return requested, "requested"
    if distinct <= ORDINAL_MAX_VALUES and weighted:
        return "welch", (
            f"auto: only {distinct} distinct values, but weights were given and rank tests "
            "cannot take them, so Welch's ANOVA on weighted means"
        )
    if distinct <= ORDINAL_MAX_VALUES:
        return "kruskal", (
            f"auto: only {distinct} distinct values, so ranks are compared (Kruskal-Wallis)"
        )
    return "welch", (
        "auto: Welch's ANOVA, robust to unequal variances and group sizes "
        "without a variance pre-test (Delacre et al., 2019)"
    )


def _omnibus(
    method: str,
    n: np.ndarray,
    mean: np.ndarray,
    var: np.ndarray,
    ranks: dict[str, Any] | None,
    *,
    conf_level: float,
    alternative: str = "greater",
) -> dict[str, Any]:
    from analysis.stats import effects, omnibus

    ss = omnibus.anova(n, mean, var)
    sizes = {key: ss[key] for key in ("eta2", "omega2", "epsilon2")}
    if method == "kruskal":
        ranks = _need(ranks)
        res = omnibus.kruskal_from_ranks(
            ranks["n"], ranks["rank_sum"], ranks["tie_sum"], ranks["total_n"]
        )
        return {
            **sizes,
            **{k: res[k] for k in ("statistic", "df1", "df2", "p_value")},
            "epsilon2_h": res["epsilon2_h"],
            "effect_size": res["epsilon2_h"],
            "effect_type": "epsilon2_h",
        }
    if method == "anova":
        res = ss
    elif method == "student_t":
        res = omnibus.student_t(n, mean, var)
    elif method == "welch_t":
        res = omnibus.welch_t(n, mean, var)
    elif method == "welch":
        res = omnibus.welch_anova(n, mean, var)
    else:
        res = omnibus.brown_forsythe(n, mean, var)
    # as R's effectsize: the effect size goes with the F test that was run (after Welch or
    # Brown-Forsythe, ω² from that F and its df, as omega_squared(oneway.test(...)); after
    # the classical ANOVA, ω² of its sums of squares) and its interval is effectsize's
    # noncentral-F interval, one-sided [lower, 1] unless asked otherwise
    if method == "anova":
        omega = sizes["omega2"]
    else:
        f, df1, df2 = res["statistic"], res["df1"], res["df2"]
        omega = (f - 1) * df1 / (f * df1 + df2 + 1)
    lo, hi = effects.pve_ci(
        omega, res["df1"], res["df2"], conf_level=conf_level, alternative=alternative
    )
    return {
        **sizes,
        **{k: res[k] for k in ("statistic", "df1", "df2", "p_value")},
        "effect_size": omega,
        "effect_type": "omega2",
        "effect_ci_low": lo,
        "effect_ci_high": hi,
    }


def _two_group_effect(
    method: str,
    src: Slice,
    summ: pd.DataFrame,
    ranks: dict[str, Any] | None,
    params: dict[str, Any],
) -> dict[str, Any]:
    from analysis.stats import effects

    if len(summ) != 2:
        return _boot_epsilon(src, params) if method == "kruskal" else {}
    # t tests: t, g and d of the first group minus the second, as R's t.test(y ~ g),
    # effectsize::hedges_g and SPSS's Independent Samples Test print them
    b, a = summ.iloc[0], summ.iloc[1]
    if method != "kruskal":
        g, lo, hi = effects.hedges_g(
            a["n_eff"],
            a["mean"],
            a["var"],
            b["n_eff"],
            b["mean"],
            b["var"],
            conf_level=params["conf_level"],
        )
        return {
            "effect_size": g,
            "effect_type": "hedges_g",
            "effect_ci_low": lo,
            "effect_ci_high": hi,
            # the uncorrected d as well: many journals ask for Cohen's d by name
            "cohen_d": effects.cohen_d(
                a["n_eff"], a["mean"], a["var"], b["n_eff"], b["mean"], b["var"]
            ),
        }
    a, b = summ.iloc[0], summ.iloc[1]
    ranks = _need(ranks)
    r = effects.rank_biserial(ranks["n"][0], ranks["n"][1], ranks["rank_sum"][1])
    reps = _n_boot(params, src.n_rows)
    groups = src.samples() if reps > 0 else None
    if groups is None:
        return {"effect_size": r, "effect_type": "rank_biserial", **_no_boot(reps)}

    def stat(gs: list[np.ndarray]) -> float:
        from scipy import stats

        u = stats.mannwhitneyu(gs[1], gs[0]).statistic
        return float(2 * u / (gs[0].size * gs[1].size) - 1)

    lo, hi = effects.bootstrap_ci(
        groups,
        stat,
        n_boot=reps,
        conf_level=params["conf_level"],
        seed=params["seed"],
    )
    return {
        "effect_size": r,
        "effect_type": "rank_biserial",
        "effect_ci_low": lo,
        "effect_ci_high": hi,
    }


def _n_boot(params: dict[str, Any], rows: int) -> int:
    if params["n_boot"] is not None:
        return int(params["n_boot"])
    return 1000 if rows <= 10_000 else 0


def _no_boot(reps: int) -> dict[str, Any]:
    """No bootstrap: nothing to add when none was asked for, else a note in ``reason``."""
    return {"_note": NO_BOOT} if reps > 0 else {}


def _boot_epsilon(src: Slice, params: dict[str, Any]) -> dict[str, Any]:
    from analysis.stats import effects

    reps = _n_boot(params, src.n_rows)
    if reps == 0:
        return {}
    groups = src.samples()
    if groups is None:
        return _no_boot(reps)

    def stat(gs: list[np.ndarray]) -> float:
        from scipy import stats

        if np.ptp(np.concatenate(gs)) == 0:
            return np.nan
        h = stats.kruskal(*gs).statistic
        return float(h / (sum(g.size for g in gs) - 1))

    # one-sided [lower, 1] by default, as effectsize::rank_epsilon_squared
    one_sided = params.get("effect_alternative", "greater") == "greater"
    level = 2 * params["conf_level"] - 1 if one_sided else params["conf_level"]
    lo, hi = effects.bootstrap_ci(groups, stat, n_boot=reps, conf_level=level, seed=params["seed"])
    return {"effect_ci_low": lo, "effect_ci_high": 1.0 if one_sided else hi}


def _posthoc(
    how: str,
    groups: list[Any],
    n: np.ndarray,
    mean: np.ndarray,
    var: np.ndarray,
    ranks: dict[str, Any] | None,
    params: dict[str, Any],
) -> pd.DataFrame:
    from analysis.stats import posthoc as ph

    k = len(n)
    total = n.sum()
    msw = float(((n - 1) * var).sum() / (total - k))
    level = params["conf_level"]
    adjust = params["p_adjust"]
    if how == "tukey":
        res = ph.tukey_kramer(n, mean, msw, total - k, conf_level=level)
    elif how == "games-howell":
        res = ph.games_howell(n, mean, var, conf_level=level)
    elif how == "lsd":
        res = ph.lsd(n, mean, msw, total - k, adjust=None, conf_level=level)
    elif how == "bonferroni":
        res = ph.lsd(n, mean, msw, total - k, adjust="bonferroni", conf_level=level)
    else:
        ranks = _need(ranks)
        res = ph.dunn(
            ranks["n"],
            mean,
            ranks["mean_rank"],
            ranks["tie_sum"],
            ranks["total_n"],
            adjust=adjust,
        )
    labels = np.asarray(groups, dtype=object)
    frame = pd.DataFrame(
        {
            "group_a": labels[res["a"]],
            "group_b": labels[res["b"]],
            **{c: res[c] for c in ("diff", "se", "statistic", "df", "ci_low", "ci_high")},
            "p_value": res["p_value"],
            "p_adj": res["p_adj"],
        }
    )
    frame["method"] = how
    return frame


def _letters(
    groups: list[Any], mean: np.ndarray, pairs: pd.DataFrame, alpha: float
) -> pd.DataFrame | None:
    from analysis.stats.posthoc import compact_letters

    k = len(groups)
    a, b = np.triu_indices(k, 1)
    sig = np.zeros((k, k), dtype=bool)
    sig[a, b] = pairs["p_adj"].to_numpy(dtype=float) < alpha
    found = compact_letters(groups, mean, sig)
    return pd.DataFrame({"group": groups, "mean": mean, "letters": [found[g] for g in groups]})


def _grand(
    groups: list[Any], summ: pd.DataFrame, method: str, params: dict[str, Any]
) -> pd.DataFrame:
    from analysis.stats.posthoc import versus_grand_mean

    n = summ["n_eff"].to_numpy(dtype=float)
    res = versus_grand_mean(
        n,
        summ["mean"].to_numpy(dtype=float),
        summ["var"].to_numpy(dtype=float),
        pooled=method in ("anova", "student_t"),
        adjust=params["p_adjust"],
        conf_level=params["conf_level"],
    )
    return pd.DataFrame(
        {"group": groups, "n": summ["n"].to_numpy(), "mean": summ["mean"].to_numpy(), **res}
    )


def _need(ranks: dict[str, Any] | None) -> dict[str, Any]:
    if ranks is None:  # pragma: no cover - one_slice computes ranks whenever they are used
        raise RuntimeError("ranks were not computed")
    return ranks
