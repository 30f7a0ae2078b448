"""The run on the device: one painting streamed as named `Update`s, in the process ZeroGPU lends a GPU to.

`use(painter, hardware)` at start-up hands this module the Space's `Painter` (loaded once, in the
main process; ZeroGPU's worker inherits it) and its `Hardware`. `paint_on_device` is the
`@spaces.GPU` generator; its updates and the request pickle, so they cross to the worker and back.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import spaces

from painter.errors import PainterError
from painter.painting import Painting
from painter.request import Request

from .estimate import gpu_duration, run_seconds
from .hardware import Hardware

OBJECTIVE_NAMES = {"vgg16": "VGG16 features", "vgg19": "VGG19 features", "pixel": "pixels"}
_space: dict = {}  # "painter", "hardware": set once by `use`


@dataclass
class Update:
    """What a run shows the page: `status` always; `canvas`, an (H, W, 3) uint8 array, where there is a new
    one; the whole `painting` once painted; its `files` (kind -> path) once written."""

    status: str
    painted: int                       # strokes painted
    total: int                         # strokes asked for
    canvas: np.ndarray | None = None
    painting: Painting | None = None
    files: dict[str, str] | None = None
    finished: bool = False             # painted to its last stroke, not stopped
    shown: str | None = None           # the canvas as a file for the page (runs.show): a JPEG while painting


def use(painter, hardware: Hardware) -> None:
    _space.update(painter=painter, hardware=hardware)


def objective_name() -> str:
    name = _space["painter"].objective.name
    return OBJECTIVE_NAMES.get(name, name)


def optimised(request: Request) -> str:
    """What a run's strokes are optimised against, as the status names it: pixels or features, and the style."""
    return objective_name() + (" + style" if request.guidance.style is not None else "")


def estimate(request: Request) -> float:
    return run_seconds(request, _space["hardware"].device, _space["painter"].brush)


def announce(request: Request, seconds: float | None = None) -> str:
    """The status before a run starts: how long it will take (`seconds`, else `estimate`), and what it optimises."""
    width, height = request.image.size
    seconds = estimate(request) if seconds is None else seconds
    return (f"Starting: about {seconds:.0f} s for {request.strokes} strokes at {width}x{height} px · "
            f"optimising {optimised(request)} · {_space['hardware'].description}…")


def status(frame, request: Request, seconds: float, stopped=False) -> str:
    """The status of a run under way (`seconds`: its estimate), done, or stopped."""
    state = "Stopped" if stopped else ("Done" if frame.done else "Painting")
    of = "" if frame.done or stopped else f" of about {seconds:.0f} s"
    return (f"{state}: {frame.strokes_painted} / {frame.total_strokes} strokes, {frame.elapsed:.1f} s{of} · "
            f"optimising {optimised(request)} · {_space['hardware'].description}")


def duration(request: Request, *args, **kwargs) -> int:
    """Seconds of GPU to ask ZeroGPU for (`estimate.gpu_duration`), within this hardware's time limits."""
    limits = _space["hardware"].time_limit
    return gpu_duration(request, limits["maximum"], limits["value"], _space["painter"].brush)


@spaces.GPU(duration=duration)
def paint_on_device(request: Request, stop_file: str | None = None):
    """The painting generator: `request` from `PageInputs.request`; the run stops once `stop_file` exists
    (a path: it pickles, and Stop makes it from the main process). Yields `Update`s: the announcement, then the
    canvas as it is painted, last the whole `Painting` (strokes, image, snapshots: it pickles too). The files
    are written after, off the GPU."""
    seconds = estimate(request)  # (once: the plan it prices does not change while it paints)
    yield Update(announce(request, seconds), 0, request.strokes)
    last = None
    stop = lambda: bool(stop_file) and os.path.exists(stop_file)  # noqa: E731
    try:
        for frame in _space["painter"].run(request, stop=stop):
            last = frame
            if not frame.done:
                yield Update(status(frame, request, seconds), frame.strokes_painted, frame.total_strokes,
                             np.ascontiguousarray(frame.canvas))
    except PainterError as error:
        # Raised here, in the process ZeroGPU lends the GPU to: only a gr.Error crosses back as itself
        # (anything else reaches the visitor as "ZeroGPU worker error").
        import gradio as gr

        raise gr.Error(str(error), print_exception=False) from None
    stopped = stop()  # stopped or not, the last update carries a whole painting of the strokes so far
    yield Update(status(last, request, seconds, stopped=stopped), last.strokes_painted, last.total_strokes,
                 np.ascontiguousarray(last.canvas), last.painting, finished=not stopped)
