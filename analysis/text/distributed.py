"""Texts on Dask: run a per-document function over a ``dask.dataframe`` of documents.

:func:`~analysis.score_texts`, :func:`~analysis.classify_texts` and :func:`~analysis.explain`
accept a Dask frame and hand it here. Scores and labels come back as a lazy Dask frame with
the columns and values of the in-memory path: each document is scored on its own, so
partitions change nothing but the index (compare after ``.compute().reset_index(drop=True)``).

The lexicon, segmenter and classifier enter the graph once, as one key each; a worker
receives each once, and every worker thread keeps one working copy
(:func:`~analysis.core.distributed.worker_copy`), so the dictionary loads once per worker
thread, not per task. The sentence encoder of the ``"encoder"`` methods is not sent: each
worker process loads it once, on first use (:func:`~analysis.text.encoder.sentence_encoder`);
give ``embedding_cache`` a path all workers see to share vectors. A segmenter with a
``cache_dir`` uses its token cache on that path in every worker (packs are renamed into
place, so concurrent writers are safe); the path must be one all workers see. Use
processes, not threads (``LocalCluster(n_workers=N, threads_per_worker=1)``): jieba is pure
Python and holds the GIL.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from analysis.core.distributed import require_dask

__all__ = ["map_documents", "sample_documents"]


def map_documents(
    docs: Any,
    func: Callable[..., Any],
    shared: Sequence[Any],
    *args: Any,
    owner: str,
    columns: Sequence[str] = ("doc_id", "text"),
) -> Any:
    """``func(partition, *shared, *args)`` on every partition of ``docs``, lazily.

    Parameters
    ----------
    docs
        A ``dask.dataframe.DataFrame`` of documents.
    func
        A module-level function (workers import it by name) returning a pandas frame; it
        should take its working copies of ``shared`` with ``worker_copy``.
    shared
        Heavy objects (lexicon, segmenter, classifier) sent once per worker, not per task.
    args
        Light arguments passed to every call.
    owner
        The public function, named in errors.
    columns
        Columns ``docs`` must have.

    Returns
    -------
    dask.dataframe.DataFrame
        One output partition per input partition; its meta is ``func`` run on a one-row
        stand-in, so column names and types are those of the in-memory path.
    """
    import dask

    from analysis.core.errors import InputError

    require_dask(f"{owner} on a Dask frame")
    missing = [c for c in columns if c not in docs.columns]
    if missing:
        raise InputError(
            f"{owner}: the Dask frame has no column(s) {', '.join(map(repr, missing))}; "
            f"it has {', '.join(map(repr, docs.columns))}",
            column=missing[0],
        )
    meta = func(docs._meta_nonempty.head(1), *shared, *args).iloc[:0]
    keys = [dask.delayed(obj, pure=True) for obj in shared]
    return docs.map_partitions(func, *keys, *args, meta=meta)


def sample_documents(docs: Any, n: int) -> Any:
    """The first ``n`` documents of a Dask frame, in partition order, as a pandas frame.

    Evidence is for reading, not for totals: :func:`~analysis.explain` on a Dask frame
    explains this sample (the same frame always gives the same sample).
    """
    require_dask("explain on a Dask frame")
    return docs.head(n, npartitions=-1, compute=True).reset_index(drop=True)
