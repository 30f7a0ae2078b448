"""The Space on this machine: click to first streamed canvas, a run with the defaults, and
4 clients at once (queued and all served, memory bounded). Drives `/paint` through gradio_client
against the app launched in this process, with the hardware's default settings.

    python benchmarks/app_serving.py [--clients 4] [--photo examples/chelsea.jpg]
"""

import argparse
import resource
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import hardware  # noqa: E402


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS")) / 1024


def run(client, photo, args, handle_file):
    start = time.perf_counter()
    first = None
    job = client.submit(handle_file(photo), *args, api_name="/paint")
    frames = 0
    for update in job:
        if update[0] and first is None:
            first = time.perf_counter() - start
        frames += 1
    total = time.perf_counter() - start
    status = job.outputs()[-1][1]
    return first, total, frames, status


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--photo", default=str(Path(__file__).resolve().parents[1] / "examples" / "chelsea.jpg"))
    opts = parser.parse_args()
    import app
    from gradio_client import Client, handle_file

    print(f"hardware: {hardware()}; app says: {app.HARDWARE.description}")
    defaults = (app.HARDWARE.strokes["value"], app.HARDWARE.default_size, 0, app.HARDWARE.time_limit["value"])
    print(f"defaults: {defaults[0]} strokes, {defaults[1]} px, time limit {defaults[3]} s")
    _, url, _ = app.demo.launch(prevent_thread_lock=True, quiet=True, **app.LAUNCH_OPTIONS)
    peak = [rss_mb()]
    stop = threading.Event()

    def watch():
        while not stop.is_set():
            peak[0] = max(peak[0], rss_mb())
            time.sleep(0.2)

    threading.Thread(target=watch, daemon=True).start()
    try:
        client = Client(url, verbose=False)
        first, total, frames, status = run(client, opts.photo, defaults, handle_file)
        print(f"one client: first canvas after {first:.2f} s, run done after {total:.1f} s "
              f"({frames} streamed updates); {status}; peak RSS {peak[0]:.0f} MB")
        results = [None] * opts.clients

        def one(i):
            results[i] = run(Client(url, verbose=False), opts.photo, defaults, handle_file)

        start = time.perf_counter()
        threads = [threading.Thread(target=one, args=(i,)) for i in range(opts.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - start
        served = sum(r is not None and r[3].startswith("Done") for r in results)
        print(f"{opts.clients} clients at once: {served}/{opts.clients} served in {wall:.1f} s "
              f"(queued one at a time; each run {', '.join(f'{r[1]:.0f}' for r in results if r)} s "
              f"from submit); peak RSS {peak[0]:.0f} MB "
              f"(max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")
    finally:
        stop.set()
        app.demo.close()


if __name__ == "__main__":
    main()
