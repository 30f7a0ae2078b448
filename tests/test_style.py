"""Style and guidance: a style image pulls the painting toward its statistics, strength 0 is the plain
painting, a detail mask moves strokes into it, and bad styles or masks are refused in one sentence."""

import io
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from painter import Painter, PainterError
from painter.style import STYLE_LAYERS, StyleLoss, colour_transfer
from painter.vgg import VGGFeatures

from painter_helpers import brush, photo

STYLES = Path(__file__).resolve().parents[1] / "examples" / "styles"


@pytest.fixture(scope="module")
def painter():
    return Painter(brush=brush(), objective="pixel")


@pytest.fixture(scope="module")
def style():
    return Image.open(STYLES / "great_wave.jpg").convert("RGB")


def run(painter, **kw):
    kw.setdefault("strokes", 30)
    kw.setdefault("size", 64)
    kw.setdefault("iterations", 6)
    return list(painter.paint(photo(), **kw))[-1]


def tensor(image):
    return torch.from_numpy(np.asarray(image, np.float32) / 255).permute(2, 0, 1)[None]


def gram_distance(painter, canvas, style):
    loss = StyleLoss(painter.style_network, tensor(style), canvas.shape[:2], side=64)
    with torch.no_grad():
        return float(loss(tensor(canvas)))


def test_strength_zero_is_the_plain_painting(painter, style):
    plain = run(painter, seed=5)
    zero = run(painter, seed=5, style=style, style_strength=0, colour_transfer=True)
    np.testing.assert_array_equal(plain.canvas, zero.canvas)
    assert plain.painting.strokes == zero.painting.strokes


def test_style_lowers_the_gram_distance_to_the_style(painter, style):
    plain = run(painter)
    styled = run(painter, style=style, style_strength=2)
    before, after = gram_distance(painter, plain.canvas, style), gram_distance(painter, styled.canvas, style)
    assert after < 0.75 * before
    assert len(styled.painting.strokes) == 30


def test_colour_transfer_moves_the_colours_to_the_style():
    image = tensor(photo())
    swatch = torch.zeros(1, 3, 16, 16)
    swatch[:, 2] = torch.linspace(0.3, 0.9, 16).view(1, 16, 1)  # shades of blue
    moved = colour_transfer(image, swatch)
    assert torch.allclose(moved.mean(dim=(2, 3)), swatch.mean(dim=(2, 3)), atol=0.02)
    assert float(moved[:, :2].max()) < 0.05  # no red or green left
    # Light and dark stay where they were.
    corr = np.corrcoef(image.mean(1).flatten(), moved.mean(1).flatten())[0, 1]
    assert abs(corr) > 0.3


def inside(stroke, mask) -> bool:
    """Whether the stroke's centre (midway from start to end) lies in the mask."""
    h, w = mask.shape
    x, y = (stroke.start[0] + stroke.end[0]) / 2, (stroke.start[1] + stroke.end[1]) / 2
    return bool(mask[min(h - 1, max(0, int(y))), min(w - 1, max(0, int(x)))])


def left_mask(width=96, height=64):
    mask = np.zeros((height, width), np.uint8)
    mask[:, : width // 4] = 255
    return mask


def test_detail_mask_moves_strokes_into_it(painter):
    mask = left_mask()
    region = np.asarray(Image.fromarray(mask).resize((64, 43))) > 127
    plain = run(painter, strokes=60).painting
    guided = run(painter, strokes=60, detail_mask=mask).painting
    assert len(guided.strokes) == 60
    count = [sum(inside(s, region) for s in p.strokes) for p in (plain, guided)]
    assert count[1] > count[0] + 5
    # Finer inside than outside.
    radii_in = [s.radius for s in guided.strokes if inside(s, region)]
    radii_out = [s.radius for s in guided.strokes if not inside(s, region)]
    assert np.median(radii_in) < np.median(radii_out)


def test_a_mask_of_another_size_is_resized_and_a_blank_one_changes_nothing(painter):
    small = Image.fromarray(left_mask()).resize((48, 32))
    guided = run(painter, detail_mask=small, seed=2)
    same = run(painter, detail_mask=left_mask(), seed=2)
    assert len(guided.painting.strokes) == 30
    plain = run(painter, seed=2)
    # The small mask, scaled up, paints as the full-size one: its edges differ by a pixel's
    # interpolation, so the canvases agree closely (not bitwise) and far more than with no mask.
    def difference(a, b):
        return np.abs(a.canvas.astype(np.float64) - b.canvas.astype(np.float64)).mean()

    assert difference(guided, same) < 0.1 * difference(same, plain)
    region = np.asarray(Image.fromarray(left_mask()).resize((64, 43))) > 127
    assert abs(sum(inside(s, region) for s in guided.painting.strokes)
               - sum(inside(s, region) for s in same.painting.strokes)) <= 1
    for blank in (np.zeros((64, 96), np.uint8), np.full((64, 96, 3), 255, np.uint8)):
        np.testing.assert_array_equal(run(painter, detail_mask=blank, seed=2).canvas, plain.canvas)


def test_a_sketch_layer_counts_only_where_painted(painter):
    """An editor's transparent layer: the unpainted (transparent) part is not detail."""
    layer = np.zeros((64, 96, 4), np.uint8)
    layer[:, :24] = (255, 0, 0, 255)  # a red scribble over the left quarter
    buffer = io.BytesIO()
    Image.fromarray(layer, "RGBA").save(buffer, format="PNG")
    expected = run(painter, detail_mask=left_mask(), seed=1).canvas
    for source in (layer, buffer.getvalue(), Image.fromarray(layer, "RGBA")):
        np.testing.assert_array_equal(run(painter, detail_mask=source, seed=1).canvas, expected)


@pytest.mark.parametrize("kind", ["aspect", "garbage", "empty", "missing"])
def test_bad_masks_are_refused_in_one_sentence(painter, tmp_path, kind):
    source = {"aspect": np.zeros((64, 64), np.uint8), "garbage": b"not an image at all",
              "empty": b"", "missing": str(tmp_path / "nothing.png")}[kind]
    with pytest.raises(PainterError) as error:
        painter.paint(photo(), strokes=10, size=64, detail_mask=source)
    assert "\n" not in str(error.value) and "mask" in str(error.value)


@pytest.mark.parametrize("settings", [
    dict(style=b"not an image"), dict(style="missing-style.png"), dict(style_strength=-1),
    dict(style_strength=11), dict(style_strength=float("nan")), dict(colour_transfer="yes"),
    dict(labels=np.zeros((64, 96), np.uint8))])
def test_bad_style_settings_are_refused(painter, style, settings):
    kw = dict(settings)
    if "style" not in kw and "labels" not in kw:
        kw["style"] = style
    with pytest.raises(PainterError) as error:
        painter.paint(photo(), strokes=10, size=64, **kw)
    assert "\n" not in str(error.value)


def two_regions(width, height, vertical=True):
    """A label mask: black on the first half, blue on the second (left/right or top/bottom)."""
    labels = np.zeros((height, width, 3), np.uint8)
    if vertical:
        labels[:, width // 2:] = (0, 0, 255)
    else:
        labels[height // 2:] = (0, 0, 255)
    return labels


def test_region_grams_match_each_region_to_its_own_style(painter):
    """Per-region Gram matrices, each normalised by its area: a canvas with the style's regions in the
    right places is far nearer than the same canvas mirrored, which a global Gram cannot tell apart."""
    from painter.masks import load_labels

    style = np.zeros((64, 64, 3), np.uint8)
    style[:32, :, 0], style[32:, :, 2] = 230, 220  # red above, blue below
    right = np.zeros((40, 64, 3), np.uint8)
    right[:, :32, 0], right[:, 32:, 2] = 230, 220  # red left, blue right
    canvas_regions, _ = load_labels(two_regions(64, 40), (64, 40))
    style_regions, _ = load_labels(two_regions(64, 64, vertical=False), (64, 64))
    regions = (torch.from_numpy(canvas_regions), torch.from_numpy(style_regions))
    network = VGGFeatures(None, STYLE_LAYERS, seed=0)  # the arithmetic of regions, whatever the network
    per_region = StyleLoss(network, tensor(style), (40, 64), side=64, regions=regions)
    whole = StyleLoss(network, tensor(style), (40, 64), side=64)
    mirrored = right[:, ::-1].copy()
    with torch.no_grad():
        wrong_way = float(per_region(tensor(mirrored)))
        assert float(per_region(tensor(right))) < 0.5 * wrong_way
        assert max(float(whole(tensor(right))), float(whole(tensor(mirrored)))) < 0.2 * wrong_way


def test_per_region_style_paints_and_refuses_unmatched_labels(painter, style):
    final = run(painter, style=style, labels=two_regions(96, 64), style_labels=two_regions(384, 384, vertical=False))
    assert len(final.painting.strokes) == 30
    other = np.zeros((384, 384, 3), np.uint8)
    other[:] = (0, 255, 0)
    smooth = np.repeat(np.linspace(0, 255, 96, dtype=np.uint8)[None], 64, axis=0)
    for settings in (dict(labels=two_regions(96, 64), style_labels=other), dict(labels=two_regions(96, 64)),
                     dict(labels=smooth, style_labels=two_regions(384, 384))):
        with pytest.raises(PainterError) as error:
            painter.paint(photo(), strokes=10, size=64, style=style, **settings)
        assert "\n" not in str(error.value)


def test_with_a_trained_objective_the_style_uses_the_same_trained_network(style):
    """The style loss looks through the objective's network, ImageNet-trained (VGG19 here)."""
    with_vgg = Painter(brush=brush(), objective="vgg19")
    assert with_vgg.style_network.arch == "vgg19" and with_vgg.style_network.caffe
    assert Painter(brush=brush(), objective="pixel").style_network.arch == "vgg19"  # a trained one where there is one
    final = list(with_vgg.paint(photo(), strokes=12, size=48, iterations=3, style=style))[-1]
    assert len(final.painting.strokes) == 12
