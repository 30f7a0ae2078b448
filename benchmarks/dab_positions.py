"""Where MyPaint puts each dab of a stroke at stream 0, predicted without MyPaint: a model for a brush that paints
MyPaint's own stroke, grain included, rather than its average.

    python benchmarks/dab_positions.py [--brushes classic/charcoal ...] [--strokes 200]

A fresh libmypaint brush always draws the same random numbers, so dab k of every stroke gets the same
random offset direction. The model, from the brush's .myb settings and one reference stroke:

- the dabs' own path: MyPaint places dab k where the stroke's length along its curve, in brush radii,
  reaches (k + 1) / dabs per radius (`dabs_per_actual_radius` + `dabs_per_basic_radius`);
- the scatter: dab k moves by g_k x `offset_by_random`(pressure) x radius, with g_k, a fixed pair of
  numbers per index, read once from a long straight reference stroke at one pressure
  (`painter.mypaint.record_dabs` with and without scatter).

For random actions (the training distribution) it prints, per brush, how far the predicted dabs lie from
the dabs MyPaint records (px in the brush's 64 px cell): the path alone against MyPaint without scatter, the
scatter given MyPaint's path, and the dab counts that differ. The brushes whose dabs also follow time
(`dabs_per_second`) or speed (the radius's `speed` inputs) are outside the path model, and say so.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import painter  # noqa: E402

painter.setup()

from painter.mypaint import brush_definition, record_dabs  # noqa: E402
from painter.stroke import Stroke  # noqa: E402


def setting(settings: dict, name: str, pressure):
    """A .myb setting at `pressure`: its base value plus its pressure mapping (piecewise linear)."""
    entry = settings.get(name, {"base_value": 0.0, "inputs": {}})
    value = np.full_like(np.asarray(pressure, dtype=float), entry["base_value"])
    points = entry["inputs"].get("pressure")
    if points:
        xs, ys = zip(*points)
        value = value + np.interp(pressure, xs, ys)
    return value


def dab_path(stroke: Stroke, per_radius: float) -> np.ndarray:
    """(K, 2) dab centres without scatter: evenly spaced along the curve at `per_radius` dabs a radius."""
    points = stroke.points()
    count = np.concatenate([[0], np.cumsum(np.linalg.norm(np.diff(points, axis=0), axis=1))]) / stroke.radius * per_radius
    k = np.arange(1, int(count[-1]) + 1, dtype=float)
    return np.stack([np.interp(k, count, points[:, 0]), np.interp(k, count, points[:, 1])], 1)


def measure(brush: str, strokes: int, seed: int) -> dict:
    settings = json.loads(brush_definition(brush))["settings"]
    per_radius = sum(settings.get(n, {"base_value": 0.0})["base_value"]
                     for n in ("dabs_per_actual_radius", "dabs_per_basic_radius"))
    outside = [n for n in ("dabs_per_second",) if settings.get(n, {"base_value": 0})["base_value"]]
    outside += [f"radius by {i}" for i in settings["radius_logarithmic"]["inputs"]]
    reference = Stroke((2, 32), (300, 32), (600, 32), 2.0, (0.5, 0.5), (0, 0, 0))
    amp = float(setting(settings, "offset_by_random", 0.5))
    scattered, plain = record_dabs(reference, brush=brush), record_dabs(reference, brush=brush, scatter=False)
    n = min(len(scattered), len(plain))
    table = (scattered[:n, :2] - plain[:n, :2]) / (amp * plain[:n, 2:3]) if amp else np.zeros((n, 2))
    rng = np.random.default_rng(seed)
    path_error, scatter_error, counts = [], [], []
    for _ in range(strokes):
        stroke = Stroke.from_action(rng.random(12))
        real, without = record_dabs(stroke, brush=brush), record_dabs(stroke, brush=brush, scatter=False)
        model = dab_path(stroke, per_radius)
        counts.append(len(model) - len(without))
        m = min(len(model), len(without))
        path_error.append(np.linalg.norm(model[:m] - without[:m, :2], axis=1))
        m = min(len(real), len(without), n)
        nearest = ((without[:m, None, :2] - stroke.points()[None]) ** 2).sum(-1).argmin(1)
        offset = table[:m] * (setting(settings, "offset_by_random", stroke.pressures()[nearest]) * without[:m, 2])[:, None]
        scatter_error.append(np.linalg.norm(without[:m, :2] + offset - real[:m, :2], axis=1))
    path, scatter = np.concatenate(path_error), np.concatenate(scatter_error)
    return dict(brush=brush, dabs=len(scatter), outside=outside,
                path_px=(float(np.median(path)), float(np.percentile(path, 95))),
                scatter_px=(float(np.median(scatter)), float(np.percentile(scatter, 95))),
                count_differs=float(np.mean(np.asarray(counts) != 0)), count_range=(int(min(counts)), int(max(counts))))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--brushes", nargs="+", default=["classic/charcoal", "classic/ink_blot", "classic/short_grass",
                                                        "classic/dry_brush"])
    parser.add_argument("--strokes", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    print("| brush | dabs | path: median / p95 px | scatter given the path: median / p95 px | strokes whose dab count "
          "differs (model - MyPaint) | outside the path model |")
    print("|---|---|---|---|---|---|")
    for brush in args.brushes:
        r = measure(brush, args.strokes, args.seed)
        print(f"| {brush} | {r['dabs']} | {r['path_px'][0]:.3f} / {r['path_px'][1]:.3f} | {r['scatter_px'][0]:.3f} / "
              f"{r['scatter_px'][1]:.3f} | {r['count_differs']:.0%} ({r['count_range'][0]} to {r['count_range'][1]}) | "
              f"{', '.join(r['outside']) or '-'} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
