"""`ladder people add | edit | tag | untag | set-recruiter | clear-recruiter`."""

from __future__ import annotations

from typing import Any

import click

from cli.context import pass_workspace
from cli.options import person_options
from cli.output import printable
from ladder.people import edit as service
from ladder.people.tags import tag_person, untag_person
from ladder.workspace import Workspace


def _say(outcome: service.Outcome, verb: str) -> None:
    click.echo(printable(f"{verb} {outcome.person}."))
    for note in outcome.notes:
        click.echo(f"  note: {note}")


@click.command()
@person_options
@pass_workspace
def add(
    workspace: Workspace,
    group: str | None,
    create_group: bool,
    recruited_by: str | None,
    **fields: Any,
) -> None:
    """Add a person at the first rung of the ladder.

    A person needs at least a name, an email or a phone. Someone already known (same email,
    or same phone and name: the import's rule) is refused, naming their id; a phone known
    under another name is accepted with a note (families share phones).

    Example: ladder people add --first-name Awa --last-name Diallo --email awa@example.org
    --group "Lyon Nord" --recruited-by jean@example.org
    """
    outcome = service.add_person(
        workspace.engine,
        workspace.ladder.first_rung,
        service.person_fields(**fields),
        group=group,
        recruited_by=recruited_by,
        create_group=create_group,
        by=workspace.settings.user,
    )
    _say(outcome, "Added")


@click.command()
@click.argument("person")
@person_options
@pass_workspace
def edit(
    workspace: Workspace,
    person: str,
    group: str | None,
    create_group: bool,
    recruited_by: str | None,
    **fields: Any,
) -> None:
    """Change a person's details; only the options given change. An empty value clears it
    (--phone "" removes the phone; --group "" leaves the group).

    Example: ladder people edit awa@example.org --phone "06 12 34 56 78" --postcode 69001
    """
    outcome = service.edit_person(
        workspace.engine,
        person,
        service.person_fields(**fields),
        group=group,
        recruited_by=recruited_by,
        create_group=create_group,
        by=workspace.settings.user,
    )
    _say(outcome, "Updated")


@click.command()
@click.argument("person")
@click.argument("tags", nargs=-1, required=True)
@pass_workspace
def tag(workspace: Workspace, person: str, tags: tuple[str, ...]) -> None:
    """Tag a person (a tag is created on first use; tagging twice changes nothing).

    Example: ladder people tag awa@example.org volunteer "speaker 2026"
    """
    outcome, added, already = tag_person(
        workspace.engine, person, list(tags), by=workspace.settings.user
    )
    if added:
        click.echo(f"Tagged {outcome.person}: {', '.join(added)}.")
    if already:
        click.echo(f"{outcome.person} already had: {', '.join(already)}.")


@click.command()
@click.argument("person")
@click.argument("tags", nargs=-1, required=True)
@pass_workspace
def untag(workspace: Workspace, person: str, tags: tuple[str, ...]) -> None:
    """Remove tags from a person.

    Example: ladder people untag awa@example.org volunteer
    """
    outcome, removed, absent = untag_person(
        workspace.engine, person, list(tags), by=workspace.settings.user
    )
    if removed:
        click.echo(f"Removed from {outcome.person}: {', '.join(removed)}.")
    if absent:
        click.echo(f"{outcome.person} did not have: {', '.join(absent)}.")


@click.command("set-recruiter")
@click.argument("person")
@click.argument("recruiter")
@pass_workspace
def set_recruiter(workspace: Workspace, person: str, recruiter: str) -> None:
    """Say who recruited PERSON. Self-recruitment and cycles are refused.

    Example: ladder people set-recruiter awa@example.org "#40"
    """
    outcome = service.set_recruiter(workspace.engine, person, recruiter, by=workspace.settings.user)
    click.echo(f"{outcome.person} is now {outcome.notes[0]}.")


@click.command("clear-recruiter")
@click.argument("person")
@pass_workspace
def clear_recruiter(workspace: Workspace, person: str) -> None:
    """Forget who recruited PERSON.

    Example: ladder people clear-recruiter awa@example.org
    """
    outcome = service.clear_recruiter(workspace.engine, person, by=workspace.settings.user)
    click.echo(f"{outcome.person} has no recruiter now.")
