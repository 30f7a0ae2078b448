"""The cores the painter uses: a container's CPU quota, not the cores it can see."""

import os
import subprocess
import sys
from pathlib import Path

import torch

from painter import cpus

ROOT = Path(__file__).resolve().parents[1]


def _cgroup(tmp_path, files: dict, own="0::/\n") -> tuple[Path, Path]:
    root = tmp_path / "cgroup"
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    proc = tmp_path / "proc_self_cgroup"
    proc.write_text(own)
    return root, proc


def test_a_cgroup_v2_quota_caps_the_cores(tmp_path):
    visible = len(os.sched_getaffinity(0))
    root, proc = _cgroup(tmp_path, {"space/cpu.max": "100000 100000\n"}, own="0::/space\n")
    assert cpus.cpu_quota(root, proc) == 1.0 and cpus.usable_cpus(root, proc) == 1
    root, proc = _cgroup(tmp_path, {"cpu.max": "max 100000\n"})
    assert cpus.cpu_quota(root, proc) is None and cpus.usable_cpus(root, proc) == visible


def test_a_cgroup_v1_quota_rounds_up_and_never_raises_the_cores(tmp_path):
    root, proc = _cgroup(tmp_path, {"cpu/cpu.cfs_quota_us": "50000\n", "cpu/cpu.cfs_period_us": "100000\n"})
    assert cpus.cpu_quota(root, proc) == 0.5 and cpus.usable_cpus(root, proc) == 1
    root, proc = _cgroup(tmp_path, {"cpu/cpu.cfs_quota_us": "6400000\n", "cpu/cpu.cfs_period_us": "100000\n"})
    assert cpus.usable_cpus(root, proc) == len(os.sched_getaffinity(0))
    root, proc = _cgroup(tmp_path, {"cpu/cpu.cfs_quota_us": "-1\n", "cpu/cpu.cfs_period_us": "100000\n"})
    assert cpus.cpu_quota(root, proc) is None


def test_torch_already_loaded_is_told_the_usable_cores(monkeypatch):
    before = torch.get_num_threads()
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.delenv("MKL_NUM_THREADS", raising=False)
    monkeypatch.setattr(cpus, "usable_cpus", lambda *a, **k: 1)
    try:
        assert cpus.limit_threads() == 1 and torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)


def test_a_fresh_process_paints_with_the_usable_cores_or_the_users_choice():
    script = "import painter; threads = painter.setup().threads; import torch; print(torch.get_num_threads(), threads)"
    env = {k: v for k, v in os.environ.items() if k not in cpus.THREAD_ENV}
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == [str(cpus.usable_cpus())] * 2
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env={**env, "OMP_NUM_THREADS": "1"},
                         capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["1", "1"]


def test_the_allocator_keeps_freed_memory_unless_turned_off(monkeypatch):
    """On glibc the painter sets its allocator's thresholds (the painting is the same, byte for byte:
    benchmarks/malloc.py); NEURAL_PAINTER_MALLOC=0 leaves them alone."""
    import platform

    import painter
    from painter import malloc

    if platform.libc_ver()[0] == "glibc":
        assert painter.setup().malloc_tuned and malloc.keep_freed_memory()
    monkeypatch.setenv(malloc.ENV, "0")
    assert not malloc.keep_freed_memory()
