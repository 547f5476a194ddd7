"""The root command group. Subcommands are imported only when called, to keep start-up fast."""

from __future__ import annotations

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


def main() -> None:
    cli(prog_name="ladder")


if __name__ == "__main__":
    main()
