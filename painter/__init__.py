"""Neural Painter: a photo becomes a painting made of brushstrokes of a neural MyPaint brush.

    from painter import paint, shipped_brushes
    for frame in paint("photo.jpg", strokes=1000, size=512, seed=0, brush="charcoal"):
        show(frame.canvas)
    frame.painting.save_png("painting.png")
    [b.name for b in shipped_brushes()]   # dry_brush, charcoal, ...; brush="ink_blot,dry_brush" paints by level

Names are imported lazily, so `import painter.stroke` stays light (no torch).
"""

from __future__ import annotations

import importlib
import os

# Between torch's many small operations its OpenMP threads (GNU libgomp) spin, then sleep. Spinning
# forever makes the painter 4.5x slower when another process shares the CPU; sleeping at once makes
# it 1.4x slower alone. A short spin keeps most of both (benchmarks/openmp_wait.py, 2 cores:
# alone 10.1 s against 8.9 spinning and 12.5 sleeping; two at once 18.9 s against 43.0 and 14.0).
# OpenMP reads this when torch loads, so it only takes effect if painter is imported first.
if "OMP_WAIT_POLICY" not in os.environ:
    os.environ.setdefault("GOMP_SPINCOUNT", "1000")
# As many threads as the cores this process may really use (a container's quota can be below the
# cores it sees); likewise read when torch loads (painter/cpus.py).
from . import cpus  # noqa: E402

THREADS = cpus.limit_threads()
# Freed tensors' memory kept for the next step rather than faulted in anew (painter/malloc.py).
from . import malloc  # noqa: E402

MALLOC_TUNED = malloc.keep_freed_memory()

_EXPORTS = {
    "Brush": "painter.brush",
    "shipped_brushes": "painter.brush",
    "Painter": "painter.painter",
    "paint": "painter.painter",
    "Frame": "painter.painter",
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
