"""A people import plans with a small SQLite page cache (planning reads everyone once, in
order: a big cache would only hold a million people's pages beside the plan), writes its people
with a mid-sized one (the pages of the indexes it inserts into), and gives the caller's
after_write and the connection their own cache back."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection

from ladder.people.importing import importer
from ladder.people.importing.importer import ImportOptions, import_people
from ladder.storage.engine import SQLITE_CACHE_KIB
from ladder.workspace import Workspace

PEOPLE = (
    "first_name,last_name,email,recruited_by\n"
    "Awa,Diallo,awa@example.org,\n"
    "Zoé,Cœur,zoe@example.org,awa@example.org\n"
)


def _cache(connection: Connection) -> int:
    return int(connection.exec_driver_sql("PRAGMA cache_size").scalar_one())


def test_planning_and_writing_run_with_their_page_cache_and_after_write_with_the_full_one(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    if workspace.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL has no per-connection page cache to size")
    seen: dict[str, int] = {}
    planning = importer._read_and_plan

    def spy(connection: Connection, *args: object) -> importer._Read:
        seen["planning"] = _cache(connection)
        return planning(connection, *args)  # type: ignore[arg-type]

    writing = importer.write_plan

    def write_spy(connection: Connection, *args: object, **kwargs: object) -> list[int]:
        seen["writing"] = _cache(connection)
        return writing(connection, *args, **kwargs)  # type: ignore[arg-type]

    def after_write(connection: Connection, people: list[int]) -> None:
        seen["after write"] = _cache(connection)

    monkeypatch.setattr(importer, "_read_and_plan", spy)
    monkeypatch.setattr(importer, "write_plan", write_spy)
    options = ImportOptions(after_write=after_write)
    report, _table = import_people(
        workspace.engine, workspace.ladder, PEOPLE.encode(), "f.csv", options
    )
    assert (report.created, report.written) == (2, True)
    assert seen == {
        "planning": importer.PLANNING_CACHE_KIB,
        "writing": importer.WRITING_CACHE_KIB,
        "after write": -SQLITE_CACHE_KIB,
    }
    with workspace.engine.connect() as connection:  # the pooled connection, as it was
        assert _cache(connection) == -SQLITE_CACHE_KIB


def test_a_refused_import_gives_the_connection_its_cache_back(workspace: Workspace) -> None:
    if workspace.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL has no per-connection page cache to size")
    bad = PEOPLE + "Léa,Martin,not-an-email,\n"
    report, _table = import_people(
        workspace.engine, workspace.ladder, bad.encode(), "f.csv", ImportOptions()
    )
    assert report.rejected and not report.written
    with workspace.engine.connect() as connection:
        assert _cache(connection) == -SQLITE_CACHE_KIB
