"""The optimiser of a round: Adam on the free parameters behind the round's stroke actions.

Actions are `space.actions(parameters)`: a sigmoid into the ranges the stroke controls allow
(painter/controls.py), so every step leaves valid strokes and no clamp stops a gradient.
"""

from __future__ import annotations

import math
from typing import Callable

import torch

from .controls import ActionSpace


class RoundOptimiser:
    """Adam on one round's free parameters; `actions()` maps them into the allowed ranges.

    Adam written out: five in-place operations on one small tensor, no optimiser state machinery.
    """

    def __init__(self, space: ActionSpace, actions: torch.Tensor, lr: float):
        self.space = space
        self.params = space.params(actions).clone().requires_grad_(True)
        self.lr = lr
        self.m = torch.zeros_like(self.params)
        self.v = torch.zeros_like(self.params)
        self.t = 0

    def step(self, loss_of: Callable[[torch.Tensor], torch.Tensor]) -> float:
        """One Adam step on `loss_of(actions)`; returns the loss before the step."""
        self.t += 1
        loss = loss_of(self.space.actions(self.params))
        (grad,) = torch.autograd.grad(loss, [self.params])
        b1, b2, eps = 0.9, 0.999, 1e-8
        with torch.no_grad():
            self.m.mul_(b1).add_(grad, alpha=1 - b1)
            self.v.mul_(b2).addcmul_(grad, grad, value=1 - b2)
            step_size = self.lr * math.sqrt(1 - b2 ** self.t) / (1 - b1 ** self.t)
            self.params.addcdiv_(self.m, self.v.sqrt().add_(eps), value=-step_size)
        return float(loss.detach())

    def actions(self) -> torch.Tensor:
        return self.space.actions(self.params.detach())
