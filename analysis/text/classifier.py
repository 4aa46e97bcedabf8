"""The trained dimension classifier: character n-grams plus lexicon evidence, logistic regression.

:class:`DimensionClassifier` is a scikit-learn estimator (``fit``, ``predict``,
``predict_proba``, ``get_params``; works with ``clone``, ``cross_val_predict``, grid search)
whose inputs are raw texts and whose classes are the framework's dimensions plus ``none``.
Features: TF-IDF of character 1-3-grams of the simplified text (robust to segmentation and
to words the lexicon never listed) next to the lexicon's per-dimension evidence
(:class:`~analysis.text.features.LexiconEvidence`). ``none`` is a class the model learns from
labelled procedure, ceremony and other passages, not the absence of hits.

With ``nb_scaling`` the classes are fitted one against the rest, each on the features scaled
by that class's naive-Bayes log-count ratio (NBSVM, Wang and Manning 2012, "Baselines and
bigrams", ACL), which often suits short texts better; the scaling folds into each class's
coefficients, so the fitted model is the same kind of linear model and file. Every fit runs
to a tight tolerance (:data:`~analysis.text.model_file.SOLVER_TOL`): at scikit-learn's default
the solver stops far enough from the optimum that labels depend on its path.

A fitted classifier is saved as plain JSON (vocabulary, idf, coefficients, the lexicon and
the training data's fingerprint): no pickle, readable across scikit-learn versions, and the
default model ships in ``analysis/resources/models``.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import sparse
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import TfidfVectorizer

from analysis.core.errors import ConfigError, InputError
from analysis.core.provenance import __version__
from analysis.text.features import LexiconEvidence, lexicon_evidence, simplified
from analysis.text.lexicon_rule import LexiconRule
from analysis.text.model_file import (
    char_tfidf,
    fit_multinomial,
    linear_from_dict,
    linear_to_dict,
    logistic_regression,
    read_model_json,
    softmax,
    texts_of,
    tfidf_from_dict,
    tfidf_to_dict,
    write_model_json,
)
from analysis.text.temperature import method_temperature

if TYPE_CHECKING:
    from analysis.text.lexicon import Lexicon

__all__ = [
    "DimensionClassifier",
    "default_classifier",
    "none_cue_fingerprint",
    "subject_fingerprint",
    "training_fingerprint",
    "weight_fingerprint",
]

NONE = "none"
#: The methods of :func:`~analysis.text.classify.classify_texts` whose probabilities come
#: from this model and its lexicon rule, each with its own temperature.
TEMPERED_METHODS = ("lexicon", "model", "ensemble")
FORMAT = "analysis-dimension-classifier/1"
_DEFAULT_MODEL = "service-five-classifier.json.gz"


def _digest(text: str) -> str:
    """First 16 hex digits of the SHA-256 of ``text``: a lexicon part's fingerprint."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def none_cue_fingerprint(lexicon: Lexicon) -> str | None:
    """SHA-256 (first 16 hex digits) of a lexicon's ``none`` cues; ``None`` without cues."""
    if not lexicon.none_cues:
        return None
    return _digest("\n".join(lexicon.none_cues))


def subject_fingerprint(lexicon: Lexicon) -> str | None:
    """SHA-256 (first 16 hex digits) of a lexicon's subject terms; ``None`` without them."""
    if not any(lexicon.subjects.values()):
        return None
    return _digest(
        "\n".join(f"{d}\t{' '.join(words)}" for d, words in sorted(lexicon.subjects.items()))
    )


def weight_fingerprint(lexicon: Lexicon) -> str:
    """SHA-256 (first 16 hex digits) of a lexicon's terms and phrases with their weights.

    Name and version say which lexicon a model was trained with; this says with which
    weights, so that a model is not silently used with a recalibrated or hand-weighted copy
    (its evidence features and the rule's bars were learnt on the weights it saw).
    """
    frame = lexicon.to_frame().sort_values(["kind", "dimension", "term"])
    rows = zip(frame["kind"], frame["dimension"], frame["term"], frame["weight"], strict=True)
    return _digest("\n".join(f"{k}\t{d}\t{t}\t{float(w):.6g}" for k, d, t, w in rows))


def training_fingerprint(texts: Sequence[str], labels: Sequence[str]) -> str:
    """SHA-256 over the (text, label) pairs in order: which data a model was trained on."""
    h = hashlib.sha256()
    for text, label in zip(texts, labels, strict=True):
        h.update(text.encode("utf-8"))
        h.update(b"\x1f")
        h.update(str(label).encode("utf-8"))
        h.update(b"\x1e")
    return h.hexdigest()


class DimensionClassifier(ClassifierMixin, BaseEstimator):
    """Classify texts into the dimensions of a lexicon's framework or ``none``.

    Parameters
    ----------
    lexicon
        Lexicon whose evidence is a feature block and whose label rule is calibrated
        alongside (default: the packaged ``service-five``).
    ngram_range
        Character n-gram lengths.
    min_df
        Minimum number of training texts an n-gram must occur in.
    max_features
        Largest vocabulary kept (most frequent n-grams).
    lexicon_weight
        Scale of the lexicon block next to the unit-length TF-IDF row; 0 leaves it out.
    C
        Inverse regularisation strength of the logistic regression.
    class_weight
        ``"balanced"`` (default) or ``None``, as in scikit-learn.
    subject_weight
        Evidence a subject clause adds in the lexicon rule (see
        :class:`~analysis.text.lexicon_rule.LexiconRule`), fitted alongside the model.
    ensemble_weight
        Weight of this model's probabilities in the ``"ensemble"`` method of
        :func:`~analysis.text.classify.classify_texts` (the lexicon rule has the rest).
    nb_scaling
        Fit one binary logistic regression per class on features scaled by the class's
        naive-Bayes log-count ratio (NBSVM) instead of one multinomial regression;
        probabilities are then the classes' sigmoids normalised to sum to one.
    temperatures
        Temperature of each method's probabilities in
        :func:`~analysis.text.classify.classify_texts` (``"lexicon"``, ``"model"``,
        ``"ensemble"``; a method left out keeps 1): the stated probabilities are raised to
        ``1 / T`` and renormalised (:mod:`analysis.text.temperature`), which calibrates them
        and changes no label. :func:`~analysis.text.training.train_classifier` learns them
        from grouped cross-validation when given a document column; :meth:`predict_proba`
        is the model's own, untempered output.

    Attributes
    ----------
    classes_ : numpy.ndarray
        Labels in the order of :meth:`predict_proba`'s columns.
    lexicon_rule_ : LexiconRule
        The lexicon's label rule, calibrated on the same passages.
    info_ : dict
        Provenance: lexicon name and version, training fingerprint, passage counts.

    Examples
    --------
    >>> clf = DimensionClassifier(max_features=500)
    >>> texts = ["推行一站式服务", "发展集体经济", "就业培训", "走访居民", "三会一课", "本条例施行"]
    >>> labels = ["reform", "development", "livelihood", "masses", "members", "none"]
    >>> clf = clf.fit(texts, labels)
    >>> list(clf.classes_)
    ['development', 'livelihood', 'masses', 'members', 'none', 'reform']
    """

    def __init__(
        self,
        lexicon: Lexicon | None = None,
        *,
        ngram_range: tuple[int, int] = (1, 3),
        min_df: int = 2,
        max_features: int | None = 20000,
        lexicon_weight: float = 1.0,
        C: float = 10.0,
        class_weight: str | None = "balanced",
        subject_weight: float = 1.0,
        ensemble_weight: float = 0.5,
        nb_scaling: bool = False,
        temperatures: Mapping[str, float] | None = None,
    ) -> None:
        self.lexicon = lexicon
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_features = max_features
        self.lexicon_weight = lexicon_weight
        self.C = C
        self.class_weight = class_weight
        self.subject_weight = subject_weight
        self.ensemble_weight = ensemble_weight
        self.nb_scaling = nb_scaling
        self.temperatures = temperatures

    def temperature(self, method: str) -> float:
        """The temperature of ``method``'s probabilities (1 when none was learnt)."""
        return method_temperature(self.temperatures, method, TEMPERED_METHODS, "classifier")

    # ------------------------------------------------------------------ features
    def _lexicon(self) -> Lexicon:
        if self.lexicon is not None:
            return self.lexicon
        from analysis.text.lexicon_file import default_lexicon

        return default_lexicon()

    def _vectorizer(self) -> TfidfVectorizer:
        return char_tfidf(self.ngram_range, self.min_df, self.max_features)

    def _features(self, texts: list[str], evidence: LexiconEvidence | None) -> sparse.csr_matrix:
        grams = self.vectorizer_.transform([simplified(t) for t in texts])
        return self._with_lexicon(grams, texts, evidence)

    def _with_lexicon(
        self, grams: sparse.spmatrix, texts: list[str], evidence: LexiconEvidence | None
    ) -> sparse.csr_matrix:
        """The n-gram block with the lexicon block beside it (unless ``lexicon_weight`` is 0)."""
        if not self.lexicon_weight:
            return grams.tocsr()
        if evidence is None:
            evidence = lexicon_evidence(texts, self._lexicon())
        block = sparse.csr_matrix(self.lexicon_weight * evidence.matrix())
        return sparse.hstack([grams, block], format="csr")

    # ------------------------------------------------------------------ estimator
    def fit(
        self, X: Sequence[str], y: Sequence[str], *, evidence: LexiconEvidence | None = None
    ) -> DimensionClassifier:
        """Fit on texts ``X`` with labels ``y`` (dimension ids or ``none``).

        ``evidence`` may pass precomputed lexicon evidence for ``X`` (saves re-scoring in
        cross-validation).
        """
        texts = texts_of(X)
        labels = [str(v) for v in y]
        if len(labels) != len(texts):
            raise InputError(f"got {len(texts)} texts but {len(labels)} labels")
        if len(set(labels)) < 2:
            raise InputError("a classifier needs at least two different labels to learn from")
        if evidence is None:
            evidence = lexicon_evidence(texts, self._lexicon())
        self.lexicon_rule_ = LexiconRule(evidence.dimensions, subject_weight=self.subject_weight)
        self.lexicon_rule_.fit(evidence, labels)
        self.vectorizer_ = self._vectorizer()
        grams = self.vectorizer_.fit_transform([simplified(t) for t in texts])
        features = self._with_lexicon(grams, texts, evidence)
        if self.nb_scaling:
            self.classes_, self.coef_, self.intercept_ = _nb_one_vs_rest(
                features, np.asarray(labels, dtype=object), self.C, self.class_weight
            )
        else:
            self.classes_, self.coef_, self.intercept_ = fit_multinomial(
                features, labels, self.C, self.class_weight
            )
        lex = self._lexicon()
        self.info_ = {
            "lexicon": lex.name,
            "lexicon_version": lex.version,
            "framework": lex.framework.name,
            "training_fingerprint": training_fingerprint(texts, labels),
            "n_passages": len(texts),
            "label_counts": {c: labels.count(c) for c in sorted(set(labels))},
            "analysis_version": __version__,
        }
        cues = none_cue_fingerprint(lex)
        if cues is not None:  # models of lexicons without cues keep their old record
            self.info_["lexicon_none_cues"] = cues
        subjects = subject_fingerprint(lex)
        if subjects is not None:
            self.info_["lexicon_subjects"] = subjects
        self.info_["lexicon_weights"] = weight_fingerprint(lex)
        return self

    def decision_function(
        self, X: Sequence[str], *, evidence: LexiconEvidence | None = None
    ) -> np.ndarray:
        """Class scores before the softmax, shape ``(n_texts, n_classes)``."""
        self._check_fitted()
        features = self._features(texts_of(X), evidence)
        return np.asarray(features @ self.coef_.T) + self.intercept_

    def predict_proba(
        self, X: Sequence[str], *, evidence: LexiconEvidence | None = None
    ) -> np.ndarray:
        """Probability of each class (columns in the order of ``classes_``)."""
        scores = self.decision_function(X, evidence=evidence)
        if self.nb_scaling:  # one-vs-rest: each class's sigmoid, normalised as scikit-learn does
            odds = expit(scores)
            return odds / odds.sum(axis=1, keepdims=True)
        return softmax(scores)

    def predict(self, X: Sequence[str], *, evidence: LexiconEvidence | None = None) -> np.ndarray:
        """The most probable label of each text."""
        return self.classes_[self.predict_proba(X, evidence=evidence).argmax(axis=1)]

    def top_features(self, text: str, label: str, n: int = 3) -> list[str]:
        """The character n-grams of ``text`` that push it most towards ``label``."""
        self._check_fitted()
        row = self.vectorizer_.transform([simplified(text)])
        k = list(self.classes_).index(label)
        weights = self.coef_[k, : row.shape[1]]
        contrib = row.multiply(weights).tocsr()
        order = np.argsort(-contrib.data)[:n]
        names = self.vectorizer_.get_feature_names_out()
        return [str(names[contrib.indices[i]]) for i in order if contrib.data[i] > 0]

    def _check_fitted(self) -> None:
        if not hasattr(self, "coef_"):
            raise ConfigError("this DimensionClassifier is not fitted yet: call fit() first")

    # ------------------------------------------------------------------ saving
    def to_dict(self) -> dict[str, Any]:
        """Everything needed to predict, as plain JSON-ready data."""
        self._check_fitted()
        return {
            "format": FORMAT,
            "params": {
                "ngram_range": list(self.ngram_range),
                "min_df": self.min_df,
                "max_features": self.max_features,
                "lexicon_weight": self.lexicon_weight,
                "C": self.C,
                "class_weight": self.class_weight,
                "subject_weight": self.subject_weight,
                "ensemble_weight": self.ensemble_weight,
                "nb_scaling": self.nb_scaling,
                "temperatures": None if self.temperatures is None else dict(self.temperatures),
            },
            "lexicon_rule": self.lexicon_rule_.to_dict(),
            # a copy: editing the saved data must not edit the fitted model
            "info": copy.deepcopy(self.info_),
            **tfidf_to_dict(self.vectorizer_),
            **linear_to_dict(self.classes_, self.coef_, self.intercept_),
        }

    def save(self, path: str | Path) -> Path:
        """Write the model as JSON (gzip-compressed when the name ends in ``.gz``)."""
        return write_model_json(self.to_dict(), path)

    @classmethod
    def from_dict(cls, data: dict[str, Any], lexicon: Lexicon | None = None) -> DimensionClassifier:
        """Rebuild a fitted classifier from :meth:`to_dict` output.

        ``lexicon`` must be the lexicon the model was trained with (checked by name and
        version, and by its none cues and subject terms); ``None`` loads the packaged default
        lexicon.
        """
        if data.get("format") != FORMAT:
            raise ConfigError(f"not a saved dimension classifier (format {data.get('format')!r})")
        params = dict(data["params"])
        params["ngram_range"] = tuple(params["ngram_range"])
        clf = cls(lexicon, **params)
        info = data["info"]
        if info.get("lexicon"):
            lex = clf._lexicon()
            if (lex.name, lex.version) != (info["lexicon"], info["lexicon_version"]):
                raise ConfigError(
                    f"the model was trained with lexicon {info['lexicon']} "
                    f"{info['lexicon_version']}, not {lex.name} {lex.version}: retrain it with "
                    "train_classifier() on your labelled passages"
                )
            checks = [
                ("none cues", "lexicon_none_cues", none_cue_fingerprint),
                ("subject terms", "lexicon_subjects", subject_fingerprint),
            ]
            # models saved before the weights were recorded cannot be checked on them
            if "lexicon_weights" in info:
                checks.append(("term weights", "lexicon_weights", weight_fingerprint))
            for what, key, fingerprint in checks:
                mine = fingerprint(lex)
                if info.get(key) != mine:
                    raise ConfigError(
                        f"the model was trained with other {what} than lexicon {lex.name} "
                        f"{lex.version} has ({info.get(key)} against {mine}; a recalibrated or "
                        "edited copy?): load it with the lexicon it was trained with, or "
                        "retrain it with train_classifier() on your labelled passages"
                    )
        clf.vectorizer_ = tfidf_from_dict(clf._vectorizer(), data)
        clf.classes_, clf.coef_, clf.intercept_ = linear_from_dict(data)
        clf.info_ = copy.deepcopy(info)
        clf.lexicon_rule_ = LexiconRule.from_dict(data["lexicon_rule"])
        return clf

    @classmethod
    def load(cls, path: str | Path, lexicon: Lexicon | None = None) -> DimensionClassifier:
        """Read a model written by :meth:`save`."""
        return cls.from_dict(read_model_json(path), lexicon)


def _nb_one_vs_rest(
    features: sparse.csr_matrix, labels: np.ndarray, C: float, class_weight: str | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Classes, coefficients and intercepts of one NB-scaled logistic regression per class.

    Class ``k``'s features are multiplied by the log-count ratio
    ``r = log((p / |p|_1) / (q / |q|_1))``, ``p`` and ``q`` the feature sums (plus one) of the
    class's and the other passages; its regression's weights ``w`` on the scaled features are
    weights ``r * w`` on the plain ones, which is what is kept.
    """
    classes = np.asarray(sorted({str(v) for v in labels}), dtype=object)
    magnitude = abs(features)
    coef = np.zeros((len(classes), features.shape[1]))
    intercept = np.zeros(len(classes))
    for k, label in enumerate(classes):
        mine = labels == label
        p = 1.0 + np.asarray(magnitude[mine].sum(axis=0)).ravel()
        q = 1.0 + np.asarray(magnitude[~mine].sum(axis=0)).ravel()
        ratio = np.log((p / p.sum()) / (q / q.sum()))
        model = logistic_regression(C, class_weight)
        model.fit(features.multiply(ratio).tocsr(), mine)
        coef[k] = ratio * model.coef_[0]
        intercept[k] = model.intercept_[0]
    return classes, coef, intercept


_LOADED: dict[str, DimensionClassifier] = {}


def default_classifier() -> DimensionClassifier:
    """The packaged classifier for the ``service-five`` lexicon (loaded once, on first use).

    Trained on the labelled corpus passages (``analysis/resources/validation``); its
    figures on held-out documents are in ``docs/validation.md``.
    """
    if _DEFAULT_MODEL not in _LOADED:
        path = Path(str(resources.files("analysis") / "resources" / "models" / _DEFAULT_MODEL))
        if not path.exists():
            raise ConfigError(f"the packaged classifier {path} is missing; reinstall analysis")
        _LOADED[_DEFAULT_MODEL] = DimensionClassifier.load(path)
    return _LOADED[_DEFAULT_MODEL]
