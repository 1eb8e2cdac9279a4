"""Keep OpenBLAS single-threaded while fitting many tiny models.

statsmodels' optimisers call BLAS on vectors of a few dozen numbers; with
OpenBLAS's thread pool on, each call pays a thread hand-off that made an ETS
fit ~7× slower on this machine (0.45 s → 0.07 s). Parallelism belongs across
queues (processes, Dask workers), not inside one fit. This does what
threadpoolctl does for OpenBLAS, for the libraries already loaded, and
restores the previous setting on exit; anything unexpected is a no-op.
"""
from __future__ import annotations

import ctypes
import logging
from contextlib import contextmanager
from typing import Iterator

log = logging.getLogger(__name__)

_GET = ("openblas_get_num_threads", "openblas_get_num_threads64_", "scipy_openblas_get_num_threads",
        "scipy_openblas_get_num_threads64_")
_SET = ("openblas_set_num_threads", "openblas_set_num_threads64_", "scipy_openblas_set_num_threads",
        "scipy_openblas_set_num_threads64_")


def _openblas_controls() -> list[tuple]:
    controls = []
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower() and "/" in line}
    except OSError:
        return controls
    for path in sorted(paths):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        get = next((getattr(lib, n) for n in _GET if hasattr(lib, n)), None)
        put = next((getattr(lib, n) for n in _SET if hasattr(lib, n)), None)
        if get is not None and put is not None:
            controls.append((get, put))
    return controls


@contextmanager
def blas_threads(count: int = 1) -> Iterator[None]:
    """Within the block, loaded OpenBLAS libraries use `count` threads."""
    try:
        controls = _openblas_controls()
        previous = [get() for get, _ in controls]
        for _, put in controls:
            put(count)
    except Exception as exc:   # never let a tuning knob break a forecast
        log.debug("could not limit BLAS threads: %s", exc)
        controls, previous = [], []
    try:
        yield
    finally:
        for (_, put), value in zip(controls, previous):
            try:
                put(int(value))
            except Exception:
                pass
