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

from painter.stroke import CELL_PX

BLUR_SIGMA = 1.5
THRESHOLD = 0.5
EVAL_SEED = 20_240_601  # far from the training seeds: these actions were never trained on
JITTER = 0.004          # of a cell: 0.26 px: how stable MyPaint's one fixed scatter is under a tiny move
STREAMS = 8             # other random streams of MyPaint behind the expected coverage


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


def mypaint_coverage(renderer, actions: np.ndarray, stream: int = 0) -> torch.Tensor:
    """(N, 1, 64, 64) MyPaint's coverage in [0, 1] of `actions`, by a `BatchRenderer`, from random `stream`."""
    return torch.from_numpy(renderer(actions, first_stream=stream)).float().div(255).unsqueeze(1)


@torch.no_grad()
def coverage(brush, actions: np.ndarray, batch: int = 500) -> torch.Tensor:
    a = torch.from_numpy(actions)
    return torch.cat([brush(a[i:i + batch]) for i in range(0, len(a), batch)])


def evaluate(checkpoint: str, strokes: int = 2000, seed: int = EVAL_SEED, workers: int | None = None,
             ceiling: bool = True, streams: int = STREAMS) -> dict:
    """Fidelity of the brush (and of its stage-1 generator, when present) on fresh MyPaint strokes.

    With `ceiling`, also MyPaint against itself, three ways. The dry brush scatters its dabs with
    a random generator that MyPaint seeds alike for every stroke, so the reference is one fixed
    draw of that scatter:
    - `mypaint_jitter_*`: the stroke's points moved by 0.26 px, same random stream (how stable
      that one draw is under a tiny move);
    - `mypaint_other_stream_*`: the same stroke drawn from another stretch of the random
      sequence (another draw of the scatter, as a model that learnt the brush but not the
      draw would paint);
    - `mypaint_expected_*`: the mean coverage over `streams` other streams, the expected stroke:
      about the best a model that does not reproduce MyPaint's one draw can do.
    """
    from painter.brush import Brush

    from .data import sample_actions
    from .render import BatchRenderer

    if strokes < 1:
        raise ValueError("--strokes must be at least 1")
    if streams < 1:
        raise ValueError("--streams must be at least 1")
    brush_source, stage1_source = resolve(checkpoint)
    brush = Brush.load(brush_source)
    mypaint = brush.config.mypaint
    started = time.time()
    actions = sample_actions(np.random.default_rng(seed), strokes)

    with BatchRenderer(workers, brush=mypaint) as renderer:
        real = mypaint_coverage(renderer, actions)
        if ceiling:
            references = {"mypaint_jitter_": mypaint_coverage(renderer, jittered(actions, np.random.default_rng(seed + 1)))}
            references["mypaint_other_stream_"] = mypaint_coverage(renderer, actions, 1)
            total = references["mypaint_other_stream_"].clone()   # a running sum: all streams at once would take GBs
            for stream in range(2, streams + 1):
                total += mypaint_coverage(renderer, actions, stream)
            references["mypaint_expected_"] = total / streams
    result = {"checkpoint": brush_source, "mypaint": mypaint, "strokes": strokes, "seed": seed}
    scored = {}   # per-stroke IoUs of the brush and of MyPaint's own references, for the breakdown by size
    for name, source in (("", brush_source), ("stage1_", stage1_source)):
        if source is None:
            result[f"{name}blurred_iou"] = result[f"{name}mae"] = None
            continue
        fake = coverage(Brush.load(source) if name else brush, actions)
        iou = iou_per_stroke(fake, real)
        result[f"{name}blurred_iou"] = round(float(iou[~iou.isnan()].mean()), 4)
        result[f"{name}mae"] = round(mean_abs_error(fake, real), 5)
        if not name:
            result["strokes_scored"] = int((~iou.isnan()).sum())
            scored["brush"] = iou
    if ceiling:
        for key, reference in references.items():
            result[f"{key}blurred_iou"] = round(blurred_iou(reference, real), 4)
            result[f"{key}mae"] = round(mean_abs_error(reference, real), 5)
            scored[key.removeprefix("mypaint_").rstrip("_")] = iou_per_stroke(reference, real)
    result["by_mask_size"] = by_mask_size(real, scored)
    result["metric"] = (f"blurred IoU: Gaussian blur sigma {BLUR_SIGMA} px on both coverages, threshold "
                        f"{THRESHOLD}, IoU per stroke, mean over strokes where a mask is non-empty; "
                        "mae: mean |brush - MyPaint| coverage over all pixels; MyPaint against itself: "
                        f"mypaint_jitter_* with start, control and end points jittered by {JITTER * 64:.2f} px "
                        "(same random stream), mypaint_other_stream_* from another random stream, "
                        f"mypaint_expected_* the mean over {streams} other streams (the expected stroke)")
    result["seconds"] = round(time.time() - started, 1)
    return result


MASK_SIZES = ((1, 20), (20, 100), (100, 400), (400, CELL_PX * CELL_PX + 1))


def by_mask_size(real: torch.Tensor, scored: dict) -> dict:
    """Mean IoU of each generator by the size (px) of MyPaint's blurred mask; "0" counts the strokes
    where MyPaint leaves the mask empty but the generator does not (each scores 0)."""
    size = (gaussian_blur(real.float()) > THRESHOLD).flatten(1).sum(1)
    table = {"0": {name: int((~iou[size == 0].isnan()).sum()) for name, iou in scored.items()}}
    for low, high in MASK_SIZES:
        inside = (size >= low) & (size < high)
        label = f"{low}-{high - 1}" if high <= CELL_PX * CELL_PX else f"{low}+"
        table[label] = {"strokes": int(inside.sum()),
                        **{name: round(float(iou[inside].mean()), 4) if inside.any() else None
                           for name, iou in scored.items()}}
    return table


def add_arguments(parser):
    parser.add_argument("--checkpoint", required=True,
                        help="brush folder, training --out folder, or Hub repo id")
    parser.add_argument("--strokes", type=int, default=2000, help="fresh random actions to compare on")
    parser.add_argument("--seed", type=int, default=EVAL_SEED)
    parser.add_argument("--workers", type=int, default=None, help="MyPaint processes (default: all cores)")
    parser.add_argument("--no-ceiling", action="store_true",
                        help="skip MyPaint against itself (jittered points, other random streams)")
    parser.add_argument("--card", action="store_true",
                        help="also write the brush folder's model card (README.md) with these figures")
    parser.add_argument("--streams", type=int, default=STREAMS,
                        help="other random streams behind MyPaint's expected stroke (default %(default)s)")


def write_card(brush_folder: str, result: dict) -> Path:
    """The brush folder's model card (README.md) from its training.json and this evaluation."""
    from .push import model_card

    folder = Path(brush_folder)
    meta = folder / "training.json"
    card = folder / "README.md"
    card.write_text(model_card(json.loads(meta.read_text()) if meta.exists() else None, fidelity=result,
                               repo_id=str(brush_folder)))
    return card


def run(args):
    result = evaluate(args.checkpoint, args.strokes, args.seed, args.workers, not args.no_ceiling, args.streams)
    print(json.dumps(result))
    if args.card:
        write_card(result["checkpoint"], result)
