"""A big import of new people builds the secondary indexes of supporters after its insert
instead of updating them row by row (ladder.storage.indexes): the people and the indexes are
as the row-by-row insert leaves them, an error leaves the indexes as they were, and on
PostgreSQL, where dropping an index blocks readers, only an empty table is loaded so."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import inspect, select

from ladder.people.importing import write
from ladder.people.importing.importer import ImportOptions, import_people
from ladder.storage.models import Supporter
from ladder.workspace import Workspace
from tests.factories import add_person

PEOPLE = (
    "first_name,last_name,email,phone,recruited_by\n"
    "Awa,Diallo,awa@example.org,06 12 34 56 78,\n"
    "Zoé,Cœur,zoe@example.org,,awa@example.org\n"
    "Jean,Dupont,jean@example.org,,zoe@example.org\n"
)

CONSENTING = (
    "first_name,last_name,email,consent_email\n"
    "Awa,Diallo,awa@example.org,yes\n"
    "Zoé,Cœur,zoe@example.org,no\n"
)


def _indexes(workspace: Workspace) -> list[tuple[Any, ...]]:
    found = inspect(workspace.engine).get_indexes("supporters")
    return sorted((i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in found)


def _rebuilds(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Each import's answer: were the indexes built after the insert?"""
    seen: list[bool] = []
    original = write.rebuilt_after

    def spy(*args: Any, **kwargs: Any) -> Any:
        context = original(*args, **kwargs)

        class Spied:
            def __enter__(self) -> bool:
                seen.append(context.__enter__())
                return seen[-1]

            def __exit__(self, *exc: Any) -> Any:
                return context.__exit__(*exc)

        return Spied()

    monkeypatch.setattr(write, "rebuilt_after", spy)
    return seen


def _import(workspace: Workspace, data: str = PEOPLE) -> Any:
    report, _table = import_people(
        workspace.engine, workspace.ladder, data.encode(), "f.csv", ImportOptions()
    )
    return report


def test_a_big_first_import_writes_the_same_people_and_leaves_every_index(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _indexes(workspace)
    monkeypatch.setattr(write, "REBUILD_FLOOR", 1)  # three people count as many
    rebuilds = _rebuilds(monkeypatch)
    report = _import(workspace)
    assert report.created == 3 and rebuilds == [True]
    assert _indexes(workspace) == before
    s = Supporter.__table__.c
    with workspace.engine.connect() as connection:
        people = {email: i for email, i in connection.execute(select(s.email, s.id))}
        links = {email: r for email, r in connection.execute(select(s.email, s.recruiter_id))}
        by_phone = connection.execute(select(s.email).where(s.phone == "+33612345678"))
        assert by_phone.scalars().all() == ["awa@example.org"]
    assert links == {
        "awa@example.org": None,
        "zoe@example.org": people["awa@example.org"],
        "jean@example.org": people["zoe@example.org"],
    }


def test_an_import_refused_after_the_insert_leaves_the_indexes_as_they_were(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _indexes(workspace)
    monkeypatch.setattr(write, "REBUILD_FLOOR", 1)
    rebuilds = _rebuilds(monkeypatch)

    def fails(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(write, "record_many", fails)  # after the insert, in its transaction
    with pytest.raises(RuntimeError, match="the disk is full"):
        _import(workspace, CONSENTING)
    assert rebuilds == [True]
    assert _indexes(workspace) == before
    with workspace.engine.connect() as connection:
        assert connection.execute(select(Supporter.id)).all() == []


def test_a_table_holding_people_is_loaded_so_on_sqlite_only(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_person(workspace.engine, "Léa", "Martin", email="lea@example.org")
    monkeypatch.setattr(write, "REBUILD_FLOOR", 1)
    rebuilds = _rebuilds(monkeypatch)
    assert _import(workspace).created == 3
    # three new people against one: many; PostgreSQL's readers would wait for the import
    assert rebuilds == [workspace.engine.dialect.name == "sqlite"]


def test_a_small_import_or_a_small_share_updates_the_indexes_row_by_row(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    rebuilds = _rebuilds(monkeypatch)
    assert _import(workspace).created == 3  # under the floor
    monkeypatch.setattr(write, "REBUILD_FLOOR", 1)
    more = "first_name,last_name,email\nLéa,Martin,lea@example.org\n"
    assert _import(workspace, more).created == 1  # one new person against three
    assert rebuilds == [False, False]
