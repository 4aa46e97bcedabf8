"""A survey export's bytes: mapped into memory when large, and hashed while it is read.

:func:`mapped_file` maps a large file read-only, so that pyarrow's reader and the hash read
the page cache instead of a copy of the file; :func:`sha256_meanwhile` hashes it in a
thread while it is parsed.
"""

from __future__ import annotations

import hashlib
import mmap
import os
import threading
from collections.abc import Callable
from typing import BinaryIO

__all__ = ["MAP_BYTES", "mapped_file", "sha256_meanwhile"]

#: Files from this size on are mapped into memory rather than read into bytes.
MAP_BYTES = 8 << 20


def _sha256(data: bytes | mmap.mmap) -> str:
    return hashlib.sha256(data).hexdigest()


def mapped_file(f: BinaryIO) -> mmap.mmap | None:
    """A large file mapped into memory, read-only (None for a small or empty one, or
    where it cannot be mapped)."""
    try:
        size = os.fstat(f.fileno()).st_size
        if size < MAP_BYTES:
            return None
        return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):
        return None


def sha256_meanwhile(data: bytes | mmap.mmap) -> Callable[[], str]:
    """The SHA-256 of a large file, hashed in a thread while the file is parsed (hashlib
    lets go of the GIL); call the result to wait for it."""
    if len(data) < 8 << 20:
        digest = _sha256(data)
        return lambda: digest
    out: list[str] = []
    worker = threading.Thread(target=lambda: out.append(_sha256(data)), daemon=True)
    worker.start()

    def result() -> str:
        worker.join()
        return out[0] if out else _sha256(data)

    return result
