"""The example photos (painted live on a first click, from a cache after) and the brushes' swatches.

Gradio's lazy example cache (`cache_examples="lazy"`) runs a generator to its end before it shows
anything (gradio/caching.py `resolve_generator`), so a first visitor would wait ~40 s at a spinner on
the CPU. Instead the examples run on click (`run_on_click`: the canvas streams from the first click) and
the finished default-settings result is kept in a `gr.Cache`, so a later click shows it at once. Not
the `@gr.cache` decorator: it stores and replays every yielded canvas, and would cache a stopped run too.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import gradio as gr

from painter.mypaint import Canvas, MyPaintMissing, brush_definition
from painter.render import mypaint_image
from painter.stroke import Stroke

from . import gpu_run
from .inputs import upload_path

EXAMPLES_DIR = Path(__file__).resolve().parents[1] / "examples"
EXAMPLES = [str(EXAMPLES_DIR / name) for name in ("astronaut.jpg", "chelsea.jpg", "coffee.jpg")]
EXAMPLE_LABELS = ["Astronaut", "Cat", "Coffee"]
STYLE_EXAMPLES = sorted(str(p) for p in (EXAMPLES_DIR / "styles").glob("*") if p.suffix.lower() in (".jpg", ".png"))


class Examples:
    """The examples of one Space, painted by `endpoints` with `settings` (the page's defaults)."""

    def __init__(self, endpoints, settings: dict):
        self.endpoints, self.settings = endpoints, dict(settings)
        self.photos = {Path(path).read_bytes(): Path(path).name for path in EXAMPLES}
        self.cache = gr.Cache(max_size=0)  # at most one entry per example and settings
        self.folders: dict[str, str] = {}  # example -> the run folder its cached files are in (never swept)

    def seconds(self, inputs) -> float:
        """The estimated time of an example's first click, a live run of `settings` (its label says it)."""
        s = self.settings
        return max(gpu_run.estimate(inputs.request(path, s["strokes"], s["size"], s["seed"], s["time_limit"]))
                   for path in EXAMPLES)

    def paint_example(self, photo, visitor: gr.Request = None):
        """An example painted with `settings`: streamed live the first time, from the cache after. Only the
        finished painting of one of EXAMPLES is cached (never a stopped run, nor another photo sent to this
        endpoint by API), with its run folder, which is then kept for the cache."""
        path = upload_path(photo)
        try:
            example = self.photos.get(Path(path).read_bytes()) if path else None
        except OSError:
            example = None
        key = (example, tuple(sorted(self.settings.items())))
        hit = self.cache.get(key) if example else None
        if hit is not None and all(os.path.exists(f) for f in hit["outputs"][4]):
            yield hit["outputs"]
            return
        s = self.settings
        update = outputs = None
        for update, outputs in self.endpoints.controls_run(photo, s["strokes"], s["size"], s["seed"], s["time_limit"],
                                                           visitor=visitor):
            yield outputs
        if example and update is not None and update.finished and update.files:
            painting, status, comparison, timelapse, downloads = outputs
            self.folders[example] = str(Path(timelapse).parent)
            status = status.replace("Done", "Done (painted earlier, shown from the cache)", 1)
            self.cache.set(key, outputs=(painting, status, comparison, timelapse, downloads))


# A swatch per brush: a few strokes painted by MyPaint itself with the brush the neural one imitates,
# the way a painting's strokes are re-rendered (`Canvas.draw` at 2 canvas px per brush px), on paper.
# Made once (a few ms each) and kept as a PNG in the temp folder, named by what it is drawn from.
SWATCH_DIR = Path(tempfile.gettempdir()) / "neural-painter-swatches"
SWATCH_SIZE, SWATCH_SCALE, SWATCH_PAPER = (256, 112), 2.0, (0.97, 0.95, 0.91)
SWATCH_STROKES = (  # start, control, end, radius (px), pressure (start, end), colour: broad, ramped, thin
    Stroke((18, 66), (92, 26), (176, 58), 12.0, (0.75, 0.8), (0.16, 0.24, 0.55)),
    Stroke((112, 96), (178, 78), (238, 28), 8.0, (0.25, 0.8), (0.64, 0.33, 0.15)),
    Stroke((24, 96), (60, 86), (96, 98), 3.5, (0.7, 0.7), (0.2, 0.42, 0.2)),
)


def brush_swatch(mypaint: str) -> str | None:
    """A PNG of SWATCH_STROKES painted by the MyPaint brush `mypaint`; None where MyPaint is missing."""
    try:
        definition = brush_definition(mypaint)
    except MyPaintMissing:
        return None
    key = hashlib.sha256(repr((SWATCH_SIZE, SWATCH_SCALE, SWATCH_PAPER, SWATCH_STROKES)).encode() + definition)
    path = SWATCH_DIR / f"{mypaint.replace('/', '--')}-{key.hexdigest()[:12]}.png"
    if not path.is_file():
        with Canvas(*SWATCH_SIZE, brush=mypaint) as surface:
            for stroke in SWATCH_STROKES:
                surface.draw(stroke, scale=SWATCH_SCALE)
            image = mypaint_image(surface.rgba(), SWATCH_PAPER)
        SWATCH_DIR.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.png")  # another process may write the same swatch
        image.save(partial)
        os.replace(partial, path)
    return str(path)


def swatches(brushes: dict[str, str]) -> list[tuple[str, str]]:
    """(name, swatch PNG) of each brush (name -> MyPaint brush) MyPaint can paint, in order."""
    return [(name, path) for name in brushes if (path := brush_swatch(brushes[name]))]
