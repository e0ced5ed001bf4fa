"""Waiting for and stopping a server process: what every test that runs a real server needs.

>>> free_port() > 0
True
"""

from __future__ import annotations

import socket
import subprocess
import time

import httpx

__all__ = ["answers", "free_port", "stop_process"]


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (it can be taken before it is bound: retry then)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def answers(url: str, process: subprocess.Popen[bytes], timeout: float) -> bool:
    """Wait until ``url/healthz`` answers 200; False when ``process`` ends or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return True
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    return False


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """End ``process`` gracefully (uvicorn shuts down on SIGTERM), killing it if it hangs."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
