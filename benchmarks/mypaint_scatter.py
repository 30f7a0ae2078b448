"""MyPaint's dry-brush scatter: one table of random numbers for every stroke, and what it costs.

    python benchmarks/mypaint_scatter.py [--strokes 500]

MyPaint seeds its random generator alike for every new brush, so dab k of every stroke takes the
same random offset and radius factor (tests/test_mypaint.py checks this). On fresh evaluation
strokes (training/evaluate.py's seed and metrics) this prints how close MyPaint's own coverage
comes from its dabs, recorded with `painter.mypaint.record_dabs` and drawn by the dab below:
- MyPaint's dabs as painted: what a renderer that knows every dab would score;
- the same dabs with the scatter applied one dab late: what slipping one place in the table costs;
- the dabs without their scatter: where the brush goes, with the random part left out.

The dab is MyPaint's falloff written out by hand (libmypaint's two linear segments in the squared
distance, split at the brush's hardness, composited with "over"): no library draws a MyPaint dab
from Python but libmypaint itself, which cannot be made to skip the scatter for one dab.
"""

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import painter  # noqa: E402

painter.setup()  # first, before torch loads (painter/process.py)

import numpy as np  # noqa: E402
import torch  # noqa: E402

from benchmarks.common import hardware  # noqa: E402
from painter.mypaint import brush_definition, record_dabs  # noqa: E402
from painter.stroke import CELL_PX, Stroke  # noqa: E402
from training.data import sample_actions  # noqa: E402
from training.evaluate import EVAL_SEED, blurred_iou, mean_abs_error  # noqa: E402
from training.render import render  # noqa: E402

HARDNESS = json.loads(brush_definition())["settings"]["hardness"]["base_value"]
CENTRES = np.mgrid[0:CELL_PX, 0:CELL_PX].astype(np.float32) + 0.5   # MyPaint samples pixel centres


def draw(dabs: np.ndarray) -> np.ndarray:
    """(64, 64) coverage of (N, 4) dabs (x, y, radius, opaque)."""
    x, y, radius, opaque = (dabs[:, i, None, None] for i in range(4))
    rr = ((CENTRES[1] - x) ** 2 + (CENTRES[0] - y) ** 2) / radius ** 2
    inner = 1 + rr * (1 - 1 / HARDNESS)
    outer = (1 - rr) * HARDNESS / (1 - HARDNESS)
    alpha = np.where(rr <= HARDNESS, inner, np.where(rr <= 1, outer, 0)) * opaque
    return 1 - np.prod(1 - alpha, axis=0)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--strokes", type=int, default=500)
    args = parser.parse_args()
    print(f"hardware: {hardware()}")
    real, drawn = [], {"MyPaint's dabs": [], "scatter one dab late": [], "no scatter": []}
    for action in sample_actions(np.random.default_rng(EVAL_SEED), args.strokes):
        stroke = Stroke.from_action(action)
        dabs, steady = record_dabs(stroke), record_dabs(stroke, scatter=False)
        late = steady.copy()
        late[1:, :2] += dabs[:-1, :2] - steady[:-1, :2]
        late[1:, 2] *= dabs[:-1, 2] / np.maximum(steady[:-1, 2], 1e-6)
        real.append(render(action))
        for name, some in zip(drawn, (dabs, late, steady)):
            drawn[name].append(draw(some))

    def tensor(images):
        return torch.from_numpy(np.array(images, dtype=np.float32)).unsqueeze(1)

    print(f"{args.strokes} fresh strokes (seed {EVAL_SEED}), against MyPaint's render:")
    for name, images in drawn.items():
        print(f"  {name}: blurred IoU {blurred_iou(tensor(images), tensor(real)):.3f}, "
              f"MAE {mean_abs_error(tensor(images), tensor(real)):.4f}")


if __name__ == "__main__":
    main()
