"""A painting request: the painter's limits and options, and the one check of everything a user hands over.

`make_request(photo, strokes, size, seed, time_limit, **guidance, **options)` loads the photo
(and the style image and masks) once, checks every setting, and returns a `Request` that the
painter runs; anything wrong raises `PainterError` with one sentence before any work starts.
The CLI and the app call it before loading any network, and import its limits.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np
from PIL import Image

from .choices import CANVASES
from .controls import MAX_PALETTE, Controls, cell_range, check_number, parse_controls
from .errors import PainterError
from .masks import load_labels, load_mask
from .photo import MIN_SIDE, fit_long_side, load_photo
from .plan import choose_work_size

MIN_STROKES, MAX_STROKES = 1, 20_000
MIN_SIZE, MAX_SIZE = 32, 2048
# The painting's short side at least as many px as a photo's own (photo.MIN_SIDE, 8: the finest cell
# the plan makes is 6 px, painter/plan.py). Below it a photo becomes a strip a few strokes high (a
# 20000x200 px photo at 384 px: 384x4), a silently wrong picture, while a panorama of up to size/8
# to 1 (48:1 at 384 px) is still painted, and every shape painted before at a size that gives it
# 8 px is painted as before.
MIN_SHORT_SIDE = MIN_SIDE
MAX_SEED = 2 ** 32 - 1
MAX_TIME_LIMIT = 24 * 3600.0
MAX_STYLE_STRENGTH = 10.0
MAX_BRUSHES = 8   # brushes named for one painting, coarse level to fine
STYLE_SIDE = 512  # a style image is kept at most this large: its Gram matrices are taken far smaller

__all__ = ["MIN_STROKES", "MAX_STROKES", "MIN_SIZE", "MAX_SIZE", "MIN_SHORT_SIDE", "check_shape", "MAX_SEED", "MAX_TIME_LIMIT",
           "MAX_STYLE_STRENGTH", "MAX_PALETTE", "MAX_BRUSHES", "CANVASES", "parse_brushes", "Options", "Guidance", "Request", "make_request",
           "check_settings"]


@dataclass
class Options:
    """Knobs of the optimiser; defaults are the measured choice."""

    iterations: int = 16            # Adam steps per round (scaled down under a time limit)
    lr: float = 0.15                # Adam on the sigmoid parameters (benchmarks/objective_variants.py:
                                    # 0.15 and 0.2 paint 3 to 9 % closer to the photo than 0.1; 0.3 lost)
    lr_end: float = 1.0             # the rate at a round's last step, a share of lr (falling linearly)
    round_fraction: float | None = None  # share of a level's cells that get a stroke in one round
                                    # (None: the device's, plan.device_options: CPU 0.75, GPU 1.0)
    level_power: float = 0.5        # stroke budget per level ~ cells ** level_power
    density: float = 0.6            # finest cell ~ sqrt(area / (density * strokes))
    init_size: float = 0.75         # brush size of a new stroke (radius e^(2 size) brush px)
    init_pressure: float = 0.85
    init_length: float = 0.4        # stroke length, share of its patch
    frame_interval: float = 0.25    # seconds between frames
    previews: bool = True           # frames within a round show its strokes as they are being optimised
                                    # (the app's live canvas); False: the canvas as last committed, which
                                    # costs nothing (the CLI, whose progress bar shows no canvas)
    min_coverage: float = 0.5       # a stroke must cover this many px (at level resolution)
    snapshot_side: int = 512        # long side of the timelapse snapshots
    work_size: int | None = None    # long side at which strokes are optimised, then painted at full
                                    # size (None: chosen for the device, plan.choose_work_size)
    style_weight: float = 0.75      # the style loss's weight at style_strength 1 (measured: benchmarks/style.py)
    style_side: int = 128           # long side at which the canvas is compared with the style
    detail_density: float = 4.0     # strokes per area inside a detail mask / outside it
    mypaint_steps: int = 0          # the last Adam steps of a round whose loss sees MyPaint's own stroke
                                    # in place of the neural brush's (the gradient still comes through
                                    # the neural brush); 0: none (measured: benchmarks/mypaint_steps.py)
    canvas: str = "mypaint"         # what paints a committed round: "mypaint", MyPaint's brush itself, so
                                    # that the next rounds optimise against what it really painted and the
                                    # painting is MyPaint's render of its strokes, grain and all (painter/
                                    # canvas.py); "neural", the neural brush, its average stroke, smooth
                                    # (closer to the photo by the judge, but not the brush MyPaint paints:
                                    # docs/BRUSHES.md, "The painting shown and MyPaint's")


@dataclass
class Guidance:
    """Style, detail mask and stroke controls, checked and loaded; the defaults change nothing."""

    controls: Controls = field(default_factory=Controls)
    style: Image.Image | None = None     # RGB, at most STYLE_SIDE px
    strength: float = 0.0
    colour_transfer: bool = False
    detail: np.ndarray | None = None     # (H, W) in [0, 1] at the painting's size
    regions: tuple | None = None         # ((R, H, W) photo regions, (R, h, w) style regions)


@dataclass
class Request:
    """Everything one painting needs, checked: the photo at its painting size and the settings."""

    image: Image.Image          # RGB, `size` px on its long side
    strokes: int
    seed: int
    time_limit: float | None
    guidance: Guidance
    options: Options
    brushes: tuple = ()         # the brush of each level, coarse to fine, spread over the plan (empty: the painter's)


def parse_brushes(brush) -> tuple:
    """`brush` as a tuple of brushes, coarse to fine: a name, folder or Hub repo id, a comma-separated
    list of them ("ink_blot,dry_brush,charcoal"), a loaded `Brush`, or a list; None or "": ()."""
    if brush is None or (isinstance(brush, str) and not brush.strip()):
        return ()
    items = brush.split(",") if isinstance(brush, str) else list(brush) if isinstance(brush, (list, tuple)) else [brush]
    names = tuple(b.strip() if isinstance(b, str) else b for b in items)
    if any(isinstance(b, str) and not b for b in names):
        raise PainterError(f"brush names are separated by single commas, got {brush!r}.")
    if not 1 <= len(names) <= MAX_BRUSHES:
        raise PainterError(f"a painting takes 1 to {MAX_BRUSHES} brushes, one per level from coarse to fine, "
                           f"got {len(names)}.")
    if not all(isinstance(b, str) or hasattr(b, "config") for b in names):
        raise PainterError(f"a brush is a name, a folder, a Hub repo id or a loaded Brush, got {brush!r}.")
    return names


def check_settings(strokes, size, seed, time_limit) -> None:
    """The four basic settings, each within the painter's limits, or `PainterError`."""
    check_number(strokes, "strokes")
    if int(strokes) != strokes or not MIN_STROKES <= strokes <= MAX_STROKES:
        raise PainterError(f"strokes must be a whole number from {MIN_STROKES} to {MAX_STROKES}, got {strokes}.")
    check_number(size, "size")
    if int(size) != size or not MIN_SIZE <= size <= MAX_SIZE:
        raise PainterError(f"size must be a whole number of pixels from {MIN_SIZE} to {MAX_SIZE}, got {size}.")
    check_number(seed, "seed")
    if int(seed) != seed or not 0 <= seed <= MAX_SEED:
        raise PainterError(f"seed must be a whole number from 0 to 2**32 - 1, got {seed}.")
    if time_limit is not None:
        check_number(time_limit, "time_limit")
        if not 0 < time_limit <= MAX_TIME_LIMIT:
            raise PainterError(f"time_limit must be a positive number of seconds up to {MAX_TIME_LIMIT:.0f}, "
                               f"got {time_limit}.")


def check_shape(image: Image.Image, size: int) -> None:
    """Refuses, in one sentence, a photo whose short side at the painting's long side `size` would be
    under MIN_SHORT_SIDE px."""
    width, height = image.size
    short = min(width, height) * size / max(width, height)
    if round(short) < MIN_SHORT_SIDE:
        raise PainterError(
            f"The photo is {width}x{height} px, too long and thin to paint: at {size} px on its long side its "
            f"short side would be {max(1, round(short))} px, and a painting needs at least {MIN_SHORT_SIDE}; crop it "
            f"to at most {size / MIN_SHORT_SIDE:g} to 1{'' if size >= MAX_SIZE else ' or choose a larger size'}.")


def make_request(photo, strokes: int = 1000, size: int = 512, seed: int = 0, time_limit=None, *, style=None,
                 style_strength: float = 1.0, colour_transfer: bool = True, detail_mask=None, labels=None,
                 style_labels=None, brush_size=None, pressure=None, background="mean", palette=None,
                 stroke_length=None, brush=None, device="cpu", **options) -> Request:
    """Load and check a painting request; raises `PainterError` with one sentence.

    `photo`: anything `load_photo` takes. Style and guidance: `style` (an image; `style_strength`
    in [0, 10], 0 = none; `colour_transfer`, on by default: the photo's colours moved onto the
    style's), `detail_mask` (bright = detail), `labels` +
    `style_labels` (per-region style: regions of one flat colour in each match). Stroke controls,
    honoured exactly: `brush_size=(min, max)` radius px, `pressure=(low, high)` in [0, 1],
    `background` ("mean", "white", "black", "#rrggbb" or (r, g, b)), `palette=K` colours,
    `stroke_length=(min, max)` chord px. `brush`: the brush, or one per level coarse to fine
    (see `parse_brushes`; the painter loads them). `device`: where it will run (the
    working size, at which brush size and stroke length are checked, depends on it). `options`:
    fields of `Options`.
    """
    check_settings(strokes, size, seed, time_limit)
    brushes = parse_brushes(brush)
    unknown = set(options) - {f.name for f in fields(Options)}
    if unknown:
        raise PainterError(f"unknown painting option(s): {', '.join(sorted(unknown))}.")
    opts = Options(**options)
    if opts.canvas not in CANVASES:
        raise PainterError(f"canvas must be one of {', '.join(CANVASES)}, got {opts.canvas!r}.")
    if opts.work_size is not None:
        check_number(opts.work_size, "work_size")
        if int(opts.work_size) != opts.work_size or not MIN_SIZE <= opts.work_size <= MAX_SIZE:
            raise PainterError(f"work_size must be a whole number of pixels from {MIN_SIZE} to {MAX_SIZE}, "
                               f"got {opts.work_size}.")
        opts.work_size = int(opts.work_size)
    photo_image = load_photo(photo)
    check_shape(photo_image, int(size))
    image = fit_long_side(photo_image, int(size))
    controls = parse_controls(brush_size, pressure, stroke_length, palette, background)
    if controls.brush_size is not None or controls.stroke_length is not None:
        # (at the device's working size, as the run will check it again)
        work = fit_long_side(image, choose_work_size(max(image.size), strokes, device, opts.work_size))
        cell_range(controls, max(work.size), image.size[0] / work.size[0])  # refuses the impossible now
    guidance = Guidance(controls)
    _load_style(guidance, image, style, style_strength, colour_transfer, labels, style_labels)
    if detail_mask is not None:
        mask = load_mask(detail_mask, image.size, what="detail mask")
        share = float(mask.mean())
        if 1e-3 < share < 1 - 1e-3:  # all black or all white: nowhere or everywhere is the same as none
            guidance.detail = mask
    return Request(image, int(strokes), int(seed), None if time_limit is None else float(time_limit), guidance, opts,
                   brushes)


def _load_style(guidance: Guidance, image, style, strength, colour_transfer, labels, style_labels) -> None:
    if not 0 <= check_number(strength, "style_strength") <= MAX_STYLE_STRENGTH:
        raise PainterError(f"style_strength must be a number from 0 to {MAX_STYLE_STRENGTH:g}, got {strength!r}.")
    if not isinstance(colour_transfer, (bool, np.bool_)):
        raise PainterError(f"colour_transfer must be True or False, got {colour_transfer!r}.")
    if style is not None:
        style_image = fit_long_side(load_photo(style, what="style image"), STYLE_SIDE)
        if strength > 0:  # strength 0 is the plain painting, colours and all
            guidance.style = style_image
            guidance.strength = float(strength)
            guidance.colour_transfer = bool(colour_transfer)
    elif labels is not None or style_labels is not None:
        raise PainterError("labels and style_labels need a style image.")
    if (labels is None) != (style_labels is None):
        raise PainterError("per-region style needs both labels (over the photo) and style_labels (over the style).")
    if labels is not None and guidance.style is not None:
        guidance.regions = _matched_regions(image, guidance.style, labels, style_labels)


def _matched_regions(image, style, labels, style_labels) -> tuple[np.ndarray, np.ndarray]:
    """Photo and style regions of the same colours; photo regions the style lacks take the whole style."""
    regions, colours = load_labels(labels, image.size, what="label mask")
    style_regions, style_colours = load_labels(style_labels, style.size, what="style label mask")
    shared = [c for c in colours if c in style_colours]
    if not shared:
        raise PainterError("the label mask and the style label mask share no colour; paint matching "
                           "regions in the same colours.")
    photo_masks = regions[[colours.index(c) for c in shared]]
    style_masks = style_regions[[style_colours.index(c) for c in shared]]
    rest = 1.0 - photo_masks.sum(0)
    if rest.max() > 0:
        photo_masks = np.concatenate([photo_masks, rest[None]])
        style_masks = np.concatenate([style_masks, np.ones_like(style_masks[:1])])
    return photo_masks, style_masks
