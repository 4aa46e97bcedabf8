# Reference numbers for tests/test_ordinal_r.py (ordered_logit, brant_test).
# Run from the repository root: Rscript tests/r/ordered_logit.R   (R 4.2.2, ordinal 2022.11.16, MASS 7.3-58.2)
library(ordinal)
shared <- if (dir.exists("../shared")) "../shared/datasets/r" else "/work/shared/datasets/r"
s <- read.csv(file.path(shared, "MASS/survey.csv"), na.strings = c("NA", ""))
s$Exer <- factor(s$Exer, levels = c("None", "Some", "Freq"), ordered = TRUE)
f <- clm(Exer ~ Sex + Age, data = s)
print(coef(f), digits = 12); print(sqrt(diag(vcov(f))), digits = 12); print(logLik(f), digits = 12)

# Brant (1990) by hand (brant::brant is not packaged for Debian): binary logits 1[Y > j]
# by glm(), joint covariance (X'W_j X)^-1 X'W_jm X (X'W_m X)^-1, W_jm = pi_m - pi_j pi_m.
brant_by_hand <- function(formula, data, K) {
  data <- na.omit(data[, all.vars(formula)])
  X <- model.matrix(formula[-2], data)
  y <- as.integer(data[[all.vars(formula)[1]]])
  fits <- lapply(1:(K - 1), function(j) glm.fit(X, as.numeric(y > j), family = binomial()))
  pis <- sapply(fits, function(f) f$fitted.values)
  q <- ncol(X); V <- matrix(0, (K - 1) * q, (K - 1) * q)
  for (j in 1:(K - 1)) for (m in j:(K - 1)) {
    Wj <- pis[, j] * (1 - pis[, j]); Wm <- pis[, m] * (1 - pis[, m]); Wjm <- pis[, m] - pis[, j] * pis[, m]
    B <- solve(t(X) %*% (X * Wj)) %*% (t(X) %*% (X * Wjm)) %*% solve(t(X) %*% (X * Wm))
    V[((j - 1) * q + 1):(j * q), ((m - 1) * q + 1):(m * q)] <- B
    V[((m - 1) * q + 1):(m * q), ((j - 1) * q + 1):(j * q)] <- t(B)
  }
  p <- q - 1
  idx <- unlist(lapply(1:(K - 1), function(j) ((j - 1) * q + 2):(j * q)))
  bstar <- unlist(lapply(fits, function(f) coef(f)[-1])); Vs <- V[idx, idx]
  D <- matrix(0, (K - 2) * p, (K - 1) * p)
  for (j in 1:(K - 2)) {
    D[((j - 1) * p + 1):(j * p), 1:p] <- diag(p)
    D[((j - 1) * p + 1):(j * p), (j * p + 1):((j + 1) * p)] <- -diag(p)
  }
  w <- function(Dm) { d <- Dm %*% bstar; drop(t(d) %*% solve(Dm %*% Vs %*% t(Dm)) %*% d) }
  out <- c(omnibus = w(D), sapply(1:p, function(i) w(D[seq(i, (K - 2) * p, by = p), , drop = FALSE])))
  names(out)[-1] <- colnames(X)[-1]
  out
}
print(brant_by_hand(Exer ~ Sex + Age, s, 3), digits = 12)
b <- read.csv(file.path(shared, "psych/bfi.csv"))
b$A2 <- factor(b$A2, levels = 1:6, ordered = TRUE)
print(brant_by_hand(A2 ~ gender + age, b, 6), digits = 12)
fb <- clm(A2 ~ gender + age, data = b)
print(coef(fb), digits = 12); print(logLik(fb), digits = 12)
