"""The result of a comparison: :class:`CompareResult`, its sentences and frames.

:func:`analysis.stats.compare.compare_groups` builds it. Here also the tables it is read
and shown with: the columns of its frames, and the labels of methods, effect sizes and
p-value adjustments.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from analysis.core import apa
from analysis.core.dimensions import SERVICE_FIVE, Framework
from analysis.core.errors import check_option
from analysis.core.words import Lang, method_label
from analysis.report.display import Displayable

__all__ = ["CompareResult"]

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
T_TESTS = ("welch_t", "student_t")
BOUNDED_EFFECTS = ("omega2", "eta2", "epsilon2", "epsilon2_h", "rank_biserial")


@dataclass(frozen=True)
class CompareResult(Displayable):
    """Result of :func:`~analysis.compare_groups`.

    Attributes
    ----------
    table : pandas.DataFrame
        Omnibus tests, one row per value of ``by`` (see :func:`~analysis.compare_groups`).
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
    def summary(self, lang: Lang = "zh", *, alpha: float | None = None) -> str:
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
        one_df = method == "kruskal" or method in T_TESTS
        symbol = "H" if method == "kruskal" else "t" if method in T_TESTS else "F"
        df = (row["df1"],) if one_df else (row["df1"], row["df2"])
        test = apa.format_test(symbol, row["statistic"], df, row["p_value"])
        effect = self._effect(row, lang)
        adj = ""
        adjusted = self.params.get("p_adjust") not in (None, "none")
        # with an adjustment across the by values, the decision follows the adjusted p
        # (the sentence says so), not the unadjusted one printed with the test
        decide = row["p_value"]
        if adjusted and pd.notna(row["p_adj"]) and len(self.table) > 1:
            how = P_ADJUST_NAMES.get(self.params.get("p_adjust"), "unadjusted")
            adj = (
                f"（{how} 校正后 {apa.format_p(row['p_adj'])}，据此判断）"
                if lang == "zh"
                else f" ({how}-adjusted {apa.format_p(row['p_adj'])}, used for the decision)"
            )
            decide = row["p_adj"]
        pairs = self._pair_sentence(key, lang, alpha)
        name = method_label(method, lang)
        sig = decide < alpha
        n, k = int(row["n"]), int(row["k"])
        if lang == "zh":
            verdict = "各组差异显著" if sig else "各组差异不显著"
            if method in T_TESTS:
                verdict = "两组差异显著" if sig else "两组差异不显著"
            head = f"{label}：" if label else ""
            return f"{head}{name}显示{verdict}，{test}{effect}{adj}（n = {n}，k = {k}）。{pairs}"
        verdict = "differed significantly" if sig else "did not differ significantly"
        head = f"{label}: " if label else ""
        return (
            f"{head}groups {verdict} ({name}), {test}{effect}{adj}; n = {n}, k = {k}. {pairs}"
        ).rstrip()

    def _effect(self, row: pd.Series, lang: str) -> str:
        """``, g = 0.83, 95% CI [0.12, 1.54]``; a negative ω² or ε² is printed as 0.

        ω² and ε² estimate a proportion of variance, which cannot be negative: a negative
        estimate (F < 1) is printed as 0 with the estimate in a note, so the value printed
        lies inside its interval, whose lower limit is then 0 (APA 7th ed.; Okada, 2013).
        """
        kind = row["effect_type"]
        if not isinstance(kind, str) or pd.isna(row["effect_size"]):
            return ""
        bounded = kind in BOUNDED_EFFECTS
        value = float(row["effect_size"])
        note = ""
        if kind in ("omega2", "epsilon2") and value < 0:
            raw = apa.format_number(value, 2, leading_zero=False)
            note = (
                f"（估计值 {raw} 为负，按 0 报告）"
                if lang == "zh"
                else f" (estimate {raw} is negative, reported as 0)"
            )
            value = 0.0
        effect = (
            f", {EFFECT_SYMBOLS.get(kind, kind)} = "
            f"{apa.format_number(value, 2, leading_zero=not bounded)}{note}"
        )
        if pd.notna(row["effect_ci_low"]) and pd.notna(row["effect_ci_high"]):
            level = float(self.params.get("conf_level", 0.95))
            one_sided = (
                kind in ("omega2", "epsilon2_h")
                and self.params.get("effect_alternative", "greater") == "greater"
            )
            side = ("单侧 " if lang == "zh" else "one-sided ") if one_sided else ""
            effect += (
                ", "
                + side
                + apa.format_ci(
                    row["effect_ci_low"], row["effect_ci_high"], level, leading_zero=not bounded
                )
            )
        return effect

    def _pair_sentence(self, key: Any, lang: str, alpha: float) -> str:
        by = self.params.get("by")
        ph = self.posthoc
        if ph is None or ph.empty:
            return ""
        if by:
            ph = ph[ph[by] == key]
        if ph.empty:
            return ""
        method = method_label(ph["method"].iloc[0], lang)
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
