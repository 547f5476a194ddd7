"""Options more than one command takes: who a person is (`people add`, `people edit`,
`checkin --new`), the filters of a `next` list (`next`, `invite --from-next`), and `--as-of`
(`promote`, `people why`, `rules what-if`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import click

from cli.when import LocalTime, local_text
from ladder.clock import utcnow
from ladder.domain.text import MAX_COUNT


class Count(click.IntRange):
    """A number people type (a limit, a capacity, how many): a whole number from ``min`` to
    :data:`~ladder.domain.text.MAX_COUNT` unless told, so that no absurd value reaches SQL
    (``--limit 9223372036854775808`` is refused in one line, not by the database driver)."""

    def __init__(self, min: int = 0, max: int = MAX_COUNT) -> None:
        super().__init__(min=min, max=max)


PERSON_HELP = "id (12 or #12), email, phone, or a name (an ambiguous name lists the candidates)"


def person_options(function: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--first-name", help="First name."),
        click.option("--last-name", help="Last name."),
        click.option("--email", help="Email address (unique to one person)."),
        click.option("--phone", help="Phone; a national 0... number gets +33."),
        click.option("--postcode", help="Postcode (filters use its prefix)."),
        click.option(
            "--group", metavar="NAME", help="Local group (must exist, see --create-group)."
        ),
        click.option(
            "--create-group", is_flag=True, help="Create the --group if it does not exist."
        ),
        click.option("--recruited-by", metavar="PERSON", help=f"The recruiter: {PERSON_HELP}."),
        click.option("--consent-email/--no-consent-email", default=None, help="Agreed to emails."),
        click.option("--consent-sms/--no-consent-sms", default=None, help="Agreed to SMS."),
        click.option("--consent-photo/--no-consent-photo", default=None, help="Agreed to photos."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def next_filters(function: Callable[..., Any]) -> Callable[..., Any]:
    """The options shared by `ladder next` and `ladder invite --from-next`."""
    options = [
        click.option("--rung", help="People one step below this rung (towards it)."),
        click.option("--group", metavar="NAME", help="Only this local group."),
        click.option("--near", metavar="POSTCODE", help="Postcodes starting with this (69, LS1)."),
        click.option("--tag", help="Only people with this tag."),
        click.option(
            "--org",
            metavar="ORG",
            help="Only people who represent this organisation (with --event: wherever they live).",
        ),
        click.option(
            "--channel",
            type=click.Choice(["email", "sms"]),
            default="email",
            show_default=True,
            help="How you will ask: only people who consented to it and can be reached by it.",
        ),
        click.option(
            "--limit",
            type=Count(min=1, max=10_000),
            default=25,
            show_default=True,
            help="At most this many people.",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def as_of_option(function: Any) -> Any:
    """``--as-of DATE``: evaluate as of a past moment (local time; a bare date is its local
    midnight, the start of that day)."""
    return click.option(
        "--as-of",
        type=LocalTime(),
        metavar="DATE",
        callback=_not_in_future,
        help="Evaluate as of this past date or time (local; 2024-06-01 means its 00:00).",
    )(function)


def _not_in_future(_ctx: click.Context, _param: click.Parameter, value: datetime | None) -> Any:
    if value is not None and value > utcnow():
        raise click.BadParameter(f"{local_text(value)} is in the future: give a past date")
    return value
