"""The painter: photo in, brushstrokes optimised through the frozen neural brush, frames out.

`for frame in paint(photo, strokes=1000, size=512, seed=0, time_limit=None): ...`

How it paints (each part measured, see README):
- coarse to fine: levels of cells, large cells with broad strokes first; each level is a grid
  shifted at random so that no seam lines up, and every stroke's patch covers twice its cell,
  so strokes cross cell borders;
- in rounds: each round picks the cells where the canvas is furthest from the photo, starts one
  stroke in each at the point of largest error, along the photo's local edge direction, in the
  photo's colour there, then optimises the round's actions with Adam against the objective;
  earlier strokes are fixed ("baked") into the canvas, so a round costs only its own strokes;
- actions are `sigmoid(parameters)`, so they stay in [0, 1];
- a stroke that ends up covering (almost) nothing on the canvas is dropped and its place given
  to a later round, so no stroke is wasted and the count asked for is the count painted;
- coarse levels are optimised at a lower resolution (a brush patch never has more than its
  native 64 px there), then every round is rendered at full size;
- with a time limit, iterations are scaled to the time left; strokes with no time left are
  placed by the greedy start alone, so a whole painting always comes back.

Style and guidance (each off by default, and then not a single operation differs):
- a style image adds a Gram-matrix style loss (painter/style.py) to the objective, optionally
  after moving the photo's colours onto the style's; per-region with label masks;
- a detail mask splits the stroke budget: the whole canvas gets the plan of fewer strokes, the
  rest go to finer levels whose cells are picked only inside the mask (`plan_detail_levels`);
- stroke controls map the optimiser's parameters into the allowed ranges (painter/controls.py)
  and move the levels' cells to sizes at which the ranges can be painted (`fit_levels`).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Callable, Iterator

import numpy as np
import torch
import torch.nn.functional as F

from .brush import Brush
from .compose import GROUPS, Grid, layer_maps, over, paint_patches, resize_patches
from .controls import (ActionSpace, Controls, cell_range, check_number, fit_cell, palette_colours, parse_background,
                       parse_controls)
from .guide import load_labels, load_mask
from .painting import Painting, StrokeRecord
from .photo import PainterError, fit_long_side, load_photo
from .stroke import ACTION_SIZE, CELL_PX, COLOUR, CONTROL, END, END_PRESSURE, SIZE, START, START_PRESSURE
from .style import STYLE_LAYERS, StyleLoss, colour_transfer
from .vgg import Objective, VGGFeatures, make_objective

MIN_STROKES, MAX_STROKES = 1, 20_000
MIN_SIZE, MAX_SIZE = 32, 2048
MAX_TIME_LIMIT = 24 * 3600.0
MAX_STYLE_STRENGTH = 10.0
STYLE_SIDE = 512  # a style image is kept at most this large: its Gram matrices are taken far smaller


@dataclass
class Frame:
    """One view of the painting in progress; the last one (`done`) carries the `painting`."""

    canvas: np.ndarray  # (H, W, 3) uint8
    strokes_painted: int
    total_strokes: int
    elapsed: float
    loss: float
    done: bool = False
    painting: Painting | None = None


@dataclass
class Options:
    """Knobs of the optimiser; defaults are the measured choice."""

    iterations: int = 16            # Adam steps per round (scaled down under a time limit)
    lr: float = 0.1                 # Adam on the sigmoid parameters
    round_fraction: float = 0.5     # share of a level's cells that get a stroke in one round
    level_power: float = 0.5        # stroke budget per level ~ cells ** level_power
    density: float = 0.6            # finest cell ~ sqrt(area / (density * strokes))
    init_size: float = 0.75         # brush size of a new stroke (radius e^(2 size) brush px)
    init_pressure: float = 0.85
    init_length: float = 0.4        # stroke length, share of its patch
    frame_interval: float = 0.25    # seconds between frames
    min_coverage: float = 0.5       # a stroke must cover this many px (at level resolution)
    background: object = "mean"     # "mean" colour of the photo, "white", or an (r, g, b) in [0, 1]
    snapshot_side: int = 512        # long side of the timelapse snapshots
    work_side: int = 256            # long side at which strokes are optimised (rendered at full size)
    style_weight: float = 0.25      # the style loss's weight at style_strength 1 (measured: benchmarks/style.py)
    style_side: int = 128           # long side at which the canvas is compared with the style
    detail_density: float = 4.0     # strokes per area inside a detail mask / outside it


def _check_settings(strokes, size, seed, time_limit):
    check_number(strokes, "strokes")
    if int(strokes) != strokes or not MIN_STROKES <= strokes <= MAX_STROKES:
        raise PainterError(f"strokes must be a whole number from {MIN_STROKES} to {MAX_STROKES}, got {strokes}.")
    check_number(size, "size")
    if int(size) != size or not MIN_SIZE <= size <= MAX_SIZE:
        raise PainterError(f"size must be a whole number of pixels from {MIN_SIZE} to {MAX_SIZE}, got {size}.")
    check_number(seed, "seed")
    if int(seed) != seed or not 0 <= seed < 2 ** 32:
        raise PainterError(f"seed must be a whole number from 0 to 2**32 - 1, got {seed}.")
    if time_limit is not None:
        check_number(time_limit, "time_limit")
        if not 0 < time_limit <= MAX_TIME_LIMIT:
            raise PainterError(f"time_limit must be a positive number of seconds up to {MAX_TIME_LIMIT:.0f}, "
                               f"got {time_limit}.")


@dataclass
class Guide:
    """Style, detail mask and stroke controls, checked and loaded; the defaults change nothing."""

    controls: Controls = Controls()
    style: object = None                 # PIL RGB style image
    strength: float = 0.0
    colour_transfer: bool = False
    detail: np.ndarray | None = None     # (H, W) in [0, 1] at the painting's size
    regions: tuple | None = None         # ((R, H, W) photo regions, (R, h, w) style regions)


def check_guidance(image, style=None, style_strength=1.0, colour_transfer=False, detail_mask=None,
                   labels=None, style_labels=None, brush_size=None, pressure=None, background="mean",
                   palette=None, stroke_length=None, work_side: int = Options.work_side) -> Guide:
    """Check and load the style, the masks and the stroke controls for a photo (`image`, PIL, at its
    painting size); anything bad raises `PainterError` with one sentence before any work starts."""
    controls = parse_controls(brush_size, pressure, stroke_length, palette, background)
    if controls.brush_size is not None or controls.stroke_length is not None:
        work = fit_long_side(image, min(max(image.size), work_side))
        cell_range(controls, max(work.size), image.size[0] / work.size[0])  # refuses the impossible now
    if not 0 <= check_number(style_strength, "style_strength") <= MAX_STYLE_STRENGTH:
        raise PainterError(f"style_strength must be a number from 0 to {MAX_STYLE_STRENGTH:g}, got {style_strength!r}.")
    if not isinstance(colour_transfer, (bool, np.bool_)):
        raise PainterError(f"colour_transfer must be True or False, got {colour_transfer!r}.")
    guide = Guide(controls)
    if style is not None:
        style_image = fit_long_side(load_photo(style, what="style image"), STYLE_SIDE)
        if style_strength > 0:  # strength 0 is the plain painting, colours and all
            guide.style = style_image
            guide.strength = float(style_strength)
            guide.colour_transfer = bool(colour_transfer)
    elif labels is not None or style_labels is not None:
        raise PainterError("labels and style_labels need a style image.")
    if (labels is None) != (style_labels is None):
        raise PainterError("per-region style needs both labels (over the photo) and style_labels (over the style).")
    if labels is not None and guide.style is not None:
        regions, colours = load_labels(labels, image.size, what="label mask")
        style_regions, style_colours = load_labels(style_labels, guide.style.size, what="style label mask")
        shared = [c for c in colours if c in style_colours]
        if not shared:
            raise PainterError("the label mask and the style label mask share no colour; paint matching "
                               "regions in the same colours.")
        # Photo regions without a counterpart in the style take the whole style.
        pick = [colours.index(c) for c in shared]
        photo_masks = regions[pick]
        style_masks = style_regions[[style_colours.index(c) for c in shared]]
        rest = 1.0 - photo_masks.sum(0)
        if rest.max() > 0:
            photo_masks = np.concatenate([photo_masks, rest[None]])
            style_masks = np.concatenate([style_masks, np.ones_like(style_masks[:1])])
        guide.regions = (photo_masks, style_masks)
    if detail_mask is not None:
        mask = load_mask(detail_mask, image.size, what="detail mask")
        share = float(mask.mean())
        if 1e-3 < share < 1 - 1e-3:  # all black or all white: nowhere or everywhere is the same as none
            guide.detail = mask
    return guide


@dataclass
class Level:
    cell: int         # cell side in full-resolution px
    factor: int       # optimised at full size / factor
    budget: int = 0   # strokes
    detail: bool = False  # strokes only where the detail mask is


def plan_levels(height: int, width: int, strokes: int, options: Options) -> list[Level]:
    """Cell sizes from coarse to fine and their stroke budgets."""
    long = max(height, width)
    finest = math.sqrt(height * width / (options.density * strokes))
    cells = []
    s = 32
    while s <= long / 3:
        cells.append(s)
        s *= 2
    finest = max(6, int(round(finest / 2)) * 2)
    if finest < 28 or not cells:
        cells = [c for c in cells if c > finest * 1.4] + [min(finest, max(6, long // 3 // 2 * 2))]
    else:
        # Drop cells much finer than the density asks for.
        cells = [c for c in cells if c >= finest / 1.5] or [cells[0]]
    cells = sorted(set(cells), reverse=True)[:5]
    levels = [Level(c, _factor(c)) for c in cells]
    weights = np.array([((height / c + 1) * (width / c + 1)) ** options.level_power for c in cells])
    budgets = np.floor(weights / weights.sum() * strokes).astype(int)
    budgets[-1] += strokes - budgets.sum()
    for level, b in zip(levels, budgets):
        level.budget = int(b)
    return [lv for lv in levels if lv.budget > 0]


def _factor(cell: int) -> int:
    """How much a level's canvas is shrunk for optimising: a brush patch needs no more than 64 px."""
    factor = 1
    while cell // (factor * 2) >= 32 and cell % (factor * 2) == 0:
        factor *= 2
    return factor


def plan_detail_levels(height: int, width: int, strokes: int, options: Options, share: float) -> list[Level]:
    """Levels for a detail mask over `share` of the canvas, `options.detail_density` times as dense inside.

    The whole canvas gets the plan of fewer strokes (broader cells); the strokes saved go to finer
    levels painted only inside the mask, so the total stays `strokes`.
    """
    outside = max(1, int(round(strokes / (1 + (options.detail_density - 1) * share))))
    inside = strokes - outside
    levels = plan_levels(height, width, outside, options)
    if inside <= 0:
        return levels
    finest = levels[-1].cell
    fine = [lv for lv in plan_levels(height, width, max(1, int(round(inside / share))), options) if lv.cell < finest]
    if not fine:
        cell = max(6, int(finest * 0.7) // 2 * 2)
        fine = [Level(cell, _factor(cell), 1)]
    weights = np.array([max(lv.budget, 1) for lv in fine], dtype=np.float64)
    budgets = np.floor(weights / weights.sum() * inside).astype(int)
    budgets[-1] += inside - budgets.sum()
    for level, b in zip(fine, budgets):
        level.budget, level.detail = int(b), True
    return levels + [lv for lv in fine if lv.budget > 0]


def fit_levels(levels: list[Level], bounds) -> list[Level]:
    """Move every level's cell into `bounds` (brush size, stroke length), merging levels that meet."""
    out: list[Level] = []
    for level in levels:
        cell = fit_cell(level.cell, bounds)
        if out and out[-1].cell == cell and out[-1].detail == level.detail:
            out[-1].budget += level.budget
        else:
            out.append(Level(cell, _factor(cell), level.budget, level.detail))
    return sorted(out, key=lambda lv: (-lv.cell, lv.detail))


def _remaining_rounds(levels, li, budget, n_round, height, width, opts) -> list[int]:
    """Stroke counts of the rounds still to come, this one included (an estimate)."""
    rounds = []
    for k in range(li, len(levels)):
        left = budget if k == li else levels[k].budget
        c = levels[k].cell
        size = n_round if k == li else max(1, math.ceil((height / c + 1) * (width / c + 1) * opts.round_fraction))
        while left > 0:
            rounds.append(min(size, left))
            left -= size
    return rounds


def _round_cost(history):
    """Seconds per iteration of a round of n strokes, a + b n, fitted to the rounds so far."""
    if not history:
        return lambda n: 0.01 + 0.001 * n  # a cautious prior until the first round is timed
    n = np.array([h[0] for h in history], dtype=np.float64)
    per_iteration = np.array([h[2] / h[1] for h in history])
    if len(history) < 3 or np.ptp(n) == 0:
        rate = float(per_iteration.sum() / n.sum())
        return lambda k: rate * k
    a, b = np.linalg.lstsq(np.stack([np.ones_like(n), n], 1), per_iteration, rcond=None)[0]
    a, b = max(float(a), 0.0), max(float(b), 1e-5)
    return lambda k: a + b * k


def _box_blur(x: torch.Tensor, k: int) -> torch.Tensor:
    if k <= 1:
        return x
    k = int(k) | 1
    return F.avg_pool2d(F.pad(x, (k // 2,) * 4, mode="replicate"), k, stride=1)


def _to_uint8(canvas: torch.Tensor) -> np.ndarray:
    return (canvas[0].clamp(0, 1) * 255 + 0.5).to(torch.uint8).permute(1, 2, 0).cpu().numpy()


class Painter:
    """Loads the brush and the objective once; `paint()` streams frames of one painting."""

    def __init__(self, device="cpu", brush: Brush | None = None, vgg_weights=None, objective: str = "auto",
                 quiet: bool = False):
        device = str(device)
        if device not in ("cpu", "cuda") and not device.startswith("cuda:"):
            raise PainterError(f"device must be cpu or cuda, got {device!r}.")
        if device.startswith("cuda") and not torch.cuda.is_available():
            raise PainterError("device cuda was asked for, but no CUDA GPU is available here; use --device cpu.")
        if vgg_weights is None and objective == "auto":
            from .network import start_probe

            start_probe()  # a slow name lookup overlaps the brush loading
        self.device = torch.device(device)
        # Tiny coverages multiply into subnormal floats, which the CPU computes ~4x slower (measured).
        torch.set_flush_denormal(True)
        if brush is None:
            try:
                brush = Brush.load(device=self.device)
            except Exception as error:  # noqa: BLE001 - missing folder, no network, bad file: one sentence
                raise PainterError(f"The brush checkpoint cannot be loaded ({type(error).__name__}: "
                                   f"{str(error).splitlines()[0] if str(error) else 'no detail'}).") from None
        self.brush = brush.to(self.device).freeze()
        try:
            self.objective: Objective = make_objective(vgg_weights, self.device, objective, quiet=quiet)
        except ValueError as error:
            raise PainterError(str(error)) from None

    # ------------------------------------------------------------------ public
    def paint(self, photo, strokes: int = 1000, size: int = 512, seed: int = 0, time_limit=None,
              stop: Callable[[], bool] | None = None, *, style=None, style_strength: float = 1.0,
              colour_transfer: bool = False, detail_mask=None, labels=None, style_labels=None,
              brush_size=None, pressure=None, background="mean", palette=None, stroke_length=None,
              **options) -> Iterator[Frame]:
        """Paint `photo` with `strokes` strokes, `size` px on its long side; yields `Frame`s.

        `stop`, if given, is asked between optimiser steps; once it answers True the strokes on
        the canvas so far are kept and the last frame carries them as a whole `Painting`.
        Style and guidance: `style` (an image; `style_strength` in [0, 10], 0 = none;
        `colour_transfer`), `detail_mask` (bright = detail), `labels` + `style_labels` (per-region
        style: regions of one flat colour in each match). Stroke controls, honoured exactly:
        `brush_size=(min, max)` radius px, `pressure=(low, high)` in [0, 1], `background` ("mean",
        "white", "#rrggbb" or (r, g, b)), `palette=K` colours, `stroke_length=(min, max)` chord px.
        Settings are checked and the inputs loaded before this returns, so a bad input raises
        `PainterError` at the call, not halfway through the painting.
        """
        start = time.perf_counter()
        _check_settings(strokes, size, seed, time_limit)
        unknown = set(options) - set(Options.__dataclass_fields__)
        if unknown:
            raise PainterError(f"unknown painting option(s): {', '.join(sorted(unknown))}.")
        opts = Options(**options)
        image = fit_long_side(load_photo(photo), int(size))
        guide = check_guidance(image, style, style_strength, colour_transfer, detail_mask, labels, style_labels,
                               brush_size, pressure, background, palette, stroke_length, work_side=opts.work_side)
        opts.background = guide.controls.background
        return self._paint(image, int(strokes), int(seed), time_limit, opts, start, stop or (lambda: False), guide)

    # ------------------------------------------------------------------ internals
    def _style_network(self) -> VGGFeatures:
        """The objective's VGG16 where it has one (ImageNet weights), else the untrained, seeded VGG16."""
        if self.objective.kind == "vgg" and tuple(self.objective.vgg.layers) == STYLE_LAYERS:
            return self.objective.vgg
        if getattr(self, "_untrained_vgg", None) is None:
            self._untrained_vgg = VGGFeatures(None, STYLE_LAYERS, seed=0).to(self.device)
        return self._untrained_vgg

    def _paint(self, image, strokes, seed, time_limit, opts: Options, start, stop,
               guide: Guide | None = None) -> Iterator[Frame]:
        guide = guide or Guide()
        controls = guide.controls
        device = self.device
        rng = np.random.default_rng(seed)
        torch.manual_seed(seed)
        width, height = image.size
        work = fit_long_side(image, min(max(width, height), opts.work_side))
        ww, wh = work.size
        fx, fy = width / ww, height / wh

        def tensor(im):
            return torch.from_numpy(np.asarray(im, dtype=np.float32) / 255.0).permute(2, 0, 1)[None].to(device)

        target = tensor(work)
        style_loss = None
        if guide.style is not None:
            style = tensor(guide.style)
            if guide.colour_transfer:
                target = colour_transfer(target, style)
            regions = None
            if guide.regions is not None:
                photo_masks, style_masks = (torch.from_numpy(m).to(device) for m in guide.regions)
                regions = (F.interpolate(photo_masks[None], size=(wh, ww), mode="bilinear", align_corners=False)[0],
                           style_masks)
            style_loss = StyleLoss(self._style_network(), style, (wh, ww), opts.style_side, regions)
        style_weight = guide.strength * opts.style_weight

        def objective(c, t):
            loss = self.objective(c, t)
            if style_loss is not None:
                loss = loss + style_weight * style_loss(c)
            return loss

        if opts.background == "white":
            background = torch.ones(3, device=device)
        elif opts.background == "mean":
            background = target.mean(dim=(0, 2, 3))
        else:
            background = torch.tensor(parse_background(opts.background), dtype=torch.float32, device=device)
        palette = None
        if controls.palette is not None:
            source = guide.style if guide.style is not None else work
            palette = torch.from_numpy(palette_colours(source, controls.palette)).to(device)
        detail = None
        if guide.detail is not None:
            detail = torch.from_numpy(guide.detail)[None, None].to(device)
            detail = F.interpolate(detail, size=(wh, ww), mode="bilinear", align_corners=False, antialias=True)
        canvas = background.view(1, 3, 1, 1).expand(1, 3, wh, ww).clone()
        out = background.view(1, 3, 1, 1).expand(1, 3, height, width).clone()
        if detail is not None:
            levels = plan_detail_levels(wh, ww, strokes, opts, float(detail.mean()))
        else:
            levels = plan_levels(wh, ww, strokes, opts)
        if controls.brush_size is not None or controls.stroke_length is not None:
            levels = fit_levels(levels, cell_range(controls, max(ww, wh), fx))
        records: list[StrokeRecord] = []
        snapshots: list[tuple[int, np.ndarray]] = []
        snap_scale = min(1.0, opts.snapshot_side / max(width, height))
        state = {"last_frame": -1e9, "loss": float("nan")}

        def snapshot(c):
            small = c if snap_scale >= 1 else F.interpolate(
                c, scale_factor=snap_scale, mode="bilinear", align_corners=False, antialias=True)
            snapshots.append((len(records), _to_uint8(small)))

        def frame(c, force=False):
            now = time.perf_counter()
            if not force and now - state["last_frame"] < opts.frame_interval:
                return None
            state["last_frame"] = now
            return Frame(_to_uint8(c), len(records), strokes, now - start, state["loss"])

        with torch.no_grad():
            state["loss"] = float(objective(canvas, target))
        snapshot(out)
        yield frame(out, force=True)

        history: list[tuple[int, int, float]] = []  # (strokes, iterations, seconds) of each round
        carry = 0
        for li, level in enumerate(levels):
            budget = level.budget + carry
            d = level.factor
            cell = level.cell
            dy, dx = (int(v) * d for v in rng.integers(0, cell // d, size=2))
            work_grid = Grid(wh, ww, cell, dy, dx)
            lh, lw = -(-wh // d), -(-ww // d)
            grid = Grid(lh, lw, cell // d, dy // d, dx // d)

            def at_level(x):
                return x if d == 1 else F.avg_pool2d(F.pad(x, (0, lw * d - ww, 0, lh * d - wh), mode="replicate"), d)

            level_target = at_level(target)
            orientation = _edge_orientation(level_target, grid.cell)
            space = ActionSpace(controls, work_grid.patch * fx / CELL_PX, palette)
            weight = at_level(detail) if level.detail else None
            cells_here = _cells_on_canvas(grid) if weight is None else _cells_in(grid, weight)
            is_last = li == len(levels) - 1
            attempts = 0
            while budget > 0 and not stop():
                attempts += 1
                level_canvas = at_level(canvas)
                n_round = min(budget, max(1, int(math.ceil(cells_here * opts.round_fraction))))
                picks, points = _pick_cells(grid, level_canvas, level_target, n_round, rng, weight)
                if not picks:
                    break
                init = _initial_actions(grid, picks, points, level_target, orientation, opts, rng)
                iterations = opts.iterations
                if time_limit is not None:  # scale the iterations to the time left
                    left = time_limit * 0.9 - (time.perf_counter() - start) - 0.2
                    rounds = _remaining_rounds(levels, li, budget, n_round, wh, ww, opts)
                    cost = _round_cost(history)
                    need = sum(opts.iterations * cost(n) for n in rounds)
                    iterations = int(opts.iterations * max(0.0, min(1.0, left / max(need, 1e-6))))
                    if iterations == 0 and n_round < budget:  # out of time: place the rest greedily, at once
                        picks, points = _pick_cells(grid, level_canvas, level_target, budget, rng, weight)
                        init = _initial_actions(grid, picks, points, level_target, orientation, opts, rng)
                t0 = time.perf_counter()
                actions = current = init
                for item in self._optimise_round(grid, picks, init, level_canvas, level_target, iterations, opts,
                                                 space, objective):
                    if isinstance(item, tuple):
                        state["loss"], current = item
                        if time.perf_counter() - state["last_frame"] >= opts.frame_interval:
                            preview = self._paint_out(work_grid, picks, current, out.clone(), fx, fy)
                            f = frame(preview)
                            if f is not None:
                                yield f
                    else:
                        actions = item
                    if stop():  # keep the round as the last preview showed it
                        actions = current
                        break
                if iterations > 0:
                    history.append((len(picks), iterations, time.perf_counter() - t0))
                # Drop strokes that cover (almost) nothing on the canvas.
                keep = _coverage(self.brush, grid, picks, actions) >= opts.min_coverage
                if not (is_last and attempts > 8):
                    picks = [p for p, k in zip(picks, keep.tolist()) if k]
                    actions = actions[keep]
                if not picks:
                    if attempts > 8:
                        break
                    continue
                canvas, out = self._commit(work_grid, picks, actions, canvas, out, fx, fy, records, snapshot)
                budget -= len(picks)
                with torch.no_grad():
                    state["loss"] = float(objective(canvas, target))
                f = frame(out)
                if f is not None:
                    yield f
            carry = budget
            if stop():
                break
        painting = Painting.from_records(records, width, height, tuple(background.tolist()), _to_uint8(out),
                                         snapshots)
        final = frame(out, force=True)
        final.done = True
        final.painting = painting
        yield final

    def _optimise_round(self, grid: Grid, picks, init: torch.Tensor, background, target, iterations, opts,
                        space: ActionSpace | None = None, objective=None):
        """Adam on the round's parameters (actions = `space.actions(parameters)`, a sigmoid into the
        allowed ranges); yields (loss, actions) as it goes, then the actions."""
        space = space or ActionSpace()
        objective = objective or self.objective
        groups = _split_groups(grid, picks, self.device)
        params = space.params(init).clone().requires_grad_(True)
        m = torch.zeros_like(params)
        v = torch.zeros_like(params)
        b1, b2, eps = 0.9, 0.999, 1e-8
        for step in range(1, iterations + 1):
            actions = space.actions(params)
            c = background
            alpha = self.brush(actions)
            for group, index, cells in groups:
                a, pc = layer_maps(grid, group, cells, alpha[index], actions[index][:, COLOUR])
                c = over(c, a, pc)
            loss = objective(c, target)
            (grad,) = torch.autograd.grad(loss, [params])
            with torch.no_grad():  # Adam, written out: no optimiser import on the critical path
                m.mul_(b1).add_(grad, alpha=1 - b1)
                v.mul_(b2).addcmul_(grad, grad, value=1 - b2)
                step_size = opts.lr * math.sqrt(1 - b2 ** step) / (1 - b1 ** step)
                params.addcdiv_(m, v.sqrt().add_(eps), value=-step_size)
            yield float(loss.detach()), space.actions(params.detach())
        yield space.actions(params.detach())

    @torch.no_grad()
    def _paint_out(self, work_grid: Grid, picks, actions, out, fx, fy, records=None, snapshot=None):
        """Paint the round's strokes on the output canvas, group by group (the optimiser's order)."""
        alpha = self.brush(actions)
        for group, index, cells in _split_groups(work_grid, picks, self.device):
            origins = _patch_origins(work_grid, group, cells.cpu().numpy()) * np.array([fx, fy])
            acts = actions[index]
            paint_patches(out, alpha[index], acts[:, COLOUR], origins, work_grid.patch * fx)
            if records is not None:
                scale = work_grid.patch * fx / CELL_PX
                for (x, y), act in zip(origins, acts.cpu().numpy()):
                    records.append(StrokeRecord(act.astype(np.float32), (float(x), float(y)), scale))
                snapshot(out)
        return out

    @torch.no_grad()
    def _commit(self, work_grid: Grid, picks, actions, canvas, out, fx, fy, records, snapshot):
        alpha = self.brush(actions)
        for group, index, cells in _split_groups(work_grid, picks, self.device):
            a, pc = layer_maps(work_grid, group, cells, alpha[index], actions[index][:, COLOUR])
            canvas = over(canvas, a, pc)
        out = self._paint_out(work_grid, picks, actions, out, fx, fy, records, snapshot)
        return canvas, out


# ---------------------------------------------------------------------------- helpers
def _patch_origins(grid: Grid, group, cells: np.ndarray) -> np.ndarray:
    ii, jj = grid.group_cells(group)
    nc = len(jj)
    y, x = grid.patch_origin(ii[cells // nc], jj[cells % nc])
    return np.stack([np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)], axis=1).reshape(-1, 2)


def _split_groups(grid: Grid, picks, device):
    """[(group, indices into picks, flat cell indices in the group)] for the groups that have strokes."""
    out = []
    for group in GROUPS:
        index = [k for k, (i, j) in enumerate(picks) if (i % 2, j % 2) == group]
        if not index:
            continue
        ii = np.array([picks[k][0] for k in index])
        jj = np.array([picks[k][1] for k in index])
        cells = grid.group_flat_index(group, ii, jj)
        out.append((group, torch.tensor(index, device=device), torch.as_tensor(cells, device=device)))
    return out


def _cells_on_canvas(grid: Grid) -> int:
    rows = len([i for i in range(grid.rows) if _overlap(grid.cell_origin(i, 0)[0], grid.cell, grid.height)])
    cols = len([j for j in range(grid.cols) if _overlap(grid.cell_origin(0, j)[1], grid.cell, grid.width)])
    return rows * cols


def _overlap(start, length, total) -> bool:
    return start + length > 0 and start < total


def _cell_view(grid: Grid, x: torch.Tensor) -> torch.Tensor:
    """(1, C, H, W) -> (rows, cols, C, cell, cell), padded with zeros off the canvas."""
    c = grid.cell
    top = c - grid.dy
    left = c - grid.dx
    bottom = grid.rows * c - top - grid.height
    right = grid.cols * c - left - grid.width
    x = F.pad(x, (left, right, top, bottom))
    ch = x.shape[1]
    return x.view(ch, grid.rows, c, grid.cols, c).permute(1, 3, 0, 2, 4)


def _cells_in(grid: Grid, weight: torch.Tensor) -> int:
    """How many cells hold some of `weight` (a detail mask at the grid's resolution)."""
    return int((_cell_view(grid, weight).amax(dim=(2, 3, 4)) > 0).sum())


def _pick_cells(grid: Grid, canvas, target, n: int, rng, weight: torch.Tensor | None = None):
    """The n cells with the largest error (largest first) and each one's point of largest error;
    with `weight` (a detail mask), the error is weighted by it and cells without any are left out."""
    error = (canvas - target).abs().sum(1, keepdim=True)
    blurred = _box_blur(error, max(1, grid.cell // 4))
    if weight is not None:
        blurred = blurred * weight
    cells = _cell_view(grid, blurred)  # (rows, cols, 1, c, c)
    on = _cell_view(grid, torch.ones_like(error) if weight is None else weight).amax(dim=(2, 3, 4)).flatten() > 0
    score = cells.sum(dim=(2, 3, 4)).flatten()
    score = score + torch.from_numpy(rng.uniform(0, 1e-6, score.numel())).to(score)  # ties, blank photos
    score = torch.where(on, score, torch.full_like(score, -1.0))
    n = min(n, int(on.sum()))
    if n <= 0:
        return [], None
    top = torch.topk(score, n).indices
    flat = cells.reshape(grid.rows * grid.cols, -1)[top]
    where = flat.argmax(dim=1).cpu().numpy()
    top = top.cpu().numpy()
    picks = [(int(k // grid.cols), int(k % grid.cols)) for k in top]
    c = grid.cell
    ii = np.array([p[0] for p in picks])
    jj = np.array([p[1] for p in picks])
    cy, cx = grid.cell_origin(ii, jj)
    ys = cy + where // c + 0.5
    xs = cx + where % c + 0.5
    return picks, (np.clip(ys, 0, grid.height - 1), np.clip(xs, 0, grid.width - 1))


def _edge_orientation(target, cell: int):
    """Per-pixel angle (radians) of the photo's local edges and the coherence in [0, 1]."""
    gray = target.mean(1, keepdim=True)
    gray = _box_blur(gray, 3)
    gx = F.pad(gray, (1, 1, 0, 0), mode="replicate")
    gx = (gx[..., 2:] - gx[..., :-2]) / 2
    gy = F.pad(gray, (0, 0, 1, 1), mode="replicate")
    gy = (gy[..., 2:, :] - gy[..., :-2, :]) / 2
    k = max(3, cell // 2)
    jxx, jyy, jxy = (_box_blur(m, k) for m in (gx * gx, gy * gy, gx * gy))
    angle = 0.5 * torch.atan2(2 * jxy, jxx - jyy) + math.pi / 2  # along the edge, across the gradient
    coherence = torch.sqrt((jxx - jyy) ** 2 + 4 * jxy ** 2) / (jxx + jyy + 1e-6)
    return angle[0, 0], coherence[0, 0]


def _initial_actions(grid: Grid, picks, points, target, orientation, opts: Options, rng) -> torch.Tensor:
    """A stroke per picked cell at its point of largest error, along the edges, in the photo's colour."""
    c = grid.cell
    n = len(picks)
    angle, coherence = orientation
    ii = np.array([p[0] for p in picks])
    jj = np.array([p[1] for p in picks])
    ys, xs = points
    yi, xi = ys.astype(int), xs.astype(int)
    theta = angle[yi, xi].cpu().numpy()
    coh = coherence[yi, xi].cpu().numpy()
    random_theta = rng.uniform(0, math.pi, n)
    theta = np.where(coh > 0.3, theta + rng.normal(0, 0.15, n), random_theta)
    py, px = grid.patch_origin(ii, jj)
    u = (xs - px) / grid.patch  # centre in patch units
    v = (ys - py) / grid.patch
    half = opts.init_length / 2 * rng.uniform(0.8, 1.2, n)
    du, dv = np.cos(theta) * half, np.sin(theta) * half
    bend = rng.normal(0, 0.03, n)
    a = np.zeros((n, ACTION_SIZE), dtype=np.float32)
    a[:, START] = np.stack([u - du, v - dv], 1)
    a[:, END] = np.stack([u + du, v + dv], 1)
    a[:, CONTROL] = np.stack([u - np.sin(theta) * bend, v + np.cos(theta) * bend], 1)
    a[:, SIZE] = opts.init_size
    a[:, START_PRESSURE] = opts.init_pressure
    a[:, END_PRESSURE] = opts.init_pressure
    blurred = _box_blur(target, max(1, c // 4))
    a[:, COLOUR] = blurred[0, :, yi, xi].T.cpu().numpy()
    return torch.from_numpy(np.clip(a, 0.0, 1.0)).to(target.device)


@torch.no_grad()
def _coverage(brush, grid: Grid, picks, actions) -> torch.Tensor:
    """How many canvas px (at the grid's resolution) each stroke covers, counting only the canvas."""
    alpha = resize_patches(brush(actions), grid.patch)[:, 0]
    ii = np.array([p[0] for p in picks])
    jj = np.array([p[1] for p in picks])
    py, px = grid.patch_origin(ii, jj)
    r = np.arange(grid.patch)
    inside_y = torch.from_numpy(((py[:, None] + r) >= 0) & ((py[:, None] + r) < grid.height))
    inside_x = torch.from_numpy(((px[:, None] + r) >= 0) & ((px[:, None] + r) < grid.width))
    mask = (inside_y[:, :, None] & inside_x[:, None, :]).to(alpha.device, alpha.dtype)
    return (alpha * mask).sum(dim=(1, 2))


_default: dict = {}


def default_painter(device="cpu") -> Painter:
    key = str(device)
    if key not in _default:
        _default[key] = Painter(device=device)
    return _default[key]


def paint(photo, strokes: int = 1000, size: int = 512, seed: int = 0, time_limit=None, device="cpu",
          stop: Callable[[], bool] | None = None, **options) -> Iterator[Frame]:
    """`Painter.paint` with a cached default `Painter` (the shipped brush, VGG16 or the fallback)."""
    _check_settings(strokes, size, seed, time_limit)
    return default_painter(device).paint(photo, strokes=strokes, size=size, seed=seed, time_limit=time_limit,
                                         stop=stop, **options)
