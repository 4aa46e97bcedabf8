"""Score documents on lexicon dimensions and show the evidence.

:func:`score_texts` counts lexicon hits per document (or paragraph, or sentence) and
dimension; :func:`explain` lists every hit with its place and sentence; :func:`top_terms`
ranks the terms behind a dimension's score per community.

Both segment each text once (through the segmenter's cache) and follow the same matching
rules (:mod:`analysis.text.matching`): longest expression first, terms inside dictionary words,
phrases that block, negation cues within a clause. :func:`explain` applies them hit by hit;
:func:`score_texts` counts with :mod:`analysis.text.tally`, which is vectorised over the whole
batch and tested to count exactly the same hits.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from analysis.core.distributed import is_dask_frame, worker_copy
from analysis.core.errors import InputError, check_option
from analysis.text.docs import check_docs, resolve
from analysis.text.matching import Matcher, token_starts, unit_bounds
from analysis.text.tally import Tallier, Tally, merge

if TYPE_CHECKING:
    from analysis.text.lexicon import Lexicon
    from analysis.text.segment import Segmenter

__all__ = ["explain", "score_texts", "top_terms"]

logger = logging.getLogger("analysis")

Unit = Literal["document", "paragraph", "sentence"]
_PER = 1000.0
_BATCH = 256
_BATCH_CHARS = 2_000_000


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
        Frame with ``doc_id`` and ``text`` (as from :func:`~analysis.read_texts`), or a
        ``dask.dataframe.DataFrame`` of them: then the result is a lazy Dask frame of the
        same scores, one partition per partition of documents
        (:mod:`analysis.text.distributed`; ``jobs`` is then the cluster's business).
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
        Processes that segment and count, this one included (``-1``: one per core); with
        ``jobs=2``, one worker process shares the documents with this one. Documents already
        in the token cache are counted in this process. Works with the "spawn" start method
        (Windows, macOS).

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
    if is_dask_frame(docs):
        from analysis.text.distributed import map_documents

        groups = [group] if isinstance(group, str) else list(group or [])
        lexicon, segmenter = resolve(lexicon, segmenter)
        tallier = Tallier(lexicon, segmenter, unit)
        return map_documents(
            docs,
            _score_partition,
            [tallier],
            groups,
            owner="score_texts",
            columns=("doc_id", "text", *groups),
        )
    group = check_docs(docs, group, "score_texts")
    lexicon, segmenter = resolve(lexicon, segmenter)
    tallier = Tallier(lexicon, segmenter, unit)
    texts = docs["text"].fillna("").astype(str).tolist()
    if jobs == -1:
        import os

        jobs = os.cpu_count() or 1
    if jobs > 1 and len(texts) > 1:
        tally = _tally_parallel(texts, tallier, jobs)
    else:
        tally = _tally_serial(texts, tallier)
    return _score_frame(docs, group, unit, tally, lexicon, segmenter)


def _score_partition(part: pd.DataFrame, tallier: Tallier, group: list[str]) -> pd.DataFrame:
    """Score one partition of a Dask frame with this worker's copy of ``tallier``."""
    local = worker_copy(tallier)
    group = check_docs(part, group, "score_texts")
    texts = part["text"].fillna("").astype(str).tolist()
    tally = _tally_serial(texts, local)
    return _score_frame(part, group, local.unit, tally, local.lexicon, local.segmenter)


def _explain_partition(
    part: pd.DataFrame, lexicon: Lexicon, segmenter: Segmenter, context: int, group: list[str]
) -> pd.DataFrame:
    """Explain one partition of a Dask frame with this worker's copies of the models."""
    return explain(
        part,
        worker_copy(lexicon),
        segmenter=worker_copy(segmenter),
        context=context,
        group=group or None,
    )


def _batches(texts: Sequence[str]) -> Iterator[tuple[int, int]]:
    """[start, end) of batches of at most _BATCH documents or _BATCH_CHARS characters.

    Batches bound the token strings held at once (a token costs some 60 bytes) and the
    arrays of a count.
    """
    start, chars = 0, 0
    for i, text in enumerate(texts):
        if i > start and (i - start >= _BATCH or chars + len(text) > _BATCH_CHARS):
            yield start, i
            start, chars = i, 0
        chars += len(text)
    if start < len(texts) or not texts:
        yield start, len(texts)


def _tally_serial(texts: list[str], tallier: Tallier) -> Tally:
    """Segment (through the cache) and count, batch by batch, in this process."""
    seg = tallier.segmenter
    parts, starts = [], []
    for start, end in _batches(texts):
        parts.append(tallier.tally_codes(seg._codes(texts[start:end])))
        starts.append(np.arange(start, end))
    seg.token_cache.flush()
    return merge(parts, starts)


_TALLIER: Tallier | None = None
_SENT = 0  # words of this worker's vocabulary already sent to the parent process


def _init_tallier(tallier: Tallier) -> None:
    global _TALLIER, _SENT
    _TALLIER, _SENT = tallier, 0
    _ = tallier.segmenter.tokenizer


def _tally_texts(
    texts: list[str], tallier: Tallier | None = None
) -> tuple[Tally, tuple[int, int, list[str]] | None, list[bool]]:
    """Segment and count texts that no cache holds (in a worker: with the worker's tallier).

    Returns the tally; in a worker, (process id, number of words sent before, the words of
    its vocabulary not sent yet), so the parent can map the worker's codes to its own; and
    whether each text was converted to simplified characters.
    """
    global _SENT
    here = tallier is not None
    tallier = tallier or _TALLIER
    if tallier is None:  # pragma: no cover - the pool initializer sets it
        raise RuntimeError("scoring worker was not initialised")
    seg = tallier.segmenter
    simple = [seg.simplify(t) for t in texts]
    part = tallier.tally(seg._segment_missing(simple, jobs=1))
    converted = [s is not t for s, t in zip(simple, texts, strict=True)]
    if here:  # codes of this process's vocabulary already
        return part, None, converted
    words = tallier.vocab.words
    sent = (os.getpid(), _SENT, words[_SENT:])
    _SENT = len(words)
    return part, sent, converted


def _tally_parallel(texts: list[str], tallier: Tallier, jobs: int) -> Tally:
    """Count with ``jobs`` processes: this one and ``jobs - 1`` workers (:mod:`.parallel`).

    Documents already cached are counted here. Only texts go out; counts and token codes
    (kept in this segmenter's token cache for a following :func:`explain`) come back, with
    the words behind the codes each worker has not sent before. Works with the "spawn"
    start method: the tallier pickles as lexicon and segmenter settings.
    """
    seg = tallier.segmenter
    cache = seg.token_cache
    found, keys = cache.lookup(texts, seg._extra, seg.simplify)
    cached = [i for i, c in enumerate(found) if c is not None]
    todo = [i for i, c in enumerate(found) if c is None]
    parts: list[Tally] = []
    index: list[list[int]] = []
    if cached:
        parts.append(tallier.tally_codes([found[i] for i in cached]))  # type: ignore[misc]
        index.append(cached)
    del found
    # a text repeated among the uncached ones goes out once; its copies are counted here
    first: dict[str, int] = {}
    repeats = [i for i in todo if first.setdefault(texts[i], i) != i]
    todo = [i for i in todo if first[texts[i]] == i]
    cut: dict[int, np.ndarray] = {}
    if todo:
        from analysis.core.parallel import CHUNK_CHARS, chunks_by_size, share

        sizes = chunks_by_size([texts[i] for i in todo], jobs, CHUNK_CHARS.get(seg.backend, 25_000))
        chunks = [[todo[j] for j in chunk] for chunk in sizes]
        tables: dict[int, np.ndarray] = {}  # worker -> its codes in this process's vocabulary
        for k, (part, sent, converted), _ in share(
            _tally_texts,
            lambda chunk: _tally_texts(chunk, tallier),
            [[texts[i] for i in chunk] for chunk in chunks],
            jobs=jobs,
            initializer=_init_tallier,
            initargs=(tallier,),
            start_method=seg._start_method,
        ):
            codes = part.codes
            if sent is not None:
                pid, before, words = sent
                table = tables.get(pid, np.zeros(0, dtype=np.uint32))
                if before != len(table):  # pragma: no cover - share() yields in order
                    raise RuntimeError("a scoring worker's results came out of order")
                tables[pid] = table = np.concatenate([table, cache.vocab.encode(words)])
                codes = table[codes]
            offsets = part.token_offsets
            for j, i in enumerate(chunks[k]):
                doc = codes[offsets[j] : offsets[j + 1]]
                cache.store(keys[i], doc, seg._extra, converted[j], len(texts[i]))
                if repeats:
                    cut[i] = doc
            parts.append(part)
            index.append(chunks[k])
        cache.flush()
    if repeats:
        parts.append(tallier.tally_codes([cut[first[texts[i]]] for i in repeats]))
        index.append(repeats)
    return merge(parts, [np.asarray(ix, dtype=np.int64) for ix in index])


def _score_frame(
    docs: pd.DataFrame,
    group: list[str],
    unit: str,
    tally: Tally,
    lexicon: Lexicon,
    segmenter: Segmenter,
) -> pd.DataFrame:
    dims = tuple(lexicon.framework.ids)
    ndim = len(dims)
    n_units = len(tally.doc)
    idx = np.repeat(tally.doc, ndim)
    cols: dict[str, object] = {"doc_id": docs["doc_id"].astype(str).to_numpy()[idx]}
    if unit != "document":
        cols["unit_id"] = np.repeat(tally.unit_id, ndim).astype(np.int64)
    for g in group:
        cols[g] = docs[g].to_numpy()[idx]
    wh = tally.weights.reshape(-1).astype(np.float64)  # float even when no term is weighted
    nt = np.repeat(tally.n_tokens, ndim).astype(np.int64)
    total = tally.weights.sum(axis=1).repeat(ndim)
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.where(nt > 0, wh / np.where(nt > 0, nt, 1) * _PER, np.nan)
        share = np.where(total > 0, wh / np.where(total > 0, total, 1), np.nan)
    cols.update(
        dimension=np.tile(np.asarray(dims, dtype=object), n_units),
        n_hits=tally.counts.reshape(-1).astype(np.int64),
        weighted_hits=wh,
        n_negated=tally.negated.reshape(-1).astype(np.int64),
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
    for a, b in unit_bounds(words, "sentence"):
        spans.append((a, starts[a], starts[b - 1] + len(words[b - 1])))
    return spans


def explain(
    docs: pd.DataFrame,
    lexicon: Lexicon | None = None,
    *,
    segmenter: Segmenter | None = None,
    context: int = 30,
    group: str | Sequence[str] | None = None,
    sample: int | None = 1_000,
) -> Any:
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
    sample
        With a ``dask.dataframe.DataFrame`` of documents: explain its first ``sample``
        documents (in partition order, so always the same ones), computed in memory.
        Evidence is for reading; totals come from :func:`score_texts`. ``None`` explains
        every document and returns a lazy Dask frame (write it with ``to_parquet``).

    Returns
    -------
    pandas.DataFrame or dask.dataframe.DataFrame
        One row per hit and dimension (a term weighted into two dimensions gives two rows):
        ``doc_id``, the ``group`` columns, ``dimension``, ``term``, ``weight``, ``start`` and
        ``end`` (character offsets into ``docs.text``: ``text[start:end] == term``, or the
        term in traditional characters where the text has them), ``sentence_id`` (1-based
        within the document), ``negated`` (bool), ``context`` (the sentence around the
        term as written in the text, cut to ``context`` characters each side, the term
        marked 【】).

    Examples
    --------
    >>> import pandas as pd
    >>> docs = pd.DataFrame({"doc_id": ["a"], "text": ["社区没有开展一站式服务。"]})
    >>> hit = explain(docs).iloc[0]
    >>> hit["term"], bool(hit["negated"]), hit["context"]
    ('一站式服务', True, '社区没有开展【一站式服务】。')
    """
    if is_dask_frame(docs) and sample is None:
        from analysis.text.distributed import map_documents

        groups = [group] if isinstance(group, str) else list(group or [])
        return map_documents(
            docs,
            _explain_partition,
            list(resolve(lexicon, segmenter)),
            context,
            groups,
            owner="explain",
            columns=("doc_id", "text", *groups),
        )
    if is_dask_frame(docs):
        from analysis.text.distributed import sample_documents

        docs = sample_documents(docs, int(sample))  # type: ignore[arg-type]
    meta = check_docs(docs, group, "explain")
    if context < 0:
        raise InputError(f"explain: context must be 0 or more characters; got {context}")
    lexicon, segmenter = resolve(lexicon, segmenter)
    matcher = Matcher(lexicon, segmenter)
    pos = {d: k for k, d in enumerate(lexicon.framework.ids)}
    texts = docs["text"].fillna("").astype(str).tolist()
    # a document's hits depend on its text only: each distinct text is matched once and
    # its rows copied to every document with that text (open answers repeat a great deal)
    index: dict[str, int] = {}
    first = [index.setdefault(t, len(index)) for t in texts]
    distinct = list(index)
    found: list[list[tuple]] = []
    for text, words in zip(distinct, segmenter.cut_many(distinct), strict=True):
        found.append(_hits_of(text, words, matcher, pos, context))
    rows = [(d, *row) for d, k in enumerate(first) for row in found[k]]
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


def _hits_of(
    text: str, words: list[str], matcher: Matcher, pos: dict[str, int], context: int
) -> list[tuple]:
    """:func:`explain`'s rows of one text, without the document."""
    rows: list[tuple] = []
    starts = token_starts(words)
    spans = _sentence_spans(words, starts)
    s = 0
    cues: list[int] = []
    for hit in matcher.hits(words, starts, cues):
        if not hit.entries:
            continue
        while s + 1 < len(spans) and spans[s + 1][0] <= hit.token:
            s += 1
        _, a, b = spans[s] if spans else (0, 0, len(text))
        # the text as written: traditional characters stay traditional
        left = text[max(a, hit.start - context) : hit.start]
        right = text[hit.end : min(b, hit.end + context)]
        ctx = f"{left}【{text[hit.start : hit.end]}】{right}".replace("\n", " ").strip()
        neg = matcher.negated(words, hit, cues)
        for dim, w in sorted(hit.entries, key=lambda e: pos[e[0]]):
            rows.append((dim, hit.term, w, hit.start, hit.end, s + 1, neg, ctx))
    return rows


_EXPLAIN_COLUMNS = frozenset(
    ("doc_id", "dimension", "term", "weight", "start", "end", "sentence_id", "negated", "context")
)


def top_terms(
    hits: pd.DataFrame, *, by: str | Sequence[str] | None = "auto", n: int = 10
) -> pd.DataFrame:
    """The most frequent terms per dimension (and per ``by`` group) in :func:`explain` hits.

    Parameters
    ----------
    hits
        Output of :func:`explain`.
    by
        Column(s) of ``hits`` to rank within (e.g. ``"community"``), None for the corpus, or
        ``"auto"`` (default): the group columns :func:`explain` carried (its ``group=``), the
        whole corpus when it carried none.
    n
        Terms kept per group and dimension.

    Returns
    -------
    pandas.DataFrame
        ``by`` columns, ``dimension``, ``rank`` (1 = most frequent), ``term``, ``n_hits``,
        ``weighted_hits``, ``n_docs`` (documents using the term), ``n_negated``. Ties in
        ``n_hits`` are broken by term, so the order is reproducible.
    """
    if by == "auto":
        keys = [c for c in hits.columns if c not in _EXPLAIN_COLUMNS]
    else:
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
