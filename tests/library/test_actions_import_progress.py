"""``import_actions`` reports its progress: the rows checked (a step per
:data:`ladder.progress.EVERY` lines, the people importer's stage), then a step per stage of the
actions' write, then the end; a refused file ends the progress too."""

from __future__ import annotations

from datetime import UTC, datetime

from ladder.actions import importing
from ladder.actions.importing import import_actions
from ladder.people.importing.importer import ImportOptions
from ladder.progress import EVERY
from tests.factories import add_person, dump

NOW = datetime(2026, 11, 30, 12, 0)


class Recorder:
    """A Progress that writes down what it hears."""

    def __init__(self) -> None:
        self.heard: list[tuple[str, ...]] = []

    def start(self, label: str, total: int) -> None:
        self.heard.append(("start", label, str(total)))

    def advance(self, steps: int = 1) -> None:
        self.heard.append(("advance", str(steps)))

    def finish(self) -> None:
        self.heard.append(("finish",))


def _csv(rows: int, bad_line: int | None = None) -> bytes:
    lines = ["email,date"]
    for i in range(rows):
        day = "31/02/2026" if i + 2 == bad_line else f"{1 + i // 1440:02d}/10/2026"
        lines.append(f"p{i % 3}@example.org,{day} {i // 60 % 24:02d}:{i % 60:02d}")
    return ("\n".join(lines) + "\n").encode()


def _import(workspace, data: bytes, progress: Recorder):
    options = ImportOptions(create_people=True)
    report, _ = import_actions(
        workspace.engine, workspace.ladder, data, "f.csv", options, UTC, "test",
        kind="petition", now=NOW, progress=progress,
    )  # fmt: skip
    return report


def test_each_chunk_of_lines_then_each_write_step_is_reported(workspace):
    for i in range(3):
        add_person(workspace.engine, f"P{i}", None, email=f"p{i}@example.org")
    rows = EVERY + 500  # two chunks: the first ends after EVERY lines
    progress = Recorder()
    report = _import(workspace, _csv(rows), progress)
    assert report.added == rows
    writing = progress.heard.index(("start", "Writing actions", str(importing.WRITE_STEPS)))
    assert progress.heard[:3] == [
        ("start", f"Checking {rows:,} rows", str(rows)),
        ("advance", str(EVERY)),
        ("advance", "500"),
    ]
    assert progress.heard[writing + 1 :] == [
        *[("advance", "1")] * importing.WRITE_STEPS,
        *[("finish",)] * 2,  # the people importer's end, then the actions' (also on errors)
    ]


def test_a_refused_file_still_ends_the_progress(workspace):
    add_person(workspace.engine, "P0", None, email="p0@example.org")
    before = dump(workspace.engine)
    progress = Recorder()
    report = _import(workspace, _csv(2, bad_line=3), progress)
    assert [r.line for r in report.people.rejected] == [3]
    assert dump(workspace.engine) == before
    # every line read is counted (the refused one too), then the people importer checks the
    # line left to it (the refused one: the known rows are not its)
    assert progress.heard[:2] == [("start", "Checking 2 rows", "2"), ("advance", "2")]
    assert progress.heard[2][0] == "start" and progress.heard[3][0] == "advance"
    assert progress.heard[4:] == [("finish",)] * 2  # nothing written: no writing stage
