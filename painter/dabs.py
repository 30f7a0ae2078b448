"""MyPaint's dabs of a stroke, as the brush's guide to the grain of the stroke MyPaint really paints.

A fresh libmypaint brush always draws the same random numbers (`mypaint_brush_new` seeds its
generator with one constant), so dab k of every stroke is moved by the same random pair g_k, times
the brush's `offset_by_random` at the dab's pressure, times the radius; and dab k lies where the
curve's length in radii times the dabs per radius, plus the stroke's time times the dabs per second,
reaches k + 1. For charcoal both are exact to 0.04 px, for the ink blot to 0.2 px
(benchmarks/dab_positions.py), so the dabs of the stroke MyPaint paints at stream 0, scatter
included, are a differentiable function of the action. `DabGuide` splats them into the brush's 64 px
cell, blurred at three widths, and a small convolution adds what they say to the brush's logits:
the network still paints the stroke, and learns the dab's shape and opacity from MyPaint's strokes.
"""

from __future__ import annotations

import contextlib
import json

import torch
from torch import nn

from .mypaint import STROKE_DTIME
from .stroke import (CELL_PX, CONTROL, CURVE_POINTS, END, END_PRESSURE, MAX_PRESSURE, SIZE, START, START_PRESSURE,
                     Stroke, bezier_points)

TABLE_SIZE = 640            # dabs with their own random pair; a longer stroke's later dabs get none
BLUR_PX = (0.7, 1.4, 2.8)   # the splatted dabs blurred at these widths (the brush's radii are 1 to 7.4 px)
BLUR_REACH = 8
HEAD_WIDTH = 8              # channels of the guide's convolutions at 64 px (16 cost 2.5 ms a stroke, forward and back)


def dab_settings(mypaint: str) -> tuple[float, tuple[float, float], float]:
    """(dabs per radius, (offset_by_random at pressure 0, its change to pressure 1), dabs per second) of a
    MyPaint brush."""
    from .mypaint import brush_definition

    settings = json.loads(brush_definition(mypaint))["settings"]
    per_radius = sum(settings.get(name, {"base_value": 0.0})["base_value"]
                     for name in ("dabs_per_actual_radius", "dabs_per_basic_radius"))
    scatter = settings.get("offset_by_random", {"base_value": 0.0, "inputs": {}})
    points = scatter["inputs"].get("pressure") or [(0.0, 0.0), (1.0, 0.0)]
    (x0, y0), (x1, y1) = points[0], points[-1]
    per_second = settings.get("dabs_per_second", {"base_value": 0.0})["base_value"]
    return float(per_radius), (float(scatter["base_value"] + y0), float((y1 - y0) / (x1 - x0))), float(per_second)


REFERENCE_PRESSURE = 0.5


def reference_dabs(mypaint: str):
    """MyPaint's own dabs of a long straight stroke at one pressure, with and without its random scatter:
    (moved, placed), each (n, 4) as `record_dabs` lists them, n at most TABLE_SIZE."""
    from .mypaint import record_dabs

    p = REFERENCE_PRESSURE
    reference = Stroke((2.0, 32.0), (600.0, 32.0), (1200.0, 32.0), 1.0, (p, p), (0.0, 0.0, 0.0))
    moved, placed = record_dabs(reference, brush=mypaint), record_dabs(reference, brush=mypaint, scatter=False)
    n = min(len(moved), len(placed), TABLE_SIZE)
    return moved[:n], placed[:n]


def random_pairs(mypaint: str, scatter: tuple[float, float]) -> torch.Tensor:
    """(TABLE_SIZE, 2): the random pair g_k of each dab k (`reference_dabs`)."""
    moved, placed = reference_dabs(mypaint)
    amplitude = scatter[0] + scatter[1] * REFERENCE_PRESSURE
    table = torch.zeros(TABLE_SIZE, 2)
    if amplitude:
        table[:len(moved)] = torch.from_numpy((moved[:, :2] - placed[:, :2]) / (amplitude * placed[:, 2:3]))
    return table


class DabGuide(nn.Module):
    """Adds to the brush's (N, 1, 64, 64) logits what the stroke's dabs say (see the module's docstring)."""

    def __init__(self, per_radius: float, scatter: tuple[float, float], per_second: float = 0.0):
        super().__init__()
        self.per_radius, self.scatter, self.per_second = float(per_radius), tuple(scatter), float(per_second)
        self.register_buffer("table", torch.zeros(TABLE_SIZE, 2))  # filled from MyPaint by training
        self.register_buffer("t", torch.linspace(0, 1, CURVE_POINTS)[:, None], persistent=False)
        # The blurs as (3, 64, 64) matrices, blurred = B @ splat @ B: one matrix product costs a third of
        # a 17-tap depthwise convolution here, forward and back (the same values, zero padding included).
        x = torch.arange(CELL_PX, dtype=torch.float32)
        apart = x[:, None] - x[None, :]
        sigma = torch.tensor(BLUR_PX)[:, None, None]
        reach = torch.arange(-BLUR_REACH, BLUR_REACH + 1, dtype=torch.float32)
        total = torch.exp(-reach ** 2 / (2 * sigma[:, 0] ** 2)).sum(1)
        blurs = torch.exp(-apart ** 2 / (2 * sigma ** 2)) * (apart.abs() <= BLUR_REACH) / total[:, None, None]
        self.register_buffer("blurs", blurs, persistent=False)
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
        if self.per_second:  # MyPaint reaches the curve's point i at (i + 1) time steps (painter.mypaint._trace)
            count = count + self.per_second * STROKE_DTIME * torch.arange(1, CURVE_POINTS + 1, dtype=count.dtype,
                                                                            device=count.device)
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

    def maps(self, actions: torch.Tensor) -> torch.Tensor:
        """(N, 7, 64, 64): the dabs splatted (`splat`) and blurred at BLUR_PX (`blur`), plainly and weighted
        by pressure, and the radius (in 8 px)."""
        n = len(actions)
        radius = torch.exp(2 * actions[:, SIZE]).view(n, 1, 1, 1).expand(n, 1, CELL_PX, CELL_PX) / 8
        return torch.cat([self.blur(self.splat(actions)), radius], 1)

    def splat(self, actions: torch.Tensor) -> torch.Tensor:
        """(N, 2, 64, 64): each dab spread bilinearly over its four nearest pixels (so that the splat follows
        the action), and the same weighted by the dab's pressure; a dab off the cell is left out."""
        centres, pressure, painted = self.centres(actions)
        weights = [painted, painted * pressure]
        n, side, c = len(actions), CELL_PX + 2, len(weights)  # one px of margin each side, cut off after
        x, y = centres[..., 0] - 0.5 + 1, centres[..., 1] - 0.5 + 1
        x0, y0 = x.detach().floor(), y.detach().floor()
        fx, fy = x - x0, y - y0
        cells, shares = [], []
        for dx, dy, w in ((0, 0, (1 - fx) * (1 - fy)), (1, 0, fx * (1 - fy)), (0, 1, (1 - fx) * fy), (1, 1, fx * fy)):
            column, row = (x0 + dx).clamp(0, side - 1).long(), (y0 + dy).clamp(0, side - 1).long()
            cells += [row * side + column + j * side * side for j in range(c)]
            shares += [w * weight for weight in weights]
        splats = centres.new_zeros(n, c * side * side).scatter_add(1, torch.cat(cells, 1), torch.cat(shares, 1))
        return splats.view(n, c, side, side)[:, :, 1:-1, 1:-1]

    def blur(self, splats: torch.Tensor) -> torch.Tensor:
        """(N, C * 3, 64, 64): each of the (N, C, 64, 64) `splats` blurred at each of BLUR_PX, zero beyond
        the cell: B @ splat @ B, the rows first for all three widths at once."""
        n, c, widths = len(splats), splats.shape[1], len(BLUR_PX)
        rows = splats.reshape(-1, CELL_PX) @ self.blurs.permute(2, 0, 1).reshape(CELL_PX, widths * CELL_PX)
        rows = rows.view(n * c, CELL_PX, widths, CELL_PX).permute(2, 1, 0, 3).reshape(widths, CELL_PX, -1)
        blurred = torch.bmm(self.blurs, rows).view(widths, CELL_PX, n, c, CELL_PX).permute(2, 3, 0, 1, 4)
        return blurred.reshape(n, c * widths, CELL_PX, CELL_PX)

    def forward(self, actions: torch.Tensor, logits: torch.Tensor, bfloat16: bool = False) -> torch.Tensor:
        """`logits` and what the dabs add to them. `bfloat16`: the convolutions in bfloat16 on the CPU (the
        dab centres stay in float32, as the brush's centre line does)."""
        if not len(actions):  # (the painter may ask for no strokes at all)
            return logits
        # channels last: oneDNN's 3x3 convolutions over 8 channels take half the time so, forward and back
        features = torch.cat([self.maps(actions), logits], 1).contiguous(memory_format=torch.channels_last)
        with torch.autocast("cpu", dtype=torch.bfloat16) if bfloat16 else contextlib.nullcontext():
            return logits + self.head(features).float()
