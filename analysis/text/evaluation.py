"""Honest figures for a text classifier: per-class scores, confusion, document-level intervals.

Passages of one document share vocabulary, authors and topic, so a classifier tested on other
passages of the documents it was trained on looks better than it is. Everything here keeps
documents whole: cross-validation folds are grouped by document (:func:`grouped_cv_predict`),
the bootstrap resamples documents, not passages (:func:`bootstrap_macro_f1`), and the learning
curve adds whole training documents (:func:`learning_curve`).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from analysis.core.errors import InputError

if TYPE_CHECKING:
    from analysis.text.classifier import DimensionClassifier
    from analysis.text.encoder_head import EncoderClassifier
    from analysis.text.features import LexiconEvidence

__all__ = [
    "MethodOutputs",
    "aligned",
    "bootstrap_macro_f1",
    "class_report",
    "confusion_table",
    "grouped_cv_predict",
    "learning_curve",
    "macro_f1",
    "method_outputs",
]


def macro_f1(y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str]) -> float:
    """Unweighted mean of the per-label F1 scores over ``labels``."""
    from sklearn.metrics import f1_score

    return float(f1_score(y_true, y_pred, labels=list(labels), average="macro", zero_division=0))


def class_report(
    y_true: Sequence[str],
    y_pred: Sequence[str],
    labels: Sequence[str],
    *,
    weights: Sequence[float] | None = None,
) -> pd.DataFrame:
    """Precision, recall, F1 and support per label, then a ``macro`` row.

    ``weights`` (one per passage, default 1) make each passage count that many times, as in
    :func:`bootstrap_macro_f1`; ``support`` stays the number of passages.

    Returns
    -------
    pandas.DataFrame
        Index: the labels and ``macro``; columns ``precision``, ``recall``, ``f1``,
        ``support`` (true passages of the label).
    """
    from sklearn.metrics import precision_recall_fscore_support

    p, r, f, _ = precision_recall_fscore_support(
        y_true, y_pred, labels=list(labels), zero_division=0, sample_weight=weights
    )
    truth = pd.Series(np.asarray(y_true, dtype=object))
    s = truth.value_counts().reindex(list(labels), fill_value=0).to_numpy()
    table = pd.DataFrame({"precision": p, "recall": r, "f1": f, "support": s}, index=list(labels))
    table.loc["macro"] = [p.mean(), r.mean(), f.mean(), s.sum()]
    table["support"] = table["support"].astype(int)
    return table


def confusion_table(
    y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str]
) -> pd.DataFrame:
    """Counts with true labels in rows and predicted labels in columns."""
    from sklearn.metrics import confusion_matrix

    m = confusion_matrix(y_true, y_pred, labels=list(labels))
    return pd.DataFrame(
        m,
        index=pd.Index(list(labels), name="true"),
        columns=pd.Index(list(labels), name="predicted"),
    )


def bootstrap_macro_f1(
    y_true: Sequence[str],
    y_pred: Sequence[str],
    groups: Sequence[str],
    labels: Sequence[str],
    *,
    n_boot: int = 2000,
    level: float = 0.95,
    seed: int = 0,
    method: Literal["BCa", "percentile"] = "BCa",
    weights: Sequence[float] | None = None,
) -> tuple[float, float, float]:
    """Macro-F1 with a bootstrap interval from resampling whole documents.

    Parameters
    ----------
    y_true, y_pred
        Labels of the passages.
    groups
        The document of each passage: documents are drawn with replacement, each bringing
        all its passages.
    labels
        Labels averaged over.
    n_boot, level, seed
        Replicates, interval level, random seed (fixed: same inputs, same interval).
    method
        ``"BCa"`` (default): the bias-corrected and accelerated interval (Efron 1987), its
        acceleration from the jackknife over documents. Macro-F1 is a ratio of counts whose
        document resamples fall mostly below the full-sample figure (a resample that repeats
        a hard document and drops others loses more than the reverse gains), so the plain
        ``"percentile"`` interval sits too low; BCa corrects for that bias and skew.
    weights
        A weight per passage (default 1): each passage counts ``weight`` times in the
        confusion counts, so a stratified sample gives the figure of the population it was
        drawn from (weights: the inverse of each passage's chance of being drawn).

    Returns
    -------
    tuple of float
        ``(macro_f1, lower, upper)``.

    Notes
    -----
    The interval is computed by :func:`scipy.stats.bootstrap` over document indices.
    """
    from scipy.stats import DegenerateDataWarning, bootstrap

    y_true, y_pred, groups = np.asarray(y_true), np.asarray(y_pred), np.asarray(groups)
    if not len(y_true) == len(y_pred) == len(groups):
        raise InputError("y_true, y_pred and groups must have the same length")
    if method not in ("BCa", "percentile"):
        raise InputError(f"method must be 'BCa' or 'percentile', not {method!r}")
    w = np.ones(len(y_true)) if weights is None else np.asarray(weights, dtype=float)
    if len(w) != len(y_true) or not np.all(np.isfinite(w) & (w >= 0)):
        raise InputError("weights must be one finite, non-negative number per passage")
    lab = list(labels)
    index = {g: np.flatnonzero(groups == g) for g in pd.unique(groups)}
    docs = list(index)
    # per-document confusion counts, so a replicate is a sum over documents, not a re-scoring
    k = len(lab)
    pos = {label: i for i, label in enumerate(lab)}
    counts = np.zeros((len(docs), 3, k))  # tp, predicted, true per label
    for d, g in enumerate(docs):
        for t, p, wt in zip(y_true[index[g]], y_pred[index[g]], w[index[g]], strict=True):
            if t in pos:
                counts[d, 2, pos[t]] += wt
            if p in pos:
                counts[d, 1, pos[p]] += wt
            if t == p and t in pos:
                counts[d, 0, pos[t]] += wt

    def f1_of(total: np.ndarray) -> np.ndarray:
        # total: (..., 3, labels). A label neither true nor predicted in a resample has no
        # F1: averaging a 0 for it would pull the interval down for documents that merely
        # lack that label
        denom = total[..., 1, :] + total[..., 2, :]
        present = denom > 0
        f1 = np.divide(2 * total[..., 0, :], denom, out=np.zeros_like(denom), where=present)
        n_present = present.sum(axis=-1)
        return np.where(n_present > 0, f1.sum(axis=-1) / np.maximum(n_present, 1), 0.0)

    def statistic(doc_index: np.ndarray, axis: int = -1) -> np.ndarray:
        return f1_of(counts[np.moveaxis(np.asarray(doc_index), axis, -1)].sum(axis=-3))

    estimate = float(f1_of(counts.sum(axis=0)))
    if len(docs) < 2:  # one document: nothing to resample
        return estimate, float("nan"), float("nan")
    with warnings.catch_warnings():
        # BCa is undefined when every resample agrees; that case is answered below
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", DegenerateDataWarning)
        result = bootstrap(
            (np.arange(len(docs)),),
            statistic,
            n_resamples=n_boot,
            batch=500,
            vectorized=True,
            confidence_level=level,
            method=method,
            rng=np.random.default_rng(seed),
        )
    replicates = result.bootstrap_distribution
    if np.ptp(replicates) == 0:  # every resample gives the same figure: no spread to show
        return estimate, float(replicates[0]), float(replicates[0])
    lower, upper = result.confidence_interval
    return estimate, float(lower), float(upper)


class MethodOutputs:
    """Probabilities of one classifier's methods on some texts, labels on demand.

    Attributes
    ----------
    classes : list of str
        Dimensions, then ``none``: the column order of both probability arrays.
    model, rule : numpy.ndarray
        The trained model's and the lexicon rule's probabilities.
    rule_labels : numpy.ndarray
        The lexicon rule's labels (its bars, not the argmax of its probabilities).
    """

    def __init__(
        self,
        classes: list[str],
        model: np.ndarray,
        rule: np.ndarray,
        rule_labels: np.ndarray,
        encoder: np.ndarray | None = None,
    ) -> None:
        self.classes = classes
        self.model = model
        self.rule = rule
        self.rule_labels = rule_labels
        self.encoder = encoder

    def proba(
        self, method: str, weight: float = 0.5, weights: Sequence[float] | None = None
    ) -> np.ndarray:
        """Probabilities by ``"model"``, ``"lexicon"``, ``"ensemble"`` (model weight
        ``weight``), ``"encoder"`` or ``"encoder_ensemble"`` (``weights`` of the encoder
        head, the model and the rule)."""
        if method == "lexicon":
            return self.rule
        if method in ("encoder", "encoder_ensemble"):
            if self.encoder is None:
                raise InputError(f"method {method!r} needs the encoder head's probabilities")
            if method == "encoder":
                return self.encoder
            if weights is None:
                raise InputError("method 'encoder_ensemble' needs its three weights")
            w_enc, w_model, w_rule = weights
            return w_enc * self.encoder + w_model * self.model + w_rule * self.rule
        return self.model if method == "model" else weight * self.model + (1 - weight) * self.rule

    def labels(
        self, method: str, weight: float = 0.5, weights: Sequence[float] | None = None
    ) -> np.ndarray:
        """Labels by a method, as in :meth:`proba` (the lexicon rule's by its bars)."""
        if method == "lexicon":
            return self.rule_labels
        proba = self.proba(method, weight, weights)
        return np.asarray(self.classes, dtype=object)[proba.argmax(axis=1)]

    def with_encoder(self, encoder: np.ndarray) -> MethodOutputs:
        """The same outputs with the encoder head's probabilities (columns: ``classes``)."""
        return MethodOutputs(self.classes, self.model, self.rule, self.rule_labels, encoder)


def aligned(proba: np.ndarray, known: Sequence[str], classes: Sequence[str]) -> np.ndarray:
    """``proba`` (columns ``known``) with columns ``classes``; a class never seen gets 0."""
    known = [str(c) for c in known]
    return np.column_stack(
        [proba[:, known.index(c)] if c in known else np.zeros(len(proba)) for c in classes]
    ).reshape(len(proba), len(classes))


def method_outputs(
    clf: DimensionClassifier, texts: Sequence[str], evidence: LexiconEvidence
) -> MethodOutputs:
    """What a fitted classifier's methods say about ``texts`` (evidence precomputed)."""
    rule = clf.lexicon_rule_
    classes = list(rule.classes)
    model_p = aligned(clf.predict_proba(list(texts), evidence=evidence), clf.classes_, classes)
    return MethodOutputs(classes, model_p, rule.predict_proba(evidence), rule.predict(evidence))


EvidenceFor = Callable[[np.ndarray], "LexiconEvidence"]
"""Lexicon evidence of every text, from a lexicon calibrated on the given training rows."""


def _fold_evidence(evidence: LexiconEvidence | EvidenceFor, train: np.ndarray) -> LexiconEvidence:
    return evidence(train) if callable(evidence) else evidence


def grouped_cv_predict(
    make: Callable[[], DimensionClassifier],
    texts: Sequence[str],
    y: Sequence[str],
    groups: Sequence[str],
    evidence: LexiconEvidence | EvidenceFor,
    *,
    n_splits: int = 5,
) -> MethodOutputs:
    """Out-of-fold outputs of the model and the lexicon rule.

    Folds are whole documents (``GroupKFold``); every fold refits the model and recalibrates
    the rule on the other folds only. ``evidence`` is the lexicon evidence of ``texts``, or a
    function that gives it for a fold from the fold's training rows (a lexicon whose weights
    are calibrated on those rows, :mod:`~analysis.text.lexicon_calibration`), so that no
    held-out label shapes the lexicon either.
    """
    from sklearn.model_selection import GroupKFold

    texts = list(texts)
    y = np.asarray([str(v) for v in y], dtype=object)
    parts: list[tuple[np.ndarray, MethodOutputs]] = []
    for train, test in GroupKFold(n_splits=n_splits).split(texts, y, groups):
        fold = _fold_evidence(evidence, train)
        clf = make().fit([texts[i] for i in train], y[train], evidence=fold.rows(train))
        parts.append((test, method_outputs(clf, [texts[i] for i in test], fold.rows(test))))
    classes = parts[0][1].classes
    model = np.zeros((len(texts), len(classes)))
    rule = np.zeros_like(model)
    labels = np.empty(len(texts), dtype=object)
    for test, out in parts:
        model[test], rule[test], labels[test] = out.model, out.rule, out.rule_labels
    return MethodOutputs(classes, model, rule, labels)


def learning_curve(
    make: Callable[[], DimensionClassifier],
    texts: Sequence[str],
    y: Sequence[str],
    groups: Sequence[str],
    evidence: LexiconEvidence | EvidenceFor,
    labels: Sequence[str],
    *,
    fractions: Sequence[float] = (0.2, 0.4, 0.6, 0.8, 1.0),
    n_splits: int = 5,
    seed: int = 0,
    make_head: Callable[[], EncoderClassifier] | None = None,
    embeddings: np.ndarray | None = None,
) -> pd.DataFrame:
    """Macro-F1 against the number of training passages, by grouped cross-validation.

    In every fold, the training documents are shuffled (seeded) and the first ``fraction`` of
    them are used; the held-out fold is the same for every fraction. ``evidence`` is as in
    :func:`grouped_cv_predict` (a function is called with the passages used). With
    ``make_head``, the encoder head is fitted on the same passages and its methods are added
    (the ensemble with the head's ``ensemble_weights``); the texts are embedded once, by the
    head's encoder, unless their ``embeddings`` are given.

    Returns
    -------
    pandas.DataFrame
        ``fraction``, ``n_passages`` (mean training passages), ``model``, ``lexicon``,
        ``ensemble`` (out-of-fold macro-F1); ``encoder`` and ``encoder_ensemble`` with a
        head.
    """
    from sklearn.model_selection import GroupKFold

    texts = list(texts)
    y = np.asarray([str(v) for v in y], dtype=object)
    groups = np.asarray(groups)
    rng = np.random.default_rng(seed)
    folds = list(GroupKFold(n_splits=n_splits).split(texts, y, groups))
    if make_head is not None and embeddings is None:
        embeddings = make_head().embed(texts)
    rows = []
    for fraction in fractions:
        methods = ["model", "lexicon", "ensemble"]
        if make_head is not None:
            methods += ["encoder", "encoder_ensemble"]
        preds = {m: np.empty(len(texts), dtype=object) for m in methods}
        sizes = []
        for train, test in folds:
            docs = pd.unique(groups[train])
            docs = docs[rng.permutation(len(docs))][: max(2, round(fraction * len(docs)))]
            used = train[np.isin(groups[train], docs)]
            if len(set(y[used])) < 2:
                continue
            sizes.append(len(used))
            fold = _fold_evidence(evidence, used)
            clf = make().fit([texts[i] for i in used], y[used], evidence=fold.rows(used))
            out = method_outputs(clf, [texts[i] for i in test], fold.rows(test))
            weights = None
            if make_head is not None:
                head = make_head().fit(
                    [texts[i] for i in used], y[used], embeddings=embeddings[used]
                )
                head_p = head.predict_proba([texts[i] for i in test], embeddings=embeddings[test])
                out = out.with_encoder(aligned(head_p, head.classes_, out.classes))
                weights = list(head.weights().values())
            for method in preds:
                preds[method][test] = out.labels(method, clf.ensemble_weight, weights)
        rows.append(
            {
                "fraction": fraction,
                "n_passages": float(np.mean(sizes)),
                **{m: macro_f1(y, p, labels) for m, p in preds.items()},
            }
        )
    return pd.DataFrame(rows)
