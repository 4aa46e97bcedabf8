"""What the classifiers see of a text: lexicon evidence per dimension and the subject rule.

Two kinds of evidence are computed here, once, for the lexicon rule and the trained model
alike (:mod:`analysis.text.classifier`):

- the lexicon's weighted hits per dimension (the same matching as :func:`score_texts`);
- the *subject rule*: clauses whose subject is named by a dimension's subject terms. A
  sentence that opens with 流动党员 or 党支部 is about party members, however many words of
  the economy follow, so a clause that begins with a subject term adds evidence to that
  dimension. Subject terms are the lexicon's data
  (:attr:`~analysis.text.lexicon.Lexicon.subjects`);
- the lexicon's ``none`` cues (:attr:`~analysis.text.lexicon.Lexicon.none_cues`): matches of
  formulas such as 根据……制定本条例 or 本办法自……起施行 that mark a clause as about no dimension.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from analysis.text.simplify import Simplifier

if TYPE_CHECKING:
    from analysis.text.lexicon import Lexicon
    from analysis.text.segment import Segmenter

__all__ = [
    "LexiconEvidence",
    "cue_counts",
    "lexicon_evidence",
    "simplified",
    "subject_counts",
]

# clause ends: the subject of a Chinese clause comes first
_CLAUSE = re.compile(r"[，。；：！？,;:!?\n]")
# list numbering and connectives that may precede a clause's subject
_LEAD = re.compile(
    r"^(?:[（(]?[一二三四五六七八九十0-9]+[)）、.．]|第[一二三四五六七八九十百]+条|要|对|把|各级|凡)*"
)


@lru_cache(maxsize=1)
def _simplifier() -> Simplifier:
    return Simplifier()


def simplified(text: str) -> str:
    """``text`` in simplified characters, one character for one (see :mod:`.simplify`).

    The result has the length of the input: offsets into it are offsets into the original.
    """
    return _simplifier()(text)


def subject_counts(
    texts: Sequence[str], subjects: Mapping[str, Sequence[str]], dimensions: Sequence[str]
) -> np.ndarray:
    """Clauses per text whose subject is one of a dimension's subject terms.

    Returns an array of shape ``(len(texts), len(dimensions))``. A clause counts for a
    dimension when, after list numbering and a few leading words (要, 对, 把, 各级 …), it
    opens with one of the dimension's subject terms.
    """
    out = np.zeros((len(texts), len(dimensions)), dtype=float)
    pats = {
        d: re.compile("|".join(sorted(map(re.escape, terms), key=len, reverse=True)))
        for d, terms in subjects.items()
        if d in dimensions and terms
    }
    if not pats:
        return out
    col = {d: k for k, d in enumerate(dimensions)}
    for i, text in enumerate(texts):
        for clause in _CLAUSE.split(text):
            clause = clause.strip()
            rest = clause[_LEAD.match(clause).end() :]  # type: ignore[union-attr]
            for d, pat in pats.items():
                if pat.match(rest):
                    out[i, col[d]] += 1
    return out


def cue_counts(texts: Sequence[str], pattern: re.Pattern[str]) -> np.ndarray:
    """Non-overlapping matches of ``pattern`` (a lexicon's ``none`` cues) per text."""
    return np.asarray([sum(1 for _ in pattern.finditer(t)) for t in texts], dtype=float)


class LexiconEvidence:
    """Weighted lexicon hits and subject clauses per text and dimension.

    Attributes
    ----------
    dimensions : tuple of str
        Column order of the arrays.
    hits : numpy.ndarray
        Weighted hits, shape ``(n_texts, n_dimensions)``.
    subjects : numpy.ndarray
        Subject clauses (see :func:`subject_counts`), same shape.
    n_tokens : numpy.ndarray
        Content tokens per text.
    n_chars : numpy.ndarray
        Characters per text.
    cues : numpy.ndarray or None
        Matches of the lexicon's ``none`` cues per text; ``None`` when the lexicon has no
        cues (then :meth:`matrix` has no cue column, as before cues existed).
    """

    def __init__(
        self,
        dimensions: tuple[str, ...],
        hits: np.ndarray,
        subjects: np.ndarray,
        n_tokens: np.ndarray,
        n_chars: np.ndarray,
        cues: np.ndarray | None = None,
    ) -> None:
        self.dimensions = dimensions
        self.hits = hits
        self.subjects = subjects
        self.n_tokens = n_tokens
        self.n_chars = n_chars
        self.cues = cues

    def __len__(self) -> int:
        return len(self.hits)

    def rows(self, index: np.ndarray) -> LexiconEvidence:
        """The evidence of the texts at ``index``."""
        return LexiconEvidence(
            self.dimensions,
            self.hits[index],
            self.subjects[index],
            self.n_tokens[index],
            self.n_chars[index],
            None if self.cues is None else self.cues[index],
        )

    def evidence(self, subject_weight: float) -> np.ndarray:
        """Hits plus ``subject_weight`` per subject clause."""
        return self.hits + subject_weight * self.subjects

    def matrix(self) -> np.ndarray:
        """Dense features for a model.

        Log hits, hit shares, log total, log subject clauses and, when the lexicon has
        ``none`` cues, a last column of log cue matches.
        """
        total = self.hits.sum(axis=1, keepdims=True)
        share = np.divide(self.hits, total, out=np.zeros_like(self.hits), where=total > 0)
        blocks = [np.log1p(self.hits), share, np.log1p(total), np.log1p(self.subjects)]
        if self.cues is not None:
            blocks.append(np.log1p(self.cues)[:, None])
        return np.hstack(blocks)


def lexicon_evidence(
    texts: Sequence[str],
    lexicon: Lexicon,
    segmenter: Segmenter | None = None,
    subjects: Mapping[str, Sequence[str]] | None = None,
) -> LexiconEvidence:
    """Score ``texts`` with ``lexicon``, count subject clauses and ``none`` cue matches.

    ``subjects`` defaults to the lexicon's own
    (:attr:`~analysis.text.lexicon.Lexicon.subjects`); pass ``{}`` to leave the subject rule
    out. Texts are converted to simplified characters first.
    """
    from analysis.text.score import score_texts

    if subjects is None:
        subjects = lexicon.subjects
    dims = tuple(lexicon.framework.ids)
    plain = [simplified(t) for t in texts]
    cue_pattern = lexicon.none_cue_pattern()
    if not plain:
        empty = np.zeros((0, len(dims)))
        no_cues = None if cue_pattern is None else np.zeros(0)
        return LexiconEvidence(dims, empty, empty.copy(), np.zeros(0), np.zeros(0), no_cues)
    ids = [f"t{i}" for i in range(len(plain))]
    scores = score_texts(pd.DataFrame({"doc_id": ids, "text": plain}), lexicon, segmenter=segmenter)
    wide = scores.pivot(index="doc_id", columns="dimension", values="weighted_hits")
    hits = wide.reindex(index=ids, columns=list(dims)).to_numpy(dtype=float)
    n_tokens = scores.groupby("doc_id")["n_tokens"].first().reindex(ids).to_numpy(dtype=float)
    n_chars = np.asarray([len(t) for t in plain], dtype=float)
    cues = None if cue_pattern is None else cue_counts(plain, cue_pattern)
    subj = subject_counts(plain, subjects, dims)
    return LexiconEvidence(dims, hits, subj, n_tokens, n_chars, cues)
