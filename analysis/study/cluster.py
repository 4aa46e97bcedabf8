"""Where a study's heavy steps run: in memory, or on a Dask cluster.

``analysis run --workers N`` starts a :class:`distributed.LocalCluster` of N worker
processes for the run; ``--scheduler tcp://HOST:8786`` (or ``dask:`` in ``study.yaml``)
connects to a cluster that is already running (a lab server, or one started on Kubernetes or
Slurm by dask-kubernetes or dask-jobqueue). Lazy results are computed together through
:func:`materialise`, so documents read once serve every output. Nothing here imports Dask
unless a cluster was asked for.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from analysis.core.distributed import require_dask
from analysis.core.errors import ConfigError
from analysis.core.words import Lang

__all__ = ["Cluster", "materialise", "open_cluster"]

log = logging.getLogger("analysis")


@dataclass(frozen=True)
class Cluster:
    """A connected Dask client and how to show progress on it."""

    client: Any
    progress: bool


@contextlib.contextmanager
def open_cluster(
    scheduler: str | None = None,
    workers: int | None = None,
    *,
    progress: bool = False,
    lang: Lang = "en",
) -> Iterator[Cluster | None]:
    """Connect to ``scheduler`` or start ``workers`` local worker processes; else ``None``.

    Parameters
    ----------
    scheduler
        Address of a running Dask scheduler (``tcp://HOST:8786``).
    workers
        Number of worker processes of a local cluster started (and stopped) for the run.
    progress
        Show Dask's progress bar while results are computed, and the dashboard link.
    lang
        Language of the dashboard line.

    Raises
    ------
    ConfigError
        Both given, Dask not installed, or the scheduler cannot be reached.
    """
    if scheduler is None and workers is None:
        yield None
        return
    if scheduler is not None and workers is not None:
        raise ConfigError("give a Dask scheduler address or a number of workers, not both")
    require_dask("running a study on Dask")
    import distributed

    with contextlib.ExitStack() as stack:
        if scheduler is not None:
            try:
                client = stack.enter_context(distributed.Client(scheduler))
            except OSError as exc:
                raise ConfigError(
                    f"cannot reach the Dask scheduler at {scheduler}: {exc}; is it running?"
                ) from exc
        else:
            if not isinstance(workers, int) or workers < 1:
                raise ConfigError(f"workers: expected a whole number of 1 or more; got {workers!r}")
            local = stack.enter_context(
                distributed.LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=":0",  # any free port: several clusters may run at once
                )
            )
            client = stack.enter_context(distributed.Client(local))
        if progress and client.dashboard_link:
            from analysis.core.words import message

            print(message("dashboard", lang, link=client.dashboard_link))
        yield Cluster(client=client, progress=progress)


def materialise(cluster: Cluster | None, lazy: Mapping[str, Any]) -> dict[str, Any]:
    """Compute every Dask value of ``lazy`` in one pass; other values pass through.

    One pass lets Dask share the tasks the values have in common (reading and segmenting
    the documents) instead of repeating them for each value.
    """
    names = [k for k, v in lazy.items() if _is_lazy(v)]
    if not names:
        return dict(lazy)
    if cluster is None:
        raise ConfigError("lazy results need a Dask cluster (dask: in study.yaml)")
    futures = cluster.client.compute([lazy[k] for k in names])
    if cluster.progress:
        import distributed

        distributed.progress(futures)
        print()
    values = cluster.client.gather(futures)
    done = dict(lazy)
    for name, value in zip(names, values, strict=True):
        done[name] = _as_in_memory(value)
    return done


def _as_in_memory(value: Any) -> Any:
    """A computed frame as the in-memory path makes it: a fresh index and pandas' own
    ``str`` columns where Dask turned them into Arrow strings with ``<NA>``."""
    if not isinstance(value, pd.DataFrame):
        return value
    value = value.reset_index(drop=True)
    arrow = [
        c for c, t in value.dtypes.items() if isinstance(t, pd.StringDtype) and t.na_value is pd.NA
    ]
    return value.astype(dict.fromkeys(arrow, "str")) if arrow else value


def _is_lazy(value: Any) -> bool:
    """A Dask collection (frame, series, delayed), told without importing Dask."""
    return type(value).__module__.split(".")[0] == "dask"
