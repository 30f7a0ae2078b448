"""MyPaint's re-render of a painting against the painting the neural brush made, and the photo.

    python benchmarks/mypaint_render.py [--photos astronaut chelsea coffee] [--strokes 400] [--size 384]

Found (AMD EPYC, 2 cores, torch 2.14.1 CPU; astronaut, chelsea, coffee, 400 strokes at 384 px,
judge distance / PSNR vs the photo, means over the three; the neural painting itself: 0.855 / 23.24 dB):
libmypaint 1.6 measures the brush's speed in px per second, not in radii, and the dry brush's
radius falls with speed, so a stroke drawn k times larger at the same 0.02 s per curve point came
out thinner (8x: dabs 12 % smaller). At 2048 px MyPaint painted 88-93 % of the neural brush's
coverage on the broad levels (97-103 % at 384) and the re-render was 1.115 / 21.42 dB from the
photo, 0.741 / 25.47 dB from the painting (1.089 / 21.71 and 0.677 / 26.39 at 384). Shipped:
each stroke's scale (2 x its level's cell / 64, from the strokes file's levels) stretches the time
step and the brush's time constants, which makes MyPaint paint the stroke's 64 px training render,
scaled, dab for dab (tests/test_mypaint.py). Now 2048 px is 1.094 / 21.79 dB from the photo, 0.688
/ 26.50 dB from the painting, like 384 px (1.088 / 21.76, 0.673 / 26.52); coverage 97-99 % on
every level at both sizes. What remains is not scale or coverage but the dry brush's grain: with
coverage matched, the broad strokes (level 0, radius ~9 px at 384) are still 0.73-0.94 from the
neural brush's render of the same strokes, the fine ones 0.32-0.40. The neural brush paints the
expected (averaged) stroke; MyPaint paints one draw of its scatter. Less pressure (x 0.9: less
scatter, offset_by_random = 1.4 x pressure) brings the re-render closer (1.066 / 21.95 dB vs the
photo at 2048, 0.623 / 26.93 dB vs the painting), more radius or pressure goes further off;
200 curve points, 2x supersampling and the time step alone change little. A sweep of the pressure
(x 0.6 to 0.9, means over the photos at 384 / 2048 px, vs the photo): full 1.088 / 1.094, 21.76 /
21.79 dB; x 0.9 1.057 / 1.066, 21.94 / 21.95; x 0.8 1.035 / 1.042, 21.83 / 21.82; x 0.7 1.032 / 1.038
but 21.40 / 21.36 dB; x 0.6 20.7 dB. Shipped: x 0.8 (render.RERENDER_PRESSURE), closer by the
judge on every photo at both sizes, PSNR within 0.1 dB, and 0.558 / 0.571 from the painting
instead of 0.673 / 0.688. The variants below are named against full pressure.

The figures above are means of the script's own tables (per photo, per variant and size, and by
level): run it to print them.

How it measures: each photo is painted as a user's `python -m painter paint PHOTO --strokes 400
--size 384 --objective pixel` would (the strokes' actions, cells and levels kept), then rendered
(1) by the neural brush, the painting's own compositing (`stamp_patches`) at the render size,
and (2) by MyPaint from the canvas strokes, as `render_with_mypaint` does, with each variant of
the mapping below. Every image is compared at the painting's own size (the 2048 px renders
reduced with Lanczos; the judge would cap them at 512 px anyway): the judge's distance
(`benchmarks/judge.py`, an EfficientNet-Lite2 the painter never loads), PSNR and SSIM against the
photo and against the neural painting (the PNG the painter writes, or the neural brush's render
of the same strokes for a band). Bands: each level's strokes alone over the background, MyPaint
against the neural brush, with the mean coverage of each (mypaint/neural).

Variants of what the export controls (all but `shipped` are local to this script):
- `before`: the mapping as it was: every stroke at MyPaint's 0.02 s per curve point, whatever
  its size, so MyPaint (which measures speed in px per second) sees a large stroke as fast and
  thins it (the dry brush's radius falls with speed2);
- `clock x render`: time step and the brush's time constants times the render's size over the
  painting's: each size is the painting-size render, scaled (what a strokes file without levels gets);
- `dtime x scale`: the time step alone times the stroke's scale (its cell's px per brush px);
- `scaled clock, full pressure`: time step and time constants times the stroke's scale
  (`Canvas.draw(scale=)`, `brush_scales`): MyPaint paints the training render of the stroke,
  scaled, dab for dab;
- `shipped`: `render_with_mypaint` itself, the scaled clock at `RERENDER_PRESSURE` (0.8) of the
  stroke's pressure;
- the scaled clock with radius x 0.9 / 1.1, pressure x 0.6 to 1.1 or + 0.05, 200 curve points, or
  (at the painting's own size) rendered at 2x and box-filtered down.
"""

import argparse
import colorsys
import ctypes
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import painter  # noqa: E402

painter.setup()  # first, before torch loads (painter/process.py)

import numpy as np  # noqa: E402
import torch  # noqa: E402
from PIL import Image  # noqa: E402

from benchmarks import judge  # noqa: E402
from benchmarks.common import hardware, photo_path  # noqa: E402
from painter import mypaint as mp  # noqa: E402
from painter.compose import stamp_patches  # noqa: E402
from painter.painter import Painter  # noqa: E402
from painter.painting import BRUSH  # noqa: E402
from painter.render import RERENDER_PRESSURE, brush_scales, mypaint_image, render_with_mypaint  # noqa: E402
from painter.request import make_request  # noqa: E402
from painter.stroke import CELL_PX, COLOUR, CURVE_POINTS, Stroke  # noqa: E402


def paint(painter, photo, strokes, size):
    """The painting as the CLI makes it, with its records (action, origin, scale) and their levels."""
    run = painter.prepare(make_request(photo, strokes, size, 0, None, device=painter.device))
    frames = list(painter._frames(run, lambda: False))
    return frames[-1].painting, run.records, run.stroke_levels


def neural(painter, painting, records, levels, size, keep=None, colour=None, ground=None):
    """The neural brush's render of the strokes of levels `keep` (all: None), `size` px on the long side."""
    f = size / max(painting.width, painting.height)
    w, h = round(painting.width * f), round(painting.height * f)
    ground = painting.background if ground is None else ground
    out = torch.tensor(ground, dtype=torch.float32).view(1, 3, 1, 1).expand(1, 3, h, w).clone()
    chosen = [r for r, lv in zip(records, levels) if keep is None or lv in keep]
    if chosen:
        actions = torch.from_numpy(np.stack([r.action for r in chosen]))
        with torch.no_grad():
            alpha = painter.brush(actions)
        colours = actions[:, COLOUR] if colour is None else torch.tensor([colour] * len(chosen))
        for k, r in enumerate(chosen):  # one by one: strokes of a level share a patch side, not of all
            stamp_patches(out, alpha[k:k + 1], colours[k:k + 1], np.array([r.origin]) * f, r.scale * CELL_PX * f)
    return Image.fromarray((out[0].clamp(0, 1) * 255 + 0.5).to(torch.uint8).permute(1, 2, 0).numpy())


def mypaint(painting, size, keep=None, clock="stroke", radius=1.0, pressure=1.0, lift=0.0, points=CURVE_POINTS,
            supersample=1, colour=None, ground=None, coverage=False):
    """MyPaint's render with one variant of the stroke -> MyPaint mapping (see the docstring)."""
    lib = mp.library()
    f = size / max(painting.width, painting.height) * supersample
    w, h = round(painting.width * f), round(painting.height * f)
    scales = brush_scales(painting, f)
    times = mp._time_settings(mp.brush_definition())
    with mp.Canvas(w, h) as canvas:
        for k, s in enumerate(painting.strokes):
            if keep is not None and painting.levels[k] not in keep:
                continue
            s = s.scaled(f)
            s = Stroke(s.start, s.control, s.end, s.radius * radius, s.pressure, s.colour if colour is None else colour)
            scale = {"before": 1.0, "render": f, "dtime": scales[k], "stroke": scales[k]}[clock]
            brush = mp._new_brush(lib, canvas.brush, s, 1.0 if clock == "dtime" else scale)
            for name, v in zip(("color_h", "color_s", "color_v"), colorsys.rgb_to_hsv(*s.colour)):
                lib.mypaint_brush_set_base_value(brush, mp._setting(name), v)
            lib.mypaint_surface_begin_atomic(canvas._surface)
            lib.mypaint_brush_stroke_to(brush, canvas._surface, *s.start, 0.0, 0.0, 0.0, mp.PLACE_DTIME)
            dtime = mp.STROKE_DTIME * scale * CURVE_POINTS / points
            for (x, y), p in zip(s.points(points).tolist(), s.pressures(points).tolist()):
                p = min(1.0, max(0.0, p * pressure + lift))
                lib.mypaint_brush_stroke_to(brush, canvas._surface, x, y, p, 0.0, 0.0, dtime)
            lib.mypaint_surface_end_atomic(canvas._surface, ctypes.byref(mp._Rectangle()))
            lib.mypaint_brush_unref(brush)
        rgba = canvas.rgba()
    image = mypaint_image(rgba, painting.background if ground is None else ground)
    if supersample > 1:
        image = image.resize((round(w / supersample), round(h / supersample)), Image.BOX)
    return image


VARIANTS = {  # name -> mypaint() options; "shipped" is render_with_mypaint itself
    "before": dict(clock="before"),
    "clock x render": dict(clock="render"),
    "dtime x scale": dict(clock="dtime"),
    "scaled clock, full pressure": {},  # what was shipped before the pressure sweep
    "shipped": None,  # render_with_mypaint: scaled clock, pressure x RERENDER_PRESSURE (0.8)
    "scaled clock, radius x 0.9": dict(radius=0.9),
    "scaled clock, radius x 1.1": dict(radius=1.1),
    "scaled clock, pressure x 0.6": dict(pressure=0.6),
    "scaled clock, pressure x 0.7": dict(pressure=0.7),
    "scaled clock, pressure x 0.8": dict(pressure=0.8),
    "scaled clock, pressure x 0.9": dict(pressure=0.9),
    "scaled clock, pressure x 1.1": dict(pressure=1.1),
    "scaled clock, pressure + 0.05": dict(lift=0.05),
    "scaled clock, 200 curve points": dict(points=200),
    "scaled clock, 2x supersampled": dict(supersample=2),
}


def at(image, size):
    if image.size == size:
        return image
    return image.resize(size, Image.LANCZOS)


def scores(image, reference, size):
    s = judge.scores(at(image, size), at(reference, size))
    return s["distance"], s["psnr"], s["ssim"]


def coverage_of(image, ground_value=0.0):
    """Mean coverage of a white-on-black render."""
    return float((np.asarray(image, np.float32)[..., 0] / 255 - ground_value).mean())


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", nargs="+", default=["astronaut", "chelsea", "coffee"])
    parser.add_argument("--strokes", type=int, default=400)
    parser.add_argument("--size", type=int, default=384)
    parser.add_argument("--large", type=int, default=2048)
    parser.add_argument("--folder", default="/tmp/mypaint_render")
    parser.add_argument("--variants", nargs="+", choices=list(VARIANTS), default=list(VARIANTS),
                        help="which variants to render (default: all)")
    parser.add_argument("--no-levels", action="store_true", help="skip the by-level table")
    args = parser.parse_args()
    folder = Path(args.folder)
    folder.mkdir(parents=True, exist_ok=True)
    print(f"hardware: {hardware()}")
    print(f"{args.strokes} strokes, {args.size} px, --objective pixel; every image compared at the painting's size")
    painter = Painter(objective="pixel")
    table, bands = [], []
    for name in args.photos:
        photo = Image.open(photo_path(name, folder)).convert("RGB")
        started = time.perf_counter()
        painting, records, levels = paint(painter, photo, args.strokes, args.size)
        print(f"{name}: painted in {time.perf_counter() - started:.0f} s, levels' cells {painting.level_cells} px",
              flush=True)
        own = painting.image.size
        d, p, s = scores(painting.image, photo, own)
        table.append((name, "neural painting (the PNG)", args.size, d, p, s, 0.0, float("inf"), 0.0))
        for size in (args.size, args.large):
            for variant, options in VARIANTS.items():
                if variant not in args.variants:
                    continue
                if options and options.get("supersample", 1) > 1 and size > args.size:
                    continue
                started = time.perf_counter()
                image = render_with_mypaint(painting, size) if options is None else mypaint(painting, size, **options)
                seconds = time.perf_counter() - started
                row = scores(image, photo, own) + scores(image, painting.image, own)[:2]
                table.append((name, variant, size, *row, seconds))
                print(f"  {variant} at {size}: vs photo {row[0]:.4f} {row[1]:.2f} dB, vs painting {row[3]:.4f} "
                      f"{row[4]:.2f} dB ({seconds:.1f} s)", flush=True)
            for variant in () if args.no_levels else ("before", "shipped"):
                options = VARIANTS[variant] if VARIANTS[variant] is not None else {"pressure": RERENDER_PRESSURE[BRUSH]}
                for level in sorted(set(levels)):
                    keep = {level}
                    ours = mypaint(painting, size, keep=keep, **options)
                    theirs = neural(painter, painting, records, levels, size, keep=keep)
                    white = dict(keep=keep, colour=(1.0, 1.0, 1.0), ground=(0.0, 0.0, 0.0))
                    mass = (coverage_of(mypaint(painting, size, **options, **white))
                            / max(1e-9, coverage_of(neural(painter, painting, records, levels, size, **white))))
                    d, p, s = scores(ours, theirs, own)
                    radius = np.median([st.radius for st, lv in zip(painting.strokes, levels) if lv == level])
                    bands.append((name, variant, size, level, painting.level_cells[level], radius, d, p, s, mass))
    print()
    print("| photo | variant | render px | vs photo: distance | PSNR | SSIM | vs painting: distance | PSNR | s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, variant, size, d, p, s, dp, pp, sec in table:
        print(f"| {name} | {variant} | {size} | {d:.4f} | {p:.2f} | {s:.3f} | {dp:.4f} | {pp:.2f} | {sec:.1f} |")
    print()
    print("Mean over the photos:")
    print("| variant | render px | vs photo: distance | PSNR | SSIM | vs painting: distance | PSNR |")
    print("|---|---|---|---|---|---|---|")
    keys = sorted({(v, z) for _, v, z, *_ in table}, key=lambda k: (k[1], list(VARIANTS).index(k[0]) if k[0] in VARIANTS else -1))
    for variant, size in keys:
        rows = np.array([r[3:8] for r in table if r[1] == variant and r[2] == size])
        print(f"| {variant} | {size} | " + " | ".join(f"{v:.4f}" if i in (0, 3) else f"{v:.2f}" if i in (1, 4)
                                                   else f"{v:.3f}" for i, v in enumerate(rows.mean(0))) + " |")
    print()
    print("By level (each level's strokes alone over the background; MyPaint against the neural brush's render "
          "of the same strokes; coverage = MyPaint's mean coverage / the neural brush's):")
    print("| photo | variant | render px | level | cell px | median radius px | distance | PSNR | SSIM | coverage |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, variant, size, level, cell, radius, d, p, s, mass in bands:
        print(f"| {name} | {variant} | {size} | {level} | {cell} | {radius:.1f} | {d:.4f} | {p:.2f} | {s:.3f} | {mass:.3f} |")


if __name__ == "__main__":
    main()
