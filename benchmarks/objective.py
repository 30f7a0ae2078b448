"""The objectives compared at equal steps and at equal wall time, by the judge.

    python benchmarks/objective.py                                  # the CLI's and the CPU Space's defaults
    python benchmarks/objective.py --settings cli --objectives pixel vgg19

Each painting runs end to end as a user runs it (`python -m painter paint PHOTO --objective X
[--time-limit T]`, a fresh process: start-up, photo, painting, PNG), on skimage's astronaut, chelsea
and coffee, at two defaults: the CLI's (1000 strokes, 512 px, no time limit) and the CPU Space's
(600 strokes, 384 px, 40 s). For each, every objective is painted
- at equal steps: every Adam step taken (no time limit: what a GPU does), and
- at equal wall time: with the time limit the first objective (pixels) took at equal steps, or the
  setting's own limit (the Space's 40 s) where that is shorter, so that no objective gets more time.
Reported: wall time; PSNR and SSIM (PEERS.md's protocol); and the judge's distance
(benchmarks/judge.py: an ImageNet EfficientNet-Lite2 the painter never loads; lower is closer).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import hardware, paint_with_cli, perceptual_distance, photo_path, score  # noqa: E402

PHOTOS = ("astronaut", "chelsea", "coffee")
SETTINGS = {"cli": (1000, 512, None), "space": (600, 384, 40.0)}  # strokes, size, time limit


def paint(photo: Path, out: Path, objective: str, strokes: int, size: int, time_limit: float | None) -> float:
    """Paint through the CLI in a fresh process; the seconds it took, start-up included."""
    options = ["--objective", objective, "--strokes", str(strokes), "--size", str(size)]
    return paint_with_cli(photo, out, *options, *(["--time-limit", str(time_limit)] if time_limit else []))


def main():
    from PIL import Image

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--objectives", nargs="+", default=["pixel", "vgg19"])
    parser.add_argument("--settings", nargs="+", choices=list(SETTINGS), default=list(SETTINGS))
    parser.add_argument("--photos", nargs="+", default=list(PHOTOS))
    parser.add_argument("--out", default=None, help="keep the paintings here")
    args = parser.parse_args()
    print(f"hardware: {hardware()}; load average {os.getloadavg()[0]:.2f} at start", flush=True)
    out = Path(args.out or tempfile.mkdtemp(prefix="objective-"))
    out.mkdir(parents=True, exist_ok=True)
    print("| setting | photo | objective | mode | time | PSNR | SSIM | judge's distance |")
    print("|---|---|---|---|---|---|---|---|")
    for setting in args.settings:
        strokes, size, limit = SETTINGS[setting]
        for name in args.photos:
            photo = photo_path(name, out)
            equal_time = None
            for mode in ("equal steps", "equal time"):
                for objective in args.objectives:
                    time_limit = None if mode == "equal steps" else equal_time
                    painted = out / f"{setting}_{name}_{objective}_{mode.replace(' ', '_')}.png"
                    seconds = paint(photo, painted, objective, strokes, size, time_limit)
                    if equal_time is None:
                        equal_time = round(min(seconds, limit or seconds), 1)
                    painting, original = Image.open(painted), Image.open(photo)
                    psnr, ssim = score(painting, original)
                    label = mode if time_limit is None else f"{mode} ({time_limit:g} s)"
                    print(f"| {setting} ({strokes}, {size} px) | {name} | {objective} | {label} | {seconds:.1f} s | "
                          f"{psnr:.2f} | {ssim:.3f} | {perceptual_distance(painting, original):.4f} |", flush=True)
    print(f"\nload average {os.getloadavg()[0]:.2f} at end")


if __name__ == "__main__":
    main()
