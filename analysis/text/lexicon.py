"""The lexicon model: terms mapped to dimensions, with weights, phrases and negation cues.

A :class:`Lexicon` says which terms count for which dimension and by how much, which
phrases settle polysemy and which cues negate a hit; it lists the words a segmenter must
keep whole (:meth:`Lexicon.words`) and checks a segmenter against its terms. Read one from
a file with :func:`~analysis.text.lexicon_file.load_lexicon` or build one in code with
:func:`lexicon_from_terms`.

Polysemy is settled by longer terms and phrases: matching is longest-first, so with
``发展党员`` listed under ``members`` the text 发展党员 counts for members, not for
development's ``发展``; a phrase mapped to ``null`` (``发展和改革委员会: null``) blocks the
terms inside it.

Some polysemy is not settled by adjacent words: in 发展了3名入党积极分子 the recruit stands a
few words after 发展. A :class:`ContextRule` gives a term another dimension (or none) when one
of its objects follows within a few words of the same clause.

Some clauses carry a dimension's word and are about none of them: 根据……制定本条例 (legal
basis), 本办法自……起施行 (effective date), 给予表彰 (awards). A lexicon's ``none_cues`` are
regular expressions for such formulas; the lexicon does not score them, the label rule and
the trained model count them (:mod:`analysis.text.features`).

When party members are the subject of a clause, the clause is about them, whatever words of
the economy follow (困难党员……发展产业). A lexicon's ``subjects`` list, per dimension, the
words that make a clause that opens with them count for that dimension; like the cues, they
are counted by :mod:`analysis.text.features` and never change hits.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from analysis.core.dimensions import SERVICE_FIVE, Framework
from analysis.core.errors import LexiconError, check_option

if TYPE_CHECKING:
    import pandas as pd

    from analysis.text.segment import Segmenter

__all__ = ["ContextRule", "Lexicon"]

# characters jieba keeps inside one token (its re_han_default); anything else splits a term
ONE_TOKEN = re.compile(r"^[\u4E00-\u9FD5a-zA-Z0-9+#&._%\-]+$")
#: where a negation cue is looked for: before the hit, or before and after it
NEGATION_SCOPES = ("before", "both")


@dataclass(frozen=True)
class ContextRule:
    """A term that counts for another dimension when one of its objects follows it closely.

    Parameters
    ----------
    term
        The term the rule retargets (a single token, usually one listed under a dimension).
    dimension
        The dimension it counts for instead, or ``None`` to count nothing.
    objects
        Words any of which, standing among the next ``within`` words of the same clause,
        triggers the rule (发展 … 入党积极分子).
    within
        How many words (whitespace not counted) after the term an object may stand.
    """

    term: str
    dimension: str | None
    objects: tuple[str, ...]
    within: int = 4

    def __post_init__(self) -> None:
        object.__setattr__(self, "objects", tuple(self.objects))
        if self.within < 1:
            raise LexiconError(f"context rule for {self.term!r}: within must be at least 1")

    @property
    def entries(self) -> tuple[tuple[str, float], ...]:
        """What a retargeted hit counts: ``((dimension, 1.0),)`` or nothing."""
        return () if self.dimension is None else ((self.dimension, 1.0),)


@dataclass(frozen=True)
class Lexicon:
    """Terms mapped to the dimensions of a framework.

    Parameters
    ----------
    name, version
        Recorded with every score, so results say which lexicon produced them.
    framework
        The dimensions (default :data:`~analysis.core.dimensions.SERVICE_FIVE`).
    terms
        ``{dimension: {term: weight}}`` in framework order.
    phrases
        ``{phrase: dimension or None}``: longer expressions that settle polysemy; ``None``
        blocks every term inside the phrase.
    contexts
        :class:`ContextRule` s: terms that count for another dimension when one of their
        objects follows within a few words (发展 … 入党积极分子 is recruiting).
    none_cues
        Regular expressions (Python :mod:`re` syntax, matched on the simplified text, ``.``
        does not cross a line break) of formulas that mark a clause as about no dimension:
        legal basis, effective dates, awards, penalties. Counted per text by
        :func:`~analysis.text.features.lexicon_evidence`; they never change hits.
    subjects
        ``{dimension: (subject term, ...)}``: a clause that opens with one of a dimension's
        subject terms (after list numbering and a few leading words) is about that dimension
        (党员…, 基层党组织… for ``members``). Counted per text by
        :func:`~analysis.text.features.lexicon_evidence`; they never change hits.
    negation_cues, negation_window, negation_scope
        A hit is *negated* when a cue occurs within ``negation_window`` tokens before it in
        the same clause; with ``negation_scope="both"``, also after it (一站式服务尚未建立:
        the cue follows a term that is the subject). Default ``"before"``.
    rationale
        ``{dimension: why these terms}``, shown in reports.
    path
        The file it came from.
    """

    name: str
    version: str
    framework: Framework = SERVICE_FIVE
    terms: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    phrases: Mapping[str, str | None] = field(default_factory=dict)
    contexts: tuple[ContextRule, ...] = ()
    none_cues: tuple[str, ...] = ()
    subjects: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    negation_cues: tuple[str, ...] = ()
    negation_window: int = 4
    negation_scope: str = "before"
    rationale: Mapping[str, str] = field(default_factory=dict)
    path: str | None = None

    def __post_init__(self) -> None:
        terms = {d: MappingProxyType(dict(t)) for d, t in self.terms.items()}
        object.__setattr__(self, "terms", MappingProxyType(terms))
        object.__setattr__(self, "phrases", MappingProxyType(dict(self.phrases)))
        object.__setattr__(self, "rationale", MappingProxyType(dict(self.rationale)))
        object.__setattr__(self, "negation_cues", tuple(self.negation_cues))
        object.__setattr__(self, "contexts", tuple(self.contexts))
        object.__setattr__(self, "none_cues", tuple(self.none_cues))
        for cue in self.none_cues:
            problem = none_cue_problem(cue)
            if problem:
                raise LexiconError(f"none cue {cue!r}: {problem}")
        subjects = {d: tuple(str(w) for w in words) for d, words in self.subjects.items()}
        for dim, words in subjects.items():
            if dim not in self.framework.ids:
                raise LexiconError(
                    f"subjects of unknown dimension {dim!r}; expected one of "
                    f"{', '.join(self.framework.ids)}"
                )
            if not all(w.strip() for w in words):
                raise LexiconError(f"subjects of {dim!r}: a subject term must be non-empty text")
        object.__setattr__(self, "subjects", MappingProxyType(subjects))
        terms_seen = [rule.term for rule in self.contexts]
        if len(set(terms_seen)) < len(terms_seen):
            raise LexiconError("a term may have one context rule only; merge their objects")
        check_option("negation_scope", self.negation_scope, NEGATION_SCOPES, owner="Lexicon")

    def __getstate__(self) -> dict[str, Any]:
        # mapping proxies do not pickle: ship plain dicts (process pools, "spawn")
        state = dict(self.__dict__)
        state["terms"] = {d: dict(t) for d, t in self.terms.items()}
        state["phrases"] = dict(self.phrases)
        state["rationale"] = dict(self.rationale)
        state["subjects"] = dict(self.subjects)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        for key, value in state.items():
            object.__setattr__(self, key, value)
        self.__post_init__()

    def __hash__(self) -> int:
        return hash(
            (
                self.name,
                self.version,
                tuple(self.entries().items()),
                self.contexts,
                self.none_cues,
                tuple(self.subjects.items()),
            )
        )

    @property
    def dimensions(self) -> tuple[str, ...]:
        """Dimension ids in framework order."""
        return self.framework.ids

    def entries(self) -> dict[str, tuple[tuple[str, float], ...]]:
        """Every matchable expression: ``{expression: ((dimension, weight), ...)}``.

        Phrases map to ``((dimension, 1.0),)`` or ``()`` when they block.
        """
        out: dict[str, list[tuple[str, float]]] = {}
        for dim in self.framework.ids:
            for term, weight in self.terms.get(dim, {}).items():
                out.setdefault(term, []).append((dim, float(weight)))
        for phrase, dim in self.phrases.items():
            out[phrase] = [] if dim is None else [(dim, 1.0)]
        return {k: tuple(v) for k, v in out.items()}

    def none_cue_pattern(self) -> re.Pattern[str] | None:
        """The ``none`` cues as one alternation (``None`` when there are none).

        Each cue stands in a non-capturing group of its own; ``finditer`` on the pattern
        yields the non-overlapping matches of any cue, leftmost first.
        """
        return _cue_pattern(self.none_cues) if self.none_cues else None

    def words(self) -> list[str]:
        """Terms, phrases and negation cues: the words a segmenter should keep whole."""
        words = [t for d in self.framework.ids for t in self.terms.get(d, {})]
        words += [p for p in self.phrases if ONE_TOKEN.match(p)]
        words += [w for rule in self.contexts for w in (rule.term, *rule.objects)]
        words += [c for c in self.negation_cues if ONE_TOKEN.match(c)]
        return list(dict.fromkeys(words))

    def to_frame(self) -> pd.DataFrame:
        """One row per (term, dimension): ``term``, ``dimension``, ``weight``, ``kind``.

        ``kind`` is ``"term"`` or ``"phrase"``; a blocking phrase has no dimension.
        """
        import pandas as pd

        rows = [
            {"term": t, "dimension": d, "weight": float(w), "kind": "term"}
            for d in self.framework.ids
            for t, w in self.terms.get(d, {}).items()
        ]
        rows += [
            {"term": p, "dimension": d, "weight": 1.0 if d else 0.0, "kind": "phrase"}
            for p, d in self.phrases.items()
        ]
        return pd.DataFrame(rows, columns=["term", "dimension", "weight", "kind"])

    def check(self, segmenter: Segmenter) -> None:
        """Raise :class:`LexiconError` for terms ``segmenter`` does not produce as one token.

        Use it with a segmenter from :meth:`Segmenter.for_lexicon`; every failing term is
        listed in one error.
        """
        problems = [
            {
                "file": self.path,
                "column": dim,
                "value": term,
                "problem": "the segmenter cuts it into "
                + " / ".join(segmenter.cut(term))
                + "; it can never match as one word",
            }
            for dim in self.framework.ids
            for term in self.terms.get(dim, {})
            if len(segmenter.cut(term)) != 1
        ]
        if problems:
            raise LexiconError.from_problems(problems, file=self.path, what="lexicon problems")

    def summary(self) -> pd.DataFrame:
        """Terms per dimension: ``dimension``, ``label``, ``n_terms``, ``rationale``."""
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "dimension": d,
                    "label": self.framework.label(d),
                    "n_terms": len(self.terms.get(d, {})),
                    "rationale": self.rationale.get(d, ""),
                }
                for d in self.framework.ids
            ]
        )


def none_cue_problem(cue: Any) -> str | None:
    """Why ``cue`` cannot be a ``none`` cue (``None`` if it can)."""
    if not isinstance(cue, str) or not cue.strip():
        return "a none cue must be non-empty text"
    try:
        pattern = re.compile(cue)
    except re.error as exc:
        return f"not a valid regular expression ({exc})"
    if pattern.match(""):
        return "matches the empty text, so it would match everywhere"
    return None


@lru_cache(maxsize=8)
def _cue_pattern(cues: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{c})" for c in cues))


def lexicon_from_terms(
    terms: Mapping[str, Iterable[str]], *, name: str = "custom", version: str = "0", **kw: Any
) -> Lexicon:
    """Build a lexicon in code: ``{dimension: [term, ...]}`` with weight 1."""
    return Lexicon(
        name=name,
        version=version,
        terms={d: dict.fromkeys(ts, 1.0) for d, ts in terms.items()},
        **kw,
    )
