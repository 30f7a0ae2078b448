"""Neural Painter on a Hugging Face Space: upload a photo, watch it being painted, download it.

The same file runs on ZeroGPU (the painting generator is lent a GPU per run by `@spaces.GPU`),
on a Space with its own GPU, and on the free CPU hardware (2 cores), where the defaults and
limits keep a run under a minute. `python app.py` starts it locally.

Flow of one run: the Paint click's event `validator` reads the photo and the settings without
touching the GPU; then `paint_with_controls` (or `paint`, the MCP tool; plain generators in the
Gradio process) checks the request, creates a fresh run folder and iterates `paint_into`: the
`@spaces.GPU` generator `paint_on_device` drives the module-level `Painter` and yields CPU arrays
and, last, the `Painting`; then `save_downloads` writes the files, after the GPU is handed back.
"""

import painter  # noqa: I001  (first: sets the OpenMP wait and the thread count, read when torch loads)
import spaces  # (before torch: on ZeroGPU it patches CUDA)

import hashlib
import math
import os
import re
import shutil
import tempfile
import time
import types
from pathlib import Path

import numpy as np
import torch
import gradio as gr
from PIL import Image

from painter import Painter, render_with_mypaint
from painter.painting import mypaint_image
from painter.brush import DEFAULT_BRUSH, shipped_brushes
from painter.controls import check_number, parse_background
from painter.errors import PainterError
from painter.hub import load_brushes
from painter.mypaint import Canvas, MyPaintMissing, brush_definition
from painter.stroke import Stroke
from painter.photo import load_photo
from painter.plan import GPU_STEP_COST, estimate_run_seconds, estimate_seconds
from painter.request import MAX_PALETTE, MAX_STYLE_STRENGTH, Request, check_shape, make_request

ROOT = Path(__file__).resolve().parent
EXAMPLES_DIR = ROOT / "examples"

# ---------------------------------------------------------------------------------------------
# Hardware, and the settings it allows.

ZERO_GPU = bool(getattr(getattr(spaces, "config", None), "Config", None)
                and spaces.config.Config.zero_gpu) or os.getenv("SPACES_ZERO_GPU", "").lower() in ("1", "true")
ON_GPU = ZERO_GPU or torch.cuda.is_available()
DEVICE = "cuda" if ON_GPU else "cpu"
VISIBLE_CORES = painter.cpus.visible_cpus()
CPU_CORES = torch.get_num_threads()  # the cores torch paints with: painter.cpus, the container's quota


def describe_hardware() -> str:
    if ZERO_GPU:
        return "ZeroGPU (a GPU lent for each run)"
    if torch.cuda.is_available():
        return f"GPU: {torch.cuda.get_device_name(0)}"
    cores = f"{CPU_CORES} core{'s' if CPU_CORES != 1 else ''}"
    if VISIBLE_CORES > CPU_CORES:
        cores += f" (of {VISIBLE_CORES} visible: the container's CPU quota)"
    return f"CPU: {cores}, no GPU"


HARDWARE = describe_hardware()

if ON_GPU:
    # The painter works at up to the painting's size on a GPU (painter/plan.py: choose_work_size).
    STROKES = dict(minimum=100, maximum=10_000, value=3000, step=100)
    SIZES = [512, 768, 1024, 1536, 2048]
    DEFAULT_SIZE = 1024
    TIME_LIMIT = dict(minimum=5, maximum=120, value=30, step=5)
else:
    # The free Space hardware is 2 CPU cores: a run (painting + exports) stays under a minute.
    STROKES = dict(minimum=50, maximum=1500, value=600, step=50)
    SIZES = [256, 384, 512]
    DEFAULT_SIZE = 384
    TIME_LIMIT = dict(minimum=5, maximum=45, value=40, step=5)
GPU_OVERHEAD_SECONDS = 10        # ZeroGPU: moving the networks to the GPU, and the last frame back
GPU_ESTIMATE_MARGIN = 2          # ask for twice the estimate (painter/plan.py GPU_STEP_COST): it is unmeasured
MAX_SEED = 2**31 - 1
MAX_UPLOAD_MB = 20
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024
FRAME_INTERVAL = 0.2             # at most 5 canvases a second go to the browser
MAX_RADIUS = 64                  # brush radius sliders, canvas px; the full range means "no limit"
MAX_LENGTH = 512                 # stroke length sliders, canvas px; likewise
MASK_EDITOR_SIDE = 1024          # the photo shown under the mask brush is at most this big

# Per-run output folders live here. Gradio copies a run's files into its own cache (which
# `delete_cache` empties) only once the caller has yielded them, which may be after the run's
# generator has ended, and the example cache serves its files again later: so a run never removes
# its own folder; each new run removes those older than RUN_FOLDER_AGE (a run lasts minutes at
# most), except the folders the example cache serves.
RUNS_DIR = Path(tempfile.gettempdir()) / "neural-painter-runs"
RUN_FOLDER_AGE = 3600            # seconds, as `delete_cache` ages Gradio's copies
STOP_DIR = Path(tempfile.gettempdir()) / "neural-painter-stop"

# ---------------------------------------------------------------------------------------------
# The brushes: each shipped brush (checkpoints/brushes/NAME) from the Hub repo the Space card names
# for it, else the bundled copy (painter/hub.py). The default brush and the objective's network
# load once, here, onto the device (on ZeroGPU the move to CUDA is deferred by `spaces` until a GPU
# is lent). Another brush loads the first time a painting asks for it, once, inside the GPU
# function (`Painter.brush_for`, called by the run): on ZeroGPU the main process's CUDA emulation
# intercepts `.to("cuda")` only on the thread that imported `spaces`, and raises on Gradio's handler
# threads, while the process lent a GPU has real CUDA (and keeps what it loaded while ZeroGPU
# reuses it). So the page's checks below never load a brush: they only look its name up.

BRUSH, BRUSH_SOURCES, BRUSH_NOTES = load_brushes(DEVICE)  # the default brush; {name: folder}; {name: note}
BRUSH_NOTE = BRUSH_NOTES[DEFAULT_BRUSH]
print("\n".join(BRUSH_NOTES.values()), flush=True)
PAINTER = Painter(device=DEVICE, brush=BRUSH)
PAINTER.keep_brush(BRUSH_SOURCES[DEFAULT_BRUSH], BRUSH)  # a painting that names it does not load it again
# name -> the MyPaint brush it imitates, the default first (the painting's JSON and re-render name it)
BRUSHES = {**{b.name: b.mypaint for b in shipped_brushes()}, DEFAULT_BRUSH: BRUSH.config.mypaint}
BRUSH_NAMES = ", ".join(BRUSHES)
OBJECTIVE = {"vgg16": "VGG16 features", "vgg19": "VGG19 features", "pixel": "pixels"}.get(
    PAINTER.objective.name, PAINTER.objective.name)
OBJECTIVE_WHY = f" ({PAINTER.objective.why})" if PAINTER.objective.why else ""  # why "auto" chose it
print(f"Neural Painter on {HARDWARE}; objective: {PAINTER.objective.description}", flush=True)


def brush_label(name: str) -> str:
    return name.replace("_", " ").capitalize()


# ---------------------------------------------------------------------------------------------
# Validation: runs before the queue and before any GPU time.

def _upload_path(photo) -> str | None:
    if photo is None:
        return None
    if isinstance(photo, dict):  # gradio_client FileData, when called directly
        photo = photo.get("path")
    return os.fspath(photo)


def check_photo(photo, what="photo") -> Image.Image:
    """The photo (or style painting) as RGB, or a `PainterError` with one sentence."""
    path = _upload_path(photo)
    if path is None:
        raise PainterError(f"Upload a {what} (or pick an example) first.")
    try:
        size = os.path.getsize(path)
    except OSError:
        raise PainterError(f"The uploaded {what} could not be read; upload it again.") from None
    if size > MAX_UPLOAD_BYTES:
        raise PainterError(f"The file is {size / 2**20:.0f} MB; upload a {what} under {MAX_UPLOAD_MB} MB.")
    return load_photo(path, what=what)


def _number(value, name, default=None) -> float:
    """A widget's value as a number: an API call may send text, or nothing for a default."""
    if value in (None, "") and default is not None:
        return float(default)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise PainterError(f"The {name} must be a number.") from None
    return check_number(number, f"The {name}")


def check_settings(strokes, size, seed, time_limit) -> tuple[int, int, int, float]:
    """The settings as numbers inside this hardware's limits, or a `PainterError`."""
    number = _number
    strokes_n = number(strokes, "number of strokes")
    if not (STROKES["minimum"] <= strokes_n <= STROKES["maximum"]) or strokes_n != int(strokes_n):
        raise PainterError(f"The number of strokes must be a whole number from {STROKES['minimum']} "
                           f"to {STROKES['maximum']} on this hardware.")
    size_n = number(size, "size")
    if size_n not in SIZES:
        raise PainterError(f"The size must be one of {', '.join(map(str, SIZES))} pixels on this hardware.")
    seed_n = number(seed, "seed", 0)
    if not (0 <= seed_n <= MAX_SEED) or seed_n != int(seed_n):
        raise PainterError(f"The seed must be a whole number from 0 to {MAX_SEED}.")
    limit_n = number(time_limit, "time limit", TIME_LIMIT["value"])
    if not (TIME_LIMIT["minimum"] <= limit_n <= TIME_LIMIT["maximum"]):
        raise PainterError(f"The time limit must be from {TIME_LIMIT['minimum']} to "
                           f"{TIME_LIMIT['maximum']} seconds on this hardware.")
    return int(strokes_n), int(size_n), int(seed_n), float(limit_n)


def check_brush(name, what="brush") -> str:
    """A shipped brush's name (or the MyPaint brush it imitates, e.g. classic/charcoal) as its shipped
    name, None or "" as the default brush; else a `PainterError` with one sentence."""
    if name in (None, ""):
        return DEFAULT_BRUSH
    given = str(name).strip()
    for shipped, mypaint in BRUSHES.items():
        if given in (shipped, mypaint):
            return shipped
    *others, last = BRUSHES
    names = f"{', '.join(others)} or {last}" if others else last
    raise PainterError(f"There is no {what} named {given[:40]!r}; choose {names}.")


LEVELS = ("coarse", "middle", "fine")  # the per-level brush choices, coarse to fine


def brush_choice(brush=DEFAULT_BRUSH, coarse="", middle="", fine="") -> list[str]:
    """The painting's brushes, as the folders they load from (see `make_request`'s `brush`): the brush
    alone, or, where a level's choice is set, one per level group coarse to fine (the middle one
    paints the levels between; unset: the brush). Raises `PainterError` with one sentence."""
    brush = check_brush(brush)
    levels = [check_brush(choice, f"{level} brush") if choice else brush
              for level, choice in zip(LEVELS, (coarse, middle, fine))]
    return [BRUSH_SOURCES[name] for name in ([brush] if len(set(levels)) == 1 else levels)]


def _range(low, high, name, top, default_low=0.0):
    """(low, high) as numbers, or None where the sliders span the whole range (no limit)."""
    low = _number(low, f"smallest {name}", default_low)
    high = _number(high, f"largest {name}", top)
    if not 0 <= low <= high <= top:
        raise PainterError(f"The {name} range must run from a smaller to a larger value within 0 to {top:g}.")
    return None if (low, high) == (default_low, top) else (low, high)


def detail_mask(editor) -> np.ndarray | None:
    """The strokes painted in the mask editor as an (H, W) uint8 mask, or None if nothing is painted."""
    if not isinstance(editor, dict):
        return None
    mask = None
    for layer in editor.get("layers") or []:
        if layer is None:
            continue
        layer = np.asarray(Image.open(layer) if isinstance(layer, (str, os.PathLike)) else layer)
        if layer.ndim != 3 or layer.shape[2] != 4:
            continue
        painted = layer[..., 3] > 0
        mask = painted if mask is None else (mask | painted)
    if mask is None or not mask.any():
        return None
    return mask.astype(np.uint8) * 255


def guidance_options(style=None, style_strength=1.0, colour_transfer=True, detail=None, min_radius=0, max_radius=MAX_RADIUS,
                     low_pressure=0.0, high_pressure=1.0, background="Photo's average", background_colour=None,
                     palette=0, min_length=0, max_length=MAX_LENGTH) -> dict:
    """The style, guidance and stroke-control inputs as `Painter.paint` keyword arguments.

    Only what departs from the plain painting is passed, so untouched controls paint exactly
    as before. Raises `PainterError` with one sentence.
    """
    options = {}
    strength = _number(style_strength, "style strength", 1.0)
    if not 0 <= strength <= MAX_STYLE_STRENGTH:
        raise PainterError(f"The style strength must be from 0 to {MAX_STYLE_STRENGTH:g}.")
    if _upload_path(style) is not None:
        options.update(style=check_photo(style, what="style painting"), style_strength=strength,
                       colour_transfer=bool(colour_transfer))
    mask = detail_mask(detail)
    if mask is not None:
        options["detail_mask"] = mask
    radius = _range(min_radius, max_radius, "brush radius", MAX_RADIUS)
    if radius is not None:
        options["brush_size"] = radius
    pressure = _range(low_pressure, high_pressure, "pressure", 1.0)
    if pressure is not None:
        options["pressure"] = pressure
    length = _range(min_length, max_length, "stroke length", MAX_LENGTH)
    if length is not None:
        options["stroke_length"] = length
    if background in (None, "", "Photo's average"):
        pass
    elif background == "White":
        options["background"] = "white"
    elif background == "Custom":
        options["background"] = parse_background(background_colour)
    else:
        raise PainterError(f"The background must be the photo's average, white or a custom colour, not {background!r}.")
    limit = _number(palette, "palette limit", 0)
    if not (0 <= limit <= MAX_PALETTE and limit == int(limit)):
        raise PainterError(f"The palette limit must be a whole number from 0 (no limit) to {MAX_PALETTE}.")
    if limit:
        options["palette"] = int(limit)
    return options


# The inputs of the guidance controls, in the order of `guidance_options`' parameters, each with
# the sentence's subject when it alone is wrong.
GUIDANCE = ("style", "style_strength", "colour_transfer", "detail", "min_radius", "max_radius", "low_pressure", "high_pressure",
            "background", "background_colour", "palette", "min_length", "max_length")


BRUSH_INPUTS = ("brush", "coarse_brush", "middle_brush", "fine_brush")  # after the guidance, in `/paint`'s inputs


def _validation(check, *args):
    try:
        check(*args)
        return gr.validate(True, "")
    except PainterError as error:
        return gr.validate(False, str(error))


def validate_inputs(photo, strokes, size, seed, time_limit, *rest):
    """Gradio event validator: one `gr.validate` per input, each with at most one sentence. `rest`:
    the guidance controls (GUIDANCE), then the brush choices (BRUSH_INPUTS)."""
    guidance, brushes = rest[:len(GUIDANCE)], rest[len(GUIDANCE):]
    results = []
    try:
        image = check_photo(photo)
        if size in SIZES:  # (a size of another kind gets its own sentence below)
            check_shape(image, int(size))
        results.append(gr.validate(True, ""))
    except PainterError as error:
        results.append(gr.validate(False, str(error)))
    checks = [("strokes", strokes), ("size", size), ("seed", seed), ("time_limit", time_limit)]
    defaults = dict(strokes=STROKES["value"], size=DEFAULT_SIZE, seed=0, time_limit=TIME_LIMIT["value"])
    for name, value in checks:
        settings = dict(defaults, **{name: value})
        try:
            check_settings(**settings)
            results.append(gr.validate(True, ""))
        except PainterError as error:
            results.append(gr.validate(False, str(error)))
    # A range is judged as a whole: both of its sliders show the sentence.
    given = dict(zip(GUIDANCE, guidance))
    pairs = {"min_radius": "max_radius", "low_pressure": "high_pressure", "min_length": "max_length",
             "background": "background_colour"}
    partner = {**pairs, **{b: a for a, b in pairs.items()}}
    for name in GUIDANCE[:len(guidance)]:
        only = {k: given[k] for k in (name, partner.get(name)) if k in given}
        try:
            guidance_options(**only)
            results.append(gr.validate(True, ""))
        except PainterError as error:
            results.append(gr.validate(False, str(error)))
    for name, value in zip(BRUSH_INPUTS, brushes):
        results.append(_validation(check_brush, value, name.replace("_", " ")))
    return results


def validate_tool_inputs(photo, strokes, size, seed, time_limit, brush):
    """The validator of the tool `paint`: the settings, then its brush."""
    return [*validate_inputs(photo, strokes, size, seed, time_limit), _validation(check_brush, brush)]


# ---------------------------------------------------------------------------------------------
# The painting, on whatever device there is.

def build_request(photo, strokes, size, seed, time_limit, guidance=None, brush=None) -> Request:
    """A run's checked request: the app's own limits (upload size, this hardware's caps), then the
    painter's one check of everything else; the photo and the style are decoded once here. `brush`:
    from `brush_choice` (None: the default brush); it loads on the device, at the run's start."""
    image = check_photo(photo)
    strokes, size, seed, time_limit = check_settings(strokes, size, seed, time_limit)
    return make_request(image, strokes, size, seed, time_limit, device=DEVICE, brush=brush, **(guidance or {}))


def gpu_seconds(request: Request, device="cuda") -> float:
    """The seconds of painting a request needs on a GPU, by the plan it will follow (GPU_STEP_COST)."""
    width, height = request.image.size
    return estimate_seconds(max(width, height), height / width, request.strokes, request.options, device,
                            **GPU_STEP_COST)


def gpu_duration(request: Request, *args, **kwargs) -> int:
    """Seconds of GPU to ask ZeroGPU for: the run's estimate (twice it: unmeasured), capped by its time
    limit, plus the start and the finish (the files are written after the GPU is handed back). ZeroGPU
    refuses a request above the visitor's quota left and queues long ones behind short ones, so a
    default run asks for about 19 s, not its time limit."""
    limit = min(max(request.time_limit or TIME_LIMIT["value"], 5), TIME_LIMIT["maximum"])
    return math.ceil(min(limit, GPU_ESTIMATE_MARGIN * gpu_seconds(request)) + GPU_OVERHEAD_SECONDS)


def optimised(request: Request) -> str:
    """What a run's strokes are optimised against, as the status names it: pixels or features, and the style."""
    return OBJECTIVE + (" + style" if request.guidance.style is not None else "")


def run_estimate(request: Request) -> float:
    """The seconds a run will paint for, by the plan it follows (painter/plan.py `estimate_run_seconds`):
    its style, detail mask and size included, capped by its time limit; on ZeroGPU, the GPU's share."""
    width, height = request.image.size
    detail = None if request.guidance.detail is None else float(request.guidance.detail.mean())
    return estimate_run_seconds((height, width), request.strokes, request.options, DEVICE, request.time_limit,
                                styled=request.guidance.style is not None, detail_share=detail)


def announce(request: Request, hardware=HARDWARE) -> str:
    """The status before a run starts: how long it will take, and what it optimises."""
    width, height = request.image.size
    return (f"Starting: about {run_estimate(request):.0f} s for {request.strokes} strokes at {width}x{height} px · "
            f"optimising {optimised(request)} · {hardware}…")


def _status(frame, request: Request, hardware=HARDWARE, stopped=False) -> str:
    if frame is None:
        return announce(request, hardware)
    state = "Stopped" if stopped else ("Done" if frame.done else "Painting")
    of = "" if frame.done or stopped else f" of about {run_estimate(request):.0f} s"
    return (f"{state}: {frame.strokes_painted} / {frame.total_strokes} strokes, "
            f"{frame.elapsed:.1f} s{of} · optimising {optimised(request)} · {hardware}")


def _counts(frame) -> tuple[int, int]:
    return frame.strokes_painted, frame.total_strokes


def _stop_requested(stop_file) -> bool:
    return bool(stop_file) and os.path.exists(stop_file)


@spaces.GPU(duration=gpu_duration)
def paint_on_device(request: Request, stop_file=None):
    """The painting generator (on ZeroGPU it runs in a process that is lent a GPU).

    `request` from `build_request` (images and arrays: all of it pickles). Yields `(canvas, status,
    painted, painting)`: `canvas` an (H, W, 3) uint8 array, `status` one line, `painted` (strokes
    painted, strokes in all), `painting` None until the last, which carries the whole `Painting`
    (strokes, image, snapshots: it pickles too). The files are written after, off the GPU.
    """
    yield None, _status(None, request), (0, request.strokes), None
    last = None
    sent = 0.0
    stop = lambda: _stop_requested(stop_file)  # noqa: E731
    try:
        for frame in PAINTER.run(request, stop=stop):
            last = frame
            now = time.monotonic()
            if not frame.done and now - sent >= FRAME_INTERVAL:
                sent = now
                yield np.ascontiguousarray(frame.canvas), _status(frame, request), _counts(frame), None
    except PainterError as error:
        # Raised here, in the process ZeroGPU lends the GPU to: only a gr.Error crosses back as itself
        # (anything else reaches the visitor as "ZeroGPU worker error").
        raise gr.Error(str(error), print_exception=False) from None
    # Stopped or not, the last frame carries a whole painting of the strokes so far.
    yield np.ascontiguousarray(last.canvas), _status(last, request, stopped=stop()), _counts(last), last.painting


def write_downloads(painting, out_dir):
    """Writes the painting's files in `out_dir`, yielding `(kind, path)` as each is written, the quick
    ones first: png, json, svg, mp4 and gif timelapse, mypaint (the strokes re-rendered by MyPaint's real
    brushes, each stroke's own, grain and all, at twice the size), ora (MyPaint's layers)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    writers = {"png": ("painting.png", painting.save_png), "json": ("strokes.json", painting.save_json),
               "svg": ("painting.svg", painting.save_svg), "mp4": ("timelapse.mp4", painting.save_timelapse),
               "gif": ("timelapse.gif", painting.save_timelapse),
               "mypaint": ("painting-mypaint-2x.png", lambda path: render_with_mypaint(
                   painting, 2 * max(painting.width, painting.height)).save(path)),
               "ora": ("painting.ora", painting.save_ora)}
    for kind, (name, write) in writers.items():
        write(out_dir / name)
        yield kind, str(out_dir / name)


def save_downloads(painting, out_dir) -> dict[str, str]:
    """The painting's files in `out_dir` (see `write_downloads`), by kind."""
    return dict(write_downloads(painting, out_dir))


def paint_into(request: Request, out_dir, stop_file=None):
    """Paint on the device, then write the files: yields `(canvas, status, painted, files)`, `files`
    None until the last (a dict of paths, see `save_downloads`)."""
    for canvas, status, painted, painting in paint_on_device(request, stop_file):
        if painting is None:
            yield canvas, status, painted, None
            continue
        yield canvas, status + " · saving files…", painted, None
        files = save_downloads(painting, out_dir)
        yield np.ascontiguousarray(np.asarray(painting.image)), status, painted, files  # the PNG's pixels


# ---------------------------------------------------------------------------------------------
# The Gradio side: a generator that streams what the device yields into the components.

def _stop_file(visitor) -> str:
    session = getattr(visitor, "session_hash", None) or "anonymous"
    return str(STOP_DIR / re.sub(r"[^A-Za-z0-9_-]", "_", session)[:64])


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


STOPPED_BEFORE = "Stopped before it started."


def _start_run(visitor) -> tuple[str, str] | None:
    """A fresh run folder and the visitor's stop file, or None where Stop was pressed while the run
    waited in the queue. The folder is left in place (Gradio copies the files only after the caller
    passes them on, and a caller may hold them for later, as the example cache does); old folders
    are swept here."""
    RUNS_DIR.mkdir(parents=True, exist_ok=True)
    STOP_DIR.mkdir(parents=True, exist_ok=True)
    sweep_run_folders(keep=set(EXAMPLE_FOLDERS.values()))
    stop_file = _stop_file(visitor)
    if os.path.exists(stop_file):
        os.remove(stop_file)
        return None
    return tempfile.mkdtemp(prefix="run-", dir=RUNS_DIR), stop_file


def _paint_request(job: Request, visitor=None):
    """Runs a checked request in a fresh folder: yields what `paint_into` yields."""
    started = _start_run(visitor)
    if started is None:
        yield None, STOPPED_BEFORE, (0, job.strokes), None
        return
    out_dir, stop_file = started
    try:
        yield from paint_into(job, out_dir, stop_file)
    except PainterError as error:
        raise gr.Error(str(error), print_exception=False) from None
    finally:
        if os.path.exists(stop_file):
            os.remove(stop_file)


def _checked(photo, strokes, size, seed, time_limit, guidance=None, brushes=(DEFAULT_BRUSH,)) -> Request:
    try:
        # Every check (e.g. a brush size no cell can paint at this size) before any GPU time.
        return build_request(photo, strokes, size, seed, time_limit, guidance, brush_choice(*brushes))
    except PainterError as error:
        raise gr.Error(str(error), print_exception=False) from None


DOWNLOADS = ("png", "mypaint", "mp4", "gif", "json", "svg", "ora")


def paint_with_controls(photo, strokes, size, seed, time_limit, style=None, style_strength=1.0,
                        colour_transfer=True, detail=None, min_radius=0, max_radius=MAX_RADIUS, low_pressure=0.0,
                        high_pressure=1.0, background="Photo's average", background_colour="#ffffff", palette=0,
                        min_length=0, max_length=MAX_LENGTH, brush: str = DEFAULT_BRUSH, coarse_brush: str = "",
                        middle_brush: str = "", fine_brush: str = "", visitor: gr.Request = None):
    """Paint a photo with real brushstrokes, with every control of the page: the brush, a style image, a detail mask, stroke limits.

    `/paint`, the page's Paint button. Streams the canvas as it is painted, then the painting, a
    before/after pair, the timelapse and the files (PNG, MyPaint re-render, MP4, GIF, JSON, SVG, ORA).
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
        brush: The brush, one of BRUSH_NAMES (a neural copy of the MyPaint brush of that name); default dry_brush.
        coarse_brush: Optional brush of the coarse levels (the first, broad strokes), one of BRUSH_NAMES; "": the brush.
        middle_brush: Optional brush of the levels between, one of BRUSH_NAMES; "": the brush.
        fine_brush: Optional brush of the fine levels (the last, small strokes), one of BRUSH_NAMES; "": the brush.
    """
    try:
        job = controls_request(photo, strokes, size, seed, time_limit, style, style_strength, colour_transfer, detail,
                               min_radius, max_radius, low_pressure, high_pressure, background, background_colour,
                               palette, min_length, max_length, brush, coarse_brush, middle_brush, fine_brush)
    except PainterError as error:
        raise gr.Error(str(error), print_exception=False) from None
    for canvas, status, _, files in _paint_request(job, visitor):
        if files is None:
            yield canvas, status, None, None, None
            continue
        painting = Image.fromarray(canvas)
        yield painting, status, _before_after(job, painting), files["mp4"], [files[k] for k in DOWNLOADS]


def _before_after(job: Request, painting: Image.Image) -> tuple:
    before = job.image if job.image.size == painting.size else job.image.resize(painting.size, Image.LANCZOS)
    return before, painting


def controls_request(photo, strokes, size, seed, time_limit, style=None, style_strength=1.0, colour_transfer=True,
                     detail=None, min_radius=0, max_radius=MAX_RADIUS, low_pressure=0.0, high_pressure=1.0,
                     background="Photo's average", background_colour="#ffffff", palette=0, min_length=0,
                     max_length=MAX_LENGTH, brush=DEFAULT_BRUSH, coarse_brush="", middle_brush="",
                     fine_brush="") -> Request:
    """The checked request of the page's controls (`/paint`'s inputs), or `PainterError` with one sentence:
    every check, a brush size no cell can paint at this size or a photo too thin to paint included,
    before any GPU time."""
    guidance = guidance_options(style, style_strength, colour_transfer, detail, min_radius, max_radius, low_pressure,
                                high_pressure, background, background_colour, palette, min_length, max_length)
    return build_request(photo, strokes, size, seed, time_limit, guidance,
                         brush_choice(brush, coarse_brush, middle_brush, fine_brush))


def paint(photo, strokes: int = STROKES["value"], size: int = DEFAULT_SIZE, seed: int = 0,
          time_limit: float = TIME_LIMIT["value"], brush: str = DEFAULT_BRUSH, progress=gr.Progress()):
    """Paint a photo with real brushstrokes: a neural copy of a MyPaint brush, placed stroke by stroke.

    Progress is reported as strokes are painted. The result is the painting (PNG) and links to:
    the same strokes re-rendered by MyPaint itself at twice the size (PNG), the strokes (JSON: each
    stroke's curve, radius, pressure and colour), an SVG, a timelapse (MP4) and layers for MyPaint,
    Krita or GIMP (OpenRaster .ora, one layer per level, coarse to fine).

    Args:
        photo: The photo to paint, as an http(s) URL or a data: URL (base64 image).
        strokes: How many brushstrokes; more means finer detail and a longer run.
        size: The painting's long side in pixels.
        seed: Random seed; the same seed and settings paint the same picture.
        time_limit: Seconds after which the painting ends with the strokes painted so far.
        brush: The brush, one of BRUSH_NAMES (a neural copy of the MyPaint brush of that name); default dry_brush.
    """
    job = _checked(photo, strokes, size, seed, time_limit, brushes=(brush,))
    for canvas, status, (painted, total), files in _paint_request(job):
        progress((painted, total), desc=status, unit="strokes")
        if files is None:
            yield canvas, None, None, None, None, None, status
        else:
            yield (Image.fromarray(canvas), files["mypaint"], files["json"], files["svg"], files["mp4"], files["ora"],
                   status)


for _tool in (paint, paint_with_controls):  # (MCP clients read the names from the docstrings)
    _tool.__doc__ = _tool.__doc__.replace("BRUSH_NAMES", BRUSH_NAMES)


# ---------------------------------------------------------------------------------------------
# The examples. Gradio's lazy example cache (`cache_examples="lazy"`) runs a generator to its end
# before it shows anything (gradio/caching.py `resolve_generator`; helpers.py `load_from_cache` is
# a plain function), so a first visitor would wait ~40 s at a spinner on the CPU. Instead the
# examples run on click (`run_on_click`: the canvas streams from the first click) and the finished
# default-settings result is kept in a `gr.Cache`, so a later click shows it at once. Not the
# `@gr.cache` decorator: it stores and replays every yielded canvas (~150 frames a run), and would
# cache a stopped run too.

EXAMPLES = [str(EXAMPLES_DIR / name) for name in ("astronaut.jpg", "chelsea.jpg", "coffee.jpg")]
# What an example paints with: the page's defaults (tests/test_app_browser.py sets fewer strokes).
EXAMPLE_SETTINGS = dict(strokes=STROKES["value"], size=DEFAULT_SIZE, seed=0, time_limit=TIME_LIMIT["value"])


def example_seconds() -> float:
    """The estimated time of an example's first click, a live run of EXAMPLE_SETTINGS (its label says it)."""
    settings = EXAMPLE_SETTINGS
    return max(run_estimate(build_request(path, settings["strokes"], settings["size"], settings["seed"],
                                          settings["time_limit"])) for path in EXAMPLES)
EXAMPLE_PHOTOS = {Path(path).read_bytes(): Path(path).name for path in EXAMPLES}
EXAMPLE_CACHE = gr.Cache(max_size=0)  # at most one entry per example and settings (see paint_example)
EXAMPLE_FOLDERS: dict[str, str] = {}  # example -> the run folder its cached files are in (not swept)
if DEVICE == "cpu":
    # The painter times its brush once, at its first run with a time limit: 1 to 3 s on 2 cores,
    # which would delay a first visitor's first frame past 3 s. Timed here, at start-up, instead.
    # (Not on ZeroGPU: CUDA exists only inside a GPU call there.)
    PAINTER.stroke_seconds  # noqa: B018


def paint_example(photo, visitor: gr.Request = None):
    """An example painted with EXAMPLE_SETTINGS: streamed live the first time, from the cache after.

    Only the finished painting of one of EXAMPLES is cached (never a stopped run, nor another
    photo sent to this endpoint by API), with its run folder, which is then kept for the cache."""
    path = _upload_path(photo)
    try:
        example = EXAMPLE_PHOTOS.get(Path(path).read_bytes()) if path else None
    except OSError:
        example = None
    key = (example, tuple(sorted(EXAMPLE_SETTINGS.items())))
    hit = EXAMPLE_CACHE.get(key) if example else None
    if hit is not None and all(os.path.exists(f) for f in hit["outputs"][4]):
        yield hit["outputs"]
        return
    last = None
    for last in paint_with_controls(photo, **EXAMPLE_SETTINGS, visitor=visitor):
        yield last
    if example and last is not None and last[4] and last[1].startswith("Done"):
        painting, status, comparison, timelapse, downloads = last
        EXAMPLE_FOLDERS[example] = str(Path(timelapse).parent)
        status = status.replace("Done", "Done (painted earlier, shown from the cache)", 1)
        EXAMPLE_CACHE.set(key, outputs=(painting, status, comparison, timelapse, downloads))


# ---------------------------------------------------------------------------------------------
# The page's Paint button: a chain of its own, private (API and MCP clients call `/paint`, which paints
# and writes the files in one event). Gradio runs no `.then` after a refused validator or a raised
# error, so the button is locked only once the request has passed every check (`page_check`, at once,
# in the click itself); a refusal there leaves the page as it was, the sentence in the status and in
# Gradio's error. The painting's event ends at its last stroke, which gives the button back; the files
# follow in an event of their own, each shown as it is written.

def page_check(*controls):
    """The Paint click: `/paint`'s inputs checked as `/paint` checks them. Outputs (Paint, Stop, results,
    status, job, timelapse, files): refused, Paint usable, the status saying why, and the job the sentence; else Paint locked,
    Stop shown, the status giving the run's estimated time, and the job the checked `Request`."""
    try:
        job = controls_request(*controls)
    except PainterError as error:
        return paint_ready(), gr.update(visible=False), gr.skip(), str(error), str(error), gr.skip(), gr.skip()
    return (gr.update(interactive=False, value="Painting…"), gr.update(visible=True), gr.update(visible=False),
            announce(job), job, None, None)  # (the last run's timelapse and files go: this run's follow)


def paint_ready():
    return gr.update(interactive=True, value="Paint")  # (a fresh update each time: Gradio consumes them)


def page_refuse(job):
    """Ends the chain of a refused Paint click with Gradio's error, its sentence (queued: Gradio shows
    no error of an event outside the queue)."""
    if isinstance(job, str):
        raise gr.Error(job, print_exception=False)


def page_paint(job: Request, visitor: gr.Request = None):
    """The page's run: yields (canvas, status, before/after, finished) until the last stroke is painted,
    then ends, so that Paint comes back at once; `finished` is then (the `Painting`, its run folder),
    for `page_files`. A refusal inside the GPU function is put in the status, then raised."""
    started = _start_run(visitor)
    if started is None:
        yield gr.skip(), STOPPED_BEFORE, gr.skip(), None
        return
    out_dir, stop_file = started
    try:
        for canvas, status, _, painting in paint_on_device(job, stop_file):
            if painting is None:
                yield canvas, status, gr.skip(), None
            else:
                yield painting.image, status, _before_after(job, painting.image), (painting, out_dir)
    except gr.Error as error:
        yield gr.skip(), error.message, gr.skip(), None
        raise
    except PainterError as error:
        yield gr.skip(), str(error), gr.skip(), None
        raise gr.Error(str(error), print_exception=False) from None
    except Exception:
        yield gr.skip(), "The painting failed; press Paint to try again.", gr.skip(), None
        raise
    finally:
        if os.path.exists(stop_file):
            os.remove(stop_file)


def page_ready():
    """Paint usable again, Stop hidden, the results shown (the painting's before/after at once)."""
    return paint_ready(), gr.update(visible=False), gr.update(visible=True)


def page_files(finished):
    """The finished painting's files, each shown as soon as it is written: yields (timelapse, files)."""
    if not finished:
        return
    painting, out_dir = finished
    written = {}
    for kind, path in write_downloads(painting, out_dir):
        written[kind] = path
        timelapse = path if kind == "mp4" else (None if len(written) == 1 else gr.skip())
        yield timelapse, [written[k] for k in DOWNLOADS if k in written]


def request_stop(visitor: gr.Request):
    STOP_DIR.mkdir(parents=True, exist_ok=True)
    Path(_stop_file(visitor)).touch()


def _photo_as_uploaded(component, payload):
    """The uploaded file untouched, so that our checks (not PIL inside Gradio) judge it and a
    corrupt upload gets one clear sentence."""
    if payload is None or payload.path is None:
        return type(component).preprocess(component, payload)
    return str(payload.path)


def judged_by_validator(component, preprocess=lambda component, payload: payload):
    """Let the event validator, not the component, judge the value, so that an API call with a
    bad photo or an out-of-range setting gets our one sentence rather than a bare HTTP 400.
    (An instance attribute rather than a subclass: Gradio writes a .pyi for every subclass.)"""
    component.preprocess = types.MethodType(preprocess, component)
    return component


# ---------------------------------------------------------------------------------------------
# The page.

STYLE_EXAMPLES = sorted(str(p) for p in (EXAMPLES_DIR / "styles").glob("*") if p.suffix.lower() in (".jpg", ".png"))


def mask_canvas(photo):
    """The mask editor's value for a new photo: the photo (at most MASK_EDITOR_SIDE px) and no strokes."""
    try:
        image = check_photo(photo)
    except PainterError:
        return None
    image.thumbnail((MASK_EDITOR_SIDE, MASK_EDITOR_SIDE), Image.LANCZOS)
    return {"background": np.asarray(image), "layers": [], "composite": None}

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


SWATCHES = [(name, path) for name in BRUSHES if (path := brush_swatch(BRUSHES[name]))]  # gallery order


def brush_of_swatch(event: gr.SelectData):
    return SWATCHES[event.index][0] if isinstance(event.index, int) else gr.update()


def swatch_of_brush(name):
    index = next((i for i, (swatch, _) in enumerate(SWATCHES) if swatch == name), None)
    return gr.update(selected_index=index)


INTRO = """
# 🖌️ Neural Painter
A photo becomes a painting made of real brushstrokes, and you watch it being painted. Small
networks learned to imitate brushes of [MyPaint](https://mypaint.app); the painter then places
a few hundred to a few thousand strokes of the brush you pick so that the canvas matches your photo.
Every stroke can be downloaded (JSON, SVG) and re-rendered by MyPaint at any size.
"""

CSS = """
#status textarea { font-variant-numeric: tabular-nums; }
#brush_swatches .grid-wrap { min-height: 0; height: auto; }
#brush_swatches .thumbnail-item { aspect-ratio: 256 / 112; }
"""

with gr.Blocks(title="Neural Painter", delete_cache=(900, 3600)) as demo:
    # Outputs first (rendered further down), so that the examples can name them.
    canvas = gr.Image(label="Canvas", type="numpy", format="png", interactive=False, height=520,
                      elem_id="canvas", buttons=["download", "fullscreen"], render=False)
    status = gr.Textbox(label="Status", value=f"Ready on {HARDWARE}.", interactive=False, max_lines=1,
                        elem_id="status", render=False)
    comparison = gr.ImageSlider(label="Before / after", type="pil", elem_id="comparison", render=False)
    timelapse = gr.Video(label="Timelapse", autoplay=True, loop=True, interactive=False,
                         elem_id="timelapse", render=False)
    files = gr.File(label="Downloads: the painting (PNG, the neural brush); the same strokes re-rendered by "
                          "MyPaint's real brush, with its grain, at twice the size (PNG); timelapse (MP4, GIF); "
                          "strokes (JSON); SVG; layers for MyPaint, Krita or GIMP (ORA)",
                    file_count="multiple", interactive=False, elem_id="files", render=False)

    gr.Markdown(INTRO)
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=320):
            photo = gr.Image(label="Photo", type="filepath", sources=["upload", "clipboard", "webcam"],
                               height=320, elem_id="photo")
            gr.Examples(EXAMPLES, inputs=[photo], outputs=[canvas, status, comparison, timelapse, files],
                        fn=paint_example, cache_examples=False, run_on_click=True,
                        label=f"Or pick an example: the first click paints it live with the defaults (about "
                              f"{example_seconds():.0f} s here), a later click shows it at once",
                        example_labels=["Astronaut", "Cat", "Coffee"])
            strokes = gr.Slider(label="Strokes", info="More strokes: finer detail, longer run.",
                                elem_id="strokes", **STROKES)
            size = gr.Radio(SIZES, value=DEFAULT_SIZE, label="Size (long side, pixels)", elem_id="size")
            with gr.Group():
                swatches = gr.Gallery([(path, brush_label(name)) for name, path in SWATCHES], columns=2,
                                      label="Brushes", show_label=False, height="auto", allow_preview=False,
                                      interactive=False, selected_index=0, object_fit="cover", buttons=[],
                                      visible=bool(SWATCHES), elem_id="brush_swatches")
                brush = gr.Radio([(brush_label(name), name) for name in BRUSHES], value=DEFAULT_BRUSH, label="Brush",
                                 info="Above, strokes painted by MyPaint itself with each (click one to pick it); a "
                                      "neural copy of the brush paints every stroke (a brush per level: Advanced).",
                                 elem_id="brush")
            with gr.Row():
                paint_btn = gr.Button("Paint", variant="primary", elem_id="paint")
                stop_btn = gr.Button("Stop", variant="stop", visible=False, elem_id="stop")
            with gr.Accordion("Style and detail", open=False):
                style = gr.Image(label="Style painting (optional): the strokes take its palette and manner",
                                 type="filepath", sources=["upload", "clipboard"], height=200, elem_id="style")
                if STYLE_EXAMPLES:
                    gr.Examples(STYLE_EXAMPLES, inputs=[style], label="Or pick a style",
                                example_labels=[Path(p).stem.replace("_", " ").capitalize() for p in STYLE_EXAMPLES])
                style_strength = gr.Slider(0, MAX_STYLE_STRENGTH, value=1.0, step=0.25, label="Style strength",
                                           info="0 paints likeness only.", elem_id="style_strength")
                colour_transfer = gr.Checkbox(True, label="Take the style's colours",
                                              info="Moves the photo's colours onto the style's before painting.",
                                              elem_id="colour_transfer")
                detail = gr.ImageEditor(label="Detail mask: brush where detail matters (faces, eyes, hands)",
                                        type="numpy", image_mode="RGBA", sources=[], transforms=[], layers=False,
                                        brush=gr.Brush(colors=["#ff3b6b"], color_mode="fixed", default_size=24),
                                        eraser=gr.Eraser(default_size=24), height=320, elem_id="detail")
            with gr.Accordion("Stroke controls", open=False):
                with gr.Row():
                    min_radius = gr.Slider(0, MAX_RADIUS, value=0, step=0.5, label="Min radius (px)",
                                           elem_id="min_radius")
                    max_radius = gr.Slider(0, MAX_RADIUS, value=MAX_RADIUS, step=0.5,
                                           label="Max radius (px)", elem_id="max_radius")
                with gr.Row():
                    min_length = gr.Slider(0, MAX_LENGTH, value=0, step=1, label="Min length (px)",
                                           elem_id="min_length")
                    max_length = gr.Slider(0, MAX_LENGTH, value=MAX_LENGTH, step=1, label="Max length (px)",
                                           elem_id="max_length")
                with gr.Row():
                    low_pressure = gr.Slider(0, 1, value=0, step=0.05, label="Min pressure",
                                             elem_id="low_pressure")
                    high_pressure = gr.Slider(0, 1, value=1, step=0.05, label="Max pressure",
                                              elem_id="high_pressure")
                palette = gr.Slider(0, MAX_PALETTE, value=0, step=1, label="Palette: at most this many colours",
                                    info="0: no limit.", elem_id="palette")
                with gr.Row(equal_height=True):
                    background = gr.Radio(["Photo's average", "White", "Custom"], value="Photo's average",
                                          label="Background", scale=3, elem_id="background")
                    background_colour = gr.ColorPicker("#f4efe6", label="Custom colour", scale=1,
                                                       elem_id="background_colour")
            with gr.Accordion("Advanced", open=False):
                with gr.Row(equal_height=True):
                    seed = gr.Number(value=0, label="Seed", precision=0, minimum=0, maximum=MAX_SEED,
                                     scale=4, elem_id="seed")
                    dice = gr.Button("🎲 Randomise", scale=1, min_width=60, elem_id="randomise")
                time_limit = gr.Slider(label="Time limit (seconds)", elem_id="time_limit",
                                       info="The run ends here with the strokes painted so far.", **TIME_LIMIT)
                level_choices = [("As above", ""), *[(brush_label(name), name) for name in BRUSHES]]
                gr.Markdown("**Brush per level**, coarse to fine: the first, broad strokes to the last, small ones "
                            "(as above: the brush picked above).", elem_id="level_brushes")
                with gr.Group():  # coarse to fine, as `brush_choice` takes them
                    level_brushes = [gr.Dropdown(level_choices, value="", label=f"{level.capitalize()} levels",
                                                 elem_id=f"{level}_brush") for level in LEVELS]
            gr.Markdown(f"Running on **{HARDWARE}**, painting against **{OBJECTIVE}**{OBJECTIVE_WHY}."
                        + ("" if ON_GPU else f" Runs are capped at {TIME_LIMIT['maximum']} s here; "
                           "duplicate the Space onto a GPU for bigger paintings."), elem_id="hardware")
        with gr.Column(scale=2, min_width=360):
            canvas.render()
            status.render()
            with gr.Column(visible=False) as results:
                with gr.Row(equal_height=False):
                    comparison.render()
                    timelapse.render()
                files.render()

    outputs = [canvas, status, comparison, timelapse, files]
    guidance = [style, style_strength, colour_transfer, detail, min_radius, max_radius, low_pressure, high_pressure, background,
                background_colour, palette, min_length, max_length]
    inputs = [photo, strokes, size, seed, time_limit, *guidance, brush, *level_brushes]  # (BRUSH_INPUTS last)
    judged_by_validator(photo, _photo_as_uploaded)
    judged_by_validator(style, _photo_as_uploaded)
    for setting in (strokes, size, seed, time_limit, style_strength, min_radius, max_radius, low_pressure,
                    high_pressure, background, background_colour, palette, min_length, max_length, brush,
                    *level_brushes):
        judged_by_validator(setting)
    # The mask is painted over the photo: a new photo clears the mask and shows under the brush.
    photo.change(mask_canvas, photo, detail, queue=False, api_visibility="private")

    dice.click(None, None, seed, js=f"() => Math.floor(Math.random() * {MAX_SEED})")
    # A click on a swatch picks its brush; the swatch of the picked brush stays marked.
    swatches.select(brush_of_swatch, None, brush, queue=False, api_visibility="private")
    brush.change(swatch_of_brush, brush, swatches, queue=False, api_visibility="private")
    # The Paint button (see `page_check`): checked at once; refused, the chain ends there with the page
    # as it was; else painted, Paint back at the last stroke, then the files one by one.
    job, finished = gr.State(None), gr.State(None)
    checked = paint_btn.click(page_check, inputs, [paint_btn, stop_btn, results, status, job, timelapse, files],
                              queue=False,
                              api_visibility="private")
    painted = checked.then(page_refuse, job, None, concurrency_limit=None, api_visibility="private").success(
        page_paint, job, [canvas, status, comparison, finished], concurrency_id="painter", show_progress="minimal",
        api_visibility="private")
    painted.then(page_ready, None, [paint_btn, stop_btn, results], queue=False, api_visibility="private")
    painted.failure(lambda: (paint_ready(), gr.update(visible=False)), None, [paint_btn, stop_btn], queue=False,
                    api_visibility="private")
    painted.then(page_files, finished, [timelapse, files], concurrency_id="files", trigger_mode="multiple",
                 show_progress="hidden", api_visibility="private")
    # `/paint` takes every control (for gradio_client, and the MCP tool `paint_with_controls`); the
    # hidden `/paint_photo` below is the simple MCP tool `paint` (an MCP tool is named by its function).
    gr.Button(visible=False).click(paint_with_controls, inputs, outputs, validator=validate_inputs, api_name="paint",
                                   concurrency_id="painter", show_progress="minimal")
    # The results show whenever there are files: after a run, or when a cached example loads.
    files.change(lambda done: gr.update(visible=bool(done)), files, results, queue=False,
                 api_visibility="private")
    stop_btn.click(request_stop, None, None, queue=False, api_visibility="private")

    # The MCP tool (and a simple API endpoint): a photo in; the painting and its files out.
    tool_outputs = [gr.Image(type="pil", format="png", label="Painting", visible=False),
                    *[gr.File(label=label, visible=False) for label in
                      ("MyPaint re-render, twice the size (PNG)", "Strokes (JSON)", "SVG", "Timelapse (MP4)",
                       "Layers (OpenRaster)")],
                    gr.Textbox(label="Status", visible=False)]
    # (A number, not the Radio: Gradio describes a Radio of numbers to MCP clients as a string.)
    tool_size = gr.Number(DEFAULT_SIZE, precision=0, visible=False)
    judged_by_validator(tool_size)
    # (Text, not the page's Radio, whose names MCP clients would get as an enum that their server enforces
    # with its own message before ours.)
    tool_brush = gr.Textbox(DEFAULT_BRUSH, visible=False)
    gr.Button(visible=False).click(paint, [photo, strokes, tool_size, seed, time_limit, tool_brush], tool_outputs,
                                   validator=validate_tool_inputs, api_name="paint_photo", concurrency_id="painter")

demo.queue(default_concurrency_limit=1, max_size=20)

LAUNCH_OPTIONS = dict(max_file_size=f"{MAX_UPLOAD_MB}mb", css=CSS, mcp_server=True)

if __name__ == "__main__":
    demo.launch(**LAUNCH_OPTIONS)
