"""MyPaint renders the 12-number strokes as a user of the data would expect."""

import ctypes

import numpy as np
import pytest

from painter import mypaint
from painter.stroke import CELL_PX, Stroke
from training.render import BatchRenderer, render


def action(**changes):
    """A firm, mid-sized, gently curved stroke from the left to the right, changed as asked."""
    a = np.array([0.8, 0.5, 0.5, 0.35, 0.8, 0.5, 0.2, 0.4, 0.6, 0.2, 0.5, 0.8], dtype=np.float32)
    layout = {"end_pressure": 0, "size": 1, "start_pressure": 11}
    for key, value in changes.items():
        if key in layout:
            a[layout[key]] = value
        else:
            a[{"control": slice(2, 4), "end": slice(4, 6), "colour": slice(6, 9), "start": slice(9, 11)}[key]] = value
    return a


def test_coverage_is_alpha_in_unit_range():
    alpha = render(action())
    assert alpha.shape == (CELL_PX, CELL_PX) and alpha.dtype == np.float32
    assert 0.0 <= alpha.min() and alpha.max() <= 1.0
    assert alpha.max() > 0.5  # a firm stroke is clearly visible
    assert 0.02 < alpha.mean() < 0.5  # ... and covers part of the cell, not all of it


def test_zero_pressure_paints_nothing():
    assert render(action(start_pressure=0.0, end_pressure=0.0)).max() == 0.0


def test_larger_size_covers_more():
    covered = [(render(action(size=s)) > 0.1).sum() for s in (0.1, 0.4, 0.7, 1.0)]
    assert covered == sorted(covered) and covered[-1] > 3 * covered[0]


@pytest.mark.parametrize("where", ["start", "control", "end"])
def test_mass_lies_along_the_curve(where):
    a = action(start=(0.15, 0.2), control=(0.5, 0.75), end=(0.85, 0.2), size=0.3)
    alpha = render(a)
    x, y = {"start": (0.15, 0.2), "control": (0.5, 0.75), "end": (0.85, 0.2)}[where]
    cx, cy = int(x * CELL_PX), int(y * CELL_PX)
    near = alpha[max(cy - 5, 0):cy + 6, max(cx - 5, 0):cx + 6]
    assert near.max() > 0.3, f"nothing painted near the {where} point"
    # Far from the curve (the middle of the cell top, above the V) stays empty.
    assert alpha[:6, 28:36].max() == 0.0


def test_mass_follows_the_curve_not_the_chord():
    bent = render(action(start=(0.1, 0.2), control=(0.5, 0.8), end=(0.9, 0.2), size=0.3))
    ys, xs = np.nonzero(bent > 0.1)
    middle = np.abs(xs - 32) < 4
    assert ys[middle].mean() / CELL_PX > 0.65  # through the control point, not the straight line at 0.2


def test_colour_does_not_change_alpha():
    np.testing.assert_array_equal(render(action(colour=(0, 0, 0))), render(action(colour=(1.0, 0.9, 0.1))))


def test_same_action_same_alpha():
    np.testing.assert_array_equal(render(action()), render(action()))


def test_another_random_stream_scatters_the_same_stroke_differently():
    with mypaint.Canvas(CELL_PX, CELL_PX) as canvas:
        def drawn(stream):
            canvas.clear()
            canvas.draw(Stroke.from_action(action(size=0.5)), stream=stream)
            return canvas.alpha()
        plain, again, other, third = drawn(0), drawn(0), drawn(1), drawn(2)
    np.testing.assert_array_equal(plain, render(action(size=0.5)))   # stream 0 is the plain render
    np.testing.assert_array_equal(plain, again)
    assert not np.array_equal(plain, other) and not np.array_equal(other, third)
    # Another draw of the scatter, not another stroke: as much paint, in the same place.
    assert abs(other.sum() - plain.sum()) < 0.1 * plain.sum()
    assert ((other > 0.1) & (plain > 0.1)).sum() > 0.6 * (plain > 0.1).sum()


def test_far_random_streams_print_nothing(capfd):
    # An evaluation stroke on which twenty warm-up moves in a row made libmypaint print "Time is
    # running backwards!" into the evaluation's JSON on stdout.
    a = np.array([0.5882387, 0.13170666, 0.6658707, 0.6734992, 0.81724066, 0.6548272, 0.48163614,
                  0.10968126, 0.5505927, 0.5417717, 0.7621611, 0.92445374], dtype=np.float32)
    for stream in (10, 16, 32):
        render(a, first_stream=stream)
    ctypes.CDLL(None).fflush(None)  # C stdio buffers what libmypaint prints
    assert capfd.readouterr().out == ""


def test_mean_over_streams_is_the_average_of_the_draws():
    a = action(size=0.4)
    mean = render(a, streams=3)
    draws = [render(a, first_stream=k) for k in range(3)]
    np.testing.assert_allclose(mean, np.mean(draws, 0), atol=1e-6)
    assert not np.array_equal(mean, draws[0])


def test_the_dry_brush_scatters_every_stroke_with_the_same_table_of_random_numbers():
    # Dab k of any stroke gets the same random offset (in units of pressure x radius) and the same
    # random radius factor: MyPaint's "fixed draw" is one table indexed by dab, not a property
    # of the stroke. Two strokes of other sizes, directions and lengths, at one pressure:
    strokes = [Stroke.from_action(action(size=0.5, start_pressure=0.8, end_pressure=0.8)),
               Stroke.from_action(action(size=0.3, start=(0.1, 0.8), control=(0.6, 0.3), end=(0.9, 0.1),
                                         start_pressure=0.8, end_pressure=0.8))]
    offsets, radius_factors = [], []
    for stroke in strokes:
        scattered, steady = mypaint.record_dabs(stroke), mypaint.record_dabs(stroke, scatter=False)
        assert scattered.shape == steady.shape and len(steady) > 100
        offsets.append((scattered[:, :2] - steady[:, :2]) / stroke.radius)
        radius_factors.append(scattered[:, 2] / steady[:, 2])
    n = min(map(len, offsets))
    assert offsets[0][:n].std() > 0.3 and radius_factors[0].std() > 0.05      # a real scatter ...
    np.testing.assert_allclose(offsets[0][:n], offsets[1][:n], atol=1e-3)     # ... the same table
    np.testing.assert_allclose(radius_factors[0][:n], radius_factors[1][:n], rtol=1e-4)
    # Without the scatter the brush goes the same way whatever the random stream.
    np.testing.assert_allclose(mypaint.record_dabs(strokes[0], stream=1, scatter=False)[:, :3],
                               mypaint.record_dabs(strokes[0], scatter=False)[:, :3], atol=1e-4)
    other_stream, first_stream = mypaint.record_dabs(strokes[0], stream=1), mypaint.record_dabs(strokes[0])
    assert not np.allclose(other_stream[:n, :2], first_stream[:n, :2], atol=0.1)


def test_batch_rendering_across_processes_matches_one_process():
    actions = np.random.default_rng(3).random((40, 12)).astype(np.float32)
    with BatchRenderer(workers=2, chunk=7) as renderer:
        across = renderer(actions)
    with BatchRenderer(workers=1) as renderer:
        here = renderer(actions)
    np.testing.assert_array_equal(across, here)
    assert across.dtype == np.uint8 and across.shape == (40, CELL_PX, CELL_PX)


def test_stroke_scales_with_the_canvas():
    """A stroke rendered 4x larger is the same shape: what lets a painting re-render crisp at any size."""
    stroke = Stroke.from_action(action())
    with mypaint.Canvas(CELL_PX, CELL_PX) as small, mypaint.Canvas(4 * CELL_PX, 4 * CELL_PX) as large:
        small.draw(stroke)
        large.draw(stroke.scaled(4))
        big = large.alpha().reshape(CELL_PX, 4, CELL_PX, 4).mean(axis=(1, 3))
        a, b = small.alpha() > 0.2, big > 0.2
    assert (a & b).sum() / (a | b).sum() > 0.6


def test_a_strokes_scale_makes_mypaint_paint_its_cell_render_larger_dab_for_dab():
    """MyPaint measures speed in px per second and the dry brush thins with speed: drawn 8 times
    larger at the same time step, its dabs come out smaller. With `scale` (the time step and the
    brush's time constants stretched) it paints the stroke of the 64 px cell, scaled, dab for dab."""
    stroke = Stroke.from_action(action())
    cell = mypaint.record_dabs(stroke)
    plain = mypaint.record_dabs(stroke.scaled(8))
    assert np.median(plain[:, 2]) / 8 < 0.95 * np.median(cell[:, 2])
    for scale in (0.5, 3.0, 8.0):
        scaled = mypaint.record_dabs(stroke.scaled(scale), scale=scale)
        assert scaled.shape == cell.shape
        np.testing.assert_allclose(scaled[:, :3] / scale, cell[:, :3], atol=1e-3)
        np.testing.assert_allclose(scaled[:, 3], cell[:, 3], atol=1e-5)
    with mypaint.Canvas(CELL_PX, CELL_PX) as canvas:  # scale 1 is the plain render, which training uses
        canvas.draw(stroke, scale=1.0)
        np.testing.assert_array_equal(canvas.alpha(), render(action()))
    with pytest.raises(ValueError):
        mypaint.record_dabs(stroke, scale=0.0)


def test_canvas_reads_back_every_tile():
    """A canvas that is not a whole number of tiles: strokes near its far corner are read back."""
    with mypaint.Canvas(150, 100) as canvas:
        canvas.draw(Stroke(start=(120, 80), control=(135, 90), end=(145, 95), radius=4,
                            pressure=(0.8, 0.8), colour=(1, 0, 0)))
        rgba = canvas.rgba()
    assert rgba.shape == (100, 150, 4)
    assert rgba[70:, 110:, 3].max() > 0.5 and rgba[:50, :100, 3].max() == 0
    red = rgba[..., 0][rgba[..., 3] > 0.5] / rgba[..., 3][rgba[..., 3] > 0.5]  # premultiplied
    assert red.min() > 0.95


def test_missing_library_says_which_packages_to_install(monkeypatch):
    monkeypatch.setattr(mypaint, "LIBRARY", "libmypaint-does-not-exist.so")
    mypaint.library.cache_clear()
    try:
        with pytest.raises(mypaint.MyPaintMissing, match="libmypaint-1.5-1 and mypaint-brushes"):
            mypaint.library()
    finally:
        mypaint.library.cache_clear()
