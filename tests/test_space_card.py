"""The Space card (README.md's front matter) builds as shipped: the Python it names (ZeroGPU's) can
read every source file, its Gradio is the one requirements.txt pins, the torch range admits a
version ZeroGPU installs, and it preloads no placeholder repo.

Python 3.10 itself is not installed here, so the sources are parsed with its grammar; whether every
requirement has a wheel for it needs PyPI and is checked by hand: `python benchmarks/space_wheels.py`.
"""

import ast
import re
from pathlib import Path

import pytest
from huggingface_hub import SpaceCard
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parents[1]
CARD = SpaceCard.load(ROOT / "README.md").data

# https://huggingface.co/docs/hub/spaces-zerogpu, "Supported Versions": Python 3.10.13; PyTorch
# "almost all versions from 2.1.0 to latest", listed as these (with the torchvision of each).
ZEROGPU_PYTHON = "3.10.13"
ZEROGPU_TORCH = {"2.1.0": "0.16.0", "2.1.1": "0.16.1", "2.1.2": "0.16.2", "2.2.0": "0.17.0", "2.2.2": "0.17.2",
                 "2.4.0": "0.19.0", "2.5.1": "0.20.1", "2.6.0": "0.21.0", "2.7.1": "0.22.1", "2.8.0": "0.23.0"}
LOCAL_TORCH = ("2.14.1", "0.29.1")  # the builds this project is developed and tested on

SOURCES = sorted(path for folder in ("painter", "space", "training", "benchmarks", "tests", "examples")
                 for path in (ROOT / folder).rglob("*.py")) + [ROOT / "app.py"]
# Library names that Python 3.11 or later added and 3.10 lacks (the grammar check cannot see them).
NEWER_THAN_3_10 = re.compile(r"\b(tomllib|datetime\.UTC|from datetime import[^\n]*\bUTC\b|typing\.Self|"
                             r"import[^\n]*\bSelf\b|ExceptionGroup|TaskGroup|StrEnum|asyncio\.timeout\(|"
                             r"itertools\.batched|typing\.override|contextlib\.chdir|hashlib\.file_digest|"
                             r"\.add_note\()")


def requirements() -> dict[str, Requirement]:
    lines = [line.split("#")[0].strip() for line in (ROOT / "requirements.txt").read_text().splitlines()]
    return {req.name.lower(): req for req in map(Requirement, filter(None, lines))}


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_source_file_is_python_3_10(path):
    source = path.read_text()
    ast.parse(source, filename=str(path), feature_version=(3, 10))
    if path != Path(__file__):  # (which names them)
        assert not NEWER_THAN_3_10.search(source), NEWER_THAN_3_10.search(source).group(0)


def test_the_3_10_grammar_check_catches_3_11_syntax():
    with pytest.raises(SyntaxError):
        ast.parse("try:\n    pass\nexcept* ValueError:\n    pass\n", feature_version=(3, 10))


def test_the_card_names_zerogpus_python_which_the_project_supports():
    assert CARD.python_version == ZEROGPU_PYTHON
    requires = re.search(r'^requires-python\s*=\s*"([^"]+)"', (ROOT / "pyproject.toml").read_text(), re.M).group(1)
    assert ZEROGPU_PYTHON in SpecifierSet(requires)
    for name, req in requirements().items():
        assert not req.marker, f"{name}: a marker may leave it out on the Space"


def test_the_card_sdk_version_is_the_gradio_requirements_txt_pins():
    gradio = requirements()["gradio"]
    pinned = [spec.version for spec in gradio.specifier if spec.operator == "=="]
    assert pinned == [CARD.sdk_version] and CARD.sdk == "gradio"


def test_torch_ranges_admit_the_local_build_and_one_zerogpu_installs():
    torch, torchvision = requirements()["torch"].specifier, requirements()["torchvision"].specifier
    assert LOCAL_TORCH[0] in torch and LOCAL_TORCH[1] in torchvision
    assert [t for t, tv in ZEROGPU_TORCH.items() if t in torch and tv in torchvision], (torch, torchvision)


def test_no_torch_compile_which_zerogpu_does_not_support():
    for path in SOURCES:
        if path != Path(__file__):
            assert not re.search(r"torch\.compile|\.compile\(\s*\)|torch\._dynamo", path.read_text()), path


def test_the_card_preloads_no_placeholder_repo():
    preload = CARD.get("preload_from_hub") or []
    assert preload and not [entry for entry in preload if entry.split()[0].startswith("OWNER/")]
