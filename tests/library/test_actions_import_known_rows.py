"""Rows naming known people as stored are matched in SQL (:mod:`ladder.actions.known_rows`),
the others by the people importer: the import must do exactly what the people importer alone
does with every row (the reference: the same import with the known-row path turned off)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from ladder.actions import known_rows
from ladder.actions.importing import import_actions
from ladder.errors import InputError
from ladder.people.importing.importer import ImportOptions
from tests.factories import add_person

NOW = datetime(2026, 11, 30, 12, 0)
# p0 and p1 are in the base as Awa Diallo and Jean Dupont; p2 and p3 are not
PEOPLE = [("p0@example.org", "Awa", "Diallo"), ("p1@example.org", "Jean", "Dupont")]
EMAILS = [*(p[0] for p in PEOPLE), "p2@example.org", "P0@Example.org", "p3@example.org"]
FIRST = ["Awa", "AWA", "Jean", "", "Zoé", "'Awa"]
LAST = ["Diallo", "Dupont", "diallo", ""]

rows = st.lists(
    st.tuples(
        st.sampled_from(EMAILS),
        st.sampled_from(FIRST),
        st.sampled_from(LAST),
        st.sampled_from(["petition", "mass_action", "nope"]),
        st.integers(min_value=-1, max_value=3),  # days before NOW (-1: in the future)
        st.one_of(st.none(), st.sampled_from(["s1", "s2", "s3"])),
    ),
    max_size=10,
)
flags = st.fixed_dictionaries(
    {"skip_invalid": st.booleans(), "create_people": st.booleans(), "dry_run": st.booleans()}
)


def _csv(part: list[tuple[str, str, str, str, int, str | None]], extra: bool = False) -> bytes:
    lines = ["Prénom;Nom;Courriel;Signé le;Type;Référence"]
    for email, first, last, kind, days, external in part:
        when = NOW - timedelta(days=days, hours=2)
        lines.append(f"{first};{last};{email};{when:%d/%m/%Y %H:%M};{kind};{external or ''}")
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def _state(engine) -> dict[str, list[tuple]]:
    with engine.connect() as connection:

        def rows(sql: str) -> list[tuple]:
            return sorted(tuple(str(c) for c in r) for r in connection.execute(text(sql)))

        return {
            "people": rows(
                "SELECT email, first_name, last_name, rung, first_action_at, first_campaign_id "
                "FROM supporters"
            ),
            "actions": rows(
                "SELECT s.email, k.name, a.occurred_at, a.external_id, a.campaign_id "
                "FROM actions a JOIN supporters s ON s.id = a.supporter_id "
                "JOIN action_kinds k ON k.id = a.action_kind_id"
            ),
            "changes": rows(
                "SELECT s.email, c.to_rung, c.to_status FROM level_changes c "
                "JOIN supporters s ON s.id = c.supporter_id"
            ),
        }


def _reset(engine) -> None:
    with engine.begin() as connection:
        for table in ("level_changes", "actions", "consent_records", "supporters"):
            connection.execute(text(f"DELETE FROM {table}"))
    for email, first, last in PEOPLE:
        add_person(engine, first, last, email=email)


def _import(workspace, data: bytes, flags: dict[str, bool]) -> tuple:
    options = ImportOptions(**flags)
    report, _table = import_actions(
        workspace.engine, workspace.ladder, data, "f.csv", options, UTC, "test", now=NOW
    )
    people = report.people
    return (
        report.added, report.already, report.repeated, len(report.climbed),
        people.rows, people.created, people.updated, people.unchanged, people.duplicates,
        people.written, people.encoding, people.delimiter, people.columns,
        # a person's id is named as #id: ids differ between runs on PostgreSQL (sequences)
        [(r.line, r.column, re.sub(r"#\d+", "#", r.reason)) for r in people.rejected],
    )  # fmt: skip


def _both(workspace, monkeypatch, data: bytes, flags: dict[str, bool], before: bytes = b""):
    """The import as it is, then with every row through the people importer: (report, state)
    of each, from the same base (``before`` imported first, the same way)."""
    got = []
    for through_people in (False, True):
        with monkeypatch.context() as patch:
            if through_people:
                patch.setattr(known_rows, "eligible", lambda table: False)
            _reset(workspace.engine)
            if before:
                _import(workspace, before, {"skip_invalid": True, "create_people": True})
            report = _import(workspace, data, flags)
            got.append((report, _state(workspace.engine)))
    return got


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=rows, flags=flags, cut=st.integers(min_value=0, max_value=10))
# every row known: no people importer at all
@example(
    rows=[("p0@example.org", "Awa", "Diallo", "petition", 1, "s1")] * 2
    + [("p1@example.org", "Jean", "Dupont", "petition", 2, None)],
    flags={"skip_invalid": False, "create_people": False, "dry_run": False},
    cut=0,
)
# new signers beside known ones (created from the file's one pass), one of them twice
@example(
    rows=[
        ("p2@example.org", "Zoé", "Diallo", "petition", 1, "s1"),
        ("p0@example.org", "Awa", "Diallo", "petition", 2, "s2"),
        ("p3@example.org", "Jean", "Dupont", "mass_action", 0, None),
        ("p2@example.org", "Zoé", "Diallo", "petition", 3, None),
    ],
    flags={"skip_invalid": False, "create_people": True, "dry_run": False},
    cut=1,
)
# a known row, then the same person with other names: refused as the people importer refuses
@example(
    rows=[
        ("p0@example.org", "Awa", "Diallo", "petition", 1, None),
        ("p0@example.org", "AWA", "Diallo", "petition", 2, None),
    ],
    flags={"skip_invalid": True, "create_people": True, "dry_run": False},
    cut=0,
)
# the other way round: the changed names first
@example(
    rows=[
        ("p0@example.org", "Awa", "diallo", "petition", 1, None),
        ("p0@example.org", "Awa", "Diallo", "petition", 2, None),
    ],
    flags={"skip_invalid": True, "create_people": True, "dry_run": False},
    cut=0,
)
# an id of the base's on another person's row; a re-import of the first half
@example(
    rows=[
        ("p0@example.org", "Awa", "Diallo", "petition", 1, "s1"),
        ("p1@example.org", "Jean", "Dupont", "petition", 1, "s1"),
    ],
    flags={"skip_invalid": False, "create_people": False, "dry_run": False},
    cut=1,
)
def test_known_rows_import_as_the_people_importer_imports_them(
    workspace, monkeypatch, rows, flags, cut
):
    before = _csv(rows[:cut]) if cut else b""
    (fast, fast_state), (reference, reference_state) = _both(
        workspace, monkeypatch, _csv(rows), flags, before
    )
    assert fast == reference
    assert fast_state == reference_state


def test_a_file_of_known_rows_only_never_reaches_the_people_importer(workspace, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the people importer was called")

    _reset(workspace.engine)
    monkeypatch.setattr("ladder.actions.importing.import_people", refuse)
    data = _csv([("p0@example.org", "Awa", "Diallo", "petition", 1, "s1")] * 3)
    report = _import(workspace, data, {"create_people": False})
    assert report[:3] == (1, 0, 2)  # added, already, repeated
    assert report[4:9] == (3, 0, 0, 1, 2)  # rows, created, updated, unchanged, duplicates


@pytest.mark.parametrize("quote", ['"', "\n"])
def test_a_left_row_keeps_its_line_number(workspace, monkeypatch, quote):
    """A row left to the people importer is named by its line in the file, after a known row
    whose quoted cell spans two lines."""
    _reset(workspace.engine)
    lines = [
        "Prénom;Nom;Courriel;Signé le;Note",
        f'Awa;Diallo;p0@example.org;01/11/2026 10:00;"a{quote}note"',
        "Zoé;Martin;p2@example.org;31/02/2026 10:00;",
    ]
    data = ("\r\n".join(lines) + "\r\n").encode()
    options = ImportOptions(create_people=True, overrides={"Note": ""})
    report, _ = import_actions(
        workspace.engine, workspace.ladder, data, "f.csv", options, UTC, "test",
        kind="petition", now=NOW,
    )  # fmt: skip
    last = 4 if quote == "\n" else 3
    assert [(r.line, r.column) for r in report.people.rejected] == [(last, "Signé le")]
    assert report.people.rows == 2


def test_a_file_refused_while_read_leaves_nothing_for_the_next_import(workspace):
    """A file the CSV reader refuses half way (a quote never closed), while its known rows
    stream into their temporary table: the next import on the same connections works."""
    _reset(workspace.engine)
    good = _csv([("p0@example.org", "Awa", "Diallo", "petition", 1, "s1")])
    bad = good + b'Jean;Dupont;p1@example.org;01/11/2026 10:00;petition;"s2\r\n'
    for _attempt in range(3):  # SQLite's pool hands back the same connection
        with pytest.raises(InputError, match="never closed"):
            _import(workspace, bad, {"create_people": False})
    assert _import(workspace, good, {"create_people": False})[:2] == (1, 0)  # added, already


@pytest.mark.parametrize("stray", ["", " ", "surplus"])
def test_a_row_with_cells_past_the_header_imports_as_the_people_importer_does(
    workspace, monkeypatch, stray
):
    """Known rows are read by position: a row longer than the header (a blank or a stray
    cell after the last column), or shorter, gives what the people importer alone gives."""
    lines = [
        "Prénom;Nom;Courriel;Signé le;Type;Référence",
        f"Awa;Diallo;p0@example.org;01/11/2026 10:00;petition;s1;{stray}",
        "Jean;Dupont;p1@example.org;01/11/2026 11:00;petition",
    ]
    data = ("\r\n".join(lines) + "\r\n").encode()
    for flags in ({"skip_invalid": False}, {"skip_invalid": True, "create_people": True}):
        (fast, fast_state), (reference, reference_state) = _both(
            workspace, monkeypatch, data, flags
        )
        assert fast == reference
        assert fast_state == reference_state


@pytest.mark.parametrize("newline", ["\r\n", "\n", "\r"])
def test_the_rows_left_are_copied_from_the_file_own_lines(workspace, monkeypatch, newline):
    """The copy of the file the people importer reads holds the rows left as the file writes
    them (quoted cells over several lines, blank lines and a blank record between rows, any
    line break, none after the last line), the known rows' lines blank: each row is read on
    its line, as the people importer alone reads it."""
    lines = [
        "Prénom;Nom;Courriel;Signé le;Type;Note",
        f'Awa;Diallo;p0@example.org;01/11/2026 10:00;petition;"a{newline}note"',
        "",
        f'"Zoé";Martin;p2@example.org;01/11/2026 10:00;petition;"x;{newline}y"',
        f';;"{newline}";;;',
        "Jean;Dupont;p1@example.org;31/02/2026 10:00;petition;",
        "Jean;Dupont;p1@example.org;02/11/2026 10:00;petition;",
        f'Léa;"Du{newline}pont";p3@example.org;01/11/2026 10:00;petition;',
    ]
    data = newline.join(lines).encode()
    copies: list[str] = []
    left_text = known_rows.left_text

    def recorded(*args):
        copies.append(left_text(*args))
        return copies[-1]

    monkeypatch.setattr(known_rows, "left_text", recorded)
    for flags in ({"skip_invalid": False}, {"skip_invalid": True, "create_people": True}):
        copies.clear()
        flags = {**flags, "overrides": {"Note": ""}}
        (fast, fast_state), (reference, reference_state) = _both(
            workspace, monkeypatch, data, flags
        )
        assert fast == reference
        assert fast_state == reference_state
        if workspace.engine.dialect.name == "sqlite":  # (on PostgreSQL: all through it)
            blanked = ["", "", lines[2], *lines[3:6], "", lines[7]]  # Awa's two lines, Jean's
            assert copies == [newline.join([lines[0], *blanked])]


SUPPORTER_COLUMNS = (
    "email, first_name, last_name, phone, postcode, local_group_id, consent_email, consent_sms, "
    "consent_photo, recruiter_id, source, created_at, updated_at, rung, rung_since, "
    "rung_set_manually, status, status_since, first_action_at, first_campaign_id, "
    "merged_into_id"
)


def _new_people(engine) -> list[tuple]:
    """Every column of the people not in the base before but the id, in id order (new
    people's ids in file order)."""
    base = ", ".join(f"'{email}'" for email, _first, _last in PEOPLE)
    with engine.connect() as connection:
        return [
            tuple(row)
            for row in connection.execute(
                text(
                    f"SELECT {SUPPORTER_COLUMNS} FROM supporters WHERE email NOT IN ({base}) "
                    "ORDER BY id"
                )
            )
        ]


@pytest.mark.parametrize("skip_invalid", [False, True])
def test_new_signers_are_created_as_the_people_importer_creates_them(
    workspace, monkeypatch, skip_invalid
):
    """A petition's new signers (emails nobody has; the same email twice with the same
    names), beside known signers, with --create-people: created from the file's one pass,
    never through the people importer, each column as the people importer writes it."""
    rows = [
        ("p3@example.org", "Léa", "Martin", "petition", 1, "s1"),
        ("p0@example.org", "Awa", "Diallo", "petition", 1, "s2"),
        ("p2@example.org", "Zoé", "Petit", "petition", 2, None),
        ("p3@example.org", "Léa", "Martin", "mass_action", 3, "s3"),
        ("p2@example.org", "Zoé", "Petit", "petition", 2, None),
    ]
    flags = {"create_people": True, "skip_invalid": skip_invalid}
    reference = []
    for through_people in (True, False):
        with monkeypatch.context() as patch:
            if through_people:
                patch.setattr(known_rows, "eligible", lambda table: False)
            else:
                patch.setattr("ladder.actions.importing.import_people", _refused)
            _reset(workspace.engine)
            report = _import(workspace, _csv(rows), flags)
            reference.append((report, _state(workspace.engine), _new_people(workspace.engine)))
    (slow, slow_state, slow_people), (fast, fast_state, fast_people) = reference
    assert fast[:9] == (4, 0, 1, 0, 5, 2, 0, 1, 2)  # added, already, repeated, climbed, rows,
    # created, updated, unchanged, duplicates
    assert fast == slow
    assert fast_state == slow_state
    assert fast_people == slow_people
    assert [p[0] for p in fast_people] == ["p3@example.org", "p2@example.org"]


def _refused(*args, **kwargs):
    raise AssertionError("the people importer was called")


@pytest.mark.parametrize(
    "second",
    [
        ("p2@example.org", "Zoé", "PETIT"),  # the same email with other names: refused
        ("p0@example.org", "AWA", "Diallo"),  # a known email with other names: updated
        ("p2@example.org", "Zoé", "'Petit"),  # a cell the people importer reads again
    ],
)
def test_rows_not_all_fresh_go_to_the_people_importer(workspace, monkeypatch, second):
    """One row that is not a fresh signer's like the others: every row not known goes to
    the people importer, which decides as it always does."""
    rows = [
        ("p2@example.org", "Zoé", "Petit", "petition", 1, None),
        ("p0@example.org", "Awa", "Diallo", "petition", 1, None),
        (*second, "petition", 2, None),
    ]
    called = []
    real = import_actions.__globals__["import_people"]

    def counted(*args, **kwargs):
        called.append(True)
        return real(*args, **kwargs)

    for flags in ({"create_people": True}, {"create_people": True, "skip_invalid": True}):
        called.clear()
        monkeypatch.setattr("ladder.actions.importing.import_people", counted)
        (fast, fast_state), (reference, reference_state) = _both(
            workspace, monkeypatch, _csv(rows), flags
        )
        assert called
        assert fast == reference
        assert fast_state == reference_state


def test_new_signers_found_known_under_the_lock_go_to_the_people_importer(workspace, monkeypatch):
    """Someone adds a signer's email between the file's reading (on a snapshot) and the
    write: the rows are read again under the lock, and that row is now not fresh."""
    if workspace.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL reads the file under the lock only")
    _reset(workspace.engine)
    split = known_rows.split_rows
    calls = []

    def split_then_add(connection, *args, **kwargs):
        found = split(connection, *args, **kwargs)
        calls.append(found.fresh)
        if len(calls) == 1:  # another connection commits after the first reading
            add_person(workspace.engine, "Zoé", "Autre", email="p2@example.org")
        return found

    monkeypatch.setattr(known_rows, "split_rows", split_then_add)
    rows = [
        ("p2@example.org", "Zoé", "Petit", "petition", 1, None),
        ("p0@example.org", "Awa", "Diallo", "petition", 1, None),
    ]
    report = _import(workspace, _csv(rows), {"create_people": True, "skip_invalid": True})
    assert calls[:2] == [1, 0]
    assert report[5] == 0  # created: nobody
    [(line, column, reason)] = report[-1]  # refused (and skipped), as the people importer does
    assert (line, column) == (2, "Courriel")
    assert "p2@example.org already belongs to" in reason
