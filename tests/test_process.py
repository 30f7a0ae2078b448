"""Importing `painter` changes nothing in the process; `painter.setup()` sets it up for painting
(painter/process.py): OpenMP's wait, torch's threads and glibc's allocator."""

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Watches, from before the first import, for `mallopt` being looked up through ctypes (the only way the
# painter reaches it), then reports the environment's changes and torch's threads as JSON.
CHILD = r"""
import json, os, sys
mallopt = []
sys.addaudithook(lambda event, args: mallopt.append(1) if event == "ctypes.dlsym" and args[1] == "mallopt" else None)
before = dict(os.environ)
import painter, painter.stroke, painter.painting, painter.request, painter.painter
done = None
if sys.argv[1] == "setup":
    done = painter.setup()
    assert painter.setup() is done  # a second call changes nothing
changed = {k: v for k, v in os.environ.items() if before.get(k) != v}
import torch
print(json.dumps({"changed": changed, "mallopt": len(mallopt), "threads": torch.get_num_threads(),
                  "setup": done and {"threads": done.threads, "malloc_tuned": done.malloc_tuned}}))
"""

SETTINGS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "NEURAL_PAINTER_MALLOC")


def child(mode: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    out = subprocess.run([sys.executable, "-c", CHILD, mode], cwd=ROOT, env=env, capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def torch_threads_alone() -> int:
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    out = subprocess.run([sys.executable, "-c", "import torch; print(torch.get_num_threads())"], env=env,
                         capture_output=True, text=True, check=True)
    return int(out.stdout)


def test_importing_the_painter_leaves_the_process_as_it_was():
    found = child("import")
    assert found["changed"] == {}
    assert found["mallopt"] == 0
    assert found["threads"] == torch_threads_alone()


def test_setup_sets_the_threads_the_wait_and_the_allocator():
    from painter import cpus

    found = child("setup")
    threads = cpus.usable_cpus()
    assert found["setup"]["threads"] == found["threads"] == threads
    assert found["changed"] == {"GOMP_SPINCOUNT": "1000", "OMP_NUM_THREADS": str(threads),
                                "MKL_NUM_THREADS": str(threads)}
    glibc = platform.libc_ver()[0] == "glibc"
    assert found["setup"]["malloc_tuned"] is glibc
    assert found["mallopt"] == (1 if glibc else 0)
