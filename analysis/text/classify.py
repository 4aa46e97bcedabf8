"""One label per text: the dimension a document or passage is mainly about, or ``none``.

:func:`classify_texts` gives every text a primary label, a probability for each label and the
evidence (the lexicon hits) behind it, by one of three methods:

- ``"lexicon"``: the lexicon's strongest dimension, ``none`` below a minimum of evidence
  learnt on labelled passages (:class:`~analysis.text.lexicon_rule.LexiconRule`);
- ``"model"``: a trained classifier (:class:`~analysis.text.classifier.DimensionClassifier`:
  character n-grams plus lexicon evidence, logistic regression, ``none`` a trained class);
- ``"ensemble"``: the two probability sets averaged (the model's weight is its
  ``ensemble_weight``).

Two more need the optional ``encoder`` extra (``pip install "analysis[encoder]"``, Linux
x86_64; :mod:`analysis.text.encoder`), and raise a :class:`ConfigError` without it, never
falling back silently to another method:

- ``"encoder"``: a classifier on sentence-encoder vectors, a logistic regression or (the
  packaged head) three small networks (:class:`~analysis.text.encoder_head.EncoderClassifier`);
- ``"encoder_ensemble"``: the encoder head, the model and the lexicon rule, weighted by the
  head's ``ensemble_weights`` (chosen on development folds).

Every method's probabilities are tempered by a temperature of its own
(:mod:`analysis.text.temperature`), learnt on documents held out of training, so that a
stated 0.8 is right about 80% of the time; tempering changes no label. The packaged model and
encoder head carry theirs.

:func:`~analysis.text.training.train_classifier` fits the model and calibrates the rule on a
study's own labelled passages, so a study with its own framework gets both (and, with
``calibrate_on``, the temperatures); :func:`~analysis.text.training.train_encoder_classifier`
fits an encoder head. How well the packaged model and rule do on documents never used to
build them is in ``docs/validation.md``.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from analysis.core.distributed import is_dask_frame, worker_copy
from analysis.core.errors import ConfigError, InputError, check_option
from analysis.text.classifier import (
    DimensionClassifier,
    default_classifier,
)
from analysis.text.context import (
    ContextClassifier,
    context_classifier_for,
    passage_context,
)
from analysis.text.docs import resolve
from analysis.text.evaluation import aligned, method_outputs
from analysis.text.features import lexicon_evidence
from analysis.text.label_sets import label_set
from analysis.text.temperature import temper

if TYPE_CHECKING:
    from analysis.text.encoder_head import EncoderClassifier
    from analysis.text.lexicon import Lexicon
    from analysis.text.segment import Segmenter

__all__ = [
    "ENCODER_METHODS",
    "METHODS",
    "MULTI_LABEL_THRESHOLD",
    "classify_texts",
]

#: Methods that need the ``encoder`` extra.
ENCODER_METHODS = ("encoder", "encoder_ensemble")
METHODS = ("lexicon", "model", "ensemble", *ENCODER_METHODS)
#: Probability a secondary label needs in multi-label output (its figures on the test
#: documents, against the coders' secondary labels, are in ``docs/validation.md``).
MULTI_LABEL_THRESHOLD = 0.3
#: A text some method can read has a letter, a digit or a Chinese character.
_READABLE = re.compile(r"\w")


def _as_docs(docs: pd.DataFrame | Sequence[str], text_column: str) -> pd.DataFrame:
    if isinstance(docs, pd.DataFrame):
        if text_column not in docs.columns:
            raise InputError(
                f"classify_texts: docs lacks the text column {text_column!r}; columns: "
                f"{', '.join(map(repr, docs.columns))}"
            )
        out = docs.copy()
        if "doc_id" not in out.columns:
            out.insert(0, "doc_id", range(len(out)))
        return out
    if isinstance(docs, str):
        raise InputError("classify_texts: pass a sequence of texts or a frame, not one string")
    return pd.DataFrame({"doc_id": range(len(docs)), text_column: list(docs)})


def _evidence_strings(
    texts: list[str], lexicon: Lexicon, segmenter: Segmenter | None, n: int
) -> list[str]:
    """The ``n`` strongest lexicon terms of each text: ``term×count (dimension)``."""
    from analysis.text.score import explain

    if not texts or n <= 0:
        return [""] * len(texts)
    # a text's evidence depends on its characters only: find it once per distinct text
    texts, inverse = _distinct(texts)
    # explain's segmenter converts traditional characters itself (offsets kept)
    docs = pd.DataFrame({"doc_id": range(len(texts)), "text": texts})
    hits = explain(docs, lexicon, segmenter=segmenter, context=0)
    out = [""] * len(texts)
    if hits.empty:
        return [out[k] for k in inverse]
    table = (
        hits.groupby(["doc_id", "dimension", "term"], sort=False)
        .agg(n=("term", "size"), w=("weight", "sum"))
        .reset_index()
        .sort_values(["doc_id", "w", "n", "term"], ascending=[True, False, False, True])
    )
    # vectorised: a frame per document (groupby + head) costs a millisecond each, which
    # for 100,000 open answers was most of a city-scale run
    top = table[table.groupby("doc_id", sort=False).cumcount() < n]
    pieces = (
        top["term"].astype(str)
        + "×"
        + top["n"].astype(str)
        + " ("
        + top["dimension"].astype(str)
        + ")"
    )
    for doc_id, joined in (
        pieces.groupby(top["doc_id"].to_numpy(), sort=False).agg("; ".join).items()
    ):
        out[int(doc_id)] = joined
    return [out[k] for k in inverse]


def _distinct(texts: list[str]) -> tuple[list[str], np.ndarray]:
    """The distinct texts in order of first appearance, and each text's index among them.

    Labels, probabilities and evidence depend on a text's characters only, so a run over
    many identical texts (open answers such as 没有 or 停车难, a document filed twice) works
    each out once and copies it.
    """
    index: dict[str, int] = {}
    inverse = np.fromiter(
        (index.setdefault(t, len(index)) for t in texts), dtype=np.intp, count=len(texts)
    )
    return list(index), inverse


def classify_texts(
    docs: pd.DataFrame | Sequence[str],
    method: str = "ensemble",
    *,
    classifier: DimensionClassifier | None = None,
    lexicon: Lexicon | None = None,
    segmenter: Segmenter | None = None,
    encoder_head: EncoderClassifier | None = None,
    embedding_cache: str | Path | None = None,
    multi_label: bool = False,
    threshold: float = MULTI_LABEL_THRESHOLD,
    n_evidence: int = 3,
    text_column: str = "text",
    by_passage: bool = False,
    context: bool = True,
    context_classifier: ContextClassifier | None = None,
    context_column: str = "context",
) -> pd.DataFrame:
    """Label each text with the dimension it is mainly about, or ``none``.

    Parameters
    ----------
    docs
        Frame with ``doc_id`` and ``text`` (as from :func:`~analysis.read_texts`; other
        columns are carried along), a sequence of texts (ids 0, 1, ...), or a
        ``dask.dataframe.DataFrame`` with ``doc_id`` and the text: then the result is a lazy
        Dask frame of the same rows, one partition per partition of documents
        (:mod:`analysis.text.distributed`). Long documents
        are better cut into passages first (:func:`~analysis.split_passages`).
    method
        ``"lexicon"``, ``"model"``, ``"ensemble"`` (default), ``"encoder"`` or
        ``"encoder_ensemble"`` (the last two need the ``encoder`` extra; see the module
        docstring).
    classifier
        A fitted :class:`DimensionClassifier` (from
        :func:`~analysis.text.training.train_classifier`). Default: the packaged model for
        the default lexicon.
    lexicon
        The lexicon of the evidence; default: the classifier's (the packaged lexicon).
    segmenter
        As in :func:`~analysis.score_texts`.
    encoder_head
        A fitted :class:`~analysis.text.encoder_head.EncoderClassifier` for the encoder
        methods (from :func:`~analysis.text.training.train_encoder_classifier`). Default: the
        packaged head.
    embedding_cache
        Directory of an on-disk cache of the encoder's vectors (keyed by text and encoder
        identity), so a re-run embeds nothing twice; ``None``: the head's ``cache_dir``.
    multi_label
        Also list every label whose probability reaches ``threshold`` (a passage can serve
        two dimensions), in a column ``labels`` joined by ``;``, most probable first.
    threshold
        Probability (tempered, as in ``p_<label>``) a further label needs with
        ``multi_label``; how the default's lists match the coders' secondary labels is in
        ``docs/validation.md``.
    n_evidence
        Lexicon terms shown per text in ``evidence``.
    text_column
        Column of ``docs`` holding the text.
    by_passage
        Cut each text into passages (:func:`~analysis.text.passages.passage_spans`), the
        unit the classifier was trained and validated on, classify them, and give each text
        the mean of its passages' probabilities weighted by their length; its label is the
        most probable one. Use it for whole reports; adds ``n_passages``.
    context
        Where a passage's document is known (``by_passage``, or a ``context_column``), mix
        what the text around it says into every method but the lexicon's
        (:mod:`analysis.text.context`; on held-out documents this raises macro-F1, see
        ``docs/validation_context.md``). ``False`` reads every passage alone.
    context_classifier
        A fitted :class:`~analysis.text.context.ContextClassifier` (from
        :func:`~analysis.text.training.train_context_classifier`). Default: the packaged
        one with the packaged model; with a ``classifier`` of one's own, none (its weights
        were chosen beside the packaged model).
    context_column
        Column of ``docs`` holding each passage's context, as written by
        :func:`~analysis.split_passages` with ``context_chars`` (used when present).

    Returns
    -------
    pandas.DataFrame
        One row per text, in input order: the columns of ``docs`` except the text; ``label``;
        ``probability`` (of ``label``); ``p_<label>`` for every dimension and ``none`` (a
        text with nothing to read, empty or only blanks and punctuation, is ``none`` with
        probability 1);
        ``evidence`` (the strongest lexicon terms, ``term×count (dimension)``; the encoder
        reads the passage whole and has no terms to show, so the encoder methods give the
        same lexicon evidence); ``method``; ``labels`` with ``multi_label``.
        ``attrs["classifier"]`` records the model's provenance (and the encoder head's,
        under ``"encoder_head"``; the context classifier's, under ``"context"``, when a
        context was read). With a context column, ``with_context`` says whether a
        passage's context was mixed in (a blank one is not); the context column itself is
        left out, like the text.

    Raises
    ------
    ConfigError
        Unknown method, a lexicon other than the classifier's for the methods using the
        model (train one with :func:`~analysis.text.training.train_classifier`), or an
        encoder method without the ``encoder`` extra.

    Examples
    --------
    >>> out = classify_texts(["街道便民服务中心推行一窗受理、集成服务，群众办事最多跑一次。"])
    >>> out.loc[0, "label"]
    'reform'
    """
    check_option("method", method, METHODS, owner="classify_texts")
    if not 0 < threshold <= 1:
        raise InputError(f"classify_texts: threshold must be in (0, 1]; got {threshold}")
    head = _encoder_head(method, encoder_head, embedding_cache)
    if is_dask_frame(docs):
        from analysis.text.distributed import map_documents

        clf = default_classifier() if classifier is None else classifier
        lexicon, segmenter = resolve(lexicon or clf._lexicon(), segmenter)
        if head is not None:
            head.encoder()  # a missing extra is said here, not on a worker
        options = {
            "method": method,
            "multi_label": multi_label,
            "threshold": threshold,
            "n_evidence": n_evidence,
            "text_column": text_column,
            "by_passage": by_passage,
            "context": context,
            "context_column": context_column,
        }
        known = context and (by_passage or context_column in docs.columns)
        ctx = context_classifier_for(method, classifier, context_classifier) if known else None
        return map_documents(
            docs,
            _classify_partition,
            [clf, lexicon, segmenter, head, ctx],
            options,
            owner="classify_texts",
            columns=("doc_id", text_column),
        )
    frame = _as_docs(docs, text_column)
    texts = ["" if pd.isna(t) else str(t) for t in frame[text_column].tolist()]
    clf = default_classifier() if classifier is None else classifier
    if lexicon is None:
        lexicon = clf._lexicon()
    elif method != "lexicon" and (lexicon.name, lexicon.version) != (
        clf.info_.get("lexicon"),
        clf.info_.get("lexicon_version"),
    ):
        raise ConfigError(
            f"classify_texts: the classifier was trained with lexicon "
            f"{clf.info_.get('lexicon')} {clf.info_.get('lexicon_version')}, not {lexicon.name} "
            f"{lexicon.version}; use method='lexicon' or train_classifier() on labelled passages"
        )
    rule = clf.lexicon_rule_
    if tuple(lexicon.framework.ids) != rule.dimensions:
        raise ConfigError(
            f"classify_texts: the lexicon's dimensions {list(lexicon.framework.ids)} are not "
            f"the classifier's {list(rule.dimensions)}; train_classifier() on passages labelled "
            "with this framework"
        )
    classes = list(rule.classes)
    known = context and (by_passage or context_column in frame.columns)
    ctx = context_classifier_for(method, classifier, context_classifier) if known else None
    contexts: list[str] | None = None
    if by_passage:
        units, owner, weight, contexts = _passage_units(texts, None if ctx is None else ctx.width)
    else:
        units = texts
        if ctx is not None and context_column in frame.columns:
            contexts = ["" if pd.isna(c) else str(c) for c in frame[context_column].tolist()]
    distinct, inverse = _distinct(units)
    mixed = np.zeros(len(units), dtype=bool)
    if ctx is not None and contexts is not None:
        unit_proba, unit_labels, mixed = _with_context(
            distinct, inverse, contexts, method, clf, lexicon, segmenter, head, ctx, classes
        )
    else:
        unit_proba, unit_labels = _probabilities(distinct, method, clf, lexicon, segmenter, head)
        unit_proba = unit_proba[inverse]
        unit_labels = np.asarray(unit_labels, dtype=object)[inverse]
    if by_passage:
        proba = np.zeros((len(texts), len(classes)))
        np.add.at(proba, owner, unit_proba * weight[:, None])
        proba /= np.maximum(np.bincount(owner, weights=weight, minlength=len(texts)), 1)[:, None]
        labels = np.asarray(classes, dtype=object)[proba.argmax(axis=1)] if texts else []
    else:
        proba, labels = unit_proba, unit_labels
    # a text with nothing to read (empty, blanks, punctuation) is about no dimension: say so
    # with certainty instead of passing on what the model makes of an empty string
    blank = np.asarray([_READABLE.search(t) is None for t in texts], dtype=bool)
    if blank.any() and "none" in classes:
        proba, labels = proba.copy(), np.asarray(labels, dtype=object).copy()
        proba[blank] = 0.0
        proba[blank, classes.index("none")] = 1.0
        labels[blank] = "none"
    # the texts (and contexts) are the input, not the result: every other column is carried
    dropped = [text_column] + ([context_column] if context_column in frame.columns else [])
    out = frame.drop(columns=dropped).reset_index(drop=True)
    out["label"] = list(labels)
    out["probability"] = [proba[i, classes.index(lab)] for i, lab in enumerate(labels)]
    for k, c in enumerate(classes):
        out[f"p_{c}"] = proba[:, k] if len(texts) else []
    out["evidence"] = _evidence_strings(texts, lexicon, segmenter, n_evidence)
    out["method"] = method
    if by_passage:
        out["n_passages"] = np.bincount(owner, minlength=len(texts)) if texts else []
    if multi_label:
        out["labels"] = [
            ";".join(label_set(proba[i], classes, labels[i], threshold)) for i in range(len(texts))
        ]
    out.attrs["classifier"] = {**clf.info_, "method": method}
    if head is not None:
        out.attrs["classifier"]["encoder_head"] = {
            **head.info_,
            "ensemble_weights": head.weights(),
        }
    if contexts is not None and ctx is not None:
        if not by_passage:
            out["with_context"] = mixed
        out.attrs["classifier"]["context"] = {
            **ctx.info_,
            "weight": ctx.weight(method),
            "passages_with_context": int(mixed.sum()),
        }
    return out


def _with_context(
    distinct: list[str],
    inverse: np.ndarray,
    contexts: list[str],
    method: str,
    clf: DimensionClassifier,
    lexicon: Lexicon,
    segmenter: Segmenter | None,
    head: EncoderClassifier | None,
    ctx: ContextClassifier,
    classes: list[str],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Tempered probabilities, labels and the mixed rows of passages read with contexts.

    Rows without a context keep the method's own (tempered) probabilities and label; the
    others get the mixture, tempered by the mixture's temperature, and its most probable
    label.
    """
    raw, labels = _raw_probabilities(distinct, method, clf, lexicon, segmenter, head)
    raw = raw[inverse]
    labels = np.asarray(labels, dtype=object)[inverse].copy()
    mixture, mixed = ctx.mix(raw, classes, contexts, method)
    proba = temper(raw, _temperature(method, clf, head))
    proba[mixed] = temper(mixture[mixed], ctx.temperature(method))
    labels[mixed] = np.asarray(classes, dtype=object)[mixture[mixed].argmax(axis=1)]
    return proba, labels, mixed


def _encoder_head(
    method: str, head: EncoderClassifier | None, cache: str | Path | None
) -> EncoderClassifier | None:
    """The encoder head an encoder method uses (with the call's cache); None otherwise."""
    if method not in ENCODER_METHODS:
        return None
    from analysis.text.encoder_head import default_encoder_head

    head = default_encoder_head() if head is None else head
    if cache is not None and head.cache_dir != cache:
        # a copy with the caller's cache: the packaged head is shared by the process
        head = copy.copy(head)
        head.cache_dir = cache
    return head


def _passage_units(
    texts: list[str], width: int | None
) -> tuple[list[str], np.ndarray, np.ndarray, list[str] | None]:
    """Passages of every text (the whole text when it has none), their owner, length and
    context (``width`` characters either side; None: no contexts are cut)."""
    from analysis.text.passages import passage_spans

    units: list[str] = []
    owner: list[int] = []
    contexts: list[str] = []
    for i, text in enumerate(texts):
        spans = passage_spans(text) or [(0, len(text))]
        units += [text[a:b] for a, b in spans]
        if width is not None:
            contexts += [passage_context(text, a, b, width) for a, b in spans]
        owner += [i] * len(spans)
    weight = np.asarray([max(len(u), 1) for u in units], dtype=float)
    return units, np.asarray(owner, dtype=int), weight, None if width is None else contexts


def _probabilities(
    texts: list[str],
    method: str,
    clf: DimensionClassifier,
    lexicon: Lexicon,
    segmenter: Segmenter | None,
    head: EncoderClassifier | None = None,
) -> tuple[np.ndarray, Any]:
    """Probabilities (columns: the rule's classes) and labels of ``texts`` by ``method``.

    The probabilities are tempered by the method's temperature (the head's for the encoder
    methods, the classifier's for the others); the labels are the untempered method's,
    which tempering cannot change (and the lexicon's come from the rule's bars).
    """
    proba, labels = _raw_probabilities(texts, method, clf, lexicon, segmenter, head)
    return temper(proba, _temperature(method, clf, head)), labels


def _temperature(method: str, clf: DimensionClassifier, head: EncoderClassifier | None) -> float:
    """``method``'s own temperature: the head's for the encoder methods, else the model's."""
    owner: Any = head if method in ENCODER_METHODS and head is not None else clf
    return owner.temperature(method)


def _raw_probabilities(
    texts: list[str],
    method: str,
    clf: DimensionClassifier,
    lexicon: Lexicon,
    segmenter: Segmenter | None,
    head: EncoderClassifier | None,
) -> tuple[np.ndarray, Any]:
    """:func:`_probabilities` before tempering."""
    rule = clf.lexicon_rule_
    if method == "encoder" and head is not None:  # neither the model nor the rule is needed
        if not texts:
            return np.zeros((0, len(rule.classes))), []
        proba = _head_proba(head, texts, list(rule.classes))
        return proba, np.asarray(rule.classes, dtype=object)[proba.argmax(axis=1)]
    evidence = lexicon_evidence(texts, lexicon, segmenter)
    if method == "lexicon":  # the model is not needed: do not run it
        return rule.predict_proba(evidence), rule.predict(evidence)
    if not texts:
        return np.zeros((0, len(rule.classes))), []
    out = method_outputs(clf, texts, evidence)
    weights = None
    if head is not None:
        out = out.with_encoder(_head_proba(head, texts, out.classes))
        weights = list(head.weights().values())
    weight = clf.ensemble_weight if method == "ensemble" else 1.0
    return out.proba(method, weight, weights), out.labels(method, weight, weights)


def _head_proba(head: EncoderClassifier, texts: list[str], classes: list[str]) -> np.ndarray:
    """The head's probabilities with columns ``classes`` (it must know no other label)."""
    extra = sorted(set(map(str, head.classes_)) - set(classes))
    if extra:
        raise ConfigError(
            f"classify_texts: the encoder head knows labels {extra} that the classifier's "
            f"framework lacks ({classes}); train both on passages of one framework"
        )
    return aligned(head.predict_proba(texts), head.classes_, classes)


def _classify_partition(
    part: pd.DataFrame,
    clf: DimensionClassifier,
    lexicon: Lexicon,
    segmenter: Segmenter,
    head: EncoderClassifier | None,
    ctx: ContextClassifier | None,
    options: dict[str, Any],
) -> pd.DataFrame:
    """Classify one partition of a Dask frame with this worker's copies of the models.

    The encoder head is small; the encoder it uses is loaded once per worker process
    (:func:`~analysis.text.encoder.sentence_encoder`).
    """
    out = classify_texts(
        part,
        classifier=worker_copy(clf),
        lexicon=worker_copy(lexicon),
        segmenter=worker_copy(segmenter),
        encoder_head=None if head is None else worker_copy(head),
        context_classifier=None if ctx is None else worker_copy(ctx),
        **options,
    )
    out.attrs.clear()  # the provenance is the caller's classifier.info_
    return out
