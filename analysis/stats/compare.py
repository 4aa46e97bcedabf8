"""Compare communities: omnibus tests, post hoc pairs, effect sizes, APA sentences.

The public face of the statistics. :func:`compare_groups` takes a long frame such as
:func:`analysis.score_survey` returns (``respondent_id``, ``group``, ``dimension``,
``score``, ``n_items``) and returns a :class:`CompareResult`. The computations live in
:mod:`analysis.stats` and work on group summaries, so hundreds of communities and a
million respondents take seconds.

Also here, re-exported from :mod:`analysis.stats`: :func:`icc`, :func:`mixed_model`,
:func:`ordered_logit` (nesting), :func:`chi_square` (categorical), :func:`entropy_weights`,
:func:`ipa` and :func:`text_survey_correlation` (evaluation indices).
"""

from __future__ import annotations

import html
import logging
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from analysis.core import apa
from analysis.core.dimensions import SERVICE_FIVE, Framework
from analysis.core.errors import (
    ConfigError,
    DataQualityWarning,
    InputError,
    SmallSampleWarning,
    check_option,
)
from analysis.stats import groups as grp
from analysis.stats.categorical import ChiSquareResult, chi_square
from analysis.stats.indices import EntropyIndex, entropy_weights, ipa, text_survey_correlation
from analysis.stats.multitest import P_ADJUST
from analysis.stats.nesting import ModelResult, icc, mixed_model, ordered_logit

__all__ = [
    "ChiSquareResult",
    "CompareResult",
    "EntropyIndex",
    "ModelResult",
    "chi_square",
    "compare_groups",
    "entropy_weights",
    "icc",
    "ipa",
    "mixed_model",
    "ordered_logit",
    "text_survey_correlation",
]

log = logging.getLogger("analysis")

Method = Literal["auto", "anova", "welch", "brown-forsythe", "kruskal"]
Posthoc = Literal["auto", "tukey", "games-howell", "dunn", "lsd", "bonferroni"]
PAdjust = Literal["holm", "bonferroni", "fdr_bh", "bh", "none"]

METHODS = ("auto", "anova", "welch", "brown-forsythe", "kruskal")
POSTHOCS = ("auto", "tukey", "games-howell", "dunn", "lsd", "bonferroni", None)
WEIGHTED_METHODS = ("welch", "anova", "brown-forsythe")
WEIGHTED_POSTHOCS = ("games-howell", None)
AUTO_POSTHOC = {
    "anova": "tukey",
    "welch": "games-howell",
    "brown-forsythe": "games-howell",
    "kruskal": "dunn",
}
ORDINAL_MAX_VALUES = 7

TABLE_COLUMNS = [
    "method",
    "reason",
    "statistic",
    "df1",
    "df2",
    "p_value",
    "p_adj",
    "effect_size",
    "effect_type",
    "effect_ci_low",
    "effect_ci_high",
    "eta2",
    "omega2",
    "epsilon2",
    "epsilon2_h",
    "cohen_d",
    "n",
    "k",
    "n_dropped",
    "n_groups_excluded",
]
POSTHOC_COLUMNS = [
    "group_a",
    "group_b",
    "diff",
    "se",
    "statistic",
    "df",
    "ci_low",
    "ci_high",
    "p_value",
    "p_adj",
    "method",
]
DESCRIPTIVE_COLUMNS = [
    "group",
    "n",
    "n_eff",
    "mean",
    "sd",
    "se",
    "ci_low",
    "ci_high",
    "median",
    "q1",
    "q3",
]
GRAND_COLUMNS = [
    "group",
    "n",
    "mean",
    "grand_mean",
    "diff",
    "se",
    "statistic",
    "df",
    "ci_low",
    "ci_high",
    "p_value",
    "p_adj",
]

METHOD_LABELS = {
    "zh": {
        "anova": "单因素方差分析",
        "welch": "Welch 方差分析",
        "brown-forsythe": "Brown-Forsythe 检验",
        "kruskal": "Kruskal-Wallis 检验",
        "tukey": "Tukey-Kramer",
        "games-howell": "Games-Howell",
        "dunn": "Dunn",
        "lsd": "LSD",
        "bonferroni": "Bonferroni",
    },
    "en": {
        "anova": "one-way ANOVA",
        "welch": "Welch's ANOVA",
        "brown-forsythe": "Brown-Forsythe test",
        "kruskal": "Kruskal-Wallis test",
        "tukey": "Tukey-Kramer",
        "games-howell": "Games-Howell",
        "dunn": "Dunn",
        "lsd": "LSD",
        "bonferroni": "Bonferroni",
    },
}
EFFECT_SYMBOLS = {
    "omega2": "ω²",
    "eta2": "η²",
    "epsilon2": "ε²",
    "epsilon2_h": "ε²_H",
    "hedges_g": "g",
    "rank_biserial": "r_rb",
}
P_ADJUST_NAMES = {
    "holm": "Holm",
    "bonferroni": "Bonferroni",
    "fdr_bh": "Benjamini-Hochberg",
    "bh": "Benjamini-Hochberg",
}
BOUNDED_EFFECTS = ("omega2", "eta2", "epsilon2", "epsilon2_h", "rank_biserial")
COLUMN_LABELS_ZH = {
    "dimension": "维度",
    "group": "社区",
    "method": "方法",
    "reason": "选择理由",
    "statistic": "统计量",
    "df1": "df1",
    "df2": "df2",
    "p_value": "p",
    "p_adj": "校正 p",
    "effect_size": "效应量",
    "effect_type": "效应量类型",
    "n": "样本量",
    "k": "组数",
    "mean": "均值",
    "sd": "标准差",
    "group_a": "社区 A",
    "group_b": "社区 B",
    "diff": "均值差 (B−A)",
    "ci_low": "{level} CI 下限",
    "ci_high": "{level} CI 上限",
    "effect_ci_low": "效应量 {level} CI 下限",
    "effect_ci_high": "效应量 {level} CI 上限",
}


# ====================================================================== result


@dataclass(frozen=True)
class CompareResult:
    """Result of :func:`compare_groups`.

    Attributes
    ----------
    table : pandas.DataFrame
        Omnibus tests, one row per value of ``by`` (see :func:`compare_groups`).
    posthoc : pandas.DataFrame
        One row per (``by`` value, pair of groups).
    descriptives : pandas.DataFrame
        One row per (``by`` value, group).
    assumptions : pandas.DataFrame
        Levene (mean- and median-centred) per ``by`` value and Shapiro-Wilk per group.
    params : Mapping
        Everything needed to rerun, including the method chosen for each ``by`` value and why.
    letters : pandas.DataFrame or None
        Compact letter display (``group``, ``mean``, ``letters``) where computed.
    grand_mean : pandas.DataFrame or None
        Each group against the grand mean of its ``by`` value.
    """

    table: pd.DataFrame
    posthoc: pd.DataFrame
    descriptives: pd.DataFrame
    assumptions: pd.DataFrame
    params: Mapping[str, Any]
    letters: pd.DataFrame | None = None
    grand_mean: pd.DataFrame | None = None
    framework: Framework = field(default=SERVICE_FIVE, repr=False)

    # ------------------------------------------------------------ text
    def summary(self, lang: Literal["zh", "en"] = "zh", *, alpha: float | None = None) -> str:
        """APA-style sentences, one paragraph per ``by`` value.

        Parameters
        ----------
        lang
            ``"zh"`` or ``"en"``.
        alpha
            Significance level for counting significant pairs; defaults to the one used.

        Returns
        -------
        str
            p values are printed as ``p = .017`` or ``p < .001``, never ``p = .000``.
        """
        check_option("lang", lang, ("zh", "en"), owner="CompareResult.summary")
        alpha = float(self.params.get("alpha", 0.05)) if alpha is None else alpha
        by = self.params.get("by")
        paragraphs = []
        for _, row in self.table.iterrows():
            key = row[by] if by else None
            paragraphs.append(self._sentence(row, key, lang, alpha))
        return "\n".join(paragraphs)

    def _label(self, key: Any, lang: str) -> str:
        if key is None:
            return ""
        return self.framework.label(str(key), lang) if isinstance(key, str) else str(key)

    def _sentence(self, row: pd.Series, key: Any, lang: str, alpha: float) -> str:
        label = self._label(key, lang)
        method = row["method"]
        if not isinstance(method, str) or pd.isna(row["statistic"]):
            if lang == "zh":
                return f"{label}：有效组数不足两个，未检验。"
            return f"{label}: fewer than two groups with data; not tested."
        symbol = "H" if method == "kruskal" else "F"
        df = (row["df1"],) if method == "kruskal" else (row["df1"], row["df2"])
        test = apa.format_test(symbol, row["statistic"], df, row["p_value"])
        effect = ""
        if isinstance(row["effect_type"], str) and pd.notna(row["effect_size"]):
            bounded = row["effect_type"] in BOUNDED_EFFECTS
            effect = (
                f", {EFFECT_SYMBOLS.get(row['effect_type'], row['effect_type'])} = "
                f"{apa.format_number(row['effect_size'], 2, leading_zero=not bounded)}"
            )
            if pd.notna(row["effect_ci_low"]) and pd.notna(row["effect_ci_high"]):
                level = float(self.params.get("conf_level", 0.95))
                effect += ", " + apa.format_ci(
                    row["effect_ci_low"], row["effect_ci_high"], level, leading_zero=not bounded
                )
        adj = ""
        adjusted = self.params.get("p_adjust") not in (None, "none")
        if adjusted and pd.notna(row["p_adj"]) and len(self.table) > 1:
            how = P_ADJUST_NAMES.get(self.params.get("p_adjust"), "unadjusted")
            adj = (
                f"（{how} 校正后 {apa.format_p(row['p_adj'])}）"
                if lang == "zh"
                else f" ({how}-adjusted {apa.format_p(row['p_adj'])})"
            )
        pairs = self._pair_sentence(key, lang, alpha)
        name = METHOD_LABELS[lang][method]
        sig = row["p_value"] < alpha
        n, k = int(row["n"]), int(row["k"])
        if lang == "zh":
            verdict = "各组差异显著" if sig else "各组差异不显著"
            head = f"{label}：" if label else ""
            return f"{head}{name}显示{verdict}，{test}{effect}{adj}（n = {n}，k = {k}）。{pairs}"
        verdict = "differed significantly" if sig else "did not differ significantly"
        head = f"{label}: " if label else ""
        return (
            f"{head}groups {verdict} ({name}), {test}{effect}{adj}; n = {n}, k = {k}. {pairs}"
        ).rstrip()

    def _pair_sentence(self, key: Any, lang: str, alpha: float) -> str:
        by = self.params.get("by")
        ph = self.posthoc
        if ph is None or ph.empty:
            return ""
        if by:
            ph = ph[ph[by] == key]
        if ph.empty:
            return ""
        method = METHOD_LABELS[lang].get(ph["method"].iloc[0], ph["method"].iloc[0])
        n_sig = int((ph["p_adj"] < alpha).sum())
        total = len(ph)
        level = apa.format_number(alpha, 2, leading_zero=False)
        if lang == "zh":
            return f"事后比较（{method}）：{total} 对中 {n_sig} 对差异显著（校正 p < {level}）。"
        return f"Post hoc ({method}): {n_sig} of {total} pairs differed (adjusted p < {level})."

    # ------------------------------------------------------------ frames
    def to_frame(self) -> pd.DataFrame:
        """The omnibus table with dimension labels: one row per ``by`` value.

        Returns
        -------
        pandas.DataFrame
            :attr:`table` plus ``label_zh`` and ``label_en`` when ``by`` holds framework ids.
        """
        out = self.table.copy()
        by = self.params.get("by")
        if by and by in out.columns:
            out["label_zh"] = [self._label(v, "zh") for v in out[by]]
            out["label_en"] = [self._label(v, "en") for v in out[by]]
        return out

    def _repr_html_(self) -> str:
        by = self.params.get("by")
        level = apa.format_level(float(self.params.get("conf_level", 0.95)))
        labels = {k: v.format(level=level) for k, v in COLUMN_LABELS_ZH.items()}
        parts = [f"<h4>{html.escape('社区比较 (compare_groups)')}</h4>"]
        for title, frame, cols in (
            ("总体检验", self.table, [*TABLE_COLUMNS[:11], "n", "k"]),
            ("描述统计", self.descriptives, ["group", "n", "mean", "sd", "ci_low", "ci_high"]),
            ("事后比较（前 20 行）", self.posthoc.head(20), POSTHOC_COLUMNS),
        ):
            shown = frame[[c for c in ([by] if by else []) + cols if c in frame.columns]].copy()
            if by and by in shown.columns:
                shown[by] = [self._label(v, "zh") for v in shown[by]]
            shown = shown.rename(columns=labels)
            parts.append(f"<h5>{html.escape(title)}</h5>")
            parts.append(shown.to_html(index=False, float_format=lambda x: f"{x:.3f}", na_rep=""))
        return "\n".join(parts)


# ====================================================================== entry


def compare_groups(
    data: pd.DataFrame,
    *,
    dv: str,
    between: str,
    by: str | None = None,
    method: Method = "auto",
    posthoc: Posthoc | None = "auto",
    p_adjust: PAdjust | None = "holm",
    weights: str | None = None,
    conf_level: float = 0.95,
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
        Long frame, e.g. from :func:`analysis.score_survey`. Not modified.
    dv
        Column with the values compared (``"score"``).
    between
        Column naming the group (``"group"``, the community).
    by
        Optional column splitting the analysis (``"dimension"``); values that are ids of
        ``framework`` keep framework order.
    method
        ``"auto"``, ``"anova"``, ``"welch"``, ``"brown-forsythe"`` or ``"kruskal"``.
        ``"auto"`` chooses per ``by`` value (see Notes) and says why in ``reason``.
    posthoc
        ``"auto"`` (Tukey-Kramer after ANOVA, Games-Howell after Welch / Brown-Forsythe,
        Dunn after Kruskal-Wallis), ``"tukey"``, ``"games-howell"``, ``"dunn"``, ``"lsd"``,
        ``"bonferroni"`` or None.
    p_adjust
        Adjustment of the omnibus p values across ``by`` values, and of Dunn, Bonferroni-free
        pairwise and grand-mean p values within a ``by`` value: ``"holm"``, ``"bonferroni"``,
        ``"fdr_bh"`` (``"bh"``) or ``"none"``.
    weights
        Column of survey weights (positive). Means, SDs and CIs become weighted, and tests
        use Kish's effective sample size n_eff = (Σw)² / Σw². Only Welch / ANOVA /
        Brown-Forsythe with Games-Howell accept weights; the others raise ConfigError.
    conf_level
        Level of all confidence intervals, each two-sided with equal tails (means, pairs,
        grand-mean contrasts and effect sizes).
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
        ``table`` columns: ``<by>`` (when given), ``method``, ``reason``, ``statistic``
        (F, or H for Kruskal-Wallis), ``df1``, ``df2`` (NaN for Kruskal-Wallis),
        ``p_value``, ``p_adj`` (adjusted across ``by`` values), ``effect_size``,
        ``effect_type`` (``omega2`` for the F tests, ``epsilon2_h`` for Kruskal-Wallis,
        ``hedges_g`` / ``rank_biserial`` for two groups), ``effect_ci_low``,
        ``effect_ci_high`` (two-sided at ``conf_level``; for the F tests with three or more
        groups the noncentral-F interval of the population proportion of variance explained,
        which ``eta2`` and ``omega2`` both estimate, clipped to [0, 1]: see Notes; bootstrap
        for ``epsilon2_h`` and ``rank_biserial``, normal approximation for ``hedges_g``; NaN
        when not computed), ``eta2``, ``omega2``, ``epsilon2`` (from the ANOVA sums of
        squares), ``epsilon2_h``, ``cohen_d`` (two groups, parametric tests: d with the
        pooled SD, group b against group a), ``n`` (respondents tested), ``k`` (groups tested),
        ``n_dropped`` (rows with missing ``dv``), ``n_groups_excluded`` (groups with n < 2).

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
        A named column is missing, ``dv`` is not numeric, or weights are not positive.
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

    Effect sizes: η² = SS_b/SS_t, ω² = (SS_b - (k-1) MS_w)/(SS_t + MS_w),
    ε² = (SS_b - (k-1) MS_w)/SS_t, ε²_H = H/(N - 1). With two groups, Hedges' g
    (with a normal-approximation CI) after an F test and the rank-biserial r (bootstrap CI)
    after Kruskal-Wallis.

    Interval of ω² (F tests, k ≥ 3): the interval [λ_L, λ_U] of the noncentrality parameter
    that puts the observed F at its 1 - α/2 and α/2 quantiles, converted to the population
    proportion of variance explained P = λ/(λ + N) (Steiger, 2004; MBESS ``ci.pvaf``;
    :func:`analysis.stats.effects.pvaf_ci`). P is what η² and ω² both estimate, so the one
    interval serves both. With the classical ANOVA, ω² = P at λ = (k-1)(F - 1), so it lies
    inside the interval unless it is negative (F < 1), when the lower limit is 0. The
    interval is two-sided, like every other interval here, where R's effectsize defaults to
    a one-sided interval with upper limit 1 (``alternative = "greater"``). It comes from the
    classical F of the sums of squares that give η² and ω², whichever test was run, so ω²
    lies inside its interval whenever it is not negative; after Welch's or the
    Brown-Forsythe test (chosen because variances differ) it is an approximation, as the
    noncentral F assumes equal variances. (R's effectsize instead converts the Welch F,
    point estimate and interval alike.) With weights N is the sum of the Kish effective
    sizes.

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
    _check_options(method, posthoc, p_adjust, weights, conf_level, alpha)
    frame, dropped = _prepare(data, dv=dv, between=between, by=by, weights=weights)
    keys = _by_order(frame, by, fw)
    params: dict[str, Any] = {
        "dv": dv,
        "between": between,
        "by": by,
        "method": method,
        "posthoc": posthoc,
        "p_adjust": p_adjust,
        "weights": weights,
        "conf_level": conf_level,
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
        sub = frame if by is None else frame[frame["_by"] == key]
        out = _one_slice(sub, key=key, params=params, excluded=excluded)
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
    return result


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


def _prepare(
    data: pd.DataFrame, *, dv: str, between: str, by: str | None, weights: str | None
) -> tuple[pd.DataFrame, dict[Any, int]]:
    """Select, check and clean the columns; count rows dropped for a missing dv."""
    if not isinstance(data, pd.DataFrame):
        raise InputError(f"compare_groups: data must be a pandas DataFrame, got {type(data)}")
    wanted = {"dv": dv, "between": between, "by": by, "weights": weights}
    missing = [f"{k}={v!r}" for k, v in wanted.items() if v is not None and v not in data]
    if missing:
        raise InputError(
            f"compare_groups: column(s) {', '.join(missing)} not in data; "
            f"columns are {', '.join(map(str, data.columns))}"
        )
    frame = pd.DataFrame(
        {
            "_y": _numeric(data, dv),
            # categorical codes: small and fast to group for millions of rows
            "_g": pd.Categorical(data[between].to_numpy()),
            "_by": pd.Categorical(data[by].to_numpy()) if by is not None else 0,
            "_w": _numeric(data, weights) if weights is not None else 1.0,
        }
    )
    if weights is not None:
        bad = frame["_w"].isna() | (frame["_w"] <= 0)
        if bad.any():
            pos = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(
                f"compare_groups: column {weights!r}, row {data.index[pos]!r}: got "
                f"{data[weights].iloc[pos]!r}; expected a positive weight "
                f"({int(bad.sum())} such rows)"
            )
    frame = frame[frame["_g"].notna()]
    missing_y = frame["_y"].isna()
    dropped = frame.loc[missing_y, "_by"].value_counts().to_dict() if missing_y.any() else {}
    if missing_y.any():
        log.info("compare_groups: dropped %d rows with missing %s", int(missing_y.sum()), dv)
    return frame[~missing_y], dropped


def _numeric(data: pd.DataFrame, column: str) -> pd.Series:
    raw = data[column]
    if pd.api.types.is_bool_dtype(raw) or not (
        pd.api.types.is_numeric_dtype(raw)
        or raw.dtype == object
        or pd.api.types.is_string_dtype(raw)
    ):
        raise InputError(f"compare_groups: column {column!r} must be numeric, got {raw.dtype}")
    values = pd.to_numeric(raw, errors="coerce").astype(float)
    bad = values.isna() & raw.notna()
    if bad.any():
        problems = [
            {"row": idx, "column": column, "value": raw.loc[idx], "problem": "expected a number"}
            for idx in raw.index[bad.to_numpy()][:50]
        ]
        raise InputError.from_problems(problems, what=f"non-numeric values in {column!r}")
    return pd.Series(values.to_numpy(), name=column)


def _by_order(frame: pd.DataFrame, by: str | None, fw: Framework) -> list[Any]:
    if by is None:
        return [None]
    values = pd.unique(frame["_by"])
    if all(isinstance(v, str) for v in values):
        return fw.order(values)
    return sorted(values.tolist(), key=lambda v: (str(type(v)), v))


def _adjust(p: np.ndarray, how: str | None) -> np.ndarray:
    from analysis.stats.multitest import adjust_p

    return adjust_p(p, how)


def _concat(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=float) for c in columns})
    out = pd.concat(frames, ignore_index=True)
    return out[[c for c in columns if c in out.columns]]


# ====================================================================== one slice


def _one_slice(
    sub: pd.DataFrame, *, key: Any, params: dict[str, Any], excluded: list[str]
) -> dict[str, pd.DataFrame | None]:
    weighted = params["weights"] is not None
    summ = grp.summaries(sub, weighted)
    desc = grp.descriptives(sub, summ, weighted, params["conf_level"])
    small = summ.index[summ["n"] < 2]
    excluded.extend(f"{key}/{g}" if key is not None else str(g) for g in small)
    summ = summ[summ["n"] >= 2]
    sub = sub[sub["_g"].isin(summ.index)]
    k = len(summ)
    method, reason = _choose(sub, params["method"], weighted=weighted)
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
    ranks = grp.ranks(sub) if method == "kruskal" or params["posthoc"] == "dunn" else None
    flat = summ.index[summ["var"] <= 0].tolist()
    if flat and method in ("welch", "brown-forsythe"):
        warnings.warn(
            f"compare_groups: {method} test not computed{'' if key is None else f' for {key}'}"
            f": no variation within group(s) {', '.join(map(repr, flat[:10]))}",
            DataQualityWarning,
            stacklevel=3,
        )
        row["reason"] = f"{reason}; not computed: no variation within {len(flat)} group(s)"
        out["table"] = pd.DataFrame([row])
        return out
    row.update(_omnibus(method, n, mean, var, ranks, conf_level=params["conf_level"]))
    row.update(_two_group_effect(method, sub, summ, ranks, params))
    out["table"] = pd.DataFrame([row])
    groups = list(summ.index)
    ph_method = AUTO_POSTHOC[method] if params["posthoc"] == "auto" else params["posthoc"]
    if ph_method is not None:
        out["posthoc"] = _posthoc(ph_method, groups, n, mean, var, ranks, params)
        want = params["letters"]
        if (want == "auto" and k >= 3) or want is True:
            out["letters"] = _letters(groups, mean, out["posthoc"], params["alpha"])
    out["grand_mean"] = _grand(groups, summ, method, params)
    if params["assumptions"]:
        out["assumptions"] = grp.assumptions(sub, summ)
    return out


def _choose(sub: pd.DataFrame, requested: str, *, weighted: bool) -> tuple[str, str]:
    if requested != "auto":
        return requested, "requested"
    distinct = int(sub["_y"].nunique())
    if distinct <= ORDINAL_MAX_VALUES and weighted:
        return "welch", (
            f"auto: only {distinct} distinct values, but weights were given and rank tests "
            "cannot take them, so Welch's ANOVA on weighted means"
        )
    if distinct <= ORDINAL_MAX_VALUES:
        return "kruskal", (
            f"auto: only {distinct} distinct values (ordinal item), so ranks are compared "
            "(Kruskal-Wallis)"
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
    elif method == "welch":
        res = omnibus.welch_anova(n, mean, var)
    else:
        res = omnibus.brown_forsythe(n, mean, var)
    # Steiger (2004): the interval of the population proportion of variance explained,
    # which η² and ω² both estimate, from the classical F of the same sums of squares as
    # the point estimates (whichever test was run), so that the two agree
    lo, hi = effects.pvaf_ci(
        ss["statistic"], ss["df1"], ss["df2"], float(n.sum()), conf_level=conf_level
    )
    return {
        **sizes,
        **{k: res[k] for k in ("statistic", "df1", "df2", "p_value")},
        "effect_size": sizes["omega2"],
        "effect_type": "omega2",
        "effect_ci_low": lo,
        "effect_ci_high": hi,
    }


def _two_group_effect(
    method: str,
    sub: pd.DataFrame,
    summ: pd.DataFrame,
    ranks: dict[str, Any] | None,
    params: dict[str, Any],
) -> dict[str, Any]:
    from analysis.stats import effects

    if len(summ) != 2:
        return _boot_epsilon(method, sub, params) if method == "kruskal" else {}
    a, b = summ.iloc[0], summ.iloc[1]
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
    ranks = _need(ranks)
    r = effects.rank_biserial(ranks["n"][0], ranks["n"][1], ranks["rank_sum"][1])
    groups = [sub.loc[sub["_g"] == g, "_y"].to_numpy() for g in summ.index]

    def stat(gs: list[np.ndarray]) -> float:
        from scipy import stats

        u = stats.mannwhitneyu(gs[1], gs[0]).statistic
        return float(2 * u / (gs[0].size * gs[1].size) - 1)

    lo, hi = effects.bootstrap_ci(
        groups,
        stat,
        n_boot=_n_boot(params, len(sub)),
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


def _boot_epsilon(method: str, sub: pd.DataFrame, params: dict[str, Any]) -> dict[str, Any]:
    from analysis.stats import effects

    reps = _n_boot(params, len(sub))
    if reps == 0:
        return {}
    groups = [v.to_numpy() for _, v in sub.groupby("_g", sort=True, observed=True)["_y"]]

    def stat(gs: list[np.ndarray]) -> float:
        from scipy import stats

        if np.ptp(np.concatenate(gs)) == 0:
            return np.nan
        h = stats.kruskal(*gs).statistic
        return float(h / (sum(g.size for g in gs) - 1))

    lo, hi = effects.bootstrap_ci(
        groups, stat, n_boot=reps, conf_level=params["conf_level"], seed=params["seed"]
    )
    return {"effect_ci_low": lo, "effect_ci_high": hi}


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
        pooled=method == "anova",
        adjust=params["p_adjust"],
        conf_level=params["conf_level"],
    )
    return pd.DataFrame(
        {"group": groups, "n": summ["n"].to_numpy(), "mean": summ["mean"].to_numpy(), **res}
    )


def _need(ranks: dict[str, Any] | None) -> dict[str, Any]:
    if ranks is None:  # pragma: no cover - _one_slice computes ranks whenever they are used
        raise RuntimeError("ranks were not computed")
    return ranks
