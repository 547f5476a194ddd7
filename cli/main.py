"""The root command group. Subcommands are imported only when called, to keep start-up fast."""

from __future__ import annotations

import gc
from typing import Any

import click

from cli.errors import interrupted, translated_errors
from cli.lazy import LazyGroup
from ladder import __version__

# command name -> "module:attribute"; a module is imported only when its command runs.
COMMANDS: dict[str, str] = {
    "init": "cli.database:init",
    "db": "cli.database:db",
    "ladder": "cli.ladder_cmd:ladder_group",
    "people": "cli.people:people",
    "promote": "cli.promote:promote_command",
    "rules": "cli.rules:rules_group",
    "demo": "cli.demo:demo",
    "seed": "cli.demo:seed",
    "events": "cli.events:events",
    "checkin": "cli.checkin:checkin",
    "rsvp": "cli.checkin:rsvp",
    "invite": "cli.checkin:invite",
    "attendance": "cli.attendance:attendance",
    "recruiters": "cli.recruiters:recruiters",
    "graph": "cli.graph:graph",
    "next": "cli.next:next_command",
    "actions": "cli.actions:actions",
    "campaigns": "cli.campaigns:campaigns",
    "export": "cli.interop:export_group",
    "import": "cli.interop:import_group",
    "serve": "cli.serve:serve",
    "tokens": "cli.tokens:tokens",
    "privacy": "cli.privacy:privacy",
    "audit": "cli.audit:audit_command",
    "report": "cli.report:report",
    "orgs": "cli.orgs:orgs",
    "calendar": "cli.calendar:calendar",
}

# command name -> its one-line help for the listing (the docstring up to its first period),
# so that `--help` imports no command (tests/cli/test_startup.py keeps them equal).
SUMMARIES: dict[str, str] = {
    "init": "Create a ladder database at the latest schema.",
    "db": "Database: back it up, upgrade an older one.",
    "ladder": "The active ladder: its rungs and action kinds.",
    "people": "Supporters: add, find, import, merge, and see why they are on their rung.",
    "promote": "Apply every rule in the ladder file to the whole base, and print what changed.",
    "rules": "The rules that move people up the ladder (declared in the ladder file).",
    "demo": "Try ladder on a demo movement: create it, seed it, and show what matters first.",
    "seed": "Fill an empty ladder database with a realistic, deterministic fake movement.",
    "events": "Events: the calendar of field events and key dates.",
    "checkin": "Check a person in to an event: by email, phone, id or a name fragment.",
    "rsvp": "Record a person's RSVP to an event.",
    "invite": "Record that people were invited to an event (all or nothing).",
    "attendance": "Attendance after the event: close it, import the paper sign-in sheet.",
    "recruiters": "Who recruits, and whose recruits climb.",
    "graph": "The recruitment graph as a whole: export it, check it.",
    "next": "Who to ask next: a ranked list with a score and a reason for each person.",
    "actions": (
        "Actions: what supporters did (signed, shared, called, hosted), which the rules count."
    ),
    "campaigns": (
        "Campaigns: a named push with a goal (25,000 signatures, 2,650 people), and its progress."
    ),
    "export": "Write the database in another tool's format.",
    "import": "Read another tool's files (people, events, attendance, tags).",
    "serve": "Serve the check-in page and the OSDI API on this database and ladder file.",
    "tokens": "API tokens: who may call `ladder serve`'s API, with which role.",
    "privacy": "Retention: erase the people the movement no longer needs to hold.",
    "audit": (
        "The audit, newest first: when, who (--as, $LADDER_USER or the login), which command, "
        "the names of the fields changed, how many people it touched, and ids and counts."
    ),
    "report": "Reports: headline figures, the funnel over time, cohorts, events, recruiters.",
    "orgs": "Partner organisations (towns, associations, agencies, schools) and their people.",
    "calendar": "The shared calendar: key dates and events, for partners' calendars.",
}


class RootGroup(LazyGroup):
    """The root: also the one place where ladder errors (and Ctrl-C) become click errors."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        with translated_errors():  # the root's own options (--ladder-file with a NUL...)
            return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            with translated_errors():
                return super().invoke(ctx)
        except KeyboardInterrupt:
            commits = getattr(ctx.obj, "commits", None)  # the workspace, once it is made
            raise interrupted(commits() if commits is not None else 0) from None


@click.group(
    cls=RootGroup,
    lazy=COMMANDS,
    summaries=SUMMARIES,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=(
        "Example: ladder --db postgresql+psycopg://me@localhost/movement init\n\n"
        "The database is --db, else $LADDER_DATABASE_URL, else ./ladder.db; the ladder file is "
        "--ladder-file, else $LADDER_LADDER_FILE, else ./ladder.toml when present, else the "
        "built-in 350-style ladder (follow, attend, mobilise)."
    ),
)
@click.option(
    "--db",
    metavar="URL",
    help="SQLAlchemy URL or SQLite file path (default: ./ladder.db).",
)
@click.option(
    "--ladder-file",
    metavar="PATH",
    type=click.Path(dir_okay=False),
    help="The ladder file (TOML) with rungs, action kinds and rules.",
)
@click.option(
    "--as",
    "acting_as",
    metavar="NAME",
    help="Who is acting, for the audit and every record's author (default: $LADDER_USER, "
    "else your login name).",
)
@click.option(
    "--quiet",
    "-q",
    is_flag=True,
    help="No progress bars (they are drawn only on a terminal anyway).",
)
@click.version_option(__version__, prog_name="ladder")
@click.pass_context
def cli(
    ctx: click.Context,
    db: str | None,
    ladder_file: str | None,
    acting_as: str | None,
    quiet: bool,
) -> None:
    """ladder: engagement-ladder CRM for grassroots movements."""  # --quiet: cli.progress
    from cli.context import make_workspace

    with translated_errors():
        workspace = make_workspace(db, ladder_file, acting_as)
    ctx.obj = workspace
    ctx.call_on_close(workspace.close)


# Collect cycles every 100,000 allocations, not 700, in a `ladder` process: start-up
# allocates a few hundred thousand long-lived objects (modules, tables, statements) and frees
# almost none, so the collector's passes over them were 10-15% of a short command's CPU (about
# 40 ms of `ladder next`), for nothing. A long command (an import, `ladder serve`) still
# collects, less often. Only the console command: a program that imports cli (the tests)
# keeps its own settings.
GC_THRESHOLD = 100_000


def main() -> None:
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])
    try:
        cli(prog_name="ladder")
    finally:
        # The interpreter's exit runs full collections over every object still alive (the
        # modules, tables, statements): 35-60 ms of a short command, to find cycles it then
        # frees anyway. Frozen objects are skipped by those passes; they are still freed
        # (reference counts), and atexit handlers and stream flushing run as before.
        gc.freeze()


if __name__ == "__main__":
    main()
