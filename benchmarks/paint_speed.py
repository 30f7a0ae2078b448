"""End to end, as a user runs it: time, time to the first frame, peak memory, and quality.

    python benchmarks/paint_speed.py                      # 512 px, 1000 strokes, astronaut
    python benchmarks/paint_speed.py --table              # strokes x sizes table
    python benchmarks/paint_speed.py --objective pixel    # another objective (default: auto)

Each painting runs in a fresh process that starts the clock before it imports anything (so
start-up counts), paints with `painter.paint`, saves the PNG, and reports: total seconds, the
first frame's time since the start, peak resident memory (ru_maxrss), PSNR and SSIM against the
photo (PEERS.md's protocol) and the judge's distance (benchmarks/judge.py: an EfficientNet the
painter never loads).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def run_one(name, strokes, size, limit=None, objective="auto"):
    from PIL import Image

    from benchmarks.common import paint_in_child, perceptual_distance, photo_path, score

    folder = Path(tempfile.mkdtemp(prefix="speed-"))
    out = folder / f"{name}_{strokes}_{size}.png"
    photo = photo_path(name, folder)  # a file, as a user hands it over (importing skimage is not the painter's start-up)
    row = paint_in_child(photo, out, strokes=strokes, size=size, time_limit=limit, objective=objective)
    painting, photo = Image.open(out), Image.open(photo)
    row["psnr"], row["ssim"] = score(painting, photo)
    row["perceptual"] = perceptual_distance(painting, photo)
    row["path"] = str(out)
    return row


def main():
    from benchmarks.common import hardware
    from painter.choices import OBJECTIVES

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photo", default="astronaut")
    parser.add_argument("--strokes", type=int, default=1000)
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--table", action="store_true")
    parser.add_argument("--objective", default="auto", choices=OBJECTIVES,
                        help="auto: pixels on a CPU; on a GPU VGG16 where its ImageNet weights can be had, else VGG19")
    args = parser.parse_args()
    print(f"hardware: {hardware()}; load average {os.getloadavg()[0]:.2f} at start", flush=True)
    if not args.table:
        r = run_one(args.photo, args.strokes, args.size, objective=args.objective)
        print(f"{args.photo}, {args.strokes} strokes, {args.size} px, objective {args.objective}: {r['total']:.1f} s end to end, first frame "
              f"{r['first']:.2f} s, peak memory {r['peak_mb']:.0f} MB, PSNR {r['psnr']:.2f}, SSIM {r['ssim']:.3f}, "
              f"perceptual distance {r['perceptual']:.4f}")
    else:
        print("| strokes | size | time | first frame | PSNR | SSIM | perceptual distance | peak memory |")
        print("|---|---|---|---|---|---|---|---|")
        for size in (256, 512, 1024):
            for strokes in (200, 500, 1000, 2000):
                r = run_one(args.photo, strokes, size)
                print(f"| {strokes} | {size} | {r['total']:.1f} s | {r['first']:.2f} s | {r['psnr']:.2f} | "
                      f"{r['ssim']:.3f} | {r['perceptual']:.4f} | {r['peak_mb']:.0f} MB |", flush=True)
    print(f"load average {os.getloadavg()[0]:.2f} at end")


if __name__ == "__main__":
    main()
