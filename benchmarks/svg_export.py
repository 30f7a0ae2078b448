"""The SVG export as three renderers nobody here wrote paint it, against the PNG the painter made.

For each dev photo a painting (pixel objective, seed 0) is saved as PNG and SVG; the SVG is rendered
at the painting's size by librsvg (`rsvg-convert`), resvg (`resvg-py`) and Debian's Chromium
(headless, Playwright); each image is scored against the photo by the judge (benchmarks/judge.py:
PSNR, SSIM, and the distance of an EfficientNet the painter never loads), and the renders are
compared with each other and with the PNG (mean absolute difference, /255).

    python benchmarks/svg_export.py [--strokes 500] [--size 384] [--photos astronaut chelsea coffee]
                                    [--figure docs/exports.png]

Also scored: MyPaint's re-render of the strokes at the painting's size (`render_with_mypaint`).
`--figure` saves the first photo's PNG, librsvg's render of its SVG and the MyPaint re-render side
by side (the picture in docs/EXPORTS.md).

Measured on the Intel Xeon (2 cores), torch 2.14.1, 500 strokes at 384 px: see the table in
docs/EXPORTS.md, "Side by side". Before this SVG (round-capped tubes of a width and opacity read
off straight strokes), librsvg's render of astronaut scored 16.19 dB / distance 1.22 against the
PNG's 21.10 dB / 0.85.
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import painter  # noqa: E402

painter.setup()  # first, before torch loads (painter/process.py)

from benchmarks import judge  # noqa: E402
from benchmarks.common import hardware, photo_path  # noqa: E402


def render_librsvg(path: Path) -> Image.Image:
    return Image.open(io.BytesIO(subprocess.run(["rsvg-convert", str(path)], capture_output=True,
                                                check=True).stdout)).convert("RGB")


def render_resvg(path: Path) -> Image.Image:
    import resvg_py

    return Image.open(io.BytesIO(bytes(resvg_py.svg_to_bytes(svg_path=str(path))))).convert("RGB")


def render_chromium(path: Path) -> Image.Image:
    """The SVG inline in a page of Debian's Chromium (headless, Playwright), screenshot at its size."""
    import xml.etree.ElementTree as ET

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from painter_helpers import chromium_page  # the one way the project opens Chromium

    root = ET.parse(path).getroot()
    width, height = int(root.get("width")), int(root.get("height"))
    with chromium_page(width, height) as page:
        page.set_content(f'<html><body style="margin:0">{Path(path).read_text()}</body></html>')
        shot = page.screenshot(clip={"x": 0, "y": 0, "width": width, "height": height})
    return Image.open(io.BytesIO(shot)).convert("RGB")


RENDERERS = {"librsvg": render_librsvg, "resvg": render_resvg, "chromium": render_chromium}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strokes", type=int, default=500)
    parser.add_argument("--size", type=int, default=384)
    parser.add_argument("--photos", nargs="+", default=["astronaut", "chelsea", "coffee"])
    parser.add_argument("--figure", type=Path, help="save the first photo's PNG | librsvg | MyPaint strip here")
    args = parser.parse_args(argv)
    from painter import Painter, render_with_mypaint

    print(f"# SVG export, {args.strokes} strokes at {args.size} px, pixel objective, seed 0")
    print(f"# hardware: {hardware()}")
    print("| photo | image | PSNR | SSIM | judge's distance | vs PNG (/255) | render time |")
    print("|---|---|---|---|---|---|---|")
    painter = Painter(objective="pixel")
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        for name in args.photos:
            photo = Image.open(photo_path(name, folder))
            painting = None
            for frame in painter.paint(photo, strokes=args.strokes, size=args.size, seed=0):
                painting = frame.painting or painting
            svg = painting.save_svg(folder / f"{name}.svg")
            png = painting.image
            base = judge.scores(png, photo)
            print(f"| {name} | PNG | {base['psnr']:.2f} | {base['ssim']:.3f} | {base['distance']:.3f} | | |", flush=True)
            images = {}
            for renderer, render in {**RENDERERS, "MyPaint re-render": lambda _: render_with_mypaint(painting)}.items():
                started = time.perf_counter()
                image = images[renderer] = render(svg)
                seconds = time.perf_counter() - started
                s = judge.scores(image, photo)
                off = np.abs(np.asarray(image, np.float64) - np.asarray(png, np.float64)).mean()
                what = renderer if renderer.startswith("MyPaint") else f"SVG, {renderer}"
                print(f"| {name} | {what} | {s['psnr']:.2f} ({s['psnr'] - base['psnr']:+.2f}) | {s['ssim']:.3f} | "
                      f"{s['distance']:.3f} ({100 * (s['distance'] / base['distance'] - 1):+.0f} %) | {off:.1f} | "
                      f"{seconds:.2f} s |", flush=True)
            if args.figure and name == args.photos[0]:
                strip = [png, images["librsvg"], images["MyPaint re-render"]]
                figure = Image.new("RGB", (sum(im.width for im in strip) + 8 * (len(strip) - 1), png.height), "white")
                for k, im in enumerate(strip):
                    figure.paste(im, (k * (png.width + 8), 0))
                figure.save(args.figure, optimize=True)
            print(f"| {name} | SVG file | {svg.stat().st_size / 1024:.0f} KB, {len(painting.strokes)} strokes | | | | |",
                  flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
