"""How torch's OpenMP threads wait between operations: alone on the CPU, and sharing it.

    python benchmarks/openmp_wait.py [--strokes 300] [--size 256] [--runs 2]

The painter runs many small operations, between which torch's OpenMP threads (GNU libgomp in the
Linux wheels) either spin or sleep. Each setting paints the astronaut through the CLI (pixel
objective, a fresh process) alone, then as two processes at once (two users, or a test run beside
a benchmark), and prints the wall seconds. Settings: OMP_WAIT_POLICY=ACTIVE (spin forever),
PASSIVE (sleep at once), libgomp's default, and GOMP_SPINCOUNT=N (spin N times, then sleep).
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

SETTINGS = {
    "ACTIVE": {"OMP_WAIT_POLICY": "ACTIVE"},
    "PASSIVE": {"OMP_WAIT_POLICY": "PASSIVE"},
    "libgomp default": {"OMP_WAIT_POLICY": ""},
    "GOMP_SPINCOUNT=500": {"OMP_WAIT_POLICY": "", "GOMP_SPINCOUNT": "500"},
    "GOMP_SPINCOUNT=1000": {"OMP_WAIT_POLICY": "", "GOMP_SPINCOUNT": "1000"},
    "GOMP_SPINCOUNT=2000": {"OMP_WAIT_POLICY": "", "GOMP_SPINCOUNT": "2000"},
}


def wall(env: dict, photo: Path, folder: Path, strokes: int, size: int, processes: int) -> float:
    """Seconds until `processes` paintings started together have all finished."""
    command = [sys.executable, "-m", "painter", "paint", str(photo), "--quiet", "--objective", "pixel",
               "--strokes", str(strokes), "--size", str(size)]
    environment = {**os.environ, "NEURAL_PAINTER_OFFLINE": "1", **env}
    start = time.perf_counter()
    running = [subprocess.Popen(command + ["-o", str(folder / f"p{k}.png")], cwd=ROOT, env=environment,
                                stderr=subprocess.DEVNULL) for k in range(processes)]
    for process in running:
        if process.wait():
            raise SystemExit(f"the painter failed under {env}")
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--strokes", type=int, default=300)
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    print(f"hardware: {hardware()}; {args.strokes} strokes, {args.size} px, median of {args.runs} runs\n", flush=True)
    folder = Path(tempfile.mkdtemp(prefix="openmp-"))
    photo = photo_path("astronaut", folder)
    print("| setting | alone | two at once |")
    print("|---|---|---|")
    results = {name: ([], []) for name in SETTINGS}
    for _ in range(args.runs):  # alternating, so that the machine's drift is shared
        for name, env in SETTINGS.items():
            results[name][0].append(wall(env, photo, folder, args.strokes, args.size, 1))
            results[name][1].append(wall(env, photo, folder, args.strokes, args.size, 2))
    for name, (alone, pair) in results.items():
        print(f"| {name} | {statistics.median(alone):.1f} s | {statistics.median(pair):.1f} s |")


if __name__ == "__main__":
    main()
