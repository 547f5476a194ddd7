"""`ladder checkin`, `ladder rsvp`, `ladder invite`: the volunteer's commands at the door."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from cli.context import pass_workspace
from cli.options import next_filters, person_options
from cli.output import checkin_message, echo_rows, output_options, recorded_message
from ladder.domain.contact import looks_like_phone
from ladder.errors import LadderError
from ladder.events import checkin as service
from ladder.events import rsvp as answers
from ladder.events.agenda import EventRef
from ladder.events.checkin import CheckinResult
from ladder.workspace import Workspace

if TYPE_CHECKING:
    from ladder.events.door import DoorCandidate

# ladder.events.door and ladder.people.edit (the door loop, walk-ins) are imported where used:
# `ladder checkin EVENT PERSON` needs neither.

LATE_HELP = "The event is closed or ended over 24 hours ago: record it anyway."
NEW = "new"  # the door loop's choice: sign up a walk-in


@click.command()
@click.argument("event")
@click.argument("person", required=False)
@click.option("--new", "new", is_flag=True, help="Sign up a walk-in and check them in.")
@click.option("--late", is_flag=True, help=LATE_HELP)
@person_options
@pass_workspace
def checkin(
    workspace: Workspace,
    event: str,
    person: str | None,
    new: bool,
    late: bool,
    group: str | None,
    create_group: bool,
    recruited_by: str | None,
    **fields: Any,
) -> None:
    """Check a person in to an event: by email, phone, id or a name fragment.

    Checking the same person in twice is one attendance, and says so. With no PERSON on a
    terminal, it loops: type a name or email, pick (the people of this event come first, n
    signs up someone new), next, until an empty line. A walk-in who is not in the database
    yet: --new with the same options as `people add`; someone already known (same email, or
    same phone and name) is checked in instead, and it says so. A closed event, or one that
    ended more than 24 hours ago, needs --late.

    Example: ladder checkin 12 awa.diallo@example.org

    Example: ladder checkin 12 --new --first-name Léo --last-name Kaouma --email leo@example.nc
    --recruited-by awa.diallo@example.org
    """
    if new:
        if person is not None:
            raise click.UsageError("--new signs up someone new: give their details, not PERSON")
        if create_group:
            raise click.UsageError("--create-group is for `people add`; use an existing --group")
        _walk_in(workspace, event, late, group, recruited_by, fields)
    elif any(v is not None for v in fields.values()) or group or recruited_by or create_group:
        raise click.UsageError("person details go with --new (to sign up a walk-in)")
    elif person is not None:
        _check_in_one(workspace, event, person, late)
    elif not interactive():
        raise click.UsageError("name the PERSON to check in (the loop needs a terminal)")
    else:
        _door_loop(workspace, event, late)


def interactive() -> bool:
    """True when a volunteer is typing at a terminal."""
    return sys.stdin.isatty()


def _walk_in(
    workspace: Workspace,
    event: str,
    late: bool,
    group: str | None,
    recruited_by: str | None,
    fields: dict[str, Any],
) -> None:
    """`checkin EVENT --new ...`: sign up a walk-in and check them in."""
    from ladder.events.door import sign_up_and_check_in
    from ladder.people.edit import person_fields

    result, notes = sign_up_and_check_in(
        workspace.engine,
        workspace.ladder,
        event,
        person_fields(**fields),
        workspace.settings.user,
        recruited_by=recruited_by,
        group=group,
        late=late,
    )
    click.echo(checkin_message(result))
    for note in notes:
        click.echo(f"  note: {note}")


def _check_in_one(workspace: Workspace, event: str, person: str, late: bool) -> None:
    """`checkin EVENT PERSON`."""
    result = service.check_in_by_ref(
        workspace.engine, workspace.ladder, event, person, workspace.settings.user, late=late
    )
    click.echo(checkin_message(result))


def _door_loop(workspace: Workspace, event_ref: str, late: bool) -> None:
    """`checkin EVENT` at a terminal: type, pick, next, until an empty line."""
    from ladder.events import door

    event = door.door_event(workspace.engine, event_ref, late)
    click.echo(f"Checking in to {event.describe()}. Empty line to finish.")
    count = 0
    while True:
        typed = click.prompt("name, email or phone", default="", show_default=False).strip()
        if not typed:
            break
        try:
            result = _door_pick(workspace, event, typed, late)
        except LadderError as exc:
            click.echo(f"  {exc}", err=True)
            continue
        if result is None:
            continue
        count += 0 if result.already else 1
        click.echo(f"  {checkin_message(result)}")
    click.echo(f"{count} checked in this session.")


def _door_pick(
    workspace: Workspace, event: EventRef, typed: str, late: bool
) -> CheckinResult | None:
    """One name typed at the door: list, pick, check in (or sign up); None when skipped."""
    from ladder.events import door

    choice = _choose(door.door_candidates(workspace.engine, event, typed), typed)
    if choice is None:
        return None
    if choice == NEW:
        return _door_walk_in(workspace, event, typed, late)
    assert isinstance(choice, door.DoorCandidate)
    return door.check_in_pick(
        workspace.engine, workspace.ladder, event, choice.person, workspace.settings.user, late
    )


def _choose(candidates: list[DoorCandidate], typed: str) -> DoorCandidate | str | None:
    """The candidate picked, NEW for a walk-in, or None; a wrong pick is said and asked again."""
    if not candidates:
        click.echo(f"  nobody matches {typed!r}", err=True)
        return NEW if click.confirm("  sign them up as a walk-in?", default=False) else None
    if len(candidates) == 1:
        return candidates[0]
    shown = candidates[:9]
    for number, candidate in enumerate(shown, start=1):
        relation = f" [{candidate.relation}]" if candidate.relation else ""
        click.echo(f"  {number}. {candidate.person.describe()}{relation}")
    if len(candidates) > len(shown):
        click.echo(f"  ({len(candidates) - len(shown)} more: type more of the name)")
    click.echo("  n. someone new: sign up a walk-in")
    while True:
        answer = click.prompt("  which one (empty to skip)", default="", show_default=False)
        answer = answer.strip()
        if not answer:
            return None
        if answer.lower() == NEW[0]:
            return NEW
        number = answer.isascii() and answer.isdigit()  # "²" is a digit to Python only
        if number and 1 <= int(answer) <= len(shown):
            return shown[int(answer) - 1]
        click.echo(
            f"  no choice {answer if number else repr(answer)}: type a number from 1 "
            f"to {len(shown)}, n for someone new, or nothing to skip",
            err=True,
        )


def _door_walk_in(workspace: Workspace, event: EventRef, typed: str, late: bool) -> CheckinResult:
    """Ask for a walk-in's details (what was typed fills the defaults) and sign them up."""
    from ladder.events.door import sign_up_and_check_in
    from ladder.people.edit import person_fields

    is_contact = "@" in typed or looks_like_phone(typed)
    first, _, last = ("", "", "") if is_contact else typed.partition(" ")
    first = _ask("first name", first)
    last = _ask("last name", last.strip())
    contact = _ask("email or phone", typed if is_contact else "")
    brought_by = _ask("who brought them (empty if nobody)", "")
    email, phone = (contact, None) if "@" in contact else (None, contact or None)
    fields = person_fields(
        first_name=first or None, last_name=last or None, email=email, phone=phone
    )
    result, notes = sign_up_and_check_in(
        workspace.engine,
        workspace.ladder,
        f"#{event.id}",
        fields,
        workspace.settings.user,
        recruited_by=brought_by or None,
        late=late,
    )
    for note in notes:
        click.echo(f"    note: {note}")
    return result


def _ask(question: str, default: str) -> str:
    answer = click.prompt(f"  {question}", default=default, show_default=bool(default))
    return str(answer).strip()


@click.command()
@click.argument("event")
@click.argument("person")
@click.option(
    "--status",
    type=click.Choice(["accepted", "tentative", "declined"]),
    required=True,
    help="The person's answer.",
)
@click.option("--late", is_flag=True, help=LATE_HELP)
@pass_workspace
def rsvp(workspace: Workspace, event: str, person: str, status: str, late: bool) -> None:
    """Record a person's RSVP to an event.

    An acceptance beyond the event's --capacity is refused. A closed event, or one that ended
    more than 24 hours ago, needs --late.

    Example: ladder rsvp 12 awa.diallo@example.org --status accepted
    """
    title, name = answers.set_rsvp(
        workspace.engine, event, person, status, late, by=workspace.settings.user
    )
    click.echo(f"{name}: {status} for {title}.")


@click.command()
@click.argument("event")
@click.argument("people", nargs=-1)
@click.option("--from-next", is_flag=True, help="Invite the people `ladder next --event` lists.")
@click.option("--late", is_flag=True, help=LATE_HELP)
@next_filters
@output_options
@pass_workspace
def invite(
    workspace: Workspace,
    event: str,
    people: tuple[str, ...],
    from_next: bool,
    late: bool,
    **filters: Any,
) -> None:
    """Record that people were invited to an event (all or nothing).

    With --from-next instead of PEOPLE: invite the list `ladder next --event EVENT` would
    print (same filters), record the asks, and print the list for your mail merge. A closed
    event, or one that ended more than 24 hours ago, needs --late.

    Example: ladder invite 12 awa.diallo@example.org "+687 75 12 34"

    Example: ladder invite 12 --from-next --limit 40 --format csv > invitations.csv
    """
    if from_next:
        if late:
            raise click.UsageError("--late goes with PEOPLE: --from-next invites to later events")
        _invite_from_next(workspace, event, people, filters)
        return
    if any(filters.get(name) for name in ("rung", "group", "near", "tag")):
        raise click.UsageError("--rung, --group, --near and --tag go with --from-next")
    if not people:
        raise click.UsageError("name at least one PERSON to invite, or use --from-next")
    found, invited, already = answers.invite(
        workspace.engine, event, list(people), workspace.settings.user, late
    )
    click.echo(f"Invited {len(invited)} to {found.title}.")
    if already:
        names = ", ".join(p.name for p in already)
        click.echo(f"Already invited: {names}.")


def _invite_from_next(
    workspace: Workspace, event: str, people: tuple[str, ...], filters: dict[str, Any]
) -> None:
    from ladder.invitations.suggest import COLUMNS, NextRequest, suggest

    if people:
        raise click.UsageError("--from-next chooses the people: do not name PEOPLE too")
    output_format = filters.pop("output_format")
    request = NextRequest(event=event, **filters)
    found = suggest(workspace.engine, workspace.ladder, request, workspace.settings.user, True)
    echo_rows(
        [s.row() for s in found.suggestions], COLUMNS, output_format, empty="(nobody to invite)"
    )
    click.echo(recorded_message(found) if found.recorded else "Nobody invited.", err=True)
