"""The objectives compared at equal time: pixels, trained VGG19 features, untrained VGG16 features.

    python benchmarks/objective.py                       # 1000 strokes, 512 px, time limit 45 s
    python benchmarks/objective.py --objectives pixel vgg19 --strokes 600 --size 384 --time-limit 40

Each painting runs end to end as a user runs it (`python -m painter paint PHOTO --objective X
--time-limit T`, a fresh process: start-up, photo, painting, PNG), on skimage's astronaut, chelsea
and coffee. Reported: wall time; PSNR and SSIM (PEERS.md's protocol); and a perceptual distance
that no objective optimises: LPIPS-like, on VGG19's relu4_1 and relu5_1 (benchmarks/common.py),
deeper than any layer the feature objective uses (relu2_2). Lower is closer.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import hardware, perceptual_distance, photo_path, score  # noqa: E402

PHOTOS = ("astronaut", "chelsea", "coffee")


def paint(photo: Path, out: Path, objective: str, strokes: int, size: int, time_limit: float | None) -> float:
    """Paint through the CLI in a fresh process; the seconds it took, start-up included."""
    command = [sys.executable, "-m", "painter", "paint", str(photo), "-o", str(out), "--quiet", "--objective",
               objective, "--strokes", str(strokes), "--size", str(size)]
    if time_limit:
        command += ["--time-limit", str(time_limit)]
    env = {**os.environ, "NEURAL_PAINTER_OFFLINE": "1"}
    start = time.perf_counter()
    subprocess.run(command, check=True, cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main():
    from PIL import Image

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--objectives", nargs="+", default=["pixel", "vgg19", "vgg16-untrained"])
    parser.add_argument("--strokes", type=int, default=1000)
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--time-limit", type=float, default=45.0)
    parser.add_argument("--photos", nargs="+", default=list(PHOTOS))
    parser.add_argument("--out", default=None, help="keep the paintings here")
    args = parser.parse_args()
    print(f"hardware: {hardware()}; load average {os.getloadavg()[0]:.2f} at start", flush=True)
    print(f"{args.strokes} strokes, {args.size} px, time limit {args.time_limit:g} s\n")
    out = Path(args.out or tempfile.mkdtemp(prefix="objective-"))
    out.mkdir(parents=True, exist_ok=True)
    print("| photo | objective | time | PSNR | SSIM | perceptual distance |")
    print("|---|---|---|---|---|---|")
    for name in args.photos:
        photo = photo_path(name, out)
        for objective in args.objectives:
            painted = out / f"{name}_{objective}.png"
            seconds = paint(photo, painted, objective, args.strokes, args.size, args.time_limit)
            painting, original = Image.open(painted), Image.open(photo)
            psnr, ssim = score(painting, original)
            print(f"| {name} | {objective} | {seconds:.1f} s | {psnr:.2f} | {ssim:.3f} | "
                  f"{perceptual_distance(painting, original):.4f} |", flush=True)
    print(f"\nload average {os.getloadavg()[0]:.2f} at end")


if __name__ == "__main__":
    main()
