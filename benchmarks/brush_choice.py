"""Which MyPaint brushes to ship: how alike their strokes are, and how far MyPaint agrees with itself.

    python benchmarks/brush_choice.py [--strokes 1000] [--brushes classic/charcoal classic/knife ...]

Every candidate paints the same fresh random actions (training/evaluate.py's seed, the training
distribution). Printed per brush: mean coverage, how much of its area paint covers, MyPaint's
agreement with itself (another random stream; points jittered by 0.26 px), the same measures as
`python -m training eval`, so the ceilings a neural brush of it is held to; and the blurred IoU
between every two brushes' strokes (1: the same marks; a set to ship should score low). Brushes
that read the canvas (smudge, eraser, ...) are listed as refused.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import painter  # noqa: E402

painter.setup()  # first, before torch loads (painter/process.py)

from benchmarks.common import hardware  # noqa: E402
from painter.mypaint import BrushRefused, check_brush  # noqa: E402
from training.data import sample_actions  # noqa: E402
from training.evaluate import EVAL_SEED, blurred_iou, jittered, mean_abs_error  # noqa: E402
from training.evaluate import mypaint_coverage as coverage  # noqa: E402
from training.render import BatchRenderer  # noqa: E402

CANDIDATES = ("classic/dry_brush", "classic/charcoal", "classic/knife", "classic/marker_fat", "classic/calligraphy",
              "classic/ink_blot", "classic/pencil", "classic/kabura", "classic/bulk", "classic/coarse_bulk_1",
              "classic/blending_knife")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--strokes", type=int, default=1000)
    parser.add_argument("--brushes", nargs="+", default=list(CANDIDATES))
    args = parser.parse_args()
    print(f"hardware: {hardware()}")
    actions = sample_actions(np.random.default_rng(EVAL_SEED), args.strokes)
    moved = jittered(actions, np.random.default_rng(EVAL_SEED + 1))
    renders = {}
    print(f"\n{args.strokes} fresh actions per brush\n")
    print("| brush | mean coverage | painted area (blurred mask) | MyPaint, other stream: IoU / MAE "
          "| MyPaint, jittered 0.26 px: IoU / MAE | s per 1000 strokes |")
    print("|---|---|---|---|---|---|")
    for name in args.brushes:
        try:
            check_brush(name)
        except BrushRefused as error:
            print(f"| {name} | refused: {error} | | | | |")
            continue
        with BatchRenderer(brush=name) as renderer:
            started = time.perf_counter()
            real = coverage(renderer, actions)
            seconds = (time.perf_counter() - started) * 1000 / len(actions)
            other, shaken = coverage(renderer, actions, 1), coverage(renderer, moved)
        renders[name] = real
        area = float((real > 0.5).float().mean())
        print(f"| {name} | {float(real.mean()):.4f} | {area:.3f} | {blurred_iou(other, real):.3f} / "
              f"{mean_abs_error(other, real):.4f} | {blurred_iou(shaken, real):.3f} / "
              f"{mean_abs_error(shaken, real):.4f} | {seconds:.2f} |")
    names = list(renders)
    short = [n.split("/")[-1] for n in names]
    print("\nblurred IoU between brushes (same actions)\n")
    print("| | " + " | ".join(short) + " |")
    print("|---|" + "---|" * len(names))
    for a, label in zip(names, short):
        print(f"| {label} | " + " | ".join(f"{blurred_iou(renders[a], renders[b]):.2f}" for b in names) + " |")


if __name__ == "__main__":
    main()
