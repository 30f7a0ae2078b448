"""The stroke dataset: sampled actions rendered by MyPaint, written as resumable .npz shards.

Each shard holds `actions` (N, 12) float32 and `alpha` (N, 64, 64) uint8 coverage. Shard k is
drawn from its own generator seeded with (seed, k), so a dataset is the same whatever the number
of workers, and an interrupted run picks up at the first missing shard.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import numpy as np
from PIL import Image
from tqdm import tqdm

from painter.mypaint import BRUSH, check_brush
from painter.stroke import ACTION_SIZE, CELL_PX, COLOUR, CONTROL, END, END_PRESSURE, START, START_PRESSURE

from .render import BatchRenderer

SHARD_SIZE = 5000
UNIFORM_FRACTION = 0.5
METADATA = "dataset.json"


class DataError(ValueError):
    """A dataset request that cannot be carried out; the message is one sentence for the user."""


def sample_actions(rng: np.random.Generator, n: int, uniform_fraction: float = UNIFORM_FRACTION) -> np.ndarray:
    """(n, 12) actions: half uniform in [0, 1] like the public dataset, half shaped like painting.

    The painter spends its strokes on firm, gently curved marks, which uniform sampling rarely
    draws (it favours hairpins and faint strokes), so half the data is drawn from that region
    while the uniform half keeps the brush faithful everywhere the optimiser may wander.
    """
    actions = rng.random((n, ACTION_SIZE))
    painterly = rng.random(n) >= uniform_fraction
    k = int(painterly.sum())
    start = rng.uniform(0.1, 0.9, (k, 2))
    end = rng.uniform(0.1, 0.9, (k, 2))
    middle = (start + end) / 2
    normal = (end - start)[:, ::-1] * np.array([1.0, -1.0])
    bend = rng.normal(0.0, 0.25, (k, 1))
    rows = actions[painterly]
    rows[:, START], rows[:, END] = start, end
    rows[:, CONTROL] = np.clip(middle + bend * normal, 0.0, 1.0)
    rows[:, START_PRESSURE] = rng.uniform(0.4, 1.0, k)
    rows[:, END_PRESSURE] = rng.uniform(0.4, 1.0, k)
    actions[painterly] = rows
    return actions.astype(np.float32)


def shard_path(out: Path, index: int) -> Path:
    return out / f"shard-{index:05d}.npz"


def save_shard(path: Path, actions: np.ndarray, alpha: np.ndarray):
    """Write a shard atomically: a partial file never carries a shard's name."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with open(tmp, "wb") as f:
            np.savez_compressed(f, actions=actions.astype(np.float32), alpha=alpha.astype(np.uint8))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def read_shard(path: Path) -> tuple[np.ndarray, np.ndarray]:
    with np.load(path) as shard:
        actions, alpha = shard["actions"], shard["alpha"]
    if actions.ndim != 2 or actions.shape[1] != ACTION_SIZE or alpha.shape != (len(actions), CELL_PX, CELL_PX):
        raise DataError(f"{path} is not a stroke shard (actions (N, 12), alpha (N, 64, 64))")
    return actions.astype(np.float32), alpha


def _complete(path: Path, count: int) -> bool:
    try:
        return len(read_shard(path)[0]) == count
    except Exception:
        return False


def load_dataset(directory) -> tuple[np.ndarray, np.ndarray]:
    """All shards of a dataset folder: actions (N, 12) float32 and alpha (N, 64, 64) uint8."""
    paths = sorted(Path(directory).glob("*.npz"))
    if not paths:
        raise DataError(f"no .npz stroke shards in {directory}; make some with `python -m training data`")
    parts = [read_shard(p) for p in paths]
    return np.concatenate([a for a, _ in parts]), np.concatenate([s for _, s in parts])


def dataset_brush(directory) -> str:
    """The MyPaint brush a dataset folder was rendered with (datasets from before brushes were
    named are the dry brush's)."""
    meta = Path(directory) / METADATA
    return json.loads(meta.read_text()).get("brush", BRUSH) if meta.exists() else BRUSH


def make_dataset(out, strokes: int, seed: int = 0, workers: int | None = None,
                 shard_size: int = SHARD_SIZE, progress: bool = True, streams: int = 1,
                 brush: str = BRUSH) -> list[Path]:
    """Render `strokes` strokes of the MyPaint brush `brush` into shards under `out`, keeping
    shards already complete there.

    `streams` > 1 stores each stroke's mean coverage over that many of MyPaint's random streams.
    """
    if strokes < 1:
        raise DataError("--strokes must be at least 1")
    if streams < 1:
        raise DataError("--streams must be at least 1")
    check_brush(brush)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    settings = {"seed": seed, "shard_size": shard_size, "uniform_fraction": UNIFORM_FRACTION,
                "format": "actions (N, 12) float32, alpha (N, 64, 64) uint8"}
    if streams > 1:  # datasets of plain renders keep the metadata they always had
        settings["streams"] = streams
    if brush != BRUSH:  # and so do the dry brush's
        settings["brush"] = brush
    meta = out / METADATA
    if meta.exists():
        previous = json.loads(meta.read_text())
        if any(previous.get(k) != settings.get(k) for k in (*settings, "streams", "brush")):
            raise DataError(f"{out} holds a dataset made with other settings ({previous}); "
                            "use another --out or the same --seed")
    meta.write_text(json.dumps({**settings, "strokes": strokes}, indent=2))

    counts = [min(shard_size, strokes - k * shard_size) for k in range(math.ceil(strokes / shard_size))]
    todo = [k for k, n in enumerate(counts) if not _complete(shard_path(out, k), n)]
    bar = tqdm(total=strokes, initial=strokes - sum(counts[k] for k in todo), unit="stroke",
               desc="rendering", disable=not progress)
    with bar, BatchRenderer(workers, streams=streams, brush=brush) as renderer:
        for k in todo:
            actions = sample_actions(np.random.default_rng([seed, k]), counts[k])
            save_shard(shard_path(out, k), actions, renderer(actions, progress=bar))
    return [shard_path(out, k) for k in range(len(counts))]


def alpha_from_public(actions: np.ndarray, strokes: np.ndarray, min_contrast: float = 0.15):
    """Coverage from the public dataset's RGB strokes painted on white.

    A pixel is alpha * colour + (1 - alpha) * white, so 1 - pixel = alpha * (1 - colour) in each
    channel; alpha is the least-squares solution over the three channels. A near-white stroke
    carries no coverage information and is dropped. Returns (actions, alpha uint8) kept.
    """
    paint = 1.0 - np.asarray(strokes, dtype=np.float32) / 255.0            # (N, 64, 64, 3)
    ink = 1.0 - np.asarray(actions, dtype=np.float32)[:, COLOUR]           # (N, 3)
    energy = (ink ** 2).sum(axis=1)
    keep = np.sqrt(energy) >= min_contrast
    alpha = np.einsum("nhwc,nc->nhw", paint[keep], ink[keep]) / energy[keep, None, None]
    return actions[keep].astype(np.float32), np.rint(np.clip(alpha, 0, 1) * 255).astype(np.uint8)


def import_public(files, out, shard_size: int = SHARD_SIZE) -> tuple[int, int]:
    """Convert public-layout .npz files (`actions`, `strokes` RGB on white) into alpha shards."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    kept = total = index = 0
    for file in files:
        try:
            with np.load(file) as data:
                actions, strokes = data["actions"], data["strokes"]
        except (OSError, ValueError, KeyError) as error:
            raise DataError(f"{file} is not a public-layout stroke file with `actions` and `strokes` ({error})")
        if strokes.shape[1:] != (CELL_PX, CELL_PX, 3) or actions.shape != (len(strokes), ACTION_SIZE):
            raise DataError(f"{file}: expected actions (N, 12) and strokes (N, 64, 64, 3)")
        actions, alpha = alpha_from_public(actions, strokes)
        total += len(strokes)
        kept += len(actions)
        for i in range(0, len(actions), shard_size):
            save_shard(out / f"public-{index:05d}.npz", actions[i:i + shard_size], alpha[i:i + shard_size])
            index += 1
    return kept, total


def contact_sheet(actions: np.ndarray, alpha: np.ndarray, columns: int = 8, gap: int = 2) -> Image.Image:
    """The strokes in their own colours on white paper, in a grid, for a person to look at."""
    n = len(actions)
    rows = math.ceil(n / columns)
    cell = CELL_PX + gap
    sheet = np.full((rows * cell + gap, columns * cell + gap, 3), 0.85, dtype=np.float32)
    for i in range(n):
        r, c = divmod(i, columns)
        a = alpha[i].astype(np.float32)[..., None] / 255.0
        colour = np.asarray(actions[i][COLOUR], dtype=np.float32)
        y, x = gap + r * cell, gap + c * cell
        sheet[y:y + CELL_PX, x:x + CELL_PX] = a * colour + (1 - a)
    return Image.fromarray(np.rint(sheet * 255).astype(np.uint8)).resize(
        (sheet.shape[1] * 2, sheet.shape[0] * 2), Image.NEAREST)


def add_arguments(parser):
    parser.add_argument("--strokes", type=int, default=100_000, help="how many strokes to render")
    parser.add_argument("--out", required=True, help="folder for the .npz shards")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--brush", default=BRUSH,
                        help="the MyPaint brush, as its .myb name (default %(default)s); brushes that smudge, "
                             "erase or otherwise read the canvas are refused")
    parser.add_argument("--workers", type=int, default=None, help="processes (default: all cores)")
    parser.add_argument("--streams", type=int, default=1,
                        help="store each stroke's mean over this many of MyPaint's random streams (default 1: one render)")
    parser.add_argument("--preview", metavar="FILE.png", help="also write a contact sheet of 48 strokes")
    parser.add_argument("--from-public", nargs="+", metavar="FILE.npz",
                        help="instead of rendering, convert the public dataset's files (actions, RGB strokes)")


def run(args):
    if args.from_public:
        kept, total = import_public(args.from_public, args.out)
        print(f"kept {kept} of {total} strokes (near-white strokes carry no coverage) in {args.out}")
    else:
        paths = make_dataset(args.out, args.strokes, seed=args.seed, workers=args.workers,
                             streams=args.streams, brush=args.brush)
        print(f"{args.strokes} strokes of {args.brush} in {len(paths)} shards in {args.out}")
    if args.preview:
        actions, alpha = read_shard(sorted(Path(args.out).glob("*.npz"))[0])
        contact_sheet(actions[:48], alpha[:48]).save(args.preview)
        print(f"contact sheet: {args.preview}")
