"""The Space's endpoints: `/paint` with every control, the MCP tool `paint`, and the page's Paint chain.

The page's Paint button runs a chain of its own, private (API and MCP clients call `/paint`, which paints
and writes the files in one event). Gradio runs no `.then` after a refused validator or a raised error,
so the button is locked only once the request has passed every check (`page_check`, at once, in the
click itself); a refusal there leaves the page as it was, the sentence in the status and in Gradio's
error. The painting's event ends at its last stroke, which gives the button back; the files follow in
an event of their own, each shown as it is written.
"""

import inspect
import os

import gradio as gr
from PIL import Image

from painter.brush import DEFAULT_BRUSH
from painter.errors import PainterError
from painter.request import Request

from . import gpu_run, runs
from .inputs import MAX_LENGTH, MAX_RADIUS, PageInputs

PAINT_WITH_CONTROLS_DOC = """Paint a photo with real brushstrokes, with every control of the page: the brush, a style image, a detail mask, stroke limits.

    `/paint`, the page's Paint button. Streams the canvas as it is painted, then the painting, a
    before/after pair, the timelapse and the files (PNG, the PNG at twice the size, MP4, GIF, JSON, SVG, ORA).
    For a photo alone, the tool `paint` is simpler.

    Args:
        photo: The photo to paint, as an http(s) URL or a data: URL (base64 image).
        strokes: How many brushstrokes.
        size: The painting's long side in pixels.
        seed: Random seed.
        time_limit: Seconds after which the painting ends with the strokes painted so far.
        style: Optional style painting (URL or data: URL): the strokes take its palette and manner.
        style_strength: 0 (likeness only) to 10.
        colour_transfer: Move the photo's colours onto the style's before painting.
        detail: A mask editor value: where it is painted, more and finer strokes.
        min_radius: Smallest brush radius in pixels.
        max_radius: Largest brush radius in pixels (64: no limit).
        low_pressure: Lowest pen pressure, 0 to 1.
        high_pressure: Highest pen pressure, 0 to 1.
        background: "Photo's average", "White" or "Custom".
        background_colour: The custom background colour, e.g. "#f4efe6".
        palette: At most this many colours (0: no limit).
        min_length: Shortest stroke in pixels.
        max_length: Longest stroke in pixels (512: no limit).
        brush: The brush, one of BRUSH_NAMES (MyPaint's brush of that name, placed through its neural copy); default dry_brush.
        coarse_brush: Optional brush of the coarse levels (the first, broad strokes), one of BRUSH_NAMES; "": the brush.
        middle_brush: Optional brush of the levels between, one of BRUSH_NAMES; "": the brush.
        fine_brush: Optional brush of the fine levels (the last, small strokes), one of BRUSH_NAMES; "": the brush.
    """

PAINT_DOC = """Paint a photo with real brushstrokes: placed stroke by stroke through a neural copy of a MyPaint brush, painted by MyPaint.

    Progress is reported as strokes are painted. The result is the painting (PNG) and links to:
    the same painting by MyPaint at twice the size (PNG), the strokes (JSON: each
    stroke's curve, radius, pressure and colour), an SVG, a timelapse (MP4) and layers for MyPaint,
    Krita or GIMP (OpenRaster .ora, one layer per level, coarse to fine).

    Args:
        photo: The photo to paint, as an http(s) URL or a data: URL (base64 image).
        strokes: How many brushstrokes; more means finer detail and a longer run.
        size: The painting's long side in pixels.
        seed: Random seed; the same seed and settings paint the same picture.
        time_limit: Seconds after which the painting ends with the strokes painted so far.
        brush: The brush, one of BRUSH_NAMES (MyPaint's brush of that name, placed through its neural copy); default dry_brush.
    """


def refused(error: PainterError) -> gr.Error:
    return gr.Error(str(error), print_exception=False)


def before_after(request: Request, painting: Image.Image) -> tuple:
    before = request.image if request.image.size == painting.size else request.image.resize(painting.size, Image.LANCZOS)
    return before, painting


def paint_ready():
    return gr.update(interactive=True, value="Paint")  # (a fresh update each time: Gradio consumes them)


def paint_locked():
    return gr.update(interactive=False, value="Painting…")


def page_refuse(job):
    """Ends the chain of a refused Paint click with Gradio's error, its sentence (queued: Gradio shows no error
    of an event outside the queue)."""
    if isinstance(job, str):
        raise gr.Error(job, print_exception=False)


def page_ready():
    """Paint usable again, Stop hidden, the results shown (the painting's before/after at once)."""
    return paint_ready(), gr.update(visible=False), gr.update(visible=True)


def page_files(finished):
    """The finished painting's files, each shown as soon as it is written: yields (timelapse, files)."""
    if not finished:
        return
    painting, out_dir = finished
    written = {}
    try:
        for kind, path in runs.write_downloads(painting, out_dir):
            written[kind] = path
            timelapse = path if kind == "mp4" else (None if len(written) == 1 else gr.skip())
            yield timelapse, [written[k] for k in runs.DOWNLOADS if k in written]
    except PainterError as error:  # a file the painting cannot be written as (an SVG without its brush's outline)
        raise refused(error) from None


def as_tool(method, name: str, doc: str, **defaults):
    """`method` as a function named `name` with the docstring `doc` and these `defaults` (MCP clients read a
    tool's name, description and defaults from its function; Gradio its parameters)."""
    signature = inspect.signature(method)
    signature = signature.replace(parameters=[p.replace(default=defaults[p.name]) if p.name in defaults else p
                                              for p in signature.parameters.values()])

    def tool(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        yield from method(*bound.args, **bound.kwargs)

    tool.__name__ = tool.__qualname__ = name
    tool.__doc__, tool.__signature__ = doc, signature
    tool.__annotations__ = {n: p.annotation for n, p in signature.parameters.items()
                            if p.annotation is not inspect.Parameter.empty}
    return tool


class Endpoints:
    """The endpoints over one Space's `inputs`; `keep()` names the run folders a new run must not sweep
    (those the example cache serves)."""

    def __init__(self, inputs: PageInputs, keep=lambda: ()):
        self.inputs, self.keep = inputs, keep
        names, hardware = ", ".join(inputs.brushes), inputs.hardware
        self.paint_with_controls = as_tool(self._paint_with_controls, "paint_with_controls",
                                           PAINT_WITH_CONTROLS_DOC.replace("BRUSH_NAMES", names))
        self.paint = as_tool(self._paint, "paint", PAINT_DOC.replace("BRUSH_NAMES", names),
                             strokes=hardware.strokes["value"], size=hardware.default_size,
                             time_limit=hardware.time_limit["value"])

    def _paint_with_controls(self, photo, strokes, size, seed, time_limit, style=None, style_strength=1.0,
                             colour_transfer=True, detail=None, min_radius=0, max_radius=MAX_RADIUS, low_pressure=0.0,
                             high_pressure=1.0, background="Photo's average", background_colour="#ffffff", palette=0,
                             min_length=0, max_length=MAX_LENGTH, brush: str = DEFAULT_BRUSH, coarse_brush: str = "",
                             middle_brush: str = "", fine_brush: str = "", visitor: gr.Request = None):
        for _, outputs in self.controls_run(
                photo, strokes, size, seed, time_limit, style, style_strength, colour_transfer, detail, min_radius,
                max_radius, low_pressure, high_pressure, background, background_colour, palette, min_length,
                max_length, brush, coarse_brush, middle_brush, fine_brush, visitor=visitor):
            yield outputs

    def controls_run(self, *controls, visitor=None):
        """`/paint`'s inputs checked and painted: yields (`gpu_run.Update`, the outputs `/paint` shows: canvas,
        status, before/after, timelapse, files)."""
        try:
            job = self.inputs.controls_request(*controls)
        except PainterError as error:
            raise refused(error) from None
        for update in self.run(job, visitor):
            if update.files is None:
                yield update, (update.shown, update.status, None, None, None)
                continue
            yield update, (update.shown, update.status, before_after(job, Image.fromarray(update.canvas)),
                           update.files["mp4"],
                           [update.files[k] for k in runs.DOWNLOADS])

    def _paint(self, photo, strokes: int = None, size: int = None, seed: int = 0, time_limit: float = None,
               brush: str = DEFAULT_BRUSH, progress=gr.Progress()):
        try:
            job = self.inputs.request(photo, strokes, size, seed, time_limit, brush=self.inputs.brush_choice(brush))
        except PainterError as error:
            raise refused(error) from None
        for update in self.run(job):
            progress((update.painted, update.total), desc=update.status, unit="strokes")
            if update.files is None:
                yield update.shown, None, None, None, None, None, update.status
            else:
                files = update.files
                yield (Image.fromarray(update.canvas), files["mypaint"], files["json"], files["svg"], files["mp4"],
                       files["ora"], update.status)

    def run(self, job: Request, visitor=None):
        """A checked request painted in a fresh run folder: yields `gpu_run.Update`s."""
        try:
            yield from runs.paint_in_run_folder(job, visitor, set(self.keep()))
        except PainterError as error:
            raise refused(error) from None

    def page_check(self, *controls):
        """The Paint click: `/paint`'s inputs checked as `/paint` checks them. Outputs (Paint, Stop, results,
        status, job, timelapse, files): refused, Paint usable, the status saying why, and the job the sentence;
        else Paint locked, Stop shown, the status giving the run's estimated time, and the job the `Request`."""
        try:
            job = self.inputs.controls_request(*controls)
        except PainterError as error:
            return paint_ready(), gr.update(visible=False), gr.skip(), str(error), str(error), gr.skip(), gr.skip()
        return (paint_locked(), gr.update(visible=True), gr.update(visible=False),
                gpu_run.announce(job), job, None, None)  # (the last run's timelapse and files go: this run's follow)

    def page_paint(self, job: Request, visitor: gr.Request = None):
        """The page's run: yields (canvas, status, before/after, finished) until the last stroke is painted, then
        ends, so that Paint comes back at once; `finished` is then (the `Painting`, its run folder), for
        `page_files`. A refusal inside the GPU function is put in the status, then raised."""
        started = runs.start_run(visitor, set(self.keep()))
        if started is None:
            yield gr.skip(), runs.STOPPED_BEFORE, gr.skip(), None
            return
        out_dir, stop_file = started
        try:
            for update in runs.paint_into(job, out_dir, stop_file, files=False):
                if update.painting is None:
                    yield update.shown, update.status, gr.skip(), None
                else:
                    image = update.painting.image
                    yield image, update.status, before_after(job, image), (update.painting, out_dir)
        except gr.Error as error:  # (paint_on_device turns the painter's refusals into gr.Error)
            yield gr.skip(), error.message, gr.skip(), None
            raise
        except Exception:
            yield gr.skip(), "The painting failed; press Paint to try again.", gr.skip(), None
            raise
        finally:
            if os.path.exists(stop_file):
                os.remove(stop_file)
