"""`ladder calendar export` (parsed back with vobject, an independent parser; UIDs kept
across exports; the movement's zone) and `ladder orgs digest` (known numbers on a known
world; "since the last digest"); refusals write nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import vobject
from sqlalchemy import select

from ladder.clock import utcnow
from ladder.domain.ladderfile import default_ladder_path, load_ladder
from ladder.orgs.calendar import CalendarRequest, calendar_bytes, calendar_rows
from ladder.orgs.digest import org_digest
from ladder.orgs.manage import OrgRef
from ladder.storage.models import PartnerOrganisation
from tests.factories import dump
from tests.orgs_world import build_org_world


def _parsed(data: bytes) -> list:
    return list(vobject.readOne(data.decode("utf-8")).vevent_list)


def test_the_calendar_parses_with_another_parser_and_keeps_uids(ladder_cli, engine, tmp_path):
    world = build_org_world(engine)
    first, second = tmp_path / "a.ics", tmp_path / "b.ics"
    made = ladder_cli("calendar", "export", "-o", str(first))
    assert made.exit_code == 0, made.output
    raw = first.read_bytes()
    lines = raw.split(b"\r\n")
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")  # CRLF only
    assert max(len(line) for line in lines) <= 75  # folded at 75 octets (RFC 5545 3.1)
    events = _parsed(raw)
    assert len(events) == 5
    titles = {e.summary.value: e for e in events}
    marche = titles["Marche pour le climat"]
    assert marche.location.value == "Place Bellecour, 69002"
    assert titles["Marche annulée"].status.value == "CANCELLED"
    ladder_cli("events", "edit", str(world.marche), "--title", "Grande marche pour le climat")
    again = ladder_cli("calendar", "export", "-o", str(second))
    assert again.exit_code == 0, again.output
    later = {e.uid.value: e.summary.value for e in _parsed(second.read_bytes())}
    assert set(later) == {e.uid.value for e in events}  # the same UIDs: an update, not a copy
    assert later[marche.uid.value] == "Grande marche pour le climat"


def test_filters_key_dates_organisation_and_range(ladder_cli, engine, tmp_path):
    build_org_world(engine)
    key = tmp_path / "key.ics"
    assert ladder_cli("calendar", "export", "-o", str(key), "--key-dates").exit_code == 0
    assert sorted(e.summary.value for e in _parsed(key.read_bytes())) == [
        "Marche annulée", "Marche pour le climat",
    ]  # fmt: skip
    mine = ladder_cli("calendar", "export", "-o", "-", "--org", "Mairie de Lyon",
                      "--from", f"{utcnow() - timedelta(days=30):%Y-%m-%d}")  # fmt: skip
    assert mine.exit_code == 0, mine.output
    got = sorted(e.summary.value for e in _parsed(mine.stdout.encode()))
    assert got == ["Atelier vélo", "Forum des associations", "Marche pour le climat"]


def test_times_are_in_the_movements_zone_with_its_vtimezone(engine):
    build_org_world(engine)
    with engine.connect() as connection:
        rows = calendar_rows(connection, CalendarRequest(key_dates=True))
    data = calendar_bytes(rows, ZoneInfo("Pacific/Noumea"))
    assert b"BEGIN:VTIMEZONE\r\nTZID:Pacific/Noumea" in data
    assert b"DTSTART;TZID=Pacific/Noumea:" in data
    parsed = _parsed(data)
    starts = {e.summary.value: e.dtstart.value for e in parsed}
    stored = {r["title"]: r["starts_at"] for r in rows}
    for title, start in starts.items():  # the same instant, read back through the VTIMEZONE
        assert start.astimezone(UTC).replace(tzinfo=None) == stored[title].replace(microsecond=0)
        assert start.utcoffset() == timedelta(hours=11)


def test_a_bad_range_or_an_unwritable_file_is_one_line_and_writes_nothing(
    ladder_cli, engine, tmp_path
):
    build_org_world(engine)
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    out = tmp_path / "x.ics"
    bad = ladder_cli("calendar", "export", "-o", str(out), "--from", "2026-05-01",
                     "--to", "2026-01-01")  # fmt: skip
    assert bad.exit_code == 2
    assert bad.stderr.strip().endswith(
        "--from must be before --to: give an earlier --from or a later --to"
    )
    nowhere = ladder_cli("calendar", "export", "-o", str(tmp_path / "no" / "x.ics"))
    assert nowhere.exit_code == 1 and "cannot write" in nowhere.stderr
    unknown = ladder_cli("calendar", "export", "-o", str(out), "--org", "Nobody")
    assert unknown.exit_code == 1 and "unknown organisation 'Nobody'" in unknown.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_digest_on_the_known_world_gives_the_known_numbers(engine):
    world = build_org_world(engine)
    until = utcnow()
    with engine.connect() as connection:
        found = org_digest(
            connection,
            load_ladder(default_ladder_path()),
            OrgRef(world.mairie, "Mairie de Lyon"),
            until,
            until - timedelta(days=30),
        )
    # the Réunion (60 days ago) is before the window; Zoé came to the forum but is nobody's
    assert [(e["title"], e["people"]) for e in found.attended] == [
        ("Atelier vélo", 1),
        ("Forum des associations", 2),
    ]
    assert found.people_who_came == 3
    assert found.partnered == []  # the march it co-organises is still to come
    assert [(c["campaign"], c["count"], c["added"], c["goal"]) for c in found.campaigns] == [
        ("Pétition", 3, 2, 10)
    ]
    figures = {k: found.figures[k] for k in ("people", "engaged", "events_held", "attended")}
    # 4 people; Awa, Jean, Zoé came and Léa signed in the window; forum and atelier: 3 + 1
    assert figures == {"people": 4, "engaged": 4, "events_held": 2, "attended": 4}
    assert [k["title"] for k in found.key_dates] == ["Marche pour le climat"]


def test_digest_text_and_since_the_last_digest(ladder_cli, engine, tmp_path):
    world = build_org_world(engine)
    preview = ladder_cli("orgs", "digest", "Mairie de Lyon", "--lang", "en", "--since", "30d")
    assert preview.exit_code == 0, preview.output
    text = preview.stdout
    assert "Forum des associations: 2 of your people" in text
    assert "Atelier vélo: 1 of your people" in text
    assert "Réunion de réseau" not in text
    assert "Pétition: 3 / " in text and "+2 in the period" in text
    assert "4 people in the movement, 4 of them active in the period" in text
    assert "Marche pour le climat" in text and "Marche annulée" not in text

    def last_digest() -> datetime | None:
        with engine.connect() as connection:
            return connection.execute(
                select(PartnerOrganisation.last_digest_at).where(
                    PartnerOrganisation.id == world.mairie
                )
            ).scalar()

    assert last_digest() is None  # a preview records nothing
    out = tmp_path / "lyon.txt"
    written = ladder_cli("orgs", "digest", "Mairie de Lyon", "-o", str(out))
    assert written.exit_code == 0, written.output
    assert "Forum des associations : 2 de vos membres" in out.read_text(encoding="utf-8")
    first = last_digest()
    assert first is not None and abs(first - utcnow()) < timedelta(minutes=5)
    # the next digest starts where the last one ended: nothing has happened since
    nothing = ladder_cli("orgs", "digest", "Mairie de Lyon", "--lang", "en")
    assert "None of your people came to an event in this period." in nothing.stdout

    folder = tmp_path / "all"
    every = ladder_cli("orgs", "digest", "--all", "--format", "html", "-o", str(folder))
    assert every.exit_code == 0, every.output
    names = sorted(p.name for p in folder.iterdir())
    assert names == [f"{world.mairie}-mairie-de-lyon.html", f"{world.amis}-amis-de-la-terre.html"]
    assert "<h2>" in (folder / names[0]).read_text(encoding="utf-8")


def test_digest_refusals_write_nothing(ladder_cli, engine, tmp_path):
    build_org_world(engine)
    before = dump(engine)
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    out = tmp_path / "d.txt"
    cases = [
        (("orgs", "digest", "Nobody", "-o", str(out)), 1, "unknown organisation 'Nobody'"),
        (("orgs", "digest", "Mairie de Lyon", "-o", str(out), "--since", "2026-05-01",
          "--until", "2026-01-01"), 2, "--since must be before the digest's end"),
        (("orgs", "digest", "Mairie de Lyon", "-o", str(tmp_path / "no" / "d.txt")), 1,
         "cannot write"),
        (("orgs", "digest", "--all"), 2, "give -o DIR"),
        (("orgs", "digest", "--all", "-o", str(tmp_path / "new"), "--since", "2026-05-01",
          "--until", "2026-01-01"), 2, "--since must be before the digest's end"),
        (("orgs", "digest", "--all", "-o", str(tmp_path / "no" / "new")), 1, "cannot write"),
        (("orgs", "digest"), 2, "give an organisation, or --all"),
    ]  # fmt: skip
    for args, code, message in cases:
        result = ladder_cli(*args)
        assert result.exit_code == code, (args, result.output)
        assert message in result.stderr.strip().splitlines()[-1]
    assert dump(engine) == before
    assert list(tmp_path.iterdir()) == []


def test_an_html_digest_escapes_what_people_typed(ladder_cli, engine, tmp_path):
    build_org_world(engine)
    hostile = "<script>alert(1)</script> & Cie"
    assert ladder_cli("orgs", "add", hostile).exit_code == 0
    out = tmp_path / "d.html"
    made = ladder_cli("orgs", "digest", hostile, "--format", "html", "-o", str(out))
    assert made.exit_code == 0, made.output
    page = out.read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Cie" in page
