"""Progress bars for long steps, loaded only when wanted.

``tqdm.auto`` picks the Jupyter widget bar inside a notebook and warns when ipywidgets is
missing, even for a disabled bar; so nothing of tqdm is imported unless a bar is shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

__all__ = ["progress_bar"]

T = TypeVar("T")


class _Silent:
    """The part of tqdm's interface the toolkit uses, doing nothing."""

    def __init__(self, iterable: Iterable[Any] | None = None) -> None:
        self._iterable = iterable if iterable is not None else ()

    def __iter__(self) -> Iterator[Any]:
        return iter(self._iterable)

    def update(self, n: int = 1) -> None:
        """Ignore progress."""

    def set_postfix_str(self, text: str) -> None:
        """Ignore the step name."""

    def close(self) -> None:
        """Nothing to close."""


def progress_bar(iterable: Iterable[T] | None = None, *, show: bool, **options: Any) -> Any:
    """A tqdm bar when ``show`` is true, otherwise a silent stand-in with the same methods."""
    if not show:
        return _Silent(iterable)
    from tqdm.auto import tqdm

    return tqdm(iterable, **options)
