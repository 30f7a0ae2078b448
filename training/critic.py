"""The critic: a conditional discriminator that sees the action and the stroke.

The action's nine shape numbers are tiled into constant channels beside the 64x64 coverage
(the conditioning of a conditional GAN), so the critic judges "is this MyPaint's stroke for
this action", not merely "is this a MyPaint stroke". Spectral norm on every layer keeps it
Lipschitz, which the hinge objective of stage 3 needs to stay stable.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from painter.brush import SHAPE_INDICES
from painter.stroke import CELL_PX


class Critic(nn.Module):
    """`critic(actions (N, 12), alpha (N, 1, 64, 64)) -> (N,)` logits: high means real (MyPaint)."""

    def __init__(self, width: int = 32):
        super().__init__()
        self.register_buffer("shape_indices", torch.tensor(SHAPE_INDICES), persistent=False)
        c_in, layers, size = 1 + len(SHAPE_INDICES), [], CELL_PX
        for c_out in (width, 2 * width, 4 * width, 4 * width):   # 64 -> 32 -> 16 -> 8 -> 4 px
            layers += [spectral_norm(nn.Conv2d(c_in, c_out, 4, stride=2, padding=1)), nn.LeakyReLU(0.2, inplace=True)]
            c_in, size = c_out, size // 2
        self.features = nn.Sequential(*layers, nn.Flatten())
        self.head = spectral_norm(nn.Linear(c_in * size * size, 1))

    def forward(self, actions: torch.Tensor, alpha: torch.Tensor) -> torch.Tensor:
        shape = actions.index_select(1, self.shape_indices)
        tiled = shape[:, :, None, None].expand(-1, -1, *alpha.shape[-2:])
        return self.head(self.features(torch.cat([alpha, tiled], dim=1))).squeeze(1)
