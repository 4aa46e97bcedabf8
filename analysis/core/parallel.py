"""Share chunks of work between this process and worker processes.

``jobs`` counts the processes working at once, this one included: with ``jobs=2`` one worker
process takes chunks from the front of the list while this process takes them from the
back, so the load balances however fast the workers start (a worker started with "spawn"
imports the package and loads its dictionary before it can begin).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# characters per chunk: some 50 ms of segmenting, so the cost of each chunk (pickling,
# scheduling) stays small while the last chunks still balance the processes; rjieba cuts
# about 15 times faster than jieba
CHUNK_CHARS = {"jieba": 25_000, "rjieba": 100_000}


def chunks_by_size(texts: Sequence[str], jobs: int, chars: int) -> list[list[int]]:
    """Positions of ``texts`` in consecutive chunks of about ``chars`` characters.

    At least ``4 * jobs`` chunks (fewer only when there are fewer texts), so that no
    process is left with a large share at the end.
    """
    total = sum(map(len, texts))
    size = max(1, min(chars, total // (4 * jobs)))
    chunks: list[list[int]] = [[]]
    filled = 0
    for i, text in enumerate(texts):
        if filled >= size:
            chunks.append([])
            filled = 0
        chunks[-1].append(i)
        filled += len(text)
    return chunks if chunks[0] else []


def share(
    work: Callable[[T], R],
    here: Callable[[T], Any],
    chunks: Sequence[T],
    *,
    jobs: int,
    initializer: Callable[..., None] | None = None,
    initargs: tuple = (),
    start_method: str | None = None,
) -> Iterator[tuple[int, Any, bool]]:
    """Do every chunk once, in ``jobs - 1`` worker processes and in this one.

    Parameters
    ----------
    work
        Run on a chunk in a worker (a module-level function, picklable for "spawn").
    here
        Run on a chunk in this process (it may return something handier than ``work``).
    chunks
        The work, in order; the first chunk always goes to a worker.
    jobs
        Processes at once, this one included (2 or more).
    initializer, initargs
        Set up each worker.
    start_method
        "fork", "spawn" or "forkserver"; None for the platform's default.

    Yields
    ------
    (index, result, done_here)
        Chunks done in this process first (the workers may still be busy), then the
        workers' in order.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = None if start_method is None else multiprocessing.get_context(start_method)
    with ProcessPoolExecutor(
        max_workers=jobs - 1, mp_context=context, initializer=initializer, initargs=initargs
    ) as pool:
        futures = [pool.submit(work, chunk) for chunk in chunks]
        done: dict[int, Any] = {}
        for k in reversed(range(1, len(chunks))):
            if not futures[k].cancel():
                break  # a worker has it, and every chunk before it
            done[k] = here(chunks[k])
        for k, result in done.items():
            yield k, result, True
        for k, future in enumerate(futures):
            if k not in done:
                yield k, future.result(), False
