"""`ladder people ...`: the people group. Each subcommand lives in its own module."""

from __future__ import annotations

import click

from cli.lazy import LazyGroup

# subcommand -> "module:attribute"
PEOPLE_COMMANDS: dict[str, str] = {
    "add": "cli.people.edit:add",
    "edit": "cli.people.edit:edit",
    "tag": "cli.people.edit:tag",
    "untag": "cli.people.edit:untag",
    "consent": "cli.people.consent:consent",
    "set-recruiter": "cli.people.edit:set_recruiter",
    "clear-recruiter": "cli.people.edit:clear_recruiter",
    "list": "cli.people.listing:list_command",
    "show": "cli.people.listing:show",
    "why": "cli.people.why:why",
    "set-rung": "cli.people.why:set_rung_command",
    "import": "cli.people.imports:import_command",
    "duplicates": "cli.people.merge:duplicates",
    "merge": "cli.people.merge:merge",
    "erase": "cli.people.erase:erase",
    "export": "cli.people.export:export",
    "affiliate": "cli.people.affiliations:affiliate",
    "unaffiliate": "cli.people.affiliations:unaffiliate",
}


@click.group(cls=LazyGroup, lazy=PEOPLE_COMMANDS)
def people() -> None:
    """Supporters: add, find, import, merge, and see why they are on their rung.

    Example: ladder people list --rung attend --format csv
    """
