"""MyPaint renders 12-number actions to 64x64 stroke coverage, one at a time or across processes."""

from __future__ import annotations

import multiprocessing
import os

import numpy as np

from painter.mypaint import Canvas
from painter.stroke import ACTION_SIZE, CELL_PX, Stroke

_canvas: Canvas | None = None  # one per process: allocating a surface costs more than a stroke


def render(action) -> np.ndarray:
    """(64, 64) float32 coverage in [0, 1] of one action, read from MyPaint's alpha channel."""
    global _canvas
    if _canvas is None:
        _canvas = Canvas(CELL_PX, CELL_PX)
    _canvas.clear()
    _canvas.paint(Stroke.from_action(action))
    return _canvas.alpha()


def render_uint8(actions: np.ndarray) -> np.ndarray:
    """(N, 64, 64) uint8 coverage (0 to 255) of (N, 12) actions, in this process."""
    out = np.empty((len(actions), CELL_PX, CELL_PX), dtype=np.uint8)
    for i, action in enumerate(actions):
        out[i] = np.rint(render(action) * 255)
    return out


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class BatchRenderer:
    """Renders batches of actions across `workers` processes (1: in this process)."""

    def __init__(self, workers: int | None = None, chunk: int = 200):
        self.workers = max(1, workers or default_workers())
        self.chunk = chunk
        self._pool = None
        if self.workers > 1:
            render(np.zeros(ACTION_SIZE))  # fail here, in one sentence, if MyPaint is missing
            self._pool = multiprocessing.get_context("fork").Pool(self.workers)

    def __call__(self, actions: np.ndarray, progress=None) -> np.ndarray:
        actions = np.asarray(actions, dtype=np.float32).reshape(-1, ACTION_SIZE)
        chunks = [actions[i:i + self.chunk] for i in range(0, len(actions), self.chunk)]
        results = map(render_uint8, chunks) if self._pool is None else self._pool.imap(render_uint8, chunks)
        out = []
        for part in results:
            out.append(part)
            if progress is not None:
                progress.update(len(part))
        return np.concatenate(out) if out else np.empty((0, CELL_PX, CELL_PX), np.uint8)

    def close(self):
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
