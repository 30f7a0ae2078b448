"""The waits a visitor meets on the page, timed in Debian's Chromium against the app served here.

For each run (the defaults; the defaults at 512 px, this hardware's largest; the defaults with a style):
the estimate the status gives before the run starts, the real time from the click to "Done", the time
from "Done" to Paint usable again, and how many files were shown at "Done" (the painting comes first).

    python benchmarks/app_waits.py [--photo examples/astronaut.jpg] [--runs default,512,styled]

Prints one line per run and a JSON summary. The issue's bounds: Paint usable at most 0.5 s after
"Done"; no file before the painting; the estimate within a factor of 1.5 of the real time.
"""

import argparse
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import app  # noqa: E402
from painter_helpers import chromium_page  # noqa: E402
from space.examples import STYLE_EXAMPLES  # noqa: E402
from space.runs import DOWNLOADS  # noqa: E402

STATE = """() => {
    const paint = document.querySelector('#paint'), stop = document.querySelector('#stop');
    return {usable: !paint.disabled && paint.innerText.trim() === 'Paint', stop: !!(stop && stop.offsetParent),
            status: document.querySelector('#status textarea, #status input').value,
            files: document.querySelectorAll('#files a').length};
}"""


def until(page, condition, timeout=300.0, every=0.02):
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        state = page.evaluate(STATE)
        if condition(state):
            return state, time.monotonic()
        time.sleep(every)
    raise SystemExit(f"timed out: {page.evaluate(STATE)}")


def run(page, name, size):
    page.get_by_label(str(size)).check()
    clicked = time.monotonic()
    page.click("#paint")
    announced, _ = until(page, lambda s: "about" in s["status"] and not s["usable"])
    estimate = float(re.search(r"about (\d+(?:\.\d+)?) s", announced["status"]).group(1))
    at_done, done = until(page, lambda s: s["status"].startswith("Done"))
    _, ready = until(page, lambda s: s["usable"] and not s["stop"])
    _, first_file = until(page, lambda s: s["files"] > 0)
    _, all_files = until(page, lambda s: s["files"] == len(DOWNLOADS))
    row = dict(run=name, size=size, estimate_s=estimate, real_s=round(done - clicked, 1),
               ratio=round((done - clicked) / estimate, 2), done_to_paint_usable_s=round(ready - done, 2),
               files_at_done=at_done["files"], done_to_first_file_s=round(first_file - done, 2),
               done_to_all_files_s=round(all_files - done, 2), status=at_done["status"])
    print(json.dumps(row), flush=True)
    return row


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photo", default=str(ROOT / "examples" / "astronaut.jpg"))
    parser.add_argument("--runs", default="default,512,styled")
    args = parser.parse_args(argv)
    _, url, _ = app.demo.launch(prevent_thread_lock=True, quiet=True, **app.LAUNCH_OPTIONS)
    rows = []
    try:
        with chromium_page() as page:
            page.goto(url)
            page.wait_for_selector("#paint")
            page.locator("#photo input[type=file]").set_input_files(args.photo)
            page.wait_for_selector("#photo img")
            for name in args.runs.split(","):
                if name == "styled":
                    page.get_by_text("Style and detail", exact=True).click()
                    page.locator("#style input[type=file]").set_input_files(STYLE_EXAMPLES[0])
                    page.wait_for_selector("#style img")
                rows.append(run(page, name, max(app.HARDWARE.sizes) if name == "512" else app.HARDWARE.default_size))
    finally:
        app.demo.close()
    print(json.dumps({"machine": app.HARDWARE.description, "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
