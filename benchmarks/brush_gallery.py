"""Every dev photo painted with every shipped brush: the painting, MyPaint's re-render, the judge's scores.

    python benchmarks/brush_gallery.py [--strokes 500] [--size 384] [--photos astronaut chelsea coffee]
                                       [--brushes dry_brush charcoal ...] [--figure docs/brushes.jpg]

Each painting: pixel objective (`auto` on a CPU), seed 0, the same settings for every brush. Scored
by the judge (benchmarks/judge.py: PSNR, SSIM, and the distance of an EfficientNet the painter never
loads) against the photo: the neural painting (PNG) and MyPaint's re-render of its strokes with the
brush it imitates, at the painting's size. `--figure` saves a grid: a row per photo, for each brush
the painting and its MyPaint re-render side by side (the README's picture).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

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
    parser.add_argument("--figure", type=Path, help="save the grid of paintings and re-renders here")
    args = parser.parse_args(argv)

    print(f"# every brush, {args.strokes} strokes at {args.size} px, pixel objective, seed 0")
    print(f"# hardware: {hardware()}")
    print("| photo | brush | painting: PSNR / SSIM / judge's distance | MyPaint re-render: PSNR / SSIM / distance "
          "| painting time |")
    print("|---|---|---|---|---|")
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
                rerender = render_with_mypaint(painting)
                a, b = judge.scores(painting.image, photo), judge.scores(rerender, photo)
                print(f"| {name} | {brush} | {a['psnr']:.2f} / {a['ssim']:.3f} / {a['distance']:.3f} | "
                      f"{b['psnr']:.2f} / {b['ssim']:.3f} / {b['distance']:.3f} | {seconds:.1f} s |", flush=True)
                row.append((brush, painting.image, rerender))
            rows.append(row)
    if args.figure:
        save_grid(rows, args.figure)
    return 0


def save_grid(rows, path: Path) -> None:
    """A row per photo; per brush, its painting and MyPaint's re-render, under the brush's name."""
    w, h = rows[0][0][1].size
    cell = 2 * w + GAP
    grid = Image.new("RGB", (len(rows[0]) * cell + (len(rows[0]) - 1) * 3 * GAP, LABEL + len(rows) * (h + GAP)), "white")
    draw, font = ImageDraw.Draw(grid), ImageFont.load_default(size=18)
    for k, (brush, _, _) in enumerate(rows[0]):
        draw.text((k * (cell + 3 * GAP) + 2, 3), f"{brush}: neural brush | MyPaint re-render", fill="black", font=font)
    for r, row in enumerate(rows):
        for k, (_, painting, rerender) in enumerate(row):
            x, y = k * (cell + 3 * GAP), LABEL + r * (h + GAP)
            grid.paste(painting.resize((w, h)), (x, y))
            grid.paste(rerender.resize((w, h)), (x + w + GAP, y))
    grid.save(path, optimize=True)


if __name__ == "__main__":
    raise SystemExit(main())
