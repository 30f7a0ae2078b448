"""The painter: photo in, brushstrokes optimised through the frozen neural brush, frames out.

`for frame in paint(photo, strokes=1000, size=512, seed=0, time_limit=None): ...`

For each level of the plan (painter/plan.py), coarse to fine, in rounds:
1. start strokes in the cells where the canvas is furthest from the photo (painter/placement.py);
2. optimise the round's actions with Adam against the objective (painter/objective.py), through
   the frozen brush and the compositing (painter/compose.py); earlier strokes are fixed
   ("baked") into the canvas, so a round costs only its own strokes;
3. drop strokes that ended up covering (almost) nothing, so the count asked for is the count painted;
4. commit the rest to the canvas (at working size) and to the painting (at full size);
5. yield a frame.

Actions are `sigmoid(parameters)` mapped into the stroke controls' ranges (painter/controls.py),
so they stay valid. Coarse levels are optimised at a lower resolution (a brush patch never has
more than its native 64 px there). With a time limit, the Adam steps are scaled to the time left;
strokes with no time left are placed by the greedy start alone, so a whole painting always comes
back. A style image adds a Gram-matrix style loss (painter/style.py); a detail mask adds finer
levels inside it.
"""

from __future__ import annotations

import functools
import itertools
import time
from typing import Callable, Iterator

import torch

from .brush import Brush, bfloat16_is_faster
from .canvas import mypaint_coverage
from .compose import composite, split_groups
from .errors import PainterError
from .objective import Objective, auto_uses_features, make_objective
from .optimise import RoundOptimiser
from .placement import Picks
from .plan import remaining_rounds, round_size
from .request import Request, make_request
from .run import Frame, LevelView, Run, stroke_seconds
from .stroke import COLOUR
from .style import STYLE_LAYERS
from .vgg import VGGFeatures, load_network

MAX_ATTEMPTS = 8  # rounds of a level that may come back empty before it gives up


class Painter:
    """Loads the brush and the objective once; `paint()` streams frames of one painting.

    `objective`: "auto", "vgg16", "vgg19", "pixel" (see `make_objective`) or any `Objective`.
    `bfloat16`: whether its brushes run in bfloat16 (None: where that is faster, `bfloat16_is_faster`).
    """

    def __init__(self, device="cpu", brush: Brush | None = None, vgg_weights=None,
                 objective: str | Objective = "auto", bfloat16: bool | None = None):
        device = str(device)
        if device not in ("cpu", "cuda") and not device.startswith("cuda:"):
            raise PainterError(f"device must be cpu or cuda, got {device!r}.")
        if device.startswith("cuda") and not torch.cuda.is_available():
            raise PainterError("device cuda was asked for, but no CUDA GPU is available here; use --device cpu.")
        if vgg_weights is None and (objective == "vgg16" or (objective == "auto" and auto_uses_features(device))):
            from .network import HUB_HOST, start_probe

            start_probe()  # a slow name lookup overlaps the brush loading
            start_probe(host=HUB_HOST)
        self.device = torch.device(device)
        self.bfloat16 = bfloat16_is_faster(self.device) if bfloat16 is None else bool(bfloat16)
        self.vgg_weights = vgg_weights
        if brush is None:
            try:
                brush = Brush.load(device=self.device)
            except Exception as error:  # noqa: BLE001 - missing folder, no network, bad file: one sentence
                raise PainterError(f"The brush checkpoint cannot be loaded ({type(error).__name__}: "
                                   f"{str(error).splitlines()[0] if str(error) else 'no detail'}).") from None
        self.brush = self._ready(brush)
        self._brushes = {}  # the other brushes asked for, each loaded once (see `brush_for`)
        if isinstance(objective, Objective):
            self.objective = objective
        else:
            try:
                self.objective = make_objective(objective, vgg_weights, self.device)
            except ValueError as error:
                raise PainterError(str(error)) from None

    @functools.cached_property
    def style_network(self) -> VGGFeatures:
        """The network of the style loss: the objective's trained VGG at the style layers, else the first
        trained one to be had (VGG16, VGG19), else a VGG16 with seeded random weights (random filters
        capture texture statistics too: Ustyuzhaninov et al., 2016)."""
        names = [self.objective.name] if self.objective.name in ("vgg16", "vgg19") else ["vgg16", "vgg19"]
        for name in names:
            network = load_network(name, STYLE_LAYERS, self.vgg_weights)
            if network is not None:
                return network.to(self.device)
        return VGGFeatures(None, STYLE_LAYERS, seed=0).to(self.device)

    def brush_for(self, source=None) -> Brush:
        """The brush `source` names (a shipped brush's name, a folder or a Hub repo id; a loaded `Brush`;
        None: this painter's own), on this painter's device, loaded once and kept."""
        if source is None:
            return self.brush
        if isinstance(source, Brush):
            return self._ready(source)
        if source not in self._brushes:
            try:
                brush = Brush.load(source)  # (a name resolves there: `brush_source`)
            except ValueError as error:
                raise PainterError(f"{str(error)[0].upper()}{str(error)[1:]}.") from None
            except Exception as error:  # noqa: BLE001 - missing folder, no network, bad file: one sentence
                raise PainterError(f"The brush {source!r} cannot be loaded ({type(error).__name__}); "
                                   "`python -m painter brushes` lists the shipped ones.") from None
            self._brushes[source] = self._ready(brush)
        return self._brushes[source]

    def keep_brush(self, source: str, brush: Brush) -> None:
        """Let `brush_for(source)` return `brush`, already loaded (the app's copy of its default brush,
        so that a painting that names it by its folder does not load it twice)."""
        self._brushes[source] = self._ready(brush)

    def _ready(self, brush: Brush) -> Brush:
        """`brush` on this painter's device, frozen, at this painter's precision."""
        brush = brush.to(self.device).freeze()
        brush.bfloat16 = self.bfloat16
        return brush

    @functools.cached_property
    def stroke_seconds(self) -> float:
        """The brush's seconds per stroke and step here, timed once (for runs with a time limit)."""
        return stroke_seconds(self.brush, self.device)

    def paint(self, photo, strokes: int = 1000, size: int = 512, seed: int = 0, time_limit=None,
              stop: Callable[[], bool] | None = None, **settings) -> Iterator[Frame]:
        """Paint `photo` with `strokes` strokes, `size` px on its long side; yields `Frame`s.

        `settings`: style, guidance and stroke controls, and optimiser options (see `make_request`),
        checked before this returns, so a bad input raises `PainterError` at the call, not halfway
        through. `stop`, if given, is asked between optimiser steps; once it answers True the
        strokes so far are kept and the last frame carries them as a whole `Painting`.
        """
        return self.run(make_request(photo, strokes, size, seed, time_limit, device=self.device, **settings), stop)

    def run(self, request: Request, stop: Callable[[], bool] | None = None) -> Iterator[Frame]:
        """Paint a checked `Request` (from `make_request`); yields `Frame`s."""
        return _flushing_subnormals(self._frames(self.prepare(request), stop or (lambda: False)))

    def prepare(self, request: Request) -> Run:
        """The `Run` of `request`, handed what it needs from this painter: its objective, the request's
        brushes (each loaded once), its device, and, only if the request asks for them, the brush's
        timing (a time limit) and the style network (a style). The time limit counts from here."""
        start = time.perf_counter()
        brushes = [self.brush_for(source) for source in request.brushes or (None,)]
        return Run(request, self.objective, brushes, self.device, stroke_seconds=lambda: self.stroke_seconds,
                   style_network=lambda: self.style_network, start=start)

    def _frames(self, run: Run, stop) -> Iterator[Frame]:
        """The painting: each level of the plan in turn, then the last frame with the whole painting."""
        yield run.frame(force=True)
        carry = 0
        for index in range(len(run.levels)):
            carry = yield from self._level(run, index, run.levels[index].budget + carry, stop)
            if stop():
                break
        yield run.finish()

    def _level(self, run: Run, index: int, budget: int, stop):
        """One level in rounds: start strokes, optimise them, drop the empty ones, commit, yield a frame.
        Returns the strokes it could not place (the next level paints them)."""
        view = run.level_view(index)
        last = index == len(run.levels) - 1
        for attempt in itertools.count(1):
            if budget <= 0 or stop():
                break
            canvas = view.shrink(run.canvas)
            n = round_size(view.placement.cells, budget, run.options.round_fraction)
            picks = view.placement.pick(canvas, n)
            if picks is None:
                break
            actions = view.placement.start(picks)
            steps = run.budget.steps(lambda: remaining_rounds(run.levels, index, budget, n, *run.work_shape,
                                                              run.options.round_fraction))
            if steps == 0 and n < budget:  # out of time: place the rest greedily, at once
                picks = view.placement.pick(canvas, budget)
                actions = view.placement.start(picks)
            actions = yield from self._optimise(run, view, canvas, picks, actions, steps, stop)
            # The last level keeps even empty strokes once it has tried enough, so the count is honoured.
            picks, actions, alpha = self._drop_empty(view, picks, actions, run.options.min_coverage,
                                                     keep_all=last and attempt > MAX_ATTEMPTS)
            if not len(picks):
                if attempt > MAX_ATTEMPTS:
                    break
                continue
            run.commit(view, picks, actions, alpha)
            budget -= len(picks)
            frame = run.frame()
            if frame is not None:
                yield frame
        return budget

    def _optimise(self, run: Run, view: LevelView, canvas, picks: Picks, actions, steps: int, stop):
        """Adam on a round's actions against the level's loss, yielding previews; returns the actions."""
        optimiser = RoundOptimiser(view.space, actions, run.options.lr, steps, run.options.lr_end)
        groups = split_groups(view.grid, picks.rows, picks.cols, self.device)

        seen = {}  # the strokes as the last step saw them, for a preview without another pass of the brush

        def loss(a, real=None):
            alpha = view.brush(a)
            if real is not None:  # the loss sees MyPaint's stroke, the gradient comes through the neural brush
                alpha = alpha + (real - alpha).detach()
            seen.update(actions=a.detach(), alpha=alpha.detach())
            return view.loss(composite(canvas, view.grid, groups, alpha, a[:, COLOUR]))

        real_from = steps - run.options.mypaint_steps
        started = time.perf_counter()
        for step in range(steps):
            if step >= real_from:
                real = mypaint_coverage(optimiser.actions(), view.brush.config.mypaint)
                run.loss = optimiser.step(functools.partial(loss, real=real))
            else:
                run.loss = optimiser.step(loss)
            if run.frame_due():
                yield run.preview(view, picks, seen["actions"], seen["alpha"]) if run.options.previews else run.frame()
            if stop() or run.budget.expired():  # keep the round as it stands
                break
        run.budget.record(view.index, len(picks), view.grid.height * view.grid.width, optimiser.t,
                          time.perf_counter() - started)
        return optimiser.actions()

    @torch.no_grad()
    def _drop_empty(self, view: LevelView, picks: Picks, actions, min_coverage: float, keep_all: bool):
        """The strokes that cover at least `min_coverage` px, and their coverage. The brush is run again
        on a smaller batch: a batch of another size may round differently, and runs repeat bit for bit."""
        alpha = view.brush(actions)
        keep = view.placement.coverage(alpha, picks) >= min_coverage
        if keep_all or bool(keep.all()):
            return picks, actions, alpha
        actions = actions[keep]
        return picks.subset(keep.cpu().numpy()), actions, view.brush(actions)


def _flushing_subnormals(frames: Iterator[Frame]) -> Iterator[Frame]:
    """Run the painter's work with subnormal floats flushed to zero, and only its work: tiny coverages
    multiply into subnormals, which the CPU computes ~4x slower (measured). The flag is process-wide,
    so it is set while the painter computes and cleared whenever a frame goes back to the caller."""
    while True:
        torch.set_flush_denormal(True)
        try:
            frame = next(frames)
        except StopIteration:
            return
        finally:
            torch.set_flush_denormal(False)
        yield frame


@functools.cache
def default_painter(device="cpu") -> Painter:
    """The shared `Painter` of `paint()`: the shipped brush, VGG16 or the fallback objective."""
    return Painter(device=device)


def paint(photo, strokes: int = 1000, size: int = 512, seed: int = 0, time_limit=None, device="cpu",
          stop: Callable[[], bool] | None = None, **settings) -> Iterator[Frame]:
    """`Painter.paint` with a cached default `Painter`; the request is checked before any network loads."""
    request = make_request(photo, strokes, size, seed, time_limit, **settings)
    return default_painter(str(device)).run(request, stop)
