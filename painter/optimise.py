"""The optimiser of a round: Adam on the free parameters behind the round's stroke actions.

Actions are `space.actions(parameters)`: a sigmoid into the ranges the stroke controls allow
(painter/controls.py), so every step leaves valid strokes and no clamp stops a gradient.
"""

from __future__ import annotations

from typing import Callable

import torch

from .controls import ActionSpace


def warm_up() -> None:
    """Load now what torch.optim loads at its first optimiser: torch._dynamo, 2 to 3 s on 2 cores. A server
    calls this at start-up; else its first painting's live canvas stalls that long after its first frame
    (on ZeroGPU every fresh GPU worker's: they fork from the server's process). No step is taken: on
    ZeroGPU's main process a step would ask CUDA for its stream."""
    torch.optim.Adam([torch.zeros(1, requires_grad=True)])


class RoundOptimiser:
    """Adam on one round's free parameters; `actions()` maps them into the allowed ranges.

    `torch.optim.Adam`, not Adam written out: on whole paintings the two take the same time
    (benchmarks/optimiser.py, 1000 strokes at 512 px, two sessions of three alternating runs:
    medians 22.5 and 18.1 s against 23.2 and 17.8 s), so the library's, with less code to trust.
    """

    def __init__(self, space: ActionSpace, actions: torch.Tensor, lr: float, steps: int = 1, lr_end: float = 1.0):
        self.space = space
        self.params = space.params(actions).clone().requires_grad_(True)
        self.adam = torch.optim.Adam([self.params], lr=lr)
        # lr_end < 1: the rate falls linearly to lr_end x lr at the round's last step (of `steps`)
        self.schedule = (torch.optim.lr_scheduler.LinearLR(self.adam, 1.0, lr_end, max(1, steps - 1))
                         if lr_end != 1.0 else None)
        self.t = 0  # steps taken

    def step(self, loss_of: Callable[[torch.Tensor], torch.Tensor]) -> float:
        """One Adam step on `loss_of(actions)`; returns the loss before the step."""
        self.t += 1
        self.adam.zero_grad(set_to_none=True)
        loss = loss_of(self.space.actions(self.params))
        loss.backward()
        self.adam.step()
        if self.schedule is not None:
            self.schedule.step()
        return float(loss.detach())

    def actions(self) -> torch.Tensor:
        return self.space.actions(self.params.detach())
