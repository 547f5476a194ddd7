"""`ladder people list | head`: a reader that stops early is not an error to report."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import add_person

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
ROOT = Path(__file__).resolve().parents[2]


def test_a_closed_pipe_ends_the_listing_quietly(engine, db_url):
    for i in range(50):
        add_person(engine, f"Awa{i}", "Diallo", email=f"awa{i}@example.org")
    reader, writer = os.pipe()
    os.close(reader)  # the reader has gone before ladder writes a byte
    try:
        done = subprocess.run(
            [sys.executable, "-m", "cli.main", "people", "list", "--format", "csv"],
            cwd=ROOT,
            env={**os.environ, "LADDER_DATABASE_URL": db_url},
            stdout=writer,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    finally:
        os.close(writer)
    assert done.stderr == ""
    assert done.returncode == 1
