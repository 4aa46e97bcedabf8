"""Score documents on lexicon dimensions and show the evidence.

:func:`score_texts` counts lexicon hits per document (or paragraph, or sentence) and
dimension; :func:`explain` lists every hit with its place and sentence; :func:`top_terms`
ranks the terms behind a dimension's score per community.

Matching (shared by both): the text is segmented once (cached), then tokens are matched
against the lexicon longest expression first. A multi-token expression (a phrase the
segmenter cuts into several tokens) is tried first; then the whole token; then, for a token
that is not itself a term, terms inside it, longest first and without overlap (so
网格化管理 counts inside the dictionary word 网格化管理服务). A phrase mapped to no
dimension consumes its tokens and counts nothing, which is how lexicons block names such as
发展和改革委员会.
"""

from __future__ import annotations

import logging
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from itertools import accumulate
from typing import TYPE_CHECKING, Literal, NamedTuple

import pandas as pd

from .errors import InputError, check_option

if TYPE_CHECKING:
    from .lexicon import Lexicon
    from .segment import Segmenter

__all__ = ["explain", "score_texts", "top_terms"]

logger = logging.getLogger("analysis")

Unit = Literal["document", "paragraph", "sentence"]
_SENTENCE_END = frozenset("。！？!?…\n")
_CLAUSE_END = _SENTENCE_END | frozenset("，,；;：:、|")
_PER = 1000.0
_BATCH = 256


class _Hit(NamedTuple):
    token: int  # index of the first token
    n_tokens: int
    start: int  # character offsets into the text
    end: int
    term: str
    entries: tuple[tuple[str, float], ...]


class _Matcher:
    """Longest-first matching of lexicon expressions over a token list."""

    def __init__(self, lexicon: Lexicon, segmenter: Segmenter) -> None:
        entries = lexicon.entries()
        self.single: dict[str, tuple[tuple[str, float], ...]] = {}
        multi: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for expr, ents in entries.items():
            parts = tuple(p for p in segmenter.cut(expr) if p.strip())
            if len(parts) <= 1:
                self.single[expr] = ents
            else:
                multi.setdefault(parts[0], []).append((parts, expr))
        self.multi = {k: sorted(v, key=lambda x: -len(x[0])) for k, v in multi.items()}
        self.entries = entries
        self.lengths = sorted({len(e) for e in entries}, reverse=True)
        self._inside: dict[str, list[tuple[int, str]]] = {}
        self._kind = _KindCache(self)
        self.cues = frozenset(lexicon.negation_cues)
        self.window = lexicon.negation_window

    def inside(self, word: str) -> list[tuple[int, str]]:
        """Terms inside ``word``, longest first, without overlap: (offset, term)."""
        found = self._inside.get(word)
        if found is None:
            found = []
            i, n = 0, len(word)
            while i < n:
                for length in self.lengths:
                    if length <= n - i and word[i : i + length] in self.entries:
                        found.append((i, word[i : i + length]))
                        i += length
                        break
                else:
                    i += 1
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
    ) -> list[_Hit]:
        """Hits in token order; character offsets only when ``starts`` is given.

        Positions of negation cues are appended to ``cue_positions`` when it is given.
        """
        if starts is None:
            starts = _NO_OFFSETS
        out: list[_Hit] = []
        kind, entries = self._kind, self.entries
        free = 0  # first token not consumed by a multi-token match
        for i in [i for i, w in enumerate(words) if kind[w]]:
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
                        out.append(_Hit(i, n, starts[i], end, expr, entries[expr]))
                        free = i + n
                        break
                if i < free:
                    continue
            if k & 1:
                out.append(_Hit(i, 1, starts[i], starts[i] + len(w), w, entries[w]))
            elif k & 2:
                for off, term in self._inside[w]:
                    s = starts[i] + off
                    out.append(_Hit(i, 1, s, s + len(term), term, entries[term]))
        return out

    def negated(
        self, words: Sequence[str], index: int, cue_positions: Sequence[int] | None = None
    ) -> bool:
        """Whether a cue precedes token ``index`` within the window, in the same clause.

        ``cue_positions`` (from :meth:`hits`) lets the common case, no cue before the hit,
        return at once.
        """
        if not self.cues:
            return False
        if cue_positions is not None and bisect_left(cue_positions, index) == 0:
            return False
        seen, j = 0, index - 1
        while j >= 0 and seen < self.window:
            w = words[j]
            if w in _CLAUSE_END:
                return False
            if w.strip():
                if w in self.cues:
                    return True
                seen += 1
            j -= 1
        return False


class _NoOffsets:
    """Stands in for token start offsets when only counts are needed."""

    def __getitem__(self, index: int) -> int:
        return 0


_NO_OFFSETS: Sequence[int] = _NoOffsets()  # type: ignore[assignment]


class _KindCache(dict):
    """token -> :meth:`_Matcher.kind`, computed on first lookup."""

    def __init__(self, matcher: _Matcher) -> None:
        super().__init__()
        self.matcher = matcher

    def __missing__(self, word: str) -> int:
        k = self.matcher.kind(word)
        if len(self) < 500_000:
            self[word] = k
        return k


def _starts(words: Sequence[str]) -> list[int]:
    return list(accumulate(map(len, words), initial=0))


def _unit_bounds(words: Sequence[str], unit: str) -> list[tuple[int, int]]:
    """Token index ranges [a, b) of the units of one document."""
    if unit == "document":
        return [(0, len(words))]
    ends = {"\n"} if unit == "paragraph" else _SENTENCE_END
    bounds, a = [], 0
    for i, w in enumerate(words):
        if w in ends or (unit == "paragraph" and "\n" in w) or (unit == "sentence" and "\n" in w):
            bounds.append((a, i + 1))
            a = i + 1
    if a < len(words):
        bounds.append((a, len(words)))
    return [(a, b) for a, b in bounds if any(w.strip() for w in words[a:b])]


def _check_docs(docs: pd.DataFrame, group: Iterable[str] | None, owner: str) -> list[str]:
    if not isinstance(docs, pd.DataFrame):
        raise InputError(f"{owner}: docs must be a DataFrame with doc_id and text (read_texts)")
    missing = [c for c in ("doc_id", "text") if c not in docs.columns]
    if missing:
        raise InputError(
            f"{owner}: docs lacks column(s) {', '.join(map(repr, missing))}; expected the "
            "frame returned by read_texts"
        )
    if docs["doc_id"].duplicated().any():
        dup = docs.loc[docs["doc_id"].duplicated(), "doc_id"].iloc[0]
        raise InputError(f"{owner}: doc_id {dup!r} occurs more than once; ids must be unique")
    group = [group] if isinstance(group, str) else list(group or [])
    absent = [g for g in group if g not in docs.columns]
    if absent:
        raise InputError(
            f"{owner}: group column(s) {', '.join(map(repr, absent))} not in docs; available: "
            f"{', '.join(map(repr, docs.columns))}"
        )
    return group


_SEGMENTERS: dict[tuple[str, str, int], Segmenter] = {}


def _resolve(lexicon: Lexicon | None, segmenter: Segmenter | None) -> tuple[Lexicon, Segmenter]:
    from .lexicon import default_lexicon
    from .segment import Segmenter

    lexicon = default_lexicon() if lexicon is None else lexicon
    if segmenter is None:
        key = (lexicon.name, lexicon.version, hash(lexicon))
        segmenter = _SEGMENTERS.get(key)
        if segmenter is None:
            segmenter = Segmenter.for_lexicon(lexicon)
            if len(_SEGMENTERS) > 8:
                _SEGMENTERS.clear()
            _SEGMENTERS[key] = segmenter
    return lexicon, segmenter


def score_texts(
    docs: pd.DataFrame,
    lexicon: Lexicon | None = None,
    *,
    segmenter: Segmenter | None = None,
    unit: Unit = "document",
    group: str | Sequence[str] | None = None,
    jobs: int = 1,
) -> pd.DataFrame:
    """Score documents on the dimensions of a lexicon.

    Parameters
    ----------
    docs
        Frame with ``doc_id`` and ``text`` (as from :func:`~analysis.read_texts`).
    lexicon
        Default: :func:`~analysis.default_lexicon`.
    segmenter
        Default: ``Segmenter.for_lexicon(lexicon)`` (built once per lexicon and reused).
    unit
        ``"document"``, ``"paragraph"`` (lines of the normalised text) or ``"sentence"``
        (ending in 。！？!?… or a line end).
    group
        Metadata columns of ``docs`` to carry into the result (e.g. ``"community"``).
    jobs
        Worker processes (``-1``: every core). Workers segment and score their share of the
        documents; documents already in the token cache are scored in this process. Works
        with the "spawn" start method (Windows, macOS).

    Returns
    -------
    pandas.DataFrame
        One row per unit and dimension, dimensions in framework order, zeros included:

        - ``doc_id``; ``unit_id`` (1, 2, ... within the document) unless ``unit="document"``
        - the ``group`` columns
        - ``dimension``: dimension id
        - ``n_hits``: number of term occurrences
        - ``weighted_hits``: sum of their weights
        - ``n_negated``: hits preceded within the lexicon's negation window (in tokens, same
          clause) by a negation cue; counted in ``n_hits`` too, reported separately, never
          subtracted
        - ``n_tokens``: content tokens of the unit (whitespace, punctuation and symbols,
          numbers and stopwords are not content; see :meth:`Segmenter.is_content`)
        - ``score``: ``weighted_hits`` per 1,000 content tokens (NaN if ``n_tokens`` is 0)
        - ``share``: the dimension's share of the unit's weighted hits (NaN if none)
        - ``lexicon``, ``lexicon_version``, ``dict_fingerprint``: what produced the score

    Raises
    ------
    InputError
        ``docs`` lacks ``doc_id``/``text``, has duplicate ids, or lacks a ``group`` column.
    ConfigError
        Unknown ``unit``.

    Notes
    -----
    .. math:: \\mathrm{score}_{d} = 1000 \\cdot \\frac{\\sum_{h \\in d} w_h}{N_{content}}

    Matching is described in the module docstring. A term listed in two dimensions with
    weights counts in both.

    Examples
    --------
    >>> import pandas as pd
    >>> docs = pd.DataFrame({"doc_id": ["a"], "text": ["推行一站式服务，发展党员三名。"]})
    >>> s = score_texts(docs)
    >>> s.set_index("dimension")["n_hits"].to_dict()
    {'reform': 1, 'development': 0, 'livelihood': 0, 'masses': 0, 'members': 1}
    """
    check_option("unit", unit, ("document", "paragraph", "sentence"), owner="score_texts")
    group = _check_docs(docs, group, "score_texts")
    lexicon, segmenter = _resolve(lexicon, segmenter)
    scorer = _DocScorer(lexicon, segmenter, unit)
    texts = docs["text"].fillna("").astype(str).tolist()
    if jobs == -1:
        import os

        jobs = os.cpu_count() or 1
    if jobs > 1 and len(texts) > 1:
        per_doc = _score_parallel(texts, scorer, jobs)
    else:
        per_doc = [
            scorer.score(words)
            for start in range(0, len(texts), _BATCH)  # batches bound the tokens held at once
            for words in segmenter.cut_many(texts[start : start + _BATCH])
        ]
    doc_idx: list[int] = []
    unit_ids: list[int] = []
    n_hits: list[int] = []
    weighted: list[float] = []
    negated: list[int] = []
    n_tokens: list[int] = []
    ndim = len(lexicon.framework.ids)
    for d, (units, counts, wsum, negs, ntoks) in enumerate(per_doc):
        doc_idx.extend([d] * (len(units) * ndim))
        unit_ids.extend(u for u in units for _ in range(ndim))
        n_hits.extend(counts)
        weighted.extend(wsum)
        negated.extend(negs)
        n_tokens.extend(n for n in ntoks for _ in range(ndim))
    return _score_frame(
        docs,
        group,
        lexicon.framework.ids,
        unit,
        doc_idx,
        unit_ids,
        n_hits,
        weighted,
        negated,
        n_tokens,
        lexicon,
        segmenter,
    )


_DocScore = tuple[list[int], list[int], list[float], list[int], list[int]]


class _DocScorer:
    """Scores one document's tokens: per unit, hits, weights, negated hits, content tokens."""

    def __init__(self, lexicon: Lexicon, segmenter: Segmenter, unit: str) -> None:
        self.lexicon = lexicon
        self.segmenter = segmenter
        self.unit = unit
        self.matcher = _Matcher(lexicon, segmenter)
        self.pos = {d: k for k, d in enumerate(lexicon.framework.ids)}

    def __getstate__(self) -> dict:
        # workers rebuild the matcher from the lexicon (its caches are not worth shipping)
        return {"lexicon": self.lexicon, "segmenter": self.segmenter, "unit": self.unit}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["lexicon"], state["segmenter"], state["unit"])  # type: ignore[misc]

    def score(self, words: list[str]) -> _DocScore:
        matcher, pos, ndim = self.matcher, self.pos, len(self.pos)
        count_content = self.segmenter.count_content
        cues: list[int] = []
        hits = matcher.hits(words, cue_positions=cues)
        if self.unit == "document":
            bounds = [(0, len(words))]
        else:
            bounds = _unit_bounds(words, self.unit)
        units: list[int] = []
        counts_all: list[int] = []
        wsum_all: list[float] = []
        negs_all: list[int] = []
        ntoks: list[int] = []
        h = 0
        for u, (a, b) in enumerate(bounds, start=1):
            counts = [0] * ndim
            wsum = [0.0] * ndim
            negs = [0] * ndim
            while h < len(hits) and hits[h].token < b:
                hit = hits[h]
                neg = matcher.negated(words, hit.token, cues) if hit.entries else False
                for dim, w in hit.entries:
                    k = pos[dim]
                    counts[k] += 1
                    wsum[k] += w
                    negs[k] += neg
                h += 1
            units.append(u)
            counts_all.extend(counts)
            wsum_all.extend(wsum)
            negs_all.extend(negs)
            ntoks.append(count_content(words if self.unit == "document" else words[a:b]))
        return units, counts_all, wsum_all, negs_all, ntoks


_SCORER: _DocScorer | None = None


def _init_scorer(scorer: _DocScorer) -> None:
    global _SCORER
    _SCORER = scorer
    _ = scorer.segmenter.tokenizer


def _score_chunk(texts: list[str]) -> list[tuple[bytes, _DocScore]]:
    """Worker: segment (through the segmenter's disk cache, if any) and score texts."""
    from .segment import _ends_of

    if _SCORER is None:  # pragma: no cover - the pool initializer sets it
        raise RuntimeError("scoring worker was not initialised")
    words_list = _SCORER.segmenter.cut_many(texts)
    return [(_ends_of(w).tobytes(), _SCORER.score(w)) for w in words_list]


def _score_parallel(texts: list[str], scorer: _DocScorer, jobs: int) -> list[_DocScore]:
    """Score in a process pool; documents already cached are scored here.

    Workers segment and score, so only texts go out and counts (plus token ends, kept in
    this segmenter's memory cache for a following :func:`explain`) come back. Works with
    the "spawn" start method: the scorer pickles as lexicon + segmenter settings.
    """
    import multiprocessing
    from array import array
    from concurrent.futures import ProcessPoolExecutor

    from .segment import _chunks

    seg = scorer.segmenter
    keys = [seg._cache_key(t) for t in texts]
    out: list[_DocScore | None] = [None] * len(texts)
    todo: list[int] = []
    for i, (key, text) in enumerate(zip(keys, texts, strict=True)):
        ends = seg._cache_get(key, len(text))
        if ends is None:
            todo.append(i)
        else:
            out[i] = scorer.score(_split_words(text, ends))
    if todo:
        context = None
        if seg._start_method is not None:
            context = multiprocessing.get_context(seg._start_method)
        chunks = _chunks([texts[i] for i in todo], jobs * 4)
        with ProcessPoolExecutor(
            max_workers=jobs, mp_context=context, initializer=_init_scorer, initargs=(scorer,)
        ) as pool:
            results = [r for part in pool.map(_score_chunk, chunks) for r in part]
        for i, (ends_bytes, doc_score) in zip(todo, results, strict=True):
            ends = array("I")
            ends.frombytes(ends_bytes)
            seg._remember(keys[i], ends)
            out[i] = doc_score
    return [o for o in out if o is not None]


def _split_words(text: str, ends: Sequence[int]) -> list[str]:
    from .segment import _split

    return _split(text, ends)  # type: ignore[arg-type]


def _score_frame(
    docs: pd.DataFrame,
    group: list[str],
    dims: Sequence[str],
    unit: str,
    doc_idx: list[int],
    unit_ids: list[int],
    n_hits: list[int],
    weighted: list[float],
    negated: list[int],
    n_tokens: list[int],
    lexicon: Lexicon,
    segmenter: Segmenter,
) -> pd.DataFrame:
    import numpy as np

    ndim = len(dims)
    idx = np.asarray(doc_idx, dtype=np.intp)
    cols: dict[str, object] = {"doc_id": docs["doc_id"].astype(str).to_numpy()[idx]}
    if unit != "document":
        cols["unit_id"] = np.asarray(unit_ids, dtype=np.int64)
    for g in group:
        cols[g] = docs[g].to_numpy()[idx]
    wh = np.asarray(weighted, dtype=float)
    nt = np.asarray(n_tokens, dtype=np.int64)
    total = wh.reshape(-1, ndim).sum(axis=1).repeat(ndim) if len(wh) else wh
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.where(nt > 0, wh / np.where(nt > 0, nt, 1) * _PER, np.nan)
        share = np.where(total > 0, wh / np.where(total > 0, total, 1), np.nan)
    cols.update(
        dimension=np.tile(np.asarray(dims, dtype=object), len(wh) // ndim if ndim else 0),
        n_hits=np.asarray(n_hits, dtype=np.int64),
        weighted_hits=wh,
        n_negated=np.asarray(negated, dtype=np.int64),
        n_tokens=nt,
        score=score,
        share=share,
    )
    out = pd.DataFrame(cols)
    for g in group:  # keep the metadata dtype (Int64, category, ...)
        out[g] = out[g].astype(docs[g].dtype)
    out["dimension"] = out["dimension"].astype("str")
    out["lexicon"] = lexicon.name
    out["lexicon_version"] = lexicon.version
    out["dict_fingerprint"] = segmenter.fingerprint
    return out


def _sentence_spans(words: Sequence[str], starts: Sequence[int]) -> list[tuple[int, int, int]]:
    """(first token, char start, char end) of each sentence."""
    spans = []
    for a, b in _unit_bounds(words, "sentence"):
        spans.append((a, starts[a], starts[b - 1] + len(words[b - 1])))
    return spans


def explain(
    docs: pd.DataFrame,
    lexicon: Lexicon | None = None,
    *,
    segmenter: Segmenter | None = None,
    context: int = 30,
    group: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """List every lexicon hit with its place and sentence: the evidence behind scores.

    Parameters
    ----------
    docs
        Frame with ``doc_id`` and ``text``.
    lexicon, segmenter
        As in :func:`score_texts` (same matching, so hits add up to its ``n_hits``).
    context
        Characters of the sentence shown on each side of the term.
    group
        Metadata columns of ``docs`` to carry into the result (e.g. ``"community"`` for
        :func:`top_terms`).

    Returns
    -------
    pandas.DataFrame
        One row per hit and dimension (a term weighted into two dimensions gives two rows):
        ``doc_id``, the ``group`` columns, ``dimension``, ``term``, ``weight``, ``start`` and
        ``end`` (character offsets into ``docs.text``: ``text[start:end] == term``),
        ``sentence_id`` (1-based within the document), ``negated`` (bool), ``context`` (the
        sentence around the term, cut to ``context`` characters each side, the term marked
        【】).

    Examples
    --------
    >>> import pandas as pd
    >>> docs = pd.DataFrame({"doc_id": ["a"], "text": ["社区没有开展一站式服务。"]})
    >>> hit = explain(docs).iloc[0]
    >>> hit["term"], bool(hit["negated"]), hit["context"]
    ('一站式服务', True, '社区没有开展【一站式服务】。')
    """
    meta = _check_docs(docs, group, "explain")
    if context < 0:
        raise InputError(f"explain: context must be 0 or more characters; got {context}")
    lexicon, segmenter = _resolve(lexicon, segmenter)
    matcher = _Matcher(lexicon, segmenter)
    pos = {d: k for k, d in enumerate(lexicon.framework.ids)}
    rows: list[tuple] = []
    texts = docs["text"].fillna("").astype(str).tolist()
    for d, words in enumerate(segmenter.cut_many(texts)):
        text = texts[d]
        starts = _starts(words)
        spans = _sentence_spans(words, starts)
        s = 0
        cues: list[int] = []
        for hit in matcher.hits(words, starts, cues):
            if not hit.entries:
                continue
            while s + 1 < len(spans) and spans[s + 1][0] <= hit.token:
                s += 1
            _, a, b = spans[s] if spans else (0, 0, len(text))
            left = text[max(a, hit.start - context) : hit.start]
            right = text[hit.end : min(b, hit.end + context)]
            ctx = f"{left}【{hit.term}】{right}".replace("\n", " ").strip()
            neg = matcher.negated(words, hit.token, cues)
            for dim, w in sorted(hit.entries, key=lambda e: pos[e[0]]):
                rows.append((d, dim, hit.term, w, hit.start, hit.end, s + 1, neg, ctx))
    cols = [
        "_d",
        "dimension",
        "term",
        "weight",
        "start",
        "end",
        "sentence_id",
        "negated",
        "context",
    ]
    hits = pd.DataFrame(rows, columns=cols)
    hits = hits.astype(
        {
            "start": "int64",
            "end": "int64",
            "sentence_id": "int64",
            "negated": "bool",
            "weight": "float64",
            "dimension": "str",
            "term": "str",
            "context": "str",
        }
    )
    idx = hits["_d"].to_numpy(dtype="intp")
    front = {"doc_id": docs["doc_id"].astype(str).to_numpy()[idx]}
    for c in meta:
        front[c] = docs[c].to_numpy()[idx]
    out = pd.concat([pd.DataFrame(front), hits.drop(columns="_d")], axis=1)
    for c in meta:
        out[c] = out[c].astype(docs[c].dtype)
    out["doc_id"] = out["doc_id"].astype("str")
    return out


def top_terms(
    hits: pd.DataFrame, *, by: str | Sequence[str] | None = "community", n: int = 10
) -> pd.DataFrame:
    """The most frequent terms per dimension (and per ``by`` group) in :func:`explain` hits.

    Parameters
    ----------
    hits
        Output of :func:`explain`.
    by
        Column(s) of ``hits`` to rank within (e.g. ``"community"``), or None for the corpus.
    n
        Terms kept per group and dimension.

    Returns
    -------
    pandas.DataFrame
        ``by`` columns, ``dimension``, ``rank`` (1 = most frequent), ``term``, ``n_hits``,
        ``weighted_hits``, ``n_docs`` (documents using the term), ``n_negated``. Ties in
        ``n_hits`` are broken by term, so the order is reproducible.
    """
    keys = [] if by is None else ([by] if isinstance(by, str) else list(by))
    need = [*keys, "dimension", "term", "weight", "doc_id", "negated"]
    missing = [c for c in need if c not in hits.columns]
    if missing:
        raise InputError(
            f"top_terms: hits lacks column(s) {', '.join(map(repr, missing))}; pass the output "
            "of explain() on docs that have those metadata columns"
        )
    grouped = hits.groupby([*keys, "dimension", "term"], sort=False, observed=True, dropna=False)
    table = grouped.agg(
        n_hits=("term", "size"),
        weighted_hits=("weight", "sum"),
        n_docs=("doc_id", "nunique"),
        n_negated=("negated", "sum"),
    ).reset_index()
    table = table.sort_values(
        [*keys, "dimension", "n_hits", "term"], ascending=[*([True] * len(keys)), True, False, True]
    )
    table["rank"] = table.groupby([*keys, "dimension"], observed=True, dropna=False).cumcount() + 1
    table = table.loc[table["rank"] <= n]
    cols = [*keys, "dimension", "rank", "term", "n_hits", "weighted_hits", "n_docs", "n_negated"]
    return table[cols].reset_index(drop=True)
