"""qa_tool/workers.py: one policy for worker processes, the same results either way."""

from __future__ import annotations

import os

import pytest

from qa_tool import workers


def square_with_pid(shared, chunk):
    """A worker function: the shared offset added, and which process did it."""
    return [(n * n + shared, os.getpid()) for n in chunk]


def test_small_inputs_run_in_this_process(monkeypatch):
    monkeypatch.setattr(workers, "PARALLEL_MIN_ITEMS", 100)
    out = list(workers.map_chunks(square_with_pid, range(99), shared=1, workers=4))
    assert [v for v, _pid in out] == [n * n + 1 for n in range(99)]
    assert {pid for _v, pid in out} == {os.getpid()}


def test_large_inputs_go_to_workers_in_order_with_the_shared_state(monkeypatch):
    monkeypatch.setattr(workers, "PARALLEL_MIN_ITEMS", 10)
    items = list(range(300))
    out = list(workers.map_chunks(square_with_pid, items, shared=7, workers=2))
    assert [v for v, _pid in out] == [n * n + 7 for n in items]
    assert os.getpid() not in {pid for _v, pid in out}
    assert workers._SHARED is None


def test_without_fork_everything_runs_here(monkeypatch):
    """Windows, or macOS's spawn-only setups: no fork, the same results, serially."""
    monkeypatch.setattr(workers, "PARALLEL_MIN_ITEMS", 2)
    monkeypatch.setattr(workers, "_fork_context", lambda: None)
    out = list(workers.map_chunks(square_with_pid, range(50), shared=0, workers=4))
    assert [v for v, _pid in out] == [n * n for n in range(50)]
    assert {pid for _v, pid in out} == {os.getpid()}


def test_a_pool_that_cannot_start_falls_back_to_this_process(monkeypatch):
    import concurrent.futures

    def no_processes(*args, **kwargs):
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(workers, "PARALLEL_MIN_ITEMS", 2)
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", no_processes)
    out = list(workers.map_chunks(square_with_pid, range(40), shared=0, workers=4))
    assert [v for v, _pid in out] == [n * n for n in range(40)]


@pytest.mark.parametrize(
    ("items", "count", "size"), [(1000, 4, 62), (100_000, 8, 250), (10, 8, 25), (0, 1, 25)]
)
def test_chunks_stay_between_the_bounds(items, count, size):
    assert workers.chunk_size(items, count) == size


def test_worker_count_is_bounded():
    assert workers.worker_count(0) == 1
    assert workers.worker_count(3) == 3
    assert 1 <= workers.worker_count() <= workers.MAX_WORKERS
