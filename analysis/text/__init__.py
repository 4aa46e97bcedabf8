"""Texts: segmentation, lexicons, matching, text scores, evidence, keyness, validation.

* :mod:`.segment`      a private jieba tokenizer with a user dictionary and a token cache
* :mod:`.lexicon`      the lexicon model: terms -> dimensions, weights, phrases, negation
* :mod:`.lexicon_file` reading lexicons (YAML, CSV, LIWC-style .dic); the default lexicon
* :mod:`.docs`         checking a frame of documents; the segmenter a call uses
* :mod:`.matching`     the matching rules, hit by hit, with offsets (the reference)
* :mod:`.tally`        the same rules vectorised for counting
* :mod:`.score`        text scores and evidence
* :mod:`.textstats`    keyness, the dimension x community table, co-occurrence
* :mod:`.validate`     lexicon validation against labelled passages
* :mod:`.passages`     cutting documents into passages with offsets
* :mod:`.features`     lexicon evidence and the subject rule, for the classifiers
* :mod:`.lexicon_rule` the lexicon's label rule with a learnt bar for ``none``
* :mod:`.classifier`   the trained classifier (n-grams + lexicon evidence), saved as JSON
* :mod:`.encoder`      the optional sentence encoder (extra ``encoder``) and its disk cache
* :mod:`.encoder_head` a classifier on the encoder's vectors, saved as JSON
* :mod:`.mlp`          the head's networks (one hidden layer), kept as plain arrays
* :mod:`.classify`     one label per text: lexicon, model, ensemble or the encoder methods
* :mod:`.evaluation`   per-class scores, confusion, grouped CV, bootstrap, learning curve
* :mod:`.corpus`       the labelled corpus passages (references resolved to text)
* :mod:`.coding`       a coding round on a study's own documents: sample and sheets
* :mod:`.coding_check` agreement of coders, the classifier against their codings

The names below load on first use; importing this face loads no jieba.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from analysis.core.lazy import attach

_LAZY = {
    "Segmenter": "analysis.text.segment",
    "Lexicon": "analysis.text.lexicon",
    "load_lexicon": "analysis.text.lexicon_file",
    "default_lexicon": "analysis.text.lexicon_file",
    "calibrate_lexicon": "analysis.text.lexicon_calibration",
    "score_texts": "analysis.text.score",
    "explain": "analysis.text.score",
    "top_terms": "analysis.text.score",
    "keyness": "analysis.text.textstats",
    "dimension_table": "analysis.text.textstats",
    "cooccurrence": "analysis.text.textstats",
    "validate_lexicon": "analysis.text.validate",
    "supervised_baseline": "analysis.text.validate",
    "suggest_terms": "analysis.text.validate",
    "load_passages": "analysis.text.validate",
    "classify_texts": "analysis.text.classify",
    "train_classifier": "analysis.text.training",
    "train_encoder_classifier": "analysis.text.training",
    "train_context_classifier": "analysis.text.training",
    "DimensionClassifier": "analysis.text.classifier",
    "ContextClassifier": "analysis.text.context",
    "EncoderClassifier": "analysis.text.encoder_head",
    "default_classifier": "analysis.text.classifier",
    "split_passages": "analysis.text.passages",
    "load_labelled_passages": "analysis.text.corpus",
    "coding_sample": "analysis.text.coding",
    "write_coding_sheet": "analysis.text.coding",
    "read_coding_sheet": "analysis.text.coding",
    "compare_codings": "analysis.text.coding_check",
    "check_codings": "analysis.text.coding_check",
    "write_adjudication_sheet": "analysis.text.coding_check",
}
__all__ = list(_LAZY)
__getattr__, __dir__ = attach(__name__, _LAZY)

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from analysis.text.classifier import DimensionClassifier, default_classifier
    from analysis.text.classify import classify_texts
    from analysis.text.coding import coding_sample, read_coding_sheet, write_coding_sheet
    from analysis.text.coding_check import (
        check_codings,
        compare_codings,
        write_adjudication_sheet,
    )
    from analysis.text.context import ContextClassifier
    from analysis.text.corpus import load_labelled_passages
    from analysis.text.encoder_head import EncoderClassifier
    from analysis.text.lexicon import Lexicon
    from analysis.text.lexicon_calibration import calibrate_lexicon
    from analysis.text.lexicon_file import default_lexicon, load_lexicon
    from analysis.text.passages import split_passages
    from analysis.text.score import explain, score_texts, top_terms
    from analysis.text.segment import Segmenter
    from analysis.text.textstats import cooccurrence, dimension_table, keyness
    from analysis.text.training import (
        train_classifier,
        train_context_classifier,
        train_encoder_classifier,
    )
    from analysis.text.validate import (
        load_passages,
        suggest_terms,
        supervised_baseline,
        validate_lexicon,
    )
