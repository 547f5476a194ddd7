"""Importing an action file in one go, or in two halves (in order), gives the same database."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import inspect, text

from ladder.actions.importing import import_actions
from ladder.people.importing.importer import ImportOptions
from tests.factories import add_person

NOW = datetime(2026, 11, 30, 12, 0)
EMAILS = [f"p{i}@example.org" for i in range(5)]  # p0, p1 known; the others new
KINDS = ["petition", "mass_action", "photos"]

rows = st.lists(
    st.tuples(
        st.sampled_from(EMAILS),
        st.sampled_from(KINDS),
        st.integers(min_value=0, max_value=40),  # days before NOW
        st.one_of(st.none(), st.sampled_from(["s1", "s2", "s3", "s4"])),
    ),
    max_size=12,
)


def _csv(part: list[tuple[str, str, int, str | None]]) -> bytes:
    lines = ["email,date,kind,id"]
    for email, kind, days, external in part:
        when = NOW - timedelta(days=days)
        lines.append(f"{email},{when:%d/%m/%Y} 10:00,{kind},{external or ''}")
    return ("\n".join(lines) + "\n").encode()


def _state(engine) -> dict[str, list[tuple]]:
    with engine.connect() as connection:
        return {
            "people": [
                tuple(r)
                for r in connection.execute(
                    text("SELECT email, rung, status FROM supporters ORDER BY email")
                )
            ],
            "actions": sorted(
                tuple(str(c) for c in r)
                for r in connection.execute(
                    text(
                        "SELECT s.email, k.name, a.occurred_at, a.external_id FROM actions a "
                        "JOIN supporters s ON s.id = a.supporter_id "
                        "JOIN action_kinds k ON k.id = a.action_kind_id"
                    )
                )
            ),
            "changes": sorted(
                tuple(r)
                for r in connection.execute(
                    text(
                        "SELECT s.email, c.to_rung, c.to_status FROM level_changes c "
                        "JOIN supporters s ON s.id = c.supporter_id"
                    )
                )
            ),
        }


def _reset(engine) -> None:
    with engine.begin() as connection:
        for table in ("level_changes", "actions", "supporter_tags", "supporters"):
            connection.execute(text(f"DELETE FROM {table}"))
    for email in EMAILS[:2]:
        add_person(engine, email.split("@")[0], None, email=email)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=rows, cut=st.integers(min_value=0, max_value=12))
# found by this test: an id-less action, then the same person, kind and time with an id
@example(
    rows=[("p0@example.org", "petition", 0, None), ("p0@example.org", "petition", 0, "s1")], cut=1
)
# found by this test: that action's id again on another day (the id names the first action)
@example(
    rows=[
        ("p0@example.org", "petition", 0, None),
        ("p0@example.org", "petition", 0, "s1"),
        ("p0@example.org", "petition", 1, "s1"),
    ],
    cut=2,
)
# the id-less action already in the base, its id on another day in the same file
@example(
    rows=[
        ("p0@example.org", "petition", 0, None),
        ("p0@example.org", "petition", 0, "s1"),
        ("p0@example.org", "petition", 1, "s1"),
    ],
    cut=1,
)
# an id already another person's, then the same action without an id: the id-less line is
# kept, whether the id's owner came earlier in the file or is already in the base
@example(
    rows=[
        ("p0@example.org", "petition", 0, "s2"),
        ("p1@example.org", "mass_action", 0, "s2"),
        ("p1@example.org", "mass_action", 0, None),
    ],
    cut=1,
)
# the same, the id-less line first: it keeps no id that is another person's
@example(
    rows=[
        ("p0@example.org", "petition", 0, "s2"),
        ("p1@example.org", "mass_action", 0, None),
        ("p1@example.org", "mass_action", 0, "s2"),
    ],
    cut=1,
)
def test_one_go_or_two_halves_give_the_same_database(workspace, rows, cut):
    engine = workspace.engine
    _reset(engine)
    _import_all(workspace, rows)
    whole = _state(engine)
    _reset(engine)
    _import_all(workspace, rows[:cut])
    _import_all(workspace, rows[cut:])
    assert _state(engine) == whole


def _import_all(workspace, part) -> None:
    options = ImportOptions(skip_invalid=True, create_people=True)
    import_actions(
        workspace.engine, workspace.ladder, _csv(part), "f.csv", options, UTC, "test", now=NOW
    )


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=rows, cut=st.integers(min_value=0, max_value=12))
def test_the_same_database_when_the_insert_builds_the_action_indexes_again(workspace, rows, cut):
    """A big import (SQLite) drops the indexes on (kind, time) and (campaign, time, ...)
    before its insert and builds them again after: forced here for every import, the database
    is the one the same imports make updating them, and the indexes are all there again."""
    from ladder.actions import importing

    engine = workspace.engine
    _reset(engine)
    _import_all(workspace, rows[:cut])
    _import_all(workspace, rows[cut:])
    updated = _state(engine)
    rebuilt: list[bool] = []
    real = importing.rebuilt_after

    @contextmanager
    def spied(connection, indexes, worth):
        with real(connection, indexes, worth) as done:
            rebuilt.append(done)
            yield done

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(importing, "REBUILD_FLOOR", 0)
        patch.setattr(importing, "REBUILD_SHARE", 10**9)  # any insert is big
        patch.setattr(importing, "rebuilt_after", spied)
        _reset(engine)
        _import_all(workspace, rows[:cut])
        _import_all(workspace, rows[cut:])
    assert _state(engine) == updated
    if rows:
        assert any(rebuilt) == (engine.dialect.name == "sqlite")
    with engine.connect() as connection:
        names = {i["name"] for i in inspect(connection).get_indexes("actions")}
    assert set(importing.REBUILT_INDEXES) <= names


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=rows, cut=st.integers(min_value=0, max_value=12))
# the same action twice (a new person's), no id repeated
@example(
    rows=[
        ("p2@example.org", "petition", 0, None),
        ("p4@example.org", "photos", 2, "s2"),
        ("p2@example.org", "petition", 0, None),
    ],
    cut=0,
)
# an id on two people's lines
@example(
    rows=[("p2@example.org", "petition", 0, "s1"), ("p3@example.org", "petition", 1, "s1")],
    cut=0,
)
def test_the_repeats_told_while_staging_are_those_found_in_sql(workspace, rows, cut):
    """The lines staged after the people are written are told apart as they are staged
    (hashes in memory: no grouped pass over the staging table when no two lines share an
    action or an id): the reports and the database are those of the grouped passes."""
    from ladder.actions import importing

    got = []
    for limit in (importing.ONCE_IN_MEMORY, -1):  # -1: every file's repeats found in SQL
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(importing, "ONCE_IN_MEMORY", limit)
            _reset(workspace.engine)
            reports = []
            for part in (rows[:cut], rows[cut:]):
                options = ImportOptions(skip_invalid=True, create_people=True)
                report, _ = import_actions(
                    workspace.engine, workspace.ladder, _csv(part), "f.csv", options, UTC,
                    "test", now=NOW,
                )  # fmt: skip
                rejected = [(r.line, r.column, r.reason) for r in report.people.rejected]
                reports.append((report.added, report.already, report.repeated, rejected))
            got.append((reports, _state(workspace.engine)))
    assert got[0] == got[1]
