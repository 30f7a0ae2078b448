"""Neural Painter: a photo becomes a painting made of brushstrokes of a neural MyPaint brush.

    import painter
    painter.setup()   # first, before torch loads: torch's threads, OpenMP's wait, the allocator
    from painter import paint, shipped_brushes
    for frame in paint("photo.jpg", strokes=1000, size=512, seed=0, brush="charcoal"):
        show(frame.canvas)
    frame.painting.save_png("painting.png")
    [b.name for b in shipped_brushes()]   # dry_brush, charcoal, ...; brush="ink_blot,dry_brush" paints by level

Names are imported lazily, so `import painter.stroke` stays light (no torch), and importing
`painter` changes nothing in the process: a program that paints calls `painter.setup()` first,
before torch loads (painter/process.py).
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "setup": "painter.process",
    "Brush": "painter.brush",
    "shipped_brushes": "painter.brush",
    "Painter": "painter.painter",
    "paint": "painter.painter",
    "Frame": "painter.painter",
    "Painting": "painter.painting",
    "PaintingFileError": "painter.painting",
    "render_with_mypaint": "painter.render",
    "load_photo": "painter.photo",
    "fit_long_side": "painter.photo",
    "PainterError": "painter.errors",
    "Request": "painter.request",
    "make_request": "painter.request",
    "PhotoError": "painter.photo",
    "Stroke": "painter.stroke",
    "MyPaintMissing": "painter.mypaint",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'painter' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
