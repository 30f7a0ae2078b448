"""The painter's objective: VGG16 features (ImageNet weights) or, where those cannot be had, a fallback.

VGG16 is torchvision's `vgg16(weights=VGG16_Weights.IMAGENET1K_V1)`, frozen, in eval mode, cut
after the deepest layer used. Its weights come from, in order: the path the user gives
(`vgg_weights=` / `--vgg-weights`), $NEURAL_PAINTER_VGG_WEIGHTS, torch hub's cache
(`<torch hub dir>/checkpoints/vgg16-397923af.pth`), or a download where the network allows it.
Where none works the painter says so once, in one line, and paints with the fallback objective:
pixel L1 plus a structure (SSIM) term, chosen by measurement (see README).
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

WEIGHTS_ENV = "NEURAL_PAINTER_VGG_WEIGHTS"
OFFLINE_ENVS = ("NEURAL_PAINTER_OFFLINE", "HF_HUB_OFFLINE", "TORCH_HUB_OFFLINE")
WEIGHTS_FILE = "vgg16-397923af.pth"  # torchvision's IMAGENET1K_V1 file name
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
# Layer name -> index of its ReLU in vgg16().features.
LAYERS = {"relu1_2": 3, "relu2_2": 8, "relu3_3": 15, "relu4_3": 22, "relu5_3": 29}
DEFAULT_LAYERS = ("relu1_2", "relu2_2", "relu3_3")
FALLBACK_NOTICE = ("VGG16 ImageNet weights are not available here (no --vgg-weights, no ${env}, "
                   "nothing in torch hub's cache, no download); painting with the fallback "
                   "objective (pixel L1 + SSIM) instead.")

_warned = False


class VGGWeightsError(ValueError):
    """A weights file was named but cannot be used as VGG16 weights."""


def hub_cache_path() -> Path:
    return Path(torch.hub.get_dir()) / "checkpoints" / WEIGHTS_FILE


def _offline() -> bool:
    return any(os.environ.get(name, "").strip() not in ("", "0", "false", "False") for name in OFFLINE_ENVS)


def _network_allows() -> bool:
    from .network import network_allows

    return network_allows()


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
        allow_download = not _offline()
    if allow_download and _network_allows():
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


def feature_loss(features_a, features_b, weights=None) -> torch.Tensor:
    """Mean L1 between activations, layer by layer, weighted."""
    weights = weights or [1.0] * len(features_a)
    return sum(w * (a - b).abs().mean() for w, a, b in zip(weights, features_a, features_b))


def gram(features: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
    """Gram matrix (B, C, C) of (B, C, H, W) activations, normalised by the (masked) area."""
    b, c, h, w = features.shape
    if mask is not None:
        mask = F.interpolate(mask, size=(h, w), mode="bilinear", align_corners=False)
        features = features * mask
        area = mask.sum(dim=(1, 2, 3)).clamp_min(1.0).view(b, 1, 1)
    else:
        area = torch.full((b, 1, 1), float(h * w), device=features.device)
    f = features.reshape(b, c, h * w)
    return f @ f.transpose(1, 2) / (area * c)


def style_loss(features_a, features_b, weights=None) -> torch.Tensor:
    """Gatys style loss: MSE between Gram matrices, layer by layer."""
    weights = weights or [1.0] * len(features_a)
    return sum(w * F.mse_loss(gram(a), gram(b)) for w, a, b in zip(weights, features_a, features_b))


def box_blur(x: torch.Tensor, window: int) -> torch.Tensor:
    """Mean over a `window` x `window` box, zero padded (sums of shifted views: fast forward and backward)."""
    h, w = x.shape[-2:]
    r = window // 2
    p = F.pad(x, (r, r, r, r))
    rows = sum(p[..., i:i + w] for i in range(window))
    return sum(rows[..., i:i + h, :] for i in range(window)) / (window * window)


def ssim(a: torch.Tensor, b: torch.Tensor, window: int = 7) -> torch.Tensor:
    """Mean SSIM of (1, C, H, W) images in [0, 1] over `window`-px boxes (skimage's default window)."""
    c = a.shape[1]
    blurred = box_blur(torch.cat([a, b, a * a, b * b, a * b], dim=1), window)
    mu_a, mu_b, aa, bb, ab = blurred.split(c, dim=1)
    var_a = aa - mu_a ** 2
    var_b = bb - mu_b ** 2
    cov = ab - mu_a * mu_b
    c1, c2 = 0.01 ** 2, 0.03 ** 2
    s = ((2 * mu_a * mu_b + c1) * (2 * cov + c2)) / ((mu_a ** 2 + mu_b ** 2 + c1) * (var_a + var_b + c2))
    r = window // 2
    return s[..., r:-r or None, r:-r or None].mean() if min(a.shape[-2:]) > 2 * window else s.mean()


class Objective:
    """loss(canvas, target) for the optimiser; `prepare(target)` caches what depends on the photo.

    kind "vgg": feature L1 on VGG16 activations (ImageNet normalised) at up to `vgg_side` px on
    the long side, plus a pixel L1 anchor. kind "fallback": pixel L1 + `ssim_weight` x (1 - SSIM).
    """

    def __init__(self, kind: str, vgg: VGGFeatures | None = None, pixel_weight: float = 1.0,
                 ssim_weight: float = 0.5, feature_weight: float = 0.1, vgg_side: int = 256):
        self.kind = kind
        self.vgg = vgg
        self.pixel_weight = pixel_weight
        self.ssim_weight = ssim_weight
        self.feature_weight = feature_weight
        self.vgg_side = vgg_side
        self._target_key = None
        self._target_features = None

    def _vgg_input(self, image):
        h, w = image.shape[-2:]
        scale = self.vgg_side / max(h, w)
        if scale < 1:
            size = (max(16, round(h * scale)), max(16, round(w * scale)))
            image = F.interpolate(image, size=size, mode="bilinear", align_corners=False, antialias=True)
        return image

    def __call__(self, canvas: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        loss = self.pixel_weight * (canvas - target).abs().mean()
        if self.kind == "vgg":
            key = (target.data_ptr(), tuple(target.shape))
            if key != self._target_key:
                with torch.no_grad():
                    self._target_features = self.vgg(self._vgg_input(target))
                self._target_key = key
            loss = loss + self.feature_weight * feature_loss(self.vgg(self._vgg_input(canvas)),
                                                             self._target_features)
        elif self.ssim_weight:
            loss = loss + self.ssim_weight * (1 - ssim(canvas, target))
        return loss


def make_objective(vgg_weights=None, device="cpu", objective: str = "auto", quiet: bool = False,
                   allow_download: bool | None = None) -> Objective:
    """The painter's objective: VGG16 features with real weights where they can be had, else the fallback.

    objective: "auto" (VGG if the weights can be had, else fallback), "vgg" (the same, but a
    missing file is reported), "fallback", or "vgg-untrained" (feature loss on a randomly
    initialised VGG16, kept for measurement).
    """
    global _warned
    if objective == "fallback":
        return Objective("fallback")
    if objective == "vgg-untrained":
        return Objective("vgg", VGGFeatures(None).to(device))
    state, source = find_vgg_state_dict(vgg_weights, allow_download=allow_download)
    if state is None:
        if not quiet and not _warned:
            warnings.warn(FALLBACK_NOTICE.replace("${env}", "$" + WEIGHTS_ENV), stacklevel=2)
            _warned = True
        objective = Objective("fallback")
        objective.source = source
        return objective
    result = Objective("vgg", VGGFeatures(state).to(device))
    result.source = source
    return result
