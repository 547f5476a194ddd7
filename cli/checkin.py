"""`ladder checkin`, `ladder rsvp`, `ladder invite`: the volunteer's commands at the door."""

from __future__ import annotations

import sys
from typing import Any

import click

from cli.context import pass_workspace
from cli.next import next_filters
from cli.output import echo_rows, output_options
from cli.people_edit import person_options
from ladder.clock import utcnow
from ladder.errors import LadderError
from ladder.services import checkin as service
from ladder.services.checkin import sign_up_and_check_in
from ladder.services.lookup import PersonRef, find_people
from ladder.services.people import person_fields
from ladder.workspace import Workspace


@click.command()
@click.argument("event")
@click.argument("person", required=False)
@click.option("--new", "new", is_flag=True, help="Sign up a walk-in and check them in.")
@person_options
@pass_workspace
def checkin(
    workspace: Workspace,
    event: str,
    person: str | None,
    new: bool,
    group: str | None,
    create_group: bool,
    recruited_by: str | None,
    **fields: Any,
) -> None:
    """Check a person in to an event: by email, phone, id or a name fragment.

    Checking the same person in twice is one attendance, and says so. With no PERSON on a
    terminal, it loops: type a name or email, pick, next, until an empty line. A walk-in who
    is not in the database yet: --new with the same options as `people add`; someone already
    known (same email, or same phone and name) is checked in instead, and it says so.

    Example: ladder checkin 12 awa.diallo@example.org

    Example: ladder checkin 12 --new --first-name Léo --last-name Kaouma --email leo@example.nc
    --recruited-by awa.diallo@example.org
    """
    given = any(v is not None for v in fields.values()) or group or recruited_by
    if new:
        if person is not None:
            raise click.UsageError("--new signs up someone new: give their details, not PERSON")
        if create_group:
            raise click.UsageError("--create-group is for `people add`; use an existing --group")
        result, notes = sign_up_and_check_in(
            workspace.engine,
            workspace.ladder,
            event,
            person_fields(**fields),
            workspace.settings.user,
            recruited_by=recruited_by,
            group=group,
        )
        click.echo(result.message())
        for note in notes:
            click.echo(f"  note: {note}")
        return
    if given or create_group:
        raise click.UsageError("person details go with --new (to sign up a walk-in)")
    if person is not None:
        result = service.check_in_by_ref(
            workspace.engine, workspace.ladder, event, person, workspace.settings.user
        )
        click.echo(result.message())
        return
    if not interactive():
        raise click.UsageError("name the PERSON to check in (the loop needs a terminal)")
    _door_loop(workspace, event)


def interactive() -> bool:
    """True when a volunteer is typing at a terminal."""
    return sys.stdin.isatty()


def _door_loop(workspace: Workspace, event_ref: str) -> None:
    engine, ladder, user = workspace.engine, workspace.ladder, workspace.settings.user
    with workspace.reading() as connection:
        event = service.checkable_event(connection, event_ref, utcnow())
    click.echo(f"Checking in to {event.describe()}. Empty line to finish.")
    count = 0
    while True:
        typed = click.prompt("name, email or phone", default="", show_default=False).strip()
        if not typed:
            break
        try:
            with engine.begin() as connection:
                person = _pick(find_people(connection, typed), typed)
                if person is None:
                    continue
                result = service.check_in(connection, ladder, event, person, user)
        except LadderError as exc:
            click.echo(f"  {exc}", err=True)
            continue
        count += 0 if result.already else 1
        click.echo(f"  {result.message()}")
    click.echo(f"{count} checked in this session.")


def _pick(matches: list[PersonRef], typed: str) -> PersonRef | None:
    if not matches:
        click.echo(f"  nobody matches {typed!r}", err=True)
        return None
    if len(matches) == 1:
        return matches[0]
    for number, person in enumerate(matches[:9], start=1):
        click.echo(f"  {number}. {person.describe()}")
    choice = click.prompt("  which one (empty to skip)", default="", show_default=False)
    if not choice.strip().isdigit() or not 1 <= int(choice) <= min(len(matches), 9):
        return None
    return matches[int(choice) - 1]


@click.command()
@click.argument("event")
@click.argument("person")
@click.option(
    "--status",
    type=click.Choice(["accepted", "tentative", "declined"]),
    required=True,
    help="The person's answer.",
)
@pass_workspace
def rsvp(workspace: Workspace, event: str, person: str, status: str) -> None:
    """Record a person's RSVP to an event.

    Example: ladder rsvp 12 awa.diallo@example.org --status accepted
    """
    title, name = service.set_rsvp(workspace.engine, event, person, status)
    click.echo(f"{name}: {status} for {title}.")


@click.command()
@click.argument("event")
@click.argument("people", nargs=-1)
@click.option("--from-next", is_flag=True, help="Invite the people `ladder next --event` lists.")
@next_filters
@output_options
@pass_workspace
def invite(
    workspace: Workspace, event: str, people: tuple[str, ...], from_next: bool, **filters: Any
) -> None:
    """Record that people were invited to an event (all or nothing).

    With --from-next instead of PEOPLE: invite the list `ladder next --event EVENT` would
    print (same filters), record the asks, and print the list for your mail merge.

    Example: ladder invite 12 awa.diallo@example.org "+687 75 12 34"

    Example: ladder invite 12 --from-next --limit 40 --format csv > invitations.csv
    """
    if from_next:
        _invite_from_next(workspace, event, people, filters)
        return
    if any(filters.get(name) for name in ("rung", "group", "near", "tag")):
        raise click.UsageError("--rung, --group, --near and --tag go with --from-next")
    if not people:
        raise click.UsageError("name at least one PERSON to invite, or use --from-next")
    found, invited, already = service.invite(
        workspace.engine, event, list(people), workspace.settings.user
    )
    click.echo(f"Invited {len(invited)} to {found.title}.")
    if already:
        names = ", ".join(p.name for p in already)
        click.echo(f"Already invited: {names}.")


def _invite_from_next(
    workspace: Workspace, event: str, people: tuple[str, ...], filters: dict[str, Any]
) -> None:
    from cli.next import recorded_message
    from ladder.services.invitations import COLUMNS, NextRequest, suggest

    if people:
        raise click.UsageError("--from-next chooses the people: do not name PEOPLE too")
    output_format = filters.pop("output_format")
    request = NextRequest(event=event, **filters)
    found = suggest(workspace.engine, workspace.ladder, request, workspace.settings.user, True)
    echo_rows(
        [s.row() for s in found.suggestions], COLUMNS, output_format, empty="(nobody to invite)"
    )
    click.echo(recorded_message(found) if found.recorded else "Nobody invited.", err=True)
