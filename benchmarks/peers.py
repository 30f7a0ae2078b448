"""The painter against the peer (primitive, 500 shapes; ../shared/PEERS.md) on skimage's photos.

    python benchmarks/peers.py [--strokes 1000] [--size 512] [--time-limit 40] [--out DIR]

Each painting runs end to end as the CLI does (a fresh process: start-up, photo, painting, PNG),
and is scored exactly as PEERS.md says: both images center-cropped to a square, Lanczos to
256 x 256, float in [0, 1], skimage's PSNR and SSIM (channel_axis=2, data_range=1).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import hardware, photo_path, score  # noqa: E402

PEER = {  # primitive -n 500 -m 0 -r 256 -s 256 -j 2, from PEERS.md
    "astronaut": (50.8, 22.52, 0.717),
    "chelsea": (43.8, 26.57, 0.631),
    "coffee": (45.8, 24.38, 0.741),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--strokes", type=int, default=1000)
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--time-limit", type=float, default=None)
    parser.add_argument("--photos", nargs="*", default=list(PEER))
    parser.add_argument("--out", default=None, help="keep the paintings here")
    args = parser.parse_args()
    print(f"hardware: {hardware()}; load average {os.getloadavg()[0]:.2f} at start")
    out = Path(args.out or tempfile.mkdtemp(prefix="peers-"))
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for name in args.photos:
        photo = photo_path(name, out)
        painted = out / f"{name}_painter{args.strokes}.png"
        command = [sys.executable, "-m", "painter", "paint", str(photo), "-o", str(painted), "--quiet",
                   "--strokes", str(args.strokes), "--size", str(args.size), "--seed", str(args.seed)]
        if args.time_limit:
            command += ["--time-limit", str(args.time_limit)]
        start = time.perf_counter()
        subprocess.run(command, check=True, cwd=ROOT, stderr=subprocess.DEVNULL)
        seconds = time.perf_counter() - start
        psnr, ssim = score(Image.open(painted), Image.open(photo))
        peer_s, peer_psnr, peer_ssim = PEER.get(name, (float("nan"),) * 3)
        rows.append((name, seconds, psnr, ssim, peer_s, peer_psnr, peer_ssim))
        print(f"{name}: painter {seconds:.1f} s PSNR {psnr:.2f} SSIM {ssim:.3f} | primitive {peer_s:.1f} s "
              f"PSNR {peer_psnr:.2f} SSIM {peer_ssim:.3f}", flush=True)
    print(f"load average {os.getloadavg()[0]:.2f} at end")
    print("\n| photo | painter wall time | PSNR | SSIM | primitive wall time | PSNR | SSIM |")
    print("|---|---|---|---|---|---|---|")
    for name, s, p, q, ps, pp, pq in rows:
        print(f"| {name} | {s:.1f} s | **{p:.2f}** | **{q:.3f}** | {ps:.1f} s | {pp:.2f} | {pq:.3f} |")


if __name__ == "__main__":
    main()
