"""How many strokes per second MyPaint renders into dataset shards, with all cores.

    python benchmarks/render_rate.py [--strokes 20000] [--workers N]
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import hardware  # noqa: E402
from training.data import make_dataset  # noqa: E402
from training.render import default_workers  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--strokes", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=default_workers())
    args = parser.parse_args()
    print(f"hardware: {hardware()}")
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        make_dataset(out, args.strokes, seed=0, workers=args.workers, progress=False)
        seconds = time.perf_counter() - start
    rate = args.strokes / seconds
    print(f"rendered {args.strokes} strokes with {args.workers} workers in {seconds:.1f} s "
          f"(including compressed shard writes): {rate:.0f} strokes/s; "
          f"100,000 strokes would take {100_000 / rate / 60:.1f} min")


if __name__ == "__main__":
    main()
