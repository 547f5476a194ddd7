"""Reports given what another report already read give what they give reading it themselves,
on random movements, both databases: the headline summed from the groups' figures (the HTML
report reads them once for its headline and its groups), the funnel and the cohorts from one
read of the level history (once for both)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, insert, select, update

from ladder.domain.ladderfile import default_ladder_path, load_ladder
from ladder.reports.cohorts import WITHIN, cohorts
from ladder.reports.funnel import funnel
from ladder.reports.groups import group_figures
from ladder.reports.headline import headline
from ladder.reports.history import read_history
from ladder.reports.periods import Every
from ladder.reports.window import Window
from ladder.storage.engine import reading
from ladder.storage.models import (
    Action,
    ActionKind,
    Attendance,
    Event,
    LevelChange,
    LocalGroup,
    Supporter,
)
from tests.rules_reference import clear_world

LADDER = load_ladder(default_ladder_path())
START = datetime(2026, 3, 1)
UNTIL = START + timedelta(days=40)
SINCE = START + timedelta(days=20)
RUNGS = [*LADDER.rung_names, "retired"]  # a rung the ladder file no longer has

people_st = st.lists(
    st.tuples(
        st.sampled_from([None, 0, 1]),  # local group
        st.sampled_from(RUNGS),
        st.sampled_from(["active", "active", "lapsed", "erased"]),
        st.booleans(),  # merged into the first person
        st.integers(0, 45),  # day joined (after the window's end from 40 on)
    ),
    min_size=1,
    max_size=12,
)
events_st = st.lists(
    st.tuples(st.sampled_from([None, 0, 1]), st.integers(0, 45), st.booleans(), st.booleans()),
    max_size=5,
)  # group, day, key date, cancelled
presences_st = st.lists(
    st.tuples(st.integers(0, 11), st.integers(0, 4), st.sampled_from(["attended", "no_show"])),
    max_size=12,
)
actions_st = st.lists(st.tuples(st.integers(0, 11), st.integers(0, 45)), max_size=12)
rung_or_none = st.sampled_from([None, *RUNGS])
status_or_none = st.sampled_from([None, "active", "lapsed"])
changes_st = st.lists(
    st.tuples(
        st.integers(0, 11),  # who
        st.integers(-5, 45),  # day (before their join, sometimes)
        rung_or_none,
        rung_or_none,
        status_or_none,
        status_or_none,
    ),
    max_size=15,
)  # who, day, from and to rung, from and to status (a side may be left blank)


def build(
    engine: Engine,
    people: list,
    events: list,
    presences: list,
    actions: list,
    changes: list | None = None,
) -> list:
    """Empty the base and write the movement; the local groups' ids."""
    clear_world(engine)
    with engine.begin() as connection:
        connection.execute(update(Supporter).values(local_group_id=None))
        groups = [g for (g,) in connection.execute(select(LocalGroup.id).order_by(LocalGroup.id))]
        for name in ("Nord", "Sud")[len(groups) :]:
            row = {"name": name, "town": name, "created_at": START}
            groups.append(
                connection.execute(insert(LocalGroup).values(**row)).inserted_primary_key[0]
            )
        kind = connection.scalar(select(ActionKind.id).order_by(ActionKind.id).limit(1))
        ids = []
        for group, rung, status, merged, day in people:
            at = START + timedelta(days=day, hours=9)
            row = {
                "rung": rung,
                "rung_since": at,
                "status": status,
                "created_at": at,
                "local_group_id": None if group is None else groups[group],
                "merged_into_id": ids[0] if merged and ids else None,
            }
            ids.append(connection.execute(insert(Supporter).values(**row)).inserted_primary_key[0])
        event_ids = []
        for group, day, key_date, cancelled in events:
            at = START + timedelta(days=day, hours=18)
            row = {
                "title": "Réunion",
                "kind": "meeting",
                "starts_at": at,
                "created_at": START,
                "local_group_id": None if group is None else groups[group],
                "key_date": key_date,
                "status": "cancelled" if cancelled else "confirmed",
            }
            event_ids.append(
                connection.execute(insert(Event).values(**row)).inserted_primary_key[0]
            )
        seen = set()
        for who, which, presence in presences:
            if who < len(ids) and which < len(event_ids) and (who, which) not in seen:
                seen.add((who, which))
                row = {"event_id": event_ids[which], "supporter_id": ids[who], "presence": presence}
                connection.execute(insert(Attendance).values(**row))
        for who, day in actions:
            if who < len(ids):
                at = START + timedelta(days=day, hours=12)
                row = {"supporter_id": ids[who], "action_kind_id": kind, "occurred_at": at}
                connection.execute(insert(Action).values(**row, created_at=at))
        for who, day, from_rung, to_rung, from_status, to_status in changes or []:
            if who < len(ids) and (to_rung or to_status):
                row = {
                    "supporter_id": ids[who],
                    "changed_at": START + timedelta(days=day, hours=15),
                    "from_rung": from_rung,
                    "to_rung": to_rung,
                    "from_status": from_status,
                    "to_status": to_status,
                    "changed_by": "test",
                }
                connection.execute(insert(LevelChange).values(**row))
    return groups


@pytest.mark.slow  # a property over random movements
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(people=people_st, events=events_st, presences=presences_st, actions=actions_st)
def test_the_headline_summed_from_the_groups_figures_is_the_headline_read_alone(
    engine: Engine, people: list, events: list, presences: list, actions: list
) -> None:
    groups = build(engine, people, events, presences, actions)
    with reading(engine) as connection:
        for since in (None, SINCE):
            for group in (None, *groups):
                window = Window(UNTIL, since, group, None if group is None else "g")
                figures = group_figures(connection, window)
                alone = headline(connection, LADDER, window)
                assert headline(connection, LADDER, window, figures) == alone


@pytest.mark.slow  # a property over random movements
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(people=people_st, changes=changes_st)
def test_the_funnel_and_the_cohorts_from_one_read_of_the_history_are_those_read_alone(
    engine: Engine, people: list, changes: list
) -> None:
    groups = build(engine, people, [], [], [], changes)
    with reading(engine) as connection:
        for since in (None, SINCE):
            for group in (None, groups[0]):
                window = Window(UNTIL, since, group, None if group is None else "g")
                read = read_history(connection, LADDER, window, UTC)
                for every in Every:
                    alone = funnel(connection, LADDER, window, every, UTC)
                    assert funnel(connection, LADDER, window, every, UTC, read) == alone
                    alone = cohorts(connection, LADDER, window, UTC, WITHIN, every)
                    assert cohorts(connection, LADDER, window, UTC, WITHIN, every, read) == alone
