"""End to end in a real browser: Debian's Chromium, headless, driven by Playwright for Python.

No browser is ever downloaded (never `playwright install`): Chromium comes from Debian
(`apt-get install chromium`). Outside CI the test skips when Chromium or Playwright is missing;
in CI (env CI set) it must run.
"""

import os
import shutil
import time
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
ROOT = Path(__file__).resolve().parents[1]
SHOTS = Path(os.environ.get("SCREENSHOT_DIR", ROOT / "outputs" / "screenshots"))

if not os.environ.get("CI"):
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium is not installed (apt-get install chromium)", allow_module_level=True)
    pytest.importorskip("playwright")

from playwright.sync_api import sync_playwright  # noqa: E402

import app  # noqa: E402


def _canvas_src(page):
    return page.evaluate("() => document.querySelector('#canvas img')?.src || ''")


def test_upload_paint_and_watch_the_canvas_change():
    SHOTS.mkdir(parents=True, exist_ok=True)
    _, url, _ = app.demo.launch(prevent_thread_lock=True, quiet=True, **app.LAUNCH_OPTIONS)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.goto(url)
            page.wait_for_selector("#paint")
            page.locator("#photo input[type=file]").set_input_files(str(ROOT / "examples" / "chelsea.jpg"))
            page.wait_for_selector("#photo img")
            page.locator("#strokes input[type=number]").fill(str(app.STROKES["minimum"]))
            page.locator("#strokes input[type=number]").press("Enter")
            page.get_by_label(str(app.SIZES[0])).check()
            page.click("#paint")
            page.wait_for_function("() => document.querySelector('#canvas img')", timeout=30_000)
            seen = {_canvas_src(page)}
            deadline = time.monotonic() + 60
            status = page.locator("#status textarea, #status input").first
            while time.monotonic() < deadline:
                seen.add(_canvas_src(page))
                value = status.input_value()
                if value.startswith("Done") and "saving" not in value:
                    break
                time.sleep(0.1)
            assert len(seen - {""}) >= 2, "the canvas never changed while painting"
            assert status.input_value().startswith("Done")
            page.wait_for_selector("#files a, #files .file-preview", timeout=15_000)
            page.screenshot(path=str(SHOTS / "app_done.png"), full_page=True)
            browser.close()
    finally:
        app.demo.close()
    assert (SHOTS / "app_done.png").stat().st_size > 10_000
