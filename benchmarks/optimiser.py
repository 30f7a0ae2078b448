"""The round optimiser: the painter's Adam, written out, against `torch.optim.Adam`, each in a fresh process.

    python benchmarks/optimiser.py [--runs 3] [--photo astronaut] [--strokes 1000] [--size 512] [--lr-end 1.0]

Each run paints the photo (the CLI's defaults otherwise: the objective `auto`, seed 0, no time limit, so
both take the same steps) in a process of its own, as a CLI run does: once with the painter's
`RoundOptimiser` and once with a subclass that steps `torch.optim.Adam` (and `LinearLR` where `--lr-end` is
below 1), alternately. Printed per run: the seconds from the process's start (torch's import and whatever
torch.optim loads at its first optimiser, TorchDynamo, included) and the painting's SHA-256; then the
median per variant and whether the two paint the same painting, bit for bit.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import hardware, photo_path  # noqa: E402

CHILD = """
import sys, time
started = time.perf_counter()
sys.path.insert(0, sys.argv[1])
import painter
painter.setup()
import torch
import painter.painter as paint_module
from painter.optimise import RoundOptimiser


class LibraryAdam(RoundOptimiser):
    '''The same round optimiser stepping torch.optim.Adam (and LinearLR), as the painter did before.'''

    def __init__(self, space, actions, lr, steps=1, lr_end=1.0):
        super().__init__(space, actions, lr, steps, lr_end)
        self.adam = torch.optim.Adam([self.params], lr=lr)
        self.schedule = (torch.optim.lr_scheduler.LinearLR(self.adam, 1.0, lr_end, max(1, steps - 1))
                         if lr_end != 1.0 else None)

    def step(self, loss_of):
        self.t += 1
        self.adam.zero_grad(set_to_none=True)
        loss = loss_of(self.space.actions(self.params))
        loss.backward()
        self.adam.step()
        if self.schedule is not None:
            self.schedule.step()
        return float(loss.detach())


if sys.argv[2] == "torch.optim.Adam":
    paint_module.RoundOptimiser = LibraryAdam
from PIL import Image
photo, out, strokes, size, lr_end = sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6]), float(sys.argv[7])
for frame in paint_module.paint(Image.open(photo), strokes=strokes, size=size, seed=0, lr_end=lr_end, previews=False):
    pass
frame.painting.image.save(out)
print(time.perf_counter() - started)
"""

VARIANTS = ("written out", "torch.optim.Adam")


def run(variant: str, photo: Path, out: Path, args) -> tuple[float, str]:
    """Seconds from the child's start to its painting, and the painting's SHA-256."""
    done = subprocess.run([sys.executable, "-c", CHILD, str(ROOT), variant, str(photo), str(out), str(args.strokes),
                           str(args.size), str(args.lr_end)], check=True, capture_output=True, text=True,
                          env={**os.environ, "NEURAL_PAINTER_OFFLINE": "1"})
    return float(done.stdout.strip().splitlines()[-1]), hashlib.sha256(out.read_bytes()).hexdigest()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--photo", default="astronaut", help="a skimage photo")
    parser.add_argument("--strokes", type=int, default=1000)
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--lr-end", type=float, default=1.0, help="the rate at a round's last step, a share of lr")
    args = parser.parse_args()
    print(f"hardware: {hardware()}; {args.photo}, {args.strokes} strokes, {args.size} px, lr_end {args.lr_end:g}")
    times, hashes = {v: [] for v in VARIANTS}, {v: set() for v in VARIANTS}
    with tempfile.TemporaryDirectory() as folder:
        photo = photo_path(args.photo, Path(folder))
        for index in range(args.runs):
            for variant in VARIANTS:
                seconds, digest = run(variant, photo, Path(folder) / "painting.png", args)
                times[variant].append(seconds)
                hashes[variant].add(digest)
                print(f"run {index + 1}: {variant} {seconds:.2f} s, painting {digest[:16]}", flush=True)
    medians = {v: statistics.median(times[v]) for v in VARIANTS}
    print(json.dumps({"median_seconds": medians, "written_out_over_library": medians[VARIANTS[0]] / medians[VARIANTS[1]],
                      "same_painting": len(hashes[VARIANTS[0]] | hashes[VARIANTS[1]]) == 1}))


if __name__ == "__main__":
    main()
