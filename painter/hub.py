"""The brushes from the Hugging Face Hub, named once in the Space card, with the bundled brushes as fallback.

The Space card (README.md's front matter) lists one Hub repo per brush under `models:` (a repo
holds one brush: `PyTorchModelHubMixin` reads config.json at a repo's root, and each brush has its
own model card). The app reads them at start-up and `huggingface_hub` downloads each repo into its
cache, so a brush fetched once (or preloaded when the Space is built, `preload_from_hub`) loads
offline. A downloaded brush replaces the bundled brush (checkpoints/brushes/NAME) that imitates the
same MyPaint brush (its config.json's `mypaint`). Where the Hub cannot be reached, a repo does not
exist yet (the card's placeholder owner), or what it holds is not a Neural Painter brush, the
bundled brush stays in use, and a one-line note says why. `$NEURAL_PAINTER_BRUSH` (a folder or a
repo id) overrides the default brush, the dry brush.
"""

from __future__ import annotations

import os
from pathlib import Path

from .brush import BRUSHES_DIR, CHECKPOINT_ENV, DEFAULT_BRUSH, DEFAULT_CHECKPOINT, imitated_brush, shipped_brushes
from .vgg import VGG16_REPO, offline

SPACE_CARD = Path(BRUSHES_DIR).parents[1] / "README.md"
BRUSH_FILES = ("model.safetensors", "config.json", "README.md")
LIBRARY_NAME = "neural-painter"  # the brush's model card says it is one (training/push.py writes it)
REPO_PREFIX = "neural-painter-"  # a brush's repo is OWNER/neural-painter-NAME (NAME with - for _)


def card_brush_repos(card=SPACE_CARD) -> list[str]:
    """The brush repos of the Space card: its `models:`, VGG16's left out, in order."""
    from huggingface_hub import SpaceCard

    if not Path(card).is_file():
        return []
    return [m for m in SpaceCard.load(Path(card)).data.models or [] if m != VGG16_REPO]


def is_brush_folder(folder) -> bool:
    """Whether `folder` holds a brush whose model card says it is a Neural Painter brush."""
    from huggingface_hub import ModelCard

    folder = Path(folder)
    if not all((folder / name).is_file() for name in BRUSH_FILES):
        return False
    return ModelCard.load(folder / "README.md").data.library_name == LIBRARY_NAME


def _named(repo: str, names, first: bool) -> str:
    """The bundled brush a repo's name says it is (OWNER/neural-painter-charcoal: charcoal); an unnamed
    first repo is the default brush's (the card's first brush repo is the default brush's)."""
    name = repo.split("/")[-1].removeprefix(REPO_PREFIX).replace("-", "_")
    return DEFAULT_BRUSH if first and name not in names else name


def _bundled(path: str) -> str:
    """A bundled brush's folder as the log names it: checkpoints/brushes/NAME (else the whole path)."""
    root = Path(BRUSHES_DIR).parents[1]
    return str(Path(path).relative_to(root)) if Path(path).is_relative_to(root) else str(path)


def find_brushes(card=SPACE_CARD, cache_dir=None, directory=None) -> tuple[dict[str, str], dict[str, str]]:
    """Where each shipped brush comes from, `{name: folder}`, and a one-line note for the log on each.

    Each brush repo of the card is fetched through the Hub's cache (downloading unless offline) and
    replaces the bundled brush that imitates the same MyPaint brush; a repo that cannot be had, or
    that no bundled brush matches, leaves the bundled brushes as they are, and its note (keyed by
    the bundled brush its name says, else by the repo) says why. `$NEURAL_PAINTER_BRUSH` overrides
    the default brush. `directory`: the bundled brushes (checkpoints/brushes).
    """
    shipped = shipped_brushes(*([directory] if directory else []))
    sources = {b.name: b.path for b in shipped}
    notes = {b.name: f"brush {b.name}: the bundled {_bundled(b.path)} (the Space card names no repo for it)"
             for b in shipped}
    override = os.environ.get(CHECKPOINT_ENV)
    if override:
        sources[DEFAULT_BRUSH], notes[DEFAULT_BRUSH] = override, f"brush: {override} (from ${CHECKPOINT_ENV})"
    by_mypaint = {b.mypaint: b.name for b in shipped}
    taken = {DEFAULT_BRUSH: CHECKPOINT_ENV} if override else {}
    for index, repo in enumerate(card_brush_repos(card)):
        named = _named(repo, sources, first=index == 0)
        if override and named == DEFAULT_BRUSH:
            continue  # not even downloaded: the environment says which brush
        reason = _download(repo, cache_dir)
        if isinstance(reason, Path):
            mypaint = imitated_brush(reason) if is_brush_folder(reason) else None
            name = by_mypaint.get(mypaint)
            if name is not None and name not in taken:
                taken[name] = repo
                sources[name], notes[name] = str(reason), f"brush {name}: {repo} from the Hugging Face Hub"
                continue
            reason = ("it is not a Neural Painter brush" if mypaint is None else
                      f"it imitates {mypaint}, which no bundled brush does" if name is None else
                      f"{taken[name]} already gives the {name}")
        if named in sources and named not in taken:
            notes[named] = (f"brush {named}: {repo} could not be had from the Hub ({reason}); "
                            f"using the bundled {_bundled(sources[named])}")
        else:
            notes[repo] = f"brush: {repo} could not be had from the Hub ({reason}); it replaces no bundled brush"
    return sources, notes


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


def load_brushes(device="cpu", card=SPACE_CARD, cache_dir=None):
    """The app's brushes: the default one loaded onto `device`, where every shipped brush comes from
    (`find_brushes`: the others load when first used), and the notes. A Hub copy of the default brush
    that does not load falls back to the bundled one."""
    from .brush import Brush

    sources, notes = find_brushes(card, cache_dir)
    source = sources.get(DEFAULT_BRUSH, DEFAULT_CHECKPOINT)
    try:
        return Brush.load(source, device=device), sources, notes
    except Exception as error:  # noqa: BLE001 - whatever is wrong with it, the bundled brush paints
        if source == DEFAULT_CHECKPOINT or os.environ.get(CHECKPOINT_ENV):
            raise
        sources[DEFAULT_BRUSH] = DEFAULT_CHECKPOINT
        notes[DEFAULT_BRUSH] = (f"brush {DEFAULT_BRUSH}: {source} does not load ({type(error).__name__}); "
                                f"using the bundled {_bundled(DEFAULT_CHECKPOINT)}")
        return Brush.load(DEFAULT_CHECKPOINT, device=device), sources, notes
