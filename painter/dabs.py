"""MyPaint's dabs of a stroke, as the brush's guide to the grain of the stroke MyPaint really paints.

A fresh libmypaint brush always draws the same random numbers (`mypaint_brush_new` seeds its
generator with one constant), so dab k of every stroke is moved by the same random pair g_k, times
the brush's `offset_by_random` at the dab's pressure, times the radius; and dab k lies where the
curve's length in radii times the dabs per radius, plus the stroke's time times the dabs per second,
reaches k + 1. A brush with elliptical dabs (short grass) measures each step across the ellipse of the
dab before it, turned by that dab's angle, which is again fixed by its index (libmypaint's
`count_dabs_to`). For charcoal both are exact to 0.04 px, for the ink blot to 0.2 px, for short grass
to 1.0 px (95th percentiles, benchmarks/dab_positions.py), so the dabs of the stroke MyPaint paints at stream 0, scatter
included, are a differentiable function of the action. `DabGuide` splats them into the brush's 64 px
cell, blurred at three widths, and a small convolution adds what they say to the brush's logits:
the network still paints the stroke, and learns the dab's shape and opacity from MyPaint's strokes.
"""

from __future__ import annotations

import contextlib
import json
import math

import numpy as np
import torch
from torch import nn

from .mypaint import STROKE_DTIME
from .stroke import (CELL_PX, CONTROL, CURVE_POINTS, END, END_PRESSURE, MAX_PRESSURE, SIZE, START, START_PRESSURE,
                     Stroke, bezier_points)

TABLE_SIZE = 640            # dabs with their own random pair; a longer stroke's later dabs get none
BLUR_PX = (0.7, 1.4, 2.8)   # the splatted dabs blurred at these widths (the brush's radii are 1 to 7.4 px)
BLUR_REACH = 8
SPACING_ITERATIONS = 4      # where an elliptical brush's dabs fall: 0.15 / 1.0 px median / p95 from MyPaint's
HEAD_WIDTH = 8              # channels of the guide's convolutions at 64 px (16 cost 2.5 ms a stroke, forward and back)


def dab_settings(mypaint: str) -> dict:
    """What places a MyPaint brush's dabs, as `DabGuide` takes it: `per_radius` (dabs per radius),
    `scatter` (offset_by_random at pressure 0, its change to pressure 1), `per_second` (dabs per second)
    `ratio` (its dabs' elliptical ratio; 1: round) and `angle` (their ellipse's angle before any random
    turn, degrees); and `size`, the dabs that the guide knows by their index
    (an elliptical brush spaces its dabs up to `ratio` times closer)."""
    from .mypaint import brush_definition

    settings = json.loads(brush_definition(mypaint))["settings"]
    per_radius = sum(settings.get(name, {"base_value": 0.0})["base_value"]
                     for name in ("dabs_per_actual_radius", "dabs_per_basic_radius"))
    scatter = settings.get("offset_by_random", {"base_value": 0.0, "inputs": {}})
    points = scatter["inputs"].get("pressure") or [(0.0, 0.0), (1.0, 0.0)]
    (x0, y0), (x1, y1) = points[0], points[-1]
    per_second = settings.get("dabs_per_second", {"base_value": 0.0})["base_value"]
    ratio = max(1.0, float(settings.get("elliptical_dab_ratio", {"base_value": 1.0})["base_value"]))
    angle = float(settings.get("elliptical_dab_angle", {"base_value": 90.0})["base_value"])
    return dict(per_radius=float(per_radius), scatter=(float(scatter["base_value"] + y0), float((y1 - y0) / (x1 - x0))),
                per_second=float(per_second), ratio=ratio, angle=angle, size=TABLE_SIZE * math.ceil(ratio / 2))


REFERENCE_PRESSURE = 0.5


def across_ellipse(x, y, cos, sin, ratio: float):
    """How many times longer MyPaint counts a unit step (x, y) measured across a dab's ellipse turned by the
    angle of (cos, sin) (libmypaint's `count_dabs_to`): across its long axis `ratio` times."""
    return torch.hypot((y * cos - x * sin) * ratio, y * sin + x * cos)


def reference_dabs(mypaint: str, size: int = TABLE_SIZE):
    """MyPaint's own dabs of a long straight stroke at one pressure, with and without its random scatter:
    (moved, placed), each (n, 5) as `record_dabs` lists them, n at most `size`."""
    from .mypaint import record_dabs

    p, (x0, y0) = REFERENCE_PRESSURE, (2.0, 32.0)
    reference = Stroke((x0, y0), (600.0, y0), (1200.0, y0), 1.0, (p, p), (0.0, 0.0, 0.0))
    moved, settings = record_dabs(reference, brush=mypaint), dab_settings(mypaint)
    if settings["ratio"] > 1:
        # Without its scatter an elliptical brush draws fewer random numbers a dab, so its dabs turn and fall
        # elsewhere; their path is where the scattered dabs' own angles space them along the line.
        turn = torch.from_numpy(np.deg2rad(np.r_[moved[:1, 4], moved[:-1, 4]]))  # across the dab before
        stretch = across_ellipse(1.0, 0.0, torch.cos(turn), torch.sin(turn), settings["ratio"]).numpy()
        placed = moved.copy()
        placed[:, 0], placed[:, 1], placed[:, 2] = x0 + np.cumsum(1 / stretch / settings["per_radius"]), y0, reference.radius
    else:
        placed = record_dabs(reference, brush=mypaint, scatter=False)
    n = min(len(moved), len(placed), size)
    return moved[:n], placed[:n]


def random_pairs(moved: np.ndarray, placed: np.ndarray, scatter: tuple[float, float], size: int) -> torch.Tensor:
    """(size, 2): the random pair g_k of each dab k, from `reference_dabs`' (moved, placed)."""
    amplitude = scatter[0] + scatter[1] * REFERENCE_PRESSURE
    table = torch.zeros(size, 2)
    if amplitude:
        table[:len(moved)] = torch.from_numpy((moved[:, :2] - placed[:, :2]) / (amplitude * placed[:, 2:3]))
    return table


def dab_angles(moved: np.ndarray, size: int) -> torch.Tensor:
    """(size,): the angle of each dab k's ellipse, in degrees, from `reference_dabs`' scattered dabs (without
    its scatter the brush draws fewer random numbers a dab, and each dab gets another angle)."""
    angles = torch.zeros(size)
    angles[:len(moved)] = torch.from_numpy(moved[:, 4])
    return angles


def blur_matrices(widths) -> torch.Tensor:
    """(len(widths), 64, 64): Gaussian blurs of these widths (px) as matrices, cut at BLUR_REACH px."""
    x = torch.arange(CELL_PX, dtype=torch.float32)
    apart = x[:, None] - x[None, :]
    sigma = torch.tensor(widths, dtype=torch.float32)[:, None, None]
    reach = torch.arange(-BLUR_REACH, BLUR_REACH + 1, dtype=torch.float32)
    total = torch.exp(-reach ** 2 / (2 * sigma[:, 0] ** 2)).sum(1)
    blurs = torch.exp(-apart ** 2 / (2 * sigma ** 2)) * (apart.abs() <= BLUR_REACH) / total[:, None, None]
    # Below 1e-30 a weight is nothing, but a narrow blur's smallest are subnormal floats, which made the matrix
    # products 3 times as slow on the CPU (the round blurs' smallest weight is 2.5e-29: unchanged).
    return blurs * (blurs >= 1e-30)


class DabGuide(nn.Module):
    """Adds to the brush's (N, 1, 64, 64) logits what the stroke's dabs say (see the module's docstring)."""

    def __init__(self, per_radius: float, scatter: tuple[float, float], per_second: float = 0.0, ratio: float = 1.0,
                 angle: float = 90.0, size: int = TABLE_SIZE):
        super().__init__()
        self.per_radius, self.scatter, self.per_second = float(per_radius), tuple(scatter), float(per_second)
        self.ratio, self.angle, self.size = float(ratio), float(angle), int(size)
        self.register_buffer("table", torch.zeros(self.size, 2))  # filled from MyPaint by training
        if self.ratio > 1:  # (a round brush's weights have no angles)
            self.register_buffer("angles", torch.zeros(self.size))  # filled from MyPaint by training
        self.register_buffer("t", torch.linspace(0, 1, CURVE_POINTS)[:, None], persistent=False)
        # The blurs as (3, 64, 64) matrices, blurred = B_down @ splat @ B_across: one matrix product costs a
        # third of a 17-tap depthwise convolution here, forward and back (the same values, zero padding
        # included). An elliptical brush's dabs are blurred sqrt(ratio) times longer along their long axis at
        # the brush's angle (down, for short grass's upright blades) and as much shorter across it: so its
        # guide learned 0.499 blurred IoU against MyPaint's stroke, 0.476 with round blurs (the same run).
        across = down = BLUR_PX
        if self.ratio > 1:
            upright = abs(math.sin(math.radians(self.angle))) >= abs(math.cos(math.radians(self.angle)))
            long, short = [w * self.ratio ** 0.5 for w in BLUR_PX], [w / self.ratio ** 0.5 for w in BLUR_PX]
            across, down = (short, long) if upright else (long, short)
        self.register_buffer("blurs", blur_matrices(across), persistent=False)
        self.register_buffer("blurs_down", blur_matrices(down) if down is not across else self.blurs, persistent=False)
        channels = 2 * len(BLUR_PX) + 2   # the blurred dabs (plain, pressure-weighted), the radius, the logits
        self.head = nn.Sequential(nn.Conv2d(channels, HEAD_WIDTH, 3, padding=1), nn.ReLU(inplace=True),
                                  nn.Conv2d(HEAD_WIDTH, HEAD_WIDTH, 3, padding=1), nn.ReLU(inplace=True),
                                  nn.Conv2d(HEAD_WIDTH, 1, 3, padding=1))
        nn.init.zeros_(self.head[-1].weight)  # a new guide starts as the brush it is added to
        nn.init.zeros_(self.head[-1].bias)

    def read(self, mypaint: str) -> "DabGuide":
        """Fill in MyPaint's random pair (and ellipse angle) of each dab, read once from its dabs."""
        moved, placed = reference_dabs(mypaint, self.size)
        self.table.copy_(random_pairs(moved, placed, self.scatter, self.size))
        if self.ratio > 1:
            self.angles.copy_(dab_angles(moved, self.size))
        return self

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
        if self.ratio > 1:
            k = self.spaced(points, count.detach())
            k_max = k.shape[1]
        else:
            k_max = int(min(self.size, max(1.0, float(count[:, -1].detach().max()))))
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

    def spaced(self, points: torch.Tensor, count: torch.Tensor) -> torch.Tensor:
        """(N, K): where each dab k of an elliptical brush falls, in `count`'s round dabs. MyPaint counts the step
        to dab k across the ellipse of dab k - 1 (the first step across the first dab's), so a step across
        its long axis is worth `ratio` times more, and each angle is fixed by its dab's index. The step's
        direction is the curve's where the dab before it lies: found by iterating, from the dabs spaced as if
        each kept the brush's own angle."""
        n = len(points)
        heading = points[:, 1:] - points[:, :-1]
        heading = heading / heading.norm(dim=-1, keepdim=True).clamp(min=1e-9)
        x, y = heading.unbind(-1)
        most = int(min(self.size, max(1.0, self.ratio * float(count[:, -1].max()))))
        steps = (count[:, 1:] - count[:, :-1]) * across_ellipse(x, y, math.cos(math.radians(self.angle)),
                                                                  math.sin(math.radians(self.angle)), self.ratio)
        unturned = torch.cat([steps.new_zeros(n, 1), steps.cumsum(1)], 1)   # the count if no dab turned
        at = torch.arange(most, dtype=count.dtype, device=count.device).expand(n, most)   # the dab before
        segment = (torch.searchsorted(unturned.contiguous(), at.contiguous()) - 1).clamp(0, CURVE_POINTS - 2)
        share = ((at - unturned.gather(1, segment)) / (steps.gather(1, segment) + 1e-9)).clamp(0, 1)
        at = count.gather(1, segment) + share * (count.gather(1, segment + 1) - count.gather(1, segment))
        turn = torch.deg2rad(self.angles[torch.arange(most, device=points.device).sub(1).clamp(min=0)])
        cos, sin = torch.cos(turn), torch.sin(turn)
        for i in range(SPACING_ITERATIONS):
            segment = (torch.searchsorted(count.contiguous(), at.contiguous()) - 1).clamp(0, CURVE_POINTS - 2)
            x, y = heading.gather(1, segment[..., None].expand(*segment.shape, 2)).unbind(-1)  # where the dab before lies
            k = torch.cumsum(1 / across_ellipse(x, y, cos[:at.shape[1]], sin[:at.shape[1]], self.ratio), 1)
            if i == 0:  # the first count is near: later iterations need only the dabs up to it, and a margin
                k = k[:, :int(min(most, 1.25 * int((k <= count[:, -1:]).sum(1).max()) + 16))]
            at = torch.cat([at.new_zeros(n, 1), k[:, :-1]], 1)
        last = int((k <= count[:, -1:]).sum(1).max())
        return k[:, :max(1, last)]

    def maps(self, actions: torch.Tensor, *more: torch.Tensor) -> torch.Tensor:
        """(N, 7, 64, 64): the dabs splatted (`splat`) and blurred at BLUR_PX (`blur`), plainly and weighted
        by pressure, and the radius (in 8 px); then any `more` (N, 1, 64, 64) maps. Channels last in memory,
        as the guide's convolutions read them: written so by one concatenation, not concatenated and then
        transposed (which took a sixth of a painting's time with the dry brush)."""
        n = len(actions)
        radius = torch.exp(2 * actions[:, SIZE]).view(n, 1, 1, 1).expand(n, 1, CELL_PX, CELL_PX) / 8
        parts = [self.blur(self.splat(actions)), radius, *more]
        return torch.cat([part.permute(0, 2, 3, 1) for part in parts], 3).permute(0, 3, 1, 2)

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
        blurred = torch.bmm(self.blurs_down, rows).view(widths, CELL_PX, n, c, CELL_PX).permute(2, 3, 0, 1, 4)
        return blurred.reshape(n, c * widths, CELL_PX, CELL_PX)

    def forward(self, actions: torch.Tensor, logits: torch.Tensor, bfloat16: bool = False) -> torch.Tensor:
        """`logits` and what the dabs add to them. `bfloat16`: the convolutions in bfloat16 on the CPU (the
        dab centres stay in float32, as the brush's centre line does)."""
        if not len(actions):  # (the painter may ask for no strokes at all)
            return logits
        # channels last: oneDNN's 3x3 convolutions over 8 channels take half the time so, forward and back
        features = self.maps(actions, logits)
        with torch.autocast("cpu", dtype=torch.bfloat16) if bfloat16 else contextlib.nullcontext():
            return logits + self.head(features).float()
