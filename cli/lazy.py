"""A click group whose subcommands live in their own modules, imported on first use.

Keeps start-up fast (a check-in must not import networkx or faker) and lets each feature own
its module: ``LazyGroup(lazy={"why": "cli.people.why:why"}, summaries={"why": "Why ..."})``.

``summaries`` gives each command's one-line help for the group's listing (``ladder --help``),
so listing the commands imports none of them. A summary is the command's own short help
(``command.get_short_help_str`` without a length limit: its docstring up to the first
period); tests/cli/test_startup.py fails when one differs from the command's docstring. A
command without a summary is imported to list it, as click does.
"""

from __future__ import annotations

import importlib
from typing import Any

import click


class LazyGroup(click.Group):
    def __init__(
        self,
        *args: Any,
        lazy: dict[str, str] | None = None,
        summaries: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy or {}
        self.summaries = summaries or {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy:
            module_name, attribute = self.lazy[cmd_name].split(":")
            command = getattr(importlib.import_module(module_name), attribute)
            assert isinstance(command, click.Command)
            return command
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """click's listing, with the summaries of lazy commands instead of importing them."""
        rows: list[tuple[str, str | None]] = []  # None: ask the (imported) command
        commands: dict[str, click.Command] = {}
        for name in self.list_commands(ctx):
            if name in self.lazy and name in self.summaries:
                rows.append((name, self.summaries[name]))
                continue
            command = self.get_command(ctx, name)
            if command is None or command.hidden:
                continue
            commands[name] = command
            rows.append((name, None))
        if not rows:
            return
        limit = formatter.width - 6 - max(len(name) for name, _ in rows)
        listing = [
            (
                name,
                (
                    commands[name] if summary is None else click.Command(name, help=summary)
                ).get_short_help_str(limit),
            )
            for name, summary in rows
        ]
        with formatter.section("Commands"):
            formatter.write_dl(listing)
