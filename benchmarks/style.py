"""Style: how far a style image pulls the painting toward its statistics, and what likeness it costs.

    nice python benchmarks/style.py                          # 256 px, 500 strokes, three photos
    nice python benchmarks/style.py --style-weight 1 --strengths 1 2

For each photo (skimage's astronaut, chelsea, coffee), each with one of examples/styles/, paints:
no style; then each style strength asked for, with and without colour transfer. It reports
- the Gram distance to the style on the painter's own style network (its trained VGG, relu1_2,
  relu2_2, relu3_3; each layer's squared Gram error divided by the style Gram's squared norm), and
  its drop against no style;
- the same distance on the style judge's layers (benchmarks/common.py: VGG19 at Gatys et al.'s five
  layers, none of them a layer of the style loss; no other trained network can be installed here),
  and its drop;
- the likeness loss: the painter's likeness objective against the photo as it is painted (with
  colour transfer, its colours moved onto the style's, on purpose), as a ratio to no style's;
- the structure kept, whatever the colours: SSIM of the grey levels against the photo's;
- wall and CPU seconds of each painting.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("NEURAL_PAINTER_OFFLINE", "1")

import painter  # noqa: E402

painter.setup()  # first, before torch loads (painter/process.py)

PAIRS = (("astronaut", "night_swirls"), ("chelsea", "garden_dabs"), ("coffee", "great_wave"))


def tensor(image):
    import numpy as np
    import torch

    return torch.from_numpy(np.asarray(image.convert("RGB"), np.float32) / 255).permute(2, 0, 1)[None]


def grey_ssim(painting, photo) -> float:
    """SSIM of the grey levels (skimage's defaults): the photo's structure kept, colours aside."""
    import numpy as np
    from skimage.metrics import structural_similarity

    def grey(image):
        return np.asarray(image.convert("L"), np.float64) / 255

    return float(structural_similarity(grey(painting), grey(photo), data_range=1.0))


def main():
    import torch
    from PIL import Image
    from skimage import data

    from benchmarks.common import hardware, style_distance
    from painter import Painter
    from painter.photo import fit_long_side
    from painter.request import Options
    from painter.style import StyleLoss, colour_transfer

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--strokes", type=int, default=500)
    parser.add_argument("--strengths", type=float, nargs="+", default=[1.0])
    parser.add_argument("--style-weight", type=float, default=Options.style_weight,
                        help=f"the style loss's weight at strength 1 (default: the painter's, {Options.style_weight})")
    parser.add_argument("--out", default=None, help="folder for the paintings (default: a temporary one)")
    args = parser.parse_args()
    print(f"hardware: {hardware()}; load average {os.getloadavg()[0]:.2f} at start", flush=True)
    painter = Painter()
    network = painter.style_network
    print(f"likeness objective: {painter.objective.description}\nstyle network: {network.arch} "
          f"{'(ImageNet-trained)' if network.source else '(untrained, seed 0)'}; style weight {args.style_weight}",
          flush=True)
    out = Path(args.out or __import__("tempfile").mkdtemp(prefix="style-"))
    out.mkdir(parents=True, exist_ok=True)
    print(f"{args.size} px, {args.strokes} strokes, paintings in {out}\n")
    print("| photo | style | run | Gram distance | vs none | judge's Gram | vs none | likeness loss | vs none "
          "| grey SSIM | wall s | CPU s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    runs = [("none", {})] + [(f"style {s:g}{' + colour transfer' if ct else ''}",
                              dict(style_strength=s, colour_transfer=ct)) for s in args.strengths for ct in (True, False)]
    for photo_name, style_name in PAIRS:
        photo = Image.fromarray(getattr(data, photo_name)())
        style = Image.open(ROOT / "examples" / "styles" / f"{style_name}.jpg").convert("RGB")
        photo_at_size = fit_long_side(photo, args.size)
        target = tensor(photo_at_size)
        loss = StyleLoss(network, tensor(style), target.shape[-2:], side=Options.style_side)
        likeness = painter.objective.prepare(target)
        moved = painter.objective.prepare(colour_transfer(target, tensor(style)))
        plain = None
        for label, settings in runs:
            wall, cpu = time.perf_counter(), time.process_time()
            kw = dict(settings, style=style, style_weight=args.style_weight) if settings else {}
            final = list(painter.paint(photo, strokes=args.strokes, size=args.size, seed=0, **kw))[-1]
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            image = final.painting.image
            image.save(out / f"{photo_name}_{label.replace(' ', '_').replace('+', 'and')}.png")
            with torch.no_grad():
                aimed_at = moved if settings.get("colour_transfer") else likeness
                row = (float(loss(tensor(image))), style_distance(image, style), float(aimed_at(tensor(image))))
            plain = plain or row
            print(f"| {photo_name} | {style_name} | {label} | {row[0]:.4f} | {100 * (row[0] / plain[0] - 1):+.0f} % | "
                  f"{row[1]:.4f} | {100 * (row[1] / plain[1] - 1):+.0f} % | {row[2]:.4f} | {row[2] / plain[2]:.2f} | "
                  f"{grey_ssim(image, photo_at_size):.3f} | {wall:.1f} | {cpu:.1f} |", flush=True)
    print(f"\nload average {os.getloadavg()[0]:.2f} at end")


if __name__ == "__main__":
    main()
