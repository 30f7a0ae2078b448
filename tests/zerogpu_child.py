"""Runs under ZeroGPU's own CUDA emulation (the `spaces` package's torch patching, as the Space's main
process does): `cuda` is usable on this CPU, a low-level CUDA init raises, and so does any operation
that mixes a cuda and a CPU tensor. tests/test_zerogpu.py starts it in a process of its own, so the
rest of the suite keeps a plain torch.

    python tests/zerogpu_child.py OUT.json [SCENARIO ...]

Writes {scenario: {"ok": bool, "error": str, ...what it saw}} to OUT.json.
"""

import concurrent.futures
import functools
import json
import os
import queue
import sys
import threading
import time
import traceback
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("NEURAL_PAINTER_OFFLINE", "1")
EXAMPLES = ROOT / "examples"
PHOTO = EXAMPLES / "chelsea.jpg"
STYLE = EXAMPLES / "styles" / "great_wave.jpg"
SMALL = dict(strokes=24, size=48, seed=3, iterations=2)  # every op is dispatched in Python here: small runs


def _halves(size) -> Image.Image:
    """A label mask: the left half red, the right half blue."""
    labels = np.zeros((size[1], size[0], 3), np.uint8)
    labels[:, : size[0] // 2] = (255, 0, 0)
    labels[:, size[0] // 2:] = (0, 0, 255)
    return Image.fromarray(labels)


def _detail(size) -> np.ndarray:
    mask = np.zeros((size[1], size[0]), np.uint8)
    mask[size[1] // 4: size[1] // 2, size[0] // 3: 2 * size[0] // 3] = 255
    return mask


GUIDANCE = {
    "plain": {},
    "style_with_colour_transfer": dict(style=STYLE, colour_transfer=True),
    "style_without_colour_transfer": dict(style=STYLE, colour_transfer=False),
    "detail_mask": dict(detail_mask=_detail(Image.open(PHOTO).size)),
    "per_region_labels": dict(style=STYLE, labels=_halves(Image.open(PHOTO).size),
                              style_labels=_halves(Image.open(STYLE).size)),
    "stroke_controls": dict(brush_size=(1.0, 6.0), pressure=(0.3, 0.9), stroke_length=(2.0, 30.0), palette=6,
                            background="#f0e8d8"),
    "time_limit": dict(time_limit=1.5, strokes=120, iterations=16),
}


def _drain(app, request, stop_file=None, on_frame=None):
    """Runs the GPU function (`space.gpu_run.paint_on_device`) to its end; the last update's painting, and how
    many canvases came."""
    from space import gpu_run

    canvases, update = 0, None
    for update in gpu_run.paint_on_device(request, stop_file):
        canvases += update.canvas is not None
        if on_frame is not None:
            on_frame(update.status, (update.painted, update.total))
    return update.painting, canvases, update.status


def refused_request():
    """A request the run itself refuses (inside the GPU function, past every earlier check): a brush
    no cell can paint at this size (make_request would refuse it earlier, so it is set afterwards)."""
    from dataclasses import replace

    from painter.controls import Controls
    from painter.request import make_request

    request = make_request(PHOTO, 30, 48, 0, None, iterations=2)
    request.guidance = replace(request.guidance, controls=Controls(brush_size=(200.0, 300.0)))
    return request


def scenario_import(tmp):
    import torch

    import app

    return {"device": app.HARDWARE.device, "painter_device": app.PAINTER.device.type,
            "brush_device": next(app.PAINTER.brush.parameters()).device.type,
            "cuda_initialized": bool(torch.cuda.is_initialized())}


def scenario_paint(name, tmp):
    import app
    from painter.request import make_request

    settings = dict(SMALL, **GUIDANCE[name])
    strokes, size, seed = settings.pop("strokes"), settings.pop("size"), settings.pop("seed")
    time_limit = settings.pop("time_limit", None)
    request = make_request(PHOTO, strokes, size, seed, time_limit, **settings)
    started = time.monotonic()
    painting, canvases, status = _drain(app, request)
    return {"strokes": len(painting.strokes), "asked": strokes, "canvases": canvases, "status": status,
            "size": list(painting.image.size), "seconds": round(time.monotonic() - started, 2),
            "colours": len({tuple(np.round(s.colour, 6)) for s in painting.strokes})}


def _on_a_handler_thread(make):
    """`make()` on another thread, as Gradio runs an event's function: there the emulation intercepts no
    CUDA move (its torch function mode is the importing thread's), so moving a brush to cuda raises."""
    done = {}

    def run():
        try:
            done["value"] = make()
        except BaseException as error:  # noqa: BLE001 - re-raised on the caller's thread
            done["error"] = error

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in done:
        raise done["error"]
    return done["value"]


def scenario_brushes(tmp):
    """Each shipped brush, and one more that only the GPU function loads (the dry brush's weights said
    to imitate MyPaint's pencil): the request checked and built on a handler thread, as the page does,
    then painted on cuda by the GPU function, which loads the brush at its first use."""
    import torch

    import app
    from skimage.metrics import peak_signal_noise_ratio

    from painter import render_with_mypaint
    from painter.request import make_request
    from painter_helpers import imitating_brush

    extra = imitating_brush(Path(tmp) / "brushes" / "pencil", "classic/pencil")
    app.BRUSHES[extra.name], app.BRUSH_SOURCES[extra.name] = extra.mypaint, extra.path
    seen = {}
    for name, mypaint in app.BRUSHES.items():
        strokes = 8  # (VGG19 at 48 px dominates, one painting per brush: few strokes and steps)
        # (MyPaint paints each round on the CPU, the optimiser reads it on cuda)
        request = _on_a_handler_thread(lambda: make_request(PHOTO, strokes, 48, 3, None, iterations=1,
                                                            brush=app.INPUTS.brush_choice(name)))
        painting, canvases, status = _drain(app, request)
        painting.save_json(Path(tmp) / f"{name}.json")
        source = app.BRUSH_SOURCES[name]
        seen[name] = {"mypaint": mypaint, "json_brush": json.loads((Path(tmp) / f"{name}.json").read_text())["brush"],
                      "render_psnr": float(peak_signal_noise_ratio(  # inf where bit for bit
                          np.asarray(painting.image), np.asarray(render_with_mypaint(Path(tmp) / f"{name}.json")),
                          data_range=255)),
                      "strokes": len(painting.strokes), "asked": strokes, "status": status,
                      "device": next(app.PAINTER.brush_for(source).parameters()).device.type}
    return {"brushes": seen, "cuda_initialized": bool(torch.cuda.is_initialized())}


def scenario_stop(tmp):
    import app
    from painter.request import make_request

    stop_file = Path(tmp) / "stop"
    request = make_request(PHOTO, 3000, 128, 0, None, iterations=2)

    def press_stop(status, painted):
        if painted[0] > 0:
            stop_file.touch()

    painting, _, status = _drain(app, request, str(stop_file), press_stop)
    return {"strokes": len(painting.strokes), "asked": 3000, "status": status}


def scenario_error_inside_gpu_function(tmp):
    """What crosses back from ZeroGPU's worker is only what `spaces` passes through as a gradio error."""
    import app
    from spaces.zero.wrappers import exception_result

    try:
        _drain(app, refused_request())
    except Exception as error:  # noqa: BLE001 - what ZeroGPU would see
        passed = exception_result(error).gradio_error
        return {"raised": type(error).__name__, "message": str(getattr(error, "message", error)),
                "passes_through_zerogpu": passed is not None}
    return {"raised": None}


def scenario_page_refusal_inside_gpu_function(tmp):
    """The page in Chromium, served by this process: a Paint whose request passes the page's checks and is
    refused inside the GPU function leaves the page ready (Paint usable, Stop hidden, the sentence in the
    status); then a Paint of the same photo paints to the end, without a reload. Each request the page
    builds is made small here (every op is dispatched in Python), the first also refused as
    `refused_request` is."""
    from dataclasses import replace

    import app
    from painter.controls import Controls
    from painter.photo import fit_long_side
    from painter_helpers import chromium_page

    from space import gpu_run

    checked, refuse = app.INPUTS.controls_request, [True]

    def small_request(*controls):
        request = checked(*controls)
        request = replace(request, image=fit_long_side(request.image, SMALL["size"]), strokes=SMALL["strokes"],
                          options=replace(request.options, iterations=SMALL["iterations"]))
        if refuse[0]:
            request.guidance = replace(request.guidance, controls=Controls(brush_size=(200.0, 300.0)))
        return request

    app.INPUTS.controls_request = small_request
    state = """() => { const paint = document.querySelector('#paint'), stop = document.querySelector('#stop');
        return [!paint.disabled && paint.innerText.trim() === 'Paint', !!(stop && stop.offsetParent),
                document.querySelector('#status textarea, #status input').value]; }"""

    def wait(page, condition, timeout):
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            seen = page.evaluate(state)
            if condition(*seen):
                return seen, time.monotonic() - started
            time.sleep(0.05)
        raise AssertionError(f"not within {timeout} s: {page.evaluate(state)}")

    def drive(url):
        with chromium_page() as page:
            page.goto(url)
            page.wait_for_selector("#paint")
            page.locator("#photo input[type=file]").set_input_files(str(PHOTO))
            page.wait_for_selector("#photo img")
            page.click("#paint")
            (_, _, refused), seconds = wait(page, lambda usable, stop, status: usable and not stop
                                            and not status.startswith(("Ready", "Starting", "Painting")), 60)
            refuse[0] = False
            page.click("#paint")
            (_, _, painted), _ = wait(page, lambda usable, stop, status: usable and not stop
                                      and status.startswith(("Done", "Stopped")), 120)
        return {"refused_status": refused, "ready_seconds": round(seconds, 2), "painted_status": painted}

    # ZeroGPU runs the GPU function in a process of its own; the emulation intercepts CUDA only on the
    # thread that imported `spaces` (Gradio's handler threads raise): so here the GPU function runs on this,
    # the main, thread, its yields and its error streamed back to the handler, and the browser is driven
    # from another thread.
    gpu_function, jobs = gpu_run.paint_on_device, queue.Queue()

    def on_the_main_thread(*args):
        out = queue.Queue()
        jobs.put((args, out))
        while (item := out.get())[0] == "yield":
            yield item[1]
        if item[0] == "raise":
            raise item[1]

    gpu_run.paint_on_device = on_the_main_thread
    _, url, _ = app.demo.launch(prevent_thread_lock=True, quiet=True, **app.LAUNCH_OPTIONS)
    try:
        browser = concurrent.futures.ThreadPoolExecutor(1).submit(drive, url)
        while not browser.done():
            try:
                args, out = jobs.get(timeout=0.1)
            except queue.Empty:
                continue
            try:
                for item in gpu_function(*args):
                    out.put(("yield", item))
                out.put(("return", None))
            except Exception as error:  # noqa: BLE001 - re-raised on the handler's thread
                out.put(("raise", error))
        return browser.result()
    finally:
        app.demo.close()
        del app.INPUTS.controls_request  # (the class's own again)
        gpu_run.paint_on_device = gpu_function


def scenario_cli(tmp):
    from painter.__main__ import main

    out = Path(tmp) / "cli.png"
    code = main(["paint", str(PHOTO), "-o", str(out), "--json", str(Path(tmp) / "cli.json"), "--strokes", "20",
                 "--size", "48", "--time-limit", "4", "--device", "cuda", "--quiet"])
    data = json.loads((Path(tmp) / "cli.json").read_text())
    return {"code": code, "strokes": len(data["strokes"]), "size": list(Image.open(out).size)}


def scenario_api(tmp):
    from painter import paint

    frames = list(paint(PHOTO, strokes=20, size=48, seed=1, iterations=2, device="cuda"))
    return {"strokes": len(frames[-1].painting.strokes), "frames": len(frames),
            "canvas_type": type(frames[-1].canvas).__name__}


# name -> scenario(tmp): what it saw, as plain data
SCENARIOS = {"import": scenario_import, **{name: functools.partial(scenario_paint, name) for name in GUIDANCE},
             "brushes": scenario_brushes, "stop": scenario_stop,
             "error_inside_gpu_function": scenario_error_inside_gpu_function,
             "page_refusal_inside_gpu_function": scenario_page_refusal_inside_gpu_function,
             "cli": scenario_cli, "api": scenario_api}


def emulate_zerogpu():
    """ZeroGPU's main-process emulation, before anything of the app's loads (as `import spaces` is first there)."""
    import spaces  # noqa: F401
    from spaces.zero.torch import patching

    patching.patch()


if __name__ == "__main__":
    import tempfile

    emulate_zerogpu()
    out, names = Path(sys.argv[1]), sys.argv[2:] or SCENARIOS
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            try:
                results[name] = {"ok": True, **SCENARIOS[name](tmp)}
            except BaseException as error:  # noqa: BLE001 - every scenario reports, whatever happens
                results[name] = {"ok": False, "error": f"{type(error).__name__}: {error}",
                                 "traceback": traceback.format_exc()[-3000:]}
            out.write_text(json.dumps(results, indent=1))
            print(name, results[name].get("ok"), results[name].get("error", ""), flush=True)
