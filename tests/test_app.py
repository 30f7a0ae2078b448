"""The Space: the painting generator called directly, and `/paint` driven through gradio_client."""

import dataclasses
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

app = pytest.importorskip("app")
gradio_client = pytest.importorskip("gradio_client")

import gradio as gr  # noqa: E402

from painter.brush import Brush, shipped_brushes  # noqa: E402
from painter.errors import PainterError  # noqa: E402
from space import estimate, examples, gpu_run, inputs, page, runs  # noqa: E402
from painter_helpers import imitating_brush  # noqa: E402

SHIPPED = shipped_brushes()

PHOTO = str(Path(__file__).resolve().parents[1] / "examples" / "coffee.jpg")
FAST = dict(strokes=app.HARDWARE.strokes["minimum"], size=app.HARDWARE.sizes[0], seed=1, time_limit=app.HARDWARE.time_limit["minimum"])


def request(**settings):
    settings = dict(FAST, **settings)
    return app.INPUTS.request(PHOTO, settings["strokes"], settings["size"], settings["seed"], settings["time_limit"])


def test_painting_generator_streams_frames_then_files(tmp_path):
    updates = list(runs.paint_into(request(), tmp_path))
    canvases = [u.canvas for u in updates if u.canvas is not None]
    assert len(canvases) >= 2
    assert all(c.dtype == np.uint8 and c.ndim == 3 and c.shape[2] == 3 for c in canvases)
    assert max(canvases[-1].shape[:2]) == FAST["size"]
    last = updates[-1]
    canvas, status, files = last.canvas, last.status, last.files
    assert status.startswith("Done") and app.HARDWARE.description in status and gpu_run.objective_name() in status
    assert (last.painted, last.total) == (FAST["strokes"], FAST["strokes"]) and last.finished
    assert set(files) == {"png", "mypaint", "gif", "mp4", "json", "svg", "ora"}
    assert np.array_equal(np.asarray(Image.open(files["png"]).convert("RGB")), canvas)  # the last canvas is the PNG
    # MyPaint's painting of the strokes at twice the size is the painting, larger
    real = Image.open(files["mypaint"]).convert("RGB")
    assert real.size == (2 * canvas.shape[1], 2 * canvas.shape[0])
    shrunk = np.asarray(real.resize((canvas.shape[1], canvas.shape[0]), Image.BOX), dtype=float)
    assert np.abs(shrunk - canvas).mean() < 3  # (the neural canvas's picture, another one, stood 4.8 away)
    assert Image.open(files["gif"]).n_frames >= 2
    assert Path(files["mp4"]).stat().st_size > 0
    assert json.loads(Path(files["json"]).read_text())["objective"] == app.PAINTER.objective.name
    assert "<svg" in Path(files["svg"]).read_text()


def test_stop_keeps_the_painting_so_far(tmp_path):
    stop = tmp_path / "stop"
    # A run far too long to finish on its own, so that only Stop can end it early, however busy the machine.
    long_run = dict(strokes=app.HARDWARE.strokes["maximum"], time_limit=app.HARDWARE.time_limit["maximum"])
    gen = runs.paint_into(request(**long_run), tmp_path / "run", stop_file=str(stop))
    for update in gen:  # watch until some strokes are on the canvas, then press Stop
        if update.painted > 0:
            break
    stop.touch()
    last = list(gen)[-1]
    canvas, status, files = last.canvas, last.status, last.files
    assert status.startswith("Stopped") and not last.finished
    assert Image.open(files["png"]).size == (canvas.shape[1], canvas.shape[0])
    assert set(files) == {"png", "mypaint", "gif", "mp4", "json", "svg", "ora"}  # a stopped run offers every download
    strokes = json.loads(Path(files["json"]).read_text())["strokes"]
    assert 0 < len(strokes) < long_run["strokes"]


def test_a_file_the_painting_cannot_be_written_as_is_refused_in_one_sentence(tmp_path):
    """The page writes the files after Paint comes back (page_files): a painting with a brush that no shipped brush
    imitates has no SVG outline, and the visitor gets the painter's sentence, not Gradio's generic error."""
    from painter.painting import Painting
    from painter.stroke import Stroke
    from space.endpoints import page_files

    stroke = Stroke(start=(8, 8), control=(16, 12), end=(24, 20), radius=3, pressure=(0.8, 0.8), colour=(0.2, 0.3, 0.4))
    painting = Painting(32, 32, (1.0, 1.0, 1.0), [stroke], Image.new("RGB", (32, 32), "white"),
                        brushes=["classic/pencil"])
    with pytest.raises(gr.Error) as refusal:
        list(page_files((painting, tmp_path)))
    assert "no SVG outline fit for the brush classic/pencil" in refusal.value.message


@pytest.mark.parametrize("bad", [b"", b"not an image at all", b"\x89PNG\r\n\x1a\n" + b"\0" * 40])
def test_bad_photos_are_refused_in_one_sentence(tmp_path, bad):
    path = tmp_path / "bad.png"
    path.write_bytes(bad)
    photo_check, *settings = app.INPUTS.validate(str(path), 100, app.HARDWARE.default_size, 0, app.HARDWARE.time_limit["value"])
    assert photo_check["is_valid"] is False and photo_check["message"].endswith(".")
    assert "\n" not in photo_check["message"] and "Traceback" not in photo_check["message"]
    assert all(s["is_valid"] for s in settings)


def test_tiny_photo_and_bad_settings_are_refused(tmp_path):
    tiny = tmp_path / "tiny.png"
    Image.new("RGB", (2, 2)).save(tiny)
    checks = app.INPUTS.validate(str(tiny), 10**6, 123, -1, 10**6)
    assert [c["is_valid"] for c in checks] == [False] * 5
    assert all(c["message"].endswith(".") for c in checks)
    assert app.INPUTS.validate(None, 100, app.HARDWARE.default_size, 0, 10)[0]["message"].startswith("Upload a photo")


def test_a_photo_too_thin_to_paint_is_refused_by_the_page_and_the_api(tmp_path):
    thin = tmp_path / "thin.png"
    Image.new("RGB", (20000, 200)).save(thin)
    photo_check, *settings = app.INPUTS.validate(str(thin), 100, app.HARDWARE.default_size, 0, app.HARDWARE.time_limit["value"])
    assert photo_check["is_valid"] is False and "too long and thin" in photo_check["message"]
    assert all(s["is_valid"] for s in settings)
    with pytest.raises(gr.Error) as error:
        list(app.ENDPOINTS.paint_with_controls(str(thin), 100, app.HARDWARE.default_size, 0, 10))
    assert error.value.message == photo_check["message"]
    # the page's Paint: refused at once, Paint usable, the sentence in the status and as the job
    button, stop, _, status, job, *_ = app.ENDPOINTS.page_check(str(thin), 100, app.HARDWARE.default_size, 0, 10)
    assert button["interactive"] is True and stop["visible"] is False and status == job == error.value.message


def test_untouched_controls_add_nothing_to_the_plain_painting():
    assert inputs.guidance() == {}
    assert inputs.guidance(None, 3.0, True, None, 0, inputs.MAX_RADIUS, 0, 1, "Photo's average", "#123456", 0,
                                0, inputs.MAX_LENGTH) == {}


def test_controls_become_painter_options():
    layer = np.zeros((40, 60, 4), np.uint8)
    layer[10:20, 5:25, 3] = 255  # a brushed patch
    editor = {"background": np.zeros((40, 60, 4), np.uint8), "layers": [layer], "composite": None}
    options = inputs.guidance(PHOTO, 2.5, False, editor, 2, 8, 0.2, 0.9, "Custom", "rgba(255, 0, 16, 1)", 6, 10, 80)
    mask = options.pop("detail_mask")
    assert mask.shape == (40, 60) and mask[15, 10] == 255 and mask[30, 40] == 0
    style = options.pop("style")  # decoded once, here
    assert style.size == Image.open(PHOTO).size and style.mode == "RGB"
    assert options == dict(style_strength=2.5, colour_transfer=False, brush_size=(2, 8), pressure=(0.2, 0.9),
                           stroke_length=(10, 80), background=(1.0, 0.0, 16 / 255), palette=6)
    assert inputs.guidance(background="White") == {"background": "white"}
    empty = dict(editor, layers=[np.zeros((40, 60, 4), np.uint8)])
    assert inputs.guidance(detail=empty) == {}  # an untouched mask editor is no mask


@pytest.mark.parametrize("bad", [dict(min_radius=9, max_radius=3), dict(low_pressure=-0.5),
                                 dict(palette=2.5), dict(palette=1000), dict(background="Custom", background_colour="red-ish"),
                                 dict(style=__file__), dict(style=PHOTO, style_strength=11)])
def test_bad_controls_are_refused_in_one_sentence(bad):
    with pytest.raises(PainterError) as error:
        inputs.guidance(**bad)
    message = str(error.value)
    assert message.endswith(".") and "\n" not in message
    names = list(bad)
    checks = app.INPUTS.validate(PHOTO, 100, app.HARDWARE.default_size, 0, 10,
                                 *[bad.get(n, d) for n, d in zip(inputs.GUIDANCE, DEFAULT_GUIDANCE)])
    flagged = [name for name, c in zip(["photo", "strokes", "size", "seed", "time_limit", *inputs.GUIDANCE], checks)
               if not c["is_valid"]]
    assert set(names) & set(flagged)


DEFAULT_GUIDANCE = (None, 1.0, True, None, 0, inputs.MAX_RADIUS, 0.0, 1.0, "Photo's average", "#ffffff", 0, 0, inputs.MAX_LENGTH)


def _gpu_request(strokes, size, time_limit):
    from painter.request import make_request

    return make_request(PHOTO, strokes, size, 0, time_limit, device="cuda")


def test_gpu_duration_follows_the_work_capped_by_the_time_limit():
    default = _gpu_request(3000, 1024, 30)  # the GPU defaults
    seconds = estimate.gpu_seconds(default)
    assert 0.5 < seconds < 10  # a few seconds of GPU, not the 30 s time limit
    limits = dict(longest=120, usual=30)  # the GPU's time limit slider
    assert estimate.gpu_duration(default, **limits) == math.ceil(estimate.GPU_ESTIMATE_MARGIN * seconds
                                                                 + estimate.GPU_OVERHEAD_SECONDS)
    assert estimate.gpu_seconds(_gpu_request(10_000, 2048, 30)) > 2 * seconds  # more strokes, a larger canvas: more
    assert estimate.gpu_seconds(_gpu_request(300, 512, 30)) < seconds / 2
    assert estimate.gpu_duration(_gpu_request(20_000, 2048, 5), **limits) == 5 + estimate.GPU_OVERHEAD_SECONDS  # capped


def test_a_brush_that_sees_mypaints_dabs_is_expected_to_take_longer():
    """The status's estimate counts what the dab guide adds to each stroke: a run with a guided brush is
    announced as longer than the same run with a plain one, a level's guided brush by its share."""
    from painter.brush import brush_source, has_dab_guide
    from painter.request import make_request

    guided, plain = brush_source("dry_brush"), brush_source("ink_blot")
    assert has_dab_guide(guided) and not has_dab_guide(plain)
    runs = {name: make_request(PHOTO, 600, 384, 0, None, brush=brush)
            for name, brush in (("guided", guided), ("plain", plain), ("mixed", f"{plain},{guided}"))}
    seconds = {name: estimate.run_seconds(request, "cpu") for name, request in runs.items()}
    assert seconds["plain"] * 1.25 < seconds["guided"] < seconds["plain"] * 1.8
    assert seconds["plain"] < seconds["mixed"] < seconds["guided"]
    default = make_request(PHOTO, 600, 384, 0, None)  # no brush named: the painter's own
    assert estimate.run_seconds(default, "cpu", guided) == seconds["guided"]
    assert estimate.gpu_seconds(runs["guided"]) > estimate.gpu_seconds(runs["plain"])


def test_run_folders_outlive_their_run_and_are_swept_once_old(tmp_path, monkeypatch):
    """Gradio copies a run's files after the run's generator may have ended, and the example cache
    serves its files again later: a run leaves its folder, and a later run removes the old ones."""
    import os
    import time

    monkeypatch.setattr(runs, "RUNS_DIR", tmp_path)
    monkeypatch.setattr(app.EXAMPLES, "folders", {})
    files = list(app.ENDPOINTS.run(request()))[-1].files
    assert Path(files["png"]).is_file() and Path(files["png"]).parent.parent == tmp_path
    old, kept = tmp_path / "run-old", tmp_path / "run-kept"
    for folder in (old, kept):
        folder.mkdir()
        past = time.time() - runs.RUN_FOLDER_AGE - 60
        os.utime(folder, (past, past))
    app.EXAMPLES.folders["chelsea.jpg"] = str(kept)
    list(app.ENDPOINTS.run(request()))
    assert not old.exists() and kept.is_dir() and Path(files["png"]).is_file()


@pytest.fixture(scope="module")
def served():
    _, url, _ = app.demo.launch(prevent_thread_lock=True, quiet=True, **app.LAUNCH_OPTIONS)
    try:
        yield url.rstrip("/")
    finally:
        app.demo.close()


@pytest.fixture(scope="module")
def client(served):
    return gradio_client.Client(served, verbose=False)


FIRST_PAINTING = """
import json, sys
import app
from space import gpu_run
before = set(sys.modules)
request = app.INPUTS.request(sys.argv[1], app.HARDWARE.strokes["minimum"], app.HARDWARE.sizes[0], 1, None)
canvases = sum(update.canvas is not None for update in gpu_run.paint_on_device(request, None))
print(json.dumps({"canvases": canvases, "loaded": sorted(m for m in set(sys.modules) - before if m.startswith("torch"))}))
"""


def test_the_first_painting_after_start_up_loads_no_torch_module():
    """A fresh app's first painting loads no torch module while a visitor's live canvas waits (torch.optim's
    first optimiser loads TorchDynamo, 2 to 3 s on 2 cores: the painter's Adam is written out)."""
    done = subprocess.run([sys.executable, "-c", FIRST_PAINTING, PHOTO], cwd=Path(app.__file__).parent,
                          env={**os.environ, "NEURAL_PAINTER_OFFLINE": "1"}, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["canvases"] >= 2
    assert result["loaded"] == []


def test_the_app_says_where_its_brush_came_from():
    # CI is offline, and the card's placeholder repo does not exist: the bundled brush, said in one line
    assert "bundled checkpoints/brush" in app.BRUSH_NOTE and "\n" not in app.BRUSH_NOTE
    assert app.PAINTER.brush is app.BRUSH


async def _mcp_session(url: str, photo: str):
    from mcp import ClientSession
    from mcp.client.streamable_http import streamable_http_client

    progress = []

    async def on_progress(value, total, message):
        progress.append((value, total, message))

    async with streamable_http_client(f"{url}/gradio_api/mcp/") as (read, write, _):
        async with ClientSession(read, write) as session:
            await session.initialize()
            tools = {tool.name: tool for tool in (await session.list_tools()).tools}
            result = await session.call_tool("paint", {"photo": photo, "strokes": FAST["strokes"], "size": FAST["size"],
                                                       "seed": 3, "time_limit": FAST["time_limit"]},
                                             progress_callback=on_progress)
            refused = await session.call_tool("paint", {"photo": photo, "brush": "pencil"})
    return tools, result, progress, refused


def test_an_mcp_client_lists_paint_calls_it_and_gets_the_files(served):
    """A real MCP session (the `mcp` package's client) against the app served here."""
    import asyncio
    import base64
    import io

    import httpx

    photo = Image.open(PHOTO).convert("RGB")
    photo.thumbnail((160, 160))
    buffer = io.BytesIO()
    photo.save(buffer, format="PNG")
    data_url = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
    tools, result, progress, refused = asyncio.run(_mcp_session(served, data_url))

    assert {"paint", "paint_with_controls"} <= set(tools)
    assert {"photo", "strokes", "size", "brush"} <= set(tools["paint"].inputSchema["properties"])
    for tool in ("paint", "paint_with_controls"):  # the brush parameter says which names it takes
        brush = tools[tool].inputSchema["properties"]["brush"]
        assert brush.get("default") == "dry_brush" and brush["type"] == "string"
        assert all(b.name in brush.get("description", "") for b in SHIPPED), brush
    assert "enum" not in tools["paint"].inputSchema["properties"]["brush"]  # so that the app says what is wrong
    assert not result.isError, result.content
    images = [c for c in result.content if c.type == "image"]
    painting = Image.open(io.BytesIO(base64.b64decode(images[0].data)))
    assert max(painting.size) == FAST["size"]
    urls = {Path(word).name: word for c in result.content if c.type == "text"
            for word in c.text.split() if word.startswith("http")}
    assert {"painting-mypaint-2x.png", "strokes.json", "painting.svg", "timelapse.mp4", "painting.ora"} <= set(urls)
    strokes = httpx.get(urls["strokes.json"]).json()
    assert len(strokes["strokes"]) == FAST["strokes"]
    real = Image.open(io.BytesIO(httpx.get(urls["painting-mypaint-2x.png"]).content))
    assert real.size == (2 * painting.size[0], 2 * painting.size[1])
    assert httpx.get(urls["painting.svg"]).text.lstrip().startswith(("<svg", "<?xml"))
    assert progress and progress[-1][0] > 0, progress
    assert refused.isError and "There is no brush named 'pencil'" in refused.content[0].text, refused.content


def test_paint_endpoint_streams_frames_and_files(client):
    job = client.submit(gradio_client.handle_file(PHOTO), FAST["strokes"], FAST["size"], FAST["seed"],
                        FAST["time_limit"], api_name="/paint")
    updates = list(job)
    frames = [u for u in updates if u[0] and u[4] is None]
    assert len(frames) >= 2
    canvas, status, (before, after), video, files = job.outputs()[-1]
    assert status.startswith("Done")
    assert Image.open(canvas).size == Image.open(after).size == Image.open(before).size
    assert sorted(Path(f).suffix for f in files) == [".gif", ".json", ".mp4", ".ora", ".png", ".png", ".svg"]
    for f in files:
        assert Path(f).stat().st_size > 0
        if f.endswith((".png", ".gif")):
            Image.open(f).verify()
    assert Path(video["video"] if isinstance(video, dict) else video).exists()


def test_paint_endpoint_honours_style_palette_and_background(client):
    style = gradio_client.handle_file(examples.STYLE_EXAMPLES[0])
    job = client.submit(gradio_client.handle_file(PHOTO), FAST["strokes"], FAST["size"], FAST["seed"],
                        FAST["time_limit"], style=style, palette=4, background="White", api_name="/paint")
    *_, files = job.result()
    strokes = json.loads(Path(next(f for f in files if f.endswith(".json"))).read_text())
    assert strokes["background"] == [1.0, 1.0, 1.0]
    assert len(strokes["strokes"]) == FAST["strokes"]
    assert len({tuple(s["colour"]) for s in strokes["strokes"]}) <= 4


def test_paint_endpoint_refuses_a_corrupt_upload(client, tmp_path):
    bad = tmp_path / "photo.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0" + b"not really a jpeg" * 10)
    with pytest.raises(Exception) as error:
        client.predict(gradio_client.handle_file(str(bad)), 100, app.HARDWARE.default_size, 0, 10, api_name="/paint")
    assert "photo" in str(error.value) and "cannot be decoded" in str(error.value)


# ---------------------------------------------------------------------------------------------
# The brushes.

def _component(elem_id):
    return next(block for block in app.demo.blocks.values() if getattr(block, "elem_id", None) == elem_id)


def test_the_page_offers_every_shipped_brush_with_its_swatch():
    names = [b.name for b in SHIPPED]
    radio = _component("brush")
    assert [value for _, value in radio.choices] == names and radio.value == "dry_brush" == names[0]
    for level in inputs.LEVELS:  # the per-level choices: the brush above, or any shipped brush
        assert [value for _, value in _component(f"{level}_brush").choices] == ["", *names]
    shown = _component("brush_swatches").value  # what the page shows: an image per brush, captioned
    assert [item["caption"] for item in shown] == [page.brush_label(n) for n in names]
    swatches = [np.asarray(Image.open(item["image"]["path"]).convert("RGB"), dtype=float) for item in shown]
    paper = np.asarray(examples.SWATCH_PAPER) * 255
    for swatch in swatches:
        assert swatch.shape == (examples.SWATCH_SIZE[1], examples.SWATCH_SIZE[0], 3)
        assert (np.abs(swatch - paper).max(-1) > 60).mean() > 0.05  # MyPaint painted strokes on the paper
    assert len({s.tobytes() for s in swatches}) == len(SHIPPED)  # each brush's swatch is its own


def _brush_painting(tmp_path, monkeypatch, **brushes) -> dict:
    """A small painting through the page's own painting function: its strokes JSON."""
    monkeypatch.setattr(app.INPUTS, "hardware", dataclasses.replace(app.HARDWARE, sizes=(96, *app.HARDWARE.sizes)))
    monkeypatch.setattr(runs, "RUNS_DIR", tmp_path / "runs")
    last = list(app.ENDPOINTS.paint_with_controls(PHOTO, app.HARDWARE.strokes["minimum"], 96, 2, app.HARDWARE.time_limit["minimum"], **brushes))[-1]
    painting, status, _, _, files = last
    assert status.startswith("Done") and max(Image.open(painting).size) == 96
    return json.loads(Path(next(f for f in files if f.endswith(".json"))).read_text())


@pytest.mark.parametrize("brush", SHIPPED, ids=lambda b: b.name)
def test_each_shipped_brush_paints_and_the_painting_names_it(brush, tmp_path, monkeypatch):
    strokes = _brush_painting(tmp_path, monkeypatch, brush=brush.name)
    assert strokes["brush"] == brush.mypaint and "level_brushes" not in strokes
    assert len(strokes["strokes"]) == app.HARDWARE.strokes["minimum"]


@pytest.fixture
def pencil(tmp_path, monkeypatch):
    """A second brush offered by the app as a shipped one is (the dry brush's weights, said to imitate
    MyPaint's classic/pencil, which then re-renders its strokes); returns the sources `Brush.load` is
    asked for."""
    import painter.brush
    from painter.svg import outline_fit

    info = imitating_brush(tmp_path / "brushes" / "pencil", "classic/pencil")
    shipped = painter.brush.shipped_brushes
    monkeypatch.setattr(painter.brush, "shipped_brushes", lambda *directory: [*shipped(*directory), info])
    monkeypatch.setitem(app.BRUSHES, info.name, info.mypaint)
    monkeypatch.setitem(app.BRUSH_SOURCES, info.name, info.path)
    loads = []
    load = Brush.load.__func__
    monkeypatch.setattr(Brush, "load", classmethod(lambda cls, source=None, device="cpu":
                                                   loads.append(source) or load(cls, source, device)))
    yield loads
    outline_fit.cache_clear()  # (it kept the pencil's)


def test_another_brush_loads_once_at_its_first_painting_and_levels_take_their_own(pencil, tmp_path, monkeypatch):
    app.INPUTS.brush_name("pencil")
    assert pencil == []  # the page's checks never load a brush (on ZeroGPU that happens on the GPU)
    assert _brush_painting(tmp_path / "a", monkeypatch, brush="pencil")["brush"] == "classic/pencil"
    mixed = _brush_painting(tmp_path / "b", monkeypatch, brush="pencil", fine_brush="dry_brush")
    assert len(pencil) == 1  # loaded once, then kept by the painter; the dry brush is the app's own
    levels = mixed.get("level_brushes", [mixed["brush"]])
    assert levels[0] == "classic/pencil" and levels[-1] == "classic/dry_brush", levels
    assert {s["level"] for s in mixed["strokes"]} == set(range(len(levels)))


@pytest.mark.parametrize("call", [dict(brush="pencil"), dict(brush="dry_brush", middle_brush="pencil"),
                                  dict(brush=7)])
def test_an_unknown_brush_is_one_sentence(call):
    with pytest.raises(gr.Error) as error:
        list(app.ENDPOINTS.paint_with_controls(PHOTO, app.HARDWARE.strokes["minimum"], app.HARDWARE.sizes[0], 0, 5, **call))
    message = error.value.message
    assert message.startswith("There is no") and message.endswith(".") and "\n" not in message
    assert all(b.name in message for b in SHIPPED)
    # the page's validator flags that one choice, with the same sentence
    checks = app.INPUTS.validate(PHOTO, 100, app.HARDWARE.default_size, 0, 10, *DEFAULT_GUIDANCE, call["brush"], "",
                                 call.get("middle_brush", ""), "")
    assert [c["message"] for c in checks if not c["is_valid"]] == [message]
    with pytest.raises(gr.Error) as error:
        list(app.ENDPOINTS.paint(PHOTO, brush="pencil"))
    assert error.value.message.startswith("There is no brush named 'pencil'")
    assert app.INPUTS.validate_tool(PHOTO, 100, app.HARDWARE.default_size, 0, 10, "pencil")[-1]["is_valid"] is False
