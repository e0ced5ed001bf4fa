"""Real servers for the tests: a free port, waiting for and stopping a server process, and
the library's own server on 127.0.0.1 in a subprocess of its own (:func:`start_server`, which
writes uvicorn's logs to one file and waits until ``/healthz`` answers).

>>> free_port() > 0
True
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

__all__ = ["Running", "answers", "free_port", "start_server", "stop_process"]


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


_RUN = (
    "import json, sys\n"
    "from aomori_roadmap.server import serve\n"
    "a = json.loads(sys.argv[1])\n"
    "public = [n for n in a['public'] if n != 'site']\n"
    "serve(a['plan'], a['db'], host='127.0.0.1', port=a['port'], public_feeds=public,"
    " public_site='site' in a['public'], base_url=a['base_url'])\n"
)


@dataclass
class Running:
    """A server process: its address and its log file."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def logs(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_for_log(self, needle: str, count: int = 1, timeout: float = 5.0) -> str:
        """The log once ``needle`` appears ``count`` times in it (bounded wait)."""
        deadline = time.monotonic() + timeout
        text = self.logs()
        while text.count(needle) < count and time.monotonic() < deadline:
            time.sleep(0.05)
            text = self.logs()
        return text

    def stop(self) -> None:
        stop_process(self.process)


def _launch(
    folder: Path, db_url: str, plan: str | None, public: list[str], base_url: str | None
) -> Running:
    port = free_port()
    log = folder / f"server-{port}.log"
    args = json.dumps(
        {"plan": plan, "db": db_url, "port": port, "public": public, "base_url": base_url}
    )
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "NO_COLOR": "1"}
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-u", "-c", _RUN, args],
            stdout=sink,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
        )
    running = Running(f"http://127.0.0.1:{port}", process, log)
    if answers(running.url, process, 60):
        return running
    if process.poll() is not None:
        raise RuntimeError(f"the server stopped (exit {process.returncode}):\n{running.logs()}")
    running.stop()
    raise RuntimeError(f"the server did not answer within 60 s:\n{running.logs()}")


@contextmanager
def start_server(
    folder: Path,
    db_url: str,
    *,
    plan: str | None = None,
    public: list[str] | None = None,
    base_url: str | None = None,
) -> Iterator[Running]:
    """A running server for the block; stopped afterwards whatever happens.

    ``public`` lists the feeds served without a token, and ``site`` for the progress site.
    """
    running: Running | None = None
    for _ in range(3):  # a free port can be taken between the probe and the bind
        try:
            running = _launch(folder, db_url, plan, public or [], base_url)
            break
        except RuntimeError as error:
            if "address already in use" not in str(error).lower():
                raise
    assert running is not None, "no free port after 3 tries"
    try:
        yield running
    finally:
        running.stop()
