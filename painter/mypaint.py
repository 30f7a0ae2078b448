"""MyPaint, the painting program the neural brush imitates, driven through libmypaint with ctypes.

The GObject binding of libmypaint cannot hand tiles back to Python, so the C library is called
directly: a fixed tiled surface, a brush of Debian's mypaint-brushes (`classic/dry_brush` unless
another is named), and the premultiplied fix15 RGBA read back tile by tile.
"""

from __future__ import annotations

import colorsys
import ctypes
import functools
import json
from pathlib import Path

import numpy as np

from .stroke import CELL_PX, CURVE_POINTS, Stroke

LIBRARY = "libmypaint-1.5.so.1"  # libmypaint 1.6 as Debian ships it in libmypaint-1.5-1
BRUSH = "classic/dry_brush"
BRUSH_DIRS = ("/usr/share/mypaint-data/2.0/brushes", "/usr/share/mypaint-data/1.0/brushes")
INSTALL_HINT = ("MyPaint is not installed: install the Debian packages libmypaint-1.5-1 and "
                "mypaint-brushes (apt-get install libmypaint-1.5-1 mypaint-brushes).")
TILE = 64
FIX15_ONE = 1 << 15
STROKE_DTIME = 0.02  # seconds between curve points; MyPaint's speed inputs depend on it
PLACE_DTIME = 10.0  # past MyPaint's 5 s, which resets the brush where it lands
# The brush's time constants, in seconds: with them and STROKE_DTIME multiplied by a stroke's scale,
# MyPaint paints the stroke it paints at scale 1, that many times larger, dab for dab (see Canvas.draw).
TIME_SETTINGS = ("speed1_slowness", "speed2_slowness", "slow_tracking")


# Settings whose dabs read or change what is already on the canvas (smudging picks up its colour,
# an eraser removes paint, lock_alpha paints only where paint is, colorize recolours it): a
# 12-number stroke on an empty cell cannot describe such a brush.
CANVAS_SETTINGS = ("smudge", "eraser", "lock_alpha", "colorize", "posterize")


class MyPaintMissing(RuntimeError):
    """libmypaint or the brush files are not on this machine."""


class BrushRefused(ValueError):
    """A MyPaint brush that is not there, or that the 12-number stroke cannot describe."""


class _TileRequest(ctypes.Structure):
    _fields_ = [("tx", ctypes.c_int), ("ty", ctypes.c_int), ("readonly", ctypes.c_int),
                ("buffer", ctypes.POINTER(ctypes.c_uint16)), ("context", ctypes.c_void_p),
                ("thread_id", ctypes.c_int), ("mipmap_level", ctypes.c_int)]


class _Rectangle(ctypes.Structure):
    _fields_ = [("x", ctypes.c_int), ("y", ctypes.c_int), ("width", ctypes.c_int), ("height", ctypes.c_int)]


@functools.cache
def library() -> ctypes.CDLL:
    """Load libmypaint and declare the functions used here."""
    try:
        lib = ctypes.CDLL(LIBRARY)
    except OSError as error:
        raise MyPaintMissing(INSTALL_HINT) from error
    p, f, i = ctypes.c_void_p, ctypes.c_float, ctypes.c_int
    signatures = {
        "mypaint_brush_new": (p, []),
        "mypaint_brush_unref": (None, [p]),
        "mypaint_brush_from_string": (i, [p, ctypes.c_char_p]),
        "mypaint_brush_set_base_value": (None, [p, i, f]),
        "mypaint_brush_setting_from_cname": (i, [ctypes.c_char_p]),
        "mypaint_brush_input_from_cname": (i, [ctypes.c_char_p]),
        "mypaint_brush_set_mapping_n": (None, [p, i, i, i]),
        "mypaint_brush_stroke_to": (i, [p, p, f, f, f, f, f, ctypes.c_double]),
        "mypaint_fixed_tiled_surface_new": (p, [i, i]),
        "mypaint_fixed_tiled_surface_interface": (p, [p]),
        "mypaint_surface_begin_atomic": (None, [p]),
        "mypaint_surface_end_atomic": (None, [p, ctypes.POINTER(_Rectangle)]),
        "mypaint_surface_unref": (None, [p]),
        "mypaint_tile_request_init": (None, [ctypes.POINTER(_TileRequest), i, i, i, i]),
        "mypaint_tiled_surface_tile_request_start": (None, [p, ctypes.POINTER(_TileRequest)]),
        "mypaint_tiled_surface_tile_request_end": (None, [p, ctypes.POINTER(_TileRequest)]),
    }
    for name, (restype, argtypes) in signatures.items():
        function = getattr(lib, name)
        function.restype, function.argtypes = restype, argtypes
    return lib


@functools.cache
def brush_definition(name: str = BRUSH) -> bytes:
    """The brush's .myb JSON, from the mypaint-brushes package."""
    for directory in BRUSH_DIRS:
        path = Path(directory) / f"{name}.myb"
        if path.is_file():
            return path.read_bytes()
    if name != BRUSH and any((Path(d) / f"{BRUSH}.myb").is_file() for d in BRUSH_DIRS):
        raise BrushRefused(f"MyPaint has no brush named {name!r}; names are like classic/charcoal "
                           f"(the .myb files under {BRUSH_DIRS[0]})")
    raise MyPaintMissing(INSTALL_HINT)


def canvas_dependence(name: str = BRUSH) -> list[str]:
    """The CANVAS_SETTINGS that the brush `name` uses: a base value or an input mapping that is not 0."""
    settings = json.loads(brush_definition(name))["settings"]
    used = []
    for setting in CANVAS_SETTINGS:
        entry = settings.get(setting) or {}
        curves = (entry.get("inputs") or {}).values()
        if entry.get("base_value", 0.0) != 0.0 or any(y != 0.0 for curve in curves for _, y in curve):
            used.append(setting)
    return used


def check_brush(name: str = BRUSH) -> str:
    """`name` if it is a MyPaint brush the 12-number stroke can describe; else BrushRefused, one sentence."""
    used = canvas_dependence(name)
    if used:
        raise BrushRefused(f"{name} paints with {' and '.join(used)}, which depends on the paint already on the "
                           "canvas; a 12-number stroke on an empty cell cannot describe it, so it cannot be "
                           "trained as a neural brush")
    return name


@functools.cache
def _setting(cname: str) -> int:
    return library().mypaint_brush_setting_from_cname(cname.encode())


@functools.cache
def _input(cname: str) -> int:
    return library().mypaint_brush_input_from_cname(cname.encode())


class Canvas:
    """A transparent MyPaint canvas; strokes paint on it in order, `rgba()` reads it back."""

    def __init__(self, width: int, height: int, brush: str = BRUSH):
        self.lib = library()
        self.width, self.height = int(width), int(height)
        self.brush = brush_definition(brush)
        self._fixed = self.lib.mypaint_fixed_tiled_surface_new(self.width, self.height)
        if not self._fixed:
            raise MemoryError(f"MyPaint could not allocate a {width}x{height} canvas")
        self._surface = self.lib.mypaint_fixed_tiled_surface_interface(self._fixed)
        self.clear()

    def close(self):
        if getattr(self, "_surface", None):  # also when __init__ failed part way
            self.lib.mypaint_surface_unref(self._surface)
            self._surface = self._fixed = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()

    def _each_tile(self, readonly: bool, region=None):
        """Yield (tile_x, tile_y, a (64, 64, 4) uint16 view of the tile's memory), for every tile or
        for those that meet `region` (x, y, width, height in px)."""
        request = _TileRequest()
        rows, cols = range((self.height + TILE - 1) // TILE), range((self.width + TILE - 1) // TILE)
        if region is not None:
            x, y, w, h = region
            rows = range(max(0, y // TILE), min(len(rows), -(-(y + h) // TILE)))
            cols = range(max(0, x // TILE), min(len(cols), -(-(x + w) // TILE)))
        for ty in rows:
            for tx in cols:
                self.lib.mypaint_tile_request_init(ctypes.byref(request), 0, tx, ty, int(readonly))
                self.lib.mypaint_tiled_surface_tile_request_start(self._fixed, ctypes.byref(request))
                try:
                    yield tx, ty, np.ctypeslib.as_array(request.buffer, shape=(TILE, TILE, 4))
                finally:
                    self.lib.mypaint_tiled_surface_tile_request_end(self._fixed, ctypes.byref(request))

    def clear(self):
        """Make every pixel transparent (a new surface starts filled with 0xFFFF, not empty)."""
        for _, _, tile in self._each_tile(readonly=False):
            tile[...] = 0

    def rgba(self) -> np.ndarray:
        """(height, width, 4) float32 premultiplied RGBA in [0, 1]."""
        out = np.empty((self.height, self.width, 4), dtype=np.float32)
        self.read_into(out)
        return out

    def read_into(self, out: np.ndarray, region=None) -> None:
        """Copy the canvas, or the tiles that meet `region` (x, y, width, height; `draw` returns the
        region a stroke painted), into `out`, a (height, width, 4) float32 array, as `rgba` reads it."""
        for tx, ty, tile in self._each_tile(readonly=True, region=region):
            y, x = ty * TILE, tx * TILE
            h, w = min(TILE, self.height - y), min(TILE, self.width - x)
            np.multiply(tile[:h, :w], np.float32(1 / FIX15_ONE), out=out[y:y + h, x:x + w])

    def alpha(self) -> np.ndarray:
        """(height, width) float32 coverage in [0, 1], MyPaint's own alpha channel."""
        return self.rgba()[..., 3]

    def draw(self, stroke: Stroke, stream: int = 0, scale: float = 1.0, brush: str | None = None):
        """Draw one stroke with a fresh brush (the canvas's, or the MyPaint brush `brush`), so that
        the same stroke always looks the same; returns the region it painted (x, y, width, height px).

        The curve always has the same number of points at the same time step. MyPaint (libmypaint
        1.6) measures the brush's speed in px per second, not in radii, and the dry brush thins
        with speed: a stroke drawn `k` times larger at the same time step moves `k` times faster
        and comes out thinner (8 times larger: dabs 12 % smaller). `scale` is the canvas px per px
        of the brush's own 64 px cell, the size the stroke's action describes (training renders
        at 1, the default, which is the plain render): the time step and the brush's time constants
        (TIME_SETTINGS) are multiplied by it, so that MyPaint sees the speeds of the stroke at its
        cell's size and paints that stroke `scale` times larger, dab for dab (same positions over
        `scale`, same radii over `scale`, same opacity, same random scatter).

        The dry brush scatters its dabs with MyPaint's random generator, which a fresh brush
        always seeds alike. `stream` k > 0 paints the same stroke from another stretch of that
        random sequence: the brush first makes k moves of one radius at zero pressure (they
        paint nothing but draw random numbers for their dabs), each followed by placing it back
        on the start, which resets every state but the random generator. Training and
        evaluation use it to see what a stroke looks like on average, beyond one draw of the
        scatter.
        """
        lib = self.lib
        brush = _new_brush(lib, self.brush if brush is None else brush_definition(brush), stroke, scale)
        try:
            hue, saturation, value = colorsys.rgb_to_hsv(*stroke.colour)
            lib.mypaint_brush_set_base_value(brush, _setting("color_h"), hue)
            lib.mypaint_brush_set_base_value(brush, _setting("color_s"), saturation)
            lib.mypaint_brush_set_base_value(brush, _setting("color_v"), value)
            lib.mypaint_surface_begin_atomic(self._surface)
            _place(lib, brush, self._surface, stroke, stream, scale)
            _trace(lib, brush, self._surface, stroke, scale)
            painted = _Rectangle()
            lib.mypaint_surface_end_atomic(self._surface, ctypes.byref(painted))
        finally:
            lib.mypaint_brush_unref(brush)
        return painted.x, painted.y, painted.width, painted.height


def _new_brush(lib, definition: bytes, stroke: Stroke, scale: float = 1.0):
    """A fresh brush (which restarts MyPaint's random generator) of the stroke's radius, its time
    constants `scale` times longer (see `Canvas.draw`)."""
    brush = lib.mypaint_brush_new()
    if not lib.mypaint_brush_from_string(brush, definition):
        lib.mypaint_brush_unref(brush)
        raise RuntimeError("MyPaint could not read the brush definition")
    lib.mypaint_brush_set_base_value(brush, _setting("radius_logarithmic"), float(np.log(max(stroke.radius, 1e-3))))
    if scale != 1.0:  # at 1 the brush is left exactly as its file makes it
        if not scale > 0:
            raise ValueError(f"a stroke's scale is positive, got {scale}")
        for name, value in _time_settings(definition).items():
            lib.mypaint_brush_set_base_value(brush, _setting(name), value * float(scale))
    return brush


@functools.cache
def _time_settings(definition: bytes) -> dict:
    settings = json.loads(definition)["settings"]
    return {name: float(settings[name]["base_value"]) for name in TIME_SETTINGS if name in settings}


def _place(lib, brush, surface, stroke: Stroke, stream: int, scale: float = 1.0):
    """Put the brush on the stroke's start, `stream` stretches into its random sequence (see
    `Canvas.draw`)."""
    # After a reset the first event only places the brush. MyPaint smooths the position
    # (slow_tracking) before it resets, so a short step would leave the brush part way
    # from the origin and drag a tail from there; a long one lands it on the start.
    x0, y0 = stroke.start
    lib.mypaint_brush_stroke_to(brush, surface, x0, y0, 0.0, 0.0, 0.0, PLACE_DTIME)
    # Placing again after every move keeps the brush's clock from drifting: twenty
    # moves in a row make libmypaint print "Time is running backwards!" to stdout.
    for _ in range(int(stream)):
        lib.mypaint_brush_stroke_to(brush, surface, x0 + stroke.radius, y0, 0.0, 0.0, 0.0, STROKE_DTIME * scale)
        lib.mypaint_brush_stroke_to(brush, surface, x0, y0, 0.0, 0.0, 0.0, PLACE_DTIME)


def _trace(lib, brush, surface, stroke: Stroke, scale: float = 1.0):
    """Move the placed brush along the stroke's curve, `scale` times slower than at scale 1."""
    n, dtime = CURVE_POINTS, STROKE_DTIME * scale
    for (x, y), pressure in zip(stroke.points(n).tolist(), stroke.pressures(n).tolist()):
        lib.mypaint_brush_stroke_to(brush, surface, x, y, pressure, 0.0, 0.0, dtime)


_F = ctypes.c_float
_DRAW_DAB = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, *[_F] * 13)
_GET_COLOR = ctypes.CFUNCTYPE(None, ctypes.c_void_p, _F, _F, _F, *[ctypes.POINTER(_F)] * 4)
_END_ATOMIC = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p)
_ON_SURFACE = ctypes.CFUNCTYPE(None, ctypes.c_void_p)


class _Surface(ctypes.Structure):
    """libmypaint's MyPaintSurface: the callbacks a brush paints through."""
    _fields_ = [("draw_dab", _DRAW_DAB), ("get_color", _GET_COLOR), ("begin_atomic", _ON_SURFACE),
                ("end_atomic", _END_ATOMIC), ("destroy", _ON_SURFACE), ("save_png", ctypes.c_void_p),
                ("refcount", ctypes.c_int)]


def record_dabs(stroke: Stroke, stream: int = 0, scatter: bool = True, brush: str = BRUSH,
                scale: float = 1.0) -> np.ndarray:
    """(N, 5) float32: the dabs MyPaint paints for `stroke`, in order, as x, y, radius, opaque and the angle
    of the dab's ellipse in degrees.

    A surface that records instead of painting. With `scatter=False`, the brush's random
    offsets and radii are switched off: the dabs where the brush itself goes. `scale` as in
    `Canvas.draw`.
    """
    lib = library()
    dabs = []

    def draw_dab(_, x, y, radius, r, g, b, opaque, hardness, eraser, ratio, angle, *rest):
        dabs.append((x, y, radius, opaque, angle))
        return 1

    def get_color(_, x, y, radius, *rgba):
        for channel in rgba:
            channel[0] = 0.0

    callbacks = (_DRAW_DAB(draw_dab), _GET_COLOR(get_color), _ON_SURFACE(lambda _: None),
                 _END_ATOMIC(lambda _, rectangle: None), _ON_SURFACE(lambda _: None))
    surface = _Surface(*callbacks, None, 1)
    handle = _new_brush(lib, brush_definition(brush), stroke, scale)
    try:
        if not scatter:
            lib.mypaint_brush_set_mapping_n(handle, _setting("offset_by_random"), _input("pressure"), 0)
            lib.mypaint_brush_set_base_value(handle, _setting("offset_by_random"), 0.0)
            lib.mypaint_brush_set_base_value(handle, _setting("radius_by_random"), 0.0)
        _place(lib, handle, ctypes.addressof(surface), stroke, stream, scale)
        dabs.clear()  # the moves that reach another random stream paint nothing
        _trace(lib, handle, ctypes.addressof(surface), stroke, scale)
    finally:
        lib.mypaint_brush_unref(handle)
    return np.array(dabs, dtype=np.float32).reshape(-1, 5)


_cells: dict[str, Canvas] = {}  # one per brush and process: allocating a surface costs more than a stroke


def cell_coverage(stroke: Stroke, brush: str = BRUSH, stream: int = 0) -> np.ndarray:
    """(64, 64) float32 coverage in [0, 1] of `stroke` (in the brush's own 64 px cell: `Stroke.from_action`)
    painted by the MyPaint brush `brush` from random stream `stream` (see `Canvas.draw`; 0: MyPaint's plain
    render), read from MyPaint's alpha channel."""
    canvas = _cells.get(brush)
    if canvas is None:
        canvas = _cells[brush] = Canvas(CELL_PX, CELL_PX, brush)
    canvas.clear()
    canvas.draw(stroke, stream=stream)
    return canvas.alpha()
