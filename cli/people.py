"""`ladder people ...`: the people group. Each subcommand lives in its own module."""

from __future__ import annotations

import click

from cli.lazy import LazyGroup

# subcommand -> "module:attribute"
PEOPLE_COMMANDS: dict[str, str] = {}


@click.group(cls=LazyGroup, lazy=PEOPLE_COMMANDS)
def people() -> None:
    """Supporters: add, find, import, merge, and see why they are on their rung.

    Example: ladder people list --rung attend --format csv
    """
