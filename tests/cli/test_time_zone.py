"""Times are typed and read in the movement's time zone and stored as naive UTC, both databases.

The zone is $LADDER_TZ, else the ladder file's `time_zone`, else the machine's. Nouméa is
UTC+11 all year (no summer time), so 18:00 there is 07:00 UTC the same day.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine, insert, select

from cli.main import cli
from ladder.clock import to_local, to_utc
from ladder.domain.ladderfile import default_ladder_path
from ladder.storage.models import Action, ActionKind, Event, LevelChange, Supporter
from tests.factories import add_event, add_person, dump

NOUMEA = ZoneInfo("Pacific/Noumea")


def run(db_url: str, *args: str, zone: str | None, ladder_file: Path | None = None) -> Result:
    """`ladder --db ... ARGS` with $LADDER_TZ set to ``zone`` (None: unset)."""
    options = ["--db", db_url]
    if ladder_file is not None:
        options += ["--ladder-file", str(ladder_file)]
    env = {"LADDER_USER": "test-volunteer", "LADDER_TZ": zone}
    return CliRunner().invoke(cli, [*options, *args], env=env)


def ladder_in(tmp_path: Path, zone_line: str) -> Path:
    path = tmp_path / "ladder.toml"
    path.write_text(zone_line + "\n" + default_ladder_path().read_text("utf-8"), "utf-8")
    return path


def _starts(engine: Engine) -> list[datetime]:
    with engine.connect() as connection:
        return list(connection.scalars(select(Event.starts_at).order_by(Event.id)))


def _add_and_list(db_url: str, zone: str | None, ladder_file: Path | None = None) -> list[str]:
    added = run(
        db_url,
        "events",
        "add",
        "--title",
        "Réunion du comité",
        "--start",
        "2026-12-05 18:00",
        zone=zone,
        ladder_file=ladder_file,
    )
    assert added.exit_code == 0, added.output
    outputs = []
    for output_format in ("table", "csv", "json"):
        listed = run(
            db_url,
            "events",
            "list",
            "--format",
            output_format,
            zone=zone,
            ladder_file=ladder_file,
        )
        assert listed.exit_code == 0, listed.output
        outputs.append(listed.stdout)
    return outputs


def test_an_event_typed_at_18_00_with_ladder_tz_noumea_is_stored_at_07_00_utc_and_listed_at_18_00(
    db_url, engine
):
    table, csv_text, json_text = _add_and_list(db_url, "Pacific/Noumea")
    assert _starts(engine) == [datetime(2026, 12, 5, 7, 0)]
    assert "2026-12-05 18:00:00" in table
    assert "2026-12-05 18:00:00" in csv_text
    assert json.loads(json_text)[0]["starts"] == "2026-12-05T18:00:00+11:00"
    shown = run(db_url, "events", "show", "Réunion", zone="Pacific/Noumea")
    assert "2026-12-05 18:00" in shown.stdout
    assert "07:00" not in shown.stdout


def test_the_ladder_file_time_zone_does_the_same_when_ladder_tz_is_unset(db_url, engine, tmp_path):
    path = ladder_in(tmp_path, 'time_zone = "Pacific/Noumea"')
    table, _csv, json_text = _add_and_list(db_url, None, ladder_file=path)
    assert _starts(engine) == [datetime(2026, 12, 5, 7, 0)]
    assert "2026-12-05 18:00:00" in table
    assert json.loads(json_text)[0]["starts"] == "2026-12-05T18:00:00+11:00"


def test_ladder_tz_overrides_the_ladder_file(db_url, engine, tmp_path):
    path = ladder_in(tmp_path, 'time_zone = "Pacific/Noumea"')
    _add_and_list(db_url, "Europe/Paris", ladder_file=path)
    assert _starts(engine) == [datetime(2026, 12, 5, 17, 0)]  # Paris is UTC+1 in December


def test_a_bad_zone_name_in_ladder_tz_is_refused_in_one_line_and_writes_nothing(db_url, engine):
    before = dump(engine)
    result = run(
        db_url, "events", "add", "--title", "X", "--start", "2026-12-05 18:00", zone="Mars/Olympus"
    )
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: LADDER_TZ: unknown time zone 'Mars/Olympus': use an IANA name such as "
        "Pacific/Noumea or Europe/Paris\n"
    )
    assert dump(engine) == before


def test_a_bad_zone_name_in_the_ladder_file_is_refused_naming_the_file_and_field(
    db_url, engine, tmp_path
):
    path = ladder_in(tmp_path, 'time_zone = "Nouméa"')
    before = dump(engine)
    result = run(
        db_url, "events", "add", "--title", "X", "--start", "2026-12-05 18:00", zone=None,
        ladder_file=path,
    )  # fmt: skip
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {path}: time_zone: unknown time zone 'Nouméa': use an IANA name such as "
        "Pacific/Noumea or Europe/Paris\n"
    )
    assert dump(engine) == before


def test_events_list_from_and_to_a_local_date_cut_at_local_midnight(db_url, engine):
    add_event(engine, "Stand du marché", starts_at=datetime(2026, 12, 5, 21, 0))  # 6th, 08:00
    for option, count in (("--from", 1), ("--to", 0)):
        listed = run(
            db_url, "events", "list", option, "2026-12-06", "--format", "json",
            zone="Pacific/Noumea",
        )  # fmt: skip
        assert listed.exit_code == 0, listed.output
        assert len(json.loads(listed.stdout)) == count, option


def _three_attend_actions(db_url: str, engine: Engine, last: datetime) -> int:
    """A follower with two attend-level actions 10 days before 2025-06-10 and one at ``last``
    (Nouméa wall-clock time); the rule shows-up needs 3 within 90 days."""
    assert run(db_url, "events", "list", zone="UTC").exit_code == 0  # action kinds in sync
    person = add_person(engine, "Awa", "Diallo", created_at=datetime(2024, 1, 1))
    with engine.begin() as connection:
        kind = connection.scalar(select(ActionKind.id).where(ActionKind.name == "mass_action"))
        for local in (datetime(2025, 5, 31, 10), datetime(2025, 5, 31, 11), last):
            moment = to_utc(local, NOUMEA)
            connection.execute(
                insert(Action).values(
                    supporter_id=person, action_kind_id=kind, occurred_at=moment, created_at=moment
                )
            )
    return person


def _rung(engine: Engine, person: int) -> str:
    with engine.connect() as connection:
        return str(connection.scalar(select(Supporter.rung).where(Supporter.id == person)))


def test_as_of_a_date_east_of_utc_counts_an_action_on_the_first_local_day_of_the_window(
    db_url, engine
):
    # 2025-03-12 05:00 in Nouméa is 2025-03-11 18:00 UTC: the first day of the 90 days
    # before 2025-06-10 as the organiser sees them, but not as UTC would count them
    person = _three_attend_actions(db_url, engine, datetime(2025, 3, 12, 5, 0))
    result = run(db_url, "promote", "--as-of", "2025-06-10", zone="Pacific/Noumea")
    assert result.exit_code == 0, result.output
    assert "Backtest as of 2025-06-10 00:00: 1 change(s) would have been made" in result.stdout
    assert f"#{person} " in result.stdout and "follow -> attend" in result.stdout


def test_as_of_a_date_means_the_start_of_that_local_day(db_url, engine):
    # 2025-06-10 09:00 in Nouméa is 2025-06-09 22:00 UTC: on the as-of day, so not yet counted
    _three_attend_actions(db_url, engine, datetime(2025, 6, 10, 9, 0))
    result = run(db_url, "promote", "--as-of", "2025-06-10", zone="Pacific/Noumea")
    assert result.exit_code == 0, result.output
    assert "Backtest as of 2025-06-10 00:00: 0 change(s) would have been made" in result.stdout


def test_people_why_and_people_show_read_their_history_in_local_time(db_url, engine):
    person = add_person(engine, "Awa", "Diallo")
    changed = datetime(2025, 6, 9, 21, 30)  # 2025-06-10 08:30 in Nouméa
    with engine.begin() as connection:
        connection.execute(
            insert(LevelChange).values(
                supporter_id=person,
                from_rung="follow",
                to_rung="attend",
                from_status="active",
                to_status="active",
                changed_at=changed,
                changed_by="test-volunteer",
                reason="runs the Lifou stand",
            )
        )
    why = run(db_url, "people", "why", str(person), zone="Pacific/Noumea")
    assert why.exit_code == 0, why.output
    assert "2025-06-10 08:30" in why.stdout
    shown = run(db_url, "people", "show", str(person), "--format", "json", zone="Pacific/Noumea")
    assert json.loads(shown.stdout)["history"][0]["changed_at"] == "2025-06-10T08:30:00+11:00"
    table = run(db_url, "people", "show", str(person), zone="Pacific/Noumea")
    assert "2025-06-10 08:30:00" in table.stdout


def test_recruiters_since_a_local_date_starts_at_its_local_midnight(db_url, engine):
    awa = add_person(engine, "Awa", "Diallo", created_at=datetime(2024, 1, 1))
    # joined 2026-01-01 06:00 in Nouméa = 2025-12-31 19:00 UTC
    add_person(engine, "Jean", "Wamytan", recruiter_id=awa, created_at=datetime(2025, 12, 31, 19))
    board = run(
        db_url,
        "recruiters", "top", "--since", "2026-01-01", "--format", "json",
        zone="Pacific/Noumea",
    )  # fmt: skip
    assert board.exit_code == 0, board.output
    assert [row["direct"] for row in json.loads(board.stdout)] == [1]


@pytest.mark.parametrize(
    ("local", "utc"),
    [
        (datetime(2026, 3, 29, 2, 30), datetime(2026, 3, 29, 1, 30)),  # skipped: read as 03:30
        (datetime(2026, 10, 25, 2, 30), datetime(2026, 10, 25, 0, 30)),  # twice: the first one
        (datetime(2026, 7, 1, 18, 0), datetime(2026, 7, 1, 16, 0)),
    ],
)
def test_a_local_time_is_read_with_fold_0_across_summer_time_changes(local, utc):
    paris = ZoneInfo("Europe/Paris")
    assert to_utc(local, paris) == utc
    assert to_local(utc, paris).replace(tzinfo=None) == local + (
        timedelta(hours=1) if local.hour == 2 and local.month == 3 else timedelta()
    )


def test_events_edit_reads_the_new_start_as_local_and_says_it_in_local_time(db_url, engine):
    _add_and_list(db_url, "Pacific/Noumea")
    edited = run(
        db_url, "events", "edit", "Réunion", "--start", "2026-12-06 09:00", zone="Pacific/Noumea"
    )
    assert edited.exit_code == 0, edited.output
    assert edited.stdout.endswith("(2026-12-06 09:00).\n")
    assert _starts(engine) == [datetime(2026, 12, 5, 22, 0)]


def test_the_librarys_messages_name_events_at_their_local_time(db_url, engine):
    person = add_person(engine, "Awa", "Diallo", email="awa@example.org")
    for title, start in (("Réunion passée", "2026-01-10 18:00"), ("Marche", "2099-03-01 18:00")):
        added = run(
            db_url, "events", "add", "--title", title, "--start", start, zone="Pacific/Noumea"
        )
        assert added.exit_code == 0, added.output
    past = run(db_url, "checkin", "1", str(person), zone="Pacific/Noumea")
    assert past.exit_code == 1
    assert "#1 Réunion passée (2026-01-10 18:00) ended more than 24 hours ago" in past.stderr
    ahead = run(db_url, "checkin", "2", str(person), zone="Pacific/Noumea")
    assert ahead.exit_code == 1
    assert "(2099-03-01 18:00)" in ahead.stderr and "2099-02-28 18:00" in ahead.stderr
