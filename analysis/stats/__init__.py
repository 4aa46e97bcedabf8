"""Statistics: tests, effect sizes, post hoc pairs, p adjustment, nesting, indices, agreement.

The modules work on plain frames and numpy arrays of group summaries (n, mean, variance),
so a comparison of hundreds of communities runs as a handful of vectorised operations:

* :mod:`.compare`        ``compare_groups``: every dimension, every test, one result
* :mod:`.oneway`         one dimension: the method, omnibus test, effect size, pairs, letters
* :mod:`.compare_result` :class:`CompareResult`: its sentences, frames and HTML
* :mod:`.omnibus`        one-way ANOVA, Welch, Brown-Forsythe, Kruskal-Wallis, Levene
* :mod:`.posthoc`        Tukey-Kramer, Games-Howell, Dunn, LSD, Bonferroni, group vs grand
  mean, compact letters, a fast studentized range distribution
* :mod:`.multitest`      p-value adjustment (Holm, Bonferroni, Benjamini-Hochberg)
* :mod:`.effects`        Cohen's d, Hedges' g, rank-biserial r, noncentral-F intervals
* :mod:`.groups`         group summaries
* :mod:`.sufficient`     mergeable group moments and value counts (partitioned surveys)
* :mod:`.moment_slice`   one dimension of a comparison read from those statistics
* :mod:`.item_moments`   mergeable item means and co-moments for reliability
* :mod:`.multilevel`     ICC(1), ICC(2), design effect, mixed models (lme4/lmerTest), centring
* :mod:`.lmm`            the mixed-model engine: profiled REML, Satterthwaite df
* :mod:`.linear`         OLS regression with classical or cluster-robust (CR1) standard errors
* :mod:`.coefficients`   coefficient tables (t on given df, or z) and their APA lines
* :mod:`.nesting`        model results and the ordered logit
* :mod:`.indices`        entropy-weight index, importance-performance analysis, text x survey
* :mod:`.cumulative_logit` Newton fit of the ordered logit, Brant test of proportional odds
* :mod:`.association`    Pearson and Spearman tests as R's cor.test, correlation matrices
* :mod:`.exact`          Fisher's exact test (2x2 with odds ratio, r x c), as R's fisher.test
* :mod:`.factorial`      two-way ANOVA and ANCOVA, Type II/III, partial η² (car::Anova)
* :mod:`.categorical`    chi-square test of independence with Cramér's V (Rao-Scott with a design)
* :mod:`.design`         ``SurveyDesign``: weights, strata, clusters, fpc, calibration
* :mod:`.design_estimates` design-based means, totals and proportions (svy, Taylor linearisation)
* :mod:`.design_tests`   design-based Wald tests of group means, Rao-Scott chi-square
* :mod:`.design_result`  :class:`DesignResult`: its sentences, frames and HTML
* :mod:`.agreement`      Cohen's kappa, Krippendorff's alpha

The names below load on first use; importing this face loads no scipy or statsmodels.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from analysis.core.lazy import attach

_LAZY = {
    "CompareResult": "analysis.stats.compare_result",
    "compare_groups": "analysis.stats.compare",
    "GroupMoments": "analysis.stats.sufficient",
    "ValueCounts": "analysis.stats.sufficient",
    "ItemMoments": "analysis.stats.item_moments",
    "adjust_p": "analysis.stats.multitest",
    "icc": "analysis.stats.multilevel",
    "mixed_model": "analysis.stats.multilevel",
    "center": "analysis.stats.multilevel",
    "MixedModelResult": "analysis.stats.multilevel",
    "regression": "analysis.stats.linear",
    "RegressionResult": "analysis.stats.linear",
    "ordered_logit": "analysis.stats.nesting",
    "brant_test": "analysis.stats.cumulative_logit",
    "cor_test": "analysis.stats.association",
    "correlation_matrix": "analysis.stats.association",
    "fisher_test": "analysis.stats.exact",
    "factorial_anova": "analysis.stats.factorial",
    "chi_square": "analysis.stats.categorical",
    "SurveyDesign": "analysis.stats.design",
    "calibrated_weights": "analysis.stats.design",
    "DesignResult": "analysis.stats.design_result",
    "survey_means": "analysis.stats.design_estimates",
    "survey_totals": "analysis.stats.design_estimates",
    "survey_proportions": "analysis.stats.design_estimates",
    "survey_compare": "analysis.stats.design_tests",
    "entropy_weights": "analysis.stats.indices",
    "ipa": "analysis.stats.indices",
    "text_survey_correlation": "analysis.stats.indices",
    "cohen_kappa": "analysis.stats.agreement",
    "krippendorff_alpha": "analysis.stats.agreement",
}
__all__ = list(_LAZY)
__getattr__, __dir__ = attach(__name__, _LAZY)

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from analysis.stats.agreement import cohen_kappa, krippendorff_alpha
    from analysis.stats.association import cor_test, correlation_matrix
    from analysis.stats.categorical import chi_square
    from analysis.stats.compare import compare_groups
    from analysis.stats.compare_result import CompareResult
    from analysis.stats.cumulative_logit import brant_test
    from analysis.stats.design import SurveyDesign, calibrated_weights
    from analysis.stats.design_estimates import survey_means, survey_proportions, survey_totals
    from analysis.stats.design_result import DesignResult
    from analysis.stats.design_tests import survey_compare
    from analysis.stats.exact import fisher_test
    from analysis.stats.factorial import factorial_anova
    from analysis.stats.indices import entropy_weights, ipa, text_survey_correlation
    from analysis.stats.item_moments import ItemMoments
    from analysis.stats.linear import RegressionResult, regression
    from analysis.stats.multilevel import MixedModelResult, center, icc, mixed_model
    from analysis.stats.multitest import adjust_p
    from analysis.stats.nesting import ordered_logit
    from analysis.stats.sufficient import GroupMoments, ValueCounts
