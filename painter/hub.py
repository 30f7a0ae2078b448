"""The brush from the Hugging Face Hub, named once in the Space card, with the bundled brush as fallback.

The Space card (README.md's front matter) lists the brush's repo under `models:`; the app reads it
at start-up (`$NEURAL_PAINTER_BRUSH` overrides it) and `huggingface_hub` downloads the repo into
its cache, so a brush fetched once (or preloaded when the Space is built, `preload_from_hub`)
loads offline. Where the Hub cannot be reached, the repo does not exist yet (the card's placeholder
owner), or what it holds is not a Neural Painter brush, the bundled `checkpoints/brush/` is used,
and the one-line note returned says why.
"""

from __future__ import annotations

import os
from pathlib import Path

from .brush import CHECKPOINT_ENV, DEFAULT_CHECKPOINT
from .vgg import VGG16_REPO, offline

SPACE_CARD = Path(DEFAULT_CHECKPOINT).parents[1] / "README.md"
BRUSH_FILES = ("model.safetensors", "config.json", "README.md")
LIBRARY_NAME = "neural-painter"  # the brush's model card says it is one (training/push.py writes it)


def card_brush_repo(card=SPACE_CARD) -> str | None:
    """The brush's repo id: the first model of the Space card's `models:` that is not VGG16's."""
    from huggingface_hub import SpaceCard

    if not Path(card).is_file():
        return None
    models = SpaceCard.load(Path(card)).data.models or []
    return next((m for m in models if m != VGG16_REPO), None)


def is_brush_folder(folder) -> bool:
    """Whether `folder` holds a brush whose model card says it is a Neural Painter brush."""
    from huggingface_hub import ModelCard

    folder = Path(folder)
    if not all((folder / name).is_file() for name in BRUSH_FILES):
        return False
    return ModelCard.load(folder / "README.md").data.library_name == LIBRARY_NAME


def find_brush(card=SPACE_CARD, cache_dir=None) -> tuple[str, str]:
    """Where the app's brush comes from, and a one-line note for the log.

    In order: `$NEURAL_PAINTER_BRUSH` (a folder or a repo id); the Space card's brush repo through
    the Hub's cache (downloading unless offline); the bundled checkpoints/brush/.
    """
    override = os.environ.get(CHECKPOINT_ENV)
    if override:
        return override, f"brush: {override} (from ${CHECKPOINT_ENV})"
    repo = card_brush_repo(card)
    if repo is None:
        return DEFAULT_CHECKPOINT, "brush: the bundled checkpoints/brush (the Space card names no brush repo)"
    reason = _download(repo, cache_dir)
    if isinstance(reason, Path):
        if is_brush_folder(reason):
            return str(reason), f"brush: {repo} from the Hugging Face Hub"
        reason = "it is not a Neural Painter brush"
    return DEFAULT_CHECKPOINT, f"brush: {repo} could not be had from the Hub ({reason}); using the bundled checkpoints/brush"


def _download(repo: str, cache_dir=None) -> Path | str:
    """The repo's snapshot folder, or why there is none (one phrase)."""
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import (HfHubHTTPError, HFValidationError, LocalEntryNotFoundError,
                                        RepositoryNotFoundError)

    from .network import HUB_HOST, network_allows

    asked_offline = offline()
    local_only = asked_offline or not network_allows(host=HUB_HOST)
    try:
        return Path(snapshot_download(repo, allow_patterns=list(BRUSH_FILES), cache_dir=cache_dir,
                                      local_files_only=local_only))
    except LocalEntryNotFoundError:
        where = "offline mode" if asked_offline else "the Hub cannot be reached"
        return f"{where}, and it is not in the Hub's cache"
    except RepositoryNotFoundError:
        return "no such repo"
    except HFValidationError:
        return "not a repo id"
    except (HfHubHTTPError, OSError) as error:
        return type(error).__name__


def load_brush(device="cpu", card=SPACE_CARD, cache_dir=None):
    """The app's brush (see `find_brush`) loaded onto `device`, and the note for the log; a Hub
    brush that does not load falls back to the bundled one too."""
    from .brush import Brush

    source, note = find_brush(card, cache_dir)
    try:
        return Brush.load(source, device=device), note
    except Exception as error:  # noqa: BLE001 - whatever is wrong with it, the bundled brush paints
        if source == DEFAULT_CHECKPOINT or os.environ.get(CHECKPOINT_ENV):
            raise
        return (Brush.load(DEFAULT_CHECKPOINT, device=device),
                f"brush: {source} does not load ({type(error).__name__}); using the bundled checkpoints/brush")
