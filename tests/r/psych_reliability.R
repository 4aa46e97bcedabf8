# Reference numbers for tests/test_psychometrics_r.py (reliability: KMO, Bartlett, omega, alpha).
# Run from the repository root: Rscript tests/r/psych_reliability.R
# (R 4.2.2 Patched r83330, psych 2.2.9, GPArotation for omega)
suppressMessages(library(psych))
a <- read.csv("tests/data/survey/bfi_agreeableness.csv")
x <- a[, c("A1", "A2", "A3", "A4", "A5")]; x$A1 <- 7 - x$A1   # A1 is reverse keyed
# pairwise: every correlation from its own pairwise-complete means and SDs; n = nrow(x)
print(cortest.bartlett(x)$chisq, digits = 12)            # R not square: cor(x, use = "pairwise"), n = 2800
print(KMO(x)$MSA, digits = 12)
print(omega(x, nfactors = 1, plot = FALSE)$omega.tot, digits = 12)  # omega total, one factor
print(omega(x, plot = FALSE)$omega.tot, digits = 12)                # default: 3 group factors
print(alpha(x)$total$std.alpha, digits = 12)
# listwise
xc <- na.omit(x)
print(nrow(xc)); print(cortest.bartlett(xc)$chisq, digits = 12); print(KMO(xc)$MSA, digits = 12)
print(omega(xc, nfactors = 1, plot = FALSE)$omega.tot, digits = 12)
