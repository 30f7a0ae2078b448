"""Detail mask: the error inside the mask with and without it, at equal strokes and at equal time.

    nice python benchmarks/detail_mask.py                   # 256 px, 500 strokes
    nice python benchmarks/detail_mask.py --size 128 --strokes 200

Masks: a box over the astronaut's face, and one over the coffee cup (skimage's images). Each photo
is painted without the mask and with it (detail density 4, the default, and 8), once with no time
limit (equal strokes) and once more under the same time limit for all (equal strokes and time).
Reported: mean absolute error (0-255) and PSNR inside the mask and outside it, against the photo
at the painting's size, and how many stroke centres fall inside the mask.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("NEURAL_PAINTER_OFFLINE", "1")

import painter  # noqa: E402

painter.setup()  # first, before torch loads (painter/process.py)

# (photo, box as (top, bottom, left, right) shares of the height and width)
MASKS = (("astronaut", (0.08, 0.45, 0.29, 0.59)), ("coffee", (0.15, 0.85, 0.2, 0.85)))


def main():
    import numpy as np
    from PIL import Image
    from skimage import data

    from benchmarks.common import hardware
    from painter import Painter
    from painter.photo import fit_long_side

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--strokes", type=int, default=500)
    parser.add_argument("--time-limit", type=float, default=None,
                        help="seconds for the equal-time runs (default: the plain painting's own time)")
    args = parser.parse_args()
    print(f"hardware: {hardware()}; load average {os.getloadavg()[0]:.2f} at start", flush=True)
    painter = Painter()
    print(f"objective: {painter.objective.description}; {args.size} px, {args.strokes} strokes\n")
    print("| photo | run | time limit | MAE inside | PSNR inside | MAE outside | PSNR outside | centres inside | wall s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, (top, bottom, left, right) in MASKS:
        photo = Image.fromarray(getattr(data, name)())
        h, w = photo.height, photo.width
        mask = np.zeros((h, w), np.uint8)
        mask[int(top * h):int(bottom * h), int(left * w):int(right * w)] = 255
        target = np.asarray(fit_long_side(photo, args.size), np.float64)
        inside = np.asarray(Image.fromarray(mask).resize((target.shape[1], target.shape[0]), Image.NEAREST)) > 127
        limit = args.time_limit
        for timed in (False, True):
            for label, settings in (("no mask", {}), ("mask", {"detail_mask": mask}),
                                    ("mask, density 8", {"detail_mask": mask, "detail_density": 8.0})):
                wall = time.perf_counter()
                final = list(painter.paint(photo, strokes=args.strokes, size=args.size, seed=0,
                                           time_limit=limit if timed else None, **settings))[-1]
                wall = time.perf_counter() - wall
                if not timed and label == "no mask" and limit is None:
                    limit = round(wall, 1)  # the equal-time runs all get the plain painting's time
                error = np.abs(np.asarray(final.painting.image, np.float64) - target).mean(axis=2)
                mse = (np.asarray(final.painting.image, np.float64) - target) ** 2

                def psnr(region):
                    return 10 * np.log10(255 ** 2 / mse[region].mean())

                centres = sum(bool(inside[min(inside.shape[0] - 1, int((s.start[1] + s.end[1]) / 2)),
                                          min(inside.shape[1] - 1, int((s.start[0] + s.end[0]) / 2))])
                              for s in final.painting.strokes)
                print(f"| {name} | {label} | {f'{limit:.1f} s' if timed else '-'} | {error[inside].mean():.2f} | "
                      f"{psnr(inside):.2f} | {error[~inside].mean():.2f} | {psnr(~inside):.2f} | "
                      f"{centres}/{len(final.painting.strokes)} | {wall:.1f} |", flush=True)
    print(f"\nload average {os.getloadavg()[0]:.2f} at end")


if __name__ == "__main__":
    main()
