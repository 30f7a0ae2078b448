"""Shared helpers for the painter's tests: a small brush, a small photo and Chromium, no network."""

import contextlib
import os
import shutil

os.environ.setdefault("NEURAL_PAINTER_OFFLINE", "1")  # never try to download VGG16 in tests

import functools
import json
from pathlib import Path

import numpy as np
import torch

from painter.brush import Brush
from painter.brush import DEFAULT_CHECKPOINT, BrushConfig, BrushInfo


@functools.cache
def brush() -> Brush:
    """The shipped brush where there is one (its quality matters), else a fixed random one (plumbing)."""
    if os.path.isfile(os.path.join(DEFAULT_CHECKPOINT, "config.json")):
        return Brush.load()
    with torch.random.fork_rng():
        torch.manual_seed(0)
        return Brush().freeze()


def imitating_brush(folder, mypaint=None) -> BrushInfo:
    """A brush folder laid out as a shipped one (checkpoints/brushes/NAME): the dry brush's weights and
    model card (linked), its config.json and SVG outline fit saying it imitates the MyPaint brush
    `mypaint` (None: as the dry brush's say nothing, the dry brush). For tests that need more brushes
    than are shipped: MyPaint re-renders its strokes with `mypaint` for real."""
    folder, shipped = Path(folder), Path(DEFAULT_CHECKPOINT)
    folder.mkdir(parents=True)
    for name in ("model.safetensors", "README.md"):
        (folder / name).symlink_to(shipped / name)
    for name in ("config.json", "svg.json"):
        data = json.loads((shipped / name).read_text())
        key = "mypaint" if name == "config.json" else "brush"
        (folder / name).write_text(json.dumps(data | ({key: mypaint} if mypaint else {})))
    return BrushInfo(folder.name, mypaint or BrushConfig.mypaint, str(folder))


def photo(width=96, height=64) -> np.ndarray:
    """A small photo with structure: a gradient sky, a dark disc and a red bar."""
    y, x = np.mgrid[0:height, 0:width]
    img = np.zeros((height, width, 3), np.float32)
    img[..., 0] = 0.3 + 0.4 * y / height
    img[..., 1] = 0.5 + 0.3 * x / width
    img[..., 2] = 0.9 - 0.3 * y / height
    disc = (x - width * 0.35) ** 2 + (y - height * 0.5) ** 2 < (min(width, height) * 0.25) ** 2
    img[disc] = (0.1, 0.1, 0.15)
    img[int(height * 0.7):int(height * 0.8), int(width * 0.55):int(width * 0.9)] = (0.9, 0.1, 0.1)
    return (img * 255).astype(np.uint8)


CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def need_chromium():
    """Skip with one line where Debian's Chromium or Playwright is missing, except in CI (env CI set),
    where a browser test must run. No browser is ever downloaded (never `playwright install`)."""
    import pytest

    if not os.environ.get("CI"):
        if not os.path.exists(CHROMIUM):
            pytest.skip("Chromium is not installed (apt-get install chromium)")
        pytest.importorskip("playwright")


@contextlib.contextmanager
def chromium_page(width=1280, height=1000):
    """A page of Debian's Chromium, headless, driven by Playwright."""
    need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser.new_page(viewport={"width": width, "height": height})
        finally:
            browser.close()
