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
}
__all__ = list(_LAZY)
__getattr__, __dir__ = attach(__name__, _LAZY)

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from analysis.text.lexicon import Lexicon
    from analysis.text.lexicon_file import default_lexicon, load_lexicon
    from analysis.text.score import explain, score_texts, top_terms
    from analysis.text.segment import Segmenter
    from analysis.text.textstats import cooccurrence, dimension_table, keyness
    from analysis.text.validate import (
        load_passages,
        suggest_terms,
        supervised_baseline,
        validate_lexicon,
    )
