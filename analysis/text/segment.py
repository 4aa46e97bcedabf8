"""Chinese word segmentation with a domain dictionary, stopwords and a token cache.

:class:`Segmenter` owns a private ``jieba.Tokenizer`` (or a private ``rjieba.Jieba``), loads
a dictionary of party-building and community-governance terms into it and never touches
jieba's global tokenizer (``jieba.dt``, ``jieba.add_word``, ``jieba.load_userdict``,
``jieba.lcut``): results do not depend on what else ran in the process.

Text in traditional characters is converted to simplified before it is cut (OpenCC ``t2s``,
one character for one, :mod:`analysis.text.simplify`), so 服務 matches the lexicon's 服务:
tokens are simplified words, and their offsets index into the original text.

Segmentation is the expensive step of text scoring, so tokens are cached as arrays of codes
into a vocabulary (:mod:`analysis.text.token_cache`), in memory and, with ``cache_dir``, on
disk, per fingerprint of the base dictionary (domain dictionary, user dictionary, backend,
versions, conversion). Extra (lexicon) words are added without changing jieba's total count,
so a text's tokens depend only on the extra words it contains: after a lexicon edit only the
documents containing an added or removed term are segmented again, and re-weighting terms
re-segments nothing. Stopwords are not part of the fingerprint because they do not change
tokens, only which tokens count as content.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import unicodedata
from array import array
from collections.abc import Iterable, Iterator, Sequence
from importlib import resources
from itertools import accumulate, chain, compress
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, Protocol

from analysis.core.errors import ConfigError, InputError, check_option
from analysis.text.simplify import Simplifier
from analysis.text.token_cache import FORMAT, TokenCache

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = ["HasWords", "Segmenter", "Token", "load_stopwords", "load_word_list"]

logger = logging.getLogger("analysis")

#: Bumped when the way tokens are produced changes, so old caches are not reused
#: (2: traditional characters converted to simplified, tokens cached as codes).
SEGMENTER_VERSION = "2"
Backend = Literal["jieba", "rjieba"]
_NUMBER = re.compile(r"^[0-9.,%+\-·/:]+$")


class HasWords(Protocol):
    """Anything that names words to keep whole: what :meth:`Segmenter.for_lexicon` takes.

    A lexicon is one: its ``words()`` returns a list of its terms, phrases and negation
    cues; the segmenter only iterates over them once.
    """

    def words(self) -> Iterable[str]:
        """The words a segmenter should keep whole."""
        ...


class Token(NamedTuple):
    """A token with its character offsets into the segmented text (``text[start:end]``).

    ``text`` is the token as cut, in simplified characters; ``text[start:end]`` of a
    traditional original holds the same characters in traditional script.
    """

    text: str
    start: int
    end: int


def _resource(name: str) -> Path:
    return Path(str(resources.files("analysis") / "resources" / "dict" / name))


def load_word_list(
    path: str | PathLike[str], *, with_freq: bool = True
) -> list[tuple[str, int | None, str | None]]:
    """Read a jieba-style user dictionary: ``word [freq] [tag]`` per line, ``#`` comments.

    Returns
    -------
    list of (word, freq, tag)

    Raises
    ------
    InputError
        The file is missing, or a frequency is not a whole number (message gives the line).
    """
    from analysis.io.encoding import read_text_file

    text, _ = read_text_file(path)
    words: list[tuple[str, int | None, str | None]] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        freq: int | None = None
        tag: str | None = None
        if with_freq and len(parts) > 1:
            try:
                freq = int(parts[1])
            except ValueError:
                raise InputError(
                    f"{Path(path).name}, line {lineno}: got {parts[1]!r}; expected a whole "
                    "number (the word's frequency) after the word",
                    file=path,
                    row=lineno,
                    value=parts[1],
                ) from None
            tag = parts[2] if len(parts) > 2 else None
        words.append((parts[0], freq, tag))
    return words


def load_stopwords(
    stopwords: Literal["default"] | str | PathLike[str] | Iterable[str] | None = "default",
) -> frozenset[str]:
    """Resolve a stopword option to a set.

    Parameters
    ----------
    stopwords
        ``"default"`` for the packaged list, ``None`` for none, a path to a file with one
        word a line, or an iterable of words.
    """
    if stopwords is None:
        return frozenset()
    if isinstance(stopwords, str) and stopwords == "default":
        return frozenset(w for w, _, _ in load_word_list(_resource("stopwords.txt")))
    if isinstance(stopwords, (str, PathLike)):
        return frozenset(w for w, _, _ in load_word_list(stopwords, with_freq=False))
    return frozenset(str(w) for w in stopwords)


def _backend_version(backend: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(backend)
    except PackageNotFoundError:  # pragma: no cover - both are installed with analysis
        return "unknown"


class Segmenter:
    """Segment Chinese text with a private tokenizer and a domain dictionary.

    Parameters
    ----------
    user_dict
        A jieba-style user dictionary file (``word [freq] [tag]`` per line) added on top of
        the domain dictionary, or an iterable of words.
    stopwords
        ``"default"`` (packaged list of function words), ``None``, a file or an iterable.
        Stopwords change :meth:`is_content`, never the tokens.
    extra_words
        More words to keep whole (e.g. lexicon terms; see :meth:`for_lexicon`).
    backend
        ``"jieba"`` (pure Python, the reference) or ``"rjieba"`` (the Rust port, several
        times faster).
    cache_dir
        Folder for the on-disk token cache; ``None`` keeps tokens in memory only.
    hmm
        Let jieba's HMM join unknown words (names, new terms).
    domain_dict
        Load the packaged dictionary of 400+ party-building and governance terms
        (服务型党组织, 党群服务中心, 网格化管理, 三会一课, 一站式服务, 放管服, 最多跑一次,
        接诉即办, 吹哨报到, 流动党员, ...).
    to_simplified
        Convert traditional characters to simplified before cutting (OpenCC ``t2s``, one
        character for one, so offsets still index into the original text). Tokens come out
        simplified, as the dictionaries and lexicons are written. ``False`` cuts the text
        as it is (a lexicon written in traditional characters needs that).
    token_cache
        A :class:`~analysis.text.token_cache.TokenCache` to share with another segmenter
        with the same base settings (``other.token_cache``), so tokens cut for one lexicon
        serve the next; default: a new one (in ``cache_dir`` if given).

    Attributes
    ----------
    fingerprint : str
        SHA-256 (hex) of the backend, its version, the HMM flag and every added word with
        its frequency: two segmenters with the same fingerprint cut text identically.
        Recorded as ``dict_fingerprint`` with every score.
    base_fingerprint : str
        The same without the extra (lexicon) words; names the on-disk cache folder.
    token_cache : TokenCache
        The tokens of every text segmented so far, as codes into one vocabulary.
    words : tuple of (word, freq, tag)
        Domain and user dictionary words.
    extra_words : tuple of str
        Words added by ``extra_words`` / :meth:`for_lexicon` / :meth:`with_words`.
    stopwords : frozenset of str

    Notes
    -----
    Words are added to the private tokenizer with the frequency jieba's ``suggest_freq``
    proposes (enough to keep the word whole when it stands alone) unless the dictionary
    gives one. Tokens partition the text: whitespace and punctuation are tokens too, so the
    offsets of :meth:`tokens` are exact and ``"".join(cut(text)) == simplify(text)`` (which
    is ``text`` for text in simplified characters).

    Agreement of the rjieba backend with jieba, measured by ``benchmarks/bench_text.py`` on
    the demo corpus (data/raw/demo/texts, 28 documents, 33,002 characters, HMM on): with
    the domain dictionary, and with the default lexicon's words added, 100.0 % of jieba's
    tokens are identical in rjieba's output (same start and end). rjieba is a port of the
    same algorithm and model; differences can still occur on other text, so the backend is
    part of the fingerprint and of the token cache key.

    Examples
    --------
    >>> seg = Segmenter()
    >>> seg.cut("街道党群服务中心开展三会一课")
    ['街道', '党群服务中心', '开展', '三会一课']
    """

    def __init__(
        self,
        *,
        user_dict: str | PathLike[str] | Iterable[str] | None = None,
        stopwords: Literal["default"] | str | PathLike[str] | Iterable[str] | None = "default",
        extra_words: Iterable[str] = (),
        backend: Backend = "jieba",
        cache_dir: str | PathLike[str] | None = None,
        hmm: bool = True,
        domain_dict: bool = True,
        to_simplified: bool = True,
        token_cache: TokenCache | None = None,
    ) -> None:
        check_option("backend", backend, ("jieba", "rjieba"), owner="Segmenter")
        self.backend: str = backend
        self.hmm = bool(hmm)
        self.to_simplified = bool(to_simplified)
        self.cache_dir = None if cache_dir is None else Path(cache_dir)
        self.stopwords = load_stopwords(stopwords)
        words: list[tuple[str, int | None, str | None]] = []
        if domain_dict:
            words += load_word_list(_resource("user_dict.txt"))
        if user_dict is not None:
            if isinstance(user_dict, (str, PathLike)):
                words += load_word_list(user_dict)
            else:
                words += [(str(w), None, None) for w in user_dict]
        seen: set[str] = set()
        self.words: tuple[tuple[str, int | None, str | None], ...] = tuple(
            w for w in words if w[0].strip() and not (w[0] in seen or seen.add(w[0]))
        )
        self.extra_words: tuple[str, ...] = tuple(
            w for w in dict.fromkeys(str(x).strip() for x in extra_words) if w and w not in seen
        )
        self.base_fingerprint = self._make_fingerprint(extra=False)
        self.fingerprint = self._make_fingerprint()
        self._tokenizer: Any = None
        self._extra = frozenset(self.extra_words)
        self._simplifier = Simplifier() if self.to_simplified else None
        self.token_cache = self._own_cache(token_cache)
        self._content = _ContentCache(self.stopwords)
        self._start_method: str | None = None  # process start method for jobs > 1

    # ------------------------------------------------------------------ construction
    @classmethod
    def for_lexicon(cls, lexicon: HasWords, **kwargs: Any) -> Segmenter:
        """A segmenter that keeps every term, phrase and negation cue of ``lexicon`` whole.

        Parameters
        ----------
        lexicon
            Anything with a ``words()`` method (a lexicon): its words are added (after the
            domain dictionary).
        **kwargs
            Passed to :class:`Segmenter`; ``extra_words`` are kept and extended.
        """
        extra = list(kwargs.pop("extra_words", ()))
        return cls(extra_words=[*extra, *lexicon.words()], **kwargs)

    def with_words(self, words: Iterable[str]) -> Segmenter:
        """A copy with the same settings that also keeps ``words`` whole."""
        import copy

        new = copy.copy(self)
        known = {w for w, _, _ in self.words} | set(self.extra_words)
        added = [w for w in dict.fromkeys(str(x).strip() for x in words) if w and w not in known]
        new.extra_words = self.extra_words + tuple(added)
        new.fingerprint = new._make_fingerprint()
        new._extra = frozenset(new.extra_words)
        new._tokenizer = None  # the token cache is shared: entries record their extra words
        new._content = _ContentCache(new.stopwords)
        return new

    def _own_cache(self, shared: TokenCache | None) -> TokenCache:
        folder = None
        if self.cache_dir is not None:
            folder = self.cache_dir / f"tokens-v{FORMAT}-{self.base_fingerprint[:16]}"
        if shared is None:
            return TokenCache(
                folder, by_presence=self.backend == "jieba", owner=self.base_fingerprint
            )
        if shared.owner != self.base_fingerprint or (
            folder is not None and shared.folder != folder
        ):
            raise ConfigError(
                "Segmenter: token_cache belongs to a segmenter with other settings (backend, "
                "dictionaries, hmm, to_simplified or cache_dir); share it only between "
                "segmenters that differ in their extra words"
            )
        return shared

    def _make_fingerprint(self, *, extra: bool = True) -> str:
        payload = {
            "segmenter": SEGMENTER_VERSION,
            "backend": self.backend,
            "backend_version": _backend_version(self.backend),
            "hmm": self.hmm,
            "to_simplified": self.to_simplified,
            "words": self.words,
            "extra_words": sorted(self.extra_words) if extra else [],
        }
        blob = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
        return hashlib.sha256(blob).hexdigest()

    def __getstate__(self) -> dict[str, Any]:
        # picklable for process pools started with "spawn": the tokenizer is rebuilt there
        state = self.__dict__.copy()
        state["_tokenizer"] = None
        state["token_cache"] = None
        state["_content"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.token_cache = self._own_cache(None)  # a worker starts with an empty cache
        self._content = _ContentCache(self.stopwords)

    def __repr__(self) -> str:
        return (
            f"Segmenter(backend={self.backend!r}, words={len(self.words)}"
            f"+{len(self.extra_words)}, "
            f"stopwords={len(self.stopwords)}, fingerprint={self.fingerprint[:12]!r})"
        )

    def _build(self) -> Any:
        if self.backend == "rjieba":
            import rjieba

            tok = rjieba.Jieba()
            for word, freq, tag in self.words:
                tok.add_word(word, freq if freq is not None else tok.suggest_freq(word), tag)
            for word in self.extra_words:
                tok.add_word(word, tok.suggest_freq(word), None)
            return tok
        import jieba

        tok = jieba.Tokenizer()
        # jieba logs "Building prefix dict ..." at DEBUG to stderr on every start; quiet it
        # for the load only, restoring the level so a user's own jieba logging is untouched
        jieba_log = logging.getLogger("jieba")
        level = jieba_log.level
        jieba_log.setLevel(logging.WARNING)
        try:
            tok.initialize()
        finally:
            jieba_log.setLevel(level)
        for word, freq, tag in self.words:
            tok.add_word(word, freq, tag)
        # Extra (lexicon) words get the frequency suggested against the base dictionary and
        # leave the total count unchanged, so a text containing none of them is cut exactly
        # as the base segmenter cuts it: the token cache is shared across lexicon edits.
        total = tok.total
        freqs = [(w, tok.suggest_freq(w, False)) for w in self.extra_words]
        for word, freq in freqs:
            tok.add_word(word, freq)
        tok.total = total
        return tok

    @property
    def tokenizer(self) -> Any:
        """The private tokenizer (built on first use, with the converter to simplified
        characters: both load dictionaries)."""
        if self._tokenizer is None:
            self._tokenizer = self._build()
            if self._simplifier is not None:
                self._simplifier.load()
        return self._tokenizer

    # ------------------------------------------------------------------ cutting
    def simplify(self, text: str) -> str:
        """``text`` as the tokenizer sees it: in simplified characters when
        ``to_simplified`` (as long as ``text``, character for character)."""
        return text if self._simplifier is None else self._simplifier(text)

    def cut(self, text: str) -> list[str]:
        """Cut ``text`` into tokens (punctuation and whitespace included).

        Returns
        -------
        list of str
            ``"".join(result) == simplify(text)``: the text itself unless traditional
            characters were converted.
        """
        return self._cut(self.simplify(text))

    def _cut(self, text: str) -> list[str]:
        """Cut text already converted by :meth:`simplify`."""
        if not text:
            return []
        if self.backend == "rjieba":
            return self.tokenizer.cut(text, self.hmm)  # already a new list
        return list(self.tokenizer.cut(text, HMM=self.hmm))

    def tokens(self, text: str) -> list[Token]:
        """Tokens of ``text`` with character offsets into ``text`` (uses the cache)."""
        return _to_tokens(self._words([text])[0])

    def is_content(self, token: str | Token) -> bool:
        """Whether a token counts as content.

        A token is content unless it is whitespace, made only of punctuation or symbols
        (Unicode categories P* and S*), a number (digits with ``. , % + - · / :``), or a
        stopword.
        """
        word = token.text if isinstance(token, Token) else token
        return self._content[word]

    def count_content(self, words: Iterable[str]) -> int:
        """Number of content tokens among ``words`` (see :meth:`is_content`)."""
        return sum(map(self._content.__getitem__, words))

    def content_tokens(self, words: Sequence[str]) -> list[str]:
        """The content tokens among ``words``, in order (see :meth:`is_content`)."""
        return list(compress(words, map(self._content.__getitem__, words)))

    def segment(
        self, docs: pd.DataFrame | Sequence[str] | Iterable[str], *, jobs: int = 1
    ) -> list[list[Token]]:
        """Segment many documents, in parallel when ``jobs > 1``.

        Parameters
        ----------
        docs
            A frame with a ``text`` column, or texts.
        jobs
            Processes segmenting at once, this one included (``-1``: one per core). Workers
            receive only the segmenter's picklable settings and rebuild the tokenizer, so
            this works with the "spawn" start method (Windows, macOS).

        Returns
        -------
        list of list of Token
            One token list per document, in input order.
        """
        return [_to_tokens(words) for words in self._words(_texts_of(docs), jobs=jobs)]

    def cut_many(
        self, docs: pd.DataFrame | Sequence[str] | Iterable[str], *, jobs: int = 1
    ) -> list[list[str]]:
        """Like :meth:`segment` but returns the token strings only (faster)."""
        return self._words(_texts_of(docs), jobs=jobs)

    # ------------------------------------------------------------------ cache
    def _codes(self, texts: Sequence[str], *, jobs: int = 1) -> list[np.ndarray]:
        """Token codes of every text (into ``token_cache.vocab``), from the cache or cut now.

        Texts cut now are kept in the cache; the caller writes them to disk with
        ``token_cache.flush()``.
        """
        cache = self.token_cache
        out, keys = cache.lookup(texts, self._extra, self.simplify)
        todo = [i for i, codes in enumerate(out) if codes is None]
        if todo:
            # a text occurring more than once among them is cut once; copies share codes
            first: dict[str, int] = {}
            distinct = [i for i in todo if first.setdefault(texts[i], i) == i]
            logger.debug("segmenting %d of %d documents", len(distinct), len(texts))
            simple = [self.simplify(texts[i]) for i in distinct]
            words = self._segment_missing(simple, jobs=jobs)
            encode = cache.vocab.encode
            for i, s, ws in zip(distinct, simple, words, strict=True):
                codes = encode(ws, count=len(ws))
                out[i] = codes
                cache.store(keys[i], codes, self._extra, s is not texts[i], len(s))
            for i in todo:
                if out[i] is None:
                    out[i] = out[first[texts[i]]]
        return out  # type: ignore[return-value]

    def _words(self, texts: Sequence[str], *, jobs: int = 1) -> list[list[str]]:
        codes = self._codes(texts, jobs=jobs)
        self.token_cache.flush()
        decode = self.token_cache.vocab.decode
        return [decode(c) for c in codes]

    def _segment_missing(self, texts: list[str], *, jobs: int) -> list[list[str]]:
        """Segment texts that are not cached (already through :meth:`simplify`): here, or
        in a process pool."""
        if jobs == -1:
            jobs = os.cpu_count() or 1
        if jobs <= 1 or len(texts) < 2:
            return [self._cut(t) for t in texts]
        from analysis.core.parallel import CHUNK_CHARS, chunks_by_size, share

        chunks = [
            [texts[i] for i in chunk]
            for chunk in chunks_by_size(texts, jobs, CHUNK_CHARS.get(self.backend, 25_000))
        ]
        words: list[list[list[str]]] = [[] for _ in chunks]
        for k, result, done_here in share(
            _work,
            lambda chunk: [self._cut(t) for t in chunk],
            chunks,
            jobs=jobs,
            initializer=_init_worker,
            initargs=(self,),
            start_method=self._start_method,
        ):
            if done_here:
                words[k] = result
            else:
                words[k] = [_split(t, e) for t, e in zip(chunks[k], _unpack(result), strict=True)]
        return [w for part in words for w in part]


# ---------------------------------------------------------------------- helpers (picklable)

_WORKER: Segmenter | None = None


def _init_worker(segmenter: Segmenter) -> None:
    global _WORKER
    _WORKER = segmenter
    _ = segmenter.tokenizer


def _work(texts: list[str]) -> list[bytes]:
    if _WORKER is None:  # pragma: no cover - the pool initializer sets it
        raise RuntimeError("segmentation worker was not initialised")
    return [_ends_of(_WORKER._cut(t)).tobytes() for t in texts]


def _unpack(part: list[bytes]) -> Iterator[array]:
    for data in part:
        ends = array("I")
        ends.frombytes(data)
        yield ends


def _ends_of(words: list[str]) -> array:
    return array("I", accumulate(map(len, words)))


def _split(text: str, ends: Sequence[int]) -> list[str]:
    return [text[a:b] for a, b in zip(chain((0,), ends), ends, strict=False)]


def _to_tokens(words: list[str]) -> list[Token]:
    starts = accumulate(map(len, words), initial=0)
    return [Token(w, a, a + len(w)) for w, a in zip(words, starts, strict=False)]


class _ContentCache(dict):
    """token -> is content; computed on first lookup (a dict, so lookups stay in C)."""

    def __init__(self, stopwords: frozenset[str]) -> None:
        super().__init__()
        self.stopwords = stopwords

    def __missing__(self, word: str) -> bool:
        known = _is_content(word, self.stopwords)
        if len(self) < 500_000:
            self[word] = known
        return known


def _texts_of(docs: Any) -> list[str]:
    import pandas as pd

    if isinstance(docs, pd.DataFrame):
        if "text" not in docs.columns:
            raise InputError("docs needs a 'text' column (as returned by read_texts)")
        return ["" if t is None or t != t else str(t) for t in docs["text"]]  # NaN -> ""
    if isinstance(docs, str):
        return [docs]
    return [str(t) for t in docs]


def _is_content(word: str, stopwords: frozenset[str]) -> bool:
    if not word.strip() or word in stopwords or _NUMBER.match(word):
        return False
    if "\u4e00" <= word[0] <= "\u9fff":  # the common case: a CJK ideograph is a letter
        return True
    return not all(unicodedata.category(ch)[0] in "PSZC" for ch in word)
