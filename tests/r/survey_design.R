# Reference values for tests/test_survey_design.py (design-based inference).
# Run from the repository root:  Rscript tests/r/survey_design.R
# Prints one Python-literal line per quantity, with 15 significant digits.
suppressPackageStartupMessages(library(survey))
cat(sprintf("# %s, survey %s\n", R.version.string, packageVersion("survey")))
d <- "tests/data/r"
apistrat <- read.csv(file.path(d, "apistrat.csv"))
apiclus1 <- read.csv(file.path(d, "apiclus1.csv"))
apiclus2 <- read.csv(file.path(d, "apiclus2.csv"))
out <- function(name, x) cat(sprintf("%s = [%s]\n", name, paste(sprintf("%.15g", unname(x)), collapse = ", ")))
stat <- function(name, s) { out(paste0(name, "_est"), coef(s)); out(paste0(name, "_se"), SE(s)) }

dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = apistrat)
dclus1 <- svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1)
dclus2 <- svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2)
dw <- svydesign(id = ~1, weights = ~pw, data = apistrat)  # weights only

for (nm in c("dstrat", "dclus1", "dclus2", "dw")) {
  des <- get(nm)
  cat(sprintf("# ---- %s\n", nm))
  stat(paste0(nm, "_mean_api00"), svymean(~api00, des))
  out(paste0(nm, "_ci_api00"), confint(svymean(~api00, des), df = degf(des)))
  stat(paste0(nm, "_total_enroll"), svytotal(~enroll, des, na.rm = TRUE))
  out(paste0(nm, "_degf"), degf(des))
  b <- svyby(~api00, ~stype, des, svymean)
  stat(paste0(nm, "_by_stype_api00"), b)
  tt <- svyttest(api00 ~ sch.wide, des)
  out(paste0(nm, "_ttest"), c(tt$estimate, tt$statistic, tt$parameter, tt$p.value))
  m <- svyglm(api00 ~ stype, des)
  rt <- regTermTest(m, ~stype)
  out(paste0(nm, "_wald_stype"), c(rt$Ftest, rt$df, rt$ddf, rt$p))
  for (st in c("F", "Chisq", "adjWald")) {
    x <- svychisq(~sch.wide + stype, des, statistic = st)
    out(paste0(nm, "_chisq_", st), c(x$statistic, x$parameter, x$p.value))
  }
  p <- svyciprop(~I(sch.wide == "Yes"), des, method = "logit")
  out(paste0(nm, "_ciprop_logit"), c(coef(p), SE(p), attr(p, "ci")))
  p <- svyciprop(~I(sch.wide == "Yes"), des, method = "mean")
  out(paste0(nm, "_ciprop_mean"), c(coef(p), SE(p), attr(p, "ci")))
  stat(paste0(nm, "_mean_schwide"), svymean(~sch.wide, des))
  b <- svyby(~I(sch.wide == "Yes"), ~stype, des, svyciprop, vartype = c("se", "ci"))
  out(paste0(nm, "_by_ciprop_logit"), c(coef(b), SE(b), b$ci_l, b$ci_u))
  stat(paste0(nm, "_by_stype_total_enroll"), svyby(~enroll, ~stype, des, svytotal, na.rm = TRUE))
}
cat("# ---- calibration on dclus1\n")
pop.types <- data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))
pop.schwide <- data.frame(sch.wide = c("No", "Yes"), Freq = c(1072, 5122))
dclus1p <- postStratify(dclus1, ~stype, pop.types)
stat("post_mean_api00", svymean(~api00, dclus1p))
stat("post_total_enroll", svytotal(~enroll, dclus1p))
out("post_weights_first5", weights(dclus1p)[1:5])
# raked to convergence (R's default stops when margins are within 1 unit)
dclus1r <- rake(dclus1, list(~stype, ~sch.wide), list(pop.types, pop.schwide),
                control = list(maxit = 100, epsilon = 1e-9))
stat("rake_mean_api00", svymean(~api00, dclus1r))
stat("rake_total_enroll", svytotal(~enroll, dclus1r))
out("rake_weights_first5", weights(dclus1r)[1:5])
out("rake_weight_totals_stype", coef(svytotal(~stype, dclus1r)))
stat("rake_by_stype_api00", svyby(~api00, ~stype, dclus1r, svymean))
x <- svychisq(~sch.wide + stype, dclus1p)
out("post_chisq_F", c(x$statistic, x$parameter, x$p.value))
