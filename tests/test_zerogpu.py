"""The Space under ZeroGPU's own CUDA emulation: it starts, paints every kind of request on `cuda`,
and a bad request found inside the GPU function reaches the visitor as the CPU's one sentence.

The emulation (`spaces.zero.torch.patching`) runs in a child process (tests/zerogpu_child.py), so
the rest of the suite keeps a plain torch; there it raises on a low-level CUDA init and on any
operation that mixes a cuda and a CPU tensor, the two ways the GPU path broke before.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("spaces")

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from zerogpu_child import GUIDANCE, SCENARIOS, refused_request  # noqa: E402


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    out = tmp_path_factory.mktemp("zerogpu") / "results.json"
    env = {**os.environ, "NEURAL_PAINTER_OFFLINE": "1"}
    env.pop("SPACES_ZERO_GPU", None)  # the emulation, not a real ZeroGPU client (that needs its scheduler)
    done = subprocess.run([sys.executable, str(HERE / "zerogpu_child.py"), str(out)], env=env, capture_output=True,
                          text=True, timeout=900)
    assert out.exists(), done.stderr[-3000:]
    return json.loads(out.read_text())


def _ok(results, name):
    result = results[name]
    assert result["ok"], result.get("traceback", result)
    return result


def test_the_app_starts_on_cuda_without_initialising_it(results):
    result = _ok(results, "import")
    assert result["device"] == result["painter_device"] == result["brush_device"] == "cuda"
    assert result["cuda_initialized"] is False


@pytest.mark.parametrize("name", sorted(GUIDANCE))
def test_the_gpu_function_paints_a_whole_painting(results, name):
    result = _ok(results, name)
    assert result["strokes"] == result["asked"] and result["status"].startswith("Done")
    assert result["canvases"] >= 2 and max(result["size"]) == 48
    if name == "stroke_controls":
        assert result["colours"] <= 6


def test_every_brush_paints_on_cuda_loaded_at_its_first_use_inside_the_gpu_function(results):
    """Each shipped brush (and one that only the GPU function loads), asked for by a request that the
    page's thread built: on cuda, CUDA never initialised, the painting names the brush, and with the
    MyPaint canvas it is what `painter render` paints from its strokes file."""
    from painter.brush import shipped_brushes

    result = _ok(results, "brushes")
    brushes = result["brushes"]
    assert [b.name for b in shipped_brushes()] == list(brushes)[:-1] and list(brushes)[-1] == "pencil"
    for name, seen in brushes.items():
        assert seen["status"].startswith("Done") and seen["strokes"] == seen["asked"], name
        assert seen["json_brush"] == seen["mypaint"] and seen["device"] == "cuda", (name, seen)
        assert seen["render_psnr"] >= 40, (name, seen)  # with the MyPaint canvas, on cuda: MyPaint's painting
    assert result["cuda_initialized"] is False


def test_stop_ends_the_gpu_function_with_the_painting_so_far(results):
    result = _ok(results, "stop")
    assert result["status"].startswith("Stopped") and 0 < result["strokes"] < result["asked"]


def test_the_cli_and_the_api_paint_on_cuda(results):
    cli, api = _ok(results, "cli"), _ok(results, "api")
    assert cli["code"] == 0 and cli["strokes"] == 20 and max(cli["size"]) == 48
    assert api["strokes"] == 20 and api["frames"] >= 2 and api["canvas_type"] == "ndarray"


def test_a_bad_request_inside_the_gpu_function_crosses_zerogpu_as_the_cpus_sentence(results):
    result = _ok(results, "error_inside_gpu_function")
    assert result["raised"] == "Error" and result["passes_through_zerogpu"] is True
    # the same request on the CPU, in this process: the same one sentence
    import gradio as gr

    import app  # noqa: F401  (the Space loaded: its painter is the GPU function's)
    from space import gpu_run

    with pytest.raises(gr.Error) as raised:
        list(gpu_run.paint_on_device(refused_request()))
    assert raised.value.message == result["message"] and result["message"].endswith(".")
    assert "\n" not in result["message"]


def test_the_page_is_ready_again_after_a_refusal_inside_the_gpu_function(results):
    """In Chromium, under the emulation: the refusal's sentence in the status with Paint usable and Stop
    hidden, then the same page paints to the end."""
    import gradio as gr

    import app  # noqa: F401  (the Space loaded: its painter is the GPU function's)
    from space import gpu_run

    result = _ok(results, "page_refusal_inside_gpu_function")
    refused = result["refused_status"]
    with pytest.raises(gr.Error) as raised:
        list(gpu_run.paint_on_device(refused_request()))
    assert refused == raised.value.message and refused.endswith(".") and "\n" not in refused
    assert result["painted_status"].startswith("Done"), result


def test_every_scenario_ran(results):
    assert sorted(results) == sorted(SCENARIOS)
