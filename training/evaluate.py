"""How faithful is the brush to MyPaint? Fresh random actions, rendered by both, compared.

Blurred IoU: both coverages are blurred with a Gaussian (sigma 1.5 px), thresholded at 0.5,
and compared as masks, intersection over union; strokes where both masks are empty (faint
strokes) are left out, and the rest are averaged. The blur forgives the dry brush's pixel-level
texture and one-pixel shifts, so the figure measures where paint lands. Mean absolute error is
taken on the raw coverages (0 to 1), over every pixel of every stroke.

`python -m training eval --checkpoint DIR [--strokes N]` prints one JSON object.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

BLUR_SIGMA = 1.5
THRESHOLD = 0.5
EVAL_SEED = 20_240_601  # far from the training seeds: these actions were never trained on
JITTER = 0.004          # of a cell: 0.26 px, for MyPaint's own reproducibility ceiling


def jittered(actions: np.ndarray, rng: np.random.Generator, scale: float = JITTER) -> np.ndarray:
    """The same strokes with start, control and end points moved by an imperceptible amount."""
    from painter.stroke import CONTROL, END, START
    out = actions.copy()
    for points in (START, CONTROL, END):
        out[:, points] += rng.normal(0.0, scale, (len(out), 2))
    return np.clip(out, 0.0, 1.0).astype(np.float32)


def gaussian_blur(x: torch.Tensor, sigma: float = BLUR_SIGMA) -> torch.Tensor:
    """(N, 1, H, W) blurred with a separable Gaussian, zero outside the cell."""
    radius = int(3 * sigma + 0.5)
    t = torch.arange(-radius, radius + 1, dtype=x.dtype, device=x.device)
    k = torch.exp(-t ** 2 / (2 * sigma ** 2))
    k = k / k.sum()
    x = F.conv2d(x, k.view(1, 1, 1, -1), padding=(0, radius))
    return F.conv2d(x, k.view(1, 1, -1, 1), padding=(radius, 0))


def iou_per_stroke(fake: torch.Tensor, real: torch.Tensor) -> torch.Tensor:
    """Blurred IoU of each stroke (NaN where both masks are empty)."""
    a = gaussian_blur(fake.float()) > THRESHOLD
    b = gaussian_blur(real.float()) > THRESHOLD
    inter = (a & b).flatten(1).sum(1).float()
    union = (a | b).flatten(1).sum(1).float()
    return torch.where(union > 0, inter / union.clamp(min=1), torch.full_like(union, float("nan")))


def blurred_iou(fake: torch.Tensor, real: torch.Tensor) -> float:
    """Mean blurred IoU over strokes where at least one mask is non-empty."""
    iou = iou_per_stroke(fake, real)
    return float(iou[~iou.isnan()].mean()) if (~iou.isnan()).any() else float("nan")


def mean_abs_error(fake: torch.Tensor, real: torch.Tensor) -> float:
    return float((fake.float() - real.float()).abs().mean())


# ---------------------------------------------------------------------------------- CLI

def resolve(checkpoint: str) -> tuple[str, str | None]:
    """The brush to evaluate and its stage-1 generator, if one sits beside it.

    `checkpoint` is a brush folder, a training --out folder (its brush/ and stage1/), or a Hub
    repo id. A stage-1 generator is looked for in `stage1/` inside or beside the brush folder.
    """
    path = Path(checkpoint)
    if not path.exists():
        if "/" in checkpoint and not checkpoint.startswith((".", "/")):
            return checkpoint, None            # a Hub repo id, through the Hub cache
        raise FileNotFoundError(f"no checkpoint at {checkpoint}")
    brush = path if (path / "config.json").exists() else path / "brush"
    if not (brush / "config.json").exists():
        raise FileNotFoundError(f"{checkpoint} holds no brush (config.json + model.safetensors)")
    stage1 = next((p for p in (path / "stage1", brush.parent / "stage1")
                   if (p / "config.json").exists() and p.resolve() != brush.resolve()), None)
    return str(brush), (str(stage1) if stage1 else None)


@torch.no_grad()
def coverage(brush, actions: np.ndarray, batch: int = 500) -> torch.Tensor:
    a = torch.from_numpy(actions)
    return torch.cat([brush(a[i:i + batch]) for i in range(0, len(a), batch)])


def evaluate(checkpoint: str, strokes: int = 2000, seed: int = EVAL_SEED, workers: int | None = None,
             ceiling: bool = True) -> dict:
    """Fidelity of the brush (and of its stage-1 generator, when present) on fresh MyPaint strokes.

    With `ceiling`, also MyPaint against itself with the stroke's points jittered by 0.26 px: the
    dry brush scatters its dabs chaotically, so this is about the best any model can score.
    """
    from painter.brush import Brush

    from .data import sample_actions
    from .render import BatchRenderer

    if strokes < 1:
        raise ValueError("--strokes must be at least 1")
    brush_source, stage1_source = resolve(checkpoint)
    started = time.time()
    actions = sample_actions(np.random.default_rng(seed), strokes)
    with BatchRenderer(workers) as renderer:
        real = torch.from_numpy(renderer(actions)).float().div(255).unsqueeze(1)
        if ceiling:
            again = torch.from_numpy(renderer(jittered(actions, np.random.default_rng(seed + 1)))).float().div(255)
    result = {"checkpoint": brush_source, "strokes": strokes, "seed": seed}
    for name, source in (("", brush_source), ("stage1_", stage1_source)):
        if source is None:
            result[f"{name}blurred_iou"] = result[f"{name}mae"] = None
            continue
        fake = coverage(Brush.load(source), actions)
        iou = iou_per_stroke(fake, real)
        result[f"{name}blurred_iou"] = round(float(iou[~iou.isnan()].mean()), 4)
        result[f"{name}mae"] = round(mean_abs_error(fake, real), 5)
        if not name:
            result["strokes_scored"] = int((~iou.isnan()).sum())
    if ceiling:
        result["mypaint_jitter_blurred_iou"] = round(blurred_iou(again.unsqueeze(1), real), 4)
        result["mypaint_jitter_mae"] = round(mean_abs_error(again.unsqueeze(1), real), 5)
    result["metric"] = (f"blurred IoU: Gaussian blur sigma {BLUR_SIGMA} px on both coverages, threshold "
                        f"{THRESHOLD}, IoU per stroke, mean over strokes where a mask is non-empty; "
                        "mae: mean |brush - MyPaint| coverage over all pixels; mypaint_jitter_*: MyPaint against "
                        f"itself with start, control and end points jittered by {JITTER * 64:.2f} px (the ceiling)")
    result["seconds"] = round(time.time() - started, 1)
    return result


def add_arguments(parser):
    parser.add_argument("--checkpoint", required=True,
                        help="brush folder, training --out folder, or Hub repo id")
    parser.add_argument("--strokes", type=int, default=2000, help="fresh random actions to compare on")
    parser.add_argument("--seed", type=int, default=EVAL_SEED)
    parser.add_argument("--workers", type=int, default=None, help="MyPaint processes (default: all cores)")
    parser.add_argument("--no-ceiling", action="store_true", help="skip MyPaint-against-itself with jittered points")


def run(args):
    print(json.dumps(evaluate(args.checkpoint, args.strokes, args.seed, args.workers, not args.no_ceiling)))
