"""The page: its layout, its events, and the MCP tools, over one Space's inputs, endpoints and examples."""

import types
from pathlib import Path

import gradio as gr
import numpy as np
from PIL import Image

from painter.brush import DEFAULT_BRUSH
from painter.errors import PainterError
from painter.request import MAX_PALETTE, MAX_SEED, MAX_STYLE_STRENGTH

from . import runs
from .endpoints import Endpoints, page_files, page_ready, page_refuse, paint_locked, paint_ready
from .examples import EXAMPLE_LABELS, EXAMPLES, STYLE_EXAMPLES, Examples
from .inputs import LEVELS, MAX_LENGTH, MAX_RADIUS, MAX_UPLOAD_MB, PageInputs, check_photo

MASK_EDITOR_SIDE = 1024  # the photo shown under the mask brush is at most this big
INTRO = """
# 🖌️ Neural Painter
A photo becomes a painting made of real brushstrokes, and you watch it being painted. Small
networks learned to imitate brushes of [MyPaint](https://mypaint.app); the painter places a few
hundred to a few thousand strokes of the brush you pick so that the canvas matches your photo, and
MyPaint itself paints each finished round: what you see is MyPaint's brush, grain and all. Every
stroke can be downloaded (JSON, SVG) and painted again by MyPaint at any size.
"""
CSS = """
#status textarea { font-variant-numeric: tabular-nums; }
#brush_swatches .grid-wrap { min-height: 0; height: auto; }
#brush_swatches .thumbnail-item { aspect-ratio: 256 / 112; }
"""
LAUNCH_OPTIONS = dict(max_file_size=f"{MAX_UPLOAD_MB}mb", css=CSS, mcp_server=True)
FILES_LABEL = ("Downloads: the painting (PNG, painted by MyPaint's brush); the same strokes painted again by MyPaint "
               "at twice the size (PNG); timelapse (MP4, GIF); strokes (JSON); SVG; layers for "
               "MyPaint, Krita or GIMP (ORA)")


def brush_label(name: str) -> str:
    return name.replace("_", " ").capitalize()


def mask_canvas(photo):
    """The mask editor's value for a new photo: the photo (at most MASK_EDITOR_SIDE px) and no strokes."""
    try:
        image = check_photo(photo)
    except PainterError:
        return None
    image.thumbnail((MASK_EDITOR_SIDE, MASK_EDITOR_SIDE), Image.LANCZOS)
    return {"background": np.asarray(image), "layers": [], "composite": None}


def _photo_as_uploaded(component, payload):
    """The uploaded file untouched, so that our checks (not PIL inside Gradio) judge it and a corrupt upload
    gets one clear sentence."""
    if payload is None or payload.path is None:
        return type(component).preprocess(component, payload)
    return str(payload.path)


def judged_by_validator(component, preprocess=lambda component, payload: payload):
    """Let the event validator, not the component, judge the value, so that an API call with a bad photo or an
    out-of-range setting gets our one sentence rather than a bare HTTP 400. (An instance attribute rather than
    a subclass: Gradio writes a .pyi for every subclass.)"""
    component.preprocess = types.MethodType(preprocess, component)
    return component


def _stop(visitor: gr.Request):
    runs.request_stop(visitor)


def build_demo(inputs: PageInputs, endpoints: Endpoints, examples: Examples, swatches: list[tuple[str, str]],
               about: str) -> gr.Blocks:
    """The page: `swatches` (name, PNG) of the brushes MyPaint paints, `about` a line on the hardware and the
    objective."""
    hardware, brushes = inputs.hardware, inputs.brushes
    with gr.Blocks(title="Neural Painter", delete_cache=(900, 3600)) as demo:
        # Outputs first (rendered further down), so that the examples can name them.
        canvas = gr.Image(label="Canvas", type="numpy", format="png", interactive=False, height=520,
                          elem_id="canvas", buttons=["download", "fullscreen"], render=False)
        status = gr.Textbox(label="Status", value=f"Ready on {hardware.description}.", interactive=False, max_lines=1,
                            elem_id="status", render=False)
        comparison = gr.ImageSlider(label="Before / after", type="pil", elem_id="comparison", render=False)
        timelapse = gr.Video(label="Timelapse", autoplay=True, loop=True, interactive=False,
                             elem_id="timelapse", render=False)
        files = gr.File(label=FILES_LABEL, file_count="multiple", interactive=False, elem_id="files", render=False)

        gr.Markdown(INTRO)
        with gr.Row(equal_height=False):
            with gr.Column(scale=1, min_width=320):
                photo = gr.Image(label="Photo", type="filepath", sources=["upload", "clipboard", "webcam"],
                                 height=320, elem_id="photo")
                picked = gr.Examples(EXAMPLES, inputs=[photo], label=f"Or pick an example: the first click paints it "
                                     f"live with the defaults (about {examples.seconds(inputs):.0f} s here), a later "
                                     "click shows it at once", example_labels=EXAMPLE_LABELS)
                strokes = gr.Slider(label="Strokes", info="More strokes: finer detail, longer run.",
                                    elem_id="strokes", **hardware.strokes)
                size = gr.Radio(list(hardware.sizes), value=hardware.default_size, label="Size (long side, pixels)",
                                elem_id="size")
                with gr.Group():
                    gallery = gr.Gallery([(path, brush_label(name)) for name, path in swatches], columns=2,
                                         label="Brushes", show_label=False, height="auto", allow_preview=False,
                                         interactive=False, selected_index=0, object_fit="cover", buttons=[],
                                         visible=bool(swatches), elem_id="brush_swatches")
                    brush = gr.Radio([(brush_label(name), name) for name in brushes], value=DEFAULT_BRUSH, label="Brush",
                                     info="Above, strokes painted by MyPaint itself with each (click one to pick it); "
                                          "a neural copy of the brush places every stroke and MyPaint paints it (a brush per level: "
                                          "Advanced).",
                                     elem_id="brush")
                with gr.Row():
                    paint_btn = gr.Button("Paint", variant="primary", elem_id="paint")
                    stop_btn = gr.Button("Stop", variant="stop", visible=False, elem_id="stop")
                guidance, seed, dice, time_limit, level_brushes = _controls(hardware, brushes)
                gr.Markdown(about, elem_id="hardware")
            with gr.Column(scale=2, min_width=360):
                canvas.render()
                status.render()
                with gr.Column(visible=False) as results:
                    with gr.Row(equal_height=False):
                        comparison.render()
                        timelapse.render()
                    files.render()

        outputs = [canvas, status, comparison, timelapse, files]
        inputs_ = [photo, strokes, size, seed, time_limit, *guidance, brush, *level_brushes]  # (brush choices last)
        for component in (photo, guidance[0]):
            judged_by_validator(component, _photo_as_uploaded)
        for setting in (strokes, size, seed, time_limit, *guidance[1:], brush, *level_brushes):
            if setting is not guidance[2] and setting is not guidance[3]:  # (the checkbox and the mask editor)
                judged_by_validator(setting)
        # The mask is painted over the photo: a new photo clears the mask and shows under the brush.
        photo.change(mask_canvas, photo, guidance[3], queue=False, api_visibility="private")
        dice.click(None, None, seed, js=f"() => Math.floor(Math.random() * {MAX_SEED})")
        # A click on a swatch picks its brush; the swatch of the picked brush stays marked.
        def brush_of_swatch(event: gr.SelectData):
            return swatches[event.index][0] if isinstance(event.index, int) else gr.update()

        def swatch_of_brush(name):
            return gr.update(selected_index=next((i for i, (shown, _) in enumerate(swatches) if shown == name), None))

        gallery.select(brush_of_swatch, None, brush, queue=False, api_visibility="private")
        brush.change(swatch_of_brush, brush, gallery, queue=False, api_visibility="private")
        # The Paint button (see space/endpoints.py): checked at once; refused, the chain ends there with the page
        # as it was; else painted, Paint back at the last stroke, then the files one by one.
        job, finished = gr.State(None), gr.State(None)
        checked = paint_btn.click(endpoints.page_check, inputs_, [paint_btn, stop_btn, results, status, job, timelapse,
                                                                   files], queue=False, api_visibility="private")
        painted = checked.then(page_refuse, job, None, concurrency_limit=None, api_visibility="private").success(
            endpoints.page_paint, job, [canvas, status, comparison, finished], concurrency_id="painter",
            show_progress="minimal", api_visibility="private")
        painted.then(page_ready, None, [paint_btn, stop_btn, results], queue=False, api_visibility="private")
        painted.failure(lambda: (paint_ready(), gr.update(visible=False)), None, [paint_btn, stop_btn], queue=False,
                        api_visibility="private")
        painted.then(page_files, finished, [timelapse, files], concurrency_id="files", trigger_mode="multiple",
                     show_progress="hidden", api_visibility="private")
        # A click on an example loads it, then paints it as Paint does: Paint locked and Stop shown meanwhile,
        # in the painter's queue, so that no Paint runs beside it or lands its results over the example's.
        example = picked.load_input_event.then(lambda: (paint_locked(), gr.update(visible=True)), None,
                                               [paint_btn, stop_btn], queue=False, api_visibility="private")
        example = example.then(examples.paint_example, photo, outputs, concurrency_id="painter",
                               show_progress="minimal", api_visibility="private")
        for after in (example.then, example.failure):  # (Gradio runs no .then after an error)
            after(lambda: (paint_ready(), gr.update(visible=False)), None, [paint_btn, stop_btn], queue=False,
                  api_visibility="private")
        # `/paint` takes every control (for gradio_client, and the MCP tool `paint_with_controls`); the hidden
        # `/paint_photo` below is the simple MCP tool `paint` (an MCP tool is named by its function).
        gr.Button(visible=False).click(endpoints.paint_with_controls, inputs_, outputs, validator=inputs.validate,
                                       api_name="paint", concurrency_id="painter", show_progress="minimal")
        # The results show whenever there are files: after a run, or when a cached example loads.
        files.change(lambda done: gr.update(visible=bool(done)), files, results, queue=False, api_visibility="private")
        stop_btn.click(_stop, None, None, queue=False, api_visibility="private")
        _tool(photo, strokes, seed, time_limit, hardware, inputs, endpoints)
    demo.queue(default_concurrency_limit=1, max_size=20)
    return demo


def _controls(hardware, brushes):
    """The accordions: style and detail, stroke controls, advanced. Returns (the guidance controls in
    `inputs.GUIDANCE`'s order, seed, the dice, time limit, the per-level brush choices)."""
    with gr.Accordion("Style and detail", open=False):
        style = gr.Image(label="Style painting (optional): the strokes take its palette and manner",
                         type="filepath", sources=["upload", "clipboard"], height=200, elem_id="style")
        if STYLE_EXAMPLES:
            gr.Examples(STYLE_EXAMPLES, inputs=[style], label="Or pick a style",
                        example_labels=[Path(p).stem.replace("_", " ").capitalize() for p in STYLE_EXAMPLES])
        style_strength = gr.Slider(0, MAX_STYLE_STRENGTH, value=1.0, step=0.25, label="Style strength",
                                   info="0 paints likeness only.", elem_id="style_strength")
        colour_transfer = gr.Checkbox(True, label="Take the style's colours",
                                      info="Moves the photo's colours onto the style's before painting.",
                                      elem_id="colour_transfer")
        detail = gr.ImageEditor(label="Detail mask: brush where detail matters (faces, eyes, hands)",
                                type="numpy", image_mode="RGBA", sources=[], transforms=[], layers=False,
                                brush=gr.Brush(colors=["#ff3b6b"], color_mode="fixed", default_size=24),
                                eraser=gr.Eraser(default_size=24), height=320, elem_id="detail")
    with gr.Accordion("Stroke controls", open=False):
        with gr.Row():
            min_radius = gr.Slider(0, MAX_RADIUS, value=0, step=0.5, label="Min radius (px)", elem_id="min_radius")
            max_radius = gr.Slider(0, MAX_RADIUS, value=MAX_RADIUS, step=0.5, label="Max radius (px)",
                                   elem_id="max_radius")
        with gr.Row():
            min_length = gr.Slider(0, MAX_LENGTH, value=0, step=1, label="Min length (px)", elem_id="min_length")
            max_length = gr.Slider(0, MAX_LENGTH, value=MAX_LENGTH, step=1, label="Max length (px)",
                                   elem_id="max_length")
        with gr.Row():
            low_pressure = gr.Slider(0, 1, value=0, step=0.05, label="Min pressure", elem_id="low_pressure")
            high_pressure = gr.Slider(0, 1, value=1, step=0.05, label="Max pressure", elem_id="high_pressure")
        palette = gr.Slider(0, MAX_PALETTE, value=0, step=1, label="Palette: at most this many colours",
                            info="0: no limit.", elem_id="palette")
        with gr.Row(equal_height=True):
            background = gr.Radio(["Photo's average", "White", "Custom"], value="Photo's average",
                                  label="Background", scale=3, elem_id="background")
            background_colour = gr.ColorPicker("#f4efe6", label="Custom colour", scale=1, elem_id="background_colour")
    with gr.Accordion("Advanced", open=False):
        with gr.Row(equal_height=True):
            seed = gr.Number(value=0, label="Seed", precision=0, minimum=0, maximum=MAX_SEED, scale=4, elem_id="seed")
            dice = gr.Button("🎲 Randomise", scale=1, min_width=60, elem_id="randomise")
        time_limit = gr.Slider(label="Time limit (seconds)", elem_id="time_limit",
                               info="The run ends here with the strokes painted so far.", **hardware.time_limit)
        level_choices = [("As above", ""), *[(brush_label(name), name) for name in brushes]]
        gr.Markdown("**Brush per level**, coarse to fine: the first, broad strokes to the last, small ones "
                    "(as above: the brush picked above).", elem_id="level_brushes")
        with gr.Group():  # coarse to fine, as `PageInputs.brush_choice` takes them
            level_brushes = [gr.Dropdown(level_choices, value="", label=f"{level.capitalize()} levels",
                                         elem_id=f"{level}_brush") for level in LEVELS]
    guidance = [style, style_strength, colour_transfer, detail, min_radius, max_radius, low_pressure, high_pressure,
                background, background_colour, palette, min_length, max_length]
    return guidance, seed, dice, time_limit, level_brushes


def _tool(photo, strokes, seed, time_limit, hardware, inputs: PageInputs, endpoints: Endpoints):
    """The MCP tool `paint` (and a simple API endpoint, `/paint_photo`): a photo in; the painting and its files out."""
    outputs = [gr.Image(type="pil", format="png", label="Painting", visible=False),
               *[gr.File(label=label, visible=False) for label in
                 ("MyPaint's painting at twice the size (PNG)", "Strokes (JSON)", "SVG", "Timelapse (MP4)",
                  "Layers (OpenRaster)")],
               gr.Textbox(label="Status", visible=False)]
    # (A number, not the Radio: Gradio describes a Radio of numbers to MCP clients as a string.)
    size = judged_by_validator(gr.Number(hardware.default_size, precision=0, visible=False))
    # (Text, not the page's Radio, whose names MCP clients would get as an enum that their server enforces with
    # its own message before ours.)
    brush = gr.Textbox(DEFAULT_BRUSH, visible=False)
    gr.Button(visible=False).click(endpoints.paint, [photo, strokes, size, seed, time_limit, brush], outputs,
                                   validator=inputs.validate_tool, api_name="paint_photo", concurrency_id="painter")
