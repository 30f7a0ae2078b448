"""The neural brush: a generator from a 12-number action to the stroke's 64x64 coverage.

A differentiable stand-in for MyPaint (Nakano, "Neural Painters: A Learned Differentiable
Constraint for Generating Brushstroke Paintings", 2019): a fully connected layer to a small
feature map, then transposed convolutions up to 64x64. Colour does not change a dry-brush
stroke's coverage, so the generator sees only the nine shape numbers; the painter takes the
colour straight from the action when it composites.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch
from huggingface_hub import PyTorchModelHubMixin
from torch import nn

from .stroke import ACTION_SIZE, CELL_PX, COLOUR

SHAPE_INDICES = [i for i in range(ACTION_SIZE) if i not in range(COLOUR.start, COLOUR.stop)]
DEFAULT_CHECKPOINT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "checkpoints", "brush")
CHECKPOINT_ENV = "NEURAL_PAINTER_BRUSH"


@dataclass
class BrushConfig:
    hidden: int = 512          # width of the fully connected layers
    base: int = 8              # side of the first feature map (8 -> 16 -> 32 -> 64)
    channels: tuple = (64, 32, 16)  # feature maps at 8, 16 and 32 px; the last step goes to 64 px


class Brush(nn.Module, PyTorchModelHubMixin,
            library_name="neural-painter", tags=["neural-painter", "brushstroke", "mypaint"]):
    """`brush(actions (N, 12) in [0, 1]) -> coverage (N, 1, 64, 64) in [0, 1]`."""

    def __init__(self, hidden: int = 512, base: int = 8, channels=(64, 32, 16)):
        super().__init__()
        self.config = BrushConfig(hidden=hidden, base=base, channels=tuple(channels))
        c0 = self.config.channels[0]
        self.register_buffer("shape_indices", torch.tensor(SHAPE_INDICES), persistent=False)
        self.fc = nn.Sequential(
            nn.Linear(len(SHAPE_INDICES), hidden), nn.ReLU(inplace=True),
            nn.Linear(hidden, hidden), nn.ReLU(inplace=True),
            nn.Linear(hidden, c0 * base * base), nn.ReLU(inplace=True),
        )
        layers = []
        widths = list(self.config.channels)
        for c_in, c_out in zip(widths, widths[1:]):
            layers += [nn.ConvTranspose2d(c_in, c_out, 4, stride=2, padding=1), nn.BatchNorm2d(c_out),
                       nn.ReLU(inplace=True)]
        size = base * 2 ** (len(widths) - 1)
        layers += [nn.ConvTranspose2d(widths[-1], 8, 4, stride=2, padding=1), nn.ReLU(inplace=True),
                   nn.Conv2d(8, 1, 3, padding=1)]
        if size * 2 != CELL_PX:
            raise ValueError(f"base {base} with {len(widths)} channel steps does not reach {CELL_PX} px")
        self.up = nn.Sequential(*layers)

    def forward(self, actions: torch.Tensor) -> torch.Tensor:
        shape = actions.index_select(1, self.shape_indices)
        x = self.fc(shape).view(len(actions), self.config.channels[0], self.config.base, self.config.base)
        return torch.sigmoid(self.up(x))

    def freeze(self) -> "Brush":
        """Evaluation mode with no parameter gradients: only the actions are optimised."""
        self.eval()
        self.requires_grad_(False)
        return self

    @classmethod
    def load(cls, source: str | None = None, device="cpu") -> "Brush":
        """The brush from `source` (a folder or a Hub repo id), $NEURAL_PAINTER_BRUSH, or the shipped one.

        A Hub repo id goes through the Hub cache, so a repo downloaded once loads offline.
        """
        source = source or os.environ.get(CHECKPOINT_ENV) or DEFAULT_CHECKPOINT
        return cls.from_pretrained(source, map_location=str(device), strict=True).to(device).freeze()
