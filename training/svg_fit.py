"""Fit the SVG outline of a stroke to the brush: `python -m training svg [--checkpoint DIR]`.

The SVG export (painter/svg.py) draws each stroke as a round-capped band of one opacity, its edge
blurred. Its five numbers (half-width = radius x (a + b x pressure), opacity = sigmoid(c + d x mean
pressure), blur = s x radius) are fitted here by least squares against the neural brush's coverage
of random actions, the same coverage the painter composites, and written to the checkpoint's
`svg.json` with the fit's error on strokes it was not fitted on.

The band is rendered as a renderer's Gaussian blur of it would be: a pixel's coverage is the normal
CDF of its depth inside the union of discs along the curve over the blur's sigma (widened by the
0.29 px of a renderer's one-pixel antialiasing), times the opacity. Measured on 256 held-out
strokes: a hard band leaves 0.0081 of squared error (no paint at all: 0.058), the blurred one 0.0051;
a blur that also grows with pressure gained 1 % more, not worth a sixth number. Also tried, and
lost on the rendered paintings: actions with the painter's pressures (0.4 to 0.8) instead of
uniform ones (+0.1 dB on chelsea, -0.05 dB on astronaut); a blur that adds the painter's
bilinear stretch of the 64 px coverage (-0.02 dB); and eight numbers, each of width, opacity and
blur also a power of the stroke's size in the brush's cell (held-out error 0.0045, yet -0.2 dB on
astronaut, +0.07 dB on a 192 px chelsea): a closer fit to random strokes is not a closer painting.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import torch

from painter.brush import DEFAULT_CHECKPOINT, Brush
from painter.stroke import CELL_PX, Stroke
from painter.svg import FIT_FILE, OutlineFit

CURVE_SAMPLES = 48  # dense: the fit's band is the discs' union itself, not the SVG's polygon
START = OutlineFit("", (0.3, 1.8), (0.0, 2.5), 0.3)
ANTIALIAS_SIGMA = 0.29  # px: a one-pixel box filter (a renderer's antialiasing, the 64 px render's pixels) as a sigma


def sampled(actions: torch.Tensor):
    """Curve points (N, M, 2), pressures (N, M) and radii (N,) of actions, in cell px."""
    strokes = [Stroke.from_action(a) for a in actions.numpy()]
    points = torch.tensor(np.stack([s.points(CURVE_SAMPLES) for s in strokes]), dtype=torch.float32)
    pressures = torch.tensor(np.stack([s.pressures(CURVE_SAMPLES) for s in strokes]), dtype=torch.float32)
    radii = torch.tensor([s.radius for s in strokes], dtype=torch.float32)
    return points, pressures, radii


def pixel_distances(points: torch.Tensor) -> torch.Tensor:
    """(N, 64 x 64, M): each pixel centre's distance to each curve point."""
    ys, xs = torch.meshgrid(torch.arange(CELL_PX) + 0.5, torch.arange(CELL_PX) + 0.5, indexing="ij")
    pixels = torch.stack([xs, ys], -1).reshape(1, -1, 2).expand(len(points), -1, -1)
    return torch.cdist(pixels, points)


def band_coverage(fit: OutlineFit, distances, pressures, radii) -> torch.Tensor:
    """(N, 64 x 64) coverage of the fitted band, blurred and antialiased as a renderer would."""
    half = fit.half_widths(radii[:, None], pressures)
    with torch.no_grad():  # which disc each pixel lies deepest in; the gradient flows through that one
        deepest = torch.cat([(h[:, None, :] - d).argmax(-1) for h, d in zip(half.split(64), distances.split(64))])
    depth = half.gather(1, deepest) - distances.gather(-1, deepest[..., None])[..., 0]
    sigma = ((fit.softness * radii) ** 2 + ANTIALIAS_SIGMA ** 2).sqrt()[:, None]
    edge = 0.5 * (1 + torch.erf(depth / (sigma * 2 ** 0.5)))
    return edge * fit.opacity_of(pressures.mean(1))[:, None]


def as_fit(name: str, p) -> OutlineFit:
    """Five numbers, fitted or being fitted, as the `OutlineFit` they stand for (the blur kept positive)."""
    return OutlineFit(name, (p[0], p[1]), (p[2], p[3]), abs(p[4]))


def fit(brush: Brush, strokes: int = 512, held_out: int = 256, steps: int = 200, seed: int = 0,
        name: str | None = None) -> tuple[OutlineFit, dict]:
    """The outline of `brush`'s strokes, recorded for the MyPaint brush `name` (default: the one the
    brush imitates)."""
    name = name or brush.config.mypaint
    generator = torch.Generator().manual_seed(seed)
    actions = torch.rand(strokes + held_out, 12, generator=generator)
    with torch.no_grad():
        coverage = torch.cat([brush(chunk) for chunk in actions.split(256)])[:, 0].flatten(1)
    points, pressures, radii = sampled(actions)
    distances = pixel_distances(points)
    train, test = slice(0, strokes), slice(strokes, None)
    params = torch.tensor([*START.half_width, *START.opacity, START.softness], requires_grad=True)
    optimiser = torch.optim.Adam([params], lr=0.03)

    def error(p, part):
        band = band_coverage(as_fit(name, p), distances[part], pressures[part], radii[part])
        return (band - coverage[part]).pow(2).mean()

    started = time.perf_counter()
    for _ in range(steps):
        loss = error(params, train)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    result = as_fit(name, [round(float(v), 4) for v in params.detach()])
    with torch.no_grad():
        test_error = float(error(torch.tensor([*result.half_width, *result.opacity, result.softness]), test))
    record = {"fitted_on": f"{strokes} random actions, {steps} Adam steps, seed {seed}",
              "held_out_strokes": held_out,
              "held_out_mse": round(test_error, 5),
              "held_out_mse_of_no_paint": round(float(coverage[test].pow(2).mean()), 5),
              "seconds": round(time.perf_counter() - started, 1)}
    return result, record


def add_arguments(parser):
    parser.add_argument("--checkpoint", default=DEFAULT_CHECKPOINT, help="brush folder (its svg.json is written)")
    parser.add_argument("--strokes", type=int, default=512, help="random actions fitted on")
    parser.add_argument("--held-out", type=int, default=256, help="fresh actions the fit's error is measured on")
    parser.add_argument("--steps", type=int, default=200, help="Adam steps")
    parser.add_argument("--seed", type=int, default=0)


def run(args):
    brush = Brush.from_pretrained(args.checkpoint).eval()
    result, record = fit(brush, strokes=args.strokes, held_out=args.held_out, steps=args.steps, seed=args.seed)
    data = result.to_json(**record)
    (Path(args.checkpoint) / FIT_FILE).write_text(json.dumps(data, indent=2) + "\n")
    print(json.dumps(data))
