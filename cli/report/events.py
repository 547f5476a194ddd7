"""`ladder report events`: attendance per event or per kind, and who the events brought."""

from __future__ import annotations

from datetime import datetime

import click

from cli.context import pass_workspace
from cli.output import echo_rows
from cli.report.options import report_options, window_of
from cli.when import shown
from ladder.errors import MisuseError
from ladder.orgs.manage import find_org
from ladder.reports.events import BY, COLUMNS, check_kind, event_report
from ladder.reports.partners import COLUMNS as PARTNERS
from ladder.reports.partners import partner_report
from ladder.workspace import Workspace

PER = (*BY, "org")


@click.command()
@click.option(
    "--by",
    type=click.Choice(PER),
    default="event",
    show_default=True,
    help="One row per event, per kind of event, or per partner organisation (who came).",
)
@click.option("--kind", metavar="KIND", help="Only events of this kind (fair, meeting...).")
@click.option(
    "--org",
    metavar="ORG",
    help="Count only the people who represent this organisation (name or #id).",
)
@report_options
@pass_workspace
def events(
    workspace: Workspace,
    by: str,
    kind: str | None,
    org: str | None,
    since: datetime | None,
    until: datetime | None,
    group: str | None,
    output_format: str,
) -> None:
    """Attendance at the events held in the window (not cancelled), per event or per kind:
    accepted, attended (walk-ins included), no_show, walk_ins, unknown (accepted, presence not
    yet known).

    show_rate = accepted and present / accepted; flake_rate = accepted and absent / accepted
    (the denominator is everyone whose RSVP is "accepted"; empty when nobody accepted).
    first_timers: people for whom it was the first event they ever attended; climbed_after:
    of them, those who moved up a rung after the event started (before the window's end).

    --by org gives one row per partner organisation: its people, how many of them came, their
    presences, the events they came to and the events it co-organised (member or not).
    --org counts only that organisation's people.

    Example: ladder report events --since 90d --by kind --format csv
    """
    window = window_of(workspace, since, until, group)
    with workspace.reading() as connection:
        if by == "org":
            _refuse_org_with_by_org(org)
            if kind is not None:
                check_kind(connection, kind)
            echo_rows(partner_report(connection, window, kind), PARTNERS, output_format)
            return
        org_id = find_org(connection, org).id if org is not None else None
        rows = event_report(connection, workspace.ladder, window, by=by, kind=kind, org_id=org_id)
    for row in rows:
        if row.get("starts_at") is not None:
            row["starts_at"] = shown(row["starts_at"])
    echo_rows(rows, COLUMNS[by], output_format)


def _refuse_org_with_by_org(org: str | None) -> None:
    if org is not None:
        raise MisuseError("--org counts one organisation's people: use it with --by event or kind")
