"""The plan of a painting: levels of cells from coarse to fine, their stroke budgets, and the time budget.

A level is a grid of square cells, one stroke per cell and round; the finest cell follows the
stroke density asked for, and each level gets strokes in proportion to a power of its cell count,
so broad strokes lay in the colours and most strokes go to the detail. A detail mask adds finer
levels painted only inside it; stroke controls move cells to sizes at which they can be honoured.
Under a time limit, `TimeBudget` scales each round's Adam steps to the time left.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace

import numpy as np

from .controls import fit_cell

MAX_LEVELS = 5
CPU_WORK_SIZE = 256    # the 2-core CPU's working size, measured (docs/MEASURED.md, "Strokes and sizes")
MAX_WORK_SIZE = 2048   # the painter's largest painting
GPU_FINEST_CELL = 32   # on a GPU: work at the size where the finest cell's patch is the brush's own 64 px
CPU_ROUND_FRACTION, GPU_ROUND_FRACTION = 0.75, 1.0


@dataclass
class Level:
    cell: int         # cell side in working px
    factor: int       # optimised at working size / factor
    budget: int = 0   # strokes
    detail: bool = False  # strokes only where the detail mask is


def is_gpu(device) -> bool:
    return str(device).startswith("cuda")


def choose_work_size(side: int, strokes: int, device, requested: int | None = None, density: float = 0.6) -> int:
    """The long side, in px, at which the strokes of a `side`-px painting are optimised.

    Never above the painting. `requested` where the user chose one; on the CPU 256 px (the time a
    step takes grows with the canvas); on a GPU the size at which the finest cell the stroke count
    asks for (`plan_levels`) is 32 px, so that its strokes are optimised at the brush's own
    resolution against the photo's own detail: 780 px for 1,000 strokes, 2,048 for 6,900 or more.
    """
    if requested is not None:
        return min(int(requested), side)
    if not is_gpu(device):
        return min(CPU_WORK_SIZE, side)
    wanted = round(GPU_FINEST_CELL * math.sqrt(density * strokes))
    return min(side, MAX_WORK_SIZE, max(CPU_WORK_SIZE, wanted))


def device_options(options, device):
    """`options` with what is left to the device filled in: the share of a level's cells painted per
    round. A GPU composites every cell of a level as cheaply as a few, so its rounds take them all
    (those the error ranks first, where the budget is smaller); the CPU's three quarters are measured
    (benchmarks/objective_variants.py: fewer, larger rounds than a half, closer to the photo on two
    dev photos of three and in less time)."""
    if options.round_fraction is not None:
        return options
    return replace(options, round_fraction=GPU_ROUND_FRACTION if is_gpu(device) else CPU_ROUND_FRACTION)


def level_factor(cell: int) -> int:
    """How much a level's canvas is shrunk for optimising: a brush patch needs no more than 64 px."""
    factor = 1
    while cell // (factor * 2) >= 32 and cell % (factor * 2) == 0:
        factor *= 2
    return factor


def plan_levels(height: int, width: int, strokes: int, options) -> list[Level]:
    """Cell sizes from coarse to fine and their stroke budgets (`options`: density, level_power)."""
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
    cells = sorted(set(cells), reverse=True)
    if len(cells) > MAX_LEVELS:  # large canvases: keep the broadest cells and the finest ones
        cells = cells[:1] + cells[-(MAX_LEVELS - 1):]
    levels = [Level(c, level_factor(c)) for c in cells]
    weights = np.array([((height / c + 1) * (width / c + 1)) ** options.level_power for c in cells])
    budgets = np.floor(weights / weights.sum() * strokes).astype(int)
    budgets[-1] += strokes - budgets.sum()
    for level, b in zip(levels, budgets):
        level.budget = int(b)
    return [lv for lv in levels if lv.budget > 0]


def plan_detail_levels(height: int, width: int, strokes: int, options, share: float) -> list[Level]:
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
        fine = [Level(cell, level_factor(cell), 1)]
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
            out.append(Level(cell, level_factor(cell), level.budget, level.detail))
    return sorted(out, key=lambda lv: (-lv.cell, lv.detail))


def round_size(cells: int, budget: int, round_fraction: float) -> int:
    """Strokes in the next round of a level with `cells` cells to pick from and `budget` strokes left."""
    return min(budget, max(1, int(math.ceil(cells * round_fraction))))


def remaining_rounds(levels: list[Level], index: int, budget: int, n_round: int, height: int, width: int,
                     round_fraction: float) -> list[tuple[int, int, int]]:
    """(level, strokes, px of the level's canvas) of the rounds still to come, the current one (of
    level `index`) included (an estimate)."""
    rounds = []
    for k in range(index, len(levels)):
        left = budget if k == index else levels[k].budget
        c, d = levels[k].cell, levels[k].factor
        size = n_round if k == index else max(1, math.ceil((height / c + 1) * (width / c + 1) * round_fraction))
        pixels = -(-height // d) * -(-width // d)
        while left > 0:
            rounds.append((k, min(size, left), pixels))
            left -= size
    return rounds


class TimeBudget:
    """Adam steps per round: all of them without a time limit; with one, as many as the time left allows.

    A step costs about b n + a P seconds: n strokes through the brush (b measured before the run)
    and P px of the level's canvas through the compositing and the objective (a from the level's
    own rounds so far, before its first round from the level before). A level may use the time that
    the levels after it will not need at their full steps, and at least a share of the time left
    in proportion to its strokes still to paint; its rounds share that alike. So where the guess for
    the finer levels is off, they still get the time their strokes are worth. No round runs past
    the run's own end, and where time is short a round also stops at half as long again as its price.
    """

    def __init__(self, limit: float | None, start: float, iterations: int, stroke_seconds: float = 1e-3):
        self.limit = limit
        self.start = start
        self.iterations = iterations
        self.stroke_seconds = stroke_seconds
        self.history: list[tuple[int, int, int, int, float]] = []  # (level, strokes, px, steps, seconds)
        self.deadline = math.inf  # of the round under way

    def steps(self, rounds) -> int:
        """Adam steps for the next round; `rounds` ((level, strokes, px) of each round to come, the next
        one first) is called only under a time limit."""
        if self.limit is None:
            return self.iterations
        now = time.perf_counter()
        end = self.start + self.limit * 0.9 - 0.2
        upcoming = rounds()
        level = upcoming[0][0]
        here = [r for r in upcoming if r[0] == level]
        later = self.iterations * sum(self.cost(k, n, p) for k, n, p in upcoming if k != level)
        share = max(end - now - later, (end - now) * sum(r[1] for r in here) / sum(r[1] for r in upcoming))
        need = self.iterations * sum(self.cost(*r) for r in here)
        self.deadline = end
        if need <= share:
            return self.iterations
        steps = int(self.iterations * max(0.0, share / need))
        self.deadline = min(end, now + 1.5 * steps * self.cost(*upcoming[0]) + 0.05)
        return steps

    def expired(self) -> bool:
        """Whether the round under way has used up its time."""
        return time.perf_counter() > self.deadline

    def record(self, level: int, strokes: int, pixels: int, steps: int, seconds: float) -> None:
        if steps > 0:
            self.history.append((level, strokes, pixels, steps, seconds))

    def cost(self, level: int, strokes: int, pixels: int) -> float:
        """Seconds a step of a round of `strokes` on a canvas of `pixels` at `level` (an estimate)."""
        timed = [h for h in self.history if h[0] == level] or self.history[-1:]
        b = self.stroke_seconds
        a = np.mean([max(0.0, t / s - b * n) / p for _, n, p, s, t in timed]) if timed else 2e-7
        return float(a * pixels + b * strokes)
