"""The round optimiser: the hand-written Adam against `torch.optim.Adam`, on whole paintings.

    python benchmarks/optimiser.py [--runs 3] [--strokes 1000] [--size 512]

Paints the astronaut (pixel objective, no time limit, so both do the same number of steps)
alternately with each optimiser, in one process after a warm-up, and prints each run's seconds,
the median per variant, and the likeness of the last paintings (PSNR and SSIM, PEERS.md's way).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from benchmarks.common import hardware  # noqa: E402
from benchmarks.peers import score  # noqa: E402
import painter.paint as paint_module  # noqa: E402
from painter.optimise import RoundOptimiser  # noqa: E402


class TorchAdam(RoundOptimiser):
    """The same round optimiser with `torch.optim.Adam` (single tensor, the default on the CPU)."""

    def __init__(self, space, actions, lr):
        super().__init__(space, actions, lr)
        self.adam = torch.optim.Adam([self.params], lr=lr)

    def step(self, loss_of):
        self.t += 1
        self.adam.zero_grad(set_to_none=True)
        loss = loss_of(self.space.actions(self.params))
        loss.backward()
        self.adam.step()
        return float(loss.detach())


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--strokes", type=int, default=1000)
    parser.add_argument("--size", type=int, default=512)
    args = parser.parse_args()
    from PIL import Image
    from skimage import data

    print(f"hardware: {hardware()}")
    photo = Image.fromarray(data.astronaut())
    painter = paint_module.Painter(objective="fallback", quiet=True)
    variants = {"hand-written Adam": RoundOptimiser, "torch.optim.Adam": TorchAdam}
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


if __name__ == "__main__":
    main()
