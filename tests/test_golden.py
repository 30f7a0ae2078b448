"""Golden runs: the CLI's painting and strokes file, hashed, for settings that exercise every path
(the objective named, so that a machine with VGG16's weights in its cache runs the same).

A change meant to keep behaviour keeps these bit for bit. A change that must alter them (a new
objective, another random stream) updates GOLDEN in a commit of its own that says why, with the
likeness figures on the three dev photos before and after.

    python tests/test_golden.py      # prints the hashes of the code as it is now
"""

import hashlib
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from painter.__main__ import main

import painter_helpers  # noqa: F401  (offline: never a download)

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"

# name -> CLI arguments after the photo (the photo: astronaut unless the name says otherwise)
RUNS = {
    "defaults_square_96": ["--strokes", "120", "--size", "96", "--objective", "vgg19"],
    "time_limit_wide_128": ["--strokes", "150", "--size", "128", "--time-limit", "900", "--photo", "chelsea.jpg",
                            "--objective", "vgg19"],
    "style_tall_80": ["--strokes", "80", "--size", "80", "--style", str(EXAMPLES / "styles" / "great_wave.jpg"),
                      "--photo", "tall", "--objective", "vgg19"],
    "detail_mask_square_96": ["--strokes", "120", "--size", "96", "--detail-mask", "face", "--objective", "pixel"],
    "controls_wide_112": ["--strokes", "100", "--size", "112", "--brush-size", "1", "4", "--pressure", "0.3", "0.9",
                          "--stroke-length", "4", "20", "--palette", "8", "--background", "#f0e8d8",
                          "--photo", "chelsea.jpg", "--objective", "vgg19"],
}

GOLDEN = {
    "defaults_square_96": ("ce8e66239bc4cf3a", "0013292c52e74b1e"),
    "time_limit_wide_128": ("1dbeb021fe1e3b44", "665293460b41f0c2"),
    "style_tall_80": ("e23a1104b8a3d948", "04a04bc8013efd11"),
    "detail_mask_square_96": ("2e4616ec217ccd66", "65d650c1e9a4f1d6"),
    "controls_wide_112": ("61b66eebf766dae8", "9db9040fab5c4546"),
}


def _inputs(folder: Path, args: list[str]) -> list[str]:
    """The run's arguments with its photo and mask made concrete (files in `folder`)."""
    args = list(args)
    photo = EXAMPLES / "astronaut.jpg"
    if "--photo" in args:
        k = args.index("--photo")
        name = args[k + 1]
        del args[k:k + 2]
        if name == "tall":  # coffee, cropped to a portrait
            photo = folder / "tall.png"
            Image.open(EXAMPLES / "coffee.jpg").convert("RGB").crop((150, 0, 380, 341)).save(photo)
        else:
            photo = EXAMPLES / name
    if "--detail-mask" in args:
        k = args.index("--detail-mask")
        mask = folder / "face.png"
        y, x = np.mgrid[0:512, 0:512]
        Image.fromarray((((x - 250) ** 2 + (y - 130) ** 2 < 80 ** 2) * 255).astype(np.uint8)).save(mask)
        args[k + 1] = str(mask)
    return [str(photo), *args]


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def run(name: str, folder: Path) -> tuple[str, str]:
    """(hash of the painting's pixels, hash of the strokes file) of one golden run."""
    folder.mkdir(parents=True, exist_ok=True)
    png, strokes = folder / f"{name}.png", folder / f"{name}.json"
    code = main(["paint", *_inputs(folder, RUNS[name]), "-o", str(png), "--json", str(strokes), "--quiet"])
    assert code == 0
    pixels = np.asarray(Image.open(png).convert("RGB"))
    return _digest(str(pixels.shape).encode() + pixels.tobytes()), _digest(strokes.read_bytes())


@pytest.mark.parametrize("name", sorted(RUNS))
def test_golden_run_is_bit_for_bit(name, tmp_path):
    assert run(name, tmp_path) == GOLDEN[name]


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        for name in RUNS:
            print(f"    {name!r}: {run(name, Path(folder) / name)!r},", file=sys.stdout, flush=True)
