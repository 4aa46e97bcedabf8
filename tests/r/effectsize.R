# Reference numbers for tests/test_effectsize_r.py (effect-size intervals of compare_groups
# and chi_square). Run from the repository root: Rscript tests/r/effectsize.R
# (R 4.2.2 Patched r83330, effectsize 0.8.3 from Debian's r-cran-effectsize)
suppressMessages(library(effectsize))
shared <- if (dir.exists("../shared")) "../shared/datasets/r" else "/work/shared/datasets/r"
pg <- read.csv(file.path(shared, "datasets/PlantGrowth.csv"))
show <- function(x) { x <- as.data.frame(x); print(x[, grep("^(Omega|Hedges|Cramers|Eta|CI_)", names(x))], digits = 12) }
a <- aov(weight ~ group, pg)
show(omega_squared(a))                                   # one-sided (default)
show(omega_squared(a, alternative = "two.sided"))
show(omega_squared(a, ci = 0.9, alternative = "two.sided"))
w <- oneway.test(weight ~ group, pg)
show(omega_squared(w))                                   # from the Welch F
show(omega_squared(w, alternative = "two.sided"))
ins <- read.csv(file.path(shared, "datasets/InsectSprays.csv"))
show(omega_squared(oneway.test(count ~ spray, ins)))
show(omega_squared(aov(count ~ spray, ins)))
# Hedges' g: pooled SD, noncentral t (t.test order: first level minus second)
two <- pg[pg$group %in% c("trt1", "trt2"), ]; two$group <- factor(two$group)
show(hedges_g(weight ~ group, data = two))
show(hedges_g(weight ~ group, data = two, ci = 0.9))
ct <- pg[pg$group %in% c("ctrl", "trt1"), ]; ct$group <- factor(ct$group)
show(hedges_g(weight ~ group, data = ct))
# Cramér's V: bias-adjusted (default), one-sided; and unadjusted
hec <- read.csv(file.path(shared, "datasets/HairEyeColor.csv"))
tab <- xtabs(Freq ~ Hair + Eye, hec)
show(cramers_v(tab)); show(cramers_v(tab, adjust = FALSE)); show(cramers_v(tab, alternative = "two.sided"))
ucb <- read.csv(file.path(shared, "datasets/UCBAdmissions.csv"))
t2 <- xtabs(Freq ~ Admit + Gender, ucb)
print(chisq.test(t2)$statistic, digits = 12)             # Yates (2x2)
show(cramers_v(t2)); show(cramers_v(t2, adjust = FALSE))
