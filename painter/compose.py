"""Differentiable placement of 64x64 brush patches on a canvas, composited with "over".

Strokes live on a grid of cells of side `cell` px. A stroke's 64x64 patch covers twice its
cell, centred on it, so strokes cross cell borders and the grid leaves no seams. The cells fall
into four groups by the parity of their row and column; within a group the patches tile the
plane without overlapping, so one group's strokes are composited in a single batched step (a
reshape, no scatter): a "layer". Painting order is layer by layer. The optimiser and the commit
of a round composite through the same `composite`; `stamp_patches` renders at any other size.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F


GROUPS = ((0, 0), (1, 1), (0, 1), (1, 0))


@dataclass(frozen=True)
class Grid:
    """Cells of side `cell` px over a `height` x `width` canvas, shifted by (`dy`, `dx`) in [0, cell).

    Cell (i, j) covers [dy + (i - 1) cell, dy + i cell) x [dx + (j - 1) cell, dx + j cell); its patch
    covers twice that, from half a cell before to half a cell after.
    """

    height: int
    width: int
    cell: int
    dy: int = 0
    dx: int = 0

    @property
    def patch(self) -> int:
        return 2 * self.cell

    @property
    def rows(self) -> int:
        return (self.height - self.dy) // self.cell + 2

    @property
    def cols(self) -> int:
        return (self.width - self.dx) // self.cell + 2

    def cell_origin(self, i, j):
        """Top-left corner (y, x) of cell (i, j) in canvas px (works on arrays)."""
        return self.dy + (np.asarray(i) - 1) * self.cell, self.dx + (np.asarray(j) - 1) * self.cell

    def patch_origin(self, i, j):
        """Top-left corner (y, x) of the patch of cell (i, j) in canvas px."""
        y, x = self.cell_origin(i, j)
        return y - self.cell // 2, x - self.cell // 2

    def group_cells(self, group) -> tuple[np.ndarray, np.ndarray]:
        """Row and column indices of a group's cells, row-major, and the group's (rows, cols) shape."""
        a, b = group
        ii = np.arange(a, self.rows, 2)
        jj = np.arange(b, self.cols, 2)
        return ii, jj

    def group_flat_index(self, group, i, j) -> np.ndarray:
        """Position of cells (i, j) of `group` in the group's row-major list."""
        a, b = group
        ncols = len(range(b, self.cols, 2))
        return (np.asarray(i) - a) // 2 * ncols + (np.asarray(j) - b) // 2


def resize_patches(patches: torch.Tensor, size: int) -> torch.Tensor:
    """(N, C, 64, 64) -> (N, C, size, size), bilinear, antialiased when shrinking."""
    if size == patches.shape[-1]:
        return patches
    return F.interpolate(patches, size=(size, size), mode="bilinear", align_corners=False,
                         antialias=size < patches.shape[-1])


def tile_layer(grid: Grid, group, patches: torch.Tensor) -> torch.Tensor:
    """Place one group's patches (rows_g * cols_g, C, P, P) on the canvas: (1, C, H, W)."""
    ii, jj = grid.group_cells(group)
    nr, nc = len(ii), len(jj)
    p = grid.patch
    c = patches.shape[1]
    image = patches.view(nr, nc, c, p, p).permute(2, 0, 3, 1, 4).reshape(1, c, nr * p, nc * p)
    y0, x0 = grid.patch_origin(ii[0], jj[0])
    top, left = int(y0), int(x0)
    bottom = grid.height - (top + nr * p)
    right = grid.width - (left + nc * p)
    return F.pad(image, (left, right, top, bottom))


def layer_maps(grid: Grid, group, cells: torch.Tensor, alpha: torch.Tensor, colour: torch.Tensor):
    """Canvas-sized coverage (1, 1, H, W) and premultiplied colour (1, 3, H, W) of one layer.

    `alpha` (n, 1, 64, 64) brush output and `colour` (n, 3) for the strokes in `cells`.
    """
    ii, jj = grid.group_cells(group)
    total = len(ii) * len(jj)
    p = grid.patch
    a = resize_patches(alpha, p)
    both = torch.cat([a, a * colour[:, :, None, None]], dim=1)  # (n, 4, P, P)
    full = both.new_zeros((total, 4, p, p)).index_copy(0, cells, both)
    maps = tile_layer(grid, group, full)
    return maps[:, :1], maps[:, 1:]


def over(canvas: torch.Tensor, alpha: torch.Tensor, premultiplied: torch.Tensor) -> torch.Tensor:
    """Composite a layer over the canvas: alpha * colour + (1 - alpha) * canvas."""
    return premultiplied + (1 - alpha) * canvas


def split_groups(grid: Grid, rows: np.ndarray, cols: np.ndarray, device) -> list:
    """[(group, indices into the strokes, flat cell indices in the group)] for the groups that have strokes."""
    out = []
    for group in GROUPS:
        index = np.flatnonzero((rows % 2 == group[0]) & (cols % 2 == group[1]))
        if not len(index):
            continue
        cells = grid.group_flat_index(group, rows[index], cols[index])
        out.append((group, torch.as_tensor(index, device=device), torch.as_tensor(cells, device=device)))
    return out


def composite(canvas: torch.Tensor, grid: Grid, groups, alpha: torch.Tensor, colour: torch.Tensor) -> torch.Tensor:
    """The strokes over the canvas, layer by layer in painting order (differentiable).

    `groups` from `split_groups`; `alpha` (n, 1, 64, 64) brush output and `colour` (n, 3) of all the strokes.
    """
    for group, index, cells in groups:
        a, premultiplied = layer_maps(grid, group, cells, alpha[index], colour[index])
        canvas = over(canvas, a, premultiplied)
    return canvas


def stroke_layer(grid: Grid, groups, alpha: torch.Tensor, colour: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The strokes as one layer, group by group in painting order, as `composite` lays them: its premultiplied
    colour (1, 3, H, W) and the share of whatever lies beneath that still shows through (1, 1, H, W), so that
    `premultiplied + uncovered * canvas` is the strokes over any canvas of the grid's size (or that layer
    enlarged, over a larger one)."""
    premultiplied = alpha.new_zeros((1, 3, grid.height, grid.width))
    uncovered = alpha.new_ones((1, 1, grid.height, grid.width))
    for group, index, cells in groups:
        a, p = layer_maps(grid, group, cells, alpha[index], colour[index])
        premultiplied, uncovered = over(premultiplied, a, p), (1 - a) * uncovered
    return premultiplied, uncovered


@torch.no_grad()
def stamp_patches(canvas: torch.Tensor, alpha: torch.Tensor, colour: torch.Tensor, origins: np.ndarray,
                  side: float) -> torch.Tensor:
    """Composite strokes one by one, in order, in place: `alpha` (n, 1, 64, 64) brush output resized to
    `side` px, its top-left corner at `origins` (n, 2) (x, y) in canvas px. For rendering at any size."""
    _, _, h, w = canvas.shape
    p = max(1, int(round(side)))
    patches = resize_patches(alpha, p)[:, 0]
    for k in range(len(alpha)):
        x0, y0 = int(round(origins[k, 0])), int(round(origins[k, 1]))
        ya, yb, xa, xb = max(0, y0), min(h, y0 + p), max(0, x0), min(w, x0 + p)
        if ya >= yb or xa >= xb:
            continue
        a = patches[k, ya - y0:yb - y0, xa - x0:xb - x0]
        region = canvas[0, :, ya:yb, xa:xb]
        region.mul_(1 - a).add_(a * colour[k].view(3, 1, 1))
    return canvas
