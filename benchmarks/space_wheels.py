"""Whether requirements.txt resolves, as binary wheels, for the Space's Python (the card's
python_version, ZeroGPU's 3.10.13) with a torch that ZeroGPU installs.

Needs PyPI (it is not part of the test suite, which stays offline). It resolves only (pip's
--dry-run, reading the wheels' metadata) and downloads no torch or CUDA wheels:

    python benchmarks/space_wheels.py                   # torch 2.8.0, torchvision 0.23.0
    python benchmarks/space_wheels.py --torch 2.7.1 --torchvision 0.22.1

Prints the version of every requirement that would be installed, and exits non-zero if pip
cannot resolve the set. The torch and torchvision lines of requirements.txt are replaced by the
pins given (ZeroGPU picks its own torch build from those it supports; the local 2.14.1 build
that the ranges also admit is not on PyPI).
"""

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from huggingface_hub import SpaceCard
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
# PyPI tags torch's recent wheels manylinux_2_28 and its CUDA libraries manylinux_2_27 or older;
# pip does not widen a --platform given to it, so every glibc up to 2.28 is named.
PLATFORMS = [f"manylinux_2_{minor}_x86_64" for minor in (5, 12, *range(17, 29))] + [
    "manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64"]


def card_python() -> str:
    return str(SpaceCard.load(ROOT / "README.md").data.python_version)


def requirement_names(lines) -> list[str]:
    return [canonicalize_name(Requirement(line).name) for line in lines]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--torch", default="2.8.0", help="a torch ZeroGPU supports (default 2.8.0)")
    parser.add_argument("--torchvision", default="0.23.0", help="its torchvision (default 0.23.0)")
    parser.add_argument("--python", default=None, help="default: the Space card's python_version")
    args = parser.parse_args()
    python = args.python or card_python()

    lines = [line.split("#")[0].strip() for line in (ROOT / "requirements.txt").read_text().splitlines()]
    lines = [line for line in lines if line and not re.match(r"torch(vision)?\b", line)]
    lines += [f"torch=={args.torch}", f"torchvision=={args.torchvision}"]
    with tempfile.TemporaryDirectory() as tmp:
        requirements, report = Path(tmp) / "requirements.txt", Path(tmp) / "report.json"
        requirements.write_text("\n".join(lines) + "\n")
        command = [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet",
                   "--report", str(report), "--python-version", python, "--implementation", "cp",
                   "--only-binary=:all:", "--target", str(Path(tmp) / "target"), "-r", str(requirements)]
        for platform in PLATFORMS:
            command += ["--platform", platform]
        print(f"Python {python}, torch {args.torch}, torchvision {args.torchvision}: resolving on PyPI...",
              flush=True)
        if subprocess.run(command).returncode != 0:
            print("does NOT resolve (see pip's message above)")
            return 1
        installed = {canonicalize_name(item["metadata"]["name"]): item["metadata"]["version"]
                     for item in json.loads(report.read_text())["install"]}
    for name in requirement_names(lines):
        print(f"  {name:16} {installed.get(name, 'MISSING')}")
    print(f"resolves: {len(installed)} wheels in all, every one binary, for Python {python}")
    return 0 if all(name in installed for name in requirement_names(lines)) else 1


if __name__ == "__main__":
    sys.exit(main())
