"""The canvas as MyPaint paints it: every committed stroke drawn by the MyPaint brush it names.

The optimiser moves a round's strokes through the neural brush; once the round is committed,
MyPaint itself paints them, with a fresh brush per stroke as `painter render` does, on canvases at
the working size (what the next rounds optimise against, so that they correct what the real brush
did differently), at the painting's size (the frames and the finished painting) and at the
timelapse's size. What a visitor sees is then MyPaint's painting of the strokes file, grain and
scatter included: the same picture `render_with_mypaint` paints from it (issue 33).

Each canvas is mirrored in memory and only the tiles a stroke painted are read back.
"""

from __future__ import annotations

import numpy as np
import torch
from PIL import Image

from .mypaint import Canvas, cell_coverage
from .render import draw_stroke, mypaint_image, over_background
from .stroke import CELL_PX, Stroke, cell_scale


class _Layer:
    """One MyPaint canvas `factor` times the painting's size, and its premultiplied RGBA in memory."""

    def __init__(self, width: int, height: int, factor: float):
        self.canvas = Canvas(width, height)
        self.factor = factor
        self.rgba = np.zeros((height, width, 4), dtype=np.float32)
        self.unread: list[tuple] = []

    def draw(self, stroke: Stroke, cell: int, brush: str) -> None:
        """Paint `stroke` of a level of `cell` px cells, as render_with_mypaint does at `factor`."""
        region = draw_stroke(self.canvas, stroke, self.factor, cell_scale(cell, self.factor), brush)
        if region[2] > 0 and region[3] > 0:
            self.unread.append(region)

    def read(self) -> np.ndarray:
        for region in self.unread:
            self.canvas.read_into(self.rgba, region)
        self.unread.clear()
        return self.rgba

    def close(self) -> None:
        self.canvas.close()


class PaintedCanvas:
    """The strokes committed so far, painted by MyPaint at the working size, at the painting's size and
    at the timelapse's (`snapshot_side` on the long side, or the painting's own where smaller)."""

    def __init__(self, width: int, height: int, work_shape: tuple[int, int], snapshot_side: int, background,
                 level_cells: list[int], level_brushes: list[str]):
        long = max(width, height)
        self.background = np.asarray(background, dtype=np.float32)
        self.level_cells, self.level_brushes = list(level_cells), list(level_brushes)
        self.full = _Layer(width, height, 1.0)
        work_h, work_w = work_shape
        self.work = self.full if (work_w, work_h) == (width, height) else _Layer(work_w, work_h, max(work_w, work_h) / long)
        small = min(1.0, snapshot_side / long)
        self.small = self.full if small >= 1 else _Layer(max(1, round(width * small)), max(1, round(height * small)),
                                                         small)
        self.layers = list({id(layer): layer for layer in (self.full, self.work, self.small)}.values())

    def paint(self, strokes: list[Stroke], levels: list[int]) -> None:
        """Paint `strokes` (canvas px, painting order), each with its level's MyPaint brush, on every canvas."""
        for stroke, level in zip(strokes, levels):
            for layer in self.layers:
                layer.draw(stroke, self.level_cells[level], self.level_brushes[level])

    def tensor(self, which: str, device) -> torch.Tensor:
        """The `work` or `full` canvas over the background, (1, 3, H, W) float in [0, 1] on `device`
        (made on the CPU, then moved: no tensor of two devices meets)."""
        rgb = over_background((self.work if which == "work" else self.full).read(), self.background)
        return torch.from_numpy(np.ascontiguousarray(rgb.transpose(2, 0, 1)))[None].to(device)

    def image(self) -> Image.Image:
        """The painting as `render_with_mypaint` makes it from the strokes, at the painting's size."""
        return mypaint_image(self.full.read(), self.background)

    def snapshot(self) -> np.ndarray:
        """The painting so far at the timelapse's size, (h, w, 3) uint8."""
        return np.asarray(mypaint_image(self.small.read(), self.background))

    def close(self) -> None:
        for layer in self.layers:
            layer.close()


def mypaint_coverage(actions: torch.Tensor, brush: str) -> torch.Tensor:
    """(N, 1, 64, 64): MyPaint's stroke for each action in the brush's own cell, stream 0 (a fresh brush each):
    the coverage the neural brush stands in for, to show the optimiser what MyPaint really paints."""
    strokes = [Stroke.from_action(action) for action in actions.float().cpu().numpy()]
    out = np.stack([cell_coverage(stroke, brush) for stroke in strokes]) if strokes else np.zeros((0, CELL_PX, CELL_PX))
    return torch.from_numpy(out.astype(np.float32))[:, None].to(actions.device)
