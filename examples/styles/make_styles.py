"""Paint the three example style paintings with MyPaint (the painter's own brush), reproducibly.

    python examples/styles/make_styles.py     # writes night_swirls.jpg, great_wave.jpg, garden_dabs.jpg

No public-domain painting could be found in a package on PyPI, npm or Debian (see SOURCES.md), so
these are painted here, each in a bold palette and its own stroke manner, by a fixed seed.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
from PIL import Image

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from painter.mypaint import Canvas  # noqa: E402
from painter.stroke import Stroke  # noqa: E402

SIDE = 384


def _hex(code: str) -> tuple[float, float, float]:
    return tuple(int(code[k:k + 2], 16) / 255 for k in (1, 3, 5))


def _render(strokes, background) -> Image.Image:
    with Canvas(SIDE, SIDE) as canvas:
        for s in strokes:
            canvas.draw(s)
        rgba = canvas.rgba()
    rgb = rgba[..., :3] + (1 - rgba[..., 3:4]) * np.asarray(_hex(background), np.float32)
    return Image.fromarray((np.clip(rgb, 0, 1) * 255 + 0.5).astype(np.uint8))


def _curve(rng, x, y, angle, length, bend, radius, pressure, colour) -> Stroke:
    dx, dy = math.cos(angle) * length / 2, math.sin(angle) * length / 2
    nx, ny = -math.sin(angle) * bend, math.cos(angle) * bend
    return Stroke((x - dx, y - dy), (x + nx, y + ny), (x + dx, y + dy), radius, (pressure, pressure * 0.8), colour)


def night_swirls(rng) -> Image.Image:
    """Swirling strokes around a few centres, deep blues with yellow and white light."""
    palette = [_hex(c) for c in ("#0b1d51", "#1f3f8f", "#2f6fb5", "#6fa8dc", "#f2d14b", "#f7f3d6", "#14294f")]
    weights = np.array([3, 4, 4, 2, 1.5, 0.8, 2])
    centres = [(110, 120, 70), (270, 90, 55), (230, 260, 90), (80, 300, 45)]
    strokes = []
    for _ in range(2600):
        x, y = rng.uniform(0, SIDE, 2)
        cx, cy, r = min(centres, key=lambda c: math.hypot(x - c[0], y - c[1]) / c[2])
        angle = math.atan2(y - cy, x - cx) + math.pi / 2 + rng.normal(0, 0.15)
        colour = palette[rng.choice(len(palette), p=weights / weights.sum())]
        if math.hypot(x - cx, y - cy) < r * 0.35:
            colour = palette[rng.choice([4, 5])]
        strokes.append(_curve(rng, x, y, angle, rng.uniform(14, 34), rng.normal(0, 4), rng.uniform(2.0, 3.5),
                              rng.uniform(0.5, 0.8), colour))
    return _render(strokes, "#0b1d51")


def great_wave(rng) -> Image.Image:
    """Long parallel curved strokes in Prussian blue and foam white over a pale sky."""
    palette = [_hex(c) for c in ("#142f5c", "#1f4e8c", "#4f7fb0", "#e9e2cf", "#d9c9a3", "#0d1f3d")]
    strokes = []
    for _ in range(1300):
        x, y = rng.uniform(-20, SIDE + 20, 2)
        crest = 170 + 70 * math.sin(x / 60)
        if y < crest - 40:
            colour = palette[rng.choice([3, 4], p=[0.7, 0.3])]
            angle = rng.normal(0, 0.08)
        else:
            colour = palette[rng.choice([0, 1, 2, 3, 5], p=[0.3, 0.3, 0.15, 0.15, 0.1])]
            angle = math.atan(70 / 60 * math.cos(x / 60)) + rng.normal(0, 0.1)
        strokes.append(_curve(rng, x, y, angle, rng.uniform(40, 90), rng.normal(0, 10), rng.uniform(3.5, 6.5),
                              rng.uniform(0.6, 0.8), colour))
    return _render(strokes, "#e9e2cf")


def garden_dabs(rng) -> Image.Image:
    """Short broken dabs in warm pinks, oranges and greens, impressionist manner."""
    palette = [_hex(c) for c in ("#e8875b", "#f3c14f", "#d95d7a", "#7fb069", "#3f7d4e", "#f6e6c8", "#9b6bb0")]
    strokes = []
    for _ in range(3200):
        x, y = rng.uniform(0, SIDE, 2)
        upper = y < SIDE * 0.45
        choice = rng.choice([1, 5, 6, 0], p=[0.3, 0.3, 0.2, 0.2]) if upper else \
            rng.choice([0, 2, 3, 4, 1], p=[0.2, 0.2, 0.25, 0.25, 0.1])
        strokes.append(_curve(rng, x, y, rng.uniform(-0.9, -0.4), rng.uniform(6, 14), rng.normal(0, 1.5),
                              rng.uniform(2.5, 4.5), rng.uniform(0.55, 0.8), palette[choice]))
    return _render(strokes, "#f6e6c8")


def main():
    for name, make in (("night_swirls", night_swirls), ("great_wave", great_wave), ("garden_dabs", garden_dabs)):
        image = make(np.random.default_rng(sum(map(ord, name))))
        path = HERE / f"{name}.jpg"
        image.save(path, quality=88, optimize=True)
        print(f"{path.name}: {image.size[0]}x{image.size[1]}, {path.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
