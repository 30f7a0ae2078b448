"""Every dev photo painted with every shipped brush: the painting, the judge's scores, MyPaint's render of it.

    python benchmarks/brush_gallery.py [--strokes 500] [--size 384] [--photos astronaut chelsea coffee]
                                       [--brushes dry_brush charcoal ...] [--figure docs/brushes.jpg]

Each painting: pixel objective (`auto` on a CPU), seed 0, the same settings for every brush, the
painter's default canvas (MyPaint paints every finished round). Scored by the judge
(benchmarks/judge.py: PSNR, SSIM, and the distance of an EfficientNet the painter never loads)
against the photo, after checking that MyPaint's render of its strokes (`render_with_mypaint`, what
`painter render` paints) at the painting's size is the painting, bit for bit. `--figure` saves a grid:
a row per photo, a painting per brush (the README's picture).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import painter  # noqa: E402

painter.setup()  # first, before torch loads (painter/process.py)

from benchmarks import judge  # noqa: E402
from benchmarks.common import hardware, photo_path  # noqa: E402

GAP = 6
LABEL = 26


def main(argv=None) -> int:
    from painter import Painter, render_with_mypaint
    from painter.brush import shipped_brushes

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strokes", type=int, default=500)
    parser.add_argument("--size", type=int, default=384)
    parser.add_argument("--photos", nargs="+", default=["astronaut", "chelsea", "coffee"])
    parser.add_argument("--brushes", nargs="+", default=[b.name for b in shipped_brushes()])
    parser.add_argument("--figure", type=Path, help="save the grid of paintings here")
    args = parser.parse_args(argv)

    print(f"# every brush, {args.strokes} strokes at {args.size} px, pixel objective, seed 0")
    print(f"# hardware: {hardware()}")
    print("| photo | brush | painting: PSNR / SSIM / judge's distance | painting time |")
    print("|---|---|---|---|")
    painter = Painter(objective="pixel")
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for name in args.photos:
            photo = Image.open(photo_path(name, Path(folder)))
            row = []
            for brush in args.brushes:
                started = time.perf_counter()
                painting = None
                for frame in painter.paint(photo, strokes=args.strokes, size=args.size, seed=0, brush=brush):
                    painting = frame.painting or painting
                seconds = time.perf_counter() - started
                if not np.array_equal(np.asarray(render_with_mypaint(painting)), np.asarray(painting.image)):
                    raise SystemExit(f"{name}, {brush}: the painting is not MyPaint's render of its strokes")
                a = judge.scores(painting.image, photo)
                print(f"| {name} | {brush} | {a['psnr']:.2f} / {a['ssim']:.3f} / {a['distance']:.3f} | "
                      f"{seconds:.1f} s |", flush=True)
                row.append((brush, painting.image))
            rows.append(row)
    if args.figure:
        save_grid(rows, args.figure)
    return 0


def save_grid(rows, path: Path) -> None:
    """A row per photo; a column per brush, its painting, under the brush's name."""
    w, h = rows[0][0][1].size
    grid = Image.new("RGB", (len(rows[0]) * (w + GAP) - GAP, LABEL + len(rows) * (h + GAP)), "white")
    draw, font = ImageDraw.Draw(grid), ImageFont.load_default(size=18)
    for k, (brush, _) in enumerate(rows[0]):
        draw.text((k * (w + GAP) + 2, 3), brush.replace("_", " "), fill="black", font=font)
    for r, row in enumerate(rows):
        for k, (_, painting) in enumerate(row):
            grid.paste(painting.resize((w, h)), (k * (w + GAP), LABEL + r * (h + GAP)))
    grid.save(path, optimize=True)

if __name__ == "__main__":
    raise SystemExit(main())
