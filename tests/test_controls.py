"""Stroke controls: brush size, pressure, stroke length, palette and background, each honoured exactly
in the strokes a user exports; bad values are refused in one sentence before any work."""

import json
import math

import numpy as np
import pytest

from painter import Painter, PainterError
from painter.painting import Painting
from painter.photo import fit_long_side, load_photo

from painter_helpers import brush, photo


@pytest.fixture(scope="module")
def painter():
    return Painter(brush=brush(), objective="pixel")


def run(painter, **kw):
    kw.setdefault("strokes", 40)
    kw.setdefault("size", 64)
    kw.setdefault("iterations", 6)
    return list(painter.paint(photo(), **kw))[-1]


@pytest.fixture(scope="module")
def plain(painter):
    return run(painter).painting


def error(canvas):
    """Mean absolute error of a 64 px painting against the photo."""
    target = np.asarray(fit_long_side(load_photo(photo()), 64), np.float64)
    return np.abs(canvas.astype(np.float64) - target).mean()


def exported(painting, tmp_path):
    """The strokes as a user reads them back from the JSON file."""
    path = tmp_path / "strokes.json"
    painting.save_json(path)
    return Painting.load_json(path).strokes


def test_brush_size_honoured(painter, plain, tmp_path):
    low, high = 1.5, 2.5
    radii = [s.radius for s in plain.strokes]
    assert min(radii) < low or max(radii) > high  # the plain painting strays: the check can fail
    painting = run(painter, brush_size=(low, high)).painting
    assert len(painting.strokes) == 40
    for strokes in (painting.strokes, exported(painting, tmp_path)):
        assert all(low <= s.radius <= high for s in strokes)


def test_pressure_honoured(painter, plain, tmp_path):
    low, high = 0.2, 0.45
    assert max(p for s in plain.strokes for p in s.pressure) > high * 0.8
    painting = run(painter, pressure=(low, high)).painting
    for strokes in (painting.strokes, exported(painting, tmp_path)):
        assert all(low * 0.8 <= p <= high * 0.8 for s in strokes for p in s.pressure)


def test_stroke_length_honoured(painter, plain, tmp_path):
    low, high = 6.0, 10.0
    chords = [math.dist(s.start, s.end) for s in plain.strokes]
    assert min(chords) < low or max(chords) > high
    painting = run(painter, stroke_length=(low, high)).painting
    for strokes in (painting.strokes, exported(painting, tmp_path)):
        assert all(low <= math.dist(s.start, s.end) <= high for s in strokes)


def test_palette_limits_the_colours(painter, plain, tmp_path):
    assert len({s.colour for s in plain.strokes}) > 10
    painting = run(painter, palette=4).painting
    for strokes in (painting.strokes, exported(painting, tmp_path)):
        assert len({tuple(s.colour) for s in strokes}) <= 4
    # The colours come from the photo (the dark disc gets dark paint), and four paint it closer than one.
    assert np.array([s.colour for s in painting.strokes]).sum(1).min() < 0.8
    one = run(painter, palette=1)
    four = run(painter, palette=4)
    assert error(four.canvas) < error(one.canvas)


@pytest.mark.parametrize("background, rgb", [("#102030", (16, 32, 48)), ((0.2, 0.6, 1.0), (51, 153, 255)),
                                             ("white", (255, 255, 255))])
def test_background_where_nothing_is_painted(painter, background, rgb):
    final = run(painter, strokes=2, background=background)
    pixels = final.canvas.reshape(-1, 3)
    colours, counts = np.unique(pixels, axis=0, return_counts=True)
    assert tuple(colours[counts.argmax()]) == rgb  # most of the canvas is the bare ground
    assert np.allclose(np.array(final.painting.background) * 255, rgb, atol=0.5)


def test_all_controls_at_once(painter, tmp_path):
    painting = run(painter, brush_size=(1.0, 2.0), pressure=(0.5, 0.9), stroke_length=(8, 16), palette=3).painting
    strokes = exported(painting, tmp_path)
    assert len(strokes) == 40 and len({tuple(s.colour) for s in strokes}) <= 3
    assert all(1.0 <= s.radius <= 2.0 and 8 <= math.dist(s.start, s.end) <= 16 for s in strokes)
    assert all(0.4 <= p <= 0.72 for s in strokes for p in s.pressure)
    data = json.loads((tmp_path / "strokes.json").read_text())
    assert len(data["strokes"]) == 40


@pytest.mark.parametrize("settings", [
    dict(brush_size=(3, 1)), dict(brush_size=(0, 2)), dict(brush_size=("a", 2)), dict(brush_size=(1, 2, 3)),
    dict(brush_size=(200, 300)), dict(brush_size=(0.01, 0.02)), dict(pressure=(-0.1, 0.5)),
    dict(pressure=(0.5, 1.2)), dict(pressure=(0, 0)), dict(stroke_length=(-1, 5)), dict(stroke_length=(10, 5)),
    dict(stroke_length=(500, 600)), dict(palette=0), dict(palette=65), dict(palette=2.5), dict(palette="many"),
    dict(background="purple"), dict(background=(1.2, 0, 0)), dict(background="#12345"),
    dict(brush_size=(0.5, 0.6), stroke_length=(100, 120))])
def test_bad_controls_are_refused_in_one_sentence(painter, settings):
    with pytest.raises(PainterError) as error:
        painter.paint(photo(), strokes=10, size=64, **settings)
    message = str(error.value)
    assert "\n" not in message and message.endswith(".")
