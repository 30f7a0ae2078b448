"""How fast the frozen brush is where the painter uses it: forward + backward to the actions.

    python benchmarks/brush_speed.py [--checkpoint checkpoints/brush] [--batch 256] [--repeats 30]

Median over repeats of one forward and one backward pass (gradient to the actions only, the
brush frozen) at the given batch, in milliseconds per stroke; also forward alone, the number
of parameters and the size of the weights file. The machine is printed first: on a shared
machine other processes slow it down, so the median of many repeats is reported.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from benchmarks.common import hardware  # noqa: E402
from painter.brush import DEFAULT_CHECKPOINT, Brush  # noqa: E402


def timed(fn, repeats: int) -> float:
    for _ in range(3):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkpoint", default=DEFAULT_CHECKPOINT)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    print(f"hardware: {hardware()}")
    brush = Brush.load(args.checkpoint, device=args.device)
    actions = torch.rand(args.batch, 12, device=args.device, requires_grad=True)
    sync = torch.cuda.synchronize if args.device.startswith("cuda") else (lambda: None)

    def forward_backward():
        brush(actions).sum().backward()
        sync()

    def forward():
        with torch.no_grad():
            brush(actions)
        sync()

    both, fwd = timed(forward_backward, args.repeats), timed(forward, args.repeats)
    weights = Path(args.checkpoint) / "model.safetensors"
    size = f"{weights.stat().st_size / 1e6:.2f} MB" if weights.exists() else "n/a (Hub)"
    print(f"brush {args.checkpoint}: {brush.config}, {sum(p.numel() for p in brush.parameters()):,} parameters, "
          f"weights {size}")
    print(f"batch {args.batch} on {args.device}: forward + backward {both * 1000 / args.batch:.3f} ms/stroke "
          f"({both * 1000:.1f} ms/batch), forward only {fwd * 1000 / args.batch:.3f} ms/stroke (median of {args.repeats})")


if __name__ == "__main__":
    main()
