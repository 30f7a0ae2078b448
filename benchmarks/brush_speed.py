"""How fast the frozen brush is where the painter uses it: forward + backward to the actions.

    python benchmarks/brush_speed.py [--checkpoint checkpoints/brushes/dry_brush ...] [--all] [--batch 256] [--repeats 30]

Median over repeats of one forward and one backward pass (gradient to the actions only, the
brush frozen) at the given batch, in milliseconds per stroke; also forward alone, the number
of parameters and the size of the weights file. The machine is printed first: on a shared
machine other processes slow it down, so the median of many repeats is reported. Several
brushes (`--checkpoint A B`, or `--all` the shipped ones) are timed in turn within each repeat,
so that a change of the machine's load falls on all of them alike. `--precision` times each brush
in float32 and in bfloat16 (`Brush.bfloat16`, what the painter runs where `bfloat16_is_faster`),
alternately, and prints how far the bfloat16 coverage is from float32's.
"""

import argparse
import copy
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import painter  # noqa: E402

painter.setup()  # first, before torch loads (painter/process.py)

import torch  # noqa: E402

from benchmarks.common import hardware  # noqa: E402
from painter.brush import DEFAULT_CHECKPOINT, Brush, bfloat16_is_faster, shipped_brushes  # noqa: E402


def timed(fns: list, repeats: int) -> list[float]:
    """The median seconds of each of `fns`, called in turn within each repeat."""
    for fn in fns:
        for _ in range(3):
            fn()
    times = [[] for _ in fns]
    for _ in range(repeats):
        for fn, out in zip(fns, times):
            start = time.perf_counter()
            fn()
            out.append(time.perf_counter() - start)
    return [statistics.median(t) for t in times]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkpoint", nargs="+", default=[DEFAULT_CHECKPOINT])
    parser.add_argument("--all", action="store_true", help="every shipped brush (checkpoints/brushes/)")
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--precision", action="store_true", help="each brush in float32 and in bfloat16")
    args = parser.parse_args()
    print(f"hardware: {hardware()}; bfloat16_is_faster: {bfloat16_is_faster(args.device)}")
    sources = [b.path for b in shipped_brushes()] if args.all else args.checkpoint
    brushes = [Brush.load(source, device=args.device) for source in sources]
    if args.precision:
        sources = [f"{source} {precision}" for source in sources for precision in ("float32", "bfloat16")]
        brushes = [b for brush in brushes for b in (brush, copy.deepcopy(brush))]
        for brush in brushes[1::2]:
            brush.bfloat16 = True
    actions = torch.rand(args.batch, 12, device=args.device, requires_grad=True)
    sync = torch.cuda.synchronize if args.device.startswith("cuda") else (lambda: None)

    def forward_backward(brush):
        def run():
            brush(actions).sum().backward()
            sync()
        return run

    def forward(brush):
        def run():
            with torch.no_grad():
                brush(actions)
            sync()
        return run

    both = timed([forward_backward(b) for b in brushes], args.repeats)
    fwd = timed([forward(b) for b in brushes], args.repeats)
    for source, brush, b, f in zip(sources, brushes, both, fwd):
        weights = Path(source.split()[0]) / "model.safetensors"
        size = f"{weights.stat().st_size / 1e6:.2f} MB" if weights.exists() else "n/a (Hub)"
        print(f"brush {source} ({brush.config.mypaint}): {sum(p.numel() for p in brush.parameters()):,} parameters, "
              f"weights {size}; batch {args.batch} on {args.device}: forward + backward {b * 1000 / args.batch:.3f} "
              f"ms/stroke ({b * 1000:.1f} ms/batch), forward only {f * 1000 / args.batch:.3f} ms/stroke "
              f"(median of {args.repeats})")
    if args.precision:
        with torch.no_grad():
            for source, full, half in zip(sources[::2], brushes[::2], brushes[1::2]):
                difference = (full(actions) - half(actions)).abs()
                print(f"{source.split()[0]}: bfloat16 coverage against float32's, batch {args.batch}: "
                      f"mean difference {float(difference.mean()):.5f}, largest {float(difference.max()):.4f}")


if __name__ == "__main__":
    main()
