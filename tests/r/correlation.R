# Reference numbers for tests/test_association_r.py (cor_test, correlation_matrix).
# Run from the repository root: Rscript tests/r/correlation.R   (R 4.2.2 Patched r83330, stats; psych 2.2.9)
x30 <- c(20, 10, 3, 8, 24, 25, 12, 7, 13, 18, 4, 28, 30, 17, 2, 26, 21, 29, 19, 5, 27, 16, 11,
         14, 23, 1, 6, 22, 15, 9)
y30 <- c(11.83, 3.2, -3.61, 6.24, 15.52, -3.89, 2.39, -5.26, 3.42, -3.66, 1.65, 10.06, 8.67,
         -2.09, -2.43, 0.89, -3.07, 12.53, -1.84, 11.21, 15.72, -10.06, 6.25, -3.63, 8.77, 0.72,
         -13.69, 6.27, 3.5, 11.03)
x8 <- c(6, 1, 2, 5, 3, 7, 4, 8); y8 <- c(2, 7, 8, 3, 4, 5, 6, 1)
show <- function(t) print(c(unlist(t[c("estimate", "statistic", "p.value")]), t$conf.int), digits = 12)
show(cor.test(x30, y30, method = "spearman"))                           # Edgeworth (AS 89)
show(cor.test(x30, y30, method = "spearman", alternative = "greater"))
show(cor.test(x8, y8, method = "spearman"))                             # exact, n <= 9
show(cor.test(x8, y8, method = "spearman", alternative = "less"))
show(suppressWarnings(cor.test(round(x30 / 3), y30, method = "spearman")))  # ties: t approximation
show(cor.test(x30, y30))                                                 # Pearson, Fisher-z CI
show(cor.test(x30, y30, conf.level = 0.9, alternative = "greater"))
shared <- if (dir.exists("../shared")) "../shared/datasets/r" else "/work/shared/datasets/r"
a <- read.csv(file.path(shared, "datasets/attitude.csv"))
suppressMessages(library(psych))
ct <- corr.test(a[, c("rating", "complaints", "learning", "raises")])   # adjust = "holm"
print(ct$r, digits = 12); print(ct$p, digits = 12)                      # lower: raw p, upper: Holm
print(ct$ci, digits = 12)
