"""One painting in progress: its targets, the canvas at working and at full size, its strokes, its frames.

The painter's loop (painter/painter.py) drives a `Run`: `level_view` sets up a level, `commit`
bakes a round's strokes into the working canvas and paints them on the full-size one (with
`Options.canvas` "mypaint", MyPaint paints them on both: painter/canvas.py), `preview` and `frame`
give the caller what to show, and `finish` the whole `Painting`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F

from .brush import Brush
from .canvas import PaintedCanvas
from .compose import Grid, composite, split_groups, stamp_patches, stroke_layer
from .controls import ActionSpace, cell_range, palette_colours, parse_background
from .objective import Objective, StyledObjective
from .painting import Painting, StrokeRecord
from .photo import fit_long_side
from .placement import Picks, Placement
from .plan import (Level, TimeBudget, choose_work_size, device_options, fit_levels, plan_detail_levels,
                   plan_levels)
from .request import Request
from .stroke import CELL_PX, COLOUR
from .style import StyleLoss, colour_transfer
from .vgg import VGGFeatures


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
class LevelView:
    """One level of the plan as the optimiser sees it: its grids, its target, where its strokes start."""

    index: int           # in the plan, coarse to fine
    level: Level
    work_grid: Grid      # at working size
    grid: Grid           # at the level's resolution (working size / level.factor)
    target: torch.Tensor
    space: ActionSpace
    placement: Placement
    loss: Callable       # loss(canvas at the level's resolution)
    brush: Callable      # the level's neural brush: actions -> coverage

    def shrink(self, x: torch.Tensor) -> torch.Tensor:
        """A working-size image at the level's resolution."""
        return shrink(x, self.level.factor, (self.grid.height, self.grid.width))


def shrink(x: torch.Tensor, factor: int, shape) -> torch.Tensor:
    """`x` averaged down by `factor` to `shape` (h, w), its edges replicated to fill the last cells."""
    if factor == 1:
        return x
    h, w = shape
    return F.avg_pool2d(F.pad(x, (0, w * factor - x.shape[-1], 0, h * factor - x.shape[-2]), mode="replicate"),
                        factor)


class Run:
    """One painting in progress: its targets, the canvas at working and at full size, the strokes
    painted so far, and its frames. Owns the run's random generator.

    It is handed what it needs (the `Painter` resolves it): the likeness `objective`; `brushes`, the
    request's brushes loaded, coarse to fine (spread over the plan's levels); the `device`;
    `stroke_seconds` and `style_network`, asked for only when the request has a time limit or a
    style (each is timed or loaded once, by the painter); and `start`, the clock of the time limit.
    """

    def __init__(self, request: Request, objective: Objective, brushes: list[Brush], device: torch.device,
                 stroke_seconds: Callable[[], float], style_network: Callable[[], VGGFeatures], start: float):
        self.start, self.request = start, request
        self.options = device_options(request.options, device)
        self.rng = np.random.default_rng(request.seed)
        self.device = device
        image, guidance = request.image, request.guidance
        self.width, self.height = image.size
        self.work_size = choose_work_size(max(image.size), request.strokes, device, self.options.work_size)
        work = fit_long_side(image, self.work_size)
        self.work_shape = (work.size[1], work.size[0])
        self.scale = (self.width / work.size[0], self.height / work.size[1])  # full px per working px (x, y)
        self.target = _to_tensor(work, device)
        if guidance.style is not None:
            objective = self._styled(objective, style_network)
        self.objective = objective
        self.full_loss = objective.prepare(self.target)
        self.background = self._background()
        self.palette = None
        if guidance.controls.palette is not None:
            source = guidance.style if guidance.style is not None else work
            self.palette = torch.from_numpy(palette_colours(source, guidance.controls.palette)).to(device)
        self.detail = None
        if guidance.detail is not None:
            detail = torch.from_numpy(guidance.detail)[None, None].to(device)
            self.detail = F.interpolate(detail, size=self.work_shape, mode="bilinear", align_corners=False,
                                        antialias=True)
        self.levels = self._plan()
        self.brushes = spread(brushes, len(self.levels))
        self.level_cells = [max(1, round(level.cell * self.scale[0])) for level in self.levels]  # canvas px
        self.level_brushes = [brush.config.mypaint for brush in self.brushes]  # the MyPaint brush of each level
        self.painted = None  # MyPaint's canvas, where it paints the committed strokes (Options.canvas)
        if self.options.canvas == "mypaint":
            self.painted = PaintedCanvas(self.width, self.height, self.work_shape, self.options.snapshot_side,
                                         self.background.tolist(), self.level_cells, self.level_brushes)
            self._read_painted()
        else:
            self.canvas = self.background.view(1, 3, 1, 1).expand(1, 3, *self.work_shape).clone()
            self.out = self.background.view(1, 3, 1, 1).expand(1, 3, self.height, self.width).clone()
        self.records: list[StrokeRecord] = []
        self.stroke_levels: list[int] = []  # the index in `levels` of each record's level
        self.snapshots: list[tuple[int, np.ndarray]] = []
        self.budget = TimeBudget(request.time_limit, self.start, self.options.iterations,
                                 1e-3 if request.time_limit is None else stroke_seconds())
        self.last_frame = -1e9
        with torch.no_grad():
            self.loss = float(self.full_loss(self.canvas))
        self.snapshot()

    def _styled(self, likeness: Objective, style_network: Callable[[], VGGFeatures]) -> Objective:
        """The likeness objective plus the style loss (through `style_network()`); the photo's colours
        moved to the style's if asked."""
        guidance = self.request.guidance
        style = _to_tensor(guidance.style, self.device)
        if guidance.colour_transfer:
            self.target = colour_transfer(self.target, style)
        regions = None
        if guidance.regions is not None:
            photo_masks, style_masks = (torch.from_numpy(m).to(self.device) for m in guidance.regions)
            regions = (F.interpolate(photo_masks[None], size=self.work_shape, mode="bilinear",
                                     align_corners=False)[0], style_masks)
        style_loss = StyleLoss(style_network(), style, self.work_shape, self.options.style_side, regions)
        return StyledObjective(likeness, style_loss, guidance.strength * self.options.style_weight)

    def _background(self) -> torch.Tensor:
        background = self.request.guidance.controls.background
        if background == "white":
            return torch.ones(3, device=self.device)
        if background == "mean":
            return self.target.mean(dim=(0, 2, 3))
        return torch.tensor(parse_background(background), dtype=torch.float32, device=self.device)

    def _plan(self) -> list[Level]:
        controls, strokes = self.request.guidance.controls, self.request.strokes
        if self.detail is not None:
            levels = plan_detail_levels(*self.work_shape, strokes, self.options, float(self.detail.mean()))
        else:
            levels = plan_levels(*self.work_shape, strokes, self.options)
        if controls.brush_size is not None or controls.stroke_length is not None:
            levels = fit_levels(levels, cell_range(controls, max(self.work_shape), self.scale[0]))
        return levels

    def level_view(self, index: int) -> LevelView:
        """Level `index`'s grids, shifted at random so that no seam lines up, its target and its placement."""
        level = self.levels[index]
        d, cell = level.factor, level.cell
        dy, dx = (int(v) * d for v in self.rng.integers(0, cell // d, size=2))
        wh, ww = self.work_shape
        grid = Grid(-(-wh // d), -(-ww // d), cell // d, dy // d, dx // d)
        target = shrink(self.target, d, (grid.height, grid.width))
        weight = shrink(self.detail, d, (grid.height, grid.width)) if level.detail else None
        work_grid = Grid(wh, ww, cell, dy, dx)
        space = ActionSpace(self.request.guidance.controls, work_grid.patch * self.scale[0] / CELL_PX, self.palette)
        objective = self.objective.for_level(d, index == len(self.levels) - 1)
        return LevelView(index, level, work_grid, grid, target, space, Placement(grid, target, self.options, self.rng, weight),
                         objective.prepare(target), self.brushes[index])

    def commit(self, view: LevelView, picks: Picks, actions: torch.Tensor, alpha: torch.Tensor) -> None:
        """Bake the round's strokes into the working canvas and paint them on the full-size one."""
        with torch.no_grad():
            groups = split_groups(view.work_grid, picks.rows, picks.cols, self.device)
            if self.painted is None:
                self.canvas = composite(self.canvas, view.work_grid, groups, alpha, actions[:, COLOUR])
            self._record(view, picks, groups, actions, alpha)
            if self.painted is not None:
                self._read_painted()
            self.loss = float(self.full_loss(self.canvas))

    def _read_painted(self) -> None:
        """The working and the full-size canvas from MyPaint's (one tensor where the working size is the
        painting's: nothing paints into them in place)."""
        self.canvas = self.painted.tensor("work", self.device)
        self.out = self.canvas if self.painted.work is self.painted.full else self.painted.tensor("full", self.device)

    def preview(self, view: LevelView, picks: Picks, actions: torch.Tensor, alpha: torch.Tensor) -> Frame:
        """A frame with the round's strokes (`actions`, their coverage `alpha` as the optimiser's last step saw
        them) over the painting so far. They are composited as one layer at the working size, and that layer is
        enlarged over the full-size canvas: a few tensor operations a frame, where running the brush again and
        painting each stroke at full size (as a committed round is) cost the app's default painting about a
        tenth of its time at 4 frames a second (benchmarks/app_speed.py)."""
        with torch.no_grad():
            groups = split_groups(view.work_grid, picks.rows, picks.cols, self.device)
            premultiplied, uncovered = stroke_layer(view.work_grid, groups, alpha, actions[:, COLOUR])
            if premultiplied.shape[-2:] != self.out.shape[-2:]:
                premultiplied, uncovered = (F.interpolate(x, size=self.out.shape[-2:], mode="bilinear", align_corners=False)
                                            for x in (premultiplied, uncovered))
        return self.frame(premultiplied + uncovered * self.out, force=True)

    def _record(self, view: LevelView, picks: Picks, groups, actions, alpha) -> None:
        """Keep a round's strokes as the painting's, group by group (the optimiser's order), each group painted
        at full size (by the neural brush on `out`, or by MyPaint on its canvas) and snapshot for the timelapse."""
        fx, fy = self.scale
        side = view.work_grid.patch * fx
        for _, index, _ in groups:
            chosen = index.cpu().numpy()
            y, x = view.work_grid.patch_origin(picks.rows[chosen], picks.cols[chosen])
            origins = np.stack([np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)], 1) * np.array([fx, fy])
            records = [StrokeRecord(a.astype(np.float32), (float(ox), float(oy)), side / CELL_PX)
                       for (ox, oy), a in zip(origins, actions[index].cpu().numpy())]
            self.records.extend(records)
            self.stroke_levels.extend([view.index] * len(origins))
            if self.painted is None:
                stamp_patches(self.out, alpha[index], actions[index][:, COLOUR], origins, side)
            else:
                self.painted.paint([r.stroke() for r in records], [view.index] * len(records))
            self.snapshot()

    def snapshot(self) -> None:
        if self.painted is not None:
            self.snapshots.append((len(self.records), self.painted.snapshot()))
            return
        scale = min(1.0, self.options.snapshot_side / max(self.width, self.height))
        small = self.out if scale >= 1 else F.interpolate(self.out, scale_factor=scale, mode="bilinear",
                                                          align_corners=False, antialias=True)
        self.snapshots.append((len(self.records), _to_uint8(small)))

    def frame_due(self) -> bool:
        return time.perf_counter() - self.last_frame >= self.options.frame_interval

    def frame(self, image: torch.Tensor | np.ndarray | None = None, force: bool = False) -> Frame | None:
        """A frame of `image` (default: the painting so far), at most one per `frame_interval` unless forced."""
        now = time.perf_counter()
        if not force and now - self.last_frame < self.options.frame_interval:
            return None
        self.last_frame = now
        image = self.out if image is None else image
        return Frame(image if isinstance(image, np.ndarray) else _to_uint8(image), len(self.records),
                     self.request.strokes, now - self.start, self.loss)

    def finish(self) -> Frame:
        """The last frame, with the whole painting."""
        # MyPaint's canvas: the image exactly as render_with_mypaint paints the strokes
        image = _to_uint8(self.out) if self.painted is None else np.asarray(self.painted.image())
        painting = Painting.from_records(self.records, self.width, self.height, tuple(self.background.tolist()),
                                         image, self.snapshots, self.stroke_levels, self.level_cells,
                                         self.objective.name, self.work_size, self.level_brushes)
        final = self.frame(image, force=True)
        if self.painted is not None:
            self.painted.close()
        final.done, final.painting = True, painting
        return final


def spread(brushes, levels: int) -> list:
    """`brushes` (coarse to fine) over a plan of `levels` levels: the first brush paints the coarsest
    level and the last the finest, the others the levels between in order (one brush: every level)."""
    if len(brushes) == 1 or levels == 1:
        return [brushes[0]] * levels
    return [brushes[int(i * (len(brushes) - 1) / (levels - 1) + 0.5)] for i in range(levels)]


def stroke_seconds(brush, device) -> float:
    """Seconds per stroke of the brush forward and backward on this machine: the slope between a small
    and a large batch, so that the fixed cost of a call is not counted per stroke (for the time budget)."""
    def best(batch):
        actions = torch.linspace(0.05, 0.95, batch * 12, device=device).view(batch, 12).requires_grad_(True)
        times = []
        for _ in range(3):  # the first is a warm-up
            started = time.perf_counter()
            brush(actions).sum().backward()
            if device.type == "cuda":
                torch.cuda.synchronize(device)
            times.append(time.perf_counter() - started)
        return min(times[1:])

    return max(best(128) - best(16), 1e-6) / (128 - 16)


def _to_tensor(image, device) -> torch.Tensor:
    return torch.from_numpy(np.asarray(image, dtype=np.float32) / 255.0).permute(2, 0, 1)[None].to(device)


def _to_uint8(canvas: torch.Tensor) -> np.ndarray:
    return (canvas[0].clamp(0, 1) * 255 + 0.5).to(torch.uint8).permute(1, 2, 0).cpu().numpy()
