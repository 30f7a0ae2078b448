"""End to end, as a user runs it: time, time to the first frame, peak memory, and quality.

    python benchmarks/paint_speed.py                      # 512 px, 1000 strokes, astronaut
    python benchmarks/paint_speed.py --table              # strokes x sizes table
    python benchmarks/paint_speed.py --objective vgg-untrained   # the objectives compared

Each painting runs in a fresh process that starts the clock before it imports anything (so
start-up counts), paints with `painter.paint`, saves the PNG, and reports: total seconds, the
first frame's time since the start, peak resident memory (ru_maxrss), PSNR and SSIM against the
photo (PEERS.md's protocol) and the feature loss (mean L1 between VGG16 relu1_2/2_2/3_3
activations of painting and photo at 256 px; an untrained VGG16 where the ImageNet weights are
not available, as on this machine: a fixed network, so the column still ranks paintings).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHILD = r"""
import time
start = time.perf_counter()
import json, resource, sys
sys.path.insert(0, ROOT)
from painter import Painter
photo = PHOTO  # a file, as a user hands it over (importing skimage is not the painter's start-up)
first = None
for frame in Painter(objective=OBJECTIVE).paint(photo, strokes=STROKES, size=SIZE, seed=0, time_limit=LIMIT):
    if first is None:
        first = time.perf_counter() - start
frame.painting.save_png(OUT)
total = time.perf_counter() - start
print(json.dumps({"total": total, "first": first, "frames": None,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def feature_loss(a, b) -> float:
    import numpy as np
    import torch

    from painter.objective import feature_loss as fl
    from painter.vgg import VGGFeatures, find_vgg_state_dict

    state, _ = find_vgg_state_dict(None, allow_download=False)
    vgg = VGGFeatures(state)

    def t(im):
        im = im.convert("RGB").resize((256, 256))
        return torch.from_numpy(np.asarray(im, np.float32) / 255).permute(2, 0, 1)[None]

    with torch.no_grad():
        return float(fl(vgg(t(a)), vgg(t(b))))


def run_one(name, strokes, size, limit=None, objective="auto"):
    from PIL import Image
    from skimage import data

    from benchmarks.peers import score

    folder = Path(tempfile.mkdtemp(prefix="speed-"))
    out = folder / f"{name}_{strokes}_{size}.png"
    photo_file = folder / f"{name}.png"
    Image.fromarray(getattr(data, name)()).save(photo_file)
    code = (CHILD.replace("ROOT", repr(str(ROOT))).replace("NAME", repr(name)).replace("STROKES", str(strokes))
            .replace("SIZE", str(size)).replace("LIMIT", repr(limit)).replace("OUT", repr(str(out)))
            .replace("PHOTO", repr(str(photo_file))).replace("OBJECTIVE", repr(objective)))
    env = {**os.environ, "NEURAL_PAINTER_OFFLINE": "1"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    row = json.loads(result.stdout.strip().splitlines()[-1])
    photo = Image.fromarray(getattr(data, name)())
    painting = Image.open(out)
    row["psnr"], row["ssim"] = score(painting, photo)
    row["feature"] = feature_loss(painting, photo)
    row["path"] = str(out)
    return row


def main():
    from benchmarks.common import hardware

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photo", default="astronaut")
    parser.add_argument("--strokes", type=int, default=1000)
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--table", action="store_true")
    parser.add_argument("--objective", default="auto", choices=["auto", "fallback", "vgg-untrained"],
                        help="auto: VGG16 ImageNet features where the weights can be had, else the fallback")
    args = parser.parse_args()
    print(f"hardware: {hardware()}; load average {os.getloadavg()[0]:.2f} at start", flush=True)
    if not args.table:
        r = run_one(args.photo, args.strokes, args.size, objective=args.objective)
        print(f"{args.photo}, {args.strokes} strokes, {args.size} px, objective {args.objective}: {r['total']:.1f} s end to end, first frame "
              f"{r['first']:.2f} s, peak memory {r['peak_mb']:.0f} MB, PSNR {r['psnr']:.2f}, SSIM {r['ssim']:.3f}, "
              f"feature loss {r['feature']:.4f}")
    else:
        print("| strokes | size | time | first frame | PSNR | SSIM | feature loss | peak memory |")
        print("|---|---|---|---|---|---|---|---|")
        for size in (256, 512, 1024):
            for strokes in (200, 500, 1000, 2000):
                r = run_one(args.photo, strokes, size)
                print(f"| {strokes} | {size} | {r['total']:.1f} s | {r['first']:.2f} s | {r['psnr']:.2f} | "
                      f"{r['ssim']:.3f} | {r['feature']:.4f} | {r['peak_mb']:.0f} MB |", flush=True)
    print(f"load average {os.getloadavg()[0]:.2f} at end")


if __name__ == "__main__":
    main()
