"""Style: a Gram-matrix loss toward a style image (Gatys et al.), per region where labels are given,
and an optional colour transfer of the photo toward the style's palette.

The network is VGG16 with ImageNet weights where those can be had; elsewhere the untrained,
seeded VGG16 (random filters also capture texture statistics: Ustyuzhaninov et al., 2016). Each
layer's Gram distance is divided by the squared norm of the style's Gram matrix, so that layers
count alike and one style weight serves both networks, whose activations differ in scale by
orders of magnitude.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from .vgg import VGGFeatures

STYLE_LAYERS = ("relu1_2", "relu2_2", "relu3_3")


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


def _resize(image: torch.Tensor, size) -> torch.Tensor:
    if tuple(image.shape[-2:]) == tuple(size):
        return image
    shrink = size[0] < image.shape[-2] or size[1] < image.shape[-1]
    return F.interpolate(image, size=size, mode="bilinear", align_corners=False, antialias=shrink)


def side_size(height: int, width: int, side: int) -> tuple[int, int]:
    """(h, w) with the long side `side` (never upscaled), keeping the aspect ratio."""
    scale = min(1.0, side / max(height, width))
    return max(16, round(height * scale)), max(16, round(width * scale))


class StyleLoss:
    """`loss(canvas)`: the Gram distance of the canvas to the style, on `network`'s activations.

    The canvas is looked at with `side` px on its long side, the style image at the same pixel
    count (so that a brushstroke spans as many feature pixels in both). With `regions`, a pair of
    (R, H, W) masks for the canvas and the style, region r of the canvas matches region r of the
    style, each Gram matrix normalised by its region's area (fast neural doodle, Ulyanov 2016).
    """

    def __init__(self, network: VGGFeatures, style: torch.Tensor, canvas_shape, side: int = 128,
                 regions: tuple[torch.Tensor, torch.Tensor] | None = None):
        self.network = network
        self.size = side_size(*canvas_shape, side)
        area = self.size[0] * self.size[1]
        sh, sw = style.shape[-2:]
        k = (area / (sh * sw)) ** 0.5
        style_size = (max(16, round(sh * k)), max(16, round(sw * k)))
        self.regions = None
        with torch.no_grad():
            features = network(_resize(style, style_size))
            if regions is None:
                self.targets = [gram(f) for f in features]
            else:
                canvas_masks, style_masks = regions
                self.regions = canvas_masks[:, None].float()  # (R, 1, H, W)
                share = self.regions.flatten(1).mean(1)
                self.region_weights = share / share.sum().clamp_min(1e-12)
                smask = _resize(style_masks[:, None].float(), style_size)
                self.targets = [gram(f.expand(len(smask), -1, -1, -1), smask) for f in features]
            self.norms = [t.pow(2).sum(dim=(-2, -1)).clamp_min(1e-20) for t in self.targets]

    def __call__(self, canvas: torch.Tensor) -> torch.Tensor:
        features = self.network(_resize(canvas, self.size))
        loss = canvas.new_zeros(())
        for f, target, norm in zip(features, self.targets, self.norms):
            if self.regions is None:
                loss = loss + (gram(f) - target).pow(2).sum() / norm.sum()
            else:
                g = gram(f.expand(len(self.regions), -1, -1, -1), _resize(self.regions, f.shape[-2:]))
                distance = (g - target).pow(2).sum(dim=(-2, -1)) / norm
                loss = loss + (self.region_weights * distance).sum()
        return loss / len(self.targets)


def colour_transfer(image: torch.Tensor, style: torch.Tensor) -> torch.Tensor:
    """The image's colours moved onto the style's: mean and covariance matched in RGB.

    x' = C_s^(1/2) C_x^(-1/2) (x - mu_x) + mu_s (the linear colour transfer of Hertzmann 1998, as
    used for neural style by Gatys et al. 2017); light and dark stay where they were.
    """

    def stats(x):
        pixels = x[0].flatten(1).double()
        mean = pixels.mean(1, keepdim=True)
        centred = pixels - mean
        cov = centred @ centred.T / max(1, pixels.shape[1] - 1) + 1e-5 * torch.eye(3, dtype=torch.float64,
                                                                                         device=pixels.device)
        return mean, cov

    def power(matrix, p):
        values, vectors = torch.linalg.eigh(matrix)
        return vectors @ torch.diag(values.clamp_min(1e-10) ** p) @ vectors.T

    mu_x, cov_x = stats(image)
    mu_s, cov_s = stats(style.to(image.device))
    transform = power(cov_s, 0.5) @ power(cov_x, -0.5)
    pixels = image[0].flatten(1).double()
    moved = transform @ (pixels - mu_x) + mu_s
    return moved.clamp(0, 1).to(image.dtype).view_as(image)
