"""Allocation-heavy stages without Python's cyclic garbage collector.

Building a roster model makes a few hundred thousand objects that all live until the stage ends (variables,
expressions, tuples of options). Each of them counts towards the collector's next pass, and each pass of the
oldest generation walks the whole heap: on the sample week those passes took 0.3-1.5 s of a 5 s stage
(5.2-5.5 s with the collector paused, 5.5-7.0 s without, same roster). The stage frees its objects by
reference counting as before; only cycles wait until the collector runs again after it.
"""
from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic collector for the block, and restore it as it was (nested blocks keep it paused)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
