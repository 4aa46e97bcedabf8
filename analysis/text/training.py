"""Training the classifiers of :func:`~analysis.text.classify.classify_texts` on a study's
own labelled passages.

:func:`train_classifier` fits the model and calibrates the lexicon rule;
:func:`train_encoder_classifier` fits an encoder head. Given a column of document ids
(``calibrate_on``), both also learn the temperatures of their methods' probabilities
(:mod:`analysis.text.temperature`) from out-of-fold predictions of cross-validation that keeps
each document's passages together, the way ``scripts/validate_text.py`` learns the packaged
models' temperatures on the development documents.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import GroupKFold

from analysis.core.errors import InputError
from analysis.text import lexicon_calibration
from analysis.text.classifier import (
    NONE,
    TEMPERED_METHODS,
    DimensionClassifier,
    default_classifier,
)
from analysis.text.classify import ENCODER_METHODS
from analysis.text.evaluation import aligned, grouped_cv_predict
from analysis.text.features import lexicon_evidence
from analysis.text.lexicon_file import hand_weighted_lexicon
from analysis.text.temperature import fit_temperature

if TYPE_CHECKING:
    from analysis.text.context import ContextClassifier
    from analysis.text.encoder_head import EncoderClassifier
    from analysis.text.evaluation import EvidenceFor, MethodOutputs
    from analysis.text.features import LexiconEvidence
    from analysis.text.lexicon import Lexicon

__all__ = ["train_classifier", "train_context_classifier", "train_encoder_classifier"]

#: Folds of the grouped cross-validation that learns a trained model's temperatures.
_CALIBRATION_FOLDS = 5


def train_classifier(
    passages: pd.DataFrame,
    *,
    label_column: str = "label",
    text_column: str = "text",
    lexicon: Lexicon | None = None,
    calibrate_lexicon: bool = False,
    calibrate_on: str | None = None,
    **params: Any,
) -> DimensionClassifier:
    """Train the classifier (and calibrate the lexicon rule) on labelled passages.

    Parameters
    ----------
    passages
        Frame with a text and a label column; labels are dimension ids of the lexicon's
        framework or ``none``.
    label_column, text_column
        Column names.
    lexicon
        Lexicon for the evidence features and the rule (default: the packaged one).
    calibrate_lexicon
        First calibrate the lexicon's term weights on these passages
        (:func:`~analysis.text.lexicon_calibration.calibrate_lexicon`), the way the packaged
        lexicon was calibrated on the development passages. It starts from hand weights: the
        packaged lexicon's when ``lexicon`` is None, else the weights of the lexicon given.
        The classifier keeps the calibrated lexicon and, as ``lexicon_calibration_``, the
        calibration (``.write(path)`` saves the CSV a YAML lexicon can name, which is also
        what reloading a saved model needs). With ``calibrate_on``, every calibration fold
        calibrates on its own training documents only.
    calibrate_on
        A column of document ids. Given, the temperatures of the ``"lexicon"``, ``"model"``
        and ``"ensemble"`` probabilities are learnt (:mod:`analysis.text.temperature`) from
        out-of-fold predictions of 5-fold cross-validation that keeps each document's
        passages together, so the stated probabilities match how often the labels are
        right; no label changes. Costs five more fits; needs at least five documents.
    **params
        Passed to :class:`DimensionClassifier` (``C``, ``ngram_range``, ...).

    Returns
    -------
    DimensionClassifier
        Fitted; pass it to :func:`classify_texts` or save it with ``.save(path)``.

    Raises
    ------
    InputError
        Missing columns, empty texts, or a label that is neither a dimension nor ``none``.
    """
    _require_columns(passages, (label_column, text_column), "train_classifier")
    if calibrate_lexicon and lexicon is None:
        lexicon = hand_weighted_lexicon()
    clf = DimensionClassifier(lexicon, **params)
    dims = set(clf._lexicon().framework.ids) | {NONE}
    labels = passages[label_column].astype(str).str.strip().tolist()
    bad = [(i, v) for i, v in enumerate(labels) if v not in dims]
    if bad:
        row, value = bad[0]
        raise InputError(
            f"train_classifier: row {row + 1}, column {label_column!r}: label {value!r} is "
            f"neither a dimension nor 'none' (expected one of {sorted(dims)}); "
            f"{len(bad)} such row(s)"
        )
    texts = _training_texts(passages, text_column, "train_classifier")
    calibration = None
    if calibrate_lexicon:
        hand = clf._lexicon()
        calibration = lexicon_calibration.calibrate_lexicon(hand, texts, labels)
        clf.set_params(lexicon=calibration.lexicon)
    evidence = lexicon_evidence(texts, clf._lexicon())
    if calibrate_on is not None:
        # out-of-fold probabilities must not come from weights their own labels shaped
        fold_evidence: LexiconEvidence | EvidenceFor = (
            lexicon_calibration.calibrated_within_folds(hand, texts, labels)
            if calibrate_lexicon
            else evidence
        )
        clf.set_params(
            temperatures=_learnt_temperatures(
                clf, texts, labels, passages, calibrate_on, fold_evidence
            )
        )
    clf.fit(texts, labels, evidence=evidence)
    if calibration is not None:
        clf.lexicon_calibration_ = calibration
    return clf


def _learnt_temperatures(
    clf: DimensionClassifier,
    texts: list[str],
    labels: list[str],
    passages: pd.DataFrame,
    column: str,
    evidence: LexiconEvidence | EvidenceFor,
) -> dict[str, float]:
    """Each method's temperature, from out-of-fold predictions grouped by ``column``."""
    groups = _document_groups(passages, column, "train_classifier")
    out = _out_of_fold(clf, texts, labels, groups, evidence)
    return {
        m: fit_temperature(labels, out.proba(m, clf.ensemble_weight), out.classes)
        for m in TEMPERED_METHODS
    }


def _out_of_fold(
    clf: DimensionClassifier,
    texts: list[str],
    labels: list[str],
    groups: np.ndarray,
    evidence: LexiconEvidence | EvidenceFor,
) -> MethodOutputs:
    """Out-of-fold outputs of models with ``clf``'s settings, on the calibration folds."""
    return grouped_cv_predict(
        # the same settings and the same lexicon object (clone would deep-copy the lexicon)
        lambda: DimensionClassifier(**clf.get_params()),
        texts,
        labels,
        groups,
        evidence,
        n_splits=_CALIBRATION_FOLDS,
    )


def _document_groups(passages: pd.DataFrame, column: str, caller: str) -> np.ndarray:
    """The document of each passage, for calibration folds that keep documents whole."""
    if column not in passages.columns:
        raise InputError(f"{caller}: passages lack the document column {column!r}")
    groups = passages[column].astype(str).to_numpy()
    if len(set(groups)) < _CALIBRATION_FOLDS:
        raise InputError(
            f"{caller}: calibrate_on={column!r} needs passages from at least "
            f"{_CALIBRATION_FOLDS} documents to hold whole documents out; got "
            f"{len(set(groups))}"
        )
    return groups


def train_encoder_classifier(
    passages: pd.DataFrame,
    *,
    label_column: str = "label",
    text_column: str = "text",
    calibrate_on: str | None = None,
    classifier: DimensionClassifier | None = None,
    **params: Any,
) -> EncoderClassifier:
    """Train an encoder head on labelled passages (needs the ``encoder`` extra).

    Parameters
    ----------
    passages
        Frame with a text and a label column (dimension ids or ``none``).
    label_column, text_column
        Column names.
    calibrate_on
        A column of document ids. Given, the temperatures of the ``"encoder"`` and
        ``"encoder_ensemble"`` probabilities are learnt from out-of-fold predictions of
        5-fold cross-validation that keeps each document's passages together, as in
        :func:`train_classifier`; the ensemble's parts are the head and a model with the
        settings of ``classifier`` (default: the packaged model's), refitted in every fold.
    classifier
        The classifier the head will be used with in ``"encoder_ensemble"`` (only its
        settings and lexicon are used, for ``calibrate_on``).
    **params
        Passed to :class:`~analysis.text.encoder_head.EncoderClassifier` (``C``,
        ``ensemble_weights``, ``cache_dir``, ...).

    Returns
    -------
    EncoderClassifier
        Fitted; pass it to :func:`classify_texts` as ``encoder_head`` (with a classifier
        from :func:`train_classifier` on the same passages for ``"encoder_ensemble"``).

    Raises
    ------
    InputError
        Missing columns or empty texts.
    ConfigError
        The ``encoder`` extra is not installed.
    """
    from analysis.text.encoder_head import EncoderClassifier

    _require_columns(passages, (label_column, text_column), "train_encoder_classifier")
    texts = _training_texts(passages, text_column, "train_encoder_classifier")
    labels = passages[label_column].astype(str).str.strip().tolist()
    head = EncoderClassifier(**params)
    if calibrate_on is None:
        return head.fit(texts, labels)
    vectors = head.embed(texts)
    groups = _document_groups(passages, calibrate_on, "train_encoder_classifier")
    model = default_classifier() if classifier is None else classifier
    head.set_params(
        temperatures=_learnt_head_temperatures(head, model, texts, labels, groups, vectors)
    )
    return head.fit(texts, labels, embeddings=vectors)


def _learnt_head_temperatures(
    head: EncoderClassifier,
    model: DimensionClassifier,
    texts: list[str],
    labels: list[str],
    groups: np.ndarray,
    vectors: np.ndarray,
) -> dict[str, float]:
    """The encoder methods' temperatures, from out-of-fold predictions grouped by document."""
    out = _out_of_fold(model, texts, labels, groups, lexicon_evidence(texts, model._lexicon()))
    own = np.zeros((len(texts), len(out.classes)))
    # the folds of grouped_cv_predict: GroupKFold is deterministic
    for train, test in GroupKFold(n_splits=_CALIBRATION_FOLDS).split(texts, labels, groups):
        fold = clone(head).fit(
            [texts[i] for i in train], [labels[i] for i in train], embeddings=vectors[train]
        )
        proba = fold.predict_proba([texts[i] for i in test], embeddings=vectors[test])
        own[test] = aligned(proba, fold.classes_, out.classes)
    out = out.with_encoder(own)
    weights = list(head.weights().values())
    return {
        m: fit_temperature(labels, out.proba(m, weights=weights), out.classes)
        for m in ENCODER_METHODS
    }


def train_context_classifier(
    passages: pd.DataFrame,
    *,
    label_column: str = "label",
    context_column: str = "context",
    calibrate_on: str | None = None,
    classifier: DimensionClassifier | None = None,
    text_column: str = "text",
    **params: Any,
) -> ContextClassifier:
    """Train a context classifier on labelled passages with their contexts.

    Parameters
    ----------
    passages
        Frame with a label and a context column, as :func:`~analysis.split_passages` with
        ``context_chars`` writes it (plus the labels); every context must hold some text.
    label_column, context_column
        Column names.
    calibrate_on
        A column of document ids. Given, the weight of the context in the ``"model"`` and
        ``"ensemble"`` methods is chosen (:func:`~analysis.text.context.choose_weights`) and
        the mixtures' temperatures learnt, from out-of-fold predictions of 5-fold
        cross-validation that keeps each document's passages together; the methods' own
        part is a model with the settings of ``classifier`` (default: the packaged model's),
        refitted in every fold on ``text_column``. Without it, the weights are ``weights``
        in ``params`` (none given: no method is mixed).
    classifier
        The classifier the context classifier will be used with.
    text_column
        The passages' own texts (only with ``calibrate_on``).
    **params
        Passed to :class:`~analysis.text.context.ContextClassifier` (``width``, ``C``,
        ``weights``, ...); ``width`` should be the ``context_chars`` the contexts were cut
        with.

    Returns
    -------
    ContextClassifier
        Fitted; pass it to :func:`classify_texts` as ``context_classifier``.
    """
    from analysis.text.context import ContextClassifier, choose_weights

    _require_columns(passages, (label_column, context_column), "train_context_classifier")
    contexts = _training_texts(passages, context_column, "train_context_classifier")
    labels = passages[label_column].astype(str).str.strip().tolist()
    ctx = ContextClassifier(**params)
    if calibrate_on is not None:
        texts = _training_texts(passages, text_column, "train_context_classifier")
        groups = _document_groups(passages, calibrate_on, "train_context_classifier")
        model = default_classifier() if classifier is None else classifier
        out = _out_of_fold(model, texts, labels, groups, lexicon_evidence(texts, model._lexicon()))
        own = np.zeros((len(texts), len(out.classes)))
        for train, test in GroupKFold(n_splits=_CALIBRATION_FOLDS).split(texts, labels, groups):
            fold = clone(ctx).fit([contexts[i] for i in train], [labels[i] for i in train])
            own[test] = aligned(
                fold.predict_proba([contexts[i] for i in test]), fold.classes_, out.classes
            )
        methods = {
            "model": out.proba("model"),
            "ensemble": out.proba("ensemble", model.ensemble_weight),
        }
        weights, temperatures, _ = choose_weights(labels, methods, own, out.classes)
        ctx.set_params(weights=weights, temperatures=temperatures)
    ctx.fit(contexts, labels)
    if calibrate_on is not None or classifier is not None:
        # the model its weights go with (classify_texts checks it for the packaged one)
        chosen = default_classifier() if classifier is None else classifier
        ctx.info_["model_fingerprint"] = chosen.info_.get("training_fingerprint")
    return ctx


def _require_columns(passages: pd.DataFrame, columns: tuple[str, ...], caller: str) -> None:
    """Refuse passages without one of ``columns``, naming it."""
    for column in columns:
        if column not in passages.columns:
            raise InputError(f"{caller}: passages lack the column {column!r}")


def _training_texts(passages: pd.DataFrame, text_column: str, caller: str) -> list[str]:
    """The passages' texts; an empty one is refused with its row and column."""
    texts = passages[text_column].fillna("").astype(str).tolist()
    empty = [i for i, t in enumerate(texts) if not t.strip()]
    if empty:
        raise InputError(
            f"{caller}: row {empty[0] + 1}, column {text_column!r} is empty; "
            f"{len(empty)} empty text(s)"
        )
    return texts
