"""`ladder people ...`: the people group. Each subcommand lives in its own module."""

from __future__ import annotations

import click

from cli.lazy import LazyGroup

# subcommand -> "module:attribute"
PEOPLE_COMMANDS: dict[str, str] = {
    "add": "cli.people_edit:add",
    "edit": "cli.people_edit:edit",
    "tag": "cli.people_edit:tag",
    "untag": "cli.people_edit:untag",
    "set-recruiter": "cli.people_edit:set_recruiter",
    "clear-recruiter": "cli.people_edit:clear_recruiter",
    "list": "cli.people_list:list_command",
    "show": "cli.people_list:show",
    "why": "cli.people_why:why",
    "set-rung": "cli.people_why:set_rung_command",
    "import": "cli.people_import:import_command",
    "duplicates": "cli.people_merge:duplicates",
    "merge": "cli.people_merge:merge",
}


@click.group(cls=LazyGroup, lazy=PEOPLE_COMMANDS)
def people() -> None:
    """Supporters: add, find, import, merge, and see why they are on their rung.

    Example: ladder people list --rung attend --format csv
    """
