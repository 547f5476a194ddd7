"""Options every report shares: the window (--since, --until), --group and --format."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

import click

from cli.output import output_options
from cli.when import LocalTime
from ladder.clock import utcnow
from ladder.reports.periods import Every
from ladder.reports.window import Window, report_window
from ladder.workspace import Workspace

F = TypeVar("F", bound=Callable[..., Any])


def window_options(function: F | None = None, *, since_default: str = "the beginning") -> Any:
    """``--since``, ``--until`` and ``--group``; the values arrive as ``since``, ``until`` and
    ``group``: turn them into a :class:`Window` with :func:`window_of`. A report that reads a
    missing ``--since`` otherwise says so: ``@window_options(since_default="...")``."""

    def decorate(function: F) -> F:
        options = [
            click.option(
                "--since",
                type=LocalTime(days_ago=True),
                metavar="DATE|Nd",
                help="From this date (local; 2026-01-01) or this many days back (90d). "
                f"Default: {since_default}.",
            ),
            click.option(
                "--until",
                type=LocalTime(),
                metavar="DATE",
                help="Up to this date, not included (local midnight). Default: now.",
            ),
            click.option("--group", metavar="NAME", help="Only this local group."),
        ]
        for option in reversed(options):
            function = option(function)
        return function

    return decorate if function is None else decorate(function)


def every_option(help_text: str) -> Callable[[F], F]:
    """``--by week|month`` (default month), arriving as ``every``: what a row counts."""
    return click.option(
        "--by",
        "every",
        type=click.Choice([e.value for e in Every]),
        default=Every.MONTH.value,
        show_default=True,
        help=help_text,
    )


def report_options(function: F | None = None, *, since_default: str = "the beginning") -> Any:
    """:func:`window_options` and ``--format``; ``@report_options`` or
    ``@report_options(since_default="...")``."""

    def decorate(function: F) -> F:
        return window_options(output_options(function), since_default=since_default)

    return decorate if function is None else decorate(function)


def window_of(
    workspace: Workspace, since: datetime | None, until: datetime | None, group: str | None
) -> Window:
    with workspace.reading() as connection:
        return report_window(connection, until or utcnow(), since, group)
