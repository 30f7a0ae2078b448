"""The round optimiser: the hand-written Adam against `torch.optim.Adam`, on whole paintings.

    python benchmarks/optimiser.py [--runs 3] [--strokes 1000] [--size 512]

Paints the first photo (pixel objective, no time limit, so both do the same number of steps)
alternately with each optimiser, in one process after a warm-up, and prints each run's seconds,
the median per variant, and the likeness of the paintings (PSNR and SSIM, PEERS.md's way) of
every photo asked for.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import painter  # noqa: E402

painter.setup()  # first, before torch loads (painter/process.py)

import torch  # noqa: E402

from benchmarks.common import hardware  # noqa: E402
from benchmarks.common import score  # noqa: E402
import painter.painter as paint_module  # noqa: E402
from painter.optimise import RoundOptimiser  # noqa: E402


class WrittenAdam(RoundOptimiser):
    """The round optimiser with Adam written out, as the painter had it before."""

    def __init__(self, space, actions, lr):
        super().__init__(space, actions, lr)
        self.m = torch.zeros_like(self.params)
        self.v = torch.zeros_like(self.params)

    def step(self, loss_of):
        self.t += 1
        loss = loss_of(self.space.actions(self.params))
        (grad,) = torch.autograd.grad(loss, [self.params])
        b1, b2, eps = 0.9, 0.999, 1e-8
        with torch.no_grad():
            self.m.mul_(b1).add_(grad, alpha=1 - b1)
            self.v.mul_(b2).addcmul_(grad, grad, value=1 - b2)
            step_size = self.adam.defaults["lr"] * math.sqrt(1 - b2 ** self.t) / (1 - b1 ** self.t)
            self.params.addcdiv_(self.m, self.v.sqrt().add_(eps), value=-step_size)
        return float(loss.detach())


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--strokes", type=int, default=1000)
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--photos", nargs="*", default=["astronaut"],
                        help="skimage photos to paint; the first one is timed")
    args = parser.parse_args()
    from PIL import Image
    from skimage import data

    print(f"hardware: {hardware()}")
    photo = Image.fromarray(data.astronaut())
    painter = paint_module.Painter(objective="pixel")
    variants = {"hand-written Adam": WrittenAdam, "torch.optim.Adam": RoundOptimiser}
    times = {name: [] for name in variants}
    last = {}
    for run in range(args.runs + 1):  # the first round is a warm-up
        for name, optimiser in variants.items():
            paint_module.RoundOptimiser = optimiser
            start = time.perf_counter()
            frames = list(painter.paint(photo, strokes=args.strokes, size=args.size, seed=0))
            seconds = time.perf_counter() - start
            if run:
                times[name].append(seconds)
                print(f"run {run}: {name} {seconds:.2f} s", flush=True)
            last[name] = frames[-1].painting.image
    for name in variants:
        psnr, ssim = score(last[name], photo)
        print(f"{name}: median {statistics.median(times[name]):.2f} s over {args.runs} runs; "
              f"PSNR {psnr:.2f}, SSIM {ssim:.3f}")
    for other in args.photos[1:]:
        image = Image.fromarray(getattr(data, other)())
        for name, optimiser in variants.items():
            paint_module.RoundOptimiser = optimiser
            final = list(painter.paint(image, strokes=args.strokes, size=args.size, seed=0))[-1]
            psnr, ssim = score(final.painting.image, image)
            print(f"{other}, {name}: PSNR {psnr:.2f}, SSIM {ssim:.3f}", flush=True)


if __name__ == "__main__":
    main()
