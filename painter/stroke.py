"""The stroke: the 12-number action of the public MyPaint dataset, and the same stroke on a canvas.

An action is local to a 64 px cell (Nakano, "Neural Painters", 2019, data layout); a `Stroke`
is that action placed on a canvas, in canvas pixels, which is what exports and MyPaint use.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

ACTION_SIZE = 12
CELL_PX = 64  # the brush's native square, the size of the rendered training strokes
MAX_PRESSURE = 0.8
CURVE_POINTS = 100

# Where each quantity sits in an action (see docs/ARCHITECTURE.md).
END_PRESSURE = 0
SIZE = 1
CONTROL = slice(2, 4)
END = slice(4, 6)
COLOUR = slice(6, 9)
START = slice(9, 11)
START_PRESSURE = 11


def radius_of_size(size: float) -> float:
    """Brush radius in cell pixels: MyPaint's radius_logarithmic is 2 x size, so 1 to 7.4 px."""
    return float(np.exp(2.0 * size))


@dataclass(frozen=True)
class Stroke:
    """One brushstroke in canvas pixels: a quadratic Bezier from `start` through `control`."""

    start: tuple[float, float]
    control: tuple[float, float]
    end: tuple[float, float]
    radius: float
    pressure: tuple[float, float]  # at the start and at the end, in [0, MAX_PRESSURE]
    colour: tuple[float, float, float]  # RGB in [0, 1]

    @classmethod
    def from_action(cls, action, origin=(0.0, 0.0), scale: float = 1.0) -> "Stroke":
        """Place an action on a canvas: its cell's top-left corner at `origin`, `scale` px per cell px."""
        a = np.clip(np.asarray(action, dtype=np.float64), 0.0, 1.0)
        if a.shape != (ACTION_SIZE,):
            raise ValueError(f"an action has {ACTION_SIZE} numbers, got shape {a.shape}")
        ox, oy = float(origin[0]), float(origin[1])

        def point(xy):
            return (ox + float(xy[0]) * CELL_PX * scale, oy + float(xy[1]) * CELL_PX * scale)

        return cls(
            start=point(a[START]),
            control=point(a[CONTROL]),
            end=point(a[END]),
            radius=radius_of_size(a[SIZE]) * scale,
            pressure=(float(a[START_PRESSURE]) * MAX_PRESSURE, float(a[END_PRESSURE]) * MAX_PRESSURE),
            colour=tuple(float(c) for c in a[COLOUR]),
        )

    def scaled(self, factor: float) -> "Stroke":
        """The same stroke on a canvas `factor` times larger."""

        def point(xy):
            return (xy[0] * factor, xy[1] * factor)

        return Stroke(point(self.start), point(self.control), point(self.end),
                      self.radius * factor, self.pressure, self.colour)

    def bezier_control(self) -> tuple[float, float]:
        """The Bezier control point that makes the curve pass through `control` at t = 0.5."""
        return (2 * self.control[0] - (self.start[0] + self.end[0]) / 2,
                2 * self.control[1] - (self.start[1] + self.end[1]) / 2)

    def points(self, n: int = CURVE_POINTS) -> np.ndarray:
        """(n, 2) points along the curve, start to end."""
        t = np.linspace(0.0, 1.0, n)[:, None]
        p0, p1, p2 = (np.asarray(p, dtype=np.float64) for p in (self.start, self.bezier_control(), self.end))
        return (1 - t) ** 2 * p0 + 2 * t * (1 - t) * p1 + t ** 2 * p2

    def pressures(self, n: int = CURVE_POINTS) -> np.ndarray:
        """(n,) pressure ramping from the start through the middle to the end."""
        return np.linspace(self.pressure[0], self.pressure[1], n)

    def to_dict(self) -> dict:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, d: dict) -> "Stroke":
        return cls(start=tuple(d["start"]), control=tuple(d["control"]), end=tuple(d["end"]),
                   radius=float(d["radius"]), pressure=tuple(d["pressure"]), colour=tuple(d["colour"]))


def cell_scale(cell: float, factor: float = 1.0) -> float:
    """Px of a render `factor` times a painting's size per px of the brush's 64 px cell, for a stroke
    of a level whose cells are `cell` canvas px (its patch, twice the cell, holds the brush's cell)."""
    return 2.0 * cell * factor / CELL_PX


def bezier_points(start, control, end, t):
    """Points (N, K, 2) at `t` (K, 1) along the quadratic Bezier of each of N strokes, from `start` (N, 2)
    through `control` (at t = 0.5) to `end`, and its control point (N, 2): for torch tensors (the brush's
    centre line, its dab guide) as for numpy arrays."""
    bend = 2 * control - (start + end) / 2
    return (1 - t) ** 2 * start[:, None] + 2 * (1 - t) * t * bend[:, None] + t ** 2 * end[:, None], bend
