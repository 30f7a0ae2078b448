"""Where new strokes start: in the cells furthest from the photo, along its edges, in its colours.

Each round picks the cells of a level's grid where the canvas is furthest from the photo (the
error blurred over a quarter cell, weighted by a detail mask where there is one), and starts one
stroke in each at its point of largest error: oriented along the photo's local edge direction
(the structure tensor's), where the edges are coherent, in the photo's colour there. After
optimising, `coverage` tells which strokes ended up painting (almost) nothing on the canvas.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from .compose import Grid, resize_patches
from .stroke import ACTION_SIZE, COLOUR, CONTROL, END, END_PRESSURE, SIZE, START, START_PRESSURE


@dataclass
class Picks:
    """Cells picked for a round's strokes, and each one's point of largest error (level px)."""

    rows: np.ndarray
    cols: np.ndarray
    ys: np.ndarray
    xs: np.ndarray

    def __len__(self) -> int:
        return len(self.rows)

    def subset(self, keep: np.ndarray) -> "Picks":
        return Picks(self.rows[keep], self.cols[keep], self.ys[keep], self.xs[keep])


class Placement:
    """Picks cells and starts strokes on one level: `pick(canvas, n)`, `start(picks)`, `coverage(alpha, picks)`.

    `grid` and `target` are at the level's resolution; `weight`, a detail mask there, limits the
    cells to those it touches. `rng` is the run's numpy generator.
    """

    def __init__(self, grid: Grid, target: torch.Tensor, options, rng: np.random.Generator,
                 weight: torch.Tensor | None = None):
        self.grid = grid
        self.target = target
        self.options = options
        self.rng = rng
        self.weight = weight
        self.angle, self.coherence = edge_orientation(target, grid.cell)
        self.colour = box_blur(target, max(1, grid.cell // 4))
        area = torch.ones_like(target[:, :1]) if weight is None else weight
        self.usable = _cell_view(grid, area).amax(dim=(2, 3, 4)).flatten() > 0  # cells on the canvas (or mask)
        self.cells = int(self.usable.sum())

    def pick(self, canvas: torch.Tensor, n: int) -> Picks | None:
        """The n cells with the largest error (largest first), or None where no cell is left."""
        grid = self.grid
        error = (canvas - self.target).abs().sum(1, keepdim=True)
        blurred = box_blur(error, max(1, grid.cell // 4))
        if self.weight is not None:
            blurred = blurred * self.weight
        cells = _cell_view(grid, blurred)  # (rows, cols, 1, c, c)
        score = cells.sum(dim=(2, 3, 4)).flatten()
        ties = torch.from_numpy(self.rng.uniform(0, 1e-6, score.numel()))  # ties, blank photos
        score = score + ties.to(score.device, score.dtype)
        score = torch.where(self.usable, score, torch.full_like(score, -1.0))
        n = min(n, self.cells)
        if n <= 0:
            return None
        top = torch.topk(score, n).indices
        where = cells.reshape(grid.rows * grid.cols, -1)[top].argmax(dim=1).cpu().numpy()
        top = top.cpu().numpy()
        rows, cols = top // grid.cols, top % grid.cols
        c = grid.cell
        cy, cx = grid.cell_origin(rows, cols)
        ys = cy + where // c + 0.5
        xs = cx + where % c + 0.5
        return Picks(rows, cols, np.clip(ys, 0, grid.height - 1), np.clip(xs, 0, grid.width - 1))

    def start(self, picks: Picks) -> torch.Tensor:
        """A stroke per picked cell at its point of largest error, along the edges, in the photo's colour."""
        grid, options, rng = self.grid, self.options, self.rng
        n = len(picks)
        ys, xs = picks.ys, picks.xs
        yi, xi = ys.astype(int), xs.astype(int)
        theta = self.angle[yi, xi].cpu().numpy()
        coherence = self.coherence[yi, xi].cpu().numpy()
        random_theta = rng.uniform(0, math.pi, n)
        theta = np.where(coherence > 0.3, theta + rng.normal(0, 0.15, n), random_theta)
        py, px = grid.patch_origin(picks.rows, picks.cols)
        u = (xs - px) / grid.patch  # centre in patch units
        v = (ys - py) / grid.patch
        half = options.init_length / 2 * rng.uniform(0.8, 1.2, n)
        du, dv = np.cos(theta) * half, np.sin(theta) * half
        bend = rng.normal(0, 0.03, n)
        a = np.zeros((n, ACTION_SIZE), dtype=np.float32)
        a[:, START] = np.stack([u - du, v - dv], 1)
        a[:, END] = np.stack([u + du, v + dv], 1)
        a[:, CONTROL] = np.stack([u - np.sin(theta) * bend, v + np.cos(theta) * bend], 1)
        a[:, SIZE] = options.init_size
        a[:, START_PRESSURE] = options.init_pressure
        a[:, END_PRESSURE] = options.init_pressure
        a[:, COLOUR] = self.colour[0, :, yi, xi].T.cpu().numpy()
        return torch.from_numpy(np.clip(a, 0.0, 1.0)).to(self.target.device)

    @torch.no_grad()
    def coverage(self, alpha: torch.Tensor, picks: Picks) -> torch.Tensor:
        """How many canvas px (at the level's resolution) each stroke covers, counting only the canvas;
        `alpha` is the brush's output for the strokes."""
        grid = self.grid
        alpha = resize_patches(alpha, grid.patch)[:, 0]
        py, px = grid.patch_origin(picks.rows, picks.cols)
        r = np.arange(grid.patch)
        inside_y = torch.from_numpy(((py[:, None] + r) >= 0) & ((py[:, None] + r) < grid.height))
        inside_x = torch.from_numpy(((px[:, None] + r) >= 0) & ((px[:, None] + r) < grid.width))
        mask = (inside_y[:, :, None] & inside_x[:, None, :]).to(alpha.device, alpha.dtype)
        return (alpha * mask).sum(dim=(1, 2))


def box_blur(x: torch.Tensor, k: int) -> torch.Tensor:
    """Mean over a k x k box (k made odd), the edges replicated."""
    if k <= 1:
        return x
    k = int(k) | 1
    return F.avg_pool2d(F.pad(x, (k // 2,) * 4, mode="replicate"), k, stride=1)


def edge_orientation(target: torch.Tensor, cell: int):
    """Per-pixel angle (radians) of the photo's local edges and the coherence in [0, 1]."""
    gray = target.mean(1, keepdim=True)
    gray = box_blur(gray, 3)
    gx = F.pad(gray, (1, 1, 0, 0), mode="replicate")
    gx = (gx[..., 2:] - gx[..., :-2]) / 2
    gy = F.pad(gray, (0, 0, 1, 1), mode="replicate")
    gy = (gy[..., 2:, :] - gy[..., :-2, :]) / 2
    k = max(3, cell // 2)
    jxx, jyy, jxy = (box_blur(m, k) for m in (gx * gx, gy * gy, gx * gy))
    angle = 0.5 * torch.atan2(2 * jxy, jxx - jyy) + math.pi / 2  # along the edge, across the gradient
    coherence = torch.sqrt((jxx - jyy) ** 2 + 4 * jxy ** 2) / (jxx + jyy + 1e-6)
    return angle[0, 0], coherence[0, 0]


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
