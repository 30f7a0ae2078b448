"""A painting as SVG: one filled outline per stroke, shaped and shaded as the brush paints it.

Each stroke becomes the envelope of the brush's dabs along its curve (a round-capped band whose
half-width follows the stroke's radius and its pressure ramp), filled with the stroke's colour at
one opacity, its edge blurred as the brush's soft dabs are. How wide, how opaque and how soft
comes from a fit to the brush itself (`OutlineFit`, fitted by
least squares on the neural brush's coverage of random strokes: `python -m training svg`, kept
next to the brush's weights in `svg.json`). Over-compositing the bands in painting order is what
the painter does with the brush's coverage, so every SVG renderer paints about the same picture.

The file stays editable: one `<path>` per stroke in painting order, carrying the stroke's data
(`data-order`, `data-level`, and the curve, radius and pressure in canvas px) as attributes.
"""

from __future__ import annotations

import functools
import json
import math
import os
from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

import numpy as np

from .errors import PainterError

FIT_FILE = "svg.json"
CAP_POINTS = 6  # points on each round cap, ends excluded


@dataclass(frozen=True)
class OutlineFit:
    """The band that stands for one stroke of `brush`: half-width `radius * (a + b * pressure)` at
    each point of the curve, opacity `sigmoid(c + d * mean pressure)` over the whole band, its edge
    blurred by a Gaussian of `softness * radius` px."""

    brush: str
    half_width: tuple[float, float]
    opacity: tuple[float, float]
    softness: float = 0.0  # the band's edge blurred by a Gaussian of this many radii (0: hard)

    def half_widths(self, radius, pressures):
        a, b = self.half_width
        return radius * (a + b * pressures)

    def opacity_of(self, mean_pressure):
        c, d = self.opacity
        x = c + d * mean_pressure
        return 1 / (1 + np.exp(-x)) if isinstance(x, (float, np.floating, np.ndarray)) else x.sigmoid()

    def to_json(self, **record) -> dict:
        return {"brush": self.brush, "half_width": list(self.half_width), "opacity": list(self.opacity),
                "softness": self.softness, **record}


@functools.cache
def outline_fit(brush: str, folder: str | None = None) -> OutlineFit:
    """The fit for the MyPaint brush `brush`: from `folder`, else from the shipped brush that
    imitates it (its checkpoint folder's svg.json)."""
    from .brush import shipped_brushes

    if folder is None:
        folder = next((b.path for b in shipped_brushes() if b.mypaint == brush), None)
        if folder is None:
            raise PainterError(f"There is no SVG outline fit for the brush {brush}: no shipped brush imitates it.")
    path = os.path.join(folder, FIT_FILE)
    try:
        with open(path) as f:
            data = json.load(f)
        fit = OutlineFit(data["brush"], tuple(map(float, data["half_width"])), tuple(map(float, data["opacity"])),
                         float(data.get("softness", 0.0)))
    except (OSError, ValueError, KeyError, TypeError):
        raise PainterError(f"The SVG outline fit {path} is missing or damaged; fit it again with "
                           "'python -m training svg'.") from None
    if fit.brush != brush:
        raise PainterError(f"There is no SVG outline fit for the brush {brush} (the one at {path} is for {fit.brush}).")
    return fit


def _outline(points: np.ndarray, half: np.ndarray) -> np.ndarray:
    """The closed outline (K, 2) of discs of radius `half` (M,) centred along `points` (M, 2):
    the left side forward, a round cap, the right side back, a round cap."""
    tangent = np.gradient(points, axis=0)
    length = np.linalg.norm(tangent, axis=1, keepdims=True)
    # A stroke that does not move (start = control = end) has no direction; any will do for a dot.
    tangent = np.where(length > 1e-9, tangent / np.maximum(length, 1e-9), [[1.0, 0.0]])
    normal = np.stack([-tangent[:, 1], tangent[:, 0]], axis=1)
    left, right = points + normal * half[:, None], points - normal * half[:, None]

    def cap(centre, direction, side, r):
        angles = np.linspace(0, math.pi, CAP_POINTS + 2)[1:-1]
        return centre + r * (np.cos(angles)[:, None] * side + np.sin(angles)[:, None] * direction)

    end_cap = cap(points[-1], tangent[-1], normal[-1], half[-1])
    start_cap = cap(points[0], -tangent[0], -normal[0], half[0])
    return np.concatenate([left, end_cap, right[::-1], start_cap])


def curve_samples(stroke) -> int:
    """Points along a stroke's curve for its outline: enough that the band's straight pieces stay
    within a fraction of a px of the curve, few enough to keep the file small."""
    chord = sum(math.dist(a, b) for a, b in ((stroke.start, stroke.control), (stroke.control, stroke.end)))
    return int(min(24, max(4, math.ceil(chord / max(2.0, stroke.radius)))))


BLUR_STEPS_PER_OCTAVE = 8  # blurs are shared in classes 9 % apart, so a file has a few dozen filters
MIN_BLUR_PX = 0.3          # under this a renderer's antialiasing is the softness; no filter
MARGINS = (0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0)  # filter regions, in shares of the band's box


def stroke_path(stroke, fit: OutlineFit, order: int, level: int | None = None,
                brush: str | None = None) -> tuple[str, tuple | None] | None:
    """The `<path>` element of one stroke and the blur filter it uses (`_blur_class`; None: none),
    or None for a stroke that leaves no paint."""
    n = curve_samples(stroke)
    pressures = stroke.pressures(n)
    opacity = float(fit.opacity_of(float(np.mean(pressures))))
    half = np.maximum(fit.half_widths(stroke.radius, pressures), 0.0)
    if opacity <= 0.0 or not np.any(half > 0):
        return None
    outline = _outline(stroke.points(n), half)
    d = "M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in outline) + "Z"
    blur = _blur_class(fit.softness * stroke.radius, outline)
    data = {"data-order": str(order)}
    if level is not None:
        data["data-level"] = str(level)
    if brush is not None:
        data["data-brush"] = brush
    data.update({"data-start": _xy(stroke.start), "data-control": _xy(stroke.control), "data-end": _xy(stroke.end),
                 "data-radius": f"{stroke.radius:.3f}",
                 "data-pressure": " ".join(f"{p:.4f}" for p in stroke.pressure)})
    attributes = " ".join(f"{k}={quoteattr(v)}" for k, v in data.items())
    filtered = f' filter="url(#{_filter_id(blur)})"' if blur else ""
    return f'<path d="{d}" fill="{hex_colour(stroke.colour)}" fill-opacity="{opacity:.3f}"{filtered} {attributes}/>', blur


def _blur_class(sigma: float, outline: np.ndarray) -> tuple[int, int] | None:
    """The shared blur filter, (step, margin), for a Gaussian of `sigma` px on a band with this
    outline: sigma is 2 ** (step / BLUR_STEPS_PER_OCTAVE), the filter region MARGINS[margin].

    A filter paints only inside its region, a box around the band's own: the margin must hold
    three sigmas of blur on the band's narrower side, or the soft edge would be cut off square.
    """
    if sigma < MIN_BLUR_PX:
        return None
    step = round(BLUR_STEPS_PER_OCTAVE * math.log2(sigma))
    side = float(max(1e-3, min(np.ptp(outline[:, 0]), np.ptp(outline[:, 1]))))
    sigma = 2 ** (step / BLUR_STEPS_PER_OCTAVE)
    margin = next((k for k, m in enumerate(MARGINS) if m * side >= 3 * sigma), len(MARGINS) - 1)
    return step, margin


def _filter_id(blur: tuple[int, int]) -> str:
    return f"blur{blur[0]}m{blur[1]}"


def _blur_filter(blur: tuple[int, int]) -> str:
    sigma, m = 2 ** (blur[0] / BLUR_STEPS_PER_OCTAVE), MARGINS[blur[1]]
    # sRGB: the band is one colour, so only its coverage is blurred, as the brush's soft dabs are.
    return (f'<filter id="{_filter_id(blur)}" x="{-m:g}" y="{-m:g}" width="{1 + 2 * m:g}" height="{1 + 2 * m:g}" '
            f'color-interpolation-filters="sRGB"><feGaussianBlur stdDeviation="{sigma:.3f}"/></filter>')


def _xy(point) -> str:
    return f"{point[0]:.3f} {point[1]:.3f}"


def hex_colour(rgb) -> str:
    r, g, b = (int(round(255 * min(max(float(v), 0.0), 1.0))) for v in rgb)
    return f"#{r:02x}{g:02x}{b:02x}"


def painting_svg(painting) -> str:
    """The SVG document of a `Painting`, each stroke outlined by its own brush's fit."""
    brushes = painting.stroke_brushes()
    fits = {brush: outline_fit(brush) for brush in dict.fromkeys(brushes)}
    paths, blurs = [], {}
    for order, stroke in enumerate(painting.strokes):
        element = stroke_path(stroke, fits[brushes[order]], order, painting.levels[order] if painting.levels else None,
                              brushes[order] if len(fits) > 1 else None)
        if element is not None:
            paths.append(element[0])
            if element[1]:
                blurs.setdefault(element[1], _blur_filter(element[1]))
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{painting.width}" height="{painting.height}" '
           f'viewBox="0 0 {painting.width} {painting.height}" data-brush={quoteattr(" ".join(fits))}>']
    if blurs:
        out += ["<defs>", *(blurs[k] for k in sorted(blurs, key=_filter_id)), "</defs>"]
    out.append(f'<rect width="100%" height="100%" fill="{hex_colour(painting.background)}"/>')
    out += paths
    out.append("</svg>")
    return "\n".join(out)
