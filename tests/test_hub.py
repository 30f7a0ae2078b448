"""Where the app's brush and VGG16 come from: the Hub's cache laid out on disk, offline, as
huggingface_hub itself leaves it after a download (refs/main -> snapshots/<commit>/files)."""

import shutil

import pytest
import torch
from safetensors.torch import save_file

from painter_helpers import imitating_brush  # (also sets NEURAL_PAINTER_OFFLINE)

from painter.brush import DEFAULT_BRUSH, DEFAULT_CHECKPOINT, Brush, shipped_brushes
from painter import hub, vgg
from training.push import stage

COMMIT = "0123456789abcdef0123456789abcdef01234567"


def hub_snapshot(cache, repo_id: str, files: dict) -> object:
    """A model repo in a Hub cache folder, as `snapshot_download` leaves it; returns the snapshot folder."""
    repo = cache / ("models--" + repo_id.replace("/", "--"))
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(COMMIT)
    snapshot = repo / "snapshots" / COMMIT
    snapshot.mkdir(parents=True)
    for name, source in files.items():
        if isinstance(source, str):
            (snapshot / name).write_text(source)
        else:
            shutil.copy2(source, snapshot / name)
    return snapshot


def space_card(folder, *models) -> object:
    card = folder / "README.md"
    card.write_text("---\ntitle: t\nsdk: gradio\nmodels:\n" + "".join(f"- {m}\n" for m in models) + "---\n\n# t\n")
    return card


@pytest.fixture
def offline(monkeypatch):
    monkeypatch.setenv("NEURAL_PAINTER_OFFLINE", "1")
    monkeypatch.delenv("NEURAL_PAINTER_BRUSH", raising=False)


def test_the_card_names_the_brush_repo_and_the_shipped_card_names_one(tmp_path):
    card = space_card(tmp_path, vgg.VGG16_REPO, "someone/dry-brush")
    assert hub.card_brush_repos(card) == ["someone/dry-brush"]
    shipped = hub.card_brush_repos(hub.SPACE_CARD)
    assert shipped and vgg.VGG16_REPO not in shipped
    text = hub.SPACE_CARD.read_text()
    front = text.split("---")[1]
    assert "preload_from_hub" in front and vgg.VGG16_REPO in front and shipped[0] in front


def default_brush(card, cache_dir) -> tuple[str, str]:
    """Where the app's default brush comes from, and its one-line note (`find_brushes`, as the app reads it)."""
    sources, notes = hub.find_brushes(card, cache_dir=cache_dir)
    return sources[DEFAULT_BRUSH], notes[DEFAULT_BRUSH]


def test_unreachable_hub_falls_back_to_the_bundled_brush_with_one_line(tmp_path, offline):
    card = space_card(tmp_path, "someone/dry-brush")
    source, note = default_brush(card, tmp_path / "cache")
    assert source == DEFAULT_CHECKPOINT
    assert "\n" not in note and "someone/dry-brush" in note and "bundled" in note


def test_a_pushed_brush_in_the_hub_cache_is_used(tmp_path, offline):
    """What `python -m training push` stages (weights, config, its model card) is what the loader accepts."""
    (tmp_path / "staged").mkdir()
    staged = stage(DEFAULT_CHECKPOINT, tmp_path / "staged", "someone/dry-brush")
    cache = tmp_path / "cache"
    snapshot = hub_snapshot(cache, "someone/dry-brush", {p.name: p for p in staged.iterdir()})
    source, note = default_brush(space_card(tmp_path, "someone/dry-brush"), cache)
    assert source == str(snapshot) and "from the Hugging Face Hub" in note
    brush, sources, _ = hub.load_brushes("cpu", space_card(tmp_path, "someone/dry-brush"), cache_dir=cache)
    assert sources[DEFAULT_BRUSH] == str(snapshot)
    shipped = Brush.load(DEFAULT_CHECKPOINT)
    for a, b in zip(brush.state_dict().values(), shipped.state_dict().values()):
        assert torch.equal(a, b)


def test_a_repo_that_is_not_a_brush_is_refused(tmp_path, offline):
    files = {"model.safetensors": DEFAULT_CHECKPOINT + "/model.safetensors",
             "config.json": DEFAULT_CHECKPOINT + "/config.json",
             "README.md": "---\nlibrary_name: transformers\n---\n# a language model\n"}
    cache = tmp_path / "cache"
    hub_snapshot(cache, "someone/not-a-brush", files)
    source, note = default_brush(space_card(tmp_path, "someone/not-a-brush"), cache)
    assert source == DEFAULT_CHECKPOINT and "not a Neural Painter brush" in note


def test_the_environment_overrides_the_card(tmp_path, offline, monkeypatch):
    monkeypatch.setenv("NEURAL_PAINTER_BRUSH", DEFAULT_CHECKPOINT)
    source, note = default_brush(space_card(tmp_path, "someone/dry-brush"), tmp_path)
    assert source == DEFAULT_CHECKPOINT and "NEURAL_PAINTER_BRUSH" in note


def timm_vgg16(path, shapes=None):
    """A file laid out as the Hub's timm/vgg16.tv_in1k: torchvision's `features.*` keys, timm's head."""
    generator = torch.Generator().manual_seed(0)
    state = {key: torch.randn(shape, generator=generator) for key, shape in (shapes or vgg.conv_shapes("vgg16")).items()}
    state["pre_logits.fc1.weight"] = torch.zeros(8, 8)
    state["head.fc.weight"] = torch.zeros(10, 8)
    save_file(state, str(path))
    return {k: v for k, v in state.items() if k.startswith("features.")}


def brushes_folder(folder, **mypaint) -> object:
    """A checkpoints/brushes/ of the dry brush and a brush per `name=MyPaint name`."""
    for name, imitated in {"dry_brush": None, **mypaint}.items():
        imitating_brush(folder / name, imitated)
    return folder


def pushed(tmp_path, checkpoint, cache, repo_id) -> object:
    """What `python -m training push` would put in `repo_id`, as the Hub's cache holds it after a download."""
    staged = tmp_path / "staged" / repo_id.replace("/", "--")
    staged.mkdir(parents=True)
    stage(str(checkpoint), staged, repo_id)
    return hub_snapshot(cache, repo_id, {p.name: p for p in staged.iterdir()})


def test_each_repo_of_the_card_replaces_the_bundled_brush_it_imitates(tmp_path, offline):
    """A repo maps onto the bundled brush of the same MyPaint brush (whatever the repo is called); one
    that cannot be had leaves its bundled brush in use, with a one-line note naming it."""
    bundled = brushes_folder(tmp_path / "brushes", charcoal="classic/charcoal", knife="classic/knife")
    cache = tmp_path / "cache"
    dry = pushed(tmp_path, bundled / "dry_brush", cache, "someone/neural-painter-dry-brush")
    charcoal = pushed(tmp_path, bundled / "charcoal", cache, "someone/a-charcoal-copy")
    card = space_card(tmp_path, "someone/neural-painter-dry-brush", "someone/a-charcoal-copy",
                      "someone/neural-painter-knife", vgg.VGG16_REPO)
    sources, notes = hub.find_brushes(card, cache_dir=cache, directory=bundled)
    assert sources == {"dry_brush": str(dry), "charcoal": str(charcoal), "knife": str(bundled / "knife")}
    assert "someone/a-charcoal-copy from the Hugging Face Hub" in notes["charcoal"]
    assert "someone/neural-painter-knife" in notes["knife"] and "bundled" in notes["knife"]
    assert all("\n" not in note for note in notes.values()) and set(notes) == set(sources)
    assert Brush.load(sources["charcoal"]).config.mypaint == "classic/charcoal"


def test_a_repo_that_no_bundled_brush_matches_is_not_used(tmp_path, offline):
    bundled = brushes_folder(tmp_path / "brushes", charcoal="classic/charcoal")
    other = brushes_folder(tmp_path / "other", knife="classic/knife")
    cache = tmp_path / "cache"
    pushed(tmp_path, other / "knife", cache, "someone/neural-painter-knife")
    pushed(tmp_path, bundled / "charcoal", cache, "someone/neural-painter-charcoal")
    pushed(tmp_path, bundled / "charcoal", cache, "someone/charcoal-again")
    card = space_card(tmp_path, "someone/neural-painter-charcoal", "someone/neural-painter-knife",
                      "someone/charcoal-again")
    sources, notes = hub.find_brushes(card, cache_dir=cache, directory=bundled)
    assert sources["dry_brush"] == str(bundled / "dry_brush") and "charcoal-again" not in sources["charcoal"]
    assert "classic/knife, which no bundled brush does" in notes["someone/neural-painter-knife"]
    assert "someone/neural-painter-charcoal already gives the charcoal" in notes["someone/charcoal-again"]


def test_the_shipped_card_names_a_repo_for_every_shipped_brush():
    """The Space card lists OWNER/neural-painter-NAME for each brush in checkpoints/brushes/."""
    repos = hub.card_brush_repos(hub.SPACE_CARD)
    assert repos[0].endswith("neural-painter-dry-brush")  # the first: the default brush's
    for brush in shipped_brushes():
        assert any(r.split("/")[1] == hub.REPO_PREFIX + brush.name.replace("_", "-") for r in repos), brush.name
    assert len(set(repos)) == len(repos) and vgg.VGG16_REPO not in repos


def test_vgg16_comes_from_the_hub_cache_before_torchvision(tmp_path, offline, monkeypatch):
    import huggingface_hub.constants

    monkeypatch.delenv(vgg.WEIGHTS_ENV, raising=False)
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path / "torch"))  # nothing in torch hub's cache
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hf"))
    assert vgg.find_vgg_state_dict()[0] is None

    expected = timm_vgg16(tmp_path / "model.safetensors")
    hub_snapshot(tmp_path / "hf", vgg.VGG16_REPO, {vgg.VGG16_HUB_FILE: tmp_path / "model.safetensors"})
    state, source = vgg.find_vgg_state_dict()
    assert vgg.VGG16_REPO in source and state.keys() == expected.keys()
    assert all(torch.equal(state[k], expected[k]) for k in expected)
    network = vgg.load_network("vgg16", ("relu1_2",))
    assert torch.equal(network.features[0].weight, expected["features.0.weight"])


def test_a_hub_file_with_other_shapes_is_not_taken_for_vgg16(tmp_path, offline, monkeypatch):
    import huggingface_hub.constants

    monkeypatch.delenv(vgg.WEIGHTS_ENV, raising=False)
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path / "torch"))
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hf"))
    timm_vgg16(tmp_path / "model.safetensors", shapes=vgg.conv_shapes("vgg19"))
    hub_snapshot(tmp_path / "hf", vgg.VGG16_REPO, {vgg.VGG16_HUB_FILE: tmp_path / "model.safetensors"})
    assert vgg.find_vgg_state_dict() == (None, "unavailable")
