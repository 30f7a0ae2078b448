"""Run folders, Stop, and the finished painting's files.

Gradio copies a run's files into its own cache (which `delete_cache` empties) only once the caller has
yielded them, which may be after the run's generator has ended, and the example cache serves its files
again later: so a run never removes its own folder; each new run removes those older than
RUN_FOLDER_AGE (a run lasts minutes at most), except the folders it is told to keep.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

import numpy as np
from PIL import Image

from painter import render_with_mypaint
from painter.request import Request

from . import gpu_run

RUNS_DIR = Path(tempfile.gettempdir()) / "neural-painter-runs"
RUN_FOLDER_AGE = 3600  # seconds, as `delete_cache` ages Gradio's copies
STOP_DIR = Path(tempfile.gettempdir()) / "neural-painter-stop"
STOPPED_BEFORE = "Stopped before it started."
DOWNLOADS = ("png", "mypaint", "mp4", "gif", "json", "svg", "ora")  # the order the page lists them in
# The canvases streamed while painting go to the page as JPEG files, written here: Gradio would encode each
# as a PNG in the Space's process, ~38 ms a 384 px canvas against 0.5 ms, on the cores that paint
# (benchmarks/app_speed.py). The finished painting is shown as its PNG file, lossless.
FRAME_QUALITY = 90


def stop_file(visitor) -> str:
    """The file whose presence stops the visitor's run (one per browser session)."""
    session = getattr(visitor, "session_hash", None) or "anonymous"
    return str(STOP_DIR / re.sub(r"[^A-Za-z0-9_-]", "_", session)[:64])


def request_stop(visitor) -> None:
    STOP_DIR.mkdir(parents=True, exist_ok=True)
    Path(stop_file(visitor)).touch()


def sweep_run_folders(age=RUN_FOLDER_AGE, keep=()) -> None:
    """Removes the run folders last written more than `age` seconds ago, except those in `keep`."""
    now = time.time()
    for folder in RUNS_DIR.glob("run-*"):
        try:
            old = now - folder.stat().st_mtime > age
        except OSError:  # another run removed it first
            continue
        if old and str(folder) not in keep:
            shutil.rmtree(folder, ignore_errors=True)


def start_run(visitor, keep=()) -> tuple[str, str] | None:
    """A fresh run folder and the visitor's stop file, or None where Stop was pressed while the run waited in
    the queue. Old folders are swept here, but those in `keep`."""
    RUNS_DIR.mkdir(parents=True, exist_ok=True)
    STOP_DIR.mkdir(parents=True, exist_ok=True)
    sweep_run_folders(keep=keep)
    stop = stop_file(visitor)
    if os.path.exists(stop):
        os.remove(stop)
        return None
    return tempfile.mkdtemp(prefix="run-", dir=RUNS_DIR), stop


def write_downloads(painting, out_dir):
    """Writes the painting's files in `out_dir`, yielding `(kind, path)` as each is written, the quick ones
    first: png, json, svg, mp4 and gif timelapse, mypaint (the strokes painted by MyPaint's brushes,
    each stroke's own, at twice the size), ora (MyPaint's layers)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    writers = {"png": ("painting.png", painting.save_png), "json": ("strokes.json", painting.save_json),
               "svg": ("painting.svg", painting.save_svg), "mp4": ("timelapse.mp4", painting.save_timelapse),
               "gif": ("timelapse.gif", painting.save_timelapse),
               "mypaint": ("painting-mypaint-2x.png", lambda path: render_with_mypaint(
                   painting, 2 * max(painting.width, painting.height)).save(path)),
               "ora": ("painting.ora", painting.save_ora)}
    # Two at a time (the cores are free once the painting is done, and the writers spend much of their time
    # outside Python: MyPaint, Pillow, ffmpeg), each yielded as soon as it is written: 1.2 s for the app's
    # default painting against 1.6 s one after another (benchmarks/app_speed.py measures the whole run).
    with ThreadPoolExecutor(2) as pool:
        written = {pool.submit(write, out_dir / name): (kind, str(out_dir / name))
                   for kind, (name, write) in writers.items()}
        for future in as_completed(written):
            future.result()
            yield written[future]


def show(update, out_dir, index: int):
    """`update` with its canvas, if it has one, written for the page as `out_dir`/frame-`index`.jpg."""
    if update.canvas is not None:
        update.shown = str(Path(out_dir) / f"frame-{index:04d}.jpg")
        Image.fromarray(update.canvas).save(update.shown, quality=FRAME_QUALITY)
    return update


def paint_into(request: Request, out_dir, stop_file=None, files: bool = True):
    """Paint on the device, then write the files: yields `gpu_run.Update`s (each canvas also `show`n), the last
    with the files, the PNG's own pixels as its canvas and the PNG as the file shown. Without `files`, the last
    update carries the painting and nothing is written after it (the page writes the files in an event of
    their own: `write_downloads`)."""
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    for index, update in enumerate(gpu_run.paint_on_device(request, stop_file)):
        if update.painting is None:
            yield show(update, out_dir, index)
            continue
        if not files:
            yield update
            return
        yield show(gpu_run.Update(update.status + " · saving files…", update.painted, update.total, update.canvas),
                   out_dir, index)
        update.files = dict(write_downloads(update.painting, out_dir))
        update.canvas = np.ascontiguousarray(np.asarray(update.painting.image))
        update.shown = update.files["png"]
        yield update


def paint_in_run_folder(request: Request, visitor=None, keep=()):
    """A checked request painted in a fresh run folder (see `start_run`): yields what `paint_into` yields."""
    started = start_run(visitor, keep)
    if started is None:
        yield gpu_run.Update(STOPPED_BEFORE, 0, request.strokes)
        return
    out_dir, stop = started
    try:
        yield from paint_into(request, out_dir, stop)
    finally:
        if os.path.exists(stop):
            os.remove(stop)
