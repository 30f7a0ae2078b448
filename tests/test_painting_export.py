"""Exports open and agree with the canvas: PNG, strokes JSON (v1), timelapse, MyPaint re-render (SVG:
test_svg.py)."""

import json
import os

import numpy as np
import pytest
from PIL import Image

from painter import Painter, Painting, PainterError, render_with_mypaint
from painter.painting import PaintingFileError

from painter_helpers import brush, photo


@pytest.fixture(scope="module")
def painting():
    frames = list(Painter(brush=brush(), objective="pixel").paint(photo(120, 80), strokes=120, size=96,
                                                                      iterations=8))
    return frames[-1].painting


def correlation(a, b):
    """Pearson correlation of two images' luminance (b resized to a's size)."""
    x = np.asarray(a.convert("L"), np.float64).ravel()
    y = np.asarray(b.convert("L").resize(a.size), np.float64).ravel()
    return float(np.corrcoef(x, y)[0, 1])


def test_png_at_the_requested_size(painting, tmp_path):
    path = painting.save_png(tmp_path / "p.png")
    image = Image.open(path)
    assert image.size == (96, 64) and image.mode == "RGB"
    np.testing.assert_array_equal(np.asarray(image), np.asarray(painting.image))


def test_json_schema_and_round_trip(painting, tmp_path):
    path = tmp_path / "p.json"
    painting.save_json(path)
    data = json.loads(path.read_text())
    assert data["format"] == "neural-painter-strokes" and data["version"] == 1
    assert (data["width"], data["height"]) == (96, 64) and len(data["background"]) == 3
    assert [s["order"] for s in data["strokes"]] == list(range(len(painting.strokes)))
    assert set(data["strokes"][0]) == {"order", "start", "control", "end", "radius", "pressure", "colour", "level"}
    assert [s["level"] for s in data["strokes"]] == painting.levels and data["level_cells"] == painting.level_cells
    again = Painting.load_json(path)
    assert (again.width, again.height) == (96, 64)
    assert len(again.strokes) == len(painting.strokes)
    for a, b in zip(again.strokes, painting.strokes):
        np.testing.assert_allclose(a.start, b.start, atol=1e-3)
        np.testing.assert_allclose(a.colour, b.colour, atol=1e-3)


@pytest.mark.parametrize("content,message", [
    ("not json", "not JSON"), ('{"format": "other"}', "not a Neural Painter"),
    ('{"format": "neural-painter-strokes", "version": 99}', "version"),
    ('{"format": "neural-painter-strokes", "version": 1, "width": 10}', "damaged")])
def test_bad_strokes_files_are_one_sentence(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(PaintingFileError, match=message) as error:
        Painting.load_json(path)
    assert isinstance(error.value, PainterError) and "\n" not in str(error.value)


@pytest.mark.parametrize("ext", [".gif", ".mp4"])
def test_timelapse_opens_and_is_short(painting, tmp_path, ext):
    import imageio.v3 as iio
    path = painting.save_timelapse(tmp_path / f"p{ext}")
    frames = iio.imread(path, index=None)
    assert 5 <= len(frames) <= 200
    assert os.path.getsize(path) < 5_000_000
    # The last frame is the finished painting.
    last = Image.fromarray(frames[-1][..., :3]).resize(painting.image.size)
    assert correlation(last, painting.image) > 0.9
    # The first frame is the bare ground: painting happens in between.
    assert np.asarray(frames[0]).std() < np.asarray(frames[-1]).std()


def test_timelapse_extension_checked(painting, tmp_path):
    with pytest.raises(PainterError):
        painting.save_timelapse(tmp_path / "p.avi")


def test_mypaint_rerender_resembles_the_painting_at_any_size(painting, tmp_path):
    pytest.importorskip("painter.mypaint")
    from painter.mypaint import MyPaintMissing
    path = painting.save_json(tmp_path / "p.json")
    try:
        big = render_with_mypaint(str(path), 384)
    except MyPaintMissing:
        pytest.skip("libmypaint is not installed")
    assert big.size == (384, 256)
    assert correlation(big.resize(painting.image.size, Image.LANCZOS), painting.image) > 0.6
    small = render_with_mypaint(painting, 48)
    assert small.size == (48, 32)
