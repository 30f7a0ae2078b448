"""The page's widget values as a painting request: the page's own caps here, every other check in painter.request.

Each function raises `PainterError` with one sentence; `validate` gives Gradio one `gr.validate`
per input, so that the page marks the input at fault. Nothing here loads a network.
"""

from __future__ import annotations

import os

import numpy as np
from PIL import Image

from painter.brush import DEFAULT_BRUSH
from painter.controls import check_number, parse_background
from painter.errors import PainterError
from painter.photo import load_photo
from painter.request import MAX_PALETTE, MAX_SEED, MAX_STYLE_STRENGTH, Request, check_shape, make_request

from .hardware import Hardware

MAX_UPLOAD_MB = 20
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024
MAX_RADIUS = 64     # brush radius sliders, canvas px; the full range means "no limit"
MAX_LENGTH = 512    # stroke length sliders, canvas px; likewise
LEVELS = ("coarse", "middle", "fine")  # the per-level brush choices, coarse to fine
# The guidance controls, in the order of `guidance`'s parameters (after the photo and the four settings in
# `/paint`'s inputs), then the brush choices.
GUIDANCE = ("style", "style_strength", "colour_transfer", "detail", "min_radius", "max_radius", "low_pressure",
            "high_pressure", "background", "background_colour", "palette", "min_length", "max_length")
BRUSH_INPUTS = ("brush", "coarse_brush", "middle_brush", "fine_brush")
_PAIRS = {"min_radius": "max_radius", "low_pressure": "high_pressure", "min_length": "max_length",
          "background": "background_colour"}
PARTNERS = {**_PAIRS, **{b: a for a, b in _PAIRS.items()}}  # a range is judged as a whole: both sliders get the sentence


def upload_path(photo) -> str | None:
    if photo is None:
        return None
    if isinstance(photo, dict):  # gradio_client FileData, when called directly
        photo = photo.get("path")
    return os.fspath(photo)


def check_photo(photo, what="photo") -> Image.Image:
    """The photo (or style painting) as RGB, within the page's upload cap."""
    path = upload_path(photo)
    if path is None:
        raise PainterError(f"Upload a {what} (or pick an example) first.")
    try:
        size = os.path.getsize(path)
    except OSError:
        raise PainterError(f"The uploaded {what} could not be read; upload it again.") from None
    if size > MAX_UPLOAD_BYTES:
        raise PainterError(f"The file is {size / 2**20:.0f} MB; upload a {what} under {MAX_UPLOAD_MB} MB.")
    return load_photo(path, what=what)


def number(value, name, default=None) -> float:
    """A widget's value as a number: an API call may send text, or nothing for a default."""
    if value in (None, "") and default is not None:
        return float(default)
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise PainterError(f"The {name} must be a number.") from None
    return check_number(value, f"The {name}")


def slider_range(low, high, name, top, default_low=0.0):
    """(low, high) of a pair of sliders, or None where they span the whole range (no limit)."""
    low = number(low, f"smallest {name}", default_low)
    high = number(high, f"largest {name}", top)
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


def guidance(style=None, style_strength=1.0, colour_transfer=True, detail=None, min_radius=0, max_radius=MAX_RADIUS,
             low_pressure=0.0, high_pressure=1.0, background="Photo's average", background_colour=None, palette=0,
             min_length=0, max_length=MAX_LENGTH) -> dict:
    """The style, guidance and stroke-control widgets as `make_request` keyword arguments: only what departs
    from the plain painting, so untouched controls paint exactly as before."""
    options = {}
    strength = number(style_strength, "style strength", 1.0)
    if not 0 <= strength <= MAX_STYLE_STRENGTH:
        raise PainterError(f"The style strength must be from 0 to {MAX_STYLE_STRENGTH:g}.")
    if upload_path(style) is not None:
        options.update(style=check_photo(style, what="style painting"), style_strength=strength,
                       colour_transfer=bool(colour_transfer))
    mask = detail_mask(detail)
    if mask is not None:
        options["detail_mask"] = mask
    for key, (low, high, name, top) in dict(brush_size=(min_radius, max_radius, "brush radius", MAX_RADIUS),
                                            pressure=(low_pressure, high_pressure, "pressure", 1.0),
                                            stroke_length=(min_length, max_length, "stroke length", MAX_LENGTH)).items():
        chosen = slider_range(low, high, name, top)
        if chosen is not None:
            options[key] = chosen
    if background == "White":
        options["background"] = "white"
    elif background == "Custom":
        options["background"] = parse_background(background_colour)
    elif background not in (None, "", "Photo's average"):
        raise PainterError(f"The background must be the photo's average, white or a custom colour, not {background!r}.")
    limit = number(palette, "palette limit", 0)
    if not (0 <= limit <= MAX_PALETTE and limit == int(limit)):
        raise PainterError(f"The palette limit must be a whole number from 0 (no limit) to {MAX_PALETTE}.")
    if limit:
        options["palette"] = int(limit)
    return options


class PageInputs:
    """The checks of one Space: its `hardware`'s caps and its `brushes` (name -> the MyPaint brush it
    imitates, the default first) loaded from `sources` (name -> folder)."""

    def __init__(self, hardware: Hardware, brushes: dict[str, str], sources: dict[str, str]):
        self.hardware, self.brushes, self.sources = hardware, brushes, sources

    def settings(self, strokes, size, seed, time_limit) -> tuple[int, int, int, float]:
        """The four settings as numbers inside this hardware's caps."""
        strokes_range, limits = self.hardware.strokes, self.hardware.time_limit
        strokes_n = number(strokes, "number of strokes")
        if not (strokes_range["minimum"] <= strokes_n <= strokes_range["maximum"]) or strokes_n != int(strokes_n):
            raise PainterError(f"The number of strokes must be a whole number from {strokes_range['minimum']} "
                               f"to {strokes_range['maximum']} on this hardware.")
        size_n = number(size, "size")
        if size_n not in self.hardware.sizes:
            raise PainterError(f"The size must be one of {', '.join(map(str, self.hardware.sizes))} pixels on this "
                               "hardware.")
        seed_n = number(seed, "seed", 0)
        if not (0 <= seed_n <= MAX_SEED) or seed_n != int(seed_n):
            raise PainterError(f"The seed must be a whole number from 0 to {MAX_SEED}.")
        limit_n = number(time_limit, "time limit", limits["value"])
        if not (limits["minimum"] <= limit_n <= limits["maximum"]):
            raise PainterError(f"The time limit must be from {limits['minimum']} to {limits['maximum']} seconds on "
                               "this hardware.")
        return int(strokes_n), int(size_n), int(seed_n), float(limit_n)

    def brush_name(self, name, what="brush") -> str:
        """A shipped brush's name, or the MyPaint brush it imitates (classic/charcoal), as its shipped name;
        None or "": the default brush."""
        if name in (None, ""):
            return DEFAULT_BRUSH
        given = str(name).strip()
        for shipped, mypaint in self.brushes.items():
            if given in (shipped, mypaint):
                return shipped
        *others, last = self.brushes
        names = f"{', '.join(others)} or {last}" if others else last
        raise PainterError(f"There is no {what} named {given[:40]!r}; choose {names}.")

    def brush_choice(self, brush=DEFAULT_BRUSH, coarse="", middle="", fine="") -> list[str]:
        """The painting's brushes as the folders they load from: the brush alone, or, where a level's choice
        is set, one per level group coarse to fine (the middle one paints the levels between)."""
        brush = self.brush_name(brush)
        levels = [self.brush_name(choice, f"{level} brush") if choice else brush
                  for level, choice in zip(LEVELS, (coarse, middle, fine))]
        return [self.sources[name] for name in ([brush] if len(set(levels)) == 1 else levels)]

    def request(self, photo, strokes, size, seed, time_limit, guidance_options=None, brush=None) -> Request:
        """The page's caps, then the painter's one check of everything else (`make_request`); `brush` from
        `brush_choice` (None: the default brush)."""
        image = check_photo(photo)
        strokes, size, seed, time_limit = self.settings(strokes, size, seed, time_limit)
        return make_request(image, strokes, size, seed, time_limit, device=self.hardware.device, brush=brush,
                            **(guidance_options or {}))

    def controls_request(self, photo, strokes, size, seed, time_limit, *controls) -> Request:
        """The request of `/paint`'s inputs (the guidance controls in GUIDANCE's order, then BRUSH_INPUTS'),
        every check included (a brush size no cell can paint at this size, a photo too thin), before any GPU time."""
        given = controls[:len(GUIDANCE)]
        brushes = controls[len(GUIDANCE):]
        return self.request(photo, strokes, size, seed, time_limit, guidance(*given), self.brush_choice(*brushes))

    def validate(self, photo, strokes, size, seed, time_limit, *rest) -> list[dict]:
        """Gradio's event validator: one `gr.validate` per input (`rest`: the guidance controls, then the
        brush choices), each with at most one sentence."""
        def photo_check():
            image = check_photo(photo)
            if size in self.hardware.sizes:  # (a size of another kind gets its own sentence below)
                check_shape(image, int(size))

        results = [judged(photo_check)]
        defaults = dict(strokes=self.hardware.strokes["value"], size=self.hardware.default_size, seed=0,
                        time_limit=self.hardware.time_limit["value"])
        for name, value in dict(strokes=strokes, size=size, seed=seed, time_limit=time_limit).items():
            results.append(judged(lambda: self.settings(**dict(defaults, **{name: value}))))
        given = dict(zip(GUIDANCE, rest[:len(GUIDANCE)]))
        for name in given:  # each control alone (the style is decoded by its own check only)
            results.append(judged(lambda: guidance(**{k: given[k] for k in (name, PARTNERS.get(name)) if k in given})))
        for name, value in zip(BRUSH_INPUTS, rest[len(GUIDANCE):]):
            results.append(judged(self.brush_name, value, name.replace("_", " ")))
        return results

    def validate_tool(self, photo, strokes, size, seed, time_limit, brush) -> list[dict]:
        """The validator of the MCP tool `paint`: the settings, then its brush."""
        return [*self.validate(photo, strokes, size, seed, time_limit), judged(self.brush_name, brush)]


def judged(check, *args) -> dict:
    """`gr.validate` of `check(*args)`: valid, or its one sentence."""
    import gradio as gr

    try:
        check(*args)
        return gr.validate(True, "")
    except PainterError as error:
        return gr.validate(False, str(error))
