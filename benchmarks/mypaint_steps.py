"""Does the optimiser do better on MyPaint's canvas when its loss sees MyPaint's own stroke (issue 33)?

    python benchmarks/mypaint_steps.py [--photos astronaut chelsea coffee] [--brushes ...] [--steps 0 16]

With `canvas="mypaint"` MyPaint paints every committed round; the rounds are still optimised through
the neural brush, which paints each brush's average stroke. With `mypaint_steps=k` the last k Adam
steps of every round composite MyPaint's own stroke for each action (its 64 px cell, stream 0, a
fresh brush: what the canvas will get) in place of the neural brush's, which still gives the
gradient (a straight-through estimate). Each photo and brush is painted with every value of
`--steps` in turn, in this process, at the CLI's defaults (1000 strokes, 512 px, seed 0), and the
PNG is scored against the photo: the judge's distance (benchmarks/judge.py, on PEERS.md's 256 px
squares; lower is closer), PSNR and SSIM, with the wall time of the painting.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import painter  # noqa: E402

painter.setup()  # first, before torch loads (painter/process.py)

from benchmarks.common import hardware, perceptual_distance, photo_path, score  # noqa: E402


def main(argv=None) -> int:
    from PIL import Image

    from painter.brush import shipped_brushes
    from painter.painter import Painter

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", nargs="+", default=["astronaut", "chelsea", "coffee"])
    parser.add_argument("--brushes", nargs="+", default=[b.name for b in shipped_brushes()])
    parser.add_argument("--steps", nargs="+", type=int, default=[0, 16])
    parser.add_argument("--strokes", type=int, default=1000)
    parser.add_argument("--size", type=int, default=512)
    args = parser.parse_args(argv)
    print(f"# {hardware()}; canvas mypaint, {args.strokes} strokes at {args.size} px, seed 0")
    print("| photo | brush | mypaint_steps | distance | PSNR | SSIM | seconds |")
    print("|---|---|---|---|---|---|---|")
    painter = Painter("cpu")
    with tempfile.TemporaryDirectory() as folder:
        for photo_name in args.photos:
            photo = Image.open(photo_path(photo_name, Path(folder))).convert("RGB")
            for brush in args.brushes:
                for steps in args.steps:
                    started = time.perf_counter()
                    for frame in painter.paint(photo, strokes=args.strokes, size=args.size, seed=0, brush=brush,
                                               canvas="mypaint", mypaint_steps=steps, previews=False):
                        pass
                    seconds = time.perf_counter() - started
                    shown = Image.fromarray(frame.canvas)
                    psnr, ssim = score(shown, photo)
                    print(f"| {photo_name} | {brush} | {steps} | {perceptual_distance(shown, photo):.3f} | "
                          f"{psnr:.2f} | {ssim:.3f} | {seconds:.1f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
