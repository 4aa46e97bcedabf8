"""The document around a passage as evidence of what the passage is about.

A passage cut from a work report or a regulation is read by a coder in its place: the
article before it, the heading of its chapter, the sentence after it. A passage that names
no dimension of its own ("对符合条件的，按规定给予补助") is about livelihood in a chapter on
social assistance and about members in one on party members in hardship. The classifiers of
:mod:`analysis.text.classifier` and :mod:`analysis.text.encoder_head` read the passage alone;
:class:`ContextClassifier` reads the text around it (``width`` characters before and after,
the passage itself left out) and learns which label the passage in the middle has.

Its probabilities are mixed into a method's own, ``(1 - w) * p_method + w * p_context``, with a
weight ``w`` per method chosen on development folds of whole documents
(``scripts/validate_context.py``), and the mixture has a temperature of its own. The lexicon
method is never mixed: it stays the dictionary's measure alone. Only passages whose document
is known get the mixture: :func:`~analysis.text.classify.classify_texts` with
``by_passage=True``, or a ``context`` column (:func:`~analysis.split_passages` with
``context_chars``); a passage given alone is classified as before.

The packaged context classifier ships in ``analysis/resources/models`` and loads on first use
(:func:`default_context_classifier`); its held-out figures are in ``docs/validation_context.md``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from analysis.core.errors import ConfigError, InputError
from analysis.core.provenance import __version__
from analysis.text.evaluation import aligned, macro_f1
from analysis.text.features import simplified
from analysis.text.model_file import (
    char_tfidf,
    fit_multinomial,
    linear_from_dict,
    linear_to_dict,
    read_model_json,
    softmax,
    texts_of,
    tfidf_from_dict,
    tfidf_to_dict,
    write_model_json,
)
from analysis.text.temperature import fit_temperature, method_temperature

__all__ = [
    "CONTEXT_CHARS",
    "ContextClassifier",
    "choose_weights",
    "context_classifier_for",
    "default_context_classifier",
    "has_context",
    "passage_context",
]

FORMAT = "analysis-context-classifier/1"
#: Characters read on each side of a passage (chosen on the development folds).
CONTEXT_CHARS = 300
#: The methods a context classifier can be mixed into (never ``"lexicon"``).
MIXED_METHODS = ("model", "ensemble", "encoder", "encoder_ensemble")
#: Weights of the context tried for each method by :func:`choose_weights`.
WEIGHT_GRID = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)
_DEFAULT_MODEL = "service-five-context.json.gz"


def passage_context(text: str, start: int, end: int, width: int = CONTEXT_CHARS) -> str:
    """The ``width`` characters of ``text`` before ``start`` and after ``end``, with a blank
    between them (the passage ``text[start:end]`` itself left out).

    Examples
    --------
    >>> passage_context("甲乙丙丁戊", 2, 3, width=1)
    '乙 丁'
    """
    if width < 0:
        raise InputError(f"passage_context: width must be 0 or more; got {width}")
    return f"{text[max(0, start - width) : start]} {text[end : end + width]}"


def has_context(contexts: Sequence[str]) -> np.ndarray:
    """Which contexts hold something to read (a passage alone in its document has none)."""
    return np.fromiter(
        (any(not c.isspace() for c in str(v)) for v in contexts), dtype=bool, count=len(contexts)
    )


def choose_weights(
    labels: Sequence[str],
    method_proba: Mapping[str, np.ndarray],
    context_proba: np.ndarray,
    classes: Sequence[str],
    grid: Sequence[float] = WEIGHT_GRID,
) -> tuple[dict[str, float], dict[str, float], dict[str, dict[float, float]]]:
    """Each method's context weight and mixture temperature, from out-of-fold predictions.

    Parameters
    ----------
    labels
        The passages' true labels.
    method_proba
        Each method's untempered out-of-fold probabilities (columns ``classes``).
    context_proba
        The context classifier's out-of-fold probabilities (columns ``classes``), every
        passage with a context.
    classes
        Column labels.
    grid
        Weights tried; ties go to the smaller weight.

    Returns
    -------
    (dict, dict, dict)
        The weight of each method with the best macro-F1; the temperature of its mixture
        (:func:`~analysis.text.temperature.fit_temperature`); and the macro-F1 of every
        weight tried, by method.
    """
    unknown = sorted(set(method_proba) - set(MIXED_METHODS))
    if unknown:
        raise ConfigError(f"choose_weights: methods {unknown} cannot be mixed with a context")
    y = np.asarray([str(v) for v in labels], dtype=object)
    names = np.asarray([str(c) for c in classes], dtype=object)
    scores: dict[str, dict[float, float]] = {}
    weights: dict[str, float] = {}
    temperatures: dict[str, float] = {}
    for method, proba in method_proba.items():
        mixtures = {w: (1 - w) * proba + w * context_proba for w in grid}
        scores[method] = {
            float(w): macro_f1(y, names[p.argmax(axis=1)], list(names)) for w, p in mixtures.items()
        }
        best = max(grid, key=lambda w: (scores[method][float(w)], -w))
        weights[method] = float(best)
        temperatures[method] = fit_temperature(y, mixtures[best], list(names))
    return weights, temperatures, scores


class ContextClassifier(ClassifierMixin, BaseEstimator):
    """Classify a passage by the text around it.

    Parameters
    ----------
    width
        Characters read on each side of the passage (:func:`passage_context`); recorded so
        that contexts are cut at prediction as they were at training.
    ngram_range, min_df, max_features
        Character n-grams of the context, as in
        :class:`~analysis.text.classifier.DimensionClassifier`.
    C
        Inverse regularisation strength of the multinomial logistic regression.
    class_weight
        ``"balanced"`` (default) or ``None``, as in scikit-learn.
    weights
        Weight of the context's probabilities mixed into each method's (``"model"``,
        ``"ensemble"``, ``"encoder"``, ``"encoder_ensemble"``); a method left out is not
        mixed.
    temperatures
        Temperature of each mixed method's probabilities (a method left out keeps 1), as
        :class:`~analysis.text.classifier.DimensionClassifier`'s ``temperatures``.

    Attributes
    ----------
    classes_ : numpy.ndarray
        Labels in the order of :meth:`predict_proba`'s columns.
    info_ : dict
        Provenance: training fingerprint, passage counts, version.

    Examples
    --------
    >>> ctx = ContextClassifier(min_df=1).fit(["第五章 党员 先进", "第二章 就业 培训"],
    ...                                       ["members", "livelihood"])
    >>> str(ctx.predict(["第五章 党员"])[0])
    'members'
    """

    def __init__(
        self,
        *,
        width: int = CONTEXT_CHARS,
        ngram_range: tuple[int, int] = (1, 2),
        min_df: int = 2,
        max_features: int | None = 20000,
        C: float = 10.0,
        class_weight: str | None = "balanced",
        weights: Mapping[str, float] | None = None,
        temperatures: Mapping[str, float] | None = None,
    ) -> None:
        self.width = width
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_features = max_features
        self.C = C
        self.class_weight = class_weight
        self.weights = weights
        self.temperatures = temperatures

    def weight(self, method: str) -> float:
        """The weight of the context in ``method``'s probabilities (0: not mixed)."""
        weights = dict(self.weights or {})
        unknown = sorted(set(weights) - set(MIXED_METHODS))
        if unknown:
            raise ConfigError(
                f"the context classifier's weights name methods {unknown}; it can be mixed "
                f"into {list(MIXED_METHODS)} only"
            )
        value = weights.get(method, 0.0)
        if isinstance(value, bool) or not 0 <= float(value) <= 1:
            raise ConfigError(
                f"the context classifier's weight of {method!r} must be in [0, 1]; got {value!r}"
            )
        return float(value)

    def temperature(self, method: str) -> float:
        """The temperature of ``method``'s mixed probabilities (1 when none was learnt)."""
        return method_temperature(self.temperatures, method, MIXED_METHODS, "context classifier")

    def _vectorizer(self) -> Any:
        return char_tfidf(self.ngram_range, self.min_df, self.max_features)

    def fit(self, X: Sequence[str], y: Sequence[str]) -> ContextClassifier:
        """Fit on contexts ``X`` (:func:`passage_context`) with their passages' labels ``y``."""
        from analysis.text.classifier import training_fingerprint

        contexts = texts_of(X)
        labels = [str(v) for v in y]
        if len(labels) != len(contexts):
            raise InputError(f"got {len(contexts)} contexts but {len(labels)} labels")
        if len(set(labels)) < 2:
            raise InputError("a classifier needs at least two different labels to learn from")
        for method in MIXED_METHODS:  # bad weights are said before the fit, not after
            self.weight(method)
        self.vectorizer_ = self._vectorizer()
        grams = self.vectorizer_.fit_transform([simplified(c) for c in contexts])
        self.classes_, coef, intercept = fit_multinomial(grams, labels, self.C, self.class_weight)
        # rounded as saved, so a model read back predicts exactly what the fitted one does
        self.vectorizer_.idf_ = np.round(self.vectorizer_.idf_, 6)
        self.coef_, self.intercept_ = np.round(coef, 6), np.round(intercept, 6)
        self.info_ = {
            "width": self.width,
            "training_fingerprint": training_fingerprint(contexts, labels),
            "n_passages": len(contexts),
            "label_counts": {c: labels.count(c) for c in sorted(set(labels))},
            "analysis_version": __version__,
        }
        return self

    def predict_proba(self, X: Sequence[str]) -> np.ndarray:
        """Probability of each class (columns in the order of ``classes_``)."""
        self._check_fitted()
        grams = self.vectorizer_.transform([simplified(c) for c in texts_of(X)])
        return softmax(np.asarray(grams @ self.coef_.T) + self.intercept_)

    def predict(self, X: Sequence[str]) -> np.ndarray:
        """The most probable label of each context's passage."""
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def mix(
        self,
        proba: np.ndarray,
        classes: Sequence[str],
        contexts: Sequence[str],
        method: str,
    ) -> tuple[np.ndarray, np.ndarray]:
        """``method``'s untempered probabilities mixed with the contexts', where there are any.

        Parameters
        ----------
        proba
            The method's own probabilities, columns ``classes``, one row per passage.
        classes
            Column labels of ``proba``; the context classifier must know no other label.
        contexts
            Each passage's context (:func:`passage_context`; blank: none known).
        method
            The method whose weight applies.

        Returns
        -------
        (numpy.ndarray, numpy.ndarray)
            The probabilities, mixed in the rows with a context and as they were in the
            others, and which rows were mixed.
        """
        proba = np.asarray(proba, dtype=float)
        w = self.weight(method)
        mixed = has_context(contexts) if w > 0 else np.zeros(len(contexts), dtype=bool)
        if len(contexts) != len(proba):
            raise InputError(f"got {len(proba)} rows of probabilities but {len(contexts)} contexts")
        if not mixed.any():
            return proba.copy(), mixed
        extra = sorted({str(c) for c in self.classes_} - {str(c) for c in classes})
        if extra:
            raise ConfigError(
                f"the context classifier knows labels {extra} that the classifier's framework "
                f"lacks ({list(classes)}); train both on passages of one framework"
            )
        rows = np.flatnonzero(mixed)
        own = aligned(self.predict_proba([contexts[i] for i in rows]), self.classes_, classes)
        out = proba.copy()
        out[rows] = (1 - w) * proba[rows] + w * own
        return out, mixed

    def _check_fitted(self) -> None:
        if not hasattr(self, "coef_"):
            raise ConfigError("this ContextClassifier is not fitted yet: call fit() first")

    # ------------------------------------------------------------------ saving
    def to_dict(self) -> dict[str, Any]:
        """Everything needed to predict, as plain JSON-ready data."""
        self._check_fitted()
        return {
            "format": FORMAT,
            "params": {
                "width": self.width,
                "ngram_range": list(self.ngram_range),
                "min_df": self.min_df,
                "max_features": self.max_features,
                "C": self.C,
                "class_weight": self.class_weight,
                "weights": None if self.weights is None else dict(self.weights),
                "temperatures": None if self.temperatures is None else dict(self.temperatures),
            },
            "info": copy.deepcopy(self.info_),
            **tfidf_to_dict(self.vectorizer_),
            **linear_to_dict(self.classes_, self.coef_, self.intercept_),
        }

    def save(self, path: str | Path) -> Path:
        """Write the model as JSON (gzip-compressed when the name ends in ``.gz``)."""
        return write_model_json(self.to_dict(), path)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ContextClassifier:
        """Rebuild a fitted context classifier from :meth:`to_dict` output."""
        if data.get("format") != FORMAT:
            raise ConfigError(f"not a saved context classifier (format {data.get('format')!r})")
        params = dict(data["params"])
        params["ngram_range"] = tuple(params["ngram_range"])
        clf = cls(**params)
        clf.vectorizer_ = tfidf_from_dict(clf._vectorizer(), data)
        clf.classes_, clf.coef_, clf.intercept_ = linear_from_dict(data)
        clf.info_ = copy.deepcopy(data["info"])
        return clf

    @classmethod
    def load(cls, path: str | Path) -> ContextClassifier:
        """Read a model written by :meth:`save`."""
        return cls.from_dict(read_model_json(path))


def context_classifier_for(
    method: str, classifier: Any = None, given: ContextClassifier | None = None
) -> ContextClassifier | None:
    """The context classifier mixed into ``method`` beside ``classifier`` (None: none is).

    ``given`` is used as it is. Otherwise the packaged one, but only beside the packaged
    model (``classifier`` None, or one with the training fingerprint it records): its
    weights were chosen beside that model, so a study's own classifier needs a context
    classifier of its own (:func:`~analysis.text.training.train_context_classifier`). The
    lexicon, and a method of weight 0, get none.
    """
    if method == "lexicon":
        return None
    if given is None:
        given = default_context_classifier()
        fingerprint = None if classifier is None else classifier.info_.get("training_fingerprint")
        if classifier is not None and fingerprint != given.info_.get("model_fingerprint"):
            return None
    return given if given.weight(method) > 0 else None


_LOADED: dict[str, ContextClassifier] = {}


def default_context_classifier() -> ContextClassifier:
    """The packaged context classifier for the ``service-five`` framework (loaded once).

    Trained on the contexts of the labelled corpus passages; its figures on held-out
    documents are in ``docs/validation_context.md``.
    """
    if _DEFAULT_MODEL not in _LOADED:
        path = Path(str(resources.files("analysis") / "resources" / "models" / _DEFAULT_MODEL))
        if not path.exists():
            raise ConfigError(
                f"the packaged context classifier {path} is missing; reinstall analysis"
            )
        _LOADED[_DEFAULT_MODEL] = ContextClassifier.load(path)
    return _LOADED[_DEFAULT_MODEL]
