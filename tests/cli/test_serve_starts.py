"""`ladder serve` starts a real server on 127.0.0.1 that answers, and says where it listens."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_serve_listens_on_loopback_and_refuses_a_missing_token(db_url, engine):
    port = _free_port()
    env = {**os.environ, "LADDER_DATABASE_URL": db_url}
    server = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = server.stdout.readline()
        assert f"on http://127.0.0.1:{port}" in line
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/people", timeout=2)
            except urllib.error.HTTPError as answer:
                assert answer.code in (401, 404)
                break
            except OSError:
                time.sleep(0.05)
        else:
            pytest.fail("the server never answered")
    finally:
        server.terminate()
        server.wait(timeout=10)
