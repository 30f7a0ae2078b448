"""`pip install .` gives the painter and its CLI anywhere, with the shipped brushes (package data).

A fresh virtual environment that sees the system's packages (torch is not installed again), the
package built from a copy of the sources (so that no build folder lands in the repository), then
`python -m painter` and `neural-painter` run from another folder.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]


def test_pip_install_gives_the_cli_anywhere_with_the_shipped_brushes(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    junk = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "painter", source / "painter", ignore=junk)
    shutil.copytree(ROOT / "checkpoints" / "brushes", source / "checkpoints" / "brushes", ignore=junk)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
                    "--no-build-isolation", "--no-warn-script-location", str(source)],
                   check=True, capture_output=True, cwd=tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    listed = subprocess.run([str(venv / "bin" / "neural-painter"), "brushes", "--json"], cwd=elsewhere,
                            capture_output=True, text=True, check=True)
    installed = str(venv / "lib")
    brushes = json.loads(listed.stdout)
    assert [b["name"] for b in brushes][0] == "dry_brush" and len(brushes) == len(list((ROOT / "checkpoints" / "brushes").iterdir()))
    assert all(b["path"].startswith(installed) for b in brushes), brushes  # the installed copy, not the repository's
    photo = elsewhere / "photo.jpg"
    shutil.copy(ROOT / "examples" / "coffee.jpg", photo)
    painted = subprocess.run([str(python), "-m", "painter", "paint", "photo.jpg", "-o", "out.png", "--strokes", "24",
                              "--size", "48", "--quiet"], cwd=elsewhere, capture_output=True, text=True)
    assert painted.returncode == 0, painted.stderr
    assert "classic/dry_brush" in painted.stderr and Image.open(elsewhere / "out.png").size == (48, 32)
