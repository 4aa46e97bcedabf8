"""Shared input checks of the text functions: the documents frame, the lexicon and segmenter.

:func:`check_docs` checks a documents frame (as from :func:`~analysis.read_texts`) and the
group columns asked for; :func:`resolve` fills in the default lexicon and a segmenter built
for the lexicon (cached, so repeated calls reuse it). Used by :mod:`analysis.text.score`,
:mod:`analysis.text.textstats` and :mod:`analysis.text.validate`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import pandas as pd

from analysis.core.errors import InputError

if TYPE_CHECKING:
    from analysis.text.lexicon import Lexicon
    from analysis.text.segment import Segmenter

__all__ = ["check_docs", "resolve"]


def check_docs(docs: pd.DataFrame, group: Iterable[str] | None, owner: str) -> list[str]:
    """Check a documents frame and the group columns asked for; return them as a list.

    Parameters
    ----------
    docs
        Frame with unique ``doc_id`` and ``text`` (as from :func:`~analysis.read_texts`).
    group
        A column name, several, or ``None``.
    owner
        The calling function, named in the error messages.

    Returns
    -------
    list of str
        The group columns (empty when ``group`` is ``None``).

    Raises
    ------
    InputError
        ``docs`` is not a DataFrame, lacks ``doc_id`` or ``text``, repeats a ``doc_id``,
        or lacks a group column.
    """
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


def resolve(lexicon: Lexicon | None, segmenter: Segmenter | None) -> tuple[Lexicon, Segmenter]:
    """The lexicon and segmenter to use: the defaults filled in.

    Parameters
    ----------
    lexicon
        ``None`` for :func:`~analysis.default_lexicon`.
    segmenter
        ``None`` for ``Segmenter.for_lexicon(lexicon)``, built once per lexicon (name,
        version and content) and reused. These segmenters share one token cache, so
        scoring again after a lexicon edit segments only the texts the edit concerns.

    Returns
    -------
    tuple of (Lexicon, Segmenter)
    """
    from analysis.text.lexicon_file import default_lexicon
    from analysis.text.segment import Segmenter

    lexicon = default_lexicon() if lexicon is None else lexicon
    if segmenter is None:
        key = (lexicon.name, lexicon.version, hash(lexicon))
        segmenter = _SEGMENTERS.get(key)
        if segmenter is None:
            # same settings but the lexicon's words: the tokens cut so far serve it too
            shared = next(iter(_SEGMENTERS.values()), None)
            segmenter = Segmenter.for_lexicon(
                lexicon, token_cache=None if shared is None else shared.token_cache
            )
            if len(_SEGMENTERS) > 8:
                _SEGMENTERS.clear()
            _SEGMENTERS[key] = segmenter
    return lexicon, segmenter
