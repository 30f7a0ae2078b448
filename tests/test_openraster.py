"""The OpenRaster export read back as another program would: zipfile, ElementTree and Pillow, and
layers composited here, not by the painter. Also the levels it is built from, in the strokes JSON.

A painting is made by hand (strokes over three levels), so no brush network is needed.
"""

import io
import json
import re
import warnings
import xml.etree.ElementTree as ET
import zipfile

import numpy as np
import pytest
from PIL import Image

from painter import Painting, PainterError, render_with_mypaint
from painter.mypaint import MyPaintMissing, brush_definition, library
from painter.painting import PaintingFileError, StrokeRecord
from painter.stroke import Stroke

try:
    library(), brush_definition()
except MyPaintMissing:
    pytest.skip("libmypaint is not installed", allow_module_level=True)

WIDTH, HEIGHT = 160, 120
BACKGROUND = (0.92, 0.86, 0.72)
LEVEL_CELLS = [60, 30, 15]           # px, coarse to fine
LEVEL_STROKES = [8, 16, 24]


def make_painting(levels=True) -> Painting:
    rng = np.random.default_rng(7)
    strokes, level_of = [], []
    for level, (cell, n) in enumerate(zip(LEVEL_CELLS, LEVEL_STROKES)):
        for _ in range(n):
            action = rng.random(12)
            action[[0, 11]] = 0.5 + 0.5 * action[[0, 11]]  # pressure enough to see every stroke
            origin = (rng.random() * (WIDTH - cell), rng.random() * (HEIGHT - cell))
            strokes.append(Stroke.from_action(action, origin=origin, scale=cell / 64))
            level_of.append(level)
    if not levels:
        return Painting(WIDTH, HEIGHT, BACKGROUND, strokes)
    return Painting(WIDTH, HEIGHT, BACKGROUND, strokes, levels=level_of, level_cells=list(LEVEL_CELLS))


def save(painting, path, size=None):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # e.g. a division by a transparent pixel's alpha
        return painting.save_ora(path, size)


class Ora:
    """An .ora file as an independent reader sees it."""

    def __init__(self, path):
        self.raw = open(path, "rb").read()
        self.zip = zipfile.ZipFile(io.BytesIO(self.raw))
        self.image = ET.fromstring(self.zip.read("stack.xml"))
        self.layers = list(self.image.find("stack"))  # topmost first

    def png(self, name) -> Image.Image:
        return Image.open(io.BytesIO(self.zip.read(name)))

    def rgba(self, layer) -> np.ndarray:
        image = self.png(layer.get("src"))
        assert image.mode == "RGBA"
        return np.asarray(image, np.float64) / 255

    def composite(self, layers=None) -> np.ndarray:
        """src-over of non-premultiplied layers, bottom to top, as the spec's compositing says."""
        layers = self.layers if layers is None else layers
        colour = np.zeros((int(self.image.get("h")), int(self.image.get("w")), 3))
        alpha = np.zeros(colour.shape[:2] + (1,))
        for layer in reversed(layers):
            rgba = self.rgba(layer)
            a, c = rgba[..., 3:], rgba[..., :3]
            out = a + alpha * (1 - a)
            colour = np.divide(a * c + alpha * colour * (1 - a), out, out=np.zeros_like(colour), where=out > 0)
            alpha = out
        return colour

    def merged(self) -> np.ndarray:
        image = self.png("mergedimage.png")
        assert image.mode in ("RGB", "RGBA")
        return np.asarray(image.convert("RGB"), np.float64) / 255


def pixels(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("RGB"), np.float64) / 255


@pytest.fixture(scope="module")
def painting():
    return make_painting()


@pytest.fixture(scope="module")
def ora(painting, tmp_path_factory):
    return Ora(save(painting, tmp_path_factory.mktemp("ora") / "painting.ora"))


def test_zip_is_an_openraster_file(ora):
    first = ora.zip.infolist()[0]
    assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
    assert ora.zip.read("mimetype") == b"image/openraster"
    # What file managers and `file` look for: the media type at a fixed offset of the file.
    assert ora.raw[30:54] == b"mimetypeimage/openraster"
    names = set(ora.zip.namelist())
    assert {"stack.xml", "mergedimage.png", "Thumbnails/thumbnail.png"} <= names
    assert ora.zip.testzip() is None


def test_stack_lists_levels_fine_to_coarse_over_the_background(ora):
    assert ora.image.tag == "image" and ora.image.get("version") == "0.0.5"
    assert (ora.image.get("w"), ora.image.get("h")) == (str(WIDTH), str(HEIGHT))
    # What MyPaint needs to show it as painted (tests/test_openraster_readers.py opens it there): blend
    # as stored, and keep to w x h rather than whole background tiles.
    mypaint = "{http://mypaint.org/ns/openraster}"
    assert (ora.image.get(mypaint + "eotf"), ora.image.get(mypaint + "frame-active")) == ("1.0", "true")
    names = [layer.get("name") for layer in ora.layers]
    assert names == ["level 3 of 3: 24 strokes, 15 px cells", "level 2 of 3: 16 strokes, 30 px cells",
                     "level 1 of 3: 8 strokes, 60 px cells", "background"]
    srcs = [layer.get("src") for layer in ora.layers]
    assert len(set(srcs)) == len(srcs)
    for layer in ora.layers:
        assert layer.get("src").startswith("data/") and layer.get("src") in ora.zip.namelist()
        assert (layer.get("x"), layer.get("y"), layer.get("opacity")) == ("0", "0", "1.0")
        assert layer.get("visibility") == "visible" and layer.get("composite-op") == "svg:src-over"
        assert ora.png(layer.get("src")).size == (WIDTH, HEIGHT)


def test_background_is_opaque_ground_and_levels_are_transparent_where_unpainted(ora):
    ground = ora.rgba(ora.layers[-1])
    np.testing.assert_allclose(ground[..., 3], 1.0)
    np.testing.assert_allclose(ground[..., :3], np.broadcast_to(BACKGROUND, ground[..., :3].shape), atol=1 / 255)
    for layer in ora.layers[:-1]:
        alpha = ora.rgba(layer)[..., 3]
        assert 0.02 < (alpha > 0).mean() < 0.95, layer.get("name")  # some paint, and see-through elsewhere
        assert ((alpha > 0) & (alpha < 1)).mean() > 0.01  # the dry brush's soft edges survive


def test_layers_composite_to_mergedimage_and_to_mypaints_render(ora, painting):
    composite, merged = ora.composite(), ora.merged()
    assert merged.shape == composite.shape
    assert np.abs(composite - merged).mean() < 2 / 255
    assert np.abs(merged - pixels(render_with_mypaint(painting))).mean() < 2 / 255
    # The strokes show: the painting is far from the bare ground.
    assert np.abs(merged - np.asarray(BACKGROUND)).mean() > 10 / 255


def test_each_layer_holds_its_own_levels_strokes(ora, painting):
    """Layer k over the ground looks like MyPaint's render of level k's strokes alone."""
    ground = ora.layers[-1]
    for k, layer in enumerate(reversed(ora.layers[:-1])):
        alone = Painting(WIDTH, HEIGHT, BACKGROUND, [s for s, lv in zip(painting.strokes, painting.levels) if lv == k])
        mine = ora.composite([layer, ground])
        assert np.abs(mine - pixels(render_with_mypaint(alone))).mean() < 2 / 255, layer.get("name")


def test_thumbnail_is_small_and_the_size_option_scales_everything(painting, tmp_path):
    ora = Ora(save(painting, tmp_path / "big.ora", size=400))
    assert (ora.image.get("w"), ora.image.get("h")) == ("400", "300")
    assert all(ora.png(layer.get("src")).size == (400, 300) for layer in ora.layers)
    assert ora.layers[0].get("name").endswith("38 px cells")  # 15 px cells, 2.5 times larger
    thumbnail = ora.png("Thumbnails/thumbnail.png")
    assert max(thumbnail.size) <= 256 and thumbnail.size == (256, 192)
    merged = ora.merged()
    assert np.abs(ora.composite() - merged).mean() < 2 / 255
    assert np.abs(merged - pixels(render_with_mypaint(painting, 400))).mean() < 2 / 255


def test_painting_without_levels_is_one_layer_over_the_background(tmp_path):
    painting = make_painting(levels=False)
    ora = Ora(save(painting, tmp_path / "flat.ora"))
    assert [layer.get("name") for layer in ora.layers] == ["strokes: 48", "background"]
    assert np.abs(ora.composite() - ora.merged()).mean() < 2 / 255
    assert np.abs(ora.merged() - pixels(render_with_mypaint(painting))).mean() < 2 / 255
    assert max(ora.png("Thumbnails/thumbnail.png").size) <= 256


def test_json_round_trip_keeps_levels(painting, tmp_path):
    path = painting.save_json(tmp_path / "p.json")
    data = json.loads(path.read_text())
    assert data["level_cells"] == LEVEL_CELLS
    assert [s["level"] for s in data["strokes"]] == painting.levels
    again = Painting.load_json(path)
    assert again.levels == painting.levels and again.level_cells == LEVEL_CELLS
    ora = Ora(save(again, tmp_path / "again.ora"))
    assert [layer.get("name") for layer in ora.layers][0] == "level 3 of 3: 24 strokes, 15 px cells"


def test_json_without_levels_has_no_level_keys(tmp_path):
    data = json.loads(make_painting(levels=False).save_json(tmp_path / "p.json").read_text())
    assert "level_cells" not in data
    assert all(set(s) == {"order", "start", "control", "end", "radius", "pressure", "colour"} for s in data["strokes"])
    assert Painting.load_json(tmp_path / "p.json").levels == []


def test_from_records_passes_levels_on():
    records = [StrokeRecord(np.full(12, 0.5), (0.0, 0.0), 1.0) for _ in range(3)]
    canvas = np.zeros((8, 8, 3), np.uint8)
    painting = Painting.from_records(records, 8, 8, (1, 1, 1), canvas, levels=[0, 1, 1], level_cells=[32, 16])
    assert painting.levels == [0, 1, 1] and painting.level_cells == [32, 16]
    assert Painting.from_records(records, 8, 8, (1, 1, 1), canvas).levels == []


@pytest.mark.parametrize("damage,message", [
    (lambda d: d["strokes"][0].update(level="coarse"), "level"),
    (lambda d: d["strokes"][0].update(level=-1), "level"),
    (lambda d: d["strokes"][0].pop("level"), "47 of 48"),
    (lambda d: d.update(level_cells="big"), "level_cells"),
    (lambda d: d.update(level_cells=[60, 30]), "level 2"),
])
def test_damaged_levels_are_one_sentence(painting, tmp_path, damage, message):
    data = painting.to_json()
    damage(data)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    with pytest.raises(PaintingFileError, match=message) as error:
        Painting.load_json(path)
    assert isinstance(error.value, PainterError) and "\n" not in str(error.value)
    assert re.fullmatch(r"[A-Z][^\n]*\.", str(error.value))


@pytest.mark.parametrize("name", ["missing/painting.ora", "painting.png", "painting"])
def test_bad_path_is_one_sentence(painting, tmp_path, name):
    path = tmp_path / name
    with pytest.raises(PaintingFileError) as error:
        painting.save_ora(path)
    assert re.fullmatch(r"[A-Z][^\n]*\.", str(error.value))
    assert not path.exists()


def test_a_painting_knows_its_levels_coarse_to_fine(tmp_path):
    from painter import Painter
    from painter_helpers import brush, photo

    painting = list(Painter(brush=brush(), objective="pixel").paint(photo(120, 80), strokes=90, size=120,
                                                                        iterations=4))[-1].painting
    assert len(painting.levels) == len(painting.strokes) == 90
    assert painting.levels == sorted(painting.levels)          # painted coarse to fine
    assert painting.level_cells == sorted(painting.level_cells, reverse=True)
    assert len(painting.level_cells) == max(painting.levels) + 1 >= 2
    ora = Ora(save(painting, tmp_path / "p.ora"))
    names = [layer.get("name") for layer in ora.layers]
    assert names[-1] == "background" and len(names) == len(set(painting.levels)) + 1
    assert sum(int(re.search(r": (\d+) stroke", n).group(1)) for n in names[:-1]) == 90
    again = Painting.load_json(painting.save_json(tmp_path / "p.json"))
    assert again.levels == painting.levels and again.level_cells == painting.level_cells
