"""Sharing chunks of work between this process and workers (analysis.core.parallel)."""

from __future__ import annotations

import multiprocessing

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.core.parallel import chunks_by_size, share


@given(
    texts=st.lists(st.text(max_size=40), max_size=60),
    jobs=st.integers(2, 4),
    chars=st.integers(1, 200),
)
def test_chunks_cover_every_text_once_in_order(texts: list[str], jobs: int, chars: int) -> None:
    chunks = chunks_by_size(texts, jobs, chars)
    assert [i for chunk in chunks for i in chunk] == list(range(len(texts)))
    assert all(chunks)


@pytest.mark.parametrize(
    ("jobs", "chars", "n_chunks"), [(2, 10**6, 8), (4, 10**6, 16), (2, 50, 40)]
)
def test_chunk_size_and_count(jobs: int, chars: int, n_chunks: int) -> None:
    texts = ["社区" * 5] * 200  # 2,000 characters: at least 4 per process, at most chars each
    chunks = chunks_by_size(texts, jobs, chars)
    assert len(chunks) == n_chunks


@pytest.mark.parametrize("start_method", ["fork", "spawn"])
def test_share_does_every_chunk_once(start_method: str) -> None:
    if start_method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"{start_method} not available here")
    chunks = [list(range(i)) for i in range(1, 40)]
    got = list(share(sum, sum, chunks, jobs=2, start_method=start_method))
    assert sorted(k for k, _, _ in got) == list(range(len(chunks)))
    assert all(result == sum(chunks[k]) for k, result, _ in got)
    here = [h for _, _, h in got]
    assert here == sorted(here, reverse=True), "chunks done here come first"
    assert not dict((k, h) for k, _, h in got)[0], "the first chunk is always a worker's"
