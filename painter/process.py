"""The process set up for painting, once, by each entry point before torch loads: OpenMP's wait,
torch's threads and glibc's allocator.

Importing `painter` changes nothing in the process; a program that paints (the CLI, the app, a
benchmark, the tests) calls `painter.setup()` first, before anything imports torch, because OpenMP
reads its settings once, when torch loads.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from . import cpus, malloc


@dataclass(frozen=True)
class Setup:
    """What `setup` did: torch's thread count, and whether glibc's allocator was told to keep freed memory."""

    threads: int
    malloc_tuned: bool


_done: Setup | None = None  # the first call's answer; later calls change nothing


def setup() -> Setup:
    """Set the process up for painting (once; a second call returns the first's answer)."""
    global _done
    if _done is None:
        # Between torch's many small operations its OpenMP threads (GNU libgomp) spin, then sleep.
        # Spinning forever makes the painter 4.5x slower when another process shares the CPU; sleeping
        # at once makes it 1.4x slower alone. A short spin keeps most of both (benchmarks/openmp_wait.py,
        # 2 cores: alone 10.1 s against 8.9 spinning and 12.5 sleeping; two at once 18.9 s against 43.0
        # and 14.0).
        if "OMP_WAIT_POLICY" not in os.environ:
            os.environ.setdefault("GOMP_SPINCOUNT", "1000")
        # As many threads as the cores this process may really use (a container's quota can be below
        # the cores it sees: painter/cpus.py); freed tensors' memory kept for the next step rather
        # than faulted in anew (painter/malloc.py).
        _done = Setup(threads=cpus.limit_threads(), malloc_tuned=malloc.keep_freed_memory())
    return _done
