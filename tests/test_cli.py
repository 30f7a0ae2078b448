"""The command line: paints and exports; bad input gets one sentence and exit code 2, no traceback."""

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from painter.__main__ import main

from painter_helpers import brush, photo

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def brush_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("brush")
    brush().save_pretrained(path)
    return str(path)


@pytest.fixture(scope="module")
def photo_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("photo") / "photo.png"
    Image.fromarray(photo()).save(path)
    return path


def paint(tmp_path, brush_dir, source, *extra):
    out = tmp_path / "out.png"
    code = main(["paint", str(source), "-o", str(out), "--strokes", "24", "--size", "48", "--quiet",
                 "--brush", brush_dir, *extra])
    return code, out


def test_paint_writes_every_export(tmp_path, brush_dir, photo_file):
    code, out = paint(tmp_path, brush_dir, photo_file, "--json", str(tmp_path / "s.json"),
                      "--svg", str(tmp_path / "s.svg"), "--timelapse", str(tmp_path / "t.gif"),
                      "--ora", str(tmp_path / "s.ora"))
    assert code == 0
    assert Image.open(out).size == (48, 32)
    assert len(json.loads((tmp_path / "s.json").read_text())["strokes"]) == 24
    assert (tmp_path / "s.svg").read_text().startswith("<svg")
    with zipfile.ZipFile(tmp_path / "s.ora") as ora:
        assert ora.namelist()[0] == "mimetype" and "mergedimage.png" in ora.namelist()
    assert Image.open(tmp_path / "t.gif").n_frames > 2


def test_render_re_renders_a_saved_painting(tmp_path, brush_dir, photo_file):
    pytest.importorskip("painter.mypaint")
    code, _ = paint(tmp_path, brush_dir, photo_file, "--json", str(tmp_path / "s.json"))
    assert code == 0
    code = main(["render", str(tmp_path / "s.json"), "-o", str(tmp_path / "big.png"), "--size", "200"])
    if code == 2:
        pytest.skip("libmypaint is not installed")
    assert code == 0 and Image.open(tmp_path / "big.png").size == (200, 133)


def odd(kind, tmp_path):
    rgb = Image.fromarray(photo())
    path = tmp_path / f"odd_{kind}.png"
    if kind == "grayscale":
        rgb.convert("L").save(path)
    elif kind == "palette":
        rgb.convert("P").save(path)
    elif kind == "rgba":
        rgb.convert("RGBA").save(path)
    elif kind == "cmyk":
        path = path.with_suffix(".jpg")
        rgb.convert("CMYK").save(path)
    elif kind == "16bit":
        Image.fromarray((np.asarray(rgb.convert("L"), np.uint16) * 257)).save(path)
    elif kind == "exif":
        path = path.with_suffix(".jpg")
        exif = Image.Exif()
        exif[0x0112] = 6  # rotate 90 degrees: the painting comes out portrait
        rgb.save(path, exif=exif)
    elif kind == "animated":
        path = path.with_suffix(".gif")
        rgb.save(path, save_all=True, append_images=[rgb.transpose(Image.FLIP_LEFT_RIGHT)], duration=100)
    return path


@pytest.mark.parametrize("kind", ["grayscale", "palette", "rgba", "cmyk", "16bit", "exif", "animated"])
def test_odd_photos_are_painted_as_a_viewer_shows_them(tmp_path, brush_dir, kind):
    code, out = paint(tmp_path, brush_dir, odd(kind, tmp_path))
    assert code == 0
    assert Image.open(out).size == ((32, 48) if kind == "exif" else (48, 32))


def bad(kind, tmp_path):
    path = tmp_path / f"bad_{kind}.png"
    if kind == "text":
        path.write_text("this is not an image")
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "corrupt":
        buffer = io.BytesIO()
        Image.fromarray(photo()).save(buffer, format="PNG")
        path.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    elif kind == "tiny":
        Image.new("RGB", (1, 1)).save(path)
    elif kind == "bomb":
        Image.new("1", (9000, 9000)).save(path)
    elif kind == "missing":
        path = tmp_path / "nothing_here.png"
    return path


@pytest.mark.parametrize("kind", ["text", "empty", "corrupt", "tiny", "bomb", "missing"])
def test_bad_photos_exit_2_with_one_sentence(tmp_path, brush_dir, capsys, kind):
    code, out = paint(tmp_path, brush_dir, bad(kind, tmp_path))
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and not out.exists()
    assert len(err) == 1 and err[0].startswith("error:") and "Traceback" not in err[0]


@pytest.mark.parametrize("args", [["--strokes", "0"], ["--strokes", "-5"], ["--size", "3"], ["--size", "999999"],
                                  ["--seed", "-1"], ["--time-limit", "0"], ["--time-limit", "nan"],
                                  ["--device", "tpu"], ["--strokes", "many"]])
def test_settings_out_of_range_exit_2(tmp_path, brush_dir, photo_file, capsys, args):
    code = None
    try:
        code, _ = paint(tmp_path, brush_dir, photo_file, *args)
    except SystemExit as exit:
        code = exit.code
    assert code == 2
    assert "Traceback" not in capsys.readouterr().err


def test_bad_output_names_exit_2(tmp_path, brush_dir, photo_file, capsys):
    assert main(["paint", str(photo_file), "-o", str(tmp_path / "x.jpg"), "--brush", brush_dir]) == 2
    assert main(["paint", str(photo_file), "-o", str(tmp_path / "no" / "x.png"), "--brush", brush_dir]) == 2
    assert main(["paint", str(photo_file), "-o", str(tmp_path / "x.png"), "--timelapse", str(tmp_path / "t.avi"),
                 "--brush", brush_dir]) == 2


def test_render_of_a_bad_file_exits_2(tmp_path, capsys):
    path = tmp_path / "bad.json"
    path.write_text("{}")
    assert main(["render", str(path), "-o", str(tmp_path / "o.png")]) == 2
    assert main(["render", str(tmp_path / "missing.json"), "-o", str(tmp_path / "o.png")]) == 2


def test_a_real_process_gives_one_line_and_exit_2(tmp_path):
    path = bad("text", tmp_path)
    result = subprocess.run([sys.executable, "-m", "painter", "paint", str(path), "-o", str(tmp_path / "o.png")],
                            cwd=ROOT, capture_output=True, text=True, timeout=60,
                            env={**os.environ, "NEURAL_PAINTER_OFFLINE": "1"})
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


STYLE = ROOT / "examples" / "styles" / "great_wave.jpg"


def test_style_guidance_and_controls_from_the_command_line(tmp_path, brush_dir, photo_file):
    import math

    mask = tmp_path / "mask.png"
    detail = np.zeros((64, 96), np.uint8)
    detail[:, :30] = 255
    Image.fromarray(detail).resize((48, 32)).save(mask)  # another size, same shape: resized
    code, out = paint(tmp_path, brush_dir, photo_file, "--style", str(STYLE), "--style-strength", "1.5",
                      "--colour-transfer", "--detail-mask", str(mask), "--brush-size", "0.8", "2.5",
                      "--pressure", "0.3", "0.9", "--background", "#203040", "--palette", "5",
                      "--stroke-length", "3", "12", "--json", str(tmp_path / "s.json"))
    assert code == 0 and Image.open(out).size == (48, 32)
    data = json.loads((tmp_path / "s.json").read_text())
    strokes = data["strokes"]
    assert len(strokes) == 24 and len({tuple(s["colour"]) for s in strokes}) <= 5
    assert all(0.8 <= s["radius"] <= 2.5 and 3 <= math.dist(s["start"], s["end"]) <= 12 for s in strokes)
    assert all(0.24 <= p <= 0.72 for s in strokes for p in s["pressure"])
    assert np.allclose(data["background"], (0x20 / 255, 0x30 / 255, 0x40 / 255))


def test_help_names_the_style_and_control_flags(capsys):
    with pytest.raises(SystemExit):
        main(["paint", "--help"])
    text = capsys.readouterr().out
    for flag in ("--style", "--style-strength", "--colour-transfer", "--detail-mask", "--labels", "--style-labels",
                 "--brush-size", "--pressure", "--background", "--palette", "--stroke-length"):
        assert flag in text


@pytest.mark.parametrize("args", [["--style-strength", "20"], ["--style-strength", "-1"], ["--palette", "0"],
                                  ["--palette", "99"], ["--brush-size", "3", "1"], ["--brush-size", "a", "b"],
                                  ["--pressure", "0", "2"], ["--stroke-length", "-1", "5"],
                                  ["--background", "purple"], ["--style", "no-such-style.png"],
                                  ["--detail-mask", "no-such-mask.png"], ["--detail-mask", "SQUARE"],
                                  ["--style", "TEXT"], ["--labels", "SQUARE"]])
def test_bad_style_or_control_values_exit_2_in_one_sentence(tmp_path, brush_dir, photo_file, capsys, args):
    square = tmp_path / "square.png"
    Image.new("L", (40, 40), 255).save(square)  # a mask drawn for another picture
    text = tmp_path / "text.png"
    text.write_text("not an image")
    args = [str(square) if a == "SQUARE" else str(text) if a == "TEXT" else a for a in args]
    if "--style-strength" in args or "--labels" in args:
        args = ["--style", str(STYLE), *args]
    code = None
    try:
        code, out = paint(tmp_path, brush_dir, photo_file, *args)
    except SystemExit as exit:
        code = exit.code
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert "Traceback" not in "\n".join(err)
    assert err[-1].endswith(".") and (len(err) == 1 or err[-1].startswith("python -m painter"))  # after argparse's usage


def test_a_photo_too_thin_to_paint_is_one_sentence_and_a_panorama_still_paints(tmp_path, brush_dir, capsys):
    """20000x200 at 48 px would be a 48x0 strip: refused in one sentence (painter/request.py MIN_SHORT_SIDE);
    a 6:1 panorama at 48 px (48x8, the minimum short side) paints."""
    from painter.request import MIN_SHORT_SIDE

    thin = tmp_path / "thin.png"
    Image.new("RGB", (20000, 200), (90, 140, 200)).save(thin)
    code, out = paint(tmp_path, brush_dir, thin)
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and not out.exists() and len(err) == 1
    assert "20000x200" in err[0] and f"at least {MIN_SHORT_SIDE}" in err[0] and err[0].endswith(".")
    wide = tmp_path / "wide.png"
    Image.fromarray(photo(96, 16)).save(wide)
    code, out = paint(tmp_path, brush_dir, wide)
    assert code == 0 and Image.open(out).size == (48, MIN_SHORT_SIDE)
