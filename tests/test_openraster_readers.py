"""The OpenRaster export opened by the programs a user opens it with, MyPaint and Krita: each must
show the painting that `mergedimage.png` shows, at the painting's own size.

MyPaint: its own document code (Debian's `mypaint` package), run by the system python in a
subprocess (tests/mypaint_export.py), opening and exporting as its File menu does. Krita: its
command line export, under a virtual X server (`xvfb-run`). Each is skipped where not installed.
The painting is tests/test_openraster.py's, painted by hand: 160 x 120, which neither program
would guess (MyPaint rounds an unframed document out to whole 64 px background tiles).
"""

import io
import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from test_openraster import HEIGHT, WIDTH, make_painting, save

SYSTEM_PYTHON = Path("/usr/bin/python3")  # the python Debian's mypaint package is built for
MYPAINT_LIB = Path("/usr/lib/mypaint/lib/document.py")
MYPAINT_EXPORT = Path(__file__).with_name("mypaint_export.py")
TOLERANCE = 2 / 255  # mean absolute difference, per channel


@pytest.fixture(scope="module")
def ora(tmp_path_factory):
    path = tmp_path_factory.mktemp("readers") / "painting.ora"
    save(make_painting(), path)
    with zipfile.ZipFile(path) as archive:
        merged = Image.open(io.BytesIO(archive.read("mergedimage.png")))
        merged.load()
    assert merged.size == (WIDTH, HEIGHT)
    return path, merged


def pixels(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("RGB"), np.float64) / 255


def assert_shows_the_painting(path: Path, merged: Image.Image, how: str = ""):
    """The flattened file is the painting: the same size exactly, opaque, and the same pixels."""
    with Image.open(path) as image:
        image.load()
    assert image.size == merged.size, how
    if "A" in image.getbands():  # an exported RGBA must not let anything show through
        assert np.asarray(image.getchannel("A")).min() == 255, how
    difference = np.abs(pixels(image) - pixels(merged))
    assert difference.mean() <= TOLERANCE, \
        f"mean {difference.mean() * 255:.2f}/255, max {difference.max() * 255:.0f}/255 {how}"


def test_mypaint_opens_it_as_written(ora, tmp_path):
    if not (SYSTEM_PYTHON.exists() and MYPAINT_LIB.exists()):
        pytest.skip("MyPaint's document code (Debian's mypaint package) is not installed")
    source, merged = ora
    out = tmp_path / "mypaint.png"
    # MyPaint keeps a cache folder per open document under the user's cache; keep it in tmp_path.
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    result = subprocess.run([str(SYSTEM_PYTHON), str(MYPAINT_EXPORT), str(source), str(out)],
                            capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    # How MyPaint read the file (the eotf it blended at, whether it framed the painting): the why
    # of a failure. What is asserted is what the user sees.
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert_shows_the_painting(out, merged, f"MyPaint: {report}")


def test_krita_opens_it_as_written(ora, tmp_path):
    if not (shutil.which("krita") and shutil.which("xvfb-run")):
        pytest.skip("Krita or xvfb-run (Debian's krita and xvfb packages) is not installed")
    source, merged = ora
    out = tmp_path / "krita.png"
    # Krita writes its settings and caches under the user's folders; keep them in tmp_path. Its
    # start takes most of the test's time (some 18 s on 2 cores), so it runs once.
    env = {**os.environ, **{name: str(tmp_path / name) for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME")}}
    result = subprocess.run(["xvfb-run", "-a", "krita", "--export", "--export-filename", str(out), str(source)],
                            capture_output=True, text=True, env=env, timeout=180)
    assert out.exists(), (result.returncode, result.stdout[-2000:], result.stderr[-2000:])
    assert_shows_the_painting(out, merged)
