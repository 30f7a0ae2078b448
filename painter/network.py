"""Whether the network lets the painter download weights (VGG16, the brush), asked in the background.

Resolving a host name can take seconds where there is no network (2.1 s measured here), which
would delay the first frame; so the question is asked on a thread as early as possible (the CLI
asks before it imports torch) and the answer is waited for only briefly.
"""

from __future__ import annotations

import socket
import threading

DOWNLOAD_HOST = "download.pytorch.org"
HUB_HOST = "huggingface.co"
_result: dict[str, bool] = {}
_threads: dict[str, threading.Thread] = {}


def _probe(host: str, timeout: float):
    try:
        with socket.create_connection((host, 443), timeout=timeout):
            _result[host] = True
    except OSError:
        _result[host] = False


def start_probe(timeout: float = 3.0, host: str = DOWNLOAD_HOST) -> None:
    if host not in _threads:
        _threads[host] = threading.Thread(target=_probe, args=(host, timeout), daemon=True,
                                          name=f"painter-network-probe-{host}")
        _threads[host].start()


def network_allows(wait: float = 0.3, host: str = DOWNLOAD_HOST) -> bool:
    """True if `host` answered; waits at most `wait` s for a probe still under way."""
    start_probe(host=host)
    _threads[host].join(wait)
    return bool(_result.get(host, False))
