"""How long a run will take, by the plan it follows: the status's estimate and the GPU time asked of ZeroGPU.

A model of an Adam step, `stroke_step` n + `pixel_step` P + `step_overhead` for n strokes and P px of
the level's canvas, summed over the rounds the painter will paint (painter/plan.py), plus a run's
start and end. The painter's own `TimeBudget` times its steps as it goes; this is the guess before.
"""

from __future__ import annotations

import math

from painter.brush import has_dab_guide
from painter.plan import (choose_work_size, device_options, is_gpu, plan_detail_levels, plan_levels, remaining_rounds,
                          round_size)
from painter.request import Request

# An Adam step's cost on a GPU (estimate_seconds' model, b n + a P + c), worked out on paper for an
# H200 slice until benchmarks/gpu.py has timed one (it prints this estimate beside the time): the
# brush forward and backward ~0.15 GFLOP a stroke (b), compositing, SSIM and VGG to relu4_2 at the
# working size ~1.7 MFLOP a canvas px (a), both at ~25 TFLOP/s sustained, and ~5 ms of launches a
# step (c).
GPU_STEP_COST = dict(stroke_step=6e-6, pixel_step=7e-8, step_overhead=5e-3)

# What a brush with the dab guide (painter/dabs.py) adds to a stroke's step. On the 2-core CPU the guided dry
# brush took 7.1 s longer than the plain one at the app's settings (600 strokes at 384 px: 9,600 stroke steps)
# and 8.9 s longer at the CLI's defaults (16,000): about 0.65 ms a stroke step (farm-bench, astronaut, Intel
# Xeon). On a GPU, on paper: its splat, blurs and convolutions, ~25 MFLOP a stroke, a sixth of the brush's.
DAB_GUIDE_STROKE_STEP = dict(cpu=0.65e-3, gpu=1e-6)


def estimate_seconds(side: int, aspect: float, strokes: int, options, device, stroke_step: float, pixel_step: float,
                     step_overhead: float, detail_share: float | None = None) -> float:
    """Seconds the rounds of a painting without a time limit take, by TimeBudget's model of an Adam step:
    `stroke_step` n + `pixel_step` P + `step_overhead` for n strokes and P px of the level's canvas.
    `side`: the painting's long side; `aspect`: height / width; `detail_share`: the share of the canvas
    a detail mask covers (its finer levels are planned as the run plans them), None without one."""
    options = device_options(options, device)
    work = choose_work_size(side, strokes, device, options.work_size)
    height, width = (work, max(1, round(work / aspect))) if aspect >= 1 else (max(1, round(work * aspect)), work)
    if detail_share is None:
        levels = plan_levels(height, width, strokes, options)
    else:
        levels = plan_detail_levels(height, width, strokes, options, detail_share)
    if not levels:
        return 0.0
    rounds = []
    for k, level in enumerate(levels):  # each level's rounds, as `remaining_rounds` counts them from its start
        c = level.cell
        cells = math.ceil((height / c + 1) * (width / c + 1) * (level.detail and detail_share or 1.0))
        n = round_size(cells, level.budget, options.round_fraction)
        rounds += [r for r in remaining_rounds(levels, k, level.budget, n, height, width, options.round_fraction)
                   if r[0] == k]
    return sum(options.iterations * (stroke_step * k + pixel_step * px + step_overhead) for _, k, px in rounds)


# The CPU's costs, fitted to timed runs of the app's settings on the 2-core reference machine
# (benchmarks/app_waits.py prints each run's estimate beside its time): an Adam step's `stroke_step` n
# + `pixel_step` P + `step_overhead` as for the GPU; a style loss adds `style_step` a step (VGG16's
# Gram matrices at Options.style_side); `run_overhead` is a run's start and end (targets, plan, last
# frame); `render_px` a painting px's share of painting the strokes at full size and of the frames.
# Fitted in Chromium on the same 2 cores (benchmarks/app_waits.py, Intel Xeon): the defaults (600 strokes,
# 384 px) 17.4 s against 18.6 estimated, at 512 px 16.5 against 19.7, with a style 28.4 against 38 (its time
# limit ends it). (Before the page streamed its canvases as JPEG files the same runs took 21 to 26 s, and
# the step costs were 1.7 times these.)
CPU_STEP_COST = dict(stroke_step=1.0e-3, pixel_step=5.0e-7, step_overhead=2.0e-2)
CPU_RUN_COST = dict(style_step=0.27, run_overhead=1.0, render_px=1.0e-5)
GPU_RUN_COST = dict(style_step=2e-3, run_overhead=0.5, render_px=0.0)


def step_costs(gpu: bool, guided: float = 0.0) -> dict:
    """`estimate_seconds`' step costs on a GPU or the CPU, for runs whose brushes have the dab guide in the
    share `guided`."""
    step = dict(GPU_STEP_COST if gpu else CPU_STEP_COST)
    step["stroke_step"] += guided * DAB_GUIDE_STROKE_STEP["gpu" if gpu else "cpu"]
    return step


def estimate_run_seconds(shape, strokes: int, options, device, time_limit: float | None = None, *,
                         styled: bool = False, detail_share: float | None = None, guided: float = 0.0) -> float:
    """Seconds a whole run of a `shape` (height, width) painting paints for: its rounds (`estimate_seconds`,
    a style's share, a detail mask's levels and the `guided` share of its brushes that have the dab guide
    included), its start and end and its full-size canvas, and no more than its time limit lets TimeBudget
    spend; at the device's costs (the CPU's or the GPU's)."""
    gpu = is_gpu(device)
    cost = GPU_RUN_COST if gpu else CPU_RUN_COST
    height, width = shape
    step = step_costs(gpu, guided)
    if styled:
        step["step_overhead"] += cost["style_step"]
    rounds = estimate_seconds(max(height, width), height / width, strokes, options, device, **step,
                              detail_share=detail_share)
    if time_limit is not None:
        rounds = min(rounds, max(0.0, time_limit * 0.9 - 0.2))  # where TimeBudget ends the last round
    return rounds + cost["run_overhead"] + cost["render_px"] * height * width


GPU_OVERHEAD_SECONDS = 10   # ZeroGPU: moving the networks to the GPU, and the last frame back
GPU_ESTIMATE_MARGIN = 2     # ask for twice the estimate: GPU_STEP_COST is unmeasured


def gpu_seconds(request: Request, device="cuda", default_brush=None) -> float:
    """The seconds of painting a request needs on a GPU, by the plan it will follow (GPU_STEP_COST; its
    brushes, else `default_brush`, as `guided_share` says)."""
    width, height = request.image.size
    return estimate_seconds(max(width, height), height / width, request.strokes, request.options, device,
                            **step_costs(True, guided_share(request, default_brush)))


def guided_share(request: Request, default_brush=None) -> float:
    """The share of a request's brushes (else of `default_brush`, a loaded brush or a folder) that have the
    dab guide: each level's brush counted once, as the plan spreads them."""
    brushes = list(request.brushes) or ([default_brush] if default_brush is not None else [])
    return sum(map(has_dab_guide, brushes)) / len(brushes) if brushes else 0.0


def gpu_duration(request: Request, longest: float, usual: float, default_brush=None) -> int:
    """Seconds of GPU to ask ZeroGPU for: the run's estimate (twice it: unmeasured), capped by its time limit
    (`usual` where it has none, at most `longest`), plus the start and the finish (the files are written after
    the GPU is handed back). ZeroGPU refuses a request above the visitor's quota left and queues long ones
    behind short ones, so a default run asks for about 19 s, not its time limit."""
    limit = min(max(request.time_limit or usual, 5), longest)
    return math.ceil(min(limit, GPU_ESTIMATE_MARGIN * gpu_seconds(request, default_brush=default_brush))
                     + GPU_OVERHEAD_SECONDS)


def run_seconds(request: Request, device, default_brush=None) -> float:
    """The seconds a run will paint for (`estimate_run_seconds`): its style, detail mask, size and brushes
    (else `default_brush`) included, capped by its time limit; on ZeroGPU, the GPU's share."""
    width, height = request.image.size
    detail = None if request.guidance.detail is None else float(request.guidance.detail.mean())
    return estimate_run_seconds((height, width), request.strokes, request.options, device, request.time_limit,
                                styled=request.guidance.style is not None, detail_share=detail,
                                guided=guided_share(request, default_brush))
