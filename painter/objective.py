"""What the painter minimises: likeness to the photo, plus style where a style image is given.

An objective is prepared once per target (`objective.prepare(target)` computes whatever depends
on the photo, e.g. its VGG features) and returns `loss(canvas)`; the painter prepares each
level's target once and the photo at working size once, so nothing is keyed by a tensor's address.

- `PixelObjective`: pixel L1 + a structure (SSIM) term, the objective where no trained network
  can be had (chosen by measurement, see README);
- `FeatureObjective`: L1 between VGG activations of canvas and photo, plus a pixel L1 anchor;
- `StyledObjective`: a likeness objective plus a weighted style loss (painter/style.py).
"""

from __future__ import annotations

import warnings
from typing import Callable

import torch
import torch.nn.functional as F

from .vgg import WEIGHTS_ENV, VGGFeatures, find_vgg_state_dict

FALLBACK_NOTICE = ("VGG16 ImageNet weights are not available here (no --vgg-weights, no ${env}, "
                   "nothing in torch hub's cache, no download); painting with the fallback "
                   "objective (pixel L1 + SSIM) instead.")

Loss = Callable[[torch.Tensor], torch.Tensor]


class Objective:
    """`prepare(target) -> loss(canvas)`; `objective(canvas, target)` for a one-off comparison."""

    kind = "objective"
    source = None  # where a network's weights came from, for the run's report

    def prepare(self, target: torch.Tensor) -> Loss:
        raise NotImplementedError

    def __call__(self, canvas: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return self.prepare(target)(canvas)


class PixelObjective(Objective):
    """pixel L1 + `ssim_weight` x (1 - SSIM)."""

    kind = "fallback"

    def __init__(self, pixel_weight: float = 1.0, ssim_weight: float = 0.5):
        self.pixel_weight = pixel_weight
        self.ssim_weight = ssim_weight

    def prepare(self, target: torch.Tensor) -> Loss:
        def loss(canvas):
            value = self.pixel_weight * (canvas - target).abs().mean()
            if self.ssim_weight:
                value = value + self.ssim_weight * (1 - ssim(canvas, target))
            return value

        return loss


class FeatureObjective(Objective):
    """Feature L1 on VGG activations at up to `side` px on the long side, plus a pixel L1 anchor."""

    kind = "vgg"

    def __init__(self, network: VGGFeatures, pixel_weight: float = 1.0, feature_weight: float = 0.1,
                 side: int = 256):
        self.network = network
        self.pixel_weight = pixel_weight
        self.feature_weight = feature_weight
        self.side = side

    def _network_input(self, image):
        h, w = image.shape[-2:]
        scale = self.side / max(h, w)
        if scale < 1:
            size = (max(16, round(h * scale)), max(16, round(w * scale)))
            image = F.interpolate(image, size=size, mode="bilinear", align_corners=False, antialias=True)
        return image

    def prepare(self, target: torch.Tensor) -> Loss:
        with torch.no_grad():
            target_features = self.network(self._network_input(target))

        def loss(canvas):
            value = self.pixel_weight * (canvas - target).abs().mean()
            features = self.network(self._network_input(canvas))
            return value + self.feature_weight * feature_loss(features, target_features)

        return loss


class StyledObjective(Objective):
    """A likeness objective plus `weight` x a style loss, which depends on the canvas alone."""

    def __init__(self, likeness: Objective, style: Loss, weight: float):
        self.likeness = likeness
        self.style = style
        self.weight = weight
        self.kind = likeness.kind

    def prepare(self, target: torch.Tensor) -> Loss:
        likeness = self.likeness.prepare(target)
        return lambda canvas: likeness(canvas) + self.weight * self.style(canvas)


def feature_loss(features_a, features_b, weights=None) -> torch.Tensor:
    """Mean L1 between activations, layer by layer, weighted."""
    weights = weights or [1.0] * len(features_a)
    return sum(w * (a - b).abs().mean() for w, a, b in zip(weights, features_a, features_b))


def _box_mean(x: torch.Tensor, window: int) -> torch.Tensor:
    """Mean over a `window` x `window` box, zero padded (sums of shifted views: fast forward and backward)."""
    h, w = x.shape[-2:]
    r = window // 2
    p = F.pad(x, (r, r, r, r))
    rows = sum(p[..., i:i + w] for i in range(window))
    return sum(rows[..., i:i + h, :] for i in range(window)) / (window * window)


def ssim(a: torch.Tensor, b: torch.Tensor, window: int = 7) -> torch.Tensor:
    """Mean SSIM of (1, C, H, W) images in [0, 1] over `window`-px boxes (skimage's default window)."""
    c = a.shape[1]
    blurred = _box_mean(torch.cat([a, b, a * a, b * b, a * b], dim=1), window)
    mu_a, mu_b, aa, bb, ab = blurred.split(c, dim=1)
    var_a = aa - mu_a ** 2
    var_b = bb - mu_b ** 2
    cov = ab - mu_a * mu_b
    c1, c2 = 0.01 ** 2, 0.03 ** 2
    s = ((2 * mu_a * mu_b + c1) * (2 * cov + c2)) / ((mu_a ** 2 + mu_b ** 2 + c1) * (var_a + var_b + c2))
    r = window // 2
    return s[..., r:-r or None, r:-r or None].mean() if min(a.shape[-2:]) > 2 * window else s.mean()


def make_objective(vgg_weights=None, device="cpu", objective: str = "auto", quiet: bool = False,
                   allow_download: bool | None = None) -> Objective:
    """The painter's likeness objective: VGG16 features with real weights where they can be had, else pixels.

    objective: "auto" (VGG if the weights can be had, else fallback), "vgg" (the same, but a
    missing file is reported), "fallback", or "vgg-untrained" (feature loss on a randomly
    initialised VGG16, kept for measurement).
    """
    if objective == "fallback":
        return PixelObjective()
    if objective == "vgg-untrained":
        return FeatureObjective(VGGFeatures(None).to(device))
    state, source = find_vgg_state_dict(vgg_weights, allow_download=allow_download)
    if state is None:
        if not quiet:  # the warnings registry shows it once per process
            warnings.warn(FALLBACK_NOTICE.replace("${env}", "$" + WEIGHTS_ENV), stacklevel=2)
        result = PixelObjective()
    else:
        result = FeatureObjective(VGGFeatures(state).to(device))
    result.source = source
    return result
