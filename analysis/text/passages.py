"""Cut long documents into passages a coder or a classifier can label one by one.

A work report or a regulation serves several dimensions at once; a label per document hides
that. :func:`passage_spans` cuts a text into passages (paragraphs, split at sentence ends when
they are long, short sentences kept together) and returns character offsets, so a labelled
passage can be stored as a reference (document id, start, end) instead of a copy of its text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

import pandas as pd

from analysis.core.errors import InputError

__all__ = ["Span", "passage_spans", "split_passages"]

# a sentence ends at 。！？ or ； (a semicolon separates the clauses of a law article), with any
# closing quotes or brackets that follow
_SENTENCE_END = re.compile(r"[。！？!?；;]+[”’」』）)]*")


class Span(NamedTuple):
    """A passage: ``text[start:end]``."""

    start: int
    end: int


def _sentences(text: str, start: int, end: int) -> list[Span]:
    out: list[Span] = []
    at = start
    for match in _SENTENCE_END.finditer(text, start, end):
        out.append(Span(at, match.end()))
        at = match.end()
    if at < end:
        out.append(Span(at, end))
    return out


def _stripped(text: str, span: Span) -> Span | None:
    start, end = span
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end) if end > start else None


def passage_spans(text: str, *, min_chars: int = 30, max_chars: int = 220) -> list[Span]:
    """Character spans of the passages of ``text``.

    Paragraphs (lines) are the first cut. A paragraph longer than ``max_chars`` is cut at
    sentence ends into runs of sentences no longer than ``max_chars`` (a single longer
    sentence stays whole); a piece shorter than ``min_chars`` joins the next piece of the
    same paragraph, or the previous one at the paragraph's end. Lines shorter than
    ``min_chars`` that stand alone (headings, signatures) are not passages.

    Parameters
    ----------
    text
        The document.
    min_chars, max_chars
        Bounds on a passage's length in characters (see above).

    Returns
    -------
    list of Span
        ``(start, end)`` offsets into ``text``, in order, not overlapping.
    """
    if min_chars < 1 or max_chars < min_chars:
        raise InputError(
            f"passage bounds must satisfy 1 <= min_chars <= max_chars, got {min_chars}, {max_chars}"
        )
    spans: list[Span] = []
    at = 0
    for line in text.split("\n"):
        start, end = at, at + len(line)
        at = end + 1
        paragraph = _stripped(text, Span(start, end))
        if paragraph is None:
            continue
        pieces: list[Span] = []
        for sentence in _sentences(text, *paragraph):
            if pieces and (
                sentence.end - pieces[-1].start <= max_chars
                or pieces[-1].end - pieces[-1].start < min_chars
            ):
                pieces[-1] = Span(pieces[-1].start, sentence.end)
            else:
                pieces.append(sentence)
        if len(pieces) > 1 and pieces[-1].end - pieces[-1].start < min_chars:
            last = pieces.pop()
            pieces[-1] = Span(pieces[-1].start, last.end)
        for piece in pieces:
            piece = _stripped(text, piece)
            if piece is not None and piece.end - piece.start >= min_chars:
                spans.append(piece)
    return spans


def split_passages(
    docs: pd.DataFrame | Iterable[str],
    *,
    id_column: str = "doc_id",
    text_column: str = "text",
    min_chars: int = 30,
    max_chars: int = 220,
    context_chars: int | None = None,
) -> pd.DataFrame:
    """One row per passage: ``doc_id``, ``passage``, ``start``, ``end``, ``text``.

    ``docs`` is a frame with an id and a text column, or plain texts (numbered from 0).
    ``passage`` counts from 0 within a document; ``text`` is ``doc_text[start:end]``. With
    ``context_chars``, a column ``context`` holds that many characters of the document on
    each side of the passage (:func:`~analysis.text.context.passage_context`), which
    :func:`~analysis.classify_texts` reads beside the passage.
    """
    from analysis.text.context import passage_context

    if isinstance(docs, pd.DataFrame):
        for column in (id_column, text_column):
            if column not in docs.columns:
                raise InputError(f"documents lack the column {column!r}")
        pairs = zip(docs[id_column].tolist(), docs[text_column].tolist(), strict=True)
    else:
        pairs = enumerate(docs)
    rows = []
    for doc_id, text in pairs:
        text = "" if text is None or (isinstance(text, float) and pd.isna(text)) else str(text)
        for i, (start, end) in enumerate(
            passage_spans(text, min_chars=min_chars, max_chars=max_chars)
        ):
            row = (doc_id, i, start, end, text[start:end])
            if context_chars is not None:
                row += (passage_context(text, start, end, context_chars),)
            rows.append(row)
    columns = ["doc_id", "passage", "start", "end", "text"]
    return pd.DataFrame(rows, columns=columns + (["context"] if context_chars is not None else []))
