# Reference numbers of tests/test_cfa.py and tests/test_ordinal.py.
# Run from the repository root: Rscript tests/r/measurement.R
# Written with R 4.2.2 Patched (2022-11-10 r83330), lavaan 0.6-14, psych 2.2.9.
suppressMessages({library(lavaan); library(psych)})
shared <- Sys.getenv("ANALYSIS_SHARED_R", "../shared/datasets/r")
p <- function(...) cat(sprintf("%.10f", c(...)), "\n")
cat(R.version.string, "lavaan", as.character(packageVersion("lavaan")),
    "psych", as.character(packageVersion("psych")), "\n")

HS <- read.csv(file.path(shared, "lavaan", "HolzingerSwineford1939.csv"))
HS.model <- 'visual =~ x1+x2+x3; textual =~ x4+x5+x6; speed =~ x7+x8+x9'

## single-group ML CFA
fit <- cfa(HS.model, data = HS)
p(fitMeasures(fit, c("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea.ci.lower",
                     "rmsea.ci.upper", "srmr", "baseline.chisq", "baseline.df")))
print(standardizedSolution(fit), digits = 10)
print(head(modindices(fit, sort. = TRUE), 5), digits = 10)

## measurement invariance across schools
for (eq in list("", "loadings", c("loadings", "intercepts"),
                c("loadings", "intercepts", "residuals"))) {
  m <- cfa(HS.model, data = HS, group = "school", group.equal = eq)
  p(fitMeasures(m, c("chisq", "df", "cfi", "rmsea", "srmr")))
  p(fitMeasures(m, c("tli", "rmsea.ci.lower", "rmsea.ci.upper")))
}

bfi <- read.csv(file.path(shared, "psych", "bfi.csv"))
rev <- c("A1", "C4", "C5", "E1", "E2", "O2", "O5")
bfi[rev] <- 7 - bfi[rev]
bfi.model <- 'agree =~ A1+A2+A3+A4+A5; consc =~ C1+C2+C3+C4+C5;
              extra =~ E1+E2+E3+E4+E5; neuro =~ N1+N2+N3+N4+N5; open =~ O1+O2+O3+O4+O5'
fit2 <- cfa(bfi.model, data = bfi)
p(fitMeasures(fit2, c("chisq", "df", "cfi", "tli", "rmsea", "rmsea.ci.lower",
                      "rmsea.ci.upper", "srmr", "baseline.chisq")))

## polychoric correlations, ordinal alpha, omega-hierarchical (psych defaults)
A <- bfi[paste0("A", 1:5)]
pc <- polychoric(A)                       # global thresholds, ML per pair, optimize()
print(pc$rho, digits = 12); print(pc$tau, digits = 12)
p(alpha(pc$rho)$total$raw_alpha)          # ordinal alpha of the A scale
p(alpha(polychoric(bfi[paste0("C", 1:5)])$rho)$total$raw_alpha)
items <- paste0(rep(c("A", "C", "E", "N", "O"), each = 5), 1:5)
for (k in list(list(10, 3), list(15, 3), list(25, 5))) {
  o <- omega(bfi[items[1:k[[1]]]], nfactors = k[[2]], plot = FALSE)  # minres, oblimin, SL
  p(o$omega_h, o$omega.tot, o$ECV)
}

## ordered items: DWLS on polychoric correlations (WLSMV), listwise
for (m in c('agree =~ A1+A2+A3+A4+A5; consc =~ C1+C2+C3+C4+C5', bfi.model)) {
  fit <- cfa(m, data = bfi, ordered = TRUE, estimator = "WLSMV")
  cat("n", lavInspect(fit, "nobs"), "\n")
  pe <- parameterEstimates(fit); p(pe[pe$op == "=~", "est"]); p(pe[pe$op == "=~", "se"])
  ss <- standardizedSolution(fit); p(ss[ss$op == "=~", "est.std"]); p(ss[ss$op == "=~", "se"])
  p(ss[ss$op == "~~" & ss$lhs != ss$rhs & !grepl("[0-9]", ss$lhs), "est.std"])
  p(fitMeasures(fit, c("chisq", "df", "chisq.scaled", "chisq.scaling.factor", "cfi.scaled",
                       "tli.scaled", "rmsea.scaled", "rmsea.ci.lower.scaled",
                       "rmsea.ci.upper.scaled", "srmr", "cfi", "tli", "rmsea",
                       "baseline.chisq.scaled")))
  print(lavInspect(fit, "sampstat")$cov[1:3, 1:3], digits = 12)
  print(diag(lavInspect(fit, "gamma"))[51:53], digits = 12)
}

## full-information ML with missing answers
fit <- cfa('agree =~ A1+A2+A3+A4+A5; consc =~ C1+C2+C3+C4+C5', data = bfi, missing = "fiml")
cat("n", lavInspect(fit, "nobs"), "\n")
pe <- parameterEstimates(fit); p(pe[pe$op == "=~", "est"]); p(pe[pe$op == "=~", "se"])
ss <- standardizedSolution(fit); p(ss[ss$op == "=~", "est.std"]); p(ss[ss$op == "=~", "se"])
p(fitMeasures(fit, c("chisq", "df", "cfi", "tli", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper",
                     "srmr", "baseline.chisq", "logl", "unrestricted.logl")))
