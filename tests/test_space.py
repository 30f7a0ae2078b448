"""The Space's checks stand alone: a request from the page's widgets without the app, its networks or Gradio."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHECKS = r"""
import json, sys
from space.hardware import Hardware
from space.inputs import PageInputs
from painter.errors import PainterError

inputs = PageInputs(Hardware("cpu", "CPU: 2 cores, no GPU"), {"dry_brush": "classic/dry_brush"},
                    {"dry_brush": "checkpoints/brushes/dry_brush"})
request = inputs.controls_request("examples/coffee.jpg", 100, 256, 0, 10, None, 1.0, True, None, 2, 8)
refusals = []
for settings in [(10**6, 256, 0, 10), (100, 123, 0, 10), (100, 256, -1, 10), (100, 256, 0, 10**6)]:
    try:
        inputs.settings(*settings)
    except PainterError as error:
        refusals.append(str(error))
try:
    inputs.brush_choice("pencil")
except PainterError as error:
    refusals.append(str(error))
networks = [m for m in ("torchvision", "painter.vgg", "painter.painter", "painter.hub", "gradio", "app") if m in sys.modules]
print(json.dumps({"strokes": request.strokes, "size": max(request.image.size), "brush_size": request.guidance.controls.brush_size,
                  "refusals": refusals, "loaded": networks}))
"""


def test_the_pages_checks_make_a_request_without_loading_a_network_or_the_page():
    out = subprocess.run([sys.executable, "-c", CHECKS], cwd=ROOT, capture_output=True, text=True, check=True)
    result = json.loads(out.stdout.splitlines()[-1])
    assert result["loaded"] == []  # no VGG, no brush, no painter loop, no Hub, no Gradio, no app
    assert (result["strokes"], result["size"]) == (100, 256) and result["brush_size"] is not None
    assert result["refusals"] == [
        "The number of strokes must be a whole number from 50 to 1500 on this hardware.",
        "The size must be one of 256, 384, 512 pixels on this hardware.",
        "The seed must be a whole number from 0 to 4294967295.",
        "The time limit must be from 5 to 45 seconds on this hardware.",
        "There is no brush named 'pencil'; choose dry_brush.",
    ]
