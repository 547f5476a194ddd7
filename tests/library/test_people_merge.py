"""`people duplicates` and `people merge` on both databases."""

import json
from datetime import timedelta

from sqlalchemy import insert, select, text

from ladder.storage.models import (
    Action,
    ActionKind,
    Attendance,
    Event,
    LevelChange,
    Merge,
    Supporter,
    SupporterTag,
    Tag,
)
from tests.factories import WHEN, dump, person


def _event(connection, title):
    query = insert(Event).returning(Event.id)
    return connection.execute(
        query.values(title=title, kind="field", starts_at=WHEN, created_at=WHEN, status="confirmed")
    ).scalar_one()


def _history_of_two_records(engine):
    """Awa signed up twice: once at a fair (attend), once online (follow, her old email)."""
    keep = person(
        engine, first_name="Awa", last_name="Diallo", email="awa@example.org", rung="follow"
    )
    other = person(
        engine, first_name="Awa", last_name="Diallo", phone="+33612345678", postcode="75011",
        rung="attend", rung_since=WHEN - timedelta(days=30), consent_sms=True,
    )  # fmt: skip
    recruit = person(engine, first_name="Jean", last_name="Wamytan", recruiter_id=other)
    with engine.begin() as connection:
        kind = connection.execute(
            select(ActionKind.id).where(ActionKind.name == "petition")
        ).scalar_one()
        fair, march = _event(connection, "Fête des possibles"), _event(connection, "Marche climat")
        connection.execute(
            insert(Action),
            [
                {
                    "supporter_id": other,
                    "action_kind_id": kind,
                    "occurred_at": WHEN,
                    "created_at": WHEN,
                }
            ]
            * 2,
        )
        connection.execute(
            insert(Attendance),
            [
                {"event_id": fair, "supporter_id": keep, "presence": "unknown", "rsvp": "accepted"},
                {"event_id": fair, "supporter_id": other, "presence": "attended", "rsvp": None},
                {
                    "event_id": march,
                    "supporter_id": other,
                    "presence": "attended",
                    "rsvp": None,
                },
            ],
        )
        tag = connection.execute(insert(Tag).returning(Tag.id).values(name="bénévole")).scalar_one()
        connection.execute(insert(SupporterTag).values(supporter_id=other, tag_id=tag))
        connection.execute(
            insert(LevelChange).values(
                supporter_id=other, to_rung="attend", changed_at=WHEN, rule_id="two-events"
            )
        )
    return keep, other, recruit


def test_merge_moves_everything_to_the_kept_person_and_the_higher_rung_wins(ladder_cli, engine):
    keep, other, recruit = _history_of_two_records(engine)
    result = ladder_cli("people", "merge", str(keep), str(other))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "Merged #2 Awa Diallo into #1 Awa Diallo.",
        "  moved: actions 2, attendances 1, tags 1, level changes 1, recruits 1, consent records 1",
        "  rung follow -> attend (from #2)",
    ]
    with engine.connect() as connection:
        kept = connection.execute(select(Supporter).where(Supporter.id == keep)).one()
        assert (kept.rung, kept.rung_since, kept.phone, kept.postcode) == (
            "attend",
            WHEN - timedelta(days=30),
            "+33612345678",
            "75011",
        )
        assert kept.consent_sms and kept.email == "awa@example.org"
        owners = (
            connection.execute(text("SELECT DISTINCT supporter_id FROM actions")).scalars().all()
        )
        assert owners == [keep]
        presence = connection.execute(
            text(
                "SELECT e.title, a.presence, a.rsvp FROM attendances a "
                "JOIN events e ON e.id = a.event_id ORDER BY e.title"
            )
        ).all()
        assert [tuple(p) for p in presence] == [
            ("Fête des possibles", "attended", "accepted"),
            ("Marche climat", "attended", None),
        ]
        assert (
            connection.execute(
                select(Supporter.recruiter_id).where(Supporter.id == recruit)
            ).scalar()
            == keep
        )
        history = connection.execute(
            select(LevelChange.rule_id, LevelChange.changed_by)
            .where(LevelChange.supporter_id == keep)
            .order_by(LevelChange.id)
        ).all()
        assert [tuple(h) for h in history] == [("two-events", None), (None, "test-volunteer")]
        merge = connection.execute(select(Merge)).one()
        assert (merge.kept_id, merge.merged_id, merge.merged_by) == (keep, other, "test-volunteer")
    listed = json.loads(ladder_cli("people", "list", "--format", "json").stdout)
    assert [p["id"] for p in listed] == [keep, recruit]
    assert (
        json.loads(ladder_cli("people", "show", "Awa Diallo", "--format", "json").stdout)["person"][
            "id"
        ]
        == keep
    )
    assert (
        ladder_cli("people", "show", str(other)).stderr
        == f"Error: #{other} Awa Diallo was merged into #{keep}: use #{keep}\n"
    )


def test_a_merge_that_would_make_a_recruitment_cycle_is_refused(ladder_cli, engine):
    awa = person(engine, first_name="Awa", last_name="Diallo", email="awa@example.org")
    jean = person(engine, first_name="Jean", last_name="Wamytan", recruiter_id=awa)
    awa_again = person(
        engine, first_name="Awa", last_name="Diallo", phone="+33612345678", recruiter_id=jean
    )
    before = dump(engine)
    result = ladder_cli("people", "merge", str(awa), str(awa_again))
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: merge refused: recruitment cycle: #{awa} Awa Diallo -> #{jean} Jean Wamytan -> "
        f"#{awa} Awa Diallo (each recruited by the next); change a recruiter first "
        "(ladder people set-recruiter / clear-recruiter)\n"
    )
    assert dump(engine) == before


def test_merging_a_person_with_themself_is_refused(ladder_cli, engine):
    awa = person(engine, first_name="Awa", email="awa@example.org")
    result = ladder_cli("people", "merge", str(awa), "awa@example.org")
    assert result.stderr == f"Error: '{awa}' and 'awa@example.org' are the same person (#{awa})\n"


def test_duplicates_finds_a_shared_phone_and_a_typo_in_the_same_postcode(ladder_cli, engine):
    a = person(
        engine, first_name="Mamadou", last_name="Diallo", postcode="75011", phone="+33612345678"
    )
    b = person(engine, first_name="Mamadu", last_name="Diallo", postcode="75011")
    c = person(
        engine, first_name="Fatou", last_name="Diallo", postcode="75011", phone="+33612345678"
    )
    person(engine, first_name="Mamadou", last_name="Diallo", postcode="69001")
    person(engine, first_name="Jeanne", last_name="Diallo", postcode="75011")
    rows = json.loads(ladder_cli("people", "duplicates", "--format", "json").stdout)
    assert [(r["id"], r["other_id"], r["reason"]) for r in rows] == [
        (a, b, "similar names in 75011"),
        (a, c, "same phone +33612345678"),
    ]
    assert rows[0]["name"] == "Mamadou Diallo" and rows[0]["other_name"] == "Mamadu Diallo"
