"""Statistical building blocks behind :mod:`analysis.stats.compare`.

The modules work on numpy arrays of group summaries (n, mean, variance) so that a
comparison of hundreds of communities runs as a handful of vectorised operations:

* :mod:`.omnibus`   one-way ANOVA, Welch, Brown-Forsythe, Kruskal-Wallis, Levene
* :mod:`.posthoc`   Tukey-Kramer, Games-Howell, Dunn, LSD, Bonferroni, group vs grand mean,
  compact letter display, a fast studentized range distribution, p-value adjustment
* :mod:`.effects`   Cohen's d, Hedges' g, rank-biserial r, bootstrap intervals
* :mod:`.nesting`   ICC(1), ICC(2), design effect, random-intercept and ordered logit models
* :mod:`.indices`   entropy-weight index, importance-performance analysis, text x survey
* :mod:`.categorical` chi-square test of independence with Cramér's V

The public face is :mod:`analysis.stats.compare`.
"""
