"""How many CPU cores this process may really use, and torch's threads set to that many.

A container can show more CPUs than it may use: a Space on the free hardware sees the host's cores
but has a quota of 2 vCPU. torch sizes its thread pool by the cores it sees, and more threads than
the quota allows make every step wait for the ones the scheduler holds back. So: the cgroup's CPU
quota where there is one (cgroup v2 `cpu.max`, v1 `cpu.cfs_quota_us` / `cpu.cfs_period_us`), else
the affinity mask. No torch import here: the thread count must be set before torch loads
(`painter.setup()`, painter/process.py, calls `limit_threads`).
"""

from __future__ import annotations

import math
import os
import sys
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
THREAD_ENV = ("OMP_NUM_THREADS", "MKL_NUM_THREADS")


def _quota_v2(root: Path, own: str) -> float | None:
    for folder in (root / own.lstrip("/"), root):
        try:
            quota, period = (folder / "cpu.max").read_text().split()[:2]
        except (OSError, ValueError):
            continue
        return None if quota == "max" else int(quota) / int(period)
    return None


def _quota_v1(root: Path) -> float | None:
    for folder in (root / "cpu", root / "cpu,cpuacct"):
        try:
            quota = int((folder / "cpu.cfs_quota_us").read_text())
            period = int((folder / "cpu.cfs_period_us").read_text())
        except (OSError, ValueError):
            continue
        return None if quota <= 0 or period <= 0 else quota / period
    return None


def _own_cgroup_v2(proc_cgroup: Path) -> str:
    try:
        lines = proc_cgroup.read_text().splitlines()
    except OSError:
        return "/"
    return next((line.split(":", 2)[2] for line in lines if line.startswith("0::")), "/")


def cpu_quota(root: Path = CGROUP_ROOT, proc_cgroup: Path = Path("/proc/self/cgroup")) -> float | None:
    """The cgroup's CPU quota in cores (e.g. 2.0, 0.5), or None where there is none."""
    quota = _quota_v2(root, _own_cgroup_v2(proc_cgroup))
    return quota if quota is not None else _quota_v1(root)


def visible_cpus() -> int:
    """Cores this process sees: its affinity mask (where the platform has one), else the machine's."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def usable_cpus(root: Path = CGROUP_ROOT, proc_cgroup: Path = Path("/proc/self/cgroup")) -> int:
    """Cores this process may use: the affinity mask, capped by the cgroup's quota (rounded up)."""
    visible = visible_cpus()
    quota = cpu_quota(root, proc_cgroup)
    return max(1, min(visible, math.ceil(quota)) if quota is not None else visible)


def limit_threads() -> int:
    """torch's threads: as many as the usable cores, unless the user set OMP_NUM_THREADS; returns the
    count. Before torch loads the environment decides; if torch is already loaded, it is told."""
    given = os.environ.get("OMP_NUM_THREADS", "")
    if given:
        return int(given) if given.isdigit() and int(given) > 0 else usable_cpus()
    threads = usable_cpus()
    for name in THREAD_ENV:
        os.environ.setdefault(name, str(threads))
    torch = sys.modules.get("torch")
    if torch is not None and torch.get_num_threads() > threads:
        torch.set_num_threads(threads)
    return threads
