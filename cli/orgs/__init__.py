"""`ladder orgs ...`: partner organisations. Each subcommand lives in its own module."""

from __future__ import annotations

import click

from cli.lazy import LazyGroup

ORGS_COMMANDS: dict[str, str] = {
    "add": "cli.orgs.manage:add",
    "edit": "cli.orgs.manage:edit",
    "list": "cli.orgs.manage:list_command",
    "show": "cli.orgs.show:show",
    "digest": "cli.orgs.digest:digest",
}
# subcommand -> its short help, so that `ladder orgs --help` imports no command (equal to each
# command's own: tests/cli/test_startup.py)
ORGS_SUMMARIES: dict[str, str] = {
    "add": "Add a partner organisation.",
    "edit": "Change an organisation's details (only the options given; an empty value clears one).",
    "list": (
        "List partner organisations, by name, with how many people represent each and how "
        "many events each co-organised."
    ),
    "show": (
        "One organisation: its details, its people with their rungs and roles, the events its"
        " people came to (how many of them at each), the events it co-organised, and the last"
        " contact (an ask to one of its people, one of them at an event, or the last digest)."
    ),
    "digest": (
        "The progress mail for one partner, ready to send personally: the events its people "
        "came to since the last digest (how many of them at each), the events organised "
        "together, the campaigns against their goals, the movement's headline figures and the"
        " next key dates."
    ),
}


@click.group(cls=LazyGroup, lazy=ORGS_COMMANDS, summaries=ORGS_SUMMARIES)
def orgs() -> None:
    """Partner organisations (towns, associations, agencies, schools) and their people.

    Example: ladder orgs add "Mairie de Lyon" --kind city --member --postcode 69001
    """
