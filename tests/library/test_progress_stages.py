"""Long use cases report their stages to a Progress, on both databases: each stage they start
ends complete (its steps add up to its total), and the totals are what the work really was.

The bar that draws them on a terminal is tested in tests/unit/test_progress_bar.py and
tests/cli/test_progress_terminal.py.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, text

from ladder.interop.osdi_export import export_osdi
from ladder.people.importing.importer import ImportOptions, import_people
from ladder.rules import promote
from ladder.workspace import Workspace
from seeds.movement import generate_movement

ANCHOR = datetime(2026, 3, 8)
BIG_TABLES = ["supporters", "supporter_tags", "consent_records", "attendances", "actions"]


class Recorder:
    """A Progress that remembers every stage: [label, total, steps done]."""

    def __init__(self) -> None:
        self.stages: list[list[object]] = []
        self.finished = 0

    def start(self, label: str, total: int) -> None:
        self.stages.append([label, total, 0])

    def advance(self, steps: int = 1) -> None:
        assert self.stages, "advance before any start"
        self.stages[-1][2] += steps  # type: ignore[operator]

    def finish(self) -> None:
        self.finished += 1

    def labels(self) -> list[object]:
        return [label for label, _total, _done in self.stages]

    def all_complete(self) -> bool:
        return all(total == done for _label, total, done in self.stages)


def _count(engine: Engine, table: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())


def _seed(workspace: Workspace, progress: Recorder | None = None) -> dict[str, object]:
    return generate_movement(
        workspace.engine, workspace.ladder, 300, 3, "fr_FR", ANCHOR, progress or Recorder()
    )


def test_seeding_writes_exactly_the_rows_its_writing_stage_announced(workspace: Workspace):
    progress = Recorder()
    _seed(workspace, progress)
    assert progress.labels() == [
        "Generating 300 supporters",
        "Writing 300 supporters",
        "Updating the database's statistics",
    ]
    assert progress.all_complete()
    assert progress.stages[0][1] == 4
    written = sum(_count(workspace.engine, table) for table in BIG_TABLES)
    assert progress.stages[1][1] == written
    assert progress.finished == 1


def test_promote_counts_one_step_per_rule(workspace: Workspace):
    _seed(workspace)
    progress = Recorder()
    report = promote(workspace.engine, workspace.ladder, as_of=ANCHOR, progress=progress)
    assert report.total > 0  # the world is one where the rules move people
    ladder = workspace.ladder
    rules = 2 + len(ladder.promotion_rules) + len(ladder.lapse_rules)  # + reactivation, clocks
    applying = [stage for stage in progress.stages if stage[0] == "Applying the rules"]
    assert applying and all(total == rules for _label, total, _done in applying)
    assert set(progress.labels()) <= {"Checking the rules", "Applying the rules"}
    assert progress.all_complete()
    assert progress.finished == 1


def _people_csv(count: int) -> bytes:
    rows = "".join(f"Zélie{i},Okonkwo,zelie.{i}@example.org\n" for i in range(count))
    return ("first name,last name,email\n" + rows).encode()


def test_an_import_checks_every_row_then_writes_each_new_person(workspace: Workspace):
    progress = Recorder()
    report, _table = import_people(
        workspace.engine, workspace.ladder, _people_csv(37), "zelie.csv", ImportOptions(), progress
    )
    assert report.created == 37
    assert progress.stages == [["Checking 37 rows", 37, 37], ["Writing 37 people", 41, 41]]
    assert progress.finished == 1


def test_a_refused_import_stops_after_checking(workspace: Workspace):
    data = _people_csv(5) + b"Bad,Row,not-an-email\n"
    progress = Recorder()
    report, _table = import_people(
        workspace.engine, workspace.ladder, data, "bad.csv", ImportOptions(), progress
    )
    assert report.rejected and not report.written
    assert progress.stages == [["Checking 6 rows", 6, 6]]
    assert progress.finished == 1


def test_an_export_counts_every_document_it_writes(workspace: Workspace, tmp_path: Path):
    _seed(workspace)
    progress = Recorder()
    report = export_osdi(workspace.engine, tmp_path, progress)
    documents = sum(report.counts.values())
    assert documents > 300
    assert progress.stages == [["Exporting OSDI documents", documents, documents]]
    assert progress.finished == 1
