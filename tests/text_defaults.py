"""The default lexicon and its segmenter, built once and shared by the text tests."""

from __future__ import annotations

from functools import cache

import analysis as an
from analysis.text.lexicon import Lexicon
from analysis.text.segment import Segmenter


@cache
def lexicon() -> Lexicon:
    return an.default_lexicon()


@cache
def segmenter() -> Segmenter:
    return Segmenter.for_lexicon(lexicon())
