"""A painting as a layered OpenRaster file: one layer of MyPaint strokes per level, over the ground.

OpenRaster 0.0.5 (https://www.openraster.org/, "File Layout Specification" and "Layer Stack"): a
zip whose first entry is `mimetype`, stored uncompressed and holding exactly `image/openraster`;
`stack.xml`, which lists the layers topmost first; each layer a PNG under `data/` (RGBA, not
premultiplied); `mergedimage.png`, the full composite; and `Thumbnails/thumbnail.png`, the composite
at most 256 px a side. MyPaint, Krita and GIMP read the format.

This module writes the format; `render.save_ora` (`Painting.save_ora`) decides what goes in it
(one layer per level of the painting, each painted by MyPaint itself). Where MyPaint reads more
than the spec (its `mypaint:` attributes), this writes what MyPaint's own writer does.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile

import numpy as np
from PIL import Image

MIMETYPE = b"image/openraster"
ORA_VERSION = "0.0.5"
THUMBNAIL_SIDE = 256
MYPAINT_NS = "http://mypaint.org/ns/openraster"
# MyPaint's document background is a repeating tile; its sides must be multiples of 64 px.
BACKGROUND_TILE_SIDE = 64
BACKGROUND_SRC = "data/background.png"
BACKGROUND_TILE_SRC = "data/background-tile.png"

ET.register_namespace("mypaint", MYPAINT_NS)  # the prefix MyPaint writes, for people reading stack.xml


def write_ora(path, layers: list[tuple[str, np.ndarray]], background, merged: Image.Image) -> str:
    """Write an OpenRaster file: `layers` (name, premultiplied float RGBA as MyPaint paints it),
    bottom to top, over an opaque `background` (r, g, b) in [0, 1]; `merged` is their composite."""
    height, width = merged.height, merged.width
    pngs = [(name, f"data/layer-{k:02d}.png", _png(_straight_rgba(rgba))) for k, (name, rgba) in enumerate(layers)]
    thumbnail = merged.copy()
    thumbnail.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.LANCZOS)
    ground = tuple(int(round(255 * min(max(float(c), 0.0), 1.0))) for c in background)
    with zipfile.ZipFile(str(path), "w", zipfile.ZIP_STORED) as ora:
        # Readers recognise the format by these bytes at a fixed offset: first, stored, no newline.
        _write(ora, "mimetype", MIMETYPE)
        _write(ora, "stack.xml", _stack_xml(width, height, [(name, src) for name, src, _ in pngs]))
        for _, src, data in pngs:
            _write(ora, src, data)
        _write(ora, BACKGROUND_SRC, _png(Image.new("RGBA", (width, height), ground + (255,))))
        _write(ora, BACKGROUND_TILE_SRC, _png(Image.new("RGB", (BACKGROUND_TILE_SIDE,) * 2, ground)))
        _write(ora, "mergedimage.png", _png(merged.convert("RGB")))
        _write(ora, "Thumbnails/thumbnail.png", _png(thumbnail.convert("RGB")))
    return str(path)


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
        # preferences and may blend them linearised, which looks different. MyPaint's GUI acts on
        # it when opening the file (gui/compatibility.py, ora_compat_handler); its document code
        # alone does not and blends at its default 2.2 (lib/eotf.py): some 5/255 lighter on average.
        f"{{{MYPAINT_NS}}}eotf": "1.0",
        # MyPaint sets its frame to w x h on loading, but uses it only when this says "true"
        # (lib/document.py, load_ora); otherwise it exports and shows the layers' extent rounded
        # out to whole background tiles, e.g. 384 x 384 for a 328 x 384 painting. MyPaint's own
        # writer always writes it ("true" or "false").
        f"{{{MYPAINT_NS}}}frame-active": "true"})
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
