"""The working size (the resolution strokes are optimised at) follows the painting and the device."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from painter import Painter, PainterError, render_with_mypaint
from painter.plan import MAX_LEVELS, choose_work_size, device_options, plan_levels
from painter.request import MAX_SIZE, Options

from painter_helpers import brush, photo

ROOT = Path(__file__).resolve().parents[1]


def test_the_cpu_keeps_256_and_a_gpu_grows_with_the_strokes():
    for strokes in (100, 1000, 20_000):
        assert choose_work_size(1024, strokes, "cpu") == 256
    assert choose_work_size(200, 1000, "cpu") == 200  # never above the painting
    gpu = [choose_work_size(2048, n, "cuda") for n in (200, 1000, 5000, 10_000, 20_000)]
    assert gpu == sorted(gpu) and gpu[0] >= 256 and gpu[-1] == MAX_SIZE == 2048
    assert choose_work_size(512, 5000, "cuda") == 512
    assert choose_work_size(2048, 1000, "cpu", requested=1024) == 1024  # a patient CPU user
    assert choose_work_size(600, 1000, "cuda", requested=1024) == 600


def test_device_shapes_the_rounds():
    assert device_options(Options(), "cpu").round_fraction == 0.75  # as measured on 2 cores
    assert device_options(Options(), "cuda").round_fraction == 1.0
    assert device_options(Options(round_fraction=0.25), "cuda").round_fraction == 0.25


@pytest.mark.parametrize("side, strokes", [(1024, 4000), (2048, 10_000), (2048, 20_000), (1500, 8000)])
def test_the_plan_reaches_cells_as_fine_as_the_strokes_ask(side, strokes):
    options = Options()
    levels = plan_levels(side, side, strokes, options)
    finest = side / np.sqrt(options.density * strokes)
    assert levels[-1].cell <= max(6, finest * 1.1)
    assert len(levels) <= MAX_LEVELS and sum(lv.budget for lv in levels) == strokes
    assert levels[0].cell >= 64  # broad strokes still lay in the colours


def test_a_bad_work_size_is_one_sentence():
    painter = Painter(brush=brush(), objective="pixel")
    for bad in (0, 10, 10**6, 2.5, "big"):
        with pytest.raises(PainterError) as error:
            painter.paint(photo(), strokes=10, size=64, work_size=bad)
        assert str(error.value).endswith(".") and "work_size" in str(error.value)


@pytest.fixture(scope="module")
def big_work():
    """A painting optimised at 192 px and painted at 240 px (scale 1.25), and one optimised at its own size."""
    painter = Painter(brush=brush(), objective="pixel")
    scaled = list(painter.paint(photo(240, 180), strokes=150, size=240, work_size=192, iterations=6))[-1].painting
    same = list(painter.paint(photo(240, 180), strokes=150, size=240, work_size=240, iterations=6))[-1].painting
    return scaled, same


def test_a_painting_records_its_working_size(big_work):
    scaled, same = big_work
    assert scaled.work_size == 192 and same.work_size == 240
    assert len(scaled) == len(same) == 150


def test_exports_are_exact_at_any_working_size(big_work, tmp_path):
    pytest.importorskip("painter.mypaint")
    from painter.mypaint import MyPaintMissing

    for painting in big_work:
        path = painting.save_json(tmp_path / "p.json")
        data = json.loads(path.read_text())
        assert (data["width"], data["height"]) == (240, 180)
        xs = [p for s in data["strokes"] for p in (s["start"][0], s["end"][0])]
        assert min(xs) > -60 and max(xs) < 300  # canvas px of the painting, not of the working size
        try:
            again = render_with_mypaint(str(path), 240)
        except MyPaintMissing:
            pytest.skip("libmypaint is not installed")
        canvas = np.asarray(painting.image.convert("RGB"), dtype=float)
        assert np.abs(np.asarray(again.convert("RGB"), dtype=float) - canvas).mean() < 20


def test_gpu_shaped_rounds_run_on_the_cpu():
    """The GPU's rounds (every cell of a level at once) at a tiny size, here."""
    painter = Painter(brush=brush(), objective="pixel")
    frames = list(painter.paint(photo(), strokes=90, size=96, work_size=96, round_fraction=1.0, iterations=6))
    assert frames[-1].strokes_painted == 90 and len(frames[-1].painting) == 90
    assert frames[-1].loss < frames[0].loss


def test_the_gpu_benchmark_runs_tiny_here():
    result = subprocess.run([sys.executable, "benchmarks/gpu.py", "--tiny", "--device", "cpu"], cwd=ROOT,
                            capture_output=True, text=True, timeout=300,
                            env={**os.environ, "NEURAL_PAINTER_OFFLINE": "1"})
    assert result.returncode == 0, result.stderr[-2000:]
    rows = [line for line in result.stdout.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert len(rows) == 2 and all("nan" not in row for row in rows)
    assert "device cpu" in result.stdout and torch.__version__ in result.stdout  # it says what it ran on
