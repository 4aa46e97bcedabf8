# Reference numbers for tests/test_factorial_r.py (factorial_anova).
# Run from the repository root: Rscript tests/r/anova.R
# (R 4.2.2 Patched r83330, car 3.1-1, effectsize 0.8.3)
suppressMessages({library(car); library(effectsize)})
shared <- if (dir.exists("../shared")) "../shared/datasets/r" else "/work/shared/datasets/r"
tg <- read.csv(file.path(shared, "datasets/ToothGrowth.csv"))
tg$dose_f <- factor(tg$dose)
tg2 <- tg[-c(1, 2, 3, 31, 45), ]                         # unbalanced: types II and III differ
show <- function(a) print(as.data.frame(a), digits = 12)
m <- lm(len ~ supp * dose_f, tg2)
show(Anova(m, type = 2))
show(eta_squared(Anova(m, type = 2), partial = TRUE))
options(contrasts = c("contr.sum", "contr.poly"))
m3 <- lm(len ~ supp * dose_f, tg2)
show(Anova(m3, type = 3))
show(eta_squared(Anova(m3, type = 3), partial = TRUE))
options(contrasts = c("contr.treatment", "contr.poly"))
anc <- lm(len ~ supp + dose, tg2)                          # ANCOVA: dose as covariate
show(Anova(anc, type = 2)); show(eta_squared(Anova(anc, type = 2), partial = TRUE))
print(packageVersion("car"))
