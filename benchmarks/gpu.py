"""Big paintings on a GPU: time, first frame, peak memory and likeness, strokes x sizes.

    python benchmarks/gpu.py                      # 1,000 / 5,000 / 10,000 strokes at 512 / 1,024 / 2,048 px
    python benchmarks/gpu.py --tiny               # a smoke run on any device (the tests run it on the CPU)
    python benchmarks/gpu.py --strokes 5000 --sizes 1024 --work-size 512
    python benchmarks/gpu.py --device cpu --gpu-shapes --iterations 1 --strokes 10000 --sizes 2048   # its memory

One `Painter` on the device (the brush and the objective loaded once, as in the app), then each
painting of skimage's astronaut (512 px, enlarged with Lanczos for the larger sizes) with the
working size the painter chooses for the device (`--work-size` forces one). Reported per painting:
wall seconds; the first frame with strokes on it; peak memory (GPU: torch's peak allocated; CPU:
the process's peak resident set, which only grows); PSNR and SSIM at full size against the photo
at that size; and the perceptual distance of benchmarks/common.py (VGG19 relu4_1 and relu5_1, which
no objective uses) at full size.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import painter  # noqa: E402

painter.setup()  # first, before torch loads (painter/process.py)

from benchmarks.common import full_size_scores, hardware  # noqa: E402


def peak_memory_mb(device) -> float:
    import torch

    if device.type == "cuda":
        return torch.cuda.max_memory_allocated(device) / 2 ** 20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def paint_one(painter, photo, strokes: int, size: int, work_size: int | None, time_limit: float | None,
              **options) -> dict:
    import torch

    device = painter.device
    if device.type == "cuda":
        torch.cuda.synchronize(device)
        torch.cuda.reset_peak_memory_stats(device)
    start = time.perf_counter()
    first = None
    for frame in painter.paint(photo, strokes=strokes, size=size, seed=0, time_limit=time_limit, work_size=work_size,
                               **options):
        if first is None and frame.strokes_painted > 0:
            first = time.perf_counter() - start
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    seconds = time.perf_counter() - start
    memory = peak_memory_mb(device)  # before the judge runs
    painting = frame.painting
    psnr, ssim, perceptual = full_size_scores(painting.image, photo)
    return dict(strokes=len(painting), seconds=seconds, first=first or seconds, memory=memory,
                work=painting.work_size, psnr=psnr, ssim=ssim, perceptual=perceptual)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tiny", action="store_true", help="two small paintings, for a smoke test on any device")
    parser.add_argument("--strokes", type=int, nargs="+", default=[1000, 5000, 10000])
    parser.add_argument("--sizes", type=int, nargs="+", default=[512, 1024, 2048])
    parser.add_argument("--work-size", type=int, default=None, help="force the working size (default: chosen)")
    parser.add_argument("--time-limit", type=float, default=None)
    parser.add_argument("--device", default=None, help="cuda or cpu (default: cuda where there is one)")
    parser.add_argument("--gpu-shapes", action="store_true",
                        help="on the CPU, the GPU's shapes: its working size and rounds (for its memory, not its time)")
    parser.add_argument("--iterations", type=int, default=None, help="Adam steps per round (default: the painter's)")
    args = parser.parse_args(argv)

    import torch
    from PIL import Image
    from skimage import data

    from painter import Painter, PainterError
    from space.estimate import GPU_STEP_COST, estimate_seconds
    from painter.request import Options

    if args.device is None and not torch.cuda.is_available():
        print("benchmarks/gpu.py: no CUDA GPU here; it measures a GPU (--device cpu runs it on the CPU, "
              "--tiny --device cpu is the smoke run).", file=sys.stderr)
        return 2
    device = args.device or "cuda"
    if args.tiny:
        args.strokes, args.sizes = [40], [64, 96]
    try:
        painter = Painter(device=device)
    except PainterError as error:
        print(f"benchmarks/gpu.py: {error}", file=sys.stderr)
        return 2
    print(f"hardware: {hardware()}; device {device}; objective: {painter.objective.description}", flush=True)
    astronaut = Image.fromarray(data.astronaut())
    print("\n| strokes | size | work size | time | estimate (app) | first frame | peak memory | PSNR | SSIM | "
          "perceptual distance |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    options = {} if args.iterations is None else {"iterations": args.iterations}
    if args.gpu_shapes:
        from painter.plan import GPU_ROUND_FRACTION

        options["round_fraction"] = GPU_ROUND_FRACTION
    rows = []
    for size in args.sizes:
        photo = astronaut.resize((size, size), Image.LANCZOS)
        for strokes in args.strokes:
            work_size = args.work_size
            if args.gpu_shapes and work_size is None:
                from painter.plan import choose_work_size

                work_size = choose_work_size(size, strokes, "cuda")
            row = paint_one(painter, photo, strokes, size, work_size, args.time_limit, **options)
            row["estimate"] = estimate_seconds(size, 1.0, strokes, Options(work_size=work_size, **options), device,
                                               **GPU_STEP_COST)  # what the app asks ZeroGPU for, before its margin
            rows.append(row)
            print(f"| {row['strokes']} | {size} | {row['work']} | {row['seconds']:.1f} s | {row['estimate']:.1f} s | "
                  f"{row['first']:.2f} s | "
                  f"{row['memory']:.0f} MB | {row['psnr']:.2f} | {row['ssim']:.3f} | {row['perceptual']:.4f} |",
                  flush=True)
    return rows


if __name__ == "__main__":
    sys.exit(0 if isinstance(main(), list) else 2)
