"""One function over many files, in worker processes: both cores, results in order, flat memory.

:func:`ordered_map` is what validation and consolidation of many files use:

- results come back in the order of the inputs, each as soon as it and those before it are done,
  so the caller can print or store them one at a time;
- only a few items are in flight at once (a window), so memory does not grow with the number of
  files, whatever their order of completion;
- a worker process that dies (killed for memory, a crash in a native library) costs the item it
  was working on, not the run: the items in flight are read again one by one, each in a fresh
  process, and the one that kills its process again gets ``on_crash(item, exc)`` as its result.
"""

from __future__ import annotations

import os
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Callable, Iterator, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MIN_PARALLEL = 8  # fewer items than this: starting processes costs more than it saves
WINDOW_PER_JOB = 4  # items in flight per worker


def default_jobs() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def ordered_map(func: Callable[[T], R], items: Sequence[T], jobs: int | None = None,
                on_crash: Callable[[T, BaseException], R] | None = None) -> Iterator[R]:
    """``func(item)`` for every item, in order, in ``jobs`` worker processes (default: every core).

    ``func`` must be a module-level function and items and results picklable. ``on_crash`` gives
    the result for an item whose worker failed outside ``func`` (the process died, or its result
    could not be sent back); without it that exception propagates. Exceptions raised by ``func``
    itself propagate too, unless ``on_crash`` is given.
    """
    jobs = jobs or default_jobs()
    if jobs <= 1 or len(items) < MIN_PARALLEL:
        for item in items:
            yield func(item)
        return
    window = jobs * WINDOW_PER_JOB
    source = iter(items)
    pending: deque = deque()  # (item, future) in input order
    pool = ProcessPoolExecutor(max_workers=jobs)
    try:
        while True:
            # the pool can break at any moment: while the window refills (submit raises) or
            # while a result is awaited (result raises); either way every item in flight, and
            # the one that could not be sent, is lost with it
            lost: list | None = None
            while len(pending) < window:
                try:
                    item = next(source)
                except StopIteration:
                    break
                try:
                    pending.append((item, pool.submit(func, item)))
                except BrokenProcessPool:
                    lost = [*pending, (item, None)]
                    break
            if lost is None:
                if not pending:
                    return
                item, future = pending.popleft()
                try:
                    result = future.result()
                except BrokenProcessPool:
                    lost = [(item, future), *pending]
                except Exception as exc:  # noqa: BLE001 - e.g. a result that cannot be pickled
                    if on_crash is None:
                        raise
                    result = on_crash(item, exc)
                if lost is None:
                    yield result
                    continue
            # read the lost items again, each alone, so that only the item that kills its
            # process is reported; those whose result arrived before the break keep it
            pending.clear()
            pool.shutdown(wait=True, cancel_futures=True)
            for one, done in lost:
                if _succeeded(done):
                    yield done.result()
                else:
                    yield _alone(func, one, on_crash)
            pool = ProcessPoolExecutor(max_workers=jobs)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _succeeded(future) -> bool:
    return (future is not None and future.done() and not future.cancelled()
            and future.exception() is None)


def _alone(func: Callable[[T], R], item: T, on_crash) -> R:
    with ProcessPoolExecutor(max_workers=1) as solo:
        try:
            return solo.submit(func, item).result()
        except Exception as exc:  # noqa: BLE001 - BrokenProcessPool included
            if on_crash is None:
                raise
            return on_crash(item, exc)


__all__ = ["ordered_map", "default_jobs", "MIN_PARALLEL"]
