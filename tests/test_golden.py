"""Golden runs: five CLI paintings whose settings exercise every path (the objective named, so that
a machine with VGG16's weights in its cache runs the same), checked three ways.

1. Bit for bit, on a machine that has a record. Floating-point results of an optimisation loop
   differ between CPUs (the vector instructions oneDNN and MKL pick, the thread split) and the loop
   amplifies the last bit into other strokes, so a hash is a refactoring tool for one machine, not
   a property every machine can check. Records are kept per fingerprint of what decides the
   arithmetic (`fingerprint()`); a machine without one says so in one line (a skip) and is checked
   by 2 and 3 alone.
2. Determinism, on any machine: the same request twice, in this process and in two fresh ones,
   gives the same PNG and strokes file, byte for byte.
3. Behaviour, on any machine: what a user would notice. The stroke count exactly; the objective
   named in the JSON; every stroke inside the canvas and within the stroke controls' limits; the
   painting's likeness to the photo (PSNR) within a margin of the recorded figure, the margin
   measured across thread counts and ATEN_CPU_CAPABILITY (`--spread`).

A change meant to keep behaviour keeps the hashes. A change that must alter them records them anew
in a commit of its own that says why, with the likeness figures before and after.

    python tests/test_golden.py            # this machine's fingerprint, hashes and figures now
    python tests/test_golden.py --record   # adds (or renews) this machine's record in golden_records.json
    python tests/test_golden.py --spread [--write]  # PSNR at 1 and 2 threads, native and default ISA
                                                    # (--write: the figures and margins from them)
"""

import hashlib
import json
import math
import os
import platform
import re
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

if __name__ == "__main__":  # run as a script: the painter from this checkout (imported before torch, see conftest)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import painter  # noqa: F401

import numpy as np
import pytest
from PIL import Image

from painter.__main__ import main
from painter.stroke import MAX_PRESSURE, Stroke

import painter_helpers  # noqa: F401  (offline: never a download)

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
RECORDS = Path(__file__).with_name("golden_records.json")

# name -> CLI arguments after the photo (the photo: astronaut unless the name says otherwise)
RUNS = {
    "defaults_square_96": ["--strokes", "120", "--size", "96", "--objective", "vgg19"],
    "time_limit_wide_128": ["--strokes", "150", "--size", "128", "--time-limit", "900", "--photo", "chelsea.jpg",
                            "--objective", "vgg19"],
    "style_tall_80": ["--strokes", "80", "--size", "80", "--style", str(EXAMPLES / "styles" / "great_wave.jpg"),
                      "--photo", "tall", "--objective", "vgg19"],
    "detail_mask_square_96": ["--strokes", "120", "--size", "96", "--detail-mask", "face", "--objective", "pixel"],
    "controls_wide_112": ["--strokes", "100", "--size", "112", "--brush-size", "1", "4", "--pressure", "0.3", "0.9",
                          "--stroke-length", "4", "20", "--palette", "8", "--background", "#f0e8d8",
                          "--photo", "chelsea.jpg", "--objective", "vgg19"],
}
DETERMINISM_RUN = "style_tall_80"  # the most paths: features, a style, colour transfer, a tall canvas

# The CPU's vector extensions that decide which kernels oneDNN, MKL and ATen dispatch to.
VECTOR_FLAGS = ("sse4_2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512_vnni",
                "avx512_bf16", "avx512_fp16", "avx_vnni", "amx_tile", "amx_bf16", "amx_int8")
# Settings that change that dispatch (the thread count is in the fingerprint as torch reports it).
DISPATCH_ENV = ("ATEN_CPU_CAPABILITY", "MKL_CBWR", "MKL_ENABLE_INSTRUCTIONS", "ONEDNN_MAX_CPU_ISA", "DNNL_MAX_CPU_ISA")


def _cpu_info() -> dict:
    fields = {}
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return {"processor": platform.processor() or platform.machine()}
    first = text.split("\n\n", 1)[0]
    for line in first.splitlines():
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip()
    flags = set(fields.get("flags", "").split())
    return {"vendor": fields.get("vendor_id"), "model": fields.get("model name"),
            "family": fields.get("cpu family"), "model_number": fields.get("model"),
            "vector_extensions": [f for f in VECTOR_FLAGS if f in flags]}


def fingerprint() -> dict:
    """What decides the golden runs' arithmetic on this machine, as plain data."""
    import torch

    build = torch.__config__.show()
    libraries = [line.strip(" -") for line in build.splitlines() if re.search(r"Math Kernel|MKL-DNN|oneDNN|OpenBLAS",
                                                                             line)]
    return {"torch": torch.__version__, "torch_commit": torch.version.git_version, "libraries": libraries,
            "aten_cpu_capability": torch.backends.cpu.get_cpu_capability(), "threads": torch.get_num_threads(),
            "cpu": _cpu_info(), "numpy": np.__version__, "pillow": Image.__version__,
            "python": platform.python_version(),
            "env": {k: os.environ[k] for k in DISPATCH_ENV if k in os.environ}}


def fingerprint_id(print_: dict) -> str:
    return hashlib.sha256(json.dumps(print_, sort_keys=True).encode()).hexdigest()[:12]


def load_records() -> dict:
    return json.loads(RECORDS.read_text())


def record_for(records: dict, print_id: str) -> dict | None:
    return next((r for r in records["records"] if r["fingerprint"] == print_id), None)


def _inputs(folder: Path, args: list[str]) -> tuple[list[str], Path]:
    """The run's arguments with its photo and mask made concrete (files in `folder`), and the photo."""
    args = list(args)
    photo = EXAMPLES / "astronaut.jpg"
    if "--photo" in args:
        k = args.index("--photo")
        name = args[k + 1]
        del args[k:k + 2]
        if name == "tall":  # coffee, cropped to a portrait
            photo = folder / "tall.png"
            Image.open(EXAMPLES / "coffee.jpg").convert("RGB").crop((150, 0, 380, 341)).save(photo)
        else:
            photo = EXAMPLES / name
    if "--detail-mask" in args:
        k = args.index("--detail-mask")
        mask = folder / "face.png"
        y, x = np.mgrid[0:512, 0:512]
        Image.fromarray((((x - 250) ** 2 + (y - 130) ** 2 < 80 ** 2) * 255).astype(np.uint8)).save(mask)
        args[k + 1] = str(mask)
    return [str(photo), *args], photo


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


@dataclass
class Golden:
    """One golden run's files, and what they are worth to a user."""

    png: Path
    strokes_file: Path
    photo: Path

    @property
    def pixels(self) -> np.ndarray:
        return np.asarray(Image.open(self.png).convert("RGB"))

    @property
    def data(self) -> dict:
        return json.loads(self.strokes_file.read_text())

    def hashes(self) -> tuple[str, str]:
        """(hash of the painting's pixels, hash of the strokes file)."""
        pixels = self.pixels
        return _digest(str(pixels.shape).encode() + pixels.tobytes()), _digest(self.strokes_file.read_bytes())

    def psnr(self) -> float:
        """The painting's likeness to the photo it was painted from, at the painting's size."""
        from skimage.metrics import peak_signal_noise_ratio

        from painter.photo import fit_long_side, load_photo

        painting = self.pixels
        photo = np.asarray(fit_long_side(load_photo(self.photo), max(painting.shape[:2])))
        assert photo.shape == painting.shape
        return float(peak_signal_noise_ratio(photo, painting, data_range=255))


def cli_arguments(name: str, folder: Path) -> tuple[list[str], Path]:
    folder.mkdir(parents=True, exist_ok=True)
    inputs, photo = _inputs(folder, RUNS[name])
    return ["paint", *inputs, "-o", str(folder / f"{name}.png"), "--json", str(folder / f"{name}.json"),
            "--quiet"], photo


def run(name: str, folder: Path) -> Golden:
    """One golden run, in this process, through the CLI's entry point."""
    arguments, photo = cli_arguments(name, folder)
    assert main(arguments) == 0
    return Golden(folder / f"{name}.png", folder / f"{name}.json", photo)


def run_in_fresh_process(name: str, folder: Path, env: dict | None = None) -> Golden:
    """One golden run as a user types it: `python -m painter paint ...` in a process of its own."""
    arguments, photo = cli_arguments(name, folder)
    environment = {**os.environ, "NEURAL_PAINTER_OFFLINE": "1", **(env or {})}
    done = subprocess.run([sys.executable, "-m", "painter", *arguments], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return Golden(folder / f"{name}.png", folder / f"{name}.json", photo)


# ---------------------------------------------------------------------------------------------
# The tests: each golden run is painted once, in this process, and checked by all of them.

@pytest.fixture(scope="module")
def golden(tmp_path_factory):
    done = {}

    def get(name: str) -> Golden:
        if name not in done:
            done[name] = run(name, tmp_path_factory.mktemp(name))
        return done[name]

    return get


@pytest.fixture(scope="module")
def this_machine():
    print_ = fingerprint()
    return fingerprint_id(print_), record_for(load_records(), fingerprint_id(print_))


@pytest.mark.parametrize("name", sorted(RUNS))
def test_golden_run_is_bit_for_bit_on_a_recorded_machine(name, golden, this_machine):
    print_id, record = this_machine
    if record is None:
        pytest.skip(f"no golden record for this machine (fingerprint {print_id}): checked for determinism and "
                    f"behaviour only; `python tests/test_golden.py --record` adds one")
    assert golden(name).hashes() == tuple(record["hashes"][name])


def test_the_same_request_paints_the_same_files_in_one_process_and_in_fresh_ones(golden, tmp_path):
    first = golden(DETERMINISM_RUN)
    again = run(DETERMINISM_RUN, tmp_path / "again")
    fresh = [run_in_fresh_process(DETERMINISM_RUN, tmp_path / f"fresh{k}") for k in range(2)]
    for other in (again, *fresh):
        assert other.png.read_bytes() == first.png.read_bytes()
        assert other.strokes_file.read_bytes() == first.strokes_file.read_bytes()


def _flag(args: list[str], name: str, count: int = 1):
    if name not in args:
        return None
    k = args.index(name)
    values = args[k + 1:k + 1 + count]
    return values[0] if count == 1 else [float(v) for v in values]


def _distance_from_canvas(stroke: dict, width: int, height: int) -> float:
    """How far (px) the stroke's curve stays from the canvas at its nearest point (0: it crosses it).
    A stroke may start or end past an edge, as a painter's does; within its radius it still paints."""
    points = Stroke.from_dict(stroke).points()
    dx = np.maximum(0, np.maximum(-points[:, 0], points[:, 0] - width))
    dy = np.maximum(0, np.maximum(-points[:, 1], points[:, 1] - height))
    return float(np.hypot(dx, dy).min())


def _within(strokes: list[dict], limits, what: str, values, slack: float) -> None:
    """Every stroke's `values` within the control's (low, high), or a message naming the first that strays."""
    if limits is None:
        return
    low, high = limits
    for s in strokes:
        for value in values(s):
            assert low - slack <= value <= high + slack, f"stroke {s['order']}: {what} {value:.4g} outside {low:g}-{high:g}"


def _chord(stroke: dict) -> float:
    return math.dist(stroke["start"], stroke["end"])


@pytest.mark.parametrize("name", sorted(RUNS))
def test_golden_run_behaves_as_recorded(name, golden):
    """What a user would notice, on any machine: see the module's docstring (3)."""
    args, figures = RUNS[name], load_records()["figures"][name]
    data = golden(name).data
    strokes = data["strokes"]
    assert len(strokes) == int(_flag(args, "--strokes"))
    assert data["objective"] == _flag(args, "--objective")
    width, height = data["width"], data["height"]
    assert max(width, height) == int(_flag(args, "--size"))
    for s in strokes:
        # Within its radius and 2 px: a stroke is kept where its coverage on the canvas reaches
        # min_coverage (0.5 px), and the brush's soft edge reaches past the radius (under
        # ATEN_CPU_CAPABILITY=default one stroke's curve lay 0.14 px beyond its radius).
        assert _distance_from_canvas(s, width, height) <= s["radius"] + 2, f"stroke {s['order']} paints off the canvas"
        assert s["radius"] > 0 and all(0 <= p <= 1 for p in s["pressure"]) and all(0 <= c <= 1 for c in s["colour"])
    _within(strokes, _flag(args, "--brush-size", 2), "radius", lambda s: [s["radius"]], 1e-6)
    # --pressure is a share of the brush's pressure range, which the file stores in [0, MAX_PRESSURE]
    pressure = _flag(args, "--pressure", 2)
    _within(strokes, pressure and [p * MAX_PRESSURE for p in pressure], "pressure", lambda s: s["pressure"], 1e-6)
    _within(strokes, _flag(args, "--stroke-length", 2), "length", lambda s: [_chord(s)], 1e-3)
    if (palette := _flag(args, "--palette")) is not None:
        colours = {tuple(s["colour"]) for s in strokes}
        assert len(colours) <= int(palette), f"{len(colours)} colours, the palette allows {palette}"
    if (background := _flag(args, "--background")) is not None:
        rgb = [int(background[k:k + 2], 16) / 255 for k in (1, 3, 5)]
        assert np.allclose(data["background"], rgb, atol=1e-6)
    psnr = golden(name).psnr()
    assert abs(psnr - figures["psnr"]) <= figures["margin_db"], (
        f"likeness {psnr:.2f} dB, recorded {figures['psnr']:.2f} ± {figures['margin_db']:.2f} dB")


# ---------------------------------------------------------------------------------------------
# Recording and measuring (not tests).

SPREAD_SETTINGS = {"native, 2 threads": {}, "native, 1 thread": {"OMP_NUM_THREADS": "1"},
                   "default ISA, 2 threads": {"ATEN_CPU_CAPABILITY": "default"},
                   "default ISA, 1 thread": {"ATEN_CPU_CAPABILITY": "default", "OMP_NUM_THREADS": "1"}}


def _record(folder: Path) -> None:
    print_ = fingerprint()
    print_id = fingerprint_id(print_)
    records = load_records()
    hashes = {name: list(run(name, folder / name).hashes()) for name in RUNS}
    records["records"] = [r for r in records["records"] if r["fingerprint"] != print_id]
    records["records"].append({"fingerprint": print_id, "recorded": date.today().isoformat(), "machine": print_,
                               "hashes": hashes})
    RECORDS.write_text(json.dumps(records, indent=1) + "\n")
    print(f"recorded fingerprint {print_id} in {RECORDS.name}: {hashes}")


MIN_MARGIN_DB = 1.0


def figures_from(psnrs: list[float]) -> dict:
    """A run's recorded likeness from its PSNR under each setting: the middle of their range, and a
    margin of twice the range (at least MIN_MARGIN_DB), since another CPU varies like these settings."""
    low, high = min(psnrs), max(psnrs)
    return {"psnr": round((low + high) / 2, 3), "margin_db": round(max(MIN_MARGIN_DB, 2 * (high - low)) + 0.05, 1),
            "measured": [round(v, 3) for v in psnrs]}


def _spread(folder: Path, write: bool) -> None:
    """Each run's PSNR under each setting (fresh processes), from which the figures are set."""
    rows = {name: {} for name in RUNS}
    for label, env in SPREAD_SETTINGS.items():
        for name in RUNS:
            rows[name][label] = run_in_fresh_process(name, folder / label.replace(" ", "_") / name, env).psnr()
    print(f"fingerprint here: {fingerprint_id(fingerprint())}; settings: {list(SPREAD_SETTINGS)}")
    figures = {}
    for name, by_setting in rows.items():
        values = list(by_setting.values())
        figures[name] = figures_from(values)
        print(f"{name}: " + ", ".join(f"{v:.3f}" for v in values) + f"  (spread {max(values) - min(values):.3f} dB)"
              f" -> {figures[name]['psnr']} ± {figures[name]['margin_db']} dB")
    if write:
        records = load_records()
        records["figures"] = figures
        records["figures_measured"] = {"fingerprint": fingerprint_id(fingerprint()), "date": date.today().isoformat(),
                                       "settings": list(SPREAD_SETTINGS)}
        RECORDS.write_text(json.dumps(records, indent=1) + "\n")


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        if "--record" in sys.argv:
            _record(Path(folder))
        elif "--spread" in sys.argv:
            _spread(Path(folder), write="--write" in sys.argv)
        else:
            print(f"fingerprint {fingerprint_id(fingerprint())}: {json.dumps(fingerprint())}")
            for name in RUNS:
                result = run(name, Path(folder) / name)
                print(f"    {name!r}: {result.hashes()!r}, psnr {result.psnr():.3f} dB", flush=True)
