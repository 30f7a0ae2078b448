"""MyPaint renders 12-number actions to 64x64 stroke coverage, one at a time or across processes."""

from __future__ import annotations

import functools
import multiprocessing
import os

import numpy as np

from painter.mypaint import BRUSH, cell_coverage, check_brush
from painter.stroke import ACTION_SIZE, CELL_PX, Stroke

def render(action, streams: int = 1, first_stream: int = 0, brush: str = BRUSH) -> np.ndarray:
    """(64, 64) float32 coverage in [0, 1] of one action painted by the MyPaint brush `brush`
    (`painter.mypaint.cell_coverage`).

    With `streams` > 1, the mean coverage over that many of MyPaint's random streams (see
    `Canvas.draw`): the stroke's expected look rather than one draw of the brush's scatter.
    Streams are numbered from `first_stream`; stream 0 is MyPaint's plain render.
    """
    stroke = Stroke.from_action(action)
    total = np.zeros((CELL_PX, CELL_PX), np.float32)
    for stream in range(first_stream, first_stream + streams):
        total += cell_coverage(stroke, brush, stream)
    return total / streams


def render_uint8(actions: np.ndarray, streams: int = 1, first_stream: int = 0, brush: str = BRUSH) -> np.ndarray:
    """(N, 64, 64) uint8 coverage (0 to 255) of (N, 12) actions, in this process."""
    out = np.empty((len(actions), CELL_PX, CELL_PX), dtype=np.uint8)
    for i, action in enumerate(actions):
        out[i] = np.rint(render(action, streams, first_stream, brush) * 255)
    return out


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class BatchRenderer:
    """Renders batches of actions with the MyPaint brush `brush` across `workers` processes (1: in
    this process), each stroke averaged over `streams` of MyPaint's random streams (1: the plain
    render). A brush whose dabs depend on the canvas is refused (`check_brush`)."""

    def __init__(self, workers: int | None = None, chunk: int = 200, streams: int = 1, brush: str = BRUSH):
        if streams < 1:
            raise ValueError("streams must be at least 1")
        self.workers = max(1, workers or default_workers())
        self.chunk = chunk
        self.streams = int(streams)
        self.brush = check_brush(brush)
        self._pool = None
        if self.workers > 1:
            render(np.zeros(ACTION_SIZE), brush=brush)  # fail here, in one sentence, if MyPaint is missing
            self._pool = multiprocessing.get_context("fork").Pool(self.workers)

    def __call__(self, actions: np.ndarray, progress=None, first_stream: int = 0) -> np.ndarray:
        actions = np.asarray(actions, dtype=np.float32).reshape(-1, ACTION_SIZE)
        chunks = [actions[i:i + self.chunk] for i in range(0, len(actions), self.chunk)]
        work = functools.partial(render_uint8, streams=self.streams, first_stream=first_stream, brush=self.brush)
        results = map(work, chunks) if self._pool is None else self._pool.imap(work, chunks)
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
