"""The feature network: torchvision's VGG16, frozen, and where its ImageNet weights come from.

VGG16 is torchvision's `vgg16(weights=VGG16_Weights.IMAGENET1K_V1)`, in eval mode, cut after
the deepest layer used. Its weights come from, in order: the path the user gives
(`vgg_weights=` / `--vgg-weights`), $NEURAL_PAINTER_VGG_WEIGHTS, torch hub's cache
(`<torch hub dir>/checkpoints/vgg16-397923af.pth`), or a download where the network allows it.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch
from torch import nn

WEIGHTS_ENV = "NEURAL_PAINTER_VGG_WEIGHTS"
OFFLINE_ENVS = ("NEURAL_PAINTER_OFFLINE", "HF_HUB_OFFLINE", "TORCH_HUB_OFFLINE")
WEIGHTS_FILE = "vgg16-397923af.pth"  # torchvision's IMAGENET1K_V1 file name
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
# Layer name -> index of its ReLU in vgg16().features.
LAYERS = {"relu1_2": 3, "relu2_2": 8, "relu3_3": 15, "relu4_3": 22, "relu5_3": 29}
DEFAULT_LAYERS = ("relu1_2", "relu2_2", "relu3_3")


class VGGWeightsError(ValueError):
    """A weights file was named but cannot be used as VGG16 weights."""


def hub_cache_path() -> Path:
    return Path(torch.hub.get_dir()) / "checkpoints" / WEIGHTS_FILE


def offline() -> bool:
    """Whether the user asked for no downloads (any of `OFFLINE_ENVS` set to a true value)."""
    return any(os.environ.get(name, "").strip() not in ("", "0", "false", "False") for name in OFFLINE_ENVS)


def _load_state_dict(path) -> dict:
    try:
        state = torch.load(str(path), map_location="cpu", weights_only=True)
    except Exception as error:  # noqa: BLE001 - any unreadable file is the same sentence
        raise VGGWeightsError(f"The VGG16 weights file {path} cannot be read ({type(error).__name__}).") from None
    if isinstance(state, dict) and "state_dict" in state and isinstance(state["state_dict"], dict):
        state = state["state_dict"]
    if not isinstance(state, dict) or "features.0.weight" not in state:
        raise VGGWeightsError(f"The file {path} does not hold torchvision VGG16 weights.")
    return state


def find_vgg_state_dict(path=None, allow_download: bool | None = None):
    """VGG16 ImageNet weights as a state dict, and where they came from; (None, reason) if unavailable.

    A path that is given explicitly (argument or environment) must work: a bad one raises
    `VGGWeightsError`. The cache and the download are tried quietly.
    """
    explicit = path or os.environ.get(WEIGHTS_ENV)
    if explicit:
        if not Path(explicit).is_file():
            raise VGGWeightsError(f"The VGG16 weights file {explicit} does not exist.")
        return _load_state_dict(explicit), str(explicit)
    cached = hub_cache_path()
    if cached.is_file():
        try:
            return _load_state_dict(cached), str(cached)
        except VGGWeightsError:
            pass
    if allow_download is None:
        allow_download = not offline()
    if allow_download:
        from .network import network_allows

        if network_allows():
            try:
                from torchvision.models import VGG16_Weights, vgg16

                model = vgg16(weights=VGG16_Weights.IMAGENET1K_V1, progress=False)
                return model.state_dict(), "download"
            except Exception:  # noqa: BLE001 - no network, proxy, disk: all mean "not available"
                pass
    return None, "unavailable"


class VGGFeatures(nn.Module):
    """Frozen VGG16 up to the deepest requested layer; input RGB in [0, 1], ImageNet-normalised inside."""

    def __init__(self, state_dict: dict | None = None, layers=DEFAULT_LAYERS, seed: int = 0):
        super().__init__()
        from torchvision.models import vgg16

        unknown = [name for name in layers if name not in LAYERS]
        if unknown:
            raise ValueError(f"unknown VGG16 layers {unknown}; known: {sorted(LAYERS)}")
        with torch.random.fork_rng():
            torch.manual_seed(seed)  # an untrained network is the same network every time
            model = vgg16()
        if state_dict is not None:
            model.load_state_dict(state_dict)
        self.indices = [LAYERS[name] for name in layers]
        self.layers = tuple(layers)
        self.features = model.features[: max(self.indices) + 1]
        for module in self.features:
            if isinstance(module, nn.ReLU):
                module.inplace = False
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(IMAGENET_STD).view(1, 3, 1, 1))
        self.eval()
        self.requires_grad_(False)

    def forward(self, image: torch.Tensor) -> list[torch.Tensor]:
        x = (image - self.mean) / self.std
        out = []
        for index, module in enumerate(self.features):
            x = module(x)
            if index in self.indices:
                out.append(x)
        return out
