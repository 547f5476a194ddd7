"""How long work tells a front end how far it has got, without knowing who is watching.

A use case that takes a while (seeding, an import, promotion, a report, an export) accepts a
``progress`` argument and calls it as it goes; the CLI passes a bar on standard error when that
is a terminal (``cli/progress.py``), everything else passes :data:`SILENT`. The library never
prints.

    def import_rows(..., progress: Progress = SILENT):
        progress.start("Importing people", total=len(chunks))
        for chunk in chunks:
            ...
            progress.advance()
        progress.finish()
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def start(self, label: str, total: int) -> None:
        """A new stage of ``total`` steps begins (a new label restarts the bar)."""

    def advance(self, steps: int = 1) -> None:
        """``steps`` more steps of the current stage are done."""

    def finish(self) -> None:
        """The work is over (the bar is cleared or completed)."""


class _Silent:
    def start(self, label: str, total: int) -> None:
        pass

    def advance(self, steps: int = 1) -> None:
        pass

    def finish(self) -> None:
        pass


SILENT: Progress = _Silent()
