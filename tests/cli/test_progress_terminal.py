"""Progress bars as a user sees them: `ladder` run with standard error on a real terminal
(a pseudo-terminal from ``os.openpty``) and standard output on a pipe.

SQLite only: what is tested here is the command line's drawing on a terminal (the same code
whatever the database); the library's progress stages are checked on both databases in
tests/library/test_progress_stages.py. Each run is a fresh process (the bar is drawn only when
the real standard error is a terminal, which CliRunner's never is).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # each test runs ladder in a pseudo-terminal: real processes

AS_OF = "2026-03-08"
SEED = ("seed", "--people", "300", "--seed", "4", "--as-of", AS_OF)


@dataclass
class Run:
    code: int
    stdout: bytes
    stderr: bytes  # what reached the terminal, or the pipe

    @property
    def terminal(self) -> str:
        return self.stderr.decode()


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LADDER_")}
    return {**env, "LADDER_USER": "test-volunteer", "LADDER_TZ": "UTC", "COLUMNS": "100"}


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "cli.main", *args]


def _folder(tmp_path: Path, name: str) -> Path:
    """A folder with an initialised ./ladder.db (the same relative name in every folder, so
    the commands' output can be compared byte for byte)."""
    folder = tmp_path / name
    folder.mkdir()
    subprocess.run(
        _command("init"), cwd=folder, env=_environment(), check=True, capture_output=True
    )
    return folder


class _Reader(threading.Thread):
    """Reads the terminal's side of the pseudo-terminal until the program closes it."""

    def __init__(self, master: int) -> None:
        super().__init__(daemon=True)
        self.master, self.data = master, bytearray()

    def run(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:  # EIO: every writer closed its end
                return
            if not chunk:
                return
            self.data += chunk


def on_terminal(folder: Path, *args: str, interrupt_after: bytes | None = None) -> Run:
    """Run ladder with standard error on a terminal; ``interrupt_after``: press Ctrl-C (send
    SIGINT) once the terminal shows these bytes."""
    master, slave = os.openpty()
    process = subprocess.Popen(
        _command(*args),
        cwd=folder,
        env=_environment(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=slave,
    )
    os.close(slave)
    reader = _Reader(master)
    reader.start()
    if interrupt_after is not None:
        deadline = time.monotonic() + 120
        while interrupt_after not in reader.data and process.poll() is None:
            assert time.monotonic() < deadline, bytes(reader.data)
            time.sleep(0.02)
        process.send_signal(signal.SIGINT)
    stdout, _ = process.communicate(timeout=300)
    reader.join(timeout=10)
    os.close(master)
    return Run(process.returncode, stdout, bytes(reader.data))


def on_pipes(folder: Path, *args: str) -> Run:
    done = subprocess.run(_command(*args), cwd=folder, env=_environment(), capture_output=True)
    return Run(done.returncode, done.stdout, done.stderr)


def screen(text: str) -> list[str]:
    """The lines a terminal shows after ``text``: a carriage return goes back to the start of
    the line and what follows overwrites it; a line feed starts a new line."""
    lines: list[list[str]] = [[]]
    column = 0
    for char in text:
        if char == "\r":
            column = 0
        elif char == "\n":
            lines.append([])
            column = 0
        else:
            line = lines[-1]
            if column < len(line):
                line[column] = char
            else:
                line.append(char)
            column += 1
    return ["".join(line).rstrip() for line in lines]


def _shown(run: Run) -> list[str]:
    return [line for line in screen(run.terminal) if line]


@pytest.fixture(scope="module")
def piped_seed(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """The seed with both outputs on pipes (no terminal): what the others are compared to."""
    return on_pipes(_folder(tmp_path_factory.mktemp("pipes"), "pipes"), *SEED)


def test_seed_draws_its_bar_on_the_terminal_and_prints_the_same_results(
    tmp_path: Path, piped_seed: Run
):
    drawn = on_terminal(_folder(tmp_path, "terminal"), *SEED)
    assert drawn.code == 0 == piped_seed.code, (drawn, piped_seed)
    for label in ("Generating 300 supporters", "Writing 300 supporters"):
        assert label in drawn.terminal
    assert "100%" in drawn.terminal
    assert _shown(drawn) == []  # cleared: the terminal shows nothing of it afterwards
    assert drawn.stdout == piped_seed.stdout
    assert drawn.stdout.startswith(b"Seeded ladder.db (seed 4, fr_FR, as of 2026-03-08): 300 ")
    assert piped_seed.stderr == b""  # as before bars were shared: nothing on a piped stderr


def test_quiet_draws_nothing_on_a_terminal(tmp_path: Path, piped_seed: Run):
    folder = _folder(tmp_path, "quiet")
    quiet = on_terminal(folder, "--quiet", *SEED)
    assert quiet.code == 0
    assert quiet.stderr == b""
    assert quiet.stdout == piped_seed.stdout  # results are not hidden
    short = on_terminal(folder, "-q", "promote")
    assert short.code == 0
    assert short.stderr == b""
    assert short.stdout.startswith(b"Promotion as of ")


def test_promote_and_export_draw_their_stages_and_clear_them(tmp_path: Path):
    folder = _folder(tmp_path, "movement")
    assert on_pipes(folder, *SEED).code == 0
    promoted = on_terminal(folder, "promote")
    assert promoted.code == 0, promoted
    assert "Applying the rules" in promoted.terminal
    assert _shown(promoted) == []
    assert promoted.stdout.startswith(b"Promotion as of ")
    exported = on_terminal(folder, "export", "osdi", "osdi")
    assert exported.code == 0, exported
    assert "Exporting OSDI documents" in exported.terminal and "100%" in exported.terminal
    assert _shown(exported) == []
    assert exported.stdout.startswith(b"Wrote ")


def test_an_actions_import_draws_its_rows_then_its_writing(tmp_path: Path):
    folder = _folder(tmp_path, "actions")
    rows = "".join(f"zelie.{i}@example.org,0{1 + i % 9}/02/2026\n" for i in range(40))
    (folder / "signed.csv").write_text(f"email,date\n{rows}")
    args = ("actions", "import", "signed.csv", "--kind", "petition", "--create-people")
    imported = on_terminal(folder, *args)
    assert imported.code == 0, imported
    assert "Checking 40 rows" in imported.terminal
    assert "Writing actions" in imported.terminal and "100%" in imported.terminal
    assert _shown(imported) == []
    assert b"Actions: added 40" in imported.stdout


def test_report_html_draws_its_sections_and_clears_them(tmp_path: Path):
    folder = _folder(tmp_path, "report")
    assert on_pipes(folder, *SEED).code == 0
    written = on_terminal(folder, "report", "html", "-o", "report.html", "--until", AS_OF)
    assert written.code == 0, written
    assert "100%" in written.terminal
    assert _shown(written) == ["Wrote the report to report.html."]
    assert (folder / "report.html").read_bytes().startswith(b"<!DOCTYPE html>")


def test_a_refused_import_prints_its_error_on_clean_lines(tmp_path: Path):
    folder = _folder(tmp_path, "import")
    rows = "".join(f"Zélie{i},Okonkwo,zelie.{i}@example.org\n" for i in range(40))
    (folder / "bad.csv").write_text(f"first name,last name,email\n{rows}Bad,Row,not-an-email\n")
    refused = on_terminal(folder, "people", "import", "bad.csv")
    piped = on_pipes(folder, "people", "import", "bad.csv")
    assert refused.code == 1 == piped.code
    assert "Checking 41 rows" in refused.terminal  # the bar was drawn before the refusal
    # the terminal shows exactly the lines a pipe gets: no piece of the bar is left on them
    assert _shown(refused) == piped.stderr.decode().splitlines()
    assert _shown(refused)[0].startswith("1 row is invalid in bad.csv: nothing was imported.")


def test_ctrl_c_while_the_bar_is_drawn_leaves_the_message_on_a_clean_line(tmp_path: Path):
    folder = _folder(tmp_path, "interrupted")
    stopped = on_terminal(
        folder, "seed", "--people", "60000", "--as-of", AS_OF, interrupt_after=b"Writing"
    )
    if stopped.code == 0:
        pytest.skip("the seed finished before Ctrl-C reached it (a very fast machine)")
    assert stopped.code == 130, stopped
    assert "Writing 60,000 supporters" in stopped.terminal
    shown = _shown(stopped)
    assert len(shown) == 1 and shown[0].startswith("Error: interrupted"), shown
    assert stopped.stdout == b""
