"""The neural brush: a generator from a 12-number action to the stroke's 64x64 coverage.

A differentiable stand-in for MyPaint (Nakano, "Neural Painters: A Learned Differentiable
Constraint for Generating Brushstroke Paintings", 2019): fully connected layers to a small
feature map, then transposed convolutions up to 64x64. Colour does not change a dry-brush
stroke's coverage, so the generator sees only the nine shape numbers; the painter takes the
colour straight from the action when it composites.

Sizes chosen by measurement on 2 CPU cores (benchmarks/brush_speed.py, training/train.py):
- start from a 16x16 map and end in a one-channel transposed convolution, so that no 64x64
  tensor is more than one channel deep: forward + backward at batch 256 costs about a third of
  an 8x8 start with an 8-channel 64x64 stage (1.2 ms per stroke), and the weights stay < 10 MB;
- the shape numbers enter with sin/cos features (Tancik et al., 2020), and the 32 px stage also
  gets the stroke's centre line (each pixel's distance to the Bezier curve, in cell widths and
  in brush radii, and where along the curve its nearest point lies). Without that prior the
  fully connected layers learn *where* a stroke lies slowly: after 400 steps of 128 strokes the
  plain generator's blurred IoU was 0.01, with it 0.19, and 0.65 after 500 steps of the real
  run. It is differentiable, so the painter's gradients move strokes towards where paint is due.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
from dataclasses import dataclass

import torch
from huggingface_hub import PyTorchModelHubMixin
from torch import nn

from .dabs import TABLE_SIZE, DabGuide
from .mypaint import BRUSH as DRY_BRUSH
from .stroke import (ACTION_SIZE, CELL_PX, COLOUR, CONTROL, CURVE_POINTS, END, END_PRESSURE, SIZE, START,
                     START_PRESSURE, bezier_points)

SHAPE_INDICES = [i for i in range(ACTION_SIZE) if i not in range(COLOUR.start, COLOUR.stop)]
# From the repository (the Space, the tests): checkpoints/brushes beside the package. Installed
# (`pip install .`): the same folders, shipped inside the package as painter/brushes (pyproject.toml).
_HERE = os.path.dirname(os.path.abspath(__file__))
BRUSHES_DIR = next((d for d in (os.path.join(os.path.dirname(_HERE), "checkpoints", "brushes"),
                                os.path.join(_HERE, "brushes")) if os.path.isdir(d)),
                   os.path.join(os.path.dirname(_HERE), "checkpoints", "brushes"))
DEFAULT_BRUSH = "dry_brush"
DEFAULT_CHECKPOINT = os.path.join(BRUSHES_DIR, DEFAULT_BRUSH)
CHECKPOINT_ENV = "NEURAL_PAINTER_BRUSH"


@dataclass(frozen=True)
class BrushInfo:
    """A brush shipped in checkpoints/brushes/: its name (the folder's), the MyPaint brush it imitates."""

    name: str
    mypaint: str
    path: str

    def to_json(self) -> dict:
        return {"name": self.name, "mypaint": self.mypaint, "path": self.path}


def imitated_brush(folder) -> str:
    """The MyPaint brush that the brush in `folder` imitates (its config.json's `mypaint`; a brush
    from before brushes were named imitates the dry brush)."""
    return _folder_config(folder).get("mypaint", DRY_BRUSH)


def _folder_config(folder) -> dict:
    with open(os.path.join(str(folder), "config.json")) as f:
        return json.load(f)


def has_dab_guide(brush) -> bool:
    """Whether `brush` (a loaded `Brush`, or a folder) sees MyPaint's dabs (painter/dabs.py), which costs
    more a stroke; a Hub repo id not yet downloaded: False."""
    if isinstance(brush, Brush):
        return brush.dab_guide is not None
    if not os.path.isfile(os.path.join(str(brush), "config.json")):
        return False
    return bool(_folder_config(brush).get("dabs", 0.0))


def shipped_brushes(directory: str = BRUSHES_DIR) -> list[BrushInfo]:
    """The brushes in `directory`, the default (the dry brush) first, then by name."""
    found = []
    for name in sorted(os.listdir(directory)) if os.path.isdir(directory) else ():
        folder = os.path.join(directory, name)
        if os.path.isfile(os.path.join(folder, "config.json")):
            found.append(BrushInfo(name, imitated_brush(folder), folder))
    return sorted(found, key=lambda b: (b.name != DEFAULT_BRUSH, b.name))


def brush_source(brush: str) -> str:
    """A shipped brush's folder for its name (`charcoal`) or its MyPaint name (`classic/charcoal`);
    a folder or a Hub repo id (OWNER/NAME) as given; a bare name that is neither raises ValueError."""
    shipped = shipped_brushes()
    for info in shipped:
        if brush in (info.name, info.mypaint):
            return info.path
    if "/" not in brush and not os.path.isdir(brush):
        raise ValueError(f"there is no brush named {brush!r}; the shipped ones are "
                         f"{', '.join(b.name for b in shipped)}, else give a folder or a Hub repo id (OWNER/NAME)")
    return brush


@dataclass
class BrushConfig:
    hidden: int = 256            # width of the fully connected layers
    base: int = 16               # side of the first feature map (16 -> 32 -> 64)
    channels: tuple = (32, 16)   # feature maps at 16 and 32 px; the last step goes to one 64 px channel
    fourier: int = 6             # sin/cos of each shape number at 1, 2, 4, ... 2^(fourier-1) cycles
    guide: int = 24              # curve points behind the centre-line channels (0: none)
    guide_channels: int = 3      # 3: distance (cell widths, brush radii) and place along the curve;
                                 # 5: also the pressure and the brush's speed at the nearest curve point
    mypaint: str = DRY_BRUSH     # the MyPaint brush (.myb name) it imitates, which re-renders its strokes
    dabs: float = 0.0            # MyPaint's dabs per radius along the curve, behind the dab guide (0: none)
    dab_scatter: tuple = (0.0, 0.0)  # the brush's offset_by_random at pressure 0, and its change to pressure 1
    dabs_per_second: float = 0.0     # MyPaint's dabs per second of the stroke's time, behind the dab guide
    dab_ratio: float = 1.0           # the elliptical ratio of MyPaint's dabs, which sets their spacing (1: round)
    dab_angle: float = 90.0          # the angle of their ellipse before MyPaint turns it at random, degrees
    dab_table: int = TABLE_SIZE      # dabs the guide knows by their index; a longer stroke's later dabs it leaves out


class Brush(nn.Module, PyTorchModelHubMixin,
            library_name="neural-painter", tags=["neural-painter", "brushstroke", "mypaint"]):
    """`brush(actions (N, 12) in [0, 1]) -> coverage (N, 1, 64, 64) in [0, 1]`.

    `bfloat16`: on the CPU, run the layers after the centre line in bfloat16 (the painter sets it
    where the CPU computes bfloat16 natively: `bfloat16_is_faster`); training and the default keep
    float32.
    """

    bfloat16 = False

    def __init__(self, hidden: int = 256, base: int = 16, channels=(32, 16), fourier: int = 6, guide: int = 24,
                 guide_channels: int = 3, mypaint: str = DRY_BRUSH, dabs: float = 0.0, dab_scatter=(0.0, 0.0),
                 dabs_per_second: float = 0.0, dab_ratio: float = 1.0, dab_angle: float = 90.0,
                 dab_table: int = TABLE_SIZE):
        super().__init__()
        if guide_channels not in (3, 5):
            raise ValueError(f"guide_channels is 3 or 5, not {guide_channels}")
        self.config = BrushConfig(hidden=hidden, base=base, channels=tuple(channels), fourier=fourier, guide=guide,
                                  guide_channels=guide_channels, mypaint=str(mypaint), dabs=float(dabs),
                                  dab_scatter=tuple(float(v) for v in dab_scatter),
                                  dabs_per_second=float(dabs_per_second), dab_ratio=float(dab_ratio),
                                  dab_angle=float(dab_angle), dab_table=int(dab_table))
        c = self.config
        self.dab_guide = (DabGuide(c.dabs, c.dab_scatter, c.dabs_per_second, c.dab_ratio, c.dab_angle, c.dab_table)
                          if dabs else None)
        widths = list(self.config.channels)
        if base * 2 ** len(widths) != CELL_PX:
            raise ValueError(f"base {base} with {len(widths)} upsampling steps does not reach {CELL_PX} px")
        self.register_buffer("shape_indices", torch.tensor(SHAPE_INDICES), persistent=False)
        self.register_buffer("frequencies", torch.pi * 2.0 ** torch.arange(fourier), persistent=False)
        self.fc = nn.Sequential(
            nn.Linear(len(SHAPE_INDICES) * (1 + 2 * fourier), hidden), nn.ReLU(inplace=True),
            nn.Linear(hidden, hidden), nn.ReLU(inplace=True),
            nn.Linear(hidden, widths[0] * base * base), nn.ReLU(inplace=True),
        )
        layers = []
        for c_in, c_out in zip(widths, widths[1:]):
            layers += [nn.ConvTranspose2d(c_in, c_out, 4, stride=2, padding=1), nn.BatchNorm2d(c_out),
                       nn.ReLU(inplace=True)]
        self.up = nn.Sequential(*layers)
        self.mix = nn.Sequential(nn.Conv2d(widths[-1] + (guide_channels if guide else 0), widths[-1], 3, padding=1),
                                 nn.ReLU(inplace=True))
        self.out = nn.ConvTranspose2d(widths[-1], 1, 4, stride=2, padding=1)
        side = CELL_PX // 2
        centres = (torch.arange(side) + 0.5) / side
        self.register_buffer("grid", torch.stack(torch.meshgrid(centres, centres, indexing="xy"), -1), persistent=False)
        self.register_buffer("t", torch.linspace(0, 1, max(guide, 2))[:, None], persistent=False)

    def logits(self, actions: torch.Tensor) -> torch.Tensor:
        """Pre-sigmoid coverage (N, 1, 64, 64); training uses it for numerically stable losses."""
        if actions.ndim != 2 or actions.shape[1] != ACTION_SIZE:
            raise ValueError(f"the brush takes actions of shape (N, {ACTION_SIZE}), got {tuple(actions.shape)}")
        shape = actions.index_select(1, self.shape_indices)
        if len(self.frequencies):
            angles = (shape[:, :, None] * self.frequencies).flatten(1)
            shape = torch.cat([shape, torch.sin(angles), torch.cos(angles)], dim=1)
        # The centre line stays in float32: its distances are differences of squares, which bfloat16's
        # 8 bits cannot hold (coverage off by up to 0.99); the layers after it lose at most 0.013.
        guide = self.centre_line(actions) if self.config.guide else None
        with torch.autocast("cpu", dtype=torch.bfloat16) if self.bfloat16 else contextlib.nullcontext():
            x = self.fc(shape).view(len(actions), self.config.channels[0], self.config.base, self.config.base)
            x = self.up(x)
            if guide is not None:
                x = torch.cat([x, guide], dim=1)
            x = self.out(self.mix(x))
        if self.dab_guide is not None:
            x = self.dab_guide(actions, x.float(), self.bfloat16)
        return x.float()

    def centre_line(self, actions: torch.Tensor) -> torch.Tensor:
        """(N, 3 or 5, 32, 32): each pixel's distance to the stroke's curve (in cell widths, and in brush
        radii) and where along the curve (0 at the start, 1 at the end) the nearest point lies;
        with `guide_channels` 5, also the pressure there (it ramps from start to end) and the
        brush's speed there, in radii per curve sample (MyPaint measures speed in radii per second;
        the 5-channel brush scored 0.767 held-out blurred IoU against 0.762 for 3, same fine-tuning).

        A differentiable geometric prior: fully connected layers learn *where* a stroke lies only
        slowly, so the transposed convolutions get the centre line and learn the brush around it.
        """
        start, control, end = actions[:, START], actions[:, CONTROL], actions[:, END]
        t = self.t                                         # (K, 1)
        points, bend = bezier_points(start, control, end, t)  # (N, K, 2) and the Bezier control point
        grid = self.grid.reshape(-1, 2)                                           # (P, 2)
        d2 = (grid.pow(2).sum(-1)[None, :, None] - 2 * grid @ points.transpose(1, 2)
              + points.pow(2).sum(-1)[:, None, :])                                # (N, P, K)
        nearest, index = d2.min(-1)
        nearest = nearest.clamp(min=0)
        distance = (nearest + 1e-6).sqrt()
        radius = torch.exp(2 * actions[:, SIZE:SIZE + 1]) / CELL_PX
        along = self.t[index, 0]
        side = self.grid.shape[0]
        channels = [4 * distance, (distance / radius).clamp(max=8) / 4, along]
        if self.config.guide_channels == 5:
            p0, p1 = actions[:, START_PRESSURE:START_PRESSURE + 1], actions[:, END_PRESSURE:END_PRESSURE + 1]
            channels.append(p0 + along * (p1 - p0))
            velocity = 2 * (1 - t) * (bend - start)[:, None] + 2 * t * (end - bend)[:, None]     # (N, K, 2)
            speed = (velocity.pow(2).sum(-1) + 1e-8).sqrt() / (CURVE_POINTS - 1)            # cells per sample
            channels.append((torch.gather(speed, 1, index) / radius).clamp(max=8) / 4)
        return torch.stack(channels, 1).view(-1, len(channels), side, side)

    def forward(self, actions: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.logits(actions))

    def freeze(self) -> "Brush":
        """Evaluation mode with no parameter gradients: only the actions are optimised."""
        self.eval()
        self.requires_grad_(False)
        return self

    @classmethod
    def from_pretrained(cls, *args, **kwargs) -> "Brush":
        """The Hub mixin's loader, without its "Loading weights from local directory" on stdout."""
        with contextlib.redirect_stdout(io.StringIO()):
            return super().from_pretrained(*args, **kwargs)

    @classmethod
    def load(cls, source: str | None = None, device="cpu") -> "Brush":
        """The brush from `source` (a shipped brush's name, a folder or a Hub repo id),
        $NEURAL_PAINTER_BRUSH, or the shipped dry brush.

        A Hub repo id goes through the Hub cache, so a repo downloaded once loads offline.
        """
        source = brush_source(str(source or os.environ.get(CHECKPOINT_ENV) or DEFAULT_CHECKPOINT))
        # Loaded on the CPU, then moved: on ZeroGPU the process that loads has no GPU (the move is deferred).
        return cls.from_pretrained(source, map_location="cpu", strict=True).to(device).freeze()


def bfloat16_is_faster(device) -> bool:
    """Whether the brush runs faster in bfloat16 on `device`: a CPU whose oneDNN computes bfloat16
    natively (AVX512-BF16 or AMX). There the brush's forward and backward take 0.338 ms a stroke
    against 0.622 (benchmarks/brush_speed.py --precision); elsewhere bfloat16 is emulated, slower.
    GPUs keep float32: not measured there."""
    if str(device) != "cpu":
        return False
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):  # a private probe of torch's: absent, the safe answer
        return False
