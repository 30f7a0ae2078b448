"""Where MyPaint puts each dab of a stroke at stream 0, as the brush's dab guide predicts it without MyPaint.

    python benchmarks/dab_positions.py [--brushes classic/charcoal ...] [--strokes 200]

A fresh libmypaint brush always draws the same random numbers, so dab k of every stroke gets the same
random offset direction. The guide (`painter/dabs.py` `DabGuide.centres`, from the brush's .myb settings
and one reference stroke) places dab k where the stroke's length along its curve, in brush radii, reaches
(k + 1) / dabs per radius (an elliptical brush's steps measured across the ellipse of the dab before,
turned by that dab's fixed angle), and moves it by g_k x `offset_by_random`(pressure) x radius, g_k a
fixed pair of numbers per index (`random_pairs`).

For uniform random actions (the uniform half of the training distribution) it prints, per brush, how far the guide's dabs lie from
the dabs MyPaint records (`painter.mypaint.record_dabs`; px in the brush's 64 px cell): all of them; for a
round brush also its path (the guide without its random pairs) against MyPaint's dabs without scatter,
and its scatter (what the random pairs add) on MyPaint's own path, against MyPaint's dabs with scatter
(an elliptical brush without its scatter turns its dabs otherwise, so it has no such path); and the
strokes whose dab count differs from MyPaint's. The brushes whose dabs also follow time (`dabs_per_second`) or speed (the radius's `speed`
inputs) are outside the path model, and say so.
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

import torch  # noqa: E402

from painter.dabs import DabGuide, dab_settings  # noqa: E402
from painter.stroke import ACTION_SIZE  # noqa: E402
from painter.mypaint import brush_definition, record_dabs  # noqa: E402
from painter.stroke import Stroke  # noqa: E402


def measure(brush: str, strokes: int, seed: int) -> dict:
    settings = json.loads(brush_definition(brush))["settings"]
    outside = [f"radius by {i}" for i in settings["radius_logarithmic"]["inputs"]]
    guide = DabGuide(**dab_settings(brush)).read(brush)
    actions = torch.from_numpy(np.random.default_rng(seed).random((strokes, ACTION_SIZE)).astype(np.float32))
    with torch.no_grad():
        scattered = guide.centres(actions)[0]
        guide.table.zero_()   # the path: the guide without its random pairs (an elliptical brush keeps its angles)
        path, _, painted = guide.centres(actions)
        offsets = scattered - path
    path_error, scatter_error, all_error, counts = [], [], [], []
    for action, on_path, offset, mask in zip(actions.numpy(), path.numpy(), offsets.numpy(), painted.numpy()):
        stroke = Stroke.from_action(action)
        real, without = record_dabs(stroke, brush=brush), record_dabs(stroke, brush=brush, scatter=False)
        model = int(mask.sum())
        counts.append(model - len(real))
        m = min(model, len(real))
        all_error.append(np.linalg.norm(on_path[:m] + offset[:m] - real[:m, :2], axis=1))
        if guide.ratio == 1:  # (an elliptical brush without its scatter turns its dabs otherwise: another path)
            m = min(m, len(without))
            path_error.append(np.linalg.norm(on_path[:m] - without[:m, :2], axis=1))
            scatter_error.append(np.linalg.norm(without[:m, :2] + offset[:m] - real[:m, :2], axis=1))

    def spread(errors):
        px = np.concatenate(errors) if errors else None
        return None if px is None else (float(np.median(px)), float(np.percentile(px, 95)))

    return dict(brush=brush, dabs=sum(map(len, all_error)), outside=outside, path_px=spread(path_error),
                scatter_px=spread(scatter_error), all_px=spread(all_error),
                count_differs=float(np.mean(np.asarray(counts) != 0)), count_range=(int(min(counts)), int(max(counts))))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--brushes", nargs="+", default=["classic/charcoal", "classic/ink_blot", "classic/short_grass",
                                                        "classic/dry_brush"])
    parser.add_argument("--strokes", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    print("| brush | dabs | the guide's dabs against MyPaint's: median / p95 px | path: median / p95 px | scatter "
          "given the path: median / p95 px | strokes whose dab count differs (model - MyPaint) | outside the path model |")
    print("|---|---|---|---|---|---|---|")
    for brush in args.brushes:
        r = measure(brush, args.strokes, args.seed)
        px = [f"{p[0]:.3f} / {p[1]:.3f}" if p else "-" for p in (r["all_px"], r["path_px"], r["scatter_px"])]
        print(f"| {brush} | {r['dabs']} | {' | '.join(px)} | {r['count_differs']:.0%} ({r['count_range'][0]} to "
              f"{r['count_range'][1]}) | {', '.join(r['outside']) or '-'} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
