"""Golden runs: five CLI paintings whose settings exercise every path (the objective named, so that
a machine with VGG16's weights in its cache runs the same), checked three ways.

1. Bit for bit, on a machine that has a record of this painting. Floating-point results of an
   optimisation loop differ between CPUs (the vector instructions oneDNN and MKL pick, the thread
   split) and the loop amplifies the last bit into other strokes, so a hash is a refactoring tool
   for one machine, not a property every machine can check. Records are kept per fingerprint of
   what decides the arithmetic (`fingerprint()`), each with the painting version it was made for
   (`painter.version.PAINTING_VERSION`) and a digest of each run's arguments and input files. A
   machine without a record, or whose record was made for another painting or other runs, says so
   in one line (a skip) and is checked by 2 and 3 alone: a record can be old, never stale.
2. Determinism, on any machine: the same request again, in this process and in a fresh one,
   gives the same PNG and strokes file, byte for byte.
3. Behaviour, on any machine: what a user would notice. The stroke count exactly; the objective
   named in the JSON; every stroke inside the canvas and within the stroke controls' limits; the
   painting's likeness to the photo (PSNR) within a margin of the recorded figure, the margin
   measured across thread counts and ATEN_CPU_CAPABILITY (`--spread`).

A change meant to keep behaviour keeps the hashes. A change that must alter them bumps
PAINTING_VERSION and records them anew, in a commit of its own that says why, with the likeness
figures before and after; other machines' records then skip until someone on them records anew.

    python tests/test_golden.py            # this machine's fingerprint, hashes and figures now
    python tests/test_golden.py --record   # adds (or renews) this machine's record in golden_records.json,
                                           # dropping every record made for another painting or other runs
    python tests/test_golden.py --spread [--write]  # PSNR at 1 and 2 threads, native and default ISA
                                                    # (--write: the figures and margins from them)
"""

import functools
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

if __name__ == "__main__":  # run as a script: the painter from this checkout, set up before torch (see conftest)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import painter

    painter.setup()

import numpy as np
import pytest
from PIL import Image

from painter.__main__ import main
from painter.stroke import MAX_PRESSURE, Stroke
from painter.version import PAINTING_VERSION

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


def _input_files(args: list[str]) -> list[Path]:
    """The files a run reads: its photo (the source of a derived one) and any file among its arguments."""
    photo = {"tall": "coffee.jpg"}.get(_flag(args, "--photo"), _flag(args, "--photo") or "astronaut.jpg")
    return [EXAMPLES / photo, *(Path(a) for a in args if os.sep in a and Path(a).is_file())]


def run_digest(name: str) -> str:
    """What a run paints from, besides the code: its arguments (paths relative to the checkout) and
    the bytes of its input files."""
    args = RUNS[name]
    digest = hashlib.sha256(json.dumps([a.replace(str(ROOT), "") for a in args]).encode())
    for file in _input_files(args):
        digest.update(file.read_bytes())
    return digest.hexdigest()[:12]


def painting_of(record: dict) -> int:
    """The painting version a record was made for; 0 for records made before versions were kept."""
    return record.get("painting", 0)


def skip_reason(record: dict | None, print_id: str, name: str) -> str | None:
    """Why this machine's record cannot check run `name` bit for bit, in one sentence; None if it can."""
    then = "checked for determinism and behaviour only; `python tests/test_golden.py --record` renews it"
    if record is None:
        return (f"no golden record for this machine (fingerprint {print_id}): checked for determinism and "
                f"behaviour only; `python tests/test_golden.py --record` adds one")
    made_for = painting_of(record)
    if made_for != PAINTING_VERSION:
        before = " (before versions were kept)" if made_for == 0 else ""
        return (f"this machine's golden record (fingerprint {print_id}) was made for painting version "
                f"{made_for}{before}, and this code paints version {PAINTING_VERSION}: {then}")
    if record.get("runs", {}).get(name) != run_digest(name):
        return (f"this machine's golden record (fingerprint {print_id}) was made for another {name} run (its "
                f"arguments or input files have changed since): {then}")
    return None


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
    if (reason := skip_reason(record, print_id, name)) is not None:
        pytest.skip(reason)
    assert golden(name).hashes() == tuple(record["hashes"][name]), (
        f"{name} paints other files than this machine's record of painting version {PAINTING_VERSION}: if the "
        f"painting changed on purpose, bump PAINTING_VERSION (painter/version.py) and record anew")


def test_the_same_request_paints_the_same_files_in_one_process_and_in_a_fresh_one(golden, tmp_path):
    # Once more in this process (nothing a painting leaves behind changes the next) and once in a
    # process of its own (nothing of this one's, its hash seed included, decides the painting).
    first = golden(DETERMINISM_RUN)
    again = run(DETERMINISM_RUN, tmp_path / "again")
    fresh = run_in_fresh_process(DETERMINISM_RUN, tmp_path / "fresh")
    for other in (again, fresh):
        assert other.png.read_bytes() == first.png.read_bytes()
        assert other.strokes_file.read_bytes() == first.strokes_file.read_bytes()


class _Painted:
    """Stands in for a golden run's files where only their hashes are read."""

    def __init__(self, hashes):
        self._hashes = tuple(hashes)

    def hashes(self):
        return self._hashes


def _record_of(painting: int | None, hashes=("0" * 16, "0" * 16)) -> dict:
    """A record of this machine as `--record` writes it (None: as written before versions were kept)."""
    record = {"fingerprint": "0123456789ab", "recorded": "2026-12-03", "machine": {},
              "hashes": {name: list(hashes) for name in RUNS}}
    if painting is not None:
        record.update(painting=painting, runs={name: run_digest(name) for name in RUNS})
    return record


def _never_painted(name):
    raise AssertionError("a record that cannot check this run must not have it painted")


@pytest.mark.parametrize("painting", [None, PAINTING_VERSION - 1])
def test_a_record_of_an_older_painting_is_skipped_in_one_sentence_naming_both_versions(painting):
    # As the record of fingerprint 8d2249127462 stood when the painting changed under it (issue 31).
    name = sorted(RUNS)[0]
    with pytest.raises(pytest.skip.Exception) as skipped:
        test_golden_run_is_bit_for_bit_on_a_recorded_machine(name, _never_painted,
                                                              ("0123456789ab", _record_of(painting)))
    reason = str(skipped.value)
    assert f"painting version {painting or 0}" in reason and f"paints version {PAINTING_VERSION}" in reason
    assert reason.count(". ") == 0 and "--record" in reason


def test_a_record_of_this_painting_fails_a_run_that_paints_other_files_and_passes_the_same():
    name = sorted(RUNS)[0]
    record = _record_of(PAINTING_VERSION, hashes=("a" * 16, "b" * 16))
    with pytest.raises(AssertionError, match="bump PAINTING_VERSION"):
        test_golden_run_is_bit_for_bit_on_a_recorded_machine(name, lambda _: _Painted(("a" * 16, "c" * 16)),
                                                              ("0123456789ab", record))
    test_golden_run_is_bit_for_bit_on_a_recorded_machine(name, lambda _: _Painted(("a" * 16, "b" * 16)),
                                                          ("0123456789ab", record))


def test_a_record_made_for_other_arguments_is_skipped_for_that_run_only():
    record = _record_of(PAINTING_VERSION)
    changed, same = sorted(RUNS)[:2]
    record["runs"][changed] = "000000000000"
    assert "another " + changed + " run" in skip_reason(record, "0123456789ab", changed)
    assert skip_reason(record, "0123456789ab", same) is None


def test_recording_drops_records_of_other_paintings_and_refuses_a_silent_change():
    hashes = {name: ["a" * 16, "b" * 16] for name in RUNS}
    other_machine = {**_record_of(PAINTING_VERSION), "fingerprint": "111111111111"}
    old_machine = {**_record_of(PAINTING_VERSION - 1), "fingerprint": "222222222222"}
    unversioned = {**_record_of(None), "fingerprint": "333333333333"}
    mine_older = {**_record_of(PAINTING_VERSION - 1), "fingerprint": "444444444444"}
    records = {"about": "", "records": [other_machine, old_machine, unversioned, mine_older], "figures": {}}
    after = renewed(records, "444444444444", {"cpu": {}}, hashes, "2026-12-06")
    assert [r["fingerprint"] for r in after["records"]] == ["111111111111", "444444444444"]
    mine = after["records"][-1]
    assert mine["painting"] == PAINTING_VERSION and mine["hashes"] == hashes and skip_reason(mine, "4", sorted(RUNS)[0]) is None
    again = renewed(after, "444444444444", {"cpu": {}}, hashes, "2026-12-07")  # the same painting: renewed
    assert again["records"][-1]["recorded"] == "2026-12-07"
    moved = {**hashes, sorted(RUNS)[0]: ["c" * 16, "b" * 16]}
    with pytest.raises(RecordRefused, match="bump PAINTING_VERSION"):
        renewed(after, "444444444444", {"cpu": {}}, moved, "2026-12-07")


def _flag(args: list[str], name: str, count: int = 1):
    if name not in args:
        return None
    k = args.index(name)
    values = args[k + 1:k + 1 + count]
    return values[0] if count == 1 else [float(v) for v in values]


@functools.cache
def _scatter() -> tuple[float, float]:
    """How many radii MyPaint's random scatter may move a dab of the golden runs' brush (the default) off
    its curve, at pressure 0 and per unit of pressure: its dab guide's largest random pair times
    offset_by_random (0, 0 for a brush without the guide, which sees no scatter)."""
    from painter.brush import Brush

    guide = Brush.load().dab_guide
    if guide is None:
        return 0.0, 0.0
    largest = float(guide.table.norm(dim=1).max())
    return largest * guide.scatter[0], largest * guide.scatter[1]


def _reach(stroke: dict) -> float:
    """How far (px) past its curve a stroke can paint: its radius, and where its brush scatters its dabs
    at random, as far as the scatter moves a dab at the stroke's lowest or highest pressure."""
    at_zero, per_pressure = _scatter()
    scatter = max(at_zero + per_pressure * p for p in stroke["pressure"])
    return stroke["radius"] * (1 + max(0.0, scatter))


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
        # Within its reach and 2 px: a stroke is kept where its coverage on the canvas reaches
        # min_coverage (0.5 px), and the brush's soft edge reaches past the radius (under
        # ATEN_CPU_CAPABILITY=default one stroke's curve lay 0.14 px beyond its radius; with the dry
        # brush's scatter, one curve 5.97 px off a canvas that its 3.69 px radius dabs reach).
        assert _distance_from_canvas(s, width, height) <= _reach(s) + 2, f"stroke {s['order']} paints off the canvas"
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


class RecordRefused(Exception):
    """This machine's record of the same painting disagrees with what it paints now."""


def renewed(records: dict, print_id: str, machine: dict, hashes: dict, today: str) -> dict:
    """`records` with this machine's record made anew, every other record of another painting
    dropped, and other records' hashes of runs that changed since dropped (a record left with none
    goes). A record of this painting version on this machine whose hashes differ is refused: either
    the painting changed on purpose and PAINTING_VERSION must say so, or it changed by mistake."""
    digests = {name: run_digest(name) for name in RUNS}
    mine = record_for(records, print_id)
    if mine is not None and painting_of(mine) == PAINTING_VERSION:
        changed = [name for name in RUNS if mine.get("runs", {}).get(name) == digests[name]
                   and tuple(mine["hashes"][name]) != tuple(hashes[name])]
        if changed:
            raise RecordRefused(
                f"this machine's record of painting version {PAINTING_VERSION} has other hashes for "
                f"{', '.join(changed)}: if the painting changed on purpose, bump PAINTING_VERSION in "
                f"painter/version.py first; if not, the change altered the painting by mistake")
    kept = []
    for other in records["records"]:
        if other["fingerprint"] == print_id or painting_of(other) != PAINTING_VERSION:
            continue
        runs = {name: d for name, d in other.get("runs", {}).items() if digests.get(name) == d}
        if runs:
            kept.append({**other, "runs": runs, "hashes": {name: other["hashes"][name] for name in runs}})
    kept.append({"fingerprint": print_id, "painting": PAINTING_VERSION, "recorded": today, "machine": machine,
                 "runs": digests, "hashes": hashes})
    return {**records, "records": kept}


def _record(folder: Path) -> None:
    print_ = fingerprint()
    print_id = fingerprint_id(print_)
    hashes = {name: list(run(name, folder / name).hashes()) for name in RUNS}
    try:
        records = renewed(load_records(), print_id, print_, hashes, date.today().isoformat())
    except RecordRefused as refusal:
        sys.exit(f"not recorded: {refusal}")
    RECORDS.write_text(json.dumps(records, indent=1) + "\n")
    print(f"recorded fingerprint {print_id} for painting version {PAINTING_VERSION} in {RECORDS.name}: {hashes}")


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
