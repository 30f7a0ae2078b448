"""Publish a trained brush on the Hugging Face Hub with its model card.

`python -m training push --checkpoint DIR --repo-id USER/NAME [--private] [--dry-run]`
`python -m training push --all --owner USER [--dry-run]`: every shipped brush (checkpoints/brushes/NAME)
to its own repo, USER/neural-painter-NAME (underscores as dashes). One repo per brush, not one repo
with a folder per brush: `from_pretrained` and the Hub's model pages take a repo whose root holds
one model, so each brush loads by its repo id and shows its own model card.

The folder is checked first (it must load with `strict=True`), then staged with its model card
(the folder's own README.md, or one written from its training.json; its front matter always says
`library_name: neural-painter`, which the app's loader checks), then uploaded through
`huggingface_hub`. Without a token or a network the command says so in one sentence and
publishes nothing; `--dry-run` stops just before the upload and shows the staged folder.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from huggingface_hub import ModelCard

from painter.brush import Brush
from painter.dabs import BLUR_PX
from painter.hub import LIBRARY_NAME, REPO_PREFIX
from painter.mypaint import BRUSH

FILES = ("model.safetensors", "config.json")
OPTIONAL_FILES = ("svg.json",)  # the SVG export's outline fit, where it has been fitted
MIXIN_CARD = "This model has been pushed to the Hub using the"


class PushError(ValueError):
    """The brush could not be published; the message is one sentence for the user."""


def model_card(training: dict | None = None, fidelity: dict | None = None, repo_id: str | None = None) -> str:
    """A model card: what the brush is, how it was trained, how faithful it is."""
    cfg = (training or {}).get("config", {})
    mypaint = (training or {}).get("mypaint", BRUSH)
    lines = ["---", f"library_name: {LIBRARY_NAME}", "tags:", "- neural-painter", "- brushstroke", "- mypaint",
             "- pytorch_model_hub_mixin", "---", "",
             f"# Neural Painter brush: MyPaint's `{mypaint}` as a differentiable generator", "",
             "Maps a 12-number stroke action (the layout of Nakano's MyPaint dataset: pressure, size, control "
             "point, end point, colour, start point, pressure) to the stroke's 64x64 coverage in [0, 1]. "
             "Colour does not change the stroke's coverage, so the network reads the nine shape numbers. "
             f"MyPaint re-renders its strokes with `{mypaint}` (Debian's mypaint-brushes).",
             "", "```python", "from painter import Brush",
             f'brush = Brush.from_pretrained("{repo_id or "checkpoints/brushes/NAME"}").freeze()',
             "alpha = brush(actions)   # (N, 12) in [0, 1] -> (N, 1, 64, 64)", "```", ""]
    if cfg:
        lines += ["## Training", "",
                  f"Real MyPaint strokes only (`python -m training data --brush {mypaint}`), three stages "
                  "(Nakano 2019; Libre AI, \"Learning Neural Painters Fast\"):", "",
                  f"1. generator alone: feature loss ({cfg.get('feature')}) + pixel binary cross-entropy, "
                  f"{cfg.get('steps1')} steps of {cfg.get('batch')} strokes, Adam, cosine from lr {cfg.get('lr1')};",
                  f"2. conditional critic pretrained as a binary classifier against the frozen stage-1 generator, "
                  f"{cfg.get('steps2')} steps;",
                  f"3. GAN (hinge loss, spectral-norm critic) with the stage-1 loss kept as reconstruction term, "
                  f"adversarial weight {cfg.get('adv_weight')}, {cfg.get('steps3')} steps.", "",
                  f"Architecture: sin/cos features of the shape numbers ({cfg.get('fourier')} octaves), fully "
                  f"connected layers of {cfg.get('hidden')} to a {cfg.get('base')} px map of "
                  f"{(list(cfg.get('channels', [])) or ['?'])[0]} channels, transposed convolutions to 64 px, with the "
                  f"stroke's centre line ({cfg.get('guide')} curve points) given to the 32 px stage. "
                  f"This generator: stage {training.get('stage')}.", ""]
        if cfg.get("dab_guide"):
            lines += ["With the dab guide (`--dab-guide 1`, `painter/dabs.py`): the dabs MyPaint paints for the "
                      "stroke with a fresh brush, its random scatter included (dab k of every stroke gets the same "
                      "random numbers), placed along the curve from the brush's .myb settings (an elliptical "
                      "brush's steps measured across each dab's ellipse, turned by its own fixed random angle), "
                      f"splatted into the 64 px cell, blurred at {', '.join(map(str, BLUR_PX[:-1]))} and "
                      f"{BLUR_PX[-1]} px (an elliptical brush's: as many times longer along the ellipse's long axis, "
                      "and shorter across it, as the square root of its ratio) and read by "
                      "a small convolution that adds to the generator's logits. So the brush paints MyPaint's own stroke for the action, grain included, "
                      "not its average over random draws.", ""]
        if cfg.get("iou_weight"):
            lines += [f"The reconstruction loss also holds a soft blurred-mask IoU (the fidelity metric's "
                      f"Gaussian blur, a sigmoid of slope {cfg.get('iou_sharpness')} around its 0.5 "
                      f"threshold, per stroke), weight {cfg.get('iou_weight')}.", ""]
        if cfg.get("init"):
            lines += [f"The generator started from the trained brush `{cfg.get('init')}` (fine-tuning), "
                      "not from scratch; the steps above are this run's only.", ""]
        if training.get("seconds"):
            parts = ", ".join(f"{k.replace('stage', 'stage ')} {v / 60:.1f} min" for k, v in training["seconds"].items())
            lines += [f"Wall time: {parts} ({sum(training['seconds'].values()) / 60:.1f} min in all).", ""]
    if training and training.get("validation"):
        v = training["validation"]
        lines += [f"Held-out validation: blurred IoU {v['iou']:.3f}, MAE {v['mae']:.4f}.", ""]
    if fidelity:
        lines += ["## Fidelity against MyPaint", "", "| generator | blurred IoU | MAE |", "|---|---|---|"]
        for name, key in (("this brush", ""), ("stage-1 generator", "stage1_"),
                          ("MyPaint itself, points jittered by 0.26 px, same random stream", "mypaint_jitter_"),
                          ("MyPaint itself, another random stream", "mypaint_other_stream_"),
                          ("MyPaint's expected stroke (mean of other random streams)", "mypaint_expected_")):
            if fidelity.get(f"{key}blurred_iou") is not None:
                lines.append(f"| {name} | {fidelity[f'{key}blurred_iou']:.3f} | {fidelity[f'{key}mae']:.4f} |")
        lines += ["", f"On {fidelity.get('strokes')} fresh random actions (seed {fidelity.get('seed')}), rendered by "
                  f"MyPaint's `{fidelity.get('mypaint', mypaint)}`. {fidelity.get('metric', '')}.", ""]
        lines += _ceiling(fidelity) + _by_mask_size(fidelity.get("by_mask_size"))
    return "\n".join(lines)


def _ceiling(fidelity: dict) -> list[str]:
    """The bar a neural brush is held to: MyPaint against itself for the same action from the same random
    stream, its points jittered by 0.26 px, as the stroke's numbers can barely say better."""
    bar = fidelity.get("mypaint_jitter_blurred_iou")
    if bar is None:
        return []
    line = (f"The yardstick is the stroke MyPaint paints for the same action, from the same random stream (a fresh "
            f"brush draws the same random numbers for every stroke, so that is one fixed picture, its scatter "
            f"included); the ceiling is MyPaint with its points jittered by 0.26 px, same random stream: "
            f"{bar:.3f}. This brush: {fidelity['blurred_iou']:.3f}, "
            f"{fidelity['blurred_iou'] / bar:.0%} of it.")
    other = fidelity.get("mypaint_other_stream_blurred_iou")
    if other is not None and other < 0.999:
        line += (f" Another random stream scores {other:.3f}: a brush that paints MyPaint's average stroke, "
                 "not its own, stays near that.")
    return [line, ""]


SIZE_COLUMNS = (("brush", "this brush"), ("other_stream", "MyPaint, another stream"),
                ("expected", "MyPaint's expected stroke"), ("jitter", "MyPaint, jittered 0.26 px"))


def _by_mask_size(table: dict | None) -> list[str]:
    """The fidelity by the size of MyPaint's blurred mask, as a markdown table."""
    if not table:
        return []
    columns = [(key, label) for key, label in SIZE_COLUMNS if key in table.get("1-19", {})]
    lines = ["By the size of MyPaint's blurred mask (blurred IoU; strokes in brackets):", "",
             "| MyPaint's mask | " + " | ".join(label for _, label in columns) + " |",
             "|---|" + "---|" * len(columns)]
    empty = table.get("0", {})
    lines.append("| empty (painted where MyPaint leaves none) | "
                 + " | ".join(f"{empty.get(key, 0)} strokes" for key, _ in columns) + " |")
    for label, row in table.items():
        if label != "0":
            cells = [f"{row[key]:.3f}" if row.get(key) is not None else "-" for key, _ in columns]
            cells[0] += f" ({row['strokes']})"
            lines.append(f"| {label} px | " + " | ".join(cells) + " |")
    return lines + [""]


def stage(checkpoint: str, folder: Path, repo_id: str) -> Path:
    """Copy the weights, config and a model card into `folder`, after checking they load strictly."""
    source = Path(checkpoint)
    if (source / "brush" / "config.json").exists():
        source = source / "brush"
    missing = [name for name in FILES if not (source / name).exists()]
    if missing:
        raise FileNotFoundError(f"{checkpoint} is not a brush folder (missing {', '.join(missing)})")
    try:
        Brush.from_pretrained(str(source), strict=True)
    except Exception as error:  # a corrupt or mismatched checkpoint must not reach the Hub
        raise PushError(f"{source} does not load as a brush ({type(error).__name__}: {error})") from error
    for name in FILES + tuple(n for n in OPTIONAL_FILES if (source / n).exists()):
        shutil.copy2(source / name, folder / name)
    card = source / "README.md"
    text = card.read_text() if card.exists() else ""
    if not text or MIXIN_CARD in text:
        meta = source / "training.json"
        text = model_card(json.loads(meta.read_text()) if meta.exists() else None, repo_id=repo_id)
    card = ModelCard(text)
    card.data.library_name = LIBRARY_NAME  # what the app's loader (painter/hub.py) checks before using a repo
    card.save(folder / "README.md")
    return folder


def push(checkpoint: str, repo_id: str, private: bool = False, token: str | None = None,
         dry_run: bool = False) -> str:
    """Upload the brush to `repo_id`; returns the repo's URL (or the staged folder for a dry run)."""
    from huggingface_hub import HfApi, get_token
    from huggingface_hub.errors import HfHubHTTPError, HFValidationError, LocalTokenNotFoundError
    from huggingface_hub.utils import validate_repo_id

    try:
        validate_repo_id(repo_id)
    except HFValidationError as error:
        raise PushError(f"--repo-id {repo_id!r} is not a Hub repo id like USER/NAME") from error
    staged = Path(tempfile.mkdtemp(prefix="brush-push-"))
    stage(checkpoint, staged, repo_id)
    if dry_run:
        return str(staged)
    token = token or get_token()
    if not token:
        raise PushError("no Hugging Face token: run `hf auth login` or pass --token; nothing was published")
    api = HfApi(token=token)
    try:
        api.create_repo(repo_id, private=private, exist_ok=True)
        api.upload_folder(repo_id=repo_id, folder_path=staged, commit_message="Upload neural brush")
    except LocalTokenNotFoundError as error:
        raise PushError("no Hugging Face token: run `hf auth login` or pass --token; nothing was published") from error
    except HfHubHTTPError as error:
        raise PushError(f"the Hub refused the upload to {repo_id} ({str(error).splitlines()[0]})") from error
    except Exception as error:  # httpx / requests / OSError: the network is absent or the Hub unreachable
        raise PushError(f"could not reach the Hugging Face Hub ({type(error).__name__}); "
                        "the network is absent or blocked, nothing was published") from error
    finally:
        shutil.rmtree(staged, ignore_errors=True)
    return f"https://huggingface.co/{repo_id}"


def repo_for(owner: str, brush_name: str) -> str:
    """The Hub repo of a shipped brush: OWNER/neural-painter-NAME, underscores as dashes."""
    return f"{owner}/{REPO_PREFIX}{brush_name.replace('_', '-')}"


def push_all(owner: str, private: bool = False, token: str | None = None, dry_run: bool = False) -> list[tuple]:
    """Every shipped brush to its own repo (`repo_for`): (repo id, URL or staged folder) each."""
    from painter.brush import shipped_brushes

    repos = [(b.path, repo_for(owner, b.name)) for b in shipped_brushes()]
    return [(repo, push(path, repo, private, token, dry_run)) for path, repo in repos]


def add_arguments(parser):
    parser.add_argument("--checkpoint", help="brush folder (or a training --out folder)")
    parser.add_argument("--repo-id", help="Hub repo id, USER/NAME")
    parser.add_argument("--all", action="store_true",
                        help="every shipped brush, each to its own repo OWNER/neural-painter-NAME (needs --owner)")
    parser.add_argument("--owner", help="with --all: the Hub user or organisation")
    parser.add_argument("--private", action="store_true")
    parser.add_argument("--token", default=None, help="Hub token (default: the one `hf auth login` saved, or $HF_TOKEN)")
    parser.add_argument("--dry-run", action="store_true", help="check and stage everything, upload nothing")


def run(args):
    if args.all:
        if not args.owner or args.checkpoint or args.repo_id:
            raise PushError("--all publishes every shipped brush: give --owner USER, and no --checkpoint or --repo-id")
        places = push_all(args.owner, args.private, args.token, args.dry_run)
    elif not (args.checkpoint and args.repo_id):
        raise PushError("give --checkpoint DIR and --repo-id USER/NAME, or --all --owner USER")
    else:
        places = [(args.repo_id, push(args.checkpoint, args.repo_id, args.private, args.token, args.dry_run))]
    for repo, where in places:
        print(f"staged for {repo}, not uploaded: {where}" if args.dry_run else f"published: {where}")
