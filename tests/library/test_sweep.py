"""The retention sweep: exactly the people with no activity for the period are erased."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import insert, select

from ladder.clock import utcnow
from ladder.errors import MisuseError
from ladder.privacy.sweep import Period, parse_period, sweep
from ladder.storage.models import (
    Action,
    ActionKind,
    Attendance,
    AuditEntry,
    AuditPerson,
    ConsentRecord,
    Contact,
    LevelChange,
    Merge,
    Supporter,
)
from tests.factories import add_event, add_person, dump

YEARS_AGO = timedelta(days=5 * 365)
RECENTLY = timedelta(days=30)


def _person(engine, name: str, joined: datetime, **values) -> int:
    return add_person(engine, name, "Sweep", created_at=joined, rung_since=joined, **values)


def _world(engine) -> tuple[dict[str, int], set[int]]:
    """People named for why they stay or go; returns them and the ids the sweep must erase."""
    now = utcnow()
    old, recent = now - YEARS_AGO, now - RECENTLY
    p = {
        name: _person(engine, name, recent if name == "new" else old)
        for name in (
            "quiet",
            "lapsed_only",
            "contacted_only",
            "old_action",
            "new",
            "acts",
            "checks_in",
            "rsvps",
            "present",
            "hosts",
            "consents",
            "set_by_hand",
            "recruits",
        )
    }
    p["merged_away"] = _person(engine, "merged_away", old, merged_into_id=p["quiet"])
    with engine.begin() as connection:  # as `people merge` leaves it: a merges row too
        connection.execute(
            insert(Merge).values(kept_id=p["quiet"], merged_id=p["merged_away"], merged_at=old)
        )
    p["erased"] = _person(engine, "erased", old, status="erased")
    p["recruit"] = _person(engine, "recruit", recent, recruiter_id=p["recruits"])
    p["old_recruit"] = _person(engine, "old_recruit", old, recruiter_id=p["quiet"])
    recent_event = add_event(engine, "Recent", starts_in=-RECENTLY, host_id=p["hosts"])
    old_event = add_event(engine, "Old", starts_in=-YEARS_AGO)
    with engine.begin() as connection:
        kind = connection.scalars(select(ActionKind.id)).first()

        def action(who: str, when: datetime) -> dict:
            return {"supporter_id": p[who], "action_kind_id": kind, "occurred_at": when,
                    "created_at": when}  # fmt: skip

        connection.execute(
            insert(Action), [action("acts", recent), action("old_action", old), action("acts", old)]
        )
        for row in [
                {"event_id": old_event, "supporter_id": p["checks_in"], "presence": "attended",
                 "checked_in_at": recent},
                {"event_id": old_event, "supporter_id": p["rsvps"], "presence": "unknown",
                 "rsvp": "accepted", "rsvp_at": recent},
                {"event_id": recent_event, "supporter_id": p["present"], "presence": "attended"},
                {"event_id": old_event, "supporter_id": p["quiet"], "presence": "attended",
                 "checked_in_at": old},
                {"event_id": recent_event, "supporter_id": p["contacted_only"],
                 "presence": "unknown", "invited_at": recent, "invited_by": "camille"},
        ]:  # fmt: skip
            connection.execute(insert(Attendance).values(**row))
        connection.execute(
            insert(ConsentRecord).values(
                supporter_id=p["consents"], channel="email", given=False, recorded_at=recent
            )
        )
        for row in [
                {"supporter_id": p["set_by_hand"], "from_rung": "follow", "to_rung": "attend",
                 "changed_at": recent, "changed_by": "camille", "reason": "leads the group"},
                {"supporter_id": p["lapsed_only"], "from_status": "active",
                 "to_status": "lapsed", "changed_at": recent, "rule_id": "quiet-for-six-months"},
        ]:  # fmt: skip
            connection.execute(insert(LevelChange).values(**row))
        connection.execute(
            insert(Contact).values(
                supporter_id=p["contacted_only"], channel="email", contacted_at=recent
            )
        )
    gone = {p[n] for n in ("quiet", "lapsed_only", "contacted_only", "old_action", "old_recruit")}
    return p, gone


def _erased(engine) -> set[int]:
    with engine.connect() as connection:
        return set(connection.scalars(select(Supporter.id).where(Supporter.status == "erased")))


def test_the_sweep_erases_exactly_the_people_with_no_activity_for_the_period(engine):
    people, gone = _world(engine)
    already = _erased(engine)
    report = sweep(engine, parse_period("3y"), "camille")
    assert report.inactive == len(gone)
    assert report.erasure is not None and report.erasure.merged_records == 1
    assert _erased(engine) == already | gone | {people["merged_away"]}
    with engine.connect() as connection:
        names = connection.execute(
            select(Supporter.first_name).where(Supporter.id.in_(gone | {people["merged_away"]}))
        ).scalars()
        assert set(names) == {None}


def test_one_audit_entry_names_everyone_erased(engine):
    people, gone = _world(engine)
    sweep(engine, parse_period("3y"), "camille")
    with engine.connect() as connection:
        entry = connection.execute(
            select(AuditEntry).where(AuditEntry.command == "privacy sweep")
        ).one()
        named = set(
            connection.scalars(
                select(AuditPerson.supporter_id).where(AuditPerson.entry_id == entry.id)
            )
        )
    assert named == gone | {people["merged_away"]}
    assert entry.detail["inactive_for"] == "3 years" and entry.detail["people"] == len(gone)


def test_a_dry_run_counts_the_same_people_and_writes_nothing(engine):
    _, gone = _world(engine)
    before = dump(engine)
    report = sweep(engine, parse_period("3y"), "camille", dry_run=True)
    assert (report.inactive, report.erasure) == (len(gone), None)
    assert dump(engine) == before


def test_a_longer_period_erases_nobody_here(engine):
    _world(engine)
    already = _erased(engine)
    report = sweep(engine, parse_period("6y"), "camille")
    assert report.inactive == 0
    assert _erased(engine) == already


@pytest.mark.parametrize(
    ("text", "moment", "expected"),
    [
        ("3y", "2027-05-10 12:00", "2024-05-10 12:00"),
        ("1y", "2028-02-29 00:00", "2027-02-28 00:00"),
        ("18m", "2026-08-31 09:30", "2025-02-28 09:30"),
        ("1m", "2026-03-31 00:00", "2026-02-28 00:00"),
        ("90d", "2026-04-01 00:00", "2026-01-01 00:00"),
        (" 2 Y ", "2026-01-15 00:00", "2024-01-15 00:00"),
    ],
)
def test_periods_are_calendar_years_months_and_days(text, moment, expected):
    period = parse_period(text)
    assert period.before(datetime.fromisoformat(moment)) == datetime.fromisoformat(expected)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("3x", "not a period"),
        ("", "not a period"),
        ("y", "not a period"),
        ("-3y", "not a period"),
        ("0d", "no time at all"),
        ("999999y", "more than 200 years"),
    ],
)
def test_a_bad_period_is_one_line(text, message):
    with pytest.raises(MisuseError, match=message):
        parse_period(text)


def test_a_period_reads_as_words():
    assert (str(Period(1, "y")), str(Period(18, "m")), str(Period(90, "d"))) == (
        "1 year", "18 months", "90 days"
    )  # fmt: skip
