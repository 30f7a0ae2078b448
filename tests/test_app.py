"""The Space: the painting generator called directly, and `/paint` driven through gradio_client."""

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

app = pytest.importorskip("app")
gradio_client = pytest.importorskip("gradio_client")

PHOTO = str(Path(__file__).resolve().parents[1] / "examples" / "coffee.jpg")
FAST = dict(strokes=app.STROKES["minimum"], size=app.SIZES[0], seed=1, time_limit=app.TIME_LIMIT["minimum"])


def request(**settings):
    settings = dict(FAST, **settings)
    return app.build_request(PHOTO, settings["strokes"], settings["size"], settings["seed"], settings["time_limit"])


def test_painting_generator_streams_frames_then_files(tmp_path):
    outputs = list(app.paint_on_device(request(), tmp_path))
    canvases = [c for c, _, _ in outputs if c is not None]
    assert len(canvases) >= 2
    assert all(c.dtype == np.uint8 and c.ndim == 3 and c.shape[2] == 3 for c in canvases)
    assert max(canvases[-1].shape[:2]) == FAST["size"]
    canvas, status, files = outputs[-1]
    assert status.startswith("Done") and app.HARDWARE in status
    assert set(files) == {"png", "gif", "mp4", "json", "svg", "ora"}
    assert Image.open(files["png"]).size == (canvas.shape[1], canvas.shape[0])
    assert Image.open(files["gif"]).n_frames >= 2
    assert Path(files["mp4"]).stat().st_size > 0
    assert json.loads(Path(files["json"]).read_text())
    assert "<svg" in Path(files["svg"]).read_text()


def test_stop_keeps_the_painting_so_far(tmp_path):
    stop = tmp_path / "stop"
    # A run far too long to finish on its own, so that only Stop can end it early, however busy the machine.
    long_run = dict(strokes=app.STROKES["maximum"], time_limit=app.TIME_LIMIT["maximum"])
    gen = app.paint_on_device(request(**long_run), tmp_path / "run", stop_file=str(stop))
    for canvas, status, files in gen:  # watch until some strokes are on the canvas, then press Stop
        if status.startswith("Painting") and not status.startswith("Painting: 0 "):
            break
    stop.touch()
    canvas, status, files = list(gen)[-1]
    assert status.startswith("Stopped")
    assert Image.open(files["png"]).size == (canvas.shape[1], canvas.shape[0])
    assert set(files) == {"png", "gif", "mp4", "json", "svg", "ora"}  # a stopped run offers every download
    strokes = json.loads(Path(files["json"]).read_text())["strokes"]
    assert 0 < len(strokes) < long_run["strokes"]


@pytest.mark.parametrize("bad", [b"", b"not an image at all", b"\x89PNG\r\n\x1a\n" + b"\0" * 40])
def test_bad_photos_are_refused_in_one_sentence(tmp_path, bad):
    path = tmp_path / "bad.png"
    path.write_bytes(bad)
    photo_check, *settings = app.validate_inputs(str(path), 100, app.DEFAULT_SIZE, 0, app.TIME_LIMIT["value"])
    assert photo_check["is_valid"] is False and photo_check["message"].endswith(".")
    assert "\n" not in photo_check["message"] and "Traceback" not in photo_check["message"]
    assert all(s["is_valid"] for s in settings)


def test_tiny_photo_and_bad_settings_are_refused(tmp_path):
    tiny = tmp_path / "tiny.png"
    Image.new("RGB", (2, 2)).save(tiny)
    checks = app.validate_inputs(str(tiny), 10**6, 123, -1, 10**6)
    assert [c["is_valid"] for c in checks] == [False] * 5
    assert all(c["message"].endswith(".") for c in checks)
    assert app.validate_inputs(None, 100, app.DEFAULT_SIZE, 0, 10)[0]["message"].startswith("Upload a photo")


def test_untouched_controls_add_nothing_to_the_plain_painting():
    assert app.guidance_options() == {}
    assert app.guidance_options(None, 3.0, True, None, 0, app.MAX_RADIUS, 0, 1, "Photo's average", "#123456", 0,
                                0, app.MAX_LENGTH) == {}


def test_controls_become_painter_options():
    layer = np.zeros((40, 60, 4), np.uint8)
    layer[10:20, 5:25, 3] = 255  # a brushed patch
    editor = {"background": np.zeros((40, 60, 4), np.uint8), "layers": [layer], "composite": None}
    options = app.guidance_options(PHOTO, 2.5, False, editor, 2, 8, 0.2, 0.9, "Custom", "rgba(255, 0, 16, 1)", 6, 10, 80)
    mask = options.pop("detail_mask")
    assert mask.shape == (40, 60) and mask[15, 10] == 255 and mask[30, 40] == 0
    style = options.pop("style")  # decoded once, here
    assert style.size == Image.open(PHOTO).size and style.mode == "RGB"
    assert options == dict(style_strength=2.5, colour_transfer=False, brush_size=(2, 8), pressure=(0.2, 0.9),
                           stroke_length=(10, 80), background=(1.0, 0.0, 16 / 255), palette=6)
    assert app.guidance_options(background="White") == {"background": "white"}
    empty = dict(editor, layers=[np.zeros((40, 60, 4), np.uint8)])
    assert app.guidance_options(detail=empty) == {}  # an untouched mask editor is no mask


@pytest.mark.parametrize("bad", [dict(min_radius=9, max_radius=3), dict(low_pressure=-0.5),
                                 dict(palette=2.5), dict(palette=1000), dict(background="Custom", background_colour="red-ish"),
                                 dict(style=__file__), dict(style=PHOTO, style_strength=11)])
def test_bad_controls_are_refused_in_one_sentence(bad):
    with pytest.raises(app.PainterError) as error:
        app.guidance_options(**bad)
    message = str(error.value)
    assert message.endswith(".") and "\n" not in message
    names = list(bad)
    checks = app.validate_inputs(PHOTO, 100, app.DEFAULT_SIZE, 0, 10,
                                 *[bad.get(n, d) for n, d in zip(app.GUIDANCE, DEFAULT_GUIDANCE)])
    flagged = [name for name, c in zip(["photo", "strokes", "size", "seed", "time_limit", *app.GUIDANCE], checks)
               if not c["is_valid"]]
    assert set(names) & set(flagged)


DEFAULT_GUIDANCE = (None, 1.0, True, None, 0, app.MAX_RADIUS, 0.0, 1.0, "Photo's average", "#ffffff", 0, 0, app.MAX_LENGTH)


def test_gpu_duration_follows_the_time_limit():
    assert app.gpu_duration(request(time_limit=20), "/tmp") == 20 + app.EXPORT_SECONDS
    assert app.gpu_duration(request(time_limit=app.TIME_LIMIT["maximum"])) == (app.TIME_LIMIT["maximum"]
                                                                                 + app.EXPORT_SECONDS)


@pytest.fixture(scope="module")
def client():
    _, url, _ = app.demo.launch(prevent_thread_lock=True, quiet=True, **app.LAUNCH_OPTIONS)
    try:
        yield gradio_client.Client(url, verbose=False)
    finally:
        app.demo.close()


def test_paint_endpoint_streams_frames_and_files(client):
    job = client.submit(gradio_client.handle_file(PHOTO), FAST["strokes"], FAST["size"], FAST["seed"],
                        FAST["time_limit"], api_name="/paint")
    updates = list(job)
    frames = [u for u in updates if u[0] and u[4] is None]
    assert len(frames) >= 2
    canvas, status, (before, after), video, files = job.outputs()[-1]
    assert status.startswith("Done")
    assert Image.open(canvas).size == Image.open(after).size == Image.open(before).size
    assert sorted(Path(f).suffix for f in files) == [".gif", ".json", ".mp4", ".ora", ".png", ".svg"]
    for f in files:
        assert Path(f).stat().st_size > 0
        if f.endswith((".png", ".gif")):
            Image.open(f).verify()
    assert Path(video["video"] if isinstance(video, dict) else video).exists()


def test_paint_endpoint_honours_style_palette_and_background(client):
    style = gradio_client.handle_file(app.STYLE_EXAMPLES[0])
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
        client.predict(gradio_client.handle_file(str(bad)), 100, app.DEFAULT_SIZE, 0, 10, api_name="/paint")
    assert "photo" in str(error.value) and "cannot be decoded" in str(error.value)
