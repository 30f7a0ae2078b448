"""The CLI's default painting with glibc's allocator tuned (painter/malloc.py) and as it comes, alternately.

    python benchmarks/malloc.py [--photo astronaut] [--runs 3]

Each run is `python -m painter paint PHOTO -o OUT` in a fresh process (1000 strokes, 512 px), the
tuned one as the painter sets it, the other with NEURAL_PAINTER_MALLOC=0, in turn. Prints each run's
wall, user and system seconds and peak resident memory (the child's rusage), and whether the two
PNGs are the same byte for byte.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import hardware, photo_path  # noqa: E402


def run(photo: Path, out: Path, tuned: bool) -> tuple[float, float, float, float]:
    """Wall, user, system seconds and peak MB of one painting in a fresh process."""
    env = {**os.environ, "NEURAL_PAINTER_OFFLINE": "1", "NEURAL_PAINTER_MALLOC": "1" if tuned else "0"}
    command = [sys.executable, "-m", "painter", "paint", str(photo), "-o", str(out), "--quiet"]
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if status:
        raise SystemExit(f"the painter failed (status {status})")
    return wall, usage.ru_utime, usage.ru_stime, usage.ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photo", default="astronaut")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"hardware: {hardware()}; load average {os.getloadavg()[0]:.2f} at start")
    folder = Path(tempfile.mkdtemp(prefix="malloc-"))
    photo = photo_path(args.photo, folder)
    rows = {True: [], False: []}
    for _ in range(args.runs):
        for tuned in (False, True):
            rows[tuned].append(run(photo, folder / f"{'tuned' if tuned else 'plain'}.png", tuned))
    print(f"{args.photo}, 1000 strokes, 512 px, {args.runs} runs each, alternately\n")
    print("| allocator | wall | user | system | peak memory |")
    print("|---|---|---|---|---|")
    for tuned in (False, True):
        wall, user, system, peak = (statistics.median(column) for column in zip(*rows[tuned]))
        label = "tuned (painter/malloc.py)" if tuned else "glibc's defaults"
        print(f"| {label} | {wall:.1f} s | {user:.1f} s | {system:.1f} s | {peak:.0f} MB |")
    same = (folder / "tuned.png").read_bytes() == (folder / "plain.png").read_bytes()
    print(f"\nmedians; the PNGs are {'the same' if same else 'NOT the same'} byte for byte; "
          f"load average {os.getloadavg()[0]:.2f} at end")


if __name__ == "__main__":
    main()
