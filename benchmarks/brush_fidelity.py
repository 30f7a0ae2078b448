"""How faithful the brush is to MyPaint, on fresh random actions it never trained on.

    python benchmarks/brush_fidelity.py [--checkpoint checkpoints/brush] [--strokes 5000]

Runs `python -m training eval` (training/evaluate.py defines the metrics: blurred IoU with a
Gaussian of sigma 1.5 px and threshold 0.5, and mean absolute error of the coverage) and prints
the machine first. The issue's bar: blurred IoU at least 0.90. Beside the brush it prints
MyPaint against its own reference render: another draw of the dry brush's random scatter, and
the mean of several draws (the expected stroke, about the best a model can do without
reproducing MyPaint's one fixed draw).
"""

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import painter  # noqa: E402

painter.setup()  # first, before torch loads (painter/process.py)

from benchmarks.common import hardware  # noqa: E402
from painter.brush import DEFAULT_CHECKPOINT  # noqa: E402
from training.evaluate import evaluate  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkpoint", default=DEFAULT_CHECKPOINT)
    parser.add_argument("--strokes", type=int, default=5000)
    args = parser.parse_args()
    print(f"hardware: {hardware()}")
    result = evaluate(args.checkpoint, args.strokes)
    print(json.dumps(result, indent=2))
    print(f"blurred IoU {result['blurred_iou']:.3f} (bar: 0.90), MAE {result['mae']:.4f} on {args.strokes} fresh strokes; "
          f"MyPaint from another random stream {result['mypaint_other_stream_blurred_iou']:.3f}, "
          f"the expected stroke (mean of several streams) {result['mypaint_expected_blurred_iou']:.3f}")


if __name__ == "__main__":
    main()
