"""The optimiser of a round: Adam (Kingma and Ba, 2015) on the free parameters behind the round's stroke actions.

Actions are `space.actions(parameters)`: a sigmoid into the ranges the stroke controls allow
(painter/controls.py), so every step leaves valid strokes and no clamp stops a gradient.
"""

from __future__ import annotations

from typing import Callable

import torch

from .controls import ActionSpace

BETAS, EPS = (0.9, 0.999), 1e-8   # Adam's defaults


class RoundOptimiser:
    """Adam on one round's free parameters; `actions()` maps them into the allowed ranges.

    Written out, with torch.optim.Adam's own operations in its order (its single-tensor step, the CPU's;
    and LinearLR's rate when `lr_end` < 1), so it paints the same paintings bit for bit
    (benchmarks/optimiser.py checks). Not torch.optim itself: its first optimiser loads TorchDynamo, torch's
    compiler, 2 to 3 s and 170 MiB on 2 cores in every fresh process (the CLI's default painting: 0.92 of the
    time without it, docs/MEASURED.md), and so stalled a fresh app's first live canvas as long.
    """

    def __init__(self, space: ActionSpace, actions: torch.Tensor, lr: float, steps: int = 1, lr_end: float = 1.0):
        self.space = space
        self.params = space.params(actions).clone().requires_grad_(True)
        self.lr = lr
        # lr_end < 1: the rate falls linearly to lr_end x lr at the round's last step (of `steps`)
        self.lr_end, self.falls_for = lr_end, max(1, steps - 1)
        self.exp_avg, self.exp_avg_sq = torch.zeros_like(self.params), torch.zeros_like(self.params)
        self.t = 0  # steps taken

    def step(self, loss_of: Callable[[torch.Tensor], torch.Tensor]) -> float:
        """One Adam step on `loss_of(actions)`; returns the loss before the step."""
        self.t += 1
        self.params.grad = None
        loss = loss_of(self.space.actions(self.params))
        loss.backward()
        (beta1, beta2), grad = BETAS, self.params.grad
        with torch.no_grad():
            self.exp_avg.lerp_(grad, 1 - beta1)
            self.exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
            step = float(self.t)
            step_size = self.lr / (1 - beta1 ** step)
            denom = (self.exp_avg_sq.sqrt() / (1 - beta2 ** step) ** 0.5).add_(EPS)
            self.params.addcdiv_(self.exp_avg, denom, value=-step_size)
        if self.lr_end != 1.0 and self.t <= self.falls_for:  # LinearLR's step, as it computes it
            self.lr *= 1.0 + (self.lr_end - 1.0) / (self.falls_for + (self.t - 1) * (self.lr_end - 1.0))
        return float(loss.detach())

    def actions(self) -> torch.Tensor:
        return self.space.actions(self.params.detach())
