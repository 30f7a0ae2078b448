"""End to end in a real browser: Debian's Chromium, headless, driven by Playwright for Python.

No browser is ever downloaded (never `playwright install`): Chromium comes from Debian
(`apt-get install chromium`). Outside CI the test skips when Chromium or Playwright is missing;
in CI (env CI set) it must run.
"""

import contextlib
import os
import time
from pathlib import Path

import pytest
from PIL import Image

from painter_helpers import chromium_page, need_chromium

ROOT = Path(__file__).resolve().parents[1]
SHOTS = Path(os.environ.get("SCREENSHOT_DIR", ROOT / "outputs" / "screenshots"))

try:
    need_chromium()
except pytest.skip.Exception as reason:
    pytest.skip(str(reason), allow_module_level=True)

import app  # noqa: E402
import gradio as gr  # noqa: E402

from space.page import brush_label  # noqa: E402
from space.runs import DOWNLOADS  # noqa: E402


def _canvas_src(page):
    return page.evaluate("() => document.querySelector('#canvas img')?.src || ''")


@contextlib.contextmanager
def _app_page():
    """The app served in this process, and a page of Debian's Chromium open on it."""
    _, url, _ = app.demo.launch(prevent_thread_lock=True, quiet=True, **app.LAUNCH_OPTIONS)
    try:
        with chromium_page() as page:
            page.goto(url)
            page.wait_for_selector("#paint")
            yield page
    finally:
        app.demo.close()


def test_upload_paint_and_watch_the_canvas_change():
    SHOTS.mkdir(parents=True, exist_ok=True)
    with _app_page() as page:
        page.locator("#photo input[type=file]").set_input_files(str(ROOT / "examples" / "chelsea.jpg"))
        page.wait_for_selector("#photo img")
        page.locator("#strokes input[type=number]").fill(str(app.HARDWARE.strokes["minimum"]))
        page.locator("#strokes input[type=number]").press("Enter")
        page.get_by_label(str(app.HARDWARE.sizes[0])).check()
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
    assert (SHOTS / "app_done.png").stat().st_size > 10_000


def test_the_brush_choice_shows_a_swatch_per_brush_and_a_click_picks_it():
    """Every shipped brush is offered by name beside its swatch (MyPaint's own strokes); clicking a
    swatch picks that brush; the per-level choices sit under Advanced."""
    from painter.brush import shipped_brushes

    SHOTS.mkdir(parents=True, exist_ok=True)
    labels = [brush_label(b.name) for b in shipped_brushes()]
    with _app_page() as page:
        choice = page.locator("#brush")
        assert choice.is_visible()
        assert [choice.get_by_label(label).is_visible() for label in labels] == [True] * len(labels)
        assert choice.get_by_label(labels[0]).is_checked()
        swatches = page.locator("#brush_swatches img")
        page.wait_for_function(f"() => [...document.querySelectorAll('#brush_swatches img')]"
                               f".filter(img => img.complete && img.naturalWidth > 0).length >= {len(labels)}")
        assert swatches.count() == len(labels) and swatches.first.is_visible()
        assert [page.locator("#brush_swatches").get_by_text(label, exact=True).count() > 0 for label in labels] \
            == [True] * len(labels)
        swatches.last.click()
        page.wait_for_function(f"() => document.querySelector('#brush input[value=\"{shipped_brushes()[-1].name}\"]')"
                               ".checked")
        page.get_by_text("Advanced", exact=True).click()
        page.wait_for_selector("#fine_brush", state="visible")
        page.locator("#brush").scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "app_brushes.png"), full_page=True)
    assert (SHOTS / "app_brushes.png").stat().st_size > 10_000


# The bound: a click on an example shows a painting (live or cached) within 3 s. Measured on
# the 2-core reference machine while another developer's runs shared it (load average 3 to 5): the
# first live canvas 0.5 to 1.0 s after a cold click, the cached painting 0.4 to 0.7 s after the second.
CLICK_TO_PAINTING = 3.0


def _wait(page, condition, timeout, what, errors=False):
    """Seconds until `condition()` holds (checked every 50 ms); fails at `timeout`, and on an error on the
    page unless `errors` (a refusal's own)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        assert errors or "Error" not in page.inner_text("body"), f"an error appeared while waiting for {what}"
        if condition():
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"{what}: not within {timeout:.0f} s")


def test_each_example_paints_live_then_shows_from_the_cache(monkeypatch):
    """Each example clicked twice, as a first visitor would: the first click streams a live run
    (its first canvas within 3 s) to a finished painting with its timelapse; the second shows that
    painting from the cache (within 3 s). The examples paint the page's smallest run here, so that
    six clicks fit a 2-core CI; the page's defaults are otherwise the same code path."""
    monkeypatch.setattr(app.EXAMPLES, "settings", dict(strokes=app.HARDWARE.strokes["minimum"], size=app.HARDWARE.sizes[0],
                                                       seed=0, time_limit=app.HARDWARE.time_limit["minimum"] * 2))
    monkeypatch.setattr(app.EXAMPLES, "cache", gr.Cache(max_size=0))
    monkeypatch.setattr(app.EXAMPLES, "folders", {})
    SHOTS.mkdir(parents=True, exist_ok=True)
    measured = []
    try:
        with _app_page() as page:
            status = page.locator("#status textarea, #status input").first
            for cached in (False, True):
                for label in ("Astronaut", "Cat", "Coffee"):
                    before = _canvas_src(page)
                    page.get_by_text(label, exact=True).first.click()
                    if not cached:  # painting: Paint locked (a click cannot start a run over the example's), Stop shown
                        _wait(page, lambda: page.locator("#paint").is_disabled() and page.locator("#stop").is_visible(),
                              CLICK_TO_PAINTING, f"Paint locked while {label} paints")
                    seconds = _wait(page, lambda: _canvas_src(page) not in ("", before), CLICK_TO_PAINTING,
                                    f"a painting after clicking {label} ({'cached' if cached else 'cold'})")
                    measured.append((label, cached, round(seconds, 2)))
                    finished = ((lambda: "shown from the cache" in status.input_value()) if cached else
                                (lambda: status.input_value().startswith("Done") and "saving" not in status.input_value()))
                    _wait(page, finished, CLICK_TO_PAINTING if cached else 90, f"{label}'s run to finish")
                    _wait(page, lambda: page.locator("#timelapse video").count() > 0
                          and page.locator("#files a, #files .file-preview").count() > 0,
                          CLICK_TO_PAINTING if cached else 15, f"{label}'s timelapse and files")
                    _wait(page, lambda: not page.locator("#paint").is_disabled() and not page.locator("#stop").is_visible(),
                          CLICK_TO_PAINTING, f"Paint usable again after {label}")
                    if not cached:
                        assert status.input_value().startswith(f"Done: {app.HARDWARE.strokes['minimum']} / ")
            page.screenshot(path=str(SHOTS / "app_example_cached.png"), full_page=True)
    finally:
        print("click to painting (s):", measured)
    assert len(app.EXAMPLES.folders) == 3 and all(os.path.isdir(f) for f in app.EXAMPLES.folders.values())


# The bound: after a refused Paint, the page is ready again (Paint usable, Stop hidden, the
# sentence in the status) within 2 s of the click.
REFUSAL_TO_READY = 2.0
# After the last stroke, Paint is usable again at once (the files follow on their own); the benchmark
# (benchmarks/app_waits.py) holds it to 0.5 s on the reference machine, the test leaves room for a busy CI.
DONE_TO_READY = 1.5


def _page_state(page) -> dict:
    return page.evaluate("""() => {
        const paint = document.querySelector('#paint'), stop = document.querySelector('#stop');
        return {usable: !paint.disabled && paint.innerText.trim() === 'Paint', stop: !!(stop && stop.offsetParent),
                status: document.querySelector('#status textarea, #status input').value,
                files: document.querySelectorAll('#files a').length,
                photo: document.querySelector('#photo img')?.src || ''};
    }""")


def _refusals(tmp_path) -> list:
    """(photo or None, a piece of the sentence it gets): no photo, not an image, 1x1, 20000x200."""
    not_image, one, thin = tmp_path / "notes.png", tmp_path / "one.png", tmp_path / "thin.jpg"
    not_image.write_text("a text file named .png")
    Image.new("RGB", (1, 1), (200, 30, 30)).save(one)
    Image.linear_gradient("L").convert("RGB").resize((20000, 200)).save(thin, quality=80)
    return [(None, "Upload a photo"), (not_image, "not an image file"), (one, "1x1 pixels"),
            (thin, "too long and thin to paint")]


def _upload(page, path):
    before = _page_state(page)["photo"]
    page.locator("#photo input[type=file]").set_input_files(str(path))
    _wait(page, lambda: _page_state(page)["photo"] not in ("", before), 15, f"the upload of {path.name}", errors=True)


def test_a_refused_paint_leaves_the_page_ready_and_the_next_photo_paints_to_the_end(tmp_path):
    """No photo, a text file, a 1x1 photo and a 20000x200 one: each gets its sentence in the status, with
    Paint usable and Stop hidden within 2 s; then a real photo paints to the end on the same page,
    Paint back at "Done" and the files after the painting."""
    with _app_page() as page:
        for path, sentence in _refusals(tmp_path):
            if path is not None:
                _upload(page, path)
            clicked = time.monotonic()
            page.click("#paint")
            ready = lambda: ((state := _page_state(page))["usable"] and not state["stop"]  # noqa: E731
                             and sentence in state["status"])
            _wait(page, ready, REFUSAL_TO_READY, f"the page ready after {sentence!r}", errors=True)
            seconds = time.monotonic() - clicked
            assert seconds <= REFUSAL_TO_READY, (sentence, seconds)
            _wait(page, lambda: sentence in page.inner_text("body"), 5, "Gradio's error", errors=True)  # (a toast)

        _upload(page, ROOT / "examples" / "chelsea.jpg")
        page.locator("#strokes input[type=number]").fill(str(app.HARDWARE.strokes["minimum"]))
        page.locator("#strokes input[type=number]").press("Enter")
        page.get_by_label(str(app.HARDWARE.sizes[0])).check()
        page.click("#paint")
        _wait(page, lambda: not _page_state(page)["usable"] and "about" in _page_state(page)["status"], 5,
              "the run's estimate", errors=True)
        done = _wait(page, lambda: _page_state(page)["status"].startswith("Done"), 90, "the painting", errors=True)
        at_done = _page_state(page)
        ready = _wait(page, lambda: _page_state(page)["usable"] and not _page_state(page)["stop"], DONE_TO_READY,
                      "Paint back after Done", errors=True)
        assert at_done["files"] < len(DOWNLOADS), "every file was shown before Done: Paint waited for the files"
        _wait(page, lambda: _page_state(page)["files"] == len(DOWNLOADS), 60, "every file", errors=True)
        assert f"Done: {app.HARDWARE.strokes['minimum']} / " in _page_state(page)["status"]
        print(f"Done after {done:.1f} s, Paint back {ready:.2f} s later; {at_done['files']} files at Done")
