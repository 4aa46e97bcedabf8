"""Vectorised counting of lexicon hits over many documents: the fast path of score_texts.

Per token, scoring needs a handful of facts that depend on the token's text alone: its
length, whether it is content, a clause end, a sentence or paragraph end, a negation cue,
the start of a multi-token expression, and which hits it carries (a term, or terms inside
it). Tokens come as codes into the vocabulary of the segmenter's token cache
(:mod:`analysis.text.token_cache`); :class:`Tallier` works the facts out once per word of the
vocabulary, and a batch of documents, one array of codes, is counted with numpy reductions.
Documents in the cache cost no Python work per token at all: re-scoring with an edited
lexicon classifies the vocabulary again and counts.

The rules are those of :class:`analysis.text.matching.Matcher` (which :func:`~analysis.explain`
uses hit by hit), and the tests check that both give the same counts on random token
streams. Multi-token expressions are matched in a Python loop over the positions where one
could start: they are rare, because the segmenter keeps lexicon terms whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from analysis.text.matching import CLAUSE_END, SENTENCE_END, Matcher
from analysis.text.segment import _is_content

if TYPE_CHECKING:
    from analysis.text.lexicon import Lexicon
    from analysis.text.segment import Segmenter


# bits of a token's flags
_CONTENT = 1
_NONSPACE = 2
_ENDS_CLAUSE = 4
_CUE = 8
_MULTI = 16
_ENDS_PARAGRAPH = 32
_ENDS_SENTENCE = 64
_HIT = 128


class Tally(NamedTuple):
    """Counts per unit of a batch of documents, units in document order.

    ``doc`` indexes the batch's documents; ``counts``, ``weights`` and ``negated`` have one
    column per dimension; ``codes`` holds every token's code, the tokens of document ``i``
    at ``codes[token_offsets[i]:token_offsets[i + 1]]``, and ``lengths[code]`` is the length
    of a code's word.
    """

    doc: np.ndarray
    unit_id: np.ndarray
    counts: np.ndarray
    weights: np.ndarray
    negated: np.ndarray
    n_tokens: np.ndarray
    codes: np.ndarray
    token_offsets: np.ndarray
    lengths: np.ndarray

    def doc_codes(self, i: int) -> np.ndarray:
        """Token codes of document ``i``."""
        return self.codes[int(self.token_offsets[i]) : int(self.token_offsets[i + 1])]

    def doc_ends(self, i: int) -> np.ndarray:
        """Token end offsets of document ``i``."""
        return np.cumsum(self.lengths[self.doc_codes(i)])


def merge(parts: Sequence[Tally], index: Sequence[np.ndarray]) -> Tally:
    """Join tallies of parts of a corpus into one, units in corpus document order.

    ``index[k]`` gives, for each document of ``parts[k]``, its position in the corpus. Token
    ends belong to their part and are not carried over: take them from the parts first.
    """
    doc = np.concatenate(
        [np.asarray(ix, dtype=np.int64)[p.doc] for p, ix in zip(parts, index, strict=True)]
    )
    order = np.argsort(doc, kind="stable")  # units keep their order within a document
    return Tally(
        doc=doc[order],
        unit_id=np.concatenate([p.unit_id for p in parts])[order],
        counts=np.concatenate([p.counts for p in parts])[order],
        weights=np.concatenate([p.weights for p in parts])[order],
        negated=np.concatenate([p.negated for p in parts])[order],
        n_tokens=np.concatenate([p.n_tokens for p in parts])[order],
        codes=np.zeros(0, dtype=np.uint32),
        token_offsets=np.zeros(1, dtype=np.int64),
        lengths=np.zeros(0, dtype=np.int64),
    )


class Tallier:
    """Counts lexicon hits, negated hits and content tokens per unit of many documents.

    Parameters
    ----------
    lexicon, segmenter
        What scores (the segmenter decides which tokens are content).
    unit
        ``"document"``, ``"paragraph"`` or ``"sentence"``.

    Notes
    -----
    Codes are those of the segmenter's token cache (``segmenter.token_cache.vocab``); the
    words it learns are classified in bulk, on the next count. Picklable as its settings, so
    process pools started with "spawn" can use it; the codes are rebuilt in each process.
    """

    def __init__(self, lexicon: Lexicon, segmenter: Segmenter, unit: str) -> None:
        self.lexicon = lexicon
        self.segmenter = segmenter
        self.unit = unit
        self.matcher = Matcher(lexicon, segmenter)
        self.dims = tuple(lexicon.framework.ids)
        self._stopwords = segmenter.stopwords
        self._pos = {d: k for k, d in enumerate(self.dims)}
        self.vocab = segmenter.token_cache.vocab
        self._length: list[int] = []
        self._flags: list[int] = []
        self._row: list[int] = []  # row of the hit tables, -1 for none
        self._hit_counts: list[list[float]] = []
        self._hit_weights: list[list[float]] = []
        self._tables: tuple[np.ndarray, ...] | None = None
        # multi-token expressions, longest first: code of the first word -> [(codes of the
        # parts as bytes, number of parts, hit row)]
        self._multi: dict[int, list[tuple[bytes, int, int]]] = {}
        for first, candidates in self.matcher.multi.items():
            for parts, expr in candidates:
                codes = np.array([self.vocab[p] for p in parts], dtype=np.uint32)
                row = self._new_row(self.matcher.entries[expr])  # a phrase that blocks: zeros
                self._multi.setdefault(self.vocab[first], []).append(
                    (codes.tobytes(), len(parts), row)
                )
        # context rules: code of the term -> (codes of its objects, within, hit row)
        self._contexts: dict[int, tuple[np.ndarray, int, int]] = {
            self.vocab[term]: (
                np.array(sorted({self.vocab[o] for o in objects}), dtype=np.uint32),
                within,
                self._new_row(ents),
            )
            for term, (objects, within, ents) in self.matcher.contexts.items()
        }
        self._classify_new()

    def __getstate__(self) -> dict:
        return {"lexicon": self.lexicon, "segmenter": self.segmenter, "unit": self.unit}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["lexicon"], state["segmenter"], state["unit"])  # type: ignore[misc]

    # ------------------------------------------------------------------ classification
    def _new_row(self, entries: Sequence[tuple[str, float]]) -> int:
        counts = [0.0] * len(self.dims)
        weights = [0.0] * len(self.dims)
        for dim, w in entries:
            counts[self._pos[dim]] += 1
            weights[self._pos[dim]] += w
        self._hit_counts.append(counts)
        self._hit_weights.append(weights)
        self._tables = None
        return len(self._hit_counts) - 1

    def _classify_new(self) -> None:
        """Work out the facts scoring needs about the words of the vocabulary not classified
        yet (codes are handed out in order, so they are the last ones)."""
        words = self.vocab.words[len(self._flags) :]
        if not words:
            return
        m, stopwords = self.matcher, self._stopwords
        cues, multi = m.cues, m.multi
        flags = [
            (_CONTENT if _is_content(w, stopwords) else 0)
            | (_NONSPACE if w.strip() else 0)
            | (_ENDS_CLAUSE if w in CLAUSE_END else 0)
            | (_ENDS_SENTENCE if w in SENTENCE_END else 0)
            | (_ENDS_PARAGRAPH | _ENDS_SENTENCE if "\n" in w else 0)
            | (_CUE if w in cues else 0)
            | (_MULTI if w in multi else 0)
            for w in words
        ]
        # a token that is an expression hits as such; any other, with the expressions
        # inside it (found by one scan over all the new tokens, NUL-separated)
        entries: list[Sequence[tuple[str, float]] | None] = [m.single.get(w) for w in words]
        if m._inner is not None:
            joined = "\0".join(words)
            starts = np.cumsum([0] + [len(w) + 1 for w in words[:-1]])
            inside: dict[int, list[tuple[str, float]]] = {}
            for found in m._inner.finditer(joined):
                j = int(np.searchsorted(starts, found.start(), side="right")) - 1
                if entries[j] is None:
                    inside.setdefault(j, []).extend(m.entries[found.group()])
            for j, ents in inside.items():
                entries[j] = ents
        rows = [-1] * len(words)
        for j, ents in enumerate(entries):
            if ents:
                flags[j] |= _HIT
                rows[j] = self._new_row(ents)
        self._length.extend(map(len, words))
        self._flags.extend(flags)
        self._row.extend(rows)
        self._tables = None

    def _arrays(self) -> tuple[np.ndarray, ...]:
        if self._tables is None:
            ndim = len(self.dims)
            self._tables = (
                np.array(self._length, dtype=np.int64),
                np.array(self._flags, dtype=np.uint8),
                np.array(self._row, dtype=np.int64),
                np.array(self._hit_counts, dtype=float).reshape(-1, ndim),
                np.array(self._hit_weights, dtype=float).reshape(-1, ndim),
            )
        return self._tables

    # ------------------------------------------------------------------ counting
    def tally(self, words_list: Sequence[Sequence[str]]) -> Tally:
        """Count a batch of documents, each given as its tokens."""
        n = sum(map(len, words_list))
        codes = self.vocab.encode(chain.from_iterable(words_list), count=n)
        per_doc = np.fromiter(map(len, words_list), dtype=np.int64, count=len(words_list))
        return self.count(codes, per_doc)

    def tally_codes(self, codes_list: Sequence[np.ndarray]) -> Tally:
        """Count a batch of documents, each given as the codes of its tokens."""
        per_doc = np.fromiter(map(len, codes_list), dtype=np.int64, count=len(codes_list))
        codes = np.concatenate(codes_list) if codes_list else np.zeros(0, dtype=np.uint32)
        return self.count(codes.astype(np.uint32, copy=False), per_doc)

    def count(self, codes: np.ndarray, per_doc: np.ndarray) -> Tally:
        """Count the documents of ``codes`` (``uint32``), ``per_doc`` tokens each in turn."""
        n_docs = len(per_doc)
        offsets = np.zeros(n_docs + 1, dtype=np.int64)
        np.cumsum(per_doc, out=offsets[1:])
        n = int(offsets[-1])
        self._classify_new()
        length, flag_table, row_table, hit_counts, hit_weights = self._arrays()
        flags = flag_table[codes]
        # whitespace tokens are few: they and the other sparse positions are all the counting
        # below needs, besides a running count of content tokens
        space = np.flatnonzero((flags & _NONSPACE) == 0)
        content = np.zeros(n + 1, dtype=np.int64)
        np.cumsum((flags & _CONTENT) != 0, out=content[1:])

        unit_start, unit_end, unit_doc, unit_id = self._units(flags, offsets, per_doc, space)
        n_units = len(unit_start)
        positions, lasts, rows = self._hits(codes, flags, row_table, offsets)
        if self._contexts:
            rows = self._retarget(codes, flags, positions, lasts, rows, offsets, space)
        units = np.searchsorted(unit_start, positions, side="right") - 1
        counts = hit_counts[rows]
        negated = self._negated(flags, positions, lasts, unit_doc[units], offsets, space)
        # one bincount per output over (unit, dimension) cells
        ndim = len(self.dims)
        cells = (units[:, None] * ndim + np.arange(ndim)).ravel()

        def total(values: np.ndarray) -> np.ndarray:
            out = np.bincount(cells, weights=values.ravel(), minlength=n_units * ndim)
            return out.reshape(n_units, ndim)

        return Tally(
            doc=unit_doc,
            unit_id=unit_id,
            counts=total(counts).astype(np.int64),
            weights=total(hit_weights[rows]),
            negated=total(counts * negated[:, None]).astype(np.int64),
            n_tokens=content[unit_end] - content[unit_start],
            codes=codes,
            token_offsets=offsets,
            lengths=length,
        )

    def _units(
        self,
        flags: np.ndarray,
        offsets: np.ndarray,
        per_doc: np.ndarray,
        space: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """First and past-the-last token, document and 1-based id of every unit.

        A paragraph or sentence ends with the token that ends it; units with nothing but
        whitespace are dropped and the rest numbered 1, 2, ... within their document. A
        document is one unit even when empty.
        """
        n_docs = len(per_doc)
        if self.unit == "document":
            return offsets[:-1], offsets[1:], np.arange(n_docs), np.ones(n_docs, dtype=np.int64)
        n = len(flags)
        bit = _ENDS_PARAGRAPH if self.unit == "paragraph" else _ENDS_SENTENCE
        # a unit starts at each non-empty document and after each unit end (the token
        # after a document's last token starts the next document, or is past the end)
        start = np.union1d(offsets[:-1][per_doc > 0], np.flatnonzero(flags & bit) + 1)
        start = start[start < n]
        end = np.append(start[1:], n)
        blank = np.searchsorted(space, end) - np.searchsorted(space, start)
        keep = end - start > blank
        start, end = start[keep], end[keep]
        doc = np.searchsorted(offsets, start, side="right") - 1
        unit_id = np.arange(len(doc)) - np.searchsorted(doc, doc, side="left") + 1
        return start, end, doc, unit_id.astype(np.int64)

    def _hits(
        self,
        codes: np.ndarray,
        flags: np.ndarray,
        row_table: np.ndarray,
        offsets: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """First and last token of each hit (they differ for multi-token expressions), and
        its row of the hit tables."""
        candidates = np.flatnonzero((flags & _HIT) != 0)
        if not self._multi:
            return candidates, candidates, row_table[codes[candidates]]
        starts = np.flatnonzero((flags & _MULTI) != 0)
        if not len(starts):
            return candidates, candidates, row_table[codes[candidates]]
        doc_ends = offsets[np.searchsorted(offsets, starts, side="right")]
        raw = codes.tobytes()
        free = 0  # first position not consumed by a multi-token match
        matched: list[tuple[int, int, int]] = []
        consumed = np.zeros(len(codes), dtype=bool)
        for p, doc_end in zip(starts.tolist(), doc_ends.tolist(), strict=True):
            if p < free:
                continue
            for parts, size, row in self._multi[int(codes[p])]:
                if p + size <= doc_end and raw[4 * p : 4 * (p + size)] == parts:
                    matched.append((p, p + size - 1, row))
                    consumed[p : p + size] = True
                    free = p + size
                    break
        candidates = candidates[~consumed[candidates]]
        found = np.array(matched, dtype=np.int64).reshape(-1, 3)
        return (
            np.concatenate([candidates, found[:, 0]]),
            np.concatenate([candidates, found[:, 1]]),
            np.concatenate([row_table[codes[candidates]], found[:, 2]]),
        )

    def _retarget(
        self,
        codes: np.ndarray,
        flags: np.ndarray,
        positions: np.ndarray,
        lasts: np.ndarray,
        rows: np.ndarray,
        offsets: np.ndarray,
        space: np.ndarray,
    ) -> np.ndarray:
        """Hit rows with the context rules applied: a one-token hit on a rule's term takes
        the rule's row when an object stands among the next ``within`` non-whitespace
        tokens of its clause, in its document (the nearest object is the one to check)."""
        rows = rows.copy()
        ends = np.flatnonzero((flags & (_ENDS_CLAUSE | _ENDS_PARAGRAPH)) != 0)
        hit_codes = codes[positions]
        for term, (objects, within, row) in self._contexts.items():
            at = np.flatnonzero((hit_codes == term) & (positions == lasts))
            if not len(at):
                continue
            p = positions[at]
            found = np.flatnonzero(np.isin(codes, objects))
            k = np.searchsorted(found, p, side="right")
            ok = k < len(found)
            at, p, obj = at[ok], p[ok], found[k[ok]]
            # the first clause end after the term, or past every token
            next_end = np.append(ends, len(codes))[np.searchsorted(ends, p, side="right")]
            before_end = next_end > obj
            doc_end = offsets[np.searchsorted(offsets, p, side="right")]
            blank = np.searchsorted(space, obj) - np.searchsorted(space, p + 1)
            near = obj - p - blank <= within
            rows[at[before_end & (obj < doc_end) & near]] = row
        return rows

    def _negated(
        self,
        flags: np.ndarray,
        firsts: np.ndarray,
        lasts: np.ndarray,
        docs: np.ndarray,
        offsets: np.ndarray,
        space: np.ndarray,
    ) -> np.ndarray:
        """Whether a cue stands within the window of each hit, with no clause end between.

        The window counts non-whitespace tokens strictly between the cue and the hit's first
        token (and, with ``negation_scope="both"``, its last token). Only the nearest cue or
        clause end on each side matters: the hit is negated when that is a cue (that does
        not also end a clause) in the hit's document (``docs``), within the window.
        """
        negated = np.zeros(len(firsts), dtype=bool)
        marks = np.flatnonzero((flags & (_CUE | _ENDS_CLAUSE)) != 0)
        is_cue = (flags[marks] & (_CUE | _ENDS_CLAUSE)) == _CUE
        if not len(firsts) or not is_cue.any():
            return negated.astype(float)
        window = self.matcher.window
        # before: the nearest mark before the first token
        k = np.searchsorted(marks, firsts) - 1
        hit = np.flatnonzero(k >= 0)
        hit = hit[is_cue[k[hit]]]
        cue, first = marks[k[hit]], firsts[hit]
        blank = np.searchsorted(space, first) - np.searchsorted(space, cue + 1)
        negated[hit] = (cue >= offsets[docs[hit]]) & (first - cue - 1 - blank < window)
        if self.matcher.scope == "both":
            # after: the nearest mark after the last token
            k = np.searchsorted(marks, lasts, side="right")
            hit = np.flatnonzero(k < len(marks))
            hit = hit[is_cue[k[hit]]]
            cue, last = marks[k[hit]], lasts[hit]
            blank = np.searchsorted(space, cue) - np.searchsorted(space, last + 1)
            negated[hit] |= (cue < offsets[docs[hit] + 1]) & (cue - last - 1 - blank < window)
        return negated.astype(float)
