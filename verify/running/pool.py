"""Worker processes with a time limit per pair (a pebble pool).

A worker that runs past its time limit is killed, so a pathological step costs
its own time limit and nothing more; each worker's memory is capped, so one
runaway step fails alone.
"""

from __future__ import annotations

import atexit
import os
import time
from collections.abc import Callable, Mapping
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TYPE_CHECKING, Any, TypeVar

from verify.limits import limit_memory
from verify.model import Result, Status

if TYPE_CHECKING:
    from verify.deciding.tasks import PairTask

K = TypeVar("K")

_POOL: Any = None
_POOL_WORKERS = 0


def _pool(workers: int) -> Any:
    global _POOL, _POOL_WORKERS
    if _POOL is None or workers != _POOL_WORKERS or not _POOL.active:
        from pebble import ProcessPool

        if _POOL is not None:
            _POOL.stop()
        _POOL = ProcessPool(max_workers=workers, initializer=limit_memory)
        _POOL_WORKERS = workers
    return _POOL


@atexit.register
def _shutdown() -> None:
    if _POOL is not None:
        _POOL.stop()
        _POOL.join(timeout=5)


def _decide_in_worker(task: PairTask, timeout: float) -> dict[str, Any]:
    """The verdict, and for a failed step its repairs, within the worker's time limit."""
    from verify.mutation.repair import decide_and_repair

    return decide_and_repair(task, timeout).to_json()


def _run_problem(task: PairTask, seconds: float, message: str) -> Result:
    """A verdict about this run, not the pair: an error that is never cached."""
    return Result(
        file=task.file, line=task.line, relation=task.relation, lhs=task.lhs.text.strip(),
        rhs=task.rhs.text.strip(), status=Status.ERROR, method="worker", message=message,
        seconds=round(seconds, 4), justification=task.justification, cacheable=False,
    )  # fmt: skip


def decide_all(
    tasks: Mapping[K, PairTask], timeout: float, workers: int | None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[K, Result]:  # fmt: skip
    """Decide each task in a worker process, within `timeout` seconds each."""
    if not tasks:
        return {}
    workers = workers or os.cpu_count() or 1
    pool = _pool(max(1, min(workers, len(tasks))) if len(tasks) < workers else workers)
    started = time.perf_counter()
    futures = {
        key: pool.schedule(_decide_in_worker, args=(task, timeout), timeout=timeout)
        for key, task in tasks.items()
    }
    results: dict[K, Result] = {}
    for n, (key, future) in enumerate(futures.items(), start=1):
        task = tasks[key]
        try:
            results[key] = Result.from_json(future.result())
        except FutureTimeout:
            results[key] = _run_problem(
                task, timeout,
                f"time limit of {timeout:g} s exceeded (raise 'timeout', or split the step into"
                " smaller ones)",
            )  # fmt: skip
        except Exception as err:  # a worker that died (memory cap) or failed to pickle
            results[key] = _run_problem(
                task, time.perf_counter() - started,
                f"the checker's worker stopped ({type(err).__name__}: {err}); the step may need"
                " too much memory",
            )  # fmt: skip
        if progress:
            progress(n, len(tasks))
    return results
