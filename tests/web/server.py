"""A real `ladder serve` on 127.0.0.1 and a free port, for the browser and load tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def ladder_serve(db_url: str, *extra: str) -> Iterator[str]:
    """Run `ladder --db URL serve --port P ...` until the block ends; yields its base URL."""
    port = free_port()
    env = {**os.environ, "LADDER_TZ": "UTC", "LADDER_USER": "test-organiser"}
    server = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "--db", db_url, "serve", "--port", str(port), *extra],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        line = server.stdout.readline() if server.stdout else ""
        if f"on {base}" not in line:
            server.kill()
            raise AssertionError(f"ladder serve did not start: {line!r} {server.stderr.read()}")
        _wait_until_answering(base)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_until_answering(base: str) -> None:
    for _ in range(200):
        try:
            urllib.request.urlopen(f"{base}/static/checkin.css", timeout=2).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("ladder serve never answered")
