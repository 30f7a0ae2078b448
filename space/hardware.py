"""The machine the Space runs on, and the settings its page allows there, as one frozen value."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

# On a GPU the painter works at up to the painting's size (painter/plan.py: choose_work_size).
GPU_LIMITS = dict(strokes=dict(minimum=100, maximum=10_000, value=3000, step=100), sizes=(512, 768, 1024, 1536, 2048),
                  default_size=1024, time_limit=dict(minimum=5, maximum=120, value=30, step=5))
# The free Space hardware is 2 CPU cores: a run (painting and files) stays under a minute.
CPU_LIMITS = dict(strokes=dict(minimum=50, maximum=1500, value=600, step=50), sizes=(256, 384, 512),
                  default_size=384, time_limit=dict(minimum=5, maximum=45, value=40, step=5))


@dataclass(frozen=True)
class Hardware:
    """Where the Space paints (`device`), how the page names it, and the page's sliders there."""

    device: str                 # "cuda" or "cpu"
    description: str            # e.g. "CPU: 2 cores, no GPU"
    strokes: dict = field(default_factory=lambda: dict(CPU_LIMITS["strokes"]))        # slider: minimum, maximum, value, step
    sizes: tuple = CPU_LIMITS["sizes"]                                                # the long sides offered, px
    default_size: int = CPU_LIMITS["default_size"]
    time_limit: dict = field(default_factory=lambda: dict(CPU_LIMITS["time_limit"]))  # slider, seconds

    @property
    def on_gpu(self) -> bool:
        return self.device == "cuda"


def cpu_description(cores: int, visible: int) -> str:
    text = f"{cores} core{'s' if cores != 1 else ''}"
    if visible > cores:
        text += f" (of {visible} visible: the container's CPU quota)"
    return f"CPU: {text}, no GPU"


def detect(spaces) -> Hardware:
    """This machine: ZeroGPU (the `spaces` package says so, or SPACES_ZERO_GPU), a GPU of its own, or the
    CPU with the cores torch paints with (painter.setup sets them to the container's quota)."""
    import torch

    from painter.cpus import visible_cpus

    config = getattr(getattr(spaces, "config", None), "Config", None)
    zero_gpu = bool(config and config.zero_gpu) or os.getenv("SPACES_ZERO_GPU", "").lower() in ("1", "true")
    if zero_gpu:
        return Hardware("cuda", "ZeroGPU (a GPU lent for each run)", **GPU_LIMITS)
    if torch.cuda.is_available():
        return Hardware("cuda", f"GPU: {torch.cuda.get_device_name(0)}", **GPU_LIMITS)
    return Hardware("cpu", cpu_description(torch.get_num_threads(), visible_cpus()), **CPU_LIMITS)
