"""Compare communities: :func:`compare_groups`, the public face of the statistics.

:func:`compare_groups` takes a long frame such as :func:`analysis.score_survey` returns
(``respondent_id``, ``group``, ``dimension``, ``score``, ``n_items``), checks the arguments,
runs the tests of each ``by`` value (:mod:`analysis.stats.oneway`) and assembles the tables
of a :class:`~analysis.stats.compare_result.CompareResult`. The computations live in
:mod:`analysis.stats` and work on group summaries, so hundreds of communities and a
million respondents take seconds.
"""

from __future__ import annotations

import warnings
from typing import Any, Literal

import numpy as np
import pandas as pd

from analysis.core.dimensions import SERVICE_FIVE, Framework
from analysis.core.errors import (
    ConfigError,
    SmallSampleWarning,
    check_option,
)
from analysis.stats.compare_result import (
    DESCRIPTIVE_COLUMNS,
    GRAND_COLUMNS,
    POSTHOC_COLUMNS,
    TABLE_COLUMNS,
    CompareResult,
)
from analysis.stats.groups import RowSlice, prepare
from analysis.stats.moment_slice import MomentSlice
from analysis.stats.multitest import P_ADJUST
from analysis.stats.oneway import one_slice
from analysis.stats.sufficient import GroupMoments

__all__ = ["compare_groups"]

Method = Literal["auto", "anova", "welch", "brown-forsythe", "kruskal"]
Posthoc = Literal["auto", "tukey", "games-howell", "dunn", "lsd", "bonferroni"]
PAdjust = Literal["holm", "bonferroni", "fdr_bh", "bh", "none"]

METHODS = ("auto", "anova", "welch", "brown-forsythe", "kruskal")
POSTHOCS = ("auto", "tukey", "games-howell", "dunn", "lsd", "bonferroni", None)
WEIGHTED_METHODS = ("welch", "anova", "brown-forsythe")
WEIGHTED_POSTHOCS = ("games-howell", None)


# ====================================================================== entry


def compare_groups(
    data: pd.DataFrame | GroupMoments,
    *,
    dv: str | None = None,
    between: str | None = None,
    by: str | None = None,
    method: Method = "auto",
    posthoc: Posthoc | None = "auto",
    p_adjust: PAdjust | None = "holm",
    weights: str | None = None,
    conf_level: float = 0.95,
    effect_alternative: Literal["greater", "two-sided"] = "greater",
    alpha: float = 0.05,
    letters: bool | Literal["auto"] = "auto",
    assumptions: bool = True,
    n_boot: int | None = None,
    seed: int | None = 0,
    framework: Framework | None = None,
) -> CompareResult:
    """Compare a score across groups (communities), separately for each value of ``by``.

    Parameters
    ----------
    data
        Long frame, e.g. from :func:`analysis.score_survey`. Not modified. Or the
        :class:`~analysis.stats.sufficient.GroupMoments` of such a frame, merged across
        partitions of a survey too large for one machine: every table is the same as from
        the rows (to rounding), except the bootstrap intervals (NaN, with a note in
        ``reason``), and the quartiles, Levene, Shapiro-Wilk and rank tests where a ``by``
        value had more distinct values than the moments' ``max_values`` (NaN with a note;
        the rank tests raise InputError). See Notes.
    dv
        Column with the values compared (``"score"``); required with a frame, taken from
        the moments otherwise.
    between
        Column naming the group (``"group"``, the community); required with a frame.
    by
        Optional column splitting the analysis (``"dimension"``); values that are ids of
        ``framework`` keep framework order.
    method
        ``"auto"``, ``"anova"``, ``"welch"``, ``"brown-forsythe"`` or ``"kruskal"``.
        ``"auto"`` chooses per ``by`` value (see Notes) and says why in ``reason``.
    posthoc
        ``"auto"`` (Tukey-Kramer after ANOVA, Games-Howell after Welch / Brown-Forsythe,
        Dunn after Kruskal-Wallis; none with two groups), ``"tukey"``, ``"games-howell"``,
        ``"dunn"``, ``"lsd"``, ``"bonferroni"`` or None.
    p_adjust
        Adjustment of the omnibus p values across ``by`` values, and of Dunn, Bonferroni-free
        pairwise and grand-mean p values within a ``by`` value: ``"holm"``, ``"bonferroni"``,
        ``"fdr_bh"`` (``"bh"``) or ``"none"``.
    weights
        Column of survey weights (positive). Means, SDs and CIs become weighted, and tests
        use Kish's effective sample size n_eff = (Σw)² / Σw². Only Welch / ANOVA /
        Brown-Forsythe with Games-Howell accept weights; the others raise ConfigError.
        This is a model-based approximation; for design-based errors and tests of a survey
        sample (weights, strata, clusters, fpc) use :func:`analysis.survey_compare`.
    conf_level
        Level of all confidence intervals (means, pairs, grand-mean contrasts, effect
        sizes); two-sided with equal tails except the effect sizes bounded by 0 and 1 (see
        ``effect_alternative``).
    effect_alternative
        Interval of ω² (F tests) and ε²_H (Kruskal-Wallis): ``"greater"`` (default, as
        R's ``effectsize``: one-sided, [lower, 1], since a proportion of variance has no
        meaningful upper test) or ``"two-sided"``. Hedges' g and the rank-biserial r keep
        two-sided intervals (effectsize's default for them too).
    alpha
        Level used for compact letters and for counting significant pairs in ``summary``.
    letters
        Compute a compact letter display (``"auto"``: when k ≥ 3).
    assumptions
        Compute Levene and Shapiro-Wilk.
    n_boot
        Bootstrap resamples for effect sizes without a closed-form CI (ε²_H, rank-biserial);
        None = 1000 when the ``by`` value has at most 10,000 rows, else 0.
    seed
        Seed of the bootstrap.
    framework
        Framework for ordering and labels (default :data:`analysis.SERVICE_FIVE`).

    Returns
    -------
    CompareResult
        ``table`` columns: ``<by>`` (when given), ``method`` (the one run: with exactly two
        groups ``"welch"`` and ``"brown-forsythe"`` become ``"welch_t"`` and ``"anova"``
        becomes ``"student_t"``, see Notes), ``reason``, ``statistic`` (F; H for
        Kruskal-Wallis; t of the first group minus the second for the t tests), ``df1``
        (the t test's df), ``df2`` (NaN for Kruskal-Wallis and the t tests),
        ``p_value``, ``p_adj`` (adjusted across ``by`` values), ``effect_size``,
        ``effect_type`` (``omega2`` for the F tests, ``epsilon2_h`` for Kruskal-Wallis,
        ``hedges_g`` / ``rank_biserial`` for two groups), ``effect_ci_low``,
        ``effect_ci_high`` (for ω² the noncentral-F interval of R's effectsize, one-sided
        [lower, 1] by default, see ``effect_alternative`` and Notes; bootstrap for
        ``epsilon2_h`` and ``rank_biserial``; the noncentral-t interval for ``hedges_g``;
        NaN when not computed), ``eta2``, ``omega2``, ``epsilon2`` (from the ANOVA sums of
        squares, whatever the test; ``effect_size`` after Welch or Brown-Forsythe is ω² of
        that test's F instead), ``epsilon2_h``, ``cohen_d`` (two groups, parametric tests:
        d with the pooled SD, the first group minus the second), ``n`` (respondents), ``k``
        (groups tested), ``n_dropped`` (rows with missing ``dv``), ``n_groups_excluded``
        (groups with n < 2).

        ``posthoc`` columns: ``<by>``, ``group_a``, ``group_b``, ``diff`` (mean of b minus
        mean of a), ``se``, ``statistic`` (t; z for Dunn), ``df``, ``ci_low``, ``ci_high``,
        ``p_value``, ``p_adj`` (familywise: equal to ``p_value`` for Tukey and Games-Howell,
        whose p already accounts for all pairs), ``method``.

        ``descriptives`` columns: ``<by>``, ``group``, ``n``, ``n_eff`` (Kish; = n without
        weights), ``mean``, ``sd``, ``se``, ``ci_low``, ``ci_high`` (t-based), ``median``,
        ``q1``, ``q3`` (weighted when weights are given).

        ``assumptions`` columns: ``<by>``, ``test`` (``levene_mean``, ``levene_median``,
        ``shapiro``), ``group`` (Shapiro only), ``statistic``, ``df1``, ``df2``,
        ``p_value``, ``n``, ``note``.

        ``letters``: ``<by>``, ``group``, ``mean``, ``letters``. ``grand_mean``: ``<by>``,
        ``group``, ``n``, ``mean``, ``grand_mean``, ``diff``, ``se``, ``statistic``, ``df``,
        ``ci_low``, ``ci_high``, ``p_value``, ``p_adj``.

    Raises
    ------
    InputError
        A named column is missing, ``dv`` is not numeric, or weights are not positive; or,
        from sufficient statistics, a rank test was asked for where the value counts were
        not kept (continuous values).
    ConfigError
        An option is not one of its allowed values, or weights were given to a method that
        cannot take them.

    Warns
    -----
    SmallSampleWarning
        Groups with fewer than 2 observations are left out of the tests.

    Notes
    -----
    Rule of ``method="auto"`` for each ``by`` value: if the values take at most 7 distinct
    values (a single Likert item, whose means are not meaningful) the Kruskal-Wallis test
    (with weights, which rank tests cannot take, Welch's ANOVA and the reason says so);
    otherwise Welch's ANOVA, which holds its Type I error rate when variances and group
    sizes differ and loses little power when they do not (Delacre et al., 2019), so no
    pre-test of variances is used.

    Two groups: the independent-samples t test, as SPSS and R report it: Welch's t (for
    ``"welch"`` and ``"brown-forsythe"``, whose F equals Welch's t² with the same df and p)
    or Student's t (for ``"anova"``, t² = F), with Hedges' g and no post hoc pairs unless
    ``posthoc`` names a method. t, g and d are the first group (in sorted order) minus the
    second, as R's ``t.test(y ~ g)`` and ``scipy.stats.ttest_ind(a, b)``.

    Effect sizes: η² = SS_b/SS_t, ω² = (SS_b - (k-1) MS_w)/(SS_t + MS_w),
    ε² = (SS_b - (k-1) MS_w)/SS_t, ε²_H = H/(N - 1). With two groups, Hedges' g
    (noncentral-t interval, as ``effectsize::hedges_g``) after an F test and the
    rank-biserial r (bootstrap CI) after Kruskal-Wallis.

    ω² reported with its interval (``effect_size``), as R's effectsize 0.8.3 computes it:
    after the classical ANOVA, ω² of the sums of squares (``omega_squared(aov(...))``);
    after Welch's ANOVA or Brown-Forsythe, ω² = (F - 1) df1 / (F df1 + df2 + 1) of that
    test's F and df (``omega_squared(oneway.test(...))``, which effectsize calls an
    approximation since ω² assumes equal variances). The interval rebuilds
    F* = (ω²/df1) / ((1 - ω²)/df2), inverts the noncentral F at F* and maps each limit λ to
    λ/(λ + df2) (:func:`analysis.stats.effects.pve_ci`); by default it is one-sided, the
    lower limit of a 1 - 2α two-sided interval with upper limit 1 (effectsize's
    ``alternative = "greater"``), so it excludes 0 exactly when the F test is significant
    at α. A negative ω² is printed as 0 in the sentences. With weights N is the sum of
    the Kish effective sizes.

    From sufficient statistics (:class:`~analysis.stats.sufficient.GroupMoments`):
    group n, weights, means and centred sums of squares give the F tests, the moment-based
    post hoc pairs, the effect sizes and the descriptives; exact value counts per group
    give the quartiles, Levene, Shapiro-Wilk and exact mid-ranks (Kruskal-Wallis, Dunn,
    rank-biserial r). Groups keep the sorted order of their labels, as from a frame.

    References
    ----------
    Delacre, M., Leys, C., Mora, Y. L., & Lakens, D. (2019). Taking parametric assumptions
    seriously: Arguments for the use of Welch's F-test instead of the classical F-test in
    one-way ANOVA. *International Review of Social Psychology*, 32(1), 13.

    Steiger, J. H. (2004). Beyond the F test: Effect size confidence intervals and tests of
    close fit in the analysis of variance and contrast analysis. *Psychological Methods*,
    9(2), 164-182.

    Examples
    --------
    >>> import pandas as pd
    >>> import analysis as an
    >>> d = pd.DataFrame({"group": list("aaabbbccc"),
    ...                   "score": [3.0, 3.5, 4.0, 4.0, 4.5, 4.2, 2.0, 2.5, 2.2]})
    >>> res = an.compare_groups(d, dv="score", between="group", method="welch")
    >>> res.table[["method", "k", "n"]].to_dict("records")
    [{'method': 'welch', 'k': 3, 'n': 9}]
    """
    fw = framework or SERVICE_FIVE
    dv, between, by, weights = _columns(data, dv, between, by, weights)
    _check_options(method, posthoc, p_adjust, weights, conf_level, alpha)
    check_option(
        "effect_alternative", effect_alternative, ("greater", "two-sided"),
        owner="compare_groups",
    )  # fmt: skip
    sources: dict[Any, MomentSlice] = {}
    if isinstance(data, GroupMoments):
        sources, dropped = _moment_slices(data), dict(data.dropped)
        keys = _by_order(sources, by, fw)
    else:
        frame, dropped = prepare(data, dv=dv, between=between, by=by, weights=weights)
        keys = _by_order(pd.unique(frame["_by"]), by, fw)
    params: dict[str, Any] = {
        "dv": dv,
        "between": between,
        "by": by,
        "method": method,
        "posthoc": posthoc,
        "p_adjust": p_adjust,
        "weights": weights,
        "conf_level": conf_level,
        "effect_alternative": effect_alternative,
        "alpha": alpha,
        "letters": letters,
        "assumptions": assumptions,
        "n_boot": n_boot,
        "seed": seed,
        "framework": fw.name,
        "chosen": {},
    }
    parts: dict[str, list[pd.DataFrame]] = {
        "table": [],
        "posthoc": [],
        "descriptives": [],
        "assumptions": [],
        "letters": [],
        "grand_mean": [],
    }
    excluded: list[str] = []
    for key in keys:
        if isinstance(data, GroupMoments):
            src: Any = sources.get(0 if by is None else key) or _empty_slice(data)
        else:
            sub = frame if by is None else _rows_of(frame, key)
            src = RowSlice(sub, weights is not None)
        out = one_slice(src, key=key, params=params, excluded=excluded)
        out["table"]["n_dropped"] = int(dropped.get(0 if by is None else key, 0))
        for name, part in out.items():
            if part is not None and not part.empty:
                if by is not None:
                    part.insert(0, by, key)
                parts[name].append(part)
    if excluded:
        warnings.warn(
            f"compare_groups: {len(excluded)} group(s) with fewer than 2 values of {dv!r} "
            f"left out of the tests: {', '.join(excluded[:10])}"
            + (" …" if len(excluded) > 10 else ""),
            SmallSampleWarning,
            stacklevel=2,
        )
    table = _concat(parts["table"], ([by] if by else []) + TABLE_COLUMNS)
    table["p_adj"] = _adjust(table["p_value"].to_numpy(dtype=float), p_adjust)
    result = CompareResult(
        table=table,
        posthoc=_concat(parts["posthoc"], ([by] if by else []) + POSTHOC_COLUMNS),
        descriptives=_concat(parts["descriptives"], ([by] if by else []) + DESCRIPTIVE_COLUMNS),
        assumptions=_concat(
            parts["assumptions"],
            ([by] if by else [])
            + ["test", "group", "statistic", "df1", "df2", "p_value", "n", "note"],
        ),
        params=params,
        letters=_concat(parts["letters"], ([by] if by else []) + ["group", "mean", "letters"])
        if parts["letters"]
        else None,
        grand_mean=_concat(parts["grand_mean"], ([by] if by else []) + GRAND_COLUMNS)
        if parts["grand_mean"]
        else None,
        framework=fw,
    )
    _warn_untested(result.table, result.descriptives, between, by)
    return result


def _warn_untested(table: pd.DataFrame, desc: pd.DataFrame, between: str, by: str | None) -> None:
    """Say so when a comparison has fewer than two groups: its row is all NaN."""
    few = table.loc[table["k"].fillna(0) < 2]
    if few.empty:
        return
    where = "" if by is None else f" for {by} {', '.join(map(str, few[by].tolist()[:10]))}"
    groups = set(desc["group"].dropna().astype(str)) if "group" in desc else set()
    hint = (
        "; every row is in the one group 'all': the data has no group column (name the "
        "community column, e.g. group_column in the codebook)"
        if groups == {"all"}
        else ""
    )
    warnings.warn(
        f"compare_groups: fewer than two groups of {between!r} to compare{where}; those rows "
        f"have no test (NaN statistics){hint}",
        SmallSampleWarning,
        stacklevel=3,
    )


# ====================================================================== checks


def _check_options(
    method: Any, posthoc: Any, p_adjust: Any, weights: Any, conf_level: float, alpha: float
) -> None:
    owner = "compare_groups"
    check_option("method", method, METHODS, owner=owner)
    check_option("posthoc", posthoc, POSTHOCS, owner=owner)
    check_option("p_adjust", p_adjust, P_ADJUST, owner=owner)
    for name, value in (("conf_level", conf_level), ("alpha", alpha)):
        if not 0 < value < 1:
            raise ConfigError(
                f"The {name!r} parameter of compare_groups must be between 0 and 1. "
                f"Got {value!r} instead."
            )
    if weights is None:
        return
    if method not in ("auto", *WEIGHTED_METHODS):
        raise ConfigError(
            f"compare_groups: method={method!r} cannot take weights; use 'welch', 'anova' "
            "or 'brown-forsythe' (weighted means with Kish effective n), or drop weights"
        )
    if posthoc not in ("auto", *WEIGHTED_POSTHOCS):
        raise ConfigError(
            f"compare_groups: posthoc={posthoc!r} cannot take weights; use 'games-howell' "
            "or None, or drop weights"
        )


def _by_order(values: Any, by: str | None, fw: Framework) -> list[Any]:
    if by is None:
        return [None]
    values = list(values)
    if all(isinstance(v, str) for v in values):
        return fw.order(values)
    return sorted(values, key=lambda v: (str(type(v)), v))


def _columns(
    data: pd.DataFrame | GroupMoments,
    dv: str | None,
    between: str | None,
    by: str | None,
    weights: str | None,
) -> tuple[str, str, str | None, str | None]:
    """The columns compared: given, or those the sufficient statistics were built from."""
    if not isinstance(data, GroupMoments):
        for name, value in (("dv", dv), ("between", between)):
            if value is None:
                raise ConfigError(
                    f"The {name!r} parameter of compare_groups is required when data is a "
                    "DataFrame."
                )
        return dv, between, by, weights  # type: ignore[return-value]
    own = {"dv": data.dv, "between": data.between, "by": data.by, "weights": data.weights}
    given = {"dv": dv, "between": between, "by": by, "weights": weights}
    for name, value in given.items():
        if value is not None and value != own[name]:
            raise ConfigError(
                f"compare_groups: {name}={value!r}, but the GroupMoments were built with "
                f"{name}={own[name]!r}; leave {name} out or build them again"
            )
    return data.dv, data.between, data.by, data.weights


def _empty_slice(m: GroupMoments) -> MomentSlice:
    """The slice of statistics without a single value (all of ``dv`` missing)."""
    return MomentSlice(
        m.table.iloc[:0],
        m.values.table.iloc[:0],
        weighted=m.weights is not None,
        overflow=None,
        max_values=m.values.max_values,
    )


def _moment_slices(m: GroupMoments) -> dict[Any, MomentSlice]:
    """One :class:`MomentSlice` per ``by`` value of the sufficient statistics."""
    values = m.values.table
    by_values = {key: part for key, part in values.groupby("by", sort=False)}
    out = {}
    for key, rows in m.table.groupby("by", sort=False):
        where = f" of {m.dv!r}" + (f" for {m.by} {key!r}" if m.by is not None else "")
        out[key] = MomentSlice(
            rows.reset_index(drop=True),
            by_values.get(key, values.iloc[:0]),
            weighted=m.weights is not None,
            overflow=m.values.overflow.get(key),
            max_values=m.values.max_values,
            where=where,
        )
    return out


def _rows_of(frame: pd.DataFrame, key: Any) -> pd.DataFrame:
    """The rows of one ``by`` value: a slice, not a copy, where they stand together (as in
    the long frame of scores, dimension after dimension)."""
    by = frame["_by"]
    if isinstance(by.dtype, pd.CategoricalDtype) and key in by.cat.categories:
        at = np.flatnonzero(by.cat.codes.to_numpy() == by.cat.categories.get_loc(key))
        if len(at) and at[-1] - at[0] + 1 == len(at):
            return frame.iloc[at[0] : at[-1] + 1]
    return frame[by == key]


def _adjust(p: np.ndarray, how: str | None) -> np.ndarray:
    from analysis.stats.multitest import adjust_p

    return adjust_p(p, how)


def _concat(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=float) for c in columns})
    out = pd.concat(frames, ignore_index=True)
    return out[[c for c in columns if c in out.columns]]
