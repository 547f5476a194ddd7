"""The rules engine on real databases (SQLite and PostgreSQL): whole base and one person."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine, insert, select

from ladder.domain.ladderfile import LadderFile, default_ladder_path, load_ladder, parse_ladder
from ladder.rules import (
    apply_person,
    evaluate_person,
    progress_of,
    progress_query,
    promote,
    what_if,
)
from ladder.storage.kinds import sync_action_kinds
from ladder.storage.models import Action, ActionKind, LevelChange, Supporter
from tests.factories import dump
from tests.rules_reference import (
    ActionRow,
    AttendanceRow,
    EventRow,
    Person,
    World,
    load_world,
)

T = datetime(2024, 6, 1, 18, 0)
LONG_AGO = T - timedelta(days=400)


def person(pid: int, name: str, rung: str = "follow", **values: object) -> Person:
    defaults: dict[str, object] = {"created_at": LONG_AGO, "rung_since": LONG_AGO}
    return Person(pid, name, rung, **(defaults | values))  # type: ignore[arg-type]


def fair(
    eid: int, days_ago: int, host_id: int | None = None, status: str = "confirmed"
) -> EventRow:
    return EventRow(eid, T - timedelta(days=days_ago), status, host_id)


@pytest.fixture
def ladder() -> LadderFile:
    return load_ladder(default_ladder_path())


@pytest.fixture
def db(engine: Engine, ladder: LadderFile) -> Engine:
    sync_action_kinds(engine, ladder)
    return engine


def state(engine: Engine, pid: int) -> tuple[str, str]:
    with engine.connect() as connection:
        query = select(Supporter.rung, Supporter.status).where(Supporter.id == pid)
        return tuple(connection.execute(query).one())  # type: ignore[return-value]


def changes(engine: Engine, pid: int) -> list[LevelChange]:
    with engine.connect() as connection:
        query = select(LevelChange).where(LevelChange.supporter_id == pid).order_by(LevelChange.id)
        return list(connection.execute(query).all())


def regulars_world() -> World:
    """Awa came to two fairs this spring; Bastien came once and missed one; Chloé's is unknown."""
    return World(
        people=[person(1, "Awa"), person(2, "Bastien"), person(3, "Chloé")],
        events=[fair(1, 10), fair(2, 40)],
        attendances=[
            AttendanceRow(1, 1, 1, "attended"),
            AttendanceRow(2, 2, 1, "attended"),
            AttendanceRow(3, 1, 2, "attended"),
            AttendanceRow(4, 2, 2, "no_show"),
            AttendanceRow(5, 1, 3, "attended"),
            AttendanceRow(6, 2, 3, "unknown"),
        ],
    )


def test_two_fairs_in_90_days_promote_a_follower_with_the_evidence(db, ladder):
    load_world(db, regulars_world())
    report = promote(db, ladder, T)
    assert [(c.rule_id, c.from_rung, c.to_rung, c.people) for c in report.changes] == [
        ("shows-up", "follow", "attend", 1)
    ]
    assert state(db, 1) == ("attend", "active")
    (change,) = changes(db, 1)
    assert change.rule_id == "shows-up" and change.changed_at == T
    assert change.evidence["counts"]["attended_90d"] == 2
    assert sorted(change.evidence["ids"]["attended_90d"]) == [1, 2]


def test_an_unknown_attendance_never_counts_as_attended(db, ladder):
    load_world(db, regulars_world())
    promote(db, ladder, T)
    assert state(db, 2) == ("follow", "active")  # attended once, no-show once
    assert state(db, 3) == ("follow", "active")  # attended once, unknown once


def test_a_second_run_changes_nothing(db, ladder):
    load_world(db, regulars_world())
    promote(db, ladder, T)
    before = dump(db)
    report = promote(db, ladder, T)
    assert report.changes == []
    assert dump(db) == before


def test_a_dry_run_shows_who_would_move_and_writes_nothing(db, ladder):
    load_world(db, regulars_world())
    before = dump(db)
    report = promote(db, ladder, T, dry_run=True, examples=5)
    assert report.total == 1
    assert [(m.name, m.to_rung) for m in report.examples] == [("Awa", "attend")]
    assert dump(db) == before


def test_rows_after_as_of_do_not_count(db, ladder):
    load_world(db, regulars_world())
    promote(db, ladder, T - timedelta(days=20))  # the second fair had not happened yet
    assert state(db, 1) == ("follow", "active")


QUIET = """
[[rungs]]
name = "follow"
[[rungs]]
name = "attend"
[promotion]
lapse_grace_days = 30
[[rules]]
id = "quiet-for-60-days"
lapse = true
all = [{ no_activity_days = 60 }]
"""


def quiet_world() -> World:
    """Dominique has done nothing for 100 days; Elif's last fair is unknown; Farid no-showed."""
    return World(
        people=[person(1, "Dominique"), person(2, "Elif"), person(3, "Farid")],
        events=[fair(1, 10)],
        attendances=[AttendanceRow(1, 1, 2, "unknown"), AttendanceRow(2, 1, 3, "no_show")],
        actions=[ActionRow(1, 1, "like", T - timedelta(days=100))],
    )


def test_lapse_waits_for_the_grace_period(db):
    quiet = parse_ladder(QUIET)
    load_world(db, quiet_world())
    promote(db, quiet, T)
    assert state(db, 1) == ("follow", "active")  # the condition holds, the clock starts
    promote(db, quiet, T + timedelta(days=29))
    assert state(db, 1) == ("follow", "active")
    promote(db, quiet, T + timedelta(days=30))
    assert state(db, 1) == ("follow", "lapsed")
    (change,) = changes(db, 1)
    assert (change.rule_id, change.from_status, change.to_status) == (
        "quiet-for-60-days",
        "active",
        "lapsed",
    )


def test_an_unknown_attendance_never_counts_against_anyone(db):
    quiet = parse_ladder(QUIET)
    load_world(db, quiet_world())
    for days in (0, 30):
        promote(db, quiet, T + timedelta(days=days))
    assert state(db, 2) == ("follow", "active")  # unknown presence: benefit of the doubt
    assert state(db, 3) == ("follow", "lapsed")  # a no-show is not activity


def test_activity_during_the_grace_period_resets_the_clock(db):
    quiet = parse_ladder(QUIET)
    load_world(db, quiet_world())
    promote(db, quiet, T)
    add_action(db, 1, "like", T + timedelta(days=10))  # Dominique likes a post 10 days later
    promote(db, quiet, T + timedelta(days=11))
    with db.connect() as connection:
        query = select(Supporter.lapse_condition_since).where(Supporter.id == 1)
        assert connection.execute(query).scalar() is None
    promote(db, quiet, T + timedelta(days=40))
    assert state(db, 1) == ("follow", "active")


def add_action(engine: Engine, pid: int, kind: str, at: datetime) -> None:
    with engine.begin() as connection:
        kind_id = connection.execute(select(ActionKind.id).where(ActionKind.name == kind)).scalar()
        connection.execute(
            insert(Action).values(
                id=99, supporter_id=pid, action_kind_id=kind_id, occurred_at=at, created_at=at
            )
        )


def test_new_activity_makes_a_lapsed_person_active_again_with_a_recorded_change(db, ladder):
    gaspard = person(1, "Gaspard", status="lapsed", status_since=T - timedelta(days=50))
    world = World(
        people=[gaspard],
        actions=[
            ActionRow(1, 1, "petition", T - timedelta(days=80)),  # before lapsing: no effect
            ActionRow(2, 1, "petition", T - timedelta(days=5)),
        ],
    )
    load_world(db, world)
    promote(db, ladder, T)
    assert state(db, 1) == ("follow", "active")
    (change,) = changes(db, 1)
    assert (change.rule_id, change.from_status, change.to_status) == (
        "reactivation",
        "lapsed",
        "active",
    )
    assert change.evidence["counts"]["activity_since_lapse"] == 1


def test_rules_never_undo_an_organisers_manual_rung(db, ladder):
    world = regulars_world()
    world.people[0].manual = True  # Awa was put back on follow by hand
    load_world(db, world)
    promote(db, ladder, T)
    assert state(db, 1) == ("follow", "active")
    allowed = replace(ladder, promotion=replace(ladder.promotion, promote_manually_set=True))
    promote(db, allowed, T)
    assert state(db, 1) == ("attend", "active")


def test_with_no_skipping_a_host_climbs_only_when_each_rung_rule_holds(db, ladder):
    world = World(
        people=[person(1, "Hugo"), person(2, "Inès")],
        events=[fair(1, 10, host_id=1), fair(2, 20, host_id=2), fair(3, 30)],
        attendances=[AttendanceRow(1, 3, 1, "attended"), AttendanceRow(2, 1, 1, "attended")],
    )
    load_world(db, world)
    promote(db, ladder, T)
    assert state(db, 1) == ("mobilise", "active")  # follow -> attend -> mobilise in one run
    assert [c.rule_id for c in changes(db, 1)] == ["shows-up", "mobilises-others"]
    assert state(db, 2) == ("follow", "active")  # hosted, but never attended: no skipping
    skipping = replace(ladder, promotion=replace(ladder.promotion, no_skipping=False))
    promote(db, skipping, T)
    assert state(db, 2) == ("mobilise", "active")


def test_recruits_promoted_in_the_same_run_count_for_their_recruiter(db, ladder):
    people = [person(1, "Jeanne", rung="attend")]
    people += [person(i, f"Recruit {i}", recruiter_id=1) for i in (2, 3, 4)]
    attendances = [AttendanceRow(i * 10 + e, e, i, "attended") for i in (2, 3, 4) for e in (1, 2)]
    load_world(db, World(people, [fair(1, 5), fair(2, 15)], attendances))
    promote(db, ladder, T)
    assert state(db, 1) == ("mobilise", "active")
    (change,) = changes(db, 1)
    assert sorted(change.evidence["ids"]["recruits_attend"]) == [2, 3, 4]


HOSTS_RECRUITING_HOSTS = """
[[rungs]]
name = "follow"
[[rungs]]
name = "attend"
[[rungs]]
name = "mobilise"
[[rules]]
id = "hosts"
promote_to = "mobilise"
any = [{ hosted_events = 1 }, { recruits = 3, recruits_at_rung = "mobilise" }]
"""


def test_a_recruiter_moves_in_a_second_pass_when_the_same_rule_moved_their_recruits(db):
    """The rule counts recruits at the rung it promotes to: its first pass sees the recruits
    below it, a second pass (recruiters of people moved) sees them moved."""
    ladder = parse_ladder(HOSTS_RECRUITING_HOSTS)
    people = [person(1, "Karim", rung="attend")]
    people += [person(i, f"Recruit {i}", rung="attend", recruiter_id=1) for i in (2, 3, 4)]
    events = [fair(i, 5 * i, host_id=i) for i in (2, 3, 4)]
    load_world(db, World(people, events, []))
    promote(db, ladder, T)
    assert state(db, 1) == ("mobilise", "active")
    (change,) = changes(db, 1)
    assert sorted(change.evidence["ids"]["recruits_mobilise"]) == [2, 3, 4]
    assert [changes(db, i)[0].id < change.id for i in (2, 3, 4)] == [True] * 3


LED_BY_A_HOST = """
[[rungs]]
name = "follow"
[[rungs]]
name = "attend"
[[rungs]]
name = "mobilise"
[[rules]]
id = "led"
promote_to = "attend"
all = [{ recruits = 1, recruits_at_rung = "mobilise" }]
[[rules]]
id = "hosts"
promote_to = "mobilise"
all = [{ hosted_events = 1 }]
"""


def test_a_recruiter_moves_in_a_second_pass_when_a_later_rule_moved_their_recruit(db):
    """The rule to attend counts recruits at mobilise; the rule to mobilise, after it in
    ladder order, moves the recruit: the recruiter moves in a second pass."""
    ladder = parse_ladder(LED_BY_A_HOST)
    people = [person(1, "Lina"), person(2, "Recruit", rung="attend", recruiter_id=1)]
    load_world(db, World(people, [fair(1, 5, host_id=2)], []))
    promote(db, ladder, T)
    assert state(db, 2) == ("mobilise", "active")
    assert state(db, 1) == ("attend", "active")
    assert [c.rule_id for c in changes(db, 1)] == ["led"]


def test_erased_people_are_never_touched(db, ladder):
    world = regulars_world()
    world.people[0].status = "erased"
    load_world(db, world)
    promote(db, ladder, T)
    assert state(db, 1) == ("follow", "erased")
    assert changes(db, 1) == []


def test_one_person_is_evaluated_alone_and_evaluation_writes_nothing(db, ladder):
    world = regulars_world()
    world.attendances[5] = AttendanceRow(6, 2, 3, "attended")  # Chloé was there after all
    load_world(db, world)
    before = dump(db)
    with db.connect() as connection:
        moves = evaluate_person(connection, ladder, 3, T)
        connection.rollback()
    assert [(m.supporter_id, m.to_rung) for m in moves] == [(3, "attend")]
    assert dump(db) == before
    with db.begin() as connection:
        moves = apply_person(connection, ladder, 3, T)
    assert [(m.supporter_id, m.rule_id) for m in moves] == [(3, "shows-up")]
    assert state(db, 3) == ("attend", "active")
    assert state(db, 1) == ("follow", "active")  # Awa qualifies, but was not asked about


def test_progress_says_how_close_each_follower_is_to_attend(db, ladder):
    load_world(db, regulars_world())
    with db.connect() as connection:
        rows = connection.execute(progress_query(ladder, "attend", T)).all()
        progress = {pid: (value, missing) for pid, value, missing in rows}
    assert progress[1] == (1.0, 0)
    assert progress[2] == (0.5, 1)  # one of two events attended
    among = select(Supporter.id).where(Supporter.first_name == "Bastien")
    with db.connect() as connection:
        only_bastien = connection.execute(progress_query(ladder, "attend", T, among)).all()
    assert [tuple(row) for row in only_bastien] == [(2, 0.5, 1)]
    with db.connect() as connection:
        (rule,) = progress_of(connection, ladder, 2, "follow", T)
    assert not rule.holds
    assert rule.missing.startswith("1 more event attended within 90 days or 3 more")


def test_what_if_compares_two_ladders_and_writes_nothing(db, ladder):
    load_world(db, regulars_world())
    easier = parse_ladder(
        default_ladder_path().read_text().replace("attended_events = 2", "attended_events = 1")
    )
    before = dump(db)
    result = what_if(db, ladder, easier, T)
    assert dump(db) == before
    assert (result.active_moves, result.new_moves) == (1, 3)
    (difference,) = result.differences
    assert (difference.change, difference.rule, difference.people) == ("higher", "new: shows-up", 2)
    assert difference.examples == ["#2 Bastien", "#3 Chloé"]
