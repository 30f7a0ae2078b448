"""Is the painting shown the painting MyPaint paints, and can the brushes be told apart?

    python benchmarks/brush_truth.py [--photos astronaut chelsea coffee] [--brushes dry_brush charcoal ...]
                                     [--strokes 1000] [--size 512] [--canvas neural|mypaint] [--json FILE]

For every photo and shipped brush, the CLI paints the photo as a user runs it (`python -m painter
paint PHOTO -o PNG --json STROKES --brush NAME --canvas C`, the CLI's defaults otherwise), then `python -m
painter render STROKES -o RENDER --size N` re-renders the strokes with MyPaint at the painting's
size. Printed per photo and brush, each by the judge (benchmarks/judge.py, an ImageNet
EfficientNet-Lite2 the painter never loads; on PEERS.md's 256 px squares, lower is closer) with
PSNR and SSIM:

- the painting shown against the photo, and MyPaint's render against the photo;
- MyPaint's render against the painting shown, at the painting's size (the same picture: PSNR
  high, distance near 0);

then, per photo, the judge's distance between every two brushes' paintings and between their
MyPaint renders (brushes that can be told apart stand far apart).
"""

import argparse
import itertools
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import painter  # noqa: E402

painter.setup()  # first, before torch loads (painter/process.py)

from benchmarks.common import ROOT, hardware, paint_with_cli, perceptual_distance, photo_path, score  # noqa: E402

PHOTOS = ("astronaut", "chelsea", "coffee")


def render(strokes: Path, out: Path, size: int) -> None:
    """`python -m painter render` as a user runs it."""
    subprocess.run([sys.executable, "-m", "painter", "render", str(strokes), "-o", str(out), "--size", str(size)],
                   check=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def measure(photo_name: str, brush: str, folder: Path, strokes: int, size: int, canvas: str) -> dict:
    from PIL import Image

    from benchmarks import judge

    photo = photo_path(photo_name, folder)
    stem = f"{photo_name}-{brush}".replace("/", "_")  # a brush may be a checkpoint folder or a Hub repo id
    shown_path, strokes_path, render_path = (folder / f"{stem}{suffix}"
                                             for suffix in (".png", ".json", "-mypaint.png"))
    seconds = paint_with_cli(photo, shown_path, "--json", str(strokes_path), "--brush", brush,
                             "--strokes", str(strokes), "--size", str(size), "--canvas", canvas)
    render(strokes_path, render_path, size)
    photo_image, shown, rendered = (Image.open(p).convert("RGB") for p in (photo, shown_path, render_path))
    agreement = judge.scores(rendered, shown)
    row = {"photo": photo_name, "brush": brush, "seconds": round(seconds, 1),
           "render_vs_shown_psnr": round(agreement["psnr"], 2), "render_vs_shown_distance": round(agreement["distance"], 4)}
    for what, image in (("shown", shown), ("render", rendered)):
        psnr, ssim = score(image, photo_image)
        row.update({f"{what}_psnr": round(psnr, 2), f"{what}_ssim": round(ssim, 3),
                    f"{what}_distance": round(perceptual_distance(image, photo_image), 4)})
    row["files"] = {"shown": str(shown_path), "render": str(render_path)}
    return row


def apart(rows: list[dict], what: str) -> dict[str, float]:
    """The judge's distance between every two brushes' pictures (`what`: shown or render) of one photo."""
    from PIL import Image

    from benchmarks.common import square_256
    from benchmarks import judge

    pictures = {r["brush"]: square_256(Image.open(r["files"][what])) for r in rows}
    return {f"{a}/{b}": round(judge.distance(pictures[a], pictures[b]), 4)
            for a, b in itertools.combinations(pictures, 2)}


def main(argv=None) -> int:
    from painter.brush import shipped_brushes
    from painter.choices import CANVASES

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", nargs="+", default=list(PHOTOS))
    parser.add_argument("--brushes", nargs="+", default=[b.name for b in shipped_brushes()])
    parser.add_argument("--strokes", type=int, default=1000)
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--canvas", default=CANVASES[0], choices=CANVASES,
                        help="what paints each finished round (the CLI's --canvas)")
    parser.add_argument("--json", help="also write every figure to this file")
    args = parser.parse_args(argv)
    print(f"hardware: {hardware()}; {args.strokes} strokes, {args.size} px, canvas {args.canvas}", flush=True)
    print("\n| photo | brush | time | shown vs photo: distance / PSNR / SSIM | MyPaint's render vs photo: distance / "
          "PSNR / SSIM | render vs shown: PSNR / distance |\n|---|---|---|---|---|---|")
    report = {"hardware": hardware(), "strokes": args.strokes, "size": args.size, "canvas": args.canvas,
              "rows": [], "apart": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for photo_name in args.photos:
            rows = []
            for brush in args.brushes:
                r = measure(photo_name, brush, Path(tmp), args.strokes, args.size, args.canvas)
                rows.append(r)
                print(f"| {photo_name} | {brush} | {r['seconds']:.1f} s | {r['shown_distance']:.3f} / "
                      f"{r['shown_psnr']:.2f} / {r['shown_ssim']:.3f} | {r['render_distance']:.3f} / "
                      f"{r['render_psnr']:.2f} / {r['render_ssim']:.3f} | {r['render_vs_shown_psnr']:.2f} dB / "
                      f"{r['render_vs_shown_distance']:.3f} |", flush=True)
            report["rows"] += [{k: v for k, v in r.items() if k != "files"} for r in rows]
            if len(rows) > 1:
                report["apart"][photo_name] = {what: apart(rows, what) for what in ("shown", "render")}
        for photo_name, pairs in report["apart"].items():
            print(f"\n{photo_name}, the judge's distance between two brushes' pictures:\n\n| brushes | paintings shown | "
                  f"MyPaint's renders |\n|---|---|---|")
            for pair, shown in pairs["shown"].items():
                print(f"| {pair} | {shown:.3f} | {pairs['render'][pair]:.3f} |")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
