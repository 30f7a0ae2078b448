"""The working size against the painting's size, and the cost per stroke as the count grows.

    python benchmarks/work_size.py                    # 4,000 strokes at 1,024 px: working size 256 vs 1,024
    python benchmarks/work_size.py --scaling          # 1,000 / 2,000 / 4,000 / 8,000 strokes at 512 px
    python benchmarks/work_size.py --strokes 500 --size 256 --work-sizes 128 256 --photos astronaut

Each painting runs in a fresh process (benchmarks/common.py `paint_in_child`: the default
objective, seed 0), which reports its wall seconds and its peak resident memory. Likeness is measured at the painting's
full size (benchmarks/common.py `full_size_scores`: PSNR, SSIM, and the perceptual distance on
VGG19 layers no objective uses) against the photo enlarged to that size with Lanczos: skimage's
photos are 300 to 600 px, so at 1,024 px the detail a larger working size can add is the photo's
own, softened by the enlargement.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import full_size_scores, hardware, paint_in_child, photo_path  # noqa: E402


def compare_work_sizes(args, folder: Path):
    from PIL import Image

    print(f"{args.strokes} strokes, {args.size} px; likeness at full size\n")
    print("| photo | working size | time | peak memory | PSNR | SSIM | perceptual distance |")
    print("|---|---|---|---|---|---|---|")
    for name in args.photos:
        photo = photo_path(name, folder)
        for work in args.work_sizes:
            out = folder / f"{name}_{work}.png"
            row = paint_in_child(photo, out, strokes=args.strokes, size=args.size, work_size=work)
            psnr, ssim, perceptual = full_size_scores(Image.open(out), Image.open(photo))
            print(f"| {name} | {row['work']} | {row['total']:.1f} s | {row['peak_mb']:.0f} MB | {psnr:.2f} | "
                  f"{ssim:.3f} | {perceptual:.4f} |", flush=True)


def stroke_scaling(args, folder: Path):
    photo = photo_path(args.photos[0], folder)
    print(f"{args.photos[0]}, {args.scaling_size} px, the default working size\n")
    print("| strokes | time | seconds per 1,000 strokes | peak memory |")
    print("|---|---|---|---|")
    for strokes in args.scaling_strokes:
        row = paint_in_child(photo, folder / f"scaling_{strokes}.png", strokes=strokes, size=args.scaling_size)
        print(f"| {strokes} | {row['total']:.1f} s | {row['total'] / strokes * 1000:.1f} s | "
              f"{row['peak_mb']:.0f} MB |", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--strokes", type=int, default=4000)
    parser.add_argument("--size", type=int, default=1024)
    parser.add_argument("--work-sizes", type=int, nargs="+", default=[256, 1024])
    parser.add_argument("--photos", nargs="+", default=["astronaut", "chelsea", "coffee"])
    parser.add_argument("--scaling", action="store_true", help="seconds per 1,000 strokes as the count grows")
    parser.add_argument("--scaling-strokes", type=int, nargs="+", default=[1000, 2000, 4000, 8000])
    parser.add_argument("--scaling-size", type=int, default=512)
    args = parser.parse_args()
    print(f"hardware: {hardware()}", flush=True)
    folder = Path(tempfile.mkdtemp(prefix="work-size-"))
    if args.scaling:
        stroke_scaling(args, folder)
    else:
        compare_work_sizes(args, folder)


if __name__ == "__main__":
    main()
