"""python -m training data|train|eval|svg|push: make stroke data, train, evaluate, fit the SVG outline to, and publish the brush."""

from __future__ import annotations

import argparse
import importlib
import sys

import painter
from painter.mypaint import MyPaintMissing

COMMANDS = {
    "data": ("training.data", "render MyPaint strokes into .npz shards"),
    "train": ("training.train", "train the brush: generator, critic, then both as a GAN"),
    "eval": ("training.evaluate", "measure the brush against fresh MyPaint strokes (prints JSON)"),
    "svg": ("training.svg_fit", "fit the SVG export's stroke outline to the brush (writes svg.json)"),
    "push": ("training.push", "publish a trained brush on the Hugging Face Hub with its model card"),
}


def main(argv=None) -> int:
    painter.setup()  # as the painter's CLI, before torch loads (painter/process.py)
    parser = argparse.ArgumentParser(prog="python -m training", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    for name, (module, help_text) in COMMANDS.items():
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(module=module)
        importlib.import_module(module).add_arguments(sub)
    args = parser.parse_args(argv)
    module = importlib.import_module(args.module)
    try:
        module.run(args)
    except (MyPaintMissing, ValueError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; run the same command again to resume", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
