"""The CLI's default painting against an older commit's, run alternately in one sitting (issue 21).

    python benchmarks/cli_versus.py --base 67527dc            # the main branch when issue 21 was filed
    python benchmarks/cli_versus.py --base HEAD~3 --photos astronaut --runs 3
    python benchmarks/cli_versus.py --base HEAD~1 --strokes 600 --size 384   # the CPU Space's defaults

Checks the `--base` commit out into a temporary git worktree, then paints each dev photo with
`python -m painter paint PHOTO -o OUT` (the defaults: 1000 strokes, 512 px, objective auto) from
that checkout and from this one, in turn (base, this, base, this, ...), each a fresh process
timed from its start: the machine's load moves absolute times by a factor of two, so only the
ratio of runs side by side means anything. Prints each run's wall time, the ratio of the medians
and, for the last painting of each, PSNR, SSIM and the judge's distance (benchmarks/judge.py).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import hardware, paint_with_cli, perceptual_distance, photo_path, score  # noqa: E402

PHOTOS = ("astronaut", "chelsea", "coffee")


def main():
    from PIL import Image

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", required=True, help="the commit to compare with (any git revision)")
    parser.add_argument("--photos", nargs="+", default=list(PHOTOS))
    parser.add_argument("--runs", type=int, default=2, help="runs of each checkout per photo")
    parser.add_argument("--strokes", type=int, help="instead of the CLI's default")
    parser.add_argument("--size", type=int, help="instead of the CLI's default")
    parser.add_argument("--brush", help="a shipped brush's name, instead of the default")
    args = parser.parse_args()
    options = [f for name in ("strokes", "size", "brush") if getattr(args, name) is not None
               for f in (f"--{name}", str(getattr(args, name)))]
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True,
                           text=True).stdout.strip()
    print(f"hardware: {hardware()}; load average {os.getloadavg()[0]:.2f} at start")
    print(f"base {args.base} against this checkout ({head}{', with changes' if dirty else ''}), "
          f"{args.runs} runs each, alternately; options: {' '.join(options) or 'the defaults'}\n")
    out = Path(tempfile.mkdtemp(prefix="versus-"))
    base = out / "base"
    subprocess.run(["git", "worktree", "add", "--detach", str(base), args.base], cwd=ROOT, check=True,
                   capture_output=True)
    try:
        print("| photo | base: runs | this: runs | this / base (medians) | base: PSNR, SSIM, judge | "
              "this: PSNR, SSIM, judge |")
        print("|---|---|---|---|---|---|")
        for name in args.photos:
            photo = photo_path(name, out)
            times = {"base": [], "this": []}
            for _ in range(args.runs):
                for label, checkout in (("base", base), ("this", ROOT)):
                    times[label].append(paint_with_cli(photo, out / f"{name}_{label}.png", *options,
                                                      checkout=checkout))
            scores = []
            for label in ("base", "this"):
                painting, original = Image.open(out / f"{name}_{label}.png"), Image.open(photo)
                psnr, ssim = score(painting, original)
                scores.append(f"{psnr:.2f}, {ssim:.3f}, {perceptual_distance(painting, original):.4f}")
            ratio = statistics.median(times["this"]) / statistics.median(times["base"])
            print(f"| {name} | {', '.join(f'{t:.1f}' for t in times['base'])} s | "
                  f"{', '.join(f'{t:.1f}' for t in times['this'])} s | {ratio:.2f} | {scores[0]} | {scores[1]} |",
                  flush=True)
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(base)], cwd=ROOT, capture_output=True)
    print(f"\nload average {os.getloadavg()[0]:.2f} at end")


if __name__ == "__main__":
    main()
