"""Whether the network lets the painter download VGG16 weights, asked in the background.

Resolving a host name can take seconds where there is no network (2.1 s measured here), which
would delay the first frame; so the question is asked on a thread as early as possible (the CLI
asks before it imports torch) and the answer is waited for only briefly.
"""

from __future__ import annotations

import socket
import threading

DOWNLOAD_HOST = "download.pytorch.org"
_result: dict = {}
_thread: threading.Thread | None = None


def _probe(timeout: float):
    try:
        with socket.create_connection((DOWNLOAD_HOST, 443), timeout=timeout):
            _result["ok"] = True
    except OSError:
        _result["ok"] = False


def start_probe(timeout: float = 3.0) -> None:
    global _thread
    if _thread is None:
        _thread = threading.Thread(target=_probe, args=(timeout,), daemon=True, name="painter-network-probe")
        _thread.start()


def network_allows(wait: float = 0.3) -> bool:
    """True if the download host answered; waits at most `wait` s for a probe still under way."""
    start_probe()
    _thread.join(wait)
    return bool(_result.get("ok", False))
