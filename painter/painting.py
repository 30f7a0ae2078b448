"""A finished painting as data: its strokes in canvas pixels, its image, and its strokes file (JSON).

Its `save_*` methods write the exports: PNG (the painted canvas), strokes JSON (schema below), SVG
(a filled band per stroke, `svg.py`), and, painted by MyPaint (`render.py`), a timelapse GIF or
MP4, a layered OpenRaster file (one layer per level, `openraster.py`) and a re-render at any size.

Strokes JSON, version 1::

    {"format": "neural-painter-strokes", "version": 1,
     "width": W, "height": H,              # canvas px the coordinates refer to
     "background": [r, g, b],              # in [0, 1]; the ground painted on first
     "brush": "classic/dry_brush",         # MyPaint brush (of every stroke, unless level_brushes says)
     "level_brushes": [b0, b1, ...],       # optional: each level's MyPaint brush, coarse to fine
     "objective": "vgg19",                 # optional: what the strokes were optimised against
     "level_cells": [c0, c1, ...],         # optional: each level's cell side in px, coarse to fine
     "strokes": [                          # in painting order
        {"order": 0,
         "start": [x, y], "control": [x, y], "end": [x, y],  # px; the curve passes through
                                                             # `control` at t = 0.5
         "radius": r,                      # px, MyPaint's radius at that canvas size
         "pressure": [p_start, p_end],     # in [0, 0.8], ramped along the curve
         "colour": [r, g, b],              # in [0, 1]
         "level": k}, ...]}                # optional (on every stroke or none): 0 = coarsest

A reader should accept any version-1 file and ignore keys it does not know. The optional keys are
written only when the painting knows its levels (`level_brushes` only when its levels were painted
with different brushes), so a file without them is byte for byte what earlier versions wrote.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from .errors import PainterError
from .stroke import Stroke

FORMAT = "neural-painter-strokes"
VERSION = 1
BRUSH = "classic/dry_brush"


class PaintingFileError(PainterError):
    """A strokes file that cannot be read; the message is one sentence."""


@dataclass
class StrokeRecord:
    """A stroke as the painter made it: its action, its patch's origin (x, y) and px per brush px."""

    action: np.ndarray
    origin: tuple
    scale: float

    def stroke(self) -> Stroke:
        return Stroke.from_action(self.action, origin=self.origin, scale=self.scale)


@dataclass
class Painting:
    """Strokes in canvas px (painting order) over a background colour, and the painted image.

    `levels` gives, per stroke, the level (0 = coarsest) it was painted in, or is empty when
    unknown; `level_cells` gives each level's cell side in canvas px, or is empty; `objective` names
    what the strokes were optimised against ("vgg16", "vgg19", "pixel"), or is empty. `brushes`
    names the MyPaint brush of each level, coarse to fine, or of all strokes when it has one entry
    (empty: the dry brush).
    """

    width: int
    height: int
    background: tuple
    strokes: list
    image: Image.Image | None = None
    snapshots: list = field(default_factory=list, repr=False)  # [(strokes painted, (h, w, 3) uint8)]
    levels: list = field(default_factory=list)
    level_cells: list = field(default_factory=list)
    objective: str = ""
    work_size: int | None = None  # long side, px, at which the strokes were optimised (not in the JSON)
    brushes: list = field(default_factory=list)

    def __post_init__(self):
        if self.levels and len(self.levels) != len(self.strokes):
            raise ValueError(f"levels has {len(self.levels)} entries for {len(self.strokes)} strokes")
        if len(set(self.brushes)) > 1 and (not self.levels or max(self.levels, default=0) >= len(self.brushes)):
            raise ValueError(f"{len(self.brushes)} level brushes for a painting whose strokes' levels do not fit them")

    def stroke_brushes(self) -> list[str]:
        """The MyPaint brush of each stroke, in painting order."""
        names = self.brushes or [BRUSH]
        return [names[0]] * len(self.strokes) if len(set(names)) == 1 else [names[k] for k in self.levels]

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_records(cls, records, width, height, background, canvas: np.ndarray, snapshots=(),
                     levels=None, level_cells=None, objective="", work_size=None, brushes=()):
        return cls(int(width), int(height), tuple(float(c) for c in background),
                   [r.stroke() for r in records], Image.fromarray(canvas, "RGB"), list(snapshots),
                   [int(k) for k in levels or ()], [int(c) for c in level_cells or ()], str(objective),
                   None if work_size is None else int(work_size), [str(b) for b in brushes])

    def __len__(self):
        return len(self.strokes)

    # ------------------------------------------------------------------ JSON
    def to_json(self) -> dict:
        def r(v):  # 1/1000 px and 1/10000 of a colour: exact enough, a third of the file
            return [round(float(x), 3) for x in v] if isinstance(v, (list, tuple)) else round(float(v), 3)

        strokes = []
        for order, s in enumerate(self.strokes):
            d = s.to_dict()
            strokes.append({"order": order, "start": r(d["start"]), "control": r(d["control"]), "end": r(d["end"]),
                            "radius": r(d["radius"]), "pressure": [round(float(p), 4) for p in d["pressure"]],
                            "colour": [round(float(c), 4) for c in d["colour"]]})
            if self.levels:
                strokes[-1]["level"] = int(self.levels[order])
        data = {"format": FORMAT, "version": VERSION, "width": self.width, "height": self.height,
                "background": list(self.background), "brush": (self.brushes or [BRUSH])[0]}
        if self.objective:
            data["objective"] = self.objective
        if self.level_cells:
            data["level_cells"] = list(self.level_cells)
        if len(set(self.brushes)) > 1:
            data["level_brushes"] = list(self.brushes)
        data["strokes"] = strokes
        return data

    def save_json(self, path):
        Path(path).write_text(json.dumps(self.to_json(), separators=(",", ":")))
        return path

    @classmethod
    def from_json(cls, data: dict) -> "Painting":
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise PaintingFileError("This is not a Neural Painter strokes file (no \"format\": \"neural-painter-strokes\").")
        if data.get("version") != VERSION:
            raise PaintingFileError(f"This strokes file has version {data.get('version')!r}; "
                                    f"this painter reads version {VERSION}.")
        try:
            width, height = int(data["width"]), int(data["height"])
            background = tuple(float(c) for c in data.get("background", (1.0, 1.0, 1.0)))
            items = sorted(data["strokes"], key=lambda d: d.get("order", 0))
            strokes = [Stroke.from_dict(d) for d in items]
        except (KeyError, TypeError, ValueError) as error:
            raise PaintingFileError(f"The strokes file is damaged ({type(error).__name__}: {error}).") from None
        if not (0 < width <= 1 << 16 and 0 < height <= 1 << 16) or len(background) != 3:
            raise PaintingFileError("The strokes file has an impossible canvas size or background.")
        levels, level_cells = _levels_from_json(items, data.get("level_cells", []))
        objective = data.get("objective", "")
        if not isinstance(objective, str):
            raise PaintingFileError("The strokes file is damaged (\"objective\" is not a name).")
        brushes = _brushes_from_json(data, levels)
        return cls(width, height, background, strokes, levels=levels, level_cells=level_cells, objective=objective,
                   brushes=brushes)

    @classmethod
    def load_json(cls, path) -> "Painting":
        try:
            text = Path(path).read_text()
        except (OSError, UnicodeDecodeError) as error:
            raise PaintingFileError(f"The strokes file {path} cannot be read ({type(error).__name__}).") from None
        try:
            data = json.loads(text)
        except ValueError:
            raise PaintingFileError(f"The strokes file {path} is not JSON.") from None
        return cls.from_json(data)

    # ------------------------------------------------------------------ PNG
    def save_png(self, path):
        self.rendered().save(path, format="PNG")
        return path

    def rendered(self) -> Image.Image:
        """The painted image; for a painting loaded from JSON, MyPaint's render of it."""
        if self.image is None:
            from .render import render_with_mypaint

            self.image = render_with_mypaint(self, max(self.width, self.height))
        return self.image

    # ------------------------------------------------------------------ OpenRaster
    def save_ora(self, path, size: int | None = None):
        """A layered OpenRaster file (MyPaint, Krita, GIMP), `size` px on its long side (default: the
        painting's own): one layer per level, coarse to fine, each painted by MyPaint itself on a
        transparent canvas, over the background; an artist can hide, repaint or mask one level."""
        from .render import save_ora

        return save_ora(self, path, size)

    def layers(self, factor: float = 1.0, with_scales: bool = False) -> list[tuple[str, list]]:
        """(layer name, strokes) bottom to top: one layer per level that has strokes, coarse to fine.

        A painting that does not know its levels (one read from an older strokes file) is one layer.
        Strokes keep their painting order within a layer; were a fine stroke painted before a coarse
        one, the layers would still stack it above. Cell sizes in the names are in px of a render
        `factor` times the painting's own size. With `with_scales`, each stroke comes as
        (stroke, its `brush_scales` at `factor`, its MyPaint brush).
        """
        def count(n):
            return f"{n} stroke" if n == 1 else f"{n} strokes"

        items = list(self.strokes)
        if with_scales:
            from .render import brush_scales

            items = list(zip(self.strokes, brush_scales(self, factor), self.stroke_brushes()))
        if not self.levels:
            return [(f"strokes: {len(self.strokes)}", items)]
        total = max(len(self.level_cells), max(self.levels) + 1)
        by_level: dict[int, list] = {}
        for item, level in zip(items, self.levels):
            by_level.setdefault(int(level), []).append(item)
        out = []
        for level in sorted(by_level):
            name = f"level {level + 1} of {total}: {count(len(by_level[level]))}"
            if level < len(self.level_cells):
                name += f", {max(1, round(self.level_cells[level] * factor))} px cells"
            out.append((name, by_level[level]))
        return out

    # ------------------------------------------------------------------ SVG
    def to_svg(self) -> str:
        """The painting as SVG: one filled band per stroke, shaped and shaded as the brush paints
        (see `svg.py`), in painting order, each with its stroke's data."""
        from .svg import painting_svg

        return painting_svg(self)

    def save_svg(self, path):
        Path(path).write_text(self.to_svg())
        return path

    # ------------------------------------------------------------------ timelapse
    def save_timelapse(self, path, seconds: float | None = None):
        """A GIF or MP4 (by the file's extension) of the painting being painted: a few seconds, small."""
        from .render import save_timelapse

        return save_timelapse(self, path, seconds)


def _levels_from_json(items: list, level_cells) -> tuple[list, list]:
    """The optional `level` of each stroke and `level_cells`, checked: a damaged value is one sentence."""
    def whole(v):  # bool is an int to Python, not to a reader of the file
        return isinstance(v, int) and not isinstance(v, bool)

    tagged = sum("level" in d for d in items)
    if tagged not in (0, len(items)):
        raise PaintingFileError(f"The strokes file is damaged ({tagged} of {len(items)} strokes have a \"level\").")
    levels = [d["level"] for d in items] if tagged else []
    if not all(whole(k) and k >= 0 for k in levels):
        raise PaintingFileError("The strokes file is damaged (a stroke's \"level\" is not a whole number from 0).")
    if not (isinstance(level_cells, list) and all(whole(c) and c > 0 for c in level_cells)):
        raise PaintingFileError("The strokes file is damaged (\"level_cells\" is not a list of cell sizes in px).")
    if levels and level_cells and max(levels) >= len(level_cells):
        raise PaintingFileError(f"The strokes file is damaged (a stroke is in level {max(levels)}, "
                                f"but \"level_cells\" lists {len(level_cells)} levels).")
    return levels, level_cells


def _brushes_from_json(data: dict, levels: list) -> list[str]:
    """`brush`, or the optional `level_brushes` (which the strokes' levels must fit), checked."""
    brushes = data.get("level_brushes", [data.get("brush", BRUSH)])
    if not (isinstance(brushes, list) and brushes and all(isinstance(b, str) and b for b in brushes)) or (
            "level_brushes" in data and (not levels or max(levels) >= len(brushes))):
        raise PaintingFileError("The strokes file is damaged (\"brush\" or \"level_brushes\" does not name "
                                "a MyPaint brush for every level).")
    return brushes
