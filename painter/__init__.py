"""Neural Painter: a photo becomes a painting made of brushstrokes of a neural MyPaint brush.

    from painter import paint
    for frame in paint("photo.jpg", strokes=1000, size=512, seed=0):
        show(frame.canvas)
    frame.painting.save_png("painting.png")

Names are imported lazily, so `import painter.stroke` stays light (no torch).
"""

from __future__ import annotations

import importlib
import os

# OpenMP threads that busy-wait make torch many times slower when another process shares the
# CPU (measured 9x on 2 cores); passive waiting costs nothing when the CPU is free. Read by
# OpenMP when torch loads, so it only takes effect if painter is imported first.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

_EXPORTS = {
    "Brush": "painter.brush",
    "Painter": "painter.paint",
    "paint": "painter.paint",
    "Frame": "painter.paint",
    "Painting": "painter.painting",
    "PaintingFileError": "painter.painting",
    "render_with_mypaint": "painter.painting",
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
