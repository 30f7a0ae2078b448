"""The app's painting time against the CLI's for the same request, paired in one sitting.

    python benchmarks/app_speed.py [--photo examples/astronaut.jpg] [--strokes 600] [--size 384] [--pairs 3]

The app is served by `python app.py` in a process of its own (started once, before the clock); each
pair then runs, in turn, the CLI as a user runs it (`python -m painter paint PHOTO -o PNG ...`, a fresh
process: start-up included) and the app's `/paint` through gradio_client, from the request's submission
to its last update, which carries the files (the page's Paint shows them at that moment). The same
settings both ways: the page's time limit (40 s on the CPU) and seed 0. Printed per run, then the
medians: the app's time over the CLI's; each one's painting by the painter's own clock (the CLI's last
line, the app's "Done" status); for the app also the first canvas's time after submission, the
canvases it streamed per second while painting and the longest wait between two canvases. The app's
first request after its start-up, not paired, is printed first: what the first visitor meets. The CLI
writes its PNG only, or with `--cli-files` also the strokes JSON, the SVG, the layers and a GIF
timelapse (what it can write of the app's files).
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import hardware  # noqa: E402


def serve() -> tuple[subprocess.Popen, str]:
    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "GRADIO_SERVER_PORT": str(port), "NEURAL_PAINTER_OFFLINE": "1",
           "GRADIO_ANALYTICS_ENABLED": "False"}
    server = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            httpx.get(url, timeout=1)
            return server, url
        except httpx.HTTPError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the app did not start")


def cli(photo: str, out: Path, args, files: bool) -> tuple[float, float]:
    extra = ["--json", str(out / "s.json"), "--svg", str(out / "p.svg"), "--ora", str(out / "p.ora"),
             "--timelapse", str(out / "t.gif")] if files else []
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "painter", "paint", photo, "-o", str(out / "p.png"), "--quiet",
                           "--strokes", str(args.strokes), "--size", str(args.size), "--seed", "0",
                           "--time-limit", str(args.time_limit), *extra], cwd=ROOT, check=True,
                          env={**os.environ, "NEURAL_PAINTER_OFFLINE": "1"}, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    painted = re.search(r"in (\d+(?:\.\d+)?) s", done.stdout + done.stderr)  # the painter's own clock
    return seconds, float(painted.group(1)) if painted else float("nan")


def app(client, photo: str, args) -> dict:
    from gradio_client import handle_file

    started = time.perf_counter()
    job = client.submit(handle_file(photo), args.strokes, args.size, 0, args.time_limit, api_name="/paint")
    canvases, first, painting_ended, own = [], None, None, float("nan")
    for update in job:
        now = time.perf_counter() - started
        if update[0] is not None and update[4] is None:
            canvases.append(now)
            first = first if first is not None else now
        if update[1].startswith(("Done", "Stopped")) and painting_ended is None:
            painting_ended = now
            own = float(re.search(r"strokes, (\d+(?:\.\d+)?) s", update[1]).group(1))  # the painter's own clock
    total = time.perf_counter() - started
    if not job.outputs()[-1][4]:
        raise SystemExit("the app's last update has no files")
    rate = (len(canvases) - 1) / (canvases[-1] - canvases[0]) if len(canvases) > 1 else 0.0
    longest = max((b - a for a, b in zip(canvases, canvases[1:])), default=float("nan"))
    return dict(seconds=total, first_canvas=first, canvases_per_second=rate, longest_wait=longest,
                painting=painting_ended, own=own)


def described(run: dict) -> str:
    return (f"app {run['seconds']:.1f} s (\"Done\" at {run['painting']:.1f} s, painting {run['own']:.1f} s by its own "
            f"clock; first canvas {run['first_canvas']:.2f} s, {run['canvases_per_second']:.1f} canvases/s, the longest "
            f"wait between two {run['longest_wait']:.2f} s)")


def main(argv=None) -> int:
    import gradio_client

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photo", default=str(ROOT / "examples" / "astronaut.jpg"))
    parser.add_argument("--strokes", type=int, default=600)
    parser.add_argument("--size", type=int, default=384)
    parser.add_argument("--time-limit", type=float, default=40)
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--cli-files", action="store_true", help="the CLI also writes JSON, SVG, ORA and a GIF")
    args = parser.parse_args(argv)
    print(f"# {hardware()}; {Path(args.photo).name}, {args.strokes} strokes at {args.size} px, time limit "
          f"{args.time_limit:g} s, seed 0; CLI writes {'PNG, JSON, SVG, ORA, GIF' if args.cli_files else 'PNG'}")
    server, url = serve()
    try:
        # (the files stay on the server: a visitor's browser downloads them on its own machine, not on the
        # Space's cores, which the painting needs)
        client = gradio_client.Client(url, verbose=False, download_files=False)
        # the first request pays Gradio's and the brush's first use: printed, not paired
        print(f"first request after start-up: {described(app(client, args.photo, args))}", flush=True)
        cli_times, app_runs = [], []
        with tempfile.TemporaryDirectory() as folder:
            for pair in range(args.pairs):
                seconds, own = cli(args.photo, Path(folder), args, args.cli_files)
                cli_times.append(seconds)
                app_runs.append(app(client, args.photo, args))
                run = app_runs[-1]
                print(f"pair {pair + 1}: CLI {seconds:.1f} s (painting {own:.1f} s by its own clock); {described(run)}",
                      flush=True)
    finally:
        server.terminate()
        server.wait()
    cli_median = statistics.median(cli_times)
    app_median = statistics.median(r["seconds"] for r in app_runs)
    print(f"median: CLI {cli_median:.1f} s, app {app_median:.1f} s, app / CLI {app_median / cli_median:.2f}; "
          f"first canvas {statistics.median(r['first_canvas'] for r in app_runs):.2f} s; "
          f"{min(r['canvases_per_second'] for r in app_runs):.1f} canvases/s at least; the longest wait between two "
          f"{max(r['longest_wait'] for r in app_runs):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
