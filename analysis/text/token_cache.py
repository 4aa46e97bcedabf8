"""The token cache: each segmented text as an array of token codes into one vocabulary.

Segmentation is the expensive step of text scoring; re-scoring after a lexicon edit should
not repeat it, nor even look at the token strings again. :class:`TokenCache` keeps every
segmented text as a ``uint32`` array of codes into its :class:`Vocabulary` (code -> word),
so scoring with another lexicon classifies each distinct word once and counts over the code
arrays with numpy (:mod:`analysis.text.tally`).

A text is found by the SHA-256 of its characters. Its tokens depend on the base dictionary
(one cache per base fingerprint) and, with the jieba backend, only on the extra (lexicon)
words that occur in it: an entry records the extra words of the segmenter that cut it, and
serves a segmenter with other extra words when none of the words in one set but not the
other occurs in the text. So after a lexicon edit only the documents containing an added or
removed term are segmented again, and re-weighting terms segments nothing. rjieba gives no
such guarantee: there an entry serves only the same extra words.

On disk (``cache_dir``) the cache is a folder of packs, ``tokens-v{FORMAT}-<fingerprint>``:
each call that segmented something writes one pack (an index in JSON, the words its codes
use, then the codes as little-endian ``uint32``) under a new name and renames it into place,
so concurrent writers never see half a file. When packs pile up they are merged into one.
A pack that cannot be read is deleted and its texts are segmented again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import struct
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from itertools import repeat
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

__all__ = ["FORMAT", "TokenCache", "Vocabulary"]

logger = logging.getLogger("analysis")

#: On-disk layout version: bumped when packs change, so old folders are not read.
FORMAT = 2
_MAGIC = b"ANTC"
_HEADER = struct.Struct("<4sII")  # magic, FORMAT, bytes of the JSON index
# memory the cached codes may take, with a rough cost of each entry's objects (key, list,
# tuple, array header): a budget in bytes, not texts, so a city's 100,000 short answers stay
# in memory as well as a few thousand long documents (a text evicted is cut again when it
# comes back before the cache is written to disk)
_MEMORY_BYTES = 256 * 2**20
_ENTRY_BYTES = 400
_VARIANTS = 4  # cuts kept per text (for lexicons used in turn)
_MAX_PACKS = 16  # packs in a folder before they are merged


class Vocabulary(dict):
    """word -> code; a word seen for the first time gets the next code.

    ``words[code]`` is the word. Codes are never reused or removed, so arrays of codes stay
    valid for the life of the vocabulary.
    """

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []

    def __missing__(self, word: str) -> int:
        code = len(self.words)
        self[word] = code
        self.words.append(word)
        return code

    def encode(self, words: Iterable[str], count: int = -1) -> np.ndarray:
        """Codes of ``words`` (``uint32``), new words added."""
        return np.fromiter(map(self.__getitem__, words), dtype=np.uint32, count=count)

    def decode(self, codes: np.ndarray) -> list[str]:
        """The words of ``codes``."""
        return list(map(self.words.__getitem__, codes.tolist()))


class _Entry(NamedTuple):
    codes: np.ndarray
    extra: frozenset[str]  # extra words of the segmenter that cut the text
    converted: bool  # the text was converted to simplified characters before cutting
    length: int  # characters of the text


def _cost(entry: _Entry) -> int:
    return int(entry.codes.nbytes) + _ENTRY_BYTES


class _OtherFormat(Exception):
    """A pack written by another version of the format."""


class _Pack:
    """One pack file: its index (columns, one row per cut text), and its codes in the
    cache's vocabulary once loaded."""

    def __init__(self, path: Path, offset: int, index: dict[str, Any], cache: TokenCache):
        self.path = path
        self.offset = offset  # where the codes start
        self.words = [str(w) for w in index["words"]]
        self.sets = [cache.intern(frozenset(map(str, s))) for s in index["sets"]]
        self.keys: list[str] = index["keys"]
        self.set: list[int] = index["set"]
        self.converted: list[int] = index["converted"]
        self.length: list[int] = index["length"]
        self.start: list[int] = index["start"]
        self.stop: list[int] = index["stop"]
        n = len(self.keys)
        columns = (self.set, self.converted, self.length, self.start, self.stop)
        if not all(len(c) == n for c in columns):
            raise ValueError("index columns differ in length")
        start, stop = np.asarray(self.start, np.int64), np.asarray(self.stop, np.int64)
        self.size = int(stop.max()) if n else 0
        sets = np.asarray(self.set, np.int64)
        if n and not (
            ((start >= 0) & (start < stop)).all()
            and sets.min() >= 0
            and sets.max() < len(self.sets)
        ):
            raise ValueError("index out of range")
        # a dict built in C; a text cut for several sets of extra words also goes in `more`
        self.rows = dict(zip(self.keys, range(n), strict=True))
        self.more: dict[str, list[int]] = {}
        if len(self.rows) < n:
            for row, key in enumerate(self.keys):
                self.more.setdefault(key, []).append(row)
            self.more = {k: v for k, v in self.more.items() if len(v) > 1}
        self.codes: np.ndarray | None = None

    def rows_of(self, key: str) -> Sequence[int]:
        row = self.rows.get(key)
        return () if row is None else self.more.get(key, (row,))


class TokenCache:
    """Token codes of segmented texts, in memory and optionally on disk.

    Parameters
    ----------
    folder
        Where packs are kept (``None``: memory only).
    by_presence
        Tokens depend only on the extra words present in a text (jieba), not on all of them
        (rjieba).
    owner
        The base fingerprint of the segmenters the cache serves.
    memory
        Bytes the codes kept in memory may take (each text counted with its token codes and
        about 400 bytes of bookkeeping); texts beyond it are only written to disk.

    Notes
    -----
    Segmenters with the same base fingerprint can share one cache (``Segmenter(...,
    token_cache=other.token_cache)``); :func:`analysis.text.docs.resolve` does so for the
    segmenters it builds.
    """

    def __init__(
        self,
        folder: Path | None = None,
        *,
        by_presence: bool = True,
        owner: str = "",
        memory: int = _MEMORY_BYTES,
    ) -> None:
        self.folder = folder
        self.by_presence = by_presence
        self.owner = owner
        self.memory = memory
        self._held = 0  # bytes of the entries in memory, as counted against ``memory``
        self.vocab = Vocabulary()
        self._entries: dict[str, list[_Entry]] = {}
        self._packs: list[_Pack] = []  # newest first
        self._seen: set[str] = set()  # pack files indexed already (or unreadable)
        self._fresh: list[tuple[str, _Entry]] = []  # to write at the next flush
        self._sets: dict[frozenset[str], frozenset[str]] = {}
        self._diffs: dict[tuple[frozenset[str], frozenset[str]], tuple[str, ...] | None] = {}

    def __repr__(self) -> str:
        return (
            f"TokenCache(texts={len(self._entries)}, packs={len(self._packs)}, "
            f"words={len(self.vocab.words)}, folder={self.folder})"
        )

    # ------------------------------------------------------------------ lookup
    def lookup(
        self, texts: Sequence[str], extra: frozenset[str], simplify: Callable[[str], str]
    ) -> tuple[list[np.ndarray | None], list[str]]:
        """Codes of each text as a segmenter with ``extra`` words would cut it (``None``
        where not cached), and the texts' digests.

        ``simplify`` gives the text the segmenter cuts (words are looked for in it).
        """
        digests = [hashlib.sha256(t.encode("utf-8")).hexdigest() for t in texts]
        extra = self.intern(extra)
        found = list(map(self._find, digests, texts, repeat(extra), repeat(simplify)))
        missing = any(c is None for c in found)  # not `None in found`: arrays compare
        if self.folder is not None and missing and self._scan():
            found = [
                self._find(k, t, extra, simplify) if c is None else c
                for k, t, c in zip(digests, texts, found, strict=True)
            ]
        return found, digests

    def _find(
        self, key: str, text: str, extra: frozenset[str], simplify: Callable[[str], str]
    ) -> np.ndarray | None:
        if not text:
            return np.zeros(0, dtype=np.uint32)
        n = len(text)
        for e in self._entries.get(key, ()):
            if e.length == n and self._serves(e.extra, e.converted, text, extra, simplify):
                return e.codes
        for pack in self._packs:
            for r in pack.rows_of(key):
                if pack.length[r] == n and self._serves(
                    pack.sets[pack.set[r]], pack.converted[r], text, extra, simplify
                ):
                    codes = self._load(pack)
                    if codes is not None:
                        return codes[pack.start[r] : pack.stop[r]]
        return None

    def _serves(
        self,
        cut_with: frozenset[str],
        converted: bool | int,
        text: str,
        extra: frozenset[str],
        simplify: Callable[[str], str],
    ) -> bool:
        """Whether a text cut with the extra words ``cut_with`` is cut the same with
        ``extra``: no word in one set but not the other occurs in it."""
        if cut_with is extra:
            return True
        differ = self._differ(cut_with, extra)
        if differ is None:
            return False
        if not differ:
            return True
        cut = simplify(text) if converted else text
        return not any(w in cut for w in differ)

    def _differ(self, old: frozenset[str], new: frozenset[str]) -> tuple[str, ...] | None:
        """Words in one set of extra words but not the other (None: no text cut with
        ``old`` serves ``new``)."""
        pair = (old, new)
        if pair not in self._diffs:
            if len(self._diffs) > 64:
                self._diffs.clear()
            differ = tuple(sorted(old ^ new))
            self._diffs[pair] = differ if self.by_presence or not differ else None
        return self._diffs[pair]

    def intern(self, words: frozenset[str]) -> frozenset[str]:
        """One object per set of extra words, so cuts compare by identity."""
        return self._sets.setdefault(words, words)

    # ------------------------------------------------------------------ storing
    def store(
        self, key: str, codes: np.ndarray, extra: frozenset[str], converted: bool, length: int
    ) -> None:
        """Keep the codes of a text segmented now (written to disk at :meth:`flush`)."""
        entry = _Entry(codes, self.intern(extra), converted, length)
        variants = self._entries.get(key)
        if variants is None:
            if self._held + _cost(entry) <= self.memory:
                self._entries[key] = [entry]
                self._held += _cost(entry)
        else:
            kept = [e for e in variants if e.extra is not entry.extra]
            self._entries[key] = [entry, *kept[: _VARIANTS - 1]]
            self._held += sum(map(_cost, self._entries[key])) - sum(map(_cost, variants))
        if self.folder is not None:
            self._fresh.append((key, entry))

    def flush(self) -> None:
        """Write the texts segmented since the last flush to a new pack."""
        if self.folder is None or not self._fresh:
            return
        fresh, self._fresh = self._fresh, []
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            rows = {(k, e.extra): (k, e.codes, e.extra, e.converted, e.length) for k, e in fresh}
            self._seen.add(self._write(list(rows.values())))
            packs = sorted(p.name for p in self.folder.glob("*.pack"))
            if len(packs) > _MAX_PACKS:
                self._merge(packs)
        except OSError as err:  # a full or read-only disk costs speed, not results
            logger.warning("could not write the token cache in %s: %s", self.folder, err)

    def _write(self, rows: Sequence[tuple[str, np.ndarray, frozenset[str], bool, int]]) -> str:
        """Write a pack of (digest, codes, extra words, converted, length); its file name."""
        assert self.folder is not None
        parts = [r[1] for r in rows]
        codes = np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint32)
        # the words the pack uses, numbered 0, 1, ... (a bincount, not a sort: O(n), uint32)
        used = np.flatnonzero(np.bincount(codes, minlength=1)).astype(np.uint32)
        number = np.zeros(int(used[-1]) + 1 if len(used) else 0, dtype=np.uint32)
        number[used] = np.arange(len(used), dtype=np.uint32)
        local = number[codes]
        sets: dict[frozenset[str], int] = {}
        stops = np.cumsum([len(part) for part in parts], dtype=np.int64).tolist()
        index = {
            "format": FORMAT,
            "words": self.vocab.decode(used),
            "keys": [r[0] for r in rows],
            "set": [sets.setdefault(r[2], len(sets)) for r in rows],
            "sets": [sorted(s) for s in sets],
            "converted": [int(r[3]) for r in rows],
            "length": [r[4] for r in rows],
            "start": [0, *stops[:-1]],
            "stop": stops,
        }
        blob = json.dumps(index, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        blob += b" " * (-(_HEADER.size + len(blob)) % 4)  # codes start 4-byte aligned
        name = f"{time.time_ns():x}-{os.getpid()}-{uuid.uuid4().hex[:8]}.pack"
        path = self.folder / name
        tmp = path.with_name(f"{name}.tmp")
        with open(tmp, "wb") as f:
            f.write(_HEADER.pack(_MAGIC, FORMAT, len(blob)))
            f.write(blob)
            f.write(local.astype("<u4").tobytes())
        os.replace(tmp, path)
        return name

    def _merge(self, names: list[str]) -> None:
        """Merge packs into one, keeping one cut per text and set of extra words."""
        assert self.folder is not None
        self._packs, self._seen = [], set()
        self._scan()  # every pack, this process's own included
        rows: dict[tuple[str, frozenset[str]], tuple] = {}
        merged = []
        for pack in self._packs:  # newest first: the latest cut wins
            codes = self._load(pack) if pack.path.name in names else None
            if codes is None:
                continue  # written since, or unreadable
            merged.append(pack.path)
            for r, key in enumerate(pack.keys):
                cut_with = pack.sets[pack.set[r]]
                if (key, cut_with) not in rows:
                    part = codes[pack.start[r] : pack.stop[r]]
                    rows[key, cut_with] = (key, part, cut_with, pack.converted[r], pack.length[r])
        self._write(list(rows.values()))
        for path in merged:
            path.unlink(missing_ok=True)  # (another process may have merged it already)
        self._packs, self._seen = [], set()
        self._scan()

    # ------------------------------------------------------------------ reading
    def _scan(self) -> bool:
        """Index the packs not seen yet; whether there were any."""
        if self.folder is None or not self.folder.is_dir():
            return False
        new = sorted(p for p in self.folder.glob("*.pack") if p.name not in self._seen)
        packs = []
        for path in reversed(new):  # names start with the time: newest first
            self._seen.add(path.name)
            try:
                pack = self._index(path)
            except _OtherFormat:
                continue  # another version's: left alone
            except (OSError, ValueError, KeyError, TypeError, IndexError) as err:
                logger.debug("unreadable token cache pack %s (%s): removed", path, err)
                path.unlink(missing_ok=True)
            else:
                packs.append(pack)
        self._packs = packs + self._packs
        return bool(new)

    def _index(self, path: Path) -> _Pack:
        with open(path, "rb") as f:
            head = f.read(_HEADER.size)
            if len(head) < _HEADER.size:
                raise ValueError("truncated header")
            magic, fmt, size = _HEADER.unpack(head)
            if magic != _MAGIC:
                raise ValueError("not a token cache pack")
            if fmt != FORMAT:
                raise _OtherFormat(fmt)
            index = json.loads(f.read(size).decode("utf-8"))
        if index["format"] != FORMAT:
            raise ValueError("format mismatch")
        return _Pack(path, _HEADER.size + size, index, self)

    def _load(self, pack: _Pack) -> np.ndarray | None:
        """A pack's codes in this cache's vocabulary (None if it cannot be read)."""
        if pack.codes is None:
            try:
                data = np.fromfile(pack.path, dtype="<u4", offset=pack.offset)
                if len(data) != pack.size:
                    raise ValueError("codes do not match the index")
                table = self.vocab.encode(pack.words, count=len(pack.words))
                pack.codes = table[data]  # a code past the pack's words raises IndexError
            except (OSError, ValueError, IndexError) as err:
                logger.debug("unreadable token cache pack %s (%s)", pack.path, err)
                self._packs = [p for p in self._packs if p is not pack]
                return None
        return pack.codes
