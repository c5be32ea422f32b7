"""One policy for spreading work over processes: how many, in what chunks, and when not.

Reading, validating and rendering thousands of answers is CPU-bound Python, so a
large batch goes to a pool of forked worker processes; a small one (under
:data:`PARALLEL_MIN_ITEMS`), a single worker, or a platform without ``fork``
(Windows, or macOS where it is unsafe) runs in this process, with the same
results in the same order. Example::

    def parse(shared, chunk):           # a module-level function: workers import it
        max_bytes = shared
        return [read_answer(p, max_bytes) for p in chunk]

    answers = list(map_chunks(parse, paths, shared=config.max_file_bytes))

``shared`` is given to every call. Forked workers inherit it from this process's
memory instead of receiving a pickled copy with each chunk, which matters when it
is large (the library's id table); only the chunks and the results travel.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

PARALLEL_MIN_ITEMS = 400
"""Fewer items than this run in this process: starting workers would cost more."""

MAX_WORKERS = 8
"""Past this many processes the disk and the result pickling, not the CPU, set the pace."""

CHUNKS_PER_WORKER = 4
"""Chunks per worker: enough for a slow chunk not to hold the others up."""

CHUNK_RANGE = (25, 250)
"""Smallest and largest chunk: small enough that memory stays flat at 100,000 answers."""

_SHARED: Any = None
"""What the running :func:`map_chunks` shares with its workers (inherited at fork)."""


def worker_count(requested: int | None = None) -> int:
    """``requested``, or the machine's CPU count up to :data:`MAX_WORKERS`.

    >>> worker_count(3)
    3
    >>> 1 <= worker_count() <= MAX_WORKERS
    True
    """
    if requested is not None:
        return max(1, requested)
    return max(1, min(os.cpu_count() or 1, MAX_WORKERS))


def chunk_size(items: int, workers: int) -> int:
    """How many items each task takes.

    >>> chunk_size(1000, 4), chunk_size(100_000, 8), chunk_size(10, 8)
    (62, 250, 25)
    """
    smallest, largest = CHUNK_RANGE
    return max(smallest, min(largest, items // (workers * CHUNKS_PER_WORKER)))


def _fork_context() -> Any:
    """The ``fork`` start method, or None where the platform lacks it."""
    import multiprocessing

    try:
        return multiprocessing.get_context("fork")
    except ValueError:
        return None


def die_with_parent(parent: int) -> None:
    """In a worker process: be killed when the qa process that started it dies.

    On Linux the kernel does it (``prctl(PR_SET_PDEATHSIG, SIGKILL)``), so even a
    SIGKILL of qa leaves no worker running; elsewhere a daemon thread notices
    that the parent is gone and exits.
    """
    import signal

    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the parent's cleanup handler
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # it died before the line above took effect
        os._exit(1)
    if not sys.platform.startswith("linux"):
        import threading
        import time

        def watch() -> None:
            while os.getppid() == parent:
                time.sleep(1)
            os._exit(1)

        threading.Thread(target=watch, daemon=True).start()


def map_chunks(
    func: Callable[[Any, Sequence[Item]], Sequence[Result]],
    items: Sequence[Item],
    *,
    shared: Any = None,
    workers: int | None = None,
) -> Iterator[Result]:
    """``func(shared, chunk)`` over ``items`` in chunks; the results in the items' order.

    ``func`` returns one result per item (or any list; they are yielded in order)
    and must be a module-level function, so that workers can find it. The serial
    path calls ``func(shared, items)`` once. When workers cannot be started or
    die (no ``fork``, no processes left, a worker killed), the chunks not yet
    done run in this process.
    """
    count = worker_count(workers)
    context = _fork_context() if count > 1 and len(items) >= PARALLEL_MIN_ITEMS else None
    if context is None:
        yield from func(shared, items)
        return
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    size = chunk_size(len(items), count)
    starts = range(0, len(items), size)
    done = 0
    global _SHARED
    import gc

    # What this process holds now is shared with the forked workers until a page of it is
    # written: kept out of the collector's reach, so that a worker's collections do not
    # write every object's header and turn those pages into copies (memory counted twice).
    gc.freeze()
    try:
        with ProcessPoolExecutor(
            max_workers=count,
            mp_context=context,
            initializer=die_with_parent,
            initargs=(os.getpid(),),
        ) as pool:
            _SHARED = shared
            try:
                # Forked workers all start on the first submit, so they have
                # inherited _SHARED by the time map() returns.
                parts = pool.map(_run_chunk, [(func, items[i : i + size]) for i in starts])
            finally:
                _SHARED = None
            for part in parts:
                yield from part
                done = min(done + size, len(items))
    except (OSError, BrokenProcessPool):
        if done < len(items):
            yield from func(shared, items[done:])
    finally:
        gc.unfreeze()
        give_back_free_memory()


def give_back_free_memory() -> None:
    """Hand the C heap's free pages back to the system (glibc's ``malloc_trim``).

    The results of a large batch arrive pickled, and each is unpickled through
    buffers that are freed at once; glibc keeps those pages for later use, so
    at 100,000 answers the process would go on holding about 40 MB it no longer
    needs while the rest of the command runs. Elsewhere (no glibc) nothing is done.
    """
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).malloc_trim(0)


def _run_chunk(job: tuple[Callable[[Any, Sequence[Any]], Sequence[Any]], Sequence[Any]]) -> Any:
    """One chunk, in a worker: the function with the shared state it inherited."""
    func, chunk = job
    return list(func(_SHARED, chunk))
