"""What every stage needs to run on Dask: recognise a Dask frame, import Dask with a clear
message when it is missing, and keep one working copy of a heavy object per worker.

Dask is an optional extra (``pip install "analysis[dask]"``); nothing here imports it
unless a Dask collection was handed in, so the in-memory path never loads it.
"""

from __future__ import annotations

import pickle
import threading
import weakref
from typing import Any, TypeVar

from analysis.core.errors import ConfigError

__all__ = ["is_dask_frame", "require_dask", "worker_copy"]

T = TypeVar("T")

_LOCAL = threading.local()


def is_dask_frame(obj: Any) -> bool:
    """Whether ``obj`` is a ``dask.dataframe.DataFrame`` (checked without importing Dask)."""
    cls = type(obj)
    return cls.__module__.split(".")[0] == "dask" and cls.__name__ == "DataFrame"


def require_dask(feature: str) -> Any:
    """``dask.dataframe``, or a :class:`ConfigError` saying how to install it.

    Parameters
    ----------
    feature
        What needed Dask, named in the message.
    """
    try:
        import dask.dataframe as dd
    except ImportError as exc:  # pragma: no cover - the dev extra installs Dask
        raise ConfigError(
            f'{feature} needs Dask; install it with: pip install "analysis[dask]"'
        ) from exc
    return dd


def worker_copy(obj: T) -> T:
    """This thread's working copy of ``obj``, made once and reused by later tasks.

    A segmenter keeps mutable state (its tokenizer, vocabulary and token cache) that two
    threads must not share, and loading it costs a second or more. A task calls this on
    the object Dask handed it: the first call in a worker thread copies it (through pickle,
    which carries settings, not the loaded dictionary) and later tasks get the same copy,
    so the dictionary loads once per worker thread, not once per task. Copies are keyed by
    the identity of the object Dask holds and dropped when it is released.
    """
    copies: dict[int, tuple[weakref.ref[Any], Any]] = getattr(_LOCAL, "copies", None) or {}
    _LOCAL.copies = copies
    key = id(obj)
    held = copies.get(key)
    if held is not None and held[0]() is obj:
        return held[1]
    for k in [k for k, (ref, _) in copies.items() if ref() is None]:
        del copies[k]
    copy = pickle.loads(pickle.dumps(obj))
    copies[key] = (weakref.ref(obj), copy)
    return copy
