"""A box of brushes: every shipped brush is listed, paints from the CLI, is named in the strokes
JSON and re-rendered by its own MyPaint brush; several brushes paint the levels coarse to fine;
the training pipeline takes any MyPaint brush that does not read the canvas."""

import json
import os
import zipfile

import numpy as np
import pytest
from PIL import Image

from painter.__main__ import main as painter_main
from painter.brush import Brush, shipped_brushes
from painter.mypaint import BrushRefused, Canvas, check_brush
from painter.painting import Painting
from painter.render import for_mypaint, render_size
from painter.run import spread
from training.__main__ import main as training_main

from painter_helpers import photo

BRUSHES = shipped_brushes()
NAMES = [b.name for b in BRUSHES]


@pytest.fixture(scope="module")
def photo_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("photo") / "photo.png"
    Image.fromarray(photo()).save(path)
    return path


def paint(tmp_path, photo_file, brush, *extra, strokes=30, size=64):
    out = tmp_path / "out.png"
    code = painter_main(["paint", str(photo_file), "-o", str(out), "--strokes", str(strokes), "--size", str(size),
                         "--quiet", "--brush", brush, "--json", str(tmp_path / "s.json"), *extra])
    assert code == 0
    return json.loads((tmp_path / "s.json").read_text())


def test_brushes_json_lists_at_least_four_shipped_brushes(capsys):
    assert painter_main(["brushes", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert len(listed) >= 4 and listed[0]["name"] == "dry_brush"
    assert len({b["mypaint"] for b in listed}) == len(listed)           # each a different MyPaint brush
    for entry in listed:
        assert set(entry) == {"name", "mypaint", "path"}
        assert Brush.load(entry["name"]).config.mypaint == entry["mypaint"] == check_brush(entry["mypaint"])
        assert os.path.getsize(os.path.join(entry["path"], "model.safetensors")) < 10e6
        card = open(os.path.join(entry["path"], "README.md")).read()
        assert f"`{entry['mypaint']}`" in card and "library_name: neural-painter" in card
        assert json.load(open(os.path.join(entry["path"], "svg.json")))["brush"] == entry["mypaint"]


@pytest.mark.parametrize("name", NAMES)
def test_the_cli_paints_with_each_brush_and_render_uses_it(tmp_path, photo_file, name):
    info = next(b for b in BRUSHES if b.name == name)
    data = paint(tmp_path, photo_file, name)
    assert data["brush"] == info.mypaint and "level_brushes" not in data
    assert painter_main(["render", str(tmp_path / "s.json"), "-o", str(tmp_path / "r.png"), "--size", "128"]) == 0
    rendered = np.asarray(Image.open(tmp_path / "r.png"), dtype=np.float32)
    painting = Painting.from_json(data)
    w, h, factor = render_size(painting, 128)
    with Canvas(w, h, info.mypaint) as canvas:   # the strokes painted by that MyPaint brush, by hand
        for stroke, scale in zip(painting.strokes, painting.layers(factor, with_scales=True)[0][1]):
            canvas.draw(for_mypaint(stroke, factor, info.mypaint), scale=scale[1])
        rgba = canvas.rgba()
    expected = (rgba[..., :3] + (1 - rgba[..., 3:]) * np.asarray(painting.background, np.float32)) * 255
    assert np.abs(rendered - expected).max() <= 1.0


@pytest.mark.parametrize("name", NAMES)
def test_the_painting_is_what_mypaint_paints_from_its_strokes_file(tmp_path, photo_file, name):
    """The PNG is MyPaint's painting of the strokes with the brush picked, so `painter render` of the
    strokes file at the painting's size paints it again (the file keeps coordinates to 1/1000 px,
    hence not bit for bit), and the brushes' grain is in it."""
    from skimage.metrics import peak_signal_noise_ratio

    paint(tmp_path, photo_file, name, strokes=40, size=96)
    assert painter_main(["render", str(tmp_path / "s.json"), "-o", str(tmp_path / "r.png"), "--size", "96"]) == 0
    shown, rendered = (np.asarray(Image.open(tmp_path / f)) for f in ("out.png", "r.png"))
    assert shown.shape == rendered.shape
    assert peak_signal_noise_ratio(shown, rendered, data_range=255) >= 40


def test_the_neural_canvas_shows_the_neural_brushes_average_stroke_instead(tmp_path, photo_file):
    """`--canvas neural`: each round is committed with the neural brush, so the PNG is its smooth average
    stroke, another picture than MyPaint's painting of the same strokes (charcoal's grain is not in it)."""
    from skimage.metrics import peak_signal_noise_ratio

    data = paint(tmp_path, photo_file, "charcoal", "--canvas", "neural", strokes=40, size=96)
    assert len(data["strokes"]) == 40
    assert painter_main(["render", str(tmp_path / "s.json"), "-o", str(tmp_path / "r.png"), "--size", "96"]) == 0
    shown, rendered = (np.asarray(Image.open(tmp_path / f)) for f in ("out.png", "r.png"))
    assert peak_signal_noise_ratio(shown, rendered, data_range=255) < 35


def test_mypaints_painting_is_what_every_frame_after_a_round_and_the_painting_show():
    from painter import Painter, render_with_mypaint

    frames = list(Painter(brush=Brush.load("charcoal")).paint(photo(), strokes=40, size=64, seed=1, previews=False,
                                                               frame_interval=0.0))
    painting = frames[-1].painting
    assert np.array_equal(np.asarray(painting.image), np.asarray(render_with_mypaint(painting)))
    assert np.array_equal(frames[-1].canvas, np.asarray(painting.image))
    # each frame between rounds shows MyPaint's canvas of the strokes so far, as the timelapse does
    middle = next(f for f in frames if 0 < f.strokes_painted < len(painting.strokes))
    so_far = Painting(painting.width, painting.height, painting.background, painting.strokes[:middle.strokes_painted],
                      levels=painting.levels[:middle.strokes_painted], level_cells=painting.level_cells,
                      brushes=painting.brushes)
    assert np.array_equal(middle.canvas, np.asarray(render_with_mypaint(so_far)))
    assert np.array_equal(painting.snapshots[-1][1], np.asarray(painting.image))


def test_another_brush_paints_another_picture(tmp_path, photo_file):
    first, other = BRUSHES[0], BRUSHES[1]
    a = paint(tmp_path, photo_file, first.name)
    b = paint(tmp_path, photo_file, other.name)
    assert a["strokes"] != b["strokes"]


def test_brushes_per_level_coarse_to_fine_in_json_layers_and_svg(tmp_path, photo_file):
    coarse, fine = BRUSHES[1], BRUSHES[0]
    data = paint(tmp_path, photo_file, f"{coarse.name},{fine.name}", "--ora", str(tmp_path / "s.ora"),
                 "--svg", str(tmp_path / "s.svg"), strokes=60, size=96)
    levels = data["level_brushes"]
    assert levels[0] == coarse.mypaint and levels[-1] == fine.mypaint
    painting = Painting.from_json(data)
    assert painting.stroke_brushes() == [levels[s["level"]] for s in data["strokes"]]
    # each OpenRaster layer is its level's strokes painted by that level's MyPaint brush
    with zipfile.ZipFile(tmp_path / "s.ora") as ora:
        stack = ora.read("stack.xml").decode()
        sources = [src for src in (part.split('"')[0] for part in stack.split('src="')[1:]) if "background" not in src]
        layers = {src: np.asarray(Image.open(ora.open(src)).convert("RGBA"))[..., 3] for src in sources}
    assert len(layers) == len(painting.layers())
    def layer(items, brush):
        with Canvas(painting.width, painting.height, brush) as canvas:
            for stroke, scale, _ in items:
                canvas.draw(for_mypaint(stroke, 1.0, brush), scale=scale)
            return canvas.rgba()[..., 3] * 255

    for (name, items), src in zip(painting.layers(with_scales=True), reversed(sources)):
        brushes = {brush for _, _, brush in items}
        assert len(brushes) == 1, name
        own = brushes.pop()
        other = next(b for b in (coarse.mypaint, fine.mypaint) if b != own)
        found = layers[src].astype(np.float32)   # (the JSON's strokes are rounded to 1/1000 px)
        assert np.abs(found - layer(items, own)).mean() < 0.2 * np.abs(found - layer(items, other)).mean(), name
    svg = (tmp_path / "s.svg").read_text()
    assert f'data-brush="{coarse.mypaint}"' in svg and f'data-brush="{fine.mypaint}"' in svg


def test_spread_gives_the_first_brush_the_coarsest_level_and_the_last_the_finest():
    assert spread(["a"], 4) == ["a"] * 4
    assert spread(["a", "b", "c"], 5) == ["a", "b", "b", "c", "c"]
    assert spread(["a", "b", "c"], 2) == ["a", "c"]
    assert spread(["a", "b"], 1) == ["a"]


@pytest.mark.parametrize("brush, message", [
    ("nosuch", "There is no brush named 'nosuch'"),
    ("dry_brush,,dry_brush", "separated by single commas"),
    (",".join(["dry_brush"] * 9), "1 to 8 brushes"),
])
def test_a_bad_brush_is_one_sentence_before_any_painting(tmp_path, photo_file, capsys, brush, message):
    code = painter_main(["paint", str(photo_file), "-o", str(tmp_path / "o.png"), "--quiet", "--brush", brush])
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err and not (tmp_path / "o.png").exists()


def test_a_strokes_file_with_damaged_level_brushes_is_one_sentence(tmp_path, photo_file, capsys):
    data = paint(tmp_path, photo_file, "dry_brush", strokes=20)
    for damage in ("classic/dry_brush", [3], ["classic/dry_brush"] * (max(s["level"] for s in data["strokes"]))):
        (tmp_path / "bad.json").write_text(json.dumps({**data, "level_brushes": damage}))  # the last: a level short
        code = painter_main(["render", str(tmp_path / "bad.json"), "-o", str(tmp_path / "r.png")])
        err = capsys.readouterr().err
        assert code == 2 and "level_brushes" in err and "Traceback" not in err, damage
    (tmp_path / "bad.json").write_text(json.dumps({**data, "brush": "classic/nosuch"}))
    assert painter_main(["render", str(tmp_path / "bad.json"), "-o", str(tmp_path / "r.png")]) == 2
    err = capsys.readouterr().err
    assert "MyPaint has no brush named 'classic/nosuch'" in err and "Traceback" not in err


# ------------------------------------------------------------------------- training

@pytest.mark.parametrize("brush, setting", [("classic/smudge", "smudge"), ("classic/ink_eraser", "eraser")])
def test_brushes_that_read_the_canvas_are_refused_in_one_sentence(tmp_path, capsys, brush, setting):
    with pytest.raises(BrushRefused, match=setting):
        check_brush(brush)
    assert training_main(["data", "--brush", brush, "--strokes", "5", "--out", str(tmp_path / "d")]) == 2
    err = capsys.readouterr().err
    assert f"{brush} paints with {setting}" in err and "Traceback" not in err and not (tmp_path / "d").exists()


def test_an_unknown_mypaint_brush_is_one_sentence(tmp_path, capsys):
    assert training_main(["data", "--brush", "classic/nosuch", "--strokes", "5", "--out", str(tmp_path)]) == 2
    assert "MyPaint has no brush named 'classic/nosuch'" in capsys.readouterr().err


def test_the_pipeline_trains_another_mypaint_brush_and_names_it(tmp_path, capsys):
    data, out = tmp_path / "data", tmp_path / "out"
    assert training_main(["data", "--brush", "classic/knife", "--strokes", "300", "--out", str(data),
                          "--workers", "1"]) == 0
    assert json.loads((data / "dataset.json").read_text())["brush"] == "classic/knife"
    assert training_main(["train", "--tiny", "--data", str(data), "--out", str(out), "--no-progress",
                          "--val", "32", "--steps1", "10", "--steps2", "5", "--steps3", "5"]) == 0
    brush = out / "brush"
    assert json.loads((brush / "config.json").read_text())["mypaint"] == "classic/knife"
    assert "MyPaint's `classic/knife`" in (brush / "README.md").read_text()
    capsys.readouterr()
    assert training_main(["eval", "--checkpoint", str(out), "--strokes", "30", "--workers", "1", "--streams", "2"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["mypaint"] == "classic/knife"
    assert result["mypaint_other_stream_blurred_iou"] == 1.0   # the knife has no random scatter


def test_push_all_publishes_each_shipped_brush_to_its_own_repo(monkeypatch, capsys):
    uploads = {}
    monkeypatch.setattr("huggingface_hub.HfApi.create_repo", lambda self, repo_id, **kw: None)
    monkeypatch.setattr("huggingface_hub.HfApi.upload_folder", lambda self, repo_id, folder_path, **kw: uploads.update(
        {repo_id: json.loads((folder_path / "config.json").read_text())["mypaint"]}))
    assert training_main(["push", "--all", "--owner", "someone", "--token", "hf_test"]) == 0
    assert uploads == {f"someone/neural-painter-{b.name.replace('_', '-')}": b.mypaint for b in BRUSHES}
    assert capsys.readouterr().out.count("published: https://huggingface.co/someone/neural-painter-") == len(BRUSHES)


def test_the_api_takes_a_brush_by_name_or_loaded():
    from painter import Painter

    painter = Painter(objective="pixel")
    other = BRUSHES[1]
    for brush in (other.name, Brush.load(other.path)):
        *_, last = painter.paint(photo(64, 48), strokes=20, size=64, brush=brush)
        assert last.painting.brushes == [other.mypaint] * len(last.painting.level_cells)
        assert last.painting.to_json()["brush"] == other.mypaint
