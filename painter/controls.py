"""Stroke controls: brush size, pressure, stroke length, palette and background, honoured exactly.

The optimiser works on unconstrained parameters; `ActionSpace` maps them onto actions that lie
inside the user's ranges by construction (a sigmoid onto the allowed sub-range, a stroke as centre,
angle and chord length), so the optimiser never meets a clamp that would stop its gradient. Every
range is taken in by a hair (`_PX_MARGIN`, `_PRESSURE_MARGIN`) so that float32 actions and the
rounded numbers of the strokes JSON still lie inside it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image

from .errors import PainterError
from .stroke import CELL_PX, COLOUR, END, END_PRESSURE, MAX_PRESSURE, SIZE, START, START_PRESSURE

MAX_PALETTE = 64
MIN_CELL = 6                      # the finest cell the painter plans (plan_levels)
_LOG_SIZE_RANGE = 2.0             # radius = e^(2 size) brush px, size in [0, 1]
_PX_MARGIN = 0.002                # px: beyond the 3 decimals the JSON keeps
_PRESSURE_MARGIN = 1e-4           # beyond the 4 decimals the JSON keeps
_EDGE = 1e-4                      # stroke ends stay this far inside their patch (patch units)
_MIN_SHARE = 0.1                  # a stroke's longest chord is at least this share of its patch


@dataclass(frozen=True)
class Controls:
    """The user's stroke controls, checked; None where the painter is free."""

    brush_size: tuple[float, float] | None = None      # radius in canvas px
    pressure: tuple[float, float] | None = None        # share of the action's pressure range
    stroke_length: tuple[float, float] | None = None   # chord from start to end, canvas px
    palette: int | None = None                         # at most this many stroke colours
    background: object = "mean"                        # "mean", "white", "#rrggbb" or (r, g, b)

    @property
    def shapes_free(self) -> bool:
        return self.brush_size is None and self.pressure is None and self.stroke_length is None


def check_number(value, name) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise PainterError(f"{name} must be a number, got {value!r}.")
    if not math.isfinite(float(value)):
        raise PainterError(f"{name} must be a finite number, got {value!r}.")
    return float(value)


def _pair(value, name, unit) -> tuple[float, float]:
    if isinstance(value, (str, bytes)) or not hasattr(value, "__len__") or len(value) != 2:
        raise PainterError(f"{name} must be two numbers (min, max){unit}, got {value!r}.")
    low, high = (check_number(v, name) for v in value)
    if low > high:
        raise PainterError(f"{name} must be (min, max) with min <= max, got ({low:g}, {high:g}).")
    return low, high


def parse_background(value) -> object:
    """"mean", "white", "black", a colour ("#rrggbb", "#rgb", "rgb(r, g, b)" or "rgba(r, g, b, a)" with
    0-255 channels, as colour pickers give them) or an (r, g, b) tuple in [0, 1]; refused in one sentence."""
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("mean", "white", "black"):
            return text if text != "black" else (0.0, 0.0, 0.0)
        if re.fullmatch(r"#?[0-9a-f]{6}", text):
            text = text.lstrip("#")
            return tuple(int(text[k:k + 2], 16) / 255.0 for k in (0, 2, 4))
        if re.fullmatch(r"#[0-9a-f]{3}", text):
            return tuple(int(c * 2, 16) / 255.0 for c in text[1:])
        match = re.fullmatch(r"rgba?\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*(?:,\s*[\d.]+\s*)?\)", text)
        if match and all(float(v) <= 255 for v in match.groups()):
            return tuple(round(float(v)) / 255.0 for v in match.groups())
        raise PainterError(f"background must be mean, white, black or a colour like #f0e8d8, got {value!r}.")
    if hasattr(value, "__len__") and len(value) == 3 and not isinstance(value, bytes):
        rgb = tuple(check_number(v, "background") for v in value)
        if not all(0.0 <= c <= 1.0 for c in rgb):
            raise PainterError(f"a background colour (r, g, b) needs each value in [0, 1], got {value!r}.")
        return rgb
    raise PainterError(f"background must be mean, white, black, a colour like #f0e8d8 or (r, g, b), got {value!r}.")


def parse_controls(brush_size=None, pressure=None, stroke_length=None, palette=None,
                   background="mean") -> Controls:
    """Check the stroke controls; any bad one raises `PainterError` with one sentence."""
    if brush_size is not None:
        brush_size = _pair(brush_size, "brush_size", " in px")
        if brush_size[0] <= 0:
            raise PainterError(f"brush_size must be above 0 px, got {brush_size[0]:g}.")
    if pressure is not None:
        pressure = _pair(pressure, "pressure", " in [0, 1]")
        if not (0.0 <= pressure[0] and pressure[1] <= 1.0):
            raise PainterError(f"pressure must lie in [0, 1], got ({pressure[0]:g}, {pressure[1]:g}).")
        if pressure[1] <= 0.0:
            raise PainterError("pressure must allow some paint: its max must be above 0.")
    if stroke_length is not None:
        stroke_length = _pair(stroke_length, "stroke_length", " in px")
        if stroke_length[0] < 0 or stroke_length[1] <= 0:
            raise PainterError(f"stroke_length must be at least 0 px with max above 0, got "
                               f"({stroke_length[0]:g}, {stroke_length[1]:g}).")
    if palette is not None:
        check_number(palette, "palette")
        if int(palette) != palette or not 1 <= palette <= MAX_PALETTE:
            raise PainterError(f"palette must be a whole number of colours from 1 to {MAX_PALETTE}, got {palette}.")
        palette = int(palette)
    return Controls(brush_size, pressure, stroke_length, palette, parse_background(background))


def cell_range(controls: Controls, long_side: int, px_per_work_px: float) -> tuple[float, float]:
    """Cell sides (work px) at which the brush size and stroke length asked for can be painted.

    A stroke in a cell of side c is placed on a patch of 2c work px, so its radius runs from
    c f / 32 to e^2 c f / 32 canvas px (f canvas px per work px) and its chord up to 2 c f.
    """
    f = px_per_work_px
    low, high = float(MIN_CELL), float(max(MIN_CELL, long_side))
    top_radius = math.exp(_LOG_SIZE_RANGE)
    if controls.brush_size is not None:
        rmin, rmax = controls.brush_size
        can = (MIN_CELL * f / 32, top_radius * high * f / 32)
        if rmax < can[0] + _PX_MARGIN or rmin > can[1] - _PX_MARGIN:
            raise PainterError(f"brush_size must lie within {can[0]:.2f} to {can[1]:.1f} px at this painting size, "
                               f"got ({rmin:g}, {rmax:g}).")
        low = max(low, 32 * (rmin + _PX_MARGIN) / (top_radius * f))
        high = min(high, 32 * max(rmax - _PX_MARGIN, rmin) / f)
    if controls.stroke_length is not None:
        lmin, lmax = controls.stroke_length
        longest = 2 * max(MIN_CELL, long_side) * f * (1 - 2 * _EDGE)
        if lmin > longest - _PX_MARGIN:
            raise PainterError(f"stroke_length min must be below {longest:.0f} px at this painting size, got {lmin:g}.")
        low = max(low, (lmin + _PX_MARGIN) / (2 * f * (1 - 2 * _EDGE)))
        # Strokes far shorter than their patch would be dots: keep the cells small enough (where possible).
        soft_high = lmax / (2 * f * _MIN_SHARE)
        if soft_high >= low:
            high = min(high, soft_high)
    if math.ceil(low) > math.floor(high):  # no whole cell side between them
        raise PainterError("brush_size and stroke_length cannot both be honoured at this painting size: "
                           "thin brushes need small cells, long strokes large ones.")
    return low, high


def fit_cell(cell: int, bounds: tuple[float, float]) -> int:
    """The whole cell side nearest to `cell` within `bounds`, even where the bounds allow."""
    low, high = bounds
    if low <= cell <= high:
        return cell
    target = low if cell < low else high
    even = [c for c in (math.ceil(low / 2) * 2, math.floor(high / 2) * 2) if low <= c <= high]
    choices = even or [c for c in (math.ceil(low), math.floor(high)) if low <= c <= high]
    return min(choices, key=lambda c: abs(c - target))  # cell_range leaves a whole side between the bounds


def palette_colours(image: Image.Image, k: int) -> np.ndarray:
    """(<= k, 3) float32 colours in [0, 1]: median cut refined by k-means (Pillow's quantizer)."""
    small = image.convert("RGB")
    small.thumbnail((256, 256))
    quantized = small.quantize(colors=k, method=Image.Quantize.MEDIANCUT, kmeans=8, dither=Image.Dither.NONE)
    used = sorted(c for _, c in quantized.getcolors(k))  # only the entries some pixel uses
    flat = quantized.getpalette()[: 3 * 256]
    colours = np.array([flat[3 * i: 3 * i + 3] for i in used], dtype=np.float32) / 255.0
    return np.unique(colours, axis=0)


def _logit(x: torch.Tensor) -> torch.Tensor:
    x = x.clamp(0.02, 0.98)
    return torch.log(x / (1 - x))


class ActionSpace:
    """sigmoid(parameters) -> actions, mapped into one level's allowed ranges.

    `scale` is canvas px per brush px at this level (radius = e^(2 size) scale, chord = 64 scale x
    its length in patch units). With no control set this is exactly `sigmoid` and its inverse.
    """

    def __init__(self, controls: Controls | None = None, scale: float = 1.0, palette: torch.Tensor | None = None):
        self.free = controls is None or (controls.shapes_free and palette is None)
        self.size = self.pressure = self.length = None
        self.palette = palette
        if self.free:
            return
        if controls.brush_size is not None:
            rmin, rmax = controls.brush_size
            self.size = _inward(math.log(max(rmin, 1e-12) / scale) / _LOG_SIZE_RANGE,
                                math.log(rmax / scale) / _LOG_SIZE_RANGE,
                                _PX_MARGIN / (_LOG_SIZE_RANGE * max(rmin, 1e-3)), 0.0, 1.0)
        if controls.pressure is not None:
            self.pressure = _inward(*controls.pressure, _PRESSURE_MARGIN / MAX_PRESSURE, 0.0, 1.0)
        if controls.stroke_length is not None:
            unit = CELL_PX * scale  # px per patch unit
            self.length = _inward(controls.stroke_length[0] / unit, controls.stroke_length[1] / unit,
                                  _PX_MARGIN / unit, 0.0, 1.0 - 2 * _EDGE)

    # ------------------------------------------------------------------ parameters -> actions
    def actions(self, params: torch.Tensor) -> torch.Tensor:
        a = torch.sigmoid(params)
        if self.free:
            return a
        cols = list(a.unbind(1))
        if self.size is not None:
            cols[SIZE] = _within(cols[SIZE], self.size)
        if self.pressure is not None:
            for k in (START_PRESSURE, END_PRESSURE):
                cols[k] = _within(cols[k], self.pressure)
        if self.length is not None:
            (sx, sy), (ex, ey) = self._ends(params, a)
            cols[START.start], cols[START.start + 1], cols[END.start], cols[END.start + 1] = sx, sy, ex, ey
        if self.palette is not None:
            colour = torch.stack(cols[COLOUR], 1)
            snapped = self.palette[torch.cdist(colour.detach(), self.palette).argmin(1)]
            # Straight through: the value is the palette colour exactly, the gradient moves the free colour.
            colour = snapped + (colour - colour.detach())
            cols[COLOUR.start:COLOUR.stop] = colour.unbind(1)
        return torch.stack(cols, 1)

    def _ends(self, params, a):
        """Start and end from the centre (a[END]), angle (params[START x]) and chord share (a[START y])."""
        lo, hi = self.length
        theta = params[:, START.start]
        c, s = torch.cos(theta), torch.sin(theta)
        reach = (1 - 2 * _EDGE) / torch.maximum(c.abs(), s.abs())  # the longest chord at this angle
        length = lo + (torch.clamp(reach, max=hi) - lo).clamp_min(0) * a[:, START.start + 1]
        half_x, half_y = length * c / 2, length * s / 2
        cx = _EDGE + half_x.abs() + (1 - 2 * _EDGE - 2 * half_x.abs()).clamp_min(0) * a[:, END.start]
        cy = _EDGE + half_y.abs() + (1 - 2 * _EDGE - 2 * half_y.abs()).clamp_min(0) * a[:, END.start + 1]
        return (cx - half_x, cy - half_y), (cx + half_x, cy + half_y)

    # ------------------------------------------------------------------ actions -> parameters
    def params(self, actions: torch.Tensor) -> torch.Tensor:
        p = _logit(actions)
        if self.free:
            return p
        p = p.clone()
        if self.size is not None:
            p[:, SIZE] = _logit(_share(actions[:, SIZE], self.size))
        if self.pressure is not None:
            for k in (START_PRESSURE, END_PRESSURE):
                p[:, k] = _logit(_share(actions[:, k], self.pressure))
        if self.length is not None:
            lo, hi = self.length
            start, end = actions[:, START], actions[:, END]
            d = end - start
            theta = torch.atan2(d[:, 1], d[:, 0])
            c, s = torch.cos(theta), torch.sin(theta)
            reach = torch.clamp((1 - 2 * _EDGE) / torch.maximum(c.abs(), s.abs()), max=hi)
            length = torch.minimum(torch.maximum(d.norm(dim=1), torch.full_like(reach, lo)), reach)
            share = (length - lo) / (reach - lo).clamp_min(1e-6)
            centre = (start + end) / 2
            half = torch.stack([length * c / 2, length * s / 2], 1).abs()
            free = (1 - 2 * _EDGE - 2 * half).clamp_min(1e-6)
            p[:, START.start] = theta
            p[:, START.start + 1] = _logit(share)
            p[:, END] = _logit((centre - _EDGE - half) / free)
        return p


def _inward(low, high, margin, floor, ceiling):
    """[low, high] within [floor, ceiling], taken in by `margin` (a point where it is narrower)."""
    low, high = max(low, floor), min(high, ceiling)
    if high - low > 2 * margin:
        return low + margin, high - margin
    mid = min(max((low + high) / 2, floor), ceiling)
    return mid, mid


def _within(x: torch.Tensor, bounds) -> torch.Tensor:
    lo, hi = bounds
    # The clamp only removes float rounding at the ends; the sigmoid keeps the gradient alive inside.
    return (lo + (hi - lo) * x).clamp(lo, hi)


def _share(x: torch.Tensor, bounds) -> torch.Tensor:
    lo, hi = bounds
    return ((x - lo) / max(hi - lo, 1e-6)).clamp(0, 1)


__all__ = ["ActionSpace", "Controls", "parse_controls", "parse_background", "cell_range", "fit_cell",
           "palette_colours", "MAX_PALETTE"]
