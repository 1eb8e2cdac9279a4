"""One way to run independent pieces of work in parallel: local processes, or an existing Dask cluster.

The forecast batch (chunks of queues) and the scenario runs (whole plans) both
hand a module-level function and a list of items to `run_each`, which yields
each item's result as it finishes, tagged with the item's index. Local runs use
a process pool (or the calling process when one worker is asked for); with a
Dask client the same function runs on the cluster's workers. A worker that
crashes or raises loses its own item only: the caller gets a `Lost` in its place
and decides how to report it. A local process that dies outright (killed, out of
memory) breaks its whole pool, so the items not finished by then are run again,
each in a process of its own: only the item that kills its process is lost.
"""
from __future__ import annotations

import logging
import os
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Sequence

from common.errors import InputError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Lost:
    """An item whose worker crashed or raised: why, in one line."""

    error: str


def connect_dask(scheduler: str):
    """A Client on an existing Dask cluster, or an InputError a planner can act on."""
    try:
        from distributed import Client
    except ImportError:
        raise InputError("--scheduler", "dask.distributed is not installed",
                         "pip install 'dask[distributed]' (it is a declared dependency)") from None
    try:
        return Client(scheduler, timeout="20s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise InputError("--scheduler", f"cannot reach the Dask scheduler at {scheduler} ({exc})",
                         "start it with `dask scheduler` and workers with `dask worker ADDRESS`, "
                         "or leave --scheduler out to use local processes") from None


def dask_slots(client) -> list[tuple[str, int, int]]:
    """(worker address, threads it runs tasks on, cores of its machine) for every worker of the cluster."""
    workers = client.scheduler_info().get("workers", {})
    cores = client.run(os.cpu_count) if workers else {}
    return [(address, int(info.get("nthreads", 1)), int(cores.get(address) or 1))
            for address, info in sorted(workers.items())]


def run_each(fn: Callable[..., Any], items: Sequence[Any], *, client=None, workers: int = 1,
             **kwargs: Any) -> Iterator[tuple[int, Any]]:
    """Call fn(item, **kwargs) for every item; yield (index, result or Lost) in the order they finish.

    client: a dask.distributed Client (work runs on its cluster); otherwise `workers`
    local processes, or this process when workers <= 1 (then results come in order).
    fn must be importable by name (a module-level function) so a process or worker can run it.
    """
    if client is not None:
        from distributed import as_completed as dask_completed

        futures = client.map(fn, list(items), pure=False, **kwargs)
        index = {future.key: i for i, future in enumerate(futures)}
        for future in dask_completed(futures):
            try:
                yield index[future.key], future.result()
            except Exception as exc:   # a lost worker loses its item, not the run
                yield index[future.key], Lost(f"Dask worker failed: {type(exc).__name__}: {exc}")
        return
    if workers <= 1:
        for i, item in enumerate(items):
            yield i, fn(item, **kwargs)
        return
    finished: set[int] = set()
    broken = False
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(fn, item, **kwargs): i for i, item in enumerate(items)}
        for future in as_completed(futures):
            try:
                result = future.result()
            except BrokenProcessPool:  # a process died: which item killed it is not known yet
                broken = True
                continue
            except Exception as exc:   # an item that raised loses itself, not the run
                result = Lost(f"worker process failed: {type(exc).__name__}: {exc}")
            finished.add(futures[future])
            yield futures[future], result
    if broken:
        left = [i for i in range(len(items)) if i not in finished]
        log.warning("a worker process died; the %d unfinished item(s) run again, one process each", len(left))
        yield from _one_process_each(fn, items, left, workers, kwargs)


def _run_alone(fn: Callable[..., Any], item: Any, kwargs: dict) -> Any:
    with ProcessPoolExecutor(max_workers=1) as pool:
        try:
            return pool.submit(fn, item, **kwargs).result()
        except BrokenProcessPool:
            return Lost("worker process died while running it (killed, or out of memory)")
        except Exception as exc:
            return Lost(f"worker process failed: {type(exc).__name__}: {exc}")


def _one_process_each(fn: Callable[..., Any], items: Sequence[Any], indexes: list[int], workers: int,
                      kwargs: dict) -> Iterator[tuple[int, Any]]:
    """Each item in a fresh process of its own (`workers` at a time), so a process that dies loses one item."""
    with ThreadPoolExecutor(max_workers=max(1, workers)) as threads:
        futures = {threads.submit(_run_alone, fn, items[i], kwargs): i for i in indexes}
        for future in as_completed(futures):
            yield futures[future], future.result()
