"""The matching rules: lexicon expressions over a document's tokens, hit by hit.

Tokens are matched against the lexicon longest expression first. A multi-token expression
(a phrase the segmenter cuts into several tokens) is tried first; then the whole token;
then, for a token that is not itself a term, terms inside it, longest first and without
overlap (so 网格化管理 counts inside the dictionary word 网格化管理服务). A phrase mapped
to no dimension consumes its tokens and counts nothing, which is how lexicons block names
such as 发展和改革委员会. A hit is negated when a negation cue precedes it within the
lexicon's window (in non-whitespace tokens) and no clause end lies between; with the
lexicon's ``negation_scope="both"``, also when a cue follows it so (一站式服务尚未建立).
A token that is a context rule's term counts for the rule's dimension instead when one of the
rule's objects stands among the next few non-whitespace tokens of its clause (发展 … 入党积极分子).

:class:`Matcher` applies these rules one hit at a time, with offsets: it is what
:func:`~analysis.explain` and the co-occurrence and validation tools use, and the reference
the vectorised counting of :mod:`analysis.text.tally` is tested against.
"""

from __future__ import annotations

import operator
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from itertools import accumulate, compress, repeat
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from analysis.text.lexicon import Lexicon
    from analysis.text.segment import Segmenter

SENTENCE_END = frozenset("。！？!?…\n")
CLAUSE_END = SENTENCE_END | frozenset("，,；;：:、|")


class Hit(NamedTuple):
    token: int  # index of the first token
    n_tokens: int
    start: int  # character offsets into the text
    end: int
    term: str
    entries: tuple[tuple[str, float], ...]


class Matcher:
    """Longest-first matching of lexicon expressions over a token list."""

    def __init__(self, lexicon: Lexicon, segmenter: Segmenter) -> None:
        entries = lexicon.entries()
        self.single: dict[str, tuple[tuple[str, float], ...]] = {}
        multi: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        # cut through the segmenter's token cache: a lexicon edit re-cuts only new terms
        cuts = segmenter.cut_many(list(entries))
        for (expr, ents), words in zip(entries.items(), cuts, strict=True):
            parts = tuple(p for p in words if p.strip())
            if len(parts) <= 1:
                self.single[expr] = ents
            else:
                multi.setdefault(parts[0], []).append((parts, expr))
        self.multi = {k: sorted(v, key=lambda x: -len(x[0])) for k, v in multi.items()}
        self.entries = entries
        # longest first: at each position the regex takes the first alternative that
        # matches, then resumes after it, which is longest-first matching without overlap
        terms = sorted((e for e in entries if e), key=len, reverse=True)
        self._inner = re.compile("|".join(map(re.escape, terms))) if terms else None
        self._inside: dict[str, list[tuple[int, str]]] = {}
        self._kind = _KindCache(self)
        #: context rules: term -> (objects, within, what a retargeted hit counts)
        self.contexts: dict[str, tuple[frozenset[str], int, tuple[tuple[str, float], ...]]] = {
            rule.term: (frozenset(rule.objects), rule.within, rule.entries)
            for rule in lexicon.contexts
        }
        self.cues = frozenset(lexicon.negation_cues)
        self.window = lexicon.negation_window
        self.scope = lexicon.negation_scope

    def terms_in(self, word: str) -> list[tuple[int, str]]:
        """Expressions inside ``word``, longest first, without overlap: (offset, term)."""
        if self._inner is None:
            return []
        return [(m.start(), m.group()) for m in self._inner.finditer(word)]

    def inside(self, word: str) -> list[tuple[int, str]]:
        """:meth:`terms_in`, remembered for the 500,000 words asked first."""
        found = self._inside.get(word)
        if found is None:
            found = self.terms_in(word)
            if len(self._inside) < 500_000:
                self._inside[word] = found
        return found

    def kind(self, word: str) -> int:
        """Bits: 8 negation cue; 4 starts a multi-token expression; 1 is an expression;
        2 holds expressions inside."""
        k = (4 if word in self.multi else 0) | (8 if word in self.cues else 0)
        if word in self.single:
            return k | 1
        if len(word) > 1 and self.inside(word):
            return k | 2
        return k

    def hits(
        self,
        words: Sequence[str],
        starts: Sequence[int] | None = None,
        cue_positions: list[int] | None = None,
    ) -> list[Hit]:
        """Hits in token order; character offsets only when ``starts`` is given.

        Positions of negation cues are appended to ``cue_positions`` when it is given.
        """
        if starts is None:
            starts = _NO_OFFSETS
        out: list[Hit] = []
        kind, entries = self._kind, self.entries
        free = 0  # first token not consumed by a multi-token match
        for i in compress(range(len(words)), map(kind.__getitem__, words)):
            w = words[i]
            k = kind[w]
            if k & 8:
                if cue_positions is not None:
                    cue_positions.append(i)
                k &= 7
                if not k:
                    continue
            if i < free:
                continue
            if k & 4:
                for parts, expr in self.multi[w]:
                    n = len(parts)
                    if tuple(words[i : i + n]) == parts:
                        end = starts[i + n - 1] + len(words[i + n - 1])
                        out.append(Hit(i, n, starts[i], end, expr, entries[expr]))
                        free = i + n
                        break
                if i < free:
                    continue
            if k & 1:
                ents = entries[w]
                if w in self.contexts and self._object_follows(words, i):
                    ents = self.contexts[w][2]
                out.append(Hit(i, 1, starts[i], starts[i] + len(w), w, ents))
            elif k & 2:
                for off, term in self._inside[w]:
                    s = starts[i] + off
                    out.append(Hit(i, 1, s, s + len(term), term, entries[term]))
        return out

    def _object_follows(self, words: Sequence[str], i: int) -> bool:
        """Whether an object of the context rule of ``words[i]`` stands among the next
        ``within`` non-whitespace tokens, before a clause or paragraph end."""
        objects, within, _ = self.contexts[words[i]]
        seen = 0
        for w in words[i + 1 :]:
            if w in CLAUSE_END or "\n" in w:
                return False
            if w.strip():
                if w in objects:
                    return True
                seen += 1
                if seen >= within:
                    return False
        return False

    def negated(
        self, words: Sequence[str], hit: Hit, cue_positions: Sequence[int] | None = None
    ) -> bool:
        """Whether a cue stands within the window of ``hit``, in the same clause.

        The window counts non-whitespace tokens between the cue and the hit; a clause end
        (，。；： …) closes it. It reaches back from the hit's first token, and with the
        lexicon's ``negation_scope="both"`` also forward from its last token
        (一站式服务尚未建立). ``cue_positions`` (from :meth:`hits`) lets the common case,
        no cue on that side, return at once.
        """
        if not self.cues:
            return False
        first, last = hit.token, hit.token + hit.n_tokens - 1
        if cue_positions is None or bisect_left(cue_positions, first) > 0:
            if self._cue_within(words, range(first - 1, -1, -1)):
                return True
        if self.scope == "both" and (
            cue_positions is None or bisect_right(cue_positions, last) < len(cue_positions)
        ):
            return self._cue_within(words, range(last + 1, len(words)))
        return False

    def _cue_within(self, words: Sequence[str], positions: Iterable[int]) -> bool:
        """Whether a cue comes, in the order of ``positions``, before a clause end and
        within the window."""
        seen = 0
        for j in positions:
            if seen >= self.window:
                return False
            w = words[j]
            if w in CLAUSE_END:
                return False
            if w.strip():
                if w in self.cues:
                    return True
                seen += 1
        return False


class _NoOffsets:
    """Stands in for token start offsets when only counts are needed."""

    def __getitem__(self, index: int) -> int:
        return 0


_NO_OFFSETS: Sequence[int] = _NoOffsets()  # type: ignore[assignment]


class _KindCache(dict):
    """token -> :meth:`Matcher.kind`, computed on first lookup."""

    def __init__(self, matcher: Matcher) -> None:
        super().__init__()
        self.matcher = matcher

    def __missing__(self, word: str) -> int:
        k = self.matcher.kind(word)
        if len(self) < 500_000:
            self[word] = k
        return k


def token_starts(words: Sequence[str]) -> list[int]:
    return list(accumulate(map(len, words), initial=0))


def unit_bounds(words: Sequence[str], unit: str) -> list[tuple[int, int]]:
    """Token index ranges [a, b) of the units of one document.

    A paragraph ends with a token holding a line end; a sentence also with a token that is
    one of 。！？!?… . Units of nothing but whitespace are left out.
    """
    if unit == "document":
        return [(0, len(words))]
    if not words:
        return []
    is_end: Iterable[bool] = map(str.__contains__, words, repeat("\n"))
    if unit == "sentence":
        is_end = map(operator.or_, map(SENTENCE_END.__contains__, words), is_end)
    cuts = [i + 1 for i in compress(range(len(words)), is_end)]
    if not cuts or cuts[-1] < len(words):
        cuts.append(len(words))
    bounds = zip([0, *cuts[:-1]], cuts, strict=True)
    # the first token settles it for nearly every unit
    return [(a, b) for a, b in bounds if words[a].strip() or any(map(str.strip, words[a:b]))]
