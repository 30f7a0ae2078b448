"""Neural Painter on a Hugging Face Space: upload a photo, watch it being painted, download it.

The same file runs on ZeroGPU (the painting generator is lent a GPU per run by `@spaces.GPU`), on a
Space with its own GPU, and on the free CPU hardware (2 cores), where the page's caps keep a run under
a minute. `python app.py` starts it locally. The Space's pieces live in space/ (one job a file); this
file loads what the Space needs, once, and builds the page.

Flow of one run: the Paint click's checks (`space.inputs`) read the photo and the settings without
touching the GPU; the `@spaces.GPU` generator (`space.gpu_run`) drives the `Painter` and yields
`Update`s, the last with the whole `Painting`; the files are written after, off the GPU (`space.runs`).
"""

import painter

painter.setup()  # first: the OpenMP wait and the thread count are read when torch loads
import spaces  # noqa: E402  (before torch: on ZeroGPU it patches CUDA)

from painter import Painter  # noqa: E402
from painter.brush import DEFAULT_BRUSH, shipped_brushes  # noqa: E402
from painter.hub import load_brushes  # noqa: E402
from space import gpu_run  # noqa: E402
from space.endpoints import Endpoints  # noqa: E402
from space.examples import Examples, swatches  # noqa: E402
from space.hardware import detect  # noqa: E402
from space.inputs import PageInputs  # noqa: E402
from space.page import LAUNCH_OPTIONS, build_demo  # noqa: E402

HARDWARE = detect(spaces)

# The brushes: each shipped brush (checkpoints/brushes/NAME) from the Hub repo the Space card names for it,
# else the bundled copy (painter/hub.py). The default brush and the objective's network load once, here,
# onto the device (on ZeroGPU the move to CUDA is deferred by `spaces` until a GPU is lent). Another brush
# loads the first time a painting asks for it, once, inside the GPU function (`Painter.brush_for`): on
# ZeroGPU the main process's CUDA emulation intercepts `.to("cuda")` only on the thread that imported
# `spaces`, and raises on Gradio's handler threads, while the process lent a GPU has real CUDA. So the
# page's checks never load a brush: they only look its name up.
BRUSH, BRUSH_SOURCES, BRUSH_NOTES = load_brushes(HARDWARE.device)  # the default brush; {name: folder}; {name: note}
BRUSH_NOTE = BRUSH_NOTES[DEFAULT_BRUSH]
print("\n".join(BRUSH_NOTES.values()), flush=True)
PAINTER = Painter(device=HARDWARE.device, brush=BRUSH)
PAINTER.keep_brush(BRUSH_SOURCES[DEFAULT_BRUSH], BRUSH)  # a painting that names it does not load it again
# name -> the MyPaint brush it imitates, the default first (the painting's JSON and re-render name it)
BRUSHES = {**{b.name: b.mypaint for b in shipped_brushes()}, DEFAULT_BRUSH: BRUSH.config.mypaint}
print(f"Neural Painter on {HARDWARE.description}; objective: {PAINTER.objective.description}", flush=True)
if HARDWARE.device == "cpu":
    # The painter times its brush once, at its first run with a time limit: 1 to 3 s on 2 cores, which would
    # delay a first visitor's first frame past 3 s. Timed here, at start-up, instead. (Not on ZeroGPU: CUDA
    # exists only inside a GPU call there.)
    PAINTER.stroke_seconds  # noqa: B018

gpu_run.use(PAINTER, HARDWARE)
INPUTS = PageInputs(HARDWARE, BRUSHES, BRUSH_SOURCES)
ENDPOINTS = Endpoints(INPUTS, keep=lambda: EXAMPLES.folders.values())  # (the example cache's folders stay)
# What an example paints with: the page's defaults.
EXAMPLES = Examples(ENDPOINTS, dict(strokes=HARDWARE.strokes["value"], size=HARDWARE.default_size, seed=0,
                                    time_limit=HARDWARE.time_limit["value"]))
WHY = f" ({PAINTER.objective.why})" if PAINTER.objective.why else ""  # why "auto" chose the objective
ABOUT = (f"Running on **{HARDWARE.description}**, painting against **{gpu_run.objective_name()}**{WHY}."
         + ("" if HARDWARE.on_gpu else f" Runs are capped at {HARDWARE.time_limit['maximum']} s here; "
            "duplicate the Space onto a GPU for bigger paintings."))

demo = build_demo(INPUTS, ENDPOINTS, EXAMPLES, swatches(BRUSHES), ABOUT)

if __name__ == "__main__":
    demo.launch(**LAUNCH_OPTIONS)
