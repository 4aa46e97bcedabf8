# Reference numbers for tests/test_multilevel.py (mixed models, ICC, cluster-robust OLS).
# Run from the repository root:  Rscript tests/r/mixed_models.R
# Data: tests/data/r/Dyestuff.csv (lme4::Dyestuff) and ../shared/datasets/r/nlme/MathAchieve.csv
# (nlme::MathAchieve, Rdatasets export).
suppressMessages({library(lme4); library(lmerTest); library(sandwich); library(lmtest)})
options(digits = 10)
cat(R.version.string, "\n")
for (p in c("lme4", "lmerTest", "sandwich", "lmtest")) cat(p, format(packageVersion(p)), "\n")

dy <- read.csv("tests/data/r/Dyestuff.csv")
ma <- read.csv("../shared/datasets/r/nlme/MathAchieve.csv")
ctrl <- lmerControl(optCtrl = list(xtol_abs = 1e-12, ftol_abs = 1e-14))

# lme4's default optimiser (bobyqa) stops when the REML criterion changes by ~1e-8, which
# leaves variances of random-slope models a few 1e-5 from the optimum. `polished()` minimises
# lme4's own deviance function (devFunOnly) further with optim(BFGS, reltol = 1e-16) and
# evaluates the model at that theta without optimising again (optimizer = NULL); lmerTest
# then gives Satterthwaite df at the converged estimates. These are the numbers in the tests.
polished <- function(formula, data, REML = TRUE) {
  m0 <- lmer(formula, data, REML = REML, control = ctrl)
  dv <- lmer(formula, data, REML = REML, devFunOnly = TRUE)
  o <- optim(getME(m0, "theta"), dv, method = "BFGS",
             control = list(reltol = 1e-16, ndeps = rep(1e-5, length(getME(m0, "theta"))), maxit = 1000))
  cat("theta lmer default:", format(getME(m0, "theta"), digits = 15), "\n")
  cat("theta polished:    ", format(o$par, digits = 15), "\n")
  lmer(formula, data, REML = REML, start = list(theta = o$par), control = lmerControl(optimizer = NULL))
}

show_fit <- function(m) {
  print(as.data.frame(VarCorr(m)), digits = 12)
  print(coef(summary(m)), digits = 12)
  cat("REMLcrit/deviance:", format(if (isREML(m)) REMLcrit(m) else deviance(m), digits = 14), "\n")
  cat("logLik:", format(as.numeric(logLik(m)), digits = 14), "\n")
}

cat("\n== Dyestuff: lmer(Yield ~ 1 + (1 | Batch), REML)\n")
m <- polished(Yield ~ 1 + (1 | Batch), dy)
show_fit(m)
a <- anova(lm(Yield ~ factor(Batch), dy))
cat("closed form tau2 = (MSB - MSW)/5:", format((a$`Mean Sq`[1] - a$`Mean Sq`[2]) / 5, digits = 14),
    " sigma2 = MSW:", format(a$`Mean Sq`[2], digits = 14), "\n")

cat("\n== MathAchieve: lmer(MathAch ~ 1 + (1 | School), REML)\n")
m0 <- polished(MathAch ~ 1 + (1 | School), ma)
show_fit(m0)
vc <- as.data.frame(VarCorr(m0))$vcov
icc1 <- vc[1] / sum(vc)
nj <- table(ma$School); N <- sum(nj); J <- length(nj)
n0 <- (N - sum(nj^2) / N) / (J - 1)
nw <- sum(nj^2) / N
cat("icc1", format(icc1, digits = 14), " n0", format(n0, digits = 14), " nbar", format(mean(nj), digits = 14),
    " nw", format(nw, digits = 14), "\n")
cat("icc2(n0)", format(n0 * icc1 / (1 + (n0 - 1) * icc1), digits = 14),
    " deff Kish 1 + (sum n^2/N - 1) icc1:", format(1 + (nw - 1) * icc1, digits = 14), "\n")

cat("\n== MathAchieve: lmer(MathAch ~ SES + (1 | School), REML), Satterthwaite\n")
m1 <- polished(MathAch ~ SES + (1 | School), ma)
show_fit(m1)
print(confint(m1, parm = "beta_", method = "Wald"), digits = 12)
cat("AIC (REML)", format(AIC(m1), digits = 14), "\n")

cat("\n== MathAchieve: lmer(MathAch ~ SES + MEANSES + (1 | School), REML), Satterthwaite\n")
m2 <- polished(MathAch ~ SES + MEANSES + (1 | School), ma)
show_fit(m2)

cat("\n== MathAchieve: same model, ML\n")
m2ml <- polished(MathAch ~ SES + MEANSES + (1 | School), ma, REML = FALSE)
show_fit(m2ml)
cat("AIC", format(AIC(m2ml), digits = 14), "\n")

cat("\n== MathAchieve: group-mean centred SES (cSES = SES - school mean of SES) + MEANSES, random slope\n")
ma$cSES <- ma$SES - ave(ma$SES, ma$School)
m3 <- polished(MathAch ~ cSES + MEANSES + (1 + cSES | School), ma)
show_fit(m3)
print(isSingular(m3))

cat("\n== MathAchieve: lmer(MathAch ~ SES + MEANSES + (1 + SES | School), REML)\n")
m4 <- polished(MathAch ~ SES + MEANSES + (1 + SES | School), ma)
show_fit(m4)
print(isSingular(m4))
cat("-- the same at lmer's default stop (not polished)\n")
show_fit(lmer(MathAch ~ SES + MEANSES + (1 + SES | School), ma, control = ctrl))

cat("\n== MathAchieve: OLS with school-clustered SEs, CR1 (HC1)\n")
ols <- lm(MathAch ~ SES + MEANSES + Sex, ma)
print(coeftest(ols, vcov. = vcovCL(ols, cluster = ~School, type = "HC1")), digits = 12)
cat("t with G - 1 = 159 df (Stata):\n")
print(coeftest(ols, vcov. = vcovCL(ols, cluster = ~School, type = "HC1"), df = 159), digits = 12)
print(coefci(ols, vcov. = vcovCL(ols, cluster = ~School, type = "HC1"), df = 159), digits = 12)
print(coefci(ols, vcov. = vcovCL(ols, cluster = ~School, type = "HC1")), digits = 12)
cat("residual df", df.residual(ols), "\n")
print(summary(ols)$coefficients, digits = 12)

cat("\n== airquality: singular and regular random intercepts by Day\n")
aq <- read.csv("tests/data/r/airquality.csv")
for (f in c("Wind ~ Temp + (1 | Day)", "Ozone ~ Temp + (1 | Day)")) {
  m <- lmer(as.formula(f), aq)
  cat(f, " isSingular:", isSingular(m), " nobs:", nobs(m), "\n")
  show_fit(m)
}

cat("\n== MathAchieve: three random effects, lmer(MathAch ~ SES + Minority + (1 + SES + Minority | School))\n")
m6 <- polished(MathAch ~ SES + Minority + (1 + SES + Minority | School), ma)
show_fit(m6)
print(isSingular(m6))
