"""The neural brush: shapes, ranges, checkpoints (strict, local folder and Hub cache), freezing."""

from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file, save_file

from painter.brush import CHECKPOINT_ENV, DEFAULT_CHECKPOINT, Brush


@pytest.fixture(scope="module")
def brush():
    torch.manual_seed(0)
    return Brush()


def test_shapes_and_range(brush):
    actions = torch.rand(5, 12)
    alpha = brush.eval()(actions)
    assert alpha.shape == (5, 1, 64, 64)
    assert alpha.min() >= 0 and alpha.max() <= 1
    assert brush(torch.rand(0, 12)).shape == (0, 1, 64, 64)


def test_colour_does_not_change_coverage(brush):
    actions = torch.rand(3, 12)
    recoloured = actions.clone()
    recoloured[:, 6:9] = torch.rand(3, 3)
    assert torch.equal(brush.eval()(actions), brush(recoloured))


def test_bad_actions_are_refused(brush):
    with pytest.raises(ValueError, match="shape"):
        brush(torch.rand(4, 9))


def test_bad_architecture_is_refused():
    with pytest.raises(ValueError, match="64 px"):
        Brush(base=8, channels=(32, 16))


def test_round_trip_is_exact_and_strict(brush, tmp_path):
    brush.save_pretrained(tmp_path)
    assert {"model.safetensors", "config.json"} <= {p.name for p in tmp_path.iterdir()}
    loaded = Brush.from_pretrained(tmp_path, strict=True).freeze()
    actions = torch.rand(4, 12)
    assert torch.allclose(loaded(actions), brush.eval()(actions))
    weights = load_file(tmp_path / "model.safetensors")
    weights["extra.weight"] = torch.zeros(1)
    save_file(weights, tmp_path / "model.safetensors")
    with pytest.raises(RuntimeError, match="extra"):
        Brush.from_pretrained(tmp_path, strict=True)


def test_config_travels_with_the_weights(tmp_path):
    Brush(hidden=64, base=8, channels=(16, 8, 4)).save_pretrained(tmp_path)
    loaded = Brush.load(tmp_path)
    assert (loaded.config.hidden, loaded.config.base, loaded.config.channels) == (64, 8, (16, 8, 4))
    assert loaded(torch.rand(2, 12)).shape == (2, 1, 64, 64)


def test_load_from_a_hub_repo_id_through_the_cache(brush, tmp_path):
    """The Hub path, offline: a repo id resolves from the Hub cache's layout without a download."""
    snapshot = tmp_path / "models--someone--brush" / "snapshots" / ("0" * 40)
    snapshot.mkdir(parents=True)
    brush.save_pretrained(snapshot)
    (tmp_path / "models--someone--brush" / "refs").mkdir()
    (tmp_path / "models--someone--brush" / "refs" / "main").write_text("0" * 40)
    loaded = Brush.from_pretrained("someone/brush", cache_dir=tmp_path, local_files_only=True, strict=True)
    actions = torch.rand(2, 12)
    assert torch.allclose(loaded.eval()(actions), brush.eval()(actions))


def test_load_from_the_environment(brush, tmp_path, monkeypatch):
    brush.save_pretrained(tmp_path / "mine")
    monkeypatch.setenv(CHECKPOINT_ENV, str(tmp_path / "mine"))
    loaded = Brush.load()
    assert not loaded.training
    assert torch.allclose(loaded(torch.zeros(1, 12)), brush.eval()(torch.zeros(1, 12)))


def test_frozen_brush_passes_gradient_to_actions_only():
    brush = Brush().freeze()
    actions = torch.rand(8, 12, requires_grad=True)
    brush(actions).mean().backward()
    assert all(p.grad is None and not p.requires_grad for p in brush.parameters())
    assert actions.grad is not None and actions.grad[:, :6].abs().sum() > 0
    assert actions.grad[:, 6:9].abs().sum() == 0   # colour is not the brush's business


def test_shipped_checkpoint():
    folder = Path(DEFAULT_CHECKPOINT)
    if not (folder / "model.safetensors").exists():
        pytest.skip("no shipped checkpoint yet")
    assert (folder / "model.safetensors").stat().st_size < 10 * 1024 * 1024
    assert (folder / "README.md").exists()
    brush = Brush.load(folder)
    alpha = brush(torch.tensor([[0.8, 0.5, 0.5, 0.5, 0.8, 0.8, 0.2, 0.3, 0.4, 0.2, 0.2, 0.8]]))
    assert alpha.shape == (1, 1, 64, 64) and 0.02 < alpha.mean() < 0.5   # a visible stroke, not a blank


def test_a_config_without_newer_keys_loads_as_the_brush_it_was(tmp_path):
    import json
    Brush(hidden=64).save_pretrained(tmp_path)
    config = json.loads((tmp_path / "config.json").read_text())
    del config["guide_channels"]                 # a checkpoint saved before the key existed
    (tmp_path / "config.json").write_text(json.dumps(config))
    assert Brush.from_pretrained(tmp_path, strict=True).config.guide_channels == 3


def test_pressure_and_speed_channels(tmp_path):
    brush = Brush(hidden=64, guide_channels=5)
    brush.save_pretrained(tmp_path)
    loaded = Brush.load(tmp_path)
    assert loaded.config.guide_channels == 5
    actions = torch.rand(3, 12)
    guide = loaded.centre_line(actions)
    assert guide.shape == (3, 5, 32, 32) and torch.isfinite(guide).all()
    assert guide[:, 3].min() >= 0 and guide[:, 3].max() <= 1      # pressure, between its ends
    with pytest.raises(ValueError, match="guide_channels"):
        Brush(guide_channels=4)


def test_bfloat16_paints_the_same_strokes_and_gradients():
    """The painter's bfloat16 brush (on a CPU that computes it natively) draws what float32 draws,
    to the eye: coverage within a few hundredths at worst, gradients pointing the same way."""
    import copy

    full = Brush.load(DEFAULT_CHECKPOINT)
    half = copy.deepcopy(full)
    half.bfloat16 = True
    actions = torch.rand(64, 12, generator=torch.Generator().manual_seed(1))
    grads = []
    for brush in (full, half):
        a = actions.clone().requires_grad_(True)
        coverage = brush(a)
        (coverage * torch.linspace(0, 1, 64 * 64).view(1, 1, 64, 64)).sum().backward()
        grads.append((coverage.detach(), a.grad))
    (c32, g32), (c16, g16) = grads
    assert c16.dtype == torch.float32
    assert (c32 - c16).abs().max() < 0.05 and (c32 - c16).abs().mean() < 1e-3
    cosine = torch.nn.functional.cosine_similarity(g32.flatten(), g16.flatten(), dim=0)
    assert cosine > 0.99


def test_the_painter_runs_bfloat16_only_where_it_is_faster(monkeypatch):
    from painter import Painter
    from painter.brush import bfloat16_is_faster

    assert not bfloat16_is_faster("cuda")
    monkeypatch.setattr(torch.ops.mkldnn, "_is_mkldnn_bf16_supported", lambda: False)
    assert not bfloat16_is_faster("cpu")
    assert not Painter(objective="pixel").brush.bfloat16
    monkeypatch.setattr(torch.ops.mkldnn, "_is_mkldnn_bf16_supported", lambda: True)
    assert bfloat16_is_faster("cpu") and Painter(objective="pixel").brush.bfloat16
    assert not Painter(objective="pixel", bfloat16=False).brush.bfloat16


def test_the_dab_guide_finds_mypaints_dabs_and_starts_as_the_brush_it_is_added_to(tmp_path):
    """The dabs MyPaint paints for a stroke at stream 0, its random scatter included, are where the guide puts
    them; a brush with a new guide paints as the brush without one; the guide and its random pairs travel
    with the weights."""
    pytest.importorskip("painter.mypaint")
    from painter.dabs import dab_settings
    from painter.mypaint import record_dabs
    from painter.stroke import Stroke

    settings = dab_settings("classic/charcoal")
    assert settings == dict(per_radius=5.0, scatter=(1.6, -1.4), per_second=0.0, ratio=1.0, angle=90.0, size=640)
    plain = Brush(hidden=64, guide_channels=5, mypaint="classic/charcoal")
    guided = Brush(hidden=64, guide_channels=5, mypaint="classic/charcoal", dabs=5.0, dab_scatter=settings["scatter"])
    guided.load_state_dict({**guided.state_dict(), **plain.state_dict()})
    guided.dab_guide.read("classic/charcoal")
    actions = torch.tensor([[0.7, 0.6, 0.45, 0.35, 0.8, 0.7, 0.2, 0.3, 0.4, 0.15, 0.2, 0.5],
                            [0.3, 0.9, 0.6, 0.6, 0.2, 0.8, 0.5, 0.5, 0.5, 0.8, 0.1, 0.9]])
    assert torch.allclose(guided.eval()(actions), plain.eval()(actions), atol=1e-6)
    centres, _, painted = guided.dab_guide.centres(actions)
    for action, found, mask in zip(actions, centres, painted):
        real = record_dabs(Stroke.from_action(action.numpy()), brush="classic/charcoal")
        n = min(len(real), int(mask.sum()))
        assert n > 10 and (found[:n] - torch.from_numpy(real[:n, :2])).norm(dim=1).max() < 0.2
    # the splatted dabs are blurred at each of BLUR_PX as a Gaussian convolution of that width blurs them
    from painter.dabs import BLUR_PX, BLUR_REACH
    splats = guided.dab_guide.splat(actions)
    assert splats[:, 0].sum() > 10 and (splats[:, 1] <= splats[:, 0] + 1e-6).all()  # pressure weighs at most 1
    x = torch.arange(-BLUR_REACH, BLUR_REACH + 1, dtype=torch.float32)
    blurred = guided.dab_guide.blur(splats)
    for k, sigma in enumerate(BLUR_PX):
        kernel = torch.exp(-x ** 2 / (2 * sigma ** 2))
        kernel = (kernel / kernel.sum()).repeat(2, 1)
        expected = torch.nn.functional.conv2d(splats, kernel[:, None, None, :], padding=(0, BLUR_REACH), groups=2)
        expected = torch.nn.functional.conv2d(expected, kernel[:, None, :, None], padding=(BLUR_REACH, 0), groups=2)
        assert torch.allclose(blurred[:, k::len(BLUR_PX)], expected, atol=1e-5)
    guided.save_pretrained(tmp_path)
    loaded = Brush.load(tmp_path)
    assert loaded.config.dabs == 5.0 and torch.equal(loaded.dab_guide.table, guided.dab_guide.table)
    assert torch.equal(loaded(actions), guided.eval()(actions))


def test_the_dab_guide_finds_the_ink_blots_timed_dabs():
    """The ink blot paints 15 dabs a second besides 3.32 a radius: the guide puts the dabs where MyPaint
    paints them, as many as MyPaint paints."""
    pytest.importorskip("painter.mypaint")
    from painter.dabs import DabGuide, dab_settings
    from painter.mypaint import record_dabs
    from painter.stroke import Stroke

    settings = dab_settings("classic/ink_blot")
    assert (settings["per_radius"], settings["per_second"]) == (3.32, 15.0)
    guide = DabGuide(**settings).read("classic/ink_blot")
    actions = torch.tensor([[0.7, 0.7, 0.45, 0.35, 0.8, 0.7, 0.2, 0.3, 0.4, 0.15, 0.2, 0.5],
                            [0.3, 0.9, 0.6, 0.6, 0.2, 0.8, 0.5, 0.5, 0.5, 0.8, 0.1, 0.9]])
    centres, _, painted = guide.centres(actions)
    for action, found, mask in zip(actions, centres, painted):
        real = record_dabs(Stroke.from_action(action.numpy()), brush="classic/ink_blot")
        n = int(mask.sum())
        assert n > 40 and abs(n - len(real)) <= 1  # a count that left out the time would be 30 short
        n = min(n, len(real))
        assert (found[:n] - torch.from_numpy(real[:n, :2])).norm(dim=1).max() < 0.5


def test_the_dab_guide_finds_short_grass_dabs_spaced_across_their_turned_ellipses():
    """Short grass paints tall ellipses, each turned by its own random angle, and MyPaint measures the step
    to the next dab across the ellipse: a horizontal stroke lays dabs nearly four times as close as a vertical
    one. The guide puts them where MyPaint paints them; spaced as round dabs, they would be far off."""
    pytest.importorskip("painter.mypaint")
    from painter.dabs import DabGuide, dab_settings
    from painter.mypaint import record_dabs
    from painter.stroke import Stroke

    settings = dab_settings("classic/short_grass")
    assert settings["ratio"] == pytest.approx(3.91) and settings["size"] == 1280
    guide = DabGuide(**settings).read("classic/short_grass")
    round_guide = DabGuide(**{**settings, "ratio": 1.0}).read("classic/short_grass")
    actions = torch.tensor([[0.5, 0.6, 0.5, 0.5, 0.9, 0.5, 0.2, 0.3, 0.4, 0.1, 0.5, 0.5],     # across
                            [0.5, 0.6, 0.5, 0.5, 0.5, 0.9, 0.2, 0.3, 0.4, 0.5, 0.1, 0.5],     # down
                            [0.3, 0.5, 0.6, 0.3, 0.2, 0.8, 0.5, 0.5, 0.5, 0.8, 0.1, 0.9]])
    found, counts = [], []
    for g in (guide, round_guide):
        centres, _, painted = g.centres(actions)
        errors = []
        for action, place, mask in zip(actions, centres, painted):
            real = record_dabs(Stroke.from_action(action.numpy()), brush="classic/short_grass")
            n = min(int(mask.sum()), len(real))
            errors.append((place[:n] - torch.from_numpy(real[:n, :2])).norm(dim=1))
            counts.append((int(mask.sum()), len(real)))
        found.append(torch.cat(errors))
    (across, across_real), (down, down_real) = counts[:2]
    assert across_real > 2.5 * down_real and abs(across - across_real) <= 15 and abs(down - down_real) <= 15
    assert found[0].median() < 0.5 and found[0].quantile(0.95) < 2.0
    assert found[1].median() > 5.0
