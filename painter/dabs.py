"""MyPaint's dabs of a stroke, as the brush's guide to the grain of the stroke MyPaint really paints.

A fresh libmypaint brush always draws the same random numbers (`mypaint_brush_new` seeds its
generator with one constant), so dab k of every stroke is moved by the same random pair g_k, times
the brush's `offset_by_random` at the dab's pressure, times the radius; and dab k lies where the
curve's length reaches (k + 1) / (dabs per radius) radii. For charcoal both are exact to 0.04 px
(benchmarks/dab_positions.py), so the dabs of the stroke MyPaint paints at stream 0, scatter
included, are a differentiable function of the action. `DabGuide` splats them into the brush's 64 px
cell, blurred at three widths, and a small convolution adds what they say to the brush's logits:
the network still paints the stroke, and learns the dab's shape and opacity from MyPaint's strokes.
"""

from __future__ import annotations

import contextlib
import json

import torch
import torch.nn.functional as F
from torch import nn

from .stroke import (CELL_PX, CONTROL, CURVE_POINTS, END, END_PRESSURE, MAX_PRESSURE, SIZE, START, START_PRESSURE,
                     Stroke, bezier_points)

TABLE_SIZE = 640            # dabs with their own random pair; a longer stroke's later dabs get none
BLUR_PX = (0.7, 1.4, 2.8)   # the splatted dabs blurred at these widths (the brush's radii are 1 to 7.4 px)
BLUR_REACH = 8
HEAD_WIDTH = 8              # channels of the guide's convolutions at 64 px (16 cost 2.5 ms a stroke, forward and back)


def dab_settings(mypaint: str) -> tuple[float, tuple[float, float]]:
    """(dabs per radius, (offset_by_random at pressure 0, its change to pressure 1)) of a MyPaint brush."""
    from .mypaint import brush_definition

    settings = json.loads(brush_definition(mypaint))["settings"]
    per_radius = sum(settings.get(name, {"base_value": 0.0})["base_value"]
                     for name in ("dabs_per_actual_radius", "dabs_per_basic_radius"))
    scatter = settings.get("offset_by_random", {"base_value": 0.0, "inputs": {}})
    points = scatter["inputs"].get("pressure") or [(0.0, 0.0), (1.0, 0.0)]
    (x0, y0), (x1, y1) = points[0], points[-1]
    return float(per_radius), (float(scatter["base_value"] + y0), float((y1 - y0) / (x1 - x0)))


def random_pairs(mypaint: str, scatter: tuple[float, float]) -> torch.Tensor:
    """(TABLE_SIZE, 2): the random pair g_k of each dab k, read from MyPaint's own dabs of a long straight
    stroke at one pressure, with and without the scatter."""
    from .mypaint import record_dabs

    pressure = 0.5
    reference = Stroke((2.0, 32.0), (600.0, 32.0), (1200.0, 32.0), 1.0, (pressure, pressure), (0.0, 0.0, 0.0))
    moved, placed = record_dabs(reference, brush=mypaint), record_dabs(reference, brush=mypaint, scatter=False)
    n = min(len(moved), len(placed), TABLE_SIZE)
    amplitude = scatter[0] + scatter[1] * pressure
    table = torch.zeros(TABLE_SIZE, 2)
    if amplitude:
        table[:n] = torch.from_numpy((moved[:n, :2] - placed[:n, :2]) / (amplitude * placed[:n, 2:3]))
    return table


class DabGuide(nn.Module):
    """Adds to the brush's (N, 1, 64, 64) logits what the stroke's dabs say (see the module's docstring)."""

    def __init__(self, per_radius: float, scatter: tuple[float, float]):
        super().__init__()
        self.per_radius, self.scatter = float(per_radius), tuple(scatter)
        self.register_buffer("table", torch.zeros(TABLE_SIZE, 2))  # filled from MyPaint by training
        self.register_buffer("t", torch.linspace(0, 1, CURVE_POINTS)[:, None], persistent=False)
        x = torch.arange(-BLUR_REACH, BLUR_REACH + 1, dtype=torch.float32)
        kernels = torch.exp(-x[None] ** 2 / (2 * torch.tensor(BLUR_PX)[:, None] ** 2))
        self.register_buffer("kernels", (kernels / kernels.sum(1, keepdim=True)).repeat(2, 1), persistent=False)
        channels = 2 * len(BLUR_PX) + 2   # the blurred dabs (plain, pressure-weighted), the radius, the logits
        self.head = nn.Sequential(nn.Conv2d(channels, HEAD_WIDTH, 3, padding=1), nn.ReLU(inplace=True),
                                  nn.Conv2d(HEAD_WIDTH, HEAD_WIDTH, 3, padding=1), nn.ReLU(inplace=True),
                                  nn.Conv2d(HEAD_WIDTH, 1, 3, padding=1))
        nn.init.zeros_(self.head[-1].weight)  # a new guide starts as the brush it is added to
        nn.init.zeros_(self.head[-1].bias)

    def centres(self, actions: torch.Tensor):
        """(N, K, 2) dab centres in cell px, (N, K) pressures and (N, K) 1 for a dab MyPaint paints, else 0."""
        n = len(actions)
        points, _ = bezier_points(*(actions[:, part] * CELL_PX for part in (START, CONTROL, END)), self.t)
        radius = torch.exp(2 * actions[:, SIZE:SIZE + 1])
        steps = (points[:, 1:] - points[:, :-1]).pow(2).sum(-1).add(1e-9).sqrt()
        count = torch.cat([steps.new_zeros(n, 1), steps.cumsum(1)], 1) / radius * self.per_radius
        k_max = int(min(TABLE_SIZE, max(1.0, float(count[:, -1].detach().max()))))
        k = torch.arange(1, k_max + 1, dtype=points.dtype, device=points.device).expand(n, k_max)
        upper = torch.searchsorted(count.detach().contiguous(), k.contiguous()).clamp(1, CURVE_POINTS - 1)
        low, high = count.gather(1, upper - 1), count.gather(1, upper)
        share = ((k - low) / (high - low + 1e-9)).clamp(0, 1)
        index = (upper - 1)[..., None].expand(n, k_max, 2)
        before, after = points.gather(1, index), points.gather(1, index + 1)
        along = ((upper - 1).to(points.dtype) + share) / (CURVE_POINTS - 1)
        p0, p1 = actions[:, START_PRESSURE:START_PRESSURE + 1], actions[:, END_PRESSURE:END_PRESSURE + 1]
        pressure = (p0 + along * (p1 - p0)) * MAX_PRESSURE
        amplitude = (self.scatter[0] + self.scatter[1] * pressure).clamp(min=0)
        centres = before + share[..., None] * (after - before) + self.table[:k_max] * (amplitude * radius)[..., None]
        return centres, pressure, (k <= count[:, -1:]).to(points.dtype)

    def maps(self, actions: torch.Tensor, bfloat16: bool = False) -> torch.Tensor:
        """(N, 7, 64, 64): the dabs splatted (bilinear, so that the splat follows the action) and blurred at
        BLUR_PX, plainly and weighted by pressure, and the radius (in 8 px)."""
        centres, pressure, painted = self.centres(actions)
        n, side = len(actions), CELL_PX + 2  # one px of margin each side, cut off after
        x, y = centres[..., 0] - 0.5 + 1, centres[..., 1] - 0.5 + 1
        x0, y0 = x.detach().floor(), y.detach().floor()
        fx, fy = x - x0, y - y0
        splats = []
        for weight in (painted, painted * pressure):
            grid = centres.new_zeros(n, side * side)
            for dx, dy, w in ((0, 0, (1 - fx) * (1 - fy)), (1, 0, fx * (1 - fy)), (0, 1, (1 - fx) * fy), (1, 1, fx * fy)):
                column, row = (x0 + dx).clamp(0, side - 1).long(), (y0 + dy).clamp(0, side - 1).long()
                grid = grid.scatter_add(1, row * side + column, w * weight)
            splats.append(grid.view(n, 1, side, side)[:, :, 1:-1, 1:-1])
        blurred = torch.cat(splats, 1).repeat_interleave(len(BLUR_PX), 1)
        groups = blurred.shape[1]
        with torch.autocast("cpu", dtype=torch.bfloat16) if bfloat16 else contextlib.nullcontext():
            blurred = F.conv2d(blurred, self.kernels[:, None, None, :], padding=(0, BLUR_REACH), groups=groups)
            blurred = F.conv2d(blurred, self.kernels[:, None, :, None], padding=(BLUR_REACH, 0), groups=groups)
        blurred = blurred.float()
        radius = torch.exp(2 * actions[:, SIZE]).view(n, 1, 1, 1).expand(n, 1, CELL_PX, CELL_PX) / 8
        return torch.cat([blurred, radius], 1)

    def forward(self, actions: torch.Tensor, logits: torch.Tensor, bfloat16: bool = False) -> torch.Tensor:
        """`logits` and what the dabs add to them. `bfloat16`: the convolutions in bfloat16 on the CPU (the
        dab centres stay in float32, as the brush's centre line does)."""
        if not len(actions):  # (the painter may ask for no strokes at all)
            return logits
        maps = self.maps(actions, bfloat16)
        with torch.autocast("cpu", dtype=torch.bfloat16) if bfloat16 else contextlib.nullcontext():
            return logits + self.head(torch.cat([maps, logits], 1)).float()
