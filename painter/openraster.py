"""A painting as a layered OpenRaster file: one layer of MyPaint strokes per level, over the ground.

OpenRaster 0.0.5 (https://www.openraster.org/, "File Layout Specification" and "Layer Stack"): a
zip whose first entry is `mimetype`, stored uncompressed and holding exactly `image/openraster`;
`stack.xml`, which lists the layers topmost first; each layer a PNG under `data/` (RGBA, not
premultiplied); `mergedimage.png`, the full composite; and `Thumbnails/thumbnail.png`, the composite
at most 256 px a side. MyPaint, Krita and GIMP read the format.

The layers are coarse to fine from the bottom up, each painted by MyPaint itself on a transparent
canvas, so that a painter can hide, repaint or mask one level of the painting. Where MyPaint reads
more than the spec (its `mypaint:` attributes), this writes what MyPaint's own writer does.
"""

from __future__ import annotations

import io
import os
import xml.etree.ElementTree as ET
import zipfile

import numpy as np
from PIL import Image

from .painting import Painting, PaintingFileError, _mypaint_canvas_to_image, render_size

MIMETYPE = b"image/openraster"
ORA_VERSION = "0.0.5"
THUMBNAIL_SIDE = 256
MYPAINT_NS = "http://mypaint.org/ns/openraster"
# MyPaint's document background is a repeating tile; its sides must be multiples of 64 px.
BACKGROUND_TILE_SIDE = 64
BACKGROUND_SRC = "data/background.png"
BACKGROUND_TILE_SRC = "data/background-tile.png"

ET.register_namespace("mypaint", MYPAINT_NS)  # the prefix MyPaint writes, for people reading stack.xml


def save_ora(painting: Painting, path, size: int | None = None):
    """Write `painting` as an OpenRaster file, `size` px on its long side (default: its own size)."""
    from .mypaint import Canvas

    path = str(path)
    _check_path(path)
    width, height, factor = render_size(painting, size)
    # Everything is rendered before the file is opened, so a render that fails leaves no half-written file.
    layers = []                                               # (name, src, PNG bytes), bottom to top
    composite = np.zeros((height, width, 4), dtype=np.float32)  # premultiplied, as MyPaint paints
    with Canvas(width, height) as canvas:
        for k, (name, strokes) in enumerate(layer_strokes(painting, factor)):
            canvas.clear()
            for stroke in strokes:
                canvas.paint(stroke.scaled(factor))
            rgba = canvas.rgba()
            composite = rgba + (1 - rgba[..., 3:4]) * composite
            layers.append((name, f"data/layer-{k:02d}.png", _png(_straight_rgba(rgba))))
    merged = _mypaint_canvas_to_image(composite, painting.background)
    thumbnail = merged.copy()
    thumbnail.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.LANCZOS)
    ground = tuple(int(round(255 * min(max(float(c), 0.0), 1.0))) for c in painting.background)

    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as ora:
        # Readers recognise the format by these bytes at a fixed offset: first, stored, no newline.
        _write(ora, "mimetype", MIMETYPE)
        _write(ora, "stack.xml", _stack_xml(width, height, [(name, src) for name, src, _ in layers]))
        for _, src, data in layers:
            _write(ora, src, data)
        _write(ora, BACKGROUND_SRC, _png(Image.new("RGBA", (width, height), ground + (255,))))
        _write(ora, BACKGROUND_TILE_SRC, _png(Image.new("RGB", (BACKGROUND_TILE_SIDE,) * 2, ground)))
        _write(ora, "mergedimage.png", _png(merged))
        _write(ora, "Thumbnails/thumbnail.png", _png(thumbnail))
    return path


def layer_strokes(painting: Painting, factor: float = 1.0) -> list[tuple[str, list]]:
    """(layer name, strokes) bottom to top: one layer per level that has strokes, coarse to fine.

    A painting that does not know its levels (one read from an older strokes file) is one layer.
    Strokes keep their painting order within a layer; were a fine stroke painted before a coarse
    one, the layers would still stack it above. Cell sizes in the names are in px of the file
    (`factor` times the painting's own).
    """
    def count(n):
        return f"{n} stroke" if n == 1 else f"{n} strokes"

    if not painting.levels:
        return [(f"strokes: {len(painting.strokes)}", list(painting.strokes))]
    cells = painting.level_cells
    total = max(len(cells), max(painting.levels) + 1)
    by_level: dict[int, list] = {}
    for stroke, level in zip(painting.strokes, painting.levels):
        by_level.setdefault(int(level), []).append(stroke)
    out = []
    for level in sorted(by_level):
        name = f"level {level + 1} of {total}: {count(len(by_level[level]))}"
        if level < len(cells):
            name += f", {max(1, round(cells[level] * factor))} px cells"
        out.append((name, by_level[level]))
    return out


def _check_path(path: str):
    ext = os.path.splitext(path)[1].lower()
    if ext != ".ora":
        raise PaintingFileError(f"An OpenRaster file is a .ora file, not {ext or 'a file without extension'}.")
    if not os.path.isdir(os.path.dirname(os.path.abspath(path))):
        raise PaintingFileError(f"The folder for {path!r} does not exist.")


def _straight_rgba(premultiplied: np.ndarray) -> Image.Image:
    """MyPaint's premultiplied float RGBA as the non-premultiplied 8-bit RGBA a PNG layer holds."""
    alpha = np.clip(premultiplied[..., 3:4], 0, 1)
    # Where nothing is painted the colour is black, not a division by 0 (or a warning).
    colour = np.divide(premultiplied[..., :3], alpha, out=np.zeros_like(premultiplied[..., :3]), where=alpha > 0)
    rgba = np.concatenate([np.clip(colour, 0, 1), alpha], axis=-1)
    return Image.fromarray((rgba * 255 + 0.5).astype(np.uint8), "RGBA")


def _stack_xml(width: int, height: int, layers: list[tuple[str, str]]) -> bytes:
    """stack.xml for `layers` (name, src) bottom to top, over the background layer."""
    image = ET.Element("image", {
        "version": ORA_VERSION, "w": str(width), "h": str(height),
        # MyPaint's colour transfer function: 1.0 says the pixels blend as stored, which is how
        # libmypaint painted them (MyPaint's "1.x mode"); without it MyPaint goes by the user's
        # preferences and may blend them linearised, which looks different.
        f"{{{MYPAINT_NS}}}eotf": "1.0"})
    stack = ET.SubElement(image, "stack")
    for name, src in reversed(layers):  # the spec lists the topmost layer first
        ET.SubElement(stack, "layer", _layer_attributes(name, src))
    background = ET.SubElement(stack, "layer", _layer_attributes("background", BACKGROUND_SRC))
    # MyPaint takes this layer as its document background (not a layer to paint on) from this
    # attribute; other programs ignore it and show the full-size layer.
    background.set(f"{{{MYPAINT_NS}}}background-tile", BACKGROUND_TILE_SRC)
    ET.indent(image)
    return ET.tostring(image, encoding="UTF-8", xml_declaration=True)


def _layer_attributes(name: str, src: str) -> dict:
    return {"name": name, "src": src, "x": "0", "y": "0", "opacity": "1.0", "visibility": "visible",
            "composite-op": "svg:src-over"}


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _write(ora: zipfile.ZipFile, name: str, data: bytes):
    entry = zipfile.ZipInfo(name)  # a fixed date: the same painting gives the same file
    entry.compress_type = zipfile.ZIP_STORED  # PNGs are compressed already, as MyPaint stores them
    entry.external_attr = 0o644 << 16  # readable once unzipped (zipfile's default is 0600)
    ora.writestr(entry, data)
