"""Work spread over forked processes that inherit the loaded rules, and a Ctrl-C that stops it cleanly.

Workers receive only the bounds of their slice: the data stays in the memory they inherited at fork.
Sending the data itself made tasks larger than the pipe's buffer, which blocked the pool's feeding
thread; a Ctrl-C at that moment hung `Pool.terminate` for ever (seen on Python 3.13 under load).
Only a few slices are in flight at a time, so results wait for a slow reader in bounded memory,
and a Ctrl-C waits at most for them (the workers ignore it and finish; the parent then stops).
"""

from __future__ import annotations

import signal
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

Result = TypeVar("Result")

_INHERITED: dict[str, Any] = {}


def can_fork() -> bool:
    import multiprocessing  # here, not at import: a cold `fundrules check` never forks (≈ 7 ms saved)

    return "fork" in multiprocessing.get_all_start_methods()


def _ignore_interrupt() -> None:
    """In a worker: Ctrl-C is the parent's to handle (it stops the pool), not a traceback per worker."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _run_slice(task: tuple[Callable[[Any, int, int], Result], int, int]) -> Result:
    work, start, end = task
    return work(_INHERITED["state"], start, end)


def forked_slices(
    work: Callable[[Any, int, int], Result], state: Any, count: int, jobs: int, size: int
) -> Iterator[Result]:
    """`work(state, start, end)` for consecutive slices of `range(count)`, in `jobs` forked workers, in order.

    `work` must be a module-level function (it is sent by name); `state` is inherited, never sent.
    At most `2 * jobs` slices are sent ahead of the one being read: a streaming reader that is
    slower than the workers holds a few slices' results, not all of them (`Pool.imap` runs ahead).
    """
    import multiprocessing

    _INHERITED["state"] = state
    try:
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})  # workers fork with it blocked
        try:
            pool = multiprocessing.get_context("fork").Pool(jobs, initializer=_ignore_interrupt)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)  # a Ctrl-C meanwhile reaches the parent now
        with pool:
            pending: deque = deque()
            try:
                for start in range(0, count, size):
                    pending.append(pool.apply_async(_run_slice, ((work, start, min(start + size, count)),)))
                    if len(pending) > 2 * jobs:
                        yield pending.popleft().get()
                while pending:
                    yield pending.popleft().get()
            except BaseException:
                # Ctrl-C, or the reader stopped: let the workers finish the few slices in flight and
                # exit, then leave. `Pool.terminate` alone kills them even while one writes its result:
                # the half-written message left in the pipe blocked the pool's result thread, and the
                # command, for ever (seen once in CI under load).
                pool.close()
                pool.join()
                raise
    finally:
        _INHERITED.clear()
