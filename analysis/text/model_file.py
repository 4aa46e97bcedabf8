"""What the text models share: their file format, their text check and their softmax.

Saved models are JSON, gzip-compressed when the name ends in ``.gz``. The dimension
classifier and the encoder head both use these, so both write byte-identical files for
identical models (sorted keys, no gzip time stamp).
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from analysis.core.errors import InputError

#: Stopping tolerance and iteration cap of the text models' lbfgs fits. scikit-learn's default
#: tolerance (1e-4) stops the high-C fits of the n-gram model far from their optimum (on the
#: labelled corpus, decision scores up to 35 away from a fit at 1e-8, and 13 of 2,517
#: out-of-fold labels different), so a result depended on the solver's path, which can differ
#: between machines; at 1e-6 every label agrees with the fit at 1e-8.
SOLVER_TOL = 1e-6
SOLVER_MAX_ITER = 20000


def logistic_regression(C: float, class_weight: str | None) -> Any:
    """The text models' ``LogisticRegression``: lbfgs run to :data:`SOLVER_TOL`."""
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(
        C=C, class_weight=class_weight, tol=SOLVER_TOL, max_iter=SOLVER_MAX_ITER
    )


def fit_multinomial(
    features: Any, labels: Sequence[str], C: float, class_weight: str | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Classes, coefficients and intercepts of one :func:`logistic_regression` fit.

    With two classes scikit-learn keeps one row of weights (for the second class); it is
    returned as two opposite rows, so every model has one row per class.
    """
    model = logistic_regression(C, class_weight).fit(features, labels)
    classes = np.asarray([str(c) for c in model.classes_], dtype=object)
    if len(classes) == 2:
        return (
            classes,
            np.vstack([-model.coef_, model.coef_]),
            np.array([-model.intercept_[0], model.intercept_[0]]),
        )
    return classes, model.coef_, model.intercept_


def char_tfidf(ngram_range: tuple[int, int], min_df: int, max_features: int | None) -> Any:
    """The text models' character n-gram TF-IDF (sublinear, case kept, float64)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        analyzer="char",
        ngram_range=tuple(ngram_range),
        min_df=min_df,
        max_features=max_features,
        sublinear_tf=True,
        lowercase=False,
        dtype=np.float64,
    )


def tfidf_to_dict(vectorizer: Any) -> dict[str, Any]:
    """A fitted :func:`char_tfidf`'s vocabulary (by column) and IDF weights, JSON-ready."""
    vocab = sorted(vectorizer.vocabulary_.items(), key=lambda kv: kv[1])
    return {
        "vocabulary": [g for g, _ in vocab],
        "idf": np.round(vectorizer.idf_, 6).tolist(),
    }


def tfidf_from_dict(vectorizer: Any, data: dict[str, Any]) -> Any:
    """``vectorizer`` (unfitted, with the saved settings) given :func:`tfidf_to_dict`'s data."""
    vectorizer.vocabulary = {g: i for i, g in enumerate(data["vocabulary"])}
    vectorizer.idf_ = np.asarray(data["idf"], dtype=float)
    return vectorizer


def linear_to_dict(
    classes: Sequence[str], coef: np.ndarray, intercept: np.ndarray, decimals: int = 6
) -> dict[str, Any]:
    """A linear model's classes, weights and intercepts, rounded, JSON-ready."""
    return {
        "classes": [str(c) for c in classes],
        "coef": np.round(coef, decimals).tolist(),
        "intercept": np.round(intercept, decimals).tolist(),
    }


def linear_from_dict(data: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Classes, weights and intercepts saved by :func:`linear_to_dict`."""
    return (
        np.asarray(data["classes"], dtype=object),
        np.asarray(data["coef"], dtype=float),
        np.asarray(data["intercept"], dtype=float),
    )


def write_model_json(data: dict[str, Any], path: str | Path) -> Path:
    """Write ``data`` as UTF-8 JSON with sorted keys; gzip (no time stamp) for ``.gz``."""
    path = Path(path)
    raw = json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")
    path.write_bytes(gzip.compress(raw, mtime=0) if path.suffix == ".gz" else raw)
    return path


def read_model_json(path: str | Path) -> dict[str, Any]:
    """Read a file written by :func:`write_model_json`, compressed or not."""
    raw = Path(path).read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    return json.loads(raw.decode("utf-8"))


def texts_of(X: Sequence[str]) -> list[str]:
    """``X`` as a list of strings (``None`` as empty); a lone string is refused."""
    if isinstance(X, str):
        raise InputError("pass a sequence of texts, not a single string")
    return ["" if v is None else str(v) for v in X]


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax of class scores ``z`` (shifted by the row maximum, for overflow)."""
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)
