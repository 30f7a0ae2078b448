"""glibc's allocator told to keep the memory the painter frees, for its next step to reuse.

An Adam step allocates and frees tensors of tens of MB (the brush's activations for hundreds of
strokes). glibc serves blocks above its mmap threshold (128 KB at first, raised as blocks are
freed, at most 32 MB) with fresh mmap'd pages and gives the heap's free top back to the system
after each step, so every step faults its pages in again: on the 2-core CPU a third of the
painting's time went to the kernel (benchmarks/malloc.py: the CLI's default painting 16.2 s wall,
6.4 s of it system time, against 12.4 s and 0.9 s with the settings below, at a peak of 1.30 GB
against 1.19; the same PNG, byte for byte). The settings are glibc's own `mallopt` knobs, set at
run time (the environment's MALLOC_MMAP_THRESHOLD_ and friends act only when a process starts).
Elsewhere (musl, macOS) nothing is done. A process keeps at most `TRIM` of freed memory above its
heap's use.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os

M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD = -1, -2, -3  # glibc's malloc.h
MMAP = 256 * 2 ** 20  # blocks below this come from the heap, which is reused
TRIM = 512 * 2 ** 20  # freed memory kept at the heap's top before it goes back to the system
PAD = 64 * 2 ** 20    # extra asked of the system each time the heap grows
ENV = "NEURAL_PAINTER_MALLOC"  # "0": leave the allocator as it is


def keep_freed_memory() -> bool:
    """Set glibc's thresholds (once per process); False where there is no glibc or it was turned off."""
    if os.environ.get(ENV, "1") == "0":
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    return all(mallopt(option, value) == 1 for option, value in
               ((M_MMAP_THRESHOLD, MMAP), (M_TRIM_THRESHOLD, TRIM), (M_TOP_PAD, PAD)))
