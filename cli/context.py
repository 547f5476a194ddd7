"""The object every command receives: the resolved settings and a lazily opened workspace."""

from __future__ import annotations

from typing import Any, TypeVar, cast

import click

from ladder.clock import show_times_in
from ladder.settings import Settings, default_ladder_path
from ladder.workspace import Workspace

F = TypeVar("F")


def make_workspace(
    db: str | None, ladder_file: str | None, acting_as: str | None = None
) -> Workspace:
    settings = Settings.resolve(db=db, ladder_file=ladder_file, user=acting_as)
    workspace = Workspace(settings, default_ladder_path())
    show_times_in(lambda: workspace.zone)  # the library's messages show the movement's time
    return workspace


def pass_workspace(function: F) -> F:
    """Give a command the workspace as its first argument."""

    @click.pass_context
    def wrapper(ctx: click.Context, *args: Any, **kwargs: Any) -> Any:
        return ctx.invoke(cast(Any, function), ctx.find_object(Workspace), *args, **kwargs)

    return cast(F, click.decorators.update_wrapper(wrapper, cast(Any, function)))
